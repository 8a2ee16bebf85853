"""Scale-out on Dask (geo.planning.distributed): the per-school routing of ``scenario prepare``
and ``batch`` runs give the same results serially and on a real dask.distributed LocalCluster
with two worker processes; a failing batch item is reported while the others are written."""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.cli import main
from geo.errors import GeoInputError
from geo.jobs import run_batch_build, run_batch_evaluate
from geo.network.access import travel_time_matrix
from geo.planning import prepared as prepared_module
from geo.planning.distributed import dask_client, resolve_scheduler, run_tasks
from geo.planning.evaluate import evaluate
from geo.planning.prepared import Prepared, prepare_bundle
from geo.planning.scenario import save_scenario, scenario_from_dict

PAIR_ARRAYS = ("indptr", "school", "time_s", "dist_m", "floor_s", "floor_m", "complete")


@pytest.fixture(scope="module")
def cluster():
    """A client of a LocalCluster with two single-threaded worker processes."""
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as lc, Client(lc) as client:
        yield client


@pytest.fixture(scope="module")
def demo_batch(cluster, tmp_path_factory):
    """``batch build`` of the demo region (offline) and of a recipe that does not exist, on
    the cluster: (folder, console text, items failed)."""
    root = tmp_path_factory.mktemp("bundles")
    text, failed = run_batch_build(["demo", "no-such-region"], out=root, online=False,
                                   scheduler=cluster, lang="en")
    return root, text, failed


@pytest.fixture(scope="module")
def demo_bundles(demo_batch):
    """A bundles folder holding the demo region (``demo/``), built by ``batch build``."""
    return demo_batch[0]


@pytest.fixture(scope="module")
def demo(demo_bundles):
    return prepare_bundle(demo_bundles / "demo", scheduler="serial")


def test_run_tasks_order_errors_and_scheduler_choice(cluster):
    """Results come in the order of the items from a small window; a failure is returned
    for its item only, or raised; ``auto`` picks serial for small jobs."""
    items = [0.0, 1.0, 4.0, -1.0, 9.0, 16.0, 25.0]
    for client in (None, cluster):
        seen: list = []
        res = list(run_tasks(math.sqrt, items, client=client, window=2, errors="return",
                             progress=lambda d, n, seen=seen: seen.append((d, n))))
        assert [r.index for r in res] == list(range(7))
        assert [r.value for r in res if r.ok] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
        assert not res[3].ok and "math domain error" in str(res[3].error)
        assert seen[-1] == (7, 7) and [d for d, _ in seen] == sorted(d for d, _ in seen)
        assert list(run_tasks(math.sqrt, [1.0, 4.0], client=client)) == [1.0, 2.0]
        with pytest.raises(ValueError, match="math domain"):
            list(run_tasks(math.sqrt, [1.0, -3.0, 5.0], client=client))
    assert resolve_scheduler("auto", big_enough=False) == "serial"
    assert resolve_scheduler("serial", big_enough=True) == "serial"
    assert resolve_scheduler(cluster, big_enough=False) is cluster
    with dask_client("serial") as c:
        assert c is None
    with pytest.raises(GeoInputError, match="unknown scheduler"):
        resolve_scheduler("cloud", big_enough=True)


def test_prepare_serial_equals_local_cluster(demo, demo_bundles, cluster, monkeypatch):
    """Routed in blocks of 4 schools (6 tasks), serially and on two worker processes, the
    demo gives exactly the pairs of one block; kept times are those of the full matrix."""
    monkeypatch.setitem(prepared_module._route_pairs.__kwdefaults__, "task_schools", 4)
    seen = []
    serial = prepare_bundle(demo_bundles / "demo", scheduler="serial")
    dist = prepare_bundle(demo_bundles / "demo", scheduler=cluster,
                          progress=lambda d, n: seen.append((d, n)))
    assert demo.n_schools > 4 * 4 and seen[-1] == (demo.n_schools, demo.n_schools)
    for prep in (serial, dist):
        for k in PAIR_ARRAYS:
            assert np.array_equal(getattr(prep.pairs, k), getattr(demo.pairs, k)), k
        assert np.array_equal(prep.pupils, demo.pupils)
        assert np.array_equal(prep.origin_snapped, demo.origin_snapped)
        pd.testing.assert_frame_equal(prep.schools, demo.schools)
    # independent: the full origin x school matrix routed at once
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(demo.origin_x, demo.origin_y),
                           crs=demo.crs)
    sch = gpd.GeoDataFrame(geometry=gpd.points_from_xy(demo.schools["x"], demo.schools["y"]),
                           crs=demo.crs)
    tm = travel_time_matrix(demo.network, pts, sch, cutoff_s=None, with_distance=True)
    rows, school = dist.pairs.rows(), dist.pairs.school
    assert np.array_equal(dist.pairs.time_s, tm.time_s[rows, school])
    assert np.array_equal(dist.pairs.dist_m, tm.dist_m[rows, school])


def _scenarios(prep: Prepared, folder: Path) -> list[Path]:
    """Two valid scenario files and one closing a school the region does not have."""
    ids = [str(s) for s in prep.school_ids]
    specs = {"close_two": {"name": "close two", "changes": [{"close": ids[:2]}]},
             "close_five": {"name": "close five", "changes": [{"close": ids[2:7]}]},
             "unknown": {"name": "unknown", "changes": [{"close": ["NO-SUCH-SCHOOL"]}]}}
    files = []
    for name, spec in specs.items():
        save_scenario(scenario_from_dict(spec), folder / f"{name}.yaml")
        files.append(folder / f"{name}.yaml")
    return files


def test_batch_evaluate_serial_equals_local_cluster_and_reports_a_failure(demo, cluster,
                                                                          tmp_path, capsys):
    """``batch evaluate`` serially (CLI) and on two worker processes: the same tables; the
    scenario naming an unknown school is reported in batch.csv and on the console, the others
    are written and equal a direct evaluation."""
    demo.save(tmp_path / "prep")
    files = _scenarios(demo, tmp_path)
    code = main(["batch", "evaluate", "--prepared", str(tmp_path / "prep"),
                 *map(str, files), "--out", str(tmp_path / "serial"), "--scheduler", "serial"])
    out = capsys.readouterr().out
    assert code == 1 and "unknown: FAILED" in out and "NO-SUCH-SCHOOL" in out
    assert "2 of 3 succeeded, 1 failed" in out
    text, failed = run_batch_evaluate(files, out=tmp_path / "dask", prepared=tmp_path / "prep",
                                      scheduler=cluster, lang="lv")
    assert failed == 1 and "unknown: NEIZDEVĀS" in text and "Izdevās 2 no 3" in text
    rep = {k: pd.read_csv(tmp_path / k / "batch.csv") for k in ("serial", "dask")}
    for r in rep.values():
        assert r["status"].tolist() == ["ok", "ok", "failed"]
        assert "NO-SUCH-SCHOOL" in r["error"].iloc[2]
    assert not (tmp_path / "serial" / "unknown").exists()
    for name in ("close_two", "close_five"):
        csvs = sorted(p.name for p in (tmp_path / "serial" / name).glob("*.csv"))
        assert "summary.csv" in csvs
        for c in csvs:
            assert ((tmp_path / "serial" / name / c).read_bytes()
                    == (tmp_path / "dask" / name / c).read_bytes()), (name, c)
    ev = evaluate(demo, scenario_from_dict({"name": "close five",
                                            "changes": [{"close": [str(s) for s in
                                                                   demo.school_ids[2:7]]}]}))
    got = pd.read_csv(tmp_path / "dask" / "close_five" / "summary.csv")
    want = ev.indicators["summary"]
    assert np.allclose(got["value"].to_numpy(float), want["value"].to_numpy(float),
                       equal_nan=True)


def test_batch_build_reports_a_failure_and_writes_the_others(demo_batch, demo):
    """``batch build`` on two worker processes: the recipe that does not exist is reported
    (console, batch.csv) while the demo bundle is written - and prepares (``demo``)."""
    root, text, failed = demo_batch
    assert failed == 1 and "no-such-region: FAILED" in text and "demo: done" in text
    rep = pd.read_csv(root / "batch.csv")
    assert rep["item"].tolist() == ["demo", "no-such-region"]
    assert rep["status"].tolist() == ["ok", "failed"]
    assert "no recipe for region 'no-such-region'" in rep["error"].iloc[1]
    assert rep["folder"].iloc[0] == "demo" and rep["seconds"].iloc[0] > 0
    assert not (root / "no-such-region").exists()
    manifest = json.loads((root / "demo" / "manifest.json").read_text(encoding="utf-8"))
    layers = set(gpd.list_layers(root / "demo" / "layers.gpkg")["name"])
    assert {"schools", f"pupils_{demo.base_year}"} <= layers <= set(manifest["layers"])
    assert (root / "demo" / "network").is_dir() and demo.n_schools > 0
