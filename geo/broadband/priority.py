"""Where to connect first: uncovered settlements ranked by cost per person connected.

* An *uncovered settlement* is a connected group of populated broadband-white cells (class
  ``white``, or ``measured_white`` when only Ookla exists), cells being adjacent when they share
  an edge (4-neighbourhood on the 1 km grid). ``unknown`` cells are never uncovered.
* Its *distance to coverage* is the shortest distance from any of its cells to a *covered*
  populated cell (class ``grey``, ``black`` or ``measured_nga``), measured between cell
  centres:

  - along the road network when one is given (fibre is laid along roads): centres are snapped
    to the nearest network node and the distance is the shortest undirected road path
    (``distance_method = "road"``; the snapping legs are added);
  - in a straight line otherwise (``distance_method = "straight line (no roads)"``).
* The cost proxy is ``distance_km x settings.FIBRE_COST_PER_KM_EUR`` and the ranking key is
  EUR per person connected (``cost / population``), lowest first.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from geo import settings
from geo.broadband.coverage import CELL_M, cell_keys
from geo.network.snap import snap

STRAIGHT = "straight line (no roads)"
ROAD = "road"
#: Classes that count as covered.
COVERED_CLASSES = ("grey", "black", "measured_nga")


def uncovered_mask(cells: pd.DataFrame) -> np.ndarray:
    """Populated broadband-white cells (the cells of uncovered settlements)."""
    pop = cells["population"].fillna(0).to_numpy(float)
    return cells["broadband_white"].to_numpy(bool) & (pop > 0)


def settlements(cells: pd.DataFrame, uncovered: np.ndarray, *, res: int = CELL_M) -> np.ndarray:
    """Label of the connected group (4-neighbourhood) of each uncovered cell; -1 elsewhere."""
    unc = np.flatnonzero(np.asarray(uncovered, bool))
    labels = np.full(len(cells), -1, np.int64)
    if len(unc) == 0:
        return labels
    e = cells["E"].to_numpy(np.int64)[unc]
    n = cells["N"].to_numpy(np.int64)[unc]
    keys = cell_keys(e, n, res=res)
    lut = pd.Series(np.arange(len(unc)), index=keys)
    rows, cols = [], []
    for de, dn in ((res, 0), (0, res)):
        nb = lut.reindex(cell_keys(e + de, n + dn, res=res)).to_numpy()
        ok = np.isfinite(nb)
        rows.append(np.flatnonzero(ok))
        cols.append(nb[ok].astype(np.int64))
    r, c = np.concatenate(rows), np.concatenate(cols)
    adj = sparse.coo_matrix((np.ones(len(r)), (r, c)), shape=(len(unc), len(unc)))
    _, lab = csgraph.connected_components(adj, directed=False)
    labels[unc] = lab
    return labels


def _straight_km(xy: np.ndarray, target_xy: np.ndarray) -> np.ndarray:
    if len(target_xy) == 0:
        return np.full(len(xy), np.inf)
    d, _ = cKDTree(target_xy).query(xy, k=1)
    return d / 1000.0


def _road_km(net, xy: np.ndarray, target_xy: np.ndarray, crs: str) -> np.ndarray:
    """Road distance (km) from each point to the nearest target, snapping both to the network."""
    def snapped(p):
        g = gpd.GeoSeries(gpd.points_from_xy(p[:, 0], p[:, 1]), crs=crs)
        return snap(net, g, max_snap_m=np.inf)

    if len(target_xy) == 0:
        return np.full(len(xy), np.inf)
    s_from, s_to = snapped(xy), snapped(target_xy)
    graph = net.length.maximum(net.length.T)
    nodes, first = np.unique(s_to.node, return_index=True)
    dist, _, src = csgraph.dijkstra(graph, directed=False, indices=nodes, min_only=True,
                                    return_predecessors=True)
    leg_to = pd.Series(s_to.dist_m).groupby(s_to.node).min()
    src_leg = np.where(src >= 0, leg_to.reindex(np.maximum(src, 0)).to_numpy(), np.nan)
    d = dist[s_from.node] + s_from.dist_m + src_leg[s_from.node]
    return d / 1000.0


def priority_list(cells: pd.DataFrame, *, network=None, crs: str = settings.LAEA_CRS,
                  cost_per_km_eur: float | None = None, res: int = CELL_M) -> pd.DataFrame:
    """Ranked uncovered settlements.

    Parameters
    ----------
    cells : DataFrame
        Classified populated cells: ``E``, ``N`` (EPSG:3035), ``population``,
        ``broadband_class``, ``broadband_white``, ``municipality``; ``pupils`` when known.
    network : geo.network.Network, optional
        Road network; None gives straight-line distances (labelled).
    crs : str
        CRS of the network (cell centres are projected to it).
    cost_per_km_eur : float, optional
        Default ``settings.FIBRE_COST_PER_KM_EUR``.
    res : int, default 1000

    Returns
    -------
    pandas.DataFrame
        One row per settlement, best first: ``rank``, ``settlement`` (id), ``cells``,
        ``population``, ``pupils``, ``municipality`` (of its most populated cell),
        ``cell_id`` (that cell), ``border_band`` (of that cell), ``distance_km``, ``distance_method``, ``cost_eur``,
        ``eur_per_person``.
    """
    cost_km = settings.FIBRE_COST_PER_KM_EUR if cost_per_km_eur is None else cost_per_km_eur
    pop = cells["population"].fillna(0).to_numpy(float)
    lab = settlements(cells, uncovered_mask(cells), res=res)
    covered = cells["broadband_class"].isin(COVERED_CLASSES).to_numpy() & (pop > 0)
    xy = _centres(cells, crs, res)
    sel = lab >= 0
    if not sel.any():
        return _empty_priority()
    method = ROAD if network is not None else STRAIGHT
    d = (_road_km(network, xy[sel], xy[covered], crs) if network is not None
         else _straight_km(xy[sel], xy[covered]))
    df = pd.DataFrame({"settlement": lab[sel], "population": pop[sel], "d": d,
                       "pupils": cells["pupils"].fillna(0).to_numpy(float)[sel]
                       if "pupils" in cells else 0.0,
                       "municipality": cells["municipality"].to_numpy(object)[sel],
                       "cell_id": cells["cell_id"].to_numpy(object)[sel],
                       "border_band": (cells["border_band"].to_numpy(object)[sel]
                                       if "border_band" in cells else None)})
    return _rank(df, method, cost_km)


def _centres(cells: pd.DataFrame, crs: str, res: int) -> np.ndarray:
    x = cells["E"].to_numpy(float) + res / 2
    y = cells["N"].to_numpy(float) + res / 2
    if str(crs) != settings.LAEA_CRS:
        x, y = Transformer.from_crs(settings.LAEA_CRS, crs, always_xy=True).transform(x, y)
    return np.column_stack([x, y])


def _rank(df: pd.DataFrame, method: str, cost_km: float) -> pd.DataFrame:
    head = df.sort_values(["settlement", "population"], ascending=[True, False],
                          kind="stable").drop_duplicates("settlement")
    g = df.groupby("settlement").agg(cells=("d", "size"), population=("population", "sum"),
                                     pupils=("pupils", "sum"), distance_km=("d", "min"))
    g = g.join(head.set_index("settlement")[["municipality", "cell_id", "border_band"]])
    g["distance_method"] = method
    g["cost_eur"] = g["distance_km"] * cost_km
    g["eur_per_person"] = g["cost_eur"] / g["population"]
    g = g.reset_index().sort_values(["eur_per_person", "population"], ascending=[True, False],
                                    kind="stable", ignore_index=True)
    g.insert(0, "rank", np.arange(1, len(g) + 1))
    return g[["rank", "settlement", "cells", "population", "pupils", "municipality", "cell_id",
              "border_band", "distance_km", "distance_method", "cost_eur", "eur_per_person"]]


def _empty_priority() -> pd.DataFrame:
    return pd.DataFrame(columns=["rank", "settlement", "cells", "population", "pupils",
                                 "municipality", "cell_id", "border_band", "distance_km",
                                 "distance_method", "cost_eur", "eur_per_person"])
