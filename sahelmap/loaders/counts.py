"""Pre-aggregated event counts: HDX HAPI conflict-event tables, read as figures per unit.

HDX HAPI publishes ACLED's events as counts per admin unit, month and event type
(``coordination-context/conflict-events``)::

    location_code, location_name, admin1_code, admin1_name, provider_admin1_name,
    admin2_code, admin2_name, provider_admin2_name, admin_level, event_type, events,
    fatalities, reference_period_start, reference_period_end

These are not event reports: :func:`read_event_counts` reads them as figures (``events``,
``fatalities``) per unit and period, placed by their own P-codes (version-aware: HAPI codes
Mali with the 2021 COD, where ML09 is Bamako; see :mod:`sahelmap.pcodes`), and
:func:`sahelmap.summarize` adds them with ``event_counts=``.

ACLED's ``civilian_targeting`` counts are a subset of its ``political_violence`` counts (the
same events, flagged): summing the three types would count them twice. The accepted rows say
in ``counted`` which rows the totals use: ``political_violence`` and ``demonstration``.
"""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from sahelmap.errors import BoundaryError, InputFileError
from sahelmap.loaders.checks import Problems, parse_counts
from sahelmap.loaders.dates import parse_dates
from sahelmap.loaders.files import read_table
from sahelmap.loaders.result import LoadResult
from sahelmap.pcodes import map_adm1_pcode, map_adm2_pcode, resolve_version
from sahelmap.vocab import REJECTED_COLUMNS

__all__ = ["COUNT_COLUMNS", "HAPI_EVENT_TYPES", "is_event_counts", "read_event_counts",
           "table_header"]

#: HAPI's event types; ``civilian_targeting`` is a subset of ``political_violence``.
HAPI_EVENT_TYPES = {"political_violence": True, "demonstration": True,
                    "civilian_targeting": False}
_NEEDED = ("admin1_code", "event_type", "events", "reference_period_start")
#: Columns of the accepted count rows.
COUNT_COLUMNS = ("source_file", "source_row", "period_start", "period_end", "adm0_pcode",
                 "adm1_pcode", "adm1_name", "adm2_pcode", "adm2_name", "event_type", "events",
                 "fatalities", "counted", "pcode_version")


def is_event_counts(columns: Sequence[object]) -> bool:
    """Whether a header is a HAPI conflict-event table's (counts, not event reports).

    Examples
    --------
    >>> is_event_counts(["location_code", "admin1_code", "event_type", "events",
    ...                  "fatalities", "reference_period_start", "reference_period_end"])
    True
    >>> is_event_counts(["event_id_cnty", "event_date", "event_type", "fatalities"])
    False
    """
    names = {str(c).strip().lower() for c in columns}
    return set(_NEEDED) <= names


def table_header(path: Path) -> list[str]:
    """The column names of a file, reading only its first line where it is text."""
    if path.suffix.lower() in (".csv", ".txt") and path.is_file():
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            line = handle.readline()
        return [c.strip().strip('"') for c in line.rstrip("\r\n").split(",")]
    return list(read_table(path).frame.columns)


def read_event_counts(paths: str | PathLike | Sequence[str | PathLike], *,
                      pcode_version: str | None = None) -> LoadResult:
    r"""Read HAPI conflict-event tables: events and fatalities per admin unit and month.

    Parameters
    ----------
    paths : path-like or sequence of path-likes
        CSV, XLSX or HAPI API JSON files with HAPI's columns.
    pcode_version : str, optional
        The version of the files' Mali P-codes (HAPI uses ``"cod-2021"``); told from the codes
        and names when not given.

    Returns
    -------
    LoadResult
        ``kind="event_counts"``; ``accepted`` has :data:`COUNT_COLUMNS` (no geometry: the
        figures belong to units). Rows of unknown codes, dates or event types, or negative
        counts, are rejected with the reason.

    Raises
    ------
    InputFileError
        A file lacks HAPI's columns.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "hapi.csv"
    >>> _ = path.write_text(
    ...     "location_code,admin1_code,admin1_name,admin2_code,admin2_name,event_type,"
    ...     "events,fatalities,reference_period_start,reference_period_end\n"
    ...     "MLI,ML09,Bamako,ML0901,Bamako,political_violence,2,1,2024-01-01,2024-01-31\n"
    ...     "MLI,ML07,Gao,ML0703,Gao,civilian_targeting,1,1,2024-01-01,2024-01-31\n")
    >>> counts = read_event_counts(path)
    >>> counts.accepted[["adm1_pcode", "adm2_pcode", "events", "counted"]].values.tolist()
    [['ML20', 'ML0901', 2, True], ['ML07', 'ML0703', 1, False]]
    """
    path_list = ([Path(paths)] if isinstance(paths, (str, PathLike))
                 else [Path(p) for p in paths])
    parts, rejected, n_input = [], [], 0
    for path in path_list:
        raw = read_table(path)
        frame = raw.frame.rename(columns=lambda c: str(c).strip().lower())
        if not is_event_counts(frame.columns):
            raise InputFileError(
                f"not a HAPI conflict-event table: it needs the columns {', '.join(_NEEDED)}; "
                f"it has {', '.join(map(str, raw.frame.columns))}", path=path)
        accepted, bad = _read_one(str(path), frame, raw.rows, pcode_version)
        parts.append(accepted)
        rejected.append(bad)
        n_input += len(frame)
    accepted = pd.concat(parts, ignore_index=True)
    return LoadResult(gpd.GeoDataFrame(accepted), pd.concat(rejected, ignore_index=True),
                      n_input, pd.DataFrame(), kind="event_counts")


def _read_one(path: str, frame: pd.DataFrame, rows: np.ndarray,
              pcode_version: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = len(frame)
    problems = Problems(n)
    column = {name: frame[name] if name in frame else pd.Series([None] * n, dtype="str")
              for name in ("admin1_code", "admin1_name", "admin2_code", "admin2_name",
                           "event_type", "events", "fatalities", "reference_period_start",
                           "reference_period_end", "location_code")}
    start = parse_dates(column["reference_period_start"])
    end = parse_dates(column["reference_period_end"])
    problems.add("date", start.missing | start.unparsed, column["reference_period_start"],
                 "missing or unparseable reference_period_start")
    kind = column["event_type"].str.strip().str.lower()
    problems.add("event_type", ~kind.isin(list(HAPI_EVENT_TYPES)).to_numpy(),
                 column["event_type"],
                 f"not a HAPI event type ({', '.join(HAPI_EVENT_TYPES)})")
    events = parse_counts(column["events"], what="events")
    fatalities = parse_counts(column["fatalities"], what="fatalities")
    problems.add("events", (events["problem"].notna() | events["value"].isna()).to_numpy(),
                 column["events"], events["problem"].fillna("missing events").to_numpy())
    problems.add("fatalities", fatalities["problem"].notna().to_numpy(), column["fatalities"],
                 fatalities["problem"].to_numpy())
    codes = column["admin1_code"].str.strip().str.upper()
    names = column["admin1_name"].to_numpy(dtype=object)
    try:  # the version is told once, from the ADM1 codes and names, and serves both levels
        version = resolve_version(codes, names, version=pcode_version)
        adm1 = map_adm1_pcode(codes, version=version or None)
        adm2 = map_adm2_pcode(column["admin2_code"].str.strip().str.upper(),
                              version=pcode_version,
                              names=column["admin2_name"].to_numpy(dtype=object))
    except BoundaryError as exc:  # PcodeVersionError: say which file
        raise type(exc)(f"file {path}: {exc}") from None
    problems.add("admin1_code", adm1.isna().to_numpy(), column["admin1_code"],
                 "not a P-code of Mali or Niger in any known version")
    given2 = column["admin2_code"].notna().to_numpy()
    problems.add("admin2_code", given2 & adm2.isna().to_numpy(), column["admin2_code"],
                 "not a cercle/department P-code (2021 COD, v03 namesake, or Niger v02)")
    ok = ~problems.bad
    table = problems.table()
    bad = pd.DataFrame({
        "source_file": path, "source_row": rows[table["row"].to_numpy()],
        "field": table["field"].to_numpy(), "column": table["field"].to_numpy(),
        "value": table["value"].astype(str).to_numpy(), "reason": table["reason"].to_numpy(),
    }, columns=list(REJECTED_COLUMNS))
    from sahelmap.boundaries import admin_units

    regions = admin_units("adm1", structure="2016")
    region_names = dict(zip(regions["adm1_pcode"], regions["adm1_name"]))
    cercles = admin_units("adm2")
    cercle_names = dict(zip(cercles["adm2_pcode"], cercles["adm2_name_fr"]))
    keep = np.flatnonzero(ok)
    accepted = pd.DataFrame({
        "source_file": path, "source_row": rows[keep].astype("int64"),
        "period_start": start.start.iloc[keep].to_numpy(dtype="datetime64[ns]"),
        "period_end": end.end.iloc[keep].to_numpy(dtype="datetime64[ns]"),
        "adm0_pcode": adm1.iloc[keep].str[:2].to_numpy(dtype=object),
        "adm1_pcode": adm1.iloc[keep].to_numpy(dtype=object),
        "adm1_name": adm1.iloc[keep].map(region_names).to_numpy(dtype=object),
        "adm2_pcode": adm2.iloc[keep].to_numpy(dtype=object),
        "adm2_name": adm2.iloc[keep].map(cercle_names).to_numpy(dtype=object),
        "event_type": kind.iloc[keep].to_numpy(dtype=object),
        "events": events["value"].iloc[keep].astype("int64").to_numpy(),
        "fatalities": fatalities["value"].iloc[keep].fillna(0).astype("int64").to_numpy(),
        "counted": kind.iloc[keep].map(HAPI_EVENT_TYPES).astype(bool).to_numpy(),
        "pcode_version": version,
    }, columns=list(COUNT_COLUMNS))
    return accepted, bad
