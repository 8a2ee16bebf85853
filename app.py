"""Streamlit app: widgets and layout only; every computation is a function in geo/.

Run with ``streamlit run app.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

from geo import i18n, maps, settings, workflows
from geo.errors import GeoInputError
from geo.i18n import t

st.set_page_config(page_title="Skolu tīkla plānotājs / School network planner", layout="wide")

lang = st.sidebar.radio(
    "Valoda / Language", i18n.LANGUAGES, format_func={"lv": "Latviešu", "en": "English"}.get,
    horizontal=True,
)
st.title(t("app.title", lang))


@st.cache_resource(show_spinner=False)
def load_network(path: str, mtime: float):
    return workflows.prepare_network(path)


@st.cache_data(show_spinner=False)
def load_schools(path: str, mtime: float):
    return workflows.read_facilities_any(path)


osm_files = workflows.find_osm_files()
uploaded = st.sidebar.file_uploader(t("app.osm_upload", lang), type=["pbf", "osm", "bz2", "gz"])
if uploaded is not None:
    target = settings.DOWNLOADS_DIR / uploaded.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(uploaded.getbuffer())
    osm_files = [target, *[p for p in osm_files if p.name != target.name]]
if not osm_files:
    st.warning(t("app.no_osm", lang))
    st.stop()
path: Path = st.sidebar.selectbox(
    t("app.osm_file", lang), osm_files, index=osm_files.index(workflows.default_osm_file(osm_files)),
    format_func=lambda p: p.name,
)
threshold = st.sidebar.slider(t("app.threshold", lang), 10, 90, int(settings.THRESHOLD_MIN["1-6"]),
                              step=5)
cell = st.sidebar.select_slider(t("app.cell_size", lang), [500, 1000, 2000], value=1000)

try:
    with st.status(t("app.loading_network", lang), expanded=False) as status:
        net = load_network(str(path), path.stat().st_mtime)
        schools = load_schools(str(path), path.stat().st_mtime)
        status.update(label=t("app.computing_access", lang))
        cells = workflows.grid_cells(net, size_m=float(cell))
        m = maps.travel_time_map(net, schools, cells, lang=lang, school_id="osm_id",
                                 threshold_min=float(threshold))
        status.update(label=path.name, state="complete")
except GeoInputError as exc:
    st.error(str(exc))
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
maps.render_streamlit(m, height=650, key="travel_time_map")
st.download_button(t("app.download_html", lang), maps.to_html(m), file_name=f"{path.stem}.html",
                   mime="text/html")
st.download_button(t("app.download_csv", lang), near.to_csv(index=False).encode("utf-8-sig"),
                   file_name=f"{path.stem}-travel-time.csv", mime="text/csv")
