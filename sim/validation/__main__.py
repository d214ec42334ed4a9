"""``python -m sim.validation <model> [--reps N] [--jobs J] [--seed S] [--out file.csv]``:
the full-size comparison of a published model with hubsim, printed as a Markdown table;
``python -m sim.validation calibrate [SCENARIO ...]``: the shipped scenarios against
published NHS figures (docs/calibration.md, see :mod:`.calibration`)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time

from . import MODELS

FULL_SIZE = {"monks2016": 150, "griffiths2010": 1000}


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    if args_in[:1] == ["calibrate"]:
        from .calibration import main as calibrate

        return calibrate(args_in[1:])
    parser = argparse.ArgumentParser(
        prog="python -m sim.validation", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("model", choices=MODELS)
    parser.add_argument(
        "--reps", type=int, default=None, help="replications (default: as published)"
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=None, help="also write the table as CSV here")
    args = parser.parse_args(argv)
    module = importlib.import_module(f"sim.validation.{args.model}")
    reps = args.reps or FULL_SIZE[args.model]
    started = time.perf_counter()
    table = module.compare(reps=reps, seed=args.seed, n_jobs=args.jobs)
    wall = time.perf_counter() - started
    print(module.markdown(table))
    agree = int(table["agrees"].sum())
    print(
        f"\n{agree} of {len(table)} rows agree (95% interval of the difference); "
        f"{reps} replications, seed {args.seed}, {args.jobs} job(s), {wall:.0f} s wall time."
    )
    if args.out:
        table.to_csv(args.out, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
