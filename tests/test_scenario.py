"""Scenario files on the demo region (geo.region.synth): validation, changes, evaluation, CLI."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import PROJECT_ROOT

from geo import settings
from geo.errors import GeoInputError
from geo.planning.evaluate import evaluate
from geo.planning.prepared import Prepared, prepare_bundle
from geo.planning.scenario import (
    apply_scenario,
    baseline,
    load_scenario,
    save_scenario,
    scenario_from_dict,
)

SCENARIOS = sorted((PROJECT_ROOT / "scenarios").glob("demo_*.yaml"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from geo import region

    out = tmp_path_factory.mktemp("demo") / "bundle"
    res = region.build_bundle("demo", out=out, online=False)
    return prepare_bundle(getattr(res, "path", out))


def write(tmp_path, text: str, name="s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_shipped_scenarios_evaluate(demo):
    assert len(SCENARIOS) >= 4
    ids = set(demo.school_ids)
    assert all(s.startswith("99") for s in ids)  # fictional registration numbers
    for path in SCENARIOS:
        sc = load_scenario(path)
        assert sc.region == "demo"
        ev = evaluate(demo, sc)
        a = ev.assignment
        assert a.optimal
        cap = ev.state.capacity
        assert np.all(a.school_load(ev.prep.n_schools) <= cap + 1e-6), path.name
        assert np.all(a.dorm_load(ev.prep.n_schools) <= ev.state.dormitory_places + 1e-6)
        assert a.pupils.sum() == pytest.approx(ev.pupils.sum())
        closed = ~ev.state.open
        assert a.school_load(ev.prep.n_schools)[closed].sum() == 0
        for ch in sc.changes:
            for sid in ch.params.get("schools", []):
                assert sid in ids


def test_projection_to_2027(demo):
    ev = evaluate(demo, load_scenario(PROJECT_ROOT / "scenarios" / "demo_close_small_2027.yaml"))
    f = np.exp(demo.growth_rate * (2027 - demo.base_year))
    assert ev.pupils.sum() == pytest.approx((demo.pupils * f[:, None]).sum())
    assert ev.pupils.sum() < demo.pupils.sum()  # the demo region shrinks, as Vidzeme does


def test_merge_moves_capacity_and_grades(demo):
    sc = scenario_from_dict({"changes": [
        {"merge": {"school": "9912900021", "into": "9912900013"}},
        {"set_grades": {"school": "9912900022", "type": "sākumskola"}},
        {"dormitory": {"school": "9913900026", "add": 20}},
    ]})
    _, st = apply_scenario(demo, sc)
    idx = demo.school_index()
    a, b = idx["9912900021"], idx["9912900013"]
    assert not st.open[a] and st.merged_into[a] == "9912900013"
    assert st.capacity[b] == demo.schools["capacity"][a] + demo.schools["capacity"][b]
    assert st.serves[idx["9912900022"]].tolist() == [True] * 6 + [False] * 6
    assert st.dormitory_places[idx["9913900026"]] == demo.schools["dormitory_places"][
        idx["9913900026"]] + 20
    ev = evaluate(demo, sc)
    a_ = ev.assignment
    # nobody in grades 7-9 goes to the school that now serves 1-6 only
    assert not ((a_.school == idx["9912900022"]) & (a_.band == 1)).any()


def test_more_pupils_than_places_gives_unserved_figures(demo):
    changes = [{"set_capacity": {"school": s, "capacity": 50}} for s in demo.school_ids]
    ev = evaluate(demo, scenario_from_dict({"changes": changes}))
    total_cap = 50 * demo.n_schools
    assert ev.assignment.unserved == pytest.approx(demo.pupils.sum() - total_cap, rel=1e-6)
    s = ev.indicators["summary"]
    v = s[(s["area"] == "(region)") & (s["grade_band"] == "all")].set_index("indicator")["value"]
    assert v["unserved"] == pytest.approx(ev.assignment.unserved)
    assert v["unserved_full"] == pytest.approx(v["unserved"])
    assert ev.indicators["unserved"]["pupils"].sum() == pytest.approx(v["unserved"])
    assert (ev.indicators["unserved"]["reason"] == "all reachable schools full").all()


def test_new_school_from_lks92_coordinates(demo):
    i = demo.school_index()["9911900011"]
    x, y = demo.schools["x"][i], demo.schools["y"][i]  # demo.crs is EPSG:3059
    assert demo.crs == settings.LATVIA_CRS
    sc = scenario_from_dict({"changes": [
        {"close": ["9911900011"]},
        {"open": {"id": "NEW-1", "x": float(x) + 10, "y": float(y), "grades": "1-6",
                  "capacity": 100}},
    ]})
    ev0, ev1 = evaluate(demo, baseline()), evaluate(demo, sc)
    # the new school stands where the old one stood: the same pupils, nearly the same times
    j = ev1.prep.school_index()["NEW-1"]
    load0 = ev0.assignment.school_load(demo.n_schools)[i]
    load1 = ev1.assignment.school_load(ev1.prep.n_schools)[j]
    assert load1 == pytest.approx(load0, rel=0.05)


# ------------------------------------------------------------------------------------------
# Validation: errors name the file, the line and the fix
# ------------------------------------------------------------------------------------------
def test_unknown_school_id_lists_close_matches(demo, tmp_path):
    p = write(tmp_path, "name: x\nchanges:\n  - close: ['9912900016']\n"
              "  - close: ['9912900061']\n")
    sc = load_scenario(p)
    with pytest.raises(GeoInputError) as e:
        apply_scenario(demo, sc)
    msg = str(e.value)
    assert str(p) in msg and "line 4" in msg and "9912900061" in msg
    assert "Close matches" in msg and "9912900016" in msg and "Fix:" in msg
    lv = e.value.text("lv")  # the same in Latvian: file, line, ids and fix kept
    assert lv.startswith(f"{p}: 4. rinda: changes[1] (close): nezināms skolas identifikators")
    assert "Līdzīgi identifikatori:" in lv and "9912900016" in lv and "Kā labot:" in lv


def test_merge_into_closed_school_is_an_error(demo, tmp_path):
    p = write(tmp_path, "changes:\n  - close: ['9912900013']\n"
              "  - merge: {school: '9912900021', into: '9912900013'}\n")
    with pytest.raises(GeoInputError, match=r"line 3.*cannot merge.*closed by line 2") as e:
        apply_scenario(demo, load_scenario(p))
    assert "slēgta ar izmaiņu 2. rinda: changes[0] (close)" in e.value.text("lv")


def test_closing_twice_is_an_error(demo, tmp_path):
    p = write(tmp_path, "changes:\n  - close: ['9912900013']\n  - close: ['9912900013']\n")
    with pytest.raises(GeoInputError, match="already closed"):
        apply_scenario(demo, load_scenario(p))


@pytest.mark.parametrize("text, match", [
    ("nmae: x\n", r"line 1: .*unknown key 'nmae'. Did you mean 'name'"),
    ("year: 20277\n", r"line 1: year: must be a whole year"),
    ("changes:\n  - clos: ['1']\n", r"line 2.*unknown change 'clos'. Did you mean 'close'"),
    ("changes:\n  - set_grades: {school: '1', grades: '1-13'}\n", r"grades must be 1-12"),
    ("changes:\n  - open: {id: N, lon: 25, lat: 57, x: 1, y: 2, grades: '1-9'}\n",
     r"not both"),
    ("changes:\n  - open: {id: N, lon: 25, lat: 57}\n", r"open needs grades"),
    ("changes:\n  - merge: {school: '1', into: '1'}\n", r"merged into itself"),
    ("thresholds_min: {'1-5': 30}\n", r"unknown grade band '1-5'"),
    ("transport: {mode: train}\n", r"line 1: transport.mode: must be 'bus' or 'car'"),
    ("changes:\n  - dormitory: {school: '1', add: 2, remove: 1}\n", r"exactly one of"),
    ("changes:\n  - set_capacity: {school: '1', capacity: -5}\n", r"between 0"),
    ("changes: [\n", r"not valid YAML"),
])
def test_schema_errors(tmp_path, text, match):
    p = write(tmp_path, text)
    with pytest.raises(GeoInputError, match=match) as e:
        load_scenario(p)
    assert str(p) in str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(GeoInputError, match="not found"):
        load_scenario(tmp_path / "nope.yaml")


def test_removing_more_dormitory_places_than_exist(demo):
    sc = scenario_from_dict({"changes": [{"dormitory": {"school": "9912900016",
                                                        "remove": 5}}]})
    with pytest.raises(GeoInputError, match="cannot remove 5 dormitory places"):
        apply_scenario(demo, sc)


def test_save_and_load_round_trip(tmp_path):
    sc = load_scenario(PROJECT_ROOT / "scenarios" / "demo_new_school.yaml")
    save_scenario(sc, tmp_path / "copy.yaml")
    again = load_scenario(tmp_path / "copy.yaml")
    assert again.to_dict() == sc.to_dict()
    assert yaml.safe_load((tmp_path / "copy.yaml").read_text("utf-8"))["region"] == "demo"


# ------------------------------------------------------------------------------------------
# Prepared region persistence and the command line
# ------------------------------------------------------------------------------------------
def test_prepared_save_load(demo, tmp_path):
    demo.save(tmp_path / "prep")
    p2 = Prepared.load(tmp_path / "prep")
    for k in ("indptr", "school", "time_s", "dist_m", "floor_s", "floor_m", "complete"):
        np.testing.assert_array_equal(getattr(p2.pairs, k), getattr(demo.pairs, k))
    np.testing.assert_array_equal(p2.growth_rate, demo.growth_rate)
    a = evaluate(demo, baseline()).assignment
    b = evaluate(p2, baseline()).assignment
    assert a.objective == pytest.approx(b.objective)
    # a reloaded region routes new schools through its saved network path
    sc = load_scenario(PROJECT_ROOT / "scenarios" / "demo_new_school.yaml")
    assert evaluate(p2, sc).prep.n_schools == demo.n_schools + 1
    with pytest.raises(GeoInputError, match="not a prepared region"):
        Prepared.load(tmp_path)


def test_cli_evaluate_compare_optimize(demo, tmp_path, capsys):
    from geo.cli import main

    demo.save(tmp_path / "prep")
    files = [str(p) for p in SCENARIOS]
    assert main(["scenario", "evaluate", *files, "--prepared", str(tmp_path / "prep"),
                 "--out", str(tmp_path / "eval")]) == 0
    for f in SCENARIOS:
        d = tmp_path / "eval" / f.stem
        summary = pd.read_csv(d / "summary.csv")
        assert {"area", "grade_band", "indicator", "value", "unit"} <= set(summary.columns)
        o = gpd.read_file(d / "scenario.gpkg", layer="origins")
        assert len(o) == demo.n_origins and "white_spot" in o.columns
    base, prop = str(SCENARIOS[0]), str(SCENARIOS[1])
    assert main(["scenario", "compare", base, prop, "--prepared", str(tmp_path / "prep"),
                 "--out", str(tmp_path / "cmp")]) == 0
    sw = pd.read_csv(tmp_path / "cmp" / "switches.csv", dtype={"school_a": str})
    assert set(sw["school_a"]) >= {"9912900023", "9911900011", "9911900010"}
    # a bad scenario fails with exit code 2 and leaves the earlier results untouched
    before = (tmp_path / "cmp" / "summary.csv").read_bytes()
    bad = write(tmp_path, "changes:\n  - close: ['12345']\n", "bad.yaml")
    assert main(["scenario", "compare", base, str(bad), "--prepared", str(tmp_path / "prep"),
                 "--out", str(tmp_path / "cmp")]) == 2
    assert "unknown school id '12345'" in capsys.readouterr().err
    assert (tmp_path / "cmp" / "summary.csv").read_bytes() == before
    out = tmp_path / "opt.yaml"
    assert main(["optimize", "--prepared", str(tmp_path / "prep"), "--p", "20",
                 "--keep", "9913900024", "--out", str(out)]) == 0
    sc = load_scenario(out)
    assert sc.region == "demo"
    closed = [s for c in sc.changes for s in c.params["schools"]]
    assert len(closed) == demo.n_schools - 20 and "9913900024" not in closed
