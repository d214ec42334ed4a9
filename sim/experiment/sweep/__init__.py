"""Parameter sweeps that survive a crash: a grid of scenario changes x replications.

A *grid* maps dotted scenario paths (``sites.cannock.beds.elective``) to the values to
try; its *points* are the cartesian product, each a set of overrides applied to the
scenario file with ``load_scenario(path, overrides)``. Every point is checked before
anything runs. Replication ``r`` of every point uses the sweep's seed and ``r`` (common
random numbers), so all points see the same patients, and a point's results equal
``sim.run(point_scenario, reps, seed)``.

A sweep folder holds::

    sweep.json                          the plan: scenario hash, grid, seed, reps, points
    parts/<point_id>/rep-00012.parquet  one finished (point, replication): its KPIs
    parts/<point_id>/reps-00000-00024.parquet  a batch of them, run by one worker call
    replications.parquet, points.csv, summary.csv, sweep_<parameter>.png, manifest.json

Parts are written by this process from the workers' return values (so any joblib
backend works, a dask cluster included) as soon as each batch finishes, to a hidden
temporary name renamed into place: a part that exists is complete, and temporary files
are ignored when reading and removed at the next start. Running the same sweep again
after a crash or ``kill -9`` runs only the tasks with no part.

One module per idea, imported by name (this package imports none of them, so a worker
loads only :mod:`.worker`):

- :mod:`.grid`: the grid, its file and ``--set`` forms, its points and their ids;
- :mod:`.plan`: what decides a sweep's results, each point's scenario checked;
- :mod:`.store`: the folder: the plan file, the lock, the stored parts;
- :mod:`.worker`: one (point, replication), run in a worker process;
- :mod:`.run`: running the tasks not stored yet (``sim.sweep``);
- :mod:`.results`: the stored replications and their summary per point.
"""
