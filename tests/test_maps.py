"""Offline maps (geo.outputs.web) on real data: Vidzeme boundaries, census cells, Ookla cells, OSM
schools and the Liechtenstein road network."""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import built_network, osm_file, shared_file
from scipy.spatial import cKDTree

from geo import i18n, jobs, settings
from geo.errors import GeoInputError
from geo.i18n import t
from geo.outputs import layers as map_layers
from geo.outputs import static, web, web_streamlit


# --------------------------------------------------------------------------------------------
# Real data, read in place
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def boundaries():
    return gpd.read_file(shared_file("vidzeme", "boundaries", "municipalities_2021.geojson"))


@pytest.fixture(scope="module")
def cells():
    """Census 2021 1 km cells of Vidzeme (EPSG:3035) with a travel time: straight-line
    distance from the cell centre to the nearest town at 50 km/h (a real-data value field;
    the layer's banding is what is tested)."""
    pop = pd.read_csv(shared_file("vidzeme", "population", "census2021_1km_vidzeme.csv"))
    towns = gpd.read_file(shared_file("vidzeme", "boundaries", "latvia_towns.geojson"))
    g = gpd.GeoDataFrame(pop[["T", "name"]].copy(),
                         geometry=shapely.box(pop.E, pop.N, pop.E + 1000, pop.N + 1000),
                         crs="EPSG:3035")
    c = g.geometry.centroid.to_crs(settings.LATVIA_CRS)
    tc = towns.to_crs(settings.LATVIA_CRS).geometry.representative_point()
    d, _ = cKDTree(np.c_[tc.x, tc.y]).query(np.c_[c.x, c.y])
    g["time_min"] = d / 1000 / 50 * 60
    g.loc[g.index[:5], "time_min"] = np.inf  # a few unreachable cells
    return g


@pytest.fixture(scope="module")
def broadband():
    ook = pd.read_csv(shared_file("vidzeme", "broadband", "ookla_fixed_2023q2_350m_vidzeme.csv"))
    return gpd.GeoDataFrame(ook, geometry=shapely.box(ook.E, ook.N, ook.E + 350, ook.N + 350),
                            crs="EPSG:3035")


@pytest.fixture(scope="module")
def li_schools():
    from geo.sources.osm import read_facilities

    return read_facilities(osm_file("liechtenstein"), kinds=("school",))


@pytest.fixture(scope="module")
def li_net():
    osm_file("liechtenstein")
    return built_network("liechtenstein")


@pytest.fixture(scope="module")
def vidzeme_map(boundaries, cells, broadband):
    layers = [
        map_layers.boundaries_layer(boundaries, "lv"),
        map_layers.travel_time_layer(cells, "lv", population="T"),
        map_layers.white_spots_layer(cells, "lv", threshold_min=30, population="T"),
        map_layers.broadband_layer(broadband, "lv", show=False),
    ]
    m = web.make_map(layers, lang="lv", title="Vidzeme")
    return layers, m, web.to_html(m)


# --------------------------------------------------------------------------------------------
# Vendored assets
# --------------------------------------------------------------------------------------------
def test_every_folium_asset_has_a_local_copy():
    import folium.folium as ff
    from folium.plugins import Fullscreen, HeatMap

    urls = [u for _, u in ff._default_js + ff._default_css]
    urls += [u for _, u in Fullscreen.default_js + Fullscreen.default_css + HeatMap.default_js]
    for url in urls:
        assert url in web.CDN_FILES, url
        got = web.asset_text(url)
        if url.endswith("bootstrap-glyphicons.css"):
            assert got is None  # deliberately dropped, documented
            continue
        kind, text = got
        assert kind == ("css" if ".css" in url else "js")
        assert len(text) > 500
        assert not re.search(r"url\((?!\s*[\"']?(data:|#))", text), url


@pytest.mark.parametrize("url, marker", [
    ("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js", 'version="1.9.3"'),
    ("https://code.jquery.com/jquery-3.7.1.min.js", "jQuery v3.7.1"),
    ("https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js", "Bootstrap v5.2.2"),
    ("https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css", "Bootstrap  v5.2.2"),
    ("https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css", "Font Awesome Free 6.2.0"),
    # the 2.0.2 release still carries the 2.0.1 version string upstream (see geo/static/README)
    ("https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js",
     "L.AwesomeMarkers.version = '2.0.1'"),
])
def test_vendored_versions_equal_what_folium_links(url, marker):
    assert marker in web.asset_text(url)[1]


def test_vendored_folders_carry_their_licence():
    readme = (web.STATIC_DIR / "README.md").read_text(encoding="utf-8")
    folders = [p for p in web.STATIC_DIR.iterdir() if p.is_dir() and p.name != "geo"]
    assert len(folders) == 7
    for folder in folders:
        assert list(folder.glob("LICENSE*")), folder
        assert f"`{folder.name}/`" in readme
    # no source maps or unused sources shipped
    assert not list(web.STATIC_DIR.rglob("*.map"))
    total = sum(p.stat().st_size for p in web.STATIC_DIR.rglob("*") if p.is_file())
    assert total < 1_300_000


def test_unknown_asset_is_refused():
    m = folium.Map(tiles=None)
    m.default_js = [("x", "https://example.org/x.js")]
    m._geo_full_assets = True
    with pytest.raises(web.OfflineAssetError, match="example.org"):
        web.to_html(m)


# --------------------------------------------------------------------------------------------
# Standalone HTML
# --------------------------------------------------------------------------------------------
def _geojson_blocks(doc: str) -> list[dict]:
    out = []
    for m in re.finditer(r"_add\((\{[^\n]*\})\);", doc):
        out.append(json.loads(m.group(1)))
    return out


def test_html_has_no_cdn_references(vidzeme_map):
    _, _, doc = vidzeme_map
    assert web.external_refs(doc) == []
    assert not re.search(r"<script[^>]+src=", doc)
    assert not re.search(r"<link[^>]+href=", doc)
    assert "cdn.jsdelivr" not in doc and "cdnjs" not in doc and "code.jquery" not in doc
    assert "L.map(" in doc and "Leaflet" in doc  # Leaflet itself is inlined
    assert "tile.openstreetmap.org" not in doc  # no tile layer by default


def test_html_has_all_layers_with_every_feature(vidzeme_map, boundaries, cells, broadband):
    layers, _, doc = vidzeme_map
    blocks = _geojson_blocks(doc)
    counts = sorted(len(b["features"]) for b in blocks)
    n_white = int((~(cells["time_min"] <= 30)).sum())
    assert counts == sorted([len(boundaries), len(cells), n_white, len(broadband)])
    for layer in layers:
        assert json.dumps(layer.name)[1:-1] in doc or layer.name in doc
    assert "L.control.layers(" in doc


def test_travel_time_bands_match_independent_classification(vidzeme_map, cells):
    layers, _, _ = vidzeme_map
    tt = layers[1]
    expected = pd.cut(cells["time_min"], [0, 10, 20, 30, 45, 60, np.inf], right=False,
                      labels=list(settings.MAP_TIME_COLORS)).astype(object)
    expected = expected.where(np.isfinite(cells["time_min"]), settings.MAP_UNREACHABLE_COLOR)
    assert tt.data["_c"].tolist() == expected.tolist()
    assert (tt.data["_c"] == settings.MAP_UNREACHABLE_COLOR).sum() == 5
    labels = [it.label for it in tt.legend]
    assert labels == ["0–10", "10–20", "20–30", "30–45", "45–60", "60+", "nav sasniedzams"]
    # tooltip shows population and minutes
    assert tt.data["f1"].iloc[10] == str(int(cells["T"].iloc[10]))
    assert tt.data["f0"].iloc[10] == f"{cells['time_min'].iloc[10]:.1f}"


def test_coordinates_are_rounded_and_html_is_small(vidzeme_map):
    _, _, doc = vidzeme_map
    blocks = _geojson_blocks(doc)
    coords = re.findall(r"-?\d+\.(\d+)", json.dumps([b["features"][0]["geometry"] for b in blocks]))
    assert coords and max(len(c) for c in coords) <= settings.MAP_COORD_DECIMALS
    # 7,590 census cells + 1,121 Ookla cells + white spots + boundaries
    assert len(doc) < 4_000_000


def test_legend_and_title_in_both_languages(boundaries, cells):
    for lang in ("lv", "en"):
        layers = [map_layers.boundaries_layer(boundaries, lang), map_layers.travel_time_layer(cells, lang)]
        doc = web.to_html(web.make_map(layers, lang=lang, title=t("map.title.travel_time", lang)))
        for key in ("map.travel_time", "map.boundaries", "map.unreachable", "map.title.travel_time"):
            assert json.dumps(t(key, lang))[1:-1] in doc, (lang, key)
    assert t("map.travel_time", "lv") != t("map.travel_time", "en")
    for key in [k for k in i18n.STRINGS if k.startswith(("map.", "report."))]:
        assert i18n.STRINGS[key].get("lv") and i18n.STRINGS[key].get("en"), key


def test_boundaries_layer_simplifies_and_keeps_names(boundaries):
    layer = map_layers.boundaries_layer(boundaries, "en")
    assert layer.kind == "line" and len(layer.data) == 9
    assert sorted(layer.data["f0"]) == sorted(boundaries["name"])
    n_in = shapely.get_num_coordinates(boundaries.geometry.values).sum()
    n_out = shapely.get_num_coordinates(layer.data.geometry.values).sum()
    assert n_out < n_in
    # simplification at 50 m moves no line more than ~50 m
    a = boundaries.boundary.to_crs(settings.LATVIA_CRS).values
    b = gpd.GeoSeries(layer.data.geometry.values, crs=settings.WGS84).to_crs(settings.LATVIA_CRS).values
    assert max(shapely.hausdorff_distance(a, b)) < 60


def test_broadband_bands(broadband):
    layer = map_layers.broadband_layer(broadband, "en")
    mbps = broadband["avg_d_kbps"].to_numpy() / 1000
    edges = settings.MAP_BROADBAND_BANDS_MBPS
    for lo, hi, color in zip(edges, list(edges[1:]) + [np.inf], settings.MAP_BROADBAND_COLORS,
                             strict=True):
        sel = (mbps >= lo) & (mbps < hi)
        assert (layer.data["_c"].to_numpy()[sel] == color).all()
    assert layer.note and "Ookla" in layer.attribution


def test_school_categories_on_izm_types():
    df = pd.read_csv(shared_file("vidzeme", "schools",
                                 "vidzeme_schools_pupils_by_grade_2022-12-01.csv"))
    cats = df["Iestādes tips"].map(map_layers.school_category)
    low = df["Iestādes tips"].str.lower()
    special = low.str.contains("speciāl") | low.str.contains("internātskola")
    assert (cats == "special").sum() == special.sum() == 10
    assert (cats == "basic").sum() == (low.str.contains("pamatskol") & ~special).sum()
    assert (cats == "primary").sum() == low.str.contains("sākumskol").sum()
    assert (cats == "other").sum() == 0
    assert map_layers.school_category(None, isced="1;2") == "basic"
    assert map_layers.school_category(None, isced="3") == "secondary"
    assert map_layers.school_category(None, name="Alūksnes pilsētas sākumskola") == "primary"
    assert map_layers.school_category("Valsts ģimnāzija", name="Valmieras pamatskola") == "secondary"


def test_schools_layer_popup_fields(li_schools):
    s = li_schools.copy()
    s["pupils"] = np.arange(len(s)) * 10.0
    s["capacity"] = 300
    layer = map_layers.schools_layer(s.to_crs(settings.LATVIA_CRS), "lv")
    assert len(layer.data) == len(s) and layer.popup
    assert [a for _, a in layer.fields] == ["Nosaukums", "Veids", "Skolēni", "Ietilpība"]
    assert layer.data["f3"].unique().tolist() == ["300"]
    r = layer.data["_r"].to_numpy()
    assert r[0] == 4.0 and r[-1] == 14.0 and (np.diff(r) >= 0).all()  # area ~ pupils
    # reprojected back to WGS84 within a metre
    back = gpd.GeoSeries(layer.data.geometry.values, crs=settings.WGS84).to_crs(3059)
    assert back.distance(s.to_crs(3059).geometry.reset_index(drop=True)).max() < 1


def test_bad_inputs_raise_clear_errors(boundaries, cells):
    with pytest.raises(GeoInputError, match="no coordinate reference system"):
        map_layers.boundaries_layer(boundaries.set_crs(None, allow_override=True), "lv")
    with pytest.raises(GeoInputError, match="time_min"):
        map_layers.travel_time_layer(cells.drop(columns="time_min"), "lv")
    with pytest.raises(GeoInputError, match="no column"):
        map_layers.travel_time_layer(cells, "lv", population="pupils")
    with pytest.raises(GeoInputError, match="language"):
        map_layers.boundaries_layer(boundaries, "de")
    with pytest.raises(GeoInputError, match="tiles"):
        web.make_map([], tiles="google")


def test_osm_tiles_only_when_asked(boundaries):
    doc = web.to_html(web.make_map([map_layers.boundaries_layer(boundaries, "en")], lang="en",
                                     tiles="osm"))
    assert "tile.openstreetmap.org" in doc
    assert web.external_refs(doc) == []  # tiles are not scripts/stylesheets


def test_awesome_markers_are_inlined_when_used():
    m = web.offline_map()
    folium.Marker([57.5, 25.4], icon=folium.Icon(icon="school", prefix="fa")).add_to(m)
    doc = web.to_html(m)
    assert "L.AwesomeMarkers" in doc and "Font Awesome Free 6.2.0" in doc
    assert "data:font/woff2;base64," in doc
    assert web.external_refs(doc) == []
    plain = web.to_html(web.offline_map())
    assert "AwesomeMarkers" not in plain and len(plain) < 200_000


# --------------------------------------------------------------------------------------------
# Streamlit (st_folium gets data: URIs only)
# --------------------------------------------------------------------------------------------
def test_st_folium_loads_only_data_uris(monkeypatch, boundaries):
    import streamlit_folium

    captured = {}

    def fake_component(**kwargs):
        captured.update(kwargs)
        return kwargs.get("default")

    monkeypatch.setattr(streamlit_folium, "_component_func", fake_component)
    m = web.make_map([map_layers.boundaries_layer(boundaries, "lv")], lang="lv", title="Vidzeme")
    ids = [el._id for el in web._walk(m)]
    web_streamlit.render_streamlit(m, height=400)
    links = captured["js_links"] + captured["css_links"]
    assert links and all(u.startswith("data:") for u in links)
    assert any(u.startswith("data:text/javascript") for u in captured["js_links"])
    assert "GeoJson" not in captured["header"] or "http" not in captured["header"]
    assert "geo-legend" in captured["script"]
    # the caller's map is untouched (st_folium renames elements of the map it gets)
    assert [el._id for el in web._walk(m)] == ids
    assert web.external_refs(web.to_html(m)) == []


# --------------------------------------------------------------------------------------------
# Engine -> map
# --------------------------------------------------------------------------------------------
def test_travel_time_map_from_engine(li_net, li_schools):
    from geo.network.access import nearest_facility

    nodes = gpd.GeoSeries(shapely.points(li_net.lon, li_net.lat), crs=4326).to_crs(3035)
    x0, y0, x1, y1 = nodes.total_bounds
    xs = np.arange(np.floor(x0 / 1000) * 1000, x1, 1000)
    ys = np.arange(np.floor(y0 / 1000) * 1000, y1, 1000)
    X, Y = (a.ravel() for a in np.meshgrid(xs, ys))
    grid = gpd.GeoDataFrame({"population": np.ones(len(X))},
                            geometry=shapely.box(X, Y, X + 1000, Y + 1000), crs=3035)
    m = jobs.travel_time_map(li_net, li_schools, grid, lang="en", isochrone_minutes=(10, 20))
    keys = [la.key for la in m._geo_layers]
    assert keys == ["travel_time", "catchments", "isochrones", "white_spots", "roads", "schools"]
    tt = m._geo_layers[0]
    ref = nearest_facility(li_net, grid, li_schools)
    idx = map_layers.band_index(ref["time_min"].to_numpy(), settings.MAP_TIME_BANDS_MIN)
    palette = np.array(list(settings.MAP_TIME_COLORS) + [settings.MAP_UNREACHABLE_COLOR])
    assert tt.data["_c"].tolist() == palette[idx].tolist()
    iso = m._geo_layers[2]
    assert sorted(iso.data["f0"]) == ["10", "20"] and not iso.show
    doc = web.to_html(m)
    assert web.external_refs(doc) == [] and "Travel time to the nearest school" in doc
    fig = static.plot_map(m._geo_layers, lang="en", title="Liechtenstein")
    texts = [x.get_text() for x in fig.axes[0].get_legend().get_texts()]
    assert "Travel time to school, min" in texts and "60+" in texts


def test_dormitories_and_roads_layers(li_net):
    """Dormitory layer on real OSM facility points (no OSM extract here maps a dormitory, so
    Liechtenstein's kindergartens stand in as points), roads by class from the network."""
    from geo.sources.osm import read_facilities

    pts = read_facilities(osm_file("liechtenstein"), kinds=("kindergarten",))
    layer = map_layers.dormitories_layer(pts, "lv", beds="capacity")
    assert layer.kind == "point" and layer.marker == "square" and len(layer.data) == len(pts)
    assert [a for _, a in layer.fields] == ["Nosaukums", "Vietas"]
    doc = web.to_html(web.make_map([layer], lang="lv"))
    assert doc.count("new iconRootAlias.DivIcon(") == 1 and '"className": "geo-sq-icon"' in doc
    assert ".bindPopup(" in doc
    assert len(_geojson_blocks(doc)[0]["features"]) == len(pts)

    roads = li_net.roads_gdf()
    rl = map_layers.roads_layer(roads, "en")
    cls = {hw: c for c, (hws, *_r) in map_layers.ROAD_CLASSES.items() for hw in hws}
    present = sorted({cls[h] for h in roads["highway"] if h in cls})
    assert sorted(t_ for t_ in rl.data["f0"]) == sorted(t(f"map.road.{c}", "en") for c in present)
    # one merged multi-line per class: the drawn length equals the simplified road length
    drawn = gpd.GeoSeries(rl.data.geometry.values, crs=4326).to_crs(li_net.crs).length.sum()
    sel = roads[roads["highway"].map(cls).notna()]
    tol = settings.MAP_SIMPLIFY_M["roads"]
    total = shapely.length(shapely.simplify(sel.geometry.values, tol, preserve_topology=True)).sum()
    assert abs(drawn - total) / total < 0.001
    assert total < sel.length.sum()  # simplification did remove vertices


def test_large_cell_layers_merge_by_band(cells):
    layer = map_layers.travel_time_layer(cells, "en", population="T", dissolve=True)
    per_cell = map_layers.travel_time_layer(cells, "en", population="T", dissolve=False)
    assert len(per_cell.data) == len(cells)
    assert len(layer.data) == per_cell.data["_c"].nunique()
    # merged polygons cover exactly the cells of their band (equal-area CRS)
    area = gpd.GeoSeries(layer.data.geometry.values, crs=4326).to_crs(3035).area
    np.testing.assert_allclose(area.sum(), cells.area.sum(), rtol=1e-6)
    # tooltip: band label and the band's population, checked against a pandas group-by
    band_pop = cells.groupby(per_cell.data["_c"].to_numpy())["T"].sum()
    for _, row in layer.data.iterrows():
        assert row["f1"] == str(int(band_pop[row["_c"]]))
        assert row["f0"] in [it.label for it in layer.legend]
    assert [a for _, a in layer.fields] == ["Travel time, min", "Population"]
    # automatic above settings.MAP_MAX_CELLS
    assert len(cells) < settings.MAP_MAX_CELLS
    assert len(map_layers.travel_time_layer(cells, "en").data) == len(cells)
    # the GeoPackage source keeps every cell
    assert len(layer.source) == len(cells)
