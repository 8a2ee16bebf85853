"""Bad inputs that used to give silent wrong results: each must give a named error or a
visible warning, and lose nothing.

One table, :data:`CASES`: ``(name, make, expect)``. ``make(ctx)`` builds the bad input in the
case's own folder (``ctx.tmp``; copies of the demo region's files and of the real files in
``../shared/data``, mutated there) and runs the tool on it. ``expect`` is ``Error(type,
fragment)`` (the exception and a regex its message must match) or ``Warns(fragment)`` (the run
succeeds and the warning is where a planner sees it). Every case also checks that nothing was
written or lost: on an error, the case folder holds exactly the files it held before the run
(no output folder, no leftovers, inputs unchanged); on a warning, the inputs are unchanged.

To add a case: write a ``make`` function and add a row to :data:`CASES`.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import built_network, osm_file, shared_file

from geo import cli, jobs
from geo.errors import GeoInputError, GeoWarning
from geo.network.access import nearest_facility
from geo.network.graph import build_network_from_file
from geo.planning.optimize import optimize
from geo.region import demand
from geo.region.build import REPORT_NAME, build_bundle
from geo.region.recipe import load_recipe
from geo.region.school_matching import locate_schools, read_school_locations
from geo.region.synth import generate
from geo.sources.boundaries import read_boundaries
from geo.sources.capacity import read_capacity
from geo.sources.census import read_census_grid
from geo.sources.dormitories import read_dormitories
from geo.sources.izm import read_schools


# ------------------------------------------------------------------------------------------
# The demo region (generated once) and the context of a case
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bad-inputs-demo") / "demo"
    generate(out, scale="demo", seed=0)
    return out


#: Layers of the demo used by the build cases (no roads, OSM or broadband: fast builds).
BUILD_LAYERS = {
    "boundaries": "boundaries/municipalities.geojson",
    "schools_pupils": "schools/demo_izglitojamoskvispizglprogr_pa_iestadem_01122022.xlsx",
    "schools_contacts": "schools/demo_ml_visparizgl_izgl_iest_kontaktinfo_01092022.xlsx",
    "school_locations": "schools/school_locations.csv",
    "school_capacity": "schools/school_capacity.csv",
    "dormitories": "schools/dormitories.csv",
    "census": "population/census2021_1km_tiles",
}


@dataclass
class Ctx:
    """What a case works with: its folder, the demo region and where outputs would go."""

    tmp: Path
    demo: Path
    out: Path = field(init=False)

    def __post_init__(self):
        self.out = self.tmp / "out"

    def copy(self, rel: str) -> Path:
        """A copy of a demo file in the case folder (to mutate)."""
        dst = self.tmp / "inputs" / Path(rel).name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(self.demo / rel, dst)
        return dst

    def copy_shared(self, *parts: str) -> Path:
        """A copy of a real file of ../shared/data in the case folder (skips when absent)."""
        src = shared_file(*parts)
        dst = self.tmp / "inputs" / src.name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, dst)
        return dst

    def recipe(self, *, replace: dict | None = None, extra: str = "") -> Path:
        """A recipe of the demo's layers (absolute paths), some replaced by mutated copies."""
        files = {k: str(self.demo / v) for k, v in BUILD_LAYERS.items()}
        files.update({k: str(v) for k, v in (replace or {}).items()})
        lines = ["name: badcase", "crs: EPSG:3059", "census_year: 2021",
                 "boundary:", "  name_field: name", "files:"]
        lines += [f"  {k}: {json.dumps(v)}" for k, v in files.items()]
        path = self.tmp / "inputs" / "badcase.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
        return path

    def build(self, recipe: Path):
        return build_bundle(recipe, out=self.out, search_path=[self.tmp / "inputs"],
                            online=False, network=False)


@dataclass
class Error:
    """The run raises ``kind`` with a message matching ``match`` (a regex)."""

    kind: type[BaseException]
    match: str


@dataclass
class Warns:
    """The run succeeds; ``check(result, ctx)`` asserts the warning is where a planner sees it."""

    match: str
    check: Callable[[object, Ctx], None] | None = None
    python_warning: type[Warning] | None = None  # also issued with warnings.warn


def _snapshot(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file (and '/' for every folder) under ``folder``."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = str(p.relative_to(folder))
        out[rel] = "/" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _csv_edit(path: Path, edit: Callable[[pd.DataFrame], pd.DataFrame]) -> Path:
    """Rewrite a CSV through ``edit`` (text columns kept as text)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(df).to_csv(path, index=False)
    return path


def _school_at(df: pd.DataFrame, i: int, lon, lat) -> pd.DataFrame:
    df.loc[i, "lon"], df.loc[i, "lat"] = str(lon), str(lat)
    return df


# ------------------------------------------------------------------------------------------
# 1. Schools at impossible places: a warning naming each school, the place not used
# ------------------------------------------------------------------------------------------
def _locate_with(ctx: Ctx, lon, lat):
    """Locate the demo schools from a locations file whose row 2 (the first school) is moved."""
    loc = _csv_edit(ctx.copy("schools/school_locations.csv"),
                    lambda d: _school_at(d, 0, lon, lat))
    schools = read_schools(ctx.demo / BUILD_LAYERS["schools_pupils"],
                           ctx.demo / BUILD_LAYERS["schools_contacts"])
    b = read_boundaries(ctx.demo / BUILD_LAYERS["boundaries"])
    return lambda: locate_schools(schools, locations=loc, boundaries=b)


def _first_school(ctx: Ctx) -> str:
    return pd.read_csv(ctx.demo / "schools/school_locations.csv", dtype=str)["reg_nr"][0]


def _check_unlocated(kind: str):
    def check(res, ctx):
        sid = _first_school(ctx)
        assert [w["kind"] for w in res.warnings] == [kind]
        assert res.warnings[0]["school_id"] == sid
        row = res.schools.loc[sid]
        assert row["status"] == "suspect" and row.geometry is None  # not used at a wrong place
        assert sid in set(res.report["school_id"])  # listed to locate, with the problem
        assert res.report.set_index("school_id").loc[sid, "problem"]
        others = res.schools.drop(index=sid)
        assert (others["status"] == "located").all()
    return check


def _check_outside(res, ctx):
    _check_unlocated("outside")(res, ctx)
    # the distance reported, against an independent one in LKS-92 metres
    w = res.warnings[0]
    region = gpd.read_file(ctx.demo / BUILD_LAYERS["boundaries"]).to_crs("EPSG:3059").union_all()
    pt = gpd.GeoSeries(shapely.points([w["lon"]], [w["lat"]]), crs="EPSG:4326").to_crs("EPSG:3059")
    assert w["km"] == pytest.approx(region.distance(pt.iloc[0]) / 1000, abs=0.5)
    assert w["km"] > 5  # beyond the margin


def make_school_zero(ctx):
    return _locate_with(ctx, 0, 0)


def make_school_swapped(ctx):
    row = pd.read_csv(ctx.demo / "schools/school_locations.csv").iloc[0]
    return _locate_with(ctx, row["lat"], row["lon"])


def make_school_outside(ctx):
    row = pd.read_csv(ctx.demo / "schools/school_locations.csv").iloc[0]
    return _locate_with(ctx, row["lon"] + 1.5, row["lat"])  # 90 km east, beyond the border


def make_build_school_zero(ctx):
    loc = _csv_edit(ctx.copy("schools/school_locations.csv"), lambda d: _school_at(d, 0, 0, 0))
    recipe = ctx.recipe(replace={"school_locations": loc})
    return lambda: ctx.build(recipe)


def _check_build_warning(res, ctx):
    sid = _first_school(ctx)
    man = json.loads((ctx.out / "manifest.json").read_text("utf-8"))
    assert [w["school_id"] for w in man["warnings"]] == [sid]
    assert sid in res.summary() and "WARNING" in res.summary()
    report = pd.read_csv(ctx.out / REPORT_NAME, dtype=str)
    assert "(0, 0)" in report.set_index("school_id").loc[sid, "problem"]
    en, lv = jobs.bundle_warnings(man, "en"), jobs.bundle_warnings(man, "lv")
    assert len(en) == len(lv) == 1 and sid in en[0] and sid in lv[0] and en[0] != lv[0]
    schools = gpd.read_file(ctx.out / "layers.gpkg", layer="schools")
    row = schools[schools["school_id"].astype(str) == sid].iloc[0]
    assert row["status"] == "suspect" and row.geometry is None


# ------------------------------------------------------------------------------------------
# 2. Repeated rows in the school tables; dormitory places of the capacity table
# ------------------------------------------------------------------------------------------
def _repeat_row(i: int):
    return lambda d: pd.concat([d, d.iloc[[i]]], ignore_index=True)


def make_capacity_repeated(ctx):
    path = _csv_edit(ctx.copy("schools/school_capacity.csv"), _repeat_row(3))
    return lambda: read_capacity(path)


def make_capacity_same_id(ctx):
    def edit(d):
        d.loc[5, "reg_nr"] = d.loc[1, "reg_nr"]
        return d
    path = _csv_edit(ctx.copy("schools/school_capacity.csv"), edit)
    return lambda: read_capacity(path)


def make_capacity_xlsx_same_id(ctx):
    """The capacity table as a municipality sends it: Excel, a title above the header (on
    sheet row 3), one school on sheet rows 4 and 9."""
    d = pd.read_csv(ctx.demo / "schools/school_capacity.csv", dtype=str)
    d.loc[5, "reg_nr"] = d.loc[0, "reg_nr"]
    path = ctx.tmp / "inputs" / "capacity.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame([["Skolu ietilpība 2024"]]).to_excel(xw, header=False, index=False)
        d.to_excel(xw, startrow=2, index=False)
    return lambda: read_capacity(path)


def make_capacity_text_dormitory_places(ctx):
    def edit(d):
        d.loc[2, "dormitory_places"] = "some"
        return d
    path = _csv_edit(ctx.copy("schools/school_capacity.csv"), edit)
    return lambda: read_capacity(path)


def make_dormitory_repeated(ctx):
    path = _csv_edit(ctx.copy("schools/dormitories.csv"), _repeat_row(2))
    return lambda: read_dormitories(path)


def make_dormitory_same_id(ctx):
    def edit(d):
        d.insert(0, "dormitory_id", [f"D{i}" for i in range(len(d))])
        d.loc[4, "dormitory_id"] = "D1"
        return d
    path = _csv_edit(ctx.copy("schools/dormitories.csv"), edit)
    return lambda: read_dormitories(path)


def make_locations_repeated(ctx):
    path = _csv_edit(ctx.copy("schools/school_locations.csv"), _repeat_row(0))
    return lambda: read_school_locations(path)


def make_dormitory_places_conflict(ctx):
    def edit(d):
        d.loc[d["dormitory_places"] != "0", "dormitory_places"] = "999"
        return d
    cap = _csv_edit(ctx.copy("schools/school_capacity.csv"), edit)
    recipe = ctx.recipe(replace={"school_capacity": cap})
    return lambda: ctx.build(recipe)


# ------------------------------------------------------------------------------------------
# 3. Geographic or unknown CRS as the metric CRS
# ------------------------------------------------------------------------------------------
def _recipe_crs(crs: str):
    def make(ctx):
        path = ctx.recipe()
        path.write_text(path.read_text("utf-8").replace("crs: EPSG:3059", f"crs: {crs}"))
        return lambda: ctx.build(path)
    return make


def _cli(*argv: str):
    """Run the CLI in-process; argparse errors exit with code 2, engine errors return 2."""
    def make(ctx):
        args = [a.replace("{tmp}", str(ctx.tmp)).replace("{out}", str(ctx.out)) for a in argv]

        def run():
            code = cli.main(args)
            if code:
                raise SystemExit(code)
        return run
    return make


def make_cli_build_geographic(ctx):
    path = ctx.recipe()
    path.write_text(path.read_text("utf-8").replace("crs: EPSG:3059", "crs: EPSG:4326"))
    return _cli("build", str(path), "--out", "{out}", "--offline", "--no-network")(ctx)


def make_network_api_geographic(ctx):
    src = osm_file("liechtenstein")
    return lambda: build_network_from_file(src, ctx.out, crs="EPSG:4326")


# ------------------------------------------------------------------------------------------
# 4. Population values that cannot be counts of people
# ------------------------------------------------------------------------------------------
def _census(edit):
    def make(ctx):
        path = ctx.copy_shared("vidzeme", "population", "census2021_1km_vidzeme.csv")
        _csv_edit(path, edit)
        return lambda: read_census_grid(path)
    return make


def _set_t(i: int, value: str):
    def edit(d):
        d.loc[i, "T"] = value
        return d
    return edit


def make_demand_duplicate_cells(ctx):
    path = ctx.copy_shared("vidzeme", "population", "census2021_1km_vidzeme.csv")
    cells = pd.read_csv(path).rename(columns={"name": "municipality"})
    cells["cell_id"] = cells["E"].astype(str) + "-" + cells["N"].astype(str)
    cells = pd.concat([cells, cells.iloc[[10]]], ignore_index=True)
    pupils = pd.DataFrame({"g1": 1.0}, index=sorted(cells["municipality"].unique()))
    return lambda: demand.distribute_pupils(cells, pupils)


# ------------------------------------------------------------------------------------------
# 5. Options out of range, repeated facility ids, text as population
# ------------------------------------------------------------------------------------------
def _access_inputs(ctx):
    net = built_network("liechtenstein")
    lon, lat = np.meshgrid(np.linspace(9.50, 9.58, 4), np.linspace(47.08, 47.20, 4))
    fac = gpd.GeoDataFrame({"fid": ["a", "b", "a", "c"]},
                           geometry=shapely.points(lon[1, :], lat[1, :]), crs="EPSG:4326")
    org = gpd.GeoDataFrame({"oid": np.arange(16), "pop": ["10"] * 15 + ["lots"]},
                           geometry=shapely.points(lon.ravel(), lat.ravel()), crs="EPSG:4326")
    return net, fac, org


def make_access_duplicate_ids(ctx):
    net, fac, org = _access_inputs(ctx)
    return lambda: jobs.run_access(network=net, facilities=fac, origins=org, out=ctx.out,
                                   facility_id="fid", origin_id="oid")


def make_access_text_population(ctx):
    net, fac, org = _access_inputs(ctx)
    fac["fid"] = ["a", "b", "c", "d"]
    return lambda: jobs.run_access(network=net, facilities=fac, origins=org, out=ctx.out,
                                   facility_id="fid", origin_id="oid", population="pop")


def make_nearest_negative_snap(ctx):
    net, fac, org = _access_inputs(ctx)
    return lambda: nearest_facility(net, org, fac, max_snap_m=-1)


def make_run_access_negative_cutoff(ctx):
    return lambda: jobs.run_access(network=ctx.tmp / "no-network", facilities=ctx.tmp / "f.gpkg",
                                   origins=ctx.tmp / "o.gpkg", out=ctx.out, cutoff_s=-300)


def make_optimize_nan_budget(ctx):
    return lambda: optimize(None, budget_eur=math.nan)


def make_optimize_zero_p(ctx):
    return lambda: optimize(None, p=0)


# ------------------------------------------------------------------------------------------
# 6. Invalid boundary polygons: repaired with the area change, or refused
# ------------------------------------------------------------------------------------------
def _boundaries_with(ctx, mutate) -> Path:
    src = shared_file("vidzeme", "boundaries", "municipalities_2021.geojson")
    g = gpd.read_file(src)
    g.loc[0, "geometry"] = mutate(g.geometry.iloc[0])
    assert not g.geometry.iloc[0].is_valid
    path = ctx.tmp / "inputs" / "boundaries.geojson"
    path.parent.mkdir(parents=True, exist_ok=True)
    g.to_file(path, driver="GeoJSON")
    return path


def _largest_ring(geom):
    parts = sorted(shapely.get_parts(geom), key=lambda p: p.area)
    return list(parts[-1].exterior.coords)


def _with_spike(geom):
    """A tiny self-crossing loop (about 10 m) added on the outer ring: invalid, area ~same."""
    ring = _largest_ring(geom)
    x0, y0 = ring[0]
    d = 1e-4
    loop = [(x0, y0), (x0 + d, y0 + d), (x0 + d, y0), (x0, y0 + d), (x0, y0)]
    return shapely.Polygon(loop + ring[1:])


def _bow_tie(geom):
    """The outer ring with two corners swapped: a bow tie, the area halved or worse."""
    ring = _largest_ring(geom)[:-1]
    n = len(ring)
    ring[n // 4], ring[3 * n // 4] = ring[3 * n // 4], ring[n // 4]
    return shapely.Polygon(ring)


def make_boundary_small_repair(ctx):
    path = _boundaries_with(ctx, _with_spike)
    return lambda: read_boundaries(path)


def make_boundary_bow_tie(ctx):
    path = _boundaries_with(ctx, _bow_tie)
    return lambda: read_boundaries(path)


def _check_repaired(res, ctx):
    (w,) = res.attrs["warnings"]
    assert w["code"] == "boundary_repaired" and 0 <= w["pct"] <= 1.0 and w["km2"] >= 0
    assert res.geometry.is_valid.all()
    assert res.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    # independent check: the repaired municipality keeps the real file's area (LKS-92 m2)
    real = gpd.read_file(shared_file("vidzeme", "boundaries", "municipalities_2021.geojson"))
    a_real = real.to_crs("EPSG:3059").area.to_numpy()
    a_res = res.to_crs("EPSG:3059").area.to_numpy()
    assert a_res[0] == pytest.approx(a_real[0], rel=1e-4)
    assert np.array_equal(a_res[1:], a_real[1:])  # the valid ones are untouched
    assert w["km2"] * 1e6 == pytest.approx(abs(a_res[0] - a_real[0]), abs=100.0)


# ------------------------------------------------------------------------------------------
# 7. Recipe fields
# ------------------------------------------------------------------------------------------
def _recipe_extra(old: str, new: str):
    def make(ctx):
        path = ctx.recipe()
        text = path.read_text("utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")
        return lambda: ctx.build(path)
    return make


def make_recipe_unknown_generator(ctx):
    recipe = ctx.recipe(extra="generator: geo.region.no_such_module\n")
    return lambda: ctx.build(recipe)


def make_recipe_unknown_generator_option(ctx):
    recipe = ctx.recipe(
        extra="generator: geo.region.synth\ngenerator_options:\n  colour: red\n")
    return lambda: ctx.build(recipe)


def make_recipe_load_census_year(ctx):
    path = ctx.recipe()
    path.write_text(path.read_text("utf-8").replace("census_year: 2021", "census_year: abc"))
    return lambda: load_recipe(path)


# ------------------------------------------------------------------------------------------
# The table
# ------------------------------------------------------------------------------------------
E, W = Error, Warns
CASES: list[tuple[str, Callable[[Ctx], object], Error | Warns]] = [
    # 1. schools at impossible places
    ("school at (0, 0)", make_school_zero, W(r"9911900009 .* at \(0, 0\)", _check_unlocated("zero"))),
    ("school with lon/lat swapped", make_school_swapped, W(r"9911900009 .*longitude and latitude swapped",
                                      _check_unlocated("swapped"))),
    ("school 1.5 degrees east, outside the region", make_school_outside,
     W(r"9911900009 .* lies \d+\.\d km outside the region", _check_outside)),
    ("build: school at (0, 0) in manifest, report, app", make_build_school_zero,
     W(r"WARNING School 9911900009 .*\(0, 0\)", _check_build_warning)),
    # 2. repeated rows; dormitory places
    ("capacity: a row repeated", make_capacity_repeated,
     E(GeoInputError, r"school_capacity.csv.*listed twice.*rows 5, 31")),
    ("capacity: one school on two rows", make_capacity_same_id,
     E(GeoInputError, r"listed twice.*rows 3, 7")),
    ("capacity (Excel, title row): one school on two rows", make_capacity_xlsx_same_id,
     E(GeoInputError, r"capacity.xlsx.*listed twice.*rows 4, 9")),
    ("capacity: text as dormitory places", make_capacity_text_dormitory_places,
     E(GeoInputError, r"column 'dormitory_places' must hold numbers")),
    ("dormitories: a row repeated", make_dormitory_repeated,
     E(GeoInputError, r"dormitories.csv.*repeated rows.*rows 4 = 11")),
    ("dormitories: one id on two rows", make_dormitory_same_id,
     E(GeoInputError, r"dormitory 'D1' on rows 3, 6")),
    ("locations: a row repeated", make_locations_repeated,
     E(GeoInputError, r"school_locations.csv.*rows 2, 31.*same place")),
    ("capacity and dormitory tables disagree on places", make_dormitory_places_conflict,
     E(GeoInputError, r"dormitory places differ.*999")),
    # 3. CRS
    ("recipe crs EPSG:4326", _recipe_crs("EPSG:4326"),
     E(GeoInputError, r"badcase.yaml.*EPSG:4326.*geographic")),
    ("recipe crs EPSG:99999", _recipe_crs("EPSG:99999"),
     E(GeoInputError, r"badcase.yaml.*EPSG:99999.*not a known")),
    ("recipe crs abc", _recipe_crs("abc"), E(GeoInputError, r"'abc' is not a known")),
    ("network --crs EPSG:4326", _cli("network", str(Path("{tmp}") / "x.osm.pbf"), "--out",
                                     "{out}", "--crs", "EPSG:4326"),
     E(SystemExit, r"^2$")),
    ("network --crs EPSG:99999", _cli("network", "x.osm.pbf", "--out", "{out}", "--crs",
                                      "EPSG:99999"), E(SystemExit, r"^2$")),
    ("build (CLI) with recipe crs EPSG:4326", make_cli_build_geographic, E(SystemExit, r"^2$")),
    ("build_network_from_file(crs=EPSG:4326)", make_network_api_geographic,
     E(GeoInputError, r"EPSG:4326.*geographic")),
    # 4. population values
    ("census: negative population", _census(_set_t(3, "-5")),
     E(GeoInputError, r"census2021_1km_vidzeme.csv.*'T' has negative.*CRS3035RES1000m")),
    ("census: infinite population", _census(_set_t(3, "inf")),
     E(GeoInputError, r"'T' has infinite values")),
    ("census: 60,000 people in a 1 km cell", _census(_set_t(7, "60000")),
     E(GeoInputError, r"more than 50,000 people.*CRS3035RES1000m")),
    ("census: text in the population column", _census(_set_t(2, "many")),
     E(GeoInputError, r"column 'T' is not numeric.*many")),
    ("census: a cell given twice", _census(_repeat_row(10)),
     E(GeoInputError, r"same cell twice.*CRS3035RES1000m")),
    ("demand: a cell given twice", make_demand_duplicate_cells,
     E(GeoInputError, r"cells are given twice")),
    # 5. options and ids
    ("access: facility ids repeated", make_access_duplicate_ids,
     E(GeoInputError, r"facility 'a' on features 1, 3")),
    ("access: text in the population column", make_access_text_population,
     E(GeoInputError, r"population column 'pop' \(--population\) is not numeric.*lots")),
    ("nearest_facility(max_snap_m=-1)", make_nearest_negative_snap,
     E(GeoInputError, r"max_snap_m = -1 must be greater than 0")),
    ("run_access(cutoff_s=-300)", make_run_access_negative_cutoff,
     E(GeoInputError, r"cutoff_s \(--cutoff x 60\) = -300")),
    ("optimize(budget_eur=nan)", make_optimize_nan_budget,
     E(GeoInputError, r"budget_eur \(--budget\) = nan is not a finite")),
    ("optimize(p=0)", make_optimize_zero_p, E(GeoInputError, r"p \(--p\) = 0 must be at least 1")),
    ("optimize --budget nan", _cli("optimize", "--bundle", "{tmp}", "--budget", "nan",
                                   "--out", "{out}"), E(SystemExit, r"^2$")),
    ("optimize --p 0", _cli("optimize", "--bundle", "{tmp}", "--p", "0", "--out", "{out}"),
     E(SystemExit, r"^2$")),
    ("access --cutoff -5", _cli("access", "--network", "{tmp}", "--facilities", "f", "--origins",
                                "o", "--out", "{out}", "--cutoff", "-5"), E(SystemExit, r"^2$")),
    ("access --max-snap -1", _cli("access", "--network", "{tmp}", "--facilities", "f",
                                  "--origins", "o", "--out", "{out}", "--max-snap", "-1"),
     E(SystemExit, r"^2$")),
    ("access --cutoff inf", _cli("access", "--network", "{tmp}", "--facilities", "f",
                                 "--origins", "o", "--out", "{out}", "--cutoff", "inf"),
     E(SystemExit, r"^2$")),
    ("scenario prepare --year abc", _cli("scenario", "prepare", "--bundle", "{tmp}", "--year",
                                         "abc", "--out", "{out}"), E(SystemExit, r"^2$")),
    # 6. boundaries
    ("boundary: small self-crossing, repaired", make_boundary_small_repair,
     W(r"repaired; its area changed by [\d.]+ km2 \([\d.]+%\)", _check_repaired, GeoWarning)),
    ("boundary: bow tie, refused", make_boundary_bow_tie,
     E(GeoInputError, r"repair would change the area by more than 1%.*km2")),
    # 7. recipe fields
    ("recipe census_year: abc", make_recipe_load_census_year,
     E(GeoInputError, r"badcase.yaml.*census_year: 'abc' is not a year")),
    ("recipe census_year: abc (build)", _recipe_extra("census_year: 2021", "census_year: abc"),
     E(GeoInputError, r"census_year: 'abc' is not a year")),
    ("recipe popgrid_years: [x]", _recipe_extra("census_year: 2021",
                                                "census_year: 2021\npopgrid_years: [x]"),
     E(GeoInputError, r"popgrid_years: 'x' is not a year")),
    ("recipe unknown generator module", make_recipe_unknown_generator,
     E(GeoInputError, r"unknown generator module 'geo.region.no_such_module'")),
    ("recipe unknown generator option", make_recipe_unknown_generator_option,
     E(GeoInputError, r"unknown generator option\(s\) \['colour'\].*scale")),
]

#: Expected messages of the CLI cases (stderr), by case name.
CLI_MESSAGES = {
    "network --crs EPSG:4326": r"argument --crs: CRS 'EPSG:4326' .*geographic",
    "build (CLI) with recipe crs EPSG:4326": r"^error: .*badcase.yaml: the recipe's crs: "
                                             r"'EPSG:4326' \(WGS 84\) is geographic",
    "network --crs EPSG:99999": r"argument --crs: CRS 'EPSG:99999' is not a known",
    "optimize --budget nan": r"argument --budget: 'nan' is not a finite number",
    "optimize --p 0": r"argument --p: '0' must be at least 1",
    "access --cutoff -5": r"argument --cutoff: '-5' must be greater than 0",
    "access --max-snap -1": r"argument --max-snap: '-1' must be greater than 0",
    "access --cutoff inf": r"argument --cutoff: 'inf' is not a finite number",
    "scenario prepare --year abc": r"argument --year: 'abc' is not a year",
}


def _warning_text(res) -> str:
    """The warnings a run reports: a build's summary, a result's or a table's warnings."""
    if hasattr(res, "summary") and hasattr(res, "manifest"):
        return res.summary()
    warns = getattr(res, "warnings", None)
    if not isinstance(warns, list):
        warns = getattr(res, "attrs", {}).get("warnings", [])
    return "\n".join(w["message"] for w in warns)


@pytest.mark.parametrize(("name", "make", "expect"), CASES, ids=[c[0] for c in CASES])
def test_bad_input(name, make, expect, demo_dir, tmp_path, capsys):
    ctx = Ctx(tmp=tmp_path, demo=demo_dir)
    demo_before = _snapshot(demo_dir)
    run = make(ctx)  # writes the bad input under tmp_path/inputs
    before = _snapshot(tmp_path)
    if isinstance(expect, Error):
        with pytest.raises(expect.kind) as info:
            run()
        err = info.value
        text = str(err.code if isinstance(err, SystemExit) else err)
        assert re.search(expect.match, text), text
        if name in CLI_MESSAGES:
            assert re.search(CLI_MESSAGES[name], capsys.readouterr().err)
        # nothing written (no output, no leftovers), nothing changed
        assert _snapshot(tmp_path) == before
    else:
        if expect.python_warning is None:
            res = run()
        else:
            with pytest.warns(expect.python_warning, match=expect.match):
                res = run()
        text = _warning_text(res)
        assert re.search(expect.match, text), text
        if expect.check is not None:
            expect.check(res, ctx)
        after = _snapshot(tmp_path)
        assert {k: after.get(k) for k in before} == before, "an input was changed"
        assert all(k.startswith("out") for k in set(after) - set(before)), \
            sorted(set(after) - set(before))
    assert _snapshot(demo_dir) == demo_before, "the demo region's files were changed"


def test_capacity_table_dormitory_places_are_used(demo_dir, tmp_path):
    """Dormitory places given only in the capacity table reach the schools layer (used by
    :func:`geo.planning.prepared.prepare_bundle`), never ignored."""
    ctx = Ctx(tmp=tmp_path, demo=demo_dir)
    recipe = ctx.recipe()
    text = recipe.read_text("utf-8")
    recipe.write_text("\n".join(line for line in text.splitlines()
                                if not line.startswith("  dormitories:")) + "\n")
    res = ctx.build(recipe)
    assert "dormitories" not in res.manifest["layers"]
    schools = gpd.read_file(ctx.out / "layers.gpkg", layer="schools").set_index("school_id")
    table = pd.read_csv(demo_dir / "schools/school_capacity.csv", dtype={"reg_nr": str})
    table = table.set_index("reg_nr")["dormitory_places"]
    assert table.sum() > 0
    got = schools.loc[table.index, "dormitory_places"].astype(float)
    assert np.array_equal(got.to_numpy(), table.to_numpy(dtype=float))
