"""Capacity prices of an assignment and the dual bound of a network from them
(geo.planning.duals, ``Assignment.prices``): weak duality at any prices, strong duality at
the assignment's own prices, complementary slackness, warm starts from a neighbouring
network; against the exact optimum of each network's transportation problem, solved by a
dense scipy LP (HiGHS) written here (independent of geo.planning.assign)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog
from test_certify_capacity import _networks, _problem

from geo.planning import duals
from geo.planning.assign import assign
from geo.planning.duals import dual_bound

SEEDS = [1, 2, 3, 4, 5, 6]

#: The flow of :func:`assign` works on integer-scaled costs and pupils (pupils in units of
#: 1e-5 rounded up, capacities rounded down): its objective and prices match the LP within
#: this relative tolerance plus :func:`_slack`.
REL = 1e-5


def _slack(w, unserved) -> float:
    """What the rounding of the flow's pupils may cost: 1e-5 pupil per group at a price of at
    most the unserved cost."""
    return len(w) * 1e-5 * unserved


def _exact(cost, w, cap, net, unserved) -> float:
    """Optimum of the network's transportation LP (dense, HiGHS): variables ``x_gj`` (share
    of group g at open school j) and ``z_g`` (share unserved); each group's shares sum to 1;
    ``sum_g w_g x_gj <= cap_j`` where the capacity is finite; pairs not allowed (``inf``)
    get no variable's room (upper bound 0)."""
    cols = np.flatnonzero(net)
    n_g, n = len(w), len(cols)
    C = cost[:, cols]
    allowed = np.isfinite(C)
    c = np.r_[(w[:, None] * np.where(allowed, C, 0.0)).ravel(), w * unserved]
    A_eq = np.hstack([np.kron(np.eye(n_g), np.ones((1, n))), np.eye(n_g)])
    fin = np.isfinite(cap[cols])
    A_ub = np.hstack([np.kron(w[None, :], np.eye(n)), np.zeros((n, n_g))])[fin]
    bounds = [(0, 1 if a else 0) for a in allowed.ravel()] + [(0, 1)] * n_g
    r = linprog(c, A_ub=A_ub if fin.any() else None, b_ub=cap[cols][fin] if fin.any() else None,
                A_eq=A_eq, b_eq=np.ones(n_g), bounds=bounds, method="highs")
    assert r.status == 0, r.message
    return float(r.fun)


def _D(cost, w, cap, unserved, net, pi) -> float:
    """``D(pi) = sum_g w_g min(U, min_{j in net} c_gj + pi_j) - sum_{j in net} pi_j cap_j``
    (finite prices, ``pi_j = 0`` where the capacity is unlimited)."""
    idx = np.flatnonzero(net)
    p = pi[idx]
    assert np.all(np.isfinite(p)) and np.all(p >= 0)
    fin = np.isfinite(cap[idx])
    assert np.all(p[~fin] == 0)
    best = np.minimum((cost[:, idx] + p).min(axis=1), unserved)
    return float(w @ best - p[fin] @ cap[idx][fin])


def _instance(seed: int):
    """A random instance (``test_certify_capacity._problem``) whose networks of ``p``
    schools have room for about 0.85 or 1.05 x the pupils (alternating with the seed), and
    one random network of it."""
    rng = np.random.default_rng(100 + seed)
    n_c = int(rng.integers(6, 9))
    n_g = int(rng.integers(40, 81))
    p = n_c - 2
    room = 0.85 if seed % 2 else 1.05
    pr = _problem(seed, n_g=n_g, n_c=n_c, p=p, cap_share=room / p)
    net = np.zeros(n_c, bool)
    net[rng.choice(n_c, p, replace=False)] = True
    return pr, net


def _assign(pr, net):
    """The exact assignment of a network as :meth:`geo.planning.optimize.Instance.value`
    calls it."""
    n_c = pr.cost.shape[1]
    return assign(pr.cost, None, None, pr.w[:, None], np.ones((n_c, 1), bool), pr.capacity,
                  np.zeros(n_c), np.array([np.inf]), open_mask=net, beyond_penalty_min=0.0,
                  unserved_penalty_min=pr.unserved)


def _bound(pr, net, prices, **kw) -> float:
    return dual_bound(pr.cost, pr.w, pr.capacity, pr.unserved, net, prices, **kw)


@pytest.mark.parametrize("seed", SEEDS)
def test_dual_bound_never_exceeds_the_exact_optimum(seed):
    """Weak duality: from random non-negative prices (small and around the unserved cost),
    all-unknown prices, zero prices and random prices with some unknown, after 0, 1 and 3
    sweeps, the bound of every network of ``p`` schools stays at or below the network's
    exact LP optimum; coordinate ascent never lowers it (0 <= 1 <= 3 sweeps). At sweeps=0
    without unknown prices it is ``D`` at the starting prices (negative ones count as 0),
    computed here from the formula."""
    pr, _ = _instance(seed)
    n_c = pr.cost.shape[1]
    rng = np.random.default_rng(seed)
    nets = list(_networks(pr))
    for net in nets[:: max(1, len(nets) // 6)]:
        opt = _exact(pr.cost, pr.w, pr.capacity, net, pr.unserved)
        some_nan = rng.uniform(0, 60, n_c)
        some_nan[rng.random(n_c) < 0.4] = np.nan
        starts = [rng.uniform(0, 60, n_c), rng.uniform(0, 1.2 * pr.unserved, n_c),
                  rng.uniform(-30, 30, n_c), np.full(n_c, np.nan), np.zeros(n_c), some_nan]
        for pi in starts:
            b = [_bound(pr, net, pi, sweeps=s) for s in (0, 1, 3)]
            assert np.all(np.isfinite(b))
            assert b[0] <= b[1] + 1e-9 * opt and b[1] <= b[2] + 1e-9 * opt
            assert b[2] <= opt + 1e-9 * opt, (b, opt)
            if not np.isnan(pi).any():
                assert b[0] == pytest.approx(
                    _D(pr.cost, pr.w, pr.capacity, pr.unserved, net, np.maximum(pi, 0)),
                    rel=1e-12)


def _ascent(cost, w, cap, unserved, net, pi, sweeps) -> list[float]:
    """Reference coordinate ascent, by brute force: each school's price in turn (unknown
    ones first, then ``sweeps`` passes over every open school) set to the least maximiser of
    ``D`` over that price, found by evaluating ``D`` at every breakpoint; ``D`` after the
    unknown prices and after each pass."""
    idx = np.flatnonzero(net)
    C, cp = cost[:, idx], cap[idx]
    p = np.where(np.isfinite(pi[idx]), np.maximum(pi[idx], 0.0), np.nan)

    def value(q):
        fin = np.isfinite(cp)
        best = np.minimum(np.nanmin(np.where(np.isnan(q), np.inf, C + q), axis=1), unserved)
        return float(w @ best - q[fin] @ cp[fin])

    def step(c):
        others = np.where(np.isnan(p), np.inf, C + p)
        others[:, c] = np.inf
        gain = np.minimum(others.min(axis=1), unserved) - C[:, c]
        cands = np.unique(np.r_[0.0, gain[gain > 0]])
        vals = []
        for x in cands:
            p[c] = x
            vals.append(-np.inf if np.isnan(p).any() else value(p))
        if np.isnan(p).any():  # other prices unknown yet: the breakpoint where c fits
            order = np.argsort(-gain)
            k = np.searchsorted(np.cumsum(w[order]), cp[c], side="right")
            p[c] = gain[order[k]] if np.isfinite(cp[c]) and k < len(order) and \
                gain[order[k]] > 0 else 0.0
            return
        vals = np.array(vals)
        p[c] = cands[np.flatnonzero(vals >= vals.max() - 1e-9 * abs(vals.max()))[0]]

    for c in np.flatnonzero(np.isnan(p)):
        step(c)
    out = [value(p)]
    for _ in range(sweeps):
        for c in range(len(idx)):
            step(c)
        out.append(value(p))
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_ascent_equals_a_brute_force_coordinate_ascent(seed):
    """Each step of :func:`dual_bound` maximises ``D`` exactly over one price (kept at the
    least maximiser): after the unknown prices and after each of 3 sweeps its value equals a
    brute-force coordinate ascent that evaluates ``D`` at every breakpoint, from unknown,
    zero, random and partly unknown prices, on every network."""
    pr, _ = _instance(seed)
    n_c = pr.cost.shape[1]
    rng = np.random.default_rng(seed)
    for net in list(_networks(pr))[::3]:
        part = rng.uniform(0, 2 * pr.unserved, n_c)
        part[rng.random(n_c) < 0.5] = np.nan
        for pi in (np.full(n_c, np.nan), np.zeros(n_c), rng.uniform(0, 50, n_c), part):
            ref = _ascent(pr.cost, pr.w, pr.capacity, pr.unserved, net, pi, 3)
            got = [_bound(pr, net, pi, sweeps=s) for s in range(4)]
            assert got == pytest.approx(np.maximum.accumulate(ref), rel=1e-9), (got, ref)


@pytest.mark.parametrize("seed", SEEDS)
def test_assignment_prices_give_strong_duality(seed):
    """``Assignment.prices`` are the optimal duals: non-negative where finite, NaN at every
    closed school; ``D`` at them (unknown ones priced by ``dual_bound``, or the formula
    directly when none is unknown) equals ``a.objective`` and the LP optimum; a school
    with a positive price is full (complementary slackness); ascent from them does not
    move the bound."""
    pr, net = _instance(seed)
    n_c = pr.cost.shape[1]
    a = _assign(pr, net)
    opt = _exact(pr.cost, pr.w, pr.capacity, net, pr.unserved)
    assert a.method == "mcf" and a.optimal
    tol = REL * opt + _slack(pr.w, pr.unserved)
    assert opt - 1e-9 * opt <= a.objective <= opt + tol  # a feasible flow of the real problem
    pi = a.prices
    assert pi is not None and pi.shape == (n_c,)
    assert np.all(np.isnan(pi[~net]))
    fin = np.isfinite(pi)
    assert np.all(pi[fin] >= 0)
    assert fin[net].mean() >= 0.5  # the flow determines most prices
    assert np.any(pi[fin] > 1e-3)  # the capacities bind: the test is not about zeros
    b0 = _bound(pr, net, pi, sweeps=0)
    assert b0 == pytest.approx(a.objective, abs=tol) and b0 <= opt + 1e-9 * opt
    if fin[net].all():
        assert _D(pr.cost, pr.w, pr.capacity, pr.unserved, net, np.where(net, pi, 0.0)) == \
            pytest.approx(a.objective, abs=tol)
    assert _bound(pr, net, pi, sweeps=3) == pytest.approx(opt, rel=1e-6)
    load = a.school_load(n_c)
    pos = fin & (pi > 1e-6 * pr.unserved)
    assert np.all(load[pos] >= pr.capacity[pos] - 1e-5 * len(pr.w) - 1e-9 * pr.capacity[pos])
    assert np.all(load <= pr.capacity + 1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_zero_prices_on_the_nearest_path(seed):
    """With room everywhere (no school over capacity at the nearest assignment), prices are
    0 at every open school and NaN at the closed ones, and ``D(0)`` (everybody at the
    nearest school) equals the objective and the LP optimum."""
    pr, net = _instance(seed)
    pr.capacity = pr.capacity * 20
    a = _assign(pr, net)
    assert a.method == "nearest"
    assert np.all(a.prices[net] == 0) and np.all(np.isnan(a.prices[~net]))
    opt = _exact(pr.cost, pr.w, pr.capacity, net, pr.unserved)
    d = _D(pr.cost, pr.w, pr.capacity, pr.unserved, net, np.where(net, 0.0, np.nan))
    assert d == pytest.approx(a.objective, rel=1e-9) and d == pytest.approx(opt, rel=1e-7)


@pytest.mark.parametrize("seed", SEEDS)
def test_prices_of_a_neighbouring_network_bound_it_tightly(seed):
    """Warm start: for every network one swap away from an assigned one (the swapped-in
    school's price unknown, the swapped-out one's ignored), the bound from the assigned
    network's prices after 3 sweeps stays below the neighbour's exact optimum; it is within
    1 % for the median neighbour and within 5 % for at least two thirds of them, and its
    mean gap is less than half the cold start's (all prices unknown, no sweep). Not every
    neighbour is within 5 %: coordinate ascent can stall at a kink of ``D`` far below the
    optimum, mostly when the swap moves the room across the number of pupils."""
    pr, net = _instance(seed)
    a = _assign(pr, net)
    warm_gap, cold_gap = [], []
    for out in np.flatnonzero(net):
        for into in np.flatnonzero(~net):
            nb = net.copy()
            nb[out], nb[into] = False, True
            opt = _exact(pr.cost, pr.w, pr.capacity, nb, pr.unserved)
            assert np.isnan(a.prices[into])
            warm = _bound(pr, nb, a.prices, sweeps=3)
            cold = _bound(pr, nb, np.full(len(nb), np.nan), sweeps=0)
            assert cold <= opt + 1e-9 * opt and warm <= opt + 1e-9 * opt
            warm_gap.append((opt - warm) / opt)
            cold_gap.append((opt - cold) / opt)
    warm_gap, cold_gap = np.array(warm_gap), np.array(cold_gap)
    assert np.median(warm_gap) < 0.01 and np.mean(warm_gap < 0.05) >= 2 / 3, warm_gap
    assert np.mean(warm_gap) < 0.5 * np.mean(cold_gap)
    assert np.median(cold_gap) > 1e-3  # the cold start is not already tight


@pytest.mark.parametrize("seed", SEEDS[:4])
def test_need_stops_the_ascent_early(seed):
    """``need=-inf`` returns right after pricing the unknown schools (the sweeps=0 value);
    a ``need`` reached by the first sweep stops there (the 1-sweep value, below the
    3-sweep one when that improves); each stays below the optimum."""
    pr, net = _instance(seed)
    opt = _exact(pr.cost, pr.w, pr.capacity, net, pr.unserved)
    start = np.full(len(net), np.nan)
    b0, b1, b3 = (_bound(pr, net, start, sweeps=s) for s in (0, 1, 3))
    assert _bound(pr, net, start, need=-np.inf, sweeps=3) == b0
    assert b0 < b1 <= b3 <= opt + 1e-9 * opt
    assert _bound(pr, net, start, need=b1, sweeps=3) == b1
    assert _bound(pr, net, start, need=(b0 + b1) / 2, sweeps=3) == b1
    assert _bound(pr, net, start, need=np.inf, sweeps=3) == b3


def _unlimited(seed: int):
    pr, net = _instance(seed)
    n_c = pr.cost.shape[1]
    pr.cost = pr.cost.copy()
    rng = np.random.default_rng(seed)
    pr.cost[rng.random(pr.cost.shape) < 0.1] = np.inf  # some pairs not allowed
    inf_cap = np.zeros(n_c, bool)
    inf_cap[rng.choice(np.flatnonzero(net), 2, replace=False)] = True
    return pr, net, inf_cap


@pytest.mark.parametrize("seed", SEEDS[:4])
def test_unlimited_schools_price_zero(seed):
    """Schools of unlimited capacity get price 0 (the stepped prices, read off the ascent's
    state); with two of them among finite ones the bound stays below the LP optimum, and
    with every capacity unlimited it equals the uncapacitated optimum (every group at its
    cheapest school or unserved), from unknown and from zero prices; ``inf`` costs (pairs
    not allowed) are never chosen."""
    pr, net, inf_cap = _unlimited(seed)
    n_c = pr.cost.shape[1]
    pr.capacity = np.where(inf_cap, np.inf, pr.capacity)
    opt = _exact(pr.cost, pr.w, pr.capacity, net, pr.unserved)
    for pi in (np.full(n_c, np.nan), np.zeros(n_c)):
        assert _bound(pr, net, pi, sweeps=3) <= opt + 1e-9 * opt
    idx = np.flatnonzero(net)
    st = duals._Prices(pr.cost[:, idx], pr.w, pr.capacity[idx], pr.unserved,
                       np.full(len(idx), np.nan))
    for c in range(len(idx)):
        st.step(c)
    assert np.all(st.pi[inf_cap[idx]] == 0) and np.any(st.pi[~inf_cap[idx]] > 0)
    uncap = float(pr.w @ np.minimum(pr.cost[:, idx].min(axis=1), pr.unserved))
    all_inf = np.full(n_c, np.inf)
    assert _exact(pr.cost, pr.w, all_inf, net, pr.unserved) == pytest.approx(uncap, rel=1e-7)
    for pi in (np.full(n_c, np.nan), np.zeros(n_c)):
        for s in (0, 3):
            assert dual_bound(pr.cost, pr.w, all_inf, pr.unserved, net, pi, sweeps=s) == \
                pytest.approx(uncap, rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_positive_start_price_at_an_unlimited_school_still_bounds(seed):
    """Weak duality for ANY starting prices: a positive start at an unlimited school (whose
    true dual price can only be 0) must not lift the bound above the optimum."""
    pr, net, inf_cap = _unlimited(seed)
    all_inf = np.full(pr.cost.shape[1], np.inf)
    opt = _exact(pr.cost, pr.w, all_inf, net, pr.unserved)
    pi = np.where(inf_cap, 0.5 * pr.unserved, 0.0)
    assert dual_bound(pr.cost, pr.w, all_inf, pr.unserved, net, pi, sweeps=3) <= \
        opt + 1e-9 * opt


@pytest.fixture(scope="module")
def demo_instance(tmp_path_factory):
    from test_optimize import demo_region

    from geo.planning.optimize import build_instance

    return build_instance(demo_region(tmp_path_factory))


def test_demo_prices_give_strong_duality(demo_instance):
    """On the demo region (capacity 1.25 x today's pupils), the network of the 12 largest
    schools needs the flow (capacities bind); its prices (via ``Instance.priced_value``)
    are non-negative, NaN at the closed schools, positive only at full schools, and ``D``
    at them equals the assignment's objective; warm-started bounds of its one-swap
    neighbours stay below their exact assignment."""
    inst = demo_instance
    assert inst.bounded is None
    net = np.zeros(inst.n_c, bool)
    net[np.argsort(-inst.capacity, kind="stable")[:12]] = True
    value, pi = inst.priced_value(net)
    _, a = inst.value(net)
    assert a.method == "mcf" and a.optimal and value == a.objective
    assert np.all(np.isnan(pi[~net]))
    fin = np.isfinite(pi)
    assert np.all(pi[fin] >= 0) and np.any(pi[fin] > 0)
    load = a.school_load(inst.n_c)
    pos = fin & (pi > 1e-6 * inst.unserved)
    assert np.all(load[pos] >= inst.capacity[pos] - 1e-5 * len(inst.w))
    tol = REL * a.objective + _slack(inst.w, inst.unserved)
    b0 = dual_bound(inst.cost, inst.w, inst.capacity, inst.unserved, net, pi, sweeps=0)
    assert b0 == pytest.approx(a.objective, abs=tol)
    if fin[net].all():
        assert _D(inst.cost, inst.w, inst.capacity, inst.unserved, net,
                  np.where(net, pi, 0.0)) == pytest.approx(a.objective, abs=tol)
    for out, into in [(np.flatnonzero(net)[-1], np.flatnonzero(~net)[0]),
                      (np.flatnonzero(net)[0], np.flatnonzero(~net)[-1])]:
        nb = net.copy()
        nb[out], nb[into] = False, True
        exact = inst.value(nb)[0]
        b = dual_bound(inst.cost, inst.w, inst.capacity, inst.unserved, nb, pi, sweeps=3)
        assert 0.9 * exact <= b <= exact + REL * exact + _slack(inst.w, inst.unserved)
