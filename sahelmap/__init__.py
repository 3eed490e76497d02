"""sahelmap: displacement and crisis mapping for the central Sahel (Mali, Niger).

The public verbs, for notebooks and scripts::

    import sahelmap
    sahelmap.geocode("Ménaka")                                   # one place
    events = sahelmap.read_events("acled.csv")                   # validated, geocoded
    table = sahelmap.summarize(events=events.accepted, period="week")
    sahelmap.crisis_map(table, events.accepted, value="events")  # a folium.Map

Modules load on first use (PEP 562), so ``import sahelmap`` and the command line start fast.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from sahelmap.errors import (
    AccountingError,
    AggregateError,
    BoundaryError,
    ChecksumError,
    ExportError,
    GazetteerError,
    InputFileError,
    PeriodError,
    RenderError,
    SahelmapError,
)

try:
    __version__ = version("sahelmap")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"

_LAZY = {
    # where
    "admin_units": "boundaries", "map_adm1_pcode": "boundaries", "pcode_table": "boundaries",
    "read_boundaries": "boundaries", "download_boundaries": "download",
    "load_gazetteer": "gazetteer", "normalize_name": "gazetteer", "geocode": "geocode",
    "geocode_frame": "geocode", "Geocoder": "geocode", "GeocodeResult": "geocode",
    # what
    "read_events": "loaders", "read_displacement": "loaders", "LoadResult": "loaders",
    "summarize": "aggregate", "aggregate_events": "aggregate",
    "aggregate_displacement": "aggregate", "check_totals": "aggregate",
    "iso_week_bounds": "aggregate", "export": "export", "example_path": "datasets",
    # maps and the weekly product
    "crisis_map": "render", "to_html": "render", "save_html": "render",
    "save_static": "render", "load_reports": "pipeline", "weekly": "pipeline",
}

__all__ = [
    "__version__", *_LAZY,
    "SahelmapError", "BoundaryError", "ChecksumError", "GazetteerError", "InputFileError",
    "AccountingError", "AggregateError", "ExportError", "PeriodError", "RenderError",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(f"sahelmap.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sahelmap' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
