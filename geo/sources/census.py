"""Eurostat 1 km population grids (Census 2021 and the GEOSTAT grids of 2006/2011/2018/2021).

Cells are squares of the ETRS89-LAEA grid (EPSG:3035) identified by their lower-left corner
(``E``, ``N`` in metres) or by their ``GRD_ID`` (``CRS3035RES1000mN3834000E5334000``; the 2011
GEOSTAT form ``1kmN3834E5334`` is read too). Published forms read here:

* one table (CSV, Parquet, GeoPackage/GeoJSON) with ``GRD_ID`` or ``E``/``N`` columns (or
  ``X_LLC``/``Y_LLC``), or with square cell polygons;
* the tiled Parquet of Eurostat's gridviz (jgaffuri/tiled-census2021, tiled-popgrid): a folder of
  ``X_Y.parquet`` (or ``X/Y.parquet``) tiles of 256 x 256 cells with in-tile ``x``, ``y``:
  ``E = (X*256 + x) * 1000``, ``N = (Y*256 + y) * 1000``; and of ``YEAR_X_Y.parquet`` tiles of
  512 x 512 cells (``E = (X*512 + x) * 1000``). An ``info.json`` beside the tiles, when present,
  gives the tile size and resolution.

Suppressed (confidential) values
--------------------------------
The Census 2021 grid flags confidential values with ``<column>_CI = 1`` and publishes them as
``0``. Such a 0 is not a count: with ``suppressed="nan"`` (the default) it becomes NaN, and
``attrs["suppressed"]`` counts them per column. A flagged non-zero value (a value adjusted by the
statistical office) is kept. The negative markers of
:data:`geo.settings.CENSUS_CONFIDENTIAL_VALUES` (``-9999``, used by some releases for
"confidential") become NaN as well; any other negative, infinite, non-numeric or implausible
value (:func:`check_population`) and a cell given twice are errors naming the cells. In Vidzeme the under-15 count is suppressed in 5,129 of
7,590 cells, so only ``T`` (total population) is usable per cell; see :mod:`geo.region.demand`.

Clipping
--------
:func:`clip_cells` keeps the cells whose centre lies in a boundary polygon and tags them with
its name; this is how the derived ``census2021_1km_vidzeme.csv`` was made (7,590 cells, 214,157
people), and ``tests/test_census.py`` checks it cell by cell.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import settings
from geo.errors import GeoInputError, Msg, Num
from geo.sources.tabular import check_file, column_key, read_csv_any, read_table_any

#: Cell size of the population grid, metres.
CELL_M = 1000
#: Grid years of the GEOSTAT population grids (tiled-popgrid).
GEOSTAT_YEARS: tuple[int, ...] = (2006, 2011, 2018, 2021)
#: Default tile sizes (cells per tile side) of the gridviz tilings when no info.json is found.
TILE_CELLS_CENSUS = 256
TILE_CELLS_GEOSTAT = 512
#: Plausible EPSG:3035 coordinates (metres) of a European grid; values outside are rejected as
#: a wrong CRS (longitude/latitude, LKS-92...).
LAEA_E_RANGE = (1_000_000, 8_000_000)
LAEA_N_RANGE = (500_000, 6_000_000)

_GRD_ID = re.compile(r"^CRS(\d+)RES(\d+)mN(-?\d+)E(-?\d+)$")
_GRD_ID_KM = re.compile(r"^(\d+)kmN(\d+)E(\d+)$")
_E_NAMES = ("E", "X_LLC", "x_llc", "EOFORIGIN", "easting")
_N_NAMES = ("N", "Y_LLC", "y_llc", "NOFORIGIN", "northing")
_ID_NAMES = ("GRD_ID", "grd_id", "GRD_ID_2021", "CELLCODE", "cell_id")


def grd_id(e, n, *, res: int = CELL_M, crs_code: int = 3035) -> np.ndarray:
    """``GRD_ID`` strings of cells with lower-left corners ``e``, ``n`` (metres).

    >>> grd_id([5334000], [3834000])[0]
    'CRS3035RES1000mN3834000E5334000'
    """
    e = np.asarray(e, dtype=np.int64)
    n = np.asarray(n, dtype=np.int64)
    pre = f"CRS{crs_code}RES{int(res)}m"
    return (pre + "N" + n.astype(str).astype(object) + "E" + e.astype(str).astype(object)).astype(
        object
    )


def parse_grd_id(ids: Iterable[str], *, path=None) -> pd.DataFrame:
    """Lower-left corner and resolution of ``GRD_ID`` strings.

    Reads ``CRS3035RES1000mN3834000E5334000`` and the GEOSTAT 2011 form ``1kmN3834E5334``.

    Returns
    -------
    pandas.DataFrame
        Columns ``E``, ``N`` (int64, metres, EPSG:3035) and ``res`` (metres).

    Raises
    ------
    GeoInputError
        An id in another form, or in a CRS other than EPSG:3035.
    """
    s = pd.Series(list(ids), dtype="string").str.strip()
    m = s.str.extract(_GRD_ID)
    km = s.str.extract(_GRD_ID_KM)
    ok = m[0].notna()
    ok_km = km[0].notna() & ~ok
    bad = ~(ok | ok_km)
    if bad.any():
        raise GeoInputError(
            Msg("err.census.bad_ids", n=Num(int(bad.sum())),
                examples=str(s[bad].head(3).tolist())),
            path=path, fix=Msg("err.census.bad_ids.fix"),
        )
    if ok.any() and (m.loc[ok, 0] != "3035").any():
        other = sorted(set(m.loc[ok, 0]) - {"3035"})
        raise GeoInputError(Msg("err.census.ids_crs", crs=str(other)), path=path,
                            fix=Msg("err.census.eurostat.fix"))
    e = np.zeros(len(s), dtype=np.int64)
    n = np.zeros(len(s), dtype=np.int64)
    res = np.zeros(len(s), dtype=np.int64)
    okn = ok.to_numpy()
    okk = ok_km.to_numpy()
    e[okn] = m.loc[ok, 3].astype("int64").to_numpy()
    n[okn] = m.loc[ok, 2].astype("int64").to_numpy()
    res[okn] = m.loc[ok, 1].astype("int64").to_numpy()
    r_km = km.loc[ok_km, 0].astype("int64").to_numpy() * 1000
    e[okk] = km.loc[ok_km, 2].astype("int64").to_numpy() * 1000
    n[okk] = km.loc[ok_km, 1].astype("int64").to_numpy() * 1000
    res[okk] = r_km
    return pd.DataFrame({"E": e, "N": n, "res": res})


def cell_polygons(e, n, res: float = CELL_M) -> np.ndarray:
    """Square polygons (shapely array) of cells with lower-left corners ``e``, ``n``."""
    e = np.asarray(e, dtype=float)
    n = np.asarray(n, dtype=float)
    return shapely.box(e, n, e + res, n + res)


def apply_suppression(df: pd.DataFrame, *, mode: str = "nan") -> pd.DataFrame:
    """Turn confidential zeros into NaN (see the module docstring).

    Parameters
    ----------
    df : pandas.DataFrame
        Grid table with value columns and their ``<column>_CI`` flags.
    mode : {"nan", "keep"}, default "nan"
        ``"keep"`` leaves the published zeros (only for reproducing the raw file).

    Returns
    -------
    pandas.DataFrame
        A copy; ``attrs["suppressed"]`` holds the number of suppressed values per column.
    """
    if mode not in ("nan", "keep"):
        raise ValueError(f"suppressed must be 'nan' or 'keep', not {mode!r}")
    out = df.copy()
    counts: dict[str, int] = {}
    for c in df.columns:
        if c.endswith("_CI") or c in ("E", "N", "x", "y", "nb", "year", "res"):
            continue
        if not pd.api.types.is_numeric_dtype(df[c]):
            continue
        v = df[c]
        mask = v < 0
        flag = f"{c}_CI"
        if flag in df.columns:
            mask = mask | ((df[flag] == 1) & (v == 0))
        if mask.any():
            counts[c] = int(mask.sum())
            if mode == "nan":
                out[c] = v.astype("float64").mask(mask)
    out.attrs = dict(df.attrs)
    out.attrs["suppressed"] = counts
    return out


def _tile_info(folder: Path) -> dict:
    """The tiling's ``info.json`` (``{}`` when absent); a damaged one is a named error, since
    its tile and cell sizes place every cell."""
    info = folder / "info.json"
    if not info.exists():
        return {}
    fix = Msg("err.census.tile_info.fix")
    try:
        data = json.loads(info.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise GeoInputError(Msg("err.census.tile_info_unreadable", detail=str(exc)),
                            path=info, fix=fix) from exc
    if not isinstance(data, dict):
        raise GeoInputError(Msg("err.census.tile_info_not_object"), path=info, fix=fix)
    for key in ("tileSizeCell", "resolutionGeo"):
        v = data.get(key)
        if v is not None and not (isinstance(v, int | float) and v > 0 and float(v).is_integer()):
            raise GeoInputError(Msg("err.census.tile_info_value", key=key, value=repr(v)),
                                path=info, fix=fix)
    return data


def list_tiles(folder: str | Path, *, ext: str = "parquet") -> pd.DataFrame:
    """Tiles of a gridviz tiling folder.

    Returns
    -------
    pandas.DataFrame
        Columns ``path``, ``year`` (-1 when the names carry none), ``X``, ``Y``; from file
        names ``X_Y.ext``, ``YEAR_X_Y.ext`` or sub-folders ``X/Y.ext``.
    """
    folder = Path(folder)
    rows = []
    for p in sorted(folder.rglob(f"*.{ext}")):
        rel = p.relative_to(folder).with_suffix("")
        parts = [*rel.parent.parts, *rel.name.split("_")] if rel.parent.parts else rel.name.split(
            "_")
        if not all(re.fullmatch(r"-?\d+", q) for q in parts):
            continue
        nums = [int(q) for q in parts]
        if len(nums) == 2:
            rows.append((str(p), -1, nums[0], nums[1]))
        elif len(nums) == 3:
            rows.append((str(p), nums[0], nums[1], nums[2]))
    return pd.DataFrame(rows, columns=["path", "year", "X", "Y"])


def _bbox_3035(clip) -> tuple[float, float, float, float] | None:
    if clip is None:
        return None
    if isinstance(clip, gpd.GeoDataFrame | gpd.GeoSeries):
        return tuple(clip.to_crs(settings.LAEA_CRS).total_bounds)
    raise TypeError("clip must be a GeoDataFrame or GeoSeries (with a CRS)")


def read_tiles(
    folder: str | Path,
    *,
    year: int | None = None,
    tile_cells: int | None = None,
    res: int | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    ext: str = "parquet",
) -> pd.DataFrame:
    """Read a gridviz tiling folder into one table with ``E``, ``N`` (lower-left, metres).

    Parameters
    ----------
    folder : str or Path
        Folder of ``X_Y.parquet`` / ``YEAR_X_Y.parquet`` / ``X/Y.parquet`` tiles (or ``.csv``
        with ``ext="csv"``).
    year : int, optional
        With ``YEAR_X_Y`` tiles, the year to read (required when several are present).
    tile_cells : int, optional
        Cells per tile side. Default: ``tileSizeCell`` of ``info.json``, else 512 for
        ``YEAR_X_Y`` tiles and 256 for ``X_Y`` tiles.
    res : int, optional
        Cell size, metres. Default: ``resolutionGeo`` of ``info.json``, else 1000.
    bbox : (xmin, ymin, xmax, ymax), optional
        EPSG:3035 extent: tiles entirely outside are not read.
    ext : {"parquet", "csv"}

    Returns
    -------
    pandas.DataFrame
        The tiles' columns (``x``, ``y`` in-tile) plus ``E``, ``N`` and ``year`` (when known).
    """
    folder = Path(folder)
    tiles = list_tiles(folder, ext=ext)
    if tiles.empty:
        raise GeoInputError(Msg("err.census.no_tiles", ext=ext), path=folder,
                            fix=Msg("err.census.no_tiles.fix"))
    info = _tile_info(folder)
    has_year = (tiles["year"] >= 0).any()
    if has_year:
        years = sorted(tiles["year"].unique().tolist())
        if year is None:
            if len(years) > 1:
                raise GeoInputError(Msg("err.census.several_years", years=str(years)),
                                    path=folder, fix=Msg("err.census.several_years.fix"))
            year = years[0]
        tiles = tiles[tiles["year"] == year]
        if tiles.empty:
            raise GeoInputError(Msg("err.census.no_year", year=year, years=str(years)),
                                path=folder)
    s = int(tile_cells or info.get("tileSizeCell") or (
        TILE_CELLS_GEOSTAT if has_year else TILE_CELLS_CENSUS))
    r = int(res or info.get("resolutionGeo") or CELL_M)
    if bbox is not None:
        x0 = tiles["X"] * s * r
        y0 = tiles["Y"] * s * r
        keep = (x0 <= bbox[2]) & (x0 + s * r >= bbox[0]) & (y0 <= bbox[3]) & (y0 + s * r >= bbox[1])
        tiles = tiles[keep]
    parts = []
    for t in tiles.itertuples():
        path = Path(t.path)
        check_file(path, name="grid tile")
        try:
            d = pd.read_parquet(path) if ext == "parquet" else read_csv_any(path, name="grid tile")
        except GeoInputError:
            raise
        except Exception as exc:
            raise GeoInputError(Msg("err.census.tile_unreadable", detail=str(exc)),
                                path=path) from exc
        if not {"x", "y"} <= set(d.columns):
            raise GeoInputError(
                Msg("err.census.tile_no_xy", found=str(list(d.columns))),
                path=path, fix=Msg("err.census.tile_no_xy.fix"),
            )
        d["E"] = (t.X * s + _whole_numbers(d["x"], "x", path)) * r
        d["N"] = (t.Y * s + _whole_numbers(d["y"], "y", path)) * r
        if has_year:
            d["year"] = int(t.year)
        parts.append(d)
    if not parts:
        return pd.DataFrame(columns=["x", "y", "E", "N"])
    out = pd.concat(parts, ignore_index=True)
    out.attrs["source"] = str(folder)
    out.attrs["res"] = r
    return out


def _whole_numbers(values: pd.Series, column: str, path) -> pd.Series:
    """Cell coordinates as int64 (float64 when some are fractional: the grid check that
    follows names the problem, e.g. degrees instead of metres).

    Raises :class:`GeoInputError` for blank, non-numeric or infinite values.
    """
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    bad = ~np.isfinite(v.to_numpy())
    if bad.any():
        rows = (np.flatnonzero(bad)[:5] + 1).tolist()
        raise GeoInputError(
            Msg("err.census.blank_coords", column=repr(column), n=Num(int(bad.sum())),
                rows=str(rows), values=str(values[bad].head(3).tolist())), path=path,
            fix=Msg("err.census.blank_coords.fix"))
    return v.astype("int64") if ((v % 1 == 0) & (v.abs() < 2.0**53)).all() else v


def _xy_from_table(df: pd.DataFrame, path, res: int) -> pd.DataFrame:
    keys = {column_key(c): c for c in df.columns}
    e_col = next((keys[column_key(a)] for a in _E_NAMES if column_key(a) in keys), None)
    n_col = next((keys[column_key(a)] for a in _N_NAMES if column_key(a) in keys), None)
    id_col = next((keys[column_key(a)] for a in _ID_NAMES if column_key(a) in keys), None)
    if e_col is not None and n_col is not None:
        df = df.assign(E=_whole_numbers(df[e_col], e_col, path),
                       N=_whole_numbers(df[n_col], n_col, path))
        if id_col is not None and id_col not in ("E", "N"):
            df = df.rename(columns={id_col: "GRD_ID"})
    elif id_col is not None:
        parsed = parse_grd_id(df[id_col], path=path)
        if (parsed["res"] != res).any():
            raise GeoInputError(
                Msg("err.census.id_resolution", found=str(sorted(parsed['res'].unique().tolist())),
                    res=res), path=path, fix=Msg("err.census.id_resolution.fix", res=res),
            )
        df = df.assign(E=parsed["E"].to_numpy(), N=parsed["N"].to_numpy()).rename(
            columns={id_col: "GRD_ID"})
    else:
        raise GeoInputError(
            Msg("err.census.no_coords", found=str(list(df.columns))), path=path,
            fix=Msg("err.census.no_coords.fix"),
        )
    return df


def _check_laea(df: pd.DataFrame, path, res: int) -> None:
    e, n = df["E"].to_numpy(), df["N"].to_numpy()
    if len(e) == 0:
        return
    if (e.min() < LAEA_E_RANGE[0] or e.max() > LAEA_E_RANGE[1] or n.min() < LAEA_N_RANGE[0]
            or n.max() > LAEA_N_RANGE[1]):
        raise GeoInputError(
            Msg("err.census.not_laea", e0=Num(e.min(), None), e1=Num(e.max(), None),
                n0=Num(n.min(), None), n1=Num(n.max(), None)), path=path,
            fix=Msg("err.census.not_laea.fix"),
        )
    if (e % res).any() or (n % res).any():
        raise GeoInputError(
            Msg("err.census.not_corners", res=res), path=path,
            fix=Msg("err.census.not_corners.fix"),
        )


def population_columns(df: pd.DataFrame) -> list[str]:
    """Columns holding counts of people: ``T`` and every column with a ``<column>_CI``
    confidentiality flag (``M``, ``F``, ``Y_LT15``...)."""
    return [c for c in df.columns if c == "T" or (f"{c}_CI" in df.columns and c != "T")]


def _cells_named(df: pd.DataFrame, mask, res: int, limit: int = 5) -> Msg:
    """``GRD_ID`` (and value) of the first ``limit`` cells in ``mask``, for messages."""
    mask = np.asarray(mask, dtype=bool)
    ids = grd_id(df["E"].to_numpy()[mask][:limit], df["N"].to_numpy()[mask][:limit], res=res)
    more = (Msg("err.census.cells_more", n=Num(int(mask.sum()) - limit))
            if mask.sum() > limit else "")
    return Msg("err.census.cells", ids=", ".join(ids), more=more)


def check_population(df: pd.DataFrame, *, path, res: int = CELL_M) -> pd.DataFrame:
    """Refuse population values that cannot be counts of people, naming the cells.

    Parameters
    ----------
    df : pandas.DataFrame
        Grid table with ``E``, ``N`` (and ``year`` when several years are read together).
    path : str or Path
        The file, named in messages.
    res : int, default 1000
        Cell size, metres (scales the plausibility limit).

    Returns
    -------
    pandas.DataFrame
        ``df``, its population columns (:func:`population_columns`) made numeric.

    Raises
    ------
    GeoInputError
        A population column with text (names the column), an infinite value, a negative value
        other than the confidential markers :data:`geo.settings.CENSUS_CONFIDENTIAL_VALUES`,
        more than :data:`geo.settings.MAX_CELL_POPULATION_PER_KM2` people per km2, or a cell
        given twice (names the cells).
    """
    limit = settings.MAX_CELL_POPULATION_PER_KM2 * (res / 1000.0) ** 2
    fix = Msg("err.census.as_published.fix")
    for c in population_columns(df):
        v = pd.to_numeric(df[c], errors="coerce")
        text = v.isna() & df[c].notna() & (df[c].astype(str).str.strip() != "")
        if text.any():
            bad = df.loc[text, c].astype(str).unique().tolist()[:5]
            raise GeoInputError(
                Msg("err.census.pop_text", column=repr(c), values=str(bad),
                    cells=_cells_named(df, text, res)), path=path, fix=fix)
        x = v.to_numpy(dtype=float)
        checks = (
            (np.isinf(x), Msg("err.census.infinite")),
            ((x < 0) & ~np.isin(x, settings.CENSUS_CONFIDENTIAL_VALUES),
             Msg("err.census.negative")),
            (x > limit, Msg("err.census.too_many", limit=Num(limit), res=res)),
        )
        for mask, what in checks:
            if mask.any():
                raise GeoInputError(
                    Msg("err.census.pop_bad", column=repr(c), what=what,
                        n=Num(int(mask.sum())), cells=_cells_named(df, mask, res)),
                    path=path, fix=fix)
        df = df.assign(**{c: v})
    keys = [k for k in ("E", "N", "year") if k in df.columns]
    dup = df.duplicated(keys, keep=False).to_numpy()
    if dup.any():
        raise GeoInputError(
            Msg("err.census.dup_cells", n=Num(int(dup.sum())), cells=_cells_named(df, dup, res)),
            path=path, fix=Msg("err.census.dup_cells.fix"))
    return df


def read_census_grid(
    source: str | Path,
    *,
    year: int | None = None,
    clip: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    clip_name: str = "name",
    geometry: str = "cell",
    suppressed: str = "nan",
    res: int | None = None,
    layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a 1 km population grid in any of its published forms.

    Parameters
    ----------
    source : str or Path
        A CSV / Parquet / GeoPackage / GeoJSON file, or a folder of tiles (see module doc).
    year : int, optional
        Year to read from a multi-year tile folder; stored in a ``year`` column when given.
    clip : GeoDataFrame or GeoSeries, optional
        Keep cells whose centre lies in these polygons (:func:`clip_cells`).
    clip_name : str, default "name"
        Column of ``clip`` copied to the cells as ``municipality``.
    geometry : {"cell", "centroid", None}, default "cell"
        1 km squares, cell centres, or no geometry (a plain DataFrame).
    suppressed : {"nan", "keep"}, default "nan"
        Confidential zeros become NaN (:func:`apply_suppression`).
    res : int, optional
        Cell size in metres (default from the tiles' ``info.json`` or 1000).
    layer : str, optional
        Layer of a GeoPackage.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:3035; columns ``cell_id`` (GRD_ID), ``E``, ``N`` (lower-left, metres, int64), the
        file's value columns (``T``, ``Y_LT15``...; with their ``_CI`` flags), ``municipality``
        when clipped, ``geometry``. ``attrs``: ``source``, ``suppressed``, ``res``.

    Raises
    ------
    GeoInputError
        Missing/empty/unreadable file, no coordinates, wrong CRS, an empty result, or
        population values that cannot be counts of people (:func:`check_population`).
    """
    path = check_file(source, name="population grid", allow_dir=True)
    r = int(res or CELL_M)
    if path.is_dir():
        df = read_tiles(path, year=year, res=res, bbox=_bbox_3035(clip))
        r = int(df.attrs.get("res", r))
        if df.empty:
            raise GeoInputError(Msg("err.census.no_cells_in_clip"), path=path)
    else:
        df = _read_grid_file(path, r, layer)
        if year is not None:
            if "year" in df.columns:
                df = df[df["year"] == year]
            else:
                df["year"] = int(year)
    _check_laea(df, path, r)
    df = check_population(df, path=path, res=r)
    if path.is_dir():
        df = df.drop(columns=[c for c in ("x", "y") if c in df.columns])  # in-tile positions
    df = df.drop(columns=[c for c in ("geometry",) if c in df.columns])
    if "GRD_ID" in df.columns:
        df = df.drop(columns="GRD_ID")
    df.insert(0, "cell_id", grd_id(df["E"], df["N"], res=r))
    gdf = gpd.GeoDataFrame(
        df, geometry=cell_polygons(df["E"], df["N"], r), crs=settings.LAEA_CRS)
    if clip is not None:
        gdf = clip_cells(gdf, clip, name=clip_name)
    gdf = apply_suppression(gdf, mode=suppressed)
    supp = gdf.attrs.get("suppressed", {})
    if geometry == "centroid":
        gdf = gdf.set_geometry(shapely.points(gdf["E"] + r / 2, gdf["N"] + r / 2), crs=gdf.crs)
    elif geometry is None:
        gdf = pd.DataFrame(gdf.drop(columns="geometry"))
    elif geometry != "cell":
        raise ValueError(f"geometry must be 'cell', 'centroid' or None, not {geometry!r}")
    gdf = gdf.reset_index(drop=True)
    gdf.attrs = {"source": str(path), "suppressed": supp, "res": r}
    return gdf


def _read_grid_file(path: Path, res: int, layer) -> pd.DataFrame:
    df = read_table_any(path, name="population grid", layer=layer,
                        fix=Msg("err.census.grid_format.fix"))
    keys = {column_key(c) for c in df.columns}
    has_xy = any(column_key(a) in keys for a in _E_NAMES) or any(
        column_key(a) in keys for a in _ID_NAMES)
    if isinstance(df, gpd.GeoDataFrame) and not has_xy:
        if df.crs is None:
            raise GeoInputError(Msg("err.census.no_crs"), path=path,
                                fix=Msg("err.census.no_crs.fix"))
        b = df.geometry.to_crs(settings.LAEA_CRS).bounds
        e = np.round(b["minx"].to_numpy())
        n = np.round(b["miny"].to_numpy())
        size = np.round(b["maxx"].to_numpy() - b["minx"].to_numpy())
        if np.any(np.abs(size - res) > 1):
            raise GeoInputError(
                Msg("err.census.not_squares", res=res,
                    sizes=str(sorted(set(size.tolist()))[:5])), path=path,
                fix=Msg("err.census.not_squares.fix"),
            )
        df = pd.DataFrame(df.drop(columns=df.geometry.name)).assign(
            E=e.astype("int64"), N=n.astype("int64"))
        return df
    if isinstance(df, gpd.GeoDataFrame):
        df = pd.DataFrame(df.drop(columns=df.geometry.name))
    return _xy_from_table(df, path, res)


def clip_cells(
    cells: gpd.GeoDataFrame,
    boundaries: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    name: str = "name",
    column: str = "municipality",
) -> gpd.GeoDataFrame:
    """Keep cells whose centre lies in a boundary polygon; tag them with its name.

    Parameters
    ----------
    cells : GeoDataFrame
        Cells with ``E``, ``N`` (lower-left, EPSG:3035) or any geometry (its centroid is used).
    boundaries : GeoDataFrame or GeoSeries
        Polygons with a CRS.
    name : str, default "name"
        Column of ``boundaries`` copied into ``column`` (skipped when absent).
    column : str, default "municipality"

    Returns
    -------
    GeoDataFrame
        The cells inside, in their original order.
    """
    if boundaries.crs is None:
        raise GeoInputError(Msg("err.census.clip_no_crs"),
                            path=getattr(boundaries, "attrs", {}).get("source"),
                            fix=Msg("err.vec.no_crs.fix"))
    b = boundaries.to_crs(settings.LAEA_CRS)
    if isinstance(b, gpd.GeoSeries):
        b = gpd.GeoDataFrame(geometry=b)
    res = cells.attrs.get("res", CELL_M)
    if {"E", "N"} <= set(cells.columns):
        cx = cells["E"].to_numpy(dtype=float) + res / 2
        cy = cells["N"].to_numpy(dtype=float) + res / 2
    else:
        c = cells.geometry.to_crs(settings.LAEA_CRS).centroid
        cx, cy = c.x.to_numpy(), c.y.to_numpy()
    pts = gpd.GeoDataFrame(geometry=shapely.points(cx, cy), crs=settings.LAEA_CRS)
    cols = [name] if name in b.columns else []
    j = gpd.sjoin(pts, b[[*cols, "geometry"]], predicate="within", how="inner")
    j = j[~j.index.duplicated(keep="first")].sort_index()
    out = cells.iloc[j.index.to_numpy()].copy()
    if cols:
        out[column] = j[name].to_numpy()
    out.attrs = dict(cells.attrs)
    return out


def read_population_years(
    source: str | Path | Mapping[int, str | Path],
    *,
    years: Iterable[int] = GEOSTAT_YEARS,
    clip: gpd.GeoDataFrame | None = None,
    clip_name: str = "name",
    value: str = "T",
) -> pd.DataFrame:
    """Population grids of several years as one long table, for trends.

    Parameters
    ----------
    source : folder of ``YEAR_X_Y.parquet`` tiles, or mapping year -> file or folder
    years : iterable of int, default (2006, 2011, 2018, 2021)
    clip : GeoDataFrame, optional
        Boundaries (cell centre in polygon); adds ``municipality``.
    clip_name : str, default "name"
    value : str, default "T"
        Population column.

    Returns
    -------
    pandas.DataFrame
        Long table: ``cell_id``, ``E``, ``N``, ``year``, ``T`` (float; NaN when suppressed),
        and ``municipality`` when clipped. A cell missing in a year has no row for it
        (no inhabitants, or not published).
    """
    sources = dict(source) if isinstance(source, Mapping) else {y: source for y in years}
    parts = []
    for y in years:
        if y not in sources:
            raise GeoInputError(Msg("err.census.no_year_source", year=y))
        g = read_census_grid(sources[y], year=y, clip=clip, clip_name=clip_name, geometry=None)
        if value not in g.columns:
            raise GeoInputError(
                Msg("err.census.no_value_column", column=repr(value), found=str(list(g.columns))),
                path=sources[y])
        keep = ["cell_id", "E", "N", value, *(["municipality"] if "municipality" in g else [])]
        d = g[keep].rename(columns={value: "T"})
        d.insert(3, "year", int(y))
        parts.append(d)
    out = pd.concat(parts, ignore_index=True)
    out["T"] = out["T"].astype("float64")
    return out


def municipality_totals(long: pd.DataFrame, *, by: str = "municipality") -> pd.DataFrame:
    """Population per municipality (rows) and year (columns) from :func:`read_population_years`.

    Returns
    -------
    pandas.DataFrame
        Sums of ``T`` (suppressed values count as 0), with a last row ``"Total"``.
    """
    if by not in long.columns:
        raise GeoInputError(Msg("err.census.no_by_column", column=repr(by)),
                            fix=Msg("err.census.no_by_column.fix"))
    t = long.pivot_table(index=by, columns="year", values="T", aggfunc="sum", fill_value=0)
    t.loc["Total"] = t.sum(axis=0)
    t.columns.name = "year"
    return t
