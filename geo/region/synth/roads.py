"""The demo region's road mesh, its hierarchy, ways and tags."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import Delaunay, cKDTree

from geo.region.synth.common import (
    _STREETS,
    HIGHWAYS,
    PRIMARY,
    RESIDENTIAL,
    SECONDARY,
    SERVICE,
    TERTIARY,
    TRACK,
    UNCLASSIFIED,
    Scale,
    _Field,
)

#: Wiggle amplitude (share of edge length, cap in metres) and spacing of shape nodes (metres).
_WIGGLE = {PRIMARY: (0.02, 60.0), SECONDARY: (0.03, 70.0), TERTIARY: (0.045, 90.0),
           UNCLASSIFIED: (0.05, 100.0), RESIDENTIAL: (0.0, 0.0), TRACK: (0.07, 120.0),
           SERVICE: (0.03, 20.0)}


_SHAPE_STEP = {PRIMARY: 150.0, SECONDARY: 150.0, TERTIARY: 170.0, UNCLASSIFIED: 180.0,
               RESIDENTIAL: 1e9, TRACK: 200.0, SERVICE: 120.0}


def _mesh_points(rng, sc: Scale, outline, forest: _Field, st: pd.DataFrame):
    """Junction points: town/village street grids, hamlets, jittered rural points."""
    xs, ys, kind, sid, gi, gj = [], [], [], [], [], []
    for k, s in st.iterrows():
        if s["kind"] == "hamlet":
            xs.append([s["x"]])
            ys.append([s["y"]])
            kind.append([2])
            sid.append([k])
            gi.append([0])
            gj.append([0])
            continue
        sp, r = s["spacing"], s["radius"]
        n = int(math.ceil(r / sp)) + 1
        i, j = np.meshgrid(np.arange(-n, n + 1), np.arange(-n, n + 1), indexing="ij")
        i, j = i.ravel(), j.ravel()
        u = i * sp + rng.uniform(-0.12, 0.12, i.size) * sp
        v = j * sp + rng.uniform(-0.12, 0.12, i.size) * sp
        ang = np.arctan2(v, u)
        rr = r * (1 + 0.18 * np.cos(3 * ang + rng.uniform(0, 6.3)) + 0.1 * np.cos(
            5 * ang + rng.uniform(0, 6.3)))
        rr = np.maximum(rr, 1.25 * sp)
        keep = np.hypot(i * sp, j * sp) <= rr
        keep |= (i == 0) & (j == 0)
        i, j, u, v = i[keep], j[keep], u[keep], v[keep]
        ca, sa = math.cos(s["angle"]), math.sin(s["angle"])
        xs.append(s["x"] + ca * u - sa * v)
        ys.append(s["y"] + sa * u + ca * v)
        kind.append(np.ones(len(i), int))
        sid.append(np.full(len(i), k))
        gi.append(i)
        gj.append(j)
    g = sc.mesh_spacing_m
    x0, y0, x1, y1 = outline.bounds
    mx, my = np.meshgrid(np.arange(x0, x1, g), np.arange(y0, y1, g))
    rx = mx.ravel() + rng.uniform(0.05, 0.95, mx.size) * g
    ry = my.ravel() + rng.uniform(0.05, 0.95, mx.size) * g
    f = forest(rx, ry)
    keep = rng.uniform(size=rx.size) < np.where(f > 0.1, 0.78, 0.5)
    keep &= shapely.contains_xy(outline.buffer(-150), rx, ry)
    rx, ry = rx[keep], ry[keep]
    d, i = cKDTree(st[["x", "y"]].to_numpy()).query(np.column_stack([rx, ry]))
    ok = d > st["radius"].to_numpy()[i] + np.where(st["kind"].to_numpy()[i] == "hamlet",
                                                   0.5 * g, 0.7 * g)
    rx, ry = rx[ok], ry[ok]
    pts = pd.DataFrame({
        "x": np.r_[np.concatenate(xs), rx], "y": np.r_[np.concatenate(ys), ry],
        "kind": np.r_[np.concatenate(kind), np.zeros(len(rx), int)],
        "sid": np.r_[np.concatenate(sid), np.full(len(rx), -1)],
        "gi": np.r_[np.concatenate(gi), np.zeros(len(rx), int)],
        "gj": np.r_[np.concatenate(gj), np.zeros(len(rx), int)],
    })
    return pts


def _rng_edges(xy: np.ndarray) -> np.ndarray:
    """Edges of (a superset of) the relative neighbourhood graph, via the Delaunay triangulation.

    A Delaunay edge is dropped when one of the two vertices opposite it lies in its lune
    (closer to both ends than they are to each other). The result is planar, connected (it
    holds the Euclidean minimum spanning tree) and has few small angles: a road-like mesh.
    """
    n = len(xy)
    tri = Delaunay(xy).simplices
    a = tri.ravel()
    b = tri[:, [1, 2, 0]].ravel()
    c = tri[:, [2, 0, 1]].ravel()
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    key = lo.astype(np.int64) * n + hi
    d2 = lambda p, q: ((xy[p] - xy[q]) ** 2).sum(1)  # noqa: E731
    fail = np.maximum(d2(c, lo), d2(c, hi)) < d2(lo, hi)
    ukey, inv = np.unique(key, return_inverse=True)
    bad = np.bincount(inv, weights=fail, minlength=len(ukey)) > 0
    ukey = ukey[~bad]
    return np.column_stack([ukey // n, ukey % n])


def _grid_edges(pts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """4-neighbour street grid edges inside each settlement; returns edges and line keys."""
    g = pts[pts["kind"] == 1]
    idx = pd.Series(g.index.to_numpy(), index=pd.MultiIndex.from_arrays(
        [g["sid"], g["gi"], g["gj"]]))
    out, keys = [], []
    for di, dj, o in ((1, 0, 0), (0, 1, 1)):
        nb = pd.MultiIndex.from_arrays([g["sid"], g["gi"] + di, g["gj"] + dj])
        other = idx.reindex(nb).to_numpy()
        ok = ~np.isnan(other.astype(float))
        a = g.index.to_numpy()[ok]
        b = other[ok].astype(np.int64)
        out.append(np.column_stack([a, b]))
        line = (g["gj"] if o == 0 else g["gi"]).to_numpy()[ok]
        keys.append(np.column_stack([g["sid"].to_numpy()[ok], np.full(ok.sum(), o), line]))
    return np.concatenate(out), np.concatenate(keys)


def _components_join(xy: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Extra edges joining every connected component to the largest one (nearest points)."""
    n = len(xy)
    extra = []
    while True:
        e = np.r_[edges, np.asarray(extra, np.int64).reshape(-1, 2)]
        g = sparse.coo_array((np.ones(len(e)), (e[:, 0], e[:, 1])), shape=(n, n))
        nc, lab = csgraph.connected_components(g, directed=False)
        if nc == 1:
            return np.asarray(extra, np.int64).reshape(-1, 2)
        big = np.bincount(lab).argmax()
        main = np.flatnonzero(lab == big)
        tree = cKDTree(xy[main])
        for c in range(nc):
            if c == big:
                continue
            mem = np.flatnonzero(lab == c)
            d, j = tree.query(xy[mem])
            k = int(np.argmin(d))
            extra.append((int(mem[k]), int(main[j[k]])))


class _EdgeIndex:
    """Vectorised lookup of an undirected edge's row from its two end nodes."""

    def __init__(self, edges: np.ndarray, n: int):
        self.n = n
        key = np.minimum(edges[:, 0], edges[:, 1]) * n + np.maximum(edges[:, 0], edges[:, 1])
        self.order = np.argsort(key, kind="stable")
        self.key = key[self.order]

    def __call__(self, a, b) -> np.ndarray:
        a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
        k = np.minimum(a, b) * self.n + np.maximum(a, b)
        return self.order[np.searchsorted(self.key, k)]


def _routes(graph, index: _EdgeIndex, pairs, xy) -> list[np.ndarray]:
    """Shortest paths (node sequences) for (source, target) node pairs."""
    out = [None] * len(pairs)
    by_src: dict[int, list[int]] = {}
    for k, (s, _t) in enumerate(pairs):
        by_src.setdefault(int(s), []).append(k)
    for s, ks in by_src.items():
        targets = [int(pairs[k][1]) for k in ks]
        lim = 2.5 * max(float(np.hypot(*(xy[t] - xy[s]))) for t in targets) + 3000.0
        dist, pred = csgraph.dijkstra(graph, indices=s, return_predecessors=True, limit=lim)
        if not all(np.isfinite(dist[t]) for t in targets):
            dist, pred = csgraph.dijkstra(graph, indices=s, return_predecessors=True)
        for k, t in zip(ks, targets, strict=True):
            path = [t]
            while path[-1] != s and path[-1] >= 0:
                path.append(int(pred[path[-1]]))
            out[k] = np.asarray(path[::-1], np.int64)
    return out


def _mst_pairs(xy: np.ndarray) -> np.ndarray:
    """Edges of the Euclidean minimum spanning tree of a point set (as index pairs)."""
    if len(xy) < 2:
        return np.zeros((0, 2), np.int64)
    if len(xy) <= 3:
        d = np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1))
    else:
        e = _rng_edges(xy)
        d = sparse.coo_array((np.hypot(*(xy[e[:, 0]] - xy[e[:, 1]]).T), (e[:, 0], e[:, 1])),
                             shape=(len(xy), len(xy))).tocsr()
    t = csgraph.minimum_spanning_tree(d).tocoo()
    return np.column_stack([t.row, t.col]).astype(np.int64)


def _build_mesh(rng, sc: Scale, outline, forest: _Field, st: pd.DataFrame):
    """Road mesh nodes and edges with classes, names of route refs and street lines."""
    pts = _mesh_points(rng, sc, outline, forest, st)
    xy = pts[["x", "y"]].to_numpy(copy=True)
    n = len(xy)
    e = _rng_edges(xy)
    same_town = (pts["kind"].to_numpy()[e[:, 0]] == 1) & (pts["kind"].to_numpy()[e[:, 1]] == 1) & (
        pts["sid"].to_numpy()[e[:, 0]] == pts["sid"].to_numpy()[e[:, 1]])
    e = e[~same_town]
    ge, gkey = _grid_edges(pts)
    edges = np.r_[ge, e]
    line = np.r_[gkey, np.full((len(e), 3), -1)]
    # thin the rural mesh: keep the spanning tree, drop some other edges
    length = np.hypot(*(xy[edges[:, 0]] - xy[edges[:, 1]]).T)
    mid = (xy[edges[:, 0]] + xy[edges[:, 1]]) / 2
    fmid = forest(mid[:, 0], mid[:, 1])
    g = sparse.coo_array((length + 1e-3, (edges[:, 0], edges[:, 1])), shape=(n, n)).tocsr()
    mst = csgraph.minimum_spanning_tree(g).tocoo()
    on_mst = np.zeros(len(edges), bool)
    on_mst[_EdgeIndex(edges, n)(mst.row, mst.col)] = True
    is_grid = line[:, 0] >= 0
    drop = (~on_mst) & (~is_grid) & (rng.uniform(size=len(edges)) < np.where(fmid > 0.1, 0.2, 0.3))
    edges, line, length, fmid = edges[~drop], line[~drop], length[~drop], fmid[~drop]
    extra = _components_join(xy, edges)
    if len(extra):
        edges = np.r_[edges, extra]
        line = np.r_[line, np.full((len(extra), 3), -1)]
        length = np.r_[length, np.hypot(*(xy[extra[:, 0]] - xy[extra[:, 1]]).T)]
        m2 = (xy[extra[:, 0]] + xy[extra[:, 1]]) / 2
        fmid = np.r_[fmid, forest(m2[:, 0], m2[:, 1])]
    index = _EdgeIndex(edges, n)
    # routing weights: forests avoided by main roads
    # routing weights: forests avoided by main roads; in towns and villages main roads follow
    # the two axes of the street grid (they cross at the centre) instead of zigzagging
    w = length * np.where(fmid > 0.1, 1.3, 1.0)
    gi_, gj_ = pts["gi"].to_numpy(), pts["gj"].to_numpy()
    axis = ((gi_[edges[:, 0]] == 0) & (gi_[edges[:, 1]] == 0)) | (
        (gj_[edges[:, 0]] == 0) & (gj_[edges[:, 1]] == 0))
    is_grid = line[:, 0] >= 0
    w = np.where(is_grid, length * np.where(axis, 0.6, 1.8), w)
    graph = sparse.coo_array((np.r_[w, w], (np.r_[edges[:, 0], edges[:, 1]],
                                            np.r_[edges[:, 1], edges[:, 0]])),
                             shape=(n, n)).tocsr()
    # the node nearest each settlement centre
    centre = np.zeros(len(st), np.int64)
    gmask = pts["kind"].to_numpy() >= 1
    key = pd.Series(np.flatnonzero(gmask), index=pd.MultiIndex.from_arrays(
        [pts["sid"].to_numpy()[gmask], pts["gi"].to_numpy()[gmask], pts["gj"].to_numpy()[gmask]]))
    centre[:] = key.reindex(pd.MultiIndex.from_arrays(
        [np.arange(len(st)), np.zeros(len(st), int), np.zeros(len(st), int)])).to_numpy()
    kind = st["kind"].to_numpy()
    towns = np.flatnonzero(kind == "town")
    vil = np.flatnonzero(kind == "village")
    ham = np.flatnonzero(kind == "hamlet")
    sxy = st[["x", "y"]].to_numpy()
    # exits: rural points nearest random points of the outline
    rural = np.flatnonzero(pts["kind"].to_numpy() == 0)
    ang = np.sort(rng.uniform(0, 2 * np.pi, sc.n_exits))
    ring = outline.exterior
    far = np.array([ring.interpolate(a / (2 * np.pi), normalized=True).coords[0] for a in ang])
    exits = rural[cKDTree(xy[rural]).query(far)[1]]
    cls = np.full(len(edges), 99, np.int64)
    route_id = np.full(len(edges), -1, np.int64)
    rpairs: list[tuple[int, int, int]] = []
    for a, b in _mst_pairs(sxy[towns]):
        rpairs.append((centre[towns[a]], centre[towns[b]], PRIMARY))
    if len(towns) >= 3:  # one extra link: the main town to its second-nearest town
        d = np.hypot(*(sxy[towns[1:]] - sxy[towns[0]]).T)
        rpairs.append((centre[towns[0]], centre[towns[1:][np.argsort(d)[1]]], PRIMARY))
    tnear = cKDTree(sxy[towns]).query(xy[exits])[1]
    for k, ex in enumerate(exits):
        rpairs.append((centre[towns[tnear[k]]], ex, PRIMARY if k % 2 == 0 else SECONDARY))
    big = np.r_[towns, vil[st["pop"].to_numpy()[vil] >= 350]]
    for a, b in _mst_pairs(sxy[big]):
        rpairs.append((centre[big[a]], centre[big[b]], SECONDARY))
    tv = np.r_[towns, vil]
    for a, b in _mst_pairs(sxy[tv]):
        rpairs.append((centre[tv[a]], centre[tv[b]], TERTIARY))
    vh = np.r_[tv, ham]
    for a, b in _mst_pairs(sxy[vh]):
        if vh[a] in ham or vh[b] in ham:
            rpairs.append((centre[vh[a]], centre[vh[b]], UNCLASSIFIED))
    paths = _routes(graph, index, [(a, b) for a, b, _ in rpairs], xy)
    for r, ((_a, _b, c), p) in enumerate(zip(rpairs, paths, strict=True)):
        if len(p) < 2:
            continue
        eid = index(p[:-1], p[1:])
        better = c < cls[eid]
        cls[eid[better]] = c
        route_id[eid[better]] = r
    # smooth primary and secondary routes through rural points
    kind_pt = pts["kind"].to_numpy()
    for _ in range(2):
        for (_a, _b, c), p in zip(rpairs, paths, strict=True):
            if c > SECONDARY or len(p) < 3:
                continue
            mid_ = p[1:-1]
            mv = kind_pt[mid_] == 0
            new = 0.5 * xy[mid_] + 0.25 * (xy[p[:-2]] + xy[p[2:]])
            xy[mid_[mv]] = new[mv]
    # the rest: streets in settlements, forest tracks, field roads
    rest = cls == 99
    in_set = line[:, 0] >= 0
    both_grid = (kind_pt[edges[:, 0]] == 1) & (kind_pt[edges[:, 1]] == 1)
    cls[rest & (in_set | both_grid)] = RESIDENTIAL
    rest = cls == 99
    deg_ham = (kind_pt[edges[:, 0]] == 2) | (kind_pt[edges[:, 1]] == 2)
    u = rng.uniform(size=len(edges))
    cls[rest] = np.where(fmid[rest] > 0.1, np.where(u[rest] < 0.08, UNCLASSIFIED, TRACK),
                         np.where((u[rest] < 0.42) | deg_ham[rest], UNCLASSIFIED, TRACK))
    zone = np.where(
        (pts["sid"].to_numpy()[edges[:, 0]] == pts["sid"].to_numpy()[edges[:, 1]])
        & (kind_pt[edges[:, 0]] == 1) & (kind_pt[edges[:, 1]] == 1),
        pts["sid"].to_numpy()[edges[:, 0]], -1)
    pts["x"], pts["y"] = xy[:, 0], xy[:, 1]
    return {
        "pts": pts, "edges": edges, "cls": cls, "zone": zone, "line": line,
        "route_id": route_id, "routes": rpairs, "centre": centre,
    }


def _roundabout(mesh: dict, st: pd.DataFrame) -> None:
    """Replace the main town's central crossing with a roundabout (8 nodes, radius 22 m)."""
    pts, edges = mesh["pts"], mesh["edges"]
    c = int(mesh["centre"][0])
    inc = np.flatnonzero((edges[:, 0] == c) | (edges[:, 1] == c))
    if len(inc) < 3:
        return
    cx, cy = pts.at[c, "x"], pts.at[c, "y"]
    k = 8
    th = st.at[0, "angle"] + np.pi / k + 2 * np.pi * np.arange(k) / k
    n0 = len(pts)
    ring = pd.DataFrame({"x": cx + 22 * np.cos(th), "y": cy + 22 * np.sin(th), "kind": 3,
                         "sid": 0, "gi": 0, "gj": 0}, index=np.arange(n0, n0 + k))
    mesh["pts"] = pts = pd.concat([pts, ring])
    used = set()
    for e in inc:
        o = edges[e, 1] if edges[e, 0] == c else edges[e, 0]
        phi = math.atan2(pts.at[o, "y"] - cy, pts.at[o, "x"] - cx)
        dif = np.abs((th - phi + np.pi) % (2 * np.pi) - np.pi)
        for j in np.argsort(dif):
            if int(j) not in used:
                used.add(int(j))
                break
        edges[e, 0 if edges[e, 0] == c else 1] = n0 + j
    top = int(mesh["cls"][inc].min())
    ring_e = np.column_stack([n0 + np.arange(k), n0 + (np.arange(k) + 1) % k])  # CCW
    mesh["edges"] = np.r_[edges, ring_e]
    mesh["cls"] = np.r_[mesh["cls"], np.full(k, top)]
    mesh["zone"] = np.r_[mesh["zone"], np.full(k, -2)]  # -2: roundabout
    mesh["line"] = np.r_[mesh["line"], np.full((k, 3), -1)]
    mesh["route_id"] = np.r_[mesh["route_id"], np.full(k, -1)]
    mesh["dead"] = np.array([c])


def _curve(xy_a, xy_b, amp, c1, c2, t):
    """Points at parameters ``t`` of the wiggled curves of edges (vectorised over rows)."""
    d = xy_b - xy_a
    nrm = np.column_stack([-d[:, 1], d[:, 0]])
    nrm /= np.maximum(np.hypot(*nrm.T), 1e-9)[:, None]
    off = amp * (c1 * np.sin(np.pi * t) + c2 * np.sin(2 * np.pi * t))
    return xy_a + d * t[:, None] + nrm * off[:, None]


def _dead_ends(rng, sc: Scale, outline, forest: _Field, st: pd.DataFrame) -> np.ndarray:
    """Ends of dead-end forest and field tracks (jittered grid, dense in forests), metres."""
    g = 600.0
    x0, y0, x1, y1 = outline.bounds
    gx, gy = np.meshgrid(np.arange(x0, x1, g), np.arange(y0, y1, g))
    x = gx.ravel() + rng.uniform(0.1, 0.9, gx.size) * g
    y = gy.ravel() + rng.uniform(0.1, 0.9, gy.size) * g
    p = np.where(forest(x, y) > 0.1, 0.45, 0.08)
    keep = (rng.uniform(size=x.size) < p) & shapely.contains_xy(outline.buffer(-200), x, y)
    x, y = x[keep], y[keep]
    d, i = cKDTree(st[["x", "y"]].to_numpy()).query(np.column_stack([x, y]))
    ok = d > st["radius"].to_numpy()[i] + 400
    return np.column_stack([x[ok], y[ok]])


def _segments(rng, mesh: dict, farms: pd.DataFrame, dead_ends: np.ndarray):
    """Split edges where tracks join, add the tracks (to farmsteads and dead-end forest
    tracks), lay out shape nodes.

    Returns node coordinates (with kinds) and segments with their polylines.
    """
    pts, edges, cls = mesh["pts"], mesh["edges"], mesh["cls"]
    xy = pts[["x", "y"]].to_numpy()
    ne = len(edges)
    a_xy, b_xy = xy[edges[:, 0]], xy[edges[:, 1]]
    length = np.hypot(*(b_xy - a_xy).T)
    frac = np.array([_WIGGLE[c][0] for c in range(7)])[cls]
    cap = np.array([_WIGGLE[c][1] for c in range(7)])[cls]
    amp = np.minimum(frac * length, cap)
    amp[mesh["zone"] == -2] = 0.0
    c1 = rng.uniform(-1, 1, ne)
    c2 = rng.uniform(-0.5, 0.5, ne)
    # farms: nearest point on a road curve (dense samples)
    m = np.maximum(1, np.ceil(length / 50.0)).astype(np.int64)
    m[mesh["zone"] == -2] = 0
    se = np.repeat(np.arange(ne), m)
    st_ = (np.arange(m.sum()) - np.repeat(np.cumsum(m) - m, m) + 0.5) / np.repeat(m, m)
    sxy = _curve(a_xy[se], b_xy[se], amp[se], c1[se], c2[se], st_)
    fxy = np.r_[farms[["x", "y"]].to_numpy(), dead_ends]
    n_spur = len(fxy)
    _, j = cKDTree(sxy).query(fxy)
    fe, ft = se[j], np.clip(st_[j], 0.1, 0.9)
    order = np.lexsort((ft, fe))
    fe, ft, ford = fe[order], ft[order], order
    # merge attachments closer than 25 m on the same edge
    new_node = np.empty(len(fe), np.int64)
    n_nodes = len(xy)
    att_e, att_t = [], []
    for k in range(len(fe)):
        if k and fe[k] == fe[k - 1] and (ft[k] - ft[k - 1]) * length[fe[k]] < 25.0:
            new_node[k] = new_node[k - 1]
            continue
        new_node[k] = n_nodes + len(att_e)
        att_e.append(fe[k])
        att_t.append(ft[k])
    att_e = np.asarray(att_e, np.int64)
    att_t = np.asarray(att_t, np.float64)
    att_xy = _curve(a_xy[att_e], b_xy[att_e], amp[att_e], c1[att_e], c2[att_e], att_t)
    farm_node0 = n_nodes + len(att_e)
    spur_nodes = farm_node0 + np.arange(n_spur)
    farm_nodes = spur_nodes[: len(farms)]
    # knots per edge: 0, attachments, 1
    k_e = np.r_[np.arange(ne), att_e, np.arange(ne)]
    k_t = np.r_[np.zeros(ne), att_t, np.ones(ne)]
    k_n = np.r_[edges[:, 0], n_nodes + np.arange(len(att_e)), edges[:, 1]]
    o = np.lexsort((k_t, k_e))
    k_e, k_t, k_n = k_e[o], k_t[o], k_n[o]
    same = k_e[:-1] == k_e[1:]
    seg_e = k_e[:-1][same]
    seg = {
        "a": k_n[:-1][same], "b": k_n[1:][same], "t0": k_t[:-1][same], "t1": k_t[1:][same],
        "parent": seg_e, "cls": cls[seg_e], "zone": mesh["zone"][seg_e],
        "route": mesh["route_id"][seg_e], "line": mesh["line"][seg_e],
    }
    # farm tracks
    fcls = np.r_[np.where(rng.uniform(size=len(farms)) < 0.75, TRACK, SERVICE),
                 np.full(len(dead_ends), TRACK)]
    attach_of_farm = np.empty(n_spur, np.int64)
    attach_of_farm[ford] = new_node
    spur = {
        "a": attach_of_farm, "b": spur_nodes, "t0": np.zeros(n_spur),
        "t1": np.ones(n_spur), "parent": np.full(n_spur, -1), "cls": fcls,
        "zone": np.full(n_spur, -1), "route": np.full(n_spur, -1),
        "line": np.full((n_spur, 3), -1),
    }
    # node table: mesh nodes, attachments, farm yards
    node_xy = np.r_[xy, att_xy, fxy]
    node_kind = np.r_[pts["kind"].to_numpy(), np.full(len(att_e), 5), np.full(len(farms), 6),
                      np.full(len(dead_ends), 8)]
    segs = {k: np.concatenate([seg[k], spur[k]]) for k in seg}
    # shape nodes
    ns = len(segs["a"])
    par = segs["parent"]
    pa = np.where(par >= 0, par, 0)
    sa_xy = np.where((par >= 0)[:, None], a_xy[pa], node_xy[segs["a"]])
    sb_xy = np.where((par >= 0)[:, None], b_xy[pa], node_xy[segs["b"]])
    s_amp = np.where(par >= 0, amp[pa], 0.0)
    spur_len = np.hypot(*(node_xy[segs["b"]] - node_xy[segs["a"]]).T)
    s_amp[par < 0] = np.minimum(0.08 * spur_len[par < 0], 25.0)
    s_c1 = np.where(par >= 0, c1[pa], rng.uniform(-1, 1, ns))
    s_c2 = np.where(par >= 0, c2[pa], 0.0)
    seglen = np.hypot(*(sb_xy - sa_xy).T) * (segs["t1"] - segs["t0"])
    step = np.array([_SHAPE_STEP[c] for c in range(7)])[segs["cls"]]
    k = np.floor(seglen / step).astype(np.int64)
    k[segs["zone"] == -2] = 0
    rep = np.repeat(np.arange(ns), k)
    jj = np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k) + 1
    tt = segs["t0"][rep] + (segs["t1"] - segs["t0"])[rep] * jj / (k[rep] + 1)
    shape_xy = _curve(sa_xy[rep], sb_xy[rep], s_amp[rep], s_c1[rep], s_c2[rep], tt)
    shape0 = len(node_xy)
    node_xy = np.r_[node_xy, shape_xy]
    node_kind = np.r_[node_kind, np.full(len(shape_xy), 7)]
    # polylines: a, shapes..., b
    plen = k + 2
    poff = np.r_[0, np.cumsum(plen)]
    poly = np.empty(poff[-1], np.int64)
    poly[poff[:-1]] = segs["a"]
    poly[poff[1:] - 1] = segs["b"]
    inner = np.ones(poff[-1], bool)
    inner[poff[:-1]] = False
    inner[poff[1:] - 1] = False
    poly[inner] = shape0 + np.arange(len(shape_xy))
    segs["poff"], segs["poly"] = poff, poly
    return node_xy, node_kind, segs, farm_nodes


def _chains(node_xy: np.ndarray, segs: dict) -> list[list[tuple[int, bool]]]:
    """Group segments into ways: follow a road through junctions when it goes straight on.

    A way continues through a node when the next segment has the same class and zone, and
    either it is the only such segment there or it turns by less than 35 degrees. Returns,
    per way, the (segment, reversed) list.
    """
    a, b = segs["a"].tolist(), segs["b"].tolist()
    key = (segs["cls"] * 1_000_000 + (segs["zone"] + 2)).tolist()
    ns = len(a)
    adj: dict[int, list[int]] = {}
    for s in range(ns):
        adj.setdefault(a[s], []).append(s)
        adj.setdefault(b[s], []).append(s)
    dxy = node_xy[segs["b"]] - node_xy[segs["a"]]
    direc = dxy / np.maximum(np.hypot(*dxy.T), 1e-9)[:, None]
    ux, uy = direc[:, 0].tolist(), direc[:, 1].tolist()  # plain floats: a Python loop
    seen = [False] * ns
    ways = []
    ring = np.flatnonzero(segs["zone"] == -2)  # the roundabout: one closed way, in order
    if len(ring):
        ring = ring[np.argsort(segs["parent"][ring], kind="stable")]
        ways.append([(int(s), False) for s in ring])
        for s in ring.tolist():
            seen[s] = True
    order = np.lexsort((np.arange(ns), segs["cls"])).tolist()
    max_segs = 400
    cos_max = math.cos(math.radians(35))
    for s0 in order:
        if seen[s0]:
            continue
        seen[s0] = True
        chain = [(s0, False)]
        k0 = key[s0]
        for forward in (True, False):
            cur_s, cur_rev = s0, not forward
            while len(chain) < max_segs:
                node = a[cur_s] if cur_rev else b[cur_s]
                sg = -1.0 if cur_rev else 1.0
                vx, vy = sg * ux[cur_s], sg * uy[cur_s]
                same = [t for t in adj[node] if t != cur_s and key[t] == k0]
                free = [t for t in same if not seen[t]]
                if not free:
                    break
                best, best_cos = None, -2.0
                for t in free:
                    so = 1.0 if a[t] == node else -1.0
                    cs = vx * (so * ux[t]) + vy * (so * uy[t])
                    if cs > best_cos:
                        best, best_cos = t, cs
                if len(same) > 1 and best_cos < cos_max:
                    break
                seen[best] = True
                rev = a[best] != node
                if forward:
                    chain.append((best, rev))
                else:
                    chain.insert(0, (best, not rev))
                cur_s, cur_rev = best, rev
        ways.append(chain)
    return ways


def _way_nodes(segs: dict, chain) -> np.ndarray:
    poff, poly = segs["poff"], segs["poly"]
    parts = []
    for k, (s, rev) in enumerate(chain):
        p = poly[poff[s]:poff[s + 1]]
        if rev:
            p = p[::-1]
        parts.append(p if k == 0 else p[1:])
    return np.concatenate(parts)


def _tags_for_ways(rng, segs: dict, chains, st: pd.DataFrame, roads_meta: dict) -> list[dict]:  # noqa: C901  generator rules (demo data tables)
    """OSM tags of each way: highway, surface, maxspeed, name, ref, oneway, junction."""
    street_names: dict[tuple, str] = {}
    per_town_count: dict[int, int] = {}
    tags = []
    for chain in chains:
        s0 = chain[0][0]
        c = int(segs["cls"][s0])
        zone = int(segs["zone"][s0])
        t: dict[str, str] = {"highway": HIGHWAYS[c]}
        u = rng.uniform()
        town = zone >= 0 and st.at[zone, "kind"] == "town"
        if zone == -2:
            t["junction"] = "roundabout"
            t["surface"] = "asphalt"
            t["name"] = f"{st.at[0, 'name']} aplis"
        elif c in (PRIMARY, SECONDARY):
            t["surface"] = "asphalt"
            if zone >= 0:
                t["maxspeed"] = "50" if u < 0.5 else ("LV:urban" if u < 0.7 else None)
            else:
                t["maxspeed"] = "90" if u < 0.4 else ("LV:rural" if u < 0.6 else (
                    "70" if u < 0.68 else None))
            routes = [int(segs["route"][s]) for s, _ in chain if segs["route"][s] >= 0]
            if routes:
                r = int(np.bincount(routes).argmax())
                t["ref"] = f"P9{roads_meta['route_ref'][r]:02d}"
        elif c == TERTIARY:
            if zone >= 0:  # through a town: asphalt; through a village: often gravel
                t["surface"] = "asphalt" if (town or u < 0.5) else "gravel"
            else:
                t["surface"] = "asphalt" if u < 0.25 else ("gravel" if u < 0.93 else "compacted")
            if u > 0.85 and zone < 0:
                t["maxspeed"] = "LV:rural" if u > 0.93 else "70"
            routes = [int(segs["route"][s]) for s, _ in chain if segs["route"][s] >= 0]
            if routes:
                r = int(np.bincount(routes).argmax())
                t["ref"] = f"V9{roads_meta['route_ref'][r]:03d}"
        elif c == UNCLASSIFIED:
            t["surface"] = "gravel" if u < 0.82 else ("asphalt" if u < 0.88 else (
                "compacted" if u < 0.92 else None))
            if 0.6 < u < 0.64:
                t["maxspeed"] = "LV:rural"
        elif c == RESIDENTIAL:
            if town:
                t["surface"] = "asphalt" if u < 0.8 else ("paving_stones" if u < 0.85 else (
                    "gravel" if u < 0.95 else None))
            else:
                t["surface"] = "gravel" if u < 0.55 else ("asphalt" if u < 0.85 else None)
            m = rng.uniform()
            if m < 0.2:
                t["maxspeed"] = "LV:urban"
            elif m < 0.3:
                t["maxspeed"] = "30"
            elif m < 0.38:
                t["maxspeed"] = "50"
        elif c == TRACK:
            t["surface"] = "ground" if u < 0.45 else ("gravel" if u < 0.75 else (
                "dirt" if u < 0.82 else None))
            g = rng.uniform()
            if g < 0.5:
                t["tracktype"] = "grade3" if g < 0.25 else ("grade2" if g < 0.35 else "grade4")
        elif c == SERVICE:
            t["surface"] = "gravel" if u < 0.6 else ("ground" if u < 0.8 else None)
        if zone >= 0 and c != TRACK:
            line = segs["line"][s0]
            if line[0] >= 0:
                k = (int(line[0]), int(line[1]), int(line[2]))
                if k not in street_names:
                    i = per_town_count.get(zone, 0)
                    per_town_count[zone] = i + 1
                    base = _STREETS[i % len(_STREETS)]
                    extra = "" if i < len(_STREETS) else f" {i // len(_STREETS) + 1}."
                    street_names[k] = f"Demo {base}{extra} iela"
                t["name"] = street_names[k]
            elif c <= TERTIARY:
                t["name"] = f"Demo {st.at[zone, 'gen']} šoseja"
        tags.append({k: v for k, v in t.items() if v is not None})
    return tags


def _oneways(rng, segs, chains, tags, st, n_nodes: int, n_pick: int) -> None:
    """Mark a few town streets oneway, then undo any that break strong connectivity."""
    cand = [k for k, ch in enumerate(chains)
            if tags[k]["highway"] == "residential" and len(ch) >= 2
            and segs["zone"][ch[0][0]] >= 0 and st.at[int(segs["zone"][ch[0][0]]), "kind"] == "town"]
    if not cand:
        return
    pick = sorted(rng.choice(cand, size=min(n_pick, len(cand)), replace=False).tolist())
    for k in pick:
        tags[k]["oneway"] = "yes"
    seg_way = np.empty(len(segs["a"]), np.int64)
    seg_rev = np.empty(len(segs["a"]), bool)
    for k, ch in enumerate(chains):
        for s, rev in ch:
            seg_way[s] = k
            seg_rev[s] = rev
    for _ in range(10):
        one = np.array([tags[k].get("oneway") == "yes" or "junction" in tags[k]
                        for k in seg_way])
        a, b = segs["a"], segs["b"]
        fa = np.where(seg_rev, b, a)
        fb = np.where(seg_rev, a, b)
        src = np.r_[fa, fb[~one]]
        dst = np.r_[fb, fa[~one]]
        g = sparse.coo_array((np.ones(len(src)), (src, dst)), shape=(n_nodes, n_nodes)).tocsr()
        nc, lab = csgraph.connected_components(g, directed=True, connection="strong")
        used = np.zeros(n_nodes, bool)
        used[a] = used[b] = True
        big = np.bincount(lab[used]).argmax()
        bad_nodes = used & (lab != big)
        if not bad_nodes.any():
            return
        bad_ways = np.unique(seg_way[bad_nodes[a] | bad_nodes[b]])
        changed = False
        for k in bad_ways:
            if tags[k].pop("oneway", None):
                changed = True
        if not changed:
            return
