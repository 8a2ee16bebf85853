"""Benchmark: scenario evaluation (assignment + all indicators) on prepared arrays, against a
plain networkx evaluation (multi_source_dijkstra per school set + greedy assignment in Python).

Regions
    * the Vidzeme-scale synthetic region (``python -m geo build demo --scale vidzeme``: about
      135,000 network nodes, 11,000 census cells, 130 ordinary schools), built offline when
      missing;
    * Malta (real OSM: 164 schools, 64 places with a population).

Usage::

    python bench/bench_scenario.py [--repeat 7] [--optimize]

Prints per scenario the median wall time of :func:`geo.planning.evaluate.evaluate` (apply changes,
capacity-constrained assignment, every indicator table), the networkx evaluation's time and the
ratio, and checks that the exact assignment's pupil-minutes are never above the greedy's.
``--optimize`` also runs the heuristic and the MILP on the demo region and on Malta (with
capacities) and prints the gaps.
"""

from __future__ import annotations

import argparse
import heapq
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo import settings  # noqa: E402
from geo.grades import band_offers  # noqa: E402
from geo.planning.evaluate import evaluate  # noqa: E402
from geo.planning.prepared import Prepared, prepare, prepare_bundle  # noqa: E402
from geo.planning.scenario import apply_scenario, scenario_from_dict  # noqa: E402


def median_time(fn, repeat):
    ts = []
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t)
    return float(np.median(ts)), out


# ------------------------------------------------------------------------------------------
# The plain networkx evaluation
# ------------------------------------------------------------------------------------------
def networkx_evaluate(G, prep: Prepared, sc, onode, oleg_s, snode, sleg_s):
    """Nearest school per origin and band by networkx multi_source_dijkstra over the school
    set (the nearest by network time to the school's node, plus both off-network legs), then
    a greedy capacity assignment in Python (groups in order of their trip time go
    to the nearest school with room; the rest are routed again without the full schools),
    then mean time and pupils beyond the threshold. Car times, no walking, no dormitories."""
    import networkx as nx

    p2, st = apply_scenario(prep, sc)
    pupils = p2.pupils_for_year(sc.year).copy()
    offers = band_offers(st.serves, p2.bands)
    cap = st.capacity.copy()
    load = np.zeros(p2.n_schools)
    total_min = 0.0
    beyond = 0.0
    unserved = 0.0
    for b, band in enumerate(p2.bands):
        todo = [o for o in range(p2.n_origins) if pupils[o, b] > 0]
        full: set[int] = set()
        while todo:
            open_ = [j for j in range(p2.n_schools)
                     if st.open[j] and offers[j, b] and j not in full and snode[j] >= 0]
            if not open_:
                unserved += sum(pupils[o, b] for o in todo)
                break
            # one multi-source search from the school nodes (the school's own off-network leg
            # is added after the search)
            src = {}
            for j in open_:
                n = int(snode[j])
                if n not in src or sleg_s[j] < src[n][0]:
                    src[n] = (sleg_s[j], j)
            dist, paths = nx.multi_source_dijkstra(G, set(src), weight="time_s")
            groups = []
            for o in todo:
                n = int(onode[o])
                if n < 0 or n not in dist:
                    unserved += pupils[o, b]
                    continue
                leg, j = src[paths[n][0]]
                groups.append((dist[n] + oleg_s[o] + leg, o, j))
            heapq.heapify(groups)
            todo = []
            while groups:
                t, o, j = heapq.heappop(groups)
                w = pupils[o, b]
                room = cap[j] - load[j]
                take = min(w, room)
                if take > 0:
                    load[j] += take
                    total_min += take * t / 60
                    if t / 60 > sc.thresholds_min[band]:
                        beyond += take
                if take < w:
                    full.add(j)
                    pupils[o, b] = w - take
                    todo.append(o)
    return {"pupil_min": total_min, "beyond": beyond, "unserved": unserved}


def car_scenario(sc):
    from geo.planning.transport import TransportParams

    sc.transport = TransportParams(mode="car", walk_max_distance_m=0)
    return sc


def bench_region(name, prep: Prepared, net, scenarios, repeat, do_nx=True):
    print(f"\n== {name}: {net.n_nodes:,} network nodes, {prep.n_origins:,} origins, "
          f"{prep.n_schools} schools, {prep.pupils.sum():,.0f} pupils")
    if do_nx:
        t0 = time.perf_counter()
        G = net.to_networkx(weight="time_s").reverse(copy=True)
        import geopandas as gpd

        from geo.network.snap import snap
        os_ = snap(net, gpd.GeoSeries(gpd.points_from_xy(prep.origin_x, prep.origin_y),
                                      crs=prep.crs))
        ss = snap(net, gpd.GeoSeries(gpd.points_from_xy(prep.schools["x"], prep.schools["y"]),
                                     crs=prep.crs))
        onode = np.where(os_.ok, os_.node, -1)
        snode = np.where(ss.ok, ss.node, -1)
        print(f"networkx graph + snapping: {time.perf_counter() - t0:.1f} s (not timed below)")
    rows = []
    for label, sc in scenarios:
        sc = car_scenario(sc)
        evaluate(prep, sc)  # warm the cache of travel minutes (once per transport setting)
        t_ours, ev = median_time(lambda sc=sc: evaluate(prep, sc), repeat)
        a = ev.assignment
        daily = (a.school >= 0) & ~a.dorm
        ours_min = float((a.pupils * a.minutes)[daily].sum())
        line = (f"{label:<34} ours {1000 * t_ours:7.1f} ms  ({a.method}, "
                f"{a.rounds} rounds, optimal {a.optimal})")
        if do_nx:
            t_nx, ref = median_time(lambda sc=sc: networkx_evaluate(
                G, prep, sc, onode, os_.time_s, snode, ss.time_s), max(1, repeat // 3))
            line += (f" | networkx {t_nx:7.2f} s | ratio {t_nx / t_ours:6.0f}x | "
                     f"pupil-min ours {ours_min:,.0f} <= greedy {ref['pupil_min']:,.0f}")
            # the exact optimum never costs more than the greedy (same car times)
            assert ours_min <= ref["pupil_min"] * (1 + 1e-6) + 1e-6 or ref["unserved"] > 0
            rows.append((label, t_ours, t_nx))
        else:
            rows.append((label, t_ours, np.nan))
        print(line, flush=True)
    return rows


def scenarios_for(prep: Prepared, n_close=(10, 30)):
    ids = prep.school_ids
    order = np.argsort(prep.schools["capacity"].to_numpy())
    out = [("baseline", scenario_from_dict({}))]
    for k in n_close:
        out.append((f"close the {k} smallest schools",
                    scenario_from_dict({"changes": [{"close": [str(s) for s in ids[order[:k]]]}]})))
    if prep.growth_rate is not None:
        out.append((f"close {n_close[0]} smallest, 2030 pupils",
                    scenario_from_dict({"year": 2030, "changes": [
                        {"close": [str(s) for s in ids[order[:n_close[0]]]]}]})))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--optimize", action="store_true")
    ap.add_argument("--skip-networkx", action="store_true")
    args = ap.parse_args(argv)

    from geo import region
    from geo.network.graph import Network

    path = settings.BUNDLES_DIR / "demo-vidzeme"
    if not (path / "manifest.json").exists():
        print("building the Vidzeme-scale synthetic bundle (once)...")
        region.build_bundle("demo", online=False, generator_options={"scale": "vidzeme"})
    t = time.perf_counter()
    prep = prepare_bundle(path)
    t_prep = time.perf_counter() - t
    net = Network.load(path / "network")
    print(f"prepare (route {prep.n_origins:,} x {prep.n_schools} matrix with distances, "
          f"projection): {t_prep:.1f} s")
    res = bench_region("Vidzeme-scale synthetic region", prep, net, scenarios_for(prep),
                       args.repeat, do_nx=not args.skip_networkx)

    osm = ROOT.parent / "shared" / "data" / "osm" / "malta-2018-08-27.osm.pbf"
    if osm.exists():
        from geo.network.graph import build_network
        from geo.sources.osm import read_facilities, read_osm, read_places

        mnet = build_network(read_osm(osm))
        s = read_facilities(osm)
        s["id"] = s["osm_id"]
        pl = read_places(osm)
        pl = pl[pl["population"] > 0].reset_index(drop=True)
        pl["id"] = pl["osm_id"]
        mprep = prepare(mnet, pl, s, base_year=2018, population="population", region="malta")
        mprep.schools["capacity"] = np.ceil(1.15 * mprep.pupils.sum() / 40)
        res += bench_region("Malta (real OSM, capacity 1.15 x share of 40 schools)", mprep, mnet,
                            scenarios_for(mprep, (20, 100)), args.repeat,
                            do_nx=not args.skip_networkx)

    if args.optimize:
        from geo.planning.optimize import optimize

        demo = settings.BUNDLES_DIR / "demo"
        if not (demo / "manifest.json").exists():
            region.build_bundle("demo", online=False)
        dprep = prepare_bundle(demo)
        cases = [("demo", dprep, "p-median", 15), ("demo", dprep, "p-median", 8),
                 ("demo", dprep, "coverage", 8), ("demo", dprep, "coverage", 15)]
        if osm.exists():
            cases += [("malta capacitated", mprep, "p-median", 20),
                      ("malta capacitated", mprep, "coverage", 20),
                      ("malta capacitated", mprep, "p-median", 40)]
        print("\n== optimisation: heuristic vs MILP (HiGHS)")
        for name, pr, obj, p in cases:
            if name.startswith("malta"):
                pr.schools["capacity"] = np.ceil(1.15 * pr.pupils.sum() / p)
                pr._cache.clear()
            r = optimize(pr, objective=obj, p=p, method="both", time_limit_s=120)
            print(f"{name} {obj} p={p}: heuristic {r.heuristic_value:,.2f} "
                  f"({r.seconds['heuristic']:.1f} s), MILP {r.milp_value:,.2f} bound "
                  f"{r.milp_bound:,.2f} [{r.milp_status}] ({r.seconds['milp']:.1f} s), "
                  f"gap {100 * r.gap:.4f} %", flush=True)
    print("\nsummary (median ms ours | s networkx)")
    for label, a, b in res:
        print(f"  {label:<34} {1000 * a:8.1f} ms | {b:8.2f} s")


if __name__ == "__main__":
    main()
