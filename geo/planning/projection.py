"""Pupil projections for a target year from the population trend of the census grids.

Method
    1. Municipality trend: a log-linear least-squares fit of the municipality's total
       population over the grid years (default 2011, 2018, 2021), ``ln P(t) = a + r t``; ``r``
       is the annual log growth rate.
    2. Cell trend: the same fit on the cell's own population, for cells populated in every
       year; other cells take the municipality rate.
    3. Shrinkage: a cell's rate is ``n / (n + K) * r_cell + K / (n + K) * r_municipality``,
       ``n`` = the cell's mean population over the years and ``K`` =
       :data:`geo.settings.PROJECTION_SHRINKAGE_PERSONS`: small cells, whose counts are noisy
       (and rounded or perturbed for confidentiality), follow their municipality; large
       ones keep their own trend. Rates are clipped to +-
       :data:`geo.settings.PROJECTION_MAX_ANNUAL_RATE`.
    4. Projection: pupils(target) = pupils(base) x exp(rate x (target - base)).

Assumptions to keep in mind: pupils change at the rate of the total population (the grids
give only totals per cell); the 2011 and 2018 grids (GEOSTAT) and the 2021 census grid are
compiled with different methods; trends are extrapolated, so projections far beyond the last
census year are indicative only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo import settings
from geo.errors import GeoInputError, Msg


def _loglinear_rate(years: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Least-squares slope of ln(values) on years, per row (values > 0 in every column)."""
    t = years - years.mean()
    lv = np.log(values)
    return (lv - lv.mean(axis=1, keepdims=True)) @ t / (t @ t)


def municipality_trend(long: pd.DataFrame, *, years: Sequence[int] | None = None,
                       by: str = "municipality") -> pd.DataFrame:
    """Annual log growth rate of each municipality's population.

    Parameters
    ----------
    long : pandas.DataFrame
        Long table ``cell_id``, ``year``, ``T``, ``municipality``
        (:func:`geo.sources.census.read_population_years` with ``clip=``).
    years : sequence of int, default settings.PROJECTION_YEARS (those present)
    by : str, default "municipality"

    Returns
    -------
    pandas.DataFrame
        Index municipality; one column per year (population) and ``rate`` (per year).
    """
    _check(long, by)
    ys = _years(long, years)
    t = long[long["year"].isin(ys)].pivot_table(index=by, columns="year", values="T",
                                                  aggfunc="sum", fill_value=0.0)
    t = t.reindex(columns=ys, fill_value=0.0)
    vals = t.to_numpy(float)
    ok = (vals > 0).all(axis=1)
    rate = np.zeros(len(t))
    if ok.any():
        rate[ok] = _loglinear_rate(np.asarray(ys, float), vals[ok])
    t["rate"] = np.clip(rate, -settings.PROJECTION_MAX_ANNUAL_RATE,
                        settings.PROJECTION_MAX_ANNUAL_RATE)
    return t


def cell_trend(
    long: pd.DataFrame,
    *,
    years: Sequence[int] | None = None,
    by: str = "municipality",
    shrinkage_persons: float = settings.PROJECTION_SHRINKAGE_PERSONS,
    max_rate: float = settings.PROJECTION_MAX_ANNUAL_RATE,
) -> pd.DataFrame:
    """Annual growth rate of every cell, shrunk to its municipality's trend.

    Parameters
    ----------
    long : pandas.DataFrame
        As for :func:`municipality_trend`.
    years : sequence of int, default settings.PROJECTION_YEARS (those present)
    by : str, default "municipality"
    shrinkage_persons : float, default settings.PROJECTION_SHRINKAGE_PERSONS
        ``K`` of the module docstring (persons).
    max_rate : float, default settings.PROJECTION_MAX_ANNUAL_RATE

    Returns
    -------
    pandas.DataFrame
        One row per cell: ``cell_id``, ``municipality``, ``mean_population``,
        ``rate_cell`` (NaN when not populated every year), ``rate_municipality``,
        ``weight`` (of the cell's own rate), ``rate``.
    """
    _check(long, by)
    ys = _years(long, years)
    sub = long[long["year"].isin(ys)]
    wide = sub.pivot_table(index="cell_id", columns="year", values="T", aggfunc="sum")
    wide = wide.reindex(columns=ys)
    muni = sub.drop_duplicates("cell_id", keep="last").set_index("cell_id")[by]
    vals = wide.to_numpy(float)
    full = np.isfinite(vals).all(axis=1) & (np.nan_to_num(vals) > 0).all(axis=1)
    rc = np.full(len(wide), np.nan)
    if full.any():
        rc[full] = _loglinear_rate(np.asarray(ys, float), vals[full])
    mt = municipality_trend(long, years=ys, by=by)["rate"]
    rm = muni.reindex(wide.index).map(mt).fillna(0.0).to_numpy(float)
    n = np.nanmean(np.nan_to_num(vals, nan=0.0), axis=1)
    wgt = np.where(full, n / (n + shrinkage_persons), 0.0)
    rate = np.clip(wgt * np.nan_to_num(rc) + (1 - wgt) * rm, -max_rate, max_rate)
    return pd.DataFrame({
        "cell_id": wide.index.to_numpy(), "municipality": muni.reindex(wide.index).to_numpy(),
        "mean_population": n, "rate_cell": rc, "rate_municipality": rm, "weight": wgt,
        "rate": rate,
    })


def project(pupils: np.ndarray, rate: np.ndarray, base_year: int, target_year: int) -> np.ndarray:
    """Pupils of ``target_year``: ``pupils x exp(rate x (target - base))`` (rate per row)."""
    f = np.exp(np.asarray(rate, float) * (int(target_year) - int(base_year)))
    p = np.asarray(pupils, float)
    return p * (f[:, None] if p.ndim == 2 else f)


def origin_rates(
    origin_cell: np.ndarray,
    origin_municipality: np.ndarray,
    trend: pd.DataFrame,
) -> np.ndarray:
    """Growth rate of each origin: its cell's rate, else its municipality's, else 0.

    Parameters
    ----------
    origin_cell : array of str
        Cell id of each origin (e.g. the census ``GRD_ID`` / ``cell_id``); unknown ids fall back.
    origin_municipality : array of str
    trend : pandas.DataFrame
        From :func:`cell_trend`.
    """
    by_cell = trend.set_index("cell_id")["rate"]
    by_muni = trend.groupby("municipality")["rate_municipality"].first()
    r = pd.Series(np.asarray(origin_cell, object)).map(by_cell)
    m = pd.Series(np.asarray(origin_municipality, object)).map(by_muni)
    return r.fillna(m).fillna(0.0).to_numpy(float)


def attach_growth(prep, long: pd.DataFrame, *, origin_cells=None, **kw):
    """Set ``prep.growth_rate`` from a long population table (see :func:`cell_trend`).

    ``origin_cells`` defaults to the origin ids (census cells as origins).
    """
    tr = cell_trend(long, **kw)
    cells = prep.origin_ids if origin_cells is None else origin_cells
    prep.growth_rate = origin_rates(cells, prep.origin_municipality, tr)
    prep._cache = {k: v for k, v in prep._cache.items() if k[0] != "pupils"}
    prep.meta["projection"] = {"method": "log-linear cell trend shrunk to municipality",
                               "years": sorted(int(y) for y in long["year"].unique())}
    return prep


def projection_table(trend_m: pd.DataFrame, base_year: int, target_years: Sequence[int]
                     ) -> pd.DataFrame:
    """Projected population factor per municipality and target year (for reports)."""
    out = pd.DataFrame(index=trend_m.index)
    out["rate"] = trend_m["rate"]
    for y in target_years:
        out[f"factor_{y}"] = np.exp(trend_m["rate"] * (int(y) - int(base_year)))
    return out


def _check(long, by):
    missing = [c for c in ("cell_id", "year", "T", by) if c not in long.columns]
    if missing:
        raise GeoInputError(
            Msg("err.proj.columns", missing=str(missing), columns=str(list(long.columns))),
            path=long.attrs.get("source"), fix=Msg("err.proj.columns.fix"))


def _years(long, years):
    have = sorted(int(y) for y in long["year"].unique())
    ys = [int(y) for y in (years or settings.PROJECTION_YEARS) if int(y) in have]
    if len(ys) < 2:
        raise GeoInputError(Msg("err.proj.years", years=str(have)),
                            path=long.attrs.get("source"), fix=Msg("err.proj.years.fix"))
    return ys
