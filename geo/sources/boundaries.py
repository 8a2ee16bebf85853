"""Administrative boundaries (municipalities, towns) and robust matching of their names.

Boundaries come as GeoJSON, GeoPackage or shapefile with any attribute names: the name field is
chosen by the caller or guessed from common spellings, and a wrong choice gets an error listing
the fields the file has. Municipality names are matched by :func:`municipality_key`, which
ignores case, diacritics and the words "novads", "pašvaldība", "pilsēta", so that the IZM
registry's ``"ALŪKSNES NOVADS"``, the boundary file's ``"Alūksnes novads"`` and a planner's
``"aluksnes"`` are one municipality.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import i18n, settings
from geo.errors import GeoInputError, GeoWarning, Msg
from geo.sources.tabular import check_file, fold, named
from geo.sources.vector import read_vector

i18n.register({"warn.boundary_repaired": {
    "lv": "Robežas daudzstūris {name} bija nederīgs un tika izlabots; tā platība mainījās par "
          "{km2} km² ({pct}%).",
    "en": "The boundary polygon of {name} was invalid and was repaired; its area changed by "
          "{km2} km2 ({pct}%).",
}})

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
        (polygons; invalid ones repaired by :func:`repair_polygons`, which warns with the area
        changed). ``attrs["warnings"]`` lists the repairs.

    Raises
    ------
    GeoInputError
        Missing or empty file, no CRS, no polygons, an unknown ``name_field`` (the message
        lists the fields of the file), or an invalid polygon whose repair changes its area
        by more than ``settings.BOUNDARY_REPAIR_MAX_CHANGE_PCT`` %.
    """
    path = check_file(path, name="boundaries", allow_dir=True)
    gdf = read_vector(path, name="boundaries", layer=layer, repair=False)
    fields = [c for c in gdf.columns if c != gdf.geometry.name]
    if name_field is None:
        name_field = next((f for f in NAME_FIELDS if f in fields), None)
        if name_field is None:
            raise GeoInputError(Msg("err.boundary.no_name_field", fields=str(fields)), path=path,
                                fix=Msg("err.boundary.no_name_field.fix"))
    elif name_field not in fields:
        raise GeoInputError(
            Msg("err.boundary.no_field", field=repr(name_field), fields=str(fields)),
            path=path, fix=Msg("err.boundary.no_field.fix"))
    poly = gdf.geom_type.isin(["Polygon", "MultiPolygon"])
    if not poly.any():
        raise GeoInputError(
            Msg("err.boundary.no_polygons", types=str(sorted(gdf.geom_type.dropna().unique()))),
            path=path, fix=Msg("err.boundary.no_polygons.fix"))
    gdf = gdf[poly].copy()
    gdf, repairs = repair_polygons(gdf, names=gdf[name_field], path=path)
    names = gdf[name_field].astype("string").str.replace(r":\s*[\d.,]+\s*%$", "", regex=True)
    names = names.str.strip()
    out = gdf.drop(columns=[name_field]).copy()
    out.insert(0, "name", names.to_numpy(dtype=object))
    out.insert(1, "key", [municipality_key(n) for n in out["name"]])
    if crs is not None:
        out = out.to_crs(crs)
    out.attrs["source"] = str(path)
    out.attrs["name_field"] = name_field
    out = out.reset_index(drop=True)
    out.attrs["warnings"] = repairs
    return out


def _area_m2(geoms: gpd.GeoSeries) -> np.ndarray:
    """Planar areas in m2 in the local UTM zone (invalid polygons: GEOS's ring areas)."""
    crs = geoms.crs
    if crs is not None and not crs.is_projected:
        geoms = geoms.to_crs(geoms.estimate_utm_crs())
    return shapely.area(geoms.to_numpy())


def repair_polygons(gdf: gpd.GeoDataFrame, *, names, path=None,
                    max_change_pct: float = settings.BOUNDARY_REPAIR_MAX_CHANGE_PCT,
                    ) -> tuple[gpd.GeoDataFrame, list[dict]]:
    """Repair invalid polygons (``make_valid``, polygon parts kept) and say how much area
    changed; refuse a repair that changes an area by more than ``max_change_pct`` %.

    Parameters
    ----------
    gdf : GeoDataFrame
        Polygons (some invalid) with a CRS.
    names : sequence
        Area names (for messages), aligned with ``gdf``.
    path : str or Path, optional
    max_change_pct : float, default settings.BOUNDARY_REPAIR_MAX_CHANGE_PCT

    Returns
    -------
    (GeoDataFrame, list of dict)
        The polygons, repaired, and one warning per repaired area: ``code``
        (``"boundary_repaired"``), ``name``, ``km2`` (absolute area change), ``pct`` (% of the
        original area), ``message`` (English); also issued as :class:`GeoWarning`.

    Raises
    ------
    GeoInputError
        A repair that changes an area by more than ``max_change_pct`` % (e.g. a
        self-crossing "bow tie" ring).
    """
    geoms = gdf.geometry
    invalid = (geoms.notna() & ~geoms.is_empty & ~geoms.is_valid).to_numpy()
    if not invalid.any():
        return gdf, []
    fixed = gpd.GeoSeries(shapely.make_valid(geoms.to_numpy()[invalid]), crs=gdf.crs)
    fixed = fixed.map(_polygon_part)
    before = _area_m2(geoms[invalid])
    after = _area_m2(fixed)
    change = np.abs(after - before)
    pct = np.where(before > 0, 100.0 * change / np.where(before > 0, before, 1.0), np.inf)
    labels = np.asarray(names, dtype=object)[invalid]
    big = pct > max_change_pct
    if big.any():
        detail = "; ".join(f"{n!s}: {c / 1e6:,.3f} km2 ({p:,.1f}%)"
                           for n, c, p in zip(labels[big], change[big], pct[big], strict=True))
        raise GeoInputError(
            Msg("err.boundary.repair_too_big", max=f"{max_change_pct:g}", detail=detail),
            path=path, fix=Msg("err.boundary.repair_too_big.fix"))
    out = gdf.copy()
    out.loc[invalid, out.geometry.name] = fixed.to_numpy()
    warns = []
    for n, c, p in zip(labels, change, pct, strict=True):
        warning = GeoWarning(Msg("err.warn.boundary_repaired", path=str(path), name=str(n),
                                 km2=f"{c / 1e6:,.4f}", pct=f"{p:.4f}"))
        msg = str(warning)
        warnings.warn(warning, stacklevel=3)
        warns.append({"code": "boundary_repaired", "name": str(n),
                      "km2": round(float(c) / 1e6, 4), "pct": round(float(p), 4),
                      "message": msg})
    return out, warns


def _polygon_part(geom):
    """The polygonal part of a repaired geometry (lines and points of a collection dropped)."""
    if geom is None or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


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
        raise GeoInputError(Msg("err.boundary.no_column", column=repr(column),
                                found=str(list(areas.columns))),
                            path=areas.attrs.get("source"), fix=Msg("err.boundary.no_field.fix"))
    wanted = {municipality_key(n): n for n in names}
    keys = areas[column].map(municipality_key)
    missing = [n for k, n in wanted.items() if k not in set(keys)]
    if missing:
        avail = sorted(areas[column].dropna().unique().tolist())
        raise GeoInputError(
            Msg("err.boundary.not_found", what=named(what), missing=str(missing),
                avail=str(avail)),
            path=areas.attrs.get("source"), fix=Msg("err.boundary.not_found.fix"),
        )
    out = areas[keys.isin(wanted)].copy()
    out.attrs = dict(areas.attrs)
    return out


def region_polygon(boundaries: gpd.GeoDataFrame, *, crs: str = settings.LAEA_CRS):
    """Union of the boundary polygons in ``crs`` (a shapely geometry)."""
    return boundaries.to_crs(crs).geometry.union_all()
