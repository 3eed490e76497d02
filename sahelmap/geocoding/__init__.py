"""Names and coordinates to admin units of Mali and Niger, offline, with a confidence.

Two ways in, one result shape (:mod:`~sahelmap.geocoding.results`):

- :mod:`~sahelmap.geocoding.points`: rows with coordinates are assigned by point-in-polygon
  (vectorised); null-island, out-of-range, swapped or outside points are flagged and fall
  back to the name;
- :mod:`~sahelmap.geocoding.names`: rows with a place name are matched against the gazetteer:
  exact key, then alias, then fuzzy (rapidfuzz), after folding case, accents, hyphens and
  apostrophes. Relative phrases ("outside Gao", "30 km north of Ménaka") resolve to the
  anchor place with a lower confidence. A name found in several regions is ``ambiguous``
  unless a country or admin1 hint of the row settles it: it is never silently given one.
- :mod:`~sahelmap.geocoding.geocoder`: :class:`Geocoder` composes the two, coordinates first.

Every input row gets a result row; nothing is dropped.
"""

from sahelmap.geocoding.geocoder import Geocoder, geocode, geocode_frame
from sahelmap.geocoding.results import RESULT_COLUMNS, GeocodeResult

__all__ = ["RESULT_COLUMNS", "GeocodeResult", "Geocoder", "geocode", "geocode_frame"]
