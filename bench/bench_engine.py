"""Benchmark of the network engine against networkx and igraph, in one run.

Usage::

    python bench/bench_engine.py                    # Malta, Porto, China tile
    python bench/bench_engine.py --regions malta --repeat 5

For each real OSM extract in ../shared/data/osm it prints:

* graph build time (read OSM + build CSR) and cache save/load time;
* nearest-facility pass over all nodes (time and identity of the nearest facility for every
  node; one multi-source search): ours (``geo.network.access.nearest_facility_nodes``, with and without
  network distances) vs networkx ``multi_source_dijkstra`` on the same graph as an osmnx
  MultiDiGraph (built with ``osmnx.convert.graph_from_gdfs``) vs igraph ``distances`` (one
  search per facility, then the minimum);
* origin x facility matrix within 60 min for every node: ours (``geo.network.access.node_matrix``) vs
  networkx ``single_source_dijkstra_path_length(cutoff=3600)`` per facility vs igraph;
* ratios against networkx and igraph, the largest absolute difference of the results
  (seconds), and peak traced memory (tracemalloc: Python and numpy allocations) per step.

Facilities are the extract's real schools (``amenity=school``); Porto's extract has highways
only, so 100 random nodes (seed 0) stand in as facilities there (and for any .osm.pbf path).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.network.access import nearest_facility_nodes, node_matrix, snap_facilities  # noqa: E402
from geo.network.graph import Network, build_network  # noqa: E402
from geo.sources.osm import read_facilities, read_osm  # noqa: E402

OSM = ROOT.parent / "shared" / "data" / "osm"
FILES = {
    "malta": "malta-2018-08-27.osm.pbf",
    "porto": "porto-highways-2015-06-06.osm.pbf",
    "china": "anhui-henan-tile-2017-10-03.osm.pbf",
    "rutland": "rutland-2018-02-27.osm.pbf",
    "liechtenstein": "liechtenstein-2024-03-03.osm.pbf",
    "belize": "belize-2015-08-23.osm.pbf",
}


def timed(fn, repeat=1, memory=True):
    """Median wall time (s) over ``repeat`` runs, the last result, and the peak traced memory
    (MiB) of one more run under tracemalloc (timed runs are not traced: tracing slows Python
    code far more than compiled code)."""
    times = []
    out = None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    peak = float("nan")
    if memory:
        gc.collect()
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return statistics.median(times), out, peak


def osmnx_graph(net: Network):
    """The same directed graph as an osmnx MultiDiGraph (nodes keyed by OSM id)."""
    import geopandas as gpd
    import osmnx as ox
    import pandas as pd
    import shapely

    coo = net.graph.tocoo()
    lcoo = net.length.tocoo()
    nodes = gpd.GeoDataFrame(
        {"x": net.lon, "y": net.lat},
        geometry=shapely.points(net.lon, net.lat),
        index=pd.Index(net.node_osmid, name="osmid"), crs="EPSG:4326",
    )
    u = net.node_osmid[coo.row]
    v = net.node_osmid[coo.col]
    edges = gpd.GeoDataFrame(
        {"travel_time": coo.data, "length": lcoo.data},
        geometry=shapely.linestrings(
            np.stack([np.c_[net.lon[coo.row], net.lat[coo.row]],
                      np.c_[net.lon[coo.col], net.lat[coo.col]]], axis=1)),
        index=pd.MultiIndex.from_arrays([u, v, np.zeros(len(u), int)], names=["u", "v", "key"]),
        crs="EPSG:4326",
    )
    return ox.convert.graph_from_gdfs(nodes, edges)


def igraph_graph(net: Network):
    import igraph as ig

    coo = net.graph.tocoo()
    g = ig.Graph(n=net.n_nodes, edges=np.c_[coo.row, coo.col].tolist(), directed=True)
    g.es["w"] = coo.data.tolist()
    return g


def bench_region(name: str, repeat: int) -> dict:
    import networkx as nx

    path = Path(name) if name.endswith(".pbf") else OSM / FILES[name]
    if not path.exists():
        print(f"{name}: {path} not found, skipped")
        return {}
    res = {"region": name}
    t_read, roads, _ = timed(lambda: read_osm(path), memory=False)
    t_build, net, mem_build = timed(lambda: build_network(roads))
    res.update(read_s=t_read, build_s=t_build, nodes=net.n_nodes, arcs=net.n_arcs)
    with tempfile.TemporaryDirectory() as tmp:
        t_save, _, _ = timed(lambda: net.save(Path(tmp) / "net"), memory=False)
        t_load, net2, _ = timed(lambda: Network.load(Path(tmp) / "net"), repeat, memory=False)
    res.update(save_s=t_save, load_s=t_load)
    del net2

    if name == "porto" or name.endswith(".pbf"):
        rng = np.random.default_rng(0)
        idx = rng.choice(net.n_nodes, 100, replace=False)
        import geopandas as gpd

        fac = gpd.GeoDataFrame(geometry=gpd.points_from_xy(net.x[idx], net.y[idx]), crs=net.crs)
    else:
        fac = read_facilities(path)
    fs = snap_facilities(net, fac)
    ok = np.flatnonzero(fs.ok)
    fnodes = fs.node[ok]
    res["facilities"] = len(ok)
    _ = net.rgraph  # build the reversed CSR once (part of loading in practice)

    # -- nearest-facility pass ---------------------------------------------------------------
    t_ours, acc, mem_ours = timed(
        lambda: nearest_facility_nodes(net, fs, with_distance=False), repeat)
    t_ours_d, acc_d, mem_ours_d = timed(lambda: nearest_facility_nodes(net, fs), repeat)
    G = osmnx_graph(net)
    R = G.reverse(copy=True)
    n = net.n_nodes
    for j in ok:  # the facility's off-network leg, as in ours
        R.add_edge(("fac", int(j)), int(net.node_osmid[fs.node[j]]), travel_time=float(fs.time_s[j]))
    sources = [("fac", int(j)) for j in ok]
    t_nx, (nx_d, nx_p), mem_nx = timed(
        lambda: nx.multi_source_dijkstra(R, sources, weight="travel_time"))
    pos = {int(o): i for i, o in enumerate(net.node_osmid)}
    ref = np.full(n, np.inf)
    ref_f = np.full(n, -1)
    for k, v in nx_d.items():
        if k in pos:
            ref[pos[k]] = v
            ref_f[pos[k]] = nx_p[k][0][1]
    diff = float(np.max(np.abs(ref - acc.time_s)))
    same_fac = float(np.mean(ref_f == acc.facility))
    g = igraph_graph(net)
    legs = fs.time_s[ok]

    def ig_nearest():
        d = np.asarray(g.distances(source=fnodes.tolist(), weights="w", mode="in"))
        d = d + legs[:, None]
        return d.min(axis=0), d.argmin(axis=0)

    t_ig, (ig_d, _), mem_ig = timed(ig_nearest)
    diff_ig = float(np.max(np.abs(ig_d - acc.time_s)))
    res.update(
        nearest_ours_s=t_ours, nearest_ours_dist_s=t_ours_d, nearest_nx_s=t_nx,
        nearest_ig_s=t_ig, nearest_maxdiff_nx=diff, nearest_maxdiff_ig=diff_ig,
        nearest_same_facility=same_fac, mem_ours=mem_ours, mem_ours_d=mem_ours_d,
        mem_nx=mem_nx, mem_ig=mem_ig, mem_build=mem_build,
    )

    # -- origin x facility matrix within 60 min ------------------------------------------------
    origins = np.arange(n)
    t_m, (T, _), mem_m = timed(lambda: node_matrix(net, origins, fnodes, cutoff_s=3600.0))
    ufn = np.unique(fnodes)
    osm_f = [int(net.node_osmid[f]) for f in ufn]

    def nx_matrix():
        M = np.full((n, len(osm_f)), np.inf)
        for j, f in enumerate(osm_f):
            d = nx.single_source_dijkstra_path_length(R, f, cutoff=3600.0, weight="travel_time")
            for k, v in d.items():
                if k in pos:
                    M[pos[k], j] = v
        return M

    # networkx is slow: time it on a subset of facilities and scale linearly
    sub = min(len(ufn), 20)
    osm_all = osm_f
    osm_f = osm_all[:sub]
    t_nxm, Mnx, mem_nxm = timed(nx_matrix)
    osm_f = osm_all
    t_nxm *= len(ufn) / sub
    uT = node_matrix(net, origins, ufn[:sub], cutoff_s=3600.0)[0]
    fin = np.isfinite(Mnx) & np.isfinite(uT)
    diff_m = float(np.max(np.abs(Mnx[fin] - uT[fin]))) if fin.any() else 0.0
    same_inf = bool(np.array_equal(np.isfinite(Mnx), np.isfinite(uT)))

    def ig_matrix():
        d = np.asarray(g.distances(source=ufn.tolist(), weights="w", mode="in")).T
        d[d > 3600.0] = np.inf
        return d

    t_igm, Mig, mem_igm = timed(ig_matrix)
    res.update(matrix_ours_s=t_m, matrix_nx_s=t_nxm, matrix_ig_s=t_igm, matrix_maxdiff_nx=diff_m,
               matrix_same_reach=same_inf, mem_m=mem_m, mem_nxm=mem_nxm, mem_igm=mem_igm,
               matrix_shape=T.shape)
    return res


def report(r: dict) -> None:
    if not r:
        return
    f = lambda s: f"{s * 1000:9.1f} ms"  # noqa: E731
    print(f"\n=== {r['region']}: {r['nodes']:,} nodes, {r['arcs']:,} arcs, "
          f"{r['facilities']} facilities")
    print(f"  read OSM        {f(r['read_s'])}   build CSR {f(r['build_s'])} "
          f"(peak {r['mem_build']:.0f} MiB)")
    print(f"  cache save      {f(r['save_s'])}   cache load {f(r['load_s'])}")
    print("  nearest-facility pass over all nodes:")
    print(f"    ours (times + facility)      {f(r['nearest_ours_s'])}  peak {r['mem_ours']:7.1f} MiB")
    print(f"    ours (+ network distance)    {f(r['nearest_ours_dist_s'])}  peak {r['mem_ours_d']:7.1f} MiB")
    print(f"    networkx multi_source_dijkstra {f(r['nearest_nx_s'])}  peak {r['mem_nx']:7.1f} MiB"
          f"   ratio nx/ours {r['nearest_nx_s'] / r['nearest_ours_s']:6.1f}x "
          f"(with distance {r['nearest_nx_s'] / r['nearest_ours_dist_s']:.1f}x)")
    print(f"    igraph distances + min       {f(r['nearest_ig_s'])}  peak {r['mem_ig']:7.1f} MiB"
          f"   ratio ig/ours {r['nearest_ig_s'] / r['nearest_ours_s']:6.1f}x")
    print(f"    max |diff| vs networkx {r['nearest_maxdiff_nx']:.2e} s, vs igraph "
          f"{r['nearest_maxdiff_ig']:.2e} s; same nearest facility {r['nearest_same_facility']:.2%}")
    print(f"  origin x facility matrix within 60 min ({r['matrix_shape'][0]:,} x "
          f"{r['matrix_shape'][1]}):")
    print(f"    ours                         {f(r['matrix_ours_s'])}  peak {r['mem_m']:7.1f} MiB")
    print(f"    networkx (scaled from 20)    {f(r['matrix_nx_s'])}"
          f"   ratio nx/ours {r['matrix_nx_s'] / r['matrix_ours_s']:6.1f}x")
    print(f"    igraph                       {f(r['matrix_ig_s'])}  peak {r['mem_igm']:7.1f} MiB"
          f"   ratio ig/ours {r['matrix_ig_s'] / r['matrix_ours_s']:6.1f}x")
    print(f"    max |diff| vs networkx {r['matrix_maxdiff_nx']:.2e} s; same reach "
          f"{r['matrix_same_reach']}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--regions", nargs="+", default=["malta", "porto", "china"],
                    help=f"regions ({', '.join(FILES)}) or paths of .osm.pbf files, e.g. the "
                    "fictional Vidzeme-scale region of `python -m geo synth --scale vidzeme`")
    ap.add_argument("--repeat", type=int, default=5, help="repeats of the fast steps (median)")
    args = ap.parse_args(argv)
    import resource

    for name in args.regions:
        report(bench_region(name, args.repeat))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess peak RSS {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
