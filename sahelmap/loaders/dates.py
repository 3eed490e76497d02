"""Mixed date formats as analysts type them, parsed vectorised.

Each distinct text is parsed once (a million rows hold a few thousand distinct dates), by
trying the formats below in order on what is still unparsed:

1. ISO ``2022-09-12`` (also ``2022/09/12``, with or without a time, which is dropped);
2. numeric ``12/09/2022``, ``12-09-22``, ``12.09.2022``, in one order **per column**: a
   date that can only be read one way (``13/09/2022``: day first; ``09/13/2022``: month
   first) decides for the whole column; where no date tells, ``dayfirst`` does. A column where
   both kinds appear cannot be read: its numeric dates are marked :attr:`DateParse.mixed`
   for the caller to reject, never guessed one by one. :attr:`DateParse.order` says which
   order was used and why;
3. month names in English or French: ``12 Sept 2022``, ``12 septembre 2022``,
   ``1er oct. 2022``, ``Sept 12, 2022``, ``lundi 12 septembre 2022``;
4. months alone, ``2022-09``, ``09/2022``, ``Sept 2022``: precision ``"month"``, start on the
   first and end on the last day of the month (a reporting period, not an event date).

:func:`parse_periods` also reads ranges: ``2022-09-01 / 2022-09-15``, ``01/09/2022 - 15/09/2022``,
``1-15 Sept 2022``, ``du 1 au 15 septembre 2022``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sahelmap.vocab import strip_accents

__all__ = ["DateMemo", "DateParse", "column_order", "parse_dates", "parse_periods",
           "to_timestamp"]

_MONTHS = {
    # English
    "jan": 1, "january": 1, "feb": 2, "febr": 2, "february": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8,
    "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11,
    "november": 11, "dec": 12, "december": 12,
    # French (accents folded)
    "janv": 1, "janvier": 1, "fev": 2, "fevr": 2, "fevrier": 2, "mars": 3, "avr": 4,
    "avril": 4, "mai": 5, "juin": 6, "juil": 7, "juillet": 7, "aou": 8, "aout": 8,
    "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}
_WEEKDAYS = ("monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu"
             "|thur|thurs|fri|sat|sun|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche")

_TIME = r"(?:[ t]\d{1,2}[:h]\d{2}(?::\d{2})?(?:\.\d+)?(?: ?(?:z|[+-]\d{2}:?\d{2}|utc|gmt))?)?"
_ISO = re.compile(rf"^(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}$")
_NUMERIC = re.compile(rf"^(\d{{1,2}})[-/.](\d{{1,2}})[-/.](\d{{4}}|\d{{2}}){_TIME}$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2}) ([a-z]+) (\d{4}|\d{2})$")
_MONTH_DAY_YEAR = re.compile(r"^([a-z]+) (\d{1,2}) (\d{4})$")
_MONTH_YEAR_TEXT = re.compile(r"^([a-z]+) (\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[-/.](\d{4})$")


@dataclass(frozen=True)
class DateParse:
    """Parsed dates, aligned with the input.

    Attributes
    ----------
    start, end : pandas.Series
        ``datetime64[ns]``; ``end`` equals ``start`` for a day, is the month's last day for a
        month, and the range end for a range. NaT where not parsed.
    precision : pandas.Series
        ``"day"``, ``"month"``, ``"range"`` or ``""`` (missing or unparseable).
    missing : numpy.ndarray
        True where the value was empty.
    order : str
        The order numeric dates were read in, and why: ``"day first (as 13/09/2022
        shows)"``, ``"month first (as 09/13/2022 shows)"``, ``"day first (assumed: no date
        tells)"``, ``"mixed"`` or ``""`` when the column has no numeric date.
    mixed : numpy.ndarray
        True for numeric dates of a column where both orders appear (not parsed).
    """

    start: pd.Series
    end: pd.Series
    precision: pd.Series
    missing: np.ndarray
    order: str = ""
    mixed: np.ndarray | None = None

    @property
    def unparsed(self) -> np.ndarray:
        """True where a value was given but could not be read."""
        return ~self.missing & self.start.isna().to_numpy()


def to_timestamp(value: object) -> pd.Timestamp:
    """Return ``value`` (date-like, or ``None`` for today) as a day-precision Timestamp.

    Examples
    --------
    >>> to_timestamp("2024-05-01 13:00")
    Timestamp('2024-05-01 00:00:00')
    """
    stamp = pd.Timestamp.now() if value is None else pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.normalize()


def _fold(values: pd.Series) -> pd.Series:
    """Lower-case, accent-free, single-spaced text; punctuation around words dropped."""
    text = values.astype(object).map(lambda v: strip_accents(v).strip())
    text = text.str.replace(r"[\u00a0\u2009\u202f\s]+", " ", regex=True)
    return text


def _fold_words(text: pd.Series) -> pd.Series:
    """Drop weekdays, ordinals, commas and dots after month abbreviations."""
    text = text.str.replace(rf"^(?:le |the )?(?:{_WEEKDAYS})\b[ ,.]*", "", regex=True)
    text = text.str.replace(r"^(?:le |the )", "", regex=True)
    text = text.str.replace(r"\b(\d{1,2})(?:er|st|nd|rd|th|e|eme)\b", r"\1", regex=True)
    text = text.str.replace(r"(?<=[a-z])\.", "", regex=True)
    text = text.str.replace(r"[,]", " ", regex=True)
    text = text.str.replace(r"(?<=\d)-(?=[a-z])|(?<=[a-z])-(?=\d)", " ", regex=True)
    return text.str.replace(r" +", " ", regex=True).str.strip()


def _assemble(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    """Timestamps from integer parts; NaT where the parts are not a real date."""
    frame = pd.DataFrame({"year": year, "month": month, "day": day}).astype("float64")
    valid = frame.notna().all(axis=1)
    out = pd.Series(pd.NaT, index=year.index, dtype="datetime64[ns]")
    if valid.any():
        sub = frame[valid].astype("int64")
        # the years a datetime64[ns] holds (1677-09-21 to 2262-04-11), whole years only
        ok = sub["month"].between(1, 12) & sub["day"].between(1, 31) & sub["year"].between(
            1678, 2261)
        sub = sub[ok]
        if len(sub):
            out.loc[sub.index] = pd.to_datetime(sub, errors="coerce").astype("datetime64[ns]")
    return out


def _year(text: pd.Series, pivot: int) -> pd.Series:
    """Full years; two-digit years are 20yy, or 19yy when 20yy would be after ``pivot``."""
    year = pd.to_numeric(text, errors="coerce")
    short = text.str.len() == 2
    year = year.where(~short, 2000 + year)
    return year.where(~(short & (year > pivot)), year - 100)


def _month_end(start: pd.Series) -> pd.Series:
    return (start + pd.offsets.MonthEnd(0)).astype("datetime64[ns]")


def _parse_unique(text: pd.Series, *, dayfirst: bool | None, pivot: int
                  ) -> tuple[pd.Series, pd.Series, pd.Series, np.ndarray]:
    """Parse folded distinct texts; returns start, end, precision and a swapped mask."""
    start = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    end = start.copy()
    precision = pd.Series("", index=text.index, dtype=object)

    def put(stamps: pd.Series, kind: str) -> None:
        got = stamps.dropna()
        got = got[start.loc[got.index].isna()]
        start.loc[got.index] = got
        end.loc[got.index] = got if kind != "month" else _month_end(got)
        precision.loc[got.index] = kind

    def todo() -> pd.Series:
        return text[start.isna()]

    # 1. ISO
    parts = todo().str.extract(_ISO)
    put(_assemble(parts[0], parts[1], parts[2]), "day")
    # 2. numeric day/month/year, in the order decided for the whole column
    parts = todo().str.extract(_NUMERIC)
    swapped = np.zeros(len(text), dtype=bool)  # numeric dates left unread (mixed order)
    if dayfirst is None:
        swapped[text.index.get_indexer(parts.dropna(subset=[0]).index)] = True
    else:
        year = _year(parts[2], pivot)
        first, second = (parts[0], parts[1]) if dayfirst else (parts[1], parts[0])
        put(_assemble(year, second, first), "day")
    # 3. month names
    words = _fold_words(todo())
    parts = words.str.extract(_DAY_MONTH_YEAR)
    put(_assemble(_year(parts[2], pivot), parts[1].map(_MONTHS), parts[0]), "day")
    parts = _fold_words(todo()).str.extract(_MONTH_DAY_YEAR)
    put(_assemble(parts[2], parts[0].map(_MONTHS), parts[1]), "day")
    # 4. months alone
    rest = todo()
    parts = rest.str.extract(_YEAR_MONTH)
    put(_assemble(parts[0], parts[1], pd.Series(1.0, index=rest.index)), "month")
    rest = todo()
    parts = rest.str.extract(_MONTH_YEAR)
    put(_assemble(parts[1], parts[0], pd.Series(1.0, index=rest.index)), "month")
    rest = todo()
    parts = _fold_words(rest).str.extract(_MONTH_YEAR_TEXT)
    put(_assemble(parts[1], parts[0].map(_MONTHS), pd.Series(1.0, index=rest.index)), "month")
    return start, end, precision, swapped


def _split(values: pd.Series) -> tuple[np.ndarray, pd.Series, np.ndarray]:
    """Codes into distinct non-empty texts, the folded texts, and the missing mask."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = _fold(pd.Series(np.asarray(uniques, dtype=object), dtype=object))
    blank = np.flatnonzero((text == "").to_numpy())
    if len(blank):
        codes = np.where(np.isin(codes, blank), -1, codes)
    return codes, text, codes < 0


_NUMBERS = re.compile(r"(?<![\w])(\d{1,2})[-/.](\d{1,2})[-/.](?:\d{4}|\d{2})(?![\w])")


def _column_order(text: pd.Series, dayfirst: bool) -> tuple[bool | None, str]:
    """The order of the column's numeric dates: told by a date that allows only one."""
    found = text.str.extractall(_NUMBERS)
    if not len(found):
        return dayfirst, ""
    first, second = found[0].astype(int), found[1].astype(int)
    day_only = found[first > 12]
    month_only = found[second > 12]
    if len(day_only) and len(month_only):
        return None, "mixed"
    if len(day_only):
        d, m = day_only.iloc[0]
        return True, f"day first (as {d}/{m}/… shows)"
    if len(month_only):
        m, d = month_only.iloc[0]
        return False, f"month first (as {m}/{d}/… shows)"
    return dayfirst, f"{'day' if dayfirst else 'month'} first (assumed: no date tells)"


def _result(start: pd.Series, end: pd.Series, precision: pd.Series, swapped: np.ndarray,
            codes: np.ndarray, index: pd.Index, order: str = "") -> DateParse:
    """Spread per-distinct-text results back onto the rows."""
    missing = codes < 0
    take = np.where(missing, 0, codes)
    if len(start) == 0:
        start = pd.Series([pd.NaT], dtype="datetime64[ns]")
        end, precision, swapped = start, pd.Series([""], dtype=object), np.zeros(1, bool)
    s = pd.Series(start.to_numpy()[take], index=index, dtype="datetime64[ns]")
    e = pd.Series(end.to_numpy()[take], index=index, dtype="datetime64[ns]")
    p = pd.Series(precision.to_numpy()[take], index=index, dtype=object)
    s[missing] = pd.NaT
    e[missing] = pd.NaT
    p[missing] = ""
    return DateParse(s, e, p, missing, order, swapped[take] & ~missing)


def _pivot() -> int:
    return pd.Timestamp.now().year + 1


def parse_dates(values: pd.Series, *, dayfirst: bool = True,
                order: tuple[bool | None, str] | None = None,
                memo: DateMemo | None = None) -> DateParse:
    """Parse dates written in the formats analysts mix in one column.

    Parameters
    ----------
    values : pandas.Series
        Text (or anything whose ``str()`` is a date). Empty and NA values are ``missing``.
    dayfirst : bool
        Read ``03/04/2022`` as 3 April (default) or, when False, as March 4.
    order : tuple, optional
        ``(dayfirst, note)`` decided beforehand over a whole column read in parts (see
        :func:`column_order`): True, False, or None when both orders appear. By default the
        order is decided over ``values``.
    memo : DateMemo, optional
        Distinct texts parsed by earlier calls (the chunks of one file): they are not
        parsed again.

    Returns
    -------
    DateParse

    Examples
    --------
    >>> p = parse_dates(pd.Series(["2022-09-12", "12/09/2022", "12 Sept 2022",
    ...                            "12 septembre 2022", "Sept 2022", "soon", None]))
    >>> p.start.dt.strftime("%Y-%m-%d").tolist()[:5]
    ['2022-09-12', '2022-09-12', '2022-09-12', '2022-09-12', '2022-09-01']
    >>> p.precision.tolist()
    ['day', 'day', 'day', 'day', 'month', '', '']
    >>> p.unparsed.tolist()
    [False, False, False, False, False, True, False]
    >>> parse_dates(pd.Series(["03/04/2022"]), dayfirst=False).start.iloc[0]
    Timestamp('2022-03-04 00:00:00')
    >>> month_first = parse_dates(pd.Series(["09/12/2022", "09/13/2022"]))
    >>> month_first.start.dt.strftime("%d %b").tolist(), month_first.order
    (['12 Sep', '13 Sep'], 'month first (as 09/13/… shows)')
    """
    codes, text, _ = _split(values)
    first, note = order if order is not None else _column_order(text, dayfirst)
    if memo is None:
        parsed = _parse_unique(text, dayfirst=first, pivot=_pivot())
    else:
        parsed = memo.parse(text, dayfirst=first, pivot=_pivot())
    return _result(*parsed, codes, values.index, note)


class DateMemo:
    """Distinct date texts already parsed, remembered across calls of :func:`parse_dates`.

    A file read in chunks holds the same few hundred dates in every chunk. A text's parse
    depends only on the text, the day/month order it is read in and the two-digit-year
    pivot, which together are the key: a load that starts again in another order parses
    its dates again. At most ``limit`` texts are remembered (dates with times of day can be
    distinct per row); texts beyond it are parsed each time, as without a memo.
    """

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self.size = 0
        #: per (order, pivot): {folded text: position} and the parsed columns
        self.known: dict[tuple[bool | None, int], tuple[dict[str, int], list[np.ndarray]]] = {}

    def parse(self, text: pd.Series, *, dayfirst: bool | None, pivot: int
              ) -> tuple[pd.Series, pd.Series, pd.Series, np.ndarray]:
        """:func:`_parse_unique` of the folded distinct ``text``, from memory where known."""
        where, columns = self.known.setdefault((dayfirst, pivot), ({}, []))
        values = text.to_numpy(dtype=object)
        new = np.fromiter((v not in where for v in values), dtype=bool, count=len(values))
        if new.any():
            if self.size + new.sum() > self.limit:  # too many to remember: as without a memo
                return _parse_unique(text, dayfirst=dayfirst, pivot=pivot)
            fresh = text[new].reset_index(drop=True)
            parts = [np.asarray(p) for p in _parse_unique(fresh, dayfirst=dayfirst,
                                                          pivot=pivot)]
            columns[:] = parts if not columns else [np.concatenate([old, part]) for old, part
                                                    in zip(columns, parts)]
            where.update(zip(fresh.tolist(), range(len(where), len(where) + len(fresh))))
            self.size += len(fresh)
        at = np.fromiter((where[v] for v in values), dtype=np.int64, count=len(values))
        start, end, precision, swapped = (column[at] for column in columns) if len(
            values) else (np.empty(0, "datetime64[ns]"), np.empty(0, "datetime64[ns]"),
                          np.empty(0, object), np.zeros(0, bool))
        return (pd.Series(start, index=text.index, dtype="datetime64[ns]"),
                pd.Series(end, index=text.index, dtype="datetime64[ns]"),
                pd.Series(precision, index=text.index, dtype=object), swapped)


def column_order(values: pd.Series, dayfirst: bool) -> tuple[bool | None, str]:
    """The order ``values``' numeric dates tell: True, False, None (both appear), and why.

    Examples
    --------
    >>> column_order(pd.Series(["01/02/2022", "13/02/2022"]), dayfirst=False)
    (True, 'day first (as 13/02/… shows)')
    >>> column_order(pd.Series(["01/02/2022"]), dayfirst=True)
    (True, 'day first (assumed: no date tells)')
    """
    return _column_order(_split(values)[1], dayfirst)


_RANGE = re.compile(
    r"^(.+?)\s+(?:-|–|—|/|to|until|au|a|jusqu au|jusqu a)\s+(.+)$")
_RANGE_TIGHT = re.compile(r"^(\d{1,2})\s*[-–—]\s*(.+)$")


def parse_periods(values: pd.Series, *, dayfirst: bool = True) -> DateParse:
    """Parse reporting periods: a day, a month or a range of two dates.

    Parameters
    ----------
    values : pandas.Series
        Text such as ``"2022-09"``, ``"Sept 2022"``, ``"01/09/2022 - 15/09/2022"``.
    dayfirst : bool
        As for :func:`parse_dates`.

    Returns
    -------
    DateParse
        ``start``/``end`` are the first and last day of the period.

    Examples
    --------
    >>> p = parse_periods(pd.Series(["2022-09", "01/09/2022 - 15/09/2022",
    ...                              "1-15 Sept 2022", "du 1 au 15 septembre 2022",
    ...                              "12/09/2022"]))
    >>> [f"{s:%d.%m} {e:%d.%m}" for s, e in zip(p.start, p.end)]
    ['01.09 30.09', '01.09 15.09', '01.09 15.09', '01.09 15.09', '12.09 12.09']
    >>> p.precision.tolist()
    ['month', 'range', 'range', 'range', 'day']
    """
    codes, text, _ = _split(values)
    pivot = _pivot()
    dayfirst, note = _column_order(text, dayfirst)
    start, end, precision, swapped = _parse_unique(text, dayfirst=dayfirst, pivot=pivot)
    for pattern in (_RANGE, _RANGE_TIGHT):
        rest = text[start.isna()]
        if not len(rest):
            break
        words = _fold_words(rest.str.replace(r"^(?:from|du|de|between|entre) ", "", regex=True))
        parts = words.str.extract(pattern).dropna()
        if not len(parts):
            continue
        left, right = parts[0].str.strip(), parts[1].str.strip()
        r_start, r_end, r_prec, _ = _parse_unique(right, dayfirst=dayfirst, pivot=pivot)
        right_ok = r_prec.isin(["day", "month"])
        # "1 - 15 Sept 2022": the left-hand side borrows month and year from the right
        stamp = r_end.where(right_ok, pd.Timestamp("2000-01-01"))
        left = left.where(~left.str.fullmatch(r"\d{1,2}"), stamp.dt.strftime("%Y-%m-") + left)
        left = left.where(~left.str.fullmatch(r"\d{1,2} [a-z]+"),
                          left + stamp.dt.strftime(" %Y"))
        l_start, _, l_prec, _ = _parse_unique(left, dayfirst=dayfirst, pivot=pivot)
        ok = right_ok & l_prec.isin(["day", "month"]) & (l_start <= r_end)
        idx = ok[ok].index
        start.loc[idx] = l_start.loc[idx]
        end.loc[idx] = r_end.loc[idx]
        precision.loc[idx] = "range"
    return _result(start, end, precision, swapped, codes, values.index, note)
