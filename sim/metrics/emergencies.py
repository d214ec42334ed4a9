"""KPIs of emergency admissions: arrivals, admissions, diversions and the wait for a bed."""

from __future__ import annotations

from ..model.emergencies import EmergencySourceTally, EmergencyTally
from .registry import KPI, KPIS
from .scope import Scope, ratio

FEATURE = "emergencies"


def _by_source(s: Scope) -> dict[str, EmergencySourceTally]:
    """Tallies of the named emergency streams: this site's, or each stream name summed
    over the sites that have it (whole collaborative). Empty with single streams only."""
    out: dict[str, EmergencySourceTally] = {}
    for key, tally in s.keyed(EmergencySourceTally).items():
        site, _, name = key.partition("/")
        if s.network or site == s.site:
            out[name] = out[name].plus(tally) if name in out else tally
    return dict(sorted(out.items()))


def _em(s: Scope) -> EmergencyTally:
    return s.of(EmergencyTally)


KPIS.add(
    KPI("emergency_arrivals", "patients", "Emergency arrivals",
        "emergency patients arriving", None, FEATURE, "treating",
        lambda s: _em(s).emergency_arrivals),
    KPI("emergency_admissions", "patients", "Emergency admissions",
        "emergency patients given a bed", None, FEATURE, "treating",
        lambda s: _em(s).emergency_admissions),
    KPI("emergency_diverted", "patients", "Emergencies diverted",
        "emergency patients sent elsewhere: no bed (divert policy)", "lower", FEATURE,
        "treating", lambda s: _em(s).emergency_diverted),
    KPI("emergency_diverted_pct", "%", "Share of emergencies diverted",
        "share of emergency arrivals diverted", "lower", FEATURE, "treating",
        lambda s: ratio(_em(s).emergency_diverted, _em(s).emergency_arrivals, 100)),
    KPI("emergency_bed_wait_hours", "hours", "Emergency wait for a bed",
        "mean wait for a bed of emergency patients admitted", "lower", FEATURE, "treating",
        lambda s: ratio(_em(s).wait_days, _em(s).emergency_admissions, 24), headline=12),
    KPI("emergency_waited_pct", "%", "Share of emergencies who waited for a bed",
        "share of emergency admissions that waited for a bed", "lower", FEATURE, "treating",
        lambda s: ratio(_em(s).waited, _em(s).emergency_admissions, 100)),
    KPI("emergency_arrivals_<source>", "patients", "Emergency arrivals: <member>",
        "emergency patients arriving from this named stream (e.g. A&E, GP referrals)",
        None, FEATURE, "treating",
        lambda s: {k: t.emergency_arrivals for k, t in _by_source(s).items()}),
    KPI("emergency_admissions_<source>", "patients", "Emergency admissions: <member>",
        "emergency patients from this named stream given a bed", None, FEATURE, "treating",
        lambda s: {k: t.emergency_admissions for k, t in _by_source(s).items()}),
    KPI("emergency_diverted_<source>", "patients", "Emergencies diverted: <member>",
        "emergency patients from this named stream sent elsewhere: no bed (divert policy)",
        "lower", FEATURE, "treating",
        lambda s: {k: t.emergency_diverted for k, t in _by_source(s).items()}),
    KPI("emergency_bed_wait_hours_<source>", "hours", "Emergency wait for a bed: <member>",
        "mean wait for a bed of emergency patients from this named stream admitted",
        "lower", FEATURE, "treating",
        lambda s: {k: ratio(t.wait_days, t.emergency_admissions, 24)
                   for k, t in _by_source(s).items()}),
)  # fmt: skip
