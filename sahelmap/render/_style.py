"""Colours and marker sizes shared by the web map and static images (texts: sahelmap.i18n)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

__all__ = [
    "CLUSTER_THRESHOLD",
    "event_colors",
    "radius",
    "size_steps",
]

# Colours of the ACLED event types: dark and cold, so they stand out on the yellow-to-red
# choropleth (no yellow, orange or red among them).
_EVENT_COLORS = {
    "violence against civilians": "#6a1b9a",
    "battles": "#1f4e9c",
    "explosions/remote violence": "#111111",
    "riots": "#00897b",
    "protests": "#4fa3d9",
    "strategic developments": "#8d6e63",
}
_OTHER_COLORS = ("#c2185b", "#558b2f", "#5c6bc0", "#795548", "#607d8b", "#ad1457")

# Circle radius in pixels: R0 for no fatality, growing with the square root (area ~ deaths).
R0, RK, RMAX = 3.0, 2.0, 28.0
CLUSTER_THRESHOLD = 500  # events in a period above which nearby ones are grouped


def event_colors(types: Iterable[str]) -> dict[str, str]:
    """Return a colour for each event type; ACLED's six types keep fixed colours.

    Examples
    --------
    >>> event_colors(["Battles", "Looting"])
    {'Battles': '#1f4e9c', 'Looting': '#c2185b'}
    """
    colors, spare = {}, 0
    for name in types:
        key = str(name).strip().lower()
        if key in _EVENT_COLORS:
            colors[name] = _EVENT_COLORS[key]
        else:
            colors[name] = _OTHER_COLORS[spare % len(_OTHER_COLORS)]
            spare += 1
    return colors


def radius(fatalities: np.ndarray | float) -> np.ndarray:
    """Marker radius in pixels: ``R0 + RK * sqrt(fatalities)``, at most ``RMAX``.

    Examples
    --------
    >>> radius(np.array([0, 1, 100, 10_000])).tolist()
    [3.0, 5.0, 23.0, 28.0]
    """
    deaths = np.clip(np.nan_to_num(np.asarray(fatalities, dtype=float)), 0, None)
    return np.minimum(R0 + RK * np.sqrt(deaths), RMAX)


def size_steps(max_fatalities: float) -> list[int]:
    """Fatality counts to show in a marker-size legend, up to the largest observed.

    Examples
    --------
    >>> size_steps(0), size_steps(7), size_steps(37), size_steps(340)
    ([0], [0, 1, 5], [0, 5, 10, 25], [0, 50, 100, 250])
    """
    steps = [s for s in (1, 5, 10, 25, 50, 100, 250, 500) if s <= max_fatalities]
    return [0] + steps[-3:]
