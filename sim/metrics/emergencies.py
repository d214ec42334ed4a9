"""KPIs of emergency admissions: arrivals, admissions, diversions and the wait for a bed."""

from __future__ import annotations

from ..model.emergencies import EmergencyTally
from .registry import KPI, KPIS
from .scope import Scope, ratio

FEATURE = "emergencies"


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
)  # fmt: skip
