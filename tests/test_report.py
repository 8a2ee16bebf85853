"""Report exports (geo.outputs.report) on real Vidzeme data."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from conftest import shared_file
from PIL import Image

from geo.errors import GeoInputError
from geo.outputs import layers as map_layers
from geo.outputs import report, web


@pytest.fixture(scope="module")
def boundaries():
    return gpd.read_file(shared_file("vidzeme", "boundaries", "municipalities_2021.geojson"))


@pytest.fixture(scope="module")
def ookla():
    df = pd.read_csv(shared_file("vidzeme", "broadband", "ookla_fixed_2023q2_350m_vidzeme.csv"))
    return gpd.GeoDataFrame(df, geometry=shapely.box(df.E, df.N, df.E + 350, df.N + 350),
                            crs="EPSG:3035")


@pytest.fixture(scope="module")
def schools_table():
    """IZM pupils per school, 115 Vidzeme institutions (Latvian names and column headers)."""
    df = pd.read_csv(shared_file("vidzeme", "schools",
                                 "vidzeme_schools_pupils_by_grade_2022-12-01.csv"))
    return df[["Pašvaldība", "Iestādes nosaukums", "Iestādes tips", "Kopā 1.-12.klasē"]].copy()


@pytest.fixture(scope="module")
def layers(boundaries, ookla):
    return [map_layers.boundaries_layer(boundaries, "lv"), map_layers.broadband_layer(ookla, "lv")]


def _pages(pdf_bytes: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf_bytes))


def test_csv_has_bom_and_latvian_letters(tmp_path, schools_table):
    p = report.export_csv(schools_table, tmp_path / "skolas.csv")
    raw = p.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "Iestādes nosaukums".encode() in raw and "ALŪKSNES NOVADS".encode() in raw
    back = pd.read_csv(p, encoding="utf-8-sig")
    pd.testing.assert_frame_equal(back, schools_table.reset_index(drop=True), check_dtype=False)


def test_csv_for_latvian_excel(tmp_path, ookla):
    df = pd.DataFrame({"novads": ookla["name"], "Mbit/s": ookla["avg_d_kbps"] / 1000})
    p = report.export_csv(df, tmp_path / "a.csv", excel_lv=True)
    first = p.read_text(encoding="utf-8-sig").splitlines()[1]
    assert first.count(";") == 1 and "," in first.split(";")[1]
    back = pd.read_csv(p, sep=";", decimal=",", encoding="utf-8-sig")
    np.testing.assert_allclose(back["Mbit/s"], df["Mbit/s"])
    assert back["novads"].tolist() == df["novads"].tolist()
    with pytest.raises(GeoInputError, match="separator and decimal"):
        report.export_csv(df, tmp_path / "b.csv", sep=",", decimal=",")


def test_csv_geometry_as_lon_lat(tmp_path, boundaries):
    p = report.export_csv(boundaries, tmp_path / "b.csv")
    back = pd.read_csv(p, encoding="utf-8-sig")
    assert {"lon", "lat"} <= set(back.columns) and "geometry" not in back.columns
    pts = gpd.GeoSeries(gpd.points_from_xy(back.lon, back.lat), crs=4326).to_crs(3059)
    assert pts.within(boundaries.to_crs(3059).geometry.buffer(1.0), align=False).all()
    wkt = pd.read_csv(report.export_csv(boundaries, tmp_path / "w.csv", geometry="wkt"),
                      encoding="utf-8-sig")
    area = gpd.GeoSeries.from_wkt(wkt["wkt"], crs=4326).to_crs(3059).area
    np.testing.assert_allclose(area, boundaries.to_crs(3059).area, rtol=1e-4)


def test_gpkg_layers_and_tables(tmp_path, layers, schools_table, ookla):
    p = report.export_gpkg(tmp_path / "r.gpkg", {
        "boundaries": layers[0], "ookla": ookla, "skolas": schools_table,
    })
    info = {name: typ for name, typ in pyogrio.list_layers(p)}
    assert set(info) == {"boundaries", "ookla", "skolas"} and info["skolas"] is None
    o = gpd.read_file(p, layer="ookla")
    assert len(o) == len(ookla) and o.crs.to_epsg() == 3035
    np.testing.assert_allclose(o.area.sum(), ookla.area.sum())
    b = gpd.read_file(p, layer="boundaries")
    assert len(b) == 9 and b.crs.to_epsg() == 4326  # the layer's full-detail source rows
    s = pyogrio.read_dataframe(p, layer="skolas")
    assert s["Iestādes nosaukums"].tolist() == schools_table["Iestādes nosaukums"].tolist()


def test_failed_gpkg_leaves_existing_file_intact(tmp_path, ookla, boundaries):
    p = report.export_gpkg(tmp_path / "r.gpkg", {"ookla": ookla})
    before = p.read_bytes()
    no_crs = boundaries.set_crs(None, allow_override=True)
    with pytest.raises(GeoInputError, match="no coordinate reference system"):
        report.export_gpkg(p, {"ookla": ookla, "bad": no_crs})
    # a failure inside the writer, after a first layer was written, also leaves it intact
    with pytest.raises(Exception):  # noqa: B017 (GDAL's own error)
        _break_writer(p, ookla)
    assert p.read_bytes() == before
    assert sorted(x.name for x in tmp_path.iterdir()) == ["r.gpkg"]


def _break_writer(path, ookla):
    """Make the GeoPackage writer fail halfway (second layer name clashes with a GPKG system
    table), after the first layer was written to the temporary file."""
    report.export_gpkg(path, {"ookla": ookla, "gpkg_contents": ookla})


def test_png_is_a_nonblank_map(tmp_path, layers):
    p = report.export_png(layers, tmp_path / "m.png", lang="lv", title="Vidzeme", dpi=80)
    im = np.asarray(Image.open(p).convert("RGB")).astype(float)
    assert im.shape[0] > 400 and im.shape[1] > 600
    assert im.std() > 20
    # the broadband colours are drawn on the map (fill opacity 0.8 over the map background)
    bg = np.array([0xF4, 0xF3, 0xEF], float)
    px = im.reshape(-1, 3)
    for hexc in ("#41b6c4", "#2c7fb8"):
        c = np.array([int(hexc[i:i + 2], 16) for i in (1, 3, 5)], float)
        blended = 0.8 * c + 0.2 * bg
        assert (np.abs(px - blended).sum(axis=1) < 12).sum() > 50, hexc


def test_pdf_map_and_table_pages(tmp_path, layers, schools_table):
    p = report.export_pdf(tmp_path / "r.pdf", layers=layers,
                          tables={"Skolas": schools_table}, lang="lv", title="Vidzeme",
                          rows_per_page=30)
    raw = p.read_bytes()
    assert raw.startswith(b"%PDF")
    assert _pages(raw) == 1 + int(np.ceil(len(schools_table) / 30))
    assert b"FontFile" in raw or b"/Subtype /Type3" in raw or b"/Subtype /Type42" in raw


def test_html_export_is_offline(tmp_path, layers):
    p = report.export_html(web.make_map(layers, lang="en"), tmp_path / "m.html")
    doc = p.read_text(encoding="utf-8")
    assert web.external_refs(doc) == [] and "<script src=" not in doc


def test_bundle_writes_everything_or_nothing(tmp_path, layers, schools_table):
    out = tmp_path / "out"
    got = report.export_bundle(out, layers=layers, tables={"Skolas 2022": schools_table},
                               lang="lv", title="Vidzeme")
    assert set(got) == {"html", "png", "pdf", "gpkg", "csv"}
    names = sorted(x.name for x in out.iterdir())
    assert names == [".geo-output.json", "report.gpkg", "report.html", "report.pdf", "report.png",
                     "report_Skolas_2022.csv"]
    csv = got["csv"][0].read_text(encoding="utf-8-sig")
    assert csv.splitlines()[0].count(";") == 3  # lv -> Latvian Excel CSV
    stamp = {x.name: x.stat().st_mtime_ns for x in out.iterdir()}
    with pytest.raises(GeoInputError):
        report.export_bundle(out, layers=layers, tables={"bad": "not a table"}, lang="lv")
    assert {x.name: x.stat().st_mtime_ns for x in out.iterdir()} == stamp
    assert [x.name for x in tmp_path.iterdir() if x.name.startswith(".")] == []
