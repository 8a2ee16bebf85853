"""Operator coverage readers (hand-made small layers: no real operator map is public here)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import shared_file
from pyproj import Transformer

from geo.errors import GeoInputError
from geo.sources import census, coverage
from geo.sources.boundaries import read_boundaries


@pytest.fixture
def polygons(tmp_path):
    """Two coverage areas around Valmiera (Latvian column names, as an operator might use)."""
    t = Transformer.from_crs("EPSG:4326", "EPSG:3059", always_xy=True)
    x, y = t.transform(25.4263, 57.5383)
    gdf = gpd.GeoDataFrame(
        {"Operators": ["Tet", "Bite"], "Tehnoloģija": ["optika", "LTE"],
         "Maks. lejupielāde": [1000, 150]},
        geometry=[shapely.Point(x, y).buffer(3000), shapely.Point(x, y).buffer(8000)],
        crs="EPSG:3059",
    )
    path = tmp_path / "coverage.gpkg"
    gdf.to_file(path, layer="parklajums")
    return path


def test_polygons_with_latvian_columns(polygons):
    c = coverage.read_coverage(polygons, columns={"max_down_mbps": "Maks. lejupielāde"})
    assert c.crs.to_epsg() == 4326
    assert c["technology"].tolist() == ["FTTH", "4G"]
    assert c["operator"].tolist() == ["Tet", "Bite"]
    assert c["max_down_mbps"].tolist() == [1000.0, 150.0]
    assert c["max_up_mbps"].isna().all()


def test_best_download_per_census_cell(polygons):
    b = read_boundaries(shared_file("vidzeme", "boundaries", "municipalities_2021.geojson"))
    cells = census.read_census_grid(
        shared_file("vidzeme", "population", "census2021_1km_vidzeme.csv"))
    cov = coverage.read_coverage(polygons, columns={"max_down_mbps": "Maks. lejupielāde"})
    best = coverage.best_download(cells, cov)
    fixed = coverage.best_download(cells, cov, technologies=("FTTH",))
    # independent check with shapely in EPSG:3059: cells within 3 km of the centre get 1000
    centre = shapely.Point(*Transformer.from_crs("EPSG:4326", "EPSG:3059", always_xy=True)
                           .transform(25.4263, 57.5383))
    d = cells.to_crs("EPSG:3059").distance(centre)
    assert (best.loc[d < 2000, "max_down_mbps"] == 1000).all()
    assert (best.loc[(d > 4500) & (d < 7000), "max_down_mbps"] == 150).all()
    assert best.loc[d > 9500, "max_down_mbps"].isna().all()
    assert fixed.loc[(d > 4500), "max_down_mbps"].isna().all()
    assert (best.loc[d < 2000, "n_offers"] == 2).all()
    assert len(b) == 9


def test_address_points_csv_lks92(tmp_path):
    path = tmp_path / "adreses.csv"
    pd.DataFrame({"adr_cd": ["101", "102"], "x": [570000.0, 571000.0],
                  "y": [380000.0, 381000.0], "download": ["100,5", "30"],
                  "tech": ["VDSL", "FWA"]}).to_csv(path, sep=";", index=False)
    c = coverage.read_coverage(path, crs="EPSG:3059", operator="Tet")
    assert c["max_down_mbps"].tolist() == [100.5, 30.0]
    lon, lat = Transformer.from_crs("EPSG:3059", "EPSG:4326", always_xy=True).transform(
        570000.0, 380000.0)
    assert np.allclose([c.geometry.x.iloc[0], c.geometry.y.iloc[0]], [lon, lat])
    assert c["operator"].eq("Tet").all()
    assert c["technology"].tolist() == ["VDSL", "FWA"]
    assert c["address_id"].astype(str).tolist() == ["101", "102"]


def test_kbps_unit(tmp_path):
    path = tmp_path / "pts.csv"
    pd.DataFrame({"lon": [25.4], "lat": [57.5], "download_kbps": [50000]}).to_csv(path, index=False)
    c = coverage.read_coverage(path, columns={"max_down_mbps": "download_kbps"}, unit="kbit/s")
    assert c["max_down_mbps"].iloc[0] == 50.0


def test_bad_coverage_files(tmp_path):
    path = tmp_path / "nospeed.csv"
    pd.DataFrame({"lon": [25.4], "lat": [57.5], "tech": ["FTTH"]}).to_csv(path, index=False)
    with pytest.raises(GeoInputError, match=r"nospeed.csv.*max_down_mbps.*columns found.*'tech'"):
        coverage.read_coverage(path)
    swapped = tmp_path / "metres_as_lonlat.csv"
    pd.DataFrame({"lon": [570000.0], "lat": [380000.0], "download": [100]}).to_csv(
        swapped, index=False)
    with pytest.raises(GeoInputError, match="metres_as_lonlat.csv.*outside"):
        coverage.read_coverage(swapped)
    nocrs = tmp_path / "xy.csv"
    pd.DataFrame({"x": [570000.0], "y": [380000.0], "download": [100]}).to_csv(nocrs, index=False)
    with pytest.raises(GeoInputError, match="xy.csv.*no CRS"):
        coverage.read_coverage(nocrs)
    neg = tmp_path / "neg.csv"
    pd.DataFrame({"lon": [25.4], "lat": [57.5], "download": [-1]}).to_csv(neg, index=False)
    with pytest.raises(GeoInputError, match="neg.csv.*non-negative"):
        coverage.read_coverage(neg)
    empty = tmp_path / "empty.geojson"
    empty.write_text("")
    with pytest.raises(GeoInputError, match="empty.geojson.*empty"):
        coverage.read_coverage(empty)
