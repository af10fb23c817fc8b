"""The outlier rule the insights share: farther than three sigmas and a floor."""

from __future__ import annotations

from typing import Final

SIGMAS: Final = 3.0


def outlier_limit(sigma: float, floor: float) -> float:
    """Return how far a value may lie from the centre before it is an outlier."""
    return max(floor, SIGMAS * sigma)
