"""Where the bundled data lives (package data, read with importlib.resources)."""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

_ROOT = files("sahelmap") / "_data"


def bundled(*parts: str) -> Path:
    """Return a filesystem path to a bundled data file, e.g. ``bundled("admin_boundaries", "adm1.geojson")``."""
    resource = _ROOT.joinpath(*parts)
    with as_file(resource) as path:  # a real file for installed wheels and checkouts alike
        return Path(path)
