"""Pupils per population cell and grade: where the demand for school places lives.

Method
------
The Census 2021 grid publishes the number of children under 15 per 1 km cell, but in rural
Latvia that count is confidential in most cells (suppressed in 5,129 of Vidzeme's 7,590 cells),
and no grid gives pupils per grade. The registry (IZM/VIIS) gives exact pupils per grade per
municipality. So pupils of municipality ``m`` in grade ``g`` are distributed over the cells of
``m`` in proportion to the cells' total population ``T``::

    pupils[c, g] = registry[m(c), g] * T[c] / sum(T[c'] for c' in m(c))

The table sums back exactly (up to floating point, < 1e-6) to the registry per municipality
and grade; :func:`integerise` rounds it by the largest-remainder method so that the integers
sum back exactly too.

Limits
------
* Registry pupils are counted where they go to school (the municipality of the school),
  not where they live: pupils crossing a municipal border (to a town gymnasium, or to Riga)
  are placed in the school's municipality. Using the per-municipality file (by school
  location) has the same limit.
* The share of children is assumed equal in every cell of a municipality: towns and villages
  with more (or fewer) young families than the rural average are under- (over-) estimated.
* Suppressed totals ``T`` count as 0 (3 Vidzeme cells, all with 0-20 people).
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import GeoInputError, Msg, Num
from geo.sources.boundaries import municipality_key
from geo.sources.izm import GRADE_COLUMNS

#: Grade columns of each band (``settings.GRADE_BANDS`` in column names).
BAND_COLUMNS: dict[str, tuple[str, ...]] = {
    "1-6": tuple(f"g{g}" for g in range(1, 7)),
    "7-9": tuple(f"g{g}" for g in range(7, 10)),
    "10-12": tuple(f"g{g}" for g in range(10, 13)),
}


def registry_pupils(
    table: pd.DataFrame,
    *,
    by: str = "municipality",
    grades: Iterable[str] = GRADE_COLUMNS,
) -> pd.DataFrame:
    """Registry pupils per municipality and grade.

    Parameters
    ----------
    table : pandas.DataFrame
        Schools (:func:`geo.sources.izm.read_schools` or ``read_pupils_by_institution``,
        aggregated by the school's municipality) or the per-municipality file
        (``read_pupils_by_municipality``).
    by : str, default "municipality"
        Municipality column.
    grades : iterable of str, default ``g1`` ... ``g12``

    Returns
    -------
    pandas.DataFrame
        Index: municipality (display name), columns: the grades (int).
    """
    grades = list(grades)
    missing = [c for c in [by, *grades] if c not in table.columns]
    if missing:
        raise GeoInputError(Msg("err.demand.pupils_columns", missing=str(missing),
                                found=str(list(table.columns))), path=table.attrs.get("source"))
    out = table.groupby(by, sort=True)[grades].sum()
    out.index.name = "municipality"
    return out


def distribute_pupils(
    cells: pd.DataFrame,
    pupils: pd.DataFrame,
    *,
    weight: str = "T",
    municipality: str = "municipality",
    cell_id: str = "cell_id",
) -> pd.DataFrame:
    """Distribute registry pupils per municipality and grade over cells by population.

    Parameters
    ----------
    cells : DataFrame or GeoDataFrame
        Population cells with ``weight`` (NaN counts as 0) and ``municipality`` columns,
        e.g. :func:`geo.sources.census.read_census_grid` with ``clip=boundaries``.
    pupils : pandas.DataFrame
        Municipality (index, any spelling: matched by
        :func:`~geo.sources.boundaries.municipality_key`) x grade, from
        :func:`registry_pupils`.
    weight : str, default "T"
        Population column.
    municipality : str, default "municipality"
        Municipality column of ``cells``.
    cell_id : str, default "cell_id"
        Id column of ``cells`` (the index is used when absent).

    Returns
    -------
    DataFrame or GeoDataFrame (like ``cells``)
        One row per cell: ``cell_id``, ``municipality``, one float column per grade of
        ``pupils``, and ``geometry`` when ``cells`` has one. ``attrs["check"]`` holds the
        largest absolute difference between the sums per municipality and grade and the
        registry.

    Raises
    ------
    GeoInputError
        A municipality of ``pupils`` has no cells, or its cells have no population while it
        has pupils.
    """
    for c in (weight, municipality):
        if c not in cells.columns:
            raise GeoInputError(
                Msg("err.demand.cells_column", column=repr(c), found=str(list(cells.columns))),
                path=cells.attrs.get("source"), fix=Msg("err.demand.cells_column.fix"),
            )
    grades = list(pupils.columns)
    pkeys = [municipality_key(m) for m in pupils.index]
    if len(set(pkeys)) != len(pkeys):
        raise GeoInputError(Msg("err.demand.repeat", names=str(list(pupils.index))))
    ckeys = cells[municipality].map(municipality_key).to_numpy(dtype=object)
    lookup = {k: i for i, k in enumerate(pkeys)}
    m = np.array([lookup.get(k, -1) for k in ckeys], dtype=np.int64)
    w = _weights(cells, weight, cell_id)
    n_m = len(pkeys)
    inside = m >= 0
    wsum = np.bincount(m[inside], weights=w[inside], minlength=n_m)
    ncell = np.bincount(m[inside], minlength=n_m)
    P = pupils.to_numpy(dtype=float)
    no_cells = [pupils.index[i] for i in range(n_m) if ncell[i] == 0 and P[i].sum() > 0]
    if no_cells:
        raise GeoInputError(
            Msg("err.demand.no_cells", names=str(no_cells),
                found=str(sorted(set(cells[municipality].dropna())))),
            path=cells.attrs.get("source"), fix=Msg("err.demand.no_cells.fix"),
        )
    empty = [pupils.index[i] for i in range(n_m) if wsum[i] == 0 and P[i].sum() > 0]
    if empty:
        raise GeoInputError(Msg("err.demand.no_population", names=str(empty)),
                            path=cells.attrs.get("source"), fix=Msg("err.demand.no_cells.fix"))
    share = np.zeros(len(w))
    share[inside] = w[inside] / np.where(wsum > 0, wsum, 1.0)[m[inside]]
    values = np.zeros((len(w), len(grades)))
    values[inside] = share[inside, None] * P[m[inside]]
    ids = cells[cell_id].to_numpy() if cell_id in cells.columns else cells.index.to_numpy()
    out = pd.DataFrame(values, columns=grades, index=cells.index)
    out.insert(0, "cell_id", ids)
    out.insert(1, "municipality", cells[municipality].to_numpy())
    back = np.zeros_like(P)
    np.add.at(back, m[inside], values[inside])
    if isinstance(cells, gpd.GeoDataFrame):
        out = gpd.GeoDataFrame(out, geometry=cells.geometry.to_numpy(), crs=cells.crs)
    out.attrs = {
        "source": cells.attrs.get("source"),
        "check": float(np.abs(back - P).max()) if P.size else 0.0,
        "cells_outside_registry": int((~inside).sum()),
        "method": "registry pupils per municipality and grade x cell population share",
    }
    return out


def _weights(cells: pd.DataFrame, weight: str, cell_id: str) -> np.ndarray:
    """The population column as floats (blank = 0), refusing text, negative and infinite
    values and cells given twice, naming the cells."""
    src = cells.attrs.get("source")
    ids = cells[cell_id] if cell_id in cells.columns else pd.Series(cells.index, index=cells.index)
    raw = cells[weight]
    v = pd.to_numeric(raw, errors="coerce")
    text = (v.isna() & raw.notna() & (raw.astype(str).str.strip() != "")).to_numpy()
    w = v.fillna(0.0).to_numpy(dtype=float)
    problems = ((text, Msg("err.demand.text", column=repr(weight))),
                (~np.isfinite(w), Msg("err.demand.infinite", column=repr(weight))),
                (w < 0, Msg("err.demand.negative", column=repr(weight))),
                (ids.duplicated(keep=False).to_numpy(), Msg("err.demand.twice")))
    for mask, what in problems:
        if mask.any():
            named = ", ".join(map(str, ids.to_numpy()[mask][:5]))
            raise GeoInputError(Msg("err.demand.cells", what=what, cells=named,
                                    n=Num(int(mask.sum()))), path=src,
                                fix=Msg("err.demand.cells.fix"))
    return w


def integerise(
    table: pd.DataFrame,
    *,
    grades: Iterable[str] | None = None,
    by: str = "municipality",
) -> pd.DataFrame:
    """Round a pupils table to integers that keep the totals per group and grade exactly.

    Largest-remainder (Hamilton) rounding: each value is floored, and the pupils lost per
    (``by`` group, grade) go one by one to the cells with the largest remainders (ties: the
    earlier row).

    Parameters
    ----------
    table : DataFrame
        From :func:`distribute_pupils`.
    grades : iterable of str, optional
        Columns to round (default: ``g1`` ... ``g12`` present in the table).
    by : str, default "municipality"

    Returns
    -------
    DataFrame (same type as ``table``)
        The grade columns as int64.
    """
    grades = [c for c in (grades or GRADE_COLUMNS) if c in table.columns]
    out = table.copy()
    codes, _ = pd.factorize(table[by], use_na_sentinel=False)
    n_g = codes.max() + 1 if len(codes) else 0
    order_idx = np.arange(len(codes))
    for c in grades:
        x = table[c].to_numpy(dtype=float)
        f = np.floor(x)
        r = x - f
        target = np.rint(np.bincount(codes, weights=x, minlength=n_g))
        deficit = (target - np.bincount(codes, weights=f, minlength=n_g)).astype(np.int64)
        order = np.lexsort((order_idx, -r, codes))
        sc = codes[order]
        start = np.searchsorted(sc, np.arange(n_g))
        rank = np.arange(len(order)) - start[sc]
        add = np.zeros(len(x))
        add[order] = (rank < deficit[sc]).astype(float)
        out[c] = (f + add).astype(np.int64)
    return out


def band_totals(table: pd.DataFrame) -> pd.DataFrame:
    """Pupils per grade band (``1-6``, ``7-9``, ``10-12``) from a cell x grade table."""
    return pd.DataFrame(
        {band: table[list(cols)].sum(axis=1) for band, cols in BAND_COLUMNS.items()},
        index=table.index,
    )
