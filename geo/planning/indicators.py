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

import numpy as np
import pandas as pd

from geo import settings
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
UNDER_CAPACITY_SHARE = 0.5


def time_bands_min() -> tuple[float, ...]:
    """Travel-time bands (minutes) of the tables: those of the maps when defined."""
    return tuple(getattr(settings, "MAP_TIME_BANDS_MIN", (0, 10, 20, 30, 45, 60)))


def _band_labels(edges) -> list[str]:
    e = [int(v) if float(v).is_integer() else v for v in edges]
    return [f"{e[i]}-{e[i + 1]}" for i in range(len(e) - 1)] + [f"{e[-1]}+"]


def weighted_quantiles(key: np.ndarray, values: np.ndarray, weights: np.ndarray,
                       qs: tuple[float, ...], n_keys: int) -> np.ndarray:
    """Weighted quantiles of ``values`` per ``key`` (lower quantile: the smallest value with
    at least the share ``q`` of the weight at or below it).

    Returns
    -------
    numpy.ndarray, shape (n_keys, len(qs))
        NaN for keys without weight.
    """
    out = np.full((n_keys, len(qs)), np.nan)
    ok = (weights > 0) & np.isfinite(values)
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


def indicators(ev) -> dict[str, pd.DataFrame]:
    """Every indicator of an evaluation, for the region and per municipality.

    Parameters
    ----------
    ev : geo.planning.scenario.Evaluation

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
    bands = list(prep.bands)
    nb = len(bands)
    munis = np.unique(np.r_[prep.origin_municipality, prep.schools["municipality"].to_numpy(str)])
    munis = [m for m in munis if m != ""]
    areas = [REGION, *munis]
    amap = {m: i + 1 for i, m in enumerate(munis)}
    o_area = np.array([amap.get(m, 0) for m in prep.origin_municipality], np.int64)
    s_muni = prep.schools["municipality"].to_numpy(str)
    s_area = np.array([amap.get(m, 0) for m in s_muni], np.int64)
    n_a = len(areas)
    bcols = nb + 1  # bands + all
    n_k = n_a * bcols

    fa = o_area[a.origin]
    w = a.pupils
    sv = a.school >= 0
    sj = np.maximum(a.school, 0)
    daily = sv & ~a.dorm
    walk = daily & (a.mode == WALK)

    def keys(area_idx, band_idx):
        """Each flow counted in (region, band), (region, all), (area, band), (area, all)."""
        kk = np.concatenate([
            0 * bcols + band_idx, 0 * bcols + nb + 0 * band_idx,
            area_idx * bcols + band_idx, area_idx * bcols + nb + 0 * band_idx,
        ])
        return kk

    K = keys(fa, a.band)
    rep = np.tile(np.arange(len(w)), 4)
    # municipal areas counted twice when the origin has no municipality (area 0 = region):
    # drop those duplicate rows
    dup = np.r_[np.zeros(2 * len(w), bool), np.tile(fa == 0, 2)]
    K, rep = K[~dup], rep[~dup]
    W = w[rep]

    def total(mask):
        m = mask[rep]
        return np.bincount(K[m], W[m], minlength=n_k)

    vals = {
        "pupils": total(np.ones(len(w), bool)),
        "daily": total(daily),
        "walking": total(walk),
        "dormitory": total(sv & a.dorm),
        "unserved": total(~sv),
        "unserved_unreachable": total(~sv & ~a.reachable),
        "unserved_full": total(~sv & a.reachable),
        "beyond_threshold": total(a.beyond),
    }
    dm = daily[rep]
    mins = a.minutes[rep]
    wt = np.where(dm, W, 0.0)
    sw = np.bincount(K, wt, minlength=n_k)
    vals["mean_min"] = np.where(sw > 0, np.bincount(K, wt * np.nan_to_num(mins), minlength=n_k)
                                / np.where(sw > 0, sw, 1), np.nan)
    q = weighted_quantiles(K, mins, wt, (0.5, 0.9, 1.0), n_k)
    vals["median_min"], vals["p90_min"], vals["max_min"] = q[:, 0], q[:, 1], q[:, 2]
    days_week = settings.SCHOOL_DAYS_PER_WEEK
    km = np.where(daily & ~walk, 2 * a.dist_m / 1000.0, 0.0)
    km = km + np.where(sv & a.dorm, 2 * a.dist_m / 1000.0 / days_week, 0.0)
    km = np.nan_to_num(km)
    vals["pupil_km_per_day"] = np.bincount(K, W * km[rep], minlength=n_k)
    vals["transport_cost_eur"] = (vals["pupil_km_per_day"] * sc.school_days_per_year
                                  * sc.cost_per_pupil_km_eur)
    vals["dormitory_cost_eur"] = vals["dormitory"] * sc.dormitory_place_cost_eur
    cross = sv & (s_area[sj] != fa)
    vals["crossing_border"] = total(cross)
    # school indicators (by the school's municipality, all grades)
    load = a.school_load(prep.n_schools)
    opn = st.open
    sk = np.r_[np.zeros(prep.n_schools, np.int64), s_area]
    srep = np.tile(np.arange(prep.n_schools), 2)
    sdup = np.r_[np.zeros(prep.n_schools, bool), s_area == 0]
    sk, srep = sk[~sdup], srep[~sdup]
    n_open = np.bincount(sk, opn[srep].astype(float), minlength=n_a)
    over = opn & (load > st.capacity + 1e-6)
    under = opn & np.isfinite(st.capacity) & (load < UNDER_CAPACITY_SHARE * st.capacity)
    s_pupils = np.bincount(sk, load[srep], minlength=n_a)
    school_vals = {
        "schools": n_open,
        "pupils_per_school": np.where(n_open > 0, s_pupils / np.maximum(n_open, 1), np.nan),
        "schools_over_capacity": np.bincount(sk, over[srep].astype(float), minlength=n_a),
        "schools_under_half": np.bincount(sk, under[srep].astype(float), minlength=n_a),
    }
    band_names = [*bands, ALL]
    rows_area = np.repeat(np.asarray(areas, object), bcols)
    rows_band = np.tile(np.asarray(band_names, object), n_a)
    parts = []
    for name, v in vals.items():
        parts.append(pd.DataFrame({"area": rows_area, "grade_band": rows_band,
                                   "indicator": name, "value": v,
                                   "unit": INDICATORS[name][0]}))
    for name, v in school_vals.items():
        parts.append(pd.DataFrame({"area": np.asarray(areas, object), "grade_band": ALL,
                                   "indicator": name, "value": v,
                                   "unit": INDICATORS[name][0]}))
    summary = pd.concat(parts, ignore_index=True)

    # travel-time bands
    edges = np.asarray(time_bands_min(), float)
    labels = _band_labels(edges)
    tb = np.clip(np.searchsorted(edges, a.minutes, side="right") - 1, 0, len(edges) - 1)
    tbk = K * len(labels) + tb[rep]
    tcount = np.bincount(tbk, wt, minlength=n_k * len(labels)).reshape(n_k, len(labels))
    time_bands = pd.DataFrame(tcount, columns=[f"{lab} min" for lab in labels])
    time_bands.insert(0, "grade_band", rows_band)
    time_bands.insert(0, "area", rows_area)
    time_bands["dormitory"] = vals["dormitory"]
    time_bands["unserved"] = vals["unserved"]

    # schools
    nbs = prep.n_schools
    schools = st.table(prep).drop(columns=["x", "y"])
    for b in range(nb):
        m = sv & (a.band == b)
        schools[f"pupils_{bands[b]}"] = np.bincount(a.school[m], w[m], minlength=nbs)
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
    cr = np.bincount(a.school[cross], w[cross], minlength=nbs)
    schools["from_other_municipalities"] = cr

    origins = origin_table(ev)
    # municipal flows
    fm = np.where(sv, s_area[sj], -1)
    key = fa * (n_a + 1) + (fm + 1)
    flow = np.bincount(key, w, minlength=n_a * (n_a + 1)).reshape(n_a, n_a + 1)
    names = np.asarray([""] + munis, object)
    fi, fj = np.nonzero(flow > 0)
    municipal_flows = pd.DataFrame({
        "home_municipality": names[fi],
        "school_municipality": np.where(fj == 0, "(unserved)", names[np.maximum(fj - 1, 0)]),
        "pupils": flow[fi, fj],
    })
    municipal_flows["crossing"] = (municipal_flows["home_municipality"]
                                   != municipal_flows["school_municipality"]) & (fj > 0)
    un = ~sv
    unserved = pd.DataFrame({
        "origin_id": prep.origin_ids[a.origin[un]],
        "municipality": prep.origin_municipality[a.origin[un]],
        "grade_band": np.asarray(bands, object)[a.band[un]],
        "pupils": w[un],
        "reason": np.where(a.reachable[un], "all reachable schools full",
                           "no open school offering the grade reachable"),
    })
    return {"summary": summary, "time_bands": time_bands, "schools": schools,
            "origins": origins, "municipal_flows": municipal_flows, "unserved": unserved}


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
