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
    KPI("bed_occupancy_midnight", "fraction", "Ward bed occupancy at midnight",
        "beds occupied by a patient at midnight / beds available, averaged over the days "
        "measured (the NHS KH03 definition; beds being cleaned count as empty)",
        None, FEATURE, "treating",
        lambda s: ratio(s.of(WardTally).midnight_occupied, s.of(WardTally).midnight_available)),
    KPI("general_bed_occupancy", "fraction", "General bed occupancy",
        "time-average share of general beds occupied", None, FEATURE, "treating",
        lambda s: _occupancy(s, elective=False)),
    KPI("elective_bed_occupancy", "fraction", "Ring-fenced bed occupancy",
        "time-average share of ring-fenced elective beds occupied", None, FEATURE, "treating",
        lambda s: _occupancy(s, general=False)),
    KPI("electives_waited_for_bed", "patients", "Electives who waited for a bed",
        "elective inpatients who found no bed on the morning of surgery and waited for one "
        "(policies.wait_for_bed)", "lower", FEATURE, "treating",
        lambda s: s.of(WardTally).electives_waited_for_bed, requires="bed_wait"),
    KPI("electives_bed_after_wait", "patients", "Electives who got a bed after waiting",
        "elective inpatients who waited for a bed on the day and got one before their cut-off",
        "higher", FEATURE, "treating", lambda s: s.of(WardTally).electives_bed_after_wait,
        requires="bed_wait"),
    KPI("elective_bed_wait_hours", "hours", "Electives' wait for a bed on the day",
        "mean wait for a bed of elective inpatients who waited, until they got one or were "
        "cancelled at the cut-off", "lower", FEATURE, "treating",
        lambda s: ratio(s.of(WardTally).elective_bed_wait_days,
                        s.of(WardTally).electives_waited_for_bed, 24), requires="bed_wait"),
)  # fmt: skip
