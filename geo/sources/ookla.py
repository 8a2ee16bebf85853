"""Ookla Speedtest open data (fixed or mobile broadband), in two published forms.

1. The original tiles (Ookla for Good, AWS open data ``ookla-open-data``): one row per
   Web-Mercator tile of zoom 16 (about 330 x 610 m in Latvia) with its ``quadkey``, its polygon
   as WKT (``tile``) in Parquet, or as geometry in a shapefile; columns ``avg_d_kbps``,
   ``avg_u_kbps``, ``avg_lat_ms``, ``tests``, ``devices``. Read by :func:`read_ookla_tiles`.
2. Eurostat gridviz re-gridding to 350 m cells in EPSG:3035 (joewdavies/gridviz-ookla): a
   folder of ``X_Y.csv`` tiles of 128 x 128 cells with in-tile ``x``, ``y``:
   ``E = (X*128 + x) * 350``, ``N = (Y*128 + y) * 350`` (lower-left corner), or one CSV with
   ``E``, ``N``. Read by :func:`read_ookla_grid`.

These are crowd-sourced speed tests, not operator coverage: a missing cell means no test was
recorded there, not that there is no service. Speeds are averages of the tests, in kbit/s in the
files; the readers add ``download_mbps``, ``upload_mbps`` (Mbit/s = kbit/s / 1000) and
``latency_ms``.

Quadkeys (Bing Maps tile system): the quadkey of tile ``(x, y)`` at zoom ``z`` has ``z`` digits;
digit ``i`` (from the most significant) is ``bit_i(x) + 2 * bit_i(y)``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import shapely

from geo import settings
from geo.errors import GeoInputError, Msg, Num, named_errors
from geo.sources.census import (
    _bbox_3035,
    _check_laea,
    _xy_from_table,
    cell_polygons,
    clip_cells,
    grd_id,
)
from geo.sources.census import read_tiles as _read_tiles
from geo.sources.tabular import check_file, read_csv_any, read_table_any

#: Zoom level of the Ookla open-data tiles.
OOKLA_ZOOM = 16
#: Cell size (metres) and tile size (cells) of the gridviz re-gridding.
GRID_RES_M = 350
GRID_TILE_CELLS = 128
#: Value columns of the Ookla files.
VALUE_COLUMNS = ("avg_d_kbps", "avg_u_kbps", "avg_lat_ms", "tests", "devices")
_SPEED_COLUMNS = ("avg_d_kbps", "avg_u_kbps", "avg_lat_ms", "avg_lat_down_ms", "avg_lat_up_ms")


# ------------------------------------------------------------------------------------------
# Quadkeys
# ------------------------------------------------------------------------------------------
def tile_to_quadkey(x, y, z: int) -> np.ndarray:
    """Quadkeys of tiles ``(x, y)`` at zoom ``z`` (arrays in, array of str out).

    >>> tile_to_quadkey([3], [5], 3)[0]
    '213'
    """
    x = np.atleast_1d(np.asarray(x, dtype=np.int64))
    y = np.atleast_1d(np.asarray(y, dtype=np.int64))
    if z < 1:
        return np.full(len(x), "", dtype=object)
    if (x < 0).any() or (y < 0).any() or (x >= 2**z).any() or (y >= 2**z).any():
        raise ValueError(f"tile coordinates out of range for zoom {z}")
    shifts = np.arange(z - 1, -1, -1, dtype=np.int64)
    digits = ((x[:, None] >> shifts) & 1) + 2 * ((y[:, None] >> shifts) & 1)
    chars = (digits + ord("0")).astype(np.uint8)
    return np.frombuffer(chars.tobytes(), dtype=f"S{z}").astype(str).astype(object)


def quadkey_to_tile(quadkeys) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tile ``x``, ``y`` and zoom of quadkeys (of any lengths).

    Raises
    ------
    ValueError
        A quadkey with a character other than 0-3.
    """
    q = pd.Series(np.atleast_1d(np.asarray(quadkeys, dtype=object))).astype(str)
    if q.size and not q.str.fullmatch(r"[0-3]*").all():
        bad = q[~q.str.fullmatch(r"[0-3]*")].head(3).tolist()
        raise ValueError(f"not quadkeys: {bad}")
    z = q.str.len().to_numpy(dtype=np.int64)
    x = np.zeros(len(q), dtype=np.int64)
    y = np.zeros(len(q), dtype=np.int64)
    for length in np.unique(z):
        sel = z == length
        if length == 0:
            continue
        b = np.frombuffer("".join(q[sel]).encode("ascii"), dtype=np.uint8).reshape(-1, length)
        d = (b - ord("0")).astype(np.int64)
        w = np.int64(1) << np.arange(length - 1, -1, -1, dtype=np.int64)
        x[sel] = ((d & 1) * w).sum(axis=1)
        y[sel] = (((d >> 1) & 1) * w).sum(axis=1)
    return x, y, z


def tile_bounds(x, y, z) -> np.ndarray:
    """Longitude/latitude bounds (west, south, east, north) of Web-Mercator tiles.

    Returns
    -------
    ndarray, shape (n, 4)
        Degrees (EPSG:4326).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = np.power(2.0, np.asarray(z, dtype=float))

    def lat(yy):
        return np.degrees(np.arctan(np.sinh(np.pi * (1 - 2 * yy / n))))

    return np.column_stack([x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)])


def lonlat_to_tile(lon, lat, z: int) -> tuple[np.ndarray, np.ndarray]:
    """Web-Mercator tile ``x``, ``y`` at zoom ``z`` holding the points ``lon``, ``lat``."""
    lon = np.asarray(lon, dtype=float)
    lat = np.clip(np.asarray(lat, dtype=float), -85.05112878, 85.05112878)
    n = 2.0**z
    x = np.floor((lon + 180) / 360 * n)
    r = np.radians(lat)
    y = np.floor((1 - np.log(np.tan(r) + 1 / np.cos(r)) / np.pi) / 2 * n)
    return np.clip(x, 0, n - 1).astype(np.int64), np.clip(y, 0, n - 1).astype(np.int64)


def _add_speeds(df: pd.DataFrame) -> pd.DataFrame:
    df["download_mbps"] = df["avg_d_kbps"].astype(float) / 1000.0
    if "avg_u_kbps" in df:
        df["upload_mbps"] = df["avg_u_kbps"].astype(float) / 1000.0
    if "avg_lat_ms" in df:
        df["latency_ms"] = df["avg_lat_ms"].astype(float)
    return df


def _check_values(df: pd.DataFrame, path) -> None:
    missing = [c for c in ("avg_d_kbps", "tests") if c not in df.columns]
    if missing:
        raise GeoInputError(
            Msg("err.ookla.missing_columns", columns=str(missing), found=str(list(df.columns))),
            path=path, fix=Msg("err.ookla.as_published.fix", columns=str(list(VALUE_COLUMNS))),
        )
    for c in [c for c in VALUE_COLUMNS if c in df.columns]:
        v = pd.to_numeric(df[c], errors="coerce")
        if v.isna().any() or (v < 0).any():
            raise GeoInputError(Msg("err.ookla.bad_values", column=repr(c)), path=path,
                                fix=Msg("err.ookla.as_published.fix",
                                        columns=str(list(VALUE_COLUMNS))))
        df[c] = v


# ------------------------------------------------------------------------------------------
# Original tiles (quadkey)
# ------------------------------------------------------------------------------------------
#: Most quadkey prefixes used to pick the tiles of a clip area's bounding box.
_MAX_PREFIXES = 4096


def _streamable(path: str | Path) -> bool:
    """True for a plain (not Geo-) Parquet file: it can be read in batches, clipped."""
    path = Path(path)
    if path.suffix.lower() != ".parquet" or not path.is_file():
        return False
    try:
        return b"geo" not in (pq.read_schema(path).metadata or {})
    except Exception:  # unreadable: the ordinary reader gives the named error
        return False


def _bbox_prefixes(clip) -> tuple[list[str], int]:
    """Quadkeys of the tiles covering the bounding box of ``clip``, at the finest zoom (at
    most 12) with no more than :data:`_MAX_PREFIXES` of them.

    Returns
    -------
    prefixes : list of str
    zoom : int
        Their length.
    """
    geo = clip.geometry if isinstance(clip, gpd.GeoDataFrame) else clip
    west, south, east, north = geo.to_crs(settings.WGS84).total_bounds
    for z in range(12, 0, -1):
        x0, y0 = lonlat_to_tile(west, north, z)
        x1, y1 = lonlat_to_tile(east, south, z)
        if (x1 - x0 + 1) * (y1 - y0 + 1) <= _MAX_PREFIXES:
            break
    xs, ys = np.meshgrid(np.arange(x0, x1 + 1), np.arange(y0, y1 + 1))
    return tile_to_quadkey(xs.ravel(), ys.ravel(), z).tolist(), z


def _read_parquet_in_box(path: Path, clip) -> pd.DataFrame:
    """Rows of an Ookla Parquet whose quadkey lies in the bounding box of ``clip``.

    Streamed in batches of :data:`geo.settings.READ_BATCH_ROWS` rows and filtered by quadkey
    prefix, so that the global quarterly file (millions of tiles) is read in bounded memory.
    """
    path = check_file(path, name="Ookla tiles", kind="Ookla tiles, clipped")
    prefixes, z = _bbox_prefixes(clip)
    wanted = pa.array(prefixes, type=pa.string())
    fix = Msg("err.ookla.parquet.fix")
    with named_errors(path, problem=Msg("err.ookla.unreadable"), fix=fix):
        pf = pq.ParquetFile(path)
        if "quadkey" not in pf.schema_arrow.names:
            raise GeoInputError(Msg("err.ookla.no_quadkey", found=str(pf.schema_arrow.names)),
                                path=path, fix=fix)
        parts = []
        # one batch at a time (no read-ahead threads), so the peak stays that of one batch
        for batch in pf.iter_batches(batch_size=settings.READ_BATCH_ROWS, use_threads=False):
            qk = pc.cast(batch.column("quadkey"), pa.string())
            keep = pc.is_in(pc.utf8_slice_codeunits(qk, 0, z), value_set=wanted)
            parts.append(batch.filter(keep).to_pandas())
    df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if len(df) == 0:
        raise GeoInputError(Msg("err.ookla.none_in_clip"), path=path,
                            fix=Msg("err.ookla.none_in_clip.fix"))
    df["quadkey"] = df["quadkey"].astype(str)
    return df


def read_ookla_tiles(
    path: str | Path,
    *,
    clip: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    clip_name: str = "name",
    layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Read Ookla open-data tiles (Parquet with ``quadkey`` + WKT ``tile``, or a shapefile /
    GeoPackage / GeoJSON with geometry).

    Parameters
    ----------
    path : str or Path
    clip : GeoDataFrame or GeoSeries, optional
        Keep the tiles whose centre lies in these polygons; adds ``municipality``. A plain
        Parquet file (Ookla's global quarterly file, millions of tiles) is then streamed and
        only the tiles in the clip's bounding box are kept: memory depends on the region, not
        on the file (:data:`geo.settings.MAX_INPUT_MB` ``"Ookla tiles, clipped"``).
    clip_name : str, default "name"
    layer : str, optional

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 tile polygons; columns ``quadkey``, the value columns, ``download_mbps``,
        ``upload_mbps``, ``latency_ms``, ``municipality`` (when clipped). When a WKT ``tile``
        and a ``quadkey`` are both given, they are checked against each other.

    Raises
    ------
    GeoInputError
        Missing/empty/unreadable file, missing columns, bad quadkeys, a tile polygon that is
        not its quadkey's tile, or no CRS.
    """
    if clip is not None and _streamable(path):
        df = _read_parquet_in_box(path, clip)
    else:
        path = check_file(path, name="Ookla tiles", allow_dir=True)
        df = read_table_any(path, name="Ookla tiles", layer=layer, csv_dtype={"quadkey": str},
                            fix=Msg("err.ookla.format.fix"))
    _check_values(df, path)
    if "quadkey" in df.columns:
        q = df["quadkey"].astype(str).str.strip()
        try:
            tx, ty, tz = quadkey_to_tile(q.to_numpy())
        except ValueError as exc:
            raise GeoInputError(Msg("err.ookla.bad_quadkeys", detail=str(exc)), path=path,
                                fix=Msg("err.ookla.format.fix")) from exc
        df["quadkey"] = q.to_numpy()
        qgeom = shapely.box(*tile_bounds(tx, ty, tz).T)
    else:
        qgeom = None
    if isinstance(df, gpd.GeoDataFrame):
        if df.crs is None:
            raise GeoInputError(Msg("err.ookla.no_crs"), path=path,
                                fix=Msg("err.ookla.no_crs.fix"))
        gdf = df.to_crs(settings.WGS84)
    elif "tile" in df.columns:
        try:
            geom = shapely.from_wkt(df["tile"].astype(str).to_numpy())
        except Exception as exc:
            raise GeoInputError(Msg("err.ookla.tile_not_wkt", detail=str(exc)), path=path,
                                fix=Msg("err.ookla.tile_position.fix")) from exc
        gdf = gpd.GeoDataFrame(df.drop(columns="tile"), geometry=geom, crs=settings.WGS84)
    elif qgeom is not None:
        gdf = gpd.GeoDataFrame(df, geometry=qgeom, crs=settings.WGS84)
    else:
        raise GeoInputError(
            Msg("err.ookla.no_position", found=str(list(df.columns))), path=path,
            fix=Msg("err.ookla.tile_position.fix"),
        )
    if qgeom is not None:
        inside = shapely.contains(qgeom, shapely.centroid(gdf.geometry.to_numpy()))
        if not inside.all():
            bad = gdf.loc[~inside, "quadkey"].head(3).tolist()
            raise GeoInputError(
                Msg("err.ookla.tile_mismatch", n=Num(int((~inside).sum())), examples=str(bad)),
                path=path, fix=Msg("err.ookla.tile_mismatch.fix"),
            )
    gdf = _add_speeds(gdf)
    if clip is not None:
        cen = gpd.GeoDataFrame(geometry=shapely.centroid(gdf.geometry.to_numpy()),
                               crs=settings.WGS84)
        kept = clip_cells(cen, clip, name=clip_name)
        gdf = gdf.loc[kept.index].copy()
        if "municipality" in kept:
            gdf["municipality"] = kept["municipality"].to_numpy()
    gdf = gdf.reset_index(drop=True)
    gdf.attrs = {"source": str(path)}
    return gdf


# ------------------------------------------------------------------------------------------
# 350 m EPSG:3035 grid (gridviz)
# ------------------------------------------------------------------------------------------
def aggregate_cells(df: pd.DataFrame) -> pd.DataFrame:
    """Merge rows of the same cell (``E``, ``N``): ``tests`` and ``devices`` are summed,
    speeds and latencies averaged weighted by ``tests``.

    The gridviz re-gridding puts every Ookla tile in the 350 m cell holding its centre, so a
    cell can hold two tiles (950 such rows in the Latvian tiles); one row per cell is needed for
    maps and joins. ``n_tiles`` counts the merged rows.
    """
    keys = ["E", "N"]
    w = df["tests"].astype(float).clip(lower=0)
    tmp = df[keys].copy()
    speed = [c for c in _SPEED_COLUMNS if c in df.columns]
    for c in speed:
        tmp[c] = df[c].astype(float) * w
    tmp["_w"] = w
    for c in ("tests", "devices"):
        if c in df:
            tmp[c] = df[c]
    tmp["n_tiles"] = 1
    g = tmp.groupby(keys, sort=True).sum()
    for c in speed:
        g[c] = g[c] / g["_w"].where(g["_w"] > 0)
    other = [c for c in df.columns if c not in tmp.columns and c not in ("x", "y")]
    if other:
        first = df.groupby(keys, sort=True)[other].first()
        g = g.join(first)
    return g.drop(columns="_w").reset_index()


def read_ookla_grid(
    source: str | Path,
    *,
    clip: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    clip_name: str = "name",
    aggregate: bool = True,
    res: int | None = None,
    tile_cells: int | None = None,
    geometry: str = "cell",
) -> gpd.GeoDataFrame:
    """Read the 350 m EPSG:3035 Ookla grid (folder of ``X_Y.csv`` tiles, or a CSV with E, N).

    Parameters
    ----------
    source : str or Path
        Folder of tiles (``info.json`` beside them gives tile size and resolution, else 128
        cells of 350 m) or one CSV with ``E``, ``N`` lower-left corners.
    clip : GeoDataFrame or GeoSeries, optional
        Keep cells whose centre lies in these polygons; adds ``municipality``.
    clip_name : str, default "name"
    aggregate : bool, default True
        One row per cell (:func:`aggregate_cells`); ``False`` keeps the published rows.
    res : int, optional
        Cell size, metres (default 350 or the tiles' ``info.json``).
    tile_cells : int, optional
        Cells per tile side (default 128 or ``info.json``).
    geometry : {"cell", "centroid", None}, default "cell"

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:3035; ``cell_id`` (``CRS3035RES350mN...E...``), ``E``, ``N``, the value columns,
        ``download_mbps``, ``upload_mbps``, ``latency_ms``, ``n_tiles`` (aggregated),
        ``municipality`` (clipped), ``geometry``.
    """
    path = check_file(source, name="Ookla grid", allow_dir=True)
    r = int(res or GRID_RES_M)
    if path.is_dir():
        has_info = (path / "info.json").exists()  # else the gridviz-ookla defaults
        df = _read_tiles(path, ext="csv", res=res or (None if has_info else GRID_RES_M),
                         tile_cells=tile_cells or (None if has_info else GRID_TILE_CELLS),
                         bbox=_bbox_3035(clip))
        r = int(df.attrs.get("res", r))
    else:
        df = read_csv_any(path, name="Ookla grid")
        if len(df) == 0:
            raise GeoInputError(Msg("err.ookla.no_rows"), path=path)
        df = _xy_from_table(df, path, r)
    _check_values(df, path)
    _check_laea(df, path, r)
    df = df.drop(columns=[c for c in ("x", "y") if c in df.columns and path.is_dir()])
    if aggregate:
        df = aggregate_cells(df)
    df = _add_speeds(df)
    df.insert(0, "cell_id", grd_id(df["E"], df["N"], res=r))
    gdf = gpd.GeoDataFrame(df, geometry=cell_polygons(df["E"], df["N"], r), crs=settings.LAEA_CRS)
    gdf.attrs["res"] = r
    if clip is not None:
        gdf = clip_cells(gdf, clip, name=clip_name)
    if geometry == "centroid":
        gdf = gdf.set_geometry(shapely.points(gdf["E"] + r / 2, gdf["N"] + r / 2), crs=gdf.crs)
    elif geometry is None:
        gdf = pd.DataFrame(gdf.drop(columns="geometry"))
    gdf = gdf.reset_index(drop=True)
    gdf.attrs = {"source": str(path), "res": r}
    return gdf
