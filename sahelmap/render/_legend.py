"""HTML of the title box and the legend of the web map. Input text is escaped here."""

from __future__ import annotations

from collections.abc import Mapping

from sahelmap.render._classify import ZERO_COLOR, Classes
from sahelmap.render._style import radius, size_steps
from sahelmap.render._text import esc, fmt_number

__all__ = ["title_html", "legend_html"]


def title_html(title: str, period: str | None, sources: str | None) -> str:
    """The title box: title, period and the user's data sources, all escaped."""
    parts = [f"<h1>{esc(title)}</h1>"]
    if period:
        parts.append(f'<div class="sm-period">{esc(period)}</div>')
    if sources:
        parts.append(f'<div class="sm-sources">Sources: {esc(sources)}</div>')
    return "".join(parts)


def _choropleth_section(classes: Classes, label: str) -> list[str]:
    units = sum(classes.counts)
    rows = [f"<h2>{esc(label)}</h2>",
            f'<div class="sm-note">{esc(classes.scheme).capitalize()} classes, '
            f'{units:,} admin units</div>']
    for text, color, count in zip(classes.labels, classes.colors, classes.counts):
        shown = "0 (none reported)" if color == ZERO_COLOR else text
        rows.append(
            f'<div class="sm-row sm-class"><span class="sm-swatch" style="background:{color}">'
            f'</span><span>{esc(shown)}</span><span class="sm-count">{count:,}</span></div>'
        )
    return rows


def _events_section(type_counts: Mapping[str, int], colors: Mapping[str, str],
                    max_fatalities: int, clustered: bool) -> list[str]:
    total = sum(type_counts.values())
    rows = [f"<h2>Security events ({total:,})</h2>"]
    for name, count in type_counts.items():
        rows.append(
            f'<div class="sm-row sm-type"><span class="sm-dot" style="background:{colors[name]}">'
            f'</span><span>{esc(name)}</span><span class="sm-count">{count:,}</span></div>'
        )
    rows.append("<h2>Fatalities per event</h2>")
    cells = []
    for step in size_steps(max_fatalities):
        r = float(radius(step))
        side = 2 * r + 2
        cells.append(
            f'<figure><svg width="{side:.0f}" height="{side:.0f}" aria-hidden="true">'
            f'<circle cx="{side / 2:.1f}" cy="{side / 2:.1f}" r="{r:.1f}" fill="#9e9e9e" '
            f'stroke="#fff" stroke-width="1"/></svg>{fmt_number(step)}</figure>'
        )
    rows.append(f'<div class="sm-sizes">{"".join(cells)}</div>')
    if clustered:
        rows.append('<div class="sm-note" style="margin-top:6px">Dark numbered circles group '
                    "nearby events: zoom in or click to see them.</div>")
    return rows


def legend_html(*, classes: Classes | None = None, value_label: str = "",
                type_counts: Mapping[str, int] | None = None,
                type_colors: Mapping[str, str] | None = None, max_fatalities: int = 0,
                clustered: bool = False, synthetic: int = 0) -> str:
    """The legend: choropleth classes with their ranges, event types, marker sizes."""
    rows: list[str] = []
    if classes is not None:
        rows += _choropleth_section(classes, value_label)
    if type_counts:
        rows += _events_section(type_counts, type_colors or {}, max_fatalities, clustered)
    if synthetic:
        rows.append(f'<div class="sm-note sm-synthetic">Includes {synthetic:,} synthetic '
                    "events (test data).</div>")
    # A native <details> box: the reader can fold the legend away, no script needed.
    return '<details open><summary>Legend</summary>' + "".join(rows) + "</details>"
