"""Where the bundled data lives: ``sahelmap/data/``, read with :mod:`importlib.resources`.

``data/admin_boundaries/`` holds the admin layers and P-code tables (``SOURCES.md`` there
names every source and licence); ``data/context/`` the neighbouring countries and towns drawn
around the maps (with its own ``SOURCES.md``); ``data/examples/`` holds the example week.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

from sahelmap.errors import InputFileError

__all__ = ["example_path", "EXAMPLES"]

_ROOT = files("sahelmap") / "data"

#: The bundled example files, by name (see ``sahelmap/data/examples/README.md``).
EXAMPLES = ("events.csv", "displacement.csv", "places.csv")


def bundled(*parts: str) -> Path:
    """Return a filesystem path to a bundled data file.

    Examples
    --------
    >>> bundled("admin_boundaries", "adm1.geojson").name
    'adm1.geojson'
    """
    resource = _ROOT.joinpath(*parts)
    with as_file(resource) as path:  # a real file for installed wheels and checkouts alike
        return Path(path)


def example_path(name: str) -> Path:
    """Return the path of a bundled example file.

    Parameters
    ----------
    name : str
        One of ``"events.csv"`` (ACLED-style events), ``"displacement.csv"`` (DTM-style
        figures) or ``"places.csv"`` (a user gazetteer with the Kadji camp).

    Returns
    -------
    pathlib.Path
        A path that exists, inside the installed package.

    Raises
    ------
    InputFileError
        If ``name`` is not a bundled example.

    Examples
    --------
    >>> example_path("events.csv").is_file()
    True
    """
    if name not in EXAMPLES:
        raise InputFileError(f"no bundled example called {name!r}; choose one of "
                             f"{', '.join(EXAMPLES)}")
    path = bundled("examples", name)
    if not path.is_file():  # a broken install, not a user mistake
        raise InputFileError(f"the bundled example {name!r} is missing from {path.parent}; "
                             f"reinstall sahelmap")
    return path
