"""Great-circle distance between points (member addresses or neighbourhood centroids)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rules.timebank.errors import TimebankError

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG); good to about 0.5% anywhere, far better than a centroid."""


@dataclass(frozen=True, slots=True)
class Point:
    """A WGS84 latitude and longitude in degrees."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (-90.0 <= self.lat <= 90.0) or not (-180.0 <= self.lon <= 180.0):
            raise TimebankError(f"({self.lat}, {self.lon}) is not a latitude and longitude.")


def haversine_km(a: Point, b: Point) -> float:
    """Distance in kilometres along the Earth's surface (haversine formula)."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlon = math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def describe_distance(km: float) -> str:
    """``"1.2 km away"``; under 100 metres ``"Less than 100 m away"``."""
    if km < 0.1:
        return "Less than 100 m away"
    if km < 10:
        return f"{km:.1f} km away"
    return f"{km:.0f} km away"
