"""sahelmap: displacement and crisis mapping for the central Sahel (Mali, Niger).

The public verbs, for notebooks and scripts::

    import sahelmap
    sahelmap.geocode("Ménaka")                                   # one place
    events = sahelmap.read_events("acled.csv")                   # validated, geocoded
    table = sahelmap.summarize(events=events.accepted, period="week")
    sahelmap.crisis_map(table, events.accepted, value="events")  # a folium.Map
"""

from importlib.metadata import PackageNotFoundError, version

from sahelmap.aggregate import aggregate_displacement, aggregate_events, check_totals, summarize
from sahelmap.boundaries import admin_units, map_adm1_pcode, pcode_table, read_boundaries
from sahelmap.download import download_boundaries
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
from sahelmap.export import export
from sahelmap.gazetteer import load_gazetteer, normalize_name
from sahelmap.geocode import GeocodeResult, Geocoder, geocode, geocode_frame
from sahelmap.loaders import LoadResult, read_displacement, read_events
from sahelmap.pipeline import iso_week_bounds, load_reports, weekly
from sahelmap.render import crisis_map, save_html, save_static, to_html

try:
    __version__ = version("sahelmap")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"

__all__ = [
    "__version__",
    # where
    "admin_units", "map_adm1_pcode", "pcode_table", "read_boundaries", "download_boundaries",
    "load_gazetteer", "normalize_name", "geocode", "geocode_frame", "Geocoder",
    "GeocodeResult",
    # what
    "read_events", "read_displacement", "LoadResult", "summarize", "aggregate_events",
    "aggregate_displacement", "check_totals", "export", "iso_week_bounds",
    # maps and the weekly product
    "crisis_map", "to_html", "save_html", "save_static", "load_reports", "weekly",
    # errors
    "SahelmapError", "BoundaryError", "ChecksumError", "GazetteerError", "InputFileError",
    "AccountingError", "AggregateError", "ExportError", "PeriodError", "RenderError",
]
