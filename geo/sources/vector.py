"""User vector files (any format geopandas reads) with checks and clear errors."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from geo.errors import GeoInputError, Msg
from geo.sources.tabular import check_file, named


def read_vector(
    path: str | Path,
    *,
    name: str = "layer",
    layer: str | None = None,
    require_crs: bool = True,
    columns: tuple[str, ...] = (),
    repair: bool = True,
) -> gpd.GeoDataFrame:
    """Read a vector file and check it is usable.

    Parameters
    ----------
    path : str or Path
        GeoPackage, GeoJSON, shapefile, FlatGeobuf, GeoParquet (``.parquet``) ...
    name : str, default "layer"
        What the layer is (used in messages, e.g. "origins").
    layer : str, optional
        Layer of a multi-layer file.
    require_crs : bool, default True
        Raise when the file has no CRS.
    columns : tuple of str
        Columns that must exist.
    repair : bool, default True
        Repair invalid geometries (``make_valid``); False leaves them to the caller (the
        boundary reader measures the area a repair changes).

    Returns
    -------
    geopandas.GeoDataFrame
        With ``attrs["source"]`` set to the path, so later errors can name the file.

    Raises
    ------
    GeoInputError
        Missing, empty or unreadable file; no geometry; no CRS; missing columns; broken
        geometries that cannot be repaired.
    """
    path = check_file(path, name=name, allow_dir=True)
    try:
        if path.suffix.lower() == ".parquet":
            gdf = gpd.read_parquet(path)
        else:
            gdf = gpd.read_file(path, layer=layer)
    except Exception as exc:  # pyogrio / fiona raise many types
        raise GeoInputError(
            Msg("err.vec.unreadable", detail=f"{type(exc).__name__}: {exc}"), path=path,
            fix=Msg("err.vec.unreadable.fix")) from exc
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry is None:
        raise GeoInputError(Msg("err.vec.no_geometry", name=named(name)), path=path)
    if len(gdf) == 0:
        raise GeoInputError(Msg("err.vec.no_features", name=named(name)), path=path)
    if require_crs and gdf.crs is None:
        raise GeoInputError(Msg("err.vec.no_crs", name=named(name)), path=path,
                            fix=Msg("err.vec.no_crs.fix"))
    missing = [c for c in columns if c not in gdf.columns]
    if missing:
        raise GeoInputError(
            Msg("err.vec.missing_columns", name=named(name), columns=str(missing),
                found=str(list(gdf.columns))),
            path=path, fix=Msg("err.vec.missing_columns.fix"))
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    if empty.all():
        raise GeoInputError(Msg("err.vec.all_empty", name=named(name)), path=path)
    invalid = ~empty & ~gdf.geometry.is_valid
    if invalid.any() and repair:
        gdf.loc[invalid, gdf.geometry.name] = gdf.geometry[invalid].make_valid()
    gdf.attrs["source"] = str(path)
    gdf.attrs["empty_geometries"] = int(empty.sum())
    gdf.attrs["repaired_geometries"] = int(invalid.sum()) if repair else 0
    return gdf
