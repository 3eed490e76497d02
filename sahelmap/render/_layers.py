"""Folium elements of the crisis map.

Each one calls a function of ``_static/sahelmap.js`` with its data as script-safe JSON, so
the page holds each datum once and runs no data.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from branca.element import Element, MacroElement
from folium import Map
from folium.map import Layer
from folium.template import Template

from sahelmap.render._text import script_json

__all__ = ["JsLayer", "JsControl", "JsCall", "ASSETS_NAME", "assets_html"]

ASSETS_NAME = "sahelmap_assets"


@lru_cache(maxsize=4)
def assets_html(name: str = "sahelmap") -> str:
    """The ``_static/NAME.css`` and ``NAME.js`` helpers as inline page header elements."""
    folder = files("sahelmap.render") / "_static"
    css = (folder / f"{name}.css").read_text(encoding="utf-8")
    scripts = ("sahelmap.js", "sahelmap-events.js") if name == "sahelmap" else (f"{name}.js",)
    js = "".join((folder / script).read_text(encoding="utf-8") for script in scripts)
    return f"<style>\n{css}</style>\n<script>\n{js}</script>"


def _add_assets(element: MacroElement) -> None:
    """Put the helper CSS and JS in the page header once (after Leaflet's own links)."""
    element.get_root().header.add_child(Element(assets_html()), name=ASSETS_NAME)


def _map_of(element: MacroElement) -> MacroElement:
    parent = element._parent
    while parent is not None and not isinstance(parent, Map):
        parent = getattr(parent, "_parent", None)
    return parent if parent is not None else element._parent


_CALL = Template("""
{% macro script(this, kwargs) %}
    var {{ this.get_name() }} = sahelmap.{{ this.function }}({{ this.map_name() }}
        {%- for argument in this.arguments %}, {{ argument }}{% endfor %});
{% endmacro %}
""")


class _Call:
    """Mixin: the element's script is ``var NAME = sahelmap.FUNCTION(map, *arguments)``."""

    _template = _CALL

    def _setup(self, function: str, arguments: list[object], raw: tuple[int, ...] = ()) -> None:
        self.function = function
        # Arguments are JSON (script-safe) unless listed in ``raw`` (already serialised).
        self.arguments = [a if i in raw else script_json(a) for i, a in enumerate(arguments)]

    def map_name(self) -> str:
        return _map_of(self).get_name()

    def render(self, **kwargs):  # noqa: D102 - folium hook
        _add_assets(self)
        super().render(**kwargs)


class JsLayer(_Call, Layer):
    """A layer built by a sahelmap.js function; listed in the LayerControl under ``name``.

    Parameters
    ----------
    function : str
        Name of the function of ``sahelmap.js`` that returns the Leaflet layer.
    arguments : list
        Its arguments after the map: JSON-serialisable objects, or already serialised
        strings at the positions given by ``raw``.
    name : str
        HTML-escaped name shown in the layer control.
    control : bool
        Whether the layer control lists it.
    """

    def __init__(self, function: str, arguments: list[object], *, name: str,
                 raw: tuple[int, ...] = (), control: bool = True, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=control, show=show)
        self._name = "SahelmapLayer"
        self._setup(function, arguments, raw)


class JsControl(_Call, MacroElement):
    """A box (title, legend) drawn by ``sahelmap.control`` in a corner of the map."""

    def __init__(self, html: str, *, position: str, css_class: str, first: bool = False) -> None:
        super().__init__()
        self._name = "SahelmapControl"
        self._setup("control", [html, position, css_class, first])


class JsCall(_Call, MacroElement):
    """Any other call of a sahelmap.js function on the map (background, attribution)."""

    def __init__(self, function: str, arguments: list[object]) -> None:
        super().__init__()
        self._name = "SahelmapCall"
        self._setup(function, arguments)
