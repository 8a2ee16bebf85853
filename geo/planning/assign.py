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

    Method: every group first takes its cheapest option (vectorised argmin). When no school
    and no dormitory is over capacity that is optimal and the work stops. Otherwise the groups
    whose cheapest school is over capacity become *movable* and a min-cost flow over them
    (each restricted to its ``k`` cheapest schools, plus the unserved option, into the
    capacity the fixed groups leave) is solved with OR-Tools' network simplex
    (``ortools.graph.python.min_cost_flow``, on integers: pupils in units of 1e-5, costs in
    thousandths of a minute; a group's pupils are then split in the proportions of its integer
    flows, so none is lost and no capacity is exceeded). Schools that the moved pupils fill up
    add their groups, and the flow is solved again. The result is then checked on the full
    problem (every group, every school): it is optimal when the residual graph has no
    negative cycle (Bellman-Ford over the schools' daily and dormitory nodes, groups
    eliminated). When the check fails the candidates are widened (``k`` doubled, then every
    group movable) until it passes; ``Assignment.optimal`` records it.

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
        The optimality check of the full problem passed.
    rounds : int
        Min-cost-flow rounds.
    n_movable : int
        Pupil groups in the last min-cost flow.
    seconds : float
        Wall time.
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
    minutes : numpy.ndarray, shape (n_o, n_s)
        One-way travel time (minutes; ``inf`` when unreachable), e.g. from
        :func:`travel_minutes`.
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
    k : int, default settings.ASSIGN_K_NEAREST
        Candidate schools per movable group in the first min-cost-flow round.
    tol : float, default settings.ASSIGN_TOL (1e-6)
        Tolerance of capacity and optimality checks (pupils, minutes).
    max_rounds : int, default settings.ASSIGN_MAX_ROUNDS (20)

    Returns
    -------
    Assignment
    """
    t0 = time.perf_counter()
    minutes = np.asarray(minutes, np.float64)
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
    prob = _Problem(minutes, go, gb, w, offers, open_mask, has_dorm, dorm_bands, thr, P, U, f)
    # step 1: cheapest option of every group
    ch = _nearest(prob)
    served = ch.school >= 0
    load = np.bincount(ch.school[served], w[served], minlength=n_s)
    dload = np.bincount(ch.school[served & ch.dorm], w[served & ch.dorm], minlength=n_s)
    over = (load > capacity + tol) | (dload > dorm_places + tol)
    ctx = dict(minutes=minutes, dist_m=dist_m, mode=mode, go=go, gb=gb, w=w, thr=thr)
    if not over.any():
        return _build(ctx, np.arange(len(w)), ch.school, ch.dorm, w, ch.cost, ch.reach,
                      method="nearest", optimal=True, rounds=0, n_movable=0, t0=t0)
    # step 2: min-cost flow over the groups of congested schools
    in_S, dorm_mv = _first_movers(prob, ch, capacity + tol, dorm_places + tol, load, dload)
    flows, optimal, rounds, n_movable = _flow_rounds(
        prob, ch, (capacity, dorm_places), in_S, dorm_mv, k=k, max_rounds=max_rounds)
    return _build(ctx, *flows, ch.reach, method="mcf", optimal=optimal, rounds=rounds,
                  n_movable=n_movable, t0=t0)


@dataclass
class _Choice:
    """The cheapest option of every pupil group (step 1 of :func:`assign`)."""

    school: np.ndarray  # int64, -1 when none
    dorm: np.ndarray  # bool: in the school's dormitory
    cost: np.ndarray  # minutes (unserved penalty when none)
    reach: np.ndarray  # bool: some open school offering the band is reachable


def _nearest(prob: _Problem) -> _Choice:
    """Cheapest daily or dormitory option of every group, vectorised per band."""
    n_g = len(prob.w)
    ch = _Choice(np.full(n_g, -1, np.int64), np.zeros(n_g, bool), np.full(n_g, prob.U),
                 np.zeros(n_g, bool))
    for b in range(len(prob.thr)):
        sel = np.flatnonzero(prob.gb == b)
        cols = np.flatnonzero(prob.open & prob.offers[:, b])
        if len(sel) == 0 or len(cols) == 0:
            continue
        Tb = prob.minutes[prob.go[sel]][:, cols]
        _nearest_daily(ch, sel, cols, Tb, prob.thr[b], prob.P)
        if prob.dorm_bands[b]:
            _nearest_dorm(ch, sel, cols, Tb, prob.has_dorm, prob.thr[b], prob.f)
    return ch


def _nearest_daily(ch: _Choice, sel, cols, Tb, thr: float, P: float) -> None:
    """Nearest school of groups ``sel`` among ``cols`` (times ``Tb``), beyond-threshold
    penalty ``P`` added."""
    jd = np.argmin(Tb, axis=1)
    td = Tb[np.arange(len(sel)), jd]
    fin = np.isfinite(td)
    ch.reach[sel] = fin
    cd = td + P * (td > thr)
    better = fin & (cd < ch.cost[sel])
    ch.school[sel[better]] = cols[jd[better]]
    ch.cost[sel[better]] = cd[better]


def _nearest_dorm(ch: _Choice, sel, cols, Tb, has_dorm, thr: float, f: float) -> None:
    """A dormitory beyond the threshold when cheaper (threshold + ``f`` x one-way time)."""
    dc = np.flatnonzero(has_dorm[cols])
    if len(dc) == 0:
        return
    Td = Tb[:, dc]
    Td = np.where(Td > thr, Td, np.inf)
    jj = np.argmin(Td, axis=1)
    tt = Td[np.arange(len(sel)), jj]
    cdd = thr + f * tt
    bd = np.isfinite(tt) & (cdd < ch.cost[sel])
    ch.school[sel[bd]] = cols[dc[jj[bd]]]
    ch.cost[sel[bd]] = cdd[bd]
    ch.dorm[sel[bd]] = True


def _first_movers(prob: _Problem, ch: _Choice, cap_limit, dorm_limit, load, dload):
    """Schools whose groups all move (over capacity, or holding most pupils: then every
    school), and the groups competing for dormitory places (when a dormitory is over)."""
    w = prob.w
    served = ch.school >= 0
    in_S = load > cap_limit
    dorm_mv = np.zeros(len(w), bool)
    if (dload > dorm_limit).any():
        beyond1 = served & ~ch.dorm & (ch.cost >= prob.P) & (prob.P > 0)
        dorm_mv = served & (ch.dorm | (prob.dorm_bands[prob.gb] & beyond1))
    # when the congested schools hold a large share of the pupils, the chains of moves
    # usually reach everywhere: take every group at once
    if w[served & in_S[np.maximum(ch.school, 0)]].sum() > settings.ASSIGN_ALL_MOVE_SHARE * w.sum():
        in_S[:] = True
    return in_S, dorm_mv


def _flow_rounds(prob: _Problem, ch: _Choice, limits, in_S, dorm_mv, *, k: int,
                 max_rounds: int):
    """Min-cost flow over the movable groups, checked on the full problem; widened (more
    schools, then every arc into the schools on a negative cycle, then more candidates) until
    optimal. Returns the flows, optimality, rounds and the number of movable groups of the
    last round."""
    served = ch.school >= 0
    kk, rounds = k, 0
    extra = np.zeros(prob.n_s, bool)
    while True:
        rounds += 1
        movable = served & (in_S[np.maximum(ch.school, 0)] | dorm_mv)
        flows, bad, full, n_movable = _flow_round(prob, ch, movable, limits, kk, extra)
        optimal = bad is None
        if optimal or rounds >= max_rounds or (in_S.all() and kk >= prob.n_s):
            return flows, optimal, rounds, n_movable
        kk = _widen(in_S, bad, full, rounds, kk, prob.n_s, extra)


def _flow_round(prob: _Problem, ch: _Choice, movable, limits, kk: int, extra):
    """One min-cost flow of the ``movable`` groups over their ``kk`` cheapest schools and the
    ``extra`` schools, the other groups fixed; the flows and the schools on a negative cycle
    (None: optimal)."""
    capacity, dorm_places = limits
    w, n_s = prob.w, prob.n_s
    fixed = ~movable
    fl = fixed & (ch.school >= 0)
    rescap = capacity - np.bincount(ch.school[fl], w[fl], minlength=n_s)
    fd = fl & ch.dorm
    resdorm = dorm_places - np.bincount(ch.school[fd], w[fd], minlength=n_s)
    mv = np.flatnonzero(movable)
    arcs = prob.arcs(mv, kk, extra)
    x, a, full, dfull = _solve_mcf(arcs, w[mv], rescap, resdorm, n_s, prob.U, prob.cost_scale)
    keep = np.flatnonzero(fixed)
    pos = x > 0
    flows = (np.r_[keep, mv[a["g"][pos]]], np.r_[ch.school[keep], a["s"][pos]],
             np.r_[ch.dorm[keep], a["dorm"][pos]], np.r_[w[keep], x[pos]],
             np.r_[ch.cost[keep], a["c"][pos] / prob.cost_scale])
    bad = prob.negative_cycle_schools(*flows[:4], full, dfull)
    return flows, bad, full, len(mv)


def _widen(in_S, bad, full, rounds: int, kk: int, n_s: int, extra) -> int:  # noqa: PLR0913  internal: the state of the rounds
    """Schools on a negative cycle, and schools filled up, join the flow (twice at most, then
    every group); when all take part, a cheaper arc lies outside the candidates: every arc
    into the schools on the cycle joins them (``extra``), and every fourth round, every
    round from the tenth on, or when they are in already, the k candidates double too (up to
    all schools: then the flow is the full problem).
    Updates ``in_S`` and ``extra`` in place; returns the new k."""
    grow = (bad | full) & ~in_S
    if grow.any() and rounds < 3:
        in_S |= grow
    elif not in_S.all():
        in_S[:] = True
    elif (bad & ~extra).any() and rounds % 4 and rounds < 10:
        extra |= bad
    elif kk < n_s:
        extra |= bad
        kk = min(2 * kk, n_s)
    else:
        in_S[:] = True
    return kk


def _build(ctx, g, s, d, x, c, reach, *, method, optimal, rounds, n_movable, t0) -> Assignment:  # noqa: PLR0913  internal: the flows of one assignment
    go, gb, thr = ctx["go"], ctx["gb"], ctx["thr"]
    o, b = go[g], gb[g]
    sv = s >= 0
    sj = np.maximum(s, 0)
    mins = np.where(sv, ctx["minutes"][o, sj], np.nan)
    dist = (np.where(sv, ctx["dist_m"][o, sj], np.nan) if ctx["dist_m"] is not None
            else np.full(len(g), np.nan))
    mode = (np.where(sv, ctx["mode"][o, sj], -1).astype(np.int8) if ctx["mode"] is not None
            else np.where(sv, CAR, -1).astype(np.int8))
    d = np.asarray(d, bool) & sv
    beyond = sv & ~d & (mins > thr[b])
    return Assignment(
        origin=o.astype(np.int64), band=b.astype(np.int64), school=s.astype(np.int64), dorm=d,
        pupils=np.asarray(x, np.float64), minutes=mins, dist_m=dist, mode=mode, beyond=beyond,
        reachable=np.where(sv, True, reach[g]), objective=float(np.dot(x, c)), method=method,
        optimal=optimal, rounds=rounds, n_movable=n_movable,
        seconds=time.perf_counter() - t0,
    )


#: Integer scaling of the min-cost flow (the solver works on integers): pupils in units of
#: 1e-5.
_FLOW_SCALE = 1e5


#: Group x dormitory-school pairs of a band up to which every dormitory arc is a candidate of
#: the first min-cost flow (beyond, the k cheapest: at country scale all of them were 8 million
#: arcs and a 50 s flow; the optimality check still covers the others).
_ALL_DORM_ARCS_MAX = 2_000_000


#: Integer cost of the unserved option; other costs are scaled by the same factor (1e7 / U:
#: thousandths of a minute with the default U). Flow x cost stays far below 2**63.
_COST_RANGE = 1e7


class _Problem:
    """The full transportation problem. Cost matrices per band (all groups of the band x
    schools, in scaled integer units held as float64, ``inf`` where not allowed) are built
    once and shared by the candidate arcs and the optimality check."""

    def __init__(self, minutes, go, gb, w, offers, open_mask, has_dorm, dorm_bands, thr, P, U, f):  # noqa: PLR0913  internal: the arrays of one problem
        self.minutes, self.go, self.gb, self.w = minutes, go, gb, w
        self.offers, self.open, self.has_dorm = offers, open_mask, has_dorm
        self.dorm_bands, self.thr, self.P, self.U, self.f = dorm_bands, thr, P, U, f
        self.n_s = minutes.shape[1]
        self.cost_scale = _COST_RANGE / max(U, 1e-9)
        self.U_int = float(np.round(U * self.cost_scale))
        self._mats: dict = {}
        # position of each group within its band's matrices
        self.band_rows = {b: np.flatnonzero(gb == b) for b in np.unique(gb)}
        self.row_in_band = np.zeros(len(gb), np.int64)
        for rows in self.band_rows.values():
            self.row_in_band[rows] = np.arange(len(rows))

    def mats(self, b):
        """(daily, dorm or None) scaled integer costs of every group of band ``b``."""
        m = self._mats.get(b)
        if m is None:
            T = self.minutes[self.go[self.band_rows[b]]]
            ok = self.open & self.offers[:, b]
            sc = self.cost_scale
            daily = np.where(ok, np.round(np.minimum(T + self.P * (T > self.thr[b]),
                                                     10 * self.U) * sc), np.inf)
            dorm = None
            if self.dorm_bands[b] and (ok & self.has_dorm).any():
                dorm = np.where(ok & self.has_dorm & (T > self.thr[b]),
                                np.round(np.minimum(self.thr[b] + self.f * T, 10 * self.U) * sc),
                                np.inf)
            m = self._mats[b] = (daily, dorm)
        return m

    def arcs(self, groups: np.ndarray, k: int, extra: np.ndarray | None = None) -> dict:
        """Per group its k cheapest daily arcs, its dormitory arcs (all of them up to
        ``_ALL_DORM_ARCS_MAX`` group x school pairs a band, else the k cheapest), and its arcs
        into the ``extra`` schools, as arrays g (position in ``groups``), s, dorm, c (scaled
        integer cost)."""
        G, S, Dm, C = [], [], [], []
        gbg = self.gb[groups]
        extra = np.zeros(self.n_s, bool) if extra is None else extra
        for b in np.unique(gbg):
            rows = np.flatnonzero(gbg == b)
            daily, dorm = self.mats(b)
            ri = self.row_in_band[groups[rows]]
            whole = len(ri) == daily.shape[0]
            for full_mat, isd in ((daily, False), (dorm, True)):
                if full_mat is None:
                    continue
                ok = self.open & self.offers[:, b] & (self.has_dorm if isd else True)
                cols = np.flatnonzero(ok)
                if len(cols) == 0:
                    continue
                mat = full_mat[:, cols] if whole else full_mat[np.ix_(ri, cols)]
                # dormitory arcs: all of them while they are few (their pupils trade the
                # places among them), else the k cheapest like daily arcs
                kk = len(cols) if isd and mat.size <= _ALL_DORM_ARCS_MAX else min(k, len(cols))
                r, s = _cheapest(mat, kk, np.flatnonzero(extra[cols]))
                c = mat[r, s]
                fin = np.isfinite(c)
                G.append(rows[r[fin]])
                S.append(cols[s[fin]])
                Dm.append(np.full(int(fin.sum()), isd))
                C.append(c[fin])

        def cat(xs, dt):
            return np.concatenate(xs).astype(dt) if xs else np.zeros(0, dt)

        return {"g": cat(G, np.int64), "s": cat(S, np.int64), "dorm": cat(Dm, bool),
                "c": cat(C, np.float64)}

    def negative_cycle_schools(self, g, s, d, x, full, dfull) -> np.ndarray | None:
        """Optimality check of flows on the full problem: no negative cycle in the residual
        graph. Returns None when optimal, else a mask of the schools on a negative cycle.

        Group nodes are eliminated: a group with flow at node ``a`` that could use node ``b``
        gives the residual path a -> group -> b of cost c(b) - c(a). Nodes are the schools'
        daily nodes, their dormitory nodes and the sink (unserved pupils and free capacity).
        Bellman-Ford over these ``2 n_s + 1`` nodes, on the integer-scaled costs; the
        negative cycles are found by walking back the predecessors.
        ``full`` and ``dfull`` flag schools and dormitories without free capacity (in the
        integer-scaled instance that was solved).
        """
        n = self.n_s
        W = self._residual_costs(g, s, d, full, dfull, x)
        on_cycle = _negative_cycle_nodes(W)
        return None if on_cycle is None else on_cycle[:n] | on_cycle[n:2 * n]

    def _residual_costs(self, g, s, d, full, dfull, x) -> np.ndarray:
        """Cheapest residual arc between every two nodes (schools' daily nodes, their
        dormitory nodes, the sink), groups eliminated; ``inf`` where none."""
        n = self.n_s
        N = 2 * n + 1
        sink = 2 * n
        node = np.where(s < 0, sink, np.where(d, n + np.maximum(s, 0), np.maximum(s, 0)))
        W = np.full((N, N), np.inf)
        gbg = self.gb[g]
        for b in np.unique(gbg):
            sel = np.flatnonzero(gbg == b)
            self._band_residual(W, b, self.row_in_band[g[sel]], node[sel])
        sv = s >= 0
        load = np.bincount(s[sv], x[sv], minlength=n)
        dload = np.bincount(s[sv & d], x[sv & d], minlength=n)
        j = np.arange(n)
        # dormitory node -> school node carries dormitory pupils (cost 0)
        W[n + j, j] = np.where(~dfull, np.minimum(W[n + j, j], 0.0), W[n + j, j])
        W[j, n + j] = np.where(dload > 0, np.minimum(W[j, n + j], 0.0), W[j, n + j])
        W[j, sink] = np.where(~full, np.minimum(W[j, sink], 0.0), W[j, sink])
        W[sink, j] = np.where(load > 0, np.minimum(W[sink, j], 0.0), W[sink, j])
        np.fill_diagonal(W, np.inf)
        return W

    def _band_residual(self, W: np.ndarray, b, ri, nd_all) -> None:
        """Lower ``W`` by the moves of band ``b``'s flow pieces (rows ``ri`` of the band's
        matrices, now at nodes ``nd_all``) to any other node."""
        n = self.n_s
        sink = 2 * n
        daily, dorm = self.mats(b)
        order = np.argsort(nd_all, kind="stable")
        nd = nd_all[order]
        ri = ri[order]
        starts = np.r_[0, np.flatnonzero(np.diff(nd)) + 1]
        # cost of each piece where it is now
        here = np.full(len(nd), self.U_int)
        isd = nd >= n
        isd &= nd < sink
        dl = nd < n
        here[dl] = daily[ri[dl], nd[dl]]
        if dorm is not None and isd.any():
            here[isd] = dorm[ri[isd], nd[isd] - n]
        src = nd[starts]
        W[src, :n] = np.minimum(W[src, :n], np.minimum.reduceat(
            daily[ri] - here[:, None], starts, axis=0))
        if dorm is not None:
            W[src, n:2 * n] = np.minimum(W[src, n:2 * n], np.minimum.reduceat(
                dorm[ri] - here[:, None], starts, axis=0))
        W[src, sink] = np.minimum(W[src, sink], np.minimum.reduceat(
            self.U_int - here, starts))


def _cheapest(mat: np.ndarray, kk: int, extra: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of the ``kk`` cheapest entries of every row of ``mat`` and of the
    ``extra`` columns (each pair once)."""
    n, m = mat.shape
    if kk >= m:
        r, s = np.nonzero(np.ones(mat.shape, bool))
        return r, s
    cand = np.argpartition(mat, kk - 1, axis=1)[:, :kk]
    if len(extra):
        cand = np.sort(np.hstack([cand, np.broadcast_to(extra, (n, len(extra)))]), axis=1)
        first = np.ones(cand.shape, bool)
        first[:, 1:] = cand[:, 1:] != cand[:, :-1]
        r = np.broadcast_to(np.arange(n)[:, None], cand.shape)[first]
        return r, cand[first]
    return np.repeat(np.arange(n), kk), cand.ravel()


def _negative_cycle_nodes(W: np.ndarray) -> np.ndarray | None:
    """Bellman-Ford over the dense arc-cost matrix ``W`` (``inf``: no arc): None when there is
    no negative cycle, else a mask of the nodes on the cycles of the predecessor graph.

    Every update lowers a distance (by more than 0.5: integer costs), so a cycle of the
    predecessors is a negative cycle; it is looked for every few rounds (pointer doubling,
    ``O(N log N)``), so that a negative cycle stops the search early instead of after ``N``
    rounds of ``O(N^2)``."""
    N = len(W)
    dist = np.zeros(N)
    pred = np.full(N, -1, np.int64)
    cols = np.arange(N)
    for it in range(N + 1):
        cand = dist[:, None] + W
        arg = cand.argmin(axis=0)
        best = cand[arg, cols]
        imp = best < dist - 0.5
        if not imp.any():
            return None
        dist = np.where(imp, best, dist)
        pred = np.where(imp, arg, pred)
        if it % 8 == 7 or it == N:
            on_cycle = _pred_cycles(pred)
            if on_cycle.any():
                return on_cycle
    return _pred_cycles(pred)


def _pred_cycles(pred: np.ndarray) -> np.ndarray:
    """Mask of the nodes on cycles of a predecessor array (-1: none): the nodes ``N`` steps
    back from any node (pointer doubling) are on a cycle, and cover all of it."""
    N = len(pred)
    p = pred.copy()
    steps = 1
    while steps < N:
        p = np.where(p >= 0, p[np.maximum(p, 0)], -1)
        steps *= 2
    on_cycle = np.zeros(N, bool)
    on_cycle[p[p >= 0]] = True
    return on_cycle


def _solve_mcf(arcs, w, rescap, resdorm, n_s, U, cost_scale):
    """Min-cost flow (OR-Tools network simplex on integers) of movable groups.

    Returns the pupils on every arc (scaled back exactly: a group's pupils are split in the
    proportions of its integer flows, so no pupil is lost and no capacity is exceeded), the
    arcs including one unserved arc (school -1) per group, and which schools and
    dormitories are full in the integer instance.
    """
    n_g = len(w)
    sup = np.ceil(w * _FLOW_SCALE - 1e-9).astype(np.int64)
    sup = np.maximum(sup, 1)
    total = int(sup.sum())
    na = len(arcs["c"])
    g = np.r_[arcs["g"], np.arange(n_g)]
    sch = np.r_[arcs["s"], np.full(n_g, -1)]
    dorm = np.r_[arcs["dorm"], np.zeros(n_g, bool)]
    c = np.r_[arcs["c"], np.full(n_g, np.round(U * cost_scale))]
    S0, D0, T = n_g, n_g + n_s, n_g + 2 * n_s
    head = np.where(sch < 0, T, np.where(dorm, D0 + np.maximum(sch, 0), S0 + np.maximum(sch, 0)))
    capi = np.where(np.isfinite(rescap), np.floor(np.maximum(rescap, 0) * _FLOW_SCALE + 1e-9),
                    total).astype(np.int64)
    dcap = np.where(np.isfinite(resdorm), np.floor(np.maximum(resdorm, 0) * _FLOW_SCALE + 1e-9),
                    total).astype(np.int64)
    j = np.arange(n_s)
    tails = np.r_[g, D0 + j, S0 + j]
    heads = np.r_[head, S0 + j, np.full(n_s, T)]
    caps = np.r_[sup[g], np.minimum(dcap, total), np.minimum(capi, total)]
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
    full = load >= np.minimum(capi, total)
    dfull = dload >= np.minimum(dcap, total)
    return x, {"g": g, "s": sch, "dorm": dorm, "c": c}, full, dfull
