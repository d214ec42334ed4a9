"""The planner's browser app: ``hubsim app`` (Streamlit), on this computer only.

A planner picks a shipped scenario or uploads one, edits its main levers in forms, sees
what changed and a capacity check, runs it with a progress bar, keeps several runs and
compares them, and downloads the scenario, reports and results.

The app is a thin layer on the library's public API (``sim.load_scenario``,
``sim.validate_scenario``, ``sim.run``, ``Results``/``Comparison`` and their plots, the
KPI registry, the HTML report). Its logic lives in modules that import no Streamlit and
are tested on their own:

- :mod:`.form`: the scenario as forms show it, form values back to a scenario, and which
  form field each validation problem belongs to;
- :mod:`.changes`: what changed against the base scenario;
- :mod:`.capacity`: the capacity check shown before running;
- :mod:`.uploads`: uploaded files kept in their own folder, ``extends`` and CSV paths
  confined to it;
- :mod:`.runs`: running in batches for a progress bar, keeping runs, comparing them;
- :mod:`.downloads`: the scenario YAML, reports (one entry per format) and results as
  CSV and XLSX;
- :mod:`.launch`: the ``hubsim app`` command.

:mod:`.main` is the Streamlit page; it needs the ``app`` extra (``python3 tasks.py app``).
"""
