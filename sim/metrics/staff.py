"""KPIs of staff rosters: sessions lost for want of a team, and each group's utilisation."""

from __future__ import annotations

from ..model.elective import ElectiveTally
from ..model.ledger import Cause
from ..model.staff import StaffGroupTally, StaffTally
from .registry import KPI, KPIS
from .scope import Scope, ratio

FEATURE = "staff"


def _utilisation(s: Scope) -> dict[str, float]:
    return {
        group: ratio(t.slots_used, t.slots_available)
        for group, t in sorted(s.keyed(StaffGroupTally).items())
    }


KPIS.add(
    KPI("sessions_lost_no_staff", "sessions", "Sessions lost for want of staff",
        "theatre sessions lost: their team was not complete", "lower", FEATURE, "treating",
        lambda s: s.of(StaffTally).sessions_lost_no_staff),
    KPI("cancellations_no_staff", "operations", "Cancelled on the day: no staff",
        "operations cancelled on the day: session lost for want of staff", "lower", FEATURE,
        "treating", lambda s: s.of(ElectiveTally).cancellations[Cause.NO_STAFF]),
    KPI("staff_utilisation_<group>", "fraction", "Staff utilisation: <member>",
        "share of the staff group's session-slots on duty that were used", None, FEATURE,
        "network", _utilisation),
)  # fmt: skip
