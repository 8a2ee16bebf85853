"""Indicators and comparisons, checked against independent pandas computations on the demo
region and on Malta (real OSM)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import PROJECT_ROOT

from geo.planning.evaluate import evaluate
from geo.planning.indicators import compare, school_flows, weighted_quantiles
from geo.planning.prepared import prepare_bundle
from geo.planning.scenario import baseline, load_scenario, scenario_from_dict
from geo.planning.transport import WALK


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from geo import region

    out = tmp_path_factory.mktemp("demo") / "bundle"
    res = region.build_bundle("demo", out=out, online=False)
    prep = prepare_bundle(getattr(res, "path", out))
    ev0 = evaluate(prep, baseline())
    ev1 = evaluate(prep, load_scenario(PROJECT_ROOT / "scenarios" / "demo_close_small_2027.yaml"))
    return prep, ev0, ev1


def _flows(ev):
    df = ev.assignment.to_frame(ev.prep)
    df["muni"] = ev.prep.origin_municipality[ev.assignment.origin]
    smuni = np.r_[ev.prep.schools["municipality"].to_numpy(str), [""]]
    df["school_muni"] = smuni[ev.assignment.school]
    return df


def _wq(values, weights, q):
    """Lower weighted quantile by brute force (sort, cumulate, first value reaching q)."""
    o = np.argsort(values, kind="stable")
    v, w = np.asarray(values)[o], np.asarray(weights)[o]
    c = np.cumsum(w)
    return v[np.flatnonzero(c >= q * c[-1] - 1e-9 * c[-1])[0]]


def test_weighted_quantiles_match_brute_force():
    rng = np.random.default_rng(0)
    k = rng.integers(0, 5, 500)
    v = rng.gamma(2, 10, 500)
    w = rng.random(500)
    got = weighted_quantiles(k, v, w, (0.5, 0.9, 1.0), 6)
    for g in range(5):
        m = k == g
        for i, q in enumerate((0.5, 0.9, 1.0)):
            assert got[g, i] == _wq(v[m], w[m], q)
    assert np.isnan(got[5]).all()


def test_summary_matches_independent_computation(demo):
    prep, ev0, _ = demo
    df = _flows(ev0)
    s = ev0.indicators["summary"]
    thr = {"1-6": 30, "7-9": 45, "10-12": 60}
    for area, sub in [("(region)", df), *list(df.groupby("muni"))]:
        v = s[(s["area"] == area) & (s["grade_band"] == "all")].set_index("indicator")["value"]
        daily = sub[sub["school"].notna() & ~sub["dorm"]]
        assert v["pupils"] == pytest.approx(sub["pupils"].sum())
        assert v["mean_min"] == pytest.approx(np.average(daily["minutes"], weights=daily["pupils"]))
        assert v["median_min"] == pytest.approx(_wq(daily["minutes"], daily["pupils"], 0.5))
        assert v["p90_min"] == pytest.approx(_wq(daily["minutes"], daily["pupils"], 0.9))
        assert v["max_min"] == pytest.approx(daily["minutes"].max())
        beyond = daily[daily["minutes"] > daily["band"].map(thr)]
        assert v["beyond_threshold"] == pytest.approx(beyond["pupils"].sum())
        assert v["dormitory"] == pytest.approx(sub.loc[sub["dorm"], "pupils"].sum())
        assert v["walking"] == pytest.approx(daily.loc[daily["mode"] == "walk", "pupils"].sum())
        cross = sub[sub["school"].notna() & (sub["school_muni"] != sub["muni"])]
        assert v["crossing_border"] == pytest.approx(cross["pupils"].sum())
        motor = daily[daily["mode"] != "walk"]
        km = (motor["pupils"] * 2 * motor["dist_m"] / 1000).sum() + (
            sub.loc[sub["dorm"], "pupils"] * 2 * sub.loc[sub["dorm"], "dist_m"] / 1000 / 5).sum()
        assert v["pupil_km_per_day"] == pytest.approx(km)
        assert v["transport_cost_eur"] == pytest.approx(km * 170 * 0.12)
    # additive indicators: the region is the sum of its municipalities
    reg = s[s["area"] == "(region)"].set_index(["grade_band", "indicator"])["value"]
    mun = s[s["area"] != "(region)"].groupby(["grade_band", "indicator"])["value"].sum()
    for k in ("pupils", "unserved", "beyond_threshold", "crossing_border", "pupil_km_per_day",
              "schools"):
        assert mun.loc[("all", k)] == pytest.approx(reg.loc[("all", k)])


def test_time_bands_and_schools(demo):
    prep, ev0, _ = demo
    tb = ev0.indicators["time_bands"]
    s = ev0.indicators["summary"]
    r = tb[(tb["area"] == "(region)") & (tb["grade_band"] == "all")]
    bands = [c for c in tb.columns if c.endswith(" min")]
    daily = s[(s["area"] == "(region)") & (s["grade_band"] == "all")
              & (s["indicator"] == "daily")]["value"].iloc[0]
    assert r[bands].sum(axis=1).iloc[0] == pytest.approx(daily)
    sch = ev0.indicators["schools"]
    assert sch["pupils"].sum() == pytest.approx(prep.pupils.sum() - ev0.assignment.unserved)
    assert (sch["pupils"] <= sch["capacity"] + 1e-6).all()
    assert sch.loc[sch["over_capacity"]].empty
    fl = ev0.indicators["municipal_flows"]
    assert fl["pupils"].sum() == pytest.approx(prep.pupils.sum())
    o = ev0.indicators["origins"]
    assert len(o) == prep.n_origins * 3
    assert o["white_spot"].sum() >= 1
    assert (ev0.assignment.mode[ev0.assignment.minutes < 5] == WALK).any()


def test_compare_identical_and_closure(demo):
    prep, ev0, ev1 = demo
    same = compare(ev0, evaluate(prep, baseline()))
    assert same["switches"].empty
    assert np.allclose(same["summary"]["diff"].fillna(0), 0)
    c = compare(ev0, ev1)
    sw = c["switches"]
    closed = ["9912900023", "9911900011", "9911900010"]
    # every pupil of a closed school switches (counted at the 2027 numbers)
    load0 = ev0.indicators["schools"].set_index("id")["pupils"]
    f = np.exp(prep.growth_rate * 6)
    a0 = ev0.assignment
    for sid in closed:
        j = prep.school_index()[sid]
        m = a0.school == j
        expect = (a0.pupils[m] * f[a0.origin[m]]).sum()
        assert sw.loc[sw["school_a"] == sid, "pupils"].sum() == pytest.approx(expect, rel=1e-6)
        assert load0[sid] > 0
    assert not sw["school_b"].isin(closed).any()
    sf = school_flows(sw)
    assert sf["pupils"].sum() == pytest.approx(sw["pupils"].sum())
    o = c["origins"]
    assert (o["status"] == "longer").sum() >= 1
    nb = c["newly_beyond"]
    assert (nb["newly_beyond_pupils"] > 0).all()
    s = c["summary"].set_index(["area", "grade_band", "indicator"])
    assert s.loc[("(region)", "all", "schools"), "diff"] == -3


def test_compare_rejects_other_region(demo):
    prep, ev0, _ = demo
    other = scenario_from_dict({})
    ev = evaluate(prep, other)
    ev.prep = type(prep)(**{**{k: getattr(prep, k) for k in (
        "origin_x", "origin_y", "crs", "origin_municipality", "pupils", "bands", "schools",
        "serves", "time_s", "dist_m", "pairs", "base_year")}, "origin_ids": [f"x{i}" for i in range(
            prep.n_origins)]})
    with pytest.raises(ValueError, match="different regions"):
        compare(ev0, ev)
    assert isinstance(ev0.indicators["summary"], pd.DataFrame)
