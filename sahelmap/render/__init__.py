"""Rendering: interactive crisis maps (folium), standalone offline HTML, static images.

Examples
--------
>>> from sahelmap.boundaries import admin_units
>>> from sahelmap.render import crisis_map, to_html
>>> regions = admin_units("adm1", simplified=True).assign(
...     unit_name=lambda f: f["adm1_name"], idps=0)
>>> page = to_html(crisis_map(regions, value="idps", title="IDPs"))
>>> "<script src=" in page
False
"""

from sahelmap.render._validate import RenderError
from sahelmap.render.standalone import save_html, to_html
from sahelmap.render.static import save_static
from sahelmap.render.webmap import crisis_map

__all__ = ["crisis_map", "to_html", "save_html", "save_static", "RenderError"]
