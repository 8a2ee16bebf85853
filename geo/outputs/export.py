"""Evaluation and comparison results written as GeoPackage and CSV."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo._csv import write_csv
from geo._files import owned_dir, write_gpkg
from geo.planning.evaluate import Evaluation
from geo.planning.scenario import save_scenario


# ------------------------------------------------------------------------------------------
# Exports
# ------------------------------------------------------------------------------------------
def _write_owned(out: Path, write, *, force: bool = False, run: dict | None = None) -> Path:
    """Write into a temporary folder beside ``out`` and move it into place at the end, so
    a failure never leaves half-written results over earlier ones. ``out`` is a folder the
    tool owns (:func:`geo._files.owned_dir`; ``force`` and ``run`` are passed to it)."""
    with owned_dir(out, force=force, run=run) as tmp:
        write(tmp)
    return Path(out)


def origin_layer(ev: Evaluation, table: pd.DataFrame | None = None):
    """Per-origin table (one row per origin, bands as columns) as points in the region CRS."""
    t = ev.indicators["origins"] if table is None else table
    wide = t.pivot_table(index="origin_id", columns="grade_band",
                         values=[c for c in t.columns if c not in (
                             "origin_id", "municipality", "grade_band", "school",
                             "white_spot")], aggfunc="first", sort=False)
    wide.columns = [f"{a}_{b}" for a, b in wide.columns]
    prep = ev.prep
    pos = pd.Series(np.arange(prep.n_origins), index=prep.origin_ids)
    wide = wide.reindex(prep.origin_ids)
    wide.insert(0, "municipality", prep.origin_municipality)
    ws = t.groupby("origin_id", sort=False)["white_spot"].any().reindex(prep.origin_ids)
    wide["white_spot"] = ws.to_numpy()
    wide = wide.reset_index(names="origin_id")
    i = pos[wide["origin_id"]].to_numpy()
    return gpd.GeoDataFrame(wide, geometry=gpd.points_from_xy(prep.origin_x[i], prep.origin_y[i]),
                            crs=prep.crs)


def school_layer(ev: Evaluation):
    """Per-school table as points in the region CRS."""
    s = ev.indicators["schools"].copy()
    prep = ev.prep
    return gpd.GeoDataFrame(s, geometry=gpd.points_from_xy(prep.schools["x"], prep.schools["y"]),
                            crs=prep.crs)


def _gpkg_safe(gdf):
    gdf = gdf.copy()
    for c in gdf.columns:
        if c == gdf.geometry.name:
            continue
        if pd.api.types.is_float_dtype(gdf[c].dtype):
            gdf[c] = gdf[c].replace([np.inf, -np.inf], np.nan)
        elif not (pd.api.types.is_numeric_dtype(gdf[c].dtype)
                  or pd.api.types.is_bool_dtype(gdf[c].dtype)):
            gdf[c] = gdf[c].map(lambda v: None if v is None or (isinstance(v, float)
                                                               and np.isnan(v)) else str(v))
    return gdf


def write_evaluation(ev: Evaluation, out: str | Path, *, force: bool = False,
                     run: dict | None = None) -> Path:
    """Write an evaluation: one CSV per table and ``scenario.gpkg`` (layers ``origins`` with
    the white spots, ``schools``), plus the scenario file as evaluated. Atomic."""
    def write(tmp: Path):
        for name, df in ev.indicators.items():
            write_csv(df, tmp / f"{name}.csv", bom=False, lineterminator="\n")
        o = _gpkg_safe(origin_layer(ev))
        s = _gpkg_safe(school_layer(ev))
        write_gpkg(tmp / "scenario.gpkg", {"origins": o, "schools": s})
        save_scenario(ev.scenario, tmp / "scenario.yaml")
    return _write_owned(Path(out), write, force=force, run=run)


def write_comparison(cmp: dict, ev_a: Evaluation, ev_b: Evaluation, out: str | Path, *,
                     force: bool = False, run: dict | None = None) -> Path:
    """Write a comparison (:func:`geo.planning.indicators.compare`): CSV tables and ``compare.gpkg``
    (layer ``origins``: per origin and band, time in both scenarios, change, status)."""

    def write(tmp: Path):
        for name, df in cmp.items():
            write_csv(df, tmp / f"{name}.csv", bom=False, lineterminator="\n")
        t = cmp["origins"]
        prep = ev_a.prep
        pos = pd.Series(np.arange(prep.n_origins), index=prep.origin_ids)
        i = pos[t["origin_id"]].to_numpy()
        g = gpd.GeoDataFrame(t, geometry=gpd.points_from_xy(prep.origin_x[i], prep.origin_y[i]),
                             crs=prep.crs)
        write_gpkg(tmp / "compare.gpkg", {"origins": _gpkg_safe(g)})
    return _write_owned(Path(out), write, force=force, run=run)
