"""Collaboration policies a planner switches on: mutual aid, shared staff, equity rules.

Data only, like the rest of ``sim.scenario``. Cross-references (sites, trusts, groups) are
checked with the rest of the scenario in :func:`sim.scenario.references.reference_problems`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from .base import Spec
from .units import Duration, NonNegativeDuration, PositiveDuration

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Count = Annotated[int, Field(strict=True)]
Ident = Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_\-]+$")]
Priority = Literal["P1", "P2", "P3", "P4"]
Weekday = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
#: Index of Multiple Deprivation quintile: 1 = most deprived, 5 = least.
Quintile = Literal[1, 2, 3, 4, 5]


def _number_keys(value: object) -> object:
    """Quintile keys written as text (``"1"``, as JSON writes them) are numbers."""
    if isinstance(value, dict):
        return {
            int(k) if isinstance(k, str) and k.strip().isdigit() else k: v for k, v in value.items()
        }
    return value


#: A mapping keyed by quintile (``{1: ..., 5: ...}``).
ByQuintile = BeforeValidator(_number_keys)


def check_shares(mix: dict | None, what: str, labels: str) -> dict | None:
    """A mix of shares (priorities, quintiles, ...) must add up to 1."""
    if mix is None:
        return None
    if not mix:
        raise ValueError(f"the {what} is empty: give shares of {labels} that add up to 1")
    total = sum(mix.values())
    if abs(total - 1.0) > 1e-6:
        raise ValueError(
            f"the {what} must add up to 1 (100%), but "
            f"{' + '.join(f'{v:g}' for v in mix.values())} = {total:g}"
        )
    return mix


def check_quintile_mix(mix: dict[int, float] | None) -> dict[int, float] | None:
    """Shares of referrals by deprivation quintile must add up to 1."""
    return check_shares(mix, "quintile mix", "quintiles 1-5")


# -- mutual aid -------------------------------------------------------------------------------
class Acceptance(Spec):
    """Chance a patient accepts treatment elsewhere, by extra travel (linear in between,
    flat beyond the ends). Default: 60% for a nearby hospital with a shorter wait (Denmark,
    Health Policy 2006;77:318) falling to 50% for a long journey of 120 miles, 193 km (BMJ
    1990;300:1171)."""

    extra_km: list[Annotated[float, Field(ge=0)]] = Field(default_factory=lambda: [0.0, 193.0])
    probability: list[Probability] = Field(default_factory=lambda: [0.6, 0.5])

    @model_validator(mode="after")
    def _table(self) -> Acceptance:
        if len(self.extra_km) != len(self.probability) or not self.extra_km:
            raise ValueError(
                f"acceptance needs one probability per extra_km value ({len(self.extra_km)} "
                f"distances, {len(self.probability)} probabilities)"
            )
        if any(b <= a for a, b in zip(self.extra_km, self.extra_km[1:], strict=False)):
            raise ValueError("acceptance extra_km values must increase")
        return self


class MutualAid(Spec):
    """Offer long waiters at source sites treatment at sites with shorter lists.

    Periodic (``every``) or one-off bulk moves (``at``). A patient is eligible when they
    have waited ``waited_over``, or are predicted to pass ``predicted_breach`` from their
    place on the list and the list's recent throughput. Each accepts with a probability
    that falls with the extra travel; those who decline stay where they are and are not
    asked again.
    """

    from_trusts: list[Ident] | None = None
    from_sites: list[Ident] | None = None
    specialties: list[Ident] | None = None
    procedures: list[Ident] | None = None
    to: list[Ident] = Field(min_length=1)
    every: PositiveDuration | None = None
    at: list[Duration] | None = None
    start: NonNegativeDuration = 0.0
    end: PositiveDuration | None = None
    waited_over: NonNegativeDuration = 0.0
    predicted_breach: PositiveDuration | None = None
    """Also offer patients predicted to wait longer than this without moving."""
    only_to_shorter_lists: bool = True
    """Offer a site only if its list for the specialty is shorter than the patient's."""
    acceptance: Acceptance = Field(default_factory=Acceptance)
    capacity_per_round: Count | None = Field(default=None, ge=1)
    """Most patients each receiving site takes in one round (none = no cap)."""

    @field_validator(
        "to",
        mode="before",
        json_schema_input_type=Ident | Annotated[list[Ident], Field(min_length=1)],
    )
    @classmethod
    def _one_site(cls, v: object) -> object:
        return [v] if isinstance(v, str) else v

    @field_validator(
        "from_trusts",
        "from_sites",
        "specialties",
        "procedures",
        mode="before",
        json_schema_input_type=Ident | list[Ident] | None,
    )
    @classmethod
    def _one(cls, v: object) -> object:
        return [v] if isinstance(v, str) else v

    @model_validator(mode="after")
    def _when(self) -> MutualAid:
        if (self.every is None) == (self.at is None):
            raise ValueError(
                "say when mutual aid happens: `every` (e.g. 4 weeks) or `at` (a list of "
                "times), not both"
            )
        if self.at is not None and any(t < 0 for t in self.at):
            raise ValueError("mutual aid times in `at` cannot be negative")
        return self


# -- shared staff -----------------------------------------------------------------------------
class StaffGroup(Spec):
    """A staff group (surgeons of a specialty, anaesthetists, theatre teams, ...).

    ``members`` says how many are based at each site. Each member works the rostered
    ``days``, covers up to ``sessions_per_day`` half-day sessions (an all-day list takes
    two), and is off sick on a given day with probability ``sickness_absence``. A pool
    shared across a trust or the whole collaborative (staff passporting) can cover a
    session at another site; the cover arrives ``travel`` late.
    """

    members: dict[Ident, Count] = Field(min_length=1)
    days: list[Weekday] = Field(default_factory=lambda: ["Mon", "Tue", "Wed", "Thu", "Fri"])
    sessions_per_day: Count = Field(default=2, ge=1, le=4)
    sickness_absence: Probability = 0.0
    shared: Literal["site", "trust", "collaborative"] = "site"
    travel: NonNegativeDuration = 0.0

    @field_validator("members")
    @classmethod
    def _non_negative(cls, v: dict[str, int]) -> dict[str, int]:
        for site, n in v.items():
            if n < 0:
                raise ValueError(f"members at {site} cannot be negative (got {n})")
        return v


class Staff(Spec):
    """Staff groups and what each theatre session needs to run."""

    groups: dict[Ident, StaffGroup] = Field(min_length=1)
    needs: dict[Ident, dict[Ident, Count]] = Field(min_length=1)
    """``default`` or a specialty -> {group: members per session}; a specialty's needs add
    to (and override) the default."""


# -- equity -----------------------------------------------------------------------------------
class Escalation(Spec):
    """Re-score waiting patients: after waiting ``after``, priority becomes ``to`` (if more
    urgent), for everyone or only the named deprivation quintiles."""

    after: PositiveDuration
    to: Priority
    quintiles: list[Quintile] | None = None
