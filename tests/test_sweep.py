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
from geo.planning.sweep import current_point, parse_sweep, run_sweep, write_sweep


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from geo import region

    out = tmp_path_factory.mktemp("demo") / "bundle"
    res = region.build_bundle("demo", out=out, online=False)
    return prepare_bundle(getattr(res, "path", out))


def test_parse_sweep():
    assert parse_sweep("p=40:149:5") == ("p", [*range(40, 149, 5), 149])
    assert parse_sweep("p=10:20:5") == ("p", [10, 15, 20])
    name, vals = parse_sweep("budget=2e6:3e6:0.5e6")
    assert name == "budget" and vals == [2e6, 2.5e6, 3e6]
    for bad in ("q=1:2", "p=5", "p=9:3:1", "p=a:b:c", "p=1:5:0"):
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


def test_cli_sweep_serial(demo, tmp_path):
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
    bad = subprocess.run([sys.executable, "-m", "geo", "optimize", "--prepared",
                          str(tmp_path / "prep"), "--sweep", "q=1:2", "--out", str(out)],
                         cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert bad.returncode == 2 and "bad sweep" in bad.stderr
