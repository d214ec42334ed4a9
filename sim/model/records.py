"""What a replication writes down while it runs: counters, plain records and the event log.

Kept deliberately plain (integers in a dict, tuples in lists) so the event loop does no
DataFrame or per-event dict work; frames are built once, after the run.
"""

from __future__ import annotations

from collections import defaultdict

# Event-log codes (the ``event`` column of ``Results.events``).
REFERRED = "referred"
BOOKED = "booked"
CANCELLED = "cancelled"
ADMITTED = "admitted"
OPERATED = "operated"
DISCHARGED = "discharged"
REMOVED = "removed"
EMERGENCY_ARRIVED = "emergency_arrived"
EMERGENCY_ADMITTED = "emergency_admitted"
EMERGENCY_DIVERTED = "emergency_diverted"

#: On-the-day cancellation causes that are the hospital's (non-clinical) doing.
HOSPITAL_CAUSES = ("no_bed", "no_theatre_time", "overrun", "no_staff", "no_critical_care_bed")
#: All causes, including the patient's own (unfit on the day, did not attend).
CANCELLATION_CAUSES = (*HOSPITAL_CAUSES, "patient")


class Recorder:
    """Counters by (name, site) and optional patient-level log for one replication."""

    def __init__(self, log_events: bool, warm_up: float = 0.0):
        self.count: defaultdict[tuple[str, str], float] = defaultdict(float)
        """Running totals since time 0, keyed by (counter name, site)."""
        self.at_warm_up: dict[tuple[str, str], float] = {}
        """A copy of :attr:`count` taken at the end of the warm-up."""
        self.events: list[tuple] | None = [] if log_events else None
        """(time, event, patient id, site, detail) tuples, if the log is on."""
        self.treated: list[tuple[str, str, int, float, float, int]] = []
        """(home site, treating site, priority rank, wait in days, time, quintile) per operation."""
        self.timeseries: list[tuple[float, str, str, float]] = []
        """(time, site, measure, value) snapshots."""
        self.warm_up = warm_up
        """End of the warm-up: operations before it are not recorded in :attr:`treated`."""

    def log(self, t: float, event: str, pid: int, site: str, detail: str = "") -> None:
        if self.events is not None:
            self.events.append((t, event, pid, site, detail))

    def mark_warm_up(self, t: float) -> None:
        self.at_warm_up = dict(self.count)
        self.warm_up = t

    def since_warm_up(self, name: str, site: str) -> float:
        key = (name, site)
        return self.count.get(key, 0.0) - self.at_warm_up.get(key, 0.0)


class ConservationError(AssertionError):
    """A replication's books do not balance: a model bug, never a planner's mistake."""
