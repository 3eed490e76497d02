"""Static images: PNG at 300 dpi, SVG with real text, classes shared with the web map."""

import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from sahelmap.render import RenderError, save_static
from sahelmap.render._classify import classify
from sahelmap.render._synthetic import synthetic_choropleth, synthetic_events

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def communes():
    return synthetic_choropleth(seed=4)


@pytest.fixture(scope="module")
def events():
    return synthetic_events(400, seed=4)


def svg_texts(path):
    root = ET.parse(path).getroot()  # raises if the SVG is not well-formed XML
    assert root.tag == f"{SVG}svg"
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def test_png_at_300_dpi(tmp_path, communes, events):
    path = save_static(communes, events, path=tmp_path / "map.png", value="idps",
                       title="IDPs", sources="IOM DTM")
    assert path == tmp_path / "map.png"
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert [round(d) for d in image.info["dpi"]] == [300, 300]
        assert image.width > 3000 and image.height > 1500
        # Not a blank canvas: many colours (choropleth classes, event types).
        assert len(image.convert("RGB").resize((400, 200)).getcolors(100_000)) > 50


def test_svg_is_xml_with_title_legend_and_attribution(tmp_path, communes, events):
    title = 'Arrivals & <returns> "week 37" $5'
    path = save_static(communes, events, path=tmp_path / "map.svg", value="arrivals",
                       scheme="equal_interval", k=3, title=title, sources=["IOM DTM", "ACLED"])
    texts = svg_texts(path)
    assert title in texts  # literal: escaped for XML, no mathtext
    assert "2022-W37" in texts
    classes = classify(communes["arrivals"], scheme="equal_interval", k=3)
    for label, count in zip(classes.labels[1:], classes.counts[1:]):
        assert f"{label}  ({count:,})" in texts
    assert f"0 (none reported)  ({classes.counts[0]:,})" in texts
    assert any(text.startswith("Violence against civilians") for text in texts)
    assert "Fatalities per event" in texts
    footer = " ".join(texts)
    assert "Sources: IOM DTM; ACLED" in footer and "geoBoundaries" in footer
    assert "400 synthetic events" in footer
    assert sum(name in texts for name in ("Agadez", "Tombouctou", "Kidal", "Niamey")) >= 3


def test_events_only_and_choropleth_only(tmp_path, communes, events):
    only_events = save_static(events=events, path=tmp_path / "events.svg")
    assert "Security events" in svg_texts(only_events)
    only_zero = save_static(communes.assign(returns=0), path=tmp_path / "zero.svg",
                            value="returns")
    assert any(t.startswith("0 (none reported)") for t in svg_texts(only_zero))


def test_pdf_and_unknown_suffix(tmp_path, communes):
    pdf = save_static(communes, path=tmp_path / "map.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    with pytest.raises(RenderError, match="use a .png, .svg or .pdf"):
        save_static(communes, path=tmp_path / "map.jpeg")
