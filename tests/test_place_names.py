"""Place names on maps and report pages (layer ``places``): chosen from real OSM place nodes
(Rutland, Liechtenstein) and the real Latvian towns layer, escaped in the offline HTML, drawn
as text on PNG/PDF pages, stored in a built bundle and decluttered in the browser."""

from __future__ import annotations

import json
import re
import subprocess
import time

import geopandas as gpd
import numpy as np
import pytest
import shapely
from conftest import osm_file, shared_file
from scipy.spatial.distance import pdist, squareform
from test_offline_browser import _left_machine, _requests, browser  # noqa: F401

from geo import settings
from geo.outputs import layers as map_layers
from geo.outputs import report, static, web
from geo.region.build import _towns_as_places
from geo.sources import boundaries as bd
from geo.sources.osm import LABEL_PLACES, read_places

VIDZEME = ["Alūksnes novads", "Cēsu novads", "Gulbenes novads", "Limbažu novads",
           "Madonas novads", "Smiltenes novads", "Valkas novads", "Valmieras novads",
           "Varakļānu novads"]
HOSTILE = '</script><script>alert("x")</script> & <b>Ķekava</b>'


@pytest.fixture(scope="module")
def vidzeme():
    b = bd.read_boundaries(shared_file("vidzeme", "boundaries", "municipalities_2021.geojson"))
    return bd.select_areas(b, VIDZEME)


@pytest.fixture(scope="module")
def vidzeme_places(vidzeme):
    towns = bd.read_boundaries(shared_file("vidzeme", "boundaries", "latvia_towns.geojson"))
    return _towns_as_places(towns, vidzeme.to_crs(settings.WGS84))


# --------------------------------------------------------------------------------------------
# Which names: importance first, spaced, only the labelled kinds
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("region", ["rutland", "liechtenstein"])
def test_labels_are_the_important_places_spaced_apart(region):
    places = read_places(osm_file(region))
    layer = map_layers.places_layer(places, "en", max_labels=25)
    names = list(layer.data["f0"])
    towns = places.loc[places["place"] == "town", "name"].tolist()
    assert set(towns) <= set(names), "every town of the extract is named"
    assert set(names[:len(towns)]) == set(towns), "towns come before villages"
    kinds = places.set_index("name")["place"]
    assert {kinds[n] if isinstance(kinds[n], str) else kinds[n].iloc[0] for n in names} <= \
        set(LABEL_PLACES)
    assert len(names) <= 25
    # independent check of the spacing, in the extract's UTM zone
    utm = layer.data.to_crs(layer.data.estimate_utm_crs())
    xy = np.c_[utm.geometry.x, utm.geometry.y]
    spacing = map_layers.label_spacing_m(
        places[places["place"].isin(LABEL_PLACES)].to_crs(utm.crs).geometry)
    d = squareform(pdist(xy))
    np.fill_diagonal(d, np.inf)
    assert d.min() >= spacing * 0.999
    # every labelled-kind place left out is within the spacing of a label (or the cap hit)
    if len(names) < 25:
        cand = places[places["place"].isin(LABEL_PLACES) & places["name"].notna()]
        left = cand[~cand["name"].isin(names)].to_crs(utm.crs)
        lxy = np.c_[left.geometry.x, left.geometry.y]
        nearest = np.sqrt(((lxy[:, None, :] - xy[None, :, :]) ** 2).sum(-1)).min(axis=1)
        assert (nearest < spacing).all()


def test_population_orders_places_of_the_same_kind():
    pts = gpd.GeoDataFrame(
        {"name": ["Small", "Big", "Middle", "Farm"], "place": ["village", "village", "village",
                                                               "farm"],
         "population": [50, 900, np.nan, 10_000]},
        geometry=shapely.points([(0, 0), (100, 0), (200, 0), (300, 0)]), crs="EPSG:3059")
    close = map_layers.places_layer(pts, "lv", spacing_m=150.0)
    assert list(close.data["f0"]) == ["Big"], "the largest village wins; farms are not named"
    far = map_layers.places_layer(pts, "lv", spacing_m=1.0)
    assert list(far.data["f0"]) == ["Big", "Small", "Middle"]
    assert list(far.data["_k"]) == [2, 2, 2]


def test_vidzeme_towns_layer_gives_the_region_towns(vidzeme_places):
    names = set(vidzeme_places["name"])
    assert {"Cēsis", "Valmiera", "Alūksne", "Gulbene", "Madona", "Smiltene", "Valka",
            "Limbaži"} <= names
    assert not names & {"Rīga", "Sigulda", "Jēkabpils", "Daugavpils"}, "only the region's towns"
    assert set(vidzeme_places["place"]) == {"town"}


# --------------------------------------------------------------------------------------------
# Drawn: offline HTML (escaped), PNG and PDF text
# --------------------------------------------------------------------------------------------
def _label_texts(html: str) -> list[str]:
    """The label texts as the browser gets them (GeoJSON properties, HTML-escaped)."""
    out = []
    for m in re.finditer(r'"f0": ("(?:[^"\\]|\\.)*")', html):
        out.append(json.loads(m.group(1)))
    return out


def test_place_names_are_in_the_offline_html_escaped(vidzeme, vidzeme_places):
    places = vidzeme_places.copy()
    places.loc[places.index[0], "name"] = HOSTILE
    layers = [map_layers.boundaries_layer(vidzeme, "lv"),
              map_layers.places_layer(places, "lv")]
    html = web.to_html(web.make_map(layers, lang="lv", title="Vidzeme"))
    assert not web.external_refs(html)
    texts = _label_texts(html)
    assert "Cēsis" in texts and "Valmiera" in texts
    assert "&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; " \
           "&lt;b&gt;Ķekava&lt;/b&gt;" in texts
    assert "<script>alert" not in html and "</script><script>alert" not in html
    assert "Apdzīvoto vietu nosaukumi" in html  # the layer control entry (Latvian)
    html_en = web.to_html(web.make_map(
        [map_layers.places_layer(places, "en")], lang="en"))
    assert "Place names" in html_en


def test_place_names_on_png_and_pdf_pages(tmp_path, vidzeme, vidzeme_places):
    layers = [map_layers.boundaries_layer(vidzeme, "en"),
              map_layers.places_layer(vidzeme_places, "en")]
    fig = static.plot_map(layers, lang="en", title="Vidzeme")
    drawn = [a.get_text() for a in fig.axes[0].texts if a.get_gid() == "geo-place"]
    assert {"Cēsis", "Valmiera", "Alūksne"} <= set(drawn)
    assert drawn == list(layers[1].data["f0"]), "one text per label, in importance order"
    pdf = report.export_pdf(tmp_path / "r.pdf", layers=layers, lang="en", title="Vidzeme")
    if subprocess.run(["which", "pdftotext"], capture_output=True).returncode:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for town in ("Cēsis", "Valmiera", "Gulbene", "Madona"):
        assert town in text, f"{town} not on the PDF page"
    png = report.export_png(layers, tmp_path / "r.png", lang="en", title="Vidzeme")
    assert png.stat().st_size > 10_000


def test_a_layer_without_labelled_places_is_empty_not_an_error():
    pts = gpd.GeoDataFrame({"name": ["A farm"], "place": ["farm"]},
                           geometry=[shapely.Point(24.5, 57.0)], crs=settings.WGS84)
    layer = map_layers.places_layer(pts, "en")
    assert len(layer.data) == 0
    web.to_html(web.make_map([layer], lang="en"))
    static.plot_map([layer], lang="en")


# --------------------------------------------------------------------------------------------
# In the browser: shown, never overlapping, more of them when zoomed in, nothing fetched
# --------------------------------------------------------------------------------------------
#: Texts of the place labels a reader sees, and how many pairs of them overlap (px).
LABELS_JS = """
var s = Array.from(document.querySelectorAll('.geo-place')).filter(function (e) {
    return e.style.visibility !== 'hidden' && e.getClientRects().length; });
var r = s.map(function (e) { return e.getBoundingClientRect(); }), overlaps = 0;
for (var i = 0; i < r.length; i++) { for (var j = i + 1; j < r.length; j++) {
    if (r[i].left < r[j].right && r[j].left < r[i].right &&
        r[i].top < r[j].bottom && r[j].top < r[i].bottom) { overlaps++; } } }
return {names: s.map(function (e) { return e.innerText; }), overlaps: overlaps,
        all: document.querySelectorAll('.geo-place').length};
"""


def test_place_names_in_the_browser_offline(browser, tmp_path, vidzeme, vidzeme_places):  # noqa: F811
    places = vidzeme_places.copy()
    places.loc[places["name"] == "Seda", "name"] = HOSTILE
    layers = [map_layers.boundaries_layer(vidzeme, "lv"), map_layers.places_layer(places, "lv")]
    path = report.export_html(web.make_map(layers, lang="lv"), tmp_path / "karte.html")
    _requests(browser)
    browser.get(path.as_uri())
    end = time.time() + 30
    while not (got := browser.execute_script(LABELS_JS))["names"] and time.time() < end:
        time.sleep(0.1)
    assert {"Cēsis", "Valmiera", "Madona"} <= set(got["names"]), got
    assert got["overlaps"] == 0, "overlapping labels are hidden"
    assert got["all"] == len(layers[1].data)
    # the hostile name is text (shown or decluttered), never markup
    assert browser.execute_script("return !document.querySelector('.geo-place b, "
                                  ".geo-place script');")
    browser.execute_script("var m = Object.values(window).find(function (v) {"
                           " return v instanceof L.Map; }); m.setZoom(m.getZoom() + 2,"
                           " {animate: false});")
    zoomed = browser.execute_script(LABELS_JS)
    assert zoomed["overlaps"] == 0
    assert len(zoomed["names"]) >= len(got["names"])
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    assert _left_machine(_requests(browser)) == []
