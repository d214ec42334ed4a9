"""An elective patient: who they are, where they were referred, and where they are now;
and the factory that draws new patients from their referral streams."""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..scenario.elective import Procedure
    from .streams import Streams

# Pathway states.
WAITING = 0
BOOKED = 1
ADMITTED = 2
TREATED = 3
REMOVED = 4
LEFT = 5
"""Left the list after an on-the-day cancellation (``on_cancellation: leave``)."""

PRIORITY_NAMES = ("P1", "P2", "P3", "P4")
PRIORITY_RANK = {name: rank for rank, name in enumerate(PRIORITY_NAMES)}


class _Rare:
    """What happens to few patients: a cancellation, an equity boost, an offer of mutual aid,
    a critical care bed. Kept apart, so that a patient to whom none of it happens costs one
    slot for all of it (8 bytes, not 56), on waiting lists of millions: that slot holds
    :data:`NOTHING_RARE`, shared, until a field is first set.

    Read as ``p.needs_cc``; code run for every patient may read ``p.rare.needs_cc``, the
    same value without the descriptor's Python call."""

    __slots__ = ("cancellations", "rebook_first", "boost", "aid_offered", "needs_cc", "cc_los",
                 "cc_bed")  # fmt: skip

    def __init__(self) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(Patient, name))


class _RareField:
    """A patient's field kept in :class:`_Rare`: its default until first set."""

    def __init__(self, default: Any, doc: str):
        self.default = default
        self.__doc__ = doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, p: Patient | None, owner: type | None = None) -> Any:
        if p is None:
            return self.default
        return getattr(p.rare, self.name)

    def __set__(self, p: Patient, value: Any) -> None:
        rare = p.rare
        if rare is NOTHING_RARE:
            rare = p.rare = _Rare()
        setattr(rare, self.name, value)


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
        "quintile",
        "rare",
    )

    cancellations = _RareField(0, "Cancellations on the day so far.")
    rebook_first = _RareField(False, "Rebooked ahead of their group after a cancellation.")
    boost = _RareField(False, "Moved up within their priority by an equity rule.")
    aid_offered = _RareField(False, "Already offered treatment elsewhere under mutual aid.")
    needs_cc = _RareField(False, "Needs a planned critical care bed after the operation.")
    cc_los = _RareField(0.0, "Days in that critical care bed.")
    cc_bed = _RareField(None, "The critical care bed held for this patient on the day of surgery.")

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
        self.quintile = 0
        """Deprivation quintile (IMD 1 = most deprived ... 5); 0 when not recorded."""
        self.rare: _Rare = NOTHING_RARE
        """The fields few patients set (see :class:`_Rare`): their own once one is set."""

    def wait(self, now: float) -> float:
        """Days waited so far."""
        return now - self.referral_time

    def __repr__(self) -> str:
        return (
            f"Patient({self.pid}, {self.procedure} from {self.home} at {self.site}, "
            f"P{self.priority + 1}, referred day {self.referral_time:.1f})"
        )


NOTHING_RARE = _Rare()
"""Every field of :class:`_Rare` at its default: the ``rare`` of a patient to whom none of
it has happened (never written: a field's first write gives the patient their own)."""


class PatientFactory:
    """Draws everything about new patients for one (site, procedure) from its own streams."""

    def __init__(
        self,
        procedure: str,
        proc: Procedure,
        streams: Streams,
        prefix: str,
        site: str,
        priority_mix: dict[str, float],
        quintile_mix: dict[int, float] | None = None,
    ):
        self.site = site
        self.procedure = procedure
        names = [p for p in PRIORITY_NAMES if priority_mix.get(p, 0) > 0]
        self._ranks = [PRIORITY_RANK[p] for p in names]
        self._cum = list(accumulate(priority_mix[p] for p in names))
        self._cum[-1] = 1.0
        self._day_case_p = proc.day_case_probability
        key = f"{prefix}/{site}/{procedure}"
        self._u_priority = streams.uniforms(f"{key}/priority")
        self._u_day_case = streams.uniforms(f"{key}/day_case")
        self._duration = streams.sampler(f"{key}/duration", proc.duration)
        self._los = streams.sampler(f"{key}/los", proc.length_of_stay)
        delay = proc.delayed_discharge
        self._delay_p = 0.0 if delay is None else delay.probability
        self._u_delay = streams.uniforms(f"{key}/delay")
        self._delay = None if delay is None else streams.sampler(f"{key}/delay_extra", delay.extra)
        cc = proc.critical_care
        self._cc_p = 0.0 if cc is None else cc.probability
        self._u_cc = streams.uniforms(f"{key}/critical_care")
        self._cc_los = None if cc is None else streams.sampler(f"{key}/cc_los", cc.length_of_stay)
        self._quintiles: list[int] = []
        self._q_cum: list[float] = []
        if quintile_mix:
            self._quintiles = sorted(q for q, share in quintile_mix.items() if share > 0)
            self._q_cum = list(accumulate(quintile_mix[q] for q in self._quintiles))
            self._q_cum[-1] = 1.0
        self._u_quintile = streams.uniforms(f"{key}/quintile")

    def make(
        self,
        pid: int,
        referral_time: float,
        priority: int | None = None,
        quintile: int | None = None,
    ) -> Patient:
        u = self._u_priority()
        if priority is None:
            priority = (
                self._ranks[bisect_right(self._cum, u)] if len(self._ranks) > 1 else self._ranks[0]
            )
        day_case = self._u_day_case() < self._day_case_p
        los = self._los()
        if self._delay is not None:
            extra = self._delay()
            if self._u_delay() < self._delay_p:
                los += extra
        patient = Patient(
            pid,
            self.site,
            self.procedure,
            priority,
            referral_time,
            day_case,
            self._duration(),
            los,
        )
        if self._cc_los is not None:
            cc_los = self._cc_los()  # drawn for every patient, so the streams stay in step
            if self._u_cc() < self._cc_p:
                patient.needs_cc = True
                patient.cc_los = cc_los
                patient.day_case = False
        if self._quintiles:
            u = self._u_quintile()
            patient.quintile = (
                self._quintiles[bisect_right(self._q_cum, u)] if quintile is None else quintile
            )
        elif quintile is not None:
            patient.quintile = quintile
        return patient
