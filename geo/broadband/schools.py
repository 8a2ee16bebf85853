"""School connectivity: each school's broadband class and best speeds.

A school takes the values of the 1 km census cell holding it (declared operators and the Ookla
proxy, :mod:`geo.broadband.coverage`), so schools and homes are judged alike. Optionally the
Giga school-connectivity bands (giga.global) on the **typical** measured download: ``good``
above 20 Mbit/s, ``moderate`` 1-20, ``bad`` below 1 (edges in
``settings.GIGA_BANDS_MBPS``), ``unknown`` without a test.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import settings
from geo.broadband.coverage import cell_keys, cells_of_points

#: Columns copied from the cell table to each school.
SCHOOL_COLUMNS = ("broadband_class", "class_source", "nga_class", "target_100", "gigabit",
                  "measured_class", "best_mbps", "typical_mbps", "best_up_mbps", "tests",
                  "declared_mbps", "declared_technology", "n_ops_30", "n_ops_100",
                  "n_ops_1000", "operators", "border_km", "border_band")


def giga_band(mbps, bands: tuple[float, float] | None = None) -> np.ndarray:
    """Giga bands of download speeds (Mbit/s): ``bad`` < 1 <= ``moderate`` <= 20 < ``good``;
    NaN -> ``unknown``."""
    lo, hi = settings.GIGA_BANDS_MBPS if bands is None else bands
    v = np.asarray(mbps, float)
    out = np.where(v > hi, "good", np.where(v >= lo, "moderate", "bad")).astype(object)
    out[~np.isfinite(v)] = "unknown"
    return out


def school_connectivity(schools: gpd.GeoDataFrame, cells: pd.DataFrame, *,
                        id_col: str = "school_id", name_col: str = "name",
                        giga: bool = True) -> pd.DataFrame:
    """Per located school: its cell's class, speeds and border band.

    Parameters
    ----------
    schools : GeoDataFrame
        Schools (rows without geometry are left out and counted in ``attrs["unlocated"]``).
    cells : DataFrame
        Classified cells (:func:`geo.broadband.analysis.analyse`) with ``E``, ``N``; they must
        include the schools' cells.
    id_col, name_col : str
    giga : bool, default True
        Add ``giga_band``.

    Returns
    -------
    pandas.DataFrame
        ``school_id``, ``name``, ``municipality`` (when present), ``cell_id``, the
        :data:`SCHOOL_COLUMNS` present, ``giga_band``, ``pupils`` (grades 1-12, when present).
    """
    located = schools[schools.geometry.notna() & ~schools.geometry.is_empty]
    corner = cells_of_points(located)
    keys = cell_keys(corner["E"], corner["N"])
    lut = pd.Series(np.arange(len(cells)), index=cell_keys(cells["E"], cells["N"]))
    lut = lut[~lut.index.duplicated()]
    pos = lut.reindex(keys).to_numpy()
    out = pd.DataFrame({"school_id": located[id_col].astype(str).to_numpy(),
                        "name": located[name_col].to_numpy() if name_col in located else None})
    if "municipality" in located:
        out["municipality"] = located["municipality"].to_numpy()
    if "pupils_1_12" in located:
        out["pupils"] = pd.to_numeric(located["pupils_1_12"], errors="coerce").to_numpy()
    found = np.isfinite(pos)
    ip = np.where(found, pos, 0).astype(np.int64)
    for c in ("cell_id", *SCHOOL_COLUMNS):
        if c in cells.columns:
            v = cells[c].to_numpy()[ip].astype(object)
            v[~found] = None
            out[c] = v
    if giga:
        out["giga_band"] = giga_band(pd.to_numeric(out.get("typical_mbps"), errors="coerce"))
    out.attrs = {"unlocated": int(len(schools) - len(located))}
    return out


def point_connectivity(points: gpd.GeoDataFrame, cells: pd.DataFrame, *,
                       id_col: str | None = None, name_col: str | None = "name"
                       ) -> pd.DataFrame:
    """Broadband of any points a user supplies (addresses, libraries, village halls): the values
    of the cell holding each point, as for schools (``school_id`` renamed ``point_id``; the
    row number when ``id_col`` is None)."""
    pts = points.copy()
    ids = pts[id_col].astype(str) if id_col else pd.Series(
        [str(i + 1) for i in range(len(pts))], index=pts.index)
    pts["_id"] = ids.to_numpy()
    if name_col not in pts:
        pts[name_col or "name"] = None
    out = school_connectivity(pts, cells, id_col="_id", name_col=name_col or "name")
    return out.rename(columns={"school_id": "point_id"}).drop(columns=["pupils"],
                                                              errors="ignore")
