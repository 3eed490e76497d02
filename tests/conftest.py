"""Shared fixtures. Test data is made in code; real published files come from ../shared."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import settings

# CI runs the property tests on a fixed sequence of examples (a red CI must mean a change
# broke something, not that this run drew a new example); locally they explore at random,
# and a failure found there becomes an explicit test.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

SHARED_BOUNDARIES = Path(__file__).resolve().parents[1].parent / "shared" / "boundaries"


@pytest.fixture
def shared_boundaries() -> Path:
    """The real published boundary files in ``../shared/boundaries`` (skip when absent)."""
    if not SHARED_BOUNDARIES.is_dir():
        pytest.skip(f"real published boundaries not present at {SHARED_BOUNDARIES}")
    return SHARED_BOUNDARIES


@pytest.fixture(scope="session")
def typos():
    """``benchmarks/typos.py`` (the typo and held-out name sets), skip when not shipped."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "typos.py"
    if not path.exists():
        pytest.skip("benchmarks/ not shipped")
    spec = importlib.util.spec_from_file_location("typos", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def http_server():
    """Serve a folder on loopback; yields a function folder -> base URL."""
    servers = []

    def serve(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


#: A camp no public list has ("11 killed in a raid on the displaced camp at Kadji, outside
#: Gao"): the user gazetteer of the tests. Its position is approximate, as in the example.
KADJI = pd.DataFrame({"name": ["Kadji"], "lon": [0.0167], "lat": [16.2458],
                      "aliases": ["Kadji camp|Kadgi"]})


@pytest.fixture(scope="session")
def kadji():
    """A geocoder with the bundled gazetteer plus :data:`KADJI`."""
    from sahelmap.geocoding import Geocoder

    return Geocoder(KADJI)


@pytest.fixture
def kadji_table() -> pd.DataFrame:
    """:data:`KADJI` as a user gazetteer table (a copy the test may change)."""
    return KADJI.copy()


@pytest.fixture
def cod_ab_adm2(tmp_path) -> Path:
    """Path of a COD-AB-style ADM2 file (see :func:`write_cod_ab_adm2`)."""
    return write_cod_ab_adm2(tmp_path)


def write_cod_ab_adm2(folder: Path) -> Path:
    """A COD-AB-style ADM2 file made from bundled communes: two 'cercles' of Gao.

    Columns as OCHA publishes them (``ADM0_PCODE, ADM0_FR, ADM1_PCODE, ADM1_FR, ADM2_PCODE,
    ADM2_FR``); the geometry is the bundled communes', so nothing of COD-AB is copied.
    """
    from sahelmap.boundaries import admin_units

    communes = admin_units("adm3")
    gao = communes[communes.adm1_pcode == "ML07"].copy()
    gao["cercle"] = np.where(gao["adm3_name"].isin(["Ansongo", "Tin Hama", "Ouattagouna",
                                                   "Bourra", "Talataye", "Tessit",
                                                   "Bara"]), "ML0703", "ML0701")
    cercles = gao.dissolve("cercle").reset_index()
    frame = gpd.GeoDataFrame({
        "ADM0_PCODE": "ML", "ADM0_FR": "Mali", "ADM1_PCODE": "ML07", "ADM1_FR": "Gao",
        "ADM2_PCODE": cercles["cercle"],
        "ADM2_FR": cercles["cercle"].map({"ML0701": "Gao", "ML0703": "Ansongo"}),
    }, geometry=cercles.geometry, crs=4326)
    path = folder / "mli_admbnda_adm2.geojson"
    frame.to_file(path)
    return path


@pytest.fixture
def complete_set():
    """``check(out) -> week``: the folder holds one run's complete files, per its manifest.

    Every file the manifest lists is there with the SHA-256 it gives, and nothing else: not
    a mix of two runs, not a cut-off file.
    """
    import hashlib
    import json

    def check(out: Path) -> str:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        present = sorted(p.name for p in out.iterdir())
        assert present == manifest["files"], f"{present} but the manifest lists {manifest}"
        assert set(manifest["sha256"]) == set(manifest["files"]) - {"manifest.json"}
        for name, digest in manifest["sha256"].items():
            assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name
        return manifest["options"]["week"]

    return check
