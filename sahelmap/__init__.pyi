# The public names of sahelmap, for IDEs and type checkers (the module imports them lazily).
from sahelmap.aggregate import check_totals as check_totals
from sahelmap.aggregate import summarize as summarize
from sahelmap.boundaries import admin_units as admin_units
from sahelmap.boundaries import read_boundaries as read_boundaries
from sahelmap.datasets import example_path as example_path
from sahelmap.download import download_boundaries as download_boundaries
from sahelmap.errors import AccountingError as AccountingError
from sahelmap.errors import AggregateError as AggregateError
from sahelmap.errors import BoundaryError as BoundaryError
from sahelmap.errors import ChecksumError as ChecksumError
from sahelmap.errors import DataWarning as DataWarning
from sahelmap.errors import ExportError as ExportError
from sahelmap.errors import GazetteerError as GazetteerError
from sahelmap.errors import InputFileError as InputFileError
from sahelmap.errors import OptionError as OptionError
from sahelmap.errors import PcodeVersionError as PcodeVersionError
from sahelmap.errors import PeriodError as PeriodError
from sahelmap.errors import RenderError as RenderError
from sahelmap.errors import SahelmapError as SahelmapError
from sahelmap.errors import SahelmapWarning as SahelmapWarning
from sahelmap.geocoding import Geocoder as Geocoder
from sahelmap.geocoding import GeocodeResult as GeocodeResult
from sahelmap.geocoding import geocode as geocode
from sahelmap.geocoding import geocode_frame as geocode_frame
from sahelmap.inspection import inspect as inspect
from sahelmap.io import export as export
from sahelmap.loaders import LoadResult as LoadResult
from sahelmap.loaders import read_displacement as read_displacement
from sahelmap.loaders import read_events as read_events
from sahelmap.pipeline import weekly as weekly
from sahelmap.render import crisis_map as crisis_map
from sahelmap.render import save_html as save_html
from sahelmap.render import save_static as save_static

__version__: str
__all__: list[str]
