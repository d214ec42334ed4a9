"""Small scenario files for the sweep, cluster, warm-up and replication-choice tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

# Two sites, 10 weeks: a replication takes a few milliseconds.
TINY = textwrap.dedent(
    """\
    name: tiny sweep
    horizon: 10 weeks
    warm_up: 1 weeks
    snapshot_interval: 1 weeks
    trusts:
      SWB: {name: Sandwell and West Birmingham}
      DGFT: {name: Dudley}
    sites:
      site_a:
        trust: SWB
        beds: {general: 20, elective: 5}
        theatres:
          th1:
            sessions:
              - {days: [Mon, Wed, Fri], slot: all_day, specialty: ortho}
        emergency:
          admissions_per_day: 2
          length_of_stay: {dist: exponential, mean: 3 days}
      site_b:
        trust: DGFT
        beds: {general: 15}
        theatres:
          th1:
            sessions:
              - {days: [Tue, Thu], slot: all_day, specialty: ortho}
        emergency:
          admissions_per_day: 1.5
          length_of_stay: {dist: exponential, mean: 3 days}
    procedures:
      hip:
        specialty: ortho
        duration: {dist: lognormal, mean: 95 min, sd: 20 min}
        length_of_stay: {dist: lognormal, mean: 3 days, sd: 1 days}
        day_case_probability: 0.1
    demand:
      priority_mix: {P2: 0.2, P4: 0.8}
      referrals:
        site_a: {hip: 6}
        site_b: {hip: 4}
    """
)

# The same two sites busier and for two years: about a quarter of a second a replication,
# so a sweep of a few dozen tasks is still running when a test kills it.
SLOW = (
    TINY.replace("horizon: 10 weeks", "horizon: 104 weeks")
    .replace("admissions_per_day: 2\n", "admissions_per_day: 12\n")
    .replace("site_a: {hip: 6}", "site_a: {hip: 40}")
    .replace("general: 20, elective: 5", "general: 60, elective: 5")
    .replace("[Mon, Wed, Fri]", "[Mon, Tue, Wed, Thu, Fri]")
)


def write(folder: Path, text: str = TINY, name: str = "tiny.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
