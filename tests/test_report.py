"""The weekly report page: content, offline, one A4 page in print, table = regions.csv."""

import datetime as dt
import re
import subprocess

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from sahelmap.cli import main
from sahelmap.render.report import report_html
from tests.test_render_browser import CHROMIUM, make_probe, run_in_chromium

REPORT_PROBE = make_probe(r"""
    report.units = Array.prototype.map.call(document.querySelectorAll("#units tbody tr"),
      function (tr) {
        return [tr.cells[0].textContent].concat(Array.prototype.map.call(
          tr.querySelectorAll("td[data-value]"), function (td) { return +td.dataset.value; }));
      });
    report.top = document.querySelectorAll("table.top tbody tr").length;
    report.svg = document.querySelectorAll(".trend svg polyline").length;
""", find_map=False)


def print_to_pdf(page, tmp_path):
    """``page`` printed by headless Chromium (offline), read back with pypdf."""
    from pypdf import PdfReader

    pdf = tmp_path / "report.pdf"
    subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
                    f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer",
                    "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=10000",
                    f"--print-to-pdf={pdf}", page.as_uri()],
                   capture_output=True, timeout=120, check=False)
    return PdfReader(pdf)


def weekly_example(out, *options):
    """``sahelmap weekly`` on the bundled example for 2022-W37 into ``out``, quiet."""
    result = CliRunner().invoke(main, ["weekly", "--example", "--week", "2022-W37", "--out",
                                       str(out), "-q", *options])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def weekly_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("weekly")
    return weekly_example(out, "--lang", "en", "--value", "arrivals")


def test_report_content(weekly_out):
    page = (weekly_out / "report.html").read_text(encoding="utf-8")
    assert "<title>New arrivals of displaced people \u2013 Week 2022-W37" in page
    assert "Includes synthetic test data" in page  # the example's synthetic series
    assert "93 rows read, 93 counted" in page
    assert '<iframe class="map screen"' in page and 'src="data:image/png;base64,' in page
    assert "<script" not in page.split("<iframe")[0]  # the page itself runs no script
    top = re.search(r'<table class="top">.*?</table>', page, re.S).group(0)
    rows = re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">([^<]+)</td>"
                      r"<td class=\"num\">([^<]+)</td></tr>", top)
    regions = pd.read_csv(weekly_out / "regions.csv")
    weeks = pd.read_csv(weekly_out / "weeks.csv")
    ranked = regions[regions["arrivals"] > 0].sort_values("arrivals", ascending=False)
    assert [r[0] for r in rows] == ranked["unit_name"].tolist()[:10]
    before = weeks[weeks["period"] == "2022-W36"].set_index("unit_pcode")["arrivals"]
    for (name, value, change), (_, row) in zip(rows, ranked.iterrows()):
        assert name == row["unit_name"]
        assert value == f"{row['arrivals']:,}"
        delta = row["arrivals"] - before[row["unit_pcode"]]
        assert change == (f"+{delta:,}" if delta > 0 else f"\u2212{-delta:,}" if delta else "0")


def test_report_in_french_numbers_and_words():
    table = pd.DataFrame({"unit_pcode": ["ML07", "ML07", "NE006", "NE006"],
                          "unit_name": ["Gao", "Gao", "Tillabéri", "Tillabéri"],
                          "adm1_name": ["Gao", "Gao", "Tillabéri", "Tillabéri"],
                          "period": ["2022-W36", "2022-W37"] * 2,
                          "idps": [58_000, 60_000, 1_200, 900]})
    page = report_html(table, week="2022-W37", value="idps", title="PDI", lang="fr",
                       generated=dt.date(2022, 9, 19))
    assert "60\u202f000" in page and "+2\u202f000" in page and "\u2212300" in page
    assert "Réalisé avec sahelmap le 2022-09-19" in page and "un stock" in page
    assert "Semaine 2022-W37 (du 12 sept. au 18 sept. 2022)" in page


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not found")
def test_report_opens_offline_and_its_table_matches_regions_csv(tmp_path, weekly_out):
    page = (weekly_out / "report.html").read_text(encoding="utf-8")
    report = run_in_chromium(page, tmp_path, "report", probe=REPORT_PROBE)
    assert report["errors"] == [] and report["remote"] == []
    assert report["top"] == 3 and report["svg"] == 2  # Mali and Niger totals
    regions = pd.read_csv(weekly_out / "regions.csv").sort_values("unit_pcode")
    columns = ["events", "fatalities", "arrivals", "idps", "returns", "departures"]
    expected = [[p, *map(int, v)] for p, v in zip(regions["unit_pcode"],
                                                   regions[columns].to_numpy())]
    assert report["units"] == expected


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not found")
def test_report_prints_on_one_a4_page(tmp_path, weekly_out):
    reader = print_to_pdf(weekly_out / "report.html", tmp_path)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4, points
    text = reader.pages[0].extract_text()
    assert "New arrivals of displaced people" in text and "Gao" in text


def test_report_without_a_png_prints_the_map_itself(tmp_path):
    # weekly --no-png: the printed page has the map (drawn by the browser, without the
    # on-screen controls and the map's own title box), not an empty space
    out = tmp_path / "weekly"
    weekly_example(out, "--lang", "en", "--value", "arrivals", "--no-png")
    assert not (out / "map.png").exists()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'class="map"' in page and 'class="map screen"' not in page
    reader = print_to_pdf(out / "report.html", tmp_path)
    assert len(reader.pages) == 1
    lines = reader.pages[0].extract_text().splitlines()
    assert "LEGEND" in lines and "Security events (6)" in lines  # the map's legend, printed
    assert not any("Keys:" in line for line in lines)  # the week selector is not


def test_weekly_writes_the_last_four_weeks_side_by_side(weekly_out):
    from PIL import Image

    from sahelmap.render.multiples import save_multiples

    with Image.open(weekly_out / "weeks.png") as image:
        width, height = image.size
        assert width > 2000 and 1000 < height < width  # 2 x 2 panels and a legend
        # the neighbouring countries are drawn (grey), so the panels show where the Sahel is
        pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
    neighbour = np.array([0xE9, 0xE8, 0xE4])
    assert (np.abs(pixels.astype(int) - neighbour).sum(axis=1) <= 3).mean() > 0.05
    from sahelmap.boundaries import admin_units
    from sahelmap.render import RenderError

    one_week = admin_units("adm1", simplified=True).assign(arrivals=1)
    with pytest.raises(RenderError, match="need a 'period' column"):
        save_multiples(one_week, path=weekly_out / "x.png")


def test_weeks_without_an_idp_count_are_no_data_not_zero(tmp_path):
    """IDPs present are a snapshot: between two rounds the map says 'no data', never 0."""
    import json

    from sahelmap.datasets import example_path

    rows = pd.read_csv(example_path("displacement.csv"))
    week = pd.to_datetime(rows["date"]).dt.isocalendar()["week"]
    one_round = rows[(rows["figure_type"] != "idps") | (week == 35)]
    displacement = tmp_path / "dtm.csv"
    one_round.to_csv(displacement, index=False)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [
        "weekly", "--events", str(example_path("events.csv")), "--displacement",
        str(displacement), "--gazetteer", str(example_path("places.csv")), "--week", "2022-W37",
        "--out", str(out), "--value", "idps", "--lang", "en", "--no-png", "-q", "--allow-zero"])
    assert result.exit_code == 0, result.output
    page = (out / "map.html").read_text(encoding="utf-8")
    start = page.index('"values":') + len('"values":')
    values, _ = json.JSONDecoder().raw_decode(page[start:])
    weeks = sorted(pd.read_csv(out / "weeks.csv")["period"].unique())
    for w, label in enumerate(weeks):
        idps = values["idps"][w]
        if label == "2022-W35":
            assert any(v and v > 0 for v in idps)
        else:
            assert all(v is None for v in idps), label
    assert (pd.read_csv(out / "regions.csv")["idps"] == 0).all()  # the table keeps its zeros
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "No unit reported this figure this week." in report


EMBED_PROBE = make_probe(r"""
    var frame = document.querySelector("iframe#embed");
    var doc = frame.contentDocument;
    report.title = doc.querySelector("h1").textContent;
    report.columns = doc.defaultView.getComputedStyle(doc.querySelector(".side"))
      .gridTemplateColumns.split(" ").length;
    report.scroll = doc.documentElement.scrollWidth <= frame.clientWidth + 1;
""", find_map=False)


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not found")
def test_report_embeds_in_a_narrow_iframe(tmp_path, weekly_out):
    """In a 420 px iframe (a phone, a blog column) the page is one column, no side scroll."""
    from html import escape

    page = (weekly_out / "report.html").read_text(encoding="utf-8")
    host = ('<!DOCTYPE html><html><head></head><body><iframe id="embed" width="420" '
            f'height="900" srcdoc="{escape(page)}"></iframe></body></html>')
    report = run_in_chromium(host, tmp_path, "embed", probe=EMBED_PROBE)
    assert report["errors"] == [] and report["remote"] == []
    assert report["title"] == "New arrivals of displaced people"
    assert report["columns"] == 1 and report["scroll"] is True


def test_weeks_option_sets_the_weeks_shown(tmp_path):
    import json

    out = tmp_path / "two"
    weekly_example(out, "--weeks", "2", "--mode", "change", "--no-png")
    assert sorted(pd.read_csv(out / "weeks.csv")["period"].unique()) == ["2022-W36", "2022-W37"]
    options = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["options"]
    assert options["weeks_shown"] == "2022-W36 to 2022-W37" and options["mode"] == "change"
    assert options["lang"] == "fr"  # the default
    page = (out / "map.html").read_text(encoding="utf-8")
    assert "Variation par rapport à la semaine précédente" in page
    assert list(pd.read_csv(out / "regions.csv")["period"].unique()) == ["2022-W37"]
