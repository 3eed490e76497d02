"""How many event points a web map may draw: the limits, and the check the weekly job runs.

The canvas event layer (:mod:`sahelmap.render._pack`) costs about 9 bytes of HTML per event:
1M events weigh about 9 MB and draw in about 1.5 s in headless Chromium
(``benchmarks/bench_render.py``).
"""

from __future__ import annotations

from sahelmap.errors import RenderError, warn

__all__ = ["SLOW_MAP_POINTS", "MAX_MAP_POINTS", "BYTES_PER_POINT", "check_map_size"]

#: Event points above which a map is said to be slow to open...
SLOW_MAP_POINTS = 1_000_000
#: ... and above which it is not drawn unless asked (``max_points``, ``--max-points``).
MAX_MAP_POINTS = 3_000_000
#: HTML bytes per event point of the canvas layer (measured: 8.8 MB for 1M events).
BYTES_PER_POINT = 9


def check_map_size(n_points: int, max_points: int | None = MAX_MAP_POINTS) -> None:
    """Refuse, or warn about, a map with more event points than a browser draws comfortably.

    Parameters
    ----------
    n_points : int
        Event points the map would draw.
    max_points : int, optional
        Above this, the map is refused; ``None`` draws any number (with the warning).

    Raises
    ------
    RenderError
        When ``n_points`` is above ``max_points``; the message says how to draw fewer.

    Warns
    -----
    SahelmapWarning
        When ``n_points`` is above :data:`SLOW_MAP_POINTS`.

    Examples
    --------
    >>> check_map_size(5_000)
    >>> check_map_size(5_000, max_points=1_000)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sahelmap.errors.RenderError: the weeks shown have 5,000 event points, ...
    """
    size = n_points * BYTES_PER_POINT / 1e6
    advice = ("the figures per unit in regions.csv are complete either way; to draw fewer "
              "points, give --events only the events you need to see (e.g. one type or "
              "region) or fewer --weeks")
    if max_points is not None and n_points > max_points:
        raise RenderError(f"the weeks shown have {n_points:,} event points, more than the map "
                          f"draws (--max-points {max_points:,}): about {size:.0f} MB of "
                          f"HTML; {advice}, or raise --max-points to draw them all anyway")
    if n_points > SLOW_MAP_POINTS:
        warn(f"the map draws {n_points:,} event points (about {size:.0f} MB of HTML): "
             f"browsers may take a while to open it; {advice}")
