"""Broadband white spots of a region: per cell, per municipality, per border band, schools,
the joint view and the priority list, from plain layers or a region bundle.

:func:`analyse` is the chain of named steps; :func:`analyse_bundle` reads its inputs from a
bundle (:mod:`geo.region.bundle`): ``population_<year>`` (cells), ``pupils_<year>``,
``broadband`` (Ookla), ``coverage`` (operators), ``schools`` and ``border`` when present.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from geo import settings
from geo.broadband import border as bd
from geo.broadband.classes import MEASURED_CLASSES, class_table, classify, measured_below
from geo.broadband.coverage import (
    CELL_M,
    cell_keys,
    cells_of_points,
    grid_cells,
    ookla_per_cell,
    operators_per_cell,
)
from geo.broadband.joint import joint_table
from geo.broadband.priority import priority_list, settlements, uncovered_mask
from geo.broadband.schools import point_connectivity, school_connectivity
from geo.errors import MissingDataError, Msg
from geo.region.demand import BAND_COLUMNS, integerise
from geo.sources.ookla import read_ookla_grid

#: Border band of cells when no border line is known for the region.
NO_BORDER_DATA = "no border line given"


@dataclass
class WhiteSpots:
    """Result of :func:`analyse`.

    Attributes
    ----------
    cells : GeoDataFrame
        One row per populated cell (EPSG:3035 squares): population, ``under15_published``
        (NaN where suppressed), pupils per band, Ookla and operator columns, classes, border distance.
    municipalities, border_bands, municipality_border : DataFrame
        :func:`geo.broadband.classes.class_table` per municipality, per border band, and per
        municipality x border band.
    schools : DataFrame
        :func:`geo.broadband.schools.school_connectivity`.
    priority : DataFrame
        :func:`geo.broadband.priority.priority_list`.
    joint : DataFrame or None
        :func:`geo.broadband.joint.joint_table` (None without travel times).
    points : DataFrame or None
        :func:`geo.broadband.schools.point_connectivity` of the user's points.
    notes : dict
        Plain-text notes (source of classes, border, joint view, distances).
    figures : dict
        Headline numbers (population below 30 / 100 Mbit/s measured, unknown...).
    """

    cells: gpd.GeoDataFrame
    municipalities: pd.DataFrame
    border_bands: pd.DataFrame
    municipality_border: pd.DataFrame
    schools: pd.DataFrame
    priority: pd.DataFrame
    joint: pd.DataFrame | None
    points: pd.DataFrame | None = None
    notes: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by its export name (``cells`` without geometry)."""
        out = {"cells": pd.DataFrame(self.cells.drop(columns="geometry")),
               "municipalities": self.municipalities, "border_bands": self.border_bands,
               "municipality_border": self.municipality_border, "schools": self.schools,
               "priority": self.priority}
        if self.joint is not None:
            out["joint"] = self.joint
        if self.points is not None:
            out["points"] = self.points
        return out


# ------------------------------------------------------------------------------------------
# Steps
# ------------------------------------------------------------------------------------------
def base_cells(population: pd.DataFrame, pupils: pd.DataFrame | None = None) -> pd.DataFrame:
    """Populated cells with ``population`` (T, suppressed -> 0), ``under15_published`` (the
    census under-15 count; NaN where suppressed or absent, so its sums cover published cells
    only) and whole pupils per band (:func:`geo.region.demand.integerise`)."""
    df = pd.DataFrame({
        "cell_id": population["cell_id"].to_numpy(),
        "E": population["E"].to_numpy(np.int64), "N": population["N"].to_numpy(np.int64),
        "municipality": (population["municipality"].to_numpy(object)
                         if "municipality" in population else "(region)"),
        "population": pd.to_numeric(population["T"], errors="coerce").fillna(0)
        .round().astype(np.int64).to_numpy(),
        "under15_published": (pd.to_numeric(population["Y_LT15"], errors="coerce")
                              .to_numpy(float)
                    if "Y_LT15" in population else np.nan),
    })
    if pupils is not None:
        whole = integerise(pd.DataFrame(pupils.drop(columns="geometry", errors="ignore")))
        by_id = whole.set_index(whole["cell_id"].astype(str))
        ids = df["cell_id"].astype(str)
        total = np.zeros(len(df), np.int64)
        for band, cols in BAND_COLUMNS.items():
            v = by_id[list(cols)].sum(axis=1).reindex(ids).fillna(0).to_numpy(np.int64)
            df[f"pupils_{band}"] = v
            total += v
        df["pupils"] = total
    return df


def add_school_cells(cells: pd.DataFrame, schools: gpd.GeoDataFrame | None) -> pd.DataFrame:
    """Append empty rows (``populated`` False) for school cells not among the populated ones."""
    cells = cells.assign(populated=True)
    if schools is None or len(schools) == 0:
        return cells
    located = schools[schools.geometry.notna() & ~schools.geometry.is_empty]
    if len(located) == 0:
        return cells
    c = cells_of_points(located).drop_duplicates()
    have = set(cell_keys(cells["E"], cells["N"]).tolist())
    new = c[[k not in have for k in cell_keys(c["E"], c["N"])]]
    if new.empty:
        return cells
    extra = pd.DataFrame({"cell_id": [f"CRS3035RES{CELL_M}mN{n}E{e}"
                                      for e, n in zip(new["E"], new["N"], strict=True)],
                          "E": new["E"].to_numpy(np.int64), "N": new["N"].to_numpy(np.int64),
                          "municipality": None, "population": 0, "under15_published": np.nan,
                          "populated": False})
    return pd.concat([cells, extra], ignore_index=True)


def _all_points(layers: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame | None:
    """The geometries of several point layers in one EPSG:4326 frame (None when empty)."""
    if not layers:
        return None
    geoms = [g.geometry.to_crs(settings.WGS84).values for g in layers]
    return gpd.GeoDataFrame(geometry=np.concatenate(geoms), crs=settings.WGS84)


def add_border(cells: pd.DataFrame, border: gpd.GeoDataFrame | None, *, crs: str,
               bands_km: tuple[float, ...] | None = None) -> pd.DataFrame:
    """``border_km`` and ``border_band`` of the cell centres (distances in ``crs``)."""
    out = cells.copy()
    if border is None:
        out["border_km"] = np.nan
        out["border_band"] = NO_BORDER_DATA
        return out
    x = out["E"].to_numpy(float) + CELL_M / 2
    y = out["N"].to_numpy(float) + CELL_M / 2
    if str(crs) != settings.LAEA_CRS:
        x, y = Transformer.from_crs(settings.LAEA_CRS, crs, always_xy=True).transform(x, y)
    d = bd.border_distance_km(x, y, border, crs=crs)
    out["border_km"] = d
    out["border_band"] = bd.border_band(d, bands_km)
    return out


def classify_cells(cells: pd.DataFrame, *, ookla=None, coverage=None,
                   min_share: float | None = None) -> pd.DataFrame:
    """Ookla proxy, operator counts and classes for every cell (:mod:`geo.broadband.classes`)."""
    meas = ookla_per_cell(cells, ookla)
    ops = operators_per_cell(cells, coverage, min_share=min_share)
    return classify(pd.concat([cells, meas, ops], axis=1))


def joint_from_beyond(cells: pd.DataFrame, beyond: pd.DataFrame) -> pd.DataFrame:
    """Joint table from per-origin pupils beyond the threshold.

    ``beyond``: one row per origin (``origin_id`` = ``cell_id``) and ``grade_band`` with
    ``pupils`` and ``travel_white`` (beyond the threshold + unserved), e.g. from the
    ``origins`` table of a scenario evaluation.
    """
    bands = list(dict.fromkeys(beyond["grade_band"]))
    pv = beyond.pivot_table(index="origin_id", columns="grade_band", aggfunc="sum",
                            values=["pupils", "travel_white"], fill_value=0.0)
    ids = cells["cell_id"].astype(str)
    p = np.column_stack([pv["pupils"][b].reindex(ids).fillna(0).to_numpy() for b in bands])
    w = np.column_stack([pv["travel_white"][b].reindex(ids).fillna(0).to_numpy()
                         for b in bands])
    return joint_table(p, w, cells["broadband_class"].to_numpy(object), bands=bands,
                       groups={"municipality": cells["municipality"].to_numpy(object),
                               "border_band": cells["border_band"].to_numpy(object)})


def joint_per_cell(cells: pd.DataFrame, beyond: pd.DataFrame) -> np.ndarray:
    """Pupils of each cell in the joint gap (all grade bands)."""
    tw = beyond.groupby(beyond["origin_id"].astype(str))["travel_white"].sum()
    w = tw.reindex(cells["cell_id"].astype(str)).fillna(0.0).to_numpy()
    return np.where(cells["broadband_white"].to_numpy(bool), w, 0.0)


def _figures(cells: pd.DataFrame) -> dict:
    f = {f"below_{m:g}": measured_below(cells, m)
         for m in (settings.BROADBAND_NGA_MBPS, settings.BROADBAND_FAST_MBPS)}
    f["population"] = int(cells["population"].sum())
    f["population_unknown"] = int(cells.loc[cells["measured_class"] == "unknown",
                                            "population"].sum())
    f["cells"] = int(len(cells))
    f["cells_unknown"] = int((cells["measured_class"] == "unknown").sum())
    return f


def _notes(cells: pd.DataFrame, border, network, joint, ookla=None) -> dict:
    src = "declared" if (cells["class_source"] == "declared").any() else "measured"
    n = {"classes": src,
         "border": ("none" if border is None else
                    "no land border" if len(border) == 0 else "from border lines"),
         "distance": "road" if network is not None else "straight line (no roads)",
         "joint": "computed" if joint is not None else "needs roads",
         "ookla": "none" if ookla is None else ookla.attrs.get("ookla_rows", "given rows")}
    return n


# ------------------------------------------------------------------------------------------
# The chain
# ------------------------------------------------------------------------------------------
def analyse(  # noqa: PLR0913  keyword-only options of a public entry point
    population: pd.DataFrame,
    *,
    pupils: pd.DataFrame | None = None,
    ookla: gpd.GeoDataFrame | None = None,
    coverage: gpd.GeoDataFrame | None = None,
    schools: gpd.GeoDataFrame | None = None,
    border: gpd.GeoDataFrame | None = None,
    network=None,
    crs: str = settings.LAEA_CRS,
    beyond: pd.DataFrame | None = None,
    min_share: float | None = None,
    points: gpd.GeoDataFrame | None = None,
) -> WhiteSpots:
    """Broadband white spots of a region.

    Parameters
    ----------
    population : DataFrame
        Census cells: ``cell_id``, ``E``, ``N``, ``T``, ``municipality``; ``Y_LT15`` when
        published.
    pupils : DataFrame, optional
        Pupils per cell and grade (``cell_id``, ``municipality``, ``g1``..``g12``).
    ookla, coverage : GeoDataFrame, optional
        Ookla cells / tiles; operator coverage.
    schools : GeoDataFrame, optional
        Schools (``school_id``, ``name``, geometry; unlocated rows are counted, not placed).
    border : GeoDataFrame, optional
        National land border lines (:mod:`geo.broadband.border`); an empty frame means the
        region has no land border; None means no border line is known.
    network : geo.network.Network, optional
        Roads for the priority list's distances.
    crs : str
        Metric CRS of the region (border distances, network).
    beyond : DataFrame, optional
        Per origin and band ``pupils`` and ``travel_white`` (see :func:`joint_from_beyond`).
    min_share : float, optional
        See :func:`geo.broadband.coverage.coverage_pairs`.
    points : GeoDataFrame, optional
        Any points a user supplies; their cell's broadband goes to ``WhiteSpots.points``.

    Returns
    -------
    WhiteSpots
    """
    places = [g for g in (schools, points) if g is not None and len(g)]
    cells = add_school_cells(base_cells(population, pupils),
                             _all_points(places))
    cells = classify_cells(cells, ookla=ookla, coverage=coverage, min_share=min_share)
    cells = add_border(cells, border, crs=crs)
    sch = (school_connectivity(schools, cells) if schools is not None
           else pd.DataFrame(columns=["school_id", "name"]))
    pts = point_connectivity(points, cells) if points is not None else None
    pop_cells = cells[cells["populated"]].drop(columns="populated").reset_index(drop=True)
    tables = _class_tables(pop_cells)
    pop_cells["settlement"] = settlements(pop_cells, uncovered_mask(pop_cells))
    prio = priority_list(pop_cells, network=network, crs=network.crs if network else crs)
    joint = joint_from_beyond(pop_cells, beyond) if beyond is not None else None
    if beyond is not None:
        pop_cells["joint_pupils"] = joint_per_cell(pop_cells, beyond)
    gdf = gpd.GeoDataFrame(pop_cells, geometry=grid_cells(pop_cells["E"], pop_cells["N"])
                           .geometry.values, crs=settings.LAEA_CRS)
    return WhiteSpots(cells=gdf, **tables, schools=sch, priority=prio, joint=joint, points=pts,
                      notes=_notes(pop_cells, border, network, joint, ookla),
                      figures=_figures(pop_cells) | {"schools_unlocated":
                                                     sch.attrs.get("unlocated", 0)})


def _band_sorted(table: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Rows in border-band order (0-5, 5-20, 20+ km, no border), ``(region)`` last."""
    order = {b: i for i, b in enumerate([*bd.band_order(), NO_BORDER_DATA, "(region)"])}
    keys = [table[c].map(order).fillna(len(order)) if c == "border_band" else table[c]
            for c in by]
    idx = pd.DataFrame({f"k{i}": k for i, k in enumerate(keys)}).sort_values(
        [f"k{i}" for i in range(len(by))], kind="stable").index
    return table.loc[idx].reset_index(drop=True)


def _class_tables(cells: pd.DataFrame) -> dict[str, pd.DataFrame]:
    by_band = _band_sorted(class_table(cells, by="border_band"), ["border_band"])
    by_both = _band_sorted(class_table(cells, by=["municipality", "border_band"],
                                       total_row=False), ["municipality", "border_band"])
    return {"municipalities": class_table(cells, by="municipality"),
            "border_bands": by_band, "municipality_border": by_both}


def bundle_year(bundle) -> int | None:
    """Latest year with both ``population_<year>`` and ``pupils_<year>`` (else population)."""
    pops = sorted(int(n.split("_")[1]) for n in bundle.layers
                  if re.fullmatch(r"population_\d{4}", n))
    both = [y for y in pops if f"pupils_{y}" in bundle.layers]
    return (both or pops or [None])[-1]


def bundle_ookla(bundle) -> gpd.GeoDataFrame | None:
    """The Ookla rows as published: the bundle's source grid re-read without merging the tiles
    that share a 350 m cell (``best`` is a maximum over tiles, and the merge would average
    them), when that file is still on disk; else the bundle's ``broadband`` layer."""
    src = (bundle.manifest.get("layers", {}).get("broadband", {}).get("sources", {})
           .get("ookla"))
    if src and Path(src.get("file", "")).exists() and "boundaries" in bundle.layers:
        rows = read_ookla_grid(src["file"], clip=bundle["boundaries"], aggregate=False)
        rows.attrs["ookla_rows"] = "published tiles (source file, not merged)"
        return rows
    layer = bundle.layers.get("broadband")
    if layer is not None:
        layer.attrs["ookla_rows"] = "bundle layer (tiles sharing a 350 m cell merged)"
    return layer


def bundle_inputs(bundle) -> dict:
    """The keyword arguments of :func:`analyse` read from a bundle (no network, no travel)."""
    year = bundle_year(bundle)
    if year is None:
        raise MissingDataError(Msg("err.bb.no_population", bundle=str(bundle.path)),
                               path=bundle.path)
    lay = bundle.layers
    return {"population": lay[f"population_{year}"], "pupils": lay.get(f"pupils_{year}"),
            "ookla": bundle_ookla(bundle), "coverage": lay.get("coverage"),
            "schools": lay.get("schools"), "border": lay.get("border"),
            "crs": bundle.manifest.get("crs") or settings.LAEA_CRS}


def analyse_bundle(bundle, *, network=None, beyond: pd.DataFrame | None = None,
                   points: gpd.GeoDataFrame | None = None) -> WhiteSpots:
    """:func:`analyse` on a loaded bundle (:func:`geo.region.load_bundle`)."""
    return analyse(**bundle_inputs(bundle), network=network, beyond=beyond, points=points)


def origin_flags(bundle, origin_ids) -> dict[str, list]:
    """Broadband class and border band of each origin (census cell id), for scenario
    evaluation: ``{"broadband_class": [...], "border_band": [...]}`` (JSON-ready lists; empty
    when the bundle has no population grid)."""
    if bundle_year(bundle) is None:
        return {}
    kw = bundle_inputs(bundle)
    cells = base_cells(kw["population"]).assign(populated=True)
    cells = classify_cells(cells, ookla=kw["ookla"], coverage=kw["coverage"])
    cells = add_border(cells, kw["border"], crs=kw["crs"])
    t = cells.set_index(cells["cell_id"].astype(str))
    ids = pd.Index(np.asarray(origin_ids).astype(str))
    cls = t["broadband_class"].reindex(ids).fillna(MEASURED_CLASSES[-1])
    band = t["border_band"].reindex(ids).fillna(NO_BORDER_DATA)
    return {"broadband_class": cls.tolist(), "border_band": band.tolist()}
