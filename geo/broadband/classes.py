"""Broadband classes per cell and the tables of population, under-15s and pupils per class.

Classes (thresholds in :mod:`geo.settings`; definitions also in the README):

* ``nga_class`` (declared, operator layers): ``white`` (no operator's network reaches the cell
  at >= ``BROADBAND_NGA_MBPS`` = 30 Mbit/s), ``grey`` (one operator), ``black`` (two or more):
  the EU 2013 broadband guidelines;
* ``target_100`` (declared): True where no operator declares >= ``BROADBAND_FAST_MBPS`` = 100
  Mbit/s (the 2023 guidelines' test); ``gigabit``: True where at least one operator declares
  >= ``BROADBAND_GIGABIT_MBPS`` = 1 Gbit/s (Digital Decade 2030);
* ``measured_class`` (Ookla proxy, labelled *measured*, never *declared*): ``measured_white``
  (best measured download < 30 Mbit/s), ``measured_nga`` ("NGA evidence": >= 30 Mbit/s) or
  ``unknown`` (no test in the cell: unknown, never "no coverage");
* ``broadband_class``: ``nga_class`` when an operator layer was given, else ``measured_class``;
  ``class_source`` says which (``declared`` / ``measured``).

Every table adds up exactly: per municipality, the population of the classes (``unknown``
included) equals the municipality's grid total, and so do the pupils (rounded to whole pupils
per municipality and grade by :func:`geo.region.demand.integerise` first).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo import settings
from geo.broadband.coverage import threshold_key
from geo.i18n import register

#: Class labels in map and table order.
DECLARED_CLASSES = ("white", "grey", "black")
MEASURED_CLASSES = ("measured_white", "measured_nga", "unknown")
ALL_CLASSES = (*DECLARED_CLASSES, *MEASURED_CLASSES)
#: Classes that count as a broadband white spot (declared or measured).
WHITE_CLASSES = ("white", "measured_white")
#: Name of the whole-region row of the tables.
REGION = "(region)"

register({
    "bb.class.white": {"lv": "Baltā zona (nav NGA ≥30 Mbit/s)",
                       "en": "White (no NGA network ≥30 Mbit/s)"},
    "bb.class.grey": {"lv": "Pelēkā zona (viens NGA operators)",
                      "en": "Grey (one NGA operator)"},
    "bb.class.black": {"lv": "Melnā zona (divi vai vairāk NGA operatori)",
                       "en": "Black (two or more NGA operators)"},
    "bb.class.measured_white": {"lv": "Izmērīts <30 Mbit/s (baltā zona pēc mērījumiem)",
                                "en": "Measured <30 Mbit/s (white by measurement)"},
    "bb.class.measured_nga": {"lv": "Izmērīts ≥30 Mbit/s (NGA pazīmes)",
                              "en": "Measured ≥30 Mbit/s (NGA evidence)"},
    "bb.class.unknown": {"lv": "Nav zināms (nav mērījumu)", "en": "Unknown (no test)"},
    "bb.source.declared": {"lv": "operatoru deklarētais pārklājums",
                           "en": "declared by operators"},
    "bb.source.measured": {"lv": "izmērīts (Ookla), nevis deklarēts",
                           "en": "measured (Ookla), not declared"},
})


def classify(table: pd.DataFrame, *, nga_mbps: float | None = None,
             fast_mbps: float | None = None, gigabit_mbps: float | None = None) -> pd.DataFrame:
    """Add the broadband classes to a per-cell table.

    Parameters
    ----------
    table : DataFrame
        Per cell: ``best_mbps`` (Ookla, NaN: unknown) and, when an operator layer was given,
        ``n_ops_<T>`` for the three thresholds (:func:`geo.broadband.coverage.operators_per_cell`).
    nga_mbps, fast_mbps, gigabit_mbps : float, optional
        Defaults ``settings.BROADBAND_NGA_MBPS`` (30), ``BROADBAND_FAST_MBPS`` (100),
        ``BROADBAND_GIGABIT_MBPS`` (1000). The ``n_ops_<T>`` columns must exist for them.

    Returns
    -------
    DataFrame
        A copy with ``nga_class``, ``target_100``, ``gigabit`` (None / NaN without declared
        data), ``measured_class``, ``measured_below_30``, ``measured_below_100`` (NaN when
        unknown), ``broadband_class``, ``class_source``, ``broadband_white``.
    """
    nga = settings.BROADBAND_NGA_MBPS if nga_mbps is None else nga_mbps
    fast = settings.BROADBAND_FAST_MBPS if fast_mbps is None else fast_mbps
    gig = settings.BROADBAND_GIGABIT_MBPS if gigabit_mbps is None else gigabit_mbps
    out = table.copy()
    _declared_classes(out, nga, fast, gig)
    _measured_classes(out, nga, fast)
    declared = out["nga_class"].notna().to_numpy()
    out["broadband_class"] = np.where(declared, out["nga_class"].to_numpy(object),
                                      out["measured_class"].to_numpy(object))
    out["class_source"] = np.where(declared, "declared", "measured")
    out["broadband_white"] = out["broadband_class"].isin(WHITE_CLASSES).to_numpy()
    return out


def _declared_classes(out: pd.DataFrame, nga: float, fast: float, gig: float) -> None:
    col = f"n_ops_{threshold_key(nga)}"
    if col not in out or out[col].isna().all():
        out["nga_class"] = None
        out["target_100"] = np.nan
        out["gigabit"] = np.nan
        return
    n = out[col].to_numpy(float)
    cls = np.where(n >= 2, "black", np.where(n >= 1, "grey", "white")).astype(object)
    cls[np.isnan(n)] = None
    out["nga_class"] = cls
    out["target_100"] = out[f"n_ops_{threshold_key(fast)}"].to_numpy(float) < 1
    out["gigabit"] = out[f"n_ops_{threshold_key(gig)}"].to_numpy(float) >= 1


def _measured_classes(out: pd.DataFrame, nga: float, fast: float) -> None:
    best = out["best_mbps"].to_numpy(float)
    known = np.isfinite(best)
    out["measured_class"] = np.where(~known, "unknown", np.where(
        best >= nga, "measured_nga", "measured_white")).astype(object)
    out[f"measured_below_{threshold_key(nga)}"] = np.where(known, best < nga, np.nan)
    out[f"measured_below_{threshold_key(fast)}"] = np.where(known, best < fast, np.nan)


# ------------------------------------------------------------------------------------------
# Tables
# ------------------------------------------------------------------------------------------
def class_table(
    cells: pd.DataFrame,
    *,
    by: str | list[str] = "municipality",
    class_col: str = "broadband_class",
    values: tuple[str, ...] = ("population", "under15_published", "pupils"),
    classes: tuple[str, ...] | None = None,
    total_row: bool = True,
) -> pd.DataFrame:
    """Sums of ``values`` per group and class (wide), with totals and shares.

    Parameters
    ----------
    cells : DataFrame
        Per cell: the ``by`` column(s), ``class_col`` and the value columns (NaN counts as 0:
        ``under15_published`` is NaN where the census suppressed it, so its sums cover the
        published cells only).
    by : str or list of str, default "municipality"
    class_col : str, default "broadband_class"
    values : tuple of str
        Columns summed; those absent are skipped.
    classes : tuple of str, optional
        Class columns, in order (default: the classes present, in :data:`ALL_CLASSES` order).
    total_row : bool, default True
        Add a ``(region)`` row (only with a single ``by`` column).

    Returns
    -------
    DataFrame
        One row per group: ``<value>_<class>`` for each value and class, ``<value>_total``,
        ``share_<class>`` (of ``population_total``) and ``cells_<class>``. Integer-valued sums
        stay exact (int64).
    """
    by = [by] if isinstance(by, str) else list(by)
    present = list(dict.fromkeys(cells[class_col].dropna()))
    classes = classes or tuple(c for c in ALL_CLASSES if c in present) + tuple(
        c for c in present if c not in ALL_CLASSES)
    vals = [v for v in values if v in cells.columns]
    df = cells[by + [class_col] + vals].copy()
    df[vals] = df[vals].fillna(0)
    df["cells"] = 1
    g = df.groupby(by + [class_col], dropna=False)[vals + ["cells"]].sum()
    wide = g.unstack(class_col, fill_value=0)
    out = pd.DataFrame(index=wide.index)
    for v in vals + ["cells"]:
        for c in classes:
            out[f"{v}_{c}"] = wide[(v, c)] if (v, c) in wide.columns else 0
        out[f"{v}_total"] = df.groupby(by)[v].sum().reindex(out.index)
    if total_row and len(by) == 1:
        tot = out.sum(axis=0).to_frame().T
        tot.index = pd.Index([REGION], name=by[0])
        out = pd.concat([out, tot])
    pop = out.get("population_total")
    for c in classes:
        if pop is not None:
            out[f"share_{c}"] = np.where(pop > 0, out[f"population_{c}"] / pop.where(pop > 0, 1),
                                         np.nan)
    out = _exact_ints(out)
    return out.reset_index()


def _exact_ints(df: pd.DataFrame) -> pd.DataFrame:
    for c in df.columns:
        v = df[c].to_numpy()
        if v.dtype.kind == "f" and np.all(np.isfinite(v)) and np.all(v == np.round(v)) \
                and not c.startswith("share_"):
            df[c] = v.astype(np.int64)
    return df


def check_totals(table: pd.DataFrame, value: str, classes: tuple[str, ...]) -> float:
    """Largest absolute difference between the class columns' sum and ``<value>_total``."""
    cols = [f"{value}_{c}" for c in classes if f"{value}_{c}" in table.columns]
    return float(np.abs(table[cols].sum(axis=1) - table[f"{value}_total"]).max())


def region_summary(cells: pd.DataFrame, *, class_col: str = "broadband_class") -> pd.DataFrame:
    """Population, share, cells and pupils per class for the whole region (long table), plus
    the population in cells whose best measured speed is below 30 and below 100 Mbit/s."""
    t = class_table(cells, by="municipality", class_col=class_col)
    row = t[t["municipality"] == REGION].iloc[0]
    classes = [c[len("cells_"):] for c in t.columns if c.startswith("cells_") and c != "cells_total"]
    total = float(row["population_total"])
    rows = [{"class": c, "cells": int(row[f"cells_{c}"]), "population": row[f"population_{c}"],
             "share": row[f"population_{c}"] / total if total else np.nan,
             "pupils": row.get(f"pupils_{c}", np.nan)} for c in classes]
    rows.append({"class": "total", "cells": int(row["cells_total"]), "population": total,
                 "share": 1.0, "pupils": row.get("pupils_total", np.nan)})
    return pd.DataFrame(rows)


def measured_below(cells: pd.DataFrame, mbps: float) -> dict[str, float]:
    """Population in cells whose best measured download is below ``mbps``: count, share of
    the whole population and share of the population in cells with a test."""
    pop = cells["population"].fillna(0).to_numpy(float)
    best = cells["best_mbps"].to_numpy(float)
    known = np.isfinite(best)
    below = known & (best < mbps)
    tot, tk = pop.sum(), pop[known].sum()
    return {"population": float(pop[below].sum()),
            "share_of_all": float(pop[below].sum() / tot) if tot else np.nan,
            "share_of_tested": float(pop[below].sum() / tk) if tk else np.nan,
            "population_tested": float(tk), "population_total": float(tot)}
