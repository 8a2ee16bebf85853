"""Locating registry schools: user files and OSM name matching.

The registry and boundaries are the real Vidzeme files. No OSM extract of Vidzeme exists here,
so the OSM schools are a GeoDataFrame written in the shape of ``read_facilities`` output, with
name variants a mapper would use, placed in the real town polygons.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import shared_file
from pyproj import Transformer

from geo.errors import GeoInputError
from geo.region import school_matching
from geo.sources import izm
from geo.sources.boundaries import read_boundaries

IZM = ("vidzeme", "schools", "izm_2022")


@pytest.fixture(scope="module")
def schools():
    return izm.read_schools(
        shared_file(*IZM, "izglitojamoskvispizglprogr_pa_iestadem_01122022.xlsx"),
        shared_file(*IZM, "ml_visparizgl_izgl_iest_kontaktinfo_01092022_0.xlsx"),
        municipalities=izm.VIDZEME_MUNICIPALITIES)


@pytest.fixture(scope="module")
def bounds():
    return read_boundaries(shared_file("vidzeme", "boundaries", "municipalities_2021.geojson"))


@pytest.fixture(scope="module")
def towns():
    return read_boundaries(shared_file("vidzeme", "boundaries", "latvia_towns.geojson"))


def _id(schools, name):
    return schools.index[schools["name"] == name][0]


def _in(area: gpd.GeoDataFrame, name: str, dx: float = 0.0) -> shapely.Point:
    p = area[area["name"] == name].geometry.iloc[0].representative_point()
    return shapely.Point(p.x + dx, p.y)


@pytest.fixture(scope="module")
def osm(bounds, towns, schools):
    rows = [
        ("n1", "Alūksnes sākumskola", _in(towns, "Alūksne"), None),
        ("w2", "Strautiņu psk.", _in(bounds, "Alūksnes novads", 0.01), None),
        ("w3", "Cēsu VĢ", _in(towns, "Cēsis"), None),
        ("n4", "Malienas skola", _in(bounds, "Alūksnes novads", 0.03), None),
        ("w5", "2. vidusskola", _in(towns, "Valmiera", 0.005), None),
        ("w6", "Limbažu skola", _in(towns, "Limbaži"), None),
        ("r7", "Skola Rūjienā", _in(towns, "Rūjiena"), _id(schools, "Rūjienas vidusskola")),
        ("n8", "Bejas pamatskola", _in(bounds, "Alūksnes novads", -0.02), None),
        ("n9", "Bejas pamatskola", _in(bounds, "Valkas novads"), None),
        ("n10", "Cēsu 1. vidusskola", _in(towns, "Cēsis", 0.01), None),
        ("n11", "Cēsu 2. vidusskola", _in(towns, "Cēsis", -0.01), None),
        ("n12", "Madonas Valsts ģimnāzija", _in(towns, "Madona"), None),
        ("n13", "Madonas Valsts ģimnāzija", _in(towns, "Madona", 0.0005), None),  # mapped twice
    ]
    return gpd.GeoDataFrame(
        {"osm_id": [r[0] for r in rows], "name": [r[1] for r in rows],
         "ref:LV:izm": [r[3] for r in rows], "kind": "school"},
        geometry=[r[2] for r in rows], crs="EPSG:4326")


def test_name_normalisation():
    n = school_matching.normalize_name
    assert n("Cēsu Valsts ģimn.") == n("CĒSU VĢ") == "cesu valsts gimnazija"
    assert n("Alūksnes pilsētas sākumskola") == n("Alūksnes sākumskola")
    assert n("Strautiņu psk.") == n("Strautiņu pamatskola")
    assert n('Privātā vidusskola "INNOVA"') == n("Privātā vidusskola INNOVA")
    assert school_matching.core_name(n("Strautiņu pamatskola")) == "strautinu"
    assert not school_matching.types_compatible("pamatskola", "vidusskola")
    assert {"cesu", "valmieras", "limbazu", "rujienas"} <= set().union(
        *map(school_matching.genitive_forms, ["Cēsis", "Valmiera", "Limbaži", "Rūjiena"]))


def test_osm_matching_levels(schools, osm, bounds):
    r = school_matching.locate_schools(schools, osm=osm, boundaries=bounds)
    s = r.schools.set_index("name")
    assert s.loc["Alūksnes pilsētas sākumskola", ["status", "match", "osm_id"]].tolist() == [
        "located", "exact", "n1"]
    assert s.loc["Strautiņu pamatskola", "osm_id"] == "w2"
    assert s.loc["Cēsu Valsts ģimnāzija", ["match", "osm_id"]].tolist() == ["exact", "w3"]
    # "Draudzīgā Aicinājuma Cēsu Valsts ģimnāzija" is another school: not matched to w3
    assert s.loc["Draudzīgā Aicinājuma Cēsu Valsts ģimnāzija", "status"] == "unmatched"
    assert s.loc["Malienas pamatskola", ["match", "osm_id"]].tolist() == ["core", "n4"]
    assert s.loc["Valmieras 2. vidusskola", ["match", "osm_id"]].tolist() == ["place", "w5"]
    assert s.loc["Rūjienas vidusskola", ["match", "osm_id"]].tolist() == ["ref", "r7"]
    # a generic "Limbažu skola" fits two registry schools: both ambiguous, none located
    for name in ("Limbažu vidusskola", "Limbažu Valsts ģimnāzija"):
        assert s.loc[name, "status"] == "ambiguous" and s.loc[name, "geometry"] is None
        assert "w6" in s.loc[name, "candidates"]
    # the municipality polygon picks the right one of two same-named schools
    assert s.loc["Bejas pamatskola", "osm_id"] == "n8"
    # a school mapped twice a few metres apart is one place
    assert s.loc["Madonas Valsts ģimnāzija", "status"] == "located"
    # type words are not dropped across types: a vidusskola is not a pamatskola, an evening
    # school is not a day school
    assert s.loc["Cēsu 1. pamatskola", "status"] == "unmatched"
    assert s.loc["Cēsu 2. pamatskola", "status"] == "unmatched"
    assert s.loc["Cēsu 2. vakara (maiņu) vidusskola", "status"] == "unmatched"


def test_never_invents_a_location(schools, osm, bounds):
    r = school_matching.locate_schools(schools, osm=osm, boundaries=bounds)
    located = r.schools["status"] == "located"
    assert r.schools.loc[located].geometry.notna().all()
    assert r.schools.loc[~located].geometry.isna().all()
    assert int(located.sum()) == 8
    assert len(r.report) == len(schools) - 8
    # every located point is an OSM point (no point made up)
    osm_pts = {(round(g.x, 9), round(g.y, 9)) for g in osm.geometry}
    assert all((round(g.x, 9), round(g.y, 9)) in osm_pts for g in r.located.geometry)
    # and lies in its municipality
    b = bounds.set_index("name")
    for sid, row in r.located.iterrows():
        assert b.loc[row["municipality"], "geometry"].contains(row.geometry), sid


def test_without_boundaries_same_names_are_ambiguous(schools, osm):
    r = school_matching.locate_schools(schools, osm=osm)
    s = r.schools.set_index("name")
    assert s.loc["Bejas pamatskola", "status"] == "ambiguous"
    assert "n8" in s.loc["Bejas pamatskola", "candidates"]
    assert "n9" in s.loc["Bejas pamatskola", "candidates"]
    assert s.loc["Valmieras 2. vidusskola", "status"] == "unmatched"  # "place" needs an area


def test_places_distance_restriction(schools, osm, towns):
    far = osm.copy()
    far.loc[far["osm_id"] == "n1", "geometry"] = _in(towns, "Valka")  # ~60 km from Alūksne
    r = school_matching.locate_schools(schools, osm=far, places=towns, max_distance_m=15_000)
    s = r.schools.set_index("name")
    assert s.loc["Alūksnes pilsētas sākumskola", "status"] == "unmatched"
    r2 = school_matching.locate_schools(schools, osm=osm, places=towns)
    assert r2.schools.set_index("name").loc["Alūksnes pilsētas sākumskola", "status"] == "located"


def test_report_round_trip(schools, osm, bounds, tmp_path):
    r = school_matching.locate_schools(schools, osm=osm, boundaries=bounds)
    path = r.write_report(tmp_path / "nenoteiktas_skolas.csv")
    rep = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    assert list(rep.columns[-2:]) == ["lon", "lat"]
    assert rep["school_id"].str.fullmatch(r"\d{10}").all()
    # the user fills in one school and gives the file back
    sid = _id(schools, "Cēsu 1. pamatskola")
    rep.loc[rep["school_id"] == sid, ["lon", "lat"]] = ["25.2747", "57.3125"]
    rep.to_csv(path, index=False, encoding="utf-8-sig")
    r2 = school_matching.locate_schools(schools, locations=path, osm=osm, boundaries=bounds)
    row = r2.schools.loc[sid]
    assert row["status"] == "located" and row["location_source"] == "file"
    assert (row.geometry.x, row.geometry.y) == (25.2747, 57.3125)
    assert int((r2.schools["status"] == "located").sum()) == 9


def test_user_file_lks92_and_geojson(schools, tmp_path):
    sid = _id(schools, "Valmieras Valsts ģimnāzija")
    t = Transformer.from_crs("EPSG:4326", "EPSG:3059", always_xy=True)
    x, y = t.transform(25.4263, 57.5383)
    csv = tmp_path / "skolas.csv"
    pd.DataFrame({"reg_nr": [sid], "x": [x], "y": [y]}).to_csv(csv, index=False)
    with pytest.raises(GeoInputError, match="skolas.csv.*no CRS"):
        school_matching.read_school_locations(csv)
    loc = school_matching.read_school_locations(csv, crs="EPSG:3059")
    assert np.allclose([loc.geometry.x[0], loc.geometry.y[0]], [25.4263, 57.5383])
    gj = tmp_path / "skolas.geojson"
    gpd.GeoDataFrame({"school_id": [sid]}, geometry=[shapely.Point(x, y).buffer(50)],
                     crs="EPSG:3059").to_file(gj)
    loc2 = school_matching.read_school_locations(gj)
    assert loc2.geometry.iloc[0].distance(shapely.Point(25.4263, 57.5383)) < 0.001
    r = school_matching.locate_schools(schools, locations=loc2)
    assert r.schools.loc[sid, "status"] == "located"
    assert (r.schools["status"] == "located").sum() == 1


def test_bad_location_files(schools, tmp_path):
    sid = _id(schools, "Valmieras Valsts ģimnāzija")
    metres = tmp_path / "metres.csv"
    pd.DataFrame({"school_id": [sid], "lon": [570000.0], "lat": [380000.0]}).to_csv(
        metres, index=False)
    with pytest.raises(GeoInputError, match="metres.csv.*outside.*wrong CRS"):
        school_matching.read_school_locations(metres)
    unknown = tmp_path / "unknown.csv"
    pd.DataFrame({"school_id": ["1234567890"], "lon": [25.4], "lat": [57.5]}).to_csv(
        unknown, index=False)
    with pytest.raises(GeoInputError, match="unknown.csv.*1234567890.*not in the registry"):
        school_matching.locate_schools(schools, locations=unknown)
    noid = tmp_path / "noid.csv"
    pd.DataFrame({"skola": ["x"], "lon": [25.4], "lat": [57.5]}).to_csv(noid, index=False)
    with pytest.raises(GeoInputError, match="noid.csv.*no school id column"):
        school_matching.read_school_locations(noid)
    twice = tmp_path / "twice.csv"
    pd.DataFrame({"school_id": [sid, sid], "lon": [25.4, 25.5], "lat": [57.5, 57.5]}).to_csv(
        twice, index=False)
    with pytest.raises(GeoInputError, match="twice.csv.*different places"):
        school_matching.read_school_locations(twice)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(GeoInputError, match="empty.csv.*empty"):
        school_matching.read_school_locations(empty)
