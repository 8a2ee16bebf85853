"""Streamlit app: widgets and layout only; every computation is a function in geo/.

Run with ``streamlit run app.py``. The app opens Vidzeme when its bundle has roads, otherwise
the fictional demo region (built offline on first start), with a banner saying which and why.

Views (tabs): Map, Scenario (every change kind, undo, upload and download), Compare (before and
after side by side, change map, tables), Optimise, Schools, Data and, when ``app_broadband``
exists, Broadband. Only the open tab runs (``st.tabs(on_change="rerun")``); the open tab and
the scenario being edited survive a change of language.
"""

from __future__ import annotations

import dataclasses
import functools
import tempfile
import threading
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

from geo import i18n, jobs, settings
from geo._yaml import parse_yaml
from geo.errors import GeoInputError, error_text
from geo.i18n import t
from geo.network.graph import Network
from geo.outputs import layers as map_layers
from geo.outputs import planner, web, web_streamlit
from geo.outputs.report import format_number
from geo.planning.evaluate import evaluate
from geo.planning.indicators import compare, school_flows
from geo.planning.optimize import optimize, result_to_scenario
from geo.planning.scenario import save_scenario
from geo.planning.sweep import (
    chart_png,
    current_point,
    display_table,
    frontier_table,
    open_schools,
    parse_years,
    robustness,
    run_point,
)
from geo.sources.osm import read_places

try:  # the broadband view, written separately
    import app_broadband
except ImportError:
    app_broadband = None
import app_vidzeme  # school places and roads for a region without them (Vidzeme offline)

st.set_page_config(page_title="Skolu tīkla plānotājs / School network planner", layout="wide")

lang = st.sidebar.radio(
    "Valoda / Language", i18n.LANGUAGES, format_func={"lv": "Latviešu", "en": "English"}.get,
    horizontal=True, key="lang",
)
st.title(t("app.title", lang))

OTHER_OSM = "__osm__"
SCENARIO_DIR = settings.PROJECT_ROOT / "scenarios"
MIME = {"html": "text/html", "png": "image/png", "pdf": "application/pdf",
        "gpkg": "application/geopackage+sqlite3", "csv": "text/csv"}


def num(v, decimals: int | None = None) -> str:
    """A number in the user's language (``2 102``, ``2,9``)."""
    return format_number(v, lang, decimals)


def show_error(exc: Exception) -> None:
    """An input error in the user's language (file, rows and fix kept; English if untranslated)."""
    st.error(f"{t('app.input_error', lang)}\n\n{error_text(exc, lang)}")


# -- cached loaders (thin wrappers of geo.jobs) --------------------------------------------
@st.cache_resource(show_spinner=False)
def load_bundle(name: str, stamp: float):
    return jobs.open_bundle(name)


@st.cache_resource(show_spinner=False)
def load_network(folder: str, stamp: float):
    return Network.load(folder)


@st.cache_resource(show_spinner=False)
def load_osm_network(path: str, mtime: float):
    return jobs.prepare_network(path)


@st.cache_data(show_spinner=False)
def load_osm_schools(path: str, mtime: float):
    return jobs.read_facilities_any(path)


@st.cache_data(show_spinner=False)
def load_osm_places(path: str, mtime: float):
    """The file's named cities, towns and villages (place names of the map)."""
    return read_places(path)


@st.cache_resource(show_spinner=False)
def roads_layer(folder: str, stamp: float, lang: str):
    net = load_network(folder, stamp)
    return map_layers.roads_layer(net.roads_gdf(), lang, classes=("main", "secondary", "tertiary"))


@st.cache_resource(show_spinner=False)
def band_access(name: str, stamp: float, band: str):
    bundle = load_bundle(name, stamp)
    net = load_network(str(bundle.network_dir), stamp)
    return jobs.band_access(net, bundle["pupils_2021"], bundle["schools"], band)


@st.cache_resource(show_spinner=False)
def load_prepared(name: str, stamp: float):
    """The region prepared for scenarios, from the cache of this build when there is one
    (:func:`geo.jobs.cached_prepared`)."""
    return jobs.cached_prepared(jobs.open_bundle(name))


@st.cache_resource(show_spinner=False, max_entries=16)
def evaluate_doc(name: str, stamp: float, doc_yaml: bytes):
    """Baseline and scenario evaluations and their comparison (cached by the scenario text)."""
    prep = load_prepared(name, stamp)
    doc = yaml_load(doc_yaml)
    sc = planner.scenario_of(doc)
    base = planner.scenario_of({**doc, "name": "baseline", "changes": []})
    ev_a = evaluate(prep, base)
    # a scenario without changes is the baseline under its own name: evaluated once
    ev_b = (dataclasses.replace(ev_a, scenario=sc) if not sc.changes
            else evaluate(prep, sc))
    return ev_a, ev_b, compare(ev_a, ev_b)


def yaml_load(data: bytes) -> dict:
    """A scenario document from YAML bytes, through the project's one safe YAML loader."""
    return parse_yaml(data.decode("utf-8")).data or {}


def _stamp(name: str) -> float:
    man = jobs.bundle_dir(name) / "manifest.json"
    return man.stat().st_mtime if man.exists() else 0.0


def export_buttons(view: str, *, layers=None, m=None, tables=None, title: str = "",
                   subtitle: str = "", formats=("html", "png", "pdf", "gpkg", "csv")) -> None:
    """One download button per format; each file is made only when its button is clicked."""
    formats = [f for f in formats if (f != "csv" or tables) and (layers or f in ("pdf", "csv"))]
    cols = st.columns(len(formats))
    for col, fmt in zip(cols, formats, strict=True):
        make = functools.partial(planner.export_bytes, fmt, layers=layers, m=m, tables=tables,
                                 lang=lang, title=title, subtitle=subtitle)
        col.download_button(t(f"ui.fmt.{fmt}", lang), make, mime=MIME[fmt], on_click="ignore",
                            file_name=f"{region}-{view}-{lang}.{fmt}", key=f"dl-{view}-{fmt}")


# -- region ---------------------------------------------------------------------------------------
default, why = jobs.default_region()
choices = jobs.region_choices() + [OTHER_OSM]
wanted = st.query_params.get("region")  # a link may name the region: ?region=demo
region = st.sidebar.selectbox(
    t("app.region", lang), choices, key="region",
    index=choices.index(wanted if wanted in choices else default),
    format_func=lambda r: t("app.other_osm", lang) if r == OTHER_OSM else r,
)


def session_upload(uploaded) -> Path | None:
    """An uploaded OSM file, kept in this session's temporary folder (never shared), written
    once per upload and content (:func:`planner.keep_osm_upload`) and reused on reruns; a bad
    file's error (kept, shown in the current language) names the uploaded file."""
    kept = st.session_state.setdefault("osm_uploads", {})  # file_id -> Path or the error
    if uploaded.file_id not in kept:
        if "upload_dir" not in st.session_state:  # one folder per session
            st.session_state["upload_dir"] = tempfile.mkdtemp(prefix="geo-upload-")
        try:
            kept[uploaded.file_id] = planner.keep_osm_upload(
                uploaded.getvalue(), uploaded.name, Path(st.session_state["upload_dir"]) / "osm")
        except GeoInputError as exc:
            kept[uploaded.file_id] = exc
    got = kept[uploaded.file_id]
    if isinstance(got, GeoInputError):
        st.sidebar.error(f"{t('ui.upload_bad', lang)}: {uploaded.name}\n\n{error_text(got, lang)}")
        return None
    st.sidebar.caption(t("ui.session_only", lang))
    return got


def osm_file_page() -> None:
    """A region straight from an OSM file: travel time for 1 km cells with roads."""
    osm_files = jobs.find_osm_files()
    uploaded = st.sidebar.file_uploader(t("app.osm_upload", lang),
                                        type=["pbf", "osm", "bz2", "gz"], key="osm_upload")
    mine = session_upload(uploaded) if uploaded is not None else None
    if mine is not None:
        osm_files = [mine, *[p for p in osm_files if p.name != mine.name]]
    if not osm_files:
        st.warning(t("app.no_osm", lang))
        st.stop()
    path: Path = st.sidebar.selectbox(  # a new upload: a new widget, which opens the upload
        t("app.osm_file", lang), osm_files, key=f"osm_file-{mine.name}" if mine else "osm_file",
        index=0 if mine is not None else osm_files.index(jobs.default_osm_file(osm_files)),
        format_func=lambda p: p.name,
    )
    threshold = st.sidebar.slider(t("app.threshold", lang), 10, 90,
                                  int(settings.THRESHOLD_MIN["1-6"]), step=5)
    cell = st.sidebar.select_slider(t("app.cell_size", lang), [500, 1000, 2000], value=1000)
    try:
        with st.status(t("app.loading_network", lang), expanded=False) as status:
            net = load_osm_network(str(path), path.stat().st_mtime)
            schools = load_osm_schools(str(path), path.stat().st_mtime)
            status.update(label=t("app.computing_access", lang))
            cells = jobs.grid_cells(net, size_m=float(cell))
            m = jobs.travel_time_map(net, schools, cells, lang=lang, school_id="osm_id",
                                     threshold_min=float(threshold),
                                     places=load_osm_places(str(path), path.stat().st_mtime))
            status.update(label=path.name, state="complete")
    except GeoInputError as exc:  # an upload is named as the user knows it
        show_error(exc.renamed(path.name) if mine is not None and exc.path == path else exc)
        st.stop()
    share = net.meta.get("speed_source_share_by_length", {})
    st.caption(t("app.network_summary", lang, nodes=num(net.n_nodes),
                 km=num(float(net.meta.get("road_km", 0)), 0),
                 tag=f"{num(100 * share.get('tag', 0), 0)} %"))
    st.info(t("app.grid_note", lang))
    near = m._geo_nearest
    times = near["time_min"].replace(np.inf, np.nan)
    c1, c2, c3 = st.columns(3)
    c1.metric(t("app.schools_count", lang), num(len(schools)))
    c2.metric(t("app.median_time", lang), f"{num(float(np.nanmedian(times)), 1)} {t('unit.min', lang)}")
    c3.metric(t("app.beyond_threshold", lang),
              f"{num(100 * float((near['time_min'] > threshold).mean()), 1)} %")
    n_un = int((~near["snapped"]).sum())
    if n_un:
        st.warning(t("app.unsnapped", lang, n=n_un, m=int(settings.SNAP_MAX_DISTANCE_M)))
    web_streamlit.render_streamlit(m, height=650, key="osm_map")
    export_buttons("osm", layers=m._geo_layers, m=m, tables={path.stem: near},
                   title=t("map.title.travel_time", lang))


if region == OTHER_OSM:
    osm_file_page()
    st.stop()

# -- a region bundle -------------------------------------------------------------------------------
if region == default:
    (st.info if why == "app.why.vidzeme" else st.warning)(t(why, lang))
try:
    with st.status(t("app.loading_network", lang), expanded=False) as status:
        bundle = load_bundle(region, _stamp(region))
        net = (load_network(str(bundle.network_dir), _stamp(region))
               if bundle.network_dir else None)
        status.update(label=bundle.manifest.get("title", {}).get(lang, region), state="complete")
except GeoInputError as exc:
    show_error(exc)
    st.stop()
if bundle.manifest.get("region") == "demo" or region.startswith("demo"):
    st.caption(t("app.fictional", lang))

STAMP = _stamp(region)
schools = bundle["schools"]
cells = bundle["pupils_2021"] if "pupils_2021" in bundle.layers else None
boundaries = bundle.layers.get("boundaries")
dorms = bundle.layers.get("dormitories")
SOURCES = planner.sources_line(bundle.manifest, lang)
REGION_TITLE = bundle.manifest.get("title", {}).get(lang, region)
HAS_ROADS = net is not None and cells is not None


@st.cache_resource(show_spinner=False, max_entries=8)
def region_outline(name: str, stamp: float, lang: str) -> tuple:
    """Municipality outlines and place names of a region's bundle (cached per build and
    language: every view's map draws them, on every rerun)."""
    b = load_bundle(name, stamp)
    out = [map_layers.boundaries_layer(b.layers["boundaries"], lang)] \
        if b.layers.get("boundaries") is not None else []
    if b.layers.get("places") is not None and len(b.layers["places"]):
        out.append(map_layers.places_layer(b.layers["places"], lang))
    return tuple(out)


def outline_layers() -> list:
    """Municipality outlines and place names: what lets a reader find their way on every map
    without a tile server."""
    return list(region_outline(region, STAMP, lang))


# ==================================================================================================
# Map
# ==================================================================================================
@st.cache_resource(show_spinner=False)
def view_runs() -> dict:
    """The views running now in this server (every session): their count and when the last
    one ended, under one condition; the warm-up thread waits for them (:func:`wait_quiet`)."""
    return {"n": 0, "ended": 0.0, "cond": threading.Condition()}


def in_foreground(view):
    """A view whose runs hold the warm-up thread back (it would share the cores and Python's
    lock with the click being answered)."""
    @functools.wraps(view)
    def run(*args, **kwargs):
        runs = view_runs()
        with runs["cond"]:
            runs["n"] += 1
        try:
            return view(*args, **kwargs)
        finally:
            with runs["cond"]:
                runs["n"] -= 1
                runs["ended"] = time.monotonic()
                runs["cond"].notify_all()
    return run


#: Seconds after a view's run during which the warm-up thread still waits (the browser
#: draws the answer then, on the same cores).
QUIET_S = 0.5


def wait_quiet() -> None:
    """Return once no view runs and none ended in the last :data:`QUIET_S` seconds."""
    runs = view_runs()
    with runs["cond"]:
        while runs["n"] or time.monotonic() - runs["ended"] < QUIET_S:
            runs["cond"].wait(timeout=QUIET_S)


@st.fragment  # a click in the view reruns only the view
@in_foreground
def map_view() -> None:
    band = st.radio(t("app.grade_band", lang), list(settings.GRADE_BANDS), horizontal=True,
                    key="band")
    threshold = st.slider(t("app.threshold", lang), 10, 120, int(settings.THRESHOLD_MIN[band]),
                          step=5, key=f"thr-{band}")
    tables = {}
    if not HAS_ROADS:
        st.warning(t("app.no_roads", lang))
        if bundle.missing.get("roads"):
            with st.expander(t("ui.missing_details", lang)):
                st.text(bundle.missing_text(lang)["roads"])
    else:
        try:
            tables = access_summary(region, STAMP, band, threshold)
        except GeoInputError as exc:
            show_error(exc)
    n_located = located_count(region, STAMP)
    if n_located < len(schools):
        st.info(t("app.unlocated", lang, n=len(schools) - n_located,
                  file=bundle.path / "schools_to_locate.csv"))
    title = planner.map_title(t("map.title.travel_time", lang), region=REGION_TITLE, band=band,
                              threshold=threshold, year=2021, lang=lang)
    base = base_map(region, STAMP, lang)
    if base is None:
        return
    payload, base_layers, _ = base
    try:
        over = band_overlay(region, STAMP, band, float(threshold), lang) if HAS_ROADS else []
    except GeoInputError:
        over = []
    # the base map stays in the browser; only the band's layers, legend and title travel
    web_streamlit.render_payload(payload, height=620, key=f"map-{region}", overlay=(
        web_streamlit.overlay_script(over, base_layers=base_layers, title=title, lang=lang)))
    st.caption(SOURCES)
    export_buttons("map", layers=[*base_layers, *(s.layer for s in over)], tables=tables,
                   title=title, subtitle=SOURCES)


@st.cache_resource(show_spinner=False, max_entries=8)
def located_count(name: str, stamp: float) -> int:
    """How many of the region's schools have a place (computed once)."""
    return int((schools.geometry.notna() & ~schools.geometry.is_empty).sum())


def population_layers() -> list:
    """The census population and pupils per cell: shown at once when the region has no roads
    (then they are what the map is about), listed in the layer control otherwise."""
    out = []
    if "population_2021" in bundle.layers:
        out.append(map_layers.population_layer(bundle["population_2021"], lang, year=2021,
                                               show=not HAS_ROADS))
    if cells is not None and len(cells):
        grades = [f"g{g}" for g in range(1, 13) if f"g{g}" in cells]
        out.append(map_layers.population_layer(cells, lang, values=grades, year=2021,
                                               band="1-12", show=False))
    return out


@st.cache_resource(show_spinner=False, max_entries=8)
def base_map(name: str, stamp: float, lang: str):
    """The Map view's base map, serialised once per region and language: every layer that
    does not change with the grade band or threshold, and its layers (``None``: no layers)."""
    layers = context_layers()
    if HAS_ROADS:
        layers.append(roads_layer(str(bundle.network_dir), stamp, lang))
    if not layers:
        return None
    n = sum(len(la.data) for la in layers) + (len(cells) if HAS_ROADS else 0)
    m = web.make_map(layers, lang=lang, title=REGION_TITLE,
                     **({"prefer_canvas": True} if n > CANVAS_FEATURES else {}))
    # the cells' shapes travel once, in the base map; a click sends their colours
    grid = web_streamlit.cell_grid(cells) if HAS_ROADS else None
    return web_streamlit.streamlit_payload(m, grid=grid), layers, grid


def band_overlay(name: str, stamp: float, band: str, threshold: float, lang: str) -> list:
    """The Map view's changing layers (travel time, white spots) as scripts, each cached."""
    return [travel_time_script(name, stamp, band, lang),
            white_spots_script(name, stamp, band, threshold, lang)]


def shown_cells(name: str, stamp: float, band: str):
    acc = band_access(name, stamp, band)
    return acc[acc["pupils"] > 0]


def cells_script(name: str, stamp: float, lang: str, layer, slot: str):
    """A layer of the cells as colours of the base map's cell grid, or (when it cannot be
    drawn from the grid) as a script that draws it."""
    base = base_map(name, stamp, lang)
    grid = base[2] if base is not None else None
    return (web_streamlit.grid_layer(layer, grid, slot=slot)
            or web_streamlit.layer_script(layer, slot=slot))


@st.cache_resource(show_spinner=False, max_entries=12)
def travel_time_script(name: str, stamp: float, band: str, lang: str):
    layer = map_layers.travel_time_layer(shown_cells(name, stamp, band), lang,
                                         population="pupils", school="school_name")
    return cells_script(name, stamp, lang, layer, "tt")


@st.cache_resource(show_spinner=False, max_entries=48)
def white_spots_script(name: str, stamp: float, band: str, threshold: float, lang: str):
    layer = map_layers.white_spots_layer(shown_cells(name, stamp, band), lang,
                                         threshold_min=threshold, population="pupils", show=False)
    return cells_script(name, stamp, lang, layer, "ws")


#: Above this many drawn features a map is drawn on a canvas (much faster than SVG).
CANVAS_FEATURES = 4000


def canvas(layers) -> dict:
    """``prefer_canvas=True`` for maps with many features (large regions)."""
    return {"prefer_canvas": True} if sum(len(la.data) for la in layers) > CANVAS_FEATURES else {}


def access_summary(name: str, stamp: float, band: str, threshold: float) -> dict:
    """Headline figures and the table by municipality of a grade band."""
    metrics, tab, shown = band_summary(name, stamp, band, float(threshold), lang)
    for col, (label, value) in zip(st.columns(4), metrics, strict=True):
        col.metric(label, value)
    st.caption(t("app.map_method", lang))
    if tab is None:
        return {}
    st.subheader(t("app.by_municipality", lang))
    st.dataframe(shown, hide_index=True)
    return {t("app.by_municipality", lang): tab}


@st.cache_resource(show_spinner=False, max_entries=64)
def band_summary(name: str, stamp: float, band: str, threshold: float, lang: str):
    """The Map view's figures of a grade band and threshold, computed once (a click on a band
    or threshold seen before only draws them): the four headline metrics as (label, value),
    the table by municipality (None without municipalities) and the table as shown."""
    acc = band_access(name, stamp, band)
    pupils = acc["pupils"].to_numpy()
    tmin = acc["time_min"].to_numpy()
    beyond = float(pupils[tmin > threshold].sum())
    metrics = [
        (t("app.pupils", lang), num(float(pupils.sum()), 0)),
        (t("app.median_time", lang),
         f"{num(jobs.weighted_median(tmin, pupils), 1)} {t('unit.min', lang)}"),
        (t("app.pupils_beyond", lang),
         f"{num(beyond, 0)} ({num(100 * beyond / max(pupils.sum(), 1), 1)} %)"),
        (t("app.schools_count", lang), num(len(jobs.schools_serving(schools, band)))),
    ]
    if "municipality" not in acc.columns:
        return metrics, None, None
    by = acc.assign(beyond=np.where(tmin > threshold, pupils, 0.0),
                    pt=pupils * np.where(np.isfinite(tmin), tmin, np.nan))
    tab = by.groupby("municipality").agg(
        pupils=("pupils", "sum"), beyond=("beyond", "sum"), pt=("pt", "sum"))
    tab["mean_min"] = tab["pt"] / tab["pupils"].replace(0, np.nan)
    tab = tab.drop(columns="pt").rename(columns={
        "pupils": t("app.pupils", lang), "beyond": t("app.pupils_beyond", lang),
        "mean_min": t("map.field.time", lang)}).rename_axis(t("app.municipality", lang))
    tab = tab.reset_index()
    return metrics, tab, tab.round({t("map.field.time", lang): 1}).pipe(whole_pupils)


def whole_pupils(df: pd.DataFrame) -> pd.DataFrame:
    """Pupil columns as whole numbers for display (fractions stay in the exports)."""
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]) and str(c).lower().startswith(
                (t("app.pupils", lang).lower(), "pupils", t("col.pupils", lang).lower())):
            out[c] = out[c].round(0).astype("Int64")
    return out


def context_layers():
    layers = population_layers()
    layers += outline_layers()
    if "broadband" in bundle.layers and len(bundle["broadband"]):
        layers.append(map_layers.broadband_layer(bundle["broadband"], lang, show=net is None))
    located = schools[schools.geometry.notna() & ~schools.geometry.is_empty]
    if len(located):
        layers.append(map_layers.schools_layer(located, lang, name="name",
                                               school_type="school_type", pupils="pupils_1_12"))
    if dorms is not None and len(dorms):
        layers.append(map_layers.dormitories_layer(dorms, lang))
    return layers


# ==================================================================================================
# Scenario editing (the document lives in st.session_state, so it survives language changes)
# ==================================================================================================
DOC, HIST = f"doc-{region}", f"hist-{region}"


def current_doc() -> dict:
    if DOC not in st.session_state:
        prep = load_prepared(region, STAMP) if HAS_ROADS else None
        st.session_state[DOC] = planner.new_document(
            region=(prep.region if prep is not None else "") or region,
            year=int(prep.base_year) if prep is not None else 2021)
        st.session_state[HIST] = []
    return st.session_state[DOC]


def set_doc(doc: dict, *, remember: bool = True) -> None:
    if remember:
        st.session_state.setdefault(HIST, []).append(st.session_state.get(DOC))
    st.session_state[DOC] = doc
    forget_widgets()


def forget_widgets() -> None:
    """Drop the header widgets' state so that they show the (new) document."""
    for k in ("sc_name", "sc_desc", "sc_year", "sc_mode", "sc_yaml"):
        st.session_state.pop(f"{k}-{region}", None)
    for b in settings.GRADE_BANDS:
        st.session_state.pop(f"sthr-{b}", None)


def undo() -> None:
    hist = st.session_state.get(HIST) or []
    if hist and hist[-1] is not None:
        st.session_state[DOC] = hist.pop()
        forget_widgets()


def doc_name(doc: dict) -> str:
    return doc.get("name") or t("ui.default_name", lang)


def named(doc: dict) -> dict:
    """The document with its name (the default name in the user's language when empty)."""
    return {**doc, "name": doc_name(doc)}


def school_names(prep) -> dict:
    return dict(zip(prep.schools["id"].astype(str), prep.schools["name"], strict=True))


def scenario_view() -> None:
    if not HAS_ROADS:
        st.warning(t("app.no_roads", lang))
        return
    with st.spinner(t("app.preparing", lang)):
        prep = load_prepared(region, STAMP)
    doc = current_doc()
    names = school_names(prep)
    scenario_sources()
    scenario_header(doc, prep)
    changes_list(st.session_state[DOC], names)
    add_change_form(prep, names)
    with st.expander(t("ui.edit_yaml", lang)):
        yaml_editor()
    doc = st.session_state[DOC]
    st.info(t("ui.see_compare", lang))
    try:
        text = planner.scenario_yaml(named(doc))
    except GeoInputError as exc:
        show_error(exc)
        return
    st.download_button(t("app.download_scenario", lang), text, mime="text/yaml",
                       file_name=f"{region}-scenario.yaml", key="dl-scenario-yaml")
    layers = scenario_layers(prep, doc)
    title = planner.map_title(doc_name(doc), region=REGION_TITLE,
                              band="1-12", threshold=doc["thresholds_min"]["1-6"],
                              year=doc.get("year", ""), mode=doc["transport"]["mode"], lang=lang)
    changes = pd.DataFrame({"#": range(1, len(doc["changes"]) + 1),
                            t("ui.changes", lang): [planner.describe_change(c, names, lang)
                                                    for c in doc["changes"]]})
    export_buttons("scenario", layers=layers, tables={t("ui.changes", lang): changes},
                   title=title, subtitle=SOURCES)


def scenario_sources() -> None:
    """Start from a file in scenarios/ (files with errors listed with their error) or an upload."""
    files = planner.scenario_files_checked(SCENARIO_DIR, region)
    good = [p for p, err in files if err is None]
    bad = [(p, err) for p, err in files if err is not None]
    c1, c2 = st.columns([3, 1])
    options = ["__new__", *map(str, good)]
    pick = c1.selectbox(t("ui.start_from", lang), options, key="sc_file",
                        format_func=lambda f: t("ui.new", lang) if f == "__new__" else Path(f).stem)
    c2.button(t("ui.load", lang), key="sc_load", on_click=load_file, args=(pick,))
    if bad:
        with st.expander(t("ui.bad_files", lang), expanded=True):
            for p, err in bad:
                st.error(f"{t('ui.file_error', lang, name=p.name)}\n\n{error_text(err, lang)}")
    up = st.file_uploader(t("ui.upload_scenario", lang), type=["yaml", "yml"], key="sc_upload")
    if up is not None and st.session_state.get("sc_upload_done") != (up.name, up.size):
        st.session_state["sc_upload_done"] = (up.name, up.size)
        try:
            set_doc(planner.scenario_doc_from_bytes(up.getvalue(), up.name))
            st.success(t("ui.loaded", lang, name=up.name))
        except GeoInputError as exc:
            show_error(exc)


def load_file(pick: str) -> None:
    if pick == "__new__":
        set_doc(planner.new_document(region=current_doc().get("region", region),
                                     year=current_doc().get("year", 2021)))
    else:
        set_doc(planner.scenario_doc_from_bytes(Path(pick).read_bytes(), Path(pick).name))


def scenario_header(doc: dict, prep) -> None:
    """Name, description, year, transport mode and thresholds of the scenario."""
    c1, c2, c3 = st.columns([3, 1, 1])
    name = c1.text_input(t("ui.scenario_name", lang), doc.get("name", ""), key=f"sc_name-{region}",
                         placeholder=t("ui.default_name", lang))
    year = c2.number_input(t("app.year", lang), prep.base_year, prep.base_year + 15,
                           int(doc.get("year") or prep.base_year), key=f"sc_year-{region}")
    modes = ["bus", "car"]
    mode = c3.selectbox(t("app.mode", lang), modes, key=f"sc_mode-{region}",
                        index=modes.index(doc.get("transport", {}).get("mode", "bus")),
                        format_func=lambda m: t(f"app.mode.{m}", lang))
    desc = st.text_area(t("ui.scenario_description", lang), doc.get("description", ""),
                        key=f"sc_desc-{region}", height=68)
    cols = st.columns(len(settings.GRADE_BANDS))
    thr = {b: float(col.number_input(f"{t('app.threshold', lang)} {b}", 5, 180,
                                     int(doc["thresholds_min"].get(b, settings.THRESHOLD_MIN[b])),
                                     step=5, key=f"sthr-{b}"))
           for b, col in zip(settings.GRADE_BANDS, cols, strict=True)}
    new = {**doc, "name": name, "description": desc, "year": int(year),
           "transport": {**doc.get("transport", {}), "mode": mode}, "thresholds_min": thr}
    if new != doc:
        st.session_state[DOC] = new


def changes_list(doc: dict, names: dict) -> None:
    """The changes, one line each with a remove button; undo of the last change."""
    st.subheader(t("ui.changes", lang))
    if not doc["changes"]:
        st.caption(t("ui.no_changes", lang))
    for i, ch in enumerate(doc["changes"]):
        c1, c2 = st.columns([12, 1])
        c1.markdown(f"{i + 1}. {planner.describe_change(ch, names, lang)}")
        c2.button("✕", key=f"rm-{i}", help=t("ui.remove", lang), on_click=remove_change, args=(i,))
    hist = st.session_state.get(HIST) or []
    st.button(t("ui.undo", lang), key="undo", disabled=not hist, on_click=undo)


def remove_change(i: int) -> None:
    doc = st.session_state[DOC]
    set_doc({**doc, "changes": [c for j, c in enumerate(doc["changes"]) if j != i]})


KINDS = ("close", "merge", "set_grades", "set_capacity", "open", "dormitory")


def add_change_form(prep, names: dict) -> None:
    """A form for one change of the chosen kind."""
    st.subheader(t("ui.add_change", lang))
    ids = list(prep.schools.loc[~prep.schools["is_new"].astype(bool), "id"].astype(str))

    def label(i):
        return f"{names.get(i, i)} ({i})"

    kind = st.radio(t("ui.kind", lang), KINDS, horizontal=True, key="ch_kind",
                    format_func=lambda k: t(f"ui.kind.{k}", lang))
    if kind == "open":
        open_school_inputs(prep)
    else:
        school_change_inputs(kind, ids, label)
    st.button(t("ui.add", lang), key="ch_add", type="primary", on_click=add_clicked,
              args=(kind, prep))
    err = st.session_state.pop("ch_error", None)
    if err:
        st.error(f"{t('ui.change_error', lang)}\n\n{error_text(err, lang)}")


def change_params(kind: str):
    """The values of the change form (read from the widgets' session state)."""
    ss = st.session_state
    if kind == "close":
        return list(ss.get("ch_close", []))
    if kind == "open":
        return {"id": ss["ch_new_id"], "name": ss["ch_new_name"], "lat": ss["ch_lat"],
                "lon": ss["ch_lon"], "grades": ss["ch_new_grades"],
                "capacity": int(ss["ch_new_capacity"]),
                "dormitory_places": int(ss["ch_new_dorm"])}
    out = {"school": ss["ch_school"]}
    if kind == "merge":
        out["into"] = ss["ch_into"]
    elif kind == "set_grades":
        out["grades"] = ss["ch_grades"]
    elif kind == "set_capacity":
        out["capacity"] = int(ss["ch_capacity"])
    else:
        out[ss["ch_dorm_op"]] = int(ss["ch_dorm_n"])
    return out


def add_clicked(kind: str, prep) -> None:
    try:
        set_doc(planner.add_change(st.session_state[DOC], kind, change_params(kind), prep=prep))
        if kind == "close":
            st.session_state["ch_close"] = []
    except GeoInputError as exc:
        st.session_state["ch_error"] = exc


def school_change_inputs(kind: str, ids: list, label):
    if kind == "close":
        return st.multiselect(t("ui.schools", lang), ids, key="ch_close", format_func=label,
                              placeholder=t("app.choose", lang))
    c1, c2 = st.columns(2)
    school = c1.selectbox(t("ui.school", lang), ids, key="ch_school", format_func=label)
    if kind == "merge":
        return {"school": school, "into": c2.selectbox(t("ui.into", lang), ids, key="ch_into",
                                                        format_func=label)}
    if kind == "set_grades":
        return {"school": school, "grades": c2.text_input(t("ui.grades", lang), "1-6",
                                                          key="ch_grades")}
    if kind == "set_capacity":
        return {"school": school, "capacity": int(c2.number_input(
            t("ui.capacity", lang), 0, 100000, 300, step=10, key="ch_capacity"))}
    op = c2.radio(t("ui.dorm_op", lang), ["add", "remove", "set"], horizontal=True,
                  key="ch_dorm_op", format_func=lambda o: t(f"ui.dorm.{o}", lang))
    n = int(c2.number_input(t("ui.dorm_places", lang), 0, 10000, 20, key="ch_dorm_n"))
    return {"school": school, op: n}


def open_school_inputs(prep) -> dict:
    """Id, name, place (a click on the map or typed coordinates), grades, capacity, dormitory."""
    st.caption(t("ui.click_map", lang))
    pts = gpd.GeoDataFrame(prep.schools[["name"]].astype(str), crs=prep.crs,
                           geometry=gpd.points_from_xy(prep.schools["x"], prep.schools["y"]))
    layers = [map_layers.schools_layer(pts, lang, name="name")]
    layers += outline_layers()
    m = web.make_map(layers, lang=lang, legend=False)
    got = web_streamlit.render_streamlit(m, height=360, key=f"open-map-{region}",
                                         returned_objects=["last_clicked"]) or {}
    click = got.get("last_clicked")
    if click and st.session_state.get("open_click") != click:
        st.session_state["open_click"] = click
        st.session_state["ch_lat"] = round(float(click["lat"]), 5)
        st.session_state["ch_lon"] = round(float(click["lng"]), 5)
    centre = pts.to_crs(settings.WGS84).geometry.union_all().centroid
    st.session_state.setdefault("ch_lat", round(centre.y, 5))
    st.session_state.setdefault("ch_lon", round(centre.x, 5))
    c1, c2, c3, c4 = st.columns(4)
    n_new = sum(1 for c in st.session_state[DOC]["changes"] if "open" in c) + 1
    out = {"id": c1.text_input(t("ui.new_id", lang), f"NEW-{n_new}", key="ch_new_id"),
           "name": c2.text_input(t("ui.new_name", lang), key="ch_new_name"),
           "lat": c3.number_input(t("ui.lat", lang), -90.0, 90.0, key="ch_lat", format="%.5f"),
           "lon": c4.number_input(t("ui.lon", lang), -180.0, 180.0, key="ch_lon", format="%.5f")}
    c1, c2, c3 = st.columns(3)
    out["grades"] = c1.text_input(t("ui.grades", lang), "1-9", key="ch_new_grades")
    out["capacity"] = int(c2.number_input(t("ui.capacity", lang), 1, 100000, 250, step=10,
                                          key="ch_new_capacity"))
    out["dormitory_places"] = int(c3.number_input(t("ui.dorm_places", lang), 0, 10000, 0,
                                                  key="ch_new_dorm"))
    return out


def yaml_editor() -> None:
    """The whole scenario as YAML text: edit, then apply (errors name the line)."""
    key = f"sc_yaml-{region}"
    try:
        current = planner.scenario_yaml(st.session_state[DOC]).decode("utf-8")
    except GeoInputError:
        current = ""
    text = st.text_area("YAML", current, key=key, height=260, label_visibility="collapsed")
    if st.button(t("ui.apply", lang), key="yaml_apply"):
        try:
            set_doc(planner.scenario_doc_from_bytes(text.encode("utf-8"), "scenario.yaml"))
            st.rerun()
        except GeoInputError as exc:
            show_error(exc)


def scenario_points(prep, ids, crs) -> gpd.GeoDataFrame:
    sel = prep.schools[prep.schools["id"].astype(str).isin(set(map(str, ids)))]
    return gpd.GeoDataFrame(sel[["id", "name"]].astype(str), crs=crs,
                            geometry=gpd.points_from_xy(sel["x"], sel["y"]))


def scenario_layers(prep, doc: dict) -> list:
    """Schools of a scenario: open ones, closed ones crossed out, new ones marked."""
    closed, new = planner.school_sets(doc)
    existing = prep.schools.loc[~prep.schools["is_new"].astype(bool), "id"].astype(str)
    open_ids = [i for i in existing if i not in set(closed)]
    layers = [map_layers.schools_layer(scenario_points(prep, open_ids, prep.crs), lang,
                                       name="name")]
    if closed:
        layers.append(planner.closed_schools_layer(scenario_points(prep, closed, prep.crs), lang))
    if new:
        layers.append(planner.new_schools_layer(planner.new_school_points(new), lang))
    layers += outline_layers()
    return layers


# ==================================================================================================
# Compare
# ==================================================================================================
@st.fragment  # a click in the view reruns only the view
@in_foreground
def compare_view() -> None:
    if not HAS_ROADS:
        st.warning(t("app.no_roads", lang))
        return
    with st.spinner(t("app.preparing", lang)):
        prep = load_prepared(region, STAMP)
        doc = current_doc()
        try:
            ev_a, ev_b, cmp = evaluate_doc(region, STAMP, planner.scenario_yaml(named(doc)))
        except GeoInputError as exc:
            show_error(exc)
            return
    st.caption(f"{t('app.compare_with', lang)} — {doc_name(doc)}")
    areas = [jobs.REGION_AREA, *sorted(set(prep.origin_municipality) - {""})]
    c1, c2 = st.columns(2)
    area = c1.selectbox(t("app.area", lang), areas, key="area", format_func=lambda a: t(
        "app.whole_region", lang) if a == jobs.REGION_AREA else a)
    band = c2.selectbox(t("app.grade_band", lang), ["all", *prep.bands], key="sband",
                        format_func=lambda b: t("app.all_bands", lang) if b == "all" else b)
    headline(cmp, area, band)
    map_band = band if band != "all" else prep.bands[0]
    doc_yaml = planner.scenario_yaml(named(doc))
    _, _, change, layers_c, title = compare_maps(region, STAMP, doc_yaml, map_band, lang)
    dual_url, change_url = compare_pages(region, STAMP, doc_yaml, map_band, lang)
    st.caption(t("ui.dual_caption", lang))
    st.iframe(dual_url, height=530)
    st.subheader(t("ui.change_map", lang))
    st.iframe(change_url, height=570)
    st.caption(SOURCES)
    tables = compare_tables(cmp, area, band, school_names(ev_b.prep))
    export_buttons("compare", layers=layers_c, m=change, tables=tables, title=title,
                   subtitle=SOURCES)


@st.cache_resource(show_spinner=False, max_entries=16)
def compare_maps(name: str, stamp: float, doc_yaml: bytes, band: str, lang: str):
    """Before/after maps side by side and the change map, as offline HTML (cached)."""
    prep = load_prepared(name, stamp)
    _, ev_b, cmp = evaluate_doc(name, stamp, doc_yaml)
    doc = planner.scenario_doc_from_bytes(doc_yaml, "scenario.yaml")
    layers_a, layers_b, layers_c, title = compare_layers(prep, doc, ev_b, cmp, band)
    dual = planner.dual_map(layers_a, layers_b, lang=lang, title_a=t("ui.before", lang),
                            title_b=t("ui.after", lang), **canvas(layers_a))
    change = web.make_map(layers_c, lang=lang, title=title, **canvas(layers_c))
    return web.to_html(dual), web.to_html(change), change, layers_c, title


@st.cache_resource(show_spinner=False, max_entries=16)
def compare_pages(name: str, stamp: float, doc_yaml: bytes, band: str,
                  lang: str) -> tuple[str, str]:
    """Links to the Compare view's maps (:func:`compare_maps`) as files served by the app's
    own server: written once, so that opening the view again only loads them in the browser
    (no megabytes of HTML over the websocket on each visit)."""
    dual_html, change_html, *_ = compare_maps(name, stamp, doc_yaml, band, lang)
    return (web_streamlit.served_page(dual_html, stem="compare-dual"),
            web_streamlit.served_page(change_html, stem="compare-change"))


@st.cache_resource(show_spinner=False, max_entries=8)
def prefetch(name: str, stamp: float, lang: str) -> threading.Thread:
    """Start, once per region and language, a background thread that computes what the next
    clicks need (:func:`warm_caches`), so that they are answered from the caches."""
    thread = threading.Thread(target=warm_caches, args=(name, stamp, lang), daemon=True,
                              name=f"geo-prefetch-{name}-{lang}")
    thread.start()
    return thread


def warm_caches(name: str, stamp: float, lang: str) -> None:
    """The prefetch thread: grade-band map layers, then the Compare view of a new scenario.

    Every grade band's layers and figures at its default threshold, then the evaluation and
    the maps of the Compare view. Not at a lower CPU priority (holding the GIL while
    descheduled, the thread would stall the app's own runs): instead each step waits until
    no view runs (:func:`wait_quiet`), so that a click is answered at full speed.
    """
    try:
        for band in settings.GRADE_BANDS:
            thr = float(int(settings.THRESHOLD_MIN[band]))
            wait_quiet()
            travel_time_script(name, stamp, band, lang)
            wait_quiet()
            white_spots_script(name, stamp, band, thr, lang)
            wait_quiet()
            band_summary(name, stamp, band, thr, lang)
        wait_quiet()
        prep = load_prepared(name, stamp)
        doc = planner.new_document(region=prep.region or name, year=int(prep.base_year))
        wait_quiet()
        evaluate_doc(name, stamp, planner.scenario_yaml(named(doc)))
        wait_quiet()
        compare_maps(name, stamp, planner.scenario_yaml(named(doc)), prep.bands[0], lang)
    except GeoInputError:
        return  # the view shows the error when it is opened


def area_rows(df: pd.DataFrame, area: str, band: str) -> pd.DataFrame:
    keep = np.ones(len(df), bool)
    if area != jobs.REGION_AREA and "municipality" in df.columns:
        keep &= (df["municipality"] == area).to_numpy()
    if band != "all" and "grade_band" in df.columns:
        keep &= (df["grade_band"] == band).to_numpy()
    return df[keep]


def headline(cmp: dict, area: str, band: str) -> None:
    """Headline figures of the chosen area and grade band."""
    s = cmp["summary"]
    s = s[(s["area"] == area) & (s["grade_band"] == band)].set_index("indicator")
    nb = float(area_rows(cmp["newly_beyond"], area, band)["newly_beyond_pupils"].sum())
    sw = float(area_rows(cmp["switches"], area, band)["pupils"].sum())
    cols = [*st.columns(3), *st.columns(3)]
    cols[0].metric(t("ui.newly_beyond", lang), num(nb, 0))
    cols[1].metric(t("ui.switching", lang), num(sw, 0))
    for col, (key, label, dec) in zip(cols[2:], [("mean_min", "ui.mean", 1), ("p90_min", "ui.p90", 1),
                                                 ("transport_cost_eur", "ui.cost", 0),
                                                 ("unserved", "ui.unserved", 0)], strict=True):
        if key in s.index:
            r = s.loc[key]
            diff = float(r["diff"])
            col.metric(t(label, lang), num(float(r["value_b"]), dec),
                       delta=num(diff, dec) if abs(diff) >= 0.5 * 10 ** -dec else None,
                       delta_color="inverse")
    (st.warning if nb > 0.5 else st.info)(t("app.newly_beyond", lang, n=num(nb, 0)))


def compare_layers(prep, doc, ev_b, cmp, band: str):
    """Before, after and change-map layers of a grade band, and the change map's title."""
    sc_cells = jobs.scenario_cells(cells, cmp, band)
    thr = float(doc["thresholds_min"][band])
    sch_layers = scenario_layers(prep, doc)
    base_pts = scenario_points(prep, prep.schools["id"], prep.crs)
    before = sc_cells.rename(columns={"time_a": "time_min"})
    after = sc_cells.rename(columns={"time_b": "time_min"})
    ctx = outline_layers()
    layers_a = [map_layers.travel_time_layer(before, lang, time_col="time_min", population="pupils"),
                map_layers.schools_layer(base_pts, lang, name="name"), *ctx]
    layers_b = [map_layers.travel_time_layer(after, lang, time_col="time_min", population="pupils"),
                *sch_layers]
    layers_c = [planner.change_layer(sc_cells, lang), planner.newly_beyond_layer(sc_cells, lang),
                *sch_layers]
    title = planner.map_title(t("plan.change_map", lang), region=REGION_TITLE, band=band,
                              threshold=thr, year=doc.get("year", ""),
                              mode=doc["transport"]["mode"], lang=lang)
    return layers_a, layers_b, layers_c, title


def coloured(df: pd.DataFrame, col: str, *, good_negative: bool = True):
    """A table with gains green and losses red in ``col``."""
    def colour(v):
        if not isinstance(v, int | float) or pd.isna(v) or abs(v) < 1e-9:
            return ""
        good = (v < 0) == good_negative
        return "color: #1a7f37; font-weight: 600" if good else "color: #c62828; font-weight: 600"
    return df.style.map(colour, subset=[col]).format(precision=1, thousands=" " if lang == "lv" else ",",
                                                     decimal="," if lang == "lv" else ".")


def gain_colour(v) -> str:
    if not isinstance(v, int | float) or pd.isna(v) or abs(v) < 0.05:
        return ""
    return "color: #1a7f37; font-weight: 600" if v < 0 else "color: #c62828; font-weight: 600"


def comparison_display(table: pd.DataFrame):
    """Indicators as text in the user's number format (pupils whole, minutes to 0.1), with the
    differences green when lower and red when higher."""
    unit, diff = t("app.unit", lang), t("app.difference", lang)
    dec = [1 if u in (t("unit.min", lang), t("unit.km", lang)) else 0 for u in table[unit]]
    shown = table.copy()
    for c in table.columns[2:]:
        shown[c] = [("+" if c == diff and v > 0.05 else "") + num(float(v), d)
                    for v, d in zip(table[c], dec, strict=True)]
    colours = [gain_colour(v) for v in table[diff]]
    return shown.style.apply(lambda _: colours, subset=[diff])


def compare_tables(cmp: dict, area: str, band: str, names: dict) -> dict:
    """Indicators side by side, pupils per school and school changes, coloured."""
    table = jobs.comparison_table(cmp, lang, area=area, band=band)
    diff = t("app.difference", lang)
    st.dataframe(comparison_display(table), hide_index=True)
    st.caption(t("ui.fraction_note", lang))
    sch = cmp["schools"].assign(name=lambda d: d["id"].astype(str).map(names).fillna(d["name"]))
    sch = sch[["id", "name", "pupils_a", "pupils_b", "diff"]]
    shown = sch.assign(pupils_a=sch["pupils_a"].round(0), pupils_b=sch["pupils_b"].round(0),
                       diff=sch["diff"].round(0)).rename(columns={
        "id": t("col.school_id", lang), "name": t("col.name", lang),
        "pupils_a": t("ui.before", lang), "pupils_b": t("ui.after", lang), "diff": diff})
    st.subheader(t("ui.schools_table", lang))
    st.dataframe(coloured(shown, diff, good_negative=False).format(precision=0), hide_index=True)
    sw = school_flows(area_rows(cmp["switches"], area, band))
    tables = {t("app.indicator", lang): table, t("ui.schools_table", lang): sch}
    if len(sw):
        st.subheader(t("app.switches", lang))
        sw = sw.assign(school_a=sw["school_a"].map(names).fillna(sw["school_a"]),
                       school_b=sw["school_b"].map(names).fillna(sw["school_b"]))
        st.dataframe(i18n.columns(sw.assign(pupils=sw["pupils"].round(0)), lang), hide_index=True)
        tables[t("app.switches", lang)] = sw
    return tables


# ==================================================================================================
# Optimise
# ==================================================================================================
def optimise_view() -> None:
    if not HAS_ROADS:
        st.warning(t("app.no_roads", lang))
        return
    prep = load_prepared(region, STAMP)
    names = school_names(prep)
    doc = current_doc()
    base = planner.scenario_of({**doc, "changes": []})
    c1, c2 = st.columns(2)
    objective = c1.radio(t("app.objective", lang), ["p-median", "coverage"], key="obj",
                         format_func=lambda o: t(f"app.objective.{o}", lang))
    if c2.radio(t("sweep.app.mode", lang), ["one", "curve"], key="opt_mode", horizontal=True,
                format_func=lambda m: t(f"sweep.app.mode.{m}", lang)) == "curve":
        tradeoff_view(prep, base, objective)
        return
    n_open = int((~prep.schools["is_new"].astype(bool)).sum())
    p = c2.slider(t("app.n_schools", lang), 1, n_open, max(1, n_open - 3), key="p")
    if st.button(t("app.run", lang), key="run_opt", type="primary"):
        bar = st.progress(0.0, text=t("ui.opt_running", lang))

        def progress(done, total):
            bar.progress(min(1.0, done / max(total, 1)), text=t("ui.opt_running", lang))

        res = optimize(prep, objective=objective, p=int(p), base=base, progress=progress)
        bar.empty()
        st.session_state[f"opt-{region}"] = (res, base)
    got = st.session_state.get(f"opt-{region}")
    if got is None:
        return
    res, base = got
    st.success(planner.optimise_summary(res, lang))
    table = pd.DataFrame({
        t("col.school_id", lang): [*res.keep_ids, *res.close_ids],
        t("col.name", lang): [names.get(i, i) for i in [*res.keep_ids, *res.close_ids]],
        t("ui.decision", lang): [t("ui.kept", lang)] * len(res.keep_ids)
        + [t("ui.closed", lang)] * len(res.close_ids)})
    proposal = result_to_scenario(res, base)
    if st.button(t("ui.load_as_scenario", lang), key="opt_load"):
        load_as_scenario(proposal)
    layers = [map_layers.schools_layer(scenario_points(prep, res.keep_ids, prep.crs), lang,
                                       name="name")]
    if res.close_ids:
        layers.append(planner.closed_schools_layer(
            scenario_points(prep, res.close_ids, prep.crs), lang))
    layers += outline_layers()
    title = planner.map_title(t("ui.opt_map", lang), region=REGION_TITLE, band="1-12",
                              threshold=base.thresholds_min["1-6"], year=base.year or "",
                              mode=base.transport.mode, lang=lang)
    m = web.make_map(layers, lang=lang, title=title)
    web_streamlit.render_streamlit(m, height=480, interactive=False)
    st.dataframe(table, hide_index=True)
    export_buttons("optimise", layers=layers, m=m, tables={t("ui.opt_map", lang): table},
                   title=title, subtitle=SOURCES)


def load_as_scenario(proposal) -> None:
    """Make a proposed network the scenario being edited and open the Scenario view."""
    with tempfile.TemporaryDirectory() as tmp:
        data = save_scenario(proposal, Path(tmp) / "proposal.yaml").read_bytes()
    set_doc(planner.scenario_doc_from_bytes(data, "proposal.yaml"))
    st.session_state["goto"] = "scenario"
    st.rerun()


def tradeoff_view(prep, base, objective: str) -> None:
    """Trade-off curve: networks optimised for a range of schools kept (progress bar), the
    current network's robustness to the projected pupils, the chart, the table, and a button
    per point that loads it as the scenario."""
    n_open = open_schools(prep, base)
    c1, c2, c3 = st.columns(3)
    lo, hi = c1.slider(t("sweep.app.range", lang), 1, n_open,
                       (max(1, n_open - 6), max(1, n_open - 2)), key="sw_range")
    step = int(c2.number_input(t("sweep.app.step", lang), 1, n_open, 2, key="sw_step"))
    years = None
    if prep.growth_rate is None:
        c3.info(t("sweep.app.no_growth", lang))
    else:
        y0 = int(prep.base_year)
        span = c3.slider(t("sweep.app.years", lang), y0, max(2035, y0 + 1), (y0, 2035),
                         key="sw_years")
        years = parse_years(f"{span[0]}:{span[1]}:2")
    if st.button(t("sweep.app.run", lang), key="run_sweep", type="primary"):
        values = sorted({*range(lo, hi + 1, step), hi})
        st.session_state[f"sweep-{region}"] = run_tradeoff(prep, base, objective, values, years)
    got = st.session_state.get(f"sweep-{region}")
    if got is None:
        return
    points, df, rob = got
    st.image(tradeoff_png(df, rob, lang))
    st.subheader(t("sweep.app.points", lang))
    st.dataframe(display_table(df, lang=lang).map(lambda v: num(v) if isinstance(
        v, float) else v), hide_index=True)
    cols = st.columns(min(4, len(points)))
    for i, pt in enumerate(points):
        if cols[i % len(cols)].button(t("sweep.app.load", lang, p=int(pt.value)),
                                      key=f"sweep_load_{i}"):
            load_as_scenario(pt.scenario)
    if rob is not None:
        st.subheader(t("sweep.app.robust_table", lang))
        st.dataframe(display_table(rob, lang=lang).map(lambda v: num(v) if isinstance(
            v, float) else v), hide_index=True)


@st.cache_data(show_spinner=False, max_entries=4)
def tradeoff_png(df: pd.DataFrame, rob: pd.DataFrame | None, lang: str) -> bytes:
    """The trade-off chart in ``lang`` (drawn once per curve and language)."""
    return chart_png(df, robustness=rob, lang=lang)


def run_tradeoff(prep, base, objective: str, values: list, years: list | None):
    """Run the sweep's points one by one (certified solves) and the current network's
    robustness, with a progress bar; returns (points, frontier table, robustness or None)."""
    total = len(values) + len(years or [])
    bar = st.progress(0.0, text=t("sweep.app.running", lang, p=values[0]))
    points = []
    for i, v in enumerate(values):
        bar.progress(i / total, text=t("sweep.app.running", lang, p=v))
        points.append(run_point(prep, "p", v, base=base, objective=objective,
                                method="certified"))
    rob = None
    if years:
        rob = robustness(prep, {"current": base}, years, progress=lambda d, n: bar.progress(
            (len(values) + d) / total, text=t("sweep.app.running_years", lang)))
    bar.empty()
    return points, frontier_table(points, current_point(prep, base)), rob


# ==================================================================================================
# Schools, data, broadband
# ==================================================================================================
def schools_view() -> None:
    cols = [c for c in ("school_id", "name", "school_type", "grades_served", "pupils_1_12",
                        "municipality", "address", "status") if c in schools.columns]
    df = pd.DataFrame(schools[cols]).copy()
    if "school_type" in df:
        df["school_type"] = df["school_type"].map(lambda v: planner.label_of("ui.stype.", v, lang))
    if "status" in df:
        df["status"] = df["status"].map(lambda v: planner.label_of("ui.status.", v, lang))
    st.dataframe(i18n.columns(df, lang), hide_index=True)
    export_buttons("schools", tables={t("app.tab.schools", lang): i18n.columns(df, lang)},
                   formats=("pdf", "csv"), title=f"{t('app.tab.schools', lang)} — {REGION_TITLE}",
                   subtitle=SOURCES)


def data_view() -> None:
    st.subheader(t("app.layers", lang))
    rows = [{"layer": planner.layer_label(k, lang), "rows": v.get("rows", v.get("nodes")),
             "origin": planner.label_of("ui.origin.", v.get("origin"), lang),
             "sources": ", ".join(planner.label_of(
                 "plan.src.", "generated" if (sv or {}).get("origin") == "generated" else k, lang)
                 for k, sv in v.get("sources", {}).items())}
            for k, v in bundle.manifest.get("layers", {}).items()]
    st.dataframe(i18n.columns(pd.DataFrame(rows), lang), hide_index=True)
    st.caption(SOURCES)
    if bundle.missing:
        st.subheader(t("app.missing_layers", lang))
        for k in bundle.missing:
            st.markdown(f"- **{planner.layer_label(k, lang)}**: "
                        + (t("app.no_roads", lang) if k == "roads" else t("ui.missing", lang)))
        with st.expander(t("ui.missing_details", lang)):
            for k, v in bundle.missing_text(lang).items():
                st.text(f"{planner.layer_label(k, lang)}: {v}")


VIEWS = [("map", "app.tab.map", map_view), ("scenario", "app.tab.scenarios", scenario_view),
         ("compare", "ui.tab.compare", compare_view), ("optimise", "ui.tab.optimise", optimise_view),
         ("schools", "app.tab.schools", schools_view), ("data", "app.tab.data", data_view)]
if app_broadband is not None:
    VIEWS.append(("broadband", "ui.tab.broadband",
                  lambda: app_broadband.broadband_tab(region, lang)))
if app_vidzeme.wanted(bundle):
    VIEWS.append(("place", "place.tab", lambda: app_vidzeme.placement_tab(region, bundle, lang)))

#: Views drawn in their tab even while another tab is open, once they have been shown: the
#: browser keeps their maps (same elements, same arguments) instead of building them again
#: when the tab is opened again (their runs are answered from the caches).
KEPT_VIEWS = ("map", "compare")


def kept_state(view: str):
    """What a kept view shows: it is drawn in its hidden tab only while this stays as when it
    was last open (the Compare view of another scenario waits until it is opened, so that an
    edit is not slowed by evaluating it)."""
    if view == "compare" and HAS_ROADS:
        return planner.scenario_yaml(named(current_doc()))
    return True


labels = [t(key, lang) for _, key, _ in VIEWS]
view_ids = [v for v, _, _ in VIEWS]
if "goto" in st.session_state:  # open a view from code (buttons, tests): a new tabs widget
    st.session_state["view"] = st.session_state.pop("goto")
    st.session_state["tabs_gen"] = st.session_state.get("tabs_gen", 0) + 1
current = st.session_state.get("view", "map")
tabs_key = f"tabs-{lang}-{st.session_state.get('tabs_gen', 0)}"
# a tabs widget's default must stay the same while it lives (a new default resets it, and a
# click on the Map tab after Compare opened Compare again)
opened = st.session_state.setdefault(f"{tabs_key}-default",
                                     current if current in view_ids else view_ids[0])
tabs = st.tabs(labels, key=tabs_key, on_change="rerun", default=labels[view_ids.index(opened)])
for (view, _, show), tab in zip(VIEWS, tabs, strict=True):
    shown = f"{tabs_key}-shown-{view}"
    if tab.open:
        st.session_state["view"] = view
        if view in KEPT_VIEWS:
            st.session_state[shown] = kept_state(view)
        with tab:
            show()
    elif shown in st.session_state and st.session_state[shown] == kept_state(view):
        with tab:  # the same elements in the hidden tab: the browser keeps its frames
            show()
if HAS_ROADS and st.context.headers:  # a browser session (AppTest has no headers)
    prefetch(region, STAMP, lang)
