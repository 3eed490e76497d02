"""The front door: every public name works, the layout keeps its promises."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest

import sahelmap

PACKAGE = Path(sahelmap.__file__).parent
MODULES = sorted(m.name for m in pkgutil.walk_packages([str(PACKAGE)], "sahelmap."))


def test_every_public_function_is_callable_after_every_submodule_is_imported():
    for name in MODULES:  # importing a module must not shadow a function of the package
        importlib.import_module(name)
    for name in sahelmap.__all__:
        value = getattr(sahelmap, name)
        assert not inspect.ismodule(value), f"sahelmap.{name} is a module"
        if name[0].islower():
            assert callable(value), name
    events = sahelmap.read_events(sahelmap.example_path("events.csv"),
                                  gazetteer=sahelmap.example_path("places.csv"))
    assert len(events.accepted) > 0
    assert sahelmap.geocode("Gao").adm1_pcode == "ML07"
    assert isinstance(sahelmap.geocode("Gao"), sahelmap.GeocodeResult)


def test_no_public_function_shares_a_module_name():
    modules = {name.rsplit(".", 1)[1] for name in MODULES}
    assert not modules & {n for n in sahelmap.__all__ if n[0].islower()}


def test_all_is_a_short_literal_list_matching_the_stub():
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    literal = next(node.value for node in tree.body if isinstance(node, ast.Assign)
                   and getattr(node.targets[0], "id", "") == "__all__")
    assert isinstance(literal, ast.List)
    assert all(isinstance(e, ast.Constant) for e in literal.elts)
    assert len(sahelmap.__all__) <= 40
    stub = ast.parse((PACKAGE / "__init__.pyi").read_text(encoding="utf-8"))
    stubbed = {alias.asname for node in stub.body if isinstance(node, ast.ImportFrom)
               for alias in node.names}
    assert stubbed == set(sahelmap.__all__)
    assert (PACKAGE / "py.typed").is_file()


def test_every_error_is_a_sahelmap_error_with_an_exit_code():
    errors = [getattr(sahelmap, n) for n in sahelmap.__all__ if n.endswith("Error")]
    assert len(errors) >= 10
    for error in errors:
        assert issubclass(error, sahelmap.SahelmapError)
        assert error.exit_code in (1, 2)
    assert issubclass(sahelmap.DataWarning, sahelmap.SahelmapWarning)


def test_library_raises_only_its_own_errors():
    """Every ``raise X(...)`` in the package uses a SahelmapError (or re-raises)."""
    allowed = {name for name in dir(sahelmap.errors) if name.endswith("Error")}
    allowed |= {"AttributeError", "KeyError", "TypeError", "ImportError", "SystemExit"}
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                func = node.exc.func
                name = getattr(func, "id", getattr(func, "attr", ""))
                if name[:1].isupper() and name not in allowed and "click" not in ast.unparse(
                        func):
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {name}")
    assert offenders == []


def test_bundled_data_is_found_from_the_installed_package(tmp_path):
    sources = (PACKAGE / "data" / "admin_boundaries" / "SOURCES.md").read_text(encoding="utf-8")
    root = files("sahelmap") / "data"
    for name in ("adm0.geojson", "adm1.geojson", "adm3.geojson", "places.csv", "pcodes.csv",
                 "crosswalk_adm1.csv"):
        assert (root / "admin_boundaries" / name).is_file(), name
        assert f"`{name}`" in sources, f"{name} has no entry in SOURCES.md"
    for name in ("events.csv", "displacement.csv", "places.csv"):
        assert sahelmap.example_path(name).is_file()
    with pytest.raises(sahelmap.InputFileError, match="choose one of events.csv"):
        sahelmap.example_path("nope.csv")
    # From another folder, with a bare environment, the data is still found.
    code = ("import sahelmap; from sahelmap.boundaries import admin_units; "
            "print(len(admin_units('adm1')), sahelmap.example_path('events.csv'))")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
                          check=False)
    assert done.returncode == 0, done.stderr
    count, path = done.stdout.split()
    assert int(count) == len(sahelmap.admin_units("adm1")) and Path(path).is_file()


def test_command_line_starts_without_the_heavy_libraries():
    """``sahelmap --help`` stays fast: it imports neither pandas nor geopandas."""
    code = ("import sys; from sahelmap.cli import main; "
            "print(sorted(m for m in ('pandas', 'geopandas', 'shapely', 'folium', 'matplotlib')"
            " if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
