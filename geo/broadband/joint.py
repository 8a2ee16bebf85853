"""The joint view: pupils who can neither reach a school in time nor learn remotely.

A pupil is in the *joint gap* when the home cell is a **travel-time white spot** for the pupil's
grade band (the daily trip to the assigned or nearest school is longer than the band's
threshold, or no school is reachable) **and** a **broadband white spot** (class ``white`` from
operator layers, or ``measured_white`` from Ookla when there are none; ``unknown`` cells are not
counted as white, they are reported apart as ``joint_unknown``).

The functions take plain arrays, so that :mod:`geo.planning` (scenario evaluation) and the
``whitespots`` job both call them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from geo.i18n import register

register({
    "bb.joint": {"lv": "Skolēni bez skolas sasniedzamības un bez interneta",
                 "en": "Pupils with neither school access nor broadband"},
    "bb.joint_needs_roads": {
        "lv": "Kopskatam vajag ceļu tīklu (brauciena laikus līdz skolām). Šim reģionam ceļu "
              "vēl nav: lejupielādējiet OSM izvilkumu un būvējiet reģionu no jauna.",
        "en": "The joint view needs the road network (travel times to schools). This region "
              "has no roads yet: download the OSM extract and build the region again.",
    },
})


def beyond_from_times(minutes: np.ndarray, thresholds_min: Sequence[float],
                      pupils: np.ndarray) -> np.ndarray:
    """Pupils in a travel-time white spot from per-cell travel times.

    Parameters
    ----------
    minutes : ndarray, shape (n_cells, n_bands)
        Travel time to the nearest school offering the band, minutes (NaN / inf: none
        reachable).
    thresholds_min : sequence of float, length n_bands
    pupils : ndarray, shape (n_cells, n_bands)

    Returns
    -------
    ndarray, shape (n_cells, n_bands)
        ``pupils`` where the time is over the threshold or unknown, else 0.
    """
    m = np.asarray(minutes, float)
    thr = np.asarray(thresholds_min, float)[None, :]
    beyond = ~(m <= thr)
    return np.where(beyond, np.asarray(pupils, float), 0.0)


def joint_gap(beyond_pupils: np.ndarray, broadband_white: np.ndarray) -> np.ndarray:
    """Pupils in both gaps: ``beyond_pupils`` (n_cells, n_bands) where the cell is white."""
    w = np.asarray(broadband_white, bool)[:, None]
    return np.where(w, np.asarray(beyond_pupils, float), 0.0)


def joint_table(
    pupils: np.ndarray,
    beyond_pupils: np.ndarray,
    broadband_class: np.ndarray,
    *,
    bands: Sequence[str],
    groups: Mapping[str, np.ndarray],
    white_classes: Sequence[str] = ("white", "measured_white"),
) -> pd.DataFrame:
    """Pupils, travel-time white spot, broadband white spot and joint gap per group and band.

    Parameters
    ----------
    pupils, beyond_pupils : ndarray, shape (n_cells, n_bands)
    broadband_class : ndarray of str, shape (n_cells,)
    bands : sequence of str
        Grade band names (columns of the arrays).
    groups : mapping of str to ndarray
        Group columns (e.g. ``{"municipality": ..., "border_band": ...}``), each (n_cells,).
    white_classes : sequence of str

    Returns
    -------
    pandas.DataFrame
        Long: the group columns, ``grade_band`` (the bands and ``all``), ``pupils``,
        ``travel_white`` (pupils beyond the threshold or unserved), ``broadband_white``,
        ``joint`` (both), ``joint_unknown`` (beyond the threshold, broadband unknown).
        Region-wide rows have ``(region)`` in every group column.
    """
    cls = np.asarray(broadband_class, object)
    white = np.isin(cls, list(white_classes))
    unknown = cls == "unknown"
    p = np.asarray(pupils, float)
    b = np.asarray(beyond_pupils, float)
    measures = {"pupils": p, "travel_white": b, "broadband_white": p * white[:, None],
                "joint": joint_gap(b, white), "joint_unknown": b * unknown[:, None]}
    names = list(groups)
    cols = {k: np.asarray(v, object) for k, v in groups.items()}
    parts = [_one_grouping(measures, bands, cols, names)]
    if names:
        region = {k: np.full(len(cls), "(region)", object) for k in names}
        parts.insert(0, _one_grouping(measures, bands, region, names))
    return pd.concat(parts, ignore_index=True)


def _one_grouping(measures, bands, cols, names) -> pd.DataFrame:
    frames = []
    n = len(next(iter(measures.values())))
    base = pd.DataFrame({k: cols[k] for k in names}) if names else pd.DataFrame(index=range(n))
    for j, band in enumerate([*bands, "all"]):
        df = base.copy()
        df["grade_band"] = band
        for k, v in measures.items():
            df[k] = v.sum(axis=1) if band == "all" else v[:, j]
        frames.append(df)
    long = pd.concat(frames, ignore_index=True)
    keys = [*names, "grade_band"]
    return long.groupby(keys, sort=False, dropna=False, as_index=False)[list(measures)].sum()
