"""The ledger: what a replication writes down while it runs, and the one thing it hands to metrics.

- **Tallies.** Each feature declares its counters as a small slotted dataclass (a
  :class:`Tally`: ``ElectiveTally``, ``CriticalCareTally`` ...) with one instance per
  site (or per staff group). The event loop adds to typed fields
  (``tally.operations += 1``); there are no string keys. A field is a number or a list
  of numbers (e.g. counts by :class:`Cause`, time at each occupancy).
- **Time-weighted levels.** :class:`TimeWeighted` integrates a level (beds in use,
  patients waiting) over time; its owner copies the integral into its tally when the
  ledger *settles* (at the end of the warm-up and at the end).
- **One warm-up.** :meth:`Ledger.mark_warm_up` settles and copies every tally;
  :meth:`Ledger.close` settles again and keeps each tally minus its copy. Nothing else
  subtracts a warm-up.
- **Typed records.** Operations after the warm-up go into :class:`OperationLog`
  (columns, compact); snapshots are :class:`Sample` and the patient log :class:`Event`
  named tuples.

The loop does no dict look-up with string keys, no pandas and no per-event allocation
beyond the optional event log.
"""

from __future__ import annotations

import dataclasses
from array import array
from collections.abc import Callable, Sequence
from enum import IntEnum
from operator import itemgetter
from typing import NamedTuple, Self, TypeVar

import numpy as np


class Cause(IntEnum):
    """Why an operation was cancelled on the day."""

    NO_BED = 0
    NO_THEATRE_TIME = 1
    OVERRUN = 2
    NO_STAFF = 3
    NO_CC_BED = 4
    PATIENT = 5

    @property
    def label(self) -> str:
        """The cause as written in the event log and reports (``no_bed`` ...)."""
        return self.name.lower()

    @property
    def hospital(self) -> bool:
        """A non-clinical cause: the hospital's doing, not the patient's."""
        return self is not Cause.PATIENT


CAUSES = tuple(Cause)
HOSPITAL_CAUSES = tuple(c for c in Cause if c.hospital)


class ConservationError(AssertionError):
    """A replication's books do not balance: a model bug, never a planner's mistake."""


class Tally:
    """Base of a feature's counters: numbers, lists of numbers and tallies, all additive.

    Subclasses are ``@dataclass(slots=True)`` with a default for every field.
    """

    __slots__ = ()

    def copy(self) -> Self:
        return type(self)(**{f: _copy(getattr(self, f)) for f in _names(type(self))})

    def minus(self, before: Self) -> Self:
        """What was added since ``before`` (a copy of this tally taken earlier)."""
        return type(self)(
            **{f: _sub(getattr(self, f), getattr(before, f)) for f in _names(type(self))}
        )

    def plus(self, other: Self) -> Self:
        return type(self)(
            **{f: _add(getattr(self, f), getattr(other, f)) for f in _names(type(self))}
        )


def _names(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names


_FIELDS: dict[type, tuple[str, ...]] = {}


def _copy(x):
    if isinstance(x, Tally):
        return x.copy()
    return list(x) if isinstance(x, list) else x


def _sub(a, b):
    if isinstance(a, Tally):
        return a.minus(b)
    if isinstance(a, list):
        if len(b) < len(a):  # a histogram that grew since (a unit without a bed limit)
            b = [*b, *[0] * (len(a) - len(b))]
        return [x - y for x, y in zip(a, b, strict=True)]
    return a - b


def _add(a, b):
    if isinstance(a, Tally):
        return a.plus(b)
    if isinstance(a, list):
        if len(a) < len(b):
            a, b = b, a
        return [x + (b[i] if i < len(b) else 0) for i, x in enumerate(a)]
    return a + b


T = TypeVar("T", bound=Tally)


class TimeWeighted:
    """A level that changes at events, and its integral over time (level x days).

    ``histogram`` (when kept) is the time spent at each level 0..size-1.
    """

    __slots__ = ("level", "area", "last", "histogram")

    def __init__(self, now: float = 0.0, histogram: int | None = None):
        self.level = 0
        self.area = 0.0
        self.last = now
        self.histogram: list[float] | None = None if histogram is None else [0.0] * histogram

    def add(self, now: float, change: float) -> None:
        """The level changes by ``change`` at time ``now``."""
        dt = now - self.last
        if dt:
            self.area += self.level * dt
            if self.histogram is not None:
                self.histogram[self.level] += dt
            self.last = now
        self.level += change

    def settle(self, now: float) -> float:
        """Bring the integral up to ``now`` and return it."""
        self.add(now, 0)
        return self.area


class Sample(NamedTuple):
    """One snapshot value: a measure at a site (``""`` = whole collaborative) at a time."""

    day: float
    site: str
    measure: str
    value: float


class Event(NamedTuple):
    """One entry of the patient-level log (emergency and critical care ids are negative)."""

    day: float
    event: str
    patient: int
    site: str
    detail: str = ""


#: One operation in :attr:`Ledger.operations`, as a compact numpy array.
OPERATION = np.dtype(
    [("home", "i2"), ("site", "i2"), ("priority", "i1"), ("wait_days", "f8"), ("day", "f8"),
     ("quintile", "i1")]
)  # fmt: skip


class OperationLog:
    """Every operation after the warm-up, in columns: home and treating site (indexes into
    the ledger's sites), priority rank, wait in days, time, deprivation quintile (0 = none)."""

    __slots__ = ("home", "site", "priority", "wait_days", "day", "quintile")

    def __init__(self) -> None:
        self.home = array("h")
        self.site = array("h")
        self.priority = array("b")
        self.wait_days = array("d")
        self.day = array("d")
        self.quintile = array("b")

    def add(self, home: int, site: int, priority: int, wait: float, day: float, q: int) -> None:
        self.home.append(home)
        self.site.append(site)
        self.priority.append(priority)
        self.wait_days.append(wait)
        self.day.append(day)
        self.quintile.append(q)

    def __len__(self) -> int:
        return len(self.day)

    def to_array(self) -> np.ndarray:
        """The operations as an :data:`OPERATION` structured array."""
        out = np.empty(len(self), dtype=OPERATION)
        for name in OPERATION.names:
            out[name] = np.frombuffer(getattr(self, name), dtype=OPERATION[name])
        return out


@dataclasses.dataclass(frozen=True)
class Waiting:
    """Everyone still waiting (incomplete pathways) at the end: home site index, days
    waited, deprivation quintile (0 = not recorded) and procedure (index into
    :attr:`Ledger.procedures`), one entry per patient."""

    home: np.ndarray
    wait_days: np.ndarray
    quintile: np.ndarray
    procedure: np.ndarray

    @classmethod
    def empty(cls) -> Waiting:
        return cls(np.zeros(0, np.int16), np.zeros(0), np.zeros(0, np.int8), np.zeros(0, np.int16))


class Ledger:
    """The tallies, records and snapshots of one replication."""

    def __init__(self, sites: Sequence[str], warm_up: float, log_events: bool = False):
        self.sites: tuple[str, ...] = tuple(sites)
        self.index: dict[str, int] = {s: i for i, s in enumerate(self.sites)}
        """Site name -> index, for tallies and records."""
        self.warm_up = warm_up
        """When counting starts: operations before it are not recorded."""
        self.features: set[str] = set()
        """The features present in the model (``elective``, ``critical_care`` ...)."""
        self._tables: dict[type[Tally], tuple[tuple[str, ...], list[Tally]]] = {}
        self._before: dict[type[Tally], list[Tally]] = {}
        self._settlers: list[Callable[[float], None]] = []
        self.measured: dict[type[Tally], list[Tally]] = {}
        """Each table minus its warm-up copy, once :meth:`close` has run."""
        self.operations = OperationLog()
        self.procedures: tuple[str, ...] = ()
        """Procedure names, in the order of per-procedure counts and of ``waiting.procedure``."""
        self.waiting = Waiting.empty()
        """Filled at :meth:`close` by the elective pathway."""
        self.timeseries: list[Sample] = []
        self.events: list[Event] | None = [] if log_events else None
        self.end = 0.0
        self.extra: dict[str, object] = {}
        """Anything a feature hands to metrics that is not a tally (e.g. staff groups)."""

    # -- declaring -----------------------------------------------------------------------
    def tallies(self, kind: type[T], keys: Sequence[str] | None = None) -> list[T]:
        """The tallies of ``kind``, one per key (the sites, by default); made on first use."""
        table = self._tables.get(kind)
        if table is None:
            keys = self.sites if keys is None else tuple(keys)
            table = self._tables[kind] = (keys, [kind() for _ in keys])
        return table[1]  # type: ignore[return-value]

    def keys(self, kind: type[Tally]) -> tuple[str, ...]:
        return self._tables[kind][0] if kind in self._tables else ()

    def on_settle(self, settle: Callable[[float], None]) -> None:
        """``settle(now)`` copies time-weighted integrals into tallies; called before every
        copy the ledger takes."""
        self._settlers.append(settle)

    # -- recording -----------------------------------------------------------------------
    def log(self, t: float, event: str, pid: int, site: str, detail: str = "") -> None:
        if self.events is not None:
            self.events.append(Event(t, event, pid, site, detail))

    def sample(self, t: float, site: str, measure: str, value: float) -> None:
        self.timeseries.append(Sample(t, site, measure, value))

    # -- the warm-up, once ---------------------------------------------------------------
    def _settle(self, now: float) -> None:
        for settle in self._settlers:
            settle(now)

    def mark_warm_up(self, now: float) -> None:
        """Counting starts now: remember every tally as it stands."""
        self.warm_up = now
        self._settle(now)
        self._before = {
            kind: [t.copy() for t in table] for kind, (_k, table) in self._tables.items()
        }

    def close(self, now: float) -> None:
        """The run has ended: keep what each tally gained since the warm-up."""
        self.end = now
        self._settle(now)
        if self.events:
            # A discharge is logged when its bed is ready again, at the time the patient
            # left: a stable sort puts it back in place, leaving the rest in event order.
            self.events.sort(key=itemgetter(0))
        self.measured = {}
        for kind, (_keys, table) in self._tables.items():
            before = self._before.get(kind)
            self.measured[kind] = (
                [t.copy() for t in table]
                if before is None
                else [t.minus(b) for t, b in zip(table, before, strict=True)]
            )

    @property
    def span(self) -> float:
        """Days measured (from the end of the warm-up to the end)."""
        return self.end - self.warm_up

    def measured_of(self, kind: type[T]) -> dict[str, T]:
        """The measured tallies of ``kind`` by key (empty if the feature is absent)."""
        keys, _ = self._tables.get(kind, ((), []))
        return dict(zip(keys, self.measured.get(kind, []), strict=True))  # type: ignore[arg-type]
