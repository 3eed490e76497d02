"""Say how sahelmap reads a file before trusting a map made from it: :func:`inspect`.

For each file: the layout recognised (ACLED events, DTM baseline assessment, DTM site
assessment, DTM flow monitoring, HDX HAPI idps, UNHCR, generic table), how every column is
understood (date, place, P-codes and their version, each figure and whether it is a stock or
a flow, households, flags and columns left out, and why), the dates covered, the row counts
and the rejections a load would make (or why a load would refuse the file).

The file is read once; the load runs on the table already read, so a 100,000-row file is
inspected in well under a second once the gazetteer is loaded.

The module is ``inspection``, not ``inspect``: a submodule named like a public function
would replace the function as ``sahelmap.inspect`` once imported (the house rule that
``tests/test_public_api.py`` checks).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sahelmap.errors import PcodeVersionError, SahelmapError
from sahelmap.loaders.columns import NOT_READ
from sahelmap.loaders.dates import parse_dates, parse_periods
from sahelmap.loaders.files import read_table
from sahelmap.loaders.tables import (
    Options,
    PathOrPaths,
    Table,
    as_paths,
    numeric_columns,
    recognise,
)
from sahelmap.pcodes import infer_pcode_version
from sahelmap.vocab import FIGURE_NATURE, FIGURE_RULES, FIGURE_TYPES, LAYOUTS, fold

__all__ = ["ColumnReport", "FileReport", "InspectReport", "inspect"]

_ROLES = {
    "date": "date of the figures (start of the reporting period)",
    "period_end": "end of the reporting period",
    "period": "reporting period",
    "place": "place name",
    "lon": "longitude", "lat": "latitude",
    "country": "country",
    "admin1": "admin 1 name (region)", "admin2": "admin 2 name (cercle/department)",
    "admin3": "admin 3 name (commune)", "admin4": "admin 4 name", "admin5": "admin 5 name",
    "figure_type": "figure type of the row (long table)",
    "count": "count of people of the row's figure type (long table)",
    "households": "households: kept as 'households' beside the people, never summed with "
                  "them nor read as people",
    "source": "source", "notes": "notes", "is_synthetic": "synthetic-row flag",
    "event_type": "event type", "sub_event_type": "sub-event type", "actor1": "actor 1",
    "actor2": "actor 2", "fatalities": "fatalities (a flow: summed)",
    "event_id": "event identifier", "inter1": "actor type code of actor 1",
}
_LEVEL = {"adm1_pcode": 1, "adm2_pcode": 2, "adm3_pcode": 3}
_NAMES = {"adm1_pcode": "admin1", "adm2_pcode": "admin2", "adm3_pcode": "admin3"}


@dataclass
class ColumnReport:
    """How one column of a file is understood.

    Attributes
    ----------
    column : str
        The header as in the file.
    field : str
        sahelmap's field (``"date"``, ``"idps"``, ``"households"``...), ``"flag"`` for a 0/1
        reason for displacement, or ``""`` when the column is not read.
    role : str
        What the column is taken to hold, in words (stock or flow for a figure, the P-code
        version, why a column is left out).
    how : str
        ``"mapping"`` (``columns=``), ``"hxl"``, ``"header"``, ``"layout"``, ``"values"``
        (0/1 flags) or ``""``.
    """

    column: str
    field: str
    role: str
    how: str = ""


@dataclass
class FileReport:
    """What sahelmap makes of one file (see :func:`inspect`)."""

    path: str
    layout: str = "generic"
    kind: str = "displacement"
    sheet: str | None = None
    sheet_note: str = ""
    n_rows: int = 0
    n_blank: int = 0
    columns: list[ColumnReport] = field(default_factory=list)
    first_date: str | None = None
    last_date: str | None = None
    n_accepted: int | None = None
    n_records: int | None = None
    rejections: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    refusal: str = ""
    seconds: float = 0.0

    @property
    def layout_name(self) -> str:
        """The layout in words."""
        return LAYOUTS.get(self.layout, self.layout)

    def __str__(self) -> str:
        where = f" (sheet {self.sheet!r})" if self.sheet else ""
        lines = [f"{self.path}{where}", f"  layout: {self.layout_name} -> read as "
                 f"{self.kind}"]
        if self.sheet_note:
            lines.append(f"  {self.sheet_note}")
        blank = f", {self.n_blank:,} blank skipped" if self.n_blank else ""
        lines.append(f"  rows: {self.n_rows:,}{blank}")
        if self.first_date:
            lines.append(f"  dates: {self.first_date} to {self.last_date}")
        lines.append("  columns:")
        width = min(max((len(c.column) for c in self.columns), default=0), 40)
        for c in self.columns:
            how = f" [{c.how}]" if c.how else ""
            lines.append(f"    {c.column:<{width}}  {c.role}{how}")
        if self.refusal:
            lines.append(f"  a load would refuse the file: {self.refusal}")
        elif self.n_accepted is not None:
            records = (f" ({self.n_records:,} records)" if self.n_records != self.n_accepted
                       else "")
            lines.append(f"  a load: {self.n_accepted:,} rows accepted{records}, "
                         f"{sum(self.rejections.values()):,} rejected")
            for reason, n in self.rejections.items():
                lines.append(f"    {n:,} x {reason}")
            if self.totals:
                lines.append("  accepted: " + ", ".join(
                    f"{k} {v:,}" for k, v in self.totals.items()))
        lines.append(f"  inspected in {self.seconds:.2f} s")
        return "\n".join(lines)


@dataclass
class InspectReport:
    """One :class:`FileReport` per file; ``str()`` gives the text the command line prints."""

    files: list[FileReport]

    def __str__(self) -> str:
        return "\n\n".join(str(f) for f in self.files)

    def __getitem__(self, index: int) -> FileReport:
        return self.files[index]

    def __len__(self) -> int:
        return len(self.files)


def inspect(paths: PathOrPaths, *, columns: Mapping[str, str | None] | None = None,
            kind: str | None = None, dayfirst: bool = True, today: Any = None,
            gazetteer: Any = None, sheet: str | int | None = None,
            layer: str | int | None = None, encoding: str | None = None,
            country: str | None = None, load: bool = True) -> InspectReport:
    """Say how sahelmap reads each file: layout, every column's meaning, dates, rejections.

    Parameters
    ----------
    paths : path-like or sequence of path-likes
        CSV, XLSX, GeoJSON or GeoPackage files.
    columns : mapping, optional
        ``{file column: field or None}``, as for :func:`sahelmap.read_displacement`.
    kind : {"events", "displacement"}, optional
        How to read the files; by default ACLED-layout files as events, the others as
        displacement.
    dayfirst, today, gazetteer, sheet, layer, encoding, country
        As for :func:`sahelmap.read_displacement`.
    load : bool
        Also run the load (on the table already read) to count its rejections.

    Returns
    -------
    InspectReport
        ``report.files[i]`` is a :class:`FileReport`; ``print(report)`` shows them.

    Raises
    ------
    InputFileError
        A file is missing or unreadable (a file sahelmap can read but would refuse to load
        is reported, with the reason, in ``FileReport.refusal``).

    Examples
    --------
    >>> import sahelmap
    >>> report = sahelmap.inspect(sahelmap.example_path("displacement.csv"),
    ...                           gazetteer=sahelmap.example_path("places.csv"))
    >>> report[0].layout, report[0].kind
    ('generic', 'displacement')
    """
    from sahelmap.loaders.columns import detect_layout

    reports = []
    for path in as_paths(paths):
        started = time.perf_counter()
        options = Options(columns, dayfirst, today, gazetteer, 85.0, "reject", False, sheet,
                          layer, encoding, "point", country)
        report = FileReport(str(path))

        def header_hint(cells: list[object], report: FileReport = report) -> bool:
            from sahelmap.loaders.columns import recognise_columns

            chosen = kind or ("events" if detect_layout([c for c in cells if c is not None])
                              == "acled" else "displacement")
            found = recognise_columns([c for c in cells if c is not None],
                                      kind=chosen).fields
            return bool({"date", "place", "period"} & set(found))

        raw = read_table(path, sheet=sheet, layer=layer, encoding=encoding,
                         header_hint=header_hint)
        report.layout = detect_layout(list(raw.frame.columns))
        report.kind = kind or ("events" if report.layout == "acled" else "displacement")
        report.sheet, report.sheet_note = raw.sheet, raw.note
        report.n_rows, report.n_blank = len(raw.frame), raw.n_blank
        try:
            table = recognise(raw, report.kind, columns)
        except SahelmapError as exc:
            report.refusal = str(exc)
            table = _partial(raw, report.kind, columns)
        if table is not None:
            report.layout = table.cmap.layout
            report.columns = _columns(table, report.kind)
            report.first_date, report.last_date = _date_range(table, dayfirst)
        if load and not report.refusal and table is not None:
            _load(report, table, options)
        report.seconds = time.perf_counter() - started
        reports.append(report)
    return InspectReport(reports)


def _partial(raw: Any, kind: str, columns: Mapping[str, str | None] | None) -> Table | None:
    """The column map of a file a load would refuse (to explain its columns anyway)."""
    from sahelmap.loaders.tables import _recognised

    try:
        return Table(raw, _recognised(raw, kind, columns), None)
    except SahelmapError:
        return None


def _columns(table: Table, kind: str) -> list[ColumnReport]:
    raw, cmap = table.raw, table.cmap
    by_column = {column: name for name, column in cmap.fields.items()}
    unread = [c for c in raw.frame.columns if c not in by_column and c not in cmap.flags]
    numeric = set(numeric_columns(raw, unread))
    out = []
    for column in raw.frame.columns:
        name = by_column.get(column)
        if name is not None:
            out.append(ColumnReport(column, name, _role(table, name, kind),
                                    cmap.how.get(name, "")))
        elif column in cmap.flags:
            out.append(ColumnReport(column, "flag", "flag: a 0/1 reason for displacement; "
                                    "ignored, never a figure", "values"))
        else:
            why = NOT_READ.get(fold(column, sep="_"))
            if why is None and column in numeric:
                why = ("numbers, not read: no figure is named so; if it counts people, map "
                       f"it with columns={{'{column}': 'idps'}} (or another figure type)")
            out.append(ColumnReport(column, "", f"ignored: {why}" if why else "ignored"))
    return out


def _role(table: Table, name: str, kind: str) -> str:
    if name in FIGURE_TYPES:
        nature = FIGURE_NATURE[name]
        return f"figure {name} ({FIGURE_RULES[nature]})"
    if name == "adm3_pcode":
        return "ADM3 P-code: kept in rejected rows; rows are placed by ADM1/ADM2 codes"
    if name in _LEVEL:
        return f"ADM{_LEVEL[name]} P-code, places the row directly; {_version(table, name)}"
    role = _ROLES.get(name, name)
    if name == table.place_from:
        role += "; the place where given, else the next admin name up"
    if name == "date" and kind == "displacement":
        role = "date of the figures (the snapshot or start of the reporting period)"
    return role


def _version(table: Table, name: str) -> str:
    raw, cmap = table.raw, table.cmap
    pairs = pd.DataFrame({"code": raw.frame[cmap.fields[name]].astype(object)})
    names = cmap.fields.get(_NAMES[name])
    pairs["name"] = raw.frame[names].astype(object) if names else None
    pairs = pairs.dropna(subset=["code"]).drop_duplicates()
    if not len(pairs) or _LEVEL[name] == 3:
        return "version not checked" if len(pairs) else "empty"
    try:
        versions = infer_pcode_version(pairs["code"], pairs["name"] if names else None,
                                       level=_LEVEL[name])
    except PcodeVersionError as exc:
        return f"version unknown ({exc})"
    if "|" in versions:
        return (f"version {versions.replace('|', ' or ')} (the codes present mean the same "
                "units in each)")
    return f"version {versions}"


def _date_range(table: Table, dayfirst: bool) -> tuple[str | None, str | None]:
    cmap = table.cmap
    column = cmap.fields.get("date") or cmap.fields.get("period")
    if column is None:
        return None, None
    periods = parse_periods(table.raw.frame[column], dayfirst=dayfirst)
    start, end = periods.start.dropna(), periods.end.dropna()
    if not len(start):
        return None, None
    last = max(start.max(), end.max()) if len(end) else start.max()
    if cmap.fields.get("period_end"):
        ends = parse_dates(table.raw.frame[cmap.fields["period_end"]], dayfirst=dayfirst)
        if ends.end.notna().any():
            last = max(last, ends.end.max())
    return f"{start.min():%Y-%m-%d}", f"{last:%Y-%m-%d}"


def _load(report: FileReport, table: Table, options: Options) -> None:
    from sahelmap.loaders.displacement import _Displacement
    from sahelmap.loaders.events import _Events
    from sahelmap.vocab import vocabulary

    if report.kind == "events":
        loader: Any = _Events([table], options, vocabulary("events"))
    else:
        loader = _Displacement([table], options, vocabulary("figures"))
    try:
        result = loader.run()
    except SahelmapError as exc:
        report.refusal = str(exc)
        return
    report.n_accepted, report.n_records = result.n_accepted, result.n_records
    if len(result.rejected):
        reasons = (result.rejected["column"].astype(str) + ": "
                   + result.rejected["reason"].astype(str))
        report.rejections = {str(k): int(v) for k, v in reasons.value_counts().items()}
    acc = result.accepted
    if report.kind == "displacement" and len(acc):
        report.totals = _totals(acc)
    elif len(acc):
        report.totals = {"events": len(acc), "fatalities": int(acc["fatalities"].sum())}



def _totals(acc: pd.DataFrame) -> dict[str, int]:
    """Flows summed; stocks at each place's latest snapshot (never summed across rounds)."""
    out: dict[str, int] = {}
    keys = [c for c in ("place", "adm1_pcode", "adm2_pcode") if c in acc.columns]
    frame = acc[["figure_type", "count", "date", "households", *keys]].copy()
    for column in keys:
        frame[column] = frame[column].astype(object).fillna("")
    for name, rows in frame.groupby("figure_type", sort=False):
        if FIGURE_NATURE.get(str(name)) == "stock":
            latest = rows.groupby(keys)["date"].transform("max") if keys else rows["date"].max()
            rows = rows[rows["date"] == latest]
            label = f"{name} at each place's latest snapshot"
            if rows["households"].notna().any():
                out[f"{name} households at the same snapshots"] = int(rows["households"].sum())
        else:
            label = f"{name} summed"
        out[label] = int(rows["count"].sum())
    return dict(sorted(out.items(), key=lambda kv: "households" in kv[0]))
