"""Map layers built from results (schools, travel time, catchments, white spots, broadband ...)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import i18n, settings
from geo.broadband.classes import ALL_CLASSES
from geo.errors import GeoInputError, Msg
from geo.i18n import t
from geo.sources.osm import LABEL_PLACES
from geo.sources.tabular import named, pick_column

# --------------------------------------------------------------------------------------------
# Strings
# --------------------------------------------------------------------------------------------
i18n.register({
    "map.title.travel_time": {
        "lv": "Brauciena laiks līdz tuvākajai skolai",
        "en": "Travel time to the nearest school",
    },
    "map.isochrones": {"lv": "Izohronas: brauciens līdz skolai, min", "en": "Isochrones: travel to school, min"},
    "map.catchments": {"lv": "Skolu apkalpes zonas", "en": "School catchments"},
    "map.white_spots": {
        "lv": "Baltie plankumi: brauciens ilgāks par {minutes} min",
        "en": "White spots: travel over {minutes} min",
    },
    "map.white_spot": {"lv": "ilgāk par {minutes} min", "en": "over {minutes} min"},
    "map.population": {"lv": "Iedzīvotāji 1 km šūnā ({year})", "en": "Population per 1 km cell ({year})"},
    "map.pupils": {"lv": "Skolēni 1 km šūnā ({year}), {band}", "en": "Pupils per 1 km cell ({year}), {band}"},
    "map.population_note": {
        "lv": "Tautas skaitīšanas 1 km režģis; šūnas bez iedzīvotājiem nav zīmētas.",
        "en": "Census 1 km grid; cells with nobody living there are not drawn.",
    },
    "map.broadband": {
        "lv": "Fiksētā interneta ātrums (Ookla), Mbit/s",
        "en": "Fixed broadband speed (Ookla), Mbit/s",
    },
    "map.broadband_classes": {"lv": "Interneta klases (baltās, pelēkās, melnās zonas)",
                              "en": "Broadband classes (white, grey, black areas)"},
    "map.field.class": {"lv": "Klase", "en": "Class"},
    "bb.border_line": {"lv": "Valsts sauszemes robeža", "en": "National land border"},
    "map.broadband_note": {
        "lv": "Šūna bez krāsas: nav reģistrētu mērījumu (ne vienmēr nav pārklājuma).",
        "en": "No colour: no speed test recorded (not necessarily no service).",
    },
    "map.unreachable": {"lv": "nav sasniedzams", "en": "not reachable"},
    "map.osm_tiles": {"lv": "OpenStreetMap pamatkarte (vajag internetu)", "en": "OpenStreetMap base map (needs internet)"},
    "map.sources": {"lv": "Avoti", "en": "Sources"},
    "map.legend": {"lv": "Apzīmējumi", "en": "Legend"},
    "map.road.main": {"lv": "Galvenie ceļi", "en": "Main roads"},
    "map.road.secondary": {"lv": "Reģionālie ceļi", "en": "Regional roads"},
    "map.road.tertiary": {"lv": "Vietējie ceļi", "en": "Local roads"},
    "map.road.local": {"lv": "Ielas un mazie ceļi", "en": "Streets and minor roads"},
    "map.road.track": {"lv": "Meža un lauku ceļi", "en": "Forest and farm tracks"},
    "map.school_type.primary": {"lv": "Sākumskola", "en": "Primary school"},
    "map.school_type.basic": {"lv": "Pamatskola", "en": "Basic school"},
    "map.school_type.secondary": {"lv": "Vidusskola, ģimnāzija", "en": "Secondary school, gymnasium"},
    "map.school_type.special": {"lv": "Speciālā skola", "en": "Special school"},
    "map.school_type.vocational": {"lv": "Profesionālā izglītība", "en": "Vocational school"},
    "map.school_type.other": {"lv": "Cita izglītības iestāde", "en": "Other institution"},
    "map.field.name": {"lv": "Nosaukums", "en": "Name"},
    "map.field.type": {"lv": "Veids", "en": "Type"},
    "map.field.pupils": {"lv": "Skolēni", "en": "Pupils"},
    "map.field.capacity": {"lv": "Ietilpība", "en": "Capacity"},
    "map.field.beds": {"lv": "Vietas", "en": "Beds"},
    "map.field.population": {"lv": "Iedzīvotāji", "en": "Population"},
    "map.field.time": {"lv": "Brauciena laiks, min", "en": "Travel time, min"},
    "map.field.school": {"lv": "Tuvākā skola", "en": "Nearest school"},
    "map.field.speed": {"lv": "Lejupielāde, Mbit/s", "en": "Download, Mbit/s"},
    "map.field.tests": {"lv": "Mērījumi", "en": "Tests"},
    "map.field.minutes": {"lv": "Minūtes", "en": "Minutes"},
    "map.field.cells": {"lv": "Šūnas", "en": "Cells"},
    "map.field.road_class": {"lv": "Ceļa klase", "en": "Road class"},
    "map.field.municipality": {"lv": "Novads", "en": "Municipality"},
    "map.scale": {"lv": "Mērogs", "en": "Scale"},
    "map.places": {"lv": "Apdzīvoto vietu nosaukumi", "en": "Place names"},
})


def _check_lang(lang: str) -> str:
    if lang not in i18n.LANGUAGES:
        raise GeoInputError(Msg("err.layers.lang", lang=repr(lang)),
                            fix=Msg("err.one_of.fix", known=str(list(i18n.LANGUAGES))))
    return lang


# --------------------------------------------------------------------------------------------
# Layer model
# --------------------------------------------------------------------------------------------
@dataclass
class LegendItem:
    """One legend row: a symbol (``fill``, ``line``, ``circle``, ``square``) and a label."""

    label: str
    color: str
    symbol: str = "fill"
    width: float = 2.0
    dash: str | None = None
    stroke: str | None = None


@dataclass
class MapLayer:
    """A layer ready to draw with folium (:func:`make_map`) or matplotlib (:func:`plot_map`).

    Attributes
    ----------
    key : str
        Stable layer id (``"roads"``, ``"schools"`` ...); also the GeoPackage layer name.
    name : str
        Display name in the map's language (layer control and legend heading).
    data : geopandas.GeoDataFrame
        EPSG:4326 geometry (simplified for display) with the style columns ``_c`` (colour),
        ``_w`` (line width, px), ``_r`` (marker radius, px) and the display fields.
    kind : {"polygon", "line", "point", "label"}
        ``"label"``: point layers drawn as text (column ``f0``) of size class ``_k``
        (0 largest), not as markers.
    fields : list of (column, label)
        Shown in the tooltip (or popup when ``popup``).
    legend : list of LegendItem
    source : geopandas.GeoDataFrame
        The input rows (all columns, EPSG:4326, not simplified): what reports export.
    """

    key: str
    name: str
    data: gpd.GeoDataFrame
    kind: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    legend: list[LegendItem] = field(default_factory=list)
    popup: bool = False
    show: bool = True
    marker: str = "circle"
    fill_opacity: float = 0.7
    stroke: str | None = None
    stroke_width: float = 0.0
    dash: str | None = None
    note: str | None = None
    attribution: str | None = None
    source: gpd.GeoDataFrame | None = None


#: Drawing order (bottom to top) by layer key.
Z_ORDER = ("population", "pupils", "broadband", "broadband_classes", "travel_time", "catchments", "isochrones",
           "white_spots", "roads", "boundaries", "dormitories", "schools", "places")


def _z(layer: MapLayer) -> int:
    return Z_ORDER.index(layer.key) if layer.key in Z_ORDER else len(Z_ORDER)


# --------------------------------------------------------------------------------------------
# Input preparation
# --------------------------------------------------------------------------------------------
#: Rough bounding box of Latvia (lon/lat) to choose LKS-92 for metric work.
_LATVIA_BBOX = (20.8, 55.6, 28.3, 58.1)


def _metric_crs(gdf: gpd.GeoDataFrame):
    if gdf.crs.is_projected:
        return gdf.crs
    if not len(gdf):  # nothing to place: any metric CRS draws an empty map
        return settings.LATVIA_CRS
    w, s, e, n = gdf.to_crs(settings.WGS84).total_bounds
    cx, cy = (w + e) / 2, (s + n) / 2
    x0, y0, x1, y1 = _LATVIA_BBOX
    if x0 <= cx <= x1 and y0 <= cy <= y1:
        return settings.LATVIA_CRS
    return gdf.estimate_utm_crs()


def _prepare(gdf, what: str, *, simplify_m: float = 0.0, columns: Sequence[str] = ()) -> tuple:
    """Validate a layer; return (source in EPSG:4326, display copy simplified)."""
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise GeoInputError(Msg("err.layers.not_gdf", what=named(what), type=type(gdf).__name__),
                            path=getattr(gdf, "attrs", {}).get("source"))
    src = gdf.attrs.get("source")
    if gdf.crs is None:
        raise GeoInputError(Msg("err.layers.no_crs", what=named(what)), path=src,
                            fix=Msg("err.layers.no_crs.fix"))
    missing = [c for c in columns if c not in gdf.columns]
    if missing:
        raise GeoInputError(Msg("err.layers.no_columns", what=named(what), missing=str(missing),
                                found=str([c for c in gdf.columns if c != gdf.geometry.name])),
                            path=src, fix=Msg("err.layers.no_columns.fix"))
    geom = gdf.geometry
    keep = geom.notna().to_numpy() & ~geom.is_empty.to_numpy()
    gdf = gdf.loc[keep]
    if len(gdf) and not shapely.is_valid(gdf.geometry.values).all():
        gdf = gdf.set_geometry(shapely.make_valid(gdf.geometry.values))
    if simplify_m > 0 and len(gdf):
        crs = _metric_crs(gdf)
        g = gdf.geometry.to_crs(crs)
        g = gpd.GeoSeries(shapely.simplify(g.values, simplify_m, preserve_topology=True),
                          index=g.index, crs=crs)
        disp = gdf.set_geometry(g.to_crs(settings.WGS84).values, crs=settings.WGS84)
    else:
        disp = gdf.to_crs(settings.WGS84)
    return gdf.to_crs(settings.WGS84), disp




def _fmt(values, decimals: int = 0) -> list[str]:
    """Display strings: numbers rounded, missing or infinite as an en dash."""
    out = []
    for v in values:
        if v is None or (isinstance(v, (float, np.floating)) and not math.isfinite(float(v))):
            out.append("–")
        elif isinstance(v, (int, float, np.integer, np.floating)):
            out.append(f"{float(v):.{decimals}f}" if decimals else f"{round(float(v)):d}")
        elif pd.isna(v):
            out.append("–")
        else:
            out.append(str(v))
    return out


def _num(series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)


def band_index(values, bands: Sequence[float]) -> np.ndarray:
    """Band of each value: ``i`` for ``bands[i] <= v < bands[i+1]``, the last band open-ended,
    ``-1`` for NaN, infinite or below ``bands[0]``."""
    v = np.asarray(values, dtype=float)
    idx = np.digitize(v, np.asarray(bands, dtype=float)) - 1
    idx[~np.isfinite(v) | (v < bands[0])] = -1
    return idx


def band_labels(bands: Sequence[float], *, open_end: bool = True) -> list[str]:
    """``["0–10", "10–20", ..., "60+"]``."""

    def f(x):
        return f"{x:g}"

    labels = [f"{f(a)}–{f(b)}" for a, b in zip(bands[:-1], bands[1:], strict=True)]
    if open_end:
        labels.append(f"{f(bands[-1])}+")
    return labels


# --------------------------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------------------------
#: Road classes of the map (by OSM ``highway``): colour, line width (px), dash pattern.
ROAD_CLASSES: dict[str, tuple[tuple[str, ...], str, float, str | None]] = {
    "main": (("motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link"),
             "#4d4d4d", 3.5, None),
    "secondary": (("secondary", "secondary_link"), "#5e5e5e", 2.6, None),
    "tertiary": (("tertiary", "tertiary_link"), "#707070", 1.8, None),
    "local": (("unclassified", "residential", "living_street", "road", "service"),
              "#8f8f8f", 1.0, None),
    "track": (("track",), "#a8a8a8", 0.9, "4 3"),
}


def roads_layer(
    roads: gpd.GeoDataFrame,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    highway: str = "highway",
    classes: Sequence[str] = tuple(ROAD_CLASSES),
    simplify_m: float | None = None,
    show: bool = True,
) -> MapLayer:
    """Roads drawn by class, merged into one multi-line per class (small files, fast maps).

    Parameters
    ----------
    roads : GeoDataFrame
        Lines in any CRS with an OSM ``highway`` column (e.g. ``Network.roads_gdf()``).
    lang : {"lv", "en"}
    highway : str, default "highway"
        Column with the OSM highway class.
    classes : sequence of str, default all of :data:`ROAD_CLASSES`
        Classes to draw (``main``, ``secondary``, ``tertiary``, ``local``, ``track``).
    simplify_m : float, optional
        Simplification tolerance, metres (default ``settings.MAP_SIMPLIFY_M["roads"]``).
    show : bool, default True
        Visible when the map opens.

    Returns
    -------
    MapLayer
    """
    _check_lang(lang)
    tol = settings.MAP_SIMPLIFY_M["roads"] if simplify_m is None else simplify_m
    src, disp = _prepare(roads, "roads", simplify_m=tol, columns=[highway])
    hw_class = {hw: c for c, (hws, *_rest) in ROAD_CLASSES.items() for hw in hws}
    cls = disp[highway].map(hw_class).to_numpy()
    rows = []
    legend = []
    for c in classes:
        if c not in ROAD_CLASSES:
            raise GeoInputError(Msg("err.layers.road_class", value=repr(c)),
                                fix=Msg("err.report.formats.fix", known=str(list(ROAD_CLASSES))))
        _, color, width, dash = ROAD_CLASSES[c]
        sel = cls == c
        label = t(f"map.road.{c}", lang)
        legend.append(LegendItem(label, color, "line", width, dash))
        if not sel.any():
            continue
        parts = shapely.get_parts(disp.geometry.values[sel])
        parts = parts[shapely.get_type_id(parts) == 1]
        rows.append({"_c": color, "_w": width, "_d": dash or "", "f0": label,
                     "geometry": shapely.multilinestrings(parts)})
    data = gpd.GeoDataFrame(rows, columns=["_c", "_w", "_d", "f0", "geometry"],
                            geometry="geometry", crs=settings.WGS84)
    return MapLayer("roads", t("map.roads", lang), data, "line",
                    fields=[("f0", t("map.field.road_class", lang))], legend=legend, show=show,
                    attribution="© OpenStreetMap contributors", source=src)


#: School categories: colour (Okabe-Ito palette, colour-blind safe) and the words that mark
#: them in a type or name (Latvian and English, lower case; checked in this order).
SCHOOL_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "special": ("#cc79a7", ("speciāl", "internātskol", "attīstības centr", "special")),
    "vocational": ("#0072b2", ("profesionāl", "tehnikum", "koledž", "vocational", "college")),
    "secondary": ("#009e73", ("vidusskol", "ģimnāzij", "gimnazij", "licej", "secondary",
                              "gymnasium", "high school")),
    "basic": ("#56b4e9", ("pamatskol", "basic")),
    "primary": ("#e69f00", ("sākumskol", "primary", "elementary")),
    "other": ("#999999", ()),
}


def school_category(type_text=None, *, name=None, isced=None) -> str:
    """Category key of :data:`SCHOOL_TYPES` from a type text, a name or an ISCED level.

    The type text is read first (e.g. IZM's ``Iestādes tips`` "Vispārizglītojošā pamatskola"),
    then OSM ``isced:level`` (highest level: 1 primary, 2 basic, 3 secondary), then the name.
    """
    cat = _category_from_text(type_text)
    if cat is None and isced is not None and not pd.isna(isced):
        levels = [int(x) for x in re.findall(r"\d", str(isced))]
        if levels:
            top = max(levels)
            cat = "primary" if top <= 1 else "basic" if top == 2 else "secondary"
    if cat is None:
        cat = _category_from_text(name)
    return cat or "other"


def _category_from_text(text) -> str | None:
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return None
    low = str(text).lower()
    for cat, (_, words) in SCHOOL_TYPES.items():
        if any(w in low for w in words):
            return cat
    return None


def _scaled_radius(values: np.ndarray, *, rmin: float = 4.0, rmax: float = 14.0,
                   default: float = 6.0) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v) & (v >= 0)
    out = np.full(len(v), default)
    if ok.any() and np.nanmax(v[ok]) > 0:
        out[ok] = rmin + (rmax - rmin) * np.sqrt(v[ok] / np.nanmax(v[ok]))
    return np.round(out, 1)


def schools_layer(
    schools: gpd.GeoDataFrame,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    name: str | None = None,
    school_type: str | None = None,
    pupils: str | None = None,
    capacity: str | None = None,
    show: bool = True,
) -> MapLayer:
    """Schools as circles coloured by type, sized by pupils, with a popup.

    Parameters
    ----------
    schools : GeoDataFrame
        Points (or polygons: their representative point) in any CRS.
    lang : {"lv", "en"}
    name, school_type, pupils, capacity : str, optional
        Columns. Defaults are found by name: ``name`` / ``Iestādes nosaukums``;
        ``type`` / ``Iestādes tips`` / ``school`` (type text; OSM ``isced:level`` is used
        too); ``pupils`` / ``Kopā 1.-12.klasē``; ``capacity``.
    show : bool, default True

    Returns
    -------
    MapLayer
        Popup with name, type, pupils and capacity. Circle area is proportional to pupils
        (6 px when unknown).
    """
    _check_lang(lang)
    cols = [c for c in (name, school_type, pupils, capacity) if c is not None]
    src, disp = _prepare(schools, "schools", columns=cols)
    disp = _as_points(disp)
    name = pick_column(disp, name, ("name", "Iestādes nosaukums", "name:lv", "official_name"))
    school_type = pick_column(disp, school_type, ("type", "school_type", "Iestādes tips", "school"))
    pupils = pick_column(disp, pupils, ("pupils", "pupils_1_12", "Kopā 1.-12.klasē", "students"))
    capacity = pick_column(disp, capacity, ("capacity", "Ietilpība"))
    n = len(disp)

    def col(c):
        return disp[c].to_numpy() if c is not None else np.full(n, None, dtype=object)

    types, names, isced = col(school_type), col(name), col("isced:level" if "isced:level" in disp else None)
    cats = np.array([school_category(a, name=b, isced=c) for a, b, c in
                     zip(types, names, isced, strict=True)], dtype=object)
    npupils = _num(disp[pupils]) if pupils else np.full(n, np.nan)
    data = gpd.GeoDataFrame({
        "_c": [SCHOOL_TYPES[c][0] for c in cats],
        "_r": _scaled_radius(npupils),
        "f0": _fmt(names),
        "f1": [t(f"map.school_type.{c}", lang) for c in cats],
        "f2": _fmt(npupils),
        "f3": _fmt(_num(disp[capacity]) if capacity else np.full(n, np.nan)),
    }, geometry=disp.geometry.values, crs=settings.WGS84)
    present = [c for c in SCHOOL_TYPES if (cats == c).any()]
    legend = [LegendItem(t(f"map.school_type.{c}", lang), SCHOOL_TYPES[c][0], "circle")
              for c in present]
    fields = [("f0", t("map.field.name", lang)), ("f1", t("map.field.type", lang)),
              ("f2", t("map.field.pupils", lang)), ("f3", t("map.field.capacity", lang))]
    return MapLayer("schools", t("map.schools", lang), data, "point", fields=fields,
                    legend=legend, popup=True, show=show, fill_opacity=0.9, stroke="#222222",
                    stroke_width=1.0, source=src)


def _as_points(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    geom = gdf.geometry.values
    if len(gdf) and not (shapely.get_type_id(geom) == 0).all():
        pts = np.where(shapely.get_type_id(geom) == 0, geom, shapely.point_on_surface(geom))
        return gdf.set_geometry(gpd.GeoSeries(pts, index=gdf.index, crs=gdf.crs))
    return gdf


def dormitories_layer(
    dormitories: gpd.GeoDataFrame,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    name: str | None = None,
    beds: str | None = None,
    color: str = "#6a3d9a",
    show: bool = True,
) -> MapLayer:
    """Dormitories (dienesta viesnīcas) as squares with a popup (name, beds).

    Parameters
    ----------
    dormitories : GeoDataFrame
        Points (or polygons) in any CRS.
    lang : {"lv", "en"}
    name, beds : str, optional
        Columns (defaults ``name``; ``beds`` / ``capacity``).
    color : str, default "#6a3d9a"
    show : bool, default True

    Returns
    -------
    MapLayer
    """
    _check_lang(lang)
    src, disp = _prepare(dormitories, "dormitories",
                         columns=[c for c in (name, beds) if c is not None])
    disp = _as_points(disp)
    name = pick_column(disp, name, ("name", "name:lv", "official_name"))
    beds = pick_column(disp, beds, ("beds", "capacity"))
    n = len(disp)
    data = gpd.GeoDataFrame({
        "_c": [color] * n,
        "_r": [6.0] * n,
        "f0": _fmt(disp[name].to_numpy()) if name else ["–"] * n,
        "f1": _fmt(_num(disp[beds])) if beds else ["–"] * n,
    }, geometry=disp.geometry.values, crs=settings.WGS84)
    label = t("map.dormitories", lang)
    return MapLayer("dormitories", label, data, "point",
                    fields=[("f0", t("map.field.name", lang)), ("f1", t("map.field.beds", lang))],
                    legend=[LegendItem(label, color, "square")], popup=True, show=show,
                    marker="square", fill_opacity=1.0, stroke="#ffffff", stroke_width=2.0,
                    source=src)


def _merge_bands(data: gpd.GeoDataFrame, labels: dict[str, str], population) -> gpd.GeoDataFrame:
    """One polygon per colour band (cells are a coverage: merged with GEOS CoverageUnion)."""
    rows = []
    pop = None if population is None else np.asarray(population, dtype=float)
    for color, idx in data.groupby("_c", sort=False).indices.items():
        geoms = data.geometry.values[idx]
        try:
            merged = shapely.coverage_union_all(geoms)
        except shapely.errors.GEOSException:
            merged = shapely.union_all(geoms)
        total = "–" if pop is None else _fmt([np.nansum(pop[idx])])[0]
        rows.append({"_c": color, "f0": labels.get(color, "–"), "f1": total, "geometry": merged})
    return gpd.GeoDataFrame(rows, columns=["_c", "f0", "f1", "geometry"], geometry="geometry",
                            crs=settings.WGS84)


def _maybe_merge(data, kind, dissolve, labels, population):
    if kind == "point" or not len(data):
        return data, False
    if dissolve is None:
        dissolve = len(data) > settings.MAP_MAX_CELLS
    if not dissolve:
        return data, False
    return _merge_bands(data, labels, population), True


def _time_minutes(gdf: gpd.GeoDataFrame, time_col: str | None) -> tuple[np.ndarray, str]:
    if time_col is None:
        time_col = pick_column(gdf, None, ("time_min", "time_s"))
        if time_col is None:
            raise GeoInputError(
                Msg("err.layers.no_time"), path=gdf.attrs.get("source"),
                fix=Msg("err.layers.no_time.fix"),
            )
    v = _num(gdf[time_col])
    if time_col.endswith("_s"):
        v = v / 60.0
    return v, time_col


def travel_time_layer(  # noqa: PLR0913  keyword-only options of a public entry point
    cells: gpd.GeoDataFrame,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    time_col: str | None = None,
    population: str | None = None,
    school: str | None = None,
    bands: Sequence[float] = settings.MAP_TIME_BANDS_MIN,
    colors: Sequence[str] = settings.MAP_TIME_COLORS,
    dissolve: bool | None = None,
    show: bool = True,
) -> MapLayer:
    """Travel time to the nearest school as a graded choropleth of population cells (or points).

    Parameters
    ----------
    cells : GeoDataFrame
        Population cells (polygons) or points in any CRS, with a travel time.
    lang : {"lv", "en"}
    time_col : str, optional
        Time column: minutes, or seconds when the name ends in ``_s`` (default ``time_min``
        or ``time_s``). NaN or inf: not reachable (grey).
    population : str, optional
        Population column shown in the tooltip (default ``population`` or ``T``).
    school : str, optional
        Column with the nearest school's name or id (default ``school_name`` or
        ``facility_id``).
    bands : sequence of float, default settings.MAP_TIME_BANDS_MIN
        Band edges in minutes, 0-10-20-30-45-60+.
    colors : sequence of str, default settings.MAP_TIME_COLORS
        One colour per band (viridis, colour-blind safe).
    dissolve : bool, optional
        Draw one merged polygon per band (tooltip: band and its population) instead of one
        per cell. Default: when there are more than ``settings.MAP_MAX_CELLS`` cells.
    show : bool, default True

    Returns
    -------
    MapLayer
    """
    _check_lang(lang)
    if len(colors) != len(bands):
        raise GeoInputError(Msg("err.layers.colours", bands=len(bands), colors=len(colors)))
    src, disp = _prepare(cells, "travel-time", simplify_m=settings.MAP_SIMPLIFY_M["cells"],
                         columns=[c for c in (time_col, population, school) if c is not None])
    minutes, _ = _time_minutes(disp, time_col)
    population = pick_column(disp, population, ("population", "T", "pop"))
    school = pick_column(disp, school, ("school_name", "facility_name", "facility_id"))
    idx = band_index(minutes, bands)
    palette = np.array(list(colors) + [settings.MAP_UNREACHABLE_COLOR], dtype=object)
    n = len(disp)
    data = gpd.GeoDataFrame({
        "_c": palette[idx],
        "f0": _fmt(minutes, 1),
        "f1": _fmt(_num(disp[population])) if population else ["–"] * n,
        "f2": _fmt(disp[school].to_numpy()) if school else ["–"] * n,
    }, geometry=disp.geometry.values, crs=settings.WGS84)
    fields = [("f0", t("map.field.time", lang)), ("f1", t("map.field.population", lang))]
    if school:
        fields.append(("f2", t("map.field.school", lang)))
    kind = _kind(data)
    sym = "circle" if kind == "point" else "fill"
    legend = [LegendItem(lab, c, sym) for lab, c in zip(band_labels(bands), colors, strict=True)]
    if (idx < 0).any():
        legend.append(LegendItem(t("map.unreachable", lang), settings.MAP_UNREACHABLE_COLOR, sym))
    data, merged = _maybe_merge(data, kind, dissolve, {it.color: it.label for it in legend},
                                _num(disp[population]) if population else None)
    if merged:
        fields = fields[:2]
    if kind == "point":
        data["_r"] = 4.0
    return MapLayer("travel_time", t("map.travel_time", lang), data, kind, fields=fields,
                    legend=legend, show=show, fill_opacity=0.75, source=src)


def _kind(gdf: gpd.GeoDataFrame) -> str:
    if not len(gdf):
        return "polygon"
    tid = shapely.get_type_id(gdf.geometry.values)
    if (tid == 0).all() or (tid == 4).all():
        return "point"
    if np.isin(tid, (1, 2, 5)).all():
        return "line"
    return "polygon"


def isochrones_layer(
    isochrones: gpd.GeoDataFrame,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    minutes: str = "minutes",
    bands: Sequence[float] = settings.MAP_TIME_BANDS_MIN,
    colors: Sequence[str] = settings.MAP_TIME_COLORS,
    simplify_m: float | None = None,
    show: bool = True,
) -> MapLayer:
    """Isochrone polygons (e.g. ``geo.network.access.isochrones``), coloured like the time bands.

    Parameters
    ----------
    isochrones : GeoDataFrame
        Polygons in any CRS with a ``minutes`` column (the time limit).
    lang : {"lv", "en"}
    minutes : str, default "minutes"
    bands, colors : sequence
        As in :func:`travel_time_layer`; a limit of X minutes takes the colour of the band
        that ends at X.
    simplify_m : float, optional
        Default ``settings.MAP_SIMPLIFY_M["isochrones"]``.
    show : bool, default True

    Returns
    -------
    MapLayer
        Larger limits are drawn first so smaller ones stay visible.
    """
    _check_lang(lang)
    tol = settings.MAP_SIMPLIFY_M["isochrones"] if simplify_m is None else simplify_m
    src, disp = _prepare(isochrones, "isochrones", simplify_m=tol, columns=[minutes])
    mins = _num(disp[minutes])
    order = np.argsort(-mins, kind="stable")
    disp, mins = disp.iloc[order], mins[order]
    # colour of the band whose upper edge is the limit (10 min -> band 0-10)
    idx = np.clip(band_index(mins - 1e-9, bands), 0, len(colors) - 1)
    colors_arr = np.asarray(colors, dtype=object)
    fid = disp["facility_id"].to_numpy() if "facility_id" in disp else [None] * len(disp)
    data = gpd.GeoDataFrame({
        "_c": colors_arr[idx],
        "f0": _fmt(mins),
        "f1": _fmt(fid),
    }, geometry=disp.geometry.values, crs=settings.WGS84)
    legend = [LegendItem(f"≤ {m:g} {t('unit.min', lang)}", colors_arr[i], "fill")
              for m, i in sorted(dict(zip(mins, idx, strict=True)).items())]
    fields = [("f0", t("map.field.minutes", lang))]
    return MapLayer("isochrones", t("map.isochrones", lang), data, "polygon", fields=fields,
                    legend=legend, show=show, fill_opacity=0.35, stroke="#333333",
                    stroke_width=0.8, source=src)


#: Qualitative palette for catchments (Okabe-Ito without black, then Tol's muted scheme).
CATCHMENT_COLORS = ("#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7",
                    "#88ccee", "#44aa99", "#117733", "#999933", "#ddcc77", "#cc6677", "#aa4499")


def catchments_layer(
    catchments: gpd.GeoDataFrame,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    name: str | None = None,
    population: str | None = "population",
    simplify_m: float | None = None,
    show: bool = True,
) -> MapLayer:
    """School catchments (e.g. ``geo.network.access.catchments(..., origins=cells)``), one colour each.

    Parameters
    ----------
    catchments : GeoDataFrame
        Polygons in any CRS, one row per school.
    lang : {"lv", "en"}
    name : str, optional
        School name column (default ``school_name`` / ``name`` / ``facility_id``).
    population : str, optional
        Population column shown in the tooltip when present.
    simplify_m : float, optional
        Default ``settings.MAP_SIMPLIFY_M["catchments"]``.
    show : bool, default True

    Returns
    -------
    MapLayer
    """
    _check_lang(lang)
    tol = settings.MAP_SIMPLIFY_M["catchments"] if simplify_m is None else simplify_m
    src, disp = _prepare(catchments, "catchments", simplify_m=tol)
    name = pick_column(disp, name, ("school_name", "name", "facility_id"))
    n = len(disp)
    data = gpd.GeoDataFrame({
        "_c": [CATCHMENT_COLORS[i % len(CATCHMENT_COLORS)] for i in range(n)],
        "f0": _fmt(disp[name].to_numpy()) if name else ["–"] * n,
        "f1": _fmt(_num(disp[population])) if population in disp else ["–"] * n,
        "f2": _fmt(_num(disp["n_origins"])) if "n_origins" in disp else ["–"] * n,
    }, geometry=disp.geometry.values, crs=settings.WGS84)
    fields = [("f0", t("map.field.school", lang)), ("f1", t("map.field.population", lang)),
              ("f2", t("map.field.cells", lang))]
    label = t("map.catchments", lang)
    return MapLayer("catchments", label, data, "polygon", fields=fields,
                    legend=[LegendItem(label, "#e69f00", "fill", stroke="#ffffff")], show=show,
                    fill_opacity=0.35, stroke="#ffffff", stroke_width=1.2, source=src)


def _maybe_beyond(cells, time_col: str | None, thr: float):
    """The rows of ``cells`` beyond ``thr`` minutes (NaN and inf count as beyond), or
    ``cells`` unchanged when that cannot be told yet (:func:`_prepare` then names the
    problem): only these rows need to be projected and checked."""
    if not isinstance(cells, gpd.GeoDataFrame):
        return cells
    col = time_col if time_col is not None else pick_column(cells, None, ("time_min", "time_s"))
    if col is None or col not in cells.columns:
        return cells
    minutes, _ = _time_minutes(cells, col)
    return cells.loc[~(minutes <= thr)]


def white_spots_layer(
    cells: gpd.GeoDataFrame,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    threshold_min: float | None = None,
    time_col: str | None = None,
    population: str | None = None,
    color: str = settings.MAP_WHITE_SPOT_COLOR,
    dissolve: bool | None = None,
    show: bool = True,
) -> MapLayer:
    """White spots: cells from which the nearest school is farther than a threshold.

    Parameters
    ----------
    cells : GeoDataFrame
        Cells or points in any CRS with a travel time (see :func:`travel_time_layer`).
    lang : {"lv", "en"}
    threshold_min : float, optional
        Minutes; default ``settings.THRESHOLD_MIN["1-6"]``. Unreachable cells count too.
    time_col, population : str, optional
        As in :func:`travel_time_layer`.
    color : str, default settings.MAP_WHITE_SPOT_COLOR
    dissolve : bool, optional
        One merged polygon (see :func:`travel_time_layer`).
    show : bool, default True

    Returns
    -------
    MapLayer
        Only the cells beyond the threshold.
    """
    _check_lang(lang)
    thr = settings.THRESHOLD_MIN["1-6"] if threshold_min is None else float(threshold_min)
    src, disp = _prepare(_maybe_beyond(cells, time_col, thr), "white spots",
                         columns=[c for c in (time_col, population) if c is not None])
    minutes, _ = _time_minutes(disp, time_col)
    beyond = ~(minutes <= thr)  # NaN / inf count as beyond
    population = pick_column(disp, population, ("population", "T", "pop"))
    sub = disp.loc[beyond]
    data = gpd.GeoDataFrame({
        "_c": [color] * len(sub),
        "f0": _fmt(minutes[beyond], 1),
        "f1": _fmt(_num(sub[population])) if population else ["–"] * len(sub),
    }, geometry=sub.geometry.values, crs=settings.WGS84)
    kind = _kind(data)
    if kind == "point":
        data["_r"] = 4.0
    item = t("map.white_spot", lang, minutes=f"{thr:g}")
    data, _ = _maybe_merge(data, kind, dissolve, {color: item},
                           _num(sub[population]) if population else None)
    label = t("map.white_spots", lang, minutes=f"{thr:g}")
    return MapLayer(
        "white_spots", label, data, kind,
        fields=[("f0", t("map.field.time", lang)), ("f1", t("map.field.population", lang))],
        legend=[LegendItem(item, color, "circle" if kind == "point" else "fill",
                           stroke="#000000")],
        show=show, fill_opacity=0.65, stroke="#000000", stroke_width=0.6,
        source=src.loc[beyond],
    )


def broadband_layer(
    cells: gpd.GeoDataFrame,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    speed_col: str = "avg_d_kbps",
    tests: str | None = "tests",
    bands: Sequence[float] = settings.MAP_BROADBAND_BANDS_MBPS,
    colors: Sequence[str] = settings.MAP_BROADBAND_COLORS,
    dissolve: bool | None = None,
    show: bool = True,
) -> MapLayer:
    """Fixed-broadband download speed per cell (Ookla open data), graded in Mbit/s.

    Parameters
    ----------
    cells : GeoDataFrame
        Cells in any CRS with a download speed column.
    lang : {"lv", "en"}
    speed_col : str, default "avg_d_kbps"
        Download speed; kbit/s when the name ends in ``kbps`` (converted), else Mbit/s.
    tests : str, optional
        Number-of-tests column shown in the tooltip when present.
    bands, colors : sequence
        Band edges (Mbit/s) and colours, default 0-30-100-300-1000+.
    dissolve : bool, optional
        One merged polygon per band (see :func:`travel_time_layer`).
    show : bool, default True

    Returns
    -------
    MapLayer
    """
    _check_lang(lang)
    src, disp = _prepare(cells, "broadband", columns=[speed_col])
    mbps = _num(disp[speed_col])
    if speed_col.endswith("kbps"):
        mbps = mbps / 1000.0
    idx = band_index(mbps, bands)
    palette = np.array(list(colors) + [settings.MAP_UNREACHABLE_COLOR], dtype=object)
    n = len(disp)
    data = gpd.GeoDataFrame({
        "_c": palette[idx],
        "f0": _fmt(mbps, 1),
        "f1": _fmt(_num(disp[tests])) if tests in disp else ["–"] * n,
    }, geometry=disp.geometry.values, crs=settings.WGS84)
    legend = [LegendItem(lab, c, "fill") for lab, c in zip(band_labels(bands), colors, strict=True)]
    kind = _kind(data)
    data, _ = _maybe_merge(data, kind, dissolve, {it.color: it.label for it in legend}, None)
    return MapLayer("broadband", t("map.broadband", lang), data, kind,
                    fields=[("f0", t("map.field.speed", lang)), ("f1", t("map.field.tests", lang))],
                    legend=legend, show=show, fill_opacity=0.8, note=t("map.broadband_note", lang),
                    attribution="Ookla Open Data (CC BY-NC-SA 4.0)", source=src)


def population_layer(
    cells: gpd.GeoDataFrame,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    values: str | Sequence[str] = "T",
    year: int | str = 2021,
    band: str | None = None,
    show: bool = True,
) -> MapLayer:
    """People (or pupils) per census cell, graded; cells with nobody are left out.

    Parameters
    ----------
    cells : GeoDataFrame
        Census or pupils-per-cell polygons in any CRS.
    lang : {"lv", "en"}
    values : str or sequence of str, default "T"
        The count column (``T``: census total population), or columns summed per cell (the
        grade columns ``g1`` ... ``g12`` of a grade band: then the layer shows pupils).
    year : int or str, default 2021
        Shown in the layer name.
    band : str, optional
        Grade band shown in the name of a pupils layer (e.g. ``"1-12"``).
    show : bool, default True

    Returns
    -------
    MapLayer
        Key ``"population"`` (one column) or ``"pupils"`` (summed grade columns).
    """
    _check_lang(lang)
    cols = [values] if isinstance(values, str) else list(values)
    src, disp = _prepare(cells, "population", columns=cols)
    count = np.nansum(np.column_stack([_num(disp[c]) for c in cols]), axis=1)
    pupils = not isinstance(values, str)
    bands = settings.MAP_PUPIL_BANDS if pupils else settings.MAP_POPULATION_BANDS
    colors = settings.MAP_POPULATION_COLORS
    keep = count >= bands[0]
    idx = band_index(count[keep], bands)
    data = gpd.GeoDataFrame({"_c": np.asarray(colors, dtype=object)[idx],
                             "f0": _fmt(count[keep], 1 if pupils else 0)},
                            geometry=disp.geometry.values[keep], crs=settings.WGS84)
    legend = [LegendItem(lab, c, "fill") for lab, c in zip(band_labels(bands), colors, strict=True)]
    key, label = ("pupils", "map.field.pupils") if pupils else ("population", "map.field.population")
    name = (t("map.pupils", lang, year=year, band=band or "1-12") if pupils
            else t("map.population", lang, year=year))
    return MapLayer(key, name, data, "polygon", fields=[("f0", t(label, lang))], legend=legend,
                    show=show, fill_opacity=0.75, note=t("map.population_note", lang),
                    attribution="CSP / Eurostat census 2021 grid", source=src)


def broadband_class_layer(
    cells: gpd.GeoDataFrame,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    class_col: str = "broadband_class",
    population: str | None = "population",
    dissolve: bool | None = None,
    show: bool = True,
) -> MapLayer:
    """Broadband classes per cell (:mod:`geo.broadband.classes`): white / grey / black from
    operator layers, or measured white / NGA evidence / unknown from Ookla, with Latvian and
    English labels; unknown cells are grey and labelled (no test is not "no coverage").

    Parameters
    ----------
    cells : GeoDataFrame
        Cells in any CRS with ``class_col`` (e.g. ``WhiteSpots.cells``).
    lang : {"lv", "en"}
    class_col : str, default "broadband_class"
    population : str, optional
        Population column shown in the tooltip.
    dissolve : bool, optional
        One merged polygon per class (default: when more than ``settings.MAP_MAX_CELLS``).
    show : bool, default True

    Returns
    -------
    MapLayer
        Key ``broadband_classes``; the legend lists the classes present, in class order.
    """
    _check_lang(lang)
    src, disp = _prepare(cells, "broadband classes", columns=[class_col])
    cls = disp[class_col].fillna("unknown").astype(str).to_numpy(object)
    colors = settings.BROADBAND_CLASS_COLORS
    labels = {c: t(f"bb.class.{c}", lang) for c in ALL_CLASSES}
    pop = _num(disp[population]) if population in disp else None
    data = gpd.GeoDataFrame({
        "_c": [colors.get(c, settings.MAP_UNREACHABLE_COLOR) for c in cls],
        "f0": [labels.get(c, c) for c in cls],
        "f1": _fmt(pop) if pop is not None else ["–"] * len(cls),
    }, geometry=disp.geometry.values, crs=settings.WGS84)
    present = [c for c in ALL_CLASSES if c in set(cls)]
    legend = [LegendItem(labels[c], colors[c], "fill") for c in present]
    kind = _kind(data)
    data, _ = _maybe_merge(data, kind, dissolve, {colors[c]: labels[c] for c in present}, pop)
    source = ("bb.source.declared" if class_col == "broadband_class" and "class_source" in disp
              and (disp["class_source"] == "declared").any() else "bb.source.measured")
    return MapLayer("broadband_classes", t("map.broadband_classes", lang), data, kind,
                    fields=[("f0", t("map.field.class", lang)),
                            ("f1", t("map.field.population", lang))],
                    legend=legend, show=show, fill_opacity=0.75, note=t(source, lang),
                    attribution="Ookla Open Data (CC BY-NC-SA 4.0); Eurostat Census 2021",
                    source=src)


def joint_gap_layer(
    cells: gpd.GeoDataFrame,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    pupils: str = "joint_pupils",
    color: str = "#7b3294",
    show: bool = True,
) -> MapLayer:
    """Cells whose pupils can neither reach a school in time nor learn remotely (travel-time
    white spot and broadband white spot, :mod:`geo.broadband.joint`).

    Parameters
    ----------
    cells : GeoDataFrame
        Cells with a ``pupils`` column (pupils in the joint gap); only cells above 0 are drawn.
    lang : {"lv", "en"}
    pupils : str, default "joint_pupils"
    color : str, default "#7b3294" (purple, distinct from the class colours)
    show : bool, default True

    Returns
    -------
    MapLayer
        Key ``joint_gap``.
    """
    _check_lang(lang)
    src, disp = _prepare(cells, "joint gap", columns=[pupils])
    v = _num(disp[pupils])
    sub = disp.loc[v > 1e-9]
    label = t("bb.joint", lang)
    data = gpd.GeoDataFrame({"_c": [color] * len(sub), "f0": _fmt(v[v > 1e-9], 1)},
                            geometry=sub.geometry.values, crs=settings.WGS84)
    return MapLayer("joint_gap", label, data, _kind(data),
                    fields=[("f0", t("map.field.pupils", lang))],
                    legend=[LegendItem(label, color, "fill", stroke="#000000")], show=show,
                    fill_opacity=0.7, stroke="#000000", stroke_width=0.8,
                    source=src.loc[v > 1e-9])


def border_line_layer(
    lines: gpd.GeoDataFrame,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    color: str = "#000000",
    show: bool = True,
) -> MapLayer:
    """The national land border (:mod:`geo.broadband.border`) as a thick dash-dot line."""
    _check_lang(lang)
    src, disp = _prepare(lines, "border")
    label = t("bb.border_line", lang)
    data = gpd.GeoDataFrame({"_c": [color] * len(disp), "_w": [3.0] * len(disp),
                             "_d": ["10 4 2 4"] * len(disp), "f0": [label] * len(disp)},
                            geometry=disp.geometry.values, crs=settings.WGS84)
    return MapLayer("border", label, data, "line", fields=[("f0", label)],
                    legend=[LegendItem(label, color, "line", 3.0, "10 4 2 4")], show=show,
                    source=src)


def boundaries_layer(
    boundaries: gpd.GeoDataFrame,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    name: str | None = None,
    color: str = "#222222",
    simplify_m: float | None = None,
    show: bool = True,
) -> MapLayer:
    """Municipality boundaries as outlines (their insides stay clickable for other layers).

    Parameters
    ----------
    boundaries : GeoDataFrame
        Polygons in any CRS.
    lang : {"lv", "en"}
    name : str, optional
        Name column (default ``name``).
    color : str, default "#222222"
    simplify_m : float, optional
        Default ``settings.MAP_SIMPLIFY_M["boundaries"]``.
    show : bool, default True

    Returns
    -------
    MapLayer
    """
    _check_lang(lang)
    tol = settings.MAP_SIMPLIFY_M["boundaries"] if simplify_m is None else simplify_m
    src, disp = _prepare(boundaries, "boundaries", simplify_m=tol,
                         columns=[name] if name else [])
    name = pick_column(disp, name, ("name", "NAME", "nosaukums"))
    lines = shapely.boundary(disp.geometry.values)
    data = gpd.GeoDataFrame({
        "_c": [color] * len(disp),
        "_w": [2.0] * len(disp),
        "_d": ["6 4"] * len(disp),
        "f0": _fmt(disp[name].to_numpy()) if name else ["–"] * len(disp),
    }, geometry=lines, crs=settings.WGS84)
    label = t("map.boundaries", lang)
    return MapLayer("boundaries", label, data, "line",
                    fields=[("f0", t("map.field.municipality", lang))],
                    legend=[LegendItem(label, color, "line", 2.0, "6 4")], show=show, source=src)


def label_spacing_m(points: gpd.GeoSeries, *, per_side: float = 28.0) -> float:
    """Smallest distance between two labels (metres): the longer side of the points' extent
    divided by ``per_side`` (so about ``per_side`` labels fit across the map), at least 500 m."""
    if not len(points):
        return 500.0
    w, s, e, n = points.total_bounds
    return max(max(e - w, n - s) / per_side, 500.0)


def select_labels(xy: np.ndarray, rank: np.ndarray, *, spacing_m: float,
                  max_labels: int) -> np.ndarray:
    """Positions of the labels to draw: the most important first (``rank`` ascending), each
    kept only when no kept label is closer than ``spacing_m``; at most ``max_labels``.

    Parameters
    ----------
    xy : numpy.ndarray, shape (n, 2)
        Metric coordinates (metres).
    rank : numpy.ndarray, shape (n,)
        Importance order (0 first); ties keep the input order.
    spacing_m : float
    max_labels : int

    Returns
    -------
    numpy.ndarray of int
        Row positions of the kept labels, most important first.
    """
    kept: list[int] = []
    for i in np.argsort(rank, kind="stable"):
        if len(kept) >= max_labels:
            break
        if kept and np.min(np.hypot(*(xy[kept] - xy[i]).T)) < spacing_m:
            continue
        kept.append(int(i))
    return np.asarray(kept, dtype=np.int64)


def places_layer(
    places: gpd.GeoDataFrame,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    name: str | None = None,
    kinds: Sequence[str] = LABEL_PLACES,
    max_labels: int = 60,
    spacing_m: float | None = None,
    show: bool = True,
) -> MapLayer:
    """Names of cities, towns and villages drawn as text, so that a map without a tile server
    can be read (where is which school, which area turned grey).

    Labels are chosen by importance (city, town, village; then by population) and spaced so
    that they do not overlap (:func:`select_labels`).

    Parameters
    ----------
    places : GeoDataFrame
        Points (or polygons: labelled at a point on their surface) in any CRS, with a name
        column and optionally ``place`` (OSM place kind; missing = ``"town"``) and
        ``population``.
    lang : {"lv", "en"}
    name : str, optional
        Name column (default ``name``, ``NAME``, ``nosaukums`` or ``_tooltip``).
    kinds : sequence of str, default ``geo.sources.osm.LABEL_PLACES``
        Place kinds labelled, largest first (the index is the label's size class ``_k``);
        other kinds are left out.
    max_labels : int, default 60
    spacing_m : float, optional
        Smallest distance between labels, metres (default :func:`label_spacing_m`).
    show : bool, default True

    Returns
    -------
    MapLayer
        Kind ``"label"``; ``source`` keeps every labelled-kind place (not only those drawn).
    """
    _check_lang(lang)
    src, disp = _prepare(places, "places", columns=[name] if name else [])
    src, disp = _as_points(src), _as_points(disp)
    name = pick_column(disp, name, ("name", "NAME", "nosaukums", "_tooltip"))
    kind = (disp["place"].astype(object).where(disp["place"].notna(), "town")
            if "place" in disp.columns else pd.Series("town", index=disp.index, dtype=object))
    text = disp[name].astype(object) if name else pd.Series(None, index=disp.index, dtype=object)
    ok = kind.isin(list(kinds)).to_numpy() & text.notna().to_numpy() & \
        (text.astype(str).str.strip() != "").to_numpy()
    disp, src = disp.loc[ok], src.loc[ok]
    k = kind[ok].map({kd: i for i, kd in enumerate(kinds)}).to_numpy(dtype=np.int64)
    pop = _num(disp["population"]) if "population" in disp.columns else np.full(len(disp), np.nan)
    order = np.lexsort((-np.nan_to_num(pop, nan=0.0), k))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    metric = disp.geometry.to_crs(_metric_crs(disp)) if len(disp) else disp.geometry
    xy = np.column_stack([metric.x, metric.y]) if len(disp) else np.empty((0, 2))
    gap = label_spacing_m(metric) if spacing_m is None else float(spacing_m)
    pick = select_labels(xy, rank, spacing_m=gap, max_labels=max_labels)
    data = gpd.GeoDataFrame({
        "_c": ["#1f1f1f"] * len(pick),
        "_k": k[pick],
        "f0": [str(v).strip() for v in text[ok].to_numpy()[pick]],
    }, geometry=disp.geometry.to_numpy()[pick], crs=settings.WGS84)
    return MapLayer("places", t("map.places", lang), data, "label",
                    fields=[("f0", t("map.field.name", lang))],
                    show=show, source=src)


# --------------------------------------------------------------------------------------------
# folium rendering
# --------------------------------------------------------------------------------------------
def _round_coords(geoms, decimals: int):
    return shapely.transform(geoms, lambda xy: np.round(xy, decimals))


def feature_collection(data: gpd.GeoDataFrame, *, decimals: int = settings.MAP_COORD_DECIMALS) -> dict:
    """GeoJSON of a layer's display data with coordinates rounded to ``decimals`` places.

    Features get ids ``"0"``, ``"1"`` ...; properties are the non-geometry columns (NaN as
    null). Geometry is serialised by GEOS (``shapely.to_geojson``) in one pass.
    """
    geoms = _round_coords(np.asarray(data.geometry.values), decimals)
    parsed = json.loads("[" + ",".join(shapely.to_geojson(geoms).tolist()) + "]") if len(data) else []
    props = pd.DataFrame(data.drop(columns=data.geometry.name)).astype(object)
    props = props.where(props.notna(), None).to_dict("records")
    features = [{"type": "Feature", "id": str(i), "properties": p, "geometry": g}
                for i, (p, g) in enumerate(zip(props, parsed, strict=True))]
    return {"type": "FeatureCollection", "features": features}


def layers_bounds(layers: Sequence[MapLayer]) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of all layers, degrees; None when all are empty."""
    b = [la.data.total_bounds for la in layers if len(la.data)]
    b = [x for x in b if np.isfinite(x).all()]
    if not b:
        return None
    arr = np.vstack(b)
    return (arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max())
