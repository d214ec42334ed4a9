"""Checks that need the whole scenario: names that refer to nothing, plans that cannot work.

Run once every field is valid (from ``Scenario``'s own validator), each problem reported
with the field path it concerns so the loader can place it at its line. Each feature
checks its own part (``reference_problems`` in :mod:`.elective`, :mod:`.emergencies`,
:mod:`.critical_care`, :mod:`.equity`, :mod:`.mutual_aid`, :mod:`.staff`); this module
checks what belongs to none and runs them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import calendar, critical_care, elective, emergencies, equity, mutual_aid, staff
from .errors import Problem, unknown

if TYPE_CHECKING:
    from .schema import Scenario

#: Every feature's check, in the order their problems are gathered.
FEATURE_CHECKS = (
    elective.reference_problems,
    emergencies.reference_problems,
    critical_care.reference_problems,
    equity.reference_problems,
    mutual_aid.reference_problems,
    staff.reference_problems,
    calendar.reference_problems,
)


class ScenarioReferenceError(Exception):
    """Names that do not refer to anything, or plans that cannot work, found after reading.

    Deliberately not a ``ValueError``, so pydantic passes it through untouched and the
    loader can place each problem at its own line.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(
            "; ".join(f"{'.'.join(str(p) for p in loc)}: {msg}" for loc, msg in problems)
        )


def reference_problems(sc: Scenario) -> list[Problem]:
    """Every cross-reference and capacity problem in a scenario, with its field path."""
    out: list[Problem] = []
    if sc.warm_up >= sc.horizon:
        out.append((("warm_up",), "the warm-up must be shorter than the horizon"))
    for sid, site in sc.sites.items():
        if site.trust not in sc.trusts:
            out.append((("sites", sid, "trust"), unknown("trust", site.trust, list(sc.trusts))))
    for check in FEATURE_CHECKS:
        out.extend(check(sc))
    # Only once every name resolves: can each referral be treated where it is sent?
    return out or elective.treatment_problems(sc)
