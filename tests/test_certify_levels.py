"""The level relaxation of the certified solve (maximal coverage, geo.planning.certify step 0)
against independent exact solves: the whole MILP of geo.planning.location (scipy/HiGHS) and a
dense scipy transportation LP per network."""

from __future__ import annotations

import dataclasses

import highspy
import numpy as np
import pytest
from test_optimize import _transport_lp, demo_region

from geo.planning.certify import (
    _highs,
    cost_levels,
    fixed_network,
    level_lp,
    level_milp,
    level_model,
    solve_certified,
    solve_levels,
)
from geo.planning.location import MaxCoverage


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return demo_region(tmp_path_factory)


class _NoTie(MaxCoverage):
    """Coverage without the tie-break term: costs are exactly 0, 1 (or unserved)."""

    def cost(self) -> np.ndarray:
        T = self.minutes
        with np.errstate(invalid="ignore"):
            return np.where(np.isfinite(T), (T > self.threshold[:, None]).astype(float), np.inf)


def _coverage(seed, *, n_g=70, n_c=10, cap_share=0.35, cls=MaxCoverage, **kw):
    """Random capacitated coverage: whole-minute trips (so that groups share patterns), one
    group no school teaches, ~10 % of the pairs not allowed."""
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0, 30, (n_g, 2)), rng.uniform(0, 30, (n_c, 2))
    T = np.round(np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1]))
    T[rng.random(T.shape) < 0.1] = np.inf
    T[0] = np.inf
    w = rng.uniform(0.1, 12, n_g)
    cap = np.full(n_c, np.ceil(w.sum() * cap_share))
    return cls.from_cost_matrix(T, w, capacity=cap, threshold=9.0,
                                annual_cost=rng.uniform(1, 3, n_c), **kw)


def _tol(model) -> float:
    """The exact assignment's rounding: each group's pupils and each school's capacity in
    units of 1e-5 pupil (supplies rounded up, capacities down), at most the unserved cost."""
    return 2e-5 * (len(model.w) + len(model.capacity)) * model.unserved


def _exact(model) -> float:
    """Optimum of the whole MILP (every arc), checked against the exact assignment."""
    open_c, val, bound = model.build_milp().solve(time_limit_s=120)
    assert bound == pytest.approx(val, rel=1e-7, abs=1e-7)  # solved to optimality
    assert model.assignment_value(open_c) == pytest.approx(val, abs=_tol(model))
    return val


def _levels(model):
    return dataclasses.replace(model.problem(), cost_step=1.0)


CASES = {
    "p": dict(p=4),
    "fixed": dict(p=5, fixed_open=np.eye(10, dtype=bool)[3],
                  fixed_closed=np.eye(10, dtype=bool)[0] | np.eye(10, dtype=bool)[7]),
    "budget": dict(budget=7.0),
    "unserved": dict(p=3, cap_share=0.2),  # 3 schools hold 60 % of the pupils
}


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("case", list(CASES))
def test_certified_coverage_bound_below_and_value_above_the_whole_milp(seed, case):
    """With levels the certified solve's bound is below the whole MILP's optimum, its network
    is feasible, its value is the exact assignment's and at least the optimum, and the proven
    gap is below 1 %."""
    kw = dict(CASES[case])
    model = _coverage(seed, cap_share=kw.pop("cap_share", 0.35), **kw)
    opt = _exact(model)
    pr = _levels(model)
    c = solve_certified(pr, model.assignment_value, deterministic=True)
    assert c.path == "levels"
    assert c.bound <= opt + 1e-7 * opt
    assert c.value >= opt - _tol(model)
    assert c.value == pytest.approx(model.assignment_value(c.open), rel=1e-9)
    assert c.gap < 0.01
    assert not (c.open & pr.fixed_closed).any() and (c.open | ~pr.fixed_open).all()
    if pr.p is not None:
        assert c.open.sum() == pr.p
    else:
        assert pr.annual_cost[c.open].sum() <= pr.budget + 1e-9
    if case == "unserved":
        assert 3 * pr.capacity[0] < pr.w.sum()  # pupils stay unserved in every network


@pytest.mark.parametrize("seed", [4, 5])
@pytest.mark.parametrize("case", ["p", "fixed", "budget", "unserved"])
def test_levels_exact_without_ties(seed, case):
    """Costs exactly 0/1: aggregating groups into patterns and pooling the top level loses
    nothing, so the level MILP's optimum is the whole MILP's, and so is its network's exact
    value (the relaxation is exact)."""
    kw = dict(CASES[case])
    model = _coverage(seed, cls=_NoTie, cap_share=kw.pop("cap_share", 0.35), **kw)
    opt = _exact(model)
    pr = _levels(model)
    lm = level_model(pr, 1.0)
    assert len(lm.w) < (pr.cost < pr.unserved).any(axis=1).sum()  # groups were merged
    bound, net, _ = solve_levels(pr, level_milp(pr, lm), rel_gap=1e-9)
    assert bound == pytest.approx(opt, rel=1e-7, abs=1e-7)
    assert model.assignment_value(net) == pytest.approx(opt, abs=_tol(model))


@pytest.mark.parametrize("cls", [MaxCoverage, _NoTie])
def test_level_relaxation_of_each_network_below_its_assignment(cls):
    """Every network fixed: the level model's value is at most the network's transportation
    LP (dense scipy, every arc), equal without ties; the LP relaxation lies below the MILP's
    optimum and its integral schools, fixed, give a feasible network."""
    model = _coverage(6, cls=cls, cap_share=0.3, p=4)
    C = np.minimum(model.cost(), model.unserved)
    rng = np.random.default_rng(0)
    for _ in range(6):
        net = np.zeros(10, bool)
        net[rng.choice(10, 4, replace=False)] = True
        pr = dataclasses.replace(_levels(model), fixed_open=net, fixed_closed=~net)
        bound, got, _ = solve_levels(pr, level_milp(pr, level_model(pr, 1.0)), rel_gap=1e-9)
        exact = _transport_lp(C, model.w, model.capacity, net, model.unserved)
        assert np.array_equal(got, net)
        assert bound <= exact + 1e-7 * exact
        if cls is _NoTie:
            assert bound == pytest.approx(exact, rel=1e-7)
        else:  # the tie-break term is worth at most 1e-5 x the longest trip per pupil
            assert bound >= exact - 1e-5 * 60 * model.w.sum()
    pr = _levels(model)
    opt = _exact(model)
    lm = level_model(pr, 1.0)
    lp_bound, y, link = level_lp(pr, lm)
    assert lp_bound <= opt + 1e-7 * opt and y.sum() == pytest.approx(4)
    full = _highs(level_milp(pr, lm))  # the LP with every linking row: the same value
    full.changeColsIntegrality(10, np.arange(10, dtype=np.int32),
                               np.full(10, highspy.HighsVarType.kContinuous))
    full.run()
    assert lp_bound == pytest.approx(full.getInfo().objective_function_value + pr.constant,
                                     rel=1e-7)
    assert 0 < link.sum() < len(link)  # some linking rows were needed, not all
    mdl = level_milp(pr, lm, link)
    net, col = fixed_network(pr, mdl, y)
    assert net.sum() == 4 and net[y >= 1 - 1e-6].all() and not net[y <= 1e-6].any()
    assert model.assignment_value(net) >= opt - _tol(model)


def test_optimize_coverage_takes_the_level_path_on_the_demo(demo):
    """optimize(coverage, certified) solves the level relaxation: its bound lies below the
    whole MILP's network value and its network's value above the MILP's bound, its proven gap
    below 1 %; p-median keeps its paths."""
    from geo.planning.optimize import optimize

    res = optimize(demo, objective="coverage", p=15, method="certified", deterministic=True)
    c = res.certificate
    assert c.path == "levels" and c.gap < 0.01 and len(res.keep_ids) == 15
    assert "level relaxation" in res.summary() and "proven gap" in res.summary()
    ex = optimize(demo, objective="coverage", p=15, method="milp", time_limit_s=60)
    assert c.bound <= ex.milp_value * (1 + 1e-9)
    assert res.value >= ex.milp_bound * (1 - 1e-6)
    print(f"demo coverage p=15: levels {res.value:,.3f} / {c.bound:,.3f} ({100 * c.gap:.3f} %, "
          f"{c.seconds['total']:.1f} s); MILP {ex.milp_value:,.3f} / {ex.milp_bound:,.3f} "
          f"({ex.milp_status}, {ex.seconds['milp']:.1f} s)")
    assert optimize(demo, p=15, method="certified", deterministic=True).certificate.path == "lp"


@pytest.mark.parametrize("scale_pairs", [10**9, 0])
def test_levels_then_the_other_path_keeps_the_best_of_both(scale_pairs):
    """When the level relaxation does not prove the target (here: a negative target, never
    proven), the LP path (or the ascent) runs after it; the certificate keeps the better
    bound and network of the two, both still valid."""
    model = _coverage(7, p=4)
    opt = _exact(model)
    pr = _levels(model)
    alone = solve_certified(pr, model.assignment_value, deterministic=True)
    both = solve_certified(pr, model.assignment_value, deterministic=True, target_gap=-0.5,
                           scale_pairs=scale_pairs, ascent_steps=(30, 60))
    assert both.path == ("levels+lp" if scale_pairs else "levels+lagrangian")
    assert alone.bound - 1e-9 <= both.bound <= opt + 1e-7 * opt
    assert opt - _tol(model) <= both.value <= alone.value + 1e-9
    assert {"levels-fixed"} <= set(both.candidates) and len(both.candidates) >= 2


def test_cost_levels_by_blocks_round_each_cost_down_to_its_level():
    """Every allowed cost lies in [m_g + level, m_g + level + 1) with m_g the group's cheapest
    allowed cost; fixed-closed schools and unserved-cost pairs are -1; blocks of any size
    give the same levels."""
    model = _coverage(8, p=4, fixed_closed=np.eye(10, dtype=bool)[2])
    pr = _levels(model)
    m, lev = cost_levels(pr, 1.0)
    ok = (pr.cost < pr.unserved) & ~pr.fixed_closed[None, :]
    assert np.array_equal(lev >= 0, ok)
    g, j = np.nonzero(ok)
    assert np.all(m[g] + lev[g, j] <= pr.cost[g, j] + 1e-12)
    assert np.all(pr.cost[g, j] < m[g] + lev[g, j] + 1)
    assert np.allclose(m[ok.any(axis=1)], np.where(ok, pr.cost, np.inf).min(axis=1)[ok.any(axis=1)])
    assert np.all(m[~ok.any(axis=1)] == pr.unserved) and (~ok.any(axis=1)).sum() >= 1
    m7, lev7 = cost_levels(pr, 1.0, block=25)
    assert np.array_equal(m7, m) and np.array_equal(lev7, lev)


def test_no_time_left_still_gives_a_network_and_a_valid_bound():
    """With the time gone before the level relaxation's branch and bound and the ascent
    start (a 1 ms limit), the solve still returns a network of p schools, its exact value
    and a bound below the whole MILP's optimum (the level LP's, from its one LP)."""
    model = _coverage(9, p=4)
    opt = _exact(model)
    c = solve_certified(_levels(model), model.assignment_value, time_limit_s=1e-3,
                        scale_pairs=0)
    assert c.path == "levels+lagrangian" and c.open.sum() == 4 and 0 < c.rounds <= 2
    assert c.value == pytest.approx(model.assignment_value(c.open), rel=1e-9)
    assert c.value >= opt - _tol(model) and c.bound <= opt + 1e-7 * opt
    assert c.seconds["lagrangian"] >= 0


def test_capacity_bound_below_every_network_when_pupils_cannot_fit():
    """With the ``p`` largest capacities below the pupils, the capacity bound is a valid lower
    bound (below the best of every network, each assigned exactly) and far above the trivial
    one; with room for everybody it gives no information; a budget that buys three
    schools of cost 1 gives the same bound as ``p = 3``."""
    from itertools import combinations

    from geo.planning.assign import assign
    from geo.planning.certify import Problem, capacity_bound

    rng = np.random.default_rng(3)
    n_g, n_c, U = 40, 7, 10_000.0
    cost = rng.uniform(5, 90, (n_g, n_c))
    cost[rng.random(cost.shape) < 0.15] = U
    w = rng.uniform(0.5, 6, n_g)
    cap = rng.uniform(5, 25, n_c)
    fixed_open = np.zeros(n_c, bool)
    fixed_open[0] = True
    fixed_closed = np.zeros(n_c, bool)
    fixed_closed[1] = True
    pr = Problem(cost=cost, w=w, unserved=U, capacity=cap, annual_cost=np.ones(n_c),
                 fixed_open=fixed_open, fixed_closed=fixed_closed, p=3)
    best = np.inf
    for keep in combinations(range(2, n_c), 2):
        o = fixed_open.copy()
        o[list(keep)] = True
        a = assign(cost, None, None, w[:, None], np.ones((n_c, 1), bool), cap, np.zeros(n_c),
                   np.array([np.inf]), open_mask=o, beyond_penalty_min=0.0,
                   unserved_penalty_min=U)
        best = min(best, a.objective)
    b = capacity_bound(pr)
    assert w.sum() > cap[0] + np.sort(cap[2:])[-2:].sum()  # the pupils cannot all fit
    assert 0.5 * best < b <= best + 1e-6
    roomy = Problem(cost=cost, w=w, unserved=U, capacity=cap * 100, annual_cost=np.ones(n_c),
                    fixed_open=fixed_open, fixed_closed=fixed_closed, p=3)
    assert capacity_bound(roomy) == -np.inf
    budget = Problem(cost=cost, w=w, unserved=U, capacity=cap, annual_cost=np.ones(n_c),
                     fixed_open=fixed_open, fixed_closed=fixed_closed, budget=3.0)
    assert capacity_bound(budget) == pytest.approx(b, rel=1e-12)
