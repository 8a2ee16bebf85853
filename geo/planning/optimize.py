"""Which schools to keep: p-median and maximal coverage, heuristic and exact.

Problems (pupil groups = origin x grade band, weights = pupils; candidate schools = the open
schools of a base scenario, which may include new sites):

* ``p-median``: minimise pupil-minutes (one-way daily trips, by the scenario's transport mode;
  unserved pupils cost :data:`geo.settings.UNSERVED_PENALTY_MIN` each);
* ``coverage`` (maximal coverage): maximise the pupils within their band's threshold, i.e.
  minimise the pupils beyond it (cost 1 per pupil beyond, :data:`COVERAGE_UNSERVED` per
  unserved pupil, plus :data:`COVERAGE_TIE_MIN` per pupil-minute to break ties);

with school capacities, fixed keep and close lists, and either a number of schools ``p`` or a
budget (sum of the kept schools' ``annual_cost_eur``).

Methods

* ``heuristic`` (interactive): greedy addition, then Teitz-Bart vertex substitution (swap one
  kept school for one closed school while it improves). Every candidate swap is screened at
  once with the fast interchange formulas (nearest and second-nearest kept school of every
  group; one sparse-dense product gives the change of the uncapacitated objective for all
  swaps); the best screened swaps are then evaluated exactly with the capacity-constrained
  assignment (:func:`geo.planning.assign.assign`) and the best improving one is made.
* ``milp`` (verification): the capacitated facility-location MILP with strong linking
  constraints (``x_gj <= w_g y_j``), solved by HiGHS (``scipy.optimize.milp``) with a time
  limit; the result reports HiGHS's dual bound and gap, and the heuristic's gap to it.
* ``certified`` (region scale, e.g. 33,000 groups x 149 schools): the dense MILP above has
  about 5 million arcs and the heuristic's exact swap checks take seconds each, so neither
  scales. :mod:`geo.planning.certify` solves the LP relaxation on each group's 5 cheapest
  schools with linking cuts and pricing of the omitted arcs (HiGHS, warm-started), takes a
  Lagrangian lower bound over *every* arc from its duals (valid whatever the LP's state),
  rounds the LP to candidate networks and evaluates them exactly; above
  :data:`geo.planning.certify.SCALE_PAIRS` pairs (Vidzeme) it skips the LP and maximises
  the Lagrangian bound directly by subgradient ascent, rounding the steps' average choice of
  schools (when the ``p`` largest capacities cannot hold every pupil: on every arc, from
  the unserved cost down, its first network the largest rooms; path ``room``); the result
  carries the bound and the proven gap. Coverage first solves its level
  relaxation (groups merged by their 0/1 cost levels; a MILP of a few thousand patterns that
  HiGHS solves in seconds at Vidzeme scale; see :mod:`geo.planning.certify`, step 0).
  ``auto`` picks ``heuristic`` or ``certified`` by size.

The model classes of :mod:`geo.planning.location` (p-median, maximal coverage, set covering,
p-center) wrap these for a cost matrix or a prepared region.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from geo import settings
from geo.errors import GeoInputError, Msg, Num, check_number
from geo.grades import band_offers
from geo.planning.assign import assign
from geo.planning.certify import Certificate, Problem, consider, solve_certified
from geo.planning.scenario import Change, Scenario, apply_scenario

OBJECTIVES = ("p-median", "coverage")

METHODS = ("heuristic", "milp", "both", "certified", "auto")

#: ``method="auto"``: the heuristic below this many group x candidate pairs, else certified.
AUTO_CERTIFIED_PAIRS = 1_000_000


COVERAGE_UNSERVED = 2.0


COVERAGE_TIE_MIN = 1e-5


#: ``method="certified"`` with ``p``: when the certificate is above 1 % and at least this
#: share of the allowed schools stays open, the least used schools of the all-open assignment
#: are closed as one more candidate (:func:`_least_used_closed`).
FEW_CLOSE_SHARE = 0.75


@dataclass
class Instance:
    """An optimisation instance: groups x candidate schools.

    Attributes
    ----------
    cost : numpy.ndarray, shape (n_g, n_c)
        Cost per pupil of serving group g at candidate c (``inf`` when not allowed).
    w : numpy.ndarray, shape (n_g,)
        Pupils per group.
    unserved : float
        Cost per unserved pupil.
    capacity, annual_cost : numpy.ndarray, shape (n_c,)
    cand : numpy.ndarray of int
        Candidate positions among the prepared schools.
    ids : numpy.ndarray of str
        Candidate school ids.
    fixed_open, fixed_closed : numpy.ndarray of bool, shape (n_c,)
    """

    cost: np.ndarray
    w: np.ndarray
    unserved: float
    capacity: np.ndarray
    annual_cost: np.ndarray
    cand: np.ndarray
    ids: np.ndarray
    fixed_open: np.ndarray
    fixed_closed: np.ndarray
    objective: str = "p-median"
    bounded: _Bounded | None = None

    @property
    def n_c(self) -> int:
        return self.cost.shape[1]

    def value(self, open_c: np.ndarray) -> tuple[float, object]:
        """Exact objective of a set of kept schools (capacity-constrained assignment).

        Where some costs are lower bounds (``bounded``: pairs the prepared region did not
        keep), an assignment that uses none of them is exact (each flow costs what it truly
        costs, and no assignment costs less than under the bounds); the columns of the
        bounded pairs it uses are routed and made exact, and it is solved again."""
        while True:
            a = assign(self.cost, None, None, self.w[:, None], np.ones((self.n_c, 1), bool),
                       self.capacity, np.zeros(self.n_c), np.array([np.inf]),
                       open_mask=open_c, beyond_penalty_min=0.0,
                       unserved_penalty_min=self.unserved)
            need = np.zeros(0, np.int64) if self.bounded is None else self.bounded.used(a)
            if len(need) == 0:
                return a.objective, a
            self.cost[:, need] = self.bounded.exact_columns(need)

    def priced_value(self, open_c: np.ndarray) -> tuple[float, np.ndarray | None]:
        """:meth:`value` with the assignment's capacity prices (``Assignment.prices``: minutes
        per pupil, per candidate), which bound nearby networks from below
        (:func:`geo.planning.duals.dual_bound`)."""
        value, a = self.value(open_c)
        return value, a.prices

    @property
    def constant(self) -> float:
        """Cost of the groups no candidate can serve (unserved whatever is kept); left out of
        the relative gaps so that they measure the part the choice of schools changes."""
        none = ~np.isfinite(self.cost).any(axis=1)
        return float(self.w[none].sum() * self.unserved)

    def uncapacitated(self, open_c: np.ndarray) -> float:
        c = np.where(open_c, self.cost, np.inf).min(axis=1)
        return float(np.dot(self.w, np.minimum(c, self.unserved)))


def build_instance(prep, base: Scenario | None = None, *, objective: str = "p-median",
                   keep: Sequence[str] = (), close: Sequence[str] = (),
                   exact: bool = True) -> Instance:
    """Candidates, costs and weights of a prepared region under a base scenario.

    ``exact=True`` (default) routes the pairs the region did not keep (every cost exact);
    ``exact=False`` takes them at a lower bound instead (no routing: at country scale that
    is minutes): a lower bound of the optimum stays one, and :meth:`Instance.value` makes
    the bounded costs an assignment uses exact before it reports a value.

    Raises
    ------
    GeoInputError
        Unknown objective; unknown ids in ``keep``/``close`` (with close matches); a school
        both kept and closed.
    """
    if objective not in OBJECTIVES:
        raise GeoInputError(Msg("err.opt.objective", objective=repr(objective)),
                            fix=Msg("err.opt.objective.fix", choices=", ".join(OBJECTIVES)))
    base = base or Scenario(name="base")
    p2, st = apply_scenario(prep, base)
    cand = np.flatnonzero(st.open)
    ids = p2.school_ids[cand]
    pos = {s: i for i, s in enumerate(ids)}
    both = set(keep) & set(close)
    if both:
        raise GeoInputError(Msg("err.opt.kept_and_closed", ids=str(sorted(both))),
                            fix=Msg("err.opt.kept_and_closed.fix"))
    for lst, what in ((keep, "keep"), (close, "close")):
        bad = [s for s in lst if s not in pos]
        if bad:

            hints = {b: difflib.get_close_matches(b, list(pos), n=3, cutoff=0.6) for b in bad}
            raise GeoInputError(
                Msg("err.opt.unknown_ids", what=what, ids=tuple(
                    Msg("err.opt.unknown_id_hint", id=repr(b), close=", ".join(h)) if h
                    else Msg("err.opt.unknown_id", id=repr(b)) for b, h in hints.items())),
                fix=Msg("err.opt.unknown_ids.fix"))
    pupils = p2.pupils_for_year(base.year)
    go, gb = np.nonzero(pupils > 0)
    thr = np.array([base.thresholds_min[b] for b in p2.bands])
    bd = _Bounded(p2, base.transport, go, gb, cand, band_offers(st.serves, p2.bands)[cand],
                  thr, objective)
    if exact:  # every missing pair routed
        cost = bd.costs(p2.minutes(base.transport, columns=cand)[0], np.arange(len(cand)))
    else:  # pairs not kept at a lower bound; Instance.value makes the ones it uses exact
        cost = bd.costs(p2.minutes_bound(base.transport)[:, cand], np.arange(len(cand)))
    fo = np.zeros(len(cand), bool)
    fc = np.zeros(len(cand), bool)
    fo[[pos[s] for s in keep]] = True
    fc[[pos[s] for s in close]] = True
    return Instance(cost=cost, w=pupils[go, gb], unserved=bd.unserved, capacity=st.capacity[cand],
                    annual_cost=p2.schools["annual_cost_eur"].to_numpy(float)[cand], cand=cand,
                    ids=ids, fixed_open=fo, fixed_closed=fc, objective=objective,
                    bounded=None if exact or p2.pairs.complete[cand].all() else bd)


@dataclass
class _Bounded:
    """How an instance's costs are made from a prepared region's travel minutes, and made
    exact where they were lower bounds (pairs the region did not keep)."""

    prep: object  # the Prepared region with the base scenario applied
    transport: object
    go: np.ndarray  # origin of each group
    gb: np.ndarray  # band of each group
    cand: np.ndarray  # candidate schools (positions in prep)
    offers: np.ndarray  # (n_c, n_b) candidate offers band
    thr: np.ndarray  # threshold per band (minutes)
    objective: str

    @property
    def unserved(self) -> float:
        return settings.UNSERVED_PENALTY_MIN if self.objective == "p-median" else COVERAGE_UNSERVED

    def costs(self, minutes: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Costs per pupil of every group at candidates ``cols`` from the minutes of those
        columns (shape (n_origins, len(cols))): minutes (p-median), or 1 beyond the band's
        threshold plus the tie-break term (coverage); ``inf`` where not offered."""
        T = minutes[self.go]
        T[~self.offers[cols][:, self.gb].T] = np.inf
        if self.objective == "p-median":
            return T
        fin = np.isfinite(T)
        cov = (T > self.thr[self.gb][:, None]).astype(np.float64)
        cov += COVERAGE_TIE_MIN * np.where(fin, T, 0.0)
        cov[~fin] = np.inf
        return cov

    def used(self, a) -> np.ndarray:
        """Candidates (positions) of an assignment's flows on pairs not kept."""
        sv = a.school >= 0
        c = a.school[sv]
        kept, _, _ = self.prep.pairs.lookup(self.go[a.origin[sv]], self.cand[c])
        return np.unique(c[~kept & ~self.prep.pairs.complete[self.cand[c]]])

    def exact_columns(self, cols: np.ndarray) -> np.ndarray:
        """Exact costs of candidates ``cols`` (their columns routed first)."""
        return self.costs(self.prep.minutes(self.transport, columns=self.cand[cols])[0], cols)


@dataclass
class OptResult:
    """Result of :func:`optimize`.

    Attributes
    ----------
    keep_ids, close_ids : list of str
        Candidate schools kept and closed by the best solution found.
    objective : str
    value : float
        Exact (capacity-constrained) objective of the solution; pupil-minutes for p-median,
        pupils beyond the threshold (plus ties) for coverage.
    heuristic_value, milp_value, milp_bound : float or None
    gap : float or None
        (heuristic - MILP bound) / (MILP bound - constant): the heuristic's worst-case
        distance from the optimum (when the MILP proved optimality, its distance from the
        optimum); the constant is the cost of pupils no candidate can serve.
    milp_gap : float or None
        HiGHS's own relative gap at the end.
    seconds : dict
    history : list of float
        Objective after greedy and after each accepted swap.
    """

    keep_ids: list
    close_ids: list
    objective: str
    value: float
    heuristic_value: float | None = None
    milp_value: float | None = None
    milp_bound: float | None = None
    gap: float | None = None
    milp_gap: float | None = None
    milp_status: str | None = None
    seconds: dict = field(default_factory=dict)
    history: list = field(default_factory=list)
    bound: float | None = None
    certificate: Certificate | None = None

    def summary(self) -> str:
        lines = [f"{self.objective}: keep {len(self.keep_ids)} schools, close "
                 f"{len(self.close_ids)}; objective {self.value:,.2f}"]
        if self.heuristic_value is not None:
            lines.append(f"heuristic {self.heuristic_value:,.2f} "
                         f"({self.seconds.get('heuristic', 0):.2f} s)")
        if self.milp_value is not None:
            lines.append(f"MILP {self.milp_value:,.2f}, bound {self.milp_bound:,.2f}, "
                         f"status {self.milp_status} ({self.seconds.get('milp', 0):.2f} s)")
        if self.certificate is not None:
            c = self.certificate
            how = _how(c)
            lines.append(f"certified: lower bound {c.bound:,.2f}, proven gap {100 * c.gap:.3f} %"
                         f" ({c.seconds.get('total', 0):.1f} s, {how})")
        elif self.gap is not None:
            lines.append(f"heuristic gap to the MILP bound: {100 * self.gap:.3f} %")
        return "\n".join(lines)


def _how(c: Certificate) -> str:
    """What the certified solve did, for :meth:`OptResult.summary`."""
    last = c.path.split("+")[-1]
    how = {"lp": f"{c.rounds} LP rounds, {c.n_arcs:,} arcs, {c.n_links:,} linking rows",
           "lagrangian": f"{c.rounds} subgradient steps, {c.n_arcs:,} arcs",
           "room": f"{c.rounds} subgradient steps from the unserved cost, {c.n_arcs:,} arcs",
           "levels": f"level relaxation, {c.rounds} branch-and-bound nodes, {c.n_arcs:,} arcs"
           }[last]
    return how if last == c.path else f"level relaxation, then {how}"


def optimize(
    prep,
    *,
    objective: str = "p-median",
    p: int | None = None,
    budget_eur: float | None = None,
    keep: Sequence[str] = (),
    close: Sequence[str] = (),
    base: Scenario | None = None,
    method: str = "heuristic",
    time_limit_s: float = settings.MILP_TIME_LIMIT_S,
    exact_top: int = 5,
    progress: Callable[[int, int], None] | None = None,
    deterministic: bool = False,
) -> OptResult:
    """Propose which schools to keep.

    Parameters
    ----------
    prep : geo.planning.assign.Prepared
    objective : {"p-median", "coverage"}
    p : int, optional
        Number of schools to keep (including ``keep``).
    budget_eur : float, optional
        Maximum sum of the kept schools' ``annual_cost_eur`` (instead of ``p``).
    keep, close : sequence of str
        School ids that must stay open / must close.
    base : Scenario, optional
        Base scenario (transport, thresholds, year, new sites); its open schools are the
        candidates.
    method : {"heuristic", "milp", "both", "certified", "auto"}
        ``certified``: sparse LP with cuts and pricing, Lagrangian lower bound, exact
        evaluation (:mod:`geo.planning.certify`; region scale); ``auto``: ``heuristic`` below
        :data:`AUTO_CERTIFIED_PAIRS` group x candidate pairs, else ``certified``.
    time_limit_s : float, default settings.MILP_TIME_LIMIT_S
        Time limit of the MILP, or of the whole certified solve.
    exact_top : int, default 5
        Screened swaps evaluated exactly per step (capacity-constrained).
    progress : callable(done, total), optional
    deterministic : bool, default False
        ``certified``: limit the work by counts, not wall time, so that the result does not
        depend on the machine's load (see :func:`geo.planning.certify.solve_certified`).

    Returns
    -------
    OptResult
    """
    if (p is None) == (budget_eur is None):
        raise GeoInputError(Msg("err.opt.p_or_budget"))
    if budget_eur is not None:
        budget_eur = check_number(budget_eur, name="budget_eur (--budget)")
    if p is not None and (check_number(p, name="p (--p)", low=1, strict=False) % 1):
        raise GeoInputError(Msg("err.opt.p_whole", p=repr(p)))
    if method not in METHODS:
        raise GeoInputError(Msg("err.opt.method", method=repr(method)),
                            fix=Msg("err.opt.method.fix", choices=", ".join(METHODS)))
    inst = build_instance(prep, base, objective=objective, keep=keep, close=close, exact=False)
    if method == "auto":
        method = "heuristic" if inst.cost.size <= AUTO_CERTIFIED_PAIRS else "certified"
    n_free = inst.n_c - int(inst.fixed_closed.sum())
    if p is not None:
        p = int(p)
        if not int(inst.fixed_open.sum()) <= p <= n_free:
            raise GeoInputError(
                Msg("err.opt.p_range", p=p, fixed=int(inst.fixed_open.sum()), free=n_free),
                fix=Msg("err.opt.p_range.fix", fixed=int(inst.fixed_open.sum()), free=n_free))
    elif inst.annual_cost[inst.fixed_open].sum() > budget_eur:
        raise GeoInputError(
            Msg("err.opt.budget", cost=Num(inst.annual_cost[inst.fixed_open].sum()),
                budget=Num(budget_eur)), fix=Msg("err.opt.budget.fix"))
    res = OptResult(keep_ids=[], close_ids=[], objective=objective, value=np.nan)
    best = None
    if method in ("heuristic", "both"):
        t0 = time.perf_counter()
        sol, hist = heuristic(inst, p=p, budget=budget_eur, exact_top=exact_top,
                              progress=progress)
        res.seconds["heuristic"] = time.perf_counter() - t0
        res.heuristic_value = hist[-1]
        res.history = hist
        best = sol
    if method in ("milp", "both"):
        t0 = time.perf_counter()
        ysol, val, bound, gap, status = solve_milp(inst, p=p, budget=budget_eur,
                                                   time_limit_s=time_limit_s)
        res.seconds["milp"] = time.perf_counter() - t0
        res.milp_value, res.milp_bound, res.milp_gap, res.milp_status = val, bound, gap, status
        if ysol is not None and (best is None or val < res.heuristic_value - 1e-9):
            best = ysol
        const = inst.constant
        if res.heuristic_value is not None and bound is not None and bound - const > 0:
            res.gap = (res.heuristic_value - bound) / (bound - const)
    if method == "certified":
        best = _certified(inst, res, p=p, budget=budget_eur, time_limit_s=time_limit_s,
                          deterministic=deterministic)
    if best is None:
        raise GeoInputError(Msg("err.opt.no_solution"), fix=Msg("err.opt.no_solution.fix"))
    # the certified solve evaluated its network exactly already (at region scale that
    # assignment takes seconds)
    res.value = res.certificate.value if method == "certified" else inst.value(best)[0]
    res.keep_ids = [str(s) for s in inst.ids[best]]
    res.close_ids = [str(s) for s in inst.ids[~best]]
    return res


def to_problem(inst: Instance, *, p: int | None = None, budget: float | None = None) -> Problem:
    """The instance as a :class:`geo.planning.certify.Problem` (costs clipped at unserved;
    coverage: levels of 1 pupil beyond the threshold, the tie-break term below them)."""
    return Problem(cost=np.minimum(inst.cost, inst.unserved), w=inst.w, unserved=inst.unserved,
                   capacity=inst.capacity, annual_cost=inst.annual_cost,
                   fixed_open=inst.fixed_open, fixed_closed=inst.fixed_closed, p=p,
                   budget=budget, cost_step=1.0 if inst.objective == "coverage" else None)


def _certified(inst: Instance, res: OptResult, *, p, budget, time_limit_s,
               deterministic=False) -> np.ndarray:
    """Run :func:`solve_certified` (with :func:`_least_used_closed` when few schools close);
    fill ``res`` (bound, gap, certificate)."""
    pr = to_problem(inst, p=p, budget=budget)
    cert = solve_certified(pr, inst.priced_value, time_limit_s=time_limit_s,
                           deterministic=deterministic)
    allowed = int((~inst.fixed_closed).sum())
    if p is not None and cert.gap > 0.01 and p >= FEW_CLOSE_SHARE * allowed:
        _least_used_closed(inst, cert, pr, p)
    res.seconds["certified"] = cert.seconds.get("total", 0.0)
    res.bound, res.gap, res.certificate = cert.bound, cert.gap, cert
    return cert.open


def _least_used_closed(inst: Instance, cert: Certificate, pr: Problem, p: int) -> None:
    """When few schools close: a bound and a network from the assignment with every allowed
    school open (two exact assignments).

    Its value is a lower bound of every network (closing schools only removes options), and
    closing the schools it uses least is a good network when they are few. At country scale
    (p = 690 of 863, capacities binding) the Lagrangian ascent's rounding cost 3,887,843 and
    this network 2,962,484, 1.16 % above the all-open bound 2,928,517; with many closures
    (Vidzeme p = 60 of 149) it is far off (+52 %) and is not tried."""
    t = time.perf_counter()
    every = ~inst.fixed_closed
    v_all, a = inst.value(every)
    cert.candidates["all-open (bound)"] = v_all
    cert.bound = max(cert.bound, v_all)
    load = a.school_load(inst.n_c)
    outs = np.flatnonzero(every & ~inst.fixed_open)
    net = every.copy()
    net[outs[np.argsort(load[outs], kind="stable")[: int(every.sum()) - p]]] = False
    consider(cert, pr, lambda o: inst.value(o)[0], "least-used-closed", net)
    cert.seconds["total"] = cert.seconds.get("total", 0.0) + time.perf_counter() - t


# ------------------------------------------------------------------------------------------
# Heuristic: greedy + fast Teitz-Bart interchange, exact (capacitated) acceptance
# ------------------------------------------------------------------------------------------
def heuristic(inst: Instance, *, p: int | None = None, budget: float | None = None,
              exact_top: int = 5, capacity_top: int = 30, max_exact: int = 150,
              max_iter: int = 500, progress=None
              ) -> tuple[np.ndarray, list[float]]:
    """Greedy addition then vertex substitution; see the module docstring.

    When capacities bind, the greedy gains and the swap screen are capacity-aware: the gain
    of a school is capped by the pupils it can take (its capacity over the pupils it would
    attract), measured against every group's cost in the current capacity-constrained
    assignment; the swaps evaluated exactly are the best ``exact_top`` of the uncapacitated
    screen and the best ``capacity_top`` of this capacity-aware screen (all swaps when
    there are at most ``max_exact``), in that order; the first improving one is made.

    Returns
    -------
    open : numpy.ndarray of bool, shape (n_c,)
    history : list of float
        Exact objective after greedy and after each accepted swap.
    """
    s = _Search(inst, p=p, budget=budget)
    s.greedy_add(progress)
    s.keep_better_drop_start(exact_top)
    hist = [s.val]
    for _ in range(max_iter):
        trial = s.best_swap(exact_top=exact_top, capacity_top=capacity_top,
                            max_exact=max_exact)
        if trial is None:
            break
        s.move_to(trial)
        hist.append(s.val)
    return s.open_c, hist


class _Search:
    """State of :func:`heuristic`: the open schools, every group's cost per pupil in their
    capacity-constrained assignment (``d``), the objective (``val``) and the assignment."""

    def __init__(self, inst: Instance, *, p: int | None, budget: float | None) -> None:
        self.inst, self.p, self.budget = inst, p, budget
        self.C = np.minimum(inst.cost, inst.unserved)  # serving beyond U is never better
        self.w, self.n_c, self.cost = inst.w, inst.n_c, inst.annual_cost
        self.allowed = ~inst.fixed_closed
        self.move_to(inst.fixed_open.copy())

    def move_to(self, open_c: np.ndarray) -> None:
        """Open ``open_c`` and assign exactly."""
        self.open_c = open_c
        self.d, self.val, self.a = self.current(open_c)

    def current(self, open_c: np.ndarray):
        """Per-group cost per pupil of the capacity-constrained assignment, and the value."""
        inst, w = self.inst, self.w
        if not open_c.any():
            return np.full(len(w), inst.unserved), float(w.sum() * inst.unserved), None
        v, a = inst.value(open_c)
        d = np.bincount(a.origin, a.pupils * np.where(
            a.school >= 0, self.C[a.origin, np.maximum(a.school, 0)], inst.unserved),
            minlength=len(w)) / w
        return d, v, a

    def room(self, j: int) -> bool:
        """Whether school ``j`` may still open (p or budget)."""
        if self.p is not None:
            return self.open_c.sum() < self.p
        return self.cost[self.open_c].sum() + self.cost[j] <= self.budget + 1e-9

    def too_many(self, o: np.ndarray) -> bool:
        """Whether the open set ``o`` exceeds p or the budget."""
        if self.p is not None:
            return o.sum() > self.p
        return self.cost[o].sum() > self.budget + 1e-9

    def capped_gain(self, d: np.ndarray) -> np.ndarray:
        """Each school's gain against costs ``d``, capped by what its capacity can take."""
        imp = np.maximum(d[:, None] - self.C, 0.0)
        benef = self.w @ (imp > 0)
        gain = self.w @ imp
        return gain * np.minimum(1.0, self.inst.capacity / np.maximum(benef, 1e-12))

    def greedy_add(self, progress) -> None:
        """Open the school of the largest capped gain until p (or the budget) is reached."""
        inst, open_c = self.inst, self.open_c
        target = self.p if self.p is not None else self.n_c
        d = self.d
        while open_c.sum() < target:
            gain = self.capped_gain(d)
            cands = [j for j in np.flatnonzero(self.allowed & ~open_c) if self.room(j)]
            if not cands:
                break
            j = cands[int(np.argmax(gain[cands]))]
            if self.p is None and gain[j] <= 0:
                break
            open_c[j] = True
            if _capacity_slack(inst, open_c):
                d = np.minimum(d, self.C[:, j])
            else:
                d = self.current(open_c)[0]
            if progress is not None:
                progress(int(open_c.sum()), target)
        self.move_to(open_c)

    def drop_loss(self, drop: np.ndarray, outs: np.ndarray) -> np.ndarray:
        """Screen of closing each school of ``drop``: its pupils' move to their second best."""
        inst, w = self.inst, self.w
        Co = np.where(drop, self.C, inst.unserved)
        if drop.sum() >= 2:
            part = np.partition(Co, 1, axis=1)[:, :2]
            d1, d2 = part[:, 0], part[:, 1]
        else:
            d1, d2 = Co.min(axis=1), np.full(len(w), inst.unserved)
        near = Co.argmin(axis=1)
        loss = np.bincount(near, w * (np.minimum(d2, inst.unserved) - d1), minlength=self.n_c)
        return loss / np.maximum(self.cost, 1e-9) if self.budget is not None else loss

    def greedy_drop(self, exact_top: int) -> np.ndarray:
        """Greedy dropping from every allowed school (better when capacities bind): close the
        school whose closing costs least (exact, among the best screened)."""
        inst, drop = self.inst, self.allowed.copy()
        while self.too_many(drop):
            outs = np.flatnonzero(drop & ~inst.fixed_open)
            if len(outs) == 0:
                break
            loss = self.drop_loss(drop, outs)
            order = outs[np.argsort(loss[outs])][: max(exact_top, 3)]
            if _capacity_slack(inst, drop):
                r = order[0]
            else:
                vals = []
                for r in order:
                    t = drop.copy()
                    t[r] = False
                    vals.append(inst.value(t)[0])
                r = order[int(np.argmin(vals))]
            drop[r] = False
        return drop

    def keep_better_drop_start(self, exact_top: int) -> None:
        """Start the interchange from the better of the greedy-add and greedy-drop networks."""
        drop = self.greedy_drop(exact_top)
        if drop.any() and self.inst.value(drop)[0] < self.val:
            self.move_to(drop)

    def allowed_swaps(self) -> np.ndarray | None:
        """``ok[j, r]``: open ``j`` and close ``r`` is allowed (None when no swap is)."""
        open_c, cost = self.open_c, self.cost
        ins = np.flatnonzero(self.allowed & ~open_c)
        outs = np.flatnonzero(open_c & ~self.inst.fixed_open)
        if len(ins) == 0 or len(outs) == 0:
            return None
        ok = np.zeros((self.n_c, self.n_c), bool)
        ok[np.ix_(ins, outs)] = True
        if self.budget is not None:
            spent = cost[open_c].sum()
            ok &= (spent + cost[:, None] - cost[None, :]) <= self.budget + 1e-9
        return ok

    def capacity_screen(self, ok: np.ndarray) -> np.ndarray:
        """Capacity-aware screen: capped gain of j against the current assignment, minus the
        loss of r's pupils moving to their next-best kept school."""
        inst, a, C = self.inst, self.a, self.C
        gain = self.capped_gain(self.d)
        Co = np.where(self.open_c, C, inst.unserved)
        sv = a.school >= 0
        g_, s_, x_ = a.origin[sv], a.school[sv], a.pupils[sv]
        Cx = Co[g_].copy()
        Cx[np.arange(len(g_)), s_] = np.inf
        nxt = np.minimum(Cx.min(axis=1), inst.unserved)
        loss = np.bincount(s_, x_ * np.maximum(nxt - C[g_, s_], 0), minlength=self.n_c)
        return np.where(ok, -gain[:, None] + loss[None, :], np.inf)

    def best_swap(self, *, exact_top: int, capacity_top: int, max_exact: int
                  ) -> np.ndarray | None:
        """The first improving swap in screening order (evaluated exactly), or None."""
        ok = self.allowed_swaps()
        if ok is None:
            return None
        delta = np.where(ok, _swap_deltas(self.C, self.w, self.open_c, self.inst.unserved),
                         np.inf)
        pairs = list(np.argsort(delta, axis=None)[:exact_top])
        slack = _capacity_slack(self.inst, self.open_c)
        if not slack:
            n_ok = int(ok.sum())
            pairs += list(np.argsort(self.capacity_screen(ok), axis=None)[
                : n_ok if n_ok <= max_exact else capacity_top])
        for f in dict.fromkeys(int(x) for x in pairs):
            j, r = np.unravel_index(f, delta.shape)
            if not ok[j, r] or (slack and delta[j, r] >= -1e-9):
                continue  # not allowed, or exact when capacities do not bind: no gain
            trial = self.open_c.copy()
            trial[j], trial[r] = True, False
            v, _ = self.inst.value(trial)
            if v < self.val - 1e-9 * max(1.0, abs(self.val)):
                return trial  # first improvement, in screening order
        return None


def _capacity_slack(inst: Instance, open_c: np.ndarray) -> bool:
    """True when nearest assignment fits every capacity (then screening is exact)."""
    C = np.where(open_c, inst.cost, np.inf)
    j = C.argmin(axis=1)
    served = np.isfinite(C[np.arange(len(j)), j]) & (C[np.arange(len(j)), j] < inst.unserved)
    load = np.bincount(j[served], inst.w[served], minlength=inst.n_c)
    return bool(np.all(load <= inst.capacity + 1e-9))


def _swap_deltas(C: np.ndarray, w: np.ndarray, open_c: np.ndarray, U: float) -> np.ndarray:
    """Change of the uncapacitated objective for every swap (in j, out r), as a matrix.

    With d1, d2 the costs of each group's nearest and second-nearest kept school (U when
    none) and a its nearest: delta[j, r] = G[j] + L[r, j], G[j] = sum_g w_g min(0, c_gj -
    d1_g) and L[r, j] = sum over groups with a_g = r of w_g (min(c_gj, d2_g) - min(c_gj,
    d1_g)).
    """
    Co = np.where(open_c, C, U)
    n_g, n_c = C.shape
    if open_c.sum() >= 2:
        part = np.argpartition(Co, 1, axis=1)[:, :2]
        v = np.take_along_axis(Co, part, axis=1)
        o = np.argsort(v, axis=1)
        a = np.take_along_axis(part, o, axis=1)[:, 0]
        v = np.take_along_axis(v, o, axis=1)
        d1, d2 = np.minimum(v[:, 0], U), np.minimum(v[:, 1], U)
    else:
        a = Co.argmin(axis=1)
        d1 = np.minimum(Co[np.arange(n_g), a], U)
        d2 = np.full(n_g, U)
    G = w @ np.minimum(0.0, C - d1[:, None])
    M = w[:, None] * (np.minimum(C, d2[:, None]) - np.minimum(C, d1[:, None]))
    A = sparse.csr_array((np.ones(n_g), (a, np.arange(n_g))), shape=(n_c, n_g))
    L = A @ M  # (n_c [r], n_c [j])
    return G[:, None] + L.T


# ------------------------------------------------------------------------------------------
# Exact: MILP with HiGHS
# ------------------------------------------------------------------------------------------
def solve_milp(inst: Instance, *, p: int | None = None, budget: float | None = None,
               time_limit_s: float = settings.MILP_TIME_LIMIT_S,
               rel_gap: float = settings.MILP_REL_GAP):
    """The capacitated location MILP (see module docstring), solved by HiGHS.

    Returns
    -------
    open : numpy.ndarray of bool or None
    value : float or None
        Objective of the MILP's best solution.
    bound : float or None
        HiGHS's dual bound (a lower bound on the optimum).
    gap : float or None
        HiGHS's relative gap.
    status : str
    """
    # groups no candidate can serve add a constant: leave them out (so that the relative gap
    # of HiGHS applies to the part the choice of schools changes) and add it back
    const = inst.constant
    some = np.isfinite(inst.cost).any(axis=1)
    C = inst.cost[some]
    w = inst.w[some]
    n_g, n_c = C.shape
    gi, cj = np.nonzero(np.isfinite(C) & (C < inst.unserved))
    na = len(gi)
    # variables: y (n_c), x (na), z (n_g)
    nv = n_c + na + n_g
    obj = np.r_[np.zeros(n_c), w[gi] * C[gi, cj], w * inst.unserved]
    # x and z are shares of the group's pupils (0..1), which scales the problem better
    rows, cols, vals, lo, hi = [], [], [], [], []
    r = 0
    # assignment: sum_j x_gj + z_g = 1
    rows += [gi, np.arange(n_g)]
    cols += [n_c + np.arange(na), n_c + na + np.arange(n_g)]
    vals += [np.ones(na), np.ones(n_g)]
    lo.append(np.ones(n_g))
    hi.append(np.ones(n_g))
    r += n_g
    # linking: x_gj - y_j <= 0
    rows += [r + np.arange(na), r + np.arange(na)]
    cols += [n_c + np.arange(na), cj]
    vals += [np.ones(na), -np.ones(na)]
    lo.append(np.full(na, -np.inf))
    hi.append(np.zeros(na))
    r += na
    # capacity: sum_g w_g x_gj - cap_j y_j <= 0
    fin = np.flatnonzero(np.isfinite(inst.capacity))
    if len(fin):
        cmap = np.full(n_c, -1)
        cmap[fin] = np.arange(len(fin))
        sel = cmap[cj] >= 0
        rows += [r + cmap[cj][sel], r + np.arange(len(fin))]
        cols += [n_c + np.flatnonzero(sel), fin]
        vals += [w[gi][sel], -inst.capacity[fin]]
        lo.append(np.full(len(fin), -np.inf))
        hi.append(np.zeros(len(fin)))
        r += len(fin)
    # number of schools or budget
    rows.append(np.full(n_c, r))
    cols.append(np.arange(n_c))
    if p is not None:
        vals.append(np.ones(n_c))
        lo.append([p])
        hi.append([p])
    else:
        vals.append(inst.annual_cost)
        lo.append([-np.inf])
        hi.append([budget])
    r += 1
    A = sparse.csr_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(r, nv))
    lb = np.zeros(nv)
    ub = np.r_[np.ones(n_c), np.ones(na), np.ones(n_g)]
    lb[:n_c][inst.fixed_open] = 1
    ub[:n_c][inst.fixed_closed] = 0
    integrality = np.r_[np.ones(n_c), np.zeros(na + n_g)]
    res = milp(obj, constraints=LinearConstraint(A, np.concatenate(lo), np.concatenate(hi)),
               bounds=Bounds(lb, ub), integrality=integrality,
               options={"time_limit": float(time_limit_s), "mip_rel_gap": rel_gap,
                        "disp": False})
    status = {0: "optimal", 1: "time or iteration limit", 2: "infeasible", 3: "unbounded"}.get(
        res.status, f"status {res.status}")
    bound = getattr(res, "mip_dual_bound", None)
    bound = None if bound is None else float(bound) + const
    if res.x is None:
        return None, None, bound, getattr(res, "mip_gap", None), status
    y = res.x[:n_c] > 0.5
    return y, float(res.fun) + const, bound, getattr(res, "mip_gap", None), status


def result_to_scenario(result: OptResult, base: Scenario | None = None, *,
                       name: str | None = None) -> Scenario:
    """A scenario: the base scenario's changes plus closing the schools not kept."""
    base = base or Scenario(name="base")
    sc = Scenario(
        name=name or f"{result.objective} keep {len(result.keep_ids)}",
        description=(f"Proposed by geo.planning.optimize ({result.objective}); objective "
                     f"{result.value:,.2f}"
                     + (f"; heuristic gap to the MILP bound {100 * result.gap:.3f} %"
                        if result.gap is not None else "")),
        region=base.region, year=base.year, transport=base.transport,
        thresholds_min=dict(base.thresholds_min),
        cost_per_pupil_km_eur=base.cost_per_pupil_km_eur,
        school_days_per_year=base.school_days_per_year,
        dormitory_place_cost_eur=base.dormitory_place_cost_eur,
        changes=list(base.changes),
    )
    if result.close_ids:
        sc.changes.append(Change("close", {"schools": list(result.close_ids)},
                                 len(sc.changes)))
    return sc
