"""``hubsim schema``: the JSON Schema of scenario files."""

from __future__ import annotations

import json


def schema() -> None:
    """Print the JSON Schema of scenario files (for editor autocompletion)."""
    from ..scenario.json_schema import scenario_json_schema

    print(json.dumps(scenario_json_schema(), indent=2))
