"""Ookla open data: quadkeys, the published tile form, and the real 350 m EPSG:3035 grid."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import shared_file
from pyproj import Transformer

from geo.errors import GeoInputError
from geo.sources import ookla
from geo.sources.boundaries import read_boundaries

BB = ("vidzeme", "broadband")
TILES = (*BB, "ookla_fixed_2023q2_350m_tiles")
DERIVED = (*BB, "ookla_fixed_2023q2_350m_vidzeme.csv")

# Three rows in the shape of Ookla's fixed-broadband Parquet (performance/type=fixed/...),
# written by hand: zoom-16 tiles in Valmiera, Cēsis and south of Gulbene (Madonas novads).
FIXTURE_ROWS = [
    ("1201221220232100",
     "POLYGON((25.42236328125 57.53941679447497, 25.4278564453125 57.53941679447497, "
     "25.4278564453125 57.53646838822988, 25.42236328125 57.53646838822988, "
     "25.42236328125 57.53941679447497))", 95310, 41872, 6, 23, 9),
    ("1201222111111201",
     "POLYGON((25.2740478515625 57.314657355733274, 25.279541015625 57.314657355733274, "
     "25.279541015625 57.31169078996895, 25.2740478515625 57.31169078996895, "
     "25.2740478515625 57.314657355733274))", 183420, 102330, 4, 57, 21),
    ("1201223003313303",
     "POLYGON((25.9991455078125 57.00185881350676, 26.004638671875 57.00185881350676, "
     "26.004638671875 56.99886705111672, 25.9991455078125 56.99886705111672, "
     "25.9991455078125 57.00185881350676))", 11250, 1980, 31, 2, 1),
]
COLUMNS = ["quadkey", "tile", "avg_d_kbps", "avg_u_kbps", "avg_lat_ms", "tests", "devices"]


def _bing_quadkey(x: int, y: int, z: int) -> str:
    """Reference implementation from the Bing Maps Tile System documentation."""
    key = ""
    for i in range(z, 0, -1):
        digit = 0
        mask = 1 << (i - 1)
        if x & mask:
            digit += 1
        if y & mask:
            digit += 2
        key += str(digit)
    return key


def test_quadkey_known_values_and_round_trip():
    assert ookla.tile_to_quadkey([3], [5], 3)[0] == "213"  # the Bing documentation example
    rng = np.random.default_rng(1)
    for z in (1, 7, 16, 20):
        x = rng.integers(0, 2**z, 50)
        y = rng.integers(0, 2**z, 50)
        q = ookla.tile_to_quadkey(x, y, z)
        assert list(q) == [_bing_quadkey(int(a), int(b), z) for a, b in zip(x, y, strict=True)]
        x2, y2, z2 = ookla.quadkey_to_tile(q)
        assert (x2 == x).all() and (y2 == y).all() and (z2 == z).all()
    with pytest.raises(ValueError):
        ookla.quadkey_to_tile(["1204"])


def test_tile_bounds_against_pyproj_web_mercator():
    half = 20037508.342789244
    x, y, z = np.array([37396, 37369]), np.array([19896, 19972]), 16
    size = 2 * half / 2**z
    t = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
    w, n = t.transform(-half + x * size, half - y * size)
    e, s = t.transform(-half + (x + 1) * size, half - (y + 1) * size)
    b = ookla.tile_bounds(x, y, z)
    assert np.allclose(b, np.column_stack([w, s, e, n]), atol=1e-9)
    lx, ly = ookla.lonlat_to_tile([25.4263, 25.2747], [57.5383, 57.3125], 16)
    assert lx.tolist() == x.tolist() and ly.tolist() == y.tolist()


@pytest.fixture
def ookla_parquet(tmp_path):
    path = tmp_path / "2023-04-01_performance_fixed_tiles.parquet"
    pd.DataFrame(FIXTURE_ROWS, columns=COLUMNS).to_parquet(path)
    return path


def test_read_published_tiles(ookla_parquet, tmp_path):
    g = ookla.read_ookla_tiles(ookla_parquet)
    assert g.crs.to_epsg() == 4326 and len(g) == 3
    assert g["download_mbps"].tolist() == [95.31, 183.42, 11.25]
    x, y, z = ookla.quadkey_to_tile(g["quadkey"])
    assert np.allclose(g.geometry.bounds.to_numpy(), ookla.tile_bounds(x, y, z))
    # clipped to the municipalities: Valmiera -> Valmieras, Cēsis -> Cēsu, and (26.0, 57.0),
    # south of Gulbene -> Madonas novads
    b = read_boundaries(shared_file("vidzeme", "boundaries", "municipalities_2021.geojson"))
    c = ookla.read_ookla_tiles(ookla_parquet, clip=b)
    assert c["municipality"].tolist() == ["Valmieras novads", "Cēsu novads", "Madonas novads"]
    # the same rows as a shapefile (Ookla also publishes shapefiles)
    shp = tmp_path / "tiles.shp"
    g.drop(columns=["download_mbps", "upload_mbps", "latency_ms"]).to_file(shp)
    s = ookla.read_ookla_tiles(shp)
    assert s["quadkey"].tolist() == g["quadkey"].tolist()
    assert s["tests"].tolist() == [23, 57, 2]


def test_tile_not_matching_quadkey(tmp_path):
    rows = [list(r) for r in FIXTURE_ROWS]
    rows[0][1], rows[1][1] = rows[1][1], rows[0][1]
    path = tmp_path / "swapped.parquet"
    pd.DataFrame(rows, columns=COLUMNS).to_parquet(path)
    with pytest.raises(GeoInputError, match="swapped.parquet.*quadkey"):
        ookla.read_ookla_tiles(path)


def test_bad_tile_files(tmp_path):
    path = tmp_path / "no_speed.parquet"
    pd.DataFrame(FIXTURE_ROWS, columns=COLUMNS).drop(columns="avg_d_kbps").to_parquet(path)
    with pytest.raises(GeoInputError, match="no_speed.parquet.*avg_d_kbps.*columns found"):
        ookla.read_ookla_tiles(path)
    nopos = tmp_path / "nopos.parquet"
    pd.DataFrame(FIXTURE_ROWS, columns=COLUMNS).drop(columns=["quadkey", "tile"]).to_parquet(nopos)
    with pytest.raises(GeoInputError, match="no tile position"):
        ookla.read_ookla_tiles(nopos)
    empty = tmp_path / "empty.parquet"
    empty.write_bytes(b"")
    with pytest.raises(GeoInputError, match="empty"):
        ookla.read_ookla_tiles(empty)


# ---------------------------------------------------------------- real 350 m grid
@pytest.fixture(scope="module")
def grid():
    return ookla.read_ookla_grid(shared_file(*TILES), aggregate=False)


def test_cells_land_where_the_readme_formula_says(grid):
    g = grid.set_index(["E", "N"])
    # tile 112_84.csv, first row x=0, y=24: E = (112*128 + 0)*350, N = (84*128 + 24)*350
    raw = pd.read_csv(shared_file(*TILES, "112_84.csv"))
    assert tuple(raw.iloc[0][["x", "y"]]) == (0, 24)
    assert (112 * 128 + 0) * 350 == 5_017_600 and (84 * 128 + 24) * 350 == 3_771_600
    assert g.loc[(5_017_600, 3_771_600), "avg_d_kbps"] == raw.iloc[0]["avg_d_kbps"]
    # derived CSV, first row E=5241600, N=3958150 (Valkas novads) is tile 117_88, x=0, y=45
    d = pd.read_csv(shared_file(*DERIVED)).iloc[0]
    assert (d["E"], d["N"]) == (5_241_600, 3_958_150)
    assert divmod(5_241_600 // 350, 128) == (117, 0) and divmod(3_958_150 // 350, 128) == (88, 45)
    t = pd.read_csv(shared_file(*TILES, "117_88.csv"))
    row = t[(t["x"] == 0) & (t["y"] == 45)].iloc[0]
    assert row["avg_d_kbps"] == d["avg_d_kbps"] == 5799
    assert g.loc[(5_241_600, 3_958_150), "avg_d_kbps"] == 5799
    cell = grid[(grid["E"] == 5_241_600) & (grid["N"] == 3_958_150)].geometry.iloc[0]
    assert cell.bounds == (5_241_600, 3_958_150, 5_241_950, 3_958_500)
    tiles = sorted(shared_file(*TILES).glob("*_*.csv"))
    assert len(tiles) == 186
    assert len(grid) == sum(len(pd.read_csv(f)) for f in tiles)  # every published row


def test_clipped_tiles_agree_with_derived_csv():
    b = read_boundaries(shared_file("vidzeme", "boundaries", "municipalities_2021.geojson"))
    raw = ookla.read_ookla_grid(shared_file(*TILES), clip=b, aggregate=False)
    assert len(raw) == 1121
    g = ookla.read_ookla_grid(shared_file(*TILES), clip=b)
    d = ookla.read_ookla_grid(shared_file(*DERIVED))
    assert len(g) == len(d) == 1100  # 21 cells hold two Ookla tiles
    m = g.merge(d, on="cell_id", suffixes=("", "_d"))
    assert len(m) == 1100
    for c in ("avg_d_kbps", "avg_u_kbps", "avg_lat_ms", "tests", "devices"):
        assert np.allclose(m[c], m[f"{c}_d"]), c
    assert (m["municipality"] == m["name"]).all()
    # the aggregation: tests-weighted mean, checked on one duplicated cell by hand
    raw_csv = pd.read_csv(shared_file(*DERIVED))
    dup = raw_csv[raw_csv.duplicated(["E", "N"], keep=False)].groupby(["E", "N"])
    (e, n), rows = next(iter(dup))
    want = (rows["avg_d_kbps"] * rows["tests"]).sum() / rows["tests"].sum()
    got = g[(g["E"] == e) & (g["N"] == n)].iloc[0]
    assert got["avg_d_kbps"] == pytest.approx(want)
    assert got["tests"] == rows["tests"].sum() and got["n_tiles"] == len(rows)
    assert got["download_mbps"] == pytest.approx(want / 1000)


def test_bad_grid_inputs(tmp_path):
    d = pd.read_csv(shared_file(*DERIVED)).head(5)
    lonlat = tmp_path / "lonlat.csv"
    d.assign(E=25.4, N=57.5).to_csv(lonlat, index=False)
    with pytest.raises(GeoInputError, match="lonlat.csv.*wrong CRS"):
        ookla.read_ookla_grid(lonlat)
    nocoord = tmp_path / "nocoord.csv"
    d.drop(columns=["E", "N"]).to_csv(nocoord, index=False)
    with pytest.raises(GeoInputError, match="nocoord.csv.*no cell coordinates"):
        ookla.read_ookla_grid(nocoord)
    nospeed = tmp_path / "nospeed.csv"
    d.drop(columns=["avg_d_kbps"]).to_csv(nospeed, index=False)
    with pytest.raises(GeoInputError, match="nospeed.csv.*avg_d_kbps"):
        ookla.read_ookla_grid(nospeed)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(GeoInputError, match="empty"):
        ookla.read_ookla_grid(empty)
    assert shapely.box(0, 0, 1, 1).area == 1  # sanity of the shapely import
    assert isinstance(ookla.read_ookla_grid(shared_file(*DERIVED), geometry="centroid"),
                      gpd.GeoDataFrame)
