"""Streamlit app: widgets and layout only; every computation is a function in geo/.

Run with ``streamlit run app.py``. The app opens Vidzeme when its bundle has roads, otherwise
the fictional demo region (built offline on first start), with a banner saying which and why.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from geo import i18n, jobs, settings
from geo.errors import GeoInputError
from geo.i18n import t
from geo.network.graph import Network
from geo.outputs import layers as map_layers
from geo.outputs import web, web_streamlit
from geo.planning.evaluate import evaluate
from geo.planning.indicators import compare, school_flows
from geo.planning.optimize import optimize, result_to_scenario
from geo.planning.prepared import prepare_bundle
from geo.planning.scenario import load_scenario, save_scenario, scenario_from_dict

st.set_page_config(page_title="Skolu tīkla plānotājs / School network planner", layout="wide")

lang = st.sidebar.radio(
    "Valoda / Language", i18n.LANGUAGES, format_func={"lv": "Latviešu", "en": "English"}.get,
    horizontal=True, key="lang",
)
st.title(t("app.title", lang))

OTHER_OSM = "__osm__"


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


@st.cache_resource(show_spinner=False)
def roads_layer(folder: str, stamp: float, lang: str):
    net = load_network(folder, stamp)
    return map_layers.roads_layer(net.roads_gdf(), lang, classes=("main", "secondary", "tertiary"))


def _stamp(name: str) -> float:
    man = jobs.bundle_dir(name) / "manifest.json"
    return man.stat().st_mtime if man.exists() else 0.0


# -- region ---------------------------------------------------------------------------------------
default, why = jobs.default_region()
choices = jobs.region_choices() + [OTHER_OSM]
region = st.sidebar.selectbox(
    t("app.region", lang), choices, index=choices.index(default), key="region",
    format_func=lambda r: t("app.other_osm", lang) if r == OTHER_OSM else r,
)


def osm_file_page() -> None:
    """A region straight from an OSM file: travel time for 1 km cells with roads."""
    osm_files = jobs.find_osm_files()
    uploaded = st.sidebar.file_uploader(t("app.osm_upload", lang),
                                        type=["pbf", "osm", "bz2", "gz"])
    if uploaded is not None:
        target = settings.DOWNLOADS_DIR / uploaded.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(uploaded.getbuffer())
        osm_files = [target, *[p for p in osm_files if p.name != target.name]]
    if not osm_files:
        st.warning(t("app.no_osm", lang))
        st.stop()
    path: Path = st.sidebar.selectbox(
        t("app.osm_file", lang), osm_files, key="osm_file",
        index=osm_files.index(jobs.default_osm_file(osm_files)), format_func=lambda p: p.name,
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
                                     threshold_min=float(threshold))
            status.update(label=path.name, state="complete")
    except GeoInputError as exc:
        st.error(f"{t('app.input_error', lang)}\n\n{exc}")
        st.stop()
    share = net.meta.get("speed_source_share_by_length", {})
    st.caption(t("app.network_summary", lang, nodes=f"{net.n_nodes:,}",
                 km=f"{net.meta.get('road_km', 0):,.0f}", tag=f"{share.get('tag', 0):.0%}"))
    st.info(t("app.grid_note", lang))
    near = m._geo_nearest
    times = near["time_min"].replace(np.inf, np.nan)
    c1, c2, c3 = st.columns(3)
    c1.metric(t("app.schools_count", lang), f"{len(schools):,}")
    c2.metric(t("app.median_time", lang), f"{np.nanmedian(times):.1f} {t('unit.min', lang)}")
    c3.metric(t("app.beyond_threshold", lang), f"{(near['time_min'] > threshold).mean():.1%}")
    n_un = int((~near["snapped"]).sum())
    if n_un:
        st.warning(t("app.unsnapped", lang, n=n_un, m=int(settings.SNAP_MAX_DISTANCE_M)))
    web_streamlit.render_streamlit(m, height=650, key="osm_map")
    st.download_button(t("app.download_html", lang), lambda m=m: web.to_html(m),
                       file_name=f"{path.stem}.html", mime="text/html")
    st.download_button(t("app.download_csv", lang), near.to_csv(index=False).encode("utf-8-sig"),
                       file_name=f"{path.stem}-travel-time.csv", mime="text/csv")


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
    st.error(f"{t('app.input_error', lang)}\n\n{exc}")
    st.stop()
if bundle.manifest.get("region") == "demo" or region.startswith("demo"):
    st.caption(t("app.fictional", lang))

schools = bundle["schools"]
cells = bundle["pupils_2021"] if "pupils_2021" in bundle.layers else None
boundaries = bundle.layers.get("boundaries")
dorms = bundle.layers.get("dormitories")

tab_map, tab_scen, tab_schools, tab_data = st.tabs(
    [t("app.tab.map", lang), t("app.tab.scenarios", lang), t("app.tab.schools", lang),
     t("app.tab.data", lang)]
)

with tab_map:
    band = st.radio(t("app.grade_band", lang), list(settings.GRADE_BANDS), horizontal=True,
                    key="band")
    threshold = st.slider(t("app.threshold", lang), 10, 120, int(settings.THRESHOLD_MIN[band]),
                          step=5, key=f"thr-{band}")
    layers = []
    if net is None or cells is None:
        st.warning(t("app.no_roads", lang) + " " + bundle.missing.get("roads", ""))
    else:
        try:
            acc = jobs.band_access(net, cells, schools, band)
        except GeoInputError as exc:
            st.error(f"{t('app.input_error', lang)}\n\n{exc}")
            acc = None
        if acc is not None:
            pupils = acc["pupils"].to_numpy()
            tmin = acc["time_min"].to_numpy()
            beyond = float(pupils[tmin > threshold].sum())
            c1, c2, c3, c4 = st.columns(4)
            c1.metric(t("app.pupils", lang), f"{pupils.sum():,.0f}")
            c2.metric(t("app.median_time", lang),
                      f"{jobs.weighted_median(tmin, pupils):.1f} {t('unit.min', lang)}")
            c3.metric(t("app.pupils_beyond", lang),
                      f"{beyond:,.0f} ({beyond / max(pupils.sum(), 1):.1%})")
            c4.metric(t("app.schools_count", lang),
                      f"{len(jobs.schools_serving(schools, band)):,}")
            st.caption(t("app.map_method", lang))
            shown = acc[acc["pupils"] > 0]
            layers += [
                map_layers.travel_time_layer(shown, lang, population="pupils", school="school_name"),
                map_layers.white_spots_layer(shown, lang, threshold_min=float(threshold),
                                       population="pupils", show=False),
                roads_layer(str(bundle.network_dir), _stamp(region), lang),
            ]
            if "municipality" in acc.columns:
                st.subheader(t("app.by_municipality", lang))
                by = acc.assign(beyond=np.where(tmin > threshold, pupils, 0.0),
                                pt=pupils * np.where(np.isfinite(tmin), tmin, np.nan))
                tab = by.groupby("municipality").agg(
                    pupils=("pupils", "sum"), beyond=("beyond", "sum"), pt=("pt", "sum"))
                tab["mean_min"] = tab["pt"] / tab["pupils"].replace(0, np.nan)
                tab = tab.drop(columns="pt").rename(columns={
                    "pupils": t("app.pupils", lang), "beyond": t("app.pupils_beyond", lang),
                    "mean_min": t("map.field.time", lang)}).round(1)
                st.dataframe(tab.rename_axis(t("app.municipality", lang)))
    if boundaries is not None:
        layers.append(map_layers.boundaries_layer(boundaries, lang))
    if "broadband" in bundle.layers and len(bundle["broadband"]):
        layers.append(map_layers.broadband_layer(bundle["broadband"], lang, show=net is None))
    located = schools[schools.geometry.notna() & ~schools.geometry.is_empty]
    if len(located):
        layers.append(map_layers.schools_layer(located, lang, name="name", school_type="school_type",
                                         pupils="pupils_1_12"))
    if dorms is not None and len(dorms):
        layers.append(map_layers.dormitories_layer(dorms, lang))
    if len(located) < len(schools):
        st.info(t("app.unlocated", lang, n=len(schools) - len(located),
                  file=bundle.path / "schools_to_locate.csv"))
    if layers:
        m = web.make_map(layers, lang=lang, title=t("map.title.travel_time", lang))
        web_streamlit.render_streamlit(m, height=620, key=f"map-{region}")
        st.download_button(t("app.download_html", lang), lambda m=m: web.to_html(m),
                           file_name=f"{region}-{band}.html", mime="text/html")

@st.cache_resource(show_spinner=False)
def load_prepared(name: str, stamp: float):

    return prepare_bundle(jobs.open_bundle(name))


def scenario_page() -> None:
    """Try a change of the school network and compare it with the current network."""

    if net is None or cells is None:
        st.warning(t("app.no_roads", lang))
        return
    with st.spinner(t("app.preparing", lang)):
        prep = load_prepared(region, _stamp(region))
    ids = list(prep.schools["id"])
    names = dict(zip(prep.schools["id"], prep.schools["name"], strict=True))
    files = jobs.scenario_files(region)
    EDIT = "__edit__"
    choice = st.selectbox(t("app.scenario", lang), [EDIT, *files], key="scenario",
                          format_func=lambda f: t("app.scenario_edit", lang) if f == EDIT
                          else Path(f).stem)
    try:
        if choice == EDIT:
            c1, c2, c3 = st.columns([3, 1, 1])
            close = c1.multiselect(t("app.close_schools", lang), ids, key="close",
                                   placeholder=t("app.choose", lang),
                                   format_func=lambda i: f"{names.get(i, i)} ({i})")
            year = c2.number_input(t("app.year", lang), prep.base_year, prep.base_year + 15,
                                   prep.base_year, key="year")
            mode = c3.selectbox(t("app.mode", lang), ["bus", "car"], key="mode",
                                format_func=lambda m: t(f"app.mode.{m}", lang))
            cols = st.columns(len(settings.GRADE_BANDS))
            thr = {b: float(col.number_input(f"{t('app.threshold', lang)} {b}", 5, 180,
                                             int(settings.THRESHOLD_MIN[b]), step=5,
                                             key=f"sthr-{b}"))
                   for b, col in zip(settings.GRADE_BANDS, cols, strict=True)}
            data = {"name": t("app.scenario", lang), "region": region, "year": int(year),
                    "transport": {"mode": mode}, "thresholds_min": thr,
                    "changes": [{"close": list(close)}] if close else []}
            sc = scenario_from_dict(data, source="app")
        else:
            sc = load_scenario(choice)
        base = dataclasses.replace(sc, name="baseline", changes=[], source=None)
        ev_a, ev_b = evaluate(prep, base), evaluate(prep, sc)
    except GeoInputError as exc:
        st.error(f"{t('app.input_error', lang)}\n\n{exc}")
        return
    cmp = compare(ev_a, ev_b)
    st.caption(t("app.compare_with", lang))
    areas = [jobs.REGION_AREA, *sorted(set(prep.origin_municipality) - {""})]
    c1, c2 = st.columns(2)
    area = c1.selectbox(t("app.area", lang), areas, key="area", format_func=lambda a: t(
        "app.whole_region", lang) if a == jobs.REGION_AREA else a)
    band = c2.selectbox(t("app.grade_band", lang), ["all", *prep.bands], key="sband",
                        format_func=lambda b: t("app.all_bands", lang) if b == "all" else b)
    table = jobs.comparison_table(cmp, lang, area=area, band=band)
    st.dataframe(table.round(1), hide_index=True)
    nb = float(cmp["newly_beyond"]["newly_beyond_pupils"].sum())
    (st.warning if nb > 0.5 else st.info)(t("app.newly_beyond", lang, n=f"{nb:,.0f}"))
    map_band = band if band != "all" else prep.bands[0]
    sc_cells = jobs.scenario_cells(cells, cmp, map_band)
    shown = sc_cells.rename(columns={"time_b": "time_min", "school_b": "school"})
    thr_b = float(sc.thresholds_min[map_band])
    sch_b = ev_b.indicators["schools"]
    open_ids = set(sch_b.loc[sch_b["open"].astype(bool), "id"].astype(str))
    located = schools[schools["school_id"].astype(str).isin(open_ids)]
    layers = [map_layers.travel_time_layer(shown, lang, time_col="time_min", population="pupils",
                                     school="school"),
              map_layers.white_spots_layer(shown, lang, threshold_min=thr_b, time_col="time_min",
                                     population="pupils", show=True),
              map_layers.schools_layer(located, lang, name="name", school_type="school_type",
                                 pupils="pupils_1_12")]
    if boundaries is not None:
        layers.append(map_layers.boundaries_layer(boundaries, lang))
    m = web.make_map(layers, lang=lang, title=f"{t('app.scenario_map', lang)}: {map_band}")
    web_streamlit.render_streamlit(m, height=560, key=f"scen-map-{region}")
    sw = school_flows(cmp["switches"])
    if len(sw):
        st.subheader(t("app.switches", lang))
        sw = sw.assign(school_a=sw["school_a"].map(names).fillna(sw["school_a"]),
                       school_b=sw["school_b"].map(names).fillna(sw["school_b"]))
        st.dataframe(i18n.columns(sw.round(1), lang), hide_index=True)

    with tempfile.TemporaryDirectory() as tmp:
        yaml_path = save_scenario(sc, Path(tmp) / "scenario.yaml")
        st.download_button(t("app.download_scenario", lang), yaml_path.read_bytes(),
                           file_name=f"{region}-scenario.yaml", mime="text/yaml")
    st.download_button(t("app.download_comparison", lang),
                       cmp["summary"].to_csv(index=False).encode("utf-8-sig"),
                       file_name=f"{region}-comparison.csv", mime="text/csv")

    with st.expander(t("app.optimise", lang)):
        c1, c2 = st.columns(2)
        objective = c1.radio(t("app.objective", lang), ["p-median", "coverage"], key="obj",
                             format_func=lambda o: t(f"app.objective.{o}", lang))
        n_open = int(ev_a.state.open.sum())
        p = c2.slider(t("app.n_schools", lang), 1, n_open, max(1, n_open - 3), key="p")
        if st.button(t("app.run", lang), key="run_opt"):
            res = optimize(prep, objective=objective, p=int(p), base=base)
            st.text(res.summary())
            st.write(f"{t('app.close', lang)}: " + ", ".join(
                names.get(i, i) for i in res.close_ids))
            proposal = result_to_scenario(res, base)
            with tempfile.TemporaryDirectory() as tmp:
                path = save_scenario(proposal, Path(tmp) / "proposal.yaml")
                st.download_button(t("app.download_scenario", lang), path.read_bytes(),
                                   file_name=f"{region}-proposal.yaml", mime="text/yaml",
                                   key="dl_prop")


with tab_scen:
    scenario_page()

with tab_schools:
    cols = [c for c in ("school_id", "name", "school_type", "grades_served", "pupils_1_12",
                        "municipality", "address", "status") if c in schools.columns]
    st.dataframe(i18n.columns(pd.DataFrame(schools[cols]), lang), hide_index=True)

with tab_data:
    st.subheader(t("app.layers", lang))
    rows = [{"layer": k, "rows": v.get("rows", v.get("nodes")), "origin": v.get("origin"),
             "sources": ", ".join(v.get("sources", {}))}
            for k, v in bundle.manifest.get("layers", {}).items()]
    st.dataframe(i18n.columns(pd.DataFrame(rows), lang), hide_index=True)
    if bundle.missing:
        st.subheader(t("app.missing_layers", lang))
        for k, v in bundle.missing.items():
            st.markdown(f"- **{k}**: {v}")
