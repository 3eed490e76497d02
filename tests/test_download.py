"""The boundary download: real code, loopback server, pinned SHA-256; never implicit."""

from __future__ import annotations

import hashlib
import shutil

import geopandas as gpd
import pytest

from sahelmap.boundaries import admin_units, read_boundaries
from sahelmap.download import CATALOGUE, download_boundaries
from sahelmap.errors import BoundaryError, ChecksumError
from tests.conftest import SHARED_BOUNDARIES


def _geoboundaries_file(folder):
    communes = admin_units("adm3", country="ML").head(30)
    frame = gpd.GeoDataFrame({"shapeName": communes["adm3_name"], "shapeISO": "",
                              "shapeID": communes["adm3_id"], "shapeGroup": "MLI",
                              "shapeType": "ADM3"}, geometry=communes.geometry, crs=4326)
    path = folder / "geoBoundaries-MLI-ADM3.geojson"
    frame.to_file(path)
    return path


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_download_checks_sha256_and_caches(tmp_path, http_server):
    served = tmp_path / "served"
    served.mkdir()
    source = _geoboundaries_file(served)
    base = http_server(served)
    cache = tmp_path / "cache"
    pinned = _sha(source)
    path = download_boundaries(url=f"{base}/{source.name}", sha256=pinned, directory=cache)
    assert path.parent == cache and _sha(path) == pinned
    assert len(read_boundaries(path)) == 30
    # cached: a second call needs no server
    shutil.rmtree(served)
    again = download_boundaries(url=f"{base}/{source.name}", sha256=pinned, directory=cache)
    assert again == path


def test_wrong_checksum_is_refused_and_not_cached(tmp_path, http_server):
    served = tmp_path / "served"
    served.mkdir()
    source = _geoboundaries_file(served)
    base = http_server(served)
    with pytest.raises(ChecksumError, match="geoBoundaries-MLI-ADM3.geojson"):
        download_boundaries(url=f"{base}/{source.name}", sha256="0" * 64,
                            directory=tmp_path / "cache")
    assert not (tmp_path / "cache" / source.name).exists()


def test_unpinned_or_unknown_entries_are_refused(tmp_path):
    with pytest.raises(BoundaryError, match="No SHA-256 is pinned"):
        download_boundaries("geoboundaries-ner-adm2", directory=tmp_path)
    with pytest.raises(BoundaryError, match="No boundary file named 'nope'"):
        download_boundaries("nope", directory=tmp_path)


def test_unreachable_server_gives_a_clear_error(tmp_path):
    with pytest.raises(BoundaryError, match="Download of http://127.0.0.1:9/x.geojson failed"):
        download_boundaries(url="http://127.0.0.1:9/x.geojson", sha256="0" * 64,
                            directory=tmp_path)


def test_catalogue_urls_are_pinned():
    for source in CATALOGUE.values():
        assert "/raw/9469f09/" in source.url  # a commit, never "main" or "latest"
        assert source.sha256 is None or len(source.sha256) == 64


@pytest.mark.skipif(not SHARED_BOUNDARIES.is_dir(),
                    reason=f"real published boundaries not present at {SHARED_BOUNDARIES}")
def test_real_published_files_through_the_download_path(tmp_path, http_server):
    base = http_server(SHARED_BOUNDARIES)
    files = sorted(p for p in SHARED_BOUNDARIES.iterdir()
                   if p.suffix in {".geojson", ".gpkg", ".zip", ".json"})
    assert files, f"no boundary files in {SHARED_BOUNDARIES}"
    for source in files:
        path = download_boundaries(url=f"{base}/{source.name}", sha256=_sha(source),
                                   directory=tmp_path)
        layer = read_boundaries(path)
        assert len(layer) and {"adm0_pcode", "adm1_pcode"} <= set(layer.columns)
