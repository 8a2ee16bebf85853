"""Region-scale ``scenario prepare``: the per-school routing serially and on Dask.

Usage::

    python -m geo build demo --scale vidzeme            # once (bundle data/bundles/demo-vidzeme)
    python bench/bench_prepare.py [BUNDLE] [--workers 2] [--repeat 1]

Prepares the bundle (default ``data/bundles/demo-vidzeme``) serially, then ``--repeat``
times on a ``LocalCluster`` of ``--workers`` single-threaded worker processes (the cluster's
start-up, with the workers importing the routing code, timed separately from the routing,
which includes sending the network to the workers), and checks that both give identical pairs (``numpy.array_equal`` on every array). The machine load
(``os.getloadavg``) is printed with every figure: the machine is shared, and timings scale
with it.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from pathlib import Path

import numpy as np
from dask.distributed import Client, LocalCluster

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo import settings  # noqa: E402
from geo.planning.prepared import prepare_bundle  # noqa: E402

PAIR_ARRAYS = ("indptr", "school", "time_s", "dist_m", "floor_s", "floor_m", "complete")


def _load() -> str:
    return "load {:.1f}/{:.1f}/{:.1f}".format(*os.getloadavg())


def _timed(bundle: Path, scheduler) -> tuple[object, float]:
    t0 = time.perf_counter()
    prep = prepare_bundle(bundle, scheduler=scheduler)
    return prep, time.perf_counter() - t0


def bench_prepare(bundle: Path, *, workers: int, repeat: int) -> None:
    """Serial prepare of ``bundle``, then ``repeat`` prepares on a LocalCluster whose workers
    imported the routing code first (counted in its start-up); one line each."""
    serial, ts = _timed(bundle, "serial")
    print(f"prepare {bundle.name} ({serial.n_origins:,} origins x {serial.n_schools} "
          f"schools) serial: {ts:.1f} s  {_load()}", flush=True)
    t0 = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        client.run(importlib.import_module, "geo.planning.prepared")
        tc = time.perf_counter() - t0
        print(f"LocalCluster {workers} workers started (routing code imported): {tc:.1f} s  "
              f"{_load()}", flush=True)
        for run in range(repeat):
            dist, td = _timed(bundle, client)
            same = all(np.array_equal(getattr(serial.pairs, k), getattr(dist.pairs, k))
                       for k in PAIR_ARRAYS)
            print(f"prepare {bundle.name} LocalCluster {workers} workers, run {run + 1}: "
                  f"{td:.1f} s (speed-up {ts / td:.2f}x; with the start-up "
                  f"{ts / (td + tc):.2f}x; identical pairs: {same})  {_load()}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("bundle", nargs="?", default=str(settings.BUNDLES_DIR / "demo-vidzeme"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    print(f"cores {os.cpu_count()}  {_load()}")
    bench_prepare(Path(args.bundle), workers=args.workers, repeat=args.repeat)


if __name__ == "__main__":
    main()
