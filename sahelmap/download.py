"""Fetch official boundary files (with ADM2) into a per-user cache, checked by SHA-256.

Nothing here runs unless the user asks (``sahelmap boundaries download NAME`` or
:func:`download_boundaries`). Files are pinned: each catalogue entry names a URL that does not
move (a commit, not "latest") and the SHA-256 of its content; a file whose checksum differs is
refused and not cached. Downloads and checks are done by :mod:`pooch`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sahelmap.errors import BoundaryError, ChecksumError

__all__ = ["BoundarySource", "CATALOGUE", "cache_dir", "download_boundaries", "cached_path"]


@dataclass(frozen=True)
class BoundarySource:
    """A pinned boundary file.

    Attributes
    ----------
    url : str
        Where it is fetched from (pinned to a commit or a dated release).
    sha256 : str or None
        Expected SHA-256 of the file; ``None`` when not yet pinned (the download then needs
        ``sha256=`` from the user).
    filename : str
        Name in the cache.
    level : int
        Admin level of the file.
    description : str
        What it holds, its licence and its citation.
    """

    url: str
    sha256: str | None
    filename: str
    level: int
    description: str


_GB = "https://github.com/wmgeolab/geoBoundaries/raw/9469f09/releaseData/gbOpen"
CATALOGUE: dict[str, BoundarySource] = {
    "geoboundaries-mli-adm1": BoundarySource(
        f"{_GB}/MLI/ADM1/geoBoundaries-MLI-ADM1.geojson",
        "a6429c61fad1f7a6ecde13f06046b754e7a692b844b1d91e538de164eb322af5",
        "geoBoundaries-MLI-ADM1.geojson", 1,
        "geoBoundaries gbOpen Mali ADM1 (9 pre-2016 regions), CC BY 4.0",
    ),
    "geoboundaries-mli-adm2": BoundarySource(
        f"{_GB}/MLI/ADM2/geoBoundaries-MLI-ADM2.geojson",
        "24f8d8f59445ff5d3b37bb0e79fb33628e356a98a4658fbc82cd7a4f99f02a82",
        "geoBoundaries-MLI-ADM2.geojson", 2,
        "geoBoundaries gbOpen Mali ADM2 (50 cercles, 2017), CC BY 4.0",
    ),
    "geoboundaries-ner-adm2": BoundarySource(
        f"{_GB}/NER/ADM2/geoBoundaries-NER-ADM2.geojson",
        None,
        "geoBoundaries-NER-ADM2.geojson", 2,
        "geoBoundaries gbOpen Niger ADM2 (departments), CC BY 4.0; checksum not yet pinned",
    ),
}


def cache_dir() -> Path:
    """Return the per-user cache folder (``$SAHELMAP_CACHE_DIR``, else the OS cache)."""
    override = os.environ.get("SAHELMAP_CACHE_DIR")
    if override:
        return Path(override)
    import pooch

    return Path(pooch.os_cache("sahelmap")) / "boundaries"


def cached_path(name: str) -> Path | None:
    """Return the cached file of a catalogue entry, or ``None`` if not downloaded yet."""
    source = _source(name)
    path = cache_dir() / source.filename
    return path if path.exists() else None


def _source(name: str) -> BoundarySource:
    try:
        return CATALOGUE[name.lower()]
    except KeyError:
        raise BoundaryError(
            f"No boundary file named {name!r}; known: {', '.join(sorted(CATALOGUE))}. "
            "Use url= and sha256= for another file."
        ) from None


def download_boundaries(name: str | None = None, *, url: str | None = None,
                        sha256: str | None = None, filename: str | None = None,
                        directory: str | os.PathLike | None = None,
                        progress: bool = False) -> Path:
    """Download a pinned boundary file into the cache (once) and return its path.

    Parameters
    ----------
    name : str, optional
        A :data:`CATALOGUE` entry, e.g. ``"geoboundaries-mli-adm2"``.
    url, sha256 : str, optional
        Another file, or a mirror of a catalogue entry; ``sha256`` pins its content and
        is required where the catalogue has none.
    filename : str, optional
        Name in the cache (defaults to the catalogue's, or the URL's last part).
    directory : path-like, optional
        Cache folder (defaults to :func:`cache_dir`).
    progress : bool
        Show a progress bar (tqdm) while downloading.

    Returns
    -------
    pathlib.Path
        The verified file; read it with :func:`sahelmap.read_boundaries`.

    Raises
    ------
    ChecksumError
        The content's SHA-256 differs from the pinned one (the file is not kept).
    BoundaryError
        Unknown name, no checksum to check against, or the download failed.
    """
    import pooch

    source = _source(name) if name else None
    url = url or (source.url if source else None)
    sha256 = sha256 or (source.sha256 if source else None)
    if not url:
        raise BoundaryError("Give a catalogue name or a url= to download.")
    if not sha256:
        raise BoundaryError(
            f"No SHA-256 is pinned for {name or url}: pass sha256= (CLI: --sha256) with the "
            "checksum published with the file, so its content can be checked."
        )
    filename = filename or (source.filename if source else url.rstrip("/").rsplit("/", 1)[-1])
    folder = Path(directory) if directory is not None else cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    try:
        path = pooch.retrieve(url, known_hash=f"sha256:{sha256.lower()}", fname=filename,
                              path=folder, progressbar=progress)
    except ValueError as exc:
        if "hash" in str(exc).lower():
            (folder / filename).unlink(missing_ok=True)
            raise ChecksumError(f"{url}: {exc}") from None
        raise BoundaryError(f"Download of {url} failed: {exc}") from None
    except Exception as exc:  # network errors from requests/urllib
        raise BoundaryError(f"Download of {url} failed: {exc}") from None
    return Path(path)
