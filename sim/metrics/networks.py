"""KPIs of units of other bed types (acute stroke, rehabilitation, children's mental health
...): one family per measure, with one member per bed type (``unit_admissions_<bed type>``),
reported by the site of each unit and for all units of the type together; and the
probability of delay read from the daily census (``p_delay_<bed type>_<beds>``).

The probability of delay at ``n`` beds of a unit modelled without a bed limit is
P(N = n) / P(N <= n), N its census: the occupancy of the unlimited unit truncated at ``n``
is that of an ``n``-bed loss system, and by PASTA that is the share of arrivals who would
find all ``n`` beds full, whatever the stays (Monks et al. 2016). At the collaborative
level a bed type's census is the sum of its units' (they pooled), and a census pool sums
several bed types.
"""

from __future__ import annotations

from collections.abc import Callable

from ..model.networks import CensusPoolTally, NetworkTally, UnitTally
from .registry import KPI, KPIS
from .scope import Scope, ratio

FEATURE = "networks"
NAN = float("nan")


def _units(s: Scope) -> dict[str, UnitTally]:
    """This site's units by bed type, or every bed type's units summed (network scope)."""
    out: dict[str, UnitTally] = {}
    for key, tally in s.keyed(UnitTally).items():
        site, _, bed_type = key.partition("/")
        if s.network:
            out[bed_type] = out[bed_type].plus(tally) if bed_type in out else tally
        elif site == s.site:
            out[bed_type] = tally
    return out


def per_bed_type(value: Callable[[UnitTally, Scope], float]) -> Callable[[Scope], dict]:
    return lambda s: {bt: value(t, s) for bt, t in _units(s).items()}


def _out_of_area_beds(s: Scope) -> dict[str, float]:
    away: set[str] = s.ledger.extra.get("out_of_area", set())  # type: ignore[assignment]
    out: dict[str, float] = {}
    for key, tally in s.keyed(UnitTally).items():
        site, _, bed_type = key.partition("/")
        if s.network or site == s.site:
            days = tally.beds.bed_days if key in away else 0.0
            out[bed_type] = out.get(bed_type, 0.0) + ratio(days, s.span)
    return out


def p_delay(census: list[int] | list[float], beds: int) -> float:
    """P(N = n) / P(N <= n) of a census histogram (NaN if no census reached ``n`` or less)."""
    upto = sum(census[: beds + 1])
    at = census[beds] if beds < len(census) else 0
    return at / upto if upto > 0 else NAN


def _delays(s: Scope) -> dict[str, float]:
    census = s.ledger.extra.get("census")
    if census is None:
        return {}
    by_type, pools = census  # type: ignore[misc]
    out: dict[str, float] = {}
    if s.network:
        for bt, tally in s.keyed(NetworkTally).items():
            for n in by_type.get(bt, ()):
                out[f"{bt}_{n}"] = p_delay(tally.census, n)
        for name, tally in s.keyed(CensusPoolTally).items():
            for n in pools[name]:
                out[f"{name}_{n}"] = p_delay(tally.census, n)
        return out
    for bt, tally in _units(s).items():
        for n in by_type.get(bt, ()):
            out[f"{bt}_{n}"] = p_delay(tally.census, n)
    return out


def _mean_census(s: Scope) -> dict[str, float]:
    census = s.ledger.extra.get("census")
    if census is None:
        return {}
    covered = set(census[0])  # type: ignore[index]
    return {
        bt: ratio(sum(k * c for k, c in enumerate(t.census)), sum(t.census))
        for bt, t in _units(s).items()
        if bt in covered
    }


KPIS.add(
    KPI("unit_admissions_<bed_type>", "patients", "Admissions: <member>",
        "patients admitted to units of this bed type (transfers counted where they arrive)",
        None, FEATURE, "unit", per_bed_type(lambda t, s: t.admissions)),
    KPI("unit_arrivals_<bed_type>", "patients", "Unplanned patients needing a bed: <member>",
        "unplanned patients needing a bed of this type (from their streams and pathways)",
        None, FEATURE, "home", per_bed_type(lambda t, s: t.unplanned_arrivals)),
    KPI("unit_refusals_<bed_type>", "patients", "Refused: <member>",
        "unplanned patients refused a bed of this type: lost to the network", "lower", FEATURE,
        "home", per_bed_type(lambda t, s: t.refusals)),
    KPI("unit_transfers_out_<bed_type>", "patients", "Transfers for want of a bed: <member>",
        "unplanned patients moved to another unit for want of a bed at their own", "lower",
        FEATURE, "home", per_bed_type(lambda t, s: t.transfers_out)),
    KPI("unit_out_of_area_<bed_type>", "patients", "Admitted out of area: <member>",
        "unplanned patients admitted to a unit outside the collaborative", "lower", FEATURE,
        "home", per_bed_type(lambda t, s: t.out_of_area)),
    KPI("unit_out_of_area_pct_<bed_type>", "%", "Share admitted out of area: <member>",
        "share of unplanned patients admitted who were admitted out of area", "lower",
        FEATURE, "home",
        per_bed_type(lambda t, s: ratio(t.out_of_area, t.unplanned_admitted, 100))),
    KPI("unit_distance_km_<bed_type>", "km", "Distance from home: <member>",
        "mean road km from the patient's home to the unit that admitted them", "lower",
        FEATURE, "home", per_bed_type(lambda t, s: ratio(t.distance_km, t.distance_known))),
    KPI("unit_out_of_area_beds_<bed_type>", "beds", "Out-of-area beds in use: <member>",
        "time-average number of beds occupied in units outside the collaborative (out-of-area "
        "bed use)", "lower", FEATURE, "unit", _out_of_area_beds),
    KPI("unit_inpatient_distance_km_<bed_type>", "km", "Distance from home of inpatients: <member>",
        "road km from home of the patients in beds, averaged over their days in bed (where "
        "every place has a location)", "lower", FEATURE, "unit",
        per_bed_type(lambda t, s: ratio(t.inpatient_km_days, t.treating_days)
                     if t.inpatient_km_days or t.treating_days == 0 else NAN)),
    KPI("unit_wait_hours_<bed_type>", "hours", "Wait for a bed: <member>",
        "mean wait for a bed at their own unit of unplanned patients admitted", "lower",
        FEATURE, "home",
        per_bed_type(lambda t, s: ratio(t.unplanned_wait_days, t.unplanned_admitted, 24))),
    KPI("unit_repatriations_<bed_type>", "patients", "Repatriations: <member>",
        "transferred patients brought back to their own unit", None, FEATURE, "unit",
        per_bed_type(lambda t, s: t.repatriations)),
    KPI("unit_planned_cancellations_<bed_type>", "patients",
        "Planned admissions cancelled: <member>",
        "planned patients booked straight into a unit who found no free bed", "lower",
        FEATURE, "unit", per_bed_type(lambda t, s: t.planned_cancellations)),
    KPI("unit_mean_occupied_<bed_type>", "beds", "Beds occupied: <member>",
        "time-average number of beds occupied, turnaround included", None, FEATURE, "unit",
        per_bed_type(lambda t, s: ratio(t.beds.bed_days, s.span))),
    KPI("unit_occupancy_<bed_type>", "fraction", "Bed occupancy: <member>",
        "time-average share of beds occupied, turnaround included (none for units without a "
        "bed limit)", None, FEATURE, "unit",
        per_bed_type(lambda t, s: ratio(t.beds.bed_days, t.beds.capacity_days))),
    KPI("unit_census_mean_<bed_type>", "beds", "Mean daily census: <member>",
        "mean number of patients counted at the daily census", None, FEATURE, "unit",
        _mean_census),
    KPI("p_delay_<bed_type_and_beds>", "fraction", "Probability of delay: <member>",
        "chance a patient would find all n beds full, P(N = n) / P(N <= n) of the daily "
        "census N of units without a bed limit (member: bed type or census pool, then n)",
        "lower", FEATURE, "unit", _delays),
)  # fmt: skip
