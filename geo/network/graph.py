"""Road graph -> compact travel-time graph (CSR arrays), cached on disk, and snapping.

The graph keeps only *intersections* as nodes: OSM nodes where a way ends or that two or more
way pieces share; the OSM nodes between them become the geometry of the edge (the same
simplification osmnx applies, done with numpy on flat arrays). Edge travel time is
``length / speed`` with the way's speed from :mod:`geo.network.speed`; length is the geodesic
length of the way's polyline on the WGS84 ellipsoid (metres).

Arcs are directed (``oneway`` honoured); parallel arcs keep the fastest; by default only the
largest strongly connected component is kept (the rest is reported), so that every node can
reach every other.

A :class:`Network` saves to a folder (``network.npz`` arrays, ``edges.parquet`` attributes,
``meta.json``) and loads back in well under a second for a country-sized region.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from geo import settings
from geo._files import check_output_dir, file_digest, new_run, owned_dir
from geo.errors import GeoInputError, Msg, NetworkError, named_errors
from geo.network.speed import speed_source_share, way_speeds
from geo.sources.osm import OSMRoads, read_osm

CACHE_VERSION = 1


# ------------------------------------------------------------------------------------------
# CRS choice
# ------------------------------------------------------------------------------------------
LATVIA_BOUNDS = settings.LATVIA_BOUNDS  # lon/lat box of Latvia (EPSG:3059 area of use)


def pick_crs(lon: np.ndarray, lat: np.ndarray) -> str:
    """Metric CRS for an area: LKS-92 (EPSG:3059) in Latvia, else the local UTM zone.

    Parameters
    ----------
    lon, lat : array of float
        Coordinates in degrees (NaN ignored).

    Returns
    -------
    str
        ``"EPSG:3059"`` when the median point lies in Latvia, else ``"EPSG:326zz"`` /
        ``"EPSG:327zz"`` (WGS 84 / UTM zone of the median longitude).
    """
    lo = float(np.nanmedian(lon))
    la = float(np.nanmedian(lat))
    x0, y0, x1, y1 = LATVIA_BOUNDS
    if x0 <= lo <= x1 and y0 <= la <= y1:
        return settings.LATVIA_CRS
    zone = int((lo + 180) // 6) + 1
    return f"EPSG:{32600 + zone if la >= 0 else 32700 + zone}"


def check_metric_crs(crs, *, path=None, what: str = "metric CRS") -> str:
    """Validate a CRS given as the metric CRS of a network or a region.

    Parameters
    ----------
    crs : str or pyproj.CRS
        ``"EPSG:3059"``, ``"3059"``, a WKT or PROJ string...
    path : str or Path, optional
        File the CRS came from (a recipe), named in the message.
    what : str, default "metric CRS"
        How the option is called in messages (``"--crs"``, ``"crs: of the recipe"``).

    Returns
    -------
    str
        The CRS as given (unchanged), once it is known to be projected with metre units.

    Raises
    ------
    GeoInputError
        An unknown code (``EPSG:99999``, ``abc``), or a geographic CRS (EPSG:4326: distances
        would be in degrees) or a projected CRS whose unit is not the metre.
    """
    fix = Msg("err.net.crs.fix", crs=settings.LATVIA_CRS)
    try:
        c = pyproj.CRS.from_user_input(crs)
    except (pyproj.exceptions.CRSError, TypeError, ValueError) as exc:
        raise GeoInputError(Msg("err.net.crs_unknown", what=what, crs=repr(crs)),
                            path=path, fix=fix) from exc
    if not c.is_projected:
        raise GeoInputError(
            Msg("err.net.crs_geographic", what=what, crs=repr(crs), name=c.name),
            path=path, fix=fix)
    units = {a.unit_name for a in c.axis_info}
    if not units <= {"metre", "meter"}:
        raise GeoInputError(Msg("err.net.crs_units", what=what, crs=repr(crs), name=c.name,
                                units=str(sorted(units))), path=path, fix=fix)
    return crs


_GEOD = pyproj.Geod(ellps="WGS84")


def geodesic_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Geodesic distance on the WGS84 ellipsoid in metres between arrays of points (degrees).

    More exact than the spherical great circle (which errs by up to 0.5% at Latvia's
    latitude, depending on direction).
    """
    return np.asarray(_GEOD.inv(lon1, lat1, lon2, lat2)[2], np.float64)


# ------------------------------------------------------------------------------------------
# The network
# ------------------------------------------------------------------------------------------
@dataclass
class Network:
    """A compact directed travel-time graph.

    Attributes
    ----------
    crs : str
        Metric CRS of ``x``, ``y`` and the edge geometry.
    node_osmid : numpy.ndarray of int64, shape (n,)
        OSM id of each node.
    x, y : numpy.ndarray of float64, shape (n,)
        Node coordinates in ``crs`` (metres).
    lon, lat : numpy.ndarray of float64, shape (n,)
        Node coordinates in degrees.
    graph : scipy.sparse.csr_array, shape (n, n)
        Travel time in seconds of the arc row -> column (fastest of parallel arcs).
    length : scipy.sparse.csr_array, shape (n, n)
        Length in metres of the same arcs (same sparsity structure as ``graph``).
    edges : pandas.DataFrame
        One row per undirected edge (as mapped): ``u``, ``v`` (node positions), ``way_id``,
        ``highway``, ``name``, ``oneway``, ``speed_kmh``, ``speed_source``, ``surface_group``,
        ``length_m``, ``time_s``.
    geom_offsets, geom_xy : numpy.ndarray
        Edge ``i``'s polyline is ``geom_xy[geom_offsets[i]:geom_offsets[i + 1]]`` (metres).
    meta : dict
        Source file, checksum, mode, counts and the build report.
    """

    crs: str
    node_osmid: np.ndarray
    x: np.ndarray
    y: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    graph: sparse.csr_array
    length: sparse.csr_array
    edges: pd.DataFrame
    geom_offsets: np.ndarray
    geom_xy: np.ndarray
    meta: dict = field(default_factory=dict)
    _tree: cKDTree | None = field(default=None, repr=False, compare=False)
    _rgraph: sparse.csr_array | None = field(default=None, repr=False, compare=False)
    _rlength: sparse.csr_array | None = field(default=None, repr=False, compare=False)

    # -- basic properties -------------------------------------------------------------------
    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_osmid)

    @property
    def n_arcs(self) -> int:
        """Number of directed arcs."""
        return int(self.graph.nnz)

    @property
    def tree(self) -> cKDTree:
        """KD-tree of node coordinates (built on first use)."""
        if self._tree is None:
            self._tree = cKDTree(np.column_stack([self.x, self.y]))
        return self._tree

    @property
    def rgraph(self) -> sparse.csr_array:
        """Reversed graph (column -> row), for searches towards a destination."""
        if self._rgraph is None:
            self._rgraph = self.graph.T.tocsr()
            self._rgraph.sort_indices()
        return self._rgraph

    @property
    def rlength(self) -> sparse.csr_array:
        """Reversed length matrix (same structure as :attr:`rgraph`)."""
        if self._rlength is None:
            self._rlength = self.length.T.tocsr()
            self._rlength.sort_indices()
        return self._rlength

    def summary(self) -> str:
        """One paragraph for the CLI."""
        m = self.meta
        share = m.get("speed_source_share_by_length", {})
        lines = [
            f"Network of {m.get('source', '?')} ({m.get('mode', 'drive')}), CRS {self.crs}",
            f"  nodes {self.n_nodes:,}, directed arcs {self.n_arcs:,}, edges {len(self.edges):,}, "
            f"road length {self.edges['length_m'].sum() / 1000:,.1f} km",
            "  speed from maxspeed tag {:.1%}, implicit zone {:.1%}, class default {:.1%} "
            "(share of road length)".format(
                share.get("tag", 0), share.get("implicit", 0), share.get("default", 0)
            ),
        ]
        rep = m.get("report", {})
        if rep.get("missing_node_refs"):
            lines.append(
                f"  missing nodes: {rep['missing_node_refs']:,} node references in "
                f"{rep['ways_with_missing_nodes']:,} ways were dropped (clipped extract)"
            )
        if rep.get("nodes_outside_largest_component"):
            lines.append(
                f"  {rep['nodes_outside_largest_component']:,} nodes outside the largest strongly "
                "connected component were dropped"
            )
        return "\n".join(lines)

    # -- geometry -----------------------------------------------------------------------------
    def roads_gdf(self, *, simplify_m: float = 0.0, to_crs: str | None = None) -> gpd.GeoDataFrame:
        """Edges as LineStrings.

        Parameters
        ----------
        simplify_m : float, default 0
            Douglas-Peucker tolerance in metres (0 keeps every vertex).
        to_crs : str, optional
            Output CRS (default: the network CRS).

        Returns
        -------
        geopandas.GeoDataFrame
            The :attr:`edges` table with a LineString geometry.
        """
        lines = shapely.linestrings(
            self.geom_xy, indices=np.repeat(np.arange(len(self.edges)), np.diff(self.geom_offsets))
        )
        if simplify_m > 0:
            lines = shapely.simplify(lines, simplify_m)
        gdf = gpd.GeoDataFrame(self.edges.copy(), geometry=lines, crs=self.crs)
        return gdf.to_crs(to_crs) if to_crs else gdf

    def nodes_gdf(self) -> gpd.GeoDataFrame:
        """Nodes as points in the network CRS, with their OSM id."""
        return gpd.GeoDataFrame(
            {"osmid": self.node_osmid}, geometry=shapely.points(self.x, self.y), crs=self.crs
        )

    # -- export ------------------------------------------------------------------------------
    def to_networkx(self, *, weight: str = "time_s"):
        """The same directed graph as a ``networkx.DiGraph`` (nodes = positions).

        Edge attributes ``time_s`` (seconds) and ``length_m`` (metres). Used to check results
        against an independent implementation.
        """
        coo = self.graph.tocoo()
        lcoo = self.length.tocoo()
        g = nx.DiGraph()
        g.add_nodes_from(range(self.n_nodes))
        g.add_edges_from(
            (int(u), int(v), {"time_s": float(t), "length_m": float(length)})
            for u, v, t, length in zip(coo.row, coo.col, coo.data, lcoo.data, strict=True)
        )
        return g

    # -- persistence ------------------------------------------------------------------------
    def save(self, folder: str | Path, *, force: bool = False, run: dict | None = None) -> Path:
        """Save to a folder atomically (written to a temporary folder, then swapped in).

        The folder is one the tool owns (:func:`geo._files.owned_dir`): a non-empty folder
        without the tool's marker is refused unless ``force``; other files are kept.

        Returns
        -------
        Path
            The folder.
        """
        folder = Path(folder)
        with owned_dir(folder, force=force, run=run) as tmp:
            g, ln = self.graph, self.length
            np.savez(
                tmp / "network.npz",
                node_osmid=self.node_osmid, x=self.x, y=self.y, lon=self.lon, lat=self.lat,
                indptr=g.indptr, indices=g.indices, time_s=g.data, length_m=ln.data,
                geom_offsets=self.geom_offsets, geom_xy=self.geom_xy,
            )
            self.edges.to_parquet(tmp / "edges.parquet", index=False)
            meta = dict(self.meta, crs=self.crs, cache_version=CACHE_VERSION)
            (tmp / "meta.json").write_text(json.dumps(meta, indent=2, default=str), "utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> Network:
        """Load a network saved by :meth:`save`.

        Raises
        ------
        GeoInputError
            When the folder is not a network cache, was written by another version, or is
            truncated, corrupt or unreadable (any failure names the folder).
        """
        folder = Path(folder)
        npz_path = folder / "network.npz"
        if not npz_path.exists():
            raise GeoInputError(Msg("err.net.not_cache"), path=folder,
                                fix=Msg("err.net.not_cache.fix"))
        fix = Msg("err.net.rebuild.fix")
        with named_errors(folder, problem="the network cache is corrupt or truncated", fix=fix):
            meta = json.loads((folder / "meta.json").read_text("utf-8"))
            if not isinstance(meta, dict):
                raise GeoInputError(Msg("err.net.meta_not_object"), path=folder, fix=fix)
            if meta.get("cache_version") != CACHE_VERSION:
                raise GeoInputError(
                    Msg("err.net.cache_version", found=str(meta.get("cache_version")),
                        wanted=str(CACHE_VERSION)),
                    path=folder, fix=fix,
                )
            with np.load(npz_path, allow_pickle=False) as z:
                a = {k: z[k] for k in z.files}
            n = len(a["node_osmid"])
            g = sparse.csr_array((a["time_s"], a["indices"], a["indptr"]), shape=(n, n))
            ln = sparse.csr_array((a["length_m"], a["indices"], a["indptr"]), shape=(n, n))
            g.check_format(full_check=True)
            edges = pd.read_parquet(folder / "edges.parquet")
            return cls(
                crs=meta["crs"], node_osmid=a["node_osmid"], x=a["x"], y=a["y"], lon=a["lon"],
                lat=a["lat"], graph=g, length=ln, edges=edges, geom_offsets=a["geom_offsets"],
                geom_xy=a["geom_xy"], meta=meta,
            )


# ------------------------------------------------------------------------------------------
# Building
# ------------------------------------------------------------------------------------------
def _pieces(offsets: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split ways into runs of consecutive valid nodes.

    Returns
    -------
    starts, ends : numpy.ndarray of int64
        Flat index of the first and one-past-last node of every run of at least 2 nodes.
    way_of : numpy.ndarray of int64
        Way position of each run.
    """
    n = len(valid)
    way_idx = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    # a run starts at a valid node whose predecessor is invalid or in another way
    prev_same = np.zeros(n, bool)
    prev_same[1:] = way_idx[1:] == way_idx[:-1]
    prev_ok = np.zeros(n, bool)
    prev_ok[1:] = valid[:-1]
    start = valid & ~(prev_same & prev_ok)
    next_same = np.zeros(n, bool)
    next_same[:-1] = way_idx[:-1] == way_idx[1:]
    next_ok = np.zeros(n, bool)
    next_ok[:-1] = valid[1:]
    end = valid & ~(next_same & next_ok)
    s = np.flatnonzero(start)
    e = np.flatnonzero(end) + 1
    keep = (e - s) >= 2
    return s[keep], e[keep], way_idx[s[keep]]


def _with_speeds(roads: OSMRoads) -> pd.DataFrame:
    """The ways with ``speed_kmh``, ``speed_source`` and ``surface_group`` (speed rules of
    :mod:`geo.network.speed`, applied here so that the OSM reader holds no speed rules)."""
    if "speed_kmh" in roads.ways:
        return roads.ways
    return roads.ways.join(way_speeds(roads.ways, mode=roads.mode))


def build_network(
    roads: OSMRoads,
    *,
    crs: str | None = None,
    largest_component: bool = True,
) -> Network:
    """Build the compact travel-time graph from the ways of an OSM file.

    Parameters
    ----------
    roads : OSMRoads
        From :func:`geo.sources.osm.read_osm`.
    crs : str, optional
        Metric CRS; default :func:`pick_crs` (EPSG:3059 in Latvia, else local UTM).
    largest_component : bool, default True
        Keep only the largest strongly connected component.

    Returns
    -------
    Network

    Raises
    ------
    NetworkError
        When nothing routable remains (e.g. every way lost its nodes to clipping).
    """
    if crs is not None:
        check_metric_crs(crs)
    t0 = time.perf_counter()
    report = dict(roads.report)
    flat = _flat_pieces(roads)
    report["way_pieces"] = int(len(flat.poff) - 1)
    a, b, length, uniq, inv = _edge_ends(flat)
    ways = _with_speeds(roads)
    eway = flat.way_of[flat.piece_of[a]]
    u, v, node_osmid, n_lon, n_lat = _compact_nodes(uniq, inv, a, b, flat)
    if crs is None:
        crs = pick_crs(n_lon, n_lat)
    tr = pyproj.Transformer.from_crs(settings.WGS84, crs, always_xy=True)
    nx_, ny_ = tr.transform(n_lon, n_lat)
    geom_offsets, geom_xy = _edge_polylines(a, b, flat, tr)
    edges = _edge_table(u, v, ways, eway, length)
    # self-loops stay in the edge table (maps, road length) but never become arcs
    report["self_loops"] = int((u == v).sum())
    nodes = [node_osmid, nx_, ny_, n_lon, n_lat]
    graph, lgraph = _arcs_to_csr(edges, len(node_osmid))
    if largest_component:
        keep_node = _largest_strong_component(graph, report)
        if keep_node is not None:
            edges, geom_offsets, geom_xy = _keep_nodes(edges, geom_offsets, geom_xy, keep_node)
            nodes = [np.asarray(x)[keep_node] for x in nodes]
            graph, lgraph = _arcs_to_csr(edges, len(nodes[0]))
    node_osmid, nx_, ny_, n_lon, n_lat = nodes
    n = len(node_osmid)
    if n < 2 or graph.nnz == 0:
        raise NetworkError(Msg("err.net.no_component"), path=roads.source)
    meta = _network_meta(roads, edges, n, graph.nnz, report, t0)
    return Network(
        crs=crs, node_osmid=node_osmid, x=np.asarray(nx_, np.float64),
        y=np.asarray(ny_, np.float64), lon=n_lon, lat=n_lat, graph=graph, length=lgraph,
        edges=edges.reset_index(drop=True), geom_offsets=geom_offsets, geom_xy=geom_xy, meta=meta,
    )


@dataclass
class _Flat:
    """The kept way pieces (runs of consecutive valid nodes) as flat node arrays."""

    nid: np.ndarray  # OSM node id
    lon: np.ndarray
    lat: np.ndarray
    piece_of: np.ndarray  # piece of each node position
    poff: np.ndarray  # piece offsets into the flat arrays
    way_of: np.ndarray  # way (row of roads.ways) of each piece


def _flat_pieces(roads: OSMRoads) -> _Flat:
    starts, ends, way_of = _pieces(roads.offsets, np.isfinite(roads.lon))
    if len(starts) == 0:
        raise NetworkError(Msg("err.net.no_pieces"), path=roads.source,
                           fix=Msg("err.net.no_pieces.fix"))
    lens = ends - starts
    idx = np.repeat(starts - np.cumsum(np.r_[0, lens[:-1]]), lens) + np.arange(lens.sum())
    return _Flat(nid=roads.node_id[idx], lon=roads.lon[idx], lat=roads.lat[idx],
                 piece_of=np.repeat(np.arange(len(starts)), lens),
                 poff=np.r_[0, np.cumsum(lens)], way_of=way_of)


def _edge_ends(flat: _Flat):
    """Edges between consecutive intersections (piece ends, and nodes occurring 2+ times)
    within a piece: flat positions ``a``, ``b``, geodesic length (metres), and the unique
    node ids with the inverse index of every position."""
    poff = flat.poff
    uniq, inv, counts = np.unique(flat.nid, return_inverse=True, return_counts=True)
    is_node = counts[inv] >= 2
    is_node[poff[:-1]] = True
    is_node[poff[1:] - 1] = True
    seg = geodesic_m(flat.lon[:-1], flat.lat[:-1], flat.lon[1:], flat.lat[1:])
    seg[(poff[1:-1] - 1)] = 0.0  # no segment across piece boundaries
    cum = np.r_[0.0, np.cumsum(seg)]
    pos = np.flatnonzero(is_node)
    same_piece = flat.piece_of[pos[:-1]] == flat.piece_of[pos[1:]]
    a = pos[:-1][same_piece]
    b = pos[1:][same_piece]
    return a, b, cum[b] - cum[a], uniq, inv


def _compact_nodes(uniq, inv, a, b, flat: _Flat):
    """Node numbers 0..n-1 of the edge ends, their OSM ids and coordinates (first
    occurrence)."""
    used = np.unique(np.r_[inv[a], inv[b]])
    remap = np.full(len(uniq), -1, np.int64)
    remap[used] = np.arange(len(used))
    first = np.full(len(uniq), -1, np.int64)
    first[inv[::-1]] = np.arange(len(flat.nid))[::-1]
    return (remap[inv[a]], remap[inv[b]], uniq[used], flat.lon[first[used]],
            flat.lat[first[used]])


def _edge_polylines(a, b, flat: _Flat, tr) -> tuple[np.ndarray, np.ndarray]:
    """Projected polylines of the edges: offsets and xy."""
    glen = b - a + 1
    gidx = np.repeat(a - np.cumsum(np.r_[0, glen[:-1]]), glen) + np.arange(glen.sum())
    gx, gy = tr.transform(flat.lon[gidx], flat.lat[gidx])
    return np.r_[0, np.cumsum(glen)].astype(np.int64), np.column_stack([gx, gy])


def _edge_table(u, v, ways: pd.DataFrame, eway, length) -> pd.DataFrame:
    speed = ways["speed_kmh"].to_numpy(np.float64)[eway]
    return pd.DataFrame({
        "u": u, "v": v, "way_id": ways.index.to_numpy()[eway],
        "highway": ways["highway"].to_numpy()[eway], "name": ways["name"].to_numpy()[eway],
        "oneway": ways["oneway"].to_numpy(np.int8)[eway], "speed_kmh": speed,
        "speed_source": ways["speed_source"].to_numpy()[eway],
        "surface_group": ways["surface_group"].to_numpy()[eway],
        "length_m": length, "time_s": length / (speed / 3.6),
    })


def _largest_strong_component(graph, report: dict) -> np.ndarray | None:
    """Mask of the nodes of the largest strongly connected component (None: only one)."""
    ncomp, labels = csgraph.connected_components(graph, directed=True, connection="strong")
    if ncomp <= 1:
        return None
    keep_node = labels == np.bincount(labels).argmax()
    report["strong_components"] = int(ncomp)
    report["nodes_outside_largest_component"] = int((~keep_node).sum())
    return keep_node


def _keep_nodes(edges: pd.DataFrame, geom_offsets, geom_xy, keep_node):
    """The edges between kept nodes, renumbered."""
    remap = np.full(len(keep_node), -1, np.int64)
    remap[keep_node] = np.arange(keep_node.sum())
    ke = keep_node[edges["u"].to_numpy()] & keep_node[edges["v"].to_numpy()]
    edges, geom_offsets, geom_xy = _take_edges(edges, geom_offsets, geom_xy, np.flatnonzero(ke))
    edges["u"] = remap[edges["u"].to_numpy()]
    edges["v"] = remap[edges["v"].to_numpy()]
    return edges, geom_offsets, geom_xy


def _network_meta(roads: OSMRoads, edges: pd.DataFrame, n: int, n_arcs: int, report: dict,
                  t0: float) -> dict:
    return {
        "source": roads.source,
        "source_sha256": file_digest(roads.source),
        "mode": roads.mode,
        "n_nodes": int(n),
        "n_arcs": int(n_arcs),
        "n_edges": int(len(edges)),
        "road_km": float(edges["length_m"].sum() / 1000),
        "speed_source_share_by_length": speed_source_share(edges["speed_source"],
                                                           edges["length_m"]),
        "speed_source_share_by_count": speed_source_share(edges["speed_source"]),
        "report": report,
        "build_seconds": round(time.perf_counter() - t0, 3),
        "built": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }


def _take_edges(edges: pd.DataFrame, offsets: np.ndarray, xy: np.ndarray, sel: np.ndarray):
    lens = np.diff(offsets)[sel]
    gidx = np.repeat(offsets[sel] - np.cumsum(np.r_[0, lens[:-1]]), lens) + np.arange(lens.sum())
    return (
        edges.iloc[sel].reset_index(drop=True),
        np.r_[0, np.cumsum(lens)].astype(np.int64),
        xy[gidx],
    )


def _arcs_to_csr(edges: pd.DataFrame, n: int) -> tuple[sparse.csr_array, sparse.csr_array]:
    """Directed arcs of the edges as CSR matrices of time and length (fastest parallel arc)."""
    u = edges["u"].to_numpy()
    v = edges["v"].to_numpy()
    ow = edges["oneway"].to_numpy()
    t = edges["time_s"].to_numpy()
    ln = edges["length_m"].to_numpy()
    loop = u == v
    fwd = (ow >= 0) & ~loop
    bwd = (ow <= 0) & ~loop
    src = np.r_[u[fwd], v[bwd]]
    dst = np.r_[v[fwd], u[bwd]]
    tt = np.r_[t[fwd], t[bwd]]
    ll = np.r_[ln[fwd], ln[bwd]]
    # fastest of parallel arcs: sort by (src, dst, time) and keep the first of each pair
    order = np.lexsort((tt, dst, src))
    src, dst, tt, ll = src[order], dst[order], tt[order], ll[order]
    first = np.r_[True, (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])]
    src, dst, tt, ll = src[first], dst[first], tt[first], ll[first]
    indptr = np.zeros(n + 1, np.int64)
    np.add.at(indptr, src + 1, 1)
    np.cumsum(indptr, out=indptr)
    g = sparse.csr_array((tt, dst, indptr), shape=(n, n))
    lg = sparse.csr_array((ll, dst.copy(), indptr.copy()), shape=(n, n))
    return g, lg


def build_network_from_file(
    path: str | Path,
    out_dir: str | Path | None = None,
    *,
    mode: str = "drive",
    crs: str | None = None,
    include_track: bool = True,
    clip=None,
    progress: bool = False,
    force: bool = False,
) -> Network:
    """Read an OSM file, build its network and (optionally) save the cache.

    Parameters
    ----------
    path : str or Path
        OSM file.
    out_dir : str or Path, optional
        Cache folder; replaced atomically, so a failed build leaves an existing cache intact.
    mode, include_track, clip
        See :func:`geo.sources.osm.read_osm`.
    crs : str, optional
        See :func:`build_network`.
    progress : bool, default False
        Progress bars.
    force : bool, default False
        Write into a non-empty ``out_dir`` that lacks the tool's marker (see
        :func:`geo._files.owned_dir`); checked before the network is built.

    Returns
    -------
    Network
    """
    if crs is not None:
        check_metric_crs(crs)
    if out_dir is not None:
        check_output_dir(out_dir, force=force, command="network")
    roads = read_osm(path, mode=mode, include_track=include_track, clip=clip, progress=progress)
    net = build_network(roads, crs=crs)
    if out_dir is not None:
        net.save(out_dir, force=force, run=new_run("network", inputs=[path]))
    return net
