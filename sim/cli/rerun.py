"""``hubsim rerun``: one replication alone, to reproduce a failure."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from .common import ScenarioArg, err, fmt, load, out, say, seed_option


def rerun(
    scenario: ScenarioArg,
    rep: Annotated[int, typer.Option(help="Replication index to reproduce.")],
    seed: Annotated[int, seed_option("Experiment seed of the original run.")] = 1,
) -> None:
    """Run one replication alone, to reproduce a failure (its traceback with HUBSIM_DEBUG=1)."""
    from ..replication import ReplicationFailure, run_replication

    sc = load(scenario)
    try:
        result = run_replication(sc, seed=seed, rep=rep)
    except Exception as exc:
        if os.environ.get("HUBSIM_DEBUG"):
            raise
        say("failed", ReplicationFailure(rep, seed, f"{type(exc).__name__}: {exc}", "").describe())
        err.print("Run again with HUBSIM_DEBUG=1 to see the traceback.", highlight=False)
        raise typer.Exit(1) from None
    out.print(f"replication {rep} (seed {seed}) finished in {result.wall_seconds:.2f} s")
    for kpi, site, value in result.kpis:
        if site == "":
            out.print(f"  {kpi:32s} {fmt(value)}")
