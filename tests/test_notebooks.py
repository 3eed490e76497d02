"""The example notebooks run top to bottom on the example data."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path):
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    # the map displays inline as HTML, with Leaflet embedded: no CDN, works offline
    maps = [str(o["data"]["text/html"]) for o in outputs
            if "leaflet" in str(o.get("data", {}).get("text/html", "")).lower()]
    assert maps
    assert not any("cdn.jsdelivr" in m or "unpkg.com" in m for m in maps)


def test_there_is_a_notebook():
    assert NOTEBOOKS
