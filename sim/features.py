"""The feature index: where each feature of hubsim lives, layer by layer.

A feature (the elective pathway, ward beds, emergencies, critical care, bed networks of
other types, mutual aid, shared staff, equity, calendars) has one module per layer of the
pipeline, named after it:

- ``spec``: what a scenario may say (``sim/scenario/<feature>.py``: pydantic models and the
  feature's own reference checks);
- ``model``: its SimPy components and their ``Tally`` counters (``sim/model/<feature>.py``);
- ``kpis``: its KPIs, each declared once in the registry (``sim/metrics/<feature>.py``);
- ``describe``: its sentences in the STRESS-DES model description
  (``sim/report/describe/<feature>.py``);
- ``plots``: its standard plots (``sim/report/plots/<feature>.py``), when it has any.

A new feature adds one module per layer and one entry here. Module names are text, so
this index imports nothing and sits outside the pipeline's import order;
``tests/test_features.py`` checks that every module named here exists and that every KPI
and every model tally belongs to a feature listed here.
"""

from __future__ import annotations

from dataclasses import dataclass

LAYERS = ("spec", "model", "kpis", "describe", "plots")


@dataclass(frozen=True)
class Feature:
    """One feature and its module in each layer (None: the feature has nothing there)."""

    name: str
    title: str
    spec: str
    model: str
    kpis: str | None
    describe: str
    plots: str | None = None

    def modules(self) -> dict[str, str]:
        """Layer -> module, for the layers the feature has."""
        return {layer: m for layer in LAYERS if (m := getattr(self, layer)) is not None}


def _feature(name: str, title: str, *, kpis: bool = True, plots: bool = False) -> Feature:
    return Feature(
        name,
        title,
        spec=f"sim.scenario.{name}",
        model=f"sim.model.{name}",
        kpis=f"sim.metrics.{name}" if kpis else None,
        describe=f"sim.report.describe.{name}",
        plots=f"sim.report.plots.{name}" if plots else None,
    )


FEATURES: dict[str, Feature] = {
    f.name: f
    for f in (
        _feature("elective", "Elective pathway: referrals, lists, theatres, cancellations",
                 plots=True),
        _feature("wards", "Ward beds: general and ring-fenced, waiting for a bed", plots=True),
        _feature("emergencies", "Emergency admissions competing for beds"),
        _feature("critical_care", "Critical care units and their network", plots=True),
        _feature("networks", "Beds of other types: pathways, pooling, out of area"),
        _feature("mutual_aid", "Mutual aid: long waiters offered a shorter list"),
        _feature("staff", "Shared staff: rosters, sickness, passporting"),
        _feature("nursing", "Staffed critical care beds: nurse rosters, sickness, ratios by "
                 "level of care"),
        _feature("equity", "Equity: deprivation quintiles and booking rules"),
        _feature("calendar", "Calendars: bank holidays, leave, openings, growth, strikes"),
    )
}  # fmt: skip
