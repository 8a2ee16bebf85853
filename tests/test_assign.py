"""Assignment of pupils: exactness against networkx min-cost flow, capacities, unserved pupils,
monotonicity of closures, and the real Malta network (OSM schools, place populations)."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from conftest import malta_capacitated

from geo import settings
from geo.grades import band_offers, format_grades, grades_mask, parse_grades
from geo.planning.assign import assign
from geo.planning.evaluate import evaluate
from geo.planning.prepared import Prepared
from geo.planning.scenario import baseline, scenario_from_dict
from geo.planning.transport import WALK, TransportParams, travel_minutes

THR = np.array([30.0, 45.0, 60.0])
DORM_BANDS = np.array([False, True, True])


def random_instance(rng, n_o=None, n_s=None):
    n_o = n_o or int(rng.integers(5, 40))
    n_s = n_s or int(rng.integers(2, 12))
    T = rng.integers(1, 90, (n_o, n_s)).astype(float)
    T[rng.random(T.shape) < 0.1] = np.inf
    pupils = rng.integers(0, 20, (n_o, 3)).astype(float)
    offers = rng.random((n_s, 3)) < 0.7
    cap = rng.integers(0, 80, n_s).astype(float)
    cap[rng.random(n_s) < 0.2] = np.inf
    dorm = np.where(rng.random(n_s) < 0.4, rng.integers(0, 20, n_s), 0).astype(float)
    open_ = rng.random(n_s) < 0.85
    return T, pupils, offers, cap, dorm, open_


def networkx_cost(T, pupils, offers, cap, dorm, thr, open_, dorm_bands, P, U, f):
    """The same instance as an explicit min-cost-flow network, solved by networkx (network
    simplex on integers: costs in thousandths of a minute)."""
    G = nx.DiGraph()
    n_o, n_s = T.shape
    tot = 0
    for o in range(n_o):
        for b in range(pupils.shape[1]):
            w = int(pupils[o, b])
            if w <= 0:
                continue
            g = ("g", o, b)
            G.add_node(g, demand=-w)
            tot += w
            G.add_edge(g, "sink", weight=int(round(U * 1000)))
            for j in range(n_s):
                if not (open_[j] and offers[j, b] and np.isfinite(T[o, j])):
                    continue
                c = T[o, j] + P * (T[o, j] > thr[b])
                G.add_edge(g, ("s", j), weight=int(round(c * 1000)))
                if dorm_bands[b] and dorm[j] > 0 and T[o, j] > thr[b]:
                    G.add_edge(g, ("d", j), weight=int(round((thr[b] + f * T[o, j]) * 1000)))
    for j in range(n_s):
        G.add_edge(("d", j), ("s", j), capacity=int(dorm[j]), weight=0)
        G.add_edge(("s", j), "sink", capacity=int(cap[j]) if np.isfinite(cap[j]) else tot,
                   weight=0)
    G.add_node("sink", demand=tot)
    return nx.min_cost_flow_cost(G) / 1000


def test_grades():
    assert parse_grades("1-9") == tuple(range(1, 10))
    assert parse_grades("1-6, 10-12") == (1, 2, 3, 4, 5, 6, 10, 11, 12)
    assert parse_grades("sakumskola") == tuple(range(1, 7))
    assert parse_grades("Vidusskola") == tuple(range(1, 13))
    assert parse_grades([7, 8, 9]) == (7, 8, 9)
    assert format_grades(parse_grades("1-6,10-12")) == "1-6,10-12"
    for bad in ("1-13", "abc", "9-1", [0]):
        with pytest.raises(ValueError):
            parse_grades(bad)
    serves = np.array([grades_mask(parse_grades(g)) for g in ("1-6", "1-9", "1-4", "7-12")])
    assert band_offers(serves, ("1-6", "7-9", "10-12")).tolist() == [
        [True, False, False], [True, True, False], [False, False, False], [False, True, True]]


def test_equals_networkx_min_cost_flow():
    """Total cost equals an independent min-cost flow (networkx) on 40 random instances with
    capacities, dormitories, closed schools and unreachable pairs; capacities hold and no
    pupil is lost."""
    rng = np.random.default_rng(1)
    n_lp = 0
    for _ in range(40):
        T, pupils, offers, cap, dorm, open_ = random_instance(rng)
        a = assign(T, None, None, pupils, offers, cap, dorm, THR, open_mask=open_,
                   dorm_bands=DORM_BANDS, k=2)
        ref = networkx_cost(T, pupils, offers, cap, dorm, THR, open_, DORM_BANDS,
                            settings.BEYOND_THRESHOLD_PENALTY_MIN, settings.UNSERVED_PENALTY_MIN,
                            1 / settings.SCHOOL_DAYS_PER_WEEK)
        assert a.objective == pytest.approx(ref, rel=1e-6, abs=1e-6)
        assert a.optimal
        n_lp += a.method == "mcf"
        assert np.all(a.school_load(T.shape[1]) <= cap + 1e-9)
        assert np.all(a.dorm_load(T.shape[1]) <= dorm + 1e-9)
        assert np.all(a.school[a.school >= 0] < T.shape[1])
        assert not np.any(open_[a.school[a.school >= 0]] == 0)
        assert a.pupils.sum() == pytest.approx(pupils.sum())
        per_group = np.zeros_like(pupils)
        np.add.at(per_group, (a.origin, a.band), a.pupils)
        np.testing.assert_allclose(per_group, pupils, atol=1e-9)
    assert n_lp >= 30  # the capacity-constrained path was exercised


def lp_cost(T, pupils, offers, cap, dorm, thr, open_, dorm_bands, P, U, f):
    """The same instance as an explicit LP with fractional pupils, solved by HiGHS
    (scipy.optimize.linprog): one variable per group x school (daily, dormitory) and per
    group unserved."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    n_o, n_s = T.shape
    cost, grp, sch, isd = [], [], [], []
    groups = [(o, b) for o in range(n_o) for b in range(pupils.shape[1]) if pupils[o, b] > 0]
    for gi, (o, b) in enumerate(groups):
        cost.append(U), grp.append(gi), sch.append(-1), isd.append(False)
        for j in range(n_s):
            if not (open_[j] and offers[j, b] and np.isfinite(T[o, j])):
                continue
            cost.append(T[o, j] + P * (T[o, j] > thr[b])), grp.append(gi), sch.append(j)
            isd.append(False)
            if dorm_bands[b] and dorm[j] > 0 and T[o, j] > thr[b]:
                cost.append(thr[b] + f * T[o, j]), grp.append(gi), sch.append(j), isd.append(True)
    grp, sch, isd = np.array(grp), np.array(sch), np.array(isd)
    v = np.arange(len(cost))
    A_eq = coo_matrix((np.ones(len(v)), (grp, v)), shape=(len(groups), len(v)))
    b_eq = [pupils[o, b] for o, b in groups]
    on = sch >= 0
    rows = np.r_[sch[on], n_s + sch[on & isd]]
    cols = np.r_[v[on], v[on & isd]]
    A_ub = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(2 * n_s, len(v)))
    b_ub = np.r_[np.where(np.isfinite(cap), cap, 1e12), dorm]
    res = linprog(cost, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, method="highs")
    assert res.status == 0
    return res.fun


def test_column_generation_equals_an_lp_with_fractional_pupils():
    """With one candidate school per group (``k=1``) and fractional pupils (projections), the
    pricing rounds must bring in the arcs the optimum needs: the total cost equals HiGHS's LP
    optimum, and several instances need more than two rounds."""
    rng = np.random.default_rng(7)
    rounds = []
    for _ in range(25):
        T, pupils, offers, cap, dorm, open_ = random_instance(rng, n_o=30, n_s=10)
        pupils = pupils * rng.random(pupils.shape) * 1.7
        a = assign(T, None, None, pupils, offers, cap, dorm, THR, open_mask=open_,
                   dorm_bands=DORM_BANDS, k=1)
        ref = lp_cost(T, pupils, offers, cap, dorm, THR, open_, DORM_BANDS,
                      settings.BEYOND_THRESHOLD_PENALTY_MIN, settings.UNSERVED_PENALTY_MIN,
                      1 / settings.SCHOOL_DAYS_PER_WEEK)
        # the flow is exact on pupils in units of 1e-5 (rounded up per group, down per
        # school: at most 1e-5 pupil each moved, at worst to the unserved cost)
        n_groups = int((pupils > 0).sum())
        slack = (n_groups + 2 * T.shape[1]) * 1e-5 * settings.UNSERVED_PENALTY_MIN
        assert abs(a.objective - ref) <= slack, (a.objective, ref, slack)
        assert a.optimal
        assert np.all(a.school_load(T.shape[1]) <= cap + 1e-9)
        assert np.all(a.dorm_load(T.shape[1]) <= dorm + 1e-9)
        assert a.pupils.sum() == pytest.approx(pupils.sum())
        rounds.append(a.rounds)
    assert max(rounds) >= 3, rounds


def test_without_capacity_everyone_goes_to_the_nearest():
    rng = np.random.default_rng(2)
    T, pupils, offers, _, _, open_ = random_instance(rng, 60, 10)
    n_s = T.shape[1]
    a = assign(T, None, None, pupils, offers, np.full(n_s, np.inf), np.zeros(n_s), THR,
               open_mask=open_)
    assert a.method == "nearest"
    for o, b, j, m in zip(a.origin, a.band, a.school, a.minutes, strict=True):
        ok = open_ & offers[:, b] & np.isfinite(T[o])
        if j < 0:
            assert not ok.any()
        else:
            assert m == T[o, ok].min()


def test_more_pupils_than_places_are_reported_unserved():
    T = np.array([[10.0, 20.0], [15.0, 5.0], [np.inf, np.inf]])
    pupils = np.array([[100.0], [50.0], [7.0]])
    offers = np.ones((2, 1), bool)
    cap = np.array([60.0, 40.0])
    a = assign(T, None, None, pupils, offers, cap, np.zeros(2), np.array([30.0]))
    assert a.unserved == pytest.approx(157 - 100)
    un = a.school < 0
    assert a.pupils[un & a.reachable].sum() == pytest.approx(50.0)  # schools full
    assert a.pupils[un & ~a.reachable].sum() == pytest.approx(7.0)  # origin 2 reaches none
    np.testing.assert_allclose(a.school_load(2), cap)
    # the far origin keeps the pupils that cannot be placed: it is cheapest to serve
    # origin 1 at school 1 (5 min) and origin 0 at both schools
    assert a.pupils[(a.origin == 1) & (a.school == 1)].sum() == pytest.approx(40.0)


def test_dormitory_used_beyond_threshold_only():
    # origin 0: school 0 at 50 min (no dorm), school 1 at 80 min with a dormitory
    T = np.array([[50.0, 80.0], [10.0, 70.0]])
    pupils = np.array([[0.0, 0.0, 10.0], [0.0, 0.0, 5.0]])
    offers = np.ones((2, 3), bool)
    thr = np.array([30.0, 45.0, 40.0])
    a = assign(T, None, None, pupils, offers, np.full(2, np.inf), np.array([0.0, 6.0]), thr,
               dorm_bands=DORM_BANDS)
    dorm = a.pupils[a.dorm].sum()
    assert dorm == pytest.approx(6.0)  # six places, used by origin 0 (beyond 40 min)
    assert set(a.origin[a.dorm]) == {0}
    assert a.pupils[(a.origin == 0) & ~a.dorm & (a.school == 0)].sum() == pytest.approx(4.0)
    assert a.beyond[(a.origin == 0) & ~a.dorm].all()
    assert not a.beyond[a.origin == 1].any()


def test_modes():
    t = np.array([[600.0, 60.0, np.inf]])
    d = np.array([[9000.0, 900.0, np.inf]])
    m, mode = travel_minutes(t, d, TransportParams(mode="bus"))
    assert m[0, 0] == pytest.approx(10 * settings.BUS_DETOUR_FACTOR + settings.BUS_STOP_WAIT_MIN)
    assert mode[0, 1] == WALK and m[0, 1] == pytest.approx(0.9 / settings.WALK_SPEED_KMH * 60)
    assert np.isinf(m[0, 2])
    m, mode = travel_minutes(t, d, TransportParams(mode="car", walk_max_distance_m=0))
    np.testing.assert_allclose(m[0, :2], [10.0, 1.0])


# ------------------------------------------------------------------------------------------
# Real OSM: Malta (168 schools, place nodes with population)
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def malta():
    net, places, schools, prep = malta_capacitated(capacitated=False)
    return net, schools, places, prep


def test_malta_baseline_equals_nearest_facility(malta):
    """Without capacities, car mode and no walking, each place's pupils go to the school
    that geo.network.access.nearest_facility finds (an independent multi-source search)."""
    from geo.network.access import nearest_facility

    net, schools, places, prep = malta
    sc = baseline(transport=TransportParams(mode="car", walk_max_distance_m=0))
    ev = evaluate(prep, sc)
    a = ev.assignment
    assert a.method == "nearest"
    near = nearest_facility(net, places, schools, origin_id="id", facility_id="id")
    b0 = (a.band == 0) & (a.school >= 0)
    got = pd.Series(a.minutes[b0], index=prep.origin_ids[a.origin[b0]]).sort_index()
    reach = near[near["facility_id"].notna()]
    exp = pd.Series(reach["time_s"].to_numpy() / 60, index=reach["origin_id"].to_numpy())
    np.testing.assert_allclose(got, exp.sort_index(), rtol=1e-9)
    # places off the main road network (islands, unsnapped) are unserved, never dropped
    off = near["facility_id"].isna().to_numpy()
    assert off.sum() >= 1
    assert a.unserved == pytest.approx(places["population"].to_numpy()[off].sum()
                                       * sum(settings.PUPILS_PER_RESIDENT.values()))
    assert not a.reachable[a.school < 0].any()
    assert a.pupils.sum() == pytest.approx(
        places["population"].sum() * sum(settings.PUPILS_PER_RESIDENT.values()))


def test_malta_closing_schools_never_shortens_a_trip(malta):
    """Closing schools never shortens anyone's trip when capacities do not bind; with binding
    capacities the total cost and every group's nearest open school never improve (a single
    pupil can gain when a closure frees a place elsewhere, as the capacitated optimum moves)."""
    *_, prep = malta
    rng = np.random.default_rng(0)
    ids = prep.school_ids
    ev0 = evaluate(prep, baseline())
    t0 = _group_time(ev0)
    closed = rng.choice(ids, 40, replace=False)
    ev1 = evaluate(prep, scenario_from_dict({"changes": [{"close": list(closed)}]}))
    t1 = _group_time(ev1)
    has = ev0.pupils > 0
    assert np.all(t1[has] >= t0[has] - 1e-9)
    assert (t1[has] > t0[has] + 1e-9).any()
    # capacities that bind: total cost never decreases
    load = ev0.assignment.school_load(prep.n_schools)
    p2 = Prepared(**{**_fields(prep), "schools": prep.schools.assign(
        capacity=np.ceil(load * 1.05 + 1))})
    c0 = evaluate(p2, baseline())
    c1 = evaluate(p2, scenario_from_dict({"changes": [{"close": list(closed)}]}))
    assert c1.assignment.method == "mcf" and c1.assignment.optimal
    assert c1.assignment.objective >= c0.assignment.objective - 1e-6
    assert np.all(c1.assignment.school_load(p2.n_schools) <= p2.schools["capacity"] + 1e-9)


def _group_time(ev):
    a = ev.assignment
    out = np.full(ev.pupils.shape, np.inf)  # unserved: infinitely long
    daily = (a.school >= 0) & ~a.dorm
    np.minimum.at(out, (a.origin[daily], a.band[daily]), a.minutes[daily])
    return out


def _fields(prep):
    return {k: getattr(prep, k) for k in (
        "origin_ids", "origin_x", "origin_y", "crs", "origin_municipality", "pupils", "bands",
        "schools", "serves", "time_s", "dist_m", "pairs", "base_year", "region")}


def test_malta_new_school_is_routed_on_demand(malta):
    net, schools, places, prep = malta
    # a new school at the place with the longest trip
    ev0 = evaluate(prep, baseline())
    o = ev0.indicators["origins"]
    far = o.loc[o["mean_min"].idxmax(), "origin_id"]
    i = int(np.flatnonzero(prep.origin_ids == far)[0])
    lonlat = gpd.GeoSeries(gpd.points_from_xy([prep.origin_x[i]], [prep.origin_y[i]]),
                           crs=prep.crs).to_crs("EPSG:4326")
    sc = scenario_from_dict({"changes": [{"open": {
        "id": "NEW-1", "lon": float(lonlat.x[0]), "lat": float(lonlat.y[0]), "grades": "1-12",
        "capacity": 10000}}]})
    ev1 = evaluate(prep, sc)
    assert ev1.prep.n_schools == prep.n_schools + 1
    o1 = ev1.indicators["origins"]
    assert o1.loc[o1["origin_id"] == far, "mean_min"].max() < o.loc[
        o["origin_id"] == far, "mean_min"].max()
    m0, m1 = o["mean_min"].to_numpy(), o1["mean_min"].to_numpy()
    fin = np.isfinite(m0)
    assert (m1[fin] <= m0[fin] + 1e-9).all()
    # routed once: a second evaluation reuses the column
    ev2 = evaluate(prep, sc)
    assert ev2.prep is ev1.prep
