"""One self-contained HTML file from a folium map: every script and stylesheet inlined.

Folium pages link Leaflet, jQuery, Bootstrap, Font Awesome and plugin files on CDNs. Here
Leaflet and Leaflet.markercluster are inlined from the ``xstatic`` packages (their images as
``data:`` URIs) and the assets a sahelmap map does not use are dropped, so the file opens
from disk with no network.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from os import PathLike
from pathlib import Path
from urllib.parse import urlsplit

import folium
import xstatic.pkg.leaflet as xs_leaflet
import xstatic.pkg.leaflet_markercluster as xs_cluster

from sahelmap.errors import warn

__all__ = ["to_html", "save_html"]

_SCRIPT = re.compile(r'<script\s+src="(?P<url>[^"]+)"\s*>\s*</script>\s*', re.IGNORECASE)
_LINK = re.compile(r'<link\s+(?=[^>]*rel="stylesheet")[^>]*href="(?P<url>[^"]+)"[^>]*>\s*',
                   re.IGNORECASE)
_SOURCE_MAP = re.compile(r"^\s*/[/*]# sourceMappingURL=.*$", re.MULTILINE)

# File name of a linked asset -> (xstatic package, file) to inline.
_INLINE = {
    "leaflet.js": (xs_leaflet, "leaflet.js"),
    "leaflet.css": (xs_leaflet, "leaflet.css"),
    "leaflet.markercluster.js": (xs_cluster, "leaflet.markercluster.js"),
    "markercluster.css": (xs_cluster, "MarkerCluster.css"),
    "markercluster.default.css": (xs_cluster, "MarkerCluster.Default.css"),
}
# File-name patterns of folium's default assets -> the text in the page that needs them.
# They are dropped when the page does not use them (Bootstrap only styles, never needed).
_OPTIONAL = (
    (re.compile(r"^jquery.*\.js$"), ("jQuery", "$(")),
    (re.compile(r"^bootstrap.*\.(js|css)$"), ()),
    (re.compile(r"^leaflet\.awesome"), ("AwesomeMarkers",)),
    (re.compile(r"^all(\.min)?\.css$"), ("AwesomeMarkers",)),  # Font Awesome
)


def _file_name(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[-1].lower()


@cache
def _asset(package_file: tuple[object, str]) -> str:
    package, name = package_file
    text = (Path(package.BASE_DIR) / name).read_text(encoding="utf-8")
    text = _SOURCE_MAP.sub("", text)
    if name == "leaflet.css":
        text = re.sub(r"url\(images/([\w.-]+\.png)\)",
                      lambda match: f"url({_png_uri(match.group(1))})", text)
    return text


@cache
def _png_uri(name: str) -> str:
    data = (Path(xs_leaflet.BASE_DIR) / "images" / name).read_bytes()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def _default_icon_script() -> str:
    """Point Leaflet's default marker icon at inlined images (for folium.Marker users)."""
    return ('<script>L.Icon.Default.imagePath = ""; L.Icon.Default.mergeOptions({'
            f'iconUrl: "{_png_uri("marker-icon.png")}", '
            f'iconRetinaUrl: "{_png_uri("marker-icon-2x.png")}", '
            f'shadowUrl: "{_png_uri("marker-shadow.png")}"}});</script>\n')


def _needed(name: str, page: str) -> bool | None:
    """``False`` if an optional asset can go, ``True`` if the page uses it, ``None`` if unknown."""
    for pattern, tokens in _OPTIONAL:
        if pattern.search(name):
            return any(token in page for token in tokens)
    return None


def to_html(m: folium.Map) -> str:
    """Return the map as one HTML page that needs no network.

    Leaflet and Leaflet.markercluster are inlined from the ``xstatic-leaflet`` and
    ``xstatic-leaflet-markercluster`` packages; jQuery, Bootstrap, Font Awesome and Awesome
    Markers are dropped unless the page uses them. Tiles, when the map has any, still come
    from their server.

    Parameters
    ----------
    m : folium.Map
        A map, e.g. from :func:`sahelmap.render.crisis_map`.

    Returns
    -------
    str
        The HTML page.

    Warns
    -----
    UserWarning
        If a linked script or stylesheet cannot be inlined (a folium plugin other than
        marker clusters, Awesome Markers icons...): it stays a network link, so that part of
        the page needs a connection.
    """
    page = m.get_root().render()
    body = _LINK.sub("", _SCRIPT.sub("", page))
    kept: list[str] = []

    def replace(match: re.Match, tag: str) -> str:
        url = match.group("url")
        name = _file_name(url)
        if name in _INLINE:
            text = _asset(_INLINE[name])
            if tag == "script":
                markers = name == "leaflet.js" and "L.marker(" in body
                extra = _default_icon_script() if markers else ""
                return "<script>" + text.replace("</script", "<\\/script") + "</script>\n" + extra
            return "<style>" + text.replace("</style", "<\\/style") + "</style>\n"
        if _needed(name, body) is False:
            return ""
        kept.append(url)
        return match.group(0)

    page = _SCRIPT.sub(lambda match: replace(match, "script"), page)
    page = _LINK.sub(lambda match: replace(match, "style"), page)
    if kept:
        warn("These assets could not be inlined and still need a network connection: "
             + ", ".join(kept))
    return page


def save_html(m: folium.Map, path: str | PathLike) -> Path:
    """Write the map to one self-contained HTML file (see :func:`to_html`).

    Parameters
    ----------
    m : folium.Map
        The map.
    path : str or path-like
        Where to write; parent folders must exist.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    target = Path(path)
    target.write_text(to_html(m), encoding="utf-8")
    return target
