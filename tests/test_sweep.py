"""Trade-off sweeps (geo.planning.sweep): parsing, the frontier files, and the same results
serially and on a real dask.distributed LocalCluster with two worker processes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.errors import GeoInputError
from geo.planning.evaluate import evaluate
from geo.planning.prepared import prepare_bundle
from geo.planning.scenario import load_scenario
from geo.planning.sweep import (
    current_point,
    frontier_chart,
    frontier_table,
    parse_sweep,
    parse_years,
    robustness,
    run_point,
    run_sweep,
    write_sweep,
)


@pytest.fixture(scope="module")
def demo_bundles(tmp_path_factory):
    """A bundles folder holding the demo region (``demo/``), built offline once."""
    from geo import region

    root = tmp_path_factory.mktemp("bundles")
    region.build_bundle("demo", out=root / "demo", online=False)
    return root


@pytest.fixture(scope="module")
def demo(demo_bundles):
    return prepare_bundle(demo_bundles / "demo")


def test_parse_sweep():
    assert parse_sweep("p=40:149:5") == ("p", [*range(40, 149, 5), 149])
    assert parse_sweep("p=10:20:5") == ("p", [10, 15, 20])
    name, vals = parse_sweep("budget=2e6:3e6:0.5e6")
    assert name == "budget" and vals == [2e6, 2.5e6, 3e6]
    assert parse_sweep("year=2021:2035:2") == ("year", [*range(2021, 2035, 2), 2035])
    assert parse_years("2021:2024") == [2021, 2022, 2023, 2024]
    for bad in ("q=1:2", "p=5", "p=9:3:1", "p=a:b:c", "p=1:5:0", "year=2030:2021"):
        with pytest.raises(GeoInputError, match="bad sweep"):
            parse_sweep(bad)


def test_sweep_serial_equals_local_cluster_and_writes_frontier(demo, tmp_path):
    """The same points on a LocalCluster with two worker processes give the same networks and
    indicators as serially; the frontier CSV/PNG and a scenario per point are written, and a
    saved scenario re-evaluates to its frontier row."""
    from dask.distributed import Client, LocalCluster

    vals = [10, 14, 18]
    serial = run_sweep(demo, "p", vals, method="certified")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        dist = run_sweep(demo, "p", vals, method="certified", scheduler=client)
    for a, b in zip(serial, dist, strict=True):
        assert a.scenario.changes[-1].params == b.scenario.changes[-1].params
        ra = {k: v for k, v in a.row.items() if k != "seconds"}
        rb = {k: v for k, v in b.row.items() if k != "seconds"}
        assert ra == rb
    assert [pt.row["schools"] for pt in serial] == vals
    assert all(pt.row["gap"] < 0.01 for pt in serial)  # each point proven within 1 %
    # fewer schools: longer trips (mean), never more running cost
    means = [pt.row["mean_min"] for pt in serial]
    assert means[0] >= means[-1]
    cur = current_point(demo)
    files = write_sweep(serial, tmp_path / "sweep", current=cur, lang="en")
    df = pd.read_csv(files["csv"])
    assert list(df["param"]) == ["current", "p", "p", "p"]
    assert df.loc[0, "schools"] == demo.n_schools
    assert files["png"].stat().st_size > 10_000
    sc = load_scenario(files["csv"].parent / df.loc[2, "scenario"])
    ev = evaluate(demo, sc)
    assert int(ev.state.open.sum()) == 14
    row = df.loc[2]
    s = ev.indicators["summary"]
    s = s[(s["area"] == s["area"].iloc[0]) & (s["grade_band"] == "all")].set_index("indicator")
    assert s.loc["mean_min", "value"] == pytest.approx(row["mean_min"], rel=1e-9)
    assert np.isfinite(row["running_cost_eur"])


def test_cli_sweep_serial(demo, tmp_path, capsys):
    """`python -m geo optimize --sweep` end to end (serial scheduler): the frontier files."""
    import os
    import subprocess
    import sys

    from conftest import PROJECT_ROOT

    demo.save(tmp_path / "prep")
    out = tmp_path / "frontier"
    r = subprocess.run([sys.executable, "-m", "geo", "optimize", "--prepared",
                        str(tmp_path / "prep"), "--sweep", "p=18:20:2", "--scheduler", "serial",
                        "--method", "certified", "--out", str(out)], cwd=PROJECT_ROOT,
                       env=dict(os.environ), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "p=18" in r.stdout and "p=20" in r.stdout
    df = pd.read_csv(out / "frontier.csv")
    assert list(df["schools"]) == [demo.n_schools, 18, 20]
    assert (out / "scenarios" / "p_18.yaml").exists() and (out / "frontier.png").exists()
    # misuse exits with 2 (through the CLI's entry point in this process: the subprocess's
    # exit code and stderr are checked above)
    from geo.cli import main

    capsys.readouterr()
    code = main(["optimize", "--prepared", str(tmp_path / "prep"), "--sweep", "q=1:2", "--out",
                 str(out)])
    assert code == 2 and "bad sweep" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------
# Projection years: year sweeps and robustness
# ------------------------------------------------------------------------------------------
def _summary(ev) -> pd.Series:
    s = ev.indicators["summary"]
    s = s[(s["area"] == s["area"].iloc[0]) & (s["grade_band"] == "all")]
    return s.set_index("indicator")["value"]


def test_robustness_equals_direct_evaluation_of_each_year(demo):
    """A fixed network's row for a year equals evaluating that network with the pupils of
    that year directly; pupils and cost per pupil recomputed from the growth rates and the
    school costs."""
    from geo.planning.scenario import Change, Scenario

    years = [2021, 2035]
    closed = list(demo.school_ids[:5])
    cut = Scenario(name="five closed", changes=[Change("close", {"schools": closed}, 0)])
    rob = robustness(demo, {"current": Scenario(name="current"), "cut": cut}, years)
    assert list(rob["network"]) == ["current"] * 2 + ["cut"] * 2
    assert list(rob["year"]) == years * 2
    cost = demo.schools["annual_cost_eur"].to_numpy(float)
    for r in rob.itertuples(index=False):
        sc = Scenario(name="x", year=r.year,
                      changes=[] if r.network == "current" else cut.changes)
        direct = _summary(evaluate(demo, sc))
        for k in ("mean_min", "p90_min", "beyond_threshold", "dormitory", "transport_cost_eur",
                  "schools", "unserved"):
            assert getattr(r, k) == pytest.approx(direct[k], rel=1e-9, abs=1e-9), (r, k)
        factor = np.exp(demo.growth_rate * (r.year - demo.base_year))
        pupils = float((demo.pupils * factor[:, None]).sum())
        assert r.pupils == pytest.approx(pupils, rel=1e-9)
        running = cost.sum() - (cost[:5].sum() if r.network == "cut" else 0.0)
        assert r.running_cost_eur == pytest.approx(running)
        assert r.cost_per_pupil_eur == pytest.approx(
            (direct["transport_cost_eur"] + running) / pupils, rel=1e-9)
    cur = rob[rob["network"] == "current"]
    assert cur["pupils"].is_monotonic_decreasing == (demo.growth_rate.mean() < 0)


def test_year_sweep_equals_direct_optimisation(demo, tmp_path):
    """Each point of a year sweep is the optimisation with that year's pupils at the fixed p;
    without p the current network (every school kept) is followed, equal to its robustness
    row; the chart and files are written."""
    from geo.planning.optimize import optimize, result_to_scenario
    from geo.planning.scenario import Scenario

    pts = run_sweep(demo, "year", [2021, 2033], p=18, method="certified")
    for pt in pts:
        res = optimize(demo, p=18, base=Scenario(name="b", year=pt.value), method="certified",
                       deterministic=True)
        assert pt.scenario.changes[-1].params["schools"] == res.close_ids
        assert pt.scenario.year == pt.value == pt.row["year"]
        direct = _summary(evaluate(demo, result_to_scenario(res, Scenario(year=pt.value))))
        assert pt.row["mean_min"] == pytest.approx(direct["mean_min"], rel=1e-9)
        assert pt.row["schools"] == 18
    assert pts[1].row["pupils"] < pts[0].row["pupils"]
    whole = run_point(demo, "year", 2027, method="certified")
    assert whole.row["schools"] == demo.n_schools
    rob = robustness(demo, {"current": Scenario(name="current")}, [2027, 2031])
    assert whole.row["mean_min"] == pytest.approx(rob.loc[0, "mean_min"], rel=1e-9)
    assert whole.row["cost_per_pupil_eur"] == pytest.approx(rob.loc[0, "cost_per_pupil_eur"])
    files = write_sweep(pts, tmp_path / "years", current=current_point(demo), robustness=rob)
    df = pd.read_csv(files["csv"])
    assert list(df["scenario"].iloc[1:]) == ["scenarios/year_2021.yaml",
                                             "scenarios/year_2033.yaml"]
    assert load_scenario(files["csv"].parent / df.loc[2, "scenario"]).year == 2033
    assert list(pd.read_csv(files["robustness"])["year"]) == [2027, 2031]
    # a year sweep shares its panels with the robustness curve; a p sweep gets a second row
    assert len(frontier_chart(df, robustness=rob).axes) == 4
    pdf = frontier_table([whole], current_point(demo)).assign(param=["current", "p"])
    assert len(frontier_chart(pdf, robustness=rob).axes) == 8


def test_cli_year_sweep_and_robustness(demo, tmp_path, capsys):
    """`optimize --sweep year=... --p N --robustness ...` and `optimize --robustness ...
    --scenario FILE` through the CLI's entry point (in this process: the subprocess path is
    covered by test_cli_sweep_serial); misuse exits with 2."""
    from geo.cli import main

    demo.save(tmp_path / "prep")

    def geo(*args):
        return main(["optimize", "--prepared", str(tmp_path / "prep"), *args])

    out = tmp_path / "years"
    assert geo("--sweep", "year=2021:2035:14", "--p", "18", "--robustness", "2021:2035:14",
               "--scheduler", "serial", "--method", "certified", "--out", str(out)) == 0
    assert "year=2035" in capsys.readouterr().out
    df = pd.read_csv(out / "frontier.csv")
    assert list(df["param"]) == ["current", "year", "year"]
    assert list(df["year"]) == [demo.base_year, 2021, 2035] and list(df["schools"]) == [
        demo.n_schools, 18, 18]
    rob = pd.read_csv(out / "robustness.csv")
    assert list(rob["year"]) == [2021, 2035] and set(rob["network"]) == {"current"}
    assert rob.loc[0, "mean_min"] == pytest.approx(df.loc[0, "mean_min"], rel=1e-9)
    out2 = tmp_path / "robust"
    assert geo("--robustness", "2025:2035:10", "--scenario",
               str(out / "scenarios/year_2035.yaml"), "--out", str(out2)) == 0
    rob2 = pd.read_csv(out2 / "robustness.csv")
    assert list(rob2["network"]) == ["current", "current", "p-median year=2035",
                                     "p-median year=2035"]
    assert list(rob2["schools"]) == [demo.n_schools] * 2 + [18] * 2
    assert rob2.loc[3, "mean_min"] == pytest.approx(df.loc[2, "mean_min"], rel=1e-9)
    assert (out2 / "robustness.png").stat().st_size > 10_000
    for bad in (["--sweep", "p=5:9", "--p", "5"], ["--robustness", "2021:2025", "--p", "5"], [],
                ["--p", "5", "--scenario", str(out / "scenarios/year_2035.yaml")]):
        assert geo(*bad, "--out", str(tmp_path / "bad")) == 2, bad


def test_app_tradeoff_curve_robustness_and_loading_a_point(demo, demo_bundles, tmp_path,
                                                           monkeypatch):
    """The Optimise tab's trade-off curve: the points (equal to a direct optimisation), the
    current network by year (equal to its direct evaluation), in Latvian and English, and a
    point loaded as the scenario with one click."""
    pytest.importorskip("streamlit.testing.v1")
    from dataclasses import replace

    from conftest import PROJECT_ROOT
    from streamlit.testing.v1 import AppTest

    from geo import settings
    from geo.i18n import t
    from geo.outputs import planner
    from geo.outputs.report import format_number
    from geo.planning.optimize import optimize, result_to_scenario

    monkeypatch.setattr(settings, "BUNDLES_DIR", demo_bundles)
    monkeypatch.setattr(settings, "DOWNLOADS_DIR", tmp_path / "downloads")
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=240)
    at.session_state["goto"] = "optimise"
    at.session_state["opt_mode"] = "curve"
    at.run()
    at.slider(key="sw_range").set_value((18, 20))
    at.slider(key="sw_years").set_value((demo.base_year, demo.base_year + 4))
    at.button(key="run_sweep").click().run()
    assert not at.exception, at.exception
    points, rob = (d.value for d in at.dataframe)
    base = planner.scenario_of({**at.session_state["doc-demo"], "changes": []})
    mean = t("ind.mean_min", "lv")
    assert list(points[t("sweep.schools", "lv")]) == [format_number(float(demo.n_schools),
                                                                    "lv"), "18", "20"]
    res = optimize(demo, p=18, base=base, method="certified", deterministic=True)
    direct = _summary(evaluate(demo, result_to_scenario(res, base)))
    assert points.loc[1, mean] == format_number(float(direct["mean_min"]), "lv")
    years = [demo.base_year, demo.base_year + 2, demo.base_year + 4]
    assert list(rob[t("sweep.year", "lv")]) == years
    last = _summary(evaluate(demo, replace(base, year=years[-1])))
    assert rob.loc[2, mean] == format_number(float(last["mean_min"]), "lv")
    at.radio(key="lang").set_value("en").run()
    assert not at.exception, at.exception
    assert at.session_state["view"] == "optimise"
    assert t("ind.mean_min", "en") in at.dataframe[0].value.columns
    assert [b.label for b in at.button if b.key.startswith("sweep_load_")] == [
        t("sweep.app.load", "en", p=18), t("sweep.app.load", "en", p=20)]
    at.button(key="sweep_load_0").click().run()
    assert at.session_state["view"] == "scenario"
    closes = [c["close"] for c in at.session_state["doc-demo"]["changes"] if "close" in c]
    assert sorted(closes[-1]) == sorted(res.close_ids)
