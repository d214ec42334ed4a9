"""Travel between sites: great-circle distance with a road factor (assumption)."""

from __future__ import annotations

import math

from ..scenario.schema import Location

ROAD_FACTOR = 1.3
"""Road distance per straight-line kilometre: an assumption, typical of UK urban areas."""


def distance_km(a: Location | None, b: Location | None) -> float:
    """Approximate road kilometres between two sites (0 for the same place, inf if unknown)."""
    if a is None or b is None:
        return math.inf
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h)) * ROAD_FACTOR
