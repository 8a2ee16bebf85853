"""National land border lines from OpenStreetMap (admin_level=2 boundary relations, maritime parts
left out) or from a line/polygon file. Distances and bands: :mod:`geo.broadband.border`.

Rule for OSM: the member ways of the relations with ``boundary=administrative`` and
``admin_level=2``, except ways tagged ``maritime=yes`` (territorial-sea and baseline lines),
``boundary=maritime`` or ``natural=coastline``. (The other rule, "a land border is shared by two
countries' relations", fails on extracts, which often hold only one country's relation.) Ways
whose nodes lie outside a clipped extract are dropped and counted.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import shapely

from geo import settings
from geo.errors import GeoInputError, Msg
from geo.sources.tabular import check_file
from geo.sources.vector import read_vector


# ------------------------------------------------------------------------------------------
# Reading the border
# ------------------------------------------------------------------------------------------
def _border_way_ids(path: Path, countries: set[str] | None) -> tuple[dict[int, list[str]], int]:
    """Way id -> names of the admin_level=2 boundary relations it belongs to; relation count."""
    ways: dict[int, list[str]] = {}
    n_rel = 0
    for rel in osmium.FileProcessor(str(path), osmium.osm.RELATION):
        tags = dict(rel.tags)
        if tags.get("boundary") != "administrative" or tags.get("admin_level") != "2":
            continue
        name = tags.get("name", str(rel.id))
        codes = {name, tags.get("ISO3166-1", ""), tags.get("ISO3166-1:alpha2", ""),
                 tags.get("name:en", "")}
        if countries is not None and not (codes & countries):
            continue
        n_rel += 1
        for m in rel.members:
            if m.type == "w":
                ways.setdefault(m.ref, []).append(name)
    return ways, n_rel


def read_osm_land_border(path: str | Path, *, countries: list[str] | None = None
                         ) -> gpd.GeoDataFrame:
    """National land border lines from an OSM file.

    Parameters
    ----------
    path : str or Path
        ``.osm.pbf`` / ``.osm`` file.
    countries : list of str, optional
        Keep only relations with one of these names, ``name:en`` or ISO 3166-1 codes
        (e.g. ``["LV"]``); default: every admin_level=2 relation in the file.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 LineStrings: ``way_id``, ``countries`` (relation names), ``maritime``
        (always False: maritime ways are dropped). ``attrs["dropped"]`` counts the ways left
        out (``maritime``, ``coastline``, ``missing_nodes``); ``attrs["relations"]`` the
        admin_level=2 relations found (0: the file says nothing about borders).
    """
    path = check_file(path, name="OSM")
    wanted, n_rel = _border_way_ids(path, set(countries) if countries else None)
    rows, dropped = [], {"maritime": 0, "coastline": 0, "missing_nodes": 0}
    if wanted:
        fp = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_locations()
        for w in fp:
            if not w.is_way() or w.id not in wanted:
                continue
            reason = _drop_reason(dict(w.tags))
            if reason:
                dropped[reason] += 1
                continue
            xy = _way_coords(w)
            if xy is None:
                dropped["missing_nodes"] += 1
                continue
            rows.append((w.id, "; ".join(sorted(set(wanted[w.id]))), shapely.LineString(xy)))
    gdf = gpd.GeoDataFrame(
        {"way_id": [r[0] for r in rows], "countries": [r[1] for r in rows],
         "maritime": [False] * len(rows)},
        geometry=[r[2] for r in rows], crs=settings.WGS84)
    gdf.attrs = {"source": str(path), "dropped": dropped, "relations": n_rel,
                 "rule": "admin_level=2 boundary ways without maritime=yes / natural=coastline"}
    return gdf


def _drop_reason(tags: dict) -> str | None:
    if tags.get("maritime") == "yes" or tags.get("boundary") == "maritime":
        return "maritime"
    if tags.get("natural") == "coastline":
        return "coastline"
    return None


def _way_coords(w) -> list[tuple[float, float]] | None:
    try:
        xy = [(n.lon, n.lat) for n in w.nodes]
    except osmium.InvalidLocationError:
        return None
    return xy if len(xy) >= 2 else None


def read_border_file(path: str | Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Border lines from a line or polygon file (GeoJSON, GeoPackage, shapefile).

    Polygons give their outline (coast included). Returns EPSG:4326 lines.
    """
    gdf = read_vector(path, name="border", layer=layer)
    geom = gdf.geometry.values
    poly = np.isin(shapely.get_type_id(geom), (3, 6))
    geom = np.where(poly, shapely.boundary(geom), geom)
    out = gpd.GeoDataFrame({"source": [str(path)] * len(gdf)}, geometry=list(geom), crs=gdf.crs)
    out = out[~(out.geometry.isna() | out.geometry.is_empty)]
    if len(out) == 0:
        raise GeoInputError(Msg("err.border.no_lines"), path=path,
                            fix=Msg("err.border.no_lines.fix"))
    return out.to_crs(settings.WGS84).reset_index(drop=True)


def read_border(path: str | Path, *, countries: list[str] | None = None) -> gpd.GeoDataFrame:
    """A border from an OSM file (by suffix ``.pbf`` / ``.osm``) or a line/polygon file."""
    name = Path(path).name.lower()
    if name.endswith((".pbf", ".osm", ".osm.bz2", ".osm.gz")):
        return read_osm_land_border(path, countries=countries)
    return read_border_file(path)


def read_region_border(border_file: str | Path | None = None,
                       osm_file: str | Path | None = None) -> tuple[gpd.GeoDataFrame | None, str]:
    """The region's land border: the recipe's border file when given, else the OSM file's
    admin_level=2 land ways.

    Returns
    -------
    (GeoDataFrame or None, str)
        The lines (an empty frame when the OSM file has admin_level=2 relations but only
        maritime ways: no land border) and the recipe key they came from (``"border"`` /
        ``"roads"``); ``(None, "")`` when neither says anything about a border.
    """
    if border_file is not None:
        return read_border(border_file), "border"
    if osm_file is not None:
        lines = read_osm_land_border(osm_file)
        if lines.attrs.get("relations", 0) > 0:
            return lines, "roads"
    return None, ""
