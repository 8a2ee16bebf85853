"""Broadband coverage declared by operators: polygons or address points with technology and
maximum download speed.

Operators and regulators (in Latvia SPRK and the operators themselves) publish coverage as
polygons (GeoJSON, GeoPackage, shapefile) or as address points (CSV with coordinates, or a
point layer). Column names differ from one publisher to the next: :func:`read_coverage` finds
them by meaning (``max_down_mbps`` from "download", "lejupielāde", "ātrums"...) or takes a
mapping from the caller, validates them and returns one standard layer; :func:`best_download`
gives the best declared download speed per population or broadband cell.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from geo import settings
from geo.errors import GeoInputError, Msg, Num
from geo.sources.tabular import (
    check_file,
    column_key,
    fold,
    match_columns,
    named,
    read_csv_any,
)
from geo.sources.vector import read_vector

#: Standard columns -> accepted spellings (compared without case, diacritics, spaces).
COVERAGE_COLUMNS: dict[str, tuple[str, ...]] = {
    "max_down_mbps": (
        "max_download_mbps", "max_download", "download_mbps", "download", "down_mbps",
        "max_down", "speed_down", "maks_lejupielade", "lejupielade", "lejupielades_atrums",
        "atrums", "max_speed", "speed",
    ),
    "max_up_mbps": ("max_upload_mbps", "max_upload", "upload_mbps", "upload", "up_mbps",
                    "augsupielade", "augsupielades_atrums"),
    "technology": ("tech", "technologija", "tehnologija", "access_technology", "tehn"),
    "operator": ("operators", "provider", "isp", "komersants", "pakalpojuma_sniedzejs"),
    "address_id": ("adr_cd", "address_code", "adreses_kods", "adrese_id"),
}
_X = ("lon", "lng", "longitude", "x", "garums", "E", "easting")
_Y = ("lat", "latitude", "y", "platums", "N", "northing")
#: Technologies (lower case) and their normalised name.
TECHNOLOGIES: dict[str, str] = {
    "ftth": "FTTH", "fttb": "FTTB", "fttp": "FTTH", "fiber": "FTTH", "fibre": "FTTH",
    "optika": "FTTH", "opt": "FTTH", "vdsl": "VDSL", "vdsl2": "VDSL", "adsl": "ADSL",
    "xdsl": "xDSL", "dsl": "xDSL", "docsis": "Cable", "cable": "Cable", "kabelis": "Cable",
    "fwa": "FWA", "wifi": "FWA", "radio": "FWA", "lte": "4G", "4g": "4G", "5g": "5G",
    "3g": "3G", "satellite": "Satellite", "satelits": "Satellite",
}


def _tech(v) -> str | None:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None

    k = fold(v).replace(" ", "")
    return TECHNOLOGIES.get(k, str(v).strip())


def read_coverage(
    path: str | Path,
    *,
    columns: dict[str, str] | None = None,
    unit: str = "Mbit/s",
    layer: str | None = None,
    crs: str | None = None,
    x: str | None = None,
    y: str | None = None,
    operator: str | None = None,
) -> gpd.GeoDataFrame:
    """Read operator coverage (polygons or points).

    Parameters
    ----------
    path : str or Path
        GeoJSON, GeoPackage, shapefile (polygons or points), or CSV of address points.
    columns : dict, optional
        Standard name -> column of the file, e.g. ``{"max_down_mbps": "Ātrums_Mbps",
        "technology": "Tehn"}``; columns not named are found by :data:`COVERAGE_COLUMNS`.
    unit : {"Mbit/s", "kbit/s", "Gbit/s"}, default "Mbit/s"
        Unit of the speed columns of the file.
    layer : str, optional
        Layer of a GeoPackage.
    crs : str, optional
        CRS of a CSV's coordinates (default EPSG:4326 for lon/lat columns; required for
        other x/y columns, e.g. ``"EPSG:3059"`` for LKS-92).
    x, y : str, optional
        Coordinate columns of a CSV (default: lon/lat, x/y, E/N by name).
    operator : str, optional
        Operator name when the file has no operator column.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326; columns ``operator``, ``technology`` (``FTTH``, ``VDSL``, ``Cable``,
        ``FWA``, ``4G``, ``5G`` ... or as given), ``max_down_mbps``, ``max_up_mbps`` (NaN when
        absent), ``address_id`` when present, the file's other columns, ``geometry``.

    Raises
    ------
    GeoInputError
        Missing/empty/unreadable file, no speed column (the message lists the columns found),
        non-numeric or negative speeds, no coordinates, coordinates outside their CRS.
    """
    path = check_file(path, name="coverage", allow_dir=True)
    factor = {"mbit/s": 1.0, "mbps": 1.0, "kbit/s": 1e-3, "kbps": 1e-3, "gbit/s": 1e3,
              "gbps": 1e3}.get(unit.lower())
    if factor is None:
        raise ValueError(f"unit must be Mbit/s, kbit/s or Gbit/s, not {unit!r}")
    if path.suffix.lower() in (".csv", ".txt"):
        df = read_csv_any(path, name="coverage")
        if len(df) == 0:
            raise GeoInputError(Msg("err.tab.no_rows", name=named("coverage")), path=path)
        gdf = points_from_table(df, path=path, x=x, y=y, crs=crs, name="coverage")
    else:

        gdf = read_vector(path, name="coverage", layer=layer)
    cols = match_columns(gdf, COVERAGE_COLUMNS, path=path, name="coverage",
                         required=("max_down_mbps",), given=columns)
    out = gdf.rename(columns={v: k for k, v in cols.items()})
    for c in ("max_down_mbps", "max_up_mbps"):
        if c not in out:
            out[c] = np.nan
            continue
        raw = out[c]
        if not pd.api.types.is_numeric_dtype(raw):  # decimal commas ("100,5")
            raw = raw.astype("string").str.strip().str.replace(",", ".", regex=False)
        v = pd.to_numeric(raw, errors="coerce")
        bad = (v.isna() & out[c].notna()) | (v < 0)
        if bad.any():
            raise GeoInputError(
                Msg("err.coverage.bad_speeds", column=repr(cols[c]),
                    values=str(out.loc[bad, c].head(3).tolist())), path=path,
                fix=Msg("err.coverage.bad_speeds.fix"),
            )
        out[c] = v * factor
    out["technology"] = out["technology"].map(_tech) if "technology" in out else None
    if "operator" not in out:
        out["operator"] = operator
    elif operator is not None:
        out["operator"] = out["operator"].fillna(operator)
    out = out.to_crs(settings.WGS84)
    first = ["operator", "technology", "max_down_mbps", "max_up_mbps"]
    out = out[first + [c for c in out.columns if c not in first]]
    out.attrs = {"source": str(path)}
    return out


def points_from_table(
    df: pd.DataFrame,
    *,
    path,
    x: str | None = None,
    y: str | None = None,
    crs: str | None = None,
    name: str = "points",
    allow_missing: bool = False,
) -> gpd.GeoDataFrame:
    """Points from coordinate columns of a table, with CRS checks.

    Longitude/latitude columns (``lon``/``lat``...) default to EPSG:4326; other x/y columns
    need ``crs``. Coordinates outside the CRS's area of use (e.g. LKS-92 metres declared as
    longitude/latitude) raise :class:`GeoInputError`.

    Parameters
    ----------
    allow_missing : bool, default False
        Rows with blank coordinates get an empty geometry instead of an error.
    """
    keys = {column_key(c): c for c in df.columns}
    xc = x or next((keys[column_key(a)] for a in _X if column_key(a) in keys), None)
    yc = y or next((keys[column_key(a)] for a in _Y if column_key(a) in keys), None)
    for given in (x, y):
        if given is not None and given not in df.columns:
            raise GeoInputError(Msg("err.coverage.no_column", name=named(name),
                                    column=repr(given), found=str(list(df.columns))),
                                path=path, fix=Msg("err.tab.no_such_columns.fix"))
    if xc is None or yc is None:
        raise GeoInputError(
            Msg("err.coverage.no_xy", name=named(name), found=str(list(df.columns))),
            path=path, fix=Msg("err.coverage.no_xy.fix"),
        )
    lonlat = column_key(xc) in {"lon", "lng", "longitude", "garums"}
    if crs is None:
        if not lonlat:
            raise GeoInputError(
                Msg("err.coverage.xy_no_crs", name=named(name), x=repr(xc), y=repr(yc)),
                path=path, fix=Msg("err.coverage.xy_no_crs.fix"),
            )
        crs = settings.WGS84
    try:
        crs_obj = CRS.from_user_input(crs)
    except CRSError as exc:
        raise GeoInputError(Msg("err.coverage.unknown_crs", crs=repr(crs), detail=str(exc)),
                            path=path, fix=Msg("err.coverage.xy_no_crs.fix")) from exc
    xv = pd.to_numeric(df[xc].astype("string").str.replace(",", ".", regex=False),
                       errors="coerce").to_numpy(dtype=float)
    yv = pd.to_numeric(df[yc].astype("string").str.replace(",", ".", regex=False),
                       errors="coerce").to_numpy(dtype=float)
    blank = np.isnan(xv) | np.isnan(yv)
    if blank.any() and not allow_missing:
        raise GeoInputError(
            Msg("err.coverage.blank_xy", n=Num(int(blank.sum())), name=named(name),
                rows=str((np.flatnonzero(blank)[:5] + 2).tolist())), path=path,
            fix=Msg("err.coverage.blank_xy.fix"))
    check_in_crs(xv[~blank], yv[~blank], crs_obj, path=path, name=name)
    geom = np.empty(len(df), dtype=object)
    geom[~blank] = shapely.points(xv[~blank], yv[~blank])
    geom[blank] = None
    return gpd.GeoDataFrame(df.copy(), geometry=list(geom), crs=crs_obj)


def check_in_crs(x, y, crs, *, path, name: str) -> None:
    """Raise :class:`GeoInputError` when points lie outside the area of use of ``crs``."""
    crs = CRS.from_user_input(crs)
    if len(x) == 0:
        return
    if crs.is_geographic:
        lon, lat = np.asarray(x), np.asarray(y)
    else:
        t = Transformer.from_crs(crs, settings.WGS84, always_xy=True)
        lon, lat = t.transform(np.asarray(x), np.asarray(y))
    aou = crs.area_of_use
    bad = ~np.isfinite(lon) | ~np.isfinite(lat) | (np.abs(lon) > 180) | (np.abs(lat) > 90)
    if aou is not None:
        m = 1.0  # degrees of tolerance around the area of use
        bad |= (lon < aou.west - m) | (lon > aou.east + m) | (lat < aou.south - m) | (
            lat > aou.north + m)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise GeoInputError(
            Msg("err.coverage.outside_crs", n=Num(int(bad.sum())), name=named(name),
                crs=crs.name, x=Num(np.asarray(x)[i], None), y=Num(np.asarray(y)[i], None)),
            path=path, fix=Msg("err.coverage.outside_crs.fix"),
        )


def best_download(
    cells: gpd.GeoDataFrame,
    coverage: gpd.GeoDataFrame,
    *,
    technologies: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Best declared download speed per cell.

    Polygons count where they intersect the cell; points where they lie in it.

    Parameters
    ----------
    cells : GeoDataFrame
        Cells (polygons, any CRS).
    coverage : GeoDataFrame
        From :func:`read_coverage`.
    technologies : tuple of str, optional
        Only these technologies (e.g. ``("FTTH", "Cable", "VDSL")`` for fixed broadband).

    Returns
    -------
    pandas.DataFrame
        Index of ``cells``; ``max_down_mbps`` (NaN: no coverage declared), ``technology`` of
        the best offer, ``n_offers``.
    """
    cov = coverage
    if technologies is not None:
        cov = cov[cov["technology"].isin(technologies)]
    cov = cov.to_crs(cells.crs)[["technology", "max_down_mbps", "geometry"]]
    j = gpd.sjoin(cells[[cells.geometry.name]], cov, predicate="intersects", how="inner")
    out = pd.DataFrame(index=cells.index)
    if j.empty:
        out["max_down_mbps"] = np.nan
        out["technology"] = None
        out["n_offers"] = 0
        return out
    j = j.sort_values("max_down_mbps", ascending=False, kind="stable")
    best = j[~j.index.duplicated(keep="first")]
    out["max_down_mbps"] = best["max_down_mbps"].reindex(cells.index)
    out["technology"] = best["technology"].reindex(cells.index)
    out["n_offers"] = j.groupby(level=0).size().reindex(cells.index).fillna(0).astype(int)
    return out
