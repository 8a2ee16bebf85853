"""Fuzz every reader: broken inputs end in the project's own named errors, never a traceback.

Each reader gets seeded random bytes, truncations at several offsets and byte mutations of
real files (``../shared/data``, copied to a temporary folder) and of the demo region's
generated files, plus the odd files a user produces (empty file, a folder instead of a file,
a file in another encoding, an unreadable file). Asserted for every case:

- the reader returns, or raises an error class of :mod:`geo.errors` (a ``GeoInputError``:
  the CLI turns it into a message and exit code 2); any other exception fails the test;
- nothing is written: the case's folder holds the same files, with the same sizes and times.

Inputs are small (the demo region, small real files, long CSVs cut to their first lines) so
that the whole file runs in seconds.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from conftest import SHARED_DATA

import geo.errors
from geo.network.graph import Network, build_network
from geo.planning.prepared import Prepared
from geo.region.bundle import GPKG_NAME, MANIFEST_NAME, load_bundle
from geo.region.school_matching import read_school_locations
from geo.region.synth import generate
from geo.sources import boundaries, capacity, census, coverage, dormitories, izm, ookla, osm
from geo.sources.tabular import read_csv_any
from geo.sources.vector import read_vector

SEED = 20261202
#: A clip area around Cēsis (WGS84).
CESIS_BOX = gpd.GeoSeries([shapely.box(25.0, 57.0, 25.6, 57.4)], crs="EPSG:4326")
#: Random-byte files per reader (sizes in bytes), truncation points (fractions of the file),
#: byte mutations per reader.
RANDOM_SIZES = (1, 300, 5000)
TRUNCATIONS = (0.02, 0.3, 0.7, 0.999)
MUTATIONS = 3


@dataclass(frozen=True)
class Target:
    """A reader and a sample file it reads.

    ``call`` gets the path of the (possibly broken) copy, or its folder when ``folder`` is
    True (tile folders, caches, bundles). ``lines`` keeps only the first lines of a long text
    file to keep the test fast.
    """

    id: str
    root: str  # "demo", "shared" or "cache"
    rel: str
    call: Callable[[Path], object]
    folder: bool = False
    lines: int | None = None


DEMO = "demo"
SHARED = "shared"
CACHE = "cache"

TARGETS = [
    # demo region (generated in the formats of the real sources)
    Target("school_locations", DEMO, "schools/school_locations.csv", read_school_locations),
    Target("capacity", DEMO, "schools/school_capacity.csv", capacity.read_capacity),
    Target("dormitories", DEMO, "schools/dormitories.csv", dormitories.read_dormitories),
    Target("coverage", DEMO, "broadband/coverage_operators_2023.geojson",
           coverage.read_coverage),
    Target("boundaries_demo", DEMO, "boundaries/municipalities.geojson",
           boundaries.read_boundaries),
    Target("census_tiles_demo", DEMO, "population/census2021_1km_tiles/20_15.parquet",
           lambda p: census.read_census_grid(p, geometry=None), folder=True),
    Target("ookla_tiles_demo", DEMO, "broadband/ookla_fixed_2023q2_350m_tiles/117_86.csv",
           ookla.read_ookla_grid, folder=True),
    Target("izm_institutions_demo", DEMO,
           "schools/demo_izglitojamoskvispizglprogr_pa_iestadem_01122022.xlsx",
           izm.read_pupils_by_institution),
    Target("izm_contacts_demo", DEMO, "schools/demo_ml_visparizgl_izgl_iest_kontaktinfo_01092022.xlsx",
           izm.read_contacts),
    Target("osm_roads_demo", DEMO, "osm/demo.osm.pbf", osm.read_osm),
    Target("osm_facilities_demo", DEMO, "osm/demo.osm.pbf", osm.read_facilities),
    Target("osm_places_demo", DEMO, "osm/demo.osm.pbf", osm.read_places),
    Target("vector_demo", DEMO, "boundaries/municipalities.geojson", read_vector),
    # real data
    Target("census_csv", SHARED, "vidzeme/population/census2021_1km_vidzeme.csv",
           lambda p: census.read_census_grid(p, geometry=None), lines=400),
    Target("census_tiles", SHARED, "vidzeme/population/census2021_1km_tiles/21_15.parquet",
           lambda p: census.read_census_grid(p, geometry=None), folder=True),
    Target("popgrid_tiles", SHARED, "vidzeme/population/geostat_popgrid_tiles/2021_9_7.parquet",
           lambda p: census.read_census_grid(p, year=2021, geometry=None), folder=True),
    Target("ookla_csv", SHARED, "vidzeme/broadband/ookla_fixed_2023q2_350m_vidzeme.csv",
           ookla.read_ookla_grid, lines=300),
    Target("ookla_tiles", SHARED, "vidzeme/broadband/ookla_fixed_2023q2_350m_tiles/112_82.csv",
           ookla.read_ookla_grid, folder=True),
    Target("izm_municipalities", SHARED,
           "vidzeme/schools/izm_2022/izglitojamoskvispizglprogr_pa_pasvaldibam_01122022.xlsx",
           izm.read_pupils_by_municipality),
    Target("schools_csv", SHARED, "vidzeme/schools/vidzeme_schools_pupils_by_grade_2022-12-01.csv",
           lambda p: read_csv_any(p, name="school locations", dtype=str), lines=60),
    Target("boundaries", SHARED, "vidzeme/boundaries/municipalities_2021.geojson",
           boundaries.read_boundaries),
    Target("osm_roads", SHARED, "osm/rutland-2018-02-27.osm.pbf", osm.read_osm),
    # the tool's own caches (written by the tool, read back by later runs)
    Target("network_npz", CACHE, "network/network.npz", Network.load, folder=True),
    Target("network_meta", CACHE, "network/meta.json", Network.load, folder=True),
    Target("network_edges", CACHE, "network/edges.parquet", Network.load, folder=True),
    Target("prepared_arrays", CACHE, "prepared/arrays.npz", Prepared.load, folder=True),
    Target("prepared_meta", CACHE, "prepared/meta.json", Prepared.load, folder=True),
    Target("prepared_schools", CACHE, "prepared/schools.parquet", Prepared.load, folder=True),
    Target("bundle_manifest", CACHE, f"bundle/{MANIFEST_NAME}", load_bundle, folder=True),
    Target("bundle_gpkg", CACHE, f"bundle/{GPKG_NAME}", load_bundle, folder=True),
    # Ookla's open-data Parquet layout (quadkey + WKT), whole and streamed with a clip
    Target("ookla_parquet", CACHE, "ookla/tiles.parquet", ookla.read_ookla_tiles),
    Target("ookla_parquet_clipped", CACHE, "ookla/tiles.parquet",
           lambda p: ookla.read_ookla_tiles(p, clip=CESIS_BOX)),
]


# ------------------------------------------------------------------------------------------
# Sample files
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    """The demo region's files, generated once (seconds)."""
    out = tmp_path_factory.mktemp("fuzz_demo") / "demo"
    generate(out, scale="demo", seed=0)
    return out


def _save_prepared(folder: Path, schools: gpd.GeoDataFrame) -> None:
    """A small prepared region (3 origins x the demo schools), written by Prepared.save."""
    n_s, n_o = len(schools), 3
    xy = schools.to_crs("EPSG:3059").geometry.get_coordinates()
    rng = np.random.default_rng(SEED)
    Prepared(
        origin_ids=np.array(["o1", "o2", "o3"]), origin_x=xy["x"].to_numpy()[:n_o],
        origin_y=xy["y"].to_numpy()[:n_o], crs="EPSG:3059",
        origin_municipality=np.array(["A", "A", "B"]), pupils=rng.integers(0, 30, (n_o, 3)),
        bands=("1-6", "7-9", "10-12"),
        schools=pd.DataFrame({"id": schools["school_id"].to_numpy(),
                              "x": xy["x"].to_numpy(), "y": xy["y"].to_numpy()}),
        serves=np.ones((n_s, 12), bool), time_s=rng.uniform(60, 3600, (n_o, n_s)),
        dist_m=rng.uniform(500, 50_000, (n_o, n_s)), base_year=2021, region="demo",
    ).save(folder)


def _save_bundle(folder: Path, demo: Path) -> None:
    """A bundle folder in the format of build_bundle: manifest.json + layers.gpkg."""
    folder.mkdir(parents=True)
    layers = {
        "schools": read_school_locations(demo / "schools/school_locations.csv"),
        "boundaries": boundaries.read_boundaries(demo / "boundaries/municipalities.geojson"),
    }
    for name, gdf in layers.items():
        pyogrio.write_dataframe(gdf, folder / GPKG_NAME, layer=name)
    manifest = {"region": "demo", "layers": {n: {"rows": len(g)} for n, g in layers.items()},
                "missing": {}}
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest), "utf-8")


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory, demo_dir) -> Path:
    """A network cache, a prepared region and a bundle, written by the tool's own code."""
    root = tmp_path_factory.mktemp("fuzz_cache")
    build_network(osm.read_osm(demo_dir / "osm/demo.osm.pbf")).save(root / "network")
    schools = read_school_locations(demo_dir / "schools/school_locations.csv")
    _save_prepared(root / "prepared", schools)
    _save_bundle(root / "bundle", demo_dir)
    _save_ookla_parquet(root / "ookla" / "tiles.parquet")
    return root


def _save_ookla_parquet(path: Path) -> None:
    """600 tiles in the layout of Ookla's Parquet: 20 x 20 near Cēsis, 200 in Spain."""
    z = ookla.OOKLA_ZOOM
    x0, y0 = ookla.lonlat_to_tile(25.1, 57.3, z)
    sx, sy = ookla.lonlat_to_tile(-4.0, 40.0, z)
    xs, ys = np.meshgrid(np.arange(x0, x0 + 20), np.arange(y0, y0 + 20))
    xs = np.concatenate([xs.ravel(), sx + np.arange(200)])
    ys = np.concatenate([ys.ravel(), np.full(200, sy)])
    bounds = ookla.tile_bounds(xs, ys, np.full(len(xs), z))
    rng = np.random.default_rng(SEED)
    path.parent.mkdir(parents=True)
    pd.DataFrame({
        "quadkey": ookla.tile_to_quadkey(xs, ys, z).astype(str),
        "tile": shapely.to_wkt(shapely.box(*bounds.T), rounding_precision=7),
        "avg_d_kbps": rng.integers(1_000, 900_000, len(xs)),
        "avg_u_kbps": rng.integers(500, 400_000, len(xs)),
        "avg_lat_ms": rng.integers(2, 80, len(xs)), "tests": rng.integers(1, 50, len(xs)),
        "devices": rng.integers(1, 20, len(xs)),
    }).to_parquet(path, index=False)


def _source(target: Target, demo_dir: Path, cache_dir: Path) -> Path:
    if target.root == SHARED:
        path = SHARED_DATA / target.rel
        if not path.exists():
            pytest.skip(f"real data not available: {path} (../shared/data is absent)")
        return path
    return (demo_dir if target.root == DEMO else cache_dir) / target.rel


def _original_bytes(target: Target, src: Path) -> bytes:
    data = src.read_bytes()
    if target.lines is not None:
        data = b"".join(data.splitlines(keepends=True)[: target.lines])
    return data


# ------------------------------------------------------------------------------------------
# Broken variants
# ------------------------------------------------------------------------------------------
def variants(data: bytes, rng: np.random.Generator) -> list[tuple[str, bytes]]:
    """Seeded random bytes, truncations and byte mutations of ``data``."""
    out = [(f"random {n} bytes", rng.integers(0, 256, n, dtype=np.uint8).tobytes())
           for n in RANDOM_SIZES]
    out += [(f"truncated at {f:.0%}", data[: max(1, int(len(data) * f))]) for f in TRUNCATIONS]
    for i in range(MUTATIONS):
        buf = bytearray(data)
        if i == 0:  # a random run of bytes overwritten
            start = int(rng.integers(0, max(1, len(buf) - 64)))
            buf[start:start + 64] = rng.integers(0, 256, 64, dtype=np.uint8).tobytes()
            label = f"64 bytes overwritten at {start}"
        else:  # single bytes changed all over the file
            pos = rng.choice(len(buf), size=min(len(buf), 8 * i), replace=False)
            buf_arr = np.frombuffer(bytes(buf), dtype=np.uint8).copy()
            buf_arr[pos] = rng.integers(0, 256, len(pos), dtype=np.uint8)
            buf = bytearray(buf_arr.tobytes())
            label = f"{len(pos)} bytes changed"
        out.append((label, bytes(buf)))
    return out


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


def _run_case(target: Target, case_dir: Path, file: Path) -> str | None:
    """Call the reader; return a description of what went wrong, or None when all is well."""
    arg = file.parent if target.folder else file
    before = _snapshot(case_dir)
    try:
        target.call(arg)
    except Exception as exc:  # noqa: BLE001 - the point is to see every kind
        if type(exc).__module__ != geo.errors.__name__:
            return f"{type(exc).__module__}.{type(exc).__name__}: {str(exc)[:200]}"
        if not str(exc).strip():
            return f"{type(exc).__name__} without a message"
    after = _snapshot(case_dir)
    if after != before:
        return f"wrote files: {sorted(set(after) ^ set(before)) or 'changed sizes/times'}"
    return None


def _place(target: Target, src: Path, case_dir: Path, data: bytes) -> Path:
    """Write the case: the broken file (in a folder for folder readers, beside copies of the
    other files of a cache; a tile is read alone)."""
    if target.folder:
        if target.root == CACHE:
            shutil.copytree(src.parent, case_dir / src.parent.name)
        else:
            (case_dir / src.parent.name).mkdir()
        file = case_dir / src.parent.name / src.name
    else:
        file = case_dir / src.name
    file.write_bytes(data)
    return file


@pytest.mark.parametrize("target", TARGETS, ids=[t.id for t in TARGETS])
def test_reader_fuzz_raises_only_named_errors(target, demo_dir, cache_dir, tmp_path):
    src = _source(target, demo_dir, cache_dir)
    data = _original_bytes(target, src)
    rng = np.random.default_rng([SEED, sum(target.id.encode())])
    problems = []
    for i, (label, broken) in enumerate(variants(data, rng)):
        case_dir = tmp_path / f"case{i}"
        case_dir.mkdir()
        file = _place(target, src, case_dir, broken)
        problem = _run_case(target, case_dir, file)
        if problem:
            problems.append(f"{label}: {problem}")
    assert not problems, f"{target.id} ({target.rel}):\n" + "\n".join(problems)


# ------------------------------------------------------------------------------------------
# Odd files a user produces
# ------------------------------------------------------------------------------------------
FILE_READERS = [t for t in TARGETS if not t.folder]


@pytest.mark.parametrize("target", FILE_READERS, ids=[t.id for t in FILE_READERS])
def test_empty_file_and_folder_are_named_errors(target, tmp_path):
    empty = tmp_path / Path(target.rel).name
    empty.write_bytes(b"")
    with pytest.raises(geo.errors.GeoInputError, match="empty"):
        target.call(empty)
    folder = tmp_path / "given_a_folder.csv"
    folder.mkdir()
    (folder / "inside.csv").write_text("a,b\n1,2\n", "utf-8")
    with pytest.raises(geo.errors.GeoInputError, match="folder|cannot|could not|not a"):
        target.call(folder)


def test_missing_cache_files_are_named_errors(cache_dir, tmp_path):
    files = {"network": ("network.npz", "meta.json", "edges.parquet"),
             "prepared": ("arrays.npz", "meta.json", "schools.parquet"),
             "bundle": (MANIFEST_NAME, GPKG_NAME)}
    for sub, load in (("network", Network.load), ("prepared", Prepared.load),
                      ("bundle", load_bundle)):
        for name in files[sub]:
            case = tmp_path / f"{sub}-{name}"
            shutil.copytree(cache_dir / sub, case)
            (case / name).unlink()
            with pytest.raises(geo.errors.GeoInputError) as err:
                load(case)
            assert str(case) in str(err.value)


@pytest.mark.parametrize("text", ["[1, 2]", "{not json", '{"cache_version": "x"}', "\x00\x01"])
def test_bad_meta_json_is_a_named_error(cache_dir, tmp_path, text):
    for sub, load in (("network", Network.load), ("prepared", Prepared.load)):
        case = tmp_path / sub
        shutil.copytree(cache_dir / sub, case)
        (case / "meta.json").write_text(text, "utf-8")
        with pytest.raises(geo.errors.GeoInputError, match="corrupt|not a JSON|version"):
            load(case)
        shutil.rmtree(case)


def test_cp1257_csv_is_read_like_utf8(tmp_path):
    """A CSV saved by Latvian Excel (Windows-1257) reads the same as its UTF-8 original."""
    text = ("school_id;name;lat;lon\n"
            "4412900001;Ērgļu vidusskola;56.9000;25.6400\n"
            "4412900002;Alūksnes Ernsta Glika Valsts ģimnāzija;57.4200;27.0500\n")
    utf, win = tmp_path / "utf8.csv", tmp_path / "cp1257.csv"
    utf.write_bytes(text.encode("utf-8"))
    win.write_bytes(text.encode("cp1257"))
    a, b = read_school_locations(utf), read_school_locations(win)
    assert b["name"].tolist() == a["name"].tolist() == [
        "Ērgļu vidusskola", "Alūksnes Ernsta Glika Valsts ģimnāzija"]
    assert np.allclose(a.geometry.x, b.geometry.x)


@pytest.mark.parametrize("head,what", [
    (b"PK\x03\x04" + bytes(200), "ZIP"),
    (b"PAR1" + bytes(200), "Parquet"),
    (b"SQLite format 3\x00" + bytes(200), "GeoPackage"),
    ("school_id,name\n1,a\n".encode("utf-16"), "UTF-16"),
    (b"id,x\n1,\x00\x00\x00\n", "binary"),
])
def test_binary_content_given_as_csv_is_named(tmp_path, head, what):
    path = tmp_path / "school_capacity.csv"
    path.write_bytes(head)
    with pytest.raises(geo.errors.GeoInputError, match=what) as err:
        capacity.read_capacity(path)
    assert str(path) in str(err.value) and "Fix:" in str(err.value)


def test_text_given_as_xlsx_or_parquet_is_named(tmp_path):
    xlsx = tmp_path / "capacity.xlsx"
    xlsx.write_text("school_id,capacity\n1,100\n", "utf-8")
    with pytest.raises(geo.errors.GeoInputError, match=r"not a valid \.xlsx file.*text"):
        capacity.read_capacity(xlsx)
    pq = tmp_path / "cells.parquet"
    pq.write_text("E,N,T\n1,2,3\n", "utf-8")
    with pytest.raises(geo.errors.GeoInputError, match=r"not a valid \.parquet file"):
        census.read_census_grid(pq)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file permissions")
def test_unreadable_file_is_a_named_error(demo_dir, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not stop root from reading the file")
    cases = [("schools/school_capacity.csv", capacity.read_capacity),
             ("boundaries/municipalities.geojson", boundaries.read_boundaries),
             ("osm/demo.osm.pbf", osm.read_places)]
    for rel, read in cases:
        path = tmp_path / Path(rel).name
        shutil.copy(demo_dir / rel, path)
        path.chmod(0)
        try:
            with pytest.raises(geo.errors.GeoInputError, match="cannot be read|permission"):
                read(path)
        finally:
            path.chmod(0o644)


def test_cli_turns_corrupt_caches_into_exit_code_2(cache_dir, demo_dir, tmp_path, capsys):
    """The CLI prints the named error (no traceback), exits with 2 and writes no output."""
    from geo.cli import main

    net = tmp_path / "network"
    shutil.copytree(cache_dir / "network", net)
    npz = net / "network.npz"
    npz.write_bytes(npz.read_bytes()[: npz.stat().st_size // 2])
    prepared = tmp_path / "prepared"
    shutil.copytree(cache_dir / "prepared", prepared)
    (prepared / "meta.json").write_text('{"crs": "EPSG:3059", ', "utf-8")
    bundle = tmp_path / "bundle"
    shutil.copytree(cache_dir / "bundle", bundle)
    gpkg = bundle / GPKG_NAME
    gpkg.write_bytes(gpkg.read_bytes()[:5000])
    scenario = tmp_path / "plan.yaml"
    scenario.write_text("name: baseline\n", "utf-8")
    runs = [
        (["access", "--network", str(net), "--facilities", str(demo_dir / "osm/demo.osm.pbf"),
          "--origins", str(demo_dir / "boundaries/municipalities.geojson"),
          "--out", str(tmp_path / "out" / "access.gpkg")], net),
        (["scenario", "evaluate", "--prepared", str(prepared), "--out", str(tmp_path / "out"),
          str(scenario)], prepared),
        (["scenario", "evaluate", "--bundle", str(bundle), "--out", str(tmp_path / "out"),
          str(scenario)], bundle),
    ]
    for argv, broken in runs:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert f"error: {broken}" in err and "Fix:" in err, err  # after any progress bar
        assert "Traceback" not in err
        assert not (tmp_path / "out").exists()


def test_streamed_ookla_parquet_keeps_the_same_tiles_as_a_whole_read(cache_dir):
    """The clipped, streamed read (quadkey-prefix filter by batch) keeps exactly the tiles a
    whole read keeps by centre-in-polygon, with the same values."""
    path = cache_dir / "ookla" / "tiles.parquet"
    streamed = ookla.read_ookla_tiles(path, clip=CESIS_BOX)
    whole = ookla.read_ookla_tiles(path)
    with pytest.warns(UserWarning):  # centroids in degrees: fine for a 600 m tile
        inside = whole[whole.geometry.centroid.within(CESIS_BOX.iloc[0])]
    assert len(streamed) == len(inside) == 400
    a = streamed.set_index("quadkey").sort_index()
    b = inside.set_index("quadkey").sort_index()
    assert a.index.equals(b.index)
    assert (a["download_mbps"] == b["download_mbps"]).all()


@pytest.mark.parametrize("text", ["{", "[1]", '{"tileSizeCell": "abc"}', '{"resolutionGeo": -5}'])
def test_bad_tile_info_json_is_a_named_error(demo_dir, tmp_path, text):
    """info.json places every cell of a tile folder: a damaged one is refused, not ignored."""
    folder = tmp_path / "census2021_1km_tiles"
    folder.mkdir()
    shutil.copy(demo_dir / "population/census2021_1km_tiles/20_15.parquet", folder)
    (folder / "info.json").write_text(text, "utf-8")
    with pytest.raises(geo.errors.GeoInputError, match="info.json.*Fix: restore"):
        census.read_census_grid(folder, geometry=None)
