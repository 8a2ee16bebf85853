"""The certified solve when the kept schools cannot hold every pupil (geo.planning.certify,
step 5): the Lagrangian on every arc, its capacity rows kept, ascended from the unserved
cost, against brute force over every network (each assigned by a dense scipy
transportation LP, independent of geo.planning.assign)."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest
from test_optimize import _transport_lp

from geo.planning.certify import (
    ArcLagrangian,
    Problem,
    _largest_room,
    _max_knapsack,
    budget_as_count,
    capacity_bound,
    choose_schools,
    choose_with_room,
    knapsack_choice,
    room_floor,
    room_network,
    short_of_room,
    solve_certified,
)


def _problem(seed: int, *, n_g: int = 36, n_c: int = 7, p: int = 3, unserved: float = 400.0,
             cap_share: float = 0.22, **kw) -> Problem:
    """Random planar instance: minutes ~ distance, ~15 % of the pairs not allowed (a band
    the school does not teach), one group no school teaches; each school holds about
    ``cap_share`` of the pupils, so ``p = 3`` schools cannot hold them all."""
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0, 40, (n_g, 2)), rng.uniform(0, 40, (n_c, 2))
    T = 2.0 * np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1]) + 1.0
    T[rng.random(T.shape) < 0.15] = unserved
    T[0] = unserved
    w = rng.uniform(0.1, 8.0, n_g)
    cap = np.round(rng.uniform(0.6, 1.4, n_c) * cap_share * w.sum())
    base = dict(cost=np.minimum(T, unserved), w=w, unserved=unserved, capacity=cap,
                annual_cost=np.ones(n_c), fixed_open=np.zeros(n_c, bool),
                fixed_closed=np.zeros(n_c, bool), p=p)
    return Problem(**{**base, **kw})


def _value(pr: Problem, open_c: np.ndarray) -> float:
    return _transport_lp(pr.cost, pr.w, pr.capacity, open_c, pr.unserved)


def _optimum(pr: Problem) -> float:
    """Best network by brute force (every network, exact transportation LP)."""
    n_c = pr.shape[1]
    free = [j for j in range(n_c) if not pr.fixed_open[j] and not pr.fixed_closed[j]]
    best = np.inf
    for s in itertools.combinations(free, pr.p - int(pr.fixed_open.sum())):
        o = pr.fixed_open.copy()
        o[list(s)] = True
        best = min(best, _value(pr, o))
    return best


CASES = {
    "plain": dict(),
    "fixed": dict(fixed_open=np.eye(7, dtype=bool)[5], fixed_closed=np.eye(7, dtype=bool)[1]),
    "dominant-unserved": dict(unserved=10_000.0),
}


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("case", CASES)
def test_full_arc_lagrangian_never_exceeds_the_optimum(seed, case):
    """``L(mu)`` on every arc with the capacity rows kept, at ``mu = U`` and at random
    multipliers in ``[0, U]``, stays below the brute-force optimum. Not clipping the multipliers at ``U`` (dropping the unserved
    option ``min(0, U - mu_g)``) would overshoot the optimum on these instances: the
    comparison catches an invalid bound."""
    pr = _problem(seed, **CASES[case])
    assert short_of_room(pr)
    opt = _optimum(pr)
    lag = ArcLagrangian(pr, pr.shape[1])
    assert np.all(lag.ceil == pr.unserved)
    at_u, *_ = lag(np.full(len(pr.w), pr.unserved))
    assert at_u <= opt + 1e-9 * opt
    rng = np.random.default_rng(seed)
    for spread in (1.0, 0.3, 0.05, 0.01) * 5:  # anywhere in [0, U], and just below U
        mu = pr.unserved * (1.0 - spread * rng.random(len(pr.w)))
        assert lag(mu)[0] <= opt + 1e-9 * opt
    # the wrong bound: multipliers above U without the unserved option
    wrong_mu = np.full(len(pr.w), 2.0 * pr.unserved)
    r = np.where(pr.fixed_closed[None, :], np.inf, pr.cost - wrong_mu[:, None])
    wrong = _wrong_value(pr, wrong_mu, r)
    assert wrong > opt


def _wrong_value(pr: Problem, mu: np.ndarray, r: np.ndarray) -> float:
    """``sum w mu + the p most negative knapsacks`` with no unserved option (invalid)."""
    v = np.zeros(pr.shape[1])
    for j in range(pr.shape[1]):
        o = np.argsort(r[:, j])
        left = pr.capacity[j]
        for g in o:
            if not r[g, j] < 0 or left <= 0:
                break
            take = min(pr.w[g], left)
            v[j] += take * r[g, j]
            left -= take
    free = ~pr.fixed_closed & ~pr.fixed_open
    chosen = v[pr.fixed_open].sum() + np.sort(v[free])[: pr.p - int(pr.fixed_open.sum())].sum()
    return float(pr.w @ mu + chosen)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("case", CASES)
def test_room_path_brackets_the_brute_force_optimum(seed, case):
    """At region scale (forced: ``scale_pairs=0``) with pupils beyond the room, the solve
    takes the room path; its bound lies below the brute-force optimum and its network's
    value (exact) above it, proven within a few per cent on these small instances, far
    above the capacity bound."""
    pr = _problem(seed, **CASES[case])
    opt = _optimum(pr)
    c = solve_certified(pr, lambda o: _value(pr, o), scale_pairs=0, deterministic=True,
                        target_gap=-0.5, ascent_steps=(100, 200))
    assert c.path == "room" and c.open.sum() == pr.p
    assert np.all(c.open[pr.fixed_open]) and not np.any(c.open[pr.fixed_closed])
    assert c.value == pytest.approx(_value(pr, c.open), rel=1e-9)
    assert c.bound <= opt + 1e-7 * opt
    assert c.value >= opt - 1e-7 * opt
    assert 100 < c.rounds <= 300 and c.bound >= capacity_bound(pr)
    assert (opt - c.bound) / (c.bound - pr.constant) < 0.05


def test_room_path_only_when_pupils_cannot_fit():
    """With room for every pupil the region-scale solve keeps the ascent of step 4; a budget
    is short of room exactly when the most room it can buy is (three schools of cost 1 do
    not hold the pupils, six do)."""
    pr = _problem(1, cap_share=0.6)
    assert not short_of_room(pr)
    c = solve_certified(pr, lambda o: _value(pr, o), scale_pairs=0, deterministic=True,
                        ascent_steps=(20, 20))
    assert c.path == "lagrangian"
    assert short_of_room(_problem(1, p=None, budget=3.0))
    assert not short_of_room(_problem(1, p=None, budget=6.0))


@pytest.mark.parametrize("seed", [1, 2])
def test_screened_knapsacks_equal_the_full_sort(seed):
    """The screen (each binding knapsack sorts only its arcs below last step's threshold)
    gives the same ``L``, knapsack values and choice as sorting every arc, step after step
    of an ascent (multipliers moving, some schools falling short of the screen), and at
    multipliers that jump."""
    from geo.planning.certify import Ascent, ascend

    pr = _problem(seed, n_g=120, n_c=7, cap_share=0.12)
    full, scr = ArcLagrangian(pr, pr.shape[1]), ArcLagrangian(pr, pr.shape[1], screen=True)
    st = Ascent(mu=full.ceil.copy())
    rng, opt = np.random.default_rng(seed), _optimum(pr)
    for step in range(40):
        mu = st.mu if step % 10 else pr.unserved * (1 - 0.5 * rng.random(len(pr.w)))
        a, b = full(mu), scr(mu)
        assert b[0] == pytest.approx(a[0], rel=1e-12)
        assert np.allclose(b[2], a[2], rtol=1e-12, atol=1e-9) and np.array_equal(a[1], b[1])
        ascend(full, st, target=opt, steps=1)
    assert np.isfinite(scr.thr).any()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_largest_rooms_hold_as_many_pupils_as_any_network(seed):
    """At ``mu = U`` (U far above any trip) the Lagrangian's network has the largest room
    of every network (brute force over the capacities), fixed schools respected; its exact
    value is at least the optimum."""
    from geo.planning.certify import largest_rooms

    pr = _problem(seed, **CASES["fixed"], unserved=10_000.0)
    net = largest_rooms(pr)
    free = np.flatnonzero(~pr.fixed_open & ~pr.fixed_closed)
    best_room = max(pr.capacity[list(s)].sum() for s in itertools.combinations(
        free, pr.p - int(pr.fixed_open.sum()))) + pr.capacity[pr.fixed_open].sum()
    assert net.sum() == pr.p and net[pr.fixed_open].all() and not net[pr.fixed_closed].any()
    assert pr.capacity[net].sum() == best_room
    assert _value(pr, net) >= _optimum(pr) - 1e-7 * _optimum(pr)


def test_step4_tries_the_largest_rooms_when_its_rounding_is_far_off(monkeypatch):
    """With room for everybody, step 4 evaluates the largest rooms too when its first
    rounding lies far above the bound (here forced: ``ROOM_CHECK`` -1); the certificate still
    brackets the brute-force optimum."""
    import geo.planning.certify as certify

    pr = _problem(2, cap_share=0.4, unserved=10_000.0)
    assert not short_of_room(pr)
    opt = _optimum(pr)
    monkeypatch.setattr(certify, "ROOM_CHECK", -1.0)
    c = solve_certified(pr, lambda o: _value(pr, o), scale_pairs=0, deterministic=True,
                        target_gap=-0.5, ascent_steps=(30, 30))
    assert c.path == "lagrangian" and "largest-rooms" in c.candidates
    assert c.bound <= opt + 1e-7 * opt <= c.value + 2e-7 * opt
    assert c.value == pytest.approx(_value(pr, c.open), rel=1e-9)


def _networks(pr: Problem):
    """Every network of ``p`` schools respecting the fixed ones."""
    free = [j for j in range(pr.shape[1]) if not pr.fixed_open[j] and not pr.fixed_closed[j]]
    for s in itertools.combinations(free, pr.p - int(pr.fixed_open.sum())):
        o = pr.fixed_open.copy()
        o[list(s)] = True
        yield o


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("case", CASES)
def test_room_floor_excludes_only_networks_above_the_incumbent(seed, case):
    """Every network whose room lies below :func:`room_floor` of an incumbent (here each
    network's own exact value in turn) costs more than that incumbent (brute force)."""
    pr = _problem(seed, cap_share=0.3, **CASES[case])
    nets = list(_networks(pr))
    vals = np.array([_value(pr, o) for o in nets])
    rooms = np.array([pr.capacity @ o for o in nets])
    for inc in vals:
        floor = room_floor(pr, inc)
        assert np.all(vals[rooms < floor] > inc)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("case", CASES)
def test_room_choice_bounds_the_room_constrained_minimum(seed, case):
    """:func:`choose_with_room`'s value is at most ``min v y`` over the networks with the
    room (brute force), for random school values and every room level; its choice is a
    network of ``p`` schools respecting the fixed ones."""
    pr = _problem(seed, cap_share=0.3, **CASES[case])
    rng = np.random.default_rng(seed)
    nets = list(_networks(pr))
    rooms = np.array([pr.capacity @ o for o in nets])
    for _ in range(5):
        v = -rng.uniform(0, 1000, pr.shape[1])
        vals = np.array([v @ o for o in nets])
        for room in np.unique(rooms):
            y, b = choose_with_room(pr, v, room)
            assert b <= vals[rooms >= room].min() + 1e-6 * abs(b)
            assert y.sum() == pr.p and np.all(y[pr.fixed_open] == 1)
            assert np.all(y[pr.fixed_closed] == 0)


@pytest.mark.parametrize("case", CASES)
def test_room_network_is_a_valid_network_with_the_room(case):
    """:func:`room_network` keeps ``p`` schools, the fixed ones as fixed, with the room
    asked for whenever some network has it."""
    pr = _problem(3, cap_share=0.3, **CASES[case])
    best_room = max(pr.capacity @ o for o in _networks(pr))
    rng = np.random.default_rng(0)
    for room in np.linspace(0, best_room, 7):
        net = room_network(pr, rng.random(pr.shape[1]), room)
        assert net.sum() == pr.p and np.all(net[pr.fixed_open]) and not net[pr.fixed_closed].any()
        assert pr.capacity @ net >= room


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("case", CASES)
def test_lagrangian_with_the_room_cut_never_exceeds_the_optimum(seed, case):
    """``L(mu)`` with the room floor of the optimum itself (the strongest cut an incumbent
    can give) on the clipped arcs of step 4 and on every arc, at the warm start and random
    multipliers below the clip, stays below the brute-force optimum; the cut binds (the
    floor lies above the plain choice's room) on some of them."""
    pr = _problem(seed, p=4, **CASES[case])  # three large schools, four small ones
    pr.capacity = np.round(pr.w.sum() * np.array([0.1, 0.12, 0.34, 0.1, 0.33, 0.35, 0.1]))
    opt = _optimum(pr)
    floor = room_floor(pr, opt)
    rng = np.random.default_rng(seed)
    binds = 0
    for k in (3, pr.shape[1]):
        lag = ArcLagrangian(pr, k)
        for mu in [lag.start(1)] + [lag.ceil * rng.random(len(pr.w)) ** 0.2 for _ in range(20)]:
            plain, y, *_ = lag(mu)
            lag.room = floor
            cut, *_ = lag(mu)
            lag.room = 0.0
            assert plain <= cut + 1e-9 * abs(cut) and cut <= opt + 1e-7 * opt
            binds += pr.capacity @ y < floor
    assert floor > 0 and binds > 0


def _budget_optimum(pr: Problem) -> float:
    """Best network within the budget by brute force (every subset of the free schools,
    however many, exact transportation LP)."""
    return min(_value(pr, o) for o in _affordable(pr))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("case", CASES)
def test_budget_of_one_running_cost_is_solved_as_a_number_of_schools(seed, case):
    """With every school costing the same (the default running cost), a budget that buys
    three schools is the p = 3 problem (``budget_as_count``): the solve takes the room path
    (pupils beyond the room; without the reduction its bound was far below), its network
    keeps within the budget and the brute-force optimum over every affordable network (of
    any size) lies between its bound and its value. Unequal costs leave the budget as it
    is."""
    base = _problem(seed, **CASES[case])
    budget = 2.5e5 * 3 + 1e4
    pr = replace(base, p=None, budget=budget, annual_cost=np.full(base.shape[1], 2.5e5))
    as_p = budget_as_count(pr)
    assert as_p.p == 3 and as_p.budget is None
    c = solve_certified(pr, lambda o: _value(pr, o), deterministic=True, scale_pairs=0)
    opt = _budget_optimum(pr)
    assert c.path == "room" and pr.annual_cost @ c.open <= budget
    assert c.bound <= opt + 1e-7 * opt <= c.value + 2e-7 * opt
    assert c.value == pytest.approx(_value(pr, c.open), rel=1e-9)
    uneven = replace(pr, annual_cost=np.linspace(2e5, 3e5, base.shape[1]))
    assert budget_as_count(uneven) is uneven


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("case", CASES)
def test_budget_short_of_room_takes_the_room_path(seed, case):
    """Schools of different running costs and a budget that cannot buy room for every pupil:
    the most room it can buy (the knapsack's LP bound) is at least the room of every
    affordable network, so the capacity bound is finite and valid, the solve takes the room
    path (before, the budget's ascent had no room bound: gaps of thousands of per cent at
    Vidzeme scale), stays within the budget and brackets the brute-force optimum over every
    affordable network."""
    base = _problem(seed, **CASES[case])
    cost = 1e5 + 300.0 * base.capacity
    pr = replace(base, p=None, budget=float(np.sort(cost)[:3].sum() + 2e4), annual_cost=cost)
    assert budget_as_count(pr) is pr
    rooms = [pr.capacity @ o for o in _affordable(pr)]
    assert max(rooms) <= _largest_room(pr) + 1e-9 < pr.w.sum()
    assert short_of_room(pr)
    opt = _budget_optimum(pr)
    assert capacity_bound(pr) <= opt + 1e-7 * opt
    c = solve_certified(pr, lambda o: _value(pr, o), deterministic=True, scale_pairs=0)
    assert c.path == "room" and pr.annual_cost @ c.open <= pr.budget + 1e-9
    assert c.bound <= opt + 1e-7 * opt <= c.value + 2e-7 * opt


def _affordable(pr: Problem):
    """Every network within the budget (the fixed-open schools kept)."""
    n_c = pr.shape[1]
    free = [j for j in range(n_c) if not pr.fixed_open[j] and not pr.fixed_closed[j]]
    for r in range(len(free) + 1):
        for s in itertools.combinations(free, r):
            o = pr.fixed_open & ~pr.fixed_closed
            o[list(s)] = True
            if pr.annual_cost @ o <= pr.budget + 1e-9:
                yield o


def test_max_knapsack_is_the_brute_force_optimum():
    """The dynamic programme's items fit and their gain equals the best over every subset
    (300 random knapsacks, zero weights and items too heavy for the room included)."""
    rng = np.random.default_rng(0)
    for _ in range(300):
        n = int(rng.integers(1, 9))
        gain, weight = rng.uniform(0, 10, n), rng.integers(0, 12, n)
        room = int(rng.integers(0, 30))
        best = max(gain[list(c)].sum() for r in range(n + 1)
                   for c in itertools.combinations(range(n), r) if weight[list(c)].sum() <= room)
        take = _max_knapsack(gain, weight, room)
        assert weight[take].sum() <= room and gain[take].sum() == pytest.approx(best, abs=1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_knapsack_choice_bounds_every_affordable_choice(seed):
    """With a budget the Lagrangian's choice of schools is a 0-1 knapsack: its value lies
    below ``v y`` of every affordable choice (a valid bound), at or above the fractional
    knapsack's (never weaker), and equals the brute-force minimum when the costs are whole
    hundreds of thousands (rounding them down to the programme's parts then loses less than
    any difference between two choices' costs)."""
    rng = np.random.default_rng(seed)
    base = _problem(seed, **CASES["fixed"])
    n_c = base.shape[1]
    for cost in (1e5 + 300.0 * base.capacity, np.round(rng.uniform(1, 5, n_c)) * 1e5):
        pr = replace(base, p=None, annual_cost=cost, budget=float(np.sort(cost)[:4].sum()))
        v = rng.normal(-50.0, 60.0, n_c)
        y, val = knapsack_choice(pr, v)
        exact = min(v @ o for o in _affordable(pr))
        assert val <= exact + 1e-9 and val == pytest.approx(v @ y)
        assert val >= v @ choose_schools(pr, v) - 1e-9
        if np.all(cost % 1e5 == 0):
            assert val == pytest.approx(exact, abs=1e-9)
