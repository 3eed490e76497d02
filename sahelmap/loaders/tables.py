"""Files in, one canonical text table out: options, reading, column recognition.

Each file is read by :mod:`~sahelmap.loaders.files` into a :class:`RawTable`, its columns are
recognised by :mod:`~sahelmap.loaders.columns` (or refused with a message naming the missing
field and the ``columns=`` mapping that fixes it), and all files' rows are stacked into one
frame of field texts with ``source_file`` and ``source_row`` (the row a person sees).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sahelmap.errors import InputFileError, OptionError, warn
from sahelmap.loaders.checks import parse_counts
from sahelmap.loaders.columns import NOT_READ, ColumnMap, detect_layout, recognise_columns
from sahelmap.loaders.dates import to_timestamp
from sahelmap.loaders.files import MARKERS, RawTable, read_table
from sahelmap.vocab import (
    FIGURE_TYPES,
    FLAG_VALUES,
    LAYOUTS,
    MAX_COUNTS,
    REASON_WORDS,
    country_code,
    fold,
    vocabulary,
)

__all__ = ["Options", "Table", "OnUnmatched", "PathOrPaths", "canonical", "read_all"]

logger = logging.getLogger("sahelmap.loaders")

PathOrPaths = str | PathLike | Sequence[str | PathLike]
OnUnmatched = Literal["reject", "keep"]
# Fields stripped here (empty becomes NA); the others are parsed by checks that strip them
# themselves, or are free text kept as written (a million distinct notes cost seconds).
_STRIPPED = {"place", "country", "admin1", "admin2", "admin3", "event_type", "figure_type",
             "source", "adm1_pcode", "adm2_pcode", "adm3_pcode", "admin4", "admin5",
             "event_id", "inter1"}



@dataclass(frozen=True)
class Options:
    """The options of one load, as the public readers received them (checked here)."""

    columns: Mapping[str, str | None] | None
    dayfirst: bool
    today: Any  # date-like; a Timestamp (default: now) once built
    gazetteer: Any
    fuzzy_threshold: float
    on_unmatched: str
    merge_duplicates: bool
    sheet: str | int | None
    layer: str | int | None
    encoding: str | None
    prefer: str = "point"
    country: str | None = None
    max_counts: Mapping[str, float | None] | None = None  # defaults: vocab.MAX_COUNTS

    def __post_init__(self) -> None:
        object.__setattr__(self, "max_counts", _bounds(self.max_counts))
        if self.country is not None and country_code(self.country) is None:
            raise OptionError(f"country={self.country!r} is not Mali or Niger (give 'Mali', "
                              "'Niger', 'ML', 'NE', 'MLI' or 'NER')")
        if self.prefer not in ("point", "admin"):
            raise OptionError(f"prefer must be 'point' or 'admin', not {self.prefer!r}")
        if self.on_unmatched not in ("reject", "keep"):
            raise OptionError(f"on_unmatched must be 'reject' or 'keep', not "
                              f"{self.on_unmatched!r}")
        object.__setattr__(self, "today", to_timestamp(self.today))
        object.__setattr__(self, "merge_duplicates", bool(self.merge_duplicates))


def _bounds(given: Mapping[str, float | None] | None) -> dict[str, float]:
    """:data:`~sahelmap.vocab.MAX_COUNTS` with the user's bounds (None: no bound)."""
    bounds = dict(MAX_COUNTS)
    for key, value in dict(given or {}).items():
        if key not in bounds:
            raise OptionError(f"max_counts: unknown figure {key!r}; the figures with a bound "
                              f"are {', '.join(bounds)}")
        try:
            number = float("inf") if value is None else float(value)
        except (TypeError, ValueError):
            number = float("nan")
        if not number > 0:
            raise OptionError(f"max_counts: the bound of {key} must be a positive number, "
                              f"not {value!r}")
        bounds[key] = number
    return bounds


def as_paths(paths: PathOrPaths) -> list[Path]:
    if isinstance(paths, (str, PathLike)):
        return [Path(paths)]
    out = [Path(p) for p in paths]
    if not out:
        raise OptionError("no file given")
    return out


@dataclass
class Table:
    """One file read, with its column map and the field used as the place."""

    raw: RawTable
    cmap: ColumnMap
    place_from: str | None


def read_all(paths: PathOrPaths, kind: str, options: Options) -> list[Table]:
    """Read every file and recognise its columns (refusing files that lack a field)."""

    def header_hint(cells: list[object]) -> bool:
        found = recognise_columns([c for c in cells if c is not None], kind=kind).fields
        return bool({"date", "place", "period"} & set(found))

    tables = []
    for path in as_paths(paths):
        raw = read_table(path, sheet=options.sheet, layer=options.layer,
                         encoding=options.encoding, header_hint=header_hint)
        tables.append(recognise(raw, kind, options.columns))
    return tables


def flag_columns(raw: RawTable) -> list[str]:
    """Columns named after a reason for displacement whose values are only 0/1 or yes/no.

    A column whose header is also a figure's name (``Returns``, ``Retours``) is a flag only
    beside another such reason column or in a DTM layout: alone in a generic table, a
    column of 0 and 1 returns is more likely a small count.
    """
    out = []
    for column in raw.frame.columns:
        if fold(column) not in REASON_WORDS:
            continue
        values = pd.unique(raw.frame[column].dropna())
        if all(fold(v) in FLAG_VALUES for v in values):
            out.append(column)
    figures = vocabulary("figures")
    reasons_only = [c for c in out if fold(c) not in figures]
    if not reasons_only and not detect_layout(list(raw.frame.columns)).startswith("dtm"):
        return []
    return out


def _recognised(raw: RawTable, kind: str, mapping: Mapping[str, str | None] | None
                ) -> ColumnMap:
    headers = list(raw.frame.columns)

    def attempt(extra: Mapping[str, None]) -> ColumnMap:
        try:
            return recognise_columns(headers, kind=kind, hxl_tags=raw.hxl_tags,
                                     mapping={**extra, **(mapping or {})})
        except KeyError as exc:
            key = exc.args[0]
            raise InputFileError(
                f"column {key!r} named in columns= is not in the file; its columns are: "
                f"{', '.join(headers)}", path=raw.path,
                field=str((mapping or {}).get(key))) from None

    flags = [c for c in flag_columns(raw) if c not in (mapping or {})] if kind == (
        "displacement") else []
    cmap = attempt(dict.fromkeys(flags))
    cmap.flags = flags
    cmap.layout = detect_layout(headers)
    if flags:
        logger.info("%s: %s read as 0/1 flags of reasons for displacement, not figures",
                    raw.path, ", ".join(map(repr, flags)))
    fields = cmap.fields
    if kind == "displacement" and cmap.layout == "hapi-idps" and "count" in fields and not (
            {"figure_type", *FIGURE_TYPES} & set(fields)):
        fields["idps"] = fields.pop("count")  # HAPI's idps table: every figure is IDPs
        cmap.how["idps"] = "layout"
        cmap.how.pop("count", None)
    return cmap


def numeric_columns(raw: RawTable, columns: Sequence[str]) -> list[str]:
    """The columns among ``columns`` whose filled cells are all numbers (not only 0/1)."""
    out = []
    for column in columns:
        values = pd.Series(pd.unique(raw.frame[column].dropna()), dtype="str")
        if not len(values):
            continue
        numbers = pd.to_numeric(values.str.replace(r"[\s,]", "", regex=True), errors="coerce")
        if numbers.notna().all() and not numbers.isin([0, 1]).all():
            out.append(column)
    return out


def check_figures(raw: RawTable, cmap: ColumnMap) -> None:
    """Refuse a figure column that is entirely zero or empty while other numbers are there.

    Such a column almost always means the wrong column was taken for the figure (the
    real one has a header sahelmap does not know): reading it would give a silent zero.
    """
    fields = cmap.fields
    figures = [f for f in (*FIGURE_TYPES, "count") if f in fields]
    if not figures:
        return
    empty = []
    for name in figures:
        values = pd.Series(pd.unique(raw.frame[fields[name]].dropna()), dtype="str")
        parsed = parse_counts(values)["value"] if len(values) else pd.Series(dtype=float)
        if not (parsed > 0).any():
            empty.append(name)
    if not empty:
        return
    used = set(fields.values()) - {fields.get("households")}
    others = numeric_columns(raw, [c for c in raw.frame.columns
                                   if c not in used and c not in cmap.flags])
    chosen = [n for n in empty if cmap.how.get(n) != "mapping"]
    if others and chosen:
        name = chosen[0]
        shown = ", ".join(repr(c) + (" (households, not people)"
                                     if c == fields.get("households") else "")
                          for c in others)
        target = name if name != "count" else "idps"
        raise InputFileError(
            f"the {name} column {fields[name]!r} is entirely zero or empty, so the file "
            f"would read as 0 {name}; the file has other numeric columns: {shown}. Map the "
            f"column of people with columns={{'{others[0]}': '{target}'}} (command line: "
            f"--displacement-columns \"{others[0]}={target}\"), or ignore the empty one "
            f"with columns={{'{fields[name]}': None}}", path=raw.path, field=name)
    if len(empty) == len(figures):
        warn(f"{raw.path}: every figure of the file is zero or empty "
             f"({', '.join(repr(fields[n]) for n in empty)})")


def _shown(name: object) -> str:
    r"""A column name for a one-line message: control characters escaped, at most 40 long.

    >>> _shown("Lieu"), _shown("\x00" * 50)
    ('Lieu', '\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00...')
    """
    text = str(name)
    if not text.isprintable():
        text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= 40 else text[:37] + "..."


def recognise(raw: RawTable, kind: str, mapping: Mapping[str, str | None] | None) -> Table:
    headers = [c for c in raw.frame.columns if c not in MARKERS]
    cmap = _recognised(raw, kind, mapping)
    fields = cmap.fields
    place_from = None
    if "place" not in fields:
        for fallback in ("admin5", "admin4", "admin3", "admin2", "admin1"):
            if fallback in fields:
                place_from = fallback
                logger.info("%s: no place column; the %s column %r is used as the place",
                            raw.path, fallback, fields[fallback])
                break
    has_points = raw.point_lon is not None and bool(np.isfinite(raw.point_lon).any())
    listed = ", ".join(map(_shown, headers[:40])) + (
        f" and {len(headers) - 40:,} more" if len(headers) > 40 else "") or "(none)"
    hint = "map one with columns={'<column>': '%s'}"

    def missing(field: str, what: str) -> InputFileError:
        return InputFileError(f"no {what} column found; the columns are: {listed}; "
                              + hint % field, path=raw.path, field=field)

    if "date" not in fields and not (kind == "displacement" and "period" in fields):
        raise missing("date", "date")
    if ("place" not in fields and place_from is None and has_points is False
            and not ("lon" in fields and "lat" in fields)):
        raise missing("place", "place (nor longitude/latitude)")
    if kind == "events" and "event_type" not in fields:
        raise missing("event_type", "event type")
    if kind == "displacement":
        wide = [f for f in FIGURE_TYPES if f in fields]
        if not wide and not ("figure_type" in fields and "count" in fields):
            if "households" in fields and "count" not in fields:
                raise InputFileError(
                    f"only household counts (column {fields['households']!r}) found; "
                    "households are not people: add a column of people, or map a column "
                    "of people with columns={'<column>': 'idps'} (or another figure type)",
                    path=raw.path, field="count")
            if "count" in fields:
                raise InputFileError(
                    f"a count column ({fields['count']!r}) but no figure type column; map "
                    "the count to a figure type with columns={'%s': 'idps'} (or arrivals, "
                    "returns, departures), or add a figure type column" % fields["count"],
                    path=raw.path, field="figure_type")
            if "figure_type" in fields:
                raise missing("count", "count")
            if cmap.layout == "unhcr":
                raise InputFileError(
                    "a UNHCR table of refugees or asylum-seekers: they are not IDPs and "
                    f"sahelmap has no refugee figure ({', '.join(FIGURE_TYPES)}); the columns "
                    f"are: {listed}", path=raw.path, field="count")
            raise InputFileError(
                "no figures found: neither figure type + count columns nor columns named "
                f"after figure types ({', '.join(FIGURE_TYPES)}); the columns are: {listed}",
                path=raw.path, field="count")
        check_figures(raw, cmap)
    return Table(raw, cmap, place_from)


def table_notes(table: Table) -> list[str]:
    """What was decided about a file on the reader's behalf, one line each."""
    raw, cmap = table.raw, table.cmap
    notes = []
    if raw.note:
        notes.append(f"{raw.path}: {raw.note}")
    if cmap.layout != "generic":
        notes.append(f"{raw.path}: layout recognised: {LAYOUTS[cmap.layout]}")
    if cmap.flags:
        notes.append(f"{raw.path}: {', '.join(map(repr, cmap.flags))} hold 0/1 reasons for "
                     "displacement: flags, not figures")
    for column in cmap.unmapped:
        why = NOT_READ.get(fold(column, sep="_"))
        if why and any(word in why for word in ("stock", "households", "part of",
                                                 "refugees")):
            notes.append(f"{raw.path}: column {column!r} not read: {why}")
    return notes


def _clean_text(values: pd.Series) -> pd.Series:
    """Strip every value; empty becomes NA. Returns the ``str`` dtype.

    In arrow, without Python strings (a column of distinct notes costs as much as one of
    a few values); ``Series.str.strip`` of the ``str`` dtype is this same trim.
    """
    text = pc.utf8_trim_whitespace(pa.array(values.astype("str").array))
    empty = pc.equal(text, "")
    if pc.any(empty).as_py():  # not a second copy of the column when no cell is blank
        text = pc.if_else(empty, pa.scalar(None, text.type), text)
    return pd.Series(text, index=values.index, dtype="str")


def canonical(tables: list[Table], fields: Sequence[str]) -> pd.DataFrame:
    """One frame of all files' rows: ``_file``, ``_pos``, source columns and field texts."""
    parts = []
    for number, table in enumerate(tables):
        raw, cmap = table.raw, table.cmap
        n = len(raw.frame)
        part = {
            "_file": np.full(n, number, dtype="int64"),
            "_pos": np.arange(n, dtype="int64"),
            "source_file": pd.Series([raw.path] * n, dtype="str"),
            "source_row": raw.rows,
            "_plon": raw.point_lon if raw.point_lon is not None else np.full(n, np.nan),
            "_plat": raw.point_lat if raw.point_lat is not None else np.full(n, np.nan),
        }
        for name in fields:
            column = cmap.get(name)
            if name == "place" and column is None and table.place_from:
                column = cmap.get(table.place_from)
            if column is None:
                part[name] = pd.Series(pd.NA, index=range(n), dtype="str")
            else:
                part[name] = raw.frame[column].reset_index(drop=True)
        parts.append(pd.DataFrame(part))
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    for name in fields:
        if name in _STRIPPED:
            frame[name] = _clean_text(frame[name].astype("str"))
        else:
            frame[name] = frame[name].astype("str")
    return frame

