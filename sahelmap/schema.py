"""A weekly job's reading options in one file: ``sahelmap weekly --schema job.toml``.

Everything the Python readers accept, and that a file's layout needs, written once::

    # job.toml
    [events]
    columns = { "Date incident" = "date", "Lieu" = "place", "Bilan" = "fatalities" }
    event_types = { "embuscade" = "Battles" }
    country = "Mali"           # rows that give none
    max_counts = { fatalities = 8000 }   # plausibility bound per report (vocab.MAX_COUNTS)
    prefer = "admin"           # when a point and its named admin units disagree

    [displacement]
    columns = { "Snapshot Date" = "date", "Total No. of IDPs Ind." = "idps" }
    figure_types = { "nouveaux déplacés" = "arrivals" }

    [job]                      # defaults for the command's own options
    level = "adm2"
    structure = "2023"
    gazetteer = "camps.csv"    # paths are relative to this file
    dayfirst = true
    merge_duplicates = true

Options given on the command line win over the file. Unknown sections or keys are refused,
naming the file and the key.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from sahelmap.errors import OptionError
from sahelmap.vocab import MAX_COUNTS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["Schema", "read_schema", "parse_bounds", "parse_columns"]

_READER_KEYS = {"columns", "country", "prefer", "encoding", "sheet", "layer", "on_unmatched",
                "max_counts"}
_SECTIONS = {
    "events": _READER_KEYS | {"event_types"},
    "displacement": _READER_KEYS | {"figure_types"},
    "job": {"level", "structure", "gazetteer", "boundaries", "dayfirst", "merge_duplicates",
            "value", "scheme", "classes", "title"},
}
_PATHS = {"gazetteer", "boundaries"}


@dataclass
class Schema:
    """Reading options per report kind, and the job's defaults.

    Attributes
    ----------
    events, displacement : dict
        Keyword arguments for :func:`sahelmap.read_events` / :func:`sahelmap.read_displacement`.
    job : dict
        Defaults for the command's options (``level``, ``structure``, ``gazetteer``...).
    """

    events: dict[str, Any] = field(default_factory=dict)
    displacement: dict[str, Any] = field(default_factory=dict)
    job: dict[str, Any] = field(default_factory=dict)


def read_schema(path: str | PathLike) -> Schema:
    r"""Read a job file (TOML) of reading options.

    Parameters
    ----------
    path : path-like
        The TOML file.

    Returns
    -------
    Schema

    Raises
    ------
    OptionError
        If the file cannot be read, is not TOML, or holds a section, key or value sahelmap
        does not know (the message names the file and the key).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> job = pathlib.Path(tempfile.mkdtemp()) / "job.toml"
    >>> _ = job.write_text('[events]\ncolumns = {"Lieu" = "place"}\n[job]\nlevel = "adm2"\n')
    >>> schema = read_schema(job)
    >>> schema.events, schema.job
    ({'columns': {'Lieu': 'place'}}, {'level': 'adm2'})
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OptionError(f"{path}: no such schema file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise OptionError(f"{path}: cannot read the schema file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise OptionError(f"{path}: not a valid TOML file ({exc})") from None
    schema = Schema()
    for section, values in data.items():
        if section not in _SECTIONS:
            raise OptionError(f"{path}: unknown section [{section}]; the sections are "
                              f"{', '.join(f'[{s}]' for s in _SECTIONS)}")
        if not isinstance(values, Mapping):
            raise OptionError(f"{path}: [{section}] must be a table of options")
        unknown = sorted(set(values) - _SECTIONS[section])
        if unknown:
            raise OptionError(f"{path}: unknown option(s) {', '.join(unknown)} in [{section}]; "
                              f"known: {', '.join(sorted(_SECTIONS[section]))}")
        options = dict(values)
        for key in ("columns", "event_types", "figure_types", "max_counts"):
            if key in options and not isinstance(options[key], Mapping):
                raise OptionError(f"{path}: [{section}] {key} must be a table such as "
                                  '{ "Column in the file" = "field" }')
        for key in _PATHS & set(options):
            options[key] = str((path.parent / str(options[key])).resolve())
        setattr(schema, section, options)
    return schema


def parse_columns(text: str | None, option: str = "--columns") -> dict[str, str | None] | None:
    """Parse ``"File column=field,Other=field"`` (``field`` empty or ``-`` ignores a column).

    Examples
    --------
    >>> parse_columns("Snapshot Date=date, Total No. of IDPs Ind.=idps, Returns=-")
    {'Snapshot Date': 'date', 'Total No. of IDPs Ind.': 'idps', 'Returns': None}
    """
    if text is None or not text.strip():
        return None
    mapping: dict[str, str | None] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        column, sep, target = part.rpartition("=")
        if not sep or not column.strip():
            raise OptionError(f"{option}: {part.strip()!r} is not 'file column=field'")
        target = target.strip()
        mapping[column.strip()] = None if target in ("", "-") else target
    return mapping


def parse_bounds(items: Sequence[str], option: str = "--max-count") -> dict[str, float]:
    """Parse ``["fatalities=8000", "idps=2e6"]`` into ``{figure: bound}``.

    The figures are those of :data:`sahelmap.vocab.MAX_COUNTS`.

    Examples
    --------
    >>> parse_bounds(["fatalities=8000", "idps = 2e6"])
    {'fatalities': 8000.0, 'idps': 2000000.0}
    """
    bounds: dict[str, float] = {}
    for item in items:
        key, sep, value = item.partition("=")
        try:
            bounds[key.strip()] = float(value.replace(",", "").replace("_", ""))
        except ValueError:
            sep = ""
        if not sep or not key.strip():
            raise OptionError(f"{option}: {item!r} is not 'figure=number' "
                              "(e.g. fatalities=8000)")
        if key.strip() not in MAX_COUNTS:
            raise OptionError(f"{option}: unknown figure {key.strip()!r}; the figures with a "
                              f"bound are {', '.join(MAX_COUNTS)}")
    return bounds
