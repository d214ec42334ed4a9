"""Mutual aid: long waiters offered treatment at sites with shorter lists (scenario data)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field, field_validator, model_validator

from .base import Spec
from .errors import unknown
from .types import MAX_BACKLOG, Count, Ident, Probability
from .units import Duration, NonNegativeDuration, PositiveDuration

if TYPE_CHECKING:
    from .errors import Problem
    from .schema import Scenario


#: Longest extra journey in the acceptance table (half the Earth's circumference).
MAX_KM = 20_000


# -- mutual aid -------------------------------------------------------------------------------
class Acceptance(Spec):
    """Chance a patient accepts treatment elsewhere, by extra travel (linear in between,
    flat beyond the ends). Default: 60% for a nearby hospital with a shorter wait (Denmark,
    Health Policy 2006;77:318) falling to 50% for a long journey of 120 miles, 193 km (BMJ
    1990;300:1171)."""

    extra_km: list[Annotated[float, Field(ge=0, le=MAX_KM)]] = Field(
        default_factory=lambda: [0.0, 193.0]
    )
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
    capacity_per_round: Count | None = Field(default=None, ge=1, le=MAX_BACKLOG)
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


def reference_problems(sc: Scenario) -> list[Problem]:
    """Each scheme names real sites, trusts, procedures and specialties, and sends patients
    where there are sessions for them."""
    out: list[Problem] = []
    sites, trusts = list(sc.sites), list(sc.trusts)
    specialties = sorted({p.specialty for p in sc.procedures.values()})
    for name, rule in sc.policies.mutual_aid.items():
        base = ("policies", "mutual_aid", name)
        for field, kind, known in (
            ("to", "site", sites),
            ("from_sites", "site", sites),
            ("from_trusts", "trust", trusts),
            ("procedures", "procedure", list(sc.procedures)),
            ("specialties", "specialty", specialties),
        ):
            for j, item in enumerate(getattr(rule, field) or []):
                if item not in known:
                    out.append(((*base, field, j), unknown(kind, item, known)))
        offered = set(rule.specialties or specialties)
        if rule.procedures:
            offered &= {sc.procedures[p].specialty for p in rule.procedures if p in sc.procedures}
        for j, target in enumerate(rule.to):
            if target in sc.sites and not offered & sc.sites[target].specialties():
                out.append(
                    (
                        (*base, "to", j),
                        f"{target} has no theatre sessions for the specialties offered "
                        f"({', '.join(sorted(offered))})",
                    )
                )
    return out
