"""Boundary readers on the real Vidzeme municipality and town polygons."""

from __future__ import annotations

import geopandas as gpd
import pytest
from conftest import shared_file

from geo.errors import GeoInputError
from geo.sources.boundaries import (
    VIDZEME_MUNICIPALITIES,
    municipality_key,
    read_boundaries,
    select_areas,
)

MUN = ("vidzeme", "boundaries", "municipalities_2021.geojson")
TOWNS = ("vidzeme", "boundaries", "latvia_towns.geojson")


def test_municipalities():
    b = read_boundaries(shared_file(*MUN))
    assert sorted(b["name"]) == sorted(VIDZEME_MUNICIPALITIES)
    assert b.attrs["name_field"] == "name"
    assert set(b["key"]) == {municipality_key(n) for n in VIDZEME_MUNICIPALITIES}
    assert b.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    # the 9 municipalities cover about 17,700 km2 (Valmieras novads about 2,945 km2)
    km2 = b.to_crs("EPSG:3059").area / 1e6
    assert 17_000 < km2.sum() < 18_500
    assert 2_900 < km2[b["name"] == "Valmieras novads"].iloc[0] < 3_200


def test_towns_name_field_suffix_stripped():
    t = read_boundaries(shared_file(*TOWNS))
    assert len(t) == 78
    assert t.attrs["name_field"] == "_tooltip"
    assert not t["name"].str.contains("%").any()
    assert {"Bauska", "Jelgava", "Valmiera", "Cēsis"} <= set(t["name"])


def test_unknown_name_field_lists_fields():
    with pytest.raises(GeoInputError, match=r"no field 'NOSAUKUMS'.*\['id', 'name', 'territory'\]"):
        read_boundaries(shared_file(*MUN), name_field="NOSAUKUMS")


def test_shapefile_and_geopackage_with_other_field(tmp_path):
    b = gpd.read_file(shared_file(*MUN)).rename(columns={"name": "NOSAUKUMS"}).drop(columns="id")
    shp = tmp_path / "nov.shp"
    b.to_file(shp)
    out = read_boundaries(shp, crs="EPSG:3059")
    assert out.attrs["name_field"] == "NOSAUKUMS"
    assert out.crs.to_epsg() == 3059
    gpkg = tmp_path / "nov.gpkg"
    b.rename(columns={"NOSAUKUMS": "label"}).to_file(gpkg, layer="novadi")
    with pytest.raises(GeoInputError, match="no name field.*label"):
        read_boundaries(gpkg)
    assert len(read_boundaries(gpkg, name_field="label", layer="novadi")) == 9


def test_bad_files(tmp_path):
    empty = tmp_path / "empty.geojson"
    empty.write_text("")
    with pytest.raises(GeoInputError, match="empty.geojson"):
        read_boundaries(empty)
    pts = tmp_path / "points.geojson"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=gpd.points_from_xy([25.0], [57.0]),
                     crs="EPSG:4326").to_file(pts)
    with pytest.raises(GeoInputError, match="no polygons"):
        read_boundaries(pts)


def test_select_areas_robust_names():
    b = read_boundaries(shared_file(*MUN))
    assert len(select_areas(b, ["CĒSU NOVADS", "valmieras", "Varaklanu nov."])) == 3
    with pytest.raises(GeoInputError, match="Rīga"):
        select_areas(b, ["Rīga"])
