"""Assignment of pupils to schools: capacity-, dormitory- and mode-aware.

The prepared inputs of a region (:class:`Prepared`) hold everything a scenario needs as numpy
arrays: origins (population cells or points) with pupils per grade band, candidate schools
with their attributes, and the origin x school travel-time and distance matrices of the road
network (``geo.network.access.travel_time_matrix``). Evaluating a scenario then touches only these
arrays.

Travel time by mode
    A pupil whose network distance to a school is below ``walk_max_distance_m`` walks
    (distance / walking speed; the drive network's distance stands in for the walking
    distance). Farther pupils go by ``car`` (network time) or by school ``bus`` (car time x
    detour factor + stop wait). See :func:`travel_minutes`.

Assignment (:func:`assign`)
    Pupils of each origin and grade band (a *pupil group*) go to open schools offering every
    grade of their band. It is a transportation problem solved exactly as a linear programme:

    minimise   sum over flows of pupils x cost
    subject to every group's pupils are placed (or counted as unserved),
               pupils at a school <= its capacity,
               pupils in a school's dormitory <= its dormitory places,

    with costs per pupil (minutes): a daily trip costs its one-way time, plus
    ``beyond_penalty_min`` when it is longer than the band's threshold; a dormitory place
    (bands in ``dorm_bands``, only for trips beyond the threshold, only at schools with
    places) costs the threshold plus the one-way time x trips-per-week / school-days-per-week
    (one weekly return trip instead of daily ones); an unserved pupil costs
    ``unserved_penalty_min``. Without capacity limits everybody goes to the nearest school
    offering the grade (or to a dormitory when beyond the threshold).

    Method: every group first takes its cheapest option (the nearest allowed school of every
    row, the first on ties, as ``argmin``; with sparse travel times
    (:class:`geo.planning.prepared.PairMinutes`) one scan of the kept pairs for every band at
    once). When no school
    and no dormitory is over capacity that is optimal and the work stops. Otherwise the
    transportation problem is solved by column generation over a min-cost flow:

    1. The groups of the over-full schools (and, when a dormitory is over, the groups
       competing for dormitory places) become *movable*, each with its ``k`` cheapest daily
       and ``k`` cheapest dormitory arcs and the unserved option; the other groups stay at
       their cheapest option and their pupils take capacity first.
    2. The restricted problem is solved with OR-Tools' network simplex
       (``ortools.graph.python.min_cost_flow``, on integers: pupils in units of 1e-5,
       rounded up, capacities rounded down, so that every round solves the same integer
       instance; costs in thousandths of a minute; a group's pupils are then split in the
       proportions of its integer flows, so none is lost and no capacity is exceeded).
    3. Prices: the cheapest residual path from every school's daily and dormitory node to the
       sink (Bellman-Ford over the ``2 n_s + 1`` nodes, groups eliminated). They are the
       duals of the capacity and dormitory rows of the LP, and every group's value is its
       cheapest option at these prices; they are complementary to the flow.
    4. Pricing on the full problem, every group and every school (block by block, costs
       computed from the travel times, so memory stays bounded): an arc whose cost plus its
       price is below its group's value prices out. Only groups whose value exceeds their
       cheapest cost can have one, so only those are scanned. The cost rows of the groups read
       are kept for the later rounds (up to :data:`_CACHE_ENTRIES`) with their ``k`` cheapest
       columns: a row is read whole again only when one of these prices out or the others
       could (their costs are at least the largest of the ``k``, their prices at least the
       smallest price). None: the flow is optimal
       for the full problem (LP duality), ``Assignment.optimal``. Else the groups join (fixed
       ones with their current arc) with their ``k`` cheapest arcs that price out, and the
       flow is solved again (step 2); at most ``max_rounds`` rounds.

    The objective is reported at the flows' exact costs. At country scale (the
    ``--scale latvia`` demo: 94,932 groups x 863 schools, capacities binding, the 5 %
    smallest schools closed) this takes 6 rounds and about 1.6 s on two cores (half of it
    the six min-cost flows; read sparse, no origins x schools matrix) where widening the
    candidates until a negative-cycle check passed took 12 rounds and about 380 s.

Pupils that cannot be placed (no open school offering the grade reachable, or all reachable
ones full) are kept as unserved flows (``school == -1``), never dropped.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from ortools.graph.python import min_cost_flow

from geo import settings
from geo.planning.prepared import Prepared
from geo.planning.transport import CAR, MODES


# ------------------------------------------------------------------------------------------
# The assignment
# ------------------------------------------------------------------------------------------
@dataclass
class Assignment:
    """Pupil flows from origins to schools.

    Flow arrays (one entry per origin x band x school x {daily, dormitory}, plus unserved):

    Attributes
    ----------
    origin, band, school : numpy.ndarray of int64
        Positions; ``school == -1`` for unserved pupils.
    dorm : numpy.ndarray of bool
        True: the pupils live in the school's dormitory on school days and travel weekly.
    pupils : numpy.ndarray of float64
    minutes : numpy.ndarray of float64
        One-way travel time of the trip (daily, or weekly for dormitory pupils); NaN when
        unserved.
    dist_m : numpy.ndarray of float64
        Network distance of the trip (metres); NaN when unserved.
    mode : numpy.ndarray of int8
        :data:`MODES` code; -1 when unserved.
    beyond : numpy.ndarray of bool
        Daily trip longer than the band's threshold.
    reachable : numpy.ndarray of bool
        For unserved flows: False when no open school offering the band can be reached at
        all, True when all reachable ones were full. True for served flows.
    objective : float
        Total cost (pupil-minutes incl. penalties, see module docstring).
    method : str
        "nearest" (no capacity bound) or "mcf" (min-cost flow).
    optimal : bool
        Proven optimal on the full problem (no arc prices out, see the module docstring).
    rounds : int
        Min-cost-flow rounds (column generation).
    n_movable : int
        Pupil groups in the last min-cost flow.
    seconds : float
        Wall time.
    prices : numpy.ndarray or None
        Price of a daily place at each school (minutes per pupil): the duals of the capacity
        rows of the transportation LP (0 where a school has room; the last round's when not
        ``optimal``); NaN at closed schools and where the flow does not determine one; None
        after a negative cycle. Any non-negative prices bound the cost of any network from
        below (:func:`geo.planning.duals.dual_bound`).
    """

    origin: np.ndarray
    band: np.ndarray
    school: np.ndarray
    dorm: np.ndarray
    pupils: np.ndarray
    minutes: np.ndarray
    dist_m: np.ndarray
    mode: np.ndarray
    beyond: np.ndarray
    reachable: np.ndarray
    objective: float
    method: str
    optimal: bool
    rounds: int = 0
    n_movable: int = 0
    seconds: float = 0.0
    prices: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.pupils)

    def school_load(self, n_schools: int) -> np.ndarray:
        """Pupils per school (all bands, daily and dormitory)."""
        s = self.school >= 0
        return np.bincount(self.school[s], self.pupils[s], minlength=n_schools)

    def dorm_load(self, n_schools: int) -> np.ndarray:
        """Dormitory pupils per school."""
        s = (self.school >= 0) & self.dorm
        return np.bincount(self.school[s], self.pupils[s], minlength=n_schools)

    @property
    def unserved(self) -> float:
        """Total unserved pupils."""
        return float(self.pupils[self.school < 0].sum())

    def to_frame(self, prep: Prepared | None = None) -> pd.DataFrame:
        """Flows as a table (ids instead of positions when ``prep`` is given)."""
        df = pd.DataFrame({
            "origin": self.origin, "band": self.band, "school": self.school,
            "dorm": self.dorm, "pupils": self.pupils, "minutes": self.minutes,
            "dist_m": self.dist_m,
            "mode": np.where(self.mode >= 0, np.asarray(MODES, object)[self.mode.clip(0)], None),
            "beyond": self.beyond, "reachable": self.reachable,
        })
        if prep is not None:
            df["origin"] = prep.origin_ids[self.origin]
            df["band"] = np.asarray(prep.bands, object)[self.band]
            sid = np.r_[prep.school_ids, [None]]
            df["school"] = sid[self.school]
        return df


def assign(  # noqa: PLR0913  the problem's arrays, then keyword-only cost options
    minutes: np.ndarray,
    dist_m: np.ndarray | None,
    mode: np.ndarray | None,
    pupils: np.ndarray,
    offers: np.ndarray,
    capacity: np.ndarray,
    dorm_places: np.ndarray,
    thresholds_min: np.ndarray,
    *,
    open_mask: np.ndarray | None = None,
    dorm_bands: np.ndarray | None = None,
    beyond_penalty_min: float = settings.BEYOND_THRESHOLD_PENALTY_MIN,
    unserved_penalty_min: float = settings.UNSERVED_PENALTY_MIN,
    dorm_trip_factor: float = 1.0 / settings.SCHOOL_DAYS_PER_WEEK,
    k: int = settings.ASSIGN_K_NEAREST,
    tol: float = settings.ASSIGN_TOL,
    max_rounds: int = settings.ASSIGN_MAX_ROUNDS,
) -> Assignment:
    """Assign pupils to schools: nearest first, then an exact capacity-constrained flow.

    See the module docstring for the model and the method.

    Parameters
    ----------
    minutes : numpy.ndarray, shape (n_o, n_s), or PairMinutes
        One-way travel time (minutes; ``inf`` when unreachable), e.g. from
        :func:`travel_minutes`; or the same held sparse
        (:class:`geo.planning.prepared.PairMinutes`, read a block of rows at a time: the
        result is the one of its dense matrix).
    dist_m : numpy.ndarray or None, shape (n_o, n_s)
        Network distance (metres), copied to the flows.
    mode : numpy.ndarray of int8 or None, shape (n_o, n_s)
        Mode code, copied to the flows.
    pupils : numpy.ndarray, shape (n_o, n_b)
    offers : numpy.ndarray of bool, shape (n_s, n_b)
        School offers band (:func:`band_offers`).
    capacity : numpy.ndarray, shape (n_s,)
        Pupils (all bands); ``inf`` = unlimited.
    dorm_places : numpy.ndarray, shape (n_s,)
    thresholds_min : numpy.ndarray, shape (n_b,)
        Maximum acceptable one-way daily trip per band (minutes).
    open_mask : numpy.ndarray of bool, shape (n_s,), optional
        Open schools (default all).
    dorm_bands : numpy.ndarray of bool, shape (n_b,), optional
        Bands that may use dormitories (default none).
    beyond_penalty_min, unserved_penalty_min : float
        Cost terms (minutes per pupil), defaults from :mod:`geo.settings`.
    dorm_trip_factor : float, default 1 / settings.SCHOOL_DAYS_PER_WEEK
        Dormitory trip cost = threshold + one-way time x this factor.
    k : int, default settings.ASSIGN_K_NEAREST (6)
        Candidate schools (daily, and dormitory) per movable group in the first min-cost
        flow, and the most arcs of each kind a group gains per pricing round.
    tol : float, default settings.ASSIGN_TOL (1e-6)
        Tolerance of the capacity check (pupils).
    max_rounds : int, default settings.ASSIGN_MAX_ROUNDS (20)
        Most min-cost-flow rounds (column generation).

    Returns
    -------
    Assignment
    """
    t0 = time.perf_counter()
    minutes = _as_times(minutes)
    n_o, n_s = minutes.shape
    pupils = np.asarray(pupils, np.float64).reshape(n_o, -1)
    n_b = pupils.shape[1]
    offers = np.asarray(offers, bool).reshape(n_s, n_b)
    capacity = np.asarray(capacity, np.float64)
    dorm_places = np.asarray(dorm_places, np.float64)
    thr = np.asarray(thresholds_min, np.float64).reshape(n_b)
    open_mask = np.ones(n_s, bool) if open_mask is None else np.asarray(open_mask, bool)
    dorm_bands = np.zeros(n_b, bool) if dorm_bands is None else np.asarray(dorm_bands, bool)
    P, U, f = float(beyond_penalty_min), float(unserved_penalty_min), float(dorm_trip_factor)

    # pupil groups (origin, band) with pupils
    go, gb = np.nonzero(pupils > 0)
    w = pupils[go, gb]
    has_dorm = (dorm_places > 0) & open_mask
    prob = _Problem(minutes, go, gb, w, offers, open_mask, has_dorm, dorm_bands, thr, P, U, f,
                    k=k)
    # step 1: cheapest option of every group
    ch = _nearest(prob)
    served = ch.school >= 0
    load = np.bincount(ch.school[served], w[served], minlength=n_s)
    dload = np.bincount(ch.school[served & ch.dorm], w[served & ch.dorm], minlength=n_s)
    over = (load > capacity + tol) | (dload > dorm_places + tol)
    ctx = dict(minutes=minutes, dist_m=dist_m, mode=mode, go=go, gb=gb, w=w, thr=thr,
               terms=(P, U, f))
    if not over.any():
        return _build(ctx, np.arange(len(w)), ch.school, ch.dorm, w, ch.reach,
                      method="nearest", optimal=True, rounds=0, n_movable=0, t0=t0,
                      prices=np.where(open_mask, 0.0, np.nan))
    # step 2: min-cost flow over the groups of congested schools
    in_S, dorm_mv = _first_movers(prob, ch, capacity + tol, dorm_places + tol, load, dload)
    flows, optimal, rounds, n_movable, price = _flow_rounds(
        prob, ch, (capacity, dorm_places), in_S, dorm_mv, k=k, max_rounds=max_rounds)
    prices = None if price is None else np.where(
        open_mask & np.isfinite(price[:n_s]), price[:n_s] / prob.cost_scale, np.nan)
    return _build(ctx, *flows, ch.reach, method="mcf", optimal=optimal, rounds=rounds,
                  n_movable=n_movable, t0=t0, prices=prices)


@dataclass
class _Choice:
    """The cheapest option of every pupil group (step 1 of :func:`assign`)."""

    school: np.ndarray  # int64, -1 when none
    dorm: np.ndarray  # bool: in the school's dormitory
    cost: np.ndarray  # minutes (unserved penalty when none)
    reach: np.ndarray  # bool: some open school offering the band is reachable


def _nearest(prob: _Problem) -> _Choice:
    """Cheapest daily or dormitory option of every group, vectorised per band: the nearest
    allowed school of every row (:meth:`row_min`, first column on ties), then the dormitories
    of the groups beyond the threshold, a block of rows at a time."""
    n_g = len(prob.w)
    ch = _Choice(np.full(n_g, -1, np.int64), np.zeros(n_g, bool), np.full(n_g, prob.U),
                 np.zeros(n_g, bool))
    bands = [b for b in range(len(prob.thr)) if (prob.gb == b).any() and len(prob.columns(b)[0])]
    allowed = np.zeros((prob.n_s, len(bands)), bool)
    for i, b in enumerate(bands):
        allowed[prob.columns(b)[0], i] = True
    if not bands:
        return ch
    origins = np.unique(prob.go)  # every band's nearest school of every origin at once
    val, col = prob.times.row_min(origins, allowed)
    for i, b in enumerate(bands):
        sel = np.flatnonzero(prob.gb == b)
        cols, dcols = prob.columns(b)
        at = np.searchsorted(origins, prob.go[sel])
        td = val[at, i]
        _nearest_daily(ch, sel, td, col[at, i], prob.thr[b], prob.P)
        far = np.flatnonzero(np.isfinite(td) & (td > prob.thr[b]))
        step = max(1, _BLOCK // max(len(dcols), 1))
        for i in range(0, len(far) if len(dcols) else 0, step):  # else the daily trip wins
            blk = sel[far[i:i + step]]
            _nearest_dorm(ch, blk, dcols, prob.times.block(prob.go[blk], dcols),
                          prob.thr[b], prob.f)
    return ch


def _nearest_daily(ch: _Choice, sel, td, jd, thr: float, P: float) -> None:
    """Nearest school ``jd`` (minutes ``td``, ``inf``: none reachable) of groups ``sel``,
    beyond-threshold penalty ``P`` added."""
    fin = np.isfinite(td)
    ch.reach[sel] = fin
    cd = td + P * (td > thr)
    better = fin & (cd < ch.cost[sel])
    ch.school[sel[better]] = jd[better]
    ch.cost[sel[better]] = cd[better]


def _nearest_dorm(ch: _Choice, sel, dcols, Td, thr: float, f: float) -> None:
    """A dormitory (schools ``dcols``, times ``Td``) beyond the threshold when cheaper
    (threshold + ``f`` x one-way time)."""
    Td = np.where(Td > thr, Td, np.inf)
    jj = np.argmin(Td, axis=1)
    tt = Td[np.arange(len(sel)), jj]
    cdd = thr + f * tt
    bd = np.isfinite(tt) & (cdd < ch.cost[sel])
    ch.school[sel[bd]] = dcols[jj[bd]]
    ch.cost[sel[bd]] = cdd[bd]
    ch.dorm[sel[bd]] = True


def _first_movers(prob: _Problem, ch: _Choice, cap_limit, dorm_limit, load, dload):
    """Schools whose groups all move (over capacity), and the groups competing for
    dormitory places (when a dormitory is over). The pricing brings in the others that must
    move."""
    w = prob.w
    served = ch.school >= 0
    in_S = load > cap_limit
    dorm_mv = np.zeros(len(w), bool)
    if (dload > dorm_limit).any():
        beyond1 = served & ~ch.dorm & (ch.cost >= prob.P) & (prob.P > 0)
        dorm_mv = served & (ch.dorm | (prob.dorm_bands[prob.gb] & beyond1))
    return in_S, dorm_mv


def _flow_rounds(prob: _Problem, ch: _Choice, limits, in_S, dorm_mv, *, k: int,
                 max_rounds: int):
    """Column generation: a min-cost flow of the movable groups over their candidate arcs,
    priced on the full problem (every group, every school) with the flow's node prices;
    groups and arcs that price out join, until none does (then the flow is optimal) or
    ``max_rounds``. Returns the flows, optimality, rounds, the number of movable groups of
    the last round and its node prices (scaled units; None after a negative cycle)."""
    movable = (ch.school >= 0) & (in_S[np.maximum(ch.school, 0)] | dorm_mv)
    arcs = prob.first_arcs(np.flatnonzero(movable), k)
    cheap = prob.scaled(ch.cost)
    for rounds in range(1, max_rounds + 1):
        sol = _solve_restricted(prob, ch, movable, arcs, limits)
        price = _node_prices(prob.n_s, sol)
        if price is None:  # a negative cycle: not an optimum of the restricted flow
            return sol.flows, False, rounds, int(movable.sum()), None
        alpha = _group_values(prob, ch, cheap, movable, sol, price)
        cand = np.flatnonzero(alpha > cheap + 0.5)
        new = prob.priced_arcs(cand, alpha[cand], price, k)
        if len(new["g"]) == 0:
            return sol.flows, True, rounds, int(movable.sum()), price
        # no arc joins twice: a priced arc costs less than its group's value, every
        # restricted arc at least that, and a joining group's current arc was not restricted
        joined = np.unique(new["g"][~movable[new["g"]]])
        movable[joined] = True
        arcs = _cat_arcs([arcs, new, prob.current_arcs(ch, joined, cheap)])
    return sol.flows, False, max_rounds, int(movable.sum()), price


@dataclass
class _Restricted:
    """The optimum of one restricted min-cost flow: the assignment's flows (every group) and
    the movable groups' arcs (incl. one unserved arc each) with their integer flows."""

    flows: tuple  # group, school, dorm, pupils of every flow
    g: np.ndarray  # group of each arc of the flow (global position)
    s: np.ndarray  # school, -1 for the unserved arc
    dorm: np.ndarray
    c: np.ndarray  # scaled integer cost
    flow: np.ndarray  # integer flow
    full: np.ndarray  # school without free capacity (in the integer instance)
    dfull: np.ndarray  # dormitory without free places


def _solve_restricted(prob: _Problem, ch: _Choice, movable, arcs, limits) -> _Restricted:
    """Min-cost flow of the ``movable`` groups over ``arcs`` into the capacity the other
    groups (fixed at their cheapest option) leave."""
    w, n_s = prob.w, prob.n_s
    units = _units(w)
    fixed = ~movable
    fl = fixed & (ch.school >= 0)
    fd = fl & ch.dorm
    rescap = _cap_units(limits[0]) - np.bincount(ch.school[fl], units[fl], minlength=n_s)
    resdorm = _cap_units(limits[1]) - np.bincount(ch.school[fd], units[fd], minlength=n_s)
    mv = np.flatnonzero(movable)
    pos = dict(arcs, g=np.searchsorted(mv, arcs["g"]))
    x, a, fint, full, dfull = _solve_mcf(pos, w[mv], units[mv], rescap, resdorm, n_s,
                                         prob.U, prob.cost_scale)
    keep = np.flatnonzero(fixed)
    on = x > 0
    flows = (np.r_[keep, mv[a["g"][on]]], np.r_[ch.school[keep], a["s"][on]],
             np.r_[ch.dorm[keep], a["dorm"][on]], np.r_[w[keep], x[on]])
    return _Restricted(flows, mv[a["g"]], a["s"], a["dorm"], a["c"], fint, full, dfull)


def _nodes(s: np.ndarray, dorm: np.ndarray, n: int) -> np.ndarray:
    """Node of an option: a school's daily node ``s``, its dormitory node ``n + s``, or the
    sink ``2 n`` (unserved, ``s == -1``)."""
    return np.where(s < 0, 2 * n, np.where(dorm, n + np.maximum(s, 0), np.maximum(s, 0)))


def _node_prices(n: int, sol: _Restricted) -> np.ndarray | None:
    """Node prices of a restricted optimum: the cheapest residual path from every node to
    the sink (Bellman-Ford over the schools' daily and dormitory nodes and the sink, groups
    eliminated: a group with flow at node ``a`` and an arc to node ``b`` gives the residual
    arc a -> b of cost c(b) - c(a)). The price of a school is what one more pupil there costs
    the others (0 while it has room); ``inf`` where no path leads on (a school filled by
    groups outside the flow). None when there is a negative cycle.

    With ``v_j`` = the daily node's price and ``w_j`` = the dormitory node's price minus
    ``v_j``, and every group's value ``alpha_g`` = its cheapest option at these prices
    (:func:`_group_values`), these are the duals of the transportation LP (capacity and
    dormitory rows), feasible and complementary to the flow on its arcs.
    """
    N = 2 * n + 1
    node = _nodes(sol.s, sol.dorm, n)
    a, b, v = _group_moves(sol.g, node, sol.c, sol.flow > 0)
    j = np.arange(n)
    on_dorm = (sol.flow > 0) & sol.dorm
    dflow = np.flatnonzero(np.bincount(sol.s[on_dorm], minlength=n) > 0)
    free, dfree = j[~sol.full], j[~sol.dfull]
    tail = np.concatenate([a, n + dfree, dflow, free])  # + a dormitory's place, its school
    head = np.concatenate([b, dfree, n + dflow, np.full(len(free), 2 * n)])  # room: sink
    cost = np.concatenate([v, np.zeros(len(dfree) + len(dflow) + len(free))])
    return _distances_to_sink(N, *_cheapest_arcs(tail * N + head, cost, N))


def _cheapest_arcs(key: np.ndarray, cost: np.ndarray, N: int):
    """The cheapest of parallel arcs (``key`` = tail x ``N`` + head): tails, heads, costs,
    sorted by tail then head."""
    order = np.argsort(key, kind="stable")
    key, cost = key[order], cost[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else key[:0]
    best = np.minimum.reduceat(cost, starts) if len(key) else cost
    return key[starts] // N, key[starts] % N, best


def _group_moves(g, node, c, on) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Residual arcs between nodes, groups eliminated: for every arc of a group and every
    node where the group has flow (``on``), (from node, to node, cost difference). Most
    groups have flow on one arc: theirs are read directly, the others'
    (:func:`_split_group_moves`) by pieces."""
    n_flows = np.bincount(g[on], minlength=int(g.max(initial=-1)) + 1)
    single = n_flows[g] == 1
    flow_arc = np.full(len(n_flows), -1, np.int64)
    at = np.flatnonzero(on & single)
    flow_arc[g[at]] = at
    i = np.flatnonzero(single)
    f = flow_arc[g[i]]
    many = ~single
    a2, b2, v2 = _split_group_moves(g[many], node[many], c[many], on[many])
    a, b, v = node[f], node[i], c[i] - c[f]
    keep = a != b
    return np.r_[a[keep], a2], np.r_[b[keep], b2], np.r_[v[keep], v2]


def _split_group_moves(g, node, c, on) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_group_moves` of groups with flow on several arcs."""
    order = np.argsort(g[on], kind="stable")
    pg, pn, pc = g[on][order], node[on][order], c[on][order]
    first = np.searchsorted(pg, g, "left")
    cnt = np.searchsorted(pg, g, "right") - first
    rep = np.repeat(np.arange(len(g)), cnt)
    piece = np.repeat(first, cnt) + np.arange(len(rep)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    a, b = pn[piece], node[rep]
    keep = a != b
    return a[keep], b[keep], (c[rep] - pc[piece])[keep]


def _distances_to_sink(N: int, a: np.ndarray, b: np.ndarray, v: np.ndarray
                       ) -> np.ndarray | None:
    """Cheapest path cost from every one of ``N`` nodes to the last one (Bellman-Ford over
    the arcs ``a`` -> ``b`` of costs ``v``, sorted by tail, no self-loops); None when a
    negative cycle keeps lowering them."""
    tails, starts = np.unique(a, return_index=True)
    D = np.full(N, np.inf)
    D[-1] = 0.0
    if len(a) == 0:
        return D
    for _ in range(N):
        best = np.minimum.reduceat(v + D[b], starts)
        better = best < D[tails]
        if not better.any():
            return D
        D[tails[better]] = best[better]
    return None


def _group_values(prob: _Problem, ch: _Choice, cheap, movable, sol: _Restricted, price):
    """Every group's value at the node prices (scaled units): its cheapest restricted arc
    (movable groups; the unserved arc included) or its fixed option, price added."""
    n = prob.n_s
    alpha = cheap + price[_nodes(ch.school, ch.dorm, n)]
    alpha[movable] = np.inf
    np.minimum.at(alpha, sol.g, sol.c + price[_nodes(sol.s, sol.dorm, n)])
    return alpha


def _cat_arcs(parts: list[dict]) -> dict:
    """Arc dicts (g, s, dorm, c) concatenated."""
    return {key: np.concatenate([p[key] for p in parts]) for key in ("g", "s", "dorm", "c")}


def _build(ctx, g, s, d, x, reach, *, method, optimal, rounds, n_movable, t0,  # noqa: PLR0913  internal: the flows of one assignment
           prices=None) -> Assignment:
    go, gb, thr = ctx["go"], ctx["gb"], ctx["thr"]
    o, b = go[g], gb[g]
    sv = s >= 0
    sj = np.maximum(s, 0)
    mins = np.full(len(g), np.nan)
    mins[sv] = ctx["minutes"].at(o[sv], sj[sv])
    dist = (np.where(sv, ctx["dist_m"][o, sj], np.nan) if ctx["dist_m"] is not None
            else np.full(len(g), np.nan))
    mode = (np.where(sv, ctx["mode"][o, sj], -1).astype(np.int8) if ctx["mode"] is not None
            else np.where(sv, CAR, -1).astype(np.int8))
    d = np.asarray(d, bool) & sv
    beyond = sv & ~d & (mins > thr[b])
    return Assignment(
        origin=o.astype(np.int64), band=b.astype(np.int64), school=s.astype(np.int64), dorm=d,
        pupils=np.asarray(x, np.float64), minutes=mins, dist_m=dist, mode=mode, beyond=beyond,
        reachable=np.where(sv, True, reach[g]), objective=_objective(ctx, x, sv, d, mins, b),
        method=method,
        optimal=optimal, rounds=rounds, n_movable=n_movable,
        seconds=time.perf_counter() - t0, prices=prices,
    )


def _objective(ctx, x, sv, d, mins, b) -> float:
    """Total cost of the flows (pupils ``x``) at their exact costs (the flow's are rounded to
    its integer units)."""
    P, U, f = ctx["terms"]
    thr = ctx["thr"][b]
    exact = np.where(~sv, U, np.where(d, thr + f * mins, mins + P * (mins > thr)))
    return float(np.dot(x, exact))


#: Integer scaling of the min-cost flow (the solver works on integers): pupils in units of
#: 1e-5.
_FLOW_SCALE = 1e5


#: Integer cost of the unserved option; other costs are scaled by the same factor (1e7 / U:
#: thousandths of a minute with the default U). Flow x cost stays far below 2**63.
_COST_RANGE = 1e7


#: Group x school entries per block of a cost matrix computed at once (bounded memory: the
#: costs are computed from the travel times where needed, never kept for all groups).
_BLOCK = 500_000


#: Group x school costs kept between the rounds of one assignment at most (8 bytes each);
#: with dense travel times at most a quarter of their entries.
_CACHE_ENTRIES = 16_000_000


class _DenseMinutes:
    """Dense travel minutes (n_o, n_s) read as :class:`geo.planning.prepared.PairMinutes`:
    blocks of rows, single pairs and the nearest allowed column of rows."""

    def __init__(self, minutes: np.ndarray):
        self.minutes = minutes
        self.shape = minutes.shape

    def block(self, origins, columns=None, fn=None) -> np.ndarray:
        """Rows ``origins`` x ``columns`` (default all), ``fn`` (elementwise) applied."""
        o = np.asarray(origins, np.int64)
        T = (self.minutes[o] if columns is None
             else self.minutes[np.ix_(o, np.asarray(columns, np.int64))])
        return T if fn is None else fn(T)

    def at(self, origins, schools) -> np.ndarray:
        """Minutes of (origin, school) pairs."""
        return self.minutes[origins, schools]

    def row_min(self, origins, allowed) -> tuple[np.ndarray, np.ndarray]:
        """Smallest minutes of every row of ``origins`` over the ``allowed`` columns (shape
        (n_s,), or (n_s, m): m sets) and its first column (``inf``, -1: none reachable)."""
        origins = np.asarray(origins, np.int64)
        A = np.asarray(allowed, bool).reshape(self.shape[1], -1)
        val = np.full((len(origins), A.shape[1]), np.inf)
        col = np.full((len(origins), A.shape[1]), -1, np.int64)
        step = max(1, _BLOCK // max(self.shape[1], 1))
        for i in range(0, len(origins), step):
            rows = self.minutes[origins[i:i + step]]
            for b in range(A.shape[1]):
                T = rows + np.where(A[:, b], 0.0, np.inf)
                j = np.argmin(T, axis=1)
                t = T[np.arange(len(j)), j]
                val[i:i + step, b] = t
                col[i:i + step, b] = np.where(np.isfinite(t), j, -1)
        return (val[:, 0], col[:, 0]) if np.ndim(allowed) == 1 else (val, col)


def _as_times(minutes):
    """Travel minutes as an object with ``shape``, ``block``, ``at`` and ``row_min``: sparse
    ones as they are, an array wrapped (:class:`_DenseMinutes`)."""
    if hasattr(minutes, "row_min"):
        return minutes
    return _DenseMinutes(np.asarray(minutes, np.float64))


class _CostRows:
    """Scaled cost rows of groups at a fixed set of columns, computed once per assignment and
    read again in later rounds (chunks of rows, a group's row found by ``pos``), with each
    row's ``k`` cheapest columns (``top``: columns, costs, and the largest of them, below
    which no other column costs)."""

    def __init__(self, n_groups: int, width: int, k: int):
        self.pos = np.full(n_groups, -1, np.int64)
        self.width, self.k = width, k
        self.chunks: list[np.ndarray] = []
        self.tops: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.starts: list[int] = []
        self.n = 0

    def add(self, groups: np.ndarray, rows: np.ndarray, part: np.ndarray | None = None
            ) -> None:
        """Keep the cost ``rows`` of ``groups`` (not yet kept); ``part``: their
        ``np.argpartition(rows, k - 1, axis=1)`` when known."""
        self.pos[groups] = self.n + np.arange(len(groups))
        self.chunks.append(rows)
        if self.k >= self.width:  # every column is among the cheapest
            cols = np.broadcast_to(np.arange(self.width), rows.shape)
            self.tops.append((cols, rows, np.full(len(rows), np.inf)))
        else:
            if part is None:
                part = np.argpartition(rows, self.k - 1, axis=1)
            cols = part[:, :self.k]
            cost = np.take_along_axis(rows, cols, axis=1)
            self.tops.append((cols, cost, cost.max(axis=1, initial=-np.inf)))
        self.starts.append(self.n)
        self.n += len(groups)

    def _where(self, groups: np.ndarray):
        """(chunk, rows of ``groups`` in it, their places among ``groups``) of every chunk."""
        p = self.pos[groups]
        which = np.searchsorted(self.starts, p, side="right") - 1
        for c in np.unique(which):
            m = np.flatnonzero(which == c)
            yield c, p[m] - self.starts[c], m

    def get(self, groups: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """The kept rows of ``groups`` (into ``out`` when given)."""
        if out is None:
            out = np.empty((len(groups), self.width))
        for c, rows, m in self._where(groups):
            if len(m) == len(groups):
                np.take(self.chunks[c], rows, axis=0, out=out)
            else:
                out[m] = self.chunks[c][rows]
        return out

    def top(self, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The ``k`` cheapest columns of the kept rows of ``groups``, their costs, and a
        lower bound of every other column's cost."""
        kk = min(self.k, self.width)
        cols = np.empty((len(groups), kk), np.int64)
        cost = np.empty((len(groups), kk))
        rest = np.empty(len(groups))
        for c, rows, m in self._where(groups):
            tc, tv, tr = self.tops[c]
            cols[m], cost[m], rest[m] = tc[rows], tv[rows], tr[rows]
        return cols, cost, rest

    def value(self, groups: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The kept costs of ``groups`` at column positions ``cols``."""
        out = np.empty(len(groups))
        for c, rows, m in self._where(groups):
            out[m] = self.chunks[c][rows, cols[m]]
        return out


class _Problem:
    """The full transportation problem: costs (scaled integer units held as float64, ``inf``
    where not allowed) computed from the travel times block by block, for the first
    candidate arcs and for the pricing of every group against the flow's node prices (the
    rows of the groups read are kept for the later rounds, up to :data:`_CACHE_ENTRIES`)."""

    def __init__(self, times, go, gb, w, offers, open_mask, has_dorm, dorm_bands, thr, P, U, f,  # noqa: PLR0913  internal: the arrays of one problem
                 k: int = settings.ASSIGN_K_NEAREST):
        self.times, self.go, self.gb, self.w = times, go, gb, w
        self.offers, self.open, self.has_dorm = offers, open_mask, has_dorm
        self.dorm_bands, self.thr, self.P, self.U, self.f = dorm_bands, thr, P, U, f
        n_o, self.n_s = times.shape
        self.cost_scale = _COST_RANGE / max(U, 1e-9)
        self.room = (_CACHE_ENTRIES if not isinstance(times, _DenseMinutes)
                     else min(_CACHE_ENTRIES, n_o * self.n_s // 4))
        self.kept: dict[tuple[int, bool], _CostRows] = {}
        self.k = k
        self.scratch: np.ndarray | None = None

    def cached_costs(self, b: int, groups: np.ndarray, cols: np.ndarray, *, dorm: bool,
                     part: bool = False):
        """:meth:`costs`, kept for the later rounds while there is room; with ``part``, also
        ``np.argpartition(costs, k - 1, axis=1)`` (None when ``k`` covers every column)."""
        rows = self.kept.get((b, dorm))
        if rows is None:
            rows = self.kept[(b, dorm)] = _CostRows(len(self.w), len(cols), self.k)
        new = groups[rows.pos[groups] < 0]
        if len(new) * len(cols) > self.room:  # no room left: computed, not kept
            c = self.costs(b, groups, cols, dorm=dorm)
            return (c, self.partition(c)) if part else c
        if len(new):
            self.room -= len(new) * len(cols)
            cn = self.costs(b, new, cols, dorm=dorm)
            pn = self.partition(cn)
            rows.add(new, cn, pn)
            if len(new) == len(groups):
                return (cn, pn) if part else cn
        c = rows.get(groups)
        return (c, self.partition(c)) if part else c

    def partition(self, c: np.ndarray) -> np.ndarray | None:
        """``np.argpartition(c, k - 1, axis=1)``; None when ``k`` covers every column."""
        return np.argpartition(c, self.k - 1, axis=1) if self.k < c.shape[1] else None

    def priced_block(self, b: int, groups: np.ndarray, cols: np.ndarray, *, dorm: bool,
                     price: np.ndarray, limit: np.ndarray, k: int):
        """Rows, columns and costs of the ``k`` cheapest arcs of each of ``groups`` (band
        ``b``, at schools ``cols``) whose cost plus the node ``price`` is below the group's
        ``limit``; kept cost rows are read into a scratch block."""
        rows = self.kept.get((b, dorm))
        if rows is None or (rows.pos[groups] < 0).any():  # read whole (and kept from now on)
            c = self.cached_costs(b, groups, cols, dorm=dorm)
            r, s = _cheapest_below(c + price[None, :], limit, k)
            return r, s, c[r, s]
        # a row prices out when one of its k cheapest columns does, or when the others could
        # (their costs are at least the largest of these): only those rows are read whole
        tc, tv, rest = rows.top(groups)
        hit = (tv + price[tc]).min(axis=1, initial=np.inf) < limit
        unsure = np.flatnonzero(~hit & (rest + price.min(initial=np.inf) < limit))
        if len(unsure):
            hit[unsure] = self.red_rows(rows, groups[unsure], price).min(
                axis=1, initial=np.inf) < limit[unsure]
        h = np.flatnonzero(hit)
        if len(h) == 0:
            return h, h, np.zeros(0)
        sub = self.red_rows(rows, groups[h], price)
        r, s = _cheapest(sub, k)
        ok = sub[r, s] < limit[h][r]
        r, s = h[r[ok]], s[ok]
        return r, s, rows.value(groups[r], s)

    def red_rows(self, rows: _CostRows, groups: np.ndarray, price: np.ndarray) -> np.ndarray:
        """Kept cost rows of ``groups`` plus the column ``price``, in a scratch block."""
        size = len(groups) * rows.width
        if self.scratch is None or len(self.scratch) < size:
            self.scratch = np.empty(max(size, _BLOCK))
        red = rows.get(groups, out=self.scratch[:size].reshape(len(groups), rows.width))
        red += price[None, :]
        return red

    def scaled(self, cost_min: np.ndarray) -> np.ndarray:
        """Costs (minutes per pupil) in the flow's scaled integer units, as the arcs'."""
        return np.round(np.minimum(cost_min, 10 * self.U) * self.cost_scale)

    def columns(self, b: int) -> tuple[np.ndarray, np.ndarray]:
        """Schools band ``b``'s groups may attend daily, and those with dormitory places they
        may use (none when the band does not use dormitories)."""
        cols = np.flatnonzero(self.open & self.offers[:, b])
        dcols = cols[self.has_dorm[cols]] if self.dorm_bands[b] else cols[:0]
        return cols, dcols

    def costs(self, b: int, groups: np.ndarray, cols: np.ndarray, *, dorm: bool) -> np.ndarray:
        """Scaled costs of ``groups`` (all of band ``b``) at schools ``cols``: daily (time,
        plus the penalty beyond the threshold) or in the dormitory (threshold plus the weekly
        share of the time; only beyond the threshold); ``inf`` where not allowed or
        unreachable."""
        thr = self.thr[b]

        def cost(T):
            if dorm:
                c = T * self.f
                c += thr
            else:
                c = (T > thr) * self.P
                c += T
            np.minimum(c, 10 * self.U, out=c)
            c *= self.cost_scale
            np.round(c, out=c)
            c[~np.isfinite(T) | ((T <= thr) if dorm else False)] = np.inf
            return c

        return self.times.block(self.go[groups], cols, fn=cost)

    def blocks(self, b: int, groups: np.ndarray, *, k: int | None = None, price=None, limit=None):
        """For band ``b``'s ``groups``, block by block, daily and dormitory: arcs as arrays
        g (global group), s, dorm, c. Without ``price``: each group's ``k`` cheapest arcs of
        each kind. With
        ``price`` (per node) and ``limit`` (per group): the ``k`` cheapest arcs whose cost
        plus the price is below the limit."""
        cols, dcols = self.columns(b)
        n = self.n_s
        for isd, cc in ((False, cols), (True, dcols)):
            if len(cc) == 0:
                continue
            step = max(1, _BLOCK // len(cc))
            for i in range(0, len(groups), step):
                blk = groups[i:i + step]
                if price is None:
                    c, part = self.cached_costs(b, blk, cc, dorm=isd, part=True)
                    r, s = _cheapest(c, k, part)
                    r, s = r[np.isfinite(c[r, s])], s[np.isfinite(c[r, s])]
                    cost = c[r, s]
                else:
                    r, s, cost = self.priced_block(b, blk, cc, dorm=isd,
                                                   price=price[(n if isd else 0) + cc],
                                                   limit=limit[i:i + step], k=k)
                yield {"g": blk[r], "s": cc[s], "dorm": np.full(len(r), isd), "c": cost}

    def first_arcs(self, groups: np.ndarray, k: int) -> dict:
        """The first candidate arcs of the movable ``groups``: the ``k`` cheapest daily and
        the ``k`` cheapest dormitory arcs of each."""
        gbg = self.gb[groups]
        parts = [a for b in np.unique(gbg) for a in self.blocks(b, groups[gbg == b], k=k)]
        return _cat_arcs(parts or [_no_arcs()])

    def priced_arcs(self, groups: np.ndarray, alpha: np.ndarray, price: np.ndarray,
                    k: int) -> dict:
        """Arcs of ``groups`` that price out: cost plus the node price below the group's value
        ``alpha`` (by more than half a unit), the ``k`` cheapest of each kind per group, and
        the unserved arc where it does. Empty: no arc of the full problem prices out."""
        gbg = self.gb[groups]
        parts = [a for b in np.unique(gbg) for a in self.blocks(
            b, groups[gbg == b], k=k, price=price, limit=alpha[gbg == b] - 0.5)]
        U_int = float(self.scaled(np.array(self.U)))
        un = groups[U_int < alpha - 0.5]
        parts.append({"g": un, "s": np.full(len(un), -1), "dorm": np.zeros(len(un), bool),
                      "c": np.full(len(un), U_int)})
        return _cat_arcs(parts)

    def current_arcs(self, ch: _Choice, groups: np.ndarray, cheap: np.ndarray) -> dict:
        """The arcs the ``groups`` use as fixed groups (their cheapest option)."""
        groups = groups[ch.school[groups] >= 0]
        return {"g": groups, "s": ch.school[groups], "dorm": ch.dorm[groups],
                "c": cheap[groups]}


def _no_arcs() -> dict:
    return {"g": np.zeros(0, np.int64), "s": np.zeros(0, np.int64),
            "dorm": np.zeros(0, bool), "c": np.zeros(0)}


def _cheapest(mat: np.ndarray, kk: int, part: np.ndarray | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of the ``kk`` cheapest entries of every row of ``mat`` (``part``: its
    ``np.argpartition(mat, kk - 1, axis=1)`` when known)."""
    n, m = mat.shape
    if kk >= m:
        r, s = np.nonzero(np.ones(mat.shape, bool))
        return r, s
    part = np.argpartition(mat, kk - 1, axis=1) if part is None else part
    cand = part[:, :kk]
    return np.repeat(np.arange(n), kk), cand.ravel()


def _cheapest_below(red: np.ndarray, limit: np.ndarray, kk: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of the ``kk`` cheapest entries of every row of ``red`` that are below
    the row's ``limit``."""
    hit = np.flatnonzero(red.min(axis=1, initial=np.inf) < limit)
    if len(hit) == 0:
        return hit, hit
    sub = red[hit]
    r, s = _cheapest(sub, kk)
    ok = sub[r, s] < limit[hit][r]
    return hit[r[ok]], s[ok]


def _units(w: np.ndarray) -> np.ndarray:
    """Pupils in the flow's integer units (``1 / _FLOW_SCALE``), rounded up (at least 1)."""
    return np.maximum(np.ceil(w * _FLOW_SCALE - 1e-9), 1).astype(np.int64)


def _cap_units(cap: np.ndarray) -> np.ndarray:
    """Capacities in the flow's integer units, rounded down (``inf``: unlimited). With the
    pupils rounded up, every group fixed or in the flow takes the same units whatever the
    round: each round solves the same integer instance, and scaled back no capacity is
    exceeded."""
    cap = np.asarray(cap, np.float64)
    return np.where(np.isfinite(cap), np.floor(np.maximum(cap, 0) * _FLOW_SCALE + 1e-9), np.inf)


def _solve_mcf(arcs, w, sup, rescap, resdorm, n_s, U, cost_scale):  # noqa: PLR0913  internal: the arrays of one flow
    """Min-cost flow (OR-Tools network simplex on integers) of movable groups (``w`` pupils,
    ``sup`` units) into the residual capacities ``rescap`` and ``resdorm`` (units, ``inf``:
    unlimited).

    Returns the pupils on every arc (scaled back exactly: a group's pupils are split in the
    proportions of its integer flows, so no pupil is lost and no capacity is exceeded), the
    arcs including one unserved arc (school -1) per group, the integer flows, and which
    schools and dormitories are full in the integer instance.
    """
    n_g = len(w)
    total = int(sup.sum())
    na = len(arcs["c"])
    g = np.r_[arcs["g"], np.arange(n_g)]
    sch = np.r_[arcs["s"], np.full(n_g, -1)]
    dorm = np.r_[arcs["dorm"], np.zeros(n_g, bool)]
    c = np.r_[arcs["c"], np.full(n_g, np.round(U * cost_scale))]
    S0, D0, T = n_g, n_g + n_s, n_g + 2 * n_s
    head = np.where(sch < 0, T, np.where(dorm, D0 + np.maximum(sch, 0), S0 + np.maximum(sch, 0)))
    capi = np.where(np.isfinite(rescap), np.clip(rescap, 0, total), total).astype(np.int64)
    dcap = np.where(np.isfinite(resdorm), np.clip(resdorm, 0, total), total).astype(np.int64)
    j = np.arange(n_s)
    tails = np.r_[g, D0 + j, S0 + j]
    heads = np.r_[head, S0 + j, np.full(n_s, T)]
    caps = np.r_[sup[g], dcap, capi]
    costs = np.r_[c, np.zeros(2 * n_s)].astype(np.int64)
    mcf = min_cost_flow.SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    mcf.set_nodes_supplies(np.r_[np.arange(n_g), T], np.r_[sup, -total])
    status = mcf.solve()
    if status != mcf.OPTIMAL:
        raise RuntimeError(f"assignment min-cost flow failed (status {status})")
    fl = mcf.flows(np.arange(na + n_g))
    x = fl.astype(np.float64) / sup[g] * w[g]
    served = sch >= 0
    load = np.bincount(sch[served], fl[served], minlength=n_s)
    dload = np.bincount(sch[served & dorm], fl[served & dorm], minlength=n_s)
    full = load >= rescap  # unlimited: never full
    dfull = dload >= resdorm
    return x, {"g": g, "s": sch, "dorm": dorm, "c": c}, fl, full, dfull
