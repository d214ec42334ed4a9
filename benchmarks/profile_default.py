"""Where the time goes: profile one replication of the default scenario.

Run from the repository root::

    .venv/bin/python benchmarks/profile_default.py            # cProfile, top 20 two ways
    .venv/bin/py-spy record -r 500 --format raw -o /tmp/hubsim.txt -- \\
        .venv/bin/python benchmarks/profile_default.py --plain --reps 5
    .venv/bin/python benchmarks/profile_default.py --summarise /tmp/hubsim.txt
    .venv/bin/python benchmarks/profile_default.py --smoke [--plain]  # seconds

This script does not run py-spy itself (py-spy needs ptrace, which a machine may not
allow); ``--summarise`` reads the raw file py-spy wrote. ``--smoke`` profiles the scenario
cut to 8 weeks, a check that the script works; its figures mean nothing.

The profiled work is ``sim.run_replication(black_country_ortho_hubs.yaml, seed=1, rep=r)``:
model build, run to the horizon, conservation check and KPIs, as one worker does it.
cProfile's own overhead inflates small, often-called functions; the py-spy summary
(sampling, no overhead in the process) gives self and inclusive shares without that
bias.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SCENARIO = ROOT / "scenarios" / "black_country_ortho_hubs.yaml"
SMOKE_HORIZON = "8 weeks"
"""``--smoke``: the scenario's horizon, warm-up (4 weeks) included."""


def replications(
    reps: int, horizon: str | None = None, prof: cProfile.Profile | None = None
) -> float:
    """Run ``reps`` replications of the default scenario (``horizon`` replacing its own, if
    given); seconds taken. With ``prof``, profile the replications alone: loading the
    scenario and importing the model (sim imports its parts lazily) come first, outside."""
    import sim
    from sim.replication import run_replication

    sc = sim.load_scenario(SCENARIO, {"horizon": horizon} if horizon else None)
    t0 = time.perf_counter()
    if prof is not None:
        prof.enable()
    for r in range(reps):
        run_replication(sc, seed=1, rep=r)
    if prof is not None:
        prof.disable()
    return time.perf_counter() - t0


def cprofile(reps: int, top: int, horizon: str | None = None) -> None:
    """cProfile ``reps`` replications; print the top functions by cumulative and self time."""
    prof = cProfile.Profile()
    replications(reps, horizon, prof)
    for key, title in (("cumulative", "cumulative time"), ("tottime", "self time")):
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(key).print_stats(top)
        text = buf.getvalue()
        print(f"== cProfile, {reps} replication(s), top {top} by {title} ==")
        print(text[text.index("   ncalls") :].rstrip())
        print()


def _frame(name: str) -> str:
    """``fn (path/file.py:line)`` -> ``fn (file.py)``, shorter and line-independent."""
    fn, _, where = name.partition(" (")
    file = where.rstrip(")").rsplit(":", 1)[0]
    parts = Path(file).parts
    if "sim" in parts:
        file = "/".join(parts[parts.index("sim") :])
    elif "site-packages" in parts:
        file = "/".join(parts[parts.index("site-packages") + 1 :])
    else:
        file = Path(file).name
    return f"{fn} ({file})"


def summarise(raw: Path, top: int) -> None:
    """Self and inclusive sample shares per function from a py-spy ``--format raw`` file.

    Only samples inside ``run_replication`` count (imports and start-up are left out).
    """
    self_n: Counter[str] = Counter()
    incl_n: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [_frame(f) for f in stack.split(";")]
        if not any(f.startswith("run_replication (") for f in frames):
            continue
        total += n
        self_n[frames[-1]] += n
        for f in set(frames):
            incl_n[f] += n
    print(f"== py-spy, {total:,} samples inside run_replication ==")
    print(f"{'self %':>7}  {'incl %':>7}  function")
    for name, n in self_n.most_common(top):
        print(f"{100 * n / total:7.1f}  {100 * incl_n[name] / total:7.1f}  {name}")
    print()
    print(f"{'incl %':>7}  {'self %':>7}  function (by inclusive share)")
    skip = ("<module>", "replications (", "main (", "run_replication (", "CollaborativeModel.run (")
    shown = 0
    for name, n in incl_n.most_common():
        if name.startswith(skip) or name.startswith("<"):
            continue
        print(f"{100 * n / total:7.1f}  {100 * self_n[name] / total:7.1f}  {name}")
        shown += 1
        if shown == top:
            break


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--plain", action="store_true", help="no cProfile (for py-spy)")
    parser.add_argument("--summarise", type=Path, help="summarise a py-spy raw file")
    parser.add_argument(
        "--smoke", action="store_true", help="the scenario cut to 8 weeks: check that it runs"
    )
    args = parser.parse_args(argv)
    horizon = SMOKE_HORIZON if args.smoke else None
    if args.summarise:
        summarise(args.summarise, args.top)
    elif args.plain:
        print(f"{args.reps} replication(s): {replications(args.reps, horizon):.2f} s")
    else:
        cprofile(args.reps, args.top, horizon)
    if args.smoke:
        print("--smoke: the scenario cut to 8 weeks, a check that the script runs")


if __name__ == "__main__":
    main()
