"""Evaluate a scenario on a prepared region: apply its changes, assign pupils, compute indicators."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from geo import settings
from geo.grades import band_offers
from geo.i18n import t
from geo.planning.assign import Assignment, assign
from geo.planning.indicators import indicators, joint_indicators
from geo.planning.prepared import Prepared
from geo.planning.scenario import Scenario, SchoolState, apply_scenario, load_scenario
from geo.planning.transport import travel_minutes


# ------------------------------------------------------------------------------------------
# Evaluation
# ------------------------------------------------------------------------------------------
@dataclass
class Evaluation:
    """A scenario evaluated on a region.

    Attributes
    ----------
    scenario : Scenario
    prep : Prepared
        The region (with the scenario's new schools).
    state : SchoolState
    assignment : Assignment
    pupils : numpy.ndarray, shape (n_o, n_b)
        Pupils of the scenario's year.
    indicators : dict of pandas.DataFrame
        See :func:`geo.planning.indicators.indicators`.
    seconds : dict
        Wall time of the steps.
    """

    scenario: Scenario
    prep: Prepared
    state: SchoolState
    assignment: Assignment
    pupils: np.ndarray
    indicators: dict
    seconds: dict


def evaluate(prep: Prepared, scenario: Scenario | str | Path, *,
             with_indicators: bool = True) -> Evaluation:
    """Evaluate a scenario: apply its changes, assign pupils, compute the indicators.

    Parameters
    ----------
    prep : Prepared
        The prepared region (travel-time matrix routed once).
    scenario : Scenario or path
    with_indicators : bool, default True

    Returns
    -------
    Evaluation
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    t0 = time.perf_counter()
    p2, st = apply_scenario(prep, sc)
    t1 = time.perf_counter()
    pupils = p2.pupils_for_year(sc.year)
    a = assign_exact(p2, st, pupils, sc)
    t2 = time.perf_counter()
    ev = Evaluation(scenario=sc, prep=p2, state=st, assignment=a, pupils=pupils,
                    indicators={}, seconds={"apply": t1 - t0, "assign": t2 - t1})
    if with_indicators:
        ev.indicators = indicators(ev)
        ev.indicators.update(joint_indicators(ev))  # broadband joint gap, when known
    ev.seconds["indicators"] = time.perf_counter() - t2
    ev.seconds["total"] = time.perf_counter() - t0
    return ev


def assign_exact(prep: Prepared, st: SchoolState, pupils: np.ndarray, sc: Scenario) -> Assignment:
    """The assignment of a scenario on the kept pairs, exact as on the full matrix.

    The pairs a region does not keep (:class:`geo.planning.prepared.Pairs`) enter the
    assignment at a lower bound of their travel time, read sparse
    (:meth:`Prepared.pair_minutes`: no origins x schools matrix). An optimum of these costs that uses none
    of them is an optimum of the true costs too (each of its flows costs what it truly costs,
    and no solution costs less than under the lower bounds). When it uses one - or an unserved
    group's "reachable" flag rests on one - the exact columns of those schools are routed
    (:meth:`Prepared.complete_columns`) and the assignment is solved again. Distances and modes
    of the flows are then read from the kept pairs.

    So that the result is the very one of the full matrix (not another optimum of equal
    cost), the columns the assignment's candidate arcs read are made exact first
    (:func:`_candidate_columns`).
    """
    thr = np.array([sc.thresholds_min[b] for b in prep.bands])
    dorm_bands = np.array([b in settings.DORMITORY_BANDS for b in prep.bands])
    offers = band_offers(st.serves, prep.bands)
    prep.complete_columns(_candidate_columns(prep, st, pupils, offers, dorm_bands))
    while True:
        a = assign(prep.pair_minutes(sc.transport), None, None, pupils, offers, st.capacity,
                   st.dormitory_places, thr, open_mask=st.open, dorm_bands=dorm_bands)
        need = _bounded_columns(prep, a, st.open, offers)
        if len(need) == 0:
            break
        prep.complete_columns(need)
    sv = a.school >= 0
    t, d = prep.pair_values(a.origin[sv], a.school[sv])
    minutes, mode = travel_minutes(t, d, sc.transport)
    if not np.allclose(minutes, a.minutes[sv], rtol=1e-12, atol=1e-9):
        raise RuntimeError("assign_exact: flow minutes differ from the kept pairs")
    a.dist_m = np.full(len(a), np.nan)
    a.dist_m[sv] = d
    a.mode = np.full(len(a), -1, np.int8)
    a.mode[sv] = mode
    return a


def _candidate_columns(prep: Prepared, st: SchoolState, pupils, offers, dorm_bands, *,
                       k: int = settings.ASSIGN_K_NEAREST) -> np.ndarray:
    """Columns the assignment's first candidate arcs could read at a lower bound: open
    schools offering a band to groups with fewer than ``k`` kept pairs among them, and open
    schools with dormitory places when a dormitory band has pupils (a superset of the ``k``
    cheapest dormitory arcs of every group)."""
    pairs = prep.pairs
    need = np.zeros(pairs.n_schools, bool)
    cands = st.open[:, None] & offers
    counts = pairs.count_in(cands)  # kept candidates of every origin and band
    for b in range(offers.shape[1]):
        cand = cands[:, b]
        if dorm_bands[b] and (pupils[:, b] > 0).any():
            need |= cand & (st.dormitory_places > 0)
        short = np.flatnonzero((pupils[:, b] > 0) & np.isfinite(pairs.floor_s)
                               & (counts[:, b] < min(k, int(cand.sum()))))
        if len(short):
            at = _pair_positions(pairs.indptr, short)
            need |= cand & (np.bincount(pairs.school[at], minlength=pairs.n_schools)
                            < len(short))
    return np.flatnonzero(need & ~pairs.complete)


def _pair_positions(indptr: np.ndarray, origins: np.ndarray) -> np.ndarray:
    """Positions of the pairs of ``origins`` (CSR ``indptr``), origin by origin."""
    start, count = indptr[origins], indptr[origins + 1] - indptr[origins]
    return np.repeat(start - np.r_[0, np.cumsum(count)[:-1]], count) + np.arange(count.sum())


def _bounded_columns(prep: Prepared, a: Assignment, open_mask, offers) -> np.ndarray:
    """Schools whose columns an assignment on :meth:`Prepared.pair_minutes` (the sparse
    :meth:`Prepared.minutes_bound`) read at a lower bound where it matters: flows on pairs
    not kept, and the open schools offering the band of unserved groups whose reachability
    rests on pairs not kept."""
    pairs = prep.pairs
    sv = a.school >= 0
    kept, _, _ = pairs.lookup(a.origin[sv], a.school[sv])
    need = [a.school[sv][~kept & ~pairs.complete[a.school[sv]]]]
    un = np.flatnonzero(~sv & a.reachable)
    if len(un):
        for i in un[~_kept_in(pairs, a.origin[un], open_mask[:, None] & offers, a.band[un])]:
            need.append(np.flatnonzero(open_mask & offers[:, a.band[i]] & ~pairs.complete))
    return np.unique(np.concatenate(need)).astype(np.int64)


def _kept_in(pairs, origins: np.ndarray, allowed: np.ndarray, bands: np.ndarray) -> np.ndarray:
    """Whether each origin keeps a pair with a school allowed for its band (``allowed``, shape
    (n_schools, n_bands))."""
    at = _pair_positions(pairs.indptr, origins)
    owner = np.repeat(np.arange(len(origins)), np.diff(pairs.indptr)[origins])
    ok = allowed[pairs.school[at], bands[owner]]
    return np.bincount(owner[ok], minlength=len(origins)) > 0


def format_summary(ev: Evaluation, lang: str = "en") -> str:
    """A few region-wide figures for the console."""
    s = ev.indicators["summary"]
    s = s[(s["area"] == s["area"].iloc[0]) & (s["grade_band"] == "all")].set_index("indicator")
    keys = ["pupils", "schools", "unserved", "beyond_threshold", "dormitory", "mean_min",
            "p90_min", "max_min", "pupil_km_per_day", "transport_cost_eur", "crossing_border",
            "joint_gap"]
    lines = [f"{ev.scenario.name} ({ev.prep.region or 'region'}, pupils of "
             f"{ev.scenario.year or ev.prep.base_year})"]
    for k in keys:
        if k in s.index:
            lines.append(f"  {t('ind.' + k, lang)}: {s.at[k, 'value']:,.1f} {s.at[k, 'unit']}")
    a = ev.assignment
    lines.append(f"  assignment: {a.method}, optimal {a.optimal}, "
                 f"{1000 * ev.seconds['total']:.0f} ms")
    return "\n".join(lines)
