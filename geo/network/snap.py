"""Snapping points (origins, schools) to the nearest graph node, with the off-network leg."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from geo import settings
from geo.errors import GeoInputError, Msg
from geo.network.graph import Network


# ------------------------------------------------------------------------------------------
# Snapping
# ------------------------------------------------------------------------------------------
@dataclass
class Snap:
    """Points attached to their nearest network node.

    Attributes
    ----------
    node : numpy.ndarray of int64
        Node position, -1 where the point is farther than the limit (or has no geometry).
    dist_m : numpy.ndarray of float64
        Straight-line distance to that node (metres; NaN for missing geometry).
    time_s : numpy.ndarray of float64
        Time of that off-network leg at the snapping speed (seconds).
    ok : numpy.ndarray of bool
        True where snapped.
    """

    node: np.ndarray
    dist_m: np.ndarray
    time_s: np.ndarray
    ok: np.ndarray

    def __len__(self) -> int:
        return len(self.node)

    @property
    def n_unsnapped(self) -> int:
        """Number of points not attached to the network."""
        return int((~self.ok).sum())


def points_xy(points, crs: str, *, name: str = "points") -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of point-like features in ``crs`` (polygons give their representative point).

    Raises
    ------
    GeoInputError
        When the layer has no CRS.
    """
    if isinstance(points, gpd.GeoDataFrame):
        geoms = points.geometry
    elif isinstance(points, gpd.GeoSeries):
        geoms = points
    else:
        raise TypeError(f"{name}: expected a GeoDataFrame or GeoSeries, got {type(points).__name__}")
    if geoms.crs is None:
        raise GeoInputError(
            Msg("err.snap.no_crs", name=name),
            path=getattr(points, "attrs", {}).get("source"), fix=Msg("err.snap.no_crs.fix"),
        )
    g = geoms.to_crs(crs)
    arr = g.values
    not_point = ~shapely.is_empty(arr) & (shapely.get_type_id(arr) != 0)
    if not_point.any():
        arr = arr.copy()
        arr[not_point] = shapely.point_on_surface(arr[not_point])
    x = shapely.get_x(arr)
    y = shapely.get_y(arr)
    return np.asarray(x, np.float64), np.asarray(y, np.float64)


def snap(
    net: Network,
    points,
    *,
    max_snap_m: float = settings.SNAP_MAX_DISTANCE_M,
    speed_kmh: float = settings.SNAP_SPEED_KMH,
    name: str = "points",
) -> Snap:
    """Attach points to their nearest network node.

    Parameters
    ----------
    net : Network
    points : GeoDataFrame or GeoSeries
        Any CRS (reprojected); polygons use their representative point. A layer without a CRS
        raises :class:`GeoInputError`.
    max_snap_m : float, default settings.SNAP_MAX_DISTANCE_M (2000 m)
        Farther points are not snapped (``node == -1``) and must be reported by the caller.
    speed_kmh : float, default settings.SNAP_SPEED_KMH (10 km/h)
        Speed of the off-network leg; its time is added to network times.
    name : str
        Layer name used in error messages.

    Returns
    -------
    Snap
    """
    x, y = points_xy(points, net.crs, name=name)
    finite = np.isfinite(x) & np.isfinite(y)
    dist = np.full(len(x), np.nan)
    node = np.full(len(x), -1, np.int64)
    if finite.any():
        d, i = net.tree.query(np.column_stack([x[finite], y[finite]]), k=1)
        dist[finite] = d
        node[finite] = i
    ok = finite & (dist <= max_snap_m)
    node[~ok] = -1
    time_s = dist / (speed_kmh / 3.6)
    return Snap(node=node, dist_m=dist, time_s=time_s, ok=ok)
