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

from __future__ import annotations

from sahelmap._lazy import lazy_names
from sahelmap.errors import RenderError

__all__ = ["crisis_map", "to_html", "save_html", "save_static", "RenderError"]

# name -> module that defines it, imported on first use (PEP 562): the command line reads
# render.map_size's limits without loading folium and matplotlib
_HOME = {"crisis_map": "webmap", "to_html": "standalone", "save_html": "standalone",
         "save_static": "static"}

__getattr__, __dir__ = lazy_names(__name__, _HOME, globals())
