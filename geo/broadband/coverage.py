"""Broadband per place: declared operator coverage and the Ookla measured proxy, per grid cell.

Places are cells of the 1 km EPSG:3035 census grid (columns ``E``, ``N``: lower-left corner in
metres). A school or any point a user supplies takes the values of the cell that holds it
(:func:`cells_of_points`), so every place is described the same way.

Definitions (fixed, so that results are reproducible; also in the README)
-------------------------------------------------------------------------
Ookla proxy (measured, crowd-sourced; never "no coverage"):

* the Ookla cells (350 m gridviz cells, or Ookla's own tiles) whose **centre** lies in the
  1 km cell are the cell's tests; a centre on the cell's west or south edge belongs to the cell
  (half-open ``[E, E + 1000)``);
* ``best_mbps`` = the highest ``avg_d_kbps`` / 1000 among them; ``typical_mbps`` = their mean
  ``avg_d_kbps`` / 1000 weighted by ``tests``; ``tests`` = their sum;
* a cell without any Ookla cell has NaN speeds: it is **unknown**.

Operator layers (declared, :func:`geo.sources.coverage.read_coverage` or
:func:`geo.sources.berec.read_berec`):

* a polygon reaches a cell when the overlap has positive area (more than 1 m2, so that
  round-off of reprojected edges does not count) and covers at least
  ``settings.BROADBAND_MIN_OVERLAP_SHARE`` of the cell (default 0: any overlap of positive
  area counts, so a cell straddling a polygon edge is reached; a polygon only touching the
  cell's edge is not);
* a point (an address, or a BEREC address row) reaches the cell holding it (half-open, as
  above);
* ``n_ops_<T>`` = the number of **distinct operators** (names compared without case, accents
  and spacing; rows without an operator name count together as one operator ``(unnamed)``)
  reaching the cell with a declared download of at least ``T`` Mbit/s. An operator listed twice
  (two polygons, two technologies, a point and a polygon) counts once. A row without a speed
  reaches no threshold; it still counts in ``n_ops_any``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import settings
from geo.errors import GeoInputError, Msg
from geo.sources.census import cell_polygons
from geo.sources.tabular import fold

#: Cell size of the census grid, metres.
CELL_M = 1000
#: Overlaps smaller than this share of a cell (1 m2 of a 1 km2 cell) count as touching only:
#: they are round-off of reprojected edges (a 100 m square read in EPSG:4326 and projected
#: back to EPSG:3035 overhangs its neighbour by micrometres).
SLIVER_SHARE = 1e-6
#: Name given to coverage rows without an operator.
UNNAMED = "(unnamed)"


def thresholds_mbps() -> tuple[float, float, float]:
    """The NGA, 100 Mbit/s and gigabit thresholds of :mod:`geo.settings`, Mbit/s."""
    return (settings.BROADBAND_NGA_MBPS, settings.BROADBAND_FAST_MBPS,
            settings.BROADBAND_GIGABIT_MBPS)


def threshold_key(mbps: float) -> str:
    """Column suffix of a threshold: ``30`` -> ``"30"``, ``1000`` -> ``"1000"``."""
    return f"{mbps:g}"


# ------------------------------------------------------------------------------------------
# Cells and points
# ------------------------------------------------------------------------------------------
def cell_keys(e, n, *, res: int = CELL_M) -> np.ndarray:
    """One int64 key per cell from its lower-left corner (metres, EPSG:3035)."""
    e = np.asarray(e, np.int64) // res
    n = np.asarray(n, np.int64) // res
    return (n << 32) + e


def corner_of(x, y, *, res: int = CELL_M) -> tuple[np.ndarray, np.ndarray]:
    """Lower-left corner of the grid cell holding each point (EPSG:3035 metres, half-open)."""
    x = np.floor(np.asarray(x, float) / res) * res
    y = np.floor(np.asarray(y, float) / res) * res
    return x.astype(np.int64), y.astype(np.int64)


def laea_xy(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """EPSG:3035 coordinates of points (polygons: their centroid, which is the centre of a
    grid cell or an Ookla tile)."""
    g = gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf
    if g.crs is None:
        raise GeoInputError(Msg("err.bbcov.no_crs"), path=getattr(gdf, "attrs", {}).get("source"),
                            fix=Msg("err.bbcov.no_crs.fix"))
    arr = g.to_crs(settings.LAEA_CRS).values
    poly = ~shapely.is_empty(arr) & (shapely.get_type_id(arr) != 0)
    if poly.any():
        arr = arr.copy()
        arr[poly] = shapely.centroid(arr[poly])
    return np.asarray(shapely.get_x(arr), float), np.asarray(shapely.get_y(arr), float)


def cells_of_points(points: gpd.GeoDataFrame, *, res: int = CELL_M) -> pd.DataFrame:
    """The grid cell of each point: ``E``, ``N`` (lower-left, EPSG:3035) per row of ``points``.

    Rows without geometry get ``E = N = -1``.
    """
    x, y = laea_xy(points)
    ok = np.isfinite(x) & np.isfinite(y)
    e, n = corner_of(np.where(ok, x, 0), np.where(ok, y, 0), res=res)
    return pd.DataFrame({"E": np.where(ok, e, -1), "N": np.where(ok, n, -1)}, index=points.index)


def grid_cells(e, n, *, res: int = CELL_M) -> gpd.GeoDataFrame:
    """Cell polygons (EPSG:3035) for lower-left corners ``e``, ``n``."""
    e = np.asarray(e, np.int64)
    n = np.asarray(n, np.int64)
    return gpd.GeoDataFrame({"E": e, "N": n}, geometry=cell_polygons(e, n, res),
                            crs=settings.LAEA_CRS)


# ------------------------------------------------------------------------------------------
# Ookla proxy
# ------------------------------------------------------------------------------------------
def ookla_per_cell(cells: pd.DataFrame, ookla: gpd.GeoDataFrame | None, *,
                   res: int = CELL_M) -> pd.DataFrame:
    """Best and typical measured download (and upload) per cell from Ookla cells or tiles.

    Parameters
    ----------
    cells : DataFrame
        ``E``, ``N`` (lower-left corners, EPSG:3035 metres).
    ookla : GeoDataFrame or None
        :func:`geo.sources.ookla.read_ookla_grid` / ``read_ookla_tiles`` rows (``avg_d_kbps``,
        ``tests``, geometry: cell polygons or centres). None: every cell is unknown.
    res : int, default 1000
        Cell size, metres.

    Returns
    -------
    pandas.DataFrame
        Index of ``cells``; ``best_mbps``, ``typical_mbps``, ``best_up_mbps``,
        ``typical_up_mbps`` (NaN: unknown), ``tests`` (0 when unknown), ``ookla_cells``.
    """
    out = pd.DataFrame(index=cells.index)
    for c in ("best_mbps", "typical_mbps", "best_up_mbps", "typical_up_mbps"):
        out[c] = np.nan
    out["tests"] = 0.0
    out["ookla_cells"] = 0
    if ookla is None or len(ookla) == 0:
        return out
    x, y = laea_xy(ookla)
    e, n = corner_of(x, y, res=res)
    pos = _positions(cells, cell_keys(e, n, res=res), res=res)
    hit = pos >= 0
    p = pos[hit]
    m = len(cells)
    down = ookla["avg_d_kbps"].to_numpy(float)[hit] / 1000.0
    up = (ookla["avg_u_kbps"].to_numpy(float)[hit] / 1000.0 if "avg_u_kbps" in ookla
          else np.full(len(p), np.nan))
    w = ookla["tests"].to_numpy(float)[hit]
    cnt = np.bincount(p, minlength=m)
    has = cnt > 0
    wsum = np.bincount(p, w, minlength=m)
    for name, v in (("", down), ("_up", up)):
        best = np.full(m, -np.inf)
        np.maximum.at(best, p, np.nan_to_num(v, nan=-np.inf))
        typ = np.bincount(p, w * np.nan_to_num(v), minlength=m) / np.where(wsum > 0, wsum, 1)
        out[f"best{name}_mbps"] = np.where(has & np.isfinite(best), best, np.nan)
        out[f"typical{name}_mbps"] = np.where(has & (wsum > 0), typ, np.nan)
    out["tests"] = wsum
    out["ookla_cells"] = cnt
    return out


def _positions(cells: pd.DataFrame, keys: np.ndarray, *, res: int) -> np.ndarray:
    """Row position in ``cells`` of each key (-1: not a cell of ``cells``)."""
    ck = cell_keys(cells["E"], cells["N"], res=res)
    if len(ck) == 0:
        return np.full(len(keys), -1, np.int64)
    order = np.argsort(ck, kind="stable")
    sk = ck[order]
    i = np.clip(np.searchsorted(sk, keys), 0, len(sk) - 1)
    return np.where(sk[i] == keys, order[i], -1).astype(np.int64)


# ------------------------------------------------------------------------------------------
# Operator layers
# ------------------------------------------------------------------------------------------
def operator_key(names: pd.Series) -> np.ndarray:
    """Operator names compared without case, accents and spacing; blank -> ``(unnamed)``."""
    keys = np.array([fold(v) for v in names], dtype=object)
    keys[keys == ""] = UNNAMED
    return keys


def coverage_pairs(cells: pd.DataFrame, coverage: gpd.GeoDataFrame, *, res: int = CELL_M,
                   min_share: float | None = None) -> pd.DataFrame:
    """Which coverage row reaches which cell.

    Parameters
    ----------
    cells : DataFrame
        ``E``, ``N`` (lower-left, EPSG:3035).
    coverage : GeoDataFrame
        Operator coverage (polygons and/or points, any CRS) with ``operator`` and
        ``max_down_mbps`` (and optionally ``technology``, ``max_up_mbps``).
    res : int, default 1000
    min_share : float, optional
        Default ``settings.BROADBAND_MIN_OVERLAP_SHARE``.

    Returns
    -------
    pandas.DataFrame
        ``cell`` (row position in ``cells``), ``row`` (position in ``coverage``), ``share``
        (of the cell's area overlapped; 1 for points).
    """
    share_min = settings.BROADBAND_MIN_OVERLAP_SHARE if min_share is None else float(min_share)
    if coverage.crs is None:
        raise GeoInputError(Msg("err.bbcov.coverage_no_crs"), path=coverage.attrs.get("source"),
                            fix=Msg("err.bbcov.no_crs.fix"))
    geom = coverage.geometry.to_crs(settings.LAEA_CRS).values
    present = ~(shapely.is_missing(geom) | shapely.is_empty(geom))
    tid = shapely.get_type_id(geom)
    is_pt = present & np.isin(tid, (0, 4))
    is_poly = present & np.isin(tid, (3, 6))
    parts = [_point_pairs(cells, geom, np.flatnonzero(is_pt), res),
             _polygon_pairs(cells, geom, np.flatnonzero(is_poly), res, share_min)]
    return pd.concat(parts, ignore_index=True)


def _point_pairs(cells, geom, rows, res) -> pd.DataFrame:
    if len(rows) == 0:
        return pd.DataFrame({"cell": np.zeros(0, np.int64), "row": np.zeros(0, np.int64),
                             "share": np.zeros(0)})
    parts, idx = shapely.get_parts(geom[rows], return_index=True)
    e, n = corner_of(shapely.get_x(parts), shapely.get_y(parts), res=res)
    pos = _positions(cells, cell_keys(e, n, res=res), res=res)
    df = pd.DataFrame({"cell": pos, "row": rows[idx], "share": 1.0})
    return df[df["cell"] >= 0].drop_duplicates(["cell", "row"])


def _polygon_pairs(cells, geom, rows, res, share_min) -> pd.DataFrame:
    if len(rows) == 0:
        return pd.DataFrame({"cell": np.zeros(0, np.int64), "row": np.zeros(0, np.int64),
                             "share": np.zeros(0)})
    boxes = cell_polygons(cells["E"].to_numpy(), cells["N"].to_numpy(), res)
    tree = shapely.STRtree(boxes)
    polys = shapely.make_valid(geom[rows])
    pi, ci = tree.query(polys, predicate="intersects")
    area = shapely.area(shapely.intersection(boxes[ci], polys[pi])) / float(res * res)
    keep = (area > SLIVER_SHARE) & (area >= share_min - 1e-12)
    return pd.DataFrame({"cell": ci[keep], "row": rows[pi[keep]], "share": area[keep]})


def operators_per_cell(cells: pd.DataFrame, coverage: gpd.GeoDataFrame | None, *,
                       res: int = CELL_M, min_share: float | None = None,
                       thresholds: tuple[float, ...] | None = None) -> pd.DataFrame:
    """Distinct operators reaching each cell at or above each threshold.

    Parameters
    ----------
    cells : DataFrame
        ``E``, ``N`` (lower-left, EPSG:3035).
    coverage : GeoDataFrame or None
        Operator coverage; None gives NaN counts (no declared data).
    res : int, default 1000
    min_share : float, optional
        See :func:`coverage_pairs`.
    thresholds : tuple of float, optional
        Mbit/s; default :func:`thresholds_mbps` (30, 100, 1000).

    Returns
    -------
    pandas.DataFrame
        Index of ``cells``; ``n_ops_any`` (operators reaching the cell, speeds known or not),
        ``n_ops_<T>`` per threshold, ``declared_mbps`` (best declared download, NaN: none or
        only rows without a speed), ``declared_technology`` (of that offer), ``operators``
        (names, ``;``-separated). All counts are NaN when ``coverage`` is None.
    """
    thr = thresholds or thresholds_mbps()
    out = pd.DataFrame(index=cells.index)
    cols = ["n_ops_any", *[f"n_ops_{threshold_key(t)}" for t in thr]]
    if coverage is None:
        for c in cols:
            out[c] = np.nan
        out["declared_mbps"] = np.nan
        out["declared_technology"] = None
        out["operators"] = None
        return out
    _check_coverage(coverage)
    pairs = coverage_pairs(cells, coverage, res=res, min_share=min_share)
    ops = operator_key(coverage["operator"])
    speed = pd.to_numeric(coverage["max_down_mbps"], errors="coerce").to_numpy(float)
    tech = (coverage["technology"].to_numpy(object) if "technology" in coverage
            else np.full(len(coverage), None, object))
    names = coverage["operator"].astype("string").fillna(UNNAMED).to_numpy(object)
    pr = pairs.assign(op=ops[pairs["row"]], v=speed[pairs["row"]], tech=tech[pairs["row"]],
                      name=names[pairs["row"]])
    m = len(cells)
    out["n_ops_any"] = _distinct(pr, m)
    for t in thr:
        out[f"n_ops_{threshold_key(t)}"] = _distinct(pr[pr["v"] >= t], m)
    best = pr.dropna(subset=["v"]).sort_values(["cell", "v"], ascending=[True, False],
                                                kind="stable").drop_duplicates("cell")
    dm = np.full(m, np.nan)
    dm[best["cell"].to_numpy()] = best["v"].to_numpy()
    dt = np.full(m, None, object)
    dt[best["cell"].to_numpy()] = best["tech"].to_numpy()
    out["declared_mbps"] = dm
    out["declared_technology"] = dt
    first = pr.drop_duplicates(["cell", "op"]).sort_values(["cell", "name"], kind="stable")
    joined = first.groupby("cell")["name"].agg(lambda s: "; ".join(map(str, s)))
    on = np.full(m, None, object)
    on[joined.index.to_numpy()] = joined.to_numpy()
    out["operators"] = on
    return out


def _distinct(pr: pd.DataFrame, m: int) -> np.ndarray:
    """Distinct operators per cell position (float array of length ``m``)."""
    u = pr.drop_duplicates(["cell", "op"])
    return np.bincount(u["cell"].to_numpy(np.int64), minlength=m).astype(float)


def _check_coverage(coverage: gpd.GeoDataFrame) -> None:
    missing = [c for c in ("operator", "max_down_mbps") if c not in coverage.columns]
    if missing:
        raise GeoInputError(
            Msg("err.bbcov.columns", missing=str(missing),
                found=str([c for c in coverage.columns if c != 'geometry'])),
            path=coverage.attrs.get("source"), fix=Msg("err.bbcov.columns.fix"))
