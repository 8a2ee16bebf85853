"""Population grids on the real Eurostat data in ../shared/data/vidzeme/population."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from conftest import shared_file

from geo.errors import GeoInputError
from geo.sources import census
from geo.sources.boundaries import read_boundaries

POP = ("vidzeme", "population")


@pytest.fixture(scope="module")
def bounds():
    return read_boundaries(shared_file("vidzeme", "boundaries", "municipalities_2021.geojson"))


@pytest.fixture(scope="module")
def tiles_2021(bounds):
    return census.read_census_grid(shared_file(*POP, "census2021_1km_tiles"), clip=bounds,
                                   suppressed="keep")


@pytest.fixture(scope="module")
def derived_csv():
    return pd.read_csv(shared_file(*POP, "census2021_1km_vidzeme.csv"))


def test_2021_tiles_clipped_to_vidzeme_sum_to_214157(tiles_2021):
    assert len(tiles_2021) == 7590
    assert tiles_2021["T"].sum() == 214_157
    assert tiles_2021.crs.to_epsg() == 3035
    assert tiles_2021["municipality"].nunique() == 9


def test_tiles_and_derived_csv_agree_cell_by_cell(tiles_2021, derived_csv):
    a = tiles_2021.set_index(["E", "N"]).sort_index()
    b = derived_csv.set_index(["E", "N"]).sort_index()
    assert a.index.equals(b.index)
    for c in ["T", "M", "F", "Y_LT15", "Y_1564", "Y_GE65", "T_CI", "Y_LT15_CI", "LAND_SURFACE"]:
        assert np.allclose(a[c].to_numpy(dtype=float), b[c].to_numpy(dtype=float)), c
    assert (a["municipality"].to_numpy() == b["name"].to_numpy()).all()
    # the in-tile position is the README formula: E = (X*256 + x) * 1000 for tile 20_14
    raw = pd.read_parquet(shared_file(*POP, "census2021_1km_tiles", "20_14.parquet"))
    r = raw.iloc[0]
    e, n = (20 * 256 + r["x"]) * 1000, (14 * 256 + r["y"]) * 1000
    cell = census.read_census_grid(shared_file(*POP, "census2021_1km_tiles")).set_index(["E", "N"])
    assert cell.loc[(e, n), "T"] == r["T"]


def test_reading_the_derived_csv(derived_csv):
    g = census.read_census_grid(shared_file(*POP, "census2021_1km_vidzeme.csv"))
    assert len(g) == 7590 and g["T"].sum() == 214_157
    assert g["cell_id"].iloc[0] == census.grd_id([derived_csv["E"].iloc[0]],
                                                 [derived_csv["N"].iloc[0]])[0]
    b = g.geometry.bounds
    assert (b["minx"].to_numpy() == derived_csv["E"].to_numpy()).all()
    assert np.allclose(g.geometry.area, 1e6)


def test_suppressed_values_become_nan(derived_csv, bounds):
    g = census.read_census_grid(shared_file(*POP, "census2021_1km_tiles"), clip=bounds)
    d = derived_csv.set_index(["E", "N"]).sort_index()
    g = g.set_index(["E", "N"]).sort_index()
    hidden = (d["Y_LT15_CI"] == 1) & (d["Y_LT15"] == 0)
    assert int(hidden.sum()) == 5126  # 5,129 flagged cells, 3 of them with a published value
    assert g["Y_LT15"].isna().to_numpy().tolist() == hidden.to_numpy().tolist()
    assert g.attrs["suppressed"]["Y_LT15"] == 5126
    # flagged but published non-zero values are kept
    kept = (d["Y_LT15_CI"] == 1) & (d["Y_LT15"] > 0)
    assert (g.loc[kept, "Y_LT15"].to_numpy() == d.loc[kept, "Y_LT15"].to_numpy()).all()
    # no flagged zero survives as a real 0
    assert not ((g["Y_LT15"] == 0) & (d["Y_LT15_CI"] == 1)).any()
    assert g["T"].sum() == 214_157  # 3 suppressed totals were zeros


def test_geostat_totals_by_year(bounds):
    long = census.read_population_years(shared_file(*POP, "geostat_popgrid_tiles"),
                                        years=(2011, 2018, 2021), clip=bounds)
    tot = census.municipality_totals(long)
    assert tot.loc["Total", 2011] == 248_217
    assert tot.loc["Total", 2018] == 220_126
    assert tot.loc["Total", 2021] == 214_157
    assert set(long.columns) >= {"cell_id", "E", "N", "year", "T", "municipality"}
    # the 2021 GEOSTAT grid equals the Census 2021 grid per municipality
    c = pd.read_csv(shared_file(*POP, "census2021_1km_vidzeme.csv")).groupby("name")["T"].sum()
    assert (tot.loc[c.index, 2021].to_numpy() == c.to_numpy()).all()


def test_geostat_tile_formula():
    raw = pd.read_parquet(shared_file(*POP, "geostat_popgrid_tiles", "2018_10_7.parquet"))
    r = raw.iloc[100]
    g = census.read_census_grid(shared_file(*POP, "geostat_popgrid_tiles"), year=2018,
                                geometry=None).set_index(["E", "N"])
    assert g.loc[((10 * 512 + r["x"]) * 1000, (7 * 512 + r["y"]) * 1000), "T"] == r["T"]


def test_grd_id_round_trip_and_forms():
    ids = census.grd_id([5334000, 4321000], [3834000, 3210000])
    assert ids[0] == "CRS3035RES1000mN3834000E5334000"
    p = census.parse_grd_id(list(ids) + ["1kmN3834E5334"])
    assert p["E"].tolist() == [5334000, 4321000, 5334000]
    assert p["N"].tolist() == [3834000, 3210000, 3834000]
    with pytest.raises(GeoInputError, match="EPSG:3035"):
        census.parse_grd_id(["CRS3857RES1000mN3834000E5334000"])


def test_grid_with_grd_id_only_and_geopackage(tmp_path, derived_csv):
    sub = derived_csv.head(200)
    csv = tmp_path / "grid.csv"
    pd.DataFrame({"GRD_ID": census.grd_id(sub["E"], sub["N"]), "T": sub["T"]}).to_csv(
        csv, sep=";", index=False)
    g = census.read_census_grid(csv)
    assert (g["E"].to_numpy() == sub["E"].to_numpy()).all()
    assert (g["N"].to_numpy() == sub["N"].to_numpy()).all()
    gpkg = tmp_path / "grid.gpkg"
    gpd.GeoDataFrame({"T": sub["T"]}, geometry=census.cell_polygons(sub["E"], sub["N"]),
                     crs="EPSG:3035").to_file(gpkg)
    g2 = census.read_census_grid(gpkg, geometry="centroid")
    assert (g2["E"].to_numpy() == sub["E"].to_numpy()).all()
    assert np.allclose(g2.geometry.x, sub["E"] + 500)


def test_bad_grid_files(tmp_path, derived_csv):
    no_xy = tmp_path / "no_coords.csv"
    derived_csv.head(5)[["T", "M"]].to_csv(no_xy, index=False)
    with pytest.raises(GeoInputError, match="no_coords.csv.*no cell coordinates"):
        census.read_census_grid(no_xy)
    lonlat = tmp_path / "lonlat.csv"
    pd.DataFrame({"E": [25.4, 25.5], "N": [57.5, 57.6], "T": [3, 4]}).to_csv(lonlat, index=False)
    with pytest.raises(GeoInputError, match="lonlat.csv.*wrong CRS"):
        census.read_census_grid(lonlat)
    centres = tmp_path / "centres.csv"
    (derived_csv.head(5)[["E", "N", "T"]] + [500, 500, 0]).to_csv(centres, index=False)
    with pytest.raises(GeoInputError, match="centres.csv.*multiples of 1000"):
        census.read_census_grid(centres)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(GeoInputError, match="empty.csv.*empty"):
        census.read_census_grid(empty)
    header_only = tmp_path / "header.parquet"
    derived_csv.head(0).to_parquet(header_only)
    with pytest.raises(GeoInputError, match="header.parquet.*no rows"):
        census.read_census_grid(header_only)
    no_tiles = tmp_path / "tiles"
    no_tiles.mkdir()
    with pytest.raises(GeoInputError, match="no grid tiles"):
        census.read_census_grid(no_tiles)
    with pytest.raises(GeoInputError, match="several years"):
        census.read_census_grid(shared_file(*POP, "geostat_popgrid_tiles"))
