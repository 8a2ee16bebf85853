"""Administrative boundaries (municipalities, towns) and robust matching of their names.

Boundaries come as GeoJSON, GeoPackage or shapefile with any attribute names: the name field is
chosen by the caller or guessed from common spellings, and a wrong choice gets an error listing
the fields the file has. Municipality names are matched by :func:`municipality_key`, which
ignores case, diacritics and the words "novads", "pašvaldība", "pilsēta", so that the IZM
registry's ``"ALŪKSNES NOVADS"``, the boundary file's ``"Alūksnes novads"`` and a planner's
``"aluksnes"`` are one municipality.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import settings
from geo.errors import GeoInputError
from geo.sources.tabular import check_file, fold
from geo.sources.vector import read_vector

#: The 9 municipalities of the Vidzeme planning region after the 2021 administrative reform.
VIDZEME_MUNICIPALITIES: tuple[str, ...] = (
    "Alūksnes novads", "Cēsu novads", "Gulbenes novads", "Limbažu novads", "Madonas novads",
    "Smiltenes novads", "Valkas novads", "Valmieras novads", "Varakļānu novads",
)

#: Attribute names tried, in order, when no name field is given.
NAME_FIELDS = (
    "name", "nosaukums", "NOSAUKUMS", "novads", "municipality", "NAME", "Name", "L1_name",
    "NAME_LATN", "NAME_2", "LAU_NAME", "_tooltip",
)

#: Words that do not distinguish one municipality from another.
_MUNICIPALITY_WORDS = {
    "novads", "novada", "nov", "pasvaldiba", "pasvaldibas", "pilseta", "valstspilseta",
    "municipality", "municipio", "city",
}


def municipality_key(name) -> str:
    """Matching key of a municipality name.

    Folds case and diacritics and drops the words "novads"/"nov."/"pašvaldība"/"pilsēta",
    so ``"ALŪKSNES NOVADS"``, ``"Alūksnes novads"``, ``"Aluksnes nov."`` all give
    ``"aluksnes"``.

    Parameters
    ----------
    name : str

    Returns
    -------
    str
    """
    words = [w for w in fold(name).split() if w not in _MUNICIPALITY_WORDS]
    return " ".join(words)


def display_name(name) -> str:
    """A registry name in the boundary files' spelling: ``"ALŪKSNES NOVADS"`` ->
    ``"Alūksnes novads"``; ``"RĪGA"`` -> ``"Rīga"``."""
    s = " ".join(str(name).split())
    if not s.isupper():
        return s
    return " ".join(w.lower() if w.lower() in _GENERIC_WORDS else w[:1] + w[1:].lower()
                    for w in s.split(" "))


#: Words written in lower case inside Latvian territory names.
_GENERIC_WORDS = frozenset({"novads", "pagasts", "pilsēta", "valstspilsēta", "ciems"})


def read_boundaries(
    path: str | Path,
    *,
    name_field: str | None = None,
    layer: str | None = None,
    crs: str | None = None,
) -> gpd.GeoDataFrame:
    """Read administrative boundary polygons.

    Parameters
    ----------
    path : str or Path
        GeoJSON, GeoPackage, shapefile (with its ``.prj``), any file geopandas reads.
    name_field : str, optional
        Attribute holding the area name. Default: the first of :data:`NAME_FIELDS` present.
    layer : str, optional
        Layer of a multi-layer file (GeoPackage).
    crs : str, optional
        Reproject to this CRS (default: keep the file's).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``name`` (as in the file, a ``%`` suffix such as ``"Bauska: 57.6%"`` removed),
        ``key`` (:func:`municipality_key`), the file's other attributes, ``geometry``
        (polygons, repaired when invalid).

    Raises
    ------
    GeoInputError
        Missing or empty file, no CRS, no polygons, or an unknown ``name_field`` (the message
        lists the fields of the file).
    """

    path = check_file(path, name="boundaries")
    gdf = read_vector(path, name="boundaries", layer=layer)
    fields = [c for c in gdf.columns if c != gdf.geometry.name]
    if name_field is None:
        name_field = next((f for f in NAME_FIELDS if f in fields), None)
        if name_field is None:
            raise GeoInputError(
                f"no name field found in the boundaries; available fields: {fields}.", path=path,
                fix="choose the field with the area names (name_field=... or --name-field).",
            )
    elif name_field not in fields:
        raise GeoInputError(
            f"the boundaries have no field {name_field!r}; available fields: {fields}.",
            path=path, fix="choose one of the available fields.",
        )
    poly = gdf.geom_type.isin(["Polygon", "MultiPolygon"])
    if not poly.any():
        raise GeoInputError(
            f"the boundaries hold no polygons (geometry types: "
            f"{sorted(gdf.geom_type.dropna().unique())}).", path=path,
            fix="give area polygons, not points or lines.",
        )
    gdf = gdf[poly].copy()
    names = gdf[name_field].astype("string").str.replace(r":\s*[\d.,]+\s*%$", "", regex=True)
    names = names.str.strip()
    out = gdf.drop(columns=[name_field]).copy()
    out.insert(0, "name", names.to_numpy(dtype=object))
    out.insert(1, "key", [municipality_key(n) for n in out["name"]])
    if crs is not None:
        out = out.to_crs(crs)
    out.attrs["source"] = str(path)
    out.attrs["name_field"] = name_field
    return out.reset_index(drop=True)


def select_areas(
    areas: gpd.GeoDataFrame | pd.DataFrame,
    names: Iterable[str],
    *,
    column: str = "name",
    what: str = "municipality",
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Keep the rows whose ``column`` matches one of ``names`` (by :func:`municipality_key`).

    Parameters
    ----------
    areas : DataFrame or GeoDataFrame
    names : iterable of str
        Names in any spelling (``"CĒSU NOVADS"``, ``"Cēsu"``...).
    column : str, default "name"
    what : str
        Used in the message.

    Raises
    ------
    GeoInputError
        A requested name matches no row (the message lists the names available).
    """
    if column not in areas.columns:
        raise GeoInputError(f"the table has no column {column!r}; columns: {list(areas.columns)}.",
                            path=areas.attrs.get("source"))
    wanted = {municipality_key(n): n for n in names}
    keys = areas[column].map(municipality_key)
    missing = [n for k, n in wanted.items() if k not in set(keys)]
    if missing:
        avail = sorted(areas[column].dropna().unique().tolist())
        raise GeoInputError(
            f"{what}(s) {missing} not found; available: {avail}.",
            path=areas.attrs.get("source"), fix="check the spelling of the names.",
        )
    out = areas[keys.isin(wanted)].copy()
    out.attrs = dict(areas.attrs)
    return out


def region_polygon(boundaries: gpd.GeoDataFrame, *, crs: str = settings.LAEA_CRS):
    """Union of the boundary polygons in ``crs`` (a shapely geometry)."""
    return boundaries.to_crs(crs).geometry.union_all()
