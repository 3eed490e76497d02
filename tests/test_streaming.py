"""Event files read in chunks give the rows and the table of the file read whole."""

from __future__ import annotations

import pickle
import re

import numpy as np
import pandas as pd
import pytest

from sahelmap import AggregateError, read_events, summarize
from sahelmap.loaders.streaming import ACCEPTED_COLUMNS, stream_events
from sahelmap.partitions import aggregate_partition, combine_partitions
from sahelmap.pipeline import aggregate_files

HEADER = ("event_id_cnty,event_date,event_type,actor1,actor2,country,admin1,location,"
          "latitude,longitude,fatalities,source,notes")
PLACES = ["Gao", "Ménaka", "Tombouctou", "Mopti", "Kidal", "Ansongo", "Tillabéri", "Ségou"]
TYPES = ["Battles", "Violence against civilians", "Explosions/Remote violence", "attack"]


def _rows(rng: np.random.Generator, n: int, prefix: str, source: str) -> list[str]:
    lines = []
    for i in range(n):
        day = pd.Timestamp("2022-01-03") + pd.Timedelta(days=int(rng.integers(0, 300)))
        date = day.strftime("%d/%m/%Y") if i % 3 else day.strftime("%Y-%m-%d")
        place = PLACES[int(rng.integers(0, len(PLACES)))]
        country = "Niger" if place == "Tillabéri" else "Mali"
        lines.append(f"{prefix}{i},{date},{TYPES[i % 4]},JNIM,,{country},,{place},,,"
                     f"{int(rng.integers(0, 9))},{source},note {prefix}{i} of a real export")
    return lines


def _messy(tmp_path, name: str, prefix: str, source: str, seed: int, late_day: str):
    """Dyadic pairs, conflicting repeats, bad rows, duplicates, a late 13th day."""
    rng = np.random.default_rng(seed)
    body = _rows(rng, 60, prefix, source)
    # dyadic pairs: the same event again with another actor2, near and far apart
    for at, of in ((6, 5), (14, 13), (40, 2)):
        cells = body[of].split(",")
        cells[4] = "Civilians (Mali)"
        body.insert(at, ",".join(cells))
    cells = body[20].split(",")
    cells[10] = str(int(cells[10]) + 3)            # same identifier, other fatalities
    body.insert(33, ",".join(cells))
    bad = body[25].split(",")
    bad[1] = "not a date"                          # first row of an id is bad...
    body.insert(25, ",".join(bad))                 # ...the next one is kept
    body.insert(50, "MLIX,2022-02-30,Battles,,,Mali,,Gao,,,1,S,")   # impossible date
    body.insert(52, "MLIY,2022-03-01,Battles,,,Mali,,Atlantis,,,1,S,")  # unknown place
    body.insert(55, f"MLIZ,{late_day},attack,,,Mali,,Gao,,,2,S,")   # tells the order late
    return body


WINDOW = (pd.Timestamp("2022-03-01"), pd.Timestamp("2022-06-30 23:59"))


def _same(tmp_path, paths, **options):
    whole = read_events(paths, today="2024-01-01", merge_duplicates=True, **options)
    tables = {}
    for rows in (7, 10**6):
        streamed = stream_events(paths, chunk_rows=rows, today="2024-01-01",
                                 merge_duplicates=True, window=WINDOW, **options)
        streamed.check()
        # the rows of the window keep every column, as read whole (a dyadic event's actors
        # joined, a duplicate's sources listed)
        inside = whole.accepted[whole.accepted["event_date"].between(*WINDOW)]
        pd.testing.assert_frame_equal(  # text columns may be object or str, as whole loads'
            pd.DataFrame(streamed.detail).astype(object),
            pd.DataFrame(inside).astype(object).reset_index(drop=True))
        flags = ["source_file", "source_row", "duplicate_group", "is_duplicate"]
        pd.testing.assert_frame_equal(
            streamed.duplicates[flags].astype(object).reset_index(drop=True),
            whole.duplicates[flags].astype(object).reset_index(drop=True))
        pd.testing.assert_frame_equal(streamed.rejected, whole.rejected,
                                      check_dtype=bool(len(whole.rejected)))
        columns = [c for c in ACCEPTED_COLUMNS if c in whole.accepted]
        pd.testing.assert_frame_equal(
            streamed.accepted[columns].astype(object).reset_index(drop=True),
            whole.accepted[columns].astype(object).reset_index(drop=True))
        assert streamed.n_input == whole.n_input and streamed.n_blank == whole.n_blank
        tables[rows] = summarize(events=streamed.accepted, level="adm2", period="week")
    expected = summarize(events=whole.accepted, level="adm2", period="week")
    for table in tables.values():
        pd.testing.assert_frame_equal(pd.DataFrame(table), pd.DataFrame(expected))
    return whole


def test_chunks_of_seven_rows_give_the_rows_and_table_of_one_read(tmp_path):
    first = _messy(tmp_path, "a.csv", "MLI", "Source A", 1, "25/11/2022")
    second = _rows(np.random.default_rng(2), 20, "NER", "Source B")
    second += ["D1" + first[3].replace("Source A", "Source B"),  # the same report, elsewhere
               "D2" + first[30],                                # the same row, another file
               "D3" + first[44].replace("Source A", "Source B")]
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("\n".join([HEADER, *first]) + "\n", encoding="utf-8")
    b.write_text("\n".join([HEADER, *second]) + "\n", encoding="cp1252")
    whole = _same(tmp_path, [a, b])
    fields = set(whole.rejected["field"])
    assert {"event_id", "duplicate", "date", "place"} <= fields
    assert whole.rejected["reason"].str.contains("dyadic export; merged").sum() >= 3
    assert whole.rejected["reason"].str.contains("different figures").any()


def test_a_month_first_file_told_late_is_read_month_first_throughout(tmp_path):
    rows = _messy(tmp_path, "a.csv", "MLI", "S", 3, "01/02/2022")
    rows = [r.replace("/", "#") for r in rows]  # no numeric date but the late one...
    rows.insert(58, "MLIW,11/13/2022,attack,,,Mali,,Gao,,,2,S,")  # ...and a 13th day
    path = tmp_path / "late.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="month first"):
        _same(tmp_path, path)


def test_damaged_lines_blank_lines_and_hxl_rows_read_in_chunks(tmp_path):
    rows = _rows(np.random.default_rng(4), 30, "MLI", "S")
    rows.insert(10, 'MLI900,2022-03-01,"Battles,,,Mali,,Gao,,,1,S,')  # quote never closes
    rows.insert(17, "MLI901,2022-03-01,Battles,,,Mali,,Gao,,,1,S,x,extra,cells")
    damaged = tmp_path / "damaged.csv"
    damaged.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    _same(tmp_path, damaged)
    hxl = ("#event+code,#date+occurred,#event+type,#group+name+first,#group+name+second,"
           "#country+name,#adm1+name,#loc+name,#geo+lat,#geo+lon,#affected+killed,"
           "#meta+source,#description")
    blank = tmp_path / "blank.csv"
    rows = _rows(np.random.default_rng(5), 30, "MLI", "S")
    rows.insert(12, "")
    rows.insert(20, ",,,,,,,,,,,,")
    blank.write_text("\n".join([HEADER, hxl, *rows]) + "\n", encoding="utf-8")
    assert _same(tmp_path, blank).n_blank == 2


def test_spreadsheet_exports_read_in_chunks_as_read_whole(tmp_path):
    """A ``sep=;`` hint, title lines and UTF-16 text: the same rows as read_events."""
    rows = _rows(np.random.default_rng(6), 30, "MLI", "S")
    hinted = tmp_path / "hinted.csv"
    hinted.write_text("\n".join(["sep=,", "Weekly incidents", "", HEADER, *rows]) + "\n",
                      encoding="utf-8")
    _same(tmp_path, hinted)
    unicode_text = tmp_path / "unicode.txt"
    unicode_text.write_text("\n".join([HEADER.replace(",", "\t"),
                                       *(r.replace(",", "\t") for r in rows)]) + "\n",
                            encoding="utf-16")
    _same(tmp_path, unicode_text)


# -- partitions aggregated apart, added up -----------------------------------------------
GRID = dict(level="adm2", period="week", start="2022-01-03", end="2022-12-31")


def _files(tmp_path):
    a, b, c = tmp_path / "mali.csv", tmp_path / "niger.csv", tmp_path / "mali2.csv"
    a.write_text("\n".join([HEADER, *_messy(tmp_path, "", "MLI", "A", 1, "25/11/2022")]) + "\n",
                 encoding="utf-8")
    b.write_text("\n".join([HEADER, *_rows(np.random.default_rng(2), 40, "NER", "B")]) + "\n",
                 encoding="cp1252")
    c.write_text("\n".join([HEADER, *_rows(np.random.default_rng(3), 40, "MLJ", "C")]) + "\n",
                 encoding="utf-8")
    return a, b, c


def test_partitions_add_up_to_the_single_run(tmp_path):
    a, b, c = _files(tmp_path)
    single = tmp_path / "single.csv"
    aggregate_files(events=[a, b, c], out=single, **GRID, chunk_rows=9)
    parts = [aggregate_partition(p, today="2024-01-01", chunk_rows=9, **GRID) for p in (a, [b, c])]
    parts = [pickle.loads(pickle.dumps(p)) for p in parts]  # as from another process
    combined = combine_partitions(parts)
    expected = pd.read_csv(single)
    got = pd.DataFrame(combined.drop(columns="geometry"))
    got.to_csv(tmp_path / "combined.csv", index=False)
    got = pd.read_csv(tmp_path / "combined.csv")
    key = ["unit_pcode", "period"]
    expected = expected.sort_values(key).reset_index(drop=True)
    assert list(got.columns) == [c for c in expected.columns if c != "geometry"]
    pd.testing.assert_frame_equal(got, expected[got.columns])
    assert got["events"].sum() == sum(p.counts["accepted"] for p in parts) > 100


def test_partitions_that_share_an_event_are_refused(tmp_path):
    a, b, _ = _files(tmp_path)
    copy = tmp_path / "copy.csv"
    copy.write_text(a.read_text(encoding="utf-8").splitlines()[0] + "\n"
                    + a.read_text(encoding="utf-8").splitlines()[5] + "\n", encoding="utf-8")
    parts = [aggregate_partition(p, today="2024-01-01", **GRID) for p in (a, copy)]
    with pytest.raises(AggregateError, match="1 event identifier.*counted twice"):
        combine_partitions(parts)
    other = aggregate_partition(b, today="2024-01-01", level="adm1", period="week")
    with pytest.raises(AggregateError, match="same level, period, structure, start= and end="):
        combine_partitions([parts[0], other])


def test_sahelmap_aggregate_shows_rows_per_second_and_the_rows_to_go(tmp_path):
    from click.testing import CliRunner

    from sahelmap.cli import main

    path = tmp_path / "events.csv"
    path.write_text("\n".join([HEADER, *_rows(np.random.default_rng(6), 30, "MLI", "S")])
                    + "\n", encoding="utf-8")
    out = tmp_path / "weekly.csv"
    shown = CliRunner().invoke(main, ["aggregate", "--events", str(path), "--out", str(out)])
    assert shown.exit_code == 0, shown.output
    assert "reading events" in shown.stderr and "/30" in shown.stderr  # the total, for an ETA
    assert "rows/s" in shown.stderr
    quiet = CliRunner().invoke(main, ["aggregate", "--events", str(path), "--out", str(out),
                                      "-q"])
    assert "rows/s" not in quiet.stderr and "30 rows read" in quiet.stderr


def test_sahelmap_weekly_shows_the_rows_read_under_its_steps(tmp_path):
    from click.testing import CliRunner

    from sahelmap.cli import main

    path = tmp_path / "events.csv"
    path.write_text("\n".join([HEADER, *_rows(np.random.default_rng(6), 30, "MLI", "S")])
                    + "\n", encoding="utf-8")
    args = ["weekly", "--events", str(path), "--week", "2022-W20", "--out",
            str(tmp_path / "out"), "--no-png", "--lang", "en"]
    shown = CliRunner().invoke(main, args)
    assert shown.exit_code == 0, shown.output
    assert "rows" in shown.stderr and "/30" in shown.stderr and "rows/s" in shown.stderr
    quiet = CliRunner().invoke(main, [*args, "-q"])
    assert quiet.exit_code == 0, quiet.output
    assert "rows/s" not in quiet.stderr


def test_a_name_met_again_with_other_admin_units_is_placed_by_each_rows_own(tmp_path):
    """Names and admin units are remembered across chunks, each with the units a row names."""
    header = ("event_id_cnty,event_date,event_type,actor1,country,admin1,admin2,location,"
              "latitude,longitude,fatalities,source,notes")
    hints = [("Gao", "Ansongo"), ("Gao", "Bourem"), ("Tombouctou", "Goundam"),
             ("Mopti", "Djenné"), ("Gao", "Gao"), ("Tombouctou", "Gao")]
    lines = [f"E{i},2022-03-{1 + i % 28:02d},Battles,JNIM,Mali,{region},{cercle},"
             f"{'Kadjiville' if (i // 6) % 2 else 'Gao'},,,1,S,note {i}"
             for i, (region, cercle) in enumerate(hints * 6)]
    # a commune's name is a place, not a cercle: the row naming it as its cercle is not put
    # in the commune's cercle because an earlier chunk found the place
    lines += ["T1,2022-04-01,Battles,JNIM,Mali,Gao,,Tessit,,,1,S,a place",
              *[f"P{i},2022-04-02,Battles,JNIM,Mali,Gao,,Gao,,,1,S,pad" for i in range(7)],
              "T2,2022-04-03,Battles,JNIM,Mali,Gao,Tessit,Kadjiville,,,1,S,a cercle?"]
    path = tmp_path / "hints.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    whole = _same(tmp_path, [path])  # chunks of 7 rows: every pair comes back in a later chunk
    placed = whole.accepted.set_index("event_id")["adm2_name"]
    for first in range(6, 12):  # the unknown place, by the cercle each row names
        again = placed.loc[[f"E{first + k}" for k in (0, 12, 24)]]
        assert again.nunique(dropna=False) == 1, again
    unknown = placed.loc[[f"E{i}" for i in range(6, 12)]].tolist()
    assert unknown[:5] == ["Ansongo", "Bourem", "Goundam", "Djenné", "Gao"]
    assert pd.isna(unknown[5])  # the cercle of Gao is not in Tombouctou: no cercle given
    assert pd.notna(placed.loc["T1"]) and pd.isna(placed.loc["T2"])


def test_rejected_rows_wait_on_disk_and_the_rejected_file_is_that_of_one_read(tmp_path):
    import gc

    first = _messy(tmp_path, "a.csv", "MLI", "Source A", 1, "25/11/2022")
    # another file with one more column, a formula-like cell and a repeat of the first's rows
    second = [row + ",=cmd|' /C calc'!A0" for row in
              _rows(np.random.default_rng(9), 20, "NER", "Source B")]
    second += ["D1" + first[3].replace("Source A", "Source B") + ",=1+2",  # merged late
               first[10].replace("Source A", "Source B") + ",y",  # a repeated identifier
               "NERQ,2022-02-30,Battles,,,Niger,,Gao,,,1,S,,@SUM(A1)"]  # rejected early
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("\n".join([HEADER, *first]) + "\n", encoding="utf-8")
    b.write_text("\n".join([HEADER + ",tags", *second]) + "\n", encoding="utf-8")
    streamed = stream_events([a, b], chunk_rows=7, today="2024-01-01", merge_duplicates=True)
    whole = read_events([a, b], today="2024-01-01", merge_duplicates=True)
    folder = streamed.spill.folder
    # one file per chunk with rows rejected as it was checked
    assert len(list(folder.glob("*.pkl"))) == len(streamed.spill) >= 2
    assert all("notes" not in head.columns for head in streamed.spill.heads)  # no cells
    pd.testing.assert_frame_equal(streamed.rejected, whole.rejected)
    pd.testing.assert_frame_equal(streamed.rejected_head,
                                  whole.rejected[list(streamed.rejected_head.columns)])
    assert "tags" in streamed.rejected and streamed.counts() == whole.counts()
    assert set(whole.rejected["field"]) >= {"event_id", "duplicate", "date", "place"}

    chunked, one = tmp_path / "chunked.csv", tmp_path / "one.csv"
    for rows, rejected in ((7, chunked), (0, one)):
        aggregate_files(events=[a, b], out=tmp_path / f"w{rows}.csv", rejected=rejected,
                        level="adm2", chunk_rows=rows, event_options={"today": "2024-01-01"})
    assert chunked.read_bytes() == one.read_bytes()
    text = chunked.read_text(encoding="utf-8")
    assert "'=1+2" in text and "'@SUM" in text and ",=" not in text and ",@" not in text
    assert len(pd.read_csv(chunked)) == len(whole.rejected)

    del streamed
    gc.collect()
    assert not folder.exists()  # the spill goes with its result


def test_a_csv_larger_than_arrows_blocks_comes_in_chunks_of_the_rows_asked(tmp_path):
    from sahelmap.loaders.chunks import FileChunks

    # ~3 MB: arrow reads it in 1 MB blocks (its read-ahead bounded), gathered into chunks
    rows = _rows(np.random.default_rng(11), 12_000, "MLI", "S")
    rows = [row + ",x" * 100 for row in rows]
    path = tmp_path / "big.csv"
    path.write_text("\n".join([HEADER + "".join(f",c{i}" for i in range(100)), *rows]) + "\n",
                    encoding="utf-8")
    assert path.stat().st_size > 2 * (1 << 20)
    chunks = list(FileChunks(path, 5_000))
    assert [len(chunk.frame) for chunk in chunks] == [4_999, 5_000, 2_001]  # less the header
    whole = pd.concat([chunk.frame for chunk in chunks], ignore_index=True)
    assert whole.iloc[:, 0].tolist() == [row.split(",")[0] for row in rows]
    assert np.concatenate([chunk.rows for chunk in chunks]).tolist() == list(range(2, 12_002))


def test_rejected_heads_are_the_rejected_rows_without_their_cells(tmp_path):
    from sahelmap.pipeline import load_reports

    path = tmp_path / "a.csv"
    path.write_text("\n".join([HEADER, *_messy(tmp_path, "a.csv", "MLI", "S", 1,
                                               "25/11/2022")]) + "\n", encoding="utf-8")
    for rows in (7, None):  # streamed (heads in memory, cells on disk) and whole
        reports = load_reports([path], chunk_rows=rows, merge_duplicates=True,
                               event_options={"today": "2024-01-01"})
        heads, rejected = reports.rejected_heads(), reports.rejected()
        assert list(heads.columns) == ["report", "source_file", "source_row", "field",
                                       "column", "value", "reason"]
        assert "notes" in rejected and len(heads) == len(rejected) > 5
        pd.testing.assert_frame_equal(heads, rejected[list(heads.columns)])


def test_dates_parsed_in_early_chunks_are_read_again_when_a_late_date_tells_the_order(
        tmp_path):
    """Chunks remember the dates they parsed; a late 13th day must not leave them stale."""
    rows = _rows(np.random.default_rng(8), 40, "MLI", "S")
    rows = [r.replace(r.split(",")[1], "03/04/2022" if i % 2 else "2022-06-15")
            for i, r in enumerate(rows)]  # the same ambiguous date again and again
    rows.insert(35, "MLIW,09/13/2022,attack,,,Mali,,Gao,,,2,S,")  # tells month first
    path = tmp_path / "late.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="month first"):
        whole = _same(tmp_path, path)
    days = whole.accepted.loc[whole.accepted["source_row"] == 3, "event_date"]
    assert days.tolist() == [pd.Timestamp("2022-03-04")]


def test_a_date_memo_answers_per_order_as_a_parse_without_it():
    from sahelmap.loaders.dates import DateMemo, parse_dates

    memo = DateMemo(limit=5)
    first = pd.Series(["03/04/2022", "2022-09-12", "12 Sept 2022", None, "soon"])
    later = pd.Series(["04/03/2022", "03/04/2022", "Sept 2022", "13/14/2022", "03/04/22",
                       "05/06/2022", "2022-09-12"])  # more than the memo holds: parsed anew
    for values in (first, later, first):
        for order in ((True, ""), (False, ""), (None, "mixed")):
            want = parse_dates(values, order=order)
            got = parse_dates(values, order=order, memo=memo)
            for name in ("start", "end", "precision"):
                pd.testing.assert_series_equal(getattr(got, name), getattr(want, name))
            assert (got.mixed == want.mixed).all() and (got.missing == want.missing).all()
    assert memo.size <= 5
    assert parse_dates(first, order=(False, ""), memo=memo).start[0] == pd.Timestamp(
        "2022-03-04")


@pytest.mark.parametrize("limit", [50_000, 5])
def test_geocoding_chunks_from_memory_gives_the_one_call_result(monkeypatch, limit):
    """The streamed load's memo of geocoded keys answers as a geocoder without it does."""
    from sahelmap.geocoding import geocoder
    from sahelmap.loaders.streaming import _RememberedNames

    monkeypatch.setattr(geocoder, "MEMO_LIMIT", limit)
    rng = np.random.default_rng(9)
    n = 400
    frame = pd.DataFrame({
        "place": rng.choice(PLACES + ["Atlantis", "near Gao", None], n),
        "lon": np.where(rng.random(n) < 0.3, rng.uniform(-5, 5, n), np.nan),
        "lat": np.where(rng.random(n) < 0.3, rng.uniform(12, 18, n), np.nan),
        "country": rng.choice(["Mali", "Niger", None], n),
        "admin1": rng.choice(["Gao", "Tillabéri", "Mopti", "Nowhere", None], n),
        "admin2": rng.choice(["Ansongo", "Bourem", "Téra", "Wrong", None], n),
    })
    coder = geocoder.Geocoder()
    for prefer in ("point", "admin"):
        for columns in (list(frame.columns), ["place", "lon", "lat", "admin2"]):
            want = coder.geocode_frame(frame[columns], prefer=prefer)
            remembering = geocoder.Geocoder.__new__(geocoder.Geocoder)
            remembering.__dict__.update(coder.__dict__)
            remembering.names = _RememberedNames(coder.names)
            got = pd.concat([remembering.geocode_frame(frame[columns].iloc[i:i + 30],
                                                       prefer=prefer)
                             for i in range(0, n, 30)])
            # the values (a chunk's all-empty column may have another dtype, with or
            # without the memo)
            pd.testing.assert_frame_equal(got.astype(object).where(got.notna(), None),
                                          want.astype(object).where(want.notna(), None),
                                          check_exact=True)
            assert remembering.names.results
            assert all(len(where) <= max(limit, 30) for where, _, _ in
                       remembering.names.results.values())
            assert (want["method"] == "admin-hint").any()
            assert want["flags"].str.contains("point-admin-mismatch").any()


def test_loads_in_threads_of_one_process_give_the_results_of_one_at_a_time(tmp_path):
    """A load remembers its names on its own copy of the geocoder, never the shared one."""
    from concurrent.futures import ThreadPoolExecutor

    from sahelmap.geocoding.geocoder import _default_geocoder

    shared = _default_geocoder(85.0)
    matcher = shared.names
    paths = []
    for n, (prefix, seed) in enumerate((("MLI", 3), ("NER", 4), ("BFA", 5), ("TCD", 6))):
        path = tmp_path / f"{prefix}.csv"
        body = _messy(tmp_path, path.name, prefix, f"Source {n}", seed, "25/11/2022")
        path.write_text("\n".join([HEADER, *body]) + "\n", encoding="utf-8")
        paths.append(path)

    def load(path):
        return stream_events([path], chunk_rows=7, today="2024-01-01", merge_duplicates=True)

    alone = [load(p) for p in paths]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(load, paths * 3))
    for n, result in enumerate(together):
        pd.testing.assert_frame_equal(result.accepted, alone[n % 4].accepted)
        pd.testing.assert_frame_equal(result.rejected, alone[n % 4].rejected)
    assert shared.names is matcher  # the shared geocoder was never changed


def test_the_seen_keys_filter_never_hides_a_key_seen_before():
    """_Seen answers exactly with its filter in front of the runs: keys of earlier chunks,
    repeats within a chunk, keys sharing a filter bit with other keys, and a set rebuilt
    from the runs of an earlier one (a file read again) all count as seen."""
    from sahelmap.loaders.streaming import _FILTER_BITS, _Seen

    rng = np.random.default_rng(3)
    seen, known = _Seen(), set()
    for _ in range(12):
        keys = rng.integers(0, 2**64, 2_000, dtype=np.uint64)
        if known:
            keys[:300] = rng.choice(np.array(sorted(known), dtype=np.uint64), 300)
        keys[300:400] = keys[400:500]  # repeats within the chunk
        # keys sharing the top bits of known ones (their filter bit set), never seen
        keys[500:600] = keys[:100] ^ np.uint64(1)
        before, expected = set(known), []
        for key in keys.tolist():
            expected.append(key in before or key in known)
            known.add(key)
        assert seen.repeats(keys).tolist() == expected
    assert seen.keys.tolist() == sorted(known)
    again = _Seen(list(seen.runs))
    old = np.array(sorted(known)[:50], dtype=np.uint64)
    new = np.array([k for k in range(1, 60) if k not in known][:50], dtype=np.uint64)
    assert again.repeats(np.concatenate([old, new])).tolist() == [True] * 50 + [False] * 50
    assert again.filter.nbytes * 8 == 2 ** _FILTER_BITS


@pytest.mark.parametrize("dtype", ["uint64", "int64"])
def test_keys_looked_up_in_fewer_keys_are_found_as_by_isin(monkeypatch, dtype):
    """in_sorted's table of low bits (for many look-ups in fewer keys) skips only keys that
    are absent, in every block of look-ups; keys sharing low bits with present ones are
    bisected and told apart."""
    from sahelmap.loaders import keys

    monkeypatch.setattr(keys, "_BLOCK", 64)  # several blocks
    rng = np.random.default_rng(5)
    ordered = np.unique(rng.integers(0, 2**62, 300).astype(dtype))
    looked = np.concatenate([ordered[::3], ordered[:100] + (1 << 40),  # same low bits
                             rng.integers(0, 2**62, 2_000).astype(dtype)])
    rng.shuffle(looked)
    assert keys.in_sorted(ordered, looked).tolist() == np.isin(looked, ordered).tolist()
    positions = np.arange(0, 5_000, 7, dtype=dtype)  # small integers: rows' positions
    assert keys.in_sorted(positions[:50], positions).tolist() == [True] * 50 + [False] * (
        len(positions) - 50)


def test_a_geocoder_asked_for_some_columns_gives_those_of_the_whole_result():
    """A streamed chunk asks the geocoder for the P-codes, status and reason only: they are
    the whole result's, points kept or moved as there."""
    from sahelmap.geocoding import Geocoder

    frame = pd.DataFrame({"place": ["Gao", "Atlantis", None, "Ansongo"],
                          "lon": [np.nan, np.nan, 0.05, 0.5],
                          "lat": [np.nan, np.nan, 16.27, 15.6],
                          "admin2": [None, "Bourem", None, "Téra"]})
    coder = Geocoder()
    for prefer in ("point", "admin"):
        whole = coder.geocode_frame(frame, prefer=prefer)
        for keep in (["adm1_pcode", "status", "reason"], ["match_lon", "adm2_pcode"]):
            some = coder._geocode(frame, prefer=prefer, keep=keep)
            assert list(some.columns) == [c for c in whole.columns if c in keep]
            pd.testing.assert_frame_equal(some, whole[list(some.columns)])


def test_the_weekly_job_read_in_chunks_writes_what_it_writes_read_whole(tmp_path):
    """Weekly reads event files in chunks (bounded memory): the same files come out."""
    from sahelmap.pipeline import weekly

    first = _messy(tmp_path, "a.csv", "MLI", "Source A", 1, "25/11/2022")
    second = _rows(np.random.default_rng(2), 20, "NER", "Source B")
    second += ["D1" + first[3].replace("Source A", "Source B")]
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("\n".join([HEADER, *first]) + "\n", encoding="utf-8")
    b.write_text("\n".join([HEADER, *second]) + "\n", encoding="utf-8")
    outputs = {}
    for rows in (7, None):
        out = tmp_path / f"out-{rows}"
        written = weekly(events=[a, b], week="2022-W20", out_dir=out, png=False, weeks=8,
                         chunk_rows=rows, lang="en")
        outputs[rows] = {name: written[name].read_bytes()
                         for name in ("regions", "weeks", "rejected", "flagged")}
        # the map, but for the ids folium draws at random
        outputs[rows]["map"] = re.sub(r"[0-9a-f]{32}", "id", written["map"].read_text(
            encoding="utf-8"))
    assert outputs[7] == outputs[None]
    assert len(outputs[7]["rejected"].splitlines()) > 5
