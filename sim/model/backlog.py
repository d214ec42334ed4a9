"""The waiting list at time zero: generated from sizes and wait ages, or the rows of a CSV
carried in the scenario."""

from __future__ import annotations

from ..scenario.elective import InitialList
from .patient import PRIORITY_RANK
from .streams import Streams

#: (home site, procedure, priority rank or None to draw it, days already waited, quintile or None)
BacklogEntry = tuple[str, str, int | None, float, int | None]


def initial_patients(initial: InitialList, streams: Streams) -> list[BacklogEntry]:
    """Everyone waiting when the simulation starts, in a fixed order."""
    out: list[BacklogEntry] = []
    for site, by_proc in sorted(initial.lists.items()):
        for proc, entry in sorted(by_proc.items()):
            if entry.size == 0:
                continue
            rng = streams.generator(f"initial/{site}/{proc}/wait_age")
            ages = entry.wait_age.sample(rng, entry.size)
            out.extend((site, proc, None, float(a), None) for a in ages)
    out.extend(
        (row.site, row.procedure, PRIORITY_RANK[row.priority], row.waited_weeks * 7.0, row.quintile)
        for row in initial.rows
    )
    return out
