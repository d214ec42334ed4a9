"""KPIs of the calendar: theatre sessions lost to one-off shocks (industrial action)."""

from __future__ import annotations

from ..model.calendar import CalendarTally
from .registry import KPI, KPIS

FEATURE = "calendar"

KPIS.add(
    KPI("sessions_lost_industrial_action", "sessions", "Sessions lost to industrial action",
        "theatre sessions planned on days of industrial action that did not run (not booked)",
        "lower", FEATURE, "treating",
        lambda s: s.of(CalendarTally).sessions_lost_industrial_action),
)  # fmt: skip
