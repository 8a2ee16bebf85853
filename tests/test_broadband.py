"""Broadband white spots (geo.broadband): hand-made coverage with answers worked out by hand,
the real Vidzeme Ookla tiles and census grid, border bands on real OSM extracts (Liechtenstein:
land borders; Malta: maritime only) and on the demo region, the joint view and its change
between two scenarios, the priority list, the CLI and the map layer."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import yaml
from conftest import SHARED_DATA, osm_file, shared_file
from scipy.spatial import cKDTree
from test_offline_browser import browser  # noqa: F401  (fixture: Chromium, network blocked)

from geo import region, settings
from geo.broadband import analysis, border, classes, coverage, joint, priority, schools
from geo.errors import GeoInputError
from geo.sources.berec import read_berec
from geo.sources.border import read_region_border

E0, N0 = 5_300_000, 3_900_000  # a 1 km cell corner in Vidzeme (EPSG:3035)
LAEA = settings.LAEA_CRS


def _cells(n: int = 5) -> pd.DataFrame:
    """Cells c0..c{n-1} in a row, west to east."""
    return pd.DataFrame({"E": E0 + 1000 * np.arange(n), "N": np.full(n, N0)})


def _box(x0, x1, y0=N0, y1=N0 + 1000):
    return shapely.box(x0, y0, x1, y1)


def _hand_coverage() -> gpd.GeoDataFrame:
    rows = [
        # operator, technology, Mbit/s, geometry
        ("Tet", "FTTH", 1000.0, _box(E0, E0 + 1300)),        # c0 all, c1 30 % (straddles)
        ("TET ", "VDSL", 50.0, _box(E0, E0 + 3000)),         # same operator again; c3 edge only
        ("Bite", "4G", 40.0, _box(E0 + 1000, E0 + 2000)),    # c1 exactly
        ("Telia", "FTTH", 100.0, shapely.Point(E0 + 3000, N0 + 500)),  # on c2|c3 edge -> c3
        ("Radio", "FWA", np.nan, _box(E0 + 2000, E0 + 3000)),  # c2, no speed given
        (None, "FWA", 30.0, shapely.Point(E0 + 2500, N0 + 200)),  # unnamed operator in c2
    ]
    return gpd.GeoDataFrame({"operator": [r[0] for r in rows],
                             "technology": [r[1] for r in rows],
                             "max_down_mbps": [r[2] for r in rows]},
                            geometry=[r[3] for r in rows], crs=LAEA)


# ------------------------------------------------------------------------------------------
# Hand-made operator layers
# ------------------------------------------------------------------------------------------
def test_operators_per_cell_worked_by_hand():
    ops = coverage.operators_per_cell(_cells(), _hand_coverage())
    # c0: Tet twice (1000 and 50) -> one operator; c1: Tet (30 % overlap counts) + Bite;
    # c2: Tet 50 + unnamed 30 (+ Radio without speed: reaches no threshold);
    # c3: Telia's point on the c2|c3 edge belongs to c3 (half-open), Tet only touches it;
    # c4: nothing.
    assert ops["n_ops_30"].tolist() == [1, 2, 2, 1, 0]
    assert ops["n_ops_100"].tolist() == [1, 1, 0, 1, 0]
    assert ops["n_ops_1000"].tolist() == [1, 1, 0, 0, 0]
    assert ops["n_ops_any"].tolist() == [1, 2, 3, 1, 0]
    assert ops["declared_mbps"].tolist()[:4] == [1000, 1000, 50, 100]
    assert np.isnan(ops["declared_mbps"].iloc[4])
    assert ops["declared_technology"].tolist()[:4] == ["FTTH", "FTTH", "VDSL", "FTTH"]
    cls = classes.classify(pd.concat([_cells(), ops], axis=1).assign(best_mbps=np.nan))
    assert cls["nga_class"].tolist() == ["grey", "black", "black", "grey", "white"]
    assert cls["target_100"].tolist() == [False, False, True, False, True]
    assert cls["gigabit"].tolist() == [True, True, False, False, False]
    assert cls["broadband_class"].tolist() == cls["nga_class"].tolist()
    assert (cls["class_source"] == "declared").all()
    # measured classes stay unknown without tests, never "no coverage"
    assert (cls["measured_class"] == "unknown").all()


def test_partial_overlap_share_setting():
    ops = coverage.operators_per_cell(_cells(), _hand_coverage(), min_share=0.5)
    # Tet's gigabit polygon covers 30 % of c1: not counted at 50 %; Tet's VDSL still is
    assert ops["n_ops_1000"].tolist() == [1, 0, 0, 0, 0]
    assert ops["n_ops_30"].tolist() == [1, 2, 2, 1, 0]
    pairs = coverage.coverage_pairs(_cells(), _hand_coverage())
    share = pairs[(pairs["row"] == 0) & (pairs["cell"] == 1)]["share"].item()
    assert share == pytest.approx(0.3)


def test_no_operator_layer_gives_measured_classes():
    ops = coverage.operators_per_cell(_cells(3), None)
    assert ops["n_ops_30"].isna().all()
    t = classes.classify(pd.concat([_cells(3), ops], axis=1).assign(
        best_mbps=[12.0, 30.0, np.nan]))
    assert t["broadband_class"].tolist() == ["measured_white", "measured_nga", "unknown"]
    assert t["broadband_white"].tolist() == [True, False, False]
    assert t["measured_below_30"].tolist()[:2] == [True, False]
    assert np.isnan(t["measured_below_30"].iloc[2])


def test_missing_coverage_columns_are_named():
    bad = _hand_coverage().drop(columns="max_down_mbps")
    with pytest.raises(GeoInputError, match="max_down_mbps"):
        coverage.operators_per_cell(_cells(), bad)


def test_berec_rows_addresses_and_100m_cells(tmp_path):
    p = tmp_path / "berec.csv"
    # a 100 m cell inside c1, an address in c0 (lon/lat), the same operator twice, and a
    # blank upload; the 100 m cell on c1's east edge stays inside c1
    cen = gpd.GeoSeries([shapely.Point(E0 + 400, N0 + 600)], crs=LAEA).to_crs(4326).iloc[0]
    p.write_text(
        "operator;technology;max_download_mbps;max_upload_mbps;grd_id;lon;lat\n"
        f"Tet;FTTH;1000;1000;CRS3035RES100mN{N0 + 300}E{E0 + 1900};;\n"
        f"Tet;VDSL;80;;CRS3035RES100mN{N0}E{E0 + 1000};;\n"
        f"LMT;5G;300;50;;{cen.x:.7f};{cen.y:.7f}\n", encoding="utf-8")
    cov = read_berec(p)
    assert cov["form"].tolist() == ["cell", "cell", "address"]
    assert np.isnan(cov["max_up_mbps"].iloc[1])
    ops = coverage.operators_per_cell(_cells(3), cov)
    assert ops["n_ops_30"].tolist() == [1, 1, 0]
    assert ops["n_ops_1000"].tolist() == [0, 1, 0]
    assert ops["operators"].tolist()[:2] == ["LMT", "Tet"]
    bad = tmp_path / "bad.csv"
    bad.write_text("operator,max_download_mbps,grd_id\nTet,fast,CRS3035RES100mN1E1\n",
                   encoding="utf-8")
    with pytest.raises(GeoInputError, match="row 2"):
        read_berec(bad)


# ------------------------------------------------------------------------------------------
# Ookla proxy
# ------------------------------------------------------------------------------------------
def test_ookla_best_and_typical_by_hand():
    # 350 m tiles (lower-left corners); centres at +175 m
    tiles = pd.DataFrame({
        "E": [E0, E0 + 700, E0 + 825, E0 + 2100],
        "N": [N0, N0 + 350, N0, N0],
        "avg_d_kbps": [10_000, 50_000, 200_000, 80_000],
        "avg_u_kbps": [1_000, 5_000, 20_000, 8_000],
        "tests": [1, 3, 5, 2],
    })
    g = gpd.GeoDataFrame(tiles, geometry=shapely.box(tiles["E"], tiles["N"], tiles["E"] + 350,
                                                     tiles["N"] + 350), crs=LAEA)
    m = coverage.ookla_per_cell(_cells(3), g)
    # c0 holds the first two centres (E0+175, E0+875); the third centre E0+1000 is on the
    # c0|c1 edge -> c1 (half-open); c2 holds the last one
    assert m["best_mbps"].tolist() == [50.0, 200.0, 80.0]
    assert m["typical_mbps"].iloc[0] == pytest.approx((10 * 1 + 50 * 3) / 4)
    assert m["tests"].tolist() == [4, 5, 2]
    m2 = coverage.ookla_per_cell(_cells(5), g.iloc[:1])
    assert m2["best_mbps"].isna().tolist() == [False, True, True, True, True]


# ------------------------------------------------------------------------------------------
# Real Vidzeme: Ookla 2023 Q2 tiles and the 2021 census grid
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def vidzeme():
    from geo.sources.boundaries import read_boundaries
    from geo.sources.census import read_census_grid
    from geo.sources.ookla import read_ookla_grid

    b = read_boundaries(shared_file("vidzeme", "boundaries", "municipalities_2021.geojson"))
    pop = read_census_grid(shared_file("vidzeme", "population", "census2021_1km_tiles"), clip=b)
    ook = read_ookla_grid(shared_file("vidzeme", "broadband", "ookla_fixed_2023q2_350m_tiles"),
                          clip=b, aggregate=False)
    return analysis.analyse(pop, ookla=ook, crs=settings.LATVIA_CRS)


def _independent_vidzeme() -> pd.DataFrame:
    """Best measured speed per census cell from the derived CSVs, with plain pandas."""
    o = pd.read_csv(SHARED_DATA / "vidzeme/broadband/ookla_fixed_2023q2_350m_vidzeme.csv")
    c = pd.read_csv(SHARED_DATA / "vidzeme/population/census2021_1km_vidzeme.csv")
    key = pd.DataFrame({"E": (o["E"] + 175) // 1000 * 1000, "N": (o["N"] + 175) // 1000 * 1000,
                        "best": o["avg_d_kbps"] / 1000})
    best = key.groupby(["E", "N"])["best"].max().reset_index()
    c = c.merge(best, on=["E", "N"], how="left")
    c["T"] = c["T"].fillna(0)
    return c


def test_vidzeme_population_per_class_adds_up_per_municipality(vidzeme):
    t = vidzeme.municipalities
    assert len(t) == 10  # 9 municipalities + the region
    assert classes.check_totals(t, "population", classes.ALL_CLASSES) == 0
    grid = vidzeme.cells.groupby("municipality")["population"].sum()
    muni = t.set_index("municipality")
    for m, total in grid.items():
        assert muni.at[m, "population_total"] == total  # exact (int64)
    assert muni.at[classes.REGION, "population_total"] == 214_157
    assert set(vidzeme.cells["broadband_class"]) == {"measured_white", "measured_nga", "unknown"}
    assert vidzeme.notes["classes"] == "measured"
    # under-15s: only published cells count, and their tables add up too
    assert classes.check_totals(t, "under15_published", classes.ALL_CLASSES) == 0
    assert muni.at[classes.REGION, "under15_published_total"] == pytest.approx(
        vidzeme.cells["under15_published"].sum())


def test_vidzeme_unknown_cells_and_measured_shares_independent(vidzeme):
    ind = _independent_vidzeme()
    cells = vidzeme.cells
    assert len(cells) == len(ind) == 7590
    # populated cells without any Ookla tile centre are unknown, never "no coverage"
    unknown = cells["measured_class"] == "unknown"
    assert unknown.sum() == ind["best"].isna().sum() == 6938
    assert cells.loc[unknown, "best_mbps"].isna().all()
    f = vidzeme.figures
    assert f["population_unknown"] == ind.loc[ind["best"].isna(), "T"].sum() == 95_430
    for mbps, key in ((30, "below_30"), (100, "below_100")):
        expect = ind.loc[ind["best"] < mbps, "T"].sum()
        assert f[key]["population"] == expect
        assert f[key]["share_of_all"] == pytest.approx(expect / 214_157)
    assert f["below_30"]["population"] == 23_619 and f["below_100"]["population"] == 56_838
    s = classes.region_summary(cells).set_index("class")
    assert s.loc["total", "population"] == 214_157
    assert s.loc[["measured_white", "measured_nga", "unknown"], "share"].sum() == pytest.approx(1)


def test_vidzeme_without_border_or_roads_says_so(vidzeme):
    assert (vidzeme.cells["border_band"] == analysis.NO_BORDER_DATA).all()
    assert vidzeme.joint is None and vidzeme.notes["joint"] == "needs roads"
    p = vidzeme.priority
    assert (p["distance_method"] == priority.STRAIGHT).all()
    assert p["rank"].tolist() == list(range(1, len(p) + 1))
    assert p["eur_per_person"].is_monotonic_increasing
    # every uncovered settlement is made of measured-white populated cells
    lab = vidzeme.cells["settlement"]
    assert (vidzeme.cells.loc[lab >= 0, "broadband_class"] == "measured_white").all()
    assert p["population"].sum() == vidzeme.cells.loc[lab >= 0, "population"].sum()


# ------------------------------------------------------------------------------------------
# Border bands: real Liechtenstein and Malta extracts
# ------------------------------------------------------------------------------------------
def _densified_distance_km(xy: np.ndarray, lines: gpd.GeoDataFrame, crs: str) -> np.ndarray:
    geoms = shapely.segmentize(lines.to_crs(crs).geometry.values, 5.0)
    pts = shapely.get_coordinates(geoms)
    return cKDTree(pts).query(xy)[0] / 1000.0


def test_border_bands_liechtenstein_land_border():
    from geo.sources.osm import read_facilities

    path = osm_file("liechtenstein")
    lines = border.read_osm_land_border(path)
    assert len(lines) == 40 and lines.attrs["dropped"]["maritime"] == 0
    assert "Liechtenstein" in ";".join(lines["countries"])
    crs = "EPSG:2056"  # Swiss LV95, metres
    length_km = lines.to_crs(crs).length.sum() / 1000
    assert 70 < length_km < 90  # Liechtenstein's land border is about 78 km
    sch = read_facilities(path, kinds=("school",)).to_crs(crs)
    x, y = sch.geometry.x.to_numpy(), sch.geometry.y.to_numpy()
    d = border.border_distance_km(x, y, lines, crs=crs)
    ind = _densified_distance_km(np.column_stack([x, y]), lines, crs)
    assert np.abs(d - ind).max() < 0.01  # exact segment distance vs 5 m densified vertices
    bands = border.border_band(d)
    expect = np.where(ind < 5, "0-5 km", np.where(ind < 20, "5-20 km", "20+ km"))
    assert (bands == expect).all()
    assert set(bands) <= {"0-5 km", "5-20 km"}  # nowhere in Liechtenstein is 20 km inland


def test_border_bands_malta_has_no_land_border():
    path = osm_file("malta")
    lines = border.read_osm_land_border(path)
    assert len(lines) == 0
    assert lines.attrs["dropped"]["maritime"] == 1 and lines.attrs["relations"] == 1
    d = border.border_distance_km([456_000.0], [3_975_000.0], lines, crs="EPSG:32633")
    assert np.isinf(d).all()
    assert border.border_band(d).tolist() == [border.NO_BORDER]
    got, key = read_region_border(None, path)  # relations found, all maritime: no land border
    assert key == "roads" and len(got) == 0


def test_border_band_edges():
    d = np.array([0.0, 4.999, 5.0, 19.99, 20.0, 150.0, np.inf, np.nan])
    assert border.border_band(d).tolist() == [
        "0-5 km", "0-5 km", "5-20 km", "5-20 km", "20+ km", "20+ km", border.NO_BORDER, None]


# ------------------------------------------------------------------------------------------
# Demo region: border line, schools, joint view, scenarios, CLI
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from geo.region.build import build_bundle
    from geo.region.bundle import load_bundle

    tmp = tmp_path_factory.mktemp("bb-demo")
    mp = pytest.MonkeyPatch()
    mp.setattr(settings, "DOWNLOADS_DIR", tmp / "downloads")
    try:
        build_bundle("demo", out=tmp / "demo", online=False)
    finally:
        mp.undo()
    return load_bundle(tmp / "demo")


@pytest.fixture(scope="module")
def demo_ws(demo):
    from geo import jobs

    return jobs.whitespots_result(demo)


def test_demo_border_bands(demo, demo_ws):
    line = demo["border"]
    assert len(line) == 1
    cells = demo_ws.cells
    xy = np.column_stack([cells["E"] + 500.0, cells["N"] + 500.0])
    crs = demo.manifest["crs"]
    pts = gpd.GeoSeries(shapely.points(xy), crs=LAEA).to_crs(crs)
    ind = shapely.distance(pts.values, line.to_crs(crs).geometry.iloc[0]) / 1000
    assert np.abs(cells["border_km"].to_numpy() - ind).max() < 1e-6
    assert set(cells["border_band"]) == {"0-5 km", "5-20 km", "20+ km"}
    assert demo_ws.border_bands["border_band"].tolist() == [
        "0-5 km", "5-20 km", "20+ km", classes.REGION]
    t = demo_ws.border_bands.set_index("border_band")
    assert classes.check_totals(demo_ws.border_bands, "population", classes.ALL_CLASSES) == 0
    assert t.loc[classes.REGION, "population_total"] == cells["population"].sum()
    both = demo_ws.municipality_border
    assert both["population_total"].sum() == cells["population"].sum()
    # schools carry their cell's class and border band
    sch = demo_ws.schools
    assert len(sch) > 0 and sch["border_band"].notna().all()
    assert set(sch["giga_band"]) <= {"good", "moderate", "bad", "unknown"}


def test_demo_pupils_per_class_add_up_to_the_registry(demo, demo_ws):
    t = demo_ws.municipalities.set_index("municipality")
    assert classes.check_totals(demo_ws.municipalities, "pupils", classes.ALL_CLASSES) == 0
    reg = demo["pupils_2021"].groupby("municipality")[[f"g{g}" for g in range(1, 13)]].sum()
    for m, row in reg.iterrows():
        assert t.at[m, "pupils_total"] == round(row.sum())
    assert demo_ws.notes["classes"] == "declared"
    assert set(demo_ws.cells["broadband_class"]) <= {"white", "grey", "black"}


def test_demo_joint_view_matches_an_independent_count(demo, demo_ws):
    from geo.planning.evaluate import evaluate
    from geo.planning.prepared import prepare_bundle
    from geo.planning.scenario import baseline

    assert demo_ws.joint is not None and demo_ws.notes["distance"] == priority.ROAD
    ev = evaluate(prepare_bundle(demo), baseline())
    o = ev.indicators["origins"]
    white = demo_ws.cells.set_index("cell_id")["broadband_white"]
    w = o["origin_id"].map(white).fillna(False).to_numpy(bool)
    expect = float(((o["beyond_threshold"] + o["unserved"]) * w).sum())
    j = demo_ws.joint
    got = j[(j["municipality"] == "(region)") & (j["grade_band"] == "all")]["joint"].sum()
    assert got == pytest.approx(expect) and expect > 0
    assert demo_ws.cells["joint_pupils"].sum() == pytest.approx(expect)
    # the evaluation carries the same figure in its summary
    s = ev.indicators["summary"]
    row = s[(s["area"] == "(region)") & (s["grade_band"] == "all")
            & (s["indicator"] == "joint_gap")]
    assert row["value"].item() == pytest.approx(expect)


def test_demo_joint_gap_changes_between_scenarios(demo, demo_ws):
    from geo.planning.evaluate import evaluate
    from geo.planning.indicators import compare, compare_joint
    from geo.planning.prepared import prepare_bundle
    from geo.planning.scenario import baseline, scenario_from_dict

    prep = prepare_bundle(demo)
    # close the schools whose cells are broadband white: their pupils go farther
    sch = demo_ws.schools
    close = sch.loc[sch["broadband_class"] == "white", "school_id"].tolist()
    close = close or sch.sort_values("pupils")["school_id"].head(3).tolist()
    close = [s for s in close if s in set(prep.school_ids)]
    sc = scenario_from_dict({"name": "close white-area schools", "changes": [{"close": close}]})
    ev_a, ev_b = evaluate(prep, baseline()), evaluate(prep, sc)
    cmp = compare(ev_a, ev_b)
    s = cmp["summary"]
    r = s[(s["area"] == "(region)") & (s["grade_band"] == "all")
          & (s["indicator"] == "joint_gap")].iloc[0]
    jn = compare_joint(ev_a, ev_b)
    assert r["diff"] == pytest.approx(jn["joint_b"].sum() - jn["joint_a"].sum())
    assert jn["newly_joint"].sum() >= r["diff"] - 1e-9
    assert jn["newly_joint"].sum() > 0  # closing schools pushes pupils into the joint gap
    # newly-joint pupils live in broadband-white cells only
    assert (jn.loc[jn["newly_joint"] > 0, "broadband_class"] == "white").all()


def test_demo_priority_uses_roads(demo_ws):
    p = demo_ws.priority
    assert len(p) > 0 and (p["distance_method"] == priority.ROAD).all()
    assert p["eur_per_person"].is_monotonic_increasing
    cells = demo_ws.cells
    for r in p.head(3).itertuples():
        members = cells[cells["settlement"] == r.settlement]
        assert r.population == members["population"].sum()
        # fibre along roads is never shorter than the straight line between cell centres
        covered = cells[cells["broadband_class"].isin(priority.COVERED_CLASSES)
                        & (cells["population"] > 0)]
        a = np.column_stack([members["E"], members["N"]])
        b = np.column_stack([covered["E"], covered["N"]])
        straight = cKDTree(b).query(a)[0].min() / 1000
        assert r.distance_km >= straight - 0.05  # LAEA vs LKS-92 metres differ slightly
        assert r.cost_eur == pytest.approx(r.distance_km * settings.FIBRE_COST_PER_KM_EUR)


def test_whitespots_cli_writes_gpkg_and_csv(demo, tmp_path):
    import pyogrio

    from geo import jobs

    out = tmp_path / "ws"
    cells = gpd.read_file(demo.path / "layers.gpkg", layer="population_2021").iloc[[0, 7]]
    cen = cells.geometry.centroid.to_crs(4326)
    pts = tmp_path / "vietas.csv"
    pd.DataFrame({"name": ["A", "B"], "lon": cen.x.round(7), "lat": cen.y.round(7)}).to_csv(
        pts, index=False)
    text = jobs.run_whitespots(bundle=demo.path, out=out, points=pts,
                               scenario=str(settings.PROJECT_ROOT / "scenarios"
                                            / "demo_close_small_2027.yaml"))
    assert "joint gap" in text and "white" in text
    for name in ("cells", "municipalities", "border_bands", "schools", "joint", "priority",
                 "summary"):
        assert (out / f"{name}.csv").stat().st_size > 0
    layers = dict(pyogrio.list_layers(out / "whitespots.gpkg"))
    assert {"cells", "schools", "priority", "border"} <= set(layers)
    assert (out / "report" / "broadband_report.html").exists()
    assert (out / "report" / "broadband_report.pdf").exists()
    got = pd.read_csv(out / "points.csv")
    by_id = pd.read_csv(out / "cells.csv").set_index("cell_id")["broadband_class"]
    assert got["name"].tolist() == ["A", "B"]
    assert got["cell_id"].tolist() == cells["cell_id"].tolist()
    assert got["broadband_class"].tolist() == by_id.loc[cells["cell_id"]].tolist()
    m = pd.read_csv(out / "municipalities.csv")
    assert (m[[c for c in m.columns if c.startswith("population_") and c != "population_total"]]
            .sum(axis=1) == m["population_total"]).all()


# ------------------------------------------------------------------------------------------
# Small pieces worked by hand
# ------------------------------------------------------------------------------------------
def test_priority_straight_line_by_hand():
    # row of 6 cells: c0 covered, c1-c2 white (one settlement), c3 covered, c5 white alone
    cells = _cells(6).assign(
        cell_id=[f"c{i}" for i in range(6)], municipality="M",
        population=[10, 20, 30, 5, 0, 40], pupils=[0, 2, 3, 0, 0, 4],
        broadband_class=["black", "white", "white", "grey", "white", "white"])
    cells["broadband_white"] = cells["broadband_class"] == "white"
    p = priority.priority_list(cells, crs=LAEA, cost_per_km_eur=1000.0)
    # {c1, c2}: 50 people, 1 km from c0 or c3 -> 1000 EUR -> 20 EUR/person;
    # {c5}: 40 people, 2 km from c3 (c4 is empty) -> 2000 EUR -> 50 EUR/person
    assert p["population"].tolist() == [50, 40]
    assert p["cells"].tolist() == [2, 1]
    assert p["pupils"].tolist() == [5, 4]
    assert p["distance_km"].tolist() == pytest.approx([1.0, 2.0])
    assert p["eur_per_person"].tolist() == pytest.approx([20.0, 50.0])
    assert p["cell_id"].tolist() == ["c2", "c5"]


def test_giga_bands_and_joint_arrays_by_hand():
    assert schools.giga_band([0.5, 1.0, 20.0, 20.1, np.nan]).tolist() == [
        "bad", "moderate", "moderate", "good", "unknown"]
    minutes = np.array([[10.0, 50.0], [np.inf, 20.0], [40.0, np.nan]])
    pupils = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    beyond = joint.beyond_from_times(minutes, [30.0, 45.0], pupils)
    assert beyond.tolist() == [[0, 2], [3, 0], [5, 6]]
    cls = np.array(["white", "grey", "unknown"], object)
    t = joint.joint_table(pupils, beyond, cls, bands=["1-6", "7-9"],
                          groups={"municipality": np.array(["A", "A", "B"], object)})
    r = t.set_index(["municipality", "grade_band"])
    assert r.loc[("(region)", "all"), "joint"] == 2  # only c0 is white, 2 pupils beyond
    assert r.loc[("(region)", "all"), "joint_unknown"] == 11
    assert r.loc[("A", "1-6"), "travel_white"] == 3
    assert r.loc[("B", "all"), "broadband_white"] == 0


def test_class_layer_labels_both_languages(demo_ws):
    from geo.outputs.layers import broadband_class_layer

    lv = broadband_class_layer(demo_ws.cells, "lv")
    en = broadband_class_layer(demo_ws.cells, "en")
    assert [i.label for i in en.legend][0].startswith("White")
    assert [i.label for i in lv.legend][0].startswith("Baltā")
    assert len(lv.data) == len(demo_ws.cells)
    cells = demo_ws.cells.assign(broadband_class="unknown")
    unk = broadband_class_layer(cells, "en")
    assert [i.label for i in unk.legend] == ["Unknown (no test)"]
    assert set(unk.data["_c"]) == {settings.BROADBAND_CLASS_COLORS["unknown"]}


# ------------------------------------------------------------------------------------------
# The Broadband tab's map in a real browser, network blocked, both languages
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["lv", "en"])
def test_broadband_map_renders_offline_in_chromium(browser, demo, demo_ws, lang,  # noqa: F811
                                                   tmp_path):
    from test_offline_browser import STATE_JS, _left_machine, _requests, _wait

    from geo.i18n import t
    from geo.outputs import report, web
    from geo.outputs.layers import border_line_layer, broadband_class_layer, joint_gap_layer

    # the layers app_broadband.broadband_tab draws (static-HTML path of render_streamlit)
    layers = [broadband_class_layer(demo_ws.cells, lang), joint_gap_layer(demo_ws.cells, lang),
              border_line_layer(demo["border"], lang)]
    m = web.make_map(layers, lang=lang, title=t("report.bb.title", lang))
    path = report.export_html(m, tmp_path / f"platjosla-{lang}.html")
    _requests(browser)
    browser.get(path.as_uri())
    expected = sum(len(la.data) for la in layers)
    state = _wait(browser, f"var s = (function(){{{STATE_JS}}})(); "
                           f"return s.paths >= {expected} && s.legend ? s : null;")
    state = state or browser.execute_script(STATE_JS)
    assert state["leaflet"] == "1.9.3"
    assert state["paths"] == expected
    for c in ("white", "grey", "black"):
        assert t(f"bb.class.{c}", lang) in state["legend"]
    assert t("bb.joint", lang) in state["legend"]
    assert t("bb.border_line", lang) in state["legend"]
    assert state["overlays"] == [la.name for la in layers]
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    assert _left_machine(_requests(browser)) == []


def test_bundle_without_population_is_a_clear_error(tmp_path, monkeypatch):
    """A bundle with boundaries only: the Broadband tab gets a keyed error in both languages
    (it was a bare ValueError the tab did not catch)."""
    shared_file("vidzeme", "boundaries", "municipalities_2021.geojson")
    monkeypatch.setattr(settings, "DOWNLOADS_DIR", tmp_path / "downloads")
    recipe = yaml.safe_load(region.load_recipe("vidzeme").path.read_text(encoding="utf-8"))
    recipe["files"] = {"boundaries": recipe["files"]["boundaries"]}
    path = tmp_path / "bounds.yaml"
    path.write_text(yaml.safe_dump(recipe, allow_unicode=True), encoding="utf-8")
    res = region.build_bundle(path, out=tmp_path / "b", online=False, search_path=[SHARED_DATA])
    with pytest.raises(GeoInputError) as err:
        analysis.bundle_inputs(region.load_bundle(res.path))
    lv = err.value.text("lv")
    assert "iedzīvotāju" in lv and str(res.path) in lv
    assert "population_<year>" in err.value.text("en")
