"""An elective patient: who they are, where they were referred, and where they are now."""

from __future__ import annotations

from typing import Any

# Pathway states.
WAITING = 0
BOOKED = 1
ADMITTED = 2
TREATED = 3
REMOVED = 4

PRIORITY_RANK = {"P1": 0, "P2": 1, "P3": 2, "P4": 3}


class Patient:
    """One referral to treatment (RTT) pathway.

    Everything random about the patient (priority, theatre time, length of stay, ...)
    is drawn when they are referred, from their referral stream, so the same patient
    is identical in every scenario run on the same seed.
    """

    __slots__ = (
        "pid",
        "home",
        "procedure",
        "priority",
        "referral_time",
        "site",
        "day_case",
        "duration",
        "los",
        "state",
        "version",
        "waiting_list",
        "cancellations",
        "rebook_first",
        "quintile",
        "needs_cc",
        "cc_los",
        "cc_bed",
        "extra",
    )

    def __init__(
        self,
        pid: int,
        home: str,
        procedure: str,
        priority: int,
        referral_time: float,
        day_case: bool,
        duration: float,
        los: float,
    ):
        self.pid = pid
        self.home = home
        """Site the patient was referred to (their home trust's site, kept for reporting)."""
        self.procedure = procedure
        self.priority = priority
        """Clinical priority rank: 0 = P1 (most urgent) ... 3 = P4."""
        self.referral_time = referral_time
        """Clock start of the pathway, in days (negative for patients already waiting at time 0)."""
        self.site: str = home
        """Site that will treat the patient."""
        self.day_case = day_case
        self.duration = duration
        """Theatre time this patient will need, in days."""
        self.los = los
        """Bed days after the operation, including any delayed discharge."""
        self.state = WAITING
        self.version = 0
        self.waiting_list: Any = None
        self.cancellations = 0
        self.rebook_first = False
        self.quintile = 0
        self.needs_cc = False
        """Needs a planned critical care bed after the operation."""
        self.cc_los = 0.0
        self.cc_bed: Any = None
        """The critical care bed held for this patient on the day of surgery."""
        self.extra: Any = None

    def wait(self, now: float) -> float:
        """Days waited so far."""
        return now - self.referral_time

    def __repr__(self) -> str:
        return (
            f"Patient({self.pid}, {self.procedure} from {self.home} at {self.site}, "
            f"P{self.priority + 1}, referred day {self.referral_time:.1f})"
        )
