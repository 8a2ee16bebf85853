"""Region-scale optimisation: certified p-median and coverage, and sweeps serial vs Dask.

Usage::

    python -m geo build demo --scale vidzeme            # once (about 2 minutes)
    python -m geo scenario prepare --bundle demo-vidzeme --out PREPARED
    python bench/bench_optimize.py PREPARED [--p 60 100 130] [--coverage-p 100] [--budget EUR]
        [--cost-per-place EUR]
        [--sweep p=110:140:10] [--time-limit 60] [--spopt DEMO_PREPARED]

Prints, for each instance: time (total; building the instance; the certified solve; its
exact evaluations), objective, proven lower bound, gap, the path (``lp``: sparse LP rounds;
``lagrangian``: subgradient steps; ``levels``: coverage's level relaxation, rounds = branch
and bound nodes, arcs = explicit and pool arcs; see :mod:`geo.planning.certify`) and sizes;
then the sweep's wall time serially and on a ``LocalCluster`` with two worker processes, and
whether both gave the same networks. The machine load (``os.getloadavg``) is printed with
every figure: the machine is shared, and timings scale with it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from dask.distributed import Client, LocalCluster

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.planning.location import PMedian  # noqa: E402
from geo.planning.optimize import optimize  # noqa: E402
from geo.planning.prepared import Prepared  # noqa: E402
from geo.planning.sweep import parse_sweep, run_sweep  # noqa: E402

try:  # spopt is installed for the benchmark only (e.g. in a separate virtual environment)
    import pulp
    from spopt.locate import PMedian as SpoptPMedian
except ImportError:
    SpoptPMedian = None


def _load() -> str:
    return "load {:.1f}/{:.1f}/{:.1f}".format(*os.getloadavg())


def bench_instances(prep, *, ps, coverage_ps, budgets=(), time_limit_s: float) -> None:
    """Certified solves; one line each (``budgets``: p-median within a budget, EUR)."""
    print(f"{'instance':<16} {'seconds':>8} {'build':>6} {'solve':>6} {'eval':>6} "
          f"{'objective':>14} {'bound':>14} {'gap %':>7} {'path':>10} {'rounds':>6} "
          f"{'arcs':>8} {'links':>7}  load")
    runs = [("p-median", "p", p) for p in ps] + [("coverage", "p", p) for p in coverage_ps]
    for objective, kind, x in runs + [("p-median", "budget", b) for b in budgets]:
        t0 = time.perf_counter()
        res = optimize(prep, objective=objective, method="certified", time_limit_s=time_limit_s,
                       **({"p": x} if kind == "p" else {"budget_eur": x}))
        dt = time.perf_counter() - t0
        c = res.certificate
        solve = c.seconds.get("total", 0.0)
        name = f"{objective} p={x}" if kind == "p" else f"budget {x / 1e6:g} M"
        print(f"{name:<16} {dt:>8.1f} {dt - solve:>6.1f} "
              f"{solve:>6.1f} {c.seconds.get('evaluate', 0.0):>6.1f} {res.value:>14,.1f} "
              f"{c.bound:>14,.1f} {100 * c.gap:>7.3f} {c.path:>10} {c.rounds:>6} "
              f"{c.n_arcs:>8,} {c.n_links:>7,}  {_load()}", flush=True)


def bench_sweep(prep, spec: str, *, time_limit_s: float) -> None:
    """The same sweep serially and on a 2-worker LocalCluster."""
    param, values = parse_sweep(spec)
    t0 = time.perf_counter()
    serial = run_sweep(prep, param, values, method="certified", time_limit_s=time_limit_s)
    ts = time.perf_counter() - t0
    print(f"sweep {spec} ({len(values)} points) serial: {ts:.1f} s  {_load()}", flush=True)
    t0 = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        dist = run_sweep(prep, param, values, method="certified", time_limit_s=time_limit_s,
                         scheduler=client)
    td = time.perf_counter() - t0
    same = all(a.scenario.changes[-1].params == b.scenario.changes[-1].params
               for a, b in zip(serial, dist, strict=True))
    print(f"sweep {spec} LocalCluster 2 workers: {td:.1f} s (speed-up {ts / td:.2f}x, "
          f"same networks: {same})  {_load()}")


def bench_spopt(prep, ps) -> None:
    """Uncapacitated p-median on the same cost matrix: ours (whole MILP, HiGHS) vs spopt
    (PuLP + HiGHS). spopt's p-median assigns each group wholly to one school; without
    capacities that is optimal anyway, so the objectives must agree."""
    if SpoptPMedian is None:
        print("spopt not installed: skipped (pip install spopt in a separate environment)")
        return
    for p in ps:
        ours = PMedian.from_prepared(prep, p=p)
        ours.capacity[:] = float("inf")
        t0 = time.perf_counter()
        ours.solve(method="exact")
        t_ours = time.perf_counter() - t0
        cost = ours.problem().cost  # inf (grade not taught) -> the unserved cost
        t0 = time.perf_counter()
        sp = SpoptPMedian.from_cost_matrix(cost, ours.w, p_facilities=p)
        sp = sp.solve(pulp.HiGHS(msg=False, timeLimit=600))
        t_sp = time.perf_counter() - t0
        print(f"uncapacitated p-median p={p} ({cost.shape[0]:,} x {cost.shape[1]}): ours "
              f"{ours.objective_value:,.2f} ({t_ours:.1f} s), spopt "
              f"{sp.problem.objective.value():,.2f} ({t_sp:.1f} s)  {_load()}", flush=True)


def bench_spopt_region(prep, ps, *, time_limit_s: float = 600.0) -> None:
    """The Vidzeme-scale capacitated instances through spopt (PuLP + HiGHS, its own
    capacitated p-median), with the same time limit a planner would wait (10 minutes)."""
    if SpoptPMedian is None:
        print("spopt not installed: skipped (pip install spopt in a separate environment)")
        return
    for p in ps:
        ours = PMedian.from_prepared(prep, p=p)
        pr = ours.problem()
        t0 = time.perf_counter()
        sp = SpoptPMedian.from_cost_matrix(pr.cost, pr.w, p_facilities=p,
                                           facility_capacities=pr.capacity)
        t_build = time.perf_counter() - t0
        print(f"spopt capacitated p-median p={p}: model built in {t_build:.0f} s "
              f"({pr.shape[0]:,} x {pr.shape[1]}), solving (limit {time_limit_s:.0f} s) "
              f"{_load()}", flush=True)
        t0 = time.perf_counter()
        sp = sp.solve(pulp.HiGHS(msg=False, timeLimit=time_limit_s))
        print(f"spopt p={p}: status {pulp.LpStatus[sp.problem.status]}, objective "
              f"{sp.problem.objective.value():,.1f} in {time.perf_counter() - t0:.0f} s "
              f"{_load()}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("prepared", help="prepared Vidzeme-scale demo (scenario prepare --out)")
    ap.add_argument("--p", type=int, nargs="*", default=[60, 100, 130])
    ap.add_argument("--coverage-p", type=int, nargs="*", default=[100])
    ap.add_argument("--budget", type=float, nargs="*", default=[],
                    help="p-median within these budgets (EUR a year, sum of annual_cost_eur)")
    ap.add_argument("--cost-per-place", type=float, default=None,
                    help="running cost of each school = 150,000 EUR + this x its places "
                         "(default: the region's own annual_cost_eur), for --budget")
    ap.add_argument("--sweep", default="p=110:140:10")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--spopt", default=None,
                    help="a small prepared region (e.g. the demo) for the spopt comparison")
    ap.add_argument("--spopt-p", type=int, nargs="*", default=[10, 15])
    ap.add_argument("--spopt-region", type=int, nargs="*", default=[],
                    help="p values of the Vidzeme-scale instance to run through spopt too")
    a = ap.parse_args()
    if a.spopt:
        bench_spopt(Prepared.load(a.spopt), a.spopt_p)
    t0 = time.perf_counter()
    prep = Prepared.load(a.prepared)
    print(f"prepared: {prep.n_origins:,} origins x {prep.n_schools} schools, pupils "
          f"{prep.pupils.sum():,.0f}; loaded in {time.perf_counter() - t0:.1f} s; "
          f"{os.cpu_count()} cores, {_load()}")
    if a.cost_per_place is not None:
        prep.schools["annual_cost_eur"] = 150_000.0 + a.cost_per_place * prep.schools[
            "capacity"].to_numpy(float)
        print(f"running costs 150,000 + {a.cost_per_place:g} x places: total "
              f"{prep.schools['annual_cost_eur'].sum():,.0f} EUR")
    if a.spopt_region:
        bench_spopt_region(prep, a.spopt_region)
    bench_instances(prep, ps=a.p, coverage_ps=a.coverage_p, budgets=a.budget,
                    time_limit_s=a.time_limit)
    if a.sweep:
        bench_sweep(prep, a.sweep, time_limit_s=a.time_limit)


if __name__ == "__main__":
    main()
