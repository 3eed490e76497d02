"""What the defences against hostile input cost: folding, recoding, the atomic output folder.

Run: ``python benchmarks/bench_hostile.py [--rows N]``. Each line gives the measured time
(best of 5, wall and CPU) beside a baseline measured in the same run, their ratio, and the
peak memory of this process during each (sampled every 5 ms, see ``_measure.py``):

- ``fold`` (letters of every script kept, invisible characters dropped) against the
  ASCII-only fold it replaced, on N distinct names;
- reading a Windows-1252 CSV of N rows (UTF-8 is tried first, then each non-ASCII line is
  checked for a mix of encodings before the file is read as Windows-1252) against the same
  rows in UTF-8;
- reading a CSV of N rows with a ``sep=;`` line and a title line above the header against
  the same rows without them;
- writing the weekly job's files (a map of N / 10 points' size and three CSVs) through
  :class:`sahelmap.outputs.OutputFolder` (temporary folder, fsync, swap) against writing
  them in place.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from sahelmap.loaders.files import read_table
from sahelmap.outputs import WEEKLY_FILES, OutputFolder
from sahelmap.vocab import fold, strip_accents

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import best, load, ratio  # noqa: E402

PLACES = ["Ménaka", "Tillabéri", "Ségou", "Gao", "Tombouctou", "Niamey", "Ansongo", "Kidal"]
_OLD_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def old_fold(text: str) -> str:
    """The fold of before: accents stripped, everything but a-z and 0-9 a space."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return _OLD_NON_ALNUM.sub(" ", folded).strip(" ")


def timed(work: Callable[[], object], repeat: int = 5) -> dict:
    return best(work, repeat)


def report(label: str, ours: dict, baseline: dict, unit: str) -> None:
    print(f"{label:<44} {ours['s']:8.3f} s (CPU {ours['cpu_s']:7.3f}, peak "
          f"{ours['peak_mb']:5,.0f} MB)   baseline {baseline['s']:8.3f} s (CPU "
          f"{baseline['cpu_s']:7.3f}, peak {baseline['peak_mb']:5,.0f} MB)   ratio "
          f"{ratio(ours['s'], baseline['s']):>6} wall, {ratio(ours['cpu_s'], baseline['cpu_s']):>6}"
          f" CPU   ({unit})")


def names(n: int, rng: np.random.Generator) -> list[str]:
    picks = rng.choice(PLACES, size=n)
    return [f"{p} {i}" if i % 3 else f"Ga\u200bo {i}" for i, p in enumerate(picks)]


def csv_text(n: int, rng: np.random.Generator) -> str:
    picks = rng.choice(PLACES, size=n)
    rows = [f"2022-09-{10 + i % 9:02d};Attack;{p};{i % 7};note {i}" for i, p in
            enumerate(picks)]
    return "event_date;event_type;location;fatalities;notes\n" + "\n".join(rows) + "\n"


def write_set(folder: Path, html: bytes, table: bytes) -> None:
    (folder / "map.html").write_bytes(html)
    for name in ("regions.csv", "rejected.csv", "flagged.csv"):
        (folder / name).write_bytes(table)
    (folder / "manifest.json").write_text("{}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    n = parser.parse_args().rows
    rng = np.random.default_rng(0)
    print(f"before: {load()}")

    batch = names(n, rng)
    report(f"fold, {n:,} distinct names", timed(lambda: [fold(t) for t in batch]),
           timed(lambda: [old_fold(t) for t in batch]), "new fold vs ASCII-only fold")
    assert strip_accents("Ga\u200bo") == "gao"

    with tempfile.TemporaryDirectory() as folder:
        text = csv_text(n, rng)
        utf8, cp1252 = Path(folder) / "utf8.csv", Path(folder) / "cp1252.csv"
        utf8.write_text(text, encoding="utf-8")
        cp1252.write_text(text, encoding="cp1252")
        report(f"read CSV, {n:,} rows, Windows-1252", timed(lambda: read_table(cp1252)),
               timed(lambda: read_table(utf8)), "vs the same rows in UTF-8")
        hinted = Path(folder) / "hinted.csv"
        hinted.write_text("sep=;\nIncidents, semaine 37\n" + text, encoding="utf-8")
        hint = lambda cells: "event_date" in cells  # noqa: E731
        report(f"read CSV, {n:,} rows, sep= and title lines",
               timed(lambda: read_table(hinted, header_hint=hint)),
               timed(lambda: read_table(utf8, header_hint=hint)), "vs a plain header")

        html = b"x" * (n // 10 * 50)
        table = text.encode()[: max(1, len(text) // 4)]
        out = Path(folder) / "weekly"
        in_place = Path(folder) / "in-place"
        in_place.mkdir()

        def atomic() -> None:
            with OutputFolder(out, names=WEEKLY_FILES) as staging:
                write_set(staging, html, table)

        size = (len(html) + 3 * len(table)) / 1e6
        report(f"write the weekly files ({size:.1f} MB)", timed(atomic),
               timed(lambda: write_set(in_place, html, table)), "swap vs in place")
    print(f"after: {load()}")


if __name__ == "__main__":
    main()
