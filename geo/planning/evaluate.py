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
    minutes, mode = p2.minutes(sc.transport)
    thr = np.array([sc.thresholds_min[b] for b in p2.bands])
    dorm_bands = np.array([b in settings.DORMITORY_BANDS for b in p2.bands])
    a = assign(minutes, p2.dist_m, mode, pupils, band_offers(st.serves, p2.bands), st.capacity,
               st.dormitory_places, thr, open_mask=st.open, dorm_bands=dorm_bands)
    t2 = time.perf_counter()
    ev = Evaluation(scenario=sc, prep=p2, state=st, assignment=a, pupils=pupils,
                    indicators={}, seconds={"apply": t1 - t0, "assign": t2 - t1})
    if with_indicators:
        ev.indicators = indicators(ev)
        ev.indicators.update(joint_indicators(ev))  # broadband joint gap, when known
    ev.seconds["indicators"] = time.perf_counter() - t2
    ev.seconds["total"] = time.perf_counter() - t0
    return ev


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
