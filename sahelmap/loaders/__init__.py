"""Report files in, validated and geocoded records out, every rejected row with its reasons.

Two readers, one result shape (:class:`LoadResult`):

- :func:`read_events`: attacks, clashes, massacres (ACLED exports, HXL-tagged sheets,
  analysts' own tables);
- :func:`read_displacement`: arrivals, IDPs present, returns, departures (IOM-DTM-style
  tables, long or wide).

The modules follow the data, in order:

1. :mod:`~sahelmap.loaders.files`: CSV, XLSX, GeoJSON, GeoPackage, ACLED API JSON to a
   table of cell texts, with the row numbers a person sees (the CSV line, the spreadsheet
   row, the feature, the record of the API response).
2. :mod:`~sahelmap.loaders.columns`: which column holds which field (explicit mapping, HXL
   hashtags, English/French/ACLED/DTM header names).
3. :mod:`~sahelmap.loaders.tables`: all files stacked into one canonical table of field texts.
4. :mod:`~sahelmap.loaders.dates` and :mod:`~sahelmap.loaders.checks`: each value parsed and
   checked once per distinct value; problems collected per row and field.
5. :mod:`~sahelmap.loaders.records`: the checks both readers share, geocoding
   (:func:`sahelmap.geocode_frame`), the rejected-rows report;
   :mod:`~sahelmap.loaders.events` and :mod:`~sahelmap.loaders.displacement` build their
   records (:mod:`~sahelmap.loaders.acled` reads ACLED's pre-2019 event types);
   :mod:`~sahelmap.loaders.duplicates` flags or merges repeated reports and keeps one row
   per event identifier. :mod:`~sahelmap.loaders.counts` reads pre-aggregated event counts
   (HDX HAPI) as figures per unit, not as reports.
6. :mod:`~sahelmap.loaders.result`: :class:`LoadResult`, whose :meth:`~LoadResult.check`
   proves that every input row is accepted or rejected, once.

Row numbers (``source_row``) are the ones a person sees: the line of a CSV file (header =
line 1, an HXL hashtag row = line 2, so the first report is on line 2 or 3), the spreadsheet
row of an XLSX sheet, the 0-based feature index of a GeoJSON file, the ``fid`` of a
GeoPackage feature and the 0-based index of a record in the ``data`` list of an ACLED API
response.
"""

from sahelmap.loaders.counts import read_event_counts
from sahelmap.loaders.displacement import read_displacement
from sahelmap.loaders.events import read_events
from sahelmap.loaders.result import LoadResult

__all__ = ["LoadResult", "read_displacement", "read_event_counts", "read_events"]
