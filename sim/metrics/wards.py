"""KPIs of ward beds: time-average occupancy of general, ring-fenced and all beds."""

from __future__ import annotations

from ..model.wards import WardTally
from .registry import KPI, KPIS
from .scope import Scope, ratio

FEATURE = "wards"


def _occupancy(s: Scope, general: bool = True, elective: bool = True) -> float:
    w = s.of(WardTally)
    pools = [p for p, on in ((w.general, general), (w.elective, elective)) if on]
    return ratio(sum(p.bed_days for p in pools), sum(p.capacity_days for p in pools))


KPIS.add(
    KPI("ward_occupancy", "fraction", "Ward bed occupancy",
        "time-average share of ward beds (general + elective) occupied, turnaround included",
        None, FEATURE, "treating", _occupancy, headline=11),
    KPI("general_bed_occupancy", "fraction", "General bed occupancy",
        "time-average share of general beds occupied", None, FEATURE, "treating",
        lambda s: _occupancy(s, elective=False)),
    KPI("elective_bed_occupancy", "fraction", "Ring-fenced bed occupancy",
        "time-average share of ring-fenced elective beds occupied", None, FEATURE, "treating",
        lambda s: _occupancy(s, general=False)),
)  # fmt: skip
