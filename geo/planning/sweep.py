"""Trade-off curves: which schools to keep for every number of schools (or budget).

A sweep solves the optimisation (:func:`geo.planning.optimize.optimize`) at every value of
``p`` (schools kept) or of the budget, evaluates each proposed network like any scenario
(:func:`geo.planning.evaluate.evaluate`) and tabulates the frontier: schools kept against
mean and p90 travel time, pupils beyond the threshold, pupils in dormitories, unserved
pupils, transport cost and school running cost, with the current network as a reference row.
Each point is also a scenario (open it in the app or with ``scenario evaluate``).

The points are independent tasks: serially, or on Dask (``dask.distributed``) - a
``LocalCluster`` of worker processes by default, or a running scheduler
(``tcp://HOST:PORT``). The prepared region is scattered to the workers once; every task is
deterministic (single-threaded HiGHS limited by rounds and nodes, not wall time; exact
assignment), so the results equal a serial run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from dask.distributed import Client, LocalCluster
from dask.distributed import progress as dask_progress
from matplotlib.figure import Figure

from geo import i18n
from geo._csv import write_csv
from geo.errors import GeoInputError
from geo.i18n import t
from geo.planning.evaluate import evaluate
from geo.planning.optimize import optimize, result_to_scenario
from geo.planning.scenario import Scenario, save_scenario

PARAMS = ("p", "budget")

#: Frontier columns taken from the evaluation's region-wide summary (all bands).
INDICATORS = ("schools", "mean_min", "p90_min", "beyond_threshold", "dormitory", "unserved",
              "transport_cost_eur")

i18n.register({
    "sweep.title": {"lv": "Kompromisa līkne: saglabātās skolas un ceļš",
                    "en": "Trade-off: schools kept and travel"},
    "sweep.schools": {"lv": "Saglabātās skolas", "en": "Schools kept"},
    "sweep.minutes": {"lv": "Brauciena laiks, min", "en": "Travel time, min"},
    "sweep.mean": {"lv": "vidējais", "en": "mean"},
    "sweep.p90": {"lv": "90. procentile", "en": "90th percentile"},
    "sweep.pupils": {"lv": "Skolēni", "en": "Pupils"},
    "sweep.beyond": {"lv": "virs sliekšņa", "en": "beyond the threshold"},
    "sweep.dormitory": {"lv": "internātā", "en": "in dormitories"},
    "sweep.cost": {"lv": "Izmaksas, milj. EUR gadā", "en": "Cost, million EUR a year"},
    "sweep.transport": {"lv": "transports", "en": "transport"},
    "sweep.running": {"lv": "skolu uzturēšana", "en": "school running"},
    "sweep.current": {"lv": "pašreizējais tīkls", "en": "current network"},
})


@dataclass
class SweepPoint:
    """One point of a sweep: the parameter value and its result."""

    param: str
    value: float
    row: dict = field(default_factory=dict)
    scenario: Scenario | None = None


def parse_sweep(spec: str) -> tuple[str, list[float]]:
    """Parse ``"p=40:149:5"`` or ``"budget=20e6:40e6:2e6"`` (start:stop:step, stop included).

    Raises
    ------
    GeoInputError
        Unknown parameter or a malformed range.
    """
    name, _, rng = spec.partition("=")
    name = name.strip()
    parts = rng.split(":")
    if name not in PARAMS or len(parts) not in (2, 3):
        raise GeoInputError(f"bad sweep {spec!r}.",
                            fix="write p=START:STOP:STEP or budget=START:STOP:STEP.")
    try:
        lo, hi = float(parts[0]), float(parts[1])
        step = float(parts[2]) if len(parts) == 3 else 1.0
    except ValueError as exc:
        raise GeoInputError(f"bad sweep {spec!r}: {exc}.",
                            fix="numbers only, e.g. p=40:149:5.") from exc
    if step <= 0 or hi < lo:
        raise GeoInputError(f"bad sweep {spec!r}: empty range.", fix="use START <= STOP, STEP > 0.")
    vals = list(np.arange(lo, hi + step * 1e-9, step))
    if vals[-1] < hi - step * 1e-9:
        vals.append(hi)
    return name, [int(round(v)) if name == "p" else float(v) for v in vals]


# ------------------------------------------------------------------------------------------
# One point
# ------------------------------------------------------------------------------------------
def summary_row(ev) -> dict:
    """The frontier's indicators of an evaluation (region, all bands) plus the running cost
    of the open schools (``annual_cost_eur``)."""
    s = ev.indicators["summary"]
    s = s[(s["area"] == s["area"].iloc[0]) & (s["grade_band"] == "all")]
    vals = s.set_index("indicator")["value"]
    row = {k: float(vals.get(k, np.nan)) for k in INDICATORS}
    cost = ev.prep.schools["annual_cost_eur"].to_numpy(float)
    row["running_cost_eur"] = float(np.nansum(cost[ev.state.open]))
    return row


def run_point(prep, param: str, value: float, *, base: Scenario | None = None,
              **options) -> SweepPoint:
    """Optimise at one parameter value, evaluate the proposal; one sweep task.

    ``options`` go to :func:`geo.planning.optimize.optimize` (objective, keep, close, method,
    time_limit_s, deterministic); the method defaults to ``auto`` and ``deterministic`` to
    True (work limits instead of wall time: the same result serially and on Dask).
    """
    t0 = time.perf_counter()
    options.setdefault("method", "auto")
    options.setdefault("deterministic", True)
    objective = options.setdefault("objective", "p-median")
    kw = {"p": int(value)} if param == "p" else {"budget_eur": float(value)}
    res = optimize(prep, base=base, **options, **kw)
    label = f"{param}={int(value) if param == 'p' else round(value)}"
    sc = result_to_scenario(res, base, name=f"{objective} {label}")
    sc.region = sc.region or prep.region
    row = {"param": param, "value": value, "objective": objective, "objective_value": res.value,
           "bound": res.bound, "gap": res.gap}
    row.update(summary_row(evaluate(prep, sc)))
    row["seconds"] = time.perf_counter() - t0
    return SweepPoint(param, value, row, sc)


def current_point(prep, base: Scenario | None = None) -> SweepPoint:
    """The reference: the base scenario (today's network) evaluated."""
    sc = base or Scenario(name="current", region=prep.region)
    row = {"param": "current", "value": np.nan, "objective": "", "objective_value": np.nan,
           "bound": np.nan, "gap": np.nan}
    row.update(summary_row(evaluate(prep, sc)))
    return SweepPoint("current", np.nan, row, sc)


# ------------------------------------------------------------------------------------------
# Serial or on Dask
# ------------------------------------------------------------------------------------------
def make_client(scheduler: str | Client | None, *, n_workers: int | None = None) -> Client:
    """A Dask client: an existing one, a running scheduler's address, or a new
    ``LocalCluster`` of single-threaded worker processes (default: one per core)."""
    if isinstance(scheduler, Client):
        return scheduler
    if scheduler and scheduler != "local":
        return Client(scheduler)
    n = n_workers or os.cpu_count() or 1
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    return Client(cluster)


def run_sweep(prep, param: str, values: Sequence[float], *, scheduler: str | Client | None =
              "serial", n_workers: int | None = None, progress: bool = False,
              **options) -> list[SweepPoint]:
    """Run every point of a sweep.

    Parameters
    ----------
    prep : Prepared
    param : {"p", "budget"}
    values : sequence of float
    scheduler : {"serial", "local"}, str, dask.distributed.Client, or None
        ``serial`` (default): in this process; ``local`` or None: a new ``LocalCluster``
        (closed afterwards); ``tcp://HOST:PORT``: a running scheduler; or a client.
    n_workers : int, optional
        Worker processes of a new ``LocalCluster`` (default: the number of cores).
    progress : bool, default False
        Show Dask's progress bar.
    **options
        Passed to :func:`run_point` (objective, base, keep, close, method, time_limit_s).

    Returns
    -------
    list of SweepPoint, in the order of ``values``
    """
    if param not in PARAMS:
        raise GeoInputError(f"unknown sweep parameter {param!r}.", fix="use p or budget.")
    if scheduler == "serial":
        return [run_point(prep, param, v, **options) for v in values]
    own = not isinstance(scheduler, Client) and (not scheduler or scheduler == "local")
    client = make_client(scheduler, n_workers=n_workers)
    try:
        fut_prep = client.scatter(prep, broadcast=True)
        futs = [client.submit(run_point, fut_prep, param, v, pure=False, **options)
                for v in values]
        if progress:
            dask_progress(futs)
        return client.gather(futs)
    finally:
        if own:
            cluster = client.cluster
            client.close()
            cluster.close()



# ------------------------------------------------------------------------------------------
# Frontier table, chart and files
# ------------------------------------------------------------------------------------------
def frontier_table(points: Sequence[SweepPoint], current: SweepPoint | None = None
                   ) -> pd.DataFrame:
    """One row per point (the current network first when given)."""
    rows = ([current.row] if current is not None else []) + [pt.row for pt in points]
    return pd.DataFrame(rows)


def frontier_chart(df: pd.DataFrame, *, lang: str = i18n.DEFAULT_LANGUAGE) -> Figure:
    """Three panels against schools kept: travel time (mean, p90), pupils (beyond the
    threshold, in dormitories), cost (transport, school running); the current network is
    marked with a star."""
    fig = Figure(figsize=(12, 4), layout="constrained")
    axes = fig.subplots(1, 3)
    cur = df[df["param"] == "current"]
    pts = df[df["param"] != "current"].sort_values("schools")
    panels = (("sweep.minutes", 1.0, (("mean_min", "sweep.mean"), ("p90_min", "sweep.p90"))),
              ("sweep.pupils", 1.0, (("beyond_threshold", "sweep.beyond"),
                                     ("dormitory", "sweep.dormitory"))),
              ("sweep.cost", 1e-6, (("transport_cost_eur", "sweep.transport"),
                                    ("running_cost_eur", "sweep.running"))))
    for ax, (ylabel, scale, series) in zip(axes, panels, strict=True):
        for i, (col, key) in enumerate(series):
            color = f"C{i}"
            ax.plot(pts["schools"], pts[col] * scale, "o-", ms=3, color=color, label=t(key, lang))
            if len(cur):
                ax.plot(cur["schools"], cur[col] * scale, "*", ms=14, color=color,
                        markeredgecolor="k",
                        label=t("sweep.current", lang) if i == 0 else None)
        ax.set_xlabel(t("sweep.schools", lang))
        ax.set_ylabel(t(ylabel, lang))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(t("sweep.title", lang))
    return fig


def write_sweep(points: Sequence[SweepPoint], out: str | Path, *,
                current: SweepPoint | None = None, lang: str = i18n.DEFAULT_LANGUAGE
                ) -> dict[str, Path]:
    """Write ``frontier.csv``, ``frontier.png`` and ``scenarios/<param>_<value>.yaml``.

    The CSV's ``scenario`` column gives each point's file relative to ``out`` (the folder can
    be moved or written through a temporary folder). ``out`` must exist and be the tool's: the
    job :func:`geo.jobs.run_optimize_sweep` writes it through :func:`geo._files.owned_dir`.
    """
    out = Path(out)
    (out / "scenarios").mkdir(parents=True, exist_ok=True)
    df = frontier_table(points, current)
    files = {"csv": out / "frontier.csv", "png": out / "frontier.png"}
    for pt in points:
        v = int(pt.value) if pt.param == "p" else int(round(pt.value))
        rel = f"scenarios/{pt.param}_{v}.yaml"
        save_scenario(pt.scenario, out / rel)
        df.loc[(df["param"] == pt.param) & (df["value"] == pt.value), "scenario"] = rel
    write_csv(df, files["csv"])
    frontier_chart(df, lang=lang).savefig(files["png"], dpi=110)
    return files
