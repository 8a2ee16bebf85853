"""Distance to the national land border, and border bands (default 0-5, 5-20, 20+ km).

The border line comes from one of:

* an OpenStreetMap file: the member ways of the boundary relations with
  ``boundary=administrative`` and ``admin_level=2`` (:func:`read_osm_land_border`). Maritime
  parts are left out by their tags: ways tagged ``maritime=yes`` (territorial-sea and baseline
  lines) or ``natural=coastline``. (The other rule, "a land border is shared by two countries'
  relations", fails on extracts, which often hold only one country's relation.) Ways whose nodes
  lie outside a clipped extract are dropped. Malta's extract has one admin_level=2 way, tagged
  ``maritime=yes``: no land border. Liechtenstein's holds 40 land ways shared with Austria and
  Switzerland;
* a line or polygon file named in the region recipe (``border:``; :func:`read_border_file`):
  lines are taken as they are; for polygons their whole outline counts (coast included), so
  give lines when the country has a coast.

Distances are straight-line, in metres in a metric CRS, to the nearest border segment (exact,
via an STR-tree of the segments), reported in km.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import settings
from geo.i18n import register
from geo.sources.border import read_border, read_border_file, read_osm_land_border

__all__ = ["read_border", "read_border_file", "read_osm_land_border", "border_distance_km",
           "border_band", "band_labels", "band_order", "places_border", "NO_BORDER"]

#: Label of places when the region has no land border.
NO_BORDER = "no land border"

register({
    "bb.border_band": {"lv": "Attālums līdz valsts sauszemes robežai",
                       "en": "Distance to the national land border"},
    "bb.no_border": {"lv": "nav sauszemes robežas", "en": "no land border"},
})


# ------------------------------------------------------------------------------------------
# Distances and bands
# ------------------------------------------------------------------------------------------
def border_segments(border: gpd.GeoDataFrame | None, crs: str) -> np.ndarray:
    """The border's straight segments (LineStrings of 2 points) in ``crs``."""
    if border is None or len(border) == 0:
        return np.zeros(0, object)
    lines = shapely.get_parts(border.to_crs(crs).geometry.values)
    lines = lines[~shapely.is_empty(lines)]
    coords, idx = shapely.get_coordinates(lines, return_index=True)
    same = idx[1:] == idx[:-1]
    a, b = coords[:-1][same], coords[1:][same]
    return shapely.linestrings(np.stack([a, b], axis=1))


def border_distance_km(x, y, border: gpd.GeoDataFrame | None, *, crs: str) -> np.ndarray:
    """Straight-line distance (km) from points ``x``, ``y`` (in metric ``crs``) to the border.

    Returns ``inf`` everywhere when there is no border line (e.g. Malta: no land border) and
    NaN for points without coordinates.
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    segs = border_segments(border, crs)
    out = np.full(len(x), np.inf)
    ok = np.isfinite(x) & np.isfinite(y)
    out[~ok] = np.nan
    if len(segs) == 0 or not ok.any():
        return out
    tree = shapely.STRtree(segs)
    pts = shapely.points(x[ok], y[ok])
    idx, dist = tree.query_nearest(pts, return_distance=True, all_matches=False)
    d = np.full(ok.sum(), np.inf)
    d[idx[0]] = dist
    out[ok] = d / 1000.0
    return out


def band_labels(bands_km: tuple[float, ...] | None = None) -> list[str]:
    """Labels of the distance bands: ``["0-5 km", "5-20 km", "20+ km"]`` by default."""
    b = settings.BORDER_BANDS_KM if bands_km is None else bands_km
    labels = [f"{b[i]:g}-{b[i + 1]:g} km" for i in range(len(b) - 1)]
    return labels + [f"{b[-1]:g}+ km"]


def border_band(dist_km, bands_km: tuple[float, ...] | None = None) -> np.ndarray:
    """Band label per distance (km); ``inf`` -> :data:`NO_BORDER`, NaN -> None.

    Band ``i`` is ``[b[i], b[i+1])``; the last one is open-ended.
    """
    b = np.asarray(settings.BORDER_BANDS_KM if bands_km is None else bands_km, float)
    d = np.asarray(dist_km, float)
    labels = np.asarray(band_labels(tuple(b)), object)
    i = np.clip(np.searchsorted(b, np.where(np.isfinite(d), d, 0), side="right") - 1, 0,
                len(b) - 1)
    out = labels[i].astype(object)
    out[np.isinf(d)] = NO_BORDER
    out[np.isnan(d)] = None
    return out


def band_order(bands_km: tuple[float, ...] | None = None) -> list[str]:
    """Band labels in table order, then :data:`NO_BORDER`."""
    return [*band_labels(bands_km), NO_BORDER]


def places_border(points_xy: pd.DataFrame, border: gpd.GeoDataFrame | None, *, crs: str,
                  bands_km: tuple[float, ...] | None = None) -> pd.DataFrame:
    """``border_km`` and ``border_band`` for a table with ``x``, ``y`` (metres in ``crs``)."""
    d = border_distance_km(points_xy["x"], points_xy["y"], border, crs=crs)
    return pd.DataFrame({"border_km": d, "border_band": border_band(d, bands_km)},
                        index=points_xy.index)
