"""Indicators of an evaluated scenario, and the comparison of two scenarios.

All tables are computed from the assignment's flow arrays (:class:`geo.planning.assign.Assignment`)
with numpy (bincount, one sort for the pupil-weighted quantiles); no Python loop over origins.

Definitions (one-way trips, home -> school):

* *daily* pupils commute every school day (walking or by the scenario's mode); their travel
  time statistics are pupil-weighted (mean, median, 90th percentile, maximum).
* *dormitory* pupils live in a school's dormitory on school days and travel once a week;
  they are counted separately and are not in the daily travel-time statistics.
* *beyond threshold* (travel-time white spot): daily pupils whose trip is longer than their
  grade band's threshold; *unserved* pupils (no open school offering their grade reachable,
  or all reachable ones full) are counted apart.
* *pupil-km per day*: round trips by bus or car (walkers excluded) times their network
  distance; dormitory pupils add one round trip a week (divided by the school days of a
  week). Annual transport cost = pupil-km per day x school days x cost per pupil-km.
* *crossing a municipal border*: the school lies in another municipality than the home.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo import settings
from geo.broadband.classes import WHITE_CLASSES
from geo.broadband.joint import joint_gap, joint_table
from geo.i18n import register
from geo.planning.transport import WALK

REGION = "(region)"


ALL = "all"


#: Indicator keys -> (unit, Latvian, English).
INDICATORS: dict[str, tuple[str, str, str]] = {
    "pupils": ("pupils", "Skolēni", "Pupils"),
    "daily": ("pupils", "Skolēni, kas brauc katru dienu", "Pupils commuting daily"),
    "walking": ("pupils", "Skolēni, kas iet kājām", "Pupils walking"),
    "dormitory": ("pupils", "Skolēni dienesta viesnīcās", "Pupils in dormitories"),
    "unserved": ("pupils", "Skolēni bez vietas skolā", "Unserved pupils"),
    "unserved_unreachable": ("pupils", "Bez vietas: nav sasniedzamas skolas",
                             "Unserved: no school reachable"),
    "unserved_full": ("pupils", "Bez vietas: skolas pilnas", "Unserved: schools full"),
    "beyond_threshold": ("pupils", "Skolēni virs brauciena laika sliekšņa",
                         "Pupils beyond the travel-time threshold"),
    "mean_min": ("min", "Vidējais brauciena laiks", "Mean travel time"),
    "median_min": ("min", "Brauciena laika mediāna", "Median travel time"),
    "p90_min": ("min", "Brauciena laika 90. procentile", "90th percentile travel time"),
    "max_min": ("min", "Garākais brauciens", "Longest trip"),
    "pupil_km_per_day": ("km", "Skolēnu kilometri dienā", "Pupil-km per day"),
    "transport_cost_eur": ("EUR/year", "Transporta izmaksas gadā", "Transport cost per year"),
    "dormitory_cost_eur": ("EUR/year", "Dienesta viesnīcu izmaksas gadā",
                           "Dormitory cost per year"),
    "crossing_border": ("pupils", "Skolēni, kas mācās citā novadā",
                        "Pupils crossing a municipal border"),
    "schools": ("schools", "Atvērtās skolas", "Open schools"),
    "pupils_per_school": ("pupils", "Skolēni uz skolu", "Pupils per school"),
    "schools_over_capacity": ("schools", "Skolas virs ietilpības", "Schools over capacity"),
    "schools_under_half": ("schools", "Skolas, kas aizpildītas mazāk par pusi",
                           "Schools less than half full"),
}


register({f"ind.{k}": {"lv": v[1], "en": v[2]} for k, v in INDICATORS.items()})


register({
    "ind.area": {"lv": "Teritorija", "en": "Area"},
    "ind.region": {"lv": "Reģions kopā", "en": "Whole region"},
    "ind.grade_band": {"lv": "Klašu grupa", "en": "Grade band"},
    "ind.all_grades": {"lv": "Visas klases", "en": "All grades"},
})


#: Share of capacity under which a school counts as under-used.
UNDER_CAPACITY_SHARE = settings.UNDER_CAPACITY_SHARE


def time_bands_min() -> tuple[float, ...]:
    """Travel-time bands (minutes) of the tables: those of the maps when defined."""
    return tuple(getattr(settings, "MAP_TIME_BANDS_MIN", (0, 10, 20, 30, 45, 60)))


def _band_labels(edges) -> list[str]:
    e = [int(v) if float(v).is_integer() else v for v in edges]
    return [f"{e[i]}-{e[i + 1]}" for i in range(len(e) - 1)] + [f"{e[-1]}+"]


def weighted_quantiles(key: np.ndarray, values: np.ndarray, weights: np.ndarray,
                       qs: tuple[float, ...], n_keys: int, *,
                       keep_inf: bool = False) -> np.ndarray:
    """Weighted quantiles of ``values`` per ``key`` (lower quantile: the smallest value with
    at least the share ``q`` of the weight at or below it).

    Values that are NaN or have no weight are left out; so are infinite values unless
    ``keep_inf`` (then they count as the largest).

    Returns
    -------
    numpy.ndarray, shape (n_keys, len(qs))
        NaN for keys without weight.
    """
    out = np.full((n_keys, len(qs)), np.nan)
    ok = (weights > 0) & (~np.isnan(values) if keep_inf else np.isfinite(values))
    key, values, weights = key[ok], values[ok], weights[ok]
    if len(key) == 0:
        return out
    order = np.lexsort((values, key))
    k, v, w = key[order], values[order], weights[order]
    cum = np.cumsum(w)
    tot = np.bincount(k, w, minlength=n_keys)
    start = np.searchsorted(k, np.arange(n_keys), side="left")
    base = np.where(start > 0, cum[np.maximum(start - 1, 0)], 0.0)
    base[start == 0] = 0.0
    has = tot > 0
    for i, q in enumerate(qs):
        target = base + q * tot - 1e-9 * np.maximum(tot, 1)
        pos = np.searchsorted(cum, target, side="left")
        pos = np.minimum(pos, len(v) - 1)
        out[has, i] = v[pos[has]]
    return out


@dataclass
class _Areas:
    """How flows are counted per (area, grade band): area 0 is the region, then municipalities.

    Every flow is repeated as (region, band), (region, all), (area, band), (area, all)
    (``rep`` indexes the flow of each repeat, ``K`` its key); the municipal repeats of flows
    from origins without a municipality are dropped (they would count the region twice).
    """

    bands: list
    munis: list
    s_area: np.ndarray  # area of each school
    fa: np.ndarray  # area of each flow's origin
    K: np.ndarray
    rep: np.ndarray
    W: np.ndarray  # pupils of each repeat

    @property
    def areas(self) -> list:
        return [REGION, *self.munis]

    @property
    def n_a(self) -> int:
        return len(self.munis) + 1

    @property
    def bcols(self) -> int:
        return len(self.bands) + 1  # bands + all

    @property
    def n_k(self) -> int:
        return self.n_a * self.bcols

    def total(self, mask: np.ndarray) -> np.ndarray:
        """Pupils of the flows in ``mask``, per key."""
        m = mask[self.rep]
        return np.bincount(self.K[m], self.W[m], minlength=self.n_k)

    def rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Area and grade-band label of each key."""
        return (np.repeat(np.asarray(self.areas, object), self.bcols),
                np.tile(np.asarray([*self.bands, ALL], object), self.n_a))


def _areas(prep, a) -> _Areas:
    bands = list(prep.bands)
    nb = len(bands)
    munis = np.unique(np.r_[prep.origin_municipality, prep.schools["municipality"].to_numpy(str)])
    munis = [m for m in munis if m != ""]
    amap = {m: i + 1 for i, m in enumerate(munis)}
    o_area = np.array([amap.get(m, 0) for m in prep.origin_municipality], np.int64)
    s_muni = prep.schools["municipality"].to_numpy(str)
    s_area = np.array([amap.get(m, 0) for m in s_muni], np.int64)
    bcols = nb + 1
    fa = o_area[a.origin]
    band = a.band
    K = np.concatenate([0 * bcols + band, 0 * bcols + nb + 0 * band,
                        fa * bcols + band, fa * bcols + nb + 0 * band])
    n = len(a.pupils)
    rep = np.tile(np.arange(n), 4)
    dup = np.r_[np.zeros(2 * n, bool), np.tile(fa == 0, 2)]
    K, rep = K[~dup], rep[~dup]
    return _Areas(bands, munis, s_area, fa, K, rep, a.pupils[rep])


def _flow_values(ar: _Areas, a, sc) -> tuple[dict, np.ndarray]:
    """Per key: pupil counts, travel-time statistics, pupil-km and costs; and the weights of
    the daily travel times (per repeat)."""
    sv = a.school >= 0
    daily = sv & ~a.dorm
    walk = daily & (a.mode == WALK)
    vals = {
        "pupils": ar.total(np.ones(len(a.pupils), bool)),
        "daily": ar.total(daily),
        "walking": ar.total(walk),
        "dormitory": ar.total(sv & a.dorm),
        "unserved": ar.total(~sv),
        "unserved_unreachable": ar.total(~sv & ~a.reachable),
        "unserved_full": ar.total(~sv & a.reachable),
        "beyond_threshold": ar.total(a.beyond),
    }
    K, n_k = ar.K, ar.n_k
    mins = a.minutes[ar.rep]
    wt = np.where(daily[ar.rep], ar.W, 0.0)
    sw = np.bincount(K, wt, minlength=n_k)
    vals["mean_min"] = np.where(sw > 0, np.bincount(K, wt * np.nan_to_num(mins), minlength=n_k)
                                / np.where(sw > 0, sw, 1), np.nan)
    q = weighted_quantiles(K, mins, wt, (0.5, 0.9, 1.0), n_k)
    vals["median_min"], vals["p90_min"], vals["max_min"] = q[:, 0], q[:, 1], q[:, 2]
    days_week = settings.SCHOOL_DAYS_PER_WEEK
    km = np.where(daily & ~walk, 2 * a.dist_m / 1000.0, 0.0)
    km = km + np.where(sv & a.dorm, 2 * a.dist_m / 1000.0 / days_week, 0.0)
    km = np.nan_to_num(km)
    vals["pupil_km_per_day"] = np.bincount(K, ar.W * km[ar.rep], minlength=n_k)
    vals["transport_cost_eur"] = (vals["pupil_km_per_day"] * sc.school_days_per_year
                                  * sc.cost_per_pupil_km_eur)
    vals["dormitory_cost_eur"] = vals["dormitory"] * sc.dormitory_place_cost_eur
    vals["crossing_border"] = ar.total(_crossing(ar, a))
    return vals, wt


def _crossing(ar: _Areas, a) -> np.ndarray:
    """Flows to a school in another municipality than the home."""
    return (a.school >= 0) & (ar.s_area[np.maximum(a.school, 0)] != ar.fa)


def _school_flags(prep, a, st) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pupils per school, and which open schools are over capacity / under half full."""
    load = a.school_load(prep.n_schools)
    opn = st.open
    over = opn & (load > st.capacity + 1e-6)
    under = opn & np.isfinite(st.capacity) & (load < UNDER_CAPACITY_SHARE * st.capacity)
    return load, over, under


def _school_values(ar: _Areas, prep, st, load, over, under) -> dict:
    """Per area (by the school's municipality, all grades): open schools and their load."""
    n_s, n_a = prep.n_schools, ar.n_a
    sk = np.r_[np.zeros(n_s, np.int64), ar.s_area]
    srep = np.tile(np.arange(n_s), 2)
    sdup = np.r_[np.zeros(n_s, bool), ar.s_area == 0]
    sk, srep = sk[~sdup], srep[~sdup]
    n_open = np.bincount(sk, st.open[srep].astype(float), minlength=n_a)
    s_pupils = np.bincount(sk, load[srep], minlength=n_a)
    return {
        "schools": n_open,
        "pupils_per_school": np.where(n_open > 0, s_pupils / np.maximum(n_open, 1), np.nan),
        "schools_over_capacity": np.bincount(sk, over[srep].astype(float), minlength=n_a),
        "schools_under_half": np.bincount(sk, under[srep].astype(float), minlength=n_a),
    }


def _summary_table(ar: _Areas, vals: dict, school_vals: dict) -> pd.DataFrame:
    rows_area, rows_band = ar.rows()
    parts = []
    for name, v in vals.items():
        parts.append(pd.DataFrame({"area": rows_area, "grade_band": rows_band,
                                   "indicator": name, "value": v,
                                   "unit": INDICATORS[name][0]}))
    for name, v in school_vals.items():
        parts.append(pd.DataFrame({"area": np.asarray(ar.areas, object), "grade_band": ALL,
                                   "indicator": name, "value": v,
                                   "unit": INDICATORS[name][0]}))
    return pd.concat(parts, ignore_index=True)


def _time_band_table(ar: _Areas, a, wt: np.ndarray, vals: dict) -> pd.DataFrame:
    """Daily pupils per travel-time band (columns), area and grade band (rows)."""
    edges = np.asarray(time_bands_min(), float)
    labels = _band_labels(edges)
    tb = np.clip(np.searchsorted(edges, a.minutes, side="right") - 1, 0, len(edges) - 1)
    tbk = ar.K * len(labels) + tb[ar.rep]
    tcount = np.bincount(tbk, wt, minlength=ar.n_k * len(labels)).reshape(ar.n_k, len(labels))
    rows_area, rows_band = ar.rows()
    time_bands = pd.DataFrame(tcount, columns=[f"{lab} min" for lab in labels])
    time_bands.insert(0, "grade_band", rows_band)
    time_bands.insert(0, "area", rows_area)
    time_bands["dormitory"] = vals["dormitory"]
    time_bands["unserved"] = vals["unserved"]
    return time_bands


def _school_table(ar: _Areas, prep, a, st, load, over, under) -> pd.DataFrame:
    """Per school: pupils per band, capacity, utilisation, dormitory pupils, mean time."""
    nbs = prep.n_schools
    w = a.pupils
    sv = a.school >= 0
    daily = sv & ~a.dorm
    schools = st.table(prep).drop(columns=["x", "y"])
    for b, band in enumerate(ar.bands):
        m = sv & (a.band == b)
        schools[f"pupils_{band}"] = np.bincount(a.school[m], w[m], minlength=nbs)
    schools["pupils"] = load
    schools["utilisation"] = np.where(np.isfinite(st.capacity) & (st.capacity > 0),
                                      load / np.where(st.capacity > 0, st.capacity, 1), np.nan)
    schools["over_capacity"] = over
    schools["under_half"] = under
    schools["dormitory_pupils"] = a.dorm_load(nbs)
    dsw = np.bincount(a.school[daily], w[daily], minlength=nbs)
    schools["mean_min"] = np.where(dsw > 0, np.bincount(
        a.school[daily], (w * a.minutes)[daily], minlength=nbs) / np.maximum(dsw, 1e-300),
        np.nan)
    cross = _crossing(ar, a)
    schools["from_other_municipalities"] = np.bincount(a.school[cross], w[cross], minlength=nbs)
    return schools


def _municipal_flows(ar: _Areas, a) -> pd.DataFrame:
    """Pupils from each home municipality to each school municipality (or unserved)."""
    n_a = ar.n_a
    sv = a.school >= 0
    fm = np.where(sv, ar.s_area[np.maximum(a.school, 0)], -1)
    key = ar.fa * (n_a + 1) + (fm + 1)
    flow = np.bincount(key, a.pupils, minlength=n_a * (n_a + 1)).reshape(n_a, n_a + 1)
    names = np.asarray([""] + ar.munis, object)
    fi, fj = np.nonzero(flow > 0)
    flows = pd.DataFrame({
        "home_municipality": names[fi],
        "school_municipality": np.where(fj == 0, "(unserved)", names[np.maximum(fj - 1, 0)]),
        "pupils": flow[fi, fj],
    })
    flows["crossing"] = (flows["home_municipality"] != flows["school_municipality"]) & (fj > 0)
    return flows


def _unserved_table(prep, a, bands: list) -> pd.DataFrame:
    """Unserved pupils per origin and grade band, with the reason."""
    un = a.school < 0
    return pd.DataFrame({
        "origin_id": prep.origin_ids[a.origin[un]],
        "municipality": prep.origin_municipality[a.origin[un]],
        "grade_band": np.asarray(bands, object)[a.band[un]],
        "pupils": a.pupils[un],
        "reason": np.where(a.reachable[un], "all reachable schools full",
                           "no open school offering the grade reachable"),
    })


def indicators(ev) -> dict[str, pd.DataFrame]:
    """Every indicator of an evaluation, for the region and per municipality.

    Parameters
    ----------
    ev : geo.planning.evaluate.Evaluation

    Returns
    -------
    dict of pandas.DataFrame
        ``summary`` (long: ``area``, ``grade_band``, ``indicator``, ``value``, ``unit``),
        ``time_bands`` (pupils by travel-time band, area and grade band), ``schools`` (per
        school: pupils per band, capacity, utilisation, dormitory pupils, mean time),
        ``origins`` (per origin and band: pupils, mean time, main school, beyond threshold,
        unserved), ``municipal_flows`` (home municipality -> school municipality) and
        ``unserved`` (per origin, band and reason).
    """
    prep, a, st, sc = ev.prep, ev.assignment, ev.state, ev.scenario
    ar = _areas(prep, a)
    vals, wt = _flow_values(ar, a, sc)
    load, over, under = _school_flags(prep, a, st)
    school_vals = _school_values(ar, prep, st, load, over, under)
    return {"summary": _summary_table(ar, vals, school_vals),
            "time_bands": _time_band_table(ar, a, wt, vals),
            "schools": _school_table(ar, prep, a, st, load, over, under),
            "origins": origin_table(ev),
            "municipal_flows": _municipal_flows(ar, a),
            "unserved": _unserved_table(prep, a, ar.bands)}


def origin_table(ev) -> pd.DataFrame:
    """Per origin and grade band: pupils, pupil-weighted mean daily time, main school, pupils
    beyond the threshold, in dormitories and unserved (the white-spot layer)."""
    prep, a = ev.prep, ev.assignment
    nb = len(prep.bands)
    n = prep.n_origins * nb
    k = a.origin * nb + a.band
    w = a.pupils
    sv = a.school >= 0
    daily = sv & ~a.dorm
    dw = np.bincount(k[daily], w[daily], minlength=n)
    mean = np.where(dw > 0, np.bincount(k[daily], (w * a.minutes)[daily], minlength=n)
                    / np.maximum(dw, 1e-300), np.nan)
    # main school: the one with most pupils of the group
    order = np.lexsort((-w, k))
    first = np.ones(len(order), bool)
    first[1:] = k[order][1:] != k[order][:-1]
    main = np.full(n, -1, np.int64)
    main[k[order][first]] = a.school[order][first]
    sid = np.r_[prep.school_ids, [None]].astype(object)
    df = pd.DataFrame({
        "origin_id": np.repeat(prep.origin_ids, nb),
        "municipality": np.repeat(prep.origin_municipality, nb),
        "grade_band": np.tile(np.asarray(prep.bands, object), prep.n_origins),
        "pupils": np.bincount(k, w, minlength=n),
        "mean_min": mean,
        "max_min": _group_max(k[daily], a.minutes[daily], n),
        "school": sid[main],
        "beyond_threshold": np.bincount(k[a.beyond], w[a.beyond], minlength=n),
        "dormitory": np.bincount(k[sv & a.dorm], w[sv & a.dorm], minlength=n),
        "unserved": np.bincount(k[~sv], w[~sv], minlength=n),
    })
    df["white_spot"] = (df["beyond_threshold"] + df["unserved"]) > 1e-9
    return df


def _group_max(k, v, n):
    out = np.full(n, -np.inf)
    np.maximum.at(out, k, v)
    out[np.isinf(out)] = np.nan
    return out


# ------------------------------------------------------------------------------------------
# Comparison
# ------------------------------------------------------------------------------------------
def compare(ev_a, ev_b) -> dict[str, pd.DataFrame]:
    """Compare two evaluations of the same region (usually baseline ``a`` and proposal ``b``).

    Returns
    -------
    dict of pandas.DataFrame
        ``summary``: every indicator side by side (``value_a``, ``value_b``, ``diff``);
        ``origins``: per origin and band, mean daily time in both and the change, pupils
        beyond the threshold and unserved in both, and ``status`` (``newly beyond``,
        ``no longer beyond``, ``longer``, ``shorter``, ``unchanged``);
        ``switches``: pupils changing school (origin, band, ``school_a`` -> ``school_b``;
        when a group is split over several schools, the pupils who stay are matched first
        and the rest are apportioned in proportion);
        ``newly_beyond``: origins where pupils newly fall beyond the threshold or become
        unserved; ``schools``: pupils per school in both.

    Raises
    ------
    ValueError
        When the evaluations are of different regions (origins differ).
    """
    pa, pb = ev_a.prep, ev_b.prep
    if pa.n_origins != pb.n_origins or not np.array_equal(pa.origin_ids, pb.origin_ids):
        raise ValueError("compare: the two evaluations are of different regions")
    sa, sb = ev_a.indicators["summary"], ev_b.indicators["summary"]
    keys = ["area", "grade_band", "indicator", "unit"]
    summary = sa.merge(sb, on=keys, how="outer", suffixes=("_a", "_b"))
    summary["diff"] = summary["value_b"] - summary["value_a"]
    summary.insert(0, "scenario_b", ev_b.scenario.name)
    summary.insert(0, "scenario_a", ev_a.scenario.name)
    oa, ob = ev_a.indicators["origins"], ev_b.indicators["origins"]
    origins = oa[["origin_id", "municipality", "grade_band"]].copy()
    for c in ("pupils", "mean_min", "school", "beyond_threshold", "unserved", "dormitory"):
        origins[f"{c}_a"] = oa[c].to_numpy()
        origins[f"{c}_b"] = ob[c].to_numpy()
    origins["delta_min"] = origins["mean_min_b"] - origins["mean_min_a"]
    wa = origins["beyond_threshold_a"] + origins["unserved_a"]
    wb = origins["beyond_threshold_b"] + origins["unserved_b"]
    d = origins["delta_min"].to_numpy()
    status = np.where(d > 1e-6, "longer", np.where(d < -1e-6, "shorter", "unchanged"))
    status = np.where((wb > 1e-9) & (wa <= 1e-9), "newly beyond", status)
    status = np.where((wa > 1e-9) & (wb <= 1e-9), "no longer beyond", status)
    origins["status"] = status
    origins["newly_beyond_pupils"] = np.maximum(wb - wa, 0.0)
    newly = origins[origins["newly_beyond_pupils"] > 1e-9][
        ["origin_id", "municipality", "grade_band", "pupils_b", "mean_min_a", "mean_min_b",
         "school_a", "school_b", "newly_beyond_pupils", "unserved_b"]].reset_index(drop=True)
    switches = _switches(ev_a, ev_b)
    ta = ev_a.indicators["schools"][["id", "name", "open", "pupils"]]
    tb = ev_b.indicators["schools"][["id", "name", "open", "pupils"]]
    schools = ta.merge(tb, on=["id"], how="outer", suffixes=("_a", "_b"))
    schools["name"] = schools["name_a"].fillna(schools["name_b"])
    schools = schools.drop(columns=["name_a", "name_b"])
    schools[["pupils_a", "pupils_b"]] = schools[["pupils_a", "pupils_b"]].fillna(0.0)
    schools["diff"] = schools["pupils_b"] - schools["pupils_a"]
    return {"summary": summary, "origins": origins, "switches": switches,
            "newly_beyond": newly, "schools": schools}


def _group_shares(ev) -> pd.DataFrame:
    a, prep = ev.assignment, ev.prep
    sid = np.r_[prep.school_ids, ["(unserved)"]].astype(object)
    df = pd.DataFrame({"o": a.origin, "b": a.band, "s": sid[a.school], "w": a.pupils})
    df = df.groupby(["o", "b", "s"], as_index=False, sort=False)["w"].sum()
    tot = df.groupby(["o", "b"])["w"].transform("sum")
    df["p"] = np.where(tot > 0, df["w"] / tot, 0.0)
    return df


def _switches(ev_a, ev_b) -> pd.DataFrame:
    ga, gb = _group_shares(ev_a), _group_shares(ev_b)
    both = ga.merge(gb, on=["o", "b", "s"], how="outer", suffixes=("_a", "_b")).fillna(
        {"p_a": 0.0, "p_b": 0.0, "w_a": 0.0, "w_b": 0.0})
    both["stay"] = np.minimum(both["p_a"], both["p_b"])
    both["out"] = both["p_a"] - both["stay"]
    both["in"] = both["p_b"] - both["stay"]
    outs = both[both["out"] > 1e-12][["o", "b", "s", "out"]]
    ins = both[both["in"] > 1e-12][["o", "b", "s", "in"]]
    if outs.empty:
        cols = ["origin_id", "municipality", "grade_band", "school_a", "school_b", "pupils"]
        return pd.DataFrame(columns=cols)
    r = outs.groupby(["o", "b"])["out"].transform("sum")
    outs = outs.assign(R=r)
    m = outs.merge(ins, on=["o", "b"], suffixes=("_a", "_b"))
    pupils_b = ev_b.pupils[m["o"].to_numpy(), m["b"].to_numpy()]
    m["pupils"] = pupils_b * m["out"] * m["in"] / m["R"]
    prep = ev_a.prep
    out = pd.DataFrame({
        "origin_id": prep.origin_ids[m["o"].to_numpy()],
        "municipality": prep.origin_municipality[m["o"].to_numpy()],
        "grade_band": np.asarray(prep.bands, object)[m["b"].to_numpy()],
        "school_a": m["s_a"].to_numpy(), "school_b": m["s_b"].to_numpy(),
        "pupils": m["pupils"].to_numpy(),
    })
    return out[out["pupils"] > 1e-9].reset_index(drop=True)


def school_flows(switches: pd.DataFrame) -> pd.DataFrame:
    """Pupils changing school, summed per pair (``school_a`` -> ``school_b``)."""
    return (switches.groupby(["school_a", "school_b"], as_index=False)["pupils"].sum()
            .sort_values("pupils", ascending=False, ignore_index=True))


# ------------------------------------------------------------------------------------------
# Joint view: travel-time white spot AND broadband white spot (geo.broadband.joint)
# ------------------------------------------------------------------------------------------
#: Joint-view indicator keys -> (unit, Latvian, English).
JOINT_INDICATORS: dict[str, tuple[str, str, str]] = {
    "joint_gap": ("pupils", "Skolēni bez skolas sasniedzamības un bez interneta (≥30 Mbit/s)",
                  "Pupils beyond the threshold and in a broadband white spot"),
    "broadband_white": ("pupils", "Skolēni interneta baltajā zonā",
                        "Pupils in a broadband white spot"),
}
register({f"ind.{k}": {"lv": v[1], "en": v[2]} for k, v in JOINT_INDICATORS.items()})


def _joint_arrays(ev) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Pupils and travel-white pupils (beyond the threshold + unserved), (n_origins, n_bands)."""
    o = ev.indicators["origins"]
    nb = len(ev.prep.bands)
    p = o["pupils"].to_numpy(float).reshape(-1, nb)
    w = (o["beyond_threshold"] + o["unserved"]).to_numpy(float).reshape(-1, nb)
    return p, w, list(ev.prep.bands)


def joint_indicators(ev) -> dict[str, pd.DataFrame]:
    """Joint-gap figures of an evaluation, when the region knows each origin's broadband class
    (``prep.meta["broadband_class"]``, set by ``prepare_bundle``); else an empty dict.

    Returns
    -------
    dict of pandas.DataFrame
        ``summary``: the evaluation's summary with rows ``joint_gap`` and ``broadband_white``
        added (per area and grade band); ``joint``: per municipality x border band x grade
        band (:func:`geo.broadband.joint.joint_table`); ``joint_origins``: per origin and band,
        ``joint`` pupils.
    """
    cls = ev.prep.meta.get("broadband_class")
    if cls is None or len(cls) != ev.prep.n_origins or "origins" not in ev.indicators:
        return {}
    p, w, bands = _joint_arrays(ev)
    cls = np.asarray(cls, object)
    border = np.asarray(ev.prep.meta.get("border_band", ["(none)"] * len(cls)), object)
    muni = np.asarray(ev.prep.origin_municipality, object)
    by_muni = joint_table(p, w, cls, bands=bands, groups={"area": muni})
    rows = [pd.DataFrame({"area": by_muni["area"], "grade_band": by_muni["grade_band"],
                          "indicator": k, "value": by_muni[col], "unit": "pupils"})
            for k, col in (("joint_gap", "joint"), ("broadband_white", "broadband_white"))]
    summary = pd.concat([ev.indicators["summary"], *rows], ignore_index=True)
    joint = joint_table(p, w, cls, bands=bands, groups={"municipality": muni,
                                                        "border_band": border})
    o = ev.indicators["origins"]
    per_origin = o[["origin_id", "municipality", "grade_band"]].assign(
        broadband_class=np.repeat(cls, len(bands)),
        joint=joint_gap(w, np.isin(cls, list(WHITE_CLASSES))).ravel())
    return {"summary": summary, "joint": joint, "joint_origins": per_origin}


def compare_joint(ev_a, ev_b) -> pd.DataFrame:
    """Origins where pupils newly fall into the joint gap from ``ev_a`` to ``ev_b``
    (``joint_a``, ``joint_b``, ``newly_joint`` = max(b - a, 0)); empty without broadband data."""
    ja, jb = ev_a.indicators.get("joint_origins"), ev_b.indicators.get("joint_origins")
    if ja is None or jb is None:
        return pd.DataFrame(columns=["origin_id", "municipality", "grade_band", "joint_a",
                                     "joint_b", "newly_joint"])
    out = ja[["origin_id", "municipality", "grade_band", "broadband_class"]].copy()
    out["joint_a"] = ja["joint"].to_numpy()
    out["joint_b"] = jb["joint"].to_numpy()
    out["newly_joint"] = np.maximum(out["joint_b"] - out["joint_a"], 0.0)
    return out[(out["joint_a"] > 1e-9) | (out["joint_b"] > 1e-9)].reset_index(drop=True)
