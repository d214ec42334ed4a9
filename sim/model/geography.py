"""Where sites are, which trust runs each, and how far apart they are by road."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..scenario.schema import Location, Site

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


@dataclass(frozen=True)
class Geography:
    """The sites' trusts and locations, and road distances between them."""

    trust: dict[str, str]
    location: dict[str, Location | None]
    _km: dict[tuple[str, str], float] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, sites: Mapping[str, Site]) -> Geography:
        return cls(
            {s: x.trust for s, x in sites.items()}, {s: x.location for s, x in sites.items()}
        )

    @property
    def sites(self) -> list[str]:
        return list(self.trust)

    def km(self, a: str, b: str) -> float:
        """Road kilometres from site ``a`` to site ``b`` (inf when either has no location)."""
        key = (a, b)
        d = self._km.get(key)
        if d is None:
            d = self._km[key] = distance_km(self.location[a], self.location[b])
        return d
