"""Critical care: units, their admission streams, post-operative beds and the network policy
(scenario data).

A critical care unit is a :class:`~.networks.Unit` of bed type ``critical_care`` written
``sites.<site>.critical_care``, with what only critical care has: unplanned admissions from
the site's emergency department and deteriorating ward patients, one unnamed stream of
direct admissions (``admissions: {per_day: 2.8}``, as well as named ones), and planned
post-operative beds for procedures that need one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, model_validator

from .arrivals import ArrivalPattern
from .base import Spec
from .distributions import TimeDist
from .networks import AdmissionSource, NetworkPolicy, Unit
from .nursing import Nursing
from .types import Ident, Probability

if TYPE_CHECKING:
    from .errors import Problem
    from .schema import Scenario


class CriticalCareStream(ArrivalPattern):
    """Unplanned critical care admissions arriving directly (from the emergency department,
    wards or theatres), one stream for the unit: a rate with its own weekday and monthly
    shape, or gaps drawn from a distribution, or set times (see :mod:`.arrivals`). Their
    stay is the unit's ``length_of_stay``."""

    per_day: float | None = Field(default=None, gt=0, le=10_000)
    """Admissions a day, e.g. ``2.8``."""
    level_3_share: Probability | None = None
    """Share of these patients at level 3 (one nurse each; the rest level 2, one nurse per
    two), e.g. ``0.6``; default: the unit's. Used where units have ``nursing``."""


_STREAM_KEYS = frozenset(CriticalCareStream.model_fields)

#: Admission sources critical care reports besides a unit's named streams: the site's
#: emergency department, deteriorating ward patients, surgery on theatre lists, and the one
#: unnamed stream.
RESERVED_SOURCES = ("from_emergency", "deterioration", "post_operative", "direct")


def _one_or_named(value: Any) -> str:
    """One unnamed stream (``{per_day: 2.8}``) or named streams (``{a_and_e: {...}}``)."""
    if isinstance(value, CriticalCareStream):
        return "one"
    if isinstance(value, dict) and any(k in _STREAM_KEYS for k in value):
        return "one"
    return "named"


#: ``admissions`` of a critical care unit: one stream, or named streams.
CriticalCareAdmissions = Annotated[
    Annotated[CriticalCareStream, Tag("one")]
    | Annotated[dict[Ident, AdmissionSource], Tag("named")],
    Discriminator(_one_or_named),
]


class CriticalCareUnit(Unit):
    """A critical care unit (level 2/3 beds) at a site."""

    admissions: CriticalCareAdmissions | None = None  # type: ignore[assignment]
    """Unplanned admissions arriving directly: one stream whose stay is the unit's
    ``length_of_stay`` (``{per_day: 2.8}``), or named streams each with its own arrivals,
    stay and KPIs (``{a_and_e: {interarrival: ..., length_of_stay: ...}, ward: {...}}``)."""
    from_emergency_probability: Probability = 0.0
    """Share of the site's emergency admissions who need critical care on arrival, e.g.
    ``0.02``; when their critical care stay ends they step down to a general ward bed for
    the ward stay of their emergency stream."""
    deterioration_probability: Probability = 0.0
    """Share of emergency ward patients who deteriorate during their stay and need critical
    care, e.g. ``0.01``."""
    nursing: Nursing | None = None
    """The unit's bedside nurses (roster, sickness, ratios by level of care): a bed without
    a nurse cannot take a patient, e.g. ``{nurses_per_shift: 14, sickness_absence: 0.05}``;
    none (default): every free bed is staffed."""
    level_3_share: Probability | None = None
    """Share of the unit's patients at level 3 (one nurse each; the rest level 2, one nurse
    per two, GPICS), e.g. ``0.5``: patients from the emergency department, wards, other bed
    types, and streams, planned admissions or procedures that state none. Needed on every
    unit when any unit has ``nursing``."""

    @model_validator(mode="after")
    def _own_names(self) -> CriticalCareUnit:
        taken = sorted(
            n for n in (*self.sources, *self.planned_admissions) if n in RESERVED_SOURCES
        )
        if taken:
            raise ValueError(
                f"{', '.join(taken)}: these names are kept for the admission sources critical "
                f"care reports itself ({', '.join(RESERVED_SOURCES)}): call the stream "
                "something else"
            )
        return self

    @property
    def sources(self) -> dict[str, AdmissionSource]:
        """The named admission streams (empty with one unnamed stream)."""
        return self.admissions if isinstance(self.admissions, dict) else {}

    @property
    def stream(self) -> CriticalCareStream | None:
        """The one unnamed stream, if the admissions are written that way."""
        return self.admissions if isinstance(self.admissions, CriticalCareStream) else None


class PostOpCriticalCare(Spec):
    """A planned critical care bed after the operation."""

    probability: Probability = 1.0
    """Share of patients having this procedure who need it, e.g. ``0.8``."""
    length_of_stay: TimeDist
    """Stay in critical care after the operation, e.g. ``{dist: lognormal, mean: 3 days,
    sd: 4.9 days}``."""
    level_3_share: Probability | None = None
    """Share of these patients at level 3 (one nurse each; the rest level 2, one nurse per
    two), e.g. ``0.3``; default: the unit's. Used where units have ``nursing``."""


class CriticalCarePolicy(NetworkPolicy):
    """What happens to an unplanned critical care patient when their own unit is full, and
    how post-operative beds are checked."""

    check_at_booking: bool = True
    """Check a post-operative bed is free when a list is finalised (``booking.lead_time``
    ahead) as well as on the day; ``false``: on the day only. (Nurses are checked on the
    day only: the roster of a day ahead is not known.)"""
    nurses_shared: Literal["site", "trust", "collaborative"] = "site"
    """Units with ``nursing`` whose nurses work as one pool: each unit's own (``site``),
    the units of a trust, or all the collaborative's units (out-of-area units keep their
    own). Nurses of a pool go at once to whichever of its units admits a patient."""


def reference_problems(sc: Scenario) -> list[Problem]:
    """Admissions from the emergency department or wards need emergency admissions; patients
    without a stay of their own need the unit's ``length_of_stay``. (Hub, locations and
    pathways are checked with every bed type in :mod:`.networks`.)"""
    out: list[Problem] = []
    for sid, site in sc.sites.items():
        cc = site.critical_care
        if cc is None:
            continue
        needs_ward = cc.from_emergency_probability > 0 or cc.deterioration_probability > 0
        if needs_ward and site.emergency is None:
            out.append(
                (
                    ("sites", sid, "critical_care"),
                    "from_emergency_probability and deterioration_probability need emergency "
                    "admissions at this site (add `emergency`)",
                )
            )
        if cc.length_of_stay is None and (needs_ward or cc.stream is not None):
            out.append(
                (
                    ("sites", sid, "critical_care", "length_of_stay"),
                    "give the unit's length_of_stay: it is the stay of "
                    + (
                        "its direct admissions"
                        if cc.stream is not None
                        else "patients from the emergency department and wards"
                    ),
                )
            )
    return out
