"""Sparse origin x school pairs of a prepared region: the kept pairs and their floors against the
full routed matrix, and every result (assignment, indicators, optimiser instance) identical to
the dense matrix on the demo region and on Malta (real OSM schools and places), including
scenarios that close all but a few schools - the pairs left out are routed on demand, never
read as unreachable."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from conftest import malta_capacitated

from geo.errors import GeoInputError
from geo.grades import band_offers
from geo.network.access import travel_time_matrix
from geo.planning.assign import assign
from geo.planning.evaluate import evaluate
from geo.planning.optimize import build_instance
from geo.planning.prepared import PairCollector, Pairs, Prepared, _route_pairs, prepare_bundle
from geo.planning.scenario import apply_scenario, baseline, load_scenario, scenario_from_dict
from geo.planning.transport import TransportParams, travel_minutes
from geo.settings import DORMITORY_BANDS, PAIRS_CUTOFF_S, PAIRS_K_NEAREST, PROJECT_ROOT

SCENARIOS = sorted((PROJECT_ROOT / "scenarios").glob("demo_*.yaml"))


def _sparse(prep: Prepared, cutoff_s: float, k: int) -> Prepared:
    """A copy keeping only the pairs within ``cutoff_s`` plus the ``k`` nearest (a rule much
    tighter than the default, so that most pairs are left out)."""
    T, D = prep.pairs.dense(np.arange(prep.n_schools))
    return replace(prep, pairs=Pairs.from_dense(T, D, cutoff_s=cutoff_s, k=k), _cache={})


def _full(prep: Prepared) -> Prepared:
    """A copy holding every pair (the dense matrix)."""
    T, D = prep.pairs.dense(np.arange(prep.n_schools))
    return replace(prep, pairs=Pairs.from_dense(T, D), _cache={})


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from geo import region

    out = tmp_path_factory.mktemp("demo") / "bundle"
    res = region.build_bundle("demo", out=out, online=False)
    return _whole(prepare_bundle(getattr(res, "path", out)))


@pytest.fixture(scope="module")
def malta():
    *rest, prep = malta_capacitated()
    return (*rest, _whole(prep))


def _whole(prep: Prepared) -> Prepared:
    """The prepared region with its bounded columns routed whole (the dense reference)."""
    prep.complete_columns(prep.pairs.missing_columns())
    return prep


def _dense_assignment(full: Prepared, sc):
    """The assignment as evaluated on the dense matrix before pairs were kept sparse."""
    p2, st = apply_scenario(full, sc)
    T, D = p2.pairs.dense(np.arange(p2.n_schools))
    minutes, mode = travel_minutes(T, D, sc.transport)
    thr = np.array([sc.thresholds_min[b] for b in p2.bands])
    return assign(minutes, D, mode, p2.pupils_for_year(sc.year),
                  band_offers(st.serves, p2.bands), st.capacity, st.dormitory_places, thr,
                  open_mask=st.open, dorm_bands=np.array([b in DORMITORY_BANDS
                                                          for b in p2.bands]))


def _flows(a) -> pd.DataFrame:
    df = a.to_frame()
    return df.sort_values(["origin", "band", "school", "dorm"]).reset_index(drop=True)


def _assert_same(ev, dense_a, ev_full):
    a = ev.assignment
    assert a.optimal and dense_a.optimal
    assert a.objective == pytest.approx(dense_a.objective, rel=1e-12)
    fa, fd = _flows(a), _flows(dense_a)
    pd.testing.assert_frame_equal(fa, fd, check_exact=False, rtol=1e-9)
    for name, table in ev.indicators.items():
        other = ev_full.indicators[name]
        pd.testing.assert_frame_equal(table, other, check_exact=False, rtol=1e-9), name


def _close_all_but(prep: Prepared, keep: int):
    """Close every school but the ``keep`` of widest grades and most capacity."""
    order = np.lexsort((-prep.schools["capacity"].to_numpy(), -prep.serves.sum(axis=1)))
    close = [str(s) for s in prep.school_ids[order[keep:]]]
    return scenario_from_dict({"name": f"keep {keep}", "changes": [{"close": close}]})


def test_kept_pairs_and_floors_against_the_routed_matrix(malta):
    """Bounded searches, a block of schools at a time, keep exactly the pairs of their rule with
    the values of the whole matrix; every pair left out is at least its origin's floor, every
    kept pair of a bounded column at most."""
    net, pl, s, prep = malta
    s = s.iloc[:40]  # two blocks of (at least) 32 schools
    tm = travel_time_matrix(net, pl, s, cutoff_s=None, with_distance=True)
    T, D = tm.time_s, tm.dist_m
    # the default rule in prepare: kept values are the routed ones
    kept, t, _ = prep.pairs.lookup(prep.pairs.rows(), prep.pairs.school)
    assert kept.all()
    inner = prep.pairs.school < 40
    np.testing.assert_array_equal(t[inner], T[prep.pairs.rows()[inner],
                                              prep.pairs.school[inner]])
    # bounded searches (300 s), a block of schools at a time, the first two searched whole
    whole = np.zeros(len(s), bool)
    whole[:2] = True
    p, osn, ok = _route_pairs(net, pl, s, cutoff_s=300.0, block_pairs=1, complete=whole)
    np.testing.assert_array_equal(ok, tm.facility_snap.ok)
    rows = p.rows()
    np.testing.assert_array_equal(p.time_s, T[rows, p.school])  # the routed values, bit for bit
    np.testing.assert_array_equal(p.dist_m, D[rows, p.school])
    fin = np.isfinite(T)
    assert len(p) < 0.5 * fin.sum()  # most reachable pairs left out
    mask = np.zeros(T.shape, bool)
    mask[rows, p.school] = True
    # the rule: pairs within 300 s of network time + school leg, and whole columns
    net_s = T - osn.time_s[:, None]
    want = fin & ((net_s <= 300.0) | whole[None, :])
    np.testing.assert_array_equal(mask, want)
    assert np.array_equal(p.complete, (mask == fin).all(axis=0)) and p.complete[:2].all()
    # floors: every kept pair at most, every pair left out at least (time and distance)
    floor = np.broadcast_to(p.floor_s[:, None], T.shape)
    out = fin & ~mask
    bounded = mask & ~whole[None, :]
    assert out.any() and np.all(T[out] >= floor[out]) and np.all(T[bounded] <= floor[bounded])
    assert np.all(D[out] >= np.broadcast_to(p.floor_m[:, None], T.shape)[out])
    assert np.isfinite(p.floor_s[osn.ok]).all() and not np.isfinite(p.floor_s[~osn.ok]).any()
    # routing a column on demand gives the routed matrix exactly
    q = _sparse(prep, cutoff_s=300.0, k=3)
    j = int(np.flatnonzero(~q.pairs.complete[:40])[0])
    q.complete_columns([j])
    Tj, Dj = q.pairs.dense([j])
    np.testing.assert_array_equal(Tj[:, 0], T[:, j])
    np.testing.assert_array_equal(Dj[:, 0], D[:, j])


def test_demo_scenarios_identical_to_dense(demo):
    full = _full(demo)
    assert len(_sparse(demo, cutoff_s=300.0, k=2).pairs) < 0.25 * len(full.pairs)
    scenarios = [*(load_scenario(p) for p in SCENARIOS), _close_all_but(demo, 3)]
    for sc in scenarios:
        sparse = _sparse(demo, cutoff_s=300.0, k=2)
        ev = evaluate(sparse, sc)
        _assert_same(ev, _dense_assignment(full, sc), evaluate(full, sc))
        # pairs that were left out and matter were routed on demand
        assert ev.prep.pairs.complete.sum() > 0
    # the optimiser's instance is the dense one (missing columns routed first)
    for base, objective in ((baseline(), "p-median"), (load_scenario(SCENARIOS[1]), "coverage")):
        a = build_instance(_sparse(demo, 300.0, 2), base, objective=objective)
        b = build_instance(full, base, objective=objective)
        np.testing.assert_array_equal(a.cost, b.cost)
        np.testing.assert_array_equal(a.w, b.w)
        np.testing.assert_array_equal(a.cand, b.cand)


def test_optimiser_instance_at_lower_bounds_is_exact_where_it_reports(demo):
    """``build_instance(exact=False)`` (what :func:`optimize` uses: no routing up front) holds
    lower bounds where pairs were left out, and ``Instance.value`` routes the columns an
    assignment uses at a bound: every value equals the dense instance's, including networks
    of a few schools whose pupils must travel far."""
    full = _full(demo)
    rng = np.random.default_rng(0)
    for base, objective in ((baseline(), "p-median"), (load_scenario(SCENARIOS[1]), "coverage")):
        sparse = _sparse(demo, 300.0, 2)
        a = build_instance(sparse, base, objective=objective, exact=False)
        b = build_instance(full, base, objective=objective)
        assert a.bounded is not None and not sparse.pairs.complete.any()
        fin = np.isfinite(b.cost)
        assert np.all(a.cost[fin] <= b.cost[fin]) and np.any(a.cost[fin] < b.cost[fin])
        for keep in (2, 5, a.n_c):
            open_c = np.zeros(a.n_c, bool)
            open_c[rng.choice(a.n_c, keep, replace=False)] = True
            assert a.value(open_c)[0] == pytest.approx(b.value(open_c)[0], rel=1e-7)
        assert sparse.pairs.complete.any()  # the columns used at a bound were routed


def test_malta_identical_to_dense(malta):
    _, _, _, prep = malta
    full = _full(prep)
    assert len(_sparse(prep, cutoff_s=600.0, k=3).pairs) < 0.8 * len(full.pairs)
    for sc in (baseline(), _close_all_but(prep, 4)):
        sparse = _sparse(prep, cutoff_s=600.0, k=3)
        ev = evaluate(sparse, sc)
        _assert_same(ev, _dense_assignment(full, sc), evaluate(full, sc))
        assert ev.prep.pairs.complete.any()
    assert ev.assignment.method == "mcf" and ev.assignment.unserved > 0  # 4 schools: full
    a = build_instance(_sparse(prep, 600.0, 3), baseline())
    np.testing.assert_array_equal(a.cost, build_instance(full, baseline()).cost)


def test_pairs_left_out_never_read_as_unreachable(demo):
    """Without the network, a result that needs a pair left out stops with an error."""
    sparse = replace(_sparse(demo, cutoff_s=300.0, k=2), network=None, network_path=None)
    sparse._origin_nodes = None
    with pytest.raises(GeoInputError, match="without its road network"):
        evaluate(sparse, _close_all_but(demo, 1))
    with pytest.raises(ValueError, match="not complete"):
        sparse.pairs.dense(np.arange(sparse.n_schools))


def test_save_load_and_the_dense_format(demo, tmp_path):
    sparse = _sparse(demo, cutoff_s=300.0, k=2)
    sparse.save(tmp_path / "new")
    p2 = Prepared.load(tmp_path / "new")
    for k in ("indptr", "school", "time_s", "dist_m", "floor_s", "floor_m", "complete"):
        np.testing.assert_array_equal(getattr(p2.pairs, k), getattr(sparse.pairs, k))
    assert (p2.pairs.cutoff_s, p2.pairs.k) == (300.0, 2)
    # a folder of the dense format (time_s, dist_m) loads with the default rule
    T, D = demo.pairs.dense(np.arange(demo.n_schools))
    with np.load(tmp_path / "new" / "arrays.npz") as z:
        a = {k: z[k] for k in z.files if not k.startswith("pairs_")}
    old = tmp_path / "old"
    old.mkdir()
    np.savez_compressed(old / "arrays.npz", **a, time_s=T, dist_m=D)
    (old / "schools.parquet").write_bytes((tmp_path / "new" / "schools.parquet").read_bytes())
    meta = json.loads((tmp_path / "new" / "meta.json").read_text("utf-8"))
    meta.pop("pairs")
    (old / "meta.json").write_text(json.dumps(meta), "utf-8")
    p3 = Prepared.load(old)
    ref = Pairs.from_dense(T, D, cutoff_s=PAIRS_CUTOFF_S, k=PAIRS_K_NEAREST)
    np.testing.assert_array_equal(p3.pairs.time_s, ref.time_s)
    np.testing.assert_array_equal(p3.pairs.complete, ref.complete)
    sc = _close_all_but(demo, 1)
    _assert_same(evaluate(p2, sc), _dense_assignment(_full(demo), sc), evaluate(p3, sc))


# ------------------------------------------------------------------------------------------
# Travel minutes read sparse (PairMinutes) against the dense bound matrix
# ------------------------------------------------------------------------------------------
THR = np.array([30.0, 45.0, 60.0])
DORM_BANDS = np.array([False, True, True])


def _random_pairs(rng, n_o: int, n_s: int) -> Pairs:
    """Random pairs with many left out, whole minutes (ties between pairs and with the
    bounds), some pairs short enough to walk, some complete columns."""
    T = rng.integers(1, 40, (n_o, n_s)) * 60.0
    T[rng.random(T.shape) < 0.15] = np.inf
    D = np.where(np.isfinite(T), T * rng.choice([1.0, 12.0], T.shape), np.inf)
    col = PairCollector(n_o, n_s, cutoff_s=float(rng.integers(300, 1500)),
                        k=int(rng.integers(0, 4)), complete=rng.random(n_s) < 0.3)
    col.add(np.arange(n_s), T, D)
    return col.finish()


def _dense_row_min(dense: np.ndarray, allowed: np.ndarray):
    T = np.where(allowed[None, :], dense, np.inf)
    j = np.argmin(T, axis=1)
    v = T[np.arange(len(T)), j]
    return v, np.where(np.isfinite(v), j, -1)


def test_pair_minutes_read_as_the_dense_bound_matrix():
    """Blocks of rows (all, some and complete columns, a cost function applied), single pairs,
    the nearest allowed school of rows (first column on ties, scanned sparse or read dense),
    kept-pair counts and look-ups: each equal to the dense matrix of
    ``Pairs.minutes_bound``."""
    rng = np.random.default_rng(11)
    for trial in range(30):
        n_o, n_s = int(rng.integers(20, 50)), int(rng.integers(2, 15))
        pairs = _random_pairs(rng, n_o, n_s)
        params = TransportParams(mode=("bus", "car")[trial % 2])
        dense = pairs.minutes_bound(params)
        pm = pairs.pair_minutes(params)
        o = rng.integers(0, n_o, 25)
        cols = rng.permutation(n_s)[:int(rng.integers(1, n_s + 1))]
        np.testing.assert_array_equal(pm.block(o), dense[o])
        np.testing.assert_array_equal(pm.block(o, cols), dense[np.ix_(o, cols)])
        whole = np.flatnonzero(pairs.complete)
        np.testing.assert_array_equal(pm.block(o, whole), dense[np.ix_(o, whole)])

        def fn(x):
            return np.round(x * 3.0) + 1.0

        np.testing.assert_array_equal(pm.block(o, cols, fn=fn), fn(dense[np.ix_(o, cols)]))
        oo, ss = rng.integers(0, n_o, 60), rng.integers(0, n_s, 60)
        np.testing.assert_array_equal(pm.at(oo, ss), dense[oo, ss])
        allowed = rng.random((n_s, 3)) < 0.6
        for origins in (np.arange(n_o), rng.integers(0, n_o, 4)):  # sparse scan, dense rows
            val, col = pm.row_min(origins, allowed)
            for j in range(3):
                v, c = _dense_row_min(dense[origins], allowed[:, j])
                np.testing.assert_array_equal(val[:, j], v)
                np.testing.assert_array_equal(col[:, j], c)
            v1, c1 = pm.row_min(origins, allowed[:, 0])
            np.testing.assert_array_equal(v1, val[:, 0])
            np.testing.assert_array_equal(c1, col[:, 0])
        kept = np.zeros((n_o, n_s), bool)
        kept[pairs.rows(), pairs.school] = True
        np.testing.assert_array_equal(pairs.count_in(allowed),
                                      (kept[:, :, None] & allowed[None]).sum(axis=1))
        np.testing.assert_array_equal(pairs.count_in(allowed[:, 1]),
                                      (kept & allowed[None, :, 1]).sum(axis=1))
        for _ in range(2):  # the second look-up is the remembered one
            k2, t2, _ = pairs.lookup(oo, ss)
            np.testing.assert_array_equal(k2, kept[oo, ss])
            assert np.isinf(t2[~k2]).all()
            np.testing.assert_array_equal(t2[k2], pairs.time_s[pairs.find(oo, ss)[k2]])


@pytest.mark.parametrize("cache", [True, False])
def test_assign_on_pair_minutes_equals_the_dense_matrix(monkeypatch, cache):
    """The assignment read sparse (nearest schools, candidate arcs, pricing, with and without
    the cost rows kept between rounds) is the very one of the dense bound matrix: every flow,
    the objective, the rounds."""
    import geo.planning.assign as assign_module

    if not cache:
        monkeypatch.setattr(assign_module, "_CACHE_ENTRIES", 0)
    rng = np.random.default_rng(12)
    rounds = []
    for trial in range(25):
        n_o, n_s = int(rng.integers(20, 60)), int(rng.integers(3, 14))
        pairs = _random_pairs(rng, n_o, n_s)
        params = TransportParams(mode=("bus", "car")[trial % 2])
        pupils = rng.integers(0, 20, (n_o, 3)) * rng.random((n_o, 3))
        offers = rng.random((n_s, 3)) < 0.7
        cap = rng.integers(0, 60, n_s).astype(float)
        cap[rng.random(n_s) < 0.2] = np.inf
        dorm = np.where(rng.random(n_s) < 0.4, rng.integers(0, 20, n_s), 0).astype(float)
        kw = dict(open_mask=rng.random(n_s) < 0.85, dorm_bands=DORM_BANDS,
                  k=int(rng.integers(1, 4)))
        a = assign(pairs.pair_minutes(params), None, None, pupils, offers, cap, dorm, THR, **kw)
        d = assign(pairs.minutes_bound(params), None, None, pupils, offers, cap, dorm, THR,
                   **kw)
        for name in ("origin", "band", "school", "dorm", "pupils", "minutes", "mode",
                     "beyond", "reachable"):
            np.testing.assert_array_equal(getattr(a, name), getattr(d, name), err_msg=name)
        assert (a.objective, a.method, a.optimal, a.rounds, a.n_movable) == (
            d.objective, d.method, d.optimal, d.rounds, d.n_movable)
        rounds.append(a.rounds)
    assert max(rounds) >= 3, rounds
