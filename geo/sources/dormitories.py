"""Dormitories (dienesta viesnīcas) from a user table: school id + places, coordinates optional.

No public register of school dormitories exists; municipalities know theirs. The table names
the school a dormitory belongs to (registration number) and its places; when it has
coordinates the dormitory gets a point, else it is placed at its school later. OSM dormitories
(``amenity=dormitory``) come from :func:`geo.sources.osm.read_facilities`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import settings
from geo.errors import GeoInputError, Msg
from geo.sources.coverage import _X, _Y, points_from_table
from geo.sources.tabular import (
    as_id,
    check_duplicate_rows,
    check_file,
    check_unique_ids,
    column_key,
    match_columns,
    named,
    read_csv_any,
    read_excel_table,
)
from geo.sources.vector import read_vector

#: Standard columns -> accepted spellings.
DORMITORY_COLUMNS: dict[str, tuple[str, ...]] = {
    "school_id": ("reg_nr", "registration_number", "Iestādes reģistrācijas Nr.", "skola_id",
                  "school", "skola"),
    "places": ("capacity", "beds", "vietas", "vietu_skaits", "gultas"),
    "name": ("nosaukums", "dormitory", "dienesta_viesnica"),
    "dormitory_id": ("id", "dorm_id"),
}


def read_dormitories(
    path: str | Path,
    *,
    school_id: str | None = None,
    places: str | None = None,
    x: str | None = None,
    y: str | None = None,
    crs: str | None = None,
    known_schools: Iterable[str] | None = None,
) -> gpd.GeoDataFrame:
    """Read a dormitory table (CSV or Excel; a point layer works too).

    Parameters
    ----------
    path : str or Path
        CSV / ``.xlsx`` with a school id and places per dormitory, optional coordinates.
    school_id, places : str, optional
        Column names (default: found by :data:`DORMITORY_COLUMNS`).
    x, y, crs : optional
        Coordinate columns and their CRS (lon/lat default to EPSG:4326).
    known_schools : iterable of str, optional
        Registration numbers of the schools; an id not among them raises an error.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326; ``dormitory_id``, ``school_id`` (text), ``places`` (int), ``name``,
        ``geometry`` (``None`` when the row has no coordinates).
    """
    path = check_file(path, name="dormitories")
    suf = path.suffix.lower()
    if suf in (".xlsx", ".xls"):
        df = read_excel_table(path, name="dormitories",
                              known_columns=[a for v in DORMITORY_COLUMNS.values() for a in v]
                              + list(DORMITORY_COLUMNS), text_columns=[school_id or "school_id",
                                                                       *DORMITORY_COLUMNS[
                                                                           "school_id"]])
    elif suf in (".csv", ".txt"):
        df = read_csv_any(path, name="dormitories", dtype=str)
    else:

        df = read_vector(path, name="dormitories")
    if len(df) == 0:
        raise GeoInputError(Msg("err.tab.no_rows", name=named("dormitories")), path=path)
    cols = match_columns(df, DORMITORY_COLUMNS, path=path, name="dormitory",
                         required=("school_id", "places"),
                         given={"school_id": school_id, "places": places})
    out = df.rename(columns={v: k for k, v in cols.items()})
    out["school_id"] = out["school_id"].map(as_id)
    if out["school_id"].isna().any():
        raise GeoInputError(Msg("err.dorm.no_id"), path=path, fix=Msg("err.dorm.no_id.fix"))
    p = pd.to_numeric(out["places"], errors="coerce")
    bad = p.isna() | (p < 0) | (p % 1 != 0)
    if bad.any():
        raise GeoInputError(
            Msg("err.dorm.places", values=str(out.loc[bad, 'places'].tolist()[:5])),
            path=path, fix=Msg("err.dorm.places.fix"))
    out["places"] = p.astype("int64")
    _check_repeats(out, path, vector=isinstance(df, gpd.GeoDataFrame))
    if known_schools is not None:
        known = {as_id(s) for s in known_schools}
        unknown = sorted(set(out["school_id"]) - known)
        if unknown:
            raise GeoInputError(
                Msg("err.dorm.unknown", ids=str(unknown[:10])), path=path,
                fix=Msg("err.capacity.unknown_ids.fix"),
            )
    if "dormitory_id" not in out:
        out["dormitory_id"] = [f"{s}-d{i + 1}" for i, s in enumerate(out["school_id"])]
    else:
        out["dormitory_id"] = out["dormitory_id"].map(as_id)
    if "name" not in out:
        out["name"] = None
    if isinstance(out, gpd.GeoDataFrame):
        gdf = out.to_crs(settings.WGS84)
    else:
        keys = {column_key(c) for c in out.columns}
        has_xy = (x and y) or (any(column_key(a) in keys for a in _X) and any(
            column_key(a) in keys for a in _Y))
        if has_xy:
            gdf = points_from_table(out, path=path, x=x, y=y, crs=crs, name="dormitories",
                                    allow_missing=True).to_crs(settings.WGS84)
        else:
            gdf = gpd.GeoDataFrame(out, geometry=[None] * len(out), crs=settings.WGS84)
    first = ["dormitory_id", "school_id", "places", "name"]
    gdf = gdf[first + [c for c in gdf.columns if c not in first]]
    gdf.attrs = {"source": str(path)}
    return gdf.reset_index(drop=True)


def _check_repeats(out: pd.DataFrame, path: Path, *, vector: bool) -> None:
    """Repeated rows, or a dormitory id on several rows, are errors naming the rows (a
    repeated row would count its places twice)."""
    first = 1 if vector else int(out.attrs.get("header_row", 1)) + 1
    word = "features" if vector else "rows"
    check_duplicate_rows(out, what="dormitory", path=path, first_row=first)
    if "dormitory_id" in out:
        ids = out["dormitory_id"].map(as_id)
        check_unique_ids(out.assign(dormitory_id=ids), "dormitory_id", what="dormitory",
                         path=path, first_row=first, rows_word=word)
