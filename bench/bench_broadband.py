"""Benchmark: classifying the whole of Vidzeme into broadband classes (target < 2 s).

Inputs (real data, read once, not timed): the 2021 census 1 km grid (7,590 cells clipped to
the 9 municipalities) and the Ookla fixed-broadband 2023 Q2 350 m tiles (1,121 published rows),
from ``../shared/data`` (or ``$GEO_SHARED_DATA``).

Usage::

    python bench/bench_broadband.py [--repeat 7]

Prints the median wall time of

* ``classify``: the Ookla proxy per cell + the classes (:func:`geo.broadband.analysis.classify_cells`);
* ``analyse``: the whole chain (:func:`geo.broadband.analysis.analyse`: classes, border bands,
  tables per municipality and border band, uncovered settlements and the priority list),

and the Vidzeme table: population and share per class (unknown included) and the population in
cells whose best measured speed is below 30 and below 100 Mbit/s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo import settings  # noqa: E402
from geo.broadband.analysis import analyse, base_cells, classify_cells  # noqa: E402
from geo.broadband.classes import region_summary  # noqa: E402
from geo.sources.boundaries import read_boundaries  # noqa: E402
from geo.sources.census import read_census_grid  # noqa: E402
from geo.sources.ookla import read_ookla_grid  # noqa: E402

TARGET_S = 2.0


def shared_data() -> Path:
    return Path(os.environ.get("GEO_SHARED_DATA") or ROOT.parent / "shared" / "data")


def median_time(fn, repeat: int):
    ts, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t)
    return float(np.median(ts)), out


def load_inputs(root: Path):
    v = root / "vidzeme"
    b = read_boundaries(v / "boundaries" / "municipalities_2021.geojson")
    pop = read_census_grid(v / "population" / "census2021_1km_tiles", clip=b)
    ook = read_ookla_grid(v / "broadband" / "ookla_fixed_2023q2_350m_tiles", clip=b,
                          aggregate=False)
    return pop, ook


def print_table(ws) -> None:
    s = region_summary(ws.cells)
    print("\nVidzeme, broadband classes from Ookla (measured, not declared):")
    print(f"  {'class':<16}{'cells':>7}{'population':>12}{'share':>9}")
    for r in s.itertuples(index=False):
        print(f"  {r[0]:<16}{r.cells:>7,}{r.population:>12,.0f}{100 * r.share:>8.1f}%")
    for k in ("below_30", "below_100"):
        f = ws.figures[k]
        mbps = k.split("_")[1]
        print(f"  best measured below {mbps:>3} Mbit/s: {f['population']:>8,.0f} "
              f"people = {100 * f['share_of_all']:.1f}% of all "
              f"({100 * f['share_of_tested']:.1f}% of the people in tested cells)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args(argv)
    root = shared_data()
    if not (root / "vidzeme").is_dir():
        print(f"real data not available: {root / 'vidzeme'}")
        return 0
    pop, ook = load_inputs(root)
    cells = base_cells(pop).assign(populated=True)
    analyse(pop, ookla=ook, crs=settings.LATVIA_CRS)  # warm-up (imports, caches)
    t_cls, _ = median_time(lambda: classify_cells(cells, ookla=ook), args.repeat)
    t_all, ws = median_time(lambda: analyse(pop, ookla=ook, crs=settings.LATVIA_CRS),
                            args.repeat)
    print(f"Vidzeme: {len(pop):,} census cells, {len(ook):,} Ookla rows; median of "
          f"{args.repeat} runs")
    print(f"  classify (Ookla proxy + classes): {1000 * t_cls:8.1f} ms")
    print(f"  analyse (classes, bands, tables, priority list): {1000 * t_all:8.1f} ms "
          f"(target < {TARGET_S:.0f} s: {'OK' if t_all < TARGET_S else 'SLOW'})")
    print_table(ws)
    return 0 if t_all < TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
