"""The event layer's payload: typed columns, gzip-compressed, base64 text in the page.

One event costs about 10-20 bytes instead of ~150 as a JSON feature: coordinates are integers
(1e-4 degree, ~11 m), the longitudes delta-encoded in drawing order; types, fatalities and
every text field are small integer columns that index one shared table of HTML-escaped
strings. Events are ordered by period (each period is one contiguous slice, so the page
draws a week without scanning the others), then largest fatalities first (small circles are
drawn on top), then longitude. The page inflates the blob with the browser's own
``DecompressionStream``: no script library, no network.
"""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sahelmap.render._text import clip, esc

__all__ = ["pack_events", "PackedEvents", "NOTES_MAX", "NOTES_BUDGET", "SCALE"]

SCALE = 10_000  # coordinates in 1e-4 degree
NOTES_MAX = 150  # characters of notes in a popup (a preview; the full text stays in the tables)
# Above this many characters of (clipped) notes in all, notes are left out of the page: a
# 1M-event map would otherwise weigh ~100 MB. The popup then says where the notes are.
NOTES_BUDGET = 3_000_000
# Text fields of a popup: key in the payload, column of the events frame, clip length.
TEXT_FIELDS = (("d", "event_date", None), ("p", "place", None), ("r", "adm1_name", None),
               ("a1", "actor1", None), ("a2", "actor2", None), ("s", "source", None),
               ("n", "notes", NOTES_MAX))
_LIMITS = {key: limit for key, _, limit in TEXT_FIELDS}


@dataclass(frozen=True)
class PackedEvents:
    """Events ready for the page.

    Attributes
    ----------
    payload : dict
        Script-safe JSON object: ``n`` events, ``blob`` (base64 of gzip), ``cols``
        (``[name, dtype, byte offset, length]`` of each column in the inflated buffer),
        ``starts`` (first event of each period, and ``n`` last), ``scale``, ``notes``
        (whether notes are included).
    order : numpy.ndarray
        Position in the input frame of each packed event.
    """

    payload: dict
    order: np.ndarray


def _smallest_unsigned(maximum: int) -> str:
    return "u1" if maximum < 2**8 else "u2" if maximum < 2**16 else "u4"


def _text_codes(values: pd.Series, table: dict[str, int], limit: int | None) -> np.ndarray:
    """1 + index of each escaped value in the shared table; 0 for missing or empty."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    lookup = np.zeros(len(uniques) + 1, dtype=np.int64)
    for i, value in enumerate(uniques):
        text = esc(clip(value, limit) if limit else value)
        lookup[i] = table.setdefault(text, len(table)) + 1 if text else 0
    return lookup[codes]  # code -1 (missing) picks the last entry, 0


def _texts(events: gpd.GeoDataFrame) -> tuple[dict[str, pd.Series], bool]:
    """The text columns of the popups, and whether the notes fit the budget."""
    columns: dict[str, pd.Series] = {}
    for key, column, limit in TEXT_FIELDS:
        if column not in events:
            continue
        values = events[column]
        if column == "event_date":
            values = pd.to_datetime(values, errors="coerce").dt.strftime("%Y-%m-%d")
        values = values.astype("object")
        if key == "n":
            lengths = values.dropna().astype(str).str.len().clip(upper=limit).sum()
            if lengths > NOTES_BUDGET:
                continue
        columns[key] = values
    return columns, "n" in columns or "notes" not in events


def pack_events(events: gpd.GeoDataFrame, types: list[str], period: np.ndarray,
                n_periods: int) -> PackedEvents:
    """Pack prepared events (see :func:`sahelmap.render._prepare.prepare_events`).

    Parameters
    ----------
    events : geopandas.GeoDataFrame
        Points with ``event_type`` and ``fatalities`` filled.
    types : list of str
        Event types in legend order; ``t`` indexes it.
    period : numpy.ndarray
        Period index of each event (``0 <= period < n_periods``).
    n_periods : int
        Number of periods of the map.

    Returns
    -------
    PackedEvents
    """
    xy = shapely.get_coordinates(np.asarray(events.geometry.values, dtype=object))
    lon = np.round(xy[:, 0] * SCALE).astype(np.int64)
    lat = np.round(xy[:, 1] * SCALE).astype(np.int64)
    deaths = np.minimum(events["fatalities"].to_numpy(dtype=np.int64), 2**16 - 1)
    order = np.lexsort((lon, -deaths, period))
    period = np.asarray(period)[order]
    type_index = {name: i for i, name in enumerate(types)}
    lon = lon[order]
    columns: dict[str, np.ndarray] = {
        "x": np.diff(lon, prepend=0).astype("<i4"),
        "y": lat[order].astype("<i4"),
        "f": deaths[order].astype("<u2"),
        "t": np.asarray([type_index[t] for t in events["event_type"]], dtype="u1")[order],
    }
    if "is_synthetic" in events:
        flags = events["is_synthetic"].eq(True).to_numpy()[order]
        if flags.any() and not flags.all():
            columns["sy"] = flags.astype("u1")
    synthetic = bool("is_synthetic" in events and events["is_synthetic"].eq(True).all()
                     and len(events))
    table: dict[str, int] = {}
    texts, notes = _texts(events)
    for key, values in texts.items():
        codes = _text_codes(values.iloc[order].reset_index(drop=True), table, _LIMITS[key])
        columns[key] = codes.astype("<" + _smallest_unsigned(int(codes.max(initial=0))))
    strings = json.dumps(list(table), ensure_ascii=False, separators=(",", ":"))
    columns["S"] = np.frombuffer(strings.encode("utf-8"), dtype="u1")

    parts, layout, offset = [], [], 0
    for name, array in columns.items():
        data = array.tobytes()
        layout.append([name, array.dtype.str.lstrip("<|"), offset, int(array.size)])
        padding = -len(data) % 8  # every column starts on an 8-byte boundary (typed views)
        parts.append(data + b"\0" * padding)
        offset += len(data) + padding
    blob = gzip.compress(b"".join(parts), compresslevel=6, mtime=0)
    starts = np.searchsorted(period, np.arange(n_periods + 1)).tolist()
    payload = {"n": int(len(order)), "scale": SCALE, "cols": layout, "starts": starts,
               "synthetic": synthetic, "notes": notes,
               "blob": base64.b64encode(blob).decode("ascii")}
    return PackedEvents(payload=payload, order=order)
