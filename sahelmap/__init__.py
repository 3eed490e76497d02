"""sahelmap: displacement and crisis mapping for the central Sahel (Mali, Niger).

The public verbs, for notebooks and scripts, in the order data flows through them:

>>> import sahelmap
>>> events = sahelmap.read_events(sahelmap.example_path("events.csv"),
...                               gazetteer=sahelmap.example_path("places.csv"))
>>> events.n_input == events.n_accepted + len(events.rejected)
True
>>> sahelmap.geocode("Gao").adm1_pcode
'ML07'
>>> week = sahelmap.summarize(events=events.accepted, period="2022-W37")
>>> sahelmap.check_totals(week, events=events.accepted)   # raises if a row is lost
{'events': 6, 'fatalities': 19}
>>> m = sahelmap.crisis_map(week, value="fatalities", title="Killed, week 2022-W37")
>>> import folium
>>> isinstance(m, folium.Map)     # add layers, display inline, or save_html(m, "map.html")
True

Where: :func:`admin_units`, :func:`read_boundaries`, :func:`download_boundaries`,
:func:`geocode`, :func:`geocode_frame`, :class:`Geocoder`. What: :func:`read_events`,
:func:`read_displacement`, :class:`LoadResult`, :func:`summarize`, :func:`check_totals`.
Out: :func:`crisis_map`, :func:`save_html`, :func:`save_static`, :func:`export`,
:func:`weekly`. Data: :func:`example_path`. Helpers stay at their module path
(``sahelmap.aggregate.iso_week_bounds``, ``sahelmap.pcodes.map_adm1_pcode``...).

Modules load on first use (PEP 562), so ``import sahelmap`` and the command line start
fast; ``__init__.pyi`` gives IDEs and type checkers the same names.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from sahelmap._lazy import lazy_names
from sahelmap.errors import (
    AccountingError,
    AggregateError,
    BoundaryError,
    ChecksumError,
    DataWarning,
    ExportError,
    GazetteerError,
    InputFileError,
    OptionError,
    PcodeVersionError,
    PeriodError,
    RenderError,
    SahelmapError,
    SahelmapWarning,
)

try:
    __version__ = version("sahelmap")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"

__all__ = [
    # where
    "admin_units", "read_boundaries", "download_boundaries", "geocode", "geocode_frame",
    "Geocoder", "GeocodeResult",
    # what
    "read_events", "read_displacement", "LoadResult", "summarize", "check_totals", "inspect",
    # out
    "crisis_map", "save_html", "save_static", "export", "weekly",
    # data
    "example_path",
    # errors and warnings
    "SahelmapError", "AccountingError", "AggregateError", "BoundaryError", "ChecksumError",
    "ExportError", "GazetteerError", "InputFileError", "OptionError", "PcodeVersionError",
    "PeriodError",
    "RenderError", "SahelmapWarning", "DataWarning",
]

# name -> module that defines it (imported on first use)
_HOME = {
    "admin_units": "boundaries", "read_boundaries": "boundaries",
    "download_boundaries": "download", "geocode": "geocoding", "geocode_frame": "geocoding",
    "Geocoder": "geocoding", "GeocodeResult": "geocoding",
    "read_events": "loaders", "read_displacement": "loaders", "LoadResult": "loaders",
    "summarize": "aggregate", "check_totals": "aggregate", "inspect": "inspection",
    "crisis_map": "render", "save_html": "render", "save_static": "render",
    "export": "io", "weekly": "pipeline", "example_path": "datasets",
}

__getattr__, __dir__ = lazy_names(__name__, _HOME, globals())
