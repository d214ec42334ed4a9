"""Checks that need the whole scenario: names that refer to nothing, plans that cannot work.

Run once every field is valid (from ``Scenario``'s own validator), each problem reported
with the field path it concerns so the loader can place it at its line. Each feature
checks its own part (``reference_problems`` in :mod:`.elective`, :mod:`.emergencies`,
:mod:`.critical_care`, :mod:`.networks`, :mod:`.equity`, :mod:`.mutual_aid`,
:mod:`.staff`); this module checks what belongs to none and runs them all.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

from . import (
    assumptions,
    calendar,
    critical_care,
    elective,
    emergencies,
    equity,
    mutual_aid,
    networks,
    nursing,
    staff,
)
from .errors import AnyOf, Problem, unknown
from .run_size import run_size_problems
from .units import describe_duration

#: The dates results can hold (a time series is dated with pandas' nanosecond timestamps).
FIRST_DATE = dt.date(1678, 1, 1)
LAST_DATE = dt.date(2262, 4, 10)

if TYPE_CHECKING:
    from .schema import Scenario

#: Every feature's check, in the order their problems are gathered.
FEATURE_CHECKS = (
    elective.reference_problems,
    emergencies.reference_problems,
    critical_care.reference_problems,
    networks.reference_problems,
    nursing.reference_problems,
    equity.reference_problems,
    mutual_aid.reference_problems,
    staff.reference_problems,
    calendar.reference_problems,
    assumptions.reference_problems,
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


def reference_problems(sc: Scenario, names_only: bool = False) -> list[Problem]:
    """Every cross-reference and capacity problem in a scenario, with its field path.

    ``names_only``: only the checks of names and of fields against each other (used
    beside field problems, when some fields had to be left out), not whether each
    referral can be treated or whether a run can hold the scenario.
    """
    out: list[Problem] = []
    if sc.warm_up >= sc.horizon:
        out.append(
            (
                AnyOf([("warm_up",), ("horizon",)]),
                "the warm-up must be shorter than the horizon, which includes it (warm-up "
                f"{describe_duration(sc.warm_up)}, horizon {describe_duration(sc.horizon)})",
            )
        )
    out.extend(_date_problems(sc))
    for sid, site in sc.sites.items():
        if site.trust not in sc.trusts:
            out.append((("sites", sid, "trust"), unknown("trust", site.trust, list(sc.trusts))))
    for check in FEATURE_CHECKS:
        out.extend(check(sc))
    if names_only:
        return out
    out.extend(run_size_problems(sc))
    # Only once every name resolves: can each referral be treated where it is sent?
    return out or elective.treatment_problems(sc)


def _date_problems(sc: Scenario) -> list[Problem]:
    """The run's days, from ``start_date`` to the end of the horizon, must be dates the
    results can hold."""
    start = sc.start_date
    end_ordinal = start.toordinal() + math.ceil(sc.horizon)
    if start >= FIRST_DATE and end_ordinal <= LAST_DATE.toordinal():
        return []
    end = (
        dt.date.fromordinal(end_ordinal).isoformat()
        if end_ordinal <= dt.date.max.toordinal()
        else "after 9999-12-31"
    )
    return [
        (
            AnyOf([("start_date",), ("horizon",)]),
            f"a run from {start.isoformat()} for {describe_duration(sc.horizon)} would end "
            f"{'on ' if end[0].isdigit() else ''}{end}; results can hold dates from "
            f"{FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}: choose a start_date in "
            "that range",
        )
    ]
