"""Benchmark: country scale. Build, prepare, evaluate and optimise the fictional demo region at
its three scales (``demo`` about 2,000 km2, ``vidzeme`` about 16,000 km2, ``latvia`` about
64,000 km2; :data:`geo.region.synth.SCALES`), each step in its own child process.

Usage::

    python -m geo build demo --scale latvia            # or let --build do it
    python bench/bench_country.py [--scales demo vidzeme latvia] [--build]
        [--time-limit 120] [--close-share 0.05] [--p-share 0.8] [--work DIR] [--profile]

Per scale: the bundle build (``python -m geo build demo --scale S --offline``; only with
``--build`` and only when the bundle is missing, else "pre-built"), ``scenario prepare``
(serial: load the bundle, route the origin x school matrix, save), one evaluation (close the
``--close-share`` smallest schools; the first call, then a second one with warm caches) and a
certified p-median (``p`` = ``--p-share`` of the schools, ``time_limit_s=--time-limit``). Each
step runs in a child process: wall time and peak memory (the child's own ``ru_maxrss`` from
``os.wait4``). Prints a table with the growth ratio between successive scales, the machine
load (``os.getloadavg``) at each step, and the targets (prepare < 3 min serial, evaluate
< 2 s, peak < 4 GB). ``--profile`` also profiles the prepare step (top functions by own time).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo import settings  # noqa: E402
from geo.network.access import node_matrix, snap_facilities  # noqa: E402
from geo.network.graph import Network  # noqa: E402
from geo.planning.evaluate import evaluate  # noqa: E402
from geo.planning.optimize import optimize  # noqa: E402
from geo.planning.prepared import Prepared, prepare_bundle  # noqa: E402
from geo.planning.scenario import scenario_from_dict  # noqa: E402
from geo.region import load_bundle  # noqa: E402

#: Targets of issue 11 (seconds, seconds, bytes).
TARGET_PREPARE_S = 180.0
TARGET_EVALUATE_S = 2.0
TARGET_PEAK_B = 4 * 1024**3


def _load() -> str:
    return "{:.1f}/{:.1f}/{:.1f}".format(*os.getloadavg())


def bundle_dir(scale: str) -> Path:
    """Bundle folder of a scale (``demo``, else ``demo-<scale>``), as ``geo build`` names it."""
    return settings.BUNDLES_DIR / ("demo" if scale == "demo" else f"demo-{scale}")


def run_child(args: list[str], *, log: Path, timeout_s: float) -> dict:
    """Run ``python ARGS`` in a child process (killed after ``timeout_s``): wall seconds, the
    child's CPU seconds (user + system: what the step costs whatever the machine's load),
    peak RSS (bytes, ``ru_maxrss`` from ``os.wait4``), exit code, the last JSON line of its
    output (``result``) and the load average when it ended."""
    t0 = time.perf_counter()
    with open(log, "ab") as err, tempfile.TemporaryFile() as out:
        p = subprocess.Popen([sys.executable, *args], stdout=out, stderr=err, cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
        timed_out = False
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t0 > timeout_s and not timed_out:
                p.kill()
                timed_out = True
            time.sleep(0.2)
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        wall = time.perf_counter() - t0
        out.seek(0)
        lines = out.read().decode("utf-8", "replace").splitlines()
    result = next((json.loads(x) for x in lines[::-1] if x.startswith("{")), {})
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_b": usage.ru_maxrss * 1024, "rc": p.returncode,
            "result": result, "load": _load(), "timed_out": timed_out}


def _peak_self() -> int:
    """Peak RSS of this process (bytes, /proc VmHWM), for the parent when wait4 cannot."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return -1


# ------------------------------------------------------------------------------------------
# Child steps (run as `python bench/bench_country.py --child STEP ...`)
# ------------------------------------------------------------------------------------------
def child_prepare(bundle: str, out: str, profile: bool) -> dict:
    """Load the bundle, prepare it (serial routing) and save; phase times in seconds."""
    t0 = time.perf_counter()
    b = load_bundle(bundle)
    t1 = time.perf_counter()
    if profile:
        pr = cProfile.Profile()
        prep = pr.runcall(prepare_bundle, b)
        pstats.Stats(pr, stream=sys.stderr).sort_stats("tottime").print_stats(15)
        pstats.Stats(pr, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
    else:
        prep = prepare_bundle(b)
    t2 = time.perf_counter()
    prep.save(out, force=True)
    t3 = time.perf_counter()
    return {"load_s": t1 - t0, "route_s": t2 - t1, "save_s": t3 - t2,
            "origins": int(prep.n_origins), "schools": int(prep.n_schools),
            "network_nodes": int(getattr(prep.network, "n_nodes", -1)),
            "pupils": float(prep.pupils.sum())}


def child_probe(bundle: str, block: int) -> dict:
    """Where prepare's time goes: one block of ``block`` schools routed from the school
    nodes (:func:`geo.network.access.node_matrix`) with no cutoff, as prepare routes it,
    and within ``settings.MATRIX_CUTOFF_S`` (3600 s), extrapolated to every school."""
    t0 = time.perf_counter()
    b = load_bundle(bundle)
    net = Network.load(b.network_dir)
    t1 = time.perf_counter()
    sch = b["schools"]
    sch = sch[sch.geometry.notna() & ~sch.geometry.is_empty]
    fs = snap_facilities(net, sch)
    nodes = fs.node[fs.ok]
    t2 = time.perf_counter()
    out = {"load_s": t1 - t0, "snap_s": t2 - t1, "schools": int(fs.ok.sum()),
           "network_nodes": int(net.n_nodes), "block": block}
    part = nodes[:block]
    onodes = np.arange(net.n_nodes)[:: max(1, net.n_nodes // 30000)]  # ~ the origins' count
    for label, cutoff in (("none", None), ("3600", settings.MATRIX_CUTOFF_S)):
        t = time.perf_counter()
        node_matrix(net, onodes, part, cutoff_s=cutoff, with_distance=True)
        dt = time.perf_counter() - t
        out[f"block_s_cutoff_{label}"] = dt
        out[f"all_schools_s_cutoff_{label}"] = dt * len(nodes) / max(1, len(part))
    return out


def child_evaluate(prepared: str, close_share: float) -> dict:
    """Evaluate one scenario: close the ``close_share`` smallest schools (by capacity)."""
    t0 = time.perf_counter()
    prep = Prepared.load(prepared)
    t1 = time.perf_counter()
    n = max(1, round(close_share * prep.n_schools))
    order = np.argsort(prep.schools["capacity"].to_numpy(), kind="stable")[:n]
    sc = scenario_from_dict({"changes": [{"close": [str(s) for s in prep.school_ids[order]]}]})
    t2 = time.perf_counter()
    ev = evaluate(prep, sc)
    t3 = time.perf_counter()
    evaluate(prep, sc)
    t4 = time.perf_counter()
    a = ev.assignment
    return {"load_s": t1 - t0, "evaluate_s": t3 - t2, "evaluate_warm_s": t4 - t3,
            "closed": n, "assigned_pupils": float(a.pupils[a.school >= 0].sum())}


def child_optimize(prepared: str, p_share: float, time_limit_s: float) -> dict:
    """Certified p-median keeping ``p_share`` of the schools."""
    prep = Prepared.load(prepared)
    p = max(1, round(p_share * prep.n_schools))
    t0 = time.perf_counter()
    res = optimize(prep, objective="p-median", p=p, method="certified",
                   time_limit_s=time_limit_s)
    t1 = time.perf_counter()
    c = res.certificate
    return {"optimize_s": t1 - t0, "p": p, "value": float(res.value),
            "gap": float(c.gap) if c is not None else float("nan")}


def _child_main(argv: list[str]) -> None:
    step, *rest = argv
    if step == "prepare":
        res = child_prepare(rest[0], rest[1], rest[2] == "1")
    elif step == "probe":
        res = child_probe(rest[0], int(rest[1]))
    elif step == "evaluate":
        res = child_evaluate(rest[0], float(rest[1]))
    else:
        res = child_optimize(rest[0], float(rest[1]), float(rest[2]))
    res["peak_b"] = _peak_self()
    print(json.dumps(res), flush=True)


# ------------------------------------------------------------------------------------------
# The parent: steps per scale, the table
# ------------------------------------------------------------------------------------------
def wait_for_bundle(path: Path, *, timeout_s: float) -> bool:
    """Wait until a bundle built by someone else has its manifest (True when it has)."""
    t0 = time.perf_counter()
    while not (path / "manifest.json").is_file():
        if time.perf_counter() - t0 > timeout_s:
            return False
        time.sleep(10)
    return True


def bench_scale(scale: str, args, work: Path) -> dict:
    """Build (when asked and missing), prepare, evaluate and optimise one scale."""
    log = work / f"{scale}.log"
    row: dict = {"scale": scale}
    path = bundle_dir(scale)
    if not (path / "manifest.json").is_file() and args.build:
        cmd = ["-m", "geo", "build", "demo", "--offline"] + (
            [] if scale == "demo" else ["--scale", scale])
        row["build"] = run_child(cmd, log=log, timeout_s=args.timeout)
        print(f"  {scale} build: {_fmt_step(row['build'])}", flush=True)
    elif not wait_for_bundle(path, timeout_s=args.wait):
        print(f"  {scale}: no bundle at {path} (run with --build)", flush=True)
        return row
    me = Path(__file__).resolve()
    if args.probe:
        row["probe"] = run_child([str(me), "--child", "probe", str(path), "32"], log=log,
                                 timeout_s=args.timeout)
        print(f"  {scale} probe: {_fmt_step(row['probe'])}", flush=True)
    if args.probe_only:
        return row
    prep_dir = work / f"prepared-{scale}"
    row["prepare"] = run_child([str(me), "--child", "prepare", str(path), str(prep_dir),
                                "1" if args.profile else "0"], log=log, timeout_s=args.timeout)
    print(f"  {scale} prepare: {_fmt_step(row['prepare'])}", flush=True)
    if row["prepare"]["rc"] != 0:
        return row
    row["evaluate"] = run_child([str(me), "--child", "evaluate", str(prep_dir),
                                 str(args.close_share)], log=log, timeout_s=args.timeout)
    print(f"  {scale} evaluate: {_fmt_step(row['evaluate'])}", flush=True)
    row["optimize"] = run_child([str(me), "--child", "optimize", str(prep_dir),
                                 str(args.p_share), str(args.time_limit)], log=log,
                                timeout_s=args.timeout)
    print(f"  {scale} optimize: {_fmt_step(row['optimize'])}", flush=True)
    return row


def _fmt_step(r: dict) -> str:
    res = {k: (round(v, 2) if isinstance(v, float) else v) for k, v in r["result"].items()}
    flag = " TIMED OUT" if r["timed_out"] else ("" if r["rc"] == 0 else f" EXIT {r['rc']}")
    return (f"{r['wall_s']:.1f} s (CPU {r.get('cpu_s', float('nan')):.1f} s), "
            f"peak {r['peak_b'] / 2**20:,.0f} MiB, load {r['load']}"
            f"{flag} {res}")


def _get(row: dict, step: str, key: str) -> float:
    r = row.get(step)
    if r is None or r["rc"] != 0:
        return float("nan")
    return float(r[key]) if key in r else float(r["result"].get(key, float("nan")))


#: Table lines: label, step, key, scale factor, format.
LINES = (
    ("network nodes", "prepare", "network_nodes", 1, "{:,.0f}"),
    ("origins (populated cells)", "prepare", "origins", 1, "{:,.0f}"),
    ("schools", "prepare", "schools", 1, "{:,.0f}"),
    ("build: wall s", "build", "wall_s", 1, "{:,.1f}"),
    ("build: peak MiB", "build", "peak_b", 2**-20, "{:,.0f}"),
    ("prepare: wall s (child)", "prepare", "wall_s", 1, "{:,.1f}"),
    ("prepare: CPU s (child)", "prepare", "cpu_s", 1, "{:,.1f}"),
    ("  load bundle s", "prepare", "load_s", 1, "{:,.1f}"),
    ("  route matrix s", "prepare", "route_s", 1, "{:,.1f}"),
    ("  save s", "prepare", "save_s", 1, "{:,.1f}"),
    ("prepare: peak MiB", "prepare", "peak_b", 2**-20, "{:,.0f}"),
    ("probe: 32 schools s, no cutoff", "probe", "block_s_cutoff_none", 1, "{:,.1f}"),
    ("probe: 32 schools s, 3600 s", "probe", "block_s_cutoff_3600", 1, "{:,.1f}"),
    ("probe: all schools s, none", "probe", "all_schools_s_cutoff_none", 1, "{:,.0f}"),
    ("probe: all schools s, 3600", "probe", "all_schools_s_cutoff_3600", 1, "{:,.0f}"),
    ("evaluate: s (first call)", "evaluate", "evaluate_s", 1, "{:,.2f}"),
    ("evaluate: s (warm)", "evaluate", "evaluate_warm_s", 1, "{:,.2f}"),
    ("evaluate: load prepared s", "evaluate", "load_s", 1, "{:,.1f}"),
    ("evaluate: CPU s (child, 2 calls)", "evaluate", "cpu_s", 1, "{:,.1f}"),
    ("evaluate: peak MiB", "evaluate", "peak_b", 2**-20, "{:,.0f}"),
    ("p-median: s", "optimize", "optimize_s", 1, "{:,.1f}"),
    ("p-median: p", "optimize", "p", 1, "{:,.0f}"),
    ("p-median: gap %", "optimize", "gap", 100, "{:,.3f}"),
    ("p-median: peak MiB", "optimize", "peak_b", 2**-20, "{:,.0f}"),
)


def table(rows: list[dict]) -> str:
    """The figures per scale and the growth ratios between successive scales."""
    names = [r["scale"] for r in rows]
    ratios = [f"{b}/{a}" for a, b in zip(names, names[1:], strict=False)]
    head = f"{'':<32}" + "".join(f"{n:>12}" for n in names) + "".join(f"{r:>16}" for r in ratios)
    out = [head, "-" * len(head)]
    for label, step, key, f, fmt in LINES:
        vals = [_get(r, step, key) * f for r in rows]
        cells = "".join(f"{fmt.format(v) if v == v else '-':>12}" for v in vals)
        grow = "".join(f"{(b / a if a and a == a and b == b else float('nan')):>15.1f}x"
                       for a, b in zip(vals, vals[1:], strict=False))
        out.append(f"{label:<32}{cells}{grow.replace('nanx', '   -')}")
    for r in rows:
        loads = ", ".join(f"{st} {r[st]['load']}" for st in ("build", "probe", "prepare",
                                                           "evaluate", "optimize") if st in r)
        out.append(f"load (1/5/15 min) {r['scale']}: {loads or '-'}")
    return "\n".join(out)


def targets(rows: list[dict]) -> str:
    """One line per scale: the issue's targets met or not."""
    out = []
    for r in rows:
        prep_s = sum(_get(r, "prepare", k) for k in ("load_s", "route_s", "save_s"))
        ev_s = _get(r, "evaluate", "evaluate_s")
        peak = max((_get(r, s, "peak_b") for s in ("prepare", "evaluate", "optimize")),
                   default=float("nan"))
        ok = lambda c: "ok" if c else "MISSED"  # noqa: E731
        out.append(f"{r['scale']}: prepare (load+route+save) {prep_s:.0f} s < 180 s {ok(prep_s < TARGET_PREPARE_S)}"
                   f"; evaluate {ev_s:.2f} s < 2 s {ok(ev_s < TARGET_EVALUATE_S)}"
                   f"; peak {peak / 2**30:.2f} GiB < 4 GiB {ok(peak < TARGET_PEAK_B)}")
    return "\n".join(out)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scales", nargs="+", default=["demo", "vidzeme", "latvia"])
    ap.add_argument("--build", action="store_true", help="build missing bundles")
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--close-share", type=float, default=0.05)
    ap.add_argument("--p-share", type=float, default=0.8)
    ap.add_argument("--timeout", type=float, default=3600.0, help="per child step, seconds")
    ap.add_argument("--wait", type=float, default=1800.0,
                    help="seconds to wait for a bundle someone else is building")
    ap.add_argument("--work", default=None, help="folder for prepared regions and logs")
    ap.add_argument("--profile", action="store_true", help="profile the prepare step")
    ap.add_argument("--probe", action="store_true",
                    help="also time one block of 32 school searches with and without a cutoff")
    ap.add_argument("--probe-only", action="store_true", help="build and probe only")
    ap.add_argument("--merge", nargs="+", default=None, metavar="RESULTS_JSON",
                    help="only print the table of earlier runs' results.json files")
    args = ap.parse_args(argv)
    args.probe |= args.probe_only
    if args.merge:
        rows = [r for f in args.merge for r in json.loads(Path(f).read_text())]
        print(table(rows))
        print()
        print(targets(rows))
        return
    work = Path(args.work or tempfile.mkdtemp(prefix="bench_country_"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"bench_country: scales {args.scales}; logs and prepared regions in {work}; "
          f"{os.cpu_count()} CPUs, load {_load()}", flush=True)
    rows = [bench_scale(s, args, work) for s in args.scales]
    (work / "results.json").write_text(json.dumps(rows, indent=1, default=str))
    print()
    print(table(rows))
    print()
    print(targets(rows))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        _child_main(sys.argv[2:])
    else:
        main()
