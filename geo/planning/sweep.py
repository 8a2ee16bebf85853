"""Trade-off curves: which schools to keep for every number of schools, budget or year.

A sweep solves the optimisation (:func:`geo.planning.optimize.optimize`) at every value of
``p`` (schools kept), of the budget, or of the projection year (pupils of that year,
:meth:`geo.planning.prepared.Prepared.pupils_for_year`, at a fixed ``p`` or budget),
evaluates each proposed network like any scenario (:func:`geo.planning.evaluate.evaluate`)
and tabulates the frontier: schools kept against mean and p90 travel time, pupils beyond the
threshold, pupils in dormitories, unserved pupils, transport cost, school running cost and
cost per pupil, with the current network as a reference row. Each point is also a scenario
(open it in the app or with ``scenario evaluate``).

Robustness (:func:`robustness`): one fixed network (today's, or a sweep point) evaluated
with the pupils of every projection year - how its indicators move as pupils decline.

The points are independent tasks: serially, or on Dask (``dask.distributed``) - a
``LocalCluster`` of worker processes by default, or a running scheduler
(``tcp://HOST:PORT``). The prepared region is scattered to the workers once; every task is
deterministic (single-threaded HiGHS limited by rounds and nodes, not wall time; one BLAS
thread; exact assignment), so the results equal a serial run.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from dask.distributed import Client
from dask.distributed import progress as dask_progress
from matplotlib.figure import Figure
from threadpoolctl import threadpool_limits

from geo import i18n
from geo._csv import write_csv
from geo.errors import GeoInputError, Msg
from geo.i18n import t
from geo.planning.distributed import make_client
from geo.planning.evaluate import evaluate
from geo.planning.optimize import optimize, result_to_scenario
from geo.planning.scenario import Scenario, apply_scenario, save_scenario

PARAMS = ("p", "budget", "year")

#: Frontier columns taken from the evaluation's region-wide summary (all bands).
INDICATORS = ("schools", "pupils", "mean_min", "p90_min", "beyond_threshold", "dormitory",
              "unserved", "transport_cost_eur")

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
    "sweep.year": {"lv": "Gads", "en": "Year"},
    "sweep.per_pupil": {"lv": "Izmaksas uz skolēnu, EUR gadā",
                        "en": "Cost per pupil, EUR a year"},
    "sweep.optimal": {"lv": "optimālais tīkls katrā gadā", "en": "optimal network each year"},
    "sweep.robust_title": {"lv": "Noturība: tas pats tīkls, skolēnu skaits pēc gadiem",
                           "en": "Robustness: the same network, pupils by year"},
    "sweep.running_cost_eur": {"lv": "Skolu uzturēšanas izmaksas gadā",
                               "en": "School running cost per year"},
    "sweep.cost_per_pupil_eur": {"lv": "Izmaksas uz skolēnu gadā",
                                 "en": "Cost per pupil per year"},
    "sweep.gap": {"lv": "Pierādītā atkāpe no optimuma, %", "en": "Proven gap, %"},
    "sweep.network": {"lv": "Tīkls", "en": "Network"},
    # the app's Optimise view
    "sweep.app.mode": {"lv": "Ko aprēķināt", "en": "What to compute"},
    "sweep.app.mode.one": {"lv": "Viens tīkls", "en": "One network"},
    "sweep.app.mode.curve": {"lv": "Kompromisa līkne", "en": "Trade-off curve"},
    "sweep.app.range": {"lv": "Saglabāto skolu skaits: no - līdz",
                        "en": "Number of schools kept: from - to"},
    "sweep.app.step": {"lv": "Solis", "en": "Step"},
    "sweep.app.years": {"lv": "Prognozes gadi (tīkla noturībai)",
                        "en": "Projection years (robustness of the network)"},
    "sweep.app.run": {"lv": "Aprēķināt līkni", "en": "Compute the curve"},
    "sweep.app.running": {"lv": "Optimizē tīklu ar {p} skolām…",
                          "en": "Optimising the network of {p} schools…"},
    "sweep.app.running_years": {"lv": "Novērtē pašreizējo tīklu pa gadiem…",
                                "en": "Evaluating the current network year by year…"},
    "sweep.app.load": {"lv": "{p} skolas: ielādēt kā scenāriju",
                       "en": "{p} schools: load as scenario"},
    "sweep.app.no_growth": {"lv": "Šim reģionam nav iedzīvotāju tendences, tāpēc noturību pa "
                                  "gadiem nevar aprēķināt.",
                            "en": "This region has no population trend, so the robustness by "
                                  "year cannot be computed."},
    "sweep.app.points": {"lv": "Līknes punkti", "en": "Points of the curve"},
    "sweep.app.robust_table": {"lv": "Pašreizējais tīkls pa gadiem",
                               "en": "The current network year by year"},
})

#: Columns of the tables shown to planners (:func:`display_table`) and their header keys.
DISPLAY = (("schools", "sweep.schools"), ("year", "sweep.year"), ("pupils", "ind.pupils"),
           ("mean_min", "ind.mean_min"), ("p90_min", "ind.p90_min"),
           ("beyond_threshold", "ind.beyond_threshold"), ("dormitory", "ind.dormitory"),
           ("transport_cost_eur", "ind.transport_cost_eur"),
           ("running_cost_eur", "sweep.running_cost_eur"),
           ("cost_per_pupil_eur", "sweep.cost_per_pupil_eur"), ("gap", "sweep.gap"))


@dataclass
class SweepPoint:
    """One point of a sweep: the parameter value and its result."""

    param: str
    value: float
    row: dict = field(default_factory=dict)
    scenario: Scenario | None = None


def parse_sweep(spec: str) -> tuple[str, list[float]]:
    """Parse ``"p=40:149:5"``, ``"budget=20e6:40e6:2e6"`` or ``"year=2021:2035:2"``
    (start:stop:step, stop included; the step defaults to 1).

    Raises
    ------
    GeoInputError
        Unknown parameter or a malformed range.
    """
    name, _, rng = spec.partition("=")
    name = name.strip()
    parts = rng.split(":")
    if name not in PARAMS or len(parts) not in (2, 3):
        raise GeoInputError(Msg("err.sweep.bad", spec=repr(spec)),
                            fix=Msg("err.sweep.bad.fix"))
    try:
        lo, hi = float(parts[0]), float(parts[1])
        step = float(parts[2]) if len(parts) == 3 else 1.0
    except ValueError as exc:
        raise GeoInputError(Msg("err.sweep.not_numbers", spec=repr(spec), detail=str(exc)),
                            fix=Msg("err.sweep.not_numbers.fix")) from exc
    if step <= 0 or hi < lo:
        raise GeoInputError(Msg("err.sweep.empty", spec=repr(spec)),
                            fix=Msg("err.sweep.empty.fix"))
    vals = list(np.arange(lo, hi + step * 1e-9, step))
    if vals[-1] < hi - step * 1e-9:
        vals.append(hi)
    return name, [int(round(v)) if name in ("p", "year") else float(v) for v in vals]


def parse_years(spec: str) -> list[int]:
    """Parse the projection years of a robustness run: ``"2021:2035"`` or ``"2021:2035:2"``
    (stop included, step default 1)."""
    return parse_sweep(f"year={spec}")[1]


# ------------------------------------------------------------------------------------------
# One point
# ------------------------------------------------------------------------------------------
def summary_row(ev) -> dict:
    """The frontier's indicators of an evaluation (region, all bands), the running cost of
    the open schools (``running_cost_eur``: their ``annual_cost_eur``), the cost per pupil
    (``cost_per_pupil_eur``: transport plus running cost over pupils, EUR a year) and the
    pupils' ``year``."""
    s = ev.indicators["summary"]
    s = s[(s["area"] == s["area"].iloc[0]) & (s["grade_band"] == "all")]
    vals = s.set_index("indicator")["value"]
    row = {k: float(vals.get(k, np.nan)) for k in INDICATORS}
    cost = ev.prep.schools["annual_cost_eur"].to_numpy(float)
    row["running_cost_eur"] = float(np.nansum(cost[ev.state.open]))
    row["cost_per_pupil_eur"] = ((row["transport_cost_eur"] + row["running_cost_eur"])
                                 / row["pupils"] if row["pupils"] > 0 else np.nan)
    row["year"] = int(ev.scenario.year or ev.prep.base_year)
    return row


def run_point(prep, param: str, value: float, *, base: Scenario | None = None,
              **options) -> SweepPoint:
    """Optimise at one parameter value, evaluate the proposal; one sweep task.

    ``options`` go to :func:`geo.planning.optimize.optimize` (objective, keep, close, method,
    time_limit_s, deterministic); the method defaults to ``auto`` and ``deterministic`` to
    True (work limits instead of wall time: the same result serially and on Dask). A
    ``year`` point optimises with the pupils of that year (the base scenario's ``year``
    replaced) at the ``p`` or ``budget_eur`` of ``options`` (default: ``p`` = the schools open
    in the base, i.e. today's network re-optimised).
    """
    t0 = time.perf_counter()
    options.setdefault("method", "auto")
    options.setdefault("deterministic", True)
    objective = options.setdefault("objective", "p-median")
    if param == "year":
        base = replace(base or Scenario(name="current", region=prep.region), year=int(value))
        if options.get("p") is None and options.get("budget_eur") is None:
            options["p"] = open_schools(prep, base)
        kw, label = {}, f"year={int(value)}"
    else:
        kw = {"p": int(value)} if param == "p" else {"budget_eur": float(value)}
        label = f"{param}={int(value) if param == 'p' else round(value)}"
    # one BLAS thread, as on a Dask worker (its nanny sets OPENBLAS_NUM_THREADS=1): sums of
    # threaded BLAS products differ in the last bits, and a tie in the certified solve's
    # rounding then picks another network (seen at Vidzeme scale, p=55)
    with threadpool_limits(1) if options["deterministic"] else nullcontext():
        res = optimize(prep, base=base, **options, **kw)
    sc = result_to_scenario(res, base, name=f"{objective} {label}")
    sc.region = sc.region or prep.region
    row = {"param": param, "value": value, "objective": objective, "objective_value": res.value,
           "bound": res.bound, "gap": res.gap}
    row.update(summary_row(evaluate(prep, sc)))
    row["seconds"] = time.perf_counter() - t0
    return SweepPoint(param, value, row, sc)


def open_schools(prep, base: Scenario | None = None) -> int:
    """Schools open in the base scenario (all the region's when None)."""
    sc = base or Scenario(name="current", region=prep.region)
    return int(apply_scenario(prep, sc)[1].open.sum())


def current_point(prep, base: Scenario | None = None) -> SweepPoint:
    """The reference: the base scenario (today's network) evaluated."""
    sc = base or Scenario(name="current", region=prep.region)
    row = {"param": "current", "value": np.nan, "objective": "", "objective_value": np.nan,
           "bound": np.nan, "gap": np.nan}
    row.update(summary_row(evaluate(prep, sc)))
    return SweepPoint("current", np.nan, row, sc)


def robustness(prep, networks: dict[str, Scenario], years: Sequence[int], *,
               progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Fixed networks evaluated with the pupils of every projection year.

    Parameters
    ----------
    prep : Prepared
        With growth rates (:func:`geo.planning.projection.attach_growth`) for years other
        than the base year.
    networks : dict of str to Scenario
        Label -> network (``"current"``: today's; or a sweep point's scenario). Each is
        evaluated as it is, only its ``year`` replaced.
    years : sequence of int
        Projection years.
    progress : callable(done, total), optional

    Returns
    -------
    pandas.DataFrame
        One row per network and year: ``network``, ``year`` and the columns of
        :func:`summary_row` (pupils, travel times in minutes, costs in EUR a year).
    """
    rows, total = [], len(networks) * len(years)
    for name, sc in networks.items():
        for y in years:
            rows.append({"network": name, **summary_row(evaluate(prep, replace(sc, year=int(y))))})
            if progress is not None:
                progress(len(rows), total)
    cols = ["network", "year"]
    df = pd.DataFrame(rows)
    return df[cols + [c for c in df.columns if c not in cols]]


# ------------------------------------------------------------------------------------------
# Serial or on Dask
# ------------------------------------------------------------------------------------------
def run_sweep(prep, param: str, values: Sequence[float], *, scheduler: str | Client | None =
              "serial", n_workers: int | None = None, progress: bool = False,
              **options) -> list[SweepPoint]:
    """Run every point of a sweep.

    Parameters
    ----------
    prep : Prepared
    param : {"p", "budget", "year"}
    values : sequence of float
        Schools kept, budgets (EUR a year) or projection years.
    scheduler : {"serial", "local"}, str, dask.distributed.Client, or None
        ``serial`` (default): in this process; ``local`` or None: a new ``LocalCluster``
        (closed afterwards); ``tcp://HOST:PORT``: a running scheduler; or a client.
    n_workers : int, optional
        Worker processes of a new ``LocalCluster`` (default: the number of cores).
    progress : bool, default False
        Show Dask's progress bar.
    **options
        Passed to :func:`run_point` (objective, base, keep, close, method, time_limit_s;
        for year sweeps ``p`` or ``budget_eur``).

    Returns
    -------
    list of SweepPoint, in the order of ``values``
    """
    if param not in PARAMS:
        raise GeoInputError(Msg("err.sweep.param", param=repr(param)),
                            fix=Msg("err.sweep.param.fix"))
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
#: Chart panels: y label key, scale, (column, legend key) per series.
PANELS = (("sweep.minutes", 1.0, (("mean_min", "sweep.mean"), ("p90_min", "sweep.p90"))),
          ("sweep.pupils", 1.0, (("beyond_threshold", "sweep.beyond"),
                                 ("dormitory", "sweep.dormitory"))),
          ("sweep.cost", 1e-6, (("transport_cost_eur", "sweep.transport"),
                                ("running_cost_eur", "sweep.running"))),
          ("sweep.per_pupil", 1.0, (("cost_per_pupil_eur", "sweep.cost_per_pupil_eur"),)))


def frontier_table(points: Sequence[SweepPoint], current: SweepPoint | None = None
                   ) -> pd.DataFrame:
    """One row per point (the current network first when given)."""
    rows = ([current.row] if current is not None else []) + [pt.row for pt in points]
    return pd.DataFrame(rows)


def frontier_chart(df: pd.DataFrame, *, robustness: pd.DataFrame | None = None,
                   lang: str = i18n.DEFAULT_LANGUAGE) -> Figure:
    """Four panels: travel time (mean, p90), pupils (beyond the threshold, in dormitories),
    cost (transport, school running) and cost per pupil, against schools kept (against the
    year for a year sweep); the current network is marked with a star.

    ``robustness`` (:func:`robustness`): the fixed networks' indicators by year, dashed - a
    second row of panels, or on the same panels for a year sweep.
    """
    by_year = bool(len(df)) and (df["param"] == "year").any()
    x = "year" if by_year else "schools"
    rows = 2 if robustness is not None and not by_year else 1
    fig = Figure(figsize=(16, 4 * rows), layout="constrained")
    axes = fig.subplots(rows, len(PANELS), squeeze=False)
    _plot_frontier(axes[0], df, x, lang)
    _label(axes[0], "sweep.year" if by_year else "sweep.schools", lang)
    if robustness is not None:
        _plot_robustness(axes[-1], robustness, lang)
        _label(axes[-1], "sweep.year", lang)
        if rows == 2:
            axes[-1][0].set_title(t("sweep.robust_title", lang), loc="left", fontsize=10)
    fig.suptitle(t("sweep.title", lang))
    return fig


def chart_png(df: pd.DataFrame, *, robustness: pd.DataFrame | None = None,
              lang: str = i18n.DEFAULT_LANGUAGE, dpi: int = 100) -> bytes:
    """:func:`frontier_chart` as PNG bytes (for the app)."""
    buf = io.BytesIO()
    frontier_chart(df, robustness=robustness, lang=lang).savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def robustness_chart(rob: pd.DataFrame, *, lang: str = i18n.DEFAULT_LANGUAGE) -> Figure:
    """The panels of :func:`frontier_chart` against the year, for fixed networks only."""
    fig = Figure(figsize=(16, 4), layout="constrained")
    axes = fig.subplots(1, len(PANELS))
    _plot_robustness(axes, rob, lang)
    _label(axes, "sweep.year", lang)
    fig.suptitle(t("sweep.robust_title", lang))
    return fig


def _plot_frontier(axes, df: pd.DataFrame, x: str, lang: str) -> None:
    """The sweep's points as lines, the current network as stars."""
    cur = df[df["param"] == "current"]
    pts = df[df["param"] != "current"].sort_values(x)
    what = f": {t('sweep.optimal', lang)}" if x == "year" else ""
    for ax, (_, scale, series) in zip(axes, PANELS, strict=True):
        for i, (col, key) in enumerate(series):
            ax.plot(pts[x], pts[col] * scale, "o-", ms=3, color=f"C{i}",
                    label=t(key, lang) + what)
            if len(cur):
                ax.plot(cur[x], cur[col] * scale, "*", ms=14, color=f"C{i}",
                        markeredgecolor="k",
                        label=t("sweep.current", lang) if i == 0 else None)


def _plot_robustness(axes, rob: pd.DataFrame, lang: str) -> None:
    """Each fixed network's indicators by year: dashed, one marker per network."""
    for n, (name, g) in enumerate(rob.groupby("network", sort=False)):
        g = g.sort_values("year")
        label = t("sweep.current", lang) if name == "current" else str(name)
        for ax, (_, scale, series) in zip(axes, PANELS, strict=True):
            for i, (col, key) in enumerate(series):
                ax.plot(g["year"], g[col] * scale, ls="--", marker="sx^dv"[n % 5], ms=4,
                        color=f"C{i}", alpha=0.8, label=f"{t(key, lang)}: {label}")


def _label(axes, xlabel: str, lang: str) -> None:
    for ax, (ylabel, _, _) in zip(axes, PANELS, strict=True):
        ax.set_xlabel(t(xlabel, lang))
        ax.set_ylabel(t(ylabel, lang))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)


def display_table(df: pd.DataFrame, *, lang: str = i18n.DEFAULT_LANGUAGE) -> pd.DataFrame:
    """A frontier (:func:`frontier_table`) or robustness (:func:`robustness`) table for
    planners: the network (the current one named in ``lang``, a point by its objective and
    value), the indicators of :data:`DISPLAY` under translated headers, the gap in percent."""
    out = pd.DataFrame(index=df.index)
    out[t("sweep.network", lang)] = [_network_name(r, lang) for r in df.to_dict("records")]
    for col, key in DISPLAY:
        if col in df.columns:
            out[t(key, lang)] = df[col] * 100.0 if col == "gap" else df[col]
    return out


def _network_name(r: dict, lang: str) -> str:
    name = r.get("network", r.get("param"))
    if name == "current":
        return t("sweep.current", lang)
    if "network" in r:
        return str(name)
    return f"{r['objective']} {r['param']}={r['value']:g}"


def point_file(pt: SweepPoint) -> str:
    """A point's scenario file, relative to the sweep folder: ``scenarios/p_60.yaml``."""
    v = int(pt.value) if pt.param in ("p", "year") else int(round(pt.value))
    return f"scenarios/{pt.param}_{v}.yaml"


def write_sweep(points: Sequence[SweepPoint], out: str | Path, *,
                current: SweepPoint | None = None, robustness: pd.DataFrame | None = None,
                lang: str = i18n.DEFAULT_LANGUAGE) -> dict[str, Path]:
    """Write ``frontier.csv``, ``frontier.png``, ``scenarios/<param>_<value>.yaml`` and, with
    ``robustness`` (:func:`robustness`), ``robustness.csv`` (drawn on the same chart).

    The CSV's ``scenario`` column gives each point's file relative to ``out`` (the folder can
    be moved or written through a temporary folder). ``out`` must exist and be the tool's: the
    job :func:`geo.jobs.run_optimize_sweep` writes it through :func:`geo._files.owned_dir`.
    """
    out = Path(out)
    (out / "scenarios").mkdir(parents=True, exist_ok=True)
    df = frontier_table(points, current)
    files = {"csv": out / "frontier.csv", "png": out / "frontier.png"}
    for pt in points:
        rel = point_file(pt)
        save_scenario(pt.scenario, out / rel)
        df.loc[(df["param"] == pt.param) & (df["value"] == pt.value), "scenario"] = rel
    write_csv(df, files["csv"])
    if robustness is not None:
        files["robustness"] = out / "robustness.csv"
        write_csv(robustness, files["robustness"])
    frontier_chart(df, robustness=robustness, lang=lang).savefig(files["png"], dpi=110)
    return files


def write_robustness(rob: pd.DataFrame, out: str | Path, *,
                     lang: str = i18n.DEFAULT_LANGUAGE) -> dict[str, Path]:
    """Write ``robustness.csv`` and ``robustness.png`` into ``out`` (an existing folder the
    tool owns: :func:`geo.jobs.run_robustness` writes it through
    :func:`geo._files.owned_dir`)."""
    out = Path(out)
    files = {"csv": out / "robustness.csv", "png": out / "robustness.png"}
    write_csv(rob, files["csv"])
    robustness_chart(rob, lang=lang).savefig(files["png"], dpi=110)
    return files
