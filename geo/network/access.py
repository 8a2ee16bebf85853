"""Travel time from where people live to facilities: nearest, k nearest, matrices, catchments,
isochrones.

Direction is home -> school: every search runs from the facilities over the *reversed* graph,
so the time of node ``v`` is the time to drive from ``v`` to the facility. Searches are
``scipy.sparse.csgraph.dijkstra`` (compiled Dijkstra on CSR arrays):

* the nearest-facility pass is one multi-source search (``min_only=True``) from virtual source
  nodes, one per facility, each joined to its snapped road node by the facility's off-network
  leg, so each node learns both its time and the identity of its nearest facility;
* origin x facility matrices run one search per distinct facility node, in blocks, bounded by
  the cutoff;
* network distance along the fastest route is summed over the shortest-path tree by pointer
  jumping (``O(n log depth)`` numpy operations, no Python loop over nodes).

Times are seconds and distances metres; ``np.inf`` marks unreachable or beyond the cutoff.
Off-network legs (origin to its nearest node, nearest node to the facility) are included in
times and distances.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from geo import settings
from geo.errors import GeoInputError, Msg, Num, check_number
from geo.network.graph import Network
from geo.network.snap import Snap, snap
from geo.progress import Progress
from geo.sources.tabular import check_unique_ids


# ------------------------------------------------------------------------------------------
# Inputs
# ------------------------------------------------------------------------------------------
def _ids(gdf, id_col: str | None) -> np.ndarray:
    if id_col is None:
        return np.asarray(gdf.index)
    if id_col not in gdf.columns:
        raise GeoInputError(
            Msg("err.access.no_id_column", column=repr(id_col), columns=str(list(gdf.columns))),
            path=gdf.attrs.get("source"), fix=Msg("err.access.no_id_column.fix"),
        )
    return gdf[id_col].to_numpy()


def snap_facilities(
    net: Network,
    facilities: gpd.GeoDataFrame,
    *,
    max_snap_m: float = settings.SNAP_MAX_DISTANCE_M,
    speed_kmh: float = settings.SNAP_SPEED_KMH,
) -> Snap:
    """Snap facilities; raise when none of them is near the network.

    Raises
    ------
    GeoInputError
        When the layer is empty, or no facility lies within ``max_snap_m`` of the network
        (facilities outside the network's area, or in the wrong CRS).
    """
    src = facilities.attrs.get("source")
    if len(facilities) == 0:
        raise GeoInputError(Msg("err.access.no_facilities"), path=src)
    s = snap(net, facilities, max_snap_m=max_snap_m, speed_kmh=speed_kmh, name="facilities")
    if not s.ok.any():
        d = np.nanmin(s.dist_m) if np.isfinite(s.dist_m).any() else np.nan
        raise GeoInputError(
            Msg("err.access.all_far", n=Num(len(facilities)), m=Num(max_snap_m),
                km=Num(d / 1000, 1)),
            path=src, fix=Msg("err.access.all_far.fix"),
        )
    return s


# ------------------------------------------------------------------------------------------
# Tree sums (network distance along the fastest route)
# ------------------------------------------------------------------------------------------
def _arc_length(net: Network, frm: np.ndarray, to: np.ndarray) -> np.ndarray:
    """Length (m) of forward arcs frm -> to (arrays of equal shape, all arcs must exist).

    Scans the few arcs of each ``frm`` node (CSR row) instead of searching all arcs: a
    node has a handful of arcs, so a pass or two settles almost every query."""
    g = net.graph
    frm = np.asarray(frm, np.int64)
    to = np.asarray(to, np.int64)
    shape = frm.shape
    frm, to = frm.ravel(), to.ravel()
    pos = g.indptr[frm].astype(np.int64)
    end = g.indptr[frm + 1]
    out = np.empty(len(frm))
    todo = np.arange(len(frm))
    while len(todo):
        if np.any(pos[todo] >= end[todo]):
            raise RuntimeError("network: a predecessor is not joined by an arc")
        hit = g.indices[pos[todo]] == to[todo]
        out[todo[hit]] = net.length.data[pos[todo[hit]]]
        todo = todo[~hit]
        pos[todo] += 1
    return out.reshape(shape)


def _tree_distance(net: Network, pred: np.ndarray, root_len: np.ndarray | None = None) -> np.ndarray:
    """Sum arc lengths from each node to the root of its tree (pointer jumping).

    Parameters
    ----------
    pred : numpy.ndarray of int, shape (k, n) or (n,)
        Predecessors of a search on the reversed graph: ``pred[v]`` is the next node from ``v``
        towards the source; -9999 for sources and unreached nodes.
    root_len : numpy.ndarray, shape like ``pred``, optional
        Extra length at each root (e.g. the facility's off-network leg).

    Returns
    -------
    numpy.ndarray of float64
        Network distance from each node to its source, metres (0 for unreached nodes).
    """
    one_d = pred.ndim == 1
    p = np.atleast_2d(pred).astype(np.int64)
    k, n = p.shape
    has = p >= 0
    # column n is a sentinel with length 0: roots point to it, so jumps add nothing past a root
    acc = np.zeros((k, n + 1))
    if has.any():
        rows_idx = np.broadcast_to(np.arange(n), (k, n))
        acc[:, :n][has] = _arc_length(net, rows_idx[has], p[has])
    if root_len is not None:
        rl = np.atleast_2d(root_len)
        acc[:, :n][~has] += rl[~has]
    ptr = np.full((k, n + 1), n, np.int64)
    ptr[:, :n][has] = p[has]
    while True:
        acc += np.take_along_axis(acc, ptr, axis=1)
        nxt = np.take_along_axis(ptr, ptr, axis=1)
        if np.array_equal(nxt, ptr):
            break
        ptr = nxt
    acc = acc[:, :n]
    return acc[0] if one_d else acc


def _reached_tree_distance(net: Network, dist: np.ndarray, pred: np.ndarray,
                           nodes: np.ndarray) -> np.ndarray:
    """Network distance (m) at ``nodes`` along the trees of a block of searches, summed over
    the reached nodes only (as :func:`_tree_distance`, whose sums it repeats exactly, but in
    time and memory proportional to the nodes a bounded search reached).

    Parameters
    ----------
    dist, pred : numpy.ndarray, shape (k, n)
        Times (``inf``: not reached) and predecessors (-9999 at roots) of ``k`` searches on
        the reversed graph.
    nodes : numpy.ndarray of int
        Nodes whose distance is wanted.

    Returns
    -------
    numpy.ndarray of float64, shape (k, len(nodes))
        Metres; ``inf`` where the node was not reached.
    """
    k, n = dist.shape
    flat = np.flatnonzero(np.isfinite(dist).ravel())
    m = len(flat)
    where = np.full(k * n, -1, np.int64 if m >= 2**31 - 1 else np.int32)
    where[flat] = np.arange(m)
    row = flat // n
    v = flat - row * n
    p = pred.ravel()[flat].astype(np.int64)
    has = p >= 0
    # position m is a sentinel with length 0: roots point to it (as in _tree_distance)
    acc = np.zeros(m + 1)
    acc[:m][has] = _arc_length(net, v[has], p[has])
    ptr = np.full(m + 1, m, np.int64)
    ptr[:m][has] = where[row[has] * n + p[has]]
    while True:
        acc += acc[ptr]
        nxt = ptr[ptr]
        if np.array_equal(nxt, ptr):
            break
        ptr = nxt
    idx = where[(np.arange(k, dtype=np.int64)[:, None] * n + np.asarray(nodes, np.int64)[None, :])]
    out = np.full(idx.shape, np.inf)
    ok = idx >= 0
    out[ok] = acc[idx[ok]]
    return out


# ------------------------------------------------------------------------------------------
# Nearest facility (one multi-source pass)
# ------------------------------------------------------------------------------------------
@dataclass
class NodeAccess:
    """Nearest facility of every network node.

    Attributes
    ----------
    time_s : numpy.ndarray, shape (n_nodes,)
        Time from the node to its nearest facility (incl. the facility's off-network leg), s.
    facility : numpy.ndarray of int64, shape (n_nodes,)
        Position of that facility in the facilities layer; -1 when none is reachable.
    dist_m : numpy.ndarray or None
        Network distance along that route (incl. the facility leg), metres.
    facility_snap : Snap
        Snapping of the facilities.
    """

    time_s: np.ndarray
    facility: np.ndarray
    dist_m: np.ndarray | None
    facility_snap: Snap


def nearest_facility_nodes(
    net: Network,
    facilities: gpd.GeoDataFrame | Snap,
    *,
    cutoff_s: float | None = None,
    with_distance: bool = True,
) -> NodeAccess:
    """Time and identity of the nearest facility for every node, in one multi-source pass.

    Parameters
    ----------
    net : Network
    facilities : GeoDataFrame or Snap
        Facilities (any CRS), or their :class:`Snap` from :func:`snap_facilities`.
    cutoff_s : float, optional
        Stop the search at this time (seconds); farther nodes get ``inf`` and facility -1.
    with_distance : bool, default True
        Also compute the network distance along each fastest route.

    Returns
    -------
    NodeAccess
    """
    fs = facilities if isinstance(facilities, Snap) else snap_facilities(net, facilities)
    n = net.n_nodes
    fac = np.flatnonzero(fs.ok)
    m = len(fac)
    # reversed graph augmented with one virtual source per facility: virtual n+j -> node
    rg = net.rgraph
    data = np.r_[rg.data, fs.time_s[fac]]
    indices = np.r_[rg.indices, fs.node[fac]].astype(np.int32)
    indptr = np.r_[rg.indptr, rg.indptr[-1] + np.arange(1, m + 1)]
    aug = sparse.csr_array((data, indices, indptr), shape=(n + m, n + m))
    limit = np.inf if cutoff_s is None else float(cutoff_s)
    dist, pred, src = dijkstra(
        aug, directed=True, indices=n + np.arange(m), min_only=True, return_predecessors=True,
        limit=limit,
    )
    time_s = dist[:n]
    facility = np.full(n, -1, np.int64)
    reached = src[:n] >= 0
    facility[reached] = fac[src[:n][reached] - n]
    dist_m = None
    if with_distance:
        p = pred[:n].astype(np.int64)
        # the last hop into a virtual node is the facility leg: make it the root
        last = p >= n
        root_len = np.zeros(n)
        root_len[last] = fs.dist_m[fac[p[last] - n]]
        p[last] = -9999
        dist_m = _tree_distance(net, p, root_len)
        dist_m[~reached] = np.inf
    return NodeAccess(time_s=time_s, facility=facility, dist_m=dist_m, facility_snap=fs)


def nearest_facility(
    net: Network,
    origins: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    *,
    origin_id: str | None = None,
    facility_id: str | None = None,
    population: str | None = None,
    cutoff_s: float | None = None,
    max_snap_m: float = settings.SNAP_MAX_DISTANCE_M,
) -> pd.DataFrame:
    """Nearest facility, travel time and network distance for every origin.

    Parameters
    ----------
    net : Network
    origins, facilities : GeoDataFrame
        Points or polygons in any CRS (a layer without CRS raises :class:`GeoInputError`).
    origin_id, facility_id : str, optional
        Id columns (default: the index).
    population : str, optional
        Population column of ``origins`` copied to the result.
    cutoff_s : float, optional
        Search limit in seconds.
    max_snap_m : float, default settings.SNAP_MAX_DISTANCE_M
        Snapping limit for origins and facilities (metres).

    Returns
    -------
    pandas.DataFrame
        One row per origin, in order: ``origin_id``, ``facility_id`` (None when not reachable),
        ``time_s``, ``time_min``, ``dist_m``, ``snap_m`` (origin's off-network leg),
        ``snapped`` (False: too far from any road, reported, not dropped), and ``population``
        when asked.
    """
    if cutoff_s is not None:
        check_number(cutoff_s, name="cutoff_s")
    check_number(max_snap_m, name="max_snap_m")
    if facility_id is not None and facility_id in facilities.columns:
        check_unique_ids(facilities, facility_id, what="facility", first_row=1,
                         rows_word="features")
    fs = snap_facilities(net, facilities, max_snap_m=max_snap_m)
    acc = nearest_facility_nodes(net, fs, cutoff_s=cutoff_s)
    os_ = snap(net, origins, max_snap_m=max_snap_m, name="origins")
    fids = _ids(facilities, facility_id)
    node = np.where(os_.ok, os_.node, 0)
    t = np.where(os_.ok, acc.time_s[node] + os_.time_s, np.inf)
    d = np.where(os_.ok, acc.dist_m[node] + os_.dist_m, np.inf)
    f = np.where(os_.ok, acc.facility[node], -1)
    if cutoff_s is not None:
        beyond = t > cutoff_s
        t[beyond], d[beyond], f[beyond] = np.inf, np.inf, -1
    out = pd.DataFrame({
        "origin_id": _ids(origins, origin_id),
        "facility_id": np.where(f >= 0, fids[np.maximum(f, 0)], None),
        "time_s": t,
        "time_min": t / 60.0,
        "dist_m": d,
        "snap_m": os_.dist_m,
        "snapped": os_.ok,
    })
    if population is not None:
        if population not in origins.columns:
            raise GeoInputError(Msg("err.access.no_population", column=repr(population)),
                                path=origins.attrs.get("source"))
        out["population"] = origins[population].to_numpy()
    return out


# ------------------------------------------------------------------------------------------
# Matrices
# ------------------------------------------------------------------------------------------
@dataclass
class TravelMatrix:
    """Origin x facility travel times (and distances).

    Attributes
    ----------
    time_s : numpy.ndarray, shape (n_origins, n_facilities)
        Seconds, incl. both off-network legs; ``inf`` beyond the cutoff or unreachable
        (and for unsnapped origins or facilities).
    dist_m : numpy.ndarray or None
        Network distance along the fastest route, metres.
    origin_ids, facility_ids : numpy.ndarray
    origin_snap, facility_snap : Snap
    cutoff_s : float or None
    """

    time_s: np.ndarray
    dist_m: np.ndarray | None
    origin_ids: np.ndarray
    facility_ids: np.ndarray
    origin_snap: Snap
    facility_snap: Snap
    cutoff_s: float | None = None


def node_matrix(
    net: Network,
    origin_nodes: np.ndarray,
    facility_nodes: np.ndarray,
    *,
    cutoff_s: float | None = None,
    with_distance: bool = False,
    block: int = 32,
    progress: Progress | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Network time (and distance) from origin nodes to facility nodes.

    One bounded Dijkstra per distinct facility node on the reversed graph, ``block`` sources
    at a time.

    Returns
    -------
    time_s, dist_m : numpy.ndarray, shape (len(origin_nodes), len(facility_nodes))
        Seconds and metres (``inf`` beyond the cutoff); ``dist_m`` is None unless asked.
    """
    ufac, inv = np.unique(facility_nodes, return_inverse=True)
    limit = np.inf if cutoff_s is None else float(cutoff_s)
    T = np.empty((len(origin_nodes), len(ufac)))
    D = np.empty_like(T) if with_distance else None
    for i0 in range(0, len(ufac), block):
        src = ufac[i0 : i0 + block]
        res = dijkstra(net.rgraph, directed=True, indices=src, limit=limit,
                       return_predecessors=with_distance)
        if with_distance:
            dist, pred = res
            D[:, i0 : i0 + len(src)] = _reached_tree_distance(net, dist, pred, origin_nodes).T
        else:
            dist = res
        T[:, i0 : i0 + len(src)] = dist[:, origin_nodes].T
        if progress is not None:
            progress(min(i0 + block, len(ufac)), len(ufac))
    return T[:, inv], (D[:, inv] if with_distance else None)


def node_pairs(
    net: Network,
    origin_nodes: np.ndarray,
    facility_nodes: np.ndarray,
    *,
    limit_s: float | None = None,
    block: int = 32,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The origin x facility node pairs within a network time, as sparse arrays.

    One Dijkstra per distinct facility node on the reversed graph, stopped at ``limit_s``
    (``scipy`` ``limit=``): a bounded search settles only the nodes within the limit, and the
    distances are summed over them alone (:func:`_reached_tree_distance`), so the work
    follows the pairs kept, not origins x facilities. The values of the pairs are those of
    :func:`node_matrix` (same searches, same sums).

    Parameters
    ----------
    origin_nodes, facility_nodes : numpy.ndarray of int
        Network nodes (repeats allowed).
    limit_s : float, optional
        Network time limit (seconds); None: every reachable pair.
    block : int, default 32
        Searches per block.

    Returns
    -------
    origin, facility : numpy.ndarray of int64
        Positions in ``origin_nodes`` and ``facility_nodes`` of the pairs within the limit,
        by facility.
    time_s, dist_m : numpy.ndarray of float64
        Network time (s) and distance along that route (m) of each pair.
    """
    origin_nodes = np.asarray(origin_nodes, np.int64)
    ufac, inv = np.unique(np.asarray(facility_nodes, np.int64), return_inverse=True)
    limit = np.inf if limit_s is None else float(limit_s)
    parts = []
    for i0 in range(0, len(ufac), block):
        src = ufac[i0 : i0 + block]
        dist, pred = dijkstra(net.rgraph, directed=True, indices=src, limit=limit,
                              return_predecessors=True)
        T = dist[:, origin_nodes]
        D = _reached_tree_distance(net, dist, pred, origin_nodes)
        r, o = np.nonzero(np.isfinite(T))
        parts.append((i0 + r, o, T[r, o], D[r, o]))
    u, o, t, d = (np.concatenate([p[i] for p in parts]) if parts else np.zeros(0)
                  for i in range(4))
    # pairs of each distinct node -> pairs of each facility at it
    start = np.r_[0, np.cumsum(np.bincount(u.astype(np.int64), minlength=len(ufac)))]
    lens = np.diff(start)[inv]
    take = np.repeat(start[inv] - np.r_[0, np.cumsum(lens)[:-1]], lens) + np.arange(lens.sum())
    fac = np.repeat(np.arange(len(inv)), lens)
    return o[take].astype(np.int64), fac, t[take].astype(np.float64), d[take].astype(np.float64)


def travel_time_matrix(  # noqa: PLR0913  keyword-only options of a public entry point
    net: Network,
    origins: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    *,
    origin_id: str | None = None,
    facility_id: str | None = None,
    cutoff_s: float | None = settings.MATRIX_CUTOFF_S,
    with_distance: bool = True,
    max_snap_m: float = settings.SNAP_MAX_DISTANCE_M,
    progress: Progress | None = None,
) -> TravelMatrix:
    """Origin x facility travel times within a cutoff.

    Parameters
    ----------
    net : Network
    origins, facilities : GeoDataFrame
        Any CRS; polygons use their representative point.
    origin_id, facility_id : str, optional
        Id columns (default: the index).
    cutoff_s : float or None, default settings.MATRIX_CUTOFF_S (3600)
        Times above this (seconds, incl. off-network legs) are ``inf``. None: no limit.
    with_distance : bool, default True
        Also return network distances (metres).
    max_snap_m : float, default settings.SNAP_MAX_DISTANCE_M
        Snapping limit (metres).
    progress : callable(done, total), optional
        Called after each block of searches.

    Returns
    -------
    TravelMatrix
    """
    fs = snap_facilities(net, facilities, max_snap_m=max_snap_m)
    os_ = snap(net, origins, max_snap_m=max_snap_m, name="origins")
    onode = np.where(os_.ok, os_.node, 0)
    fnode = np.where(fs.ok, fs.node, 0)
    T, D = node_matrix(net, onode, fnode, cutoff_s=cutoff_s, with_distance=with_distance,
                       progress=progress)
    T = T + os_.time_s[:, None] + fs.time_s[None, :]
    if D is not None:
        D = D + os_.dist_m[:, None] + fs.dist_m[None, :]
    bad = ~os_.ok[:, None] | ~fs.ok[None, :]
    if cutoff_s is not None:
        bad = bad | (T > cutoff_s)
    T[bad] = np.inf
    if D is not None:
        D[bad] = np.inf
    return TravelMatrix(
        time_s=T, dist_m=D, origin_ids=_ids(origins, origin_id),
        facility_ids=_ids(facilities, facility_id), origin_snap=os_, facility_snap=fs,
        cutoff_s=cutoff_s,
    )


def k_nearest(matrix: TravelMatrix, k: int = 3) -> pd.DataFrame:
    """The ``k`` nearest facilities of every origin from a travel matrix.

    Returns
    -------
    pandas.DataFrame
        Long table: ``origin_id``, ``rank`` (1 = nearest), ``facility_id``, ``time_s``,
        ``dist_m``; only reachable pairs within the matrix cutoff.
    """
    T = matrix.time_s
    k = min(k, T.shape[1])
    part = np.argpartition(T, k - 1, axis=1)[:, :k] if k < T.shape[1] else np.tile(
        np.arange(T.shape[1]), (T.shape[0], 1))
    tk = np.take_along_axis(T, part, axis=1)
    order = np.argsort(tk, axis=1, kind="stable")
    part = np.take_along_axis(part, order, axis=1)
    tk = np.take_along_axis(tk, order, axis=1)
    dk = (np.take_along_axis(matrix.dist_m, part, axis=1) if matrix.dist_m is not None
          else np.full_like(tk, np.nan))
    n = T.shape[0]
    out = pd.DataFrame({
        "origin_id": np.repeat(matrix.origin_ids, k),
        "rank": np.tile(np.arange(1, k + 1), n),
        "facility_id": matrix.facility_ids[part.ravel()],
        "time_s": tk.ravel(),
        "dist_m": dk.ravel(),
    })
    return out[np.isfinite(out["time_s"])].reset_index(drop=True)


# ------------------------------------------------------------------------------------------
# Catchments and isochrones
# ------------------------------------------------------------------------------------------
def catchments(
    nearest: pd.DataFrame,
    *,
    facility_ids: Sequence | None = None,
    origins: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame | gpd.GeoDataFrame:
    """Catchment of each facility: the origins for which it is the nearest.

    Parameters
    ----------
    nearest : pandas.DataFrame
        From :func:`nearest_facility`.
    facility_ids : sequence, optional
        All facility ids, so that facilities nearest to nobody appear with zeros.
    origins : GeoDataFrame, optional
        The origins (same order as ``nearest``); when given, the result carries the union of
        each catchment's origin geometries (in the origins' CRS).

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        One row per facility: ``facility_id``, ``n_origins``, ``population`` (when
        ``nearest`` has it), ``mean_time_min`` (population-weighted when possible),
        ``max_time_min``.
    """
    df = nearest[nearest["facility_id"].notna()].copy()
    w = df["population"] if "population" in df else pd.Series(1.0, index=df.index)
    df["_w"] = w.astype(float)
    df["_wt"] = df["_w"] * df["time_min"]
    g = df.groupby("facility_id")
    out = pd.DataFrame({
        "n_origins": g.size(),
        "mean_time_min": g["_wt"].sum() / g["_w"].sum().replace(0, np.nan),
        "max_time_min": g["time_min"].max(),
    })
    if "population" in df:
        out.insert(1, "population", g["_w"].sum())
    if facility_ids is not None:
        out = out.reindex(pd.Index(facility_ids, name="facility_id"))
        out["n_origins"] = out["n_origins"].fillna(0).astype(int)
        if "population" in out:
            out["population"] = out["population"].fillna(0.0)
    out = out.rename_axis("facility_id").reset_index()
    if origins is not None:
        geo = gpd.GeoSeries(origins.geometry.values, crs=origins.crs)
        fid = nearest["facility_id"].to_numpy()
        dissolved = geo[pd.notna(fid)].groupby(fid[pd.notna(fid)]).agg(
            lambda s: shapely.union_all(s.values))
        out = gpd.GeoDataFrame(
            out, geometry=out["facility_id"].map(dissolved).to_numpy(), crs=origins.crs
        )
    return out


def isochrones(
    net: Network,
    facilities: gpd.GeoDataFrame,
    *,
    minutes: Sequence[float] = (10, 20, 30),
    facility_id: str | None = None,
    buffer_m: float = 250.0,
    combined: bool = False,
) -> gpd.GeoDataFrame:
    """Isochrone polygons: the area from which a facility is reached within each time.

    The reached part of the road network (whole edges, plus the reachable fraction of edges
    at the boundary) is buffered by ``buffer_m`` and merged; the result is the area within
    roughly ``buffer_m`` of a road from which the facility can be reached in time (the
    off-network walk is not added).

    Parameters
    ----------
    net : Network
    facilities : GeoDataFrame
    minutes : sequence of float, default (10, 20, 30)
        Travel-time limits (minutes).
    facility_id : str, optional
        Id column (default the index).
    buffer_m : float, default 250
        Buffer around reached roads, metres.
    combined : bool, default False
        One polygon per limit for all facilities together (the area within X minutes of the
        nearest facility) instead of one per facility and limit.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``facility_id`` (None when combined), ``minutes``, ``geometry`` in the
        network CRS; larger limits first so that smaller ones draw on top.
    """
    fs = snap_facilities(net, facilities)
    fids = _ids(facilities, facility_id)
    mins = sorted({float(m) for m in minutes}, reverse=True)
    limit = mins[0] * 60.0
    u = net.edges["u"].to_numpy()
    v = net.edges["v"].to_numpy()
    et = net.edges["time_s"].to_numpy()
    lines = shapely.linestrings(
        net.geom_xy, indices=np.repeat(np.arange(len(net.edges)), np.diff(net.geom_offsets))
    )
    rows = []
    if combined:
        acc = nearest_facility_nodes(net, fs, cutoff_s=limit, with_distance=False)
        groups = [(None, acc.time_s)]
    else:
        ok = np.flatnonzero(fs.ok)
        dist = dijkstra(net.rgraph, directed=True, indices=fs.node[ok], limit=limit)
        dist = dist + fs.time_s[ok][:, None]
        groups = [(fids[j], dist[i]) for i, j in enumerate(ok)]
    for fid, t in groups:
        for m in mins:
            budget = m * 60.0
            geom = _reached_area(lines, u, v, et, t, budget, buffer_m)
            rows.append({"facility_id": fid, "minutes": m, "geometry": geom})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=net.crs)


def _reached_area(lines, u, v, et, t, budget, buffer_m):
    tu, tv = t[u], t[v]
    full = (tu <= budget) & (tv <= budget)
    part_u = (tu <= budget) & ~full  # reached from u's side only
    part_v = (tv <= budget) & ~full
    pieces = list(lines[full])
    if part_u.any() or part_v.any():
        # fraction of the edge reachable from its reached end (time is uniform along an edge)
        for mask, tt, from_start in ((part_u, tu, True), (part_v, tv, False)):
            idx = np.flatnonzero(mask)
            if len(idx) == 0:
                continue
            frac = np.clip((budget - tt[idx]) / np.maximum(et[idx], 1e-9), 0, 1)
            ln = lines[idx]
            length = shapely.length(ln)
            d = frac * length
            if from_start:
                starts, ends = np.zeros_like(d), d
            else:
                starts, ends = length - d, length
            pieces += [
                shapely.ops.substring(g, s, e) for g, s, e in zip(ln, starts, ends, strict=True)
            ]
    if not pieces:
        return shapely.Polygon()
    # buffering each piece then merging is ~100x faster than buffering one big multilinestring
    geoms = shapely.simplify(np.asarray(pieces, dtype=object), 10.0)
    return shapely.union_all(shapely.buffer(geoms, buffer_m, quad_segs=3))
