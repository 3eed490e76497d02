"""Rendering: interactive crisis maps (folium), standalone offline HTML, static images.

Examples
--------
>>> from sahelmap.render import crisis_map, save_html  # doctest: +SKIP
>>> m = crisis_map(choropleth, events, value="idps", title="IDPs")  # doctest: +SKIP
>>> save_html(m, "weekly_map.html")  # doctest: +SKIP
"""

from sahelmap.render._validate import RenderError
from sahelmap.render.standalone import save_html, to_html
from sahelmap.render.webmap import crisis_map

__all__ = ["crisis_map", "to_html", "save_html", "RenderError"]
