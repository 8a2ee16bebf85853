"""Broadband coverage in the BEREC geographic-survey form (BoR (20) 42, "GIS" data sets).

One row per address point or per 100 m grid cell and per operator offer: the operator, the
technology, and the maximum advertised download and upload speeds. Addresses carry
coordinates (``lon``/``lat`` or ``x``/``y`` with a CRS); cells carry an INSPIRE / Eurostat grid
id (``CRS3035RES100mN3834500E5334600``). :func:`read_berec` returns the same standard layer as
:func:`geo.sources.coverage.read_coverage` (cells as their 100 m squares, in EPSG:4326), so
both feed :mod:`geo.broadband.coverage`.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import settings
from geo.errors import GeoInputError, Msg
from geo.sources.census import cell_polygons, parse_grd_id
from geo.sources.coverage import COVERAGE_COLUMNS, _tech, points_from_table
from geo.sources.tabular import check_file, match_columns, named, read_csv_any

#: Accepted spellings of the grid-cell id column.
CELL_ID_COLUMNS = ("grd_id", "grid_id", "cell_id", "cellcode", "inspire_id", "grid_cell")


def _cell_id_column(df: pd.DataFrame) -> str | None:
    keys = {str(c).strip().lower(): c for c in df.columns}
    return next((keys[k] for k in CELL_ID_COLUMNS if k in keys), None)


def _speeds(out: pd.DataFrame, cols: dict, path) -> None:
    for c in ("max_down_mbps", "max_up_mbps"):
        if c not in out:
            out[c] = np.nan
            continue
        raw = out[c].astype("string").str.strip().str.replace(",", ".", regex=False).fillna("")
        v = pd.to_numeric(raw.replace("", None), errors="coerce").astype(float)
        bad = (v.isna() & (raw != "")).to_numpy(bool) | (v.fillna(0) < 0).to_numpy(bool)
        if bad.any():
            row = int(np.flatnonzero(bad)[0]) + 2
            raise GeoInputError(
                Msg("err.berec.bad_speed", column=repr(cols.get(c, c)), row=row,
                    value=repr(out[c].iloc[row - 2])), path=path,
                fix=Msg("err.berec.bad_speed.fix"))
        out[c] = v


def read_berec(path: str | Path, *, crs: str | None = None,
               columns: dict[str, str] | None = None) -> gpd.GeoDataFrame:
    """Read a BEREC-form coverage CSV (address rows and/or 100 m grid-cell rows).

    Parameters
    ----------
    path : str or Path
        CSV with ``operator``, ``technology``, a download column (any spelling of
        :data:`geo.sources.coverage.COVERAGE_COLUMNS`), optionally upload, and per row either
        coordinates or a grid-cell id (:data:`CELL_ID_COLUMNS`).
    crs : str, optional
        CRS of x/y coordinates (lon/lat columns are EPSG:4326).
    columns : dict, optional
        Standard name -> column of the file.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326; ``operator``, ``technology``, ``max_down_mbps`` (NaN when blank),
        ``max_up_mbps``, ``form`` (``address`` / ``cell``), geometry (points or 100 m squares).

    Raises
    ------
    GeoInputError
        No download column, a bad speed (the message names the row), a row with neither
        coordinates nor a cell id, a bad cell id.
    """
    path = check_file(path, name="BEREC coverage")
    df = read_csv_any(path, name="BEREC coverage", dtype=str)
    if len(df) == 0:
        raise GeoInputError(Msg("err.tab.no_rows", name=named("BEREC coverage")), path=path)
    cols = match_columns(df, COVERAGE_COLUMNS, path=path, name="BEREC coverage",
                         required=("max_down_mbps",), given=columns)
    out = df.rename(columns={v: k for k, v in cols.items()})
    _speeds(out, cols, path)
    cid = _cell_id_column(out)
    has_id = (out[cid].fillna("").astype(str).str.strip() != "") if cid else pd.Series(
        False, index=out.index)
    geom = np.full(len(out), None, object)
    if has_id.any():
        ij = parse_grd_id(out.loc[has_id, cid], path=path)
        sq = gpd.GeoSeries(cell_polygons(ij["E"], ij["N"], ij["res"].to_numpy()),
                           crs=settings.LAEA_CRS).to_crs(settings.WGS84)
        geom[has_id.to_numpy()] = sq.values
    if (~has_id).any():
        pts = points_from_table(out.loc[~has_id], path=path, crs=crs, name="BEREC coverage")
        geom[(~has_id).to_numpy()] = pts.geometry.to_crs(settings.WGS84).values
    out["form"] = np.where(has_id, "cell", "address")
    out["technology"] = out["technology"].map(_tech) if "technology" in out else None
    if "operator" not in out:
        out["operator"] = None
    gdf = gpd.GeoDataFrame(out, geometry=list(geom), crs=settings.WGS84)
    first = ["operator", "technology", "max_down_mbps", "max_up_mbps", "form"]
    gdf = gdf[first + [c for c in gdf.columns if c not in first]]
    gdf.attrs = {"source": str(path)}
    return gdf
