"""Location models planners use, one class each (the shape of ``spopt.locate``).

* :class:`PMedian` - keep ``p`` schools (or spend at most a budget) minimising pupil-minutes,
  with capacities, schools that must stay open and schools that must close;
* :class:`MaxCoverage` - keep ``p`` schools maximising the pupils within the threshold (i.e.
  minimising the pupils beyond it), capacitated like :class:`PMedian`;
* :class:`LSCP` - location set covering: the fewest schools so that every pupil who can be
  within the threshold is (uncapacitated, as in the textbook model);
* :class:`PCenter` - keep ``p`` schools minimising the longest trip (uncapacitated: each
  pupil goes to the nearest kept school).

Every model has ``from_cost_matrix`` (travel minutes groups x schools, weights) and
``from_prepared`` (a prepared region and a base scenario: groups are origin x grade band,
candidates the open schools) constructors and ``solve()`` returning the model, with
``open`` (mask), ``objective_value``, ``bound`` and ``gap``. Each constraint family of the
MILP is built by its own small method (:class:`_MILP`).

Methods: ``exact`` builds the whole MILP (``scipy.optimize.milp``, HiGHS) - for small and
medium instances and as the reference; ``certified`` (p-median and coverage) runs
:func:`geo.planning.certify.solve_certified` - sparse LP (or, above a million group x
school pairs, subgradient ascent of the Lagrangian), Lagrangian bound, exact evaluation -
for region scale. p-center is solved exactly as a sequence of set-covering
problems (the smallest radius whose LSCP needs at most ``p`` schools, by bisection over the
distinct travel times).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from geo import settings
from geo.planning.assign import assign
from geo.planning.certify import Problem, solve_certified
from geo.planning.optimize import COVERAGE_TIE_MIN, COVERAGE_UNSERVED, build_instance


class _MILP:
    """A MILP over ``y`` (n_c binary), ``x`` (one per arc, share of a group) and ``z``
    (n_g, unserved share), assembled one constraint family at a time."""

    def __init__(self, cost: np.ndarray, w: np.ndarray, unserved: float) -> None:
        self.n_g, self.n_c = cost.shape
        self.g, self.j = np.nonzero(cost < unserved)
        self.cost, self.w, self.U = cost, w, unserved
        self.nv = self.n_c + len(self.g) + self.n_g
        self.rows: list = []
        self.lb = np.zeros(self.nv)
        self.ub = np.ones(self.nv)

    def _x(self) -> np.ndarray:
        return self.n_c + np.arange(len(self.g))

    def _z(self) -> np.ndarray:
        return self.n_c + len(self.g) + np.arange(self.n_g)

    def _add(self, r, c, v, lo, hi, n) -> None:
        self.rows.append((np.asarray(r), np.asarray(c), np.asarray(v, float),
                          np.broadcast_to(lo, n), np.broadcast_to(hi, n), n))

    def add_assignment_constraints(self) -> None:
        """Every group placed or unserved: ``sum_j x_gj + z_g = 1``."""
        self._add(np.r_[self.g, np.arange(self.n_g)], np.r_[self._x(), self._z()],
                  np.ones(len(self.g) + self.n_g), 1.0, 1.0, self.n_g)

    def add_linking_constraints(self) -> None:
        """Strong linking ``x_gj <= y_j``."""
        n = len(self.g)
        self._add(np.r_[np.arange(n), np.arange(n)], np.r_[self._x(), self.j],
                  np.r_[np.ones(n), -np.ones(n)], -np.inf, 0.0, n)

    def add_capacity_constraints(self, capacity: np.ndarray) -> None:
        """``sum_g w_g x_gj <= cap_j y_j`` for schools with a finite capacity."""
        fin = np.isfinite(capacity)
        pos = np.cumsum(fin) - 1
        sel = fin[self.j]
        self._add(np.r_[pos[self.j][sel], pos[fin]], np.r_[self._x()[sel], np.flatnonzero(fin)],
                  np.r_[self.w[self.g][sel], -capacity[fin]], -np.inf, 0.0, int(fin.sum()))

    def add_facility_constraint(self, *, p: int | None = None, budget: float | None = None,
                                annual_cost: np.ndarray | None = None) -> None:
        """``sum_j y_j = p`` or ``sum_j a_j y_j <= budget``."""
        if p is not None:
            self._add(np.zeros(self.n_c), np.arange(self.n_c), np.ones(self.n_c), p, p, 1)
        else:
            self._add(np.zeros(self.n_c), np.arange(self.n_c), annual_cost, -np.inf, budget, 1)

    def fix(self, fixed_open: np.ndarray, fixed_closed: np.ndarray) -> None:
        """Schools that must stay open or close."""
        self.lb[: self.n_c][fixed_open] = 1.0
        self.ub[: self.n_c][fixed_closed] = 0.0

    def matrix(self) -> tuple[sparse.csr_array, np.ndarray, np.ndarray]:
        """The constraint matrix and row bounds of every family added."""
        rr, cc, vv, lo, hi, off = [], [], [], [], [], 0
        for r, col, v, lo_r, hi_r, n in self.rows:
            rr.append(r + off)
            cc.append(col)
            vv.append(v)
            lo.append(lo_r)
            hi.append(hi_r)
            off += n
        A = sparse.csr_array((np.concatenate(vv), (np.concatenate(rr).astype(np.int64),
                                                   np.concatenate(cc).astype(np.int64))),
                             shape=(off, self.nv))
        return A, np.concatenate(lo), np.concatenate(hi)

    def solve(self, *, time_limit_s: float = settings.MILP_TIME_LIMIT_S
              ) -> tuple[np.ndarray, float, float]:
        """Solve; returns open mask, objective and HiGHS's dual bound."""
        c = np.r_[np.zeros(self.n_c), self.w[self.g] * self.cost[self.g, self.j],
                  self.w * self.U]
        A, lo, hi = self.matrix()
        res = milp(c, constraints=LinearConstraint(A, lo, hi), bounds=Bounds(self.lb, self.ub),
                   integrality=np.r_[np.ones(self.n_c), np.zeros(self.nv - self.n_c)],
                   options={"time_limit": float(time_limit_s), "mip_rel_gap": 1e-9})
        if res.x is None:
            raise RuntimeError(f"the MILP found no solution: {res.message}")
        bound = getattr(res, "mip_dual_bound", None)
        bound = float(res.fun) if bound is None else float(bound)
        return res.x[: self.n_c] > 0.5, float(res.fun), bound


# ------------------------------------------------------------------------------------------
# Models
# ------------------------------------------------------------------------------------------
class LocationModel:
    """Common part of the models: travel minutes, weights, capacities, fixed schools.

    Parameters
    ----------
    minutes : numpy.ndarray, shape (n_g, n_c)
        One-way travel time of group ``g`` to school ``c`` (minutes; ``inf`` = not allowed,
        e.g. the school does not teach the group's grades).
    weights : numpy.ndarray, shape (n_g,)
        Pupils per group.
    capacity : numpy.ndarray, shape (n_c,), optional
        Pupils (default unlimited; ignored by LSCP and p-center).
    annual_cost : numpy.ndarray, shape (n_c,), optional
        EUR a year (for a budget; default zeros).
    threshold : float or numpy.ndarray, shape (n_g,), optional
        Maximum acceptable trip, minutes (coverage and LSCP).
    fixed_open, fixed_closed : numpy.ndarray of bool, shape (n_c,), optional
    ids : sequence of str, optional
        School ids (default ``"0"``, ``"1"``, ...).
    """

    name = "model"

    def __init__(self, minutes, weights, *, capacity=None, annual_cost=None, threshold=None,
                 fixed_open=None, fixed_closed=None, ids: Sequence[str] | None = None) -> None:
        self.minutes = np.asarray(minutes, float)
        n_g, n_c = self.minutes.shape
        self.w = np.asarray(weights, float).reshape(n_g)
        self.capacity = np.full(n_c, np.inf) if capacity is None else np.asarray(capacity, float)
        self.annual_cost = np.zeros(n_c) if annual_cost is None else np.asarray(annual_cost,
                                                                                 float)
        self.threshold = None if threshold is None else np.broadcast_to(
            np.asarray(threshold, float), (n_g,))
        self.fixed_open = np.zeros(n_c, bool) if fixed_open is None else np.asarray(fixed_open,
                                                                                     bool)
        self.fixed_closed = (np.zeros(n_c, bool) if fixed_closed is None
                             else np.asarray(fixed_closed, bool))
        self.ids = np.asarray([str(i) for i in range(n_c)] if ids is None else ids, object)
        self.open: np.ndarray | None = None
        self.objective_value = np.nan
        self.bound = np.nan
        self.gap = np.nan
        self.certificate = None

    @classmethod
    def from_cost_matrix(cls, minutes, weights, **kwargs) -> LocationModel:
        """A model from a travel-time matrix and weights (see the class parameters)."""
        return cls(minutes, weights, **kwargs)

    @classmethod
    def from_prepared(cls, prep, *, base=None, keep: Sequence[str] = (),
                      close: Sequence[str] = (), **kwargs) -> LocationModel:
        """A model of a prepared region under a base scenario (groups: origin x band;
        candidates: the open schools; thresholds: the base scenario's per band)."""
        inst = build_instance(prep, base, keep=keep, close=close)
        cov = build_instance(prep, base, objective="coverage", keep=keep, close=close)
        beyond = np.floor(np.where(np.isfinite(cov.cost), cov.cost, 0.0)) > 0
        # per group: the threshold is between the longest trip within and the shortest beyond
        thr = np.where(~beyond & np.isfinite(inst.cost), inst.cost, -np.inf)
        kwargs.setdefault("threshold", np.maximum(thr.max(axis=1), 0.0))
        return cls(inst.cost, inst.w, capacity=inst.capacity, annual_cost=inst.annual_cost,
                   fixed_open=inst.fixed_open, fixed_closed=inst.fixed_closed, ids=inst.ids,
                   **kwargs)

    @property
    def open_ids(self) -> list[str]:
        """Ids of the schools kept by the last ``solve()``."""
        return [] if self.open is None else [str(s) for s in self.ids[self.open]]

    def within(self) -> np.ndarray:
        """Group can reach school within its threshold (allowed schools only)."""
        return (self.minutes <= self.threshold[:, None]) & ~self.fixed_closed[None, :]


class _Capacitated(LocationModel):
    """p-median-like models: a per-pupil cost, capacities, ``p`` or a budget."""

    unserved = settings.UNSERVED_PENALTY_MIN

    def __init__(self, minutes, weights, *, p: int | None = None, budget: float | None = None,
                 unserved: float | None = None, **kwargs) -> None:
        super().__init__(minutes, weights, **kwargs)
        if (p is None) == (budget is None):
            raise ValueError("give either p or a budget.")
        self.p, self.budget = p, budget
        if unserved is not None:  # e.g. costs in metres: above every trip, so none is cut
            self.unserved = float(unserved)

    def cost(self) -> np.ndarray:
        """Per-pupil cost, clipped at the cost of an unserved pupil."""
        raise NotImplementedError

    def problem(self) -> Problem:
        """The instance for :func:`geo.planning.certify.solve_certified`."""
        return Problem(cost=np.minimum(self.cost(), self.unserved), w=self.w,
                       unserved=self.unserved, capacity=self.capacity,
                       annual_cost=self.annual_cost, fixed_open=self.fixed_open,
                       fixed_closed=self.fixed_closed, p=self.p, budget=self.budget)

    def assignment_value(self, open_c: np.ndarray) -> float:
        """Exact objective of a network: the capacity-constrained assignment (every arc)."""
        n_c = len(open_c)
        a = assign(self.cost(), None, None, self.w[:, None], np.ones((n_c, 1), bool),
                   self.capacity, np.zeros(n_c), np.array([np.inf]), open_mask=open_c,
                   beyond_penalty_min=0.0, unserved_penalty_min=self.unserved)
        return float(a.objective)

    def build_milp(self) -> _MILP:
        """The whole MILP, family by family."""
        m = _MILP(np.minimum(self.cost(), self.unserved), self.w, self.unserved)
        m.add_assignment_constraints()
        m.add_linking_constraints()
        m.add_capacity_constraints(self.capacity)
        m.add_facility_constraint(p=self.p, budget=self.budget, annual_cost=self.annual_cost)
        m.fix(self.fixed_open, self.fixed_closed)
        return m

    def solve(self, *, method: str = "exact",
              time_limit_s: float = settings.MILP_TIME_LIMIT_S) -> _Capacitated:
        """Solve with the whole MILP (``exact``) or :mod:`geo.planning.certify`
        (``certified``); sets ``open``, ``objective_value``, ``bound`` and ``gap``."""
        if method == "exact":
            self.open, _, self.bound = self.build_milp().solve(time_limit_s=time_limit_s)
            self.objective_value = self.assignment_value(self.open)
            den = self.bound - self.problem().constant
            self.gap = max(self.objective_value - self.bound, 0.0) / den if den > 0 else 0.0
        elif method == "certified":
            c = solve_certified(self.problem(), self.assignment_value, time_limit_s=time_limit_s)
            self.open, self.objective_value, self.bound, self.gap = c.open, c.value, c.bound, c.gap
            self.certificate = c
        else:
            raise ValueError(f"unknown method {method!r}: use exact or certified.")
        return self


class PMedian(_Capacitated):
    """Capacitated p-median: minimise pupil-minutes (unserved pupils cost
    :data:`geo.settings.UNSERVED_PENALTY_MIN` each); ``p`` schools or a budget; schools that
    must stay open (``fixed_open``) or close."""

    name = "p-median"

    def cost(self) -> np.ndarray:
        """Travel minutes."""
        return self.minutes


class MaxCoverage(_Capacitated):
    """Capacitated maximal coverage: minimise the pupils beyond ``threshold`` (1 per pupil
    beyond, :data:`geo.planning.optimize.COVERAGE_UNSERVED` per unserved pupil, plus
    :data:`geo.planning.optimize.COVERAGE_TIE_MIN` per pupil-minute to break ties)."""

    name = "coverage"
    unserved = COVERAGE_UNSERVED

    def problem(self) -> Problem:
        """The instance with its cost levels (1 per pupil beyond the threshold), so that
        :func:`geo.planning.certify.solve_certified` first solves the level relaxation."""
        return replace(super().problem(), cost_step=1.0)

    def cost(self) -> np.ndarray:
        """1 beyond the threshold, 0 within, plus the tie-break term."""
        T = self.minutes
        with np.errstate(invalid="ignore"):
            return np.where(np.isfinite(T), (T > self.threshold[:, None]) + COVERAGE_TIE_MIN * T,
                            np.inf)


def _set_cover(cover: np.ndarray, fixed_open: np.ndarray, fixed_closed: np.ndarray, *,
               time_limit_s: float) -> np.ndarray | None:
    """Fewest schools covering every row of ``cover`` (bool, rows x schools); ``None`` when
    a row cannot be covered. Identical rows are merged first."""
    cover = cover & ~fixed_closed[None, :]
    if not cover.any(axis=1).all():
        return None
    rows = np.unique(np.packbits(cover, axis=1), axis=0)
    cover = np.unpackbits(rows, axis=1, count=cover.shape[1]).astype(bool)
    r, c = np.nonzero(cover)
    n_c = cover.shape[1]
    A = sparse.csr_array((np.ones(len(r)), (r, c)), shape=(cover.shape[0], n_c))
    res = milp(np.ones(n_c), constraints=LinearConstraint(A, 1.0, np.inf),
               bounds=Bounds(fixed_open.astype(float), (~fixed_closed).astype(float)),
               integrality=np.ones(n_c), options={"time_limit": float(time_limit_s)})
    if res.x is None or res.status != 0:
        raise RuntimeError(f"set covering not solved: {res.message}")
    return res.x > 0.5


class LSCP(LocationModel):
    """Location set covering: the fewest schools such that every pupil group that can reach
    an allowed school within ``threshold`` does (groups that cannot are reported in
    ``uncoverable``, pupils). Uncapacitated."""

    name = "lscp"

    def solve(self, *, time_limit_s: float = settings.MILP_TIME_LIMIT_S) -> LSCP:
        """Solve exactly (HiGHS); ``objective_value`` is the number of schools."""
        within = self.within()
        ok = within.any(axis=1) & (self.w > 0)
        self.uncoverable = float(self.w[~ok].sum())
        self.open = _set_cover(within[ok], self.fixed_open, self.fixed_closed,
                               time_limit_s=time_limit_s)
        self.objective_value = self.bound = float(self.open.sum())
        self.gap = 0.0
        return self


class PCenter(LocationModel):
    """p-center: keep ``p`` schools minimising the longest trip of any pupil to the nearest
    kept school (groups with no allowed school are left out). Uncapacitated.

    Solved exactly: the optimum radius is one of the travel times; the smallest radius
    whose set covering needs at most ``p`` schools is found by bisection.
    """

    name = "p-center"

    def __init__(self, minutes, weights, *, p: int, **kwargs) -> None:
        super().__init__(minutes, weights, **kwargs)
        self.p = int(p)

    def longest_trip(self, open_c: np.ndarray) -> float:
        """The longest trip to the nearest kept school (groups with weight)."""
        T = np.where(open_c[None, :], self.minutes, np.inf)[self._groups()]
        return float(T.min(axis=1).max())

    def _groups(self) -> np.ndarray:
        ok = np.isfinite(np.where(self.fixed_closed[None, :], np.inf, self.minutes)).any(axis=1)
        return ok & (self.w > 0)

    def _cover(self, radius: float, time_limit_s: float) -> np.ndarray | None:
        net = _set_cover(self.minutes[self._groups()] <= radius, self.fixed_open,
                         self.fixed_closed, time_limit_s=time_limit_s)
        return None if net is None or net.sum() > self.p else net

    def solve(self, *, time_limit_s: float = settings.MILP_TIME_LIMIT_S) -> PCenter:
        """Solve exactly; ``objective_value`` is the longest trip (minutes)."""
        T = np.where(self.fixed_closed[None, :], np.inf, self.minutes)[self._groups()]
        radii = np.unique(T[np.isfinite(T)])
        radii = radii[radii >= T.min(axis=1).max()]
        lo, hi = 0, len(radii) - 1
        best = self._cover(radii[hi], time_limit_s)
        if best is None:
            raise ValueError(f"p = {self.p} schools cannot reach every group.")
        while lo < hi:
            mid = (lo + hi) // 2
            net = self._cover(radii[mid], time_limit_s)
            if net is None:
                lo = mid + 1
            else:
                hi, best = mid, net
        self.open = _complete(best, self.p, self.fixed_closed)
        self.objective_value = self.bound = self.longest_trip(self.open)
        self.gap = 0.0
        return self


def _complete(open_c: np.ndarray, p: int, fixed_closed: np.ndarray) -> np.ndarray:
    """Fill a network up to ``p`` schools (any allowed ones; the longest trip cannot grow)."""
    out = open_c.copy()
    extra = np.flatnonzero(~out & ~fixed_closed)[: max(p - int(out.sum()), 0)]
    out[extra] = True
    return out
