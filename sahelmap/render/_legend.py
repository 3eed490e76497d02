"""HTML of the title box and the legend of the web map. Input text is escaped here."""

from __future__ import annotations

from collections.abc import Mapping

from sahelmap.i18n import event_type_name, fmt, messages, scheme_name
from sahelmap.render._classify import NODATA_COLOR, ZERO_COLOR, Classes
from sahelmap.render._style import radius, size_steps
from sahelmap.render._text import esc

__all__ = ["title_html", "legend_html"]


def title_html(title: str, period: str | None, sources: str | None, lang: str = "en") -> str:
    """The title box: title, period and the user's data sources, all escaped."""
    parts = [f"<h1>{esc(title)}</h1>"]
    if period:
        parts.append(f'<div class="sm-period">{esc(period)}</div>')
    if sources:
        parts.append(f'<div class="sm-sources">{esc(messages(lang)["sources"])} '
                     f'{esc(sources)}</div>')
    return "".join(parts)


def _choropleth_section(classes: Classes, label: str, lang: str, periods: int) -> list[str]:
    text = messages(lang)
    units = text["units"].format(n=fmt(sum(classes.counts), lang))
    scheme = scheme_name(classes.scheme, lang)
    rows = [f"<h2>{esc(label)}</h2>",
            f'<div class="sm-note">{esc(text["classes_note"].format(scheme=scheme, units=units))}'
            "</div>"]
    if periods > 1:
        rows.append(f'<div class="sm-note sm-fixed">{esc(text["fixed_note"].format(n=periods))}'
                    "</div>")
    for shown, color, count in zip(classes.labels, classes.colors, classes.counts):
        if color == ZERO_COLOR:
            shown = text["no_change" if classes.scheme == "symmetric quantiles"
                         else "none_reported"]
        elif color == NODATA_COLOR:
            shown = text["no_data"]
        rows.append(
            f'<div class="sm-row sm-class"><span class="sm-swatch" style="background:{color}">'
            f'</span><span>{esc(shown)}</span><span class="sm-count">{fmt(count, lang)}</span>'
            "</div>"
        )
    return rows


def _events_section(type_counts: Mapping[str, int], colors: Mapping[str, str],
                    max_fatalities: int, grouped: bool, lang: str) -> list[str]:
    text = messages(lang)
    total = sum(type_counts.values())
    rows = [f'<h2>{esc(text["security_events"])} (<span class="sm-events-total">'
            f"{fmt(total, lang)}</span>)</h2>"]
    for name, count in type_counts.items():
        rows.append(
            f'<div class="sm-row sm-type"><span class="sm-dot" style="background:{colors[name]}">'
            f'</span><span>{esc(event_type_name(name, lang))}</span>'
            f'<span class="sm-count">{fmt(count, lang)}</span></div>'
        )
    rows.append(f'<h2>{esc(text["fatalities_per_event"])}</h2>')
    cells = []
    for step in size_steps(max_fatalities):
        r = float(radius(step))
        side = 2 * r + 2
        cells.append(
            f'<figure><svg width="{side:.0f}" height="{side:.0f}" aria-hidden="true">'
            f'<circle cx="{side / 2:.1f}" cy="{side / 2:.1f}" r="{r:.1f}" fill="#9e9e9e" '
            f'stroke="#fff" stroke-width="1"/></svg>{fmt(step, lang)}</figure>'
        )
    rows.append(f'<div class="sm-sizes">{"".join(cells)}</div>')
    if grouped:
        rows.append(f'<div class="sm-note sm-grouped" style="margin-top:6px">'
                    f'{esc(text["grouped_note"])}</div>')
    return rows


def legend_html(*, classes: Classes | None = None, value_label: str = "",
                type_counts: Mapping[str, int] | None = None,
                type_colors: Mapping[str, str] | None = None, max_fatalities: int = 0,
                clustered: bool = False, synthetic: int = 0, lang: str = "en",
                periods: int = 1) -> str:
    """The legend: choropleth classes with their ranges, event types, marker sizes.

    ``classes`` carry the counts of the period shown first; with ``periods > 1`` the legend
    says the classes are the same for every period.
    """
    rows: list[str] = []
    if classes is not None:
        rows += _choropleth_section(classes, value_label, lang, periods)
    if type_counts:
        rows += _events_section(type_counts, type_colors or {}, max_fatalities, clustered, lang)
    if synthetic or periods > 1:  # with several periods, the count follows the period shown
        note = esc(messages(lang)["synthetic_events"]).replace(
            "{n}", f'<span class="sm-synthetic-n">{fmt(synthetic, lang)}</span>')
        hidden = "" if synthetic else ' style="display:none"'
        rows.append(f'<div class="sm-note sm-synthetic"{hidden}>{note}</div>')
    # A native <details> box: the reader can fold the legend away, no script needed.
    return (f'<details open><summary>{esc(messages(lang)["legend"])}</summary>'
            + "".join(rows) + "</details>")
