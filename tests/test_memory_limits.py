"""Memory stays bounded whatever the size of an input (issue 7).

A 200 MB CSV of zeros given as school locations, capacities or the census grid used to take
12-20 GB of memory before the kernel killed the process. Each tabular kind is fed a 200 MB
file (zeros, and well-formed rows repeated) and must end in a clear ``GeoInputError`` within
seconds, with the peak memory of the process under 1 GB; the largest file a limit accepts,
with the worst content (one short number per line), must stay under 1 GB too.

Peak memory is measured in a fresh Python process (``resource.getrusage(RUSAGE_SELF)`` at the
end of the child), so that nothing the test session loaded before counts.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import shapely
from conftest import PROJECT_ROOT

from geo import settings
from geo.sources import ookla

MB = 1_000_000
#: Size of the oversized inputs and the memory ceiling, bytes.
BIG = 200 * MB
PEAK_LIMIT_MB = 1024
#: Seconds one read may take (on a busy 2-core machine).
TIME_LIMIT_S = 20.0

#: kind -> (reader call in the child, header, one well-formed row)
KINDS = {
    "school locations": (
        "read_school_locations(p)", "school_id,name,lat,lon\n",
        "4412900001,Ērgļu vidusskola,56.900123,25.640123\n"),
    "school capacity": (
        "read_capacity(p)", "school_id,capacity,dormitory_places\n", "4412900001,350,40\n"),
    "population grid": (
        "read_census_grid(p, geometry=None)", "E,N,T,Y_LT15\n", "5200000,3850000,123,17\n"),
    "dormitories": (
        "read_dormitories(p)", "school_id,places,name\n", "4412900001,40,Ērgļu internāts\n"),
    "Ookla grid": (
        "read_ookla_grid(p)", "E,N,avg_d_kbps,avg_u_kbps,avg_lat_ms,tests,devices\n",
        "5200200,3850150,95000,40000,12,8,3\n"),
}

CHILD = """
import json, resource, sys, time
from pathlib import Path
from geo.errors import GeoInputError
from geo.region.school_matching import read_school_locations
from geo.sources.capacity import read_capacity
from geo.sources.census import read_census_grid
from geo.sources.dormitories import read_dormitories
from geo.sources.izm import read_pupils_by_institution
from geo.sources.ookla import read_ookla_grid, read_ookla_tiles
import geopandas as gpd, shapely
def peak_mb():
    # VmHWM: this process's own peak resident memory (getrusage's ru_maxrss may carry the
    # parent's peak across fork + exec on Linux, i.e. pytest's, not the reader's)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
out = []
for call, path in json.loads(sys.argv[1]):
    p = Path(path)
    t = time.perf_counter()
    try:
        result = f"ok {len(eval(call))} rows"
    except GeoInputError as exc:
        result = "GeoInputError: " + str(exc)
    out.append({"call": call, "file": p.name, "result": result,
                "seconds": time.perf_counter() - t,
                "peak_mb": peak_mb()})
print(json.dumps(out))
"""


def write_repeated(path: Path, header: str, row: str, size: int) -> Path:
    """Write ``header`` then ``row`` repeated until the file has ``size`` bytes (fast)."""
    head, unit = header.encode(), row.encode()
    chunk = unit * max(1, (1 << 20) // len(unit))
    with open(path, "wb") as fh:
        fh.write(head)
        left = size - len(head)
        while left > 0:
            piece = chunk[:left] if left < len(chunk) else chunk
            fh.write(piece)
            left -= len(piece)
    return path


def run_child(calls: list[tuple[str, Path]]) -> list[dict]:
    """Run each ``(reader call, path)`` in one fresh process; results and peak memory (MB)
    after each call (the peak so far: it never decreases)."""
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    arg = json.dumps([[c, str(p)] for c, p in calls])
    r = subprocess.run([sys.executable, "-c", CHILD, arg], cwd=PROJECT_ROOT,
                       env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f"the reader crashed (not a named error):\n{r.stderr[-3000:]}"
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_200_mb_input_of_each_kind_is_refused_quickly_with_bounded_memory(tmp_path):
    """Each kind gets the 200 MB file of zeros and a 200 MB file of its own well-formed rows."""
    zeros = write_repeated(tmp_path / "zeros.csv", "0\n", "0\n", BIG)
    calls, kinds = [], []
    for i, (kind, (call, header, row)) in enumerate(KINDS.items()):
        rows = write_repeated(tmp_path / f"rows{i}.csv", header, row, BIG)
        calls += [(call, zeros), (call, rows)]
        kinds += [kind, kind]
    results = run_child(calls)
    assert len(results) == 2 * len(KINDS)
    for kind, res in zip(kinds, results, strict=True):
        msg = res["result"]
        assert msg.startswith("GeoInputError"), (kind, res)
        limit = settings.MAX_INPUT_MB[kind]
        assert res["file"] in msg and "too large" in msg and f"{limit:,.0f} MB" in msg, msg
        assert f"the {kind} file" in msg and "Fix:" in msg, msg
        assert res["seconds"] < TIME_LIMIT_S, (kind, res)
        assert res["peak_mb"] < PEAK_LIMIT_MB, (kind, res)


def test_largest_accepted_file_of_the_worst_content_stays_under_1_gb(tmp_path):
    """Just under the limit, a file of one short number per line (the most memory per byte:
    text ids for school tables, numbers for the grid) is read and refused for its content,
    within the memory ceiling."""
    calls = []
    for kind in ("school locations", "population grid"):
        size = int(settings.MAX_INPUT_MB[kind] * MB) - 2
        path = write_repeated(tmp_path / f"zeros-{len(calls)}.csv", "0\n", "0\n", size)
        calls.append((KINDS[kind][0], path))
    for res in run_child(calls):
        assert res["result"].startswith("GeoInputError"), res
        assert "too large" not in res["result"]  # read, then refused for its columns
        assert "columns found: ['0']" in res["result"], res
        assert res["peak_mb"] < PEAK_LIMIT_MB, res
        assert res["seconds"] < TIME_LIMIT_S, res


def test_xlsx_that_unpacks_to_hundreds_of_mb_is_refused_before_loading(tmp_path):
    """A small .xlsx whose sheet unpacks to 300 MB (a ZIP bomb) is refused by its unpacked
    size, without being opened by the Excel reader."""
    path = tmp_path / "izm.xlsx"
    block = b"<row><c><v>0</v></c></row>" * 40_000
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            for _ in range(300 * MB // len(block)):
                fh.write(block)
    assert path.stat().st_size < 20 * MB
    (res,) = run_child([("read_pupils_by_institution(p)", path)])
    assert res["result"].startswith("GeoInputError"), res
    assert "unpacked" in res["result"] and "too large" in res["result"]
    assert res["peak_mb"] < PEAK_LIMIT_MB and res["seconds"] < TIME_LIMIT_S, res


def test_peak_is_measured_in_the_child(tmp_path):
    """The measure can fail: a child that allocates 300 MB reports at least that much."""
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    code = ("import numpy as np; a = np.ones(300 * 10**6 // 8); "
            "print([int(x.split()[1]) / 1024 for x in open('/proc/self/status') "
            "if x.startswith('VmHWM:')][0])")
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       check=True)
    assert float(r.stdout) > 300
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 > 300


def _ookla_table(xs: np.ndarray, ys: np.ndarray) -> pa.Table:
    """Rows in the layout of Ookla's open-data Parquet (quadkey, WKT tile, values)."""
    z = ookla.OOKLA_ZOOM
    bounds = ookla.tile_bounds(xs, ys, np.full(len(xs), z))
    n = len(xs)
    return pa.table({
        "quadkey": pa.array(ookla.tile_to_quadkey(xs, ys, z).tolist(), pa.string()),
        "tile": pa.array(shapely.to_wkt(shapely.box(*bounds.T), rounding_precision=7).tolist(),
                         pa.string()),
        **{c: np.full(n, v) for c, v in (("avg_d_kbps", 95_000), ("avg_u_kbps", 40_000),
                                        ("avg_lat_ms", 12), ("tests", 8), ("devices", 3))},
    })


def test_global_ookla_parquet_is_streamed_when_clipped(tmp_path):
    """A legitimately large input: Ookla's global Parquet (here 400,000 tiles in Spain and
    40 x 40 tiles near Cēsis, over the 30 MB limit once unpacked). Clipped, it is streamed
    and only the region's tiles are kept, in bounded memory; unclipped it is refused."""
    path = tmp_path / "2023-04-01_performance_fixed_tiles.parquet"
    x0, y0 = ookla.lonlat_to_tile(25.1, 57.3, ookla.OOKLA_ZOOM)
    xs, ys = np.meshgrid(np.arange(x0, x0 + 40), np.arange(y0, y0 + 40))
    inside = _ookla_table(xs.ravel(), ys.ravel())
    sx, sy = ookla.lonlat_to_tile(-4.0, 40.0, ookla.OOKLA_ZOOM)
    with pq.ParquetWriter(path, inside.schema) as writer:
        for k in range(2):
            xs, ys = np.meshgrid(np.arange(sx, sx + 1000), np.arange(sy + 200 * k, sy + 200 * (k + 1)))
            writer.write_table(_ookla_table(xs.ravel(), ys.ravel()))
        writer.write_table(inside)
    md = pq.read_metadata(path)
    unpacked = sum(md.row_group(i).total_byte_size for i in range(md.num_row_groups))
    assert unpacked > settings.MAX_INPUT_MB["Ookla tiles"] * MB
    clip = "gpd.GeoSeries([shapely.box(25.0, 57.0, 25.6, 57.4)], crs='EPSG:4326')"
    clipped, whole = run_child([(f"read_ookla_tiles(p, clip={clip})", path),
                                ("read_ookla_tiles(p)", path)])
    assert clipped["result"] == "ok 1600 rows", clipped
    assert clipped["peak_mb"] < PEAK_LIMIT_MB and clipped["seconds"] < TIME_LIMIT_S, clipped
    assert whole["result"].startswith("GeoInputError") and "too large" in whole["result"], whole
