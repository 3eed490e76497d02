"""The weekly report page: one self-contained HTML file to read, embed, or print on one A4 page.

Title, period, the interactive map (the offline map page, embedded), the ten units with the
largest figures and their change from the week before, a trend chart of the country totals
(inline SVG), every unit's figures as a table (the text alternative of the map), data sources
and method notes (rows rejected and why, synthetic data marked) and the date it was made.
The page itself runs no script and requests nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping, Sequence
from importlib.resources import files
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sahelmap.i18n import check_lang, fmt, messages, period_text, value_name
from sahelmap.render._text import esc
from sahelmap.vocab import VALUES

__all__ = ["report_html", "save_report", "TOP_UNITS"]

TOP_UNITS = 10
_COUNTRIES = {"ML": "Mali", "NE": "Niger"}
_LINE_COLORS = ("#b2182b", "#2166ac", "#4d4d4d")


def _week_table(table: pd.DataFrame, week: str, value: str) -> pd.DataFrame:
    """The week's rows with ``previous`` (the figure the week before, NaN if not shown)."""
    periods = sorted(table["period"].astype(str).unique())
    if week not in periods:
        from sahelmap.render._validate import RenderError

        raise RenderError(f"Week {week!r} is not in the table ({periods[0]} to {periods[-1]}).")
    rows = table[table["period"].astype(str) == week].copy()
    at = periods.index(week)
    if at > 0:
        before = table[table["period"].astype(str) == periods[at - 1]].set_index("unit_pcode")
        rows["previous"] = rows["unit_pcode"].map(before[value])
    else:
        rows["previous"] = np.nan
    return rows


def _signed(x: float, lang: str) -> str:
    if pd.isna(x):
        return "\u2013"
    return ("+" if x > 0 else "\u2212" if x < 0 else "") + fmt(abs(x), lang)


def _top_table(rows: pd.DataFrame, value: str, lang: str) -> str:
    text = messages(lang)
    top = rows[rows[value] > 0].sort_values([value, "unit_name"], ascending=[False, True])
    top = top.head(TOP_UNITS)
    if not len(top):
        return f'<p class="note">{esc(text["report_none"])}</p>'
    regions = [esc(r.adm1_name if r.adm1_name != r.unit_name else "") for r in top.itertuples()]
    region_head = (f"<th scope=\"col\">{esc(text['report_region'])}</th>"
                   if any(regions) else "")
    body = "".join(
        f"<tr><td>{esc(r.unit_name)}</td>"
        + (f"<td>{region}</td>" if region_head else "") +
        f'<td class="num">{fmt(getattr(r, value), lang)}</td>'
        f'<td class="num">{_signed(getattr(r, value) - r.previous, lang)}</td></tr>'
        for r, region in zip(top.itertuples(), regions))
    return (f'<table class="top"><caption>{esc(text["report_top"].format(n=len(top)))}'
            f"</caption><thead><tr><th scope=\"col\">{esc(text['report_unit'])}</th>"
            f"{region_head}"
            f'<th scope="col" class="num">{esc(value_name(value, lang))}</th>'
            f'<th scope="col" class="num">{esc(text["report_change"])}</th></tr></thead>'
            f"<tbody>{body}</tbody></table>")


def _trend_svg(table: pd.DataFrame, value: str, week: str, lang: str) -> str:
    """Country totals per week as an inline SVG line chart, with a text equivalent."""
    text = messages(lang)
    country = (table["adm0_pcode"] if "adm0_pcode" in table.columns
               else table["unit_pcode"].astype(str).str[:2])
    totals = (table.assign(country=country.astype(str)).groupby(["country", "period"])[value]
              .sum(min_count=1).unstack("period"))  # NaN: a week without the figure
    periods = list(totals.columns.astype(str))
    width, height, left, bottom, top = 460, 170, 48, 30, 12
    span = max(float(np.nanmax(totals.to_numpy(), initial=0)), 1.0)
    n = len(periods)

    def x(i: int) -> float:
        return left + (width - left - 24) * (i / (n - 1) if n > 1 else 0.5)

    def y(v: float) -> float:
        return top + (height - top - bottom) * (1 - v / span)

    parts = [f'<line x1="{left}" x2="{width - 10}" y1="{y(0):.1f}" y2="{y(0):.1f}" '
             'stroke="#999" stroke-width="1"/>',
             f'<text x="{left - 6}" y="{y(span) + 4:.1f}" text-anchor="end">'
             f"{fmt(span, lang)}</text>",
             f'<text x="{left - 6}" y="{y(0) + 4:.1f}" text-anchor="end">0</text>']
    step = max(1, n // 6)
    for i, label in enumerate(periods):
        if i % step == 0 or label == week:
            bold = ' font-weight="700"' if label == week else ""
            parts.append(f'<text x="{x(i):.1f}" y="{height - 10}" text-anchor="middle"{bold}>'
                         f"{esc(label[5:] if len(label) > 5 else label)}</text>")
    if week in periods:
        parts.append(f'<line x1="{x(periods.index(week)):.1f}" x2="{x(periods.index(week)):.1f}" '
                     f'y1="{top}" y2="{y(0):.1f}" stroke="#bbb" stroke-dasharray="3 3"/>')
    legend = []
    for k, (code, row) in enumerate(totals.iterrows()):
        color = _LINE_COLORS[k % len(_LINE_COLORS)]
        values = row.to_numpy(dtype=float)
        for run in np.split(np.arange(n), np.flatnonzero(np.isnan(values)) + 1):
            run = run[~np.isnan(values[run])]  # a line per run of weeks with the figure
            if len(run):
                points = " ".join(f"{x(i):.1f},{y(values[i]):.1f}" for i in run)
                parts.append(f'<polyline points="{points}" fill="none" stroke="{color}" '
                             'stroke-width="2"/>')
        name = _COUNTRIES.get(code, code)
        legend.append(f'<span class="key" style="border-color:{color}">{esc(name)}</span>')
    figures = "; ".join(f"{_COUNTRIES.get(code, code)}: " + ", ".join(
        f"{p} {fmt(v, lang)}" for p, v in zip(periods, row.to_numpy()))
        for code, row in totals.iterrows())
    caption = text["report_trend"].format(value=value_name(value, lang))
    return (f'<figure class="trend"><figcaption>{esc(caption)} {"".join(legend)}</figcaption>'
            f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{esc(figures)}">'
            f'{"".join(parts)}</svg></figure>')


def _units_table(rows: pd.DataFrame, lang: str) -> str:
    """Every unit's figures of the week: the map as text (same numbers as regions.csv)."""
    text = messages(lang)
    no_data = esc(text["no_data"])
    columns = [c for c in VALUES if c in rows.columns]
    head = "".join(f'<th scope="col" class="num">{esc(value_name(c, lang))}</th>'
                   for c in columns)
    body = "".join(
        f'<tr><td>{esc(r["unit_pcode"])}</td><th scope="row">{esc(r["unit_name"])}</th>'
        + "".join(f'<td class="num" data-value="{int(r[c])}">{fmt(r[c], lang)}</td>'
                  if pd.notna(r[c]) else f'<td class="num" data-value="">{no_data}</td>'
                  for c in columns) + "</tr>"
        for _, r in rows.sort_values("unit_pcode").iterrows())
    return (f'<details class="units"><summary>{esc(text["report_all_units"])}</summary>'
            f'<table id="units"><thead><tr><th scope="col">P-code</th>'
            f'<th scope="col">{esc(text["report_unit"])}</th>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></details>")


def _notes(counts: Mapping[str, Any], rejected: pd.DataFrame, sources: Sequence[str],
           synthetic: bool, lang: str, value: str) -> str:
    text = messages(lang)
    items = []
    if sources:
        items.append(f"<li><b>{esc(text['sources'])}</b> "
                     f"{esc('; '.join(str(s) for s in sources))}</li>")
    for kind, c in counts.get("inputs", {}).items():
        items.append("<li>" + esc(text["report_counts"].format(
            kind=text.get(f"report_kind_{kind}", kind), read=fmt(c["read"], lang),
            accepted=fmt(c["accepted"], lang), rejected=fmt(c["rejected"], lang),
            merged=fmt(c["merged"], lang))) + "</li>")
    if len(rejected):
        reasons = rejected["reason"].astype(str).str.split(":").str[0].value_counts().head(5)
        listed = "; ".join(f"{esc(r)} ({fmt(n, lang)})" for r, n in reasons.items())
        items.append(f"<li>{esc(text['report_rejected'])} {listed}</li>")
    items.append(f"<li>{esc(text['report_method'])}</li>")
    if value == "idps":
        items.append(f"<li>{esc(text['report_stock'])}</li>")
    flag = (f'<p class="synthetic" role="note">{esc(text["report_synthetic"])}</p>'
            if synthetic else "")
    return f'{flag}<ul class="notes">{"".join(items)}</ul>'


#: Added to the map page the report prints when it has no PNG of the map.
_PRINTED_MAP = "<style>@media print { .sm-title { display: none; } }</style></head>"


def report_html(table: pd.DataFrame, *, week: str, value: str, title: str,
                map_page: str | None = None, image: str | PathLike | None = None,
                rejected: pd.DataFrame | None = None, counts: Mapping[str, Any] | None = None,
                sources: Sequence[str] = (), synthetic: bool = False, lang: str = "fr",
                generated: dt.date | None = None) -> str:
    """Return the report page of one week.

    Parameters
    ----------
    table : pandas.DataFrame
        Figures per unit and week (``sahelmap.summarize(period="week", ...)``) for the weeks
        shown, ``week`` among them.
    week : str
        The ISO week reported, e.g. ``"2022-W37"``.
    value : str
        The figure ranked and charted.
    title : str
        Title of the page.
    map_page : str, optional
        The offline map page (:func:`sahelmap.render.to_html`), embedded in an ``iframe``.
    image : path-like, optional
        A PNG of the map, shown instead of the interactive map when printed (without it,
        the interactive map is printed).
    rejected : pandas.DataFrame, optional
        Rows not counted, with a ``reason`` (summarised in the notes).
    counts : mapping, optional
        Rows read, accepted, rejected and merged per input (``run_counts``).
    sources : sequence of str
        The data sources named in the reports.
    synthetic : bool
        Whether any figure comes from synthetic (test) data: said at the top of the notes.
    lang : {"fr", "en"}
        Language of the page.
    generated : datetime.date, optional
        The date printed as "generated" (today by default).

    Returns
    -------
    str
        The HTML page.
    """
    text = messages(check_lang(lang))
    rows = _week_table(table, week, value)
    css = (files("sahelmap.render") / "_static" / "report.css").read_text(encoding="utf-8")
    map_html = ""
    if map_page is not None:
        # printed in place of the PNG when there is none (weekly --no-png): a map, not a gap,
        # without its own title box (the page's header says it)
        shown = "map screen" if image is not None else "map"
        page = map_page if image is not None else map_page.replace("</head>", _PRINTED_MAP, 1)
        map_html += (f'<iframe class="{shown}" title="{esc(title)}" '
                     f'srcdoc="{esc(page)}"></iframe>')
    if image is not None:
        data = base64.b64encode(Path(image).read_bytes()).decode("ascii")
        map_html += (f'<img class="map print" alt="{esc(title)}" '
                     f'src="data:image/png;base64,{data}">')
    made = (generated or dt.date.today()).isoformat()
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} \u2013 {esc(period_text(week, lang))}</title>
<style>{css}</style>
</head>
<body>
<main>
<header><h1>{esc(title)}</h1><p class="period">{esc(period_text(week, lang))}</p></header>
<section class="mapbox" aria-label="{esc(text['report_map'])}">{map_html}</section>
<section class="side">
{_top_table(rows, value, lang)}
{_trend_svg(table, value, week, lang)}
</section>
<section class="about">
<h2>{esc(text['report_about'])}</h2>
{_notes(counts or {}, rejected if rejected is not None else pd.DataFrame(), sources,
        synthetic, lang, value)}
{_units_table(rows, lang)}
<p class="made">{esc(text['report_generated'].format(date=made))}</p>
</section>
</main>
</body>
</html>
"""


def save_report(path: str | PathLike, table: pd.DataFrame, **options: Any) -> Path:
    """Write :func:`report_html` to ``path`` (UTF-8) and return the path."""
    target = Path(path)
    target.write_text(report_html(table, **options), encoding="utf-8")
    return target
