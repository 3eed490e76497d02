"""sahelmap: displacement and crisis mapping for the central Sahel (Mali, Niger).

The public verbs, for notebooks and scripts::

    import sahelmap
    sahelmap.geocode("Ménaka")                       # one place
    sahelmap.geocode_frame(reports)                  # a table of reports
    sahelmap.admin_units("adm1")                     # bundled regions (GeoDataFrame)
"""

from importlib.metadata import PackageNotFoundError, version

from sahelmap.boundaries import admin_units, map_adm1_pcode, pcode_table, read_boundaries
from sahelmap.download import download_boundaries
from sahelmap.errors import (
    BoundaryError,
    ChecksumError,
    GazetteerError,
    InputFileError,
    SahelmapError,
)
from sahelmap.gazetteer import load_gazetteer, normalize_name
from sahelmap.geocode import GeocodeResult, Geocoder, geocode, geocode_frame

try:
    __version__ = version("sahelmap")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"

__all__ = [
    "__version__",
    "admin_units", "map_adm1_pcode", "pcode_table", "read_boundaries", "download_boundaries",
    "load_gazetteer", "normalize_name", "geocode", "geocode_frame", "Geocoder",
    "GeocodeResult",
    "SahelmapError", "BoundaryError", "ChecksumError", "GazetteerError", "InputFileError",
]
