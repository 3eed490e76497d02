"""What a loader returns: :class:`LoadResult`, and the accounting that proves nothing is lost."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from sahelmap.errors import AccountingError
from sahelmap.loaders.keys import in_sorted

__all__ = ["LoadResult", "SpilledResult", "row_keys"]


@dataclass
class LoadResult:
    """What a loader returns: accepted records, rejected rows, and the count of input rows.

    Attributes
    ----------
    accepted : geopandas.GeoDataFrame
        Valid, geocoded records (EPSG:4326 points at the matched place), with
        ``duplicate_group`` (Int64, NA when not a duplicate) and ``is_duplicate`` (True for
        every member of a group but the first).
    rejected : pandas.DataFrame
        One row per rejected input row: ``source_file, source_row, field`` (sahelmap's name),
        ``column`` (the column of the user's file), ``value, reason``
        (several problems joined by ``"; "``), then the row's original cells as text. A raw
        column whose name clashes with one of those five is suffixed ``" (raw)"``.
    n_input : int
        Input rows read (blank rows excepted, see ``n_blank``).
    duplicates : pandas.DataFrame
        Every member of every flagged duplicate group (before any merge).
    n_blank : int
        Rows skipped because every cell was empty.
    kind : str
        ``"events"`` or ``"displacement"``.
    notes : list of str
        What the reader chose on the caller's behalf, one line each (which sheet of a
        workbook was read, which layout was recognised, which columns were left out).

    Notes
    -----
    For events and long displacement tables one input row is one record, and
    ``len(accepted) + len(rejected) == n_input``. A row of a *wide* displacement table
    (one column per figure type) becomes one record per figure it gives, so there the
    identity is counted in input rows: ``n_accepted + len(rejected) == n_input``, where
    :attr:`n_accepted` is the number of distinct input rows in ``accepted``. :meth:`check`
    verifies the identity in that form, which covers both.
    """

    accepted: gpd.GeoDataFrame
    rejected: pd.DataFrame
    n_input: int
    duplicates: pd.DataFrame
    n_blank: int = 0
    kind: str = "events"
    notes: list[str] = field(default_factory=list)

    @property
    def rejected_head(self) -> pd.DataFrame:
        """The rejected rows without their cells: ``source_file`` to ``reason``.

        What the accounting, counts and summaries read; for a :class:`SpilledResult` it
        is in memory while the cells stay on disk.
        """
        return self.rejected

    @property
    def n_records(self) -> int:
        """Accepted records (more than accepted rows for wide displacement tables)."""
        return len(self.accepted)

    @property
    def n_accepted(self) -> int:
        """Input rows with at least one accepted record."""
        if not len(self.accepted):
            return 0
        keys = row_keys(self.accepted)
        keys.sort()  # in place: distinct values counted without a hash table
        return int(np.count_nonzero(keys[1:] != keys[:-1])) + 1

    def check(self) -> None:
        """Raise :class:`~sahelmap.errors.AccountingError` if an input row is lost or doubled.

        Examples
        --------
        >>> empty = LoadResult(gpd.GeoDataFrame(), pd.DataFrame(), 0, pd.DataFrame())
        >>> empty.check()
        """
        rejected_rows = self.rejected_head
        if self.n_accepted + len(rejected_rows) != self.n_input:
            raise AccountingError(
                f"{self.n_accepted} accepted + {len(rejected_rows)} rejected rows != "
                f"{self.n_input} input rows")
        if len(rejected_rows):
            # distinct files of each frame first: millions of rows stay unconverted
            files = pd.unique(np.concatenate([
                np.asarray(pd.unique(self.accepted.get("source_file", pd.Series(
                    dtype="str"))), dtype=object),
                np.asarray(pd.unique(rejected_rows["source_file"]), dtype=object)]))
            rejected = row_keys(rejected_rows, files)
            if pd.Series(rejected).duplicated().any():
                raise AccountingError("a row is rejected twice")
            if len(self.accepted):
                accepted = row_keys(self.accepted, files)
                accepted.sort()  # in place: looked up by bisection, no sorted copy of both
                both = in_sorted(accepted, rejected)
                del accepted
                if both.any():
                    row = rejected_rows.iloc[int(np.flatnonzero(both)[0])]
                    raise AccountingError(
                        f"{int(both.sum())} rows are both accepted and rejected, e.g. row "
                        f"{row['source_row']} of {row['source_file']}")

    def counts(self) -> dict[str, Any]:
        """What was read, accepted, rejected (by field) and merged, as numbers.

        Examples
        --------
        >>> LoadResult(gpd.GeoDataFrame(), pd.DataFrame(), 0, pd.DataFrame()).counts()["read"]
        0
        """
        rejected_rows = self.rejected_head
        by_field: dict[str, int] = {}
        merged = 0
        if len(rejected_rows):
            # rows per field: a row with two problems in one field ("row; row") counts once
            for given, n in rejected_rows["field"].astype(str).value_counts().items():
                for name in dict.fromkeys(given.split("; ")):
                    by_field[name] = by_field.get(name, 0) + int(n)
            by_field = dict(sorted(by_field.items(), key=lambda item: -item[1]))
            merged = int(rejected_rows["reason"].astype(str).str.contains(
                r"\(merged\)|; merged\)|dyadic export; merged", regex=True).sum())
        return {"read": int(self.n_input), "accepted": int(self.n_accepted),
                "records": int(self.n_records), "rejected": int(len(rejected_rows)),
                "rejected_by_field": by_field, "merged": merged,
                "blank_rows": int(self.n_blank)}

    def date_range(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """First and last day the accepted rows cover (None when there are none).

        For saying which dates a file covers when a requested week holds nothing.

        Examples
        --------
        >>> LoadResult(gpd.GeoDataFrame(), pd.DataFrame(), 0, pd.DataFrame()).date_range()
        """
        acc = self.accepted
        column = "event_date" if "event_date" in acc.columns else "date"
        if column not in acc.columns or not acc[column].notna().any():
            return None
        last = acc[column].max()
        if "period_end" in acc.columns and acc["period_end"].notna().any():
            last = max(last, acc["period_end"].max())
        return acc[column].min(), last

    def summary(self) -> str:
        """A few lines saying what was read, kept, rejected and flagged.

        Examples
        --------
        >>> empty = LoadResult(gpd.GeoDataFrame(), pd.DataFrame(), 0, pd.DataFrame())
        >>> print(empty.summary())
        events: 0 rows read: 0 accepted, 0 rejected
        """
        rejected_rows = self.rejected_head
        accepted = self.n_accepted  # once: it hashes every accepted row
        records = f" ({self.n_records:,} records)" if self.n_records != accepted else ""
        lines = [f"{self.kind}: {self.n_input:,} rows read: {accepted:,} accepted"
                 f"{records}, {len(rejected_rows):,} rejected"]
        if len(rejected_rows):
            counts = _field_counts(rejected_rows["field"])
            lines.append("  rejected for: " + ", ".join(f"{name} {n:,}"
                                                        for name, n in counts.items()))
        if len(self.duplicates):
            groups = self.duplicates["duplicate_group"].nunique()
            extra = len(self.duplicates.loc[self.duplicates["is_duplicate"],
                                            ["source_file", "source_row"]].drop_duplicates())
            merged = (rejected_rows["field"] == "duplicate").any() if len(
                rejected_rows) else False
            lines.append(f"  duplicates: {groups:,} group(s), {extra:,} repeated report(s) "
                         f"({'merged' if merged else 'flagged, not merged'})")
        if self.n_blank:
            lines.append(f"  blank rows skipped: {self.n_blank:,}")
        lines += [f"  {note}" for note in self.notes]
        return "\n".join(lines)


def _field_counts(fields: pd.Series) -> pd.Series:
    """How many rows each field rejected (``"date; place"`` counts for both), most first.

    As ``fields.str.split("; ").explode().value_counts()``, from the distinct values: no
    copy of a text per rejected row.
    """
    counts: dict[str, int] = {}
    for text, n in fields.astype(str).value_counts(sort=False).items():
        for name in text.split("; "):
            counts[name] = counts.get(name, 0) + int(n)
    return pd.Series(counts, dtype="int64").sort_values(ascending=False, kind="stable")


def row_keys(frame: pd.DataFrame, files: Any = None) -> np.ndarray:
    """One int64 per input row: file number and row number packed together."""
    if files is None:
        files = frame["source_file"].unique()
    keys = pd.Index(files).get_indexer(frame["source_file"]).astype("int64", copy=False)
    keys <<= 40  # in place: one array of the rows' length
    keys += frame["source_row"].to_numpy(dtype="int64")
    return keys


class SpilledResult(LoadResult):
    """A :class:`LoadResult` whose rejected rows wait on disk (a streamed load).

    ``rejected`` reads them back into one frame when asked; :meth:`rejected_parts` gives
    them a chunk at a time, and :attr:`rejected_head` holds what counts need, in memory.
    """

    def __init__(self, accepted: gpd.GeoDataFrame, spill: Any, n_input: int,
                 duplicates: pd.DataFrame, n_blank: int = 0, kind: str = "events",
                 notes: list[str] | None = None):
        self.spill = spill
        self._head = spill.head()
        super().__init__(accepted, None, n_input, duplicates, n_blank, kind,
                         list(notes or []))

    @property  # type: ignore[override]
    def rejected(self) -> pd.DataFrame:
        """Every rejected row with its cells, read back from disk (see LoadResult)."""
        return self.spill.frame()

    @rejected.setter
    def rejected(self, value: Any) -> None:
        if value is not None:
            raise AttributeError("a streamed load's rejected rows are read from its spill")

    @property
    def rejected_head(self) -> pd.DataFrame:
        """The rejected rows without their cells, kept in memory."""
        return self._head

    def rejected_columns(self) -> list[str]:
        """The columns of :attr:`rejected`, known without reading the rows back."""
        return self.spill.columns()

    def rejected_parts(self) -> Any:
        """The rejected rows, a chunk at a time (frames of :attr:`rejected`'s rows)."""
        return self.spill.parts()
