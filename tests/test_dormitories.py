"""Dormitory tables from users (school id + places, coordinates optional)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import shared_file

from geo.errors import GeoInputError
from geo.sources import izm
from geo.sources.dormitories import read_dormitories


@pytest.fixture(scope="module")
def ids():
    s = izm.read_pupils_by_institution(shared_file(
        "vidzeme", "schools", "izm_2022", "izglitojamoskvispizglprogr_pa_iestadem_01122022.xlsx"))
    return s["school_id"].tolist()


def test_with_and_without_coordinates(tmp_path, ids):
    path = tmp_path / "viesnicas.csv"
    pd.DataFrame({"Iestādes reģistrācijas Nr.": ["4412900906", "4411900920"],
                  "vietu_skaits": ["24", "40"], "lon": ["25.61", ""], "lat": ["57.40", ""]}
                 ).to_csv(path, sep=";", index=False)
    d = read_dormitories(path, known_schools=ids)
    assert d["school_id"].tolist() == ["4412900906", "4411900920"]
    assert d["places"].tolist() == [24, 40]
    assert d.geometry.iloc[0].x == pytest.approx(25.61)
    assert d.geometry.iloc[1] is None
    assert d.crs.to_epsg() == 4326


def test_unknown_school_and_bad_places(tmp_path, ids):
    path = tmp_path / "d.csv"
    pd.DataFrame({"school_id": ["9999999999"], "places": [10]}).to_csv(path, index=False)
    with pytest.raises(GeoInputError, match="d.csv.*unknown school id.*9999999999"):
        read_dormitories(path, known_schools=ids)
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"school_id": ["4412900906"], "places": ["many"]}).to_csv(bad, index=False)
    with pytest.raises(GeoInputError, match="bad.csv.*whole numbers"):
        read_dormitories(bad)
    nocol = tmp_path / "nocol.csv"
    pd.DataFrame({"school_id": ["4412900906"], "beds_total": [3]}).to_csv(nocol, index=False)
    with pytest.raises(GeoInputError, match="nocol.csv.*places.*beds_total"):
        read_dormitories(nocol)
    assert len(read_dormitories(nocol, places="beds_total")) == 1
