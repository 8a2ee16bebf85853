"""Broadband tab of the Streamlit app: widgets only; every computation is in geo/.

``app.py`` calls :func:`broadband_tab` from its Broadband tab. The tab shows the broadband classes
of the region's populated cells (operator layers when the bundle has them, else the Ookla
measured proxy; cells without a test grey and labelled "unknown"), the municipality and
border-band tables, school connectivity, the joint view (needs roads: said so when the bundle
has none), the priority list of uncovered settlements and downloads.
"""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from geo import i18n, jobs, settings
from geo.errors import GeoInputError, error_text
from geo.i18n import t
from geo.outputs import layers as map_layers
from geo.outputs import planner, report, web, web_streamlit

i18n.register({
    "bbtab.title": {"lv": "Platjoslas internets: baltās zonas",
                    "en": "Broadband: white spots"},
    "bbtab.source_measured": {
        "lv": "Operatoru pārklājuma kartes reģionam nav dotas: klases ir pēc Ookla mērījumiem "
              "(izmērīts, nevis deklarēts). Šūna bez mērījuma ir “nav zināms”, nevis “nav "
              "pārklājuma”.",
        "en": "No operator coverage layer is given for this region: classes come from Ookla "
              "speed tests (measured, not declared). A cell without a test is “unknown”, not "
              "“no coverage”.",
    },
    "bbtab.source_declared": {"lv": "Klases pēc operatoru deklarētā pārklājuma (ES NGA, "
                                    "30 Mbit/s).",
                              "en": "Classes from the operators' declared coverage (EU NGA, "
                                    "30 Mbit/s)."},
    "bbtab.below": {"lv": "Iedzīvotāji šūnās, kur labākais izmērītais ātrums < {mbps} Mbit/s",
                    "en": "People in cells whose best measured speed is < {mbps} Mbit/s"},
    "bbtab.below_help": {"lv": "{share} no visiem; {tested} no iedzīvotājiem šūnās ar "
                               "mērījumiem",
                         "en": "{share} of all; {tested} of the people in tested cells"},
    "bbtab.unknown": {"lv": "Iedzīvotāji šūnās bez mērījuma", "en": "People in untested cells"},
    "bbtab.municipalities": {"lv": "Novadi", "en": "Municipalities"},
    "bbtab.border": {"lv": "Attālums līdz valsts robežai", "en": "Distance to the border"},
    "bbtab.no_border": {"lv": "Reģionam nav dota valsts robežas līnija (OSM admin_level=2 vai "
                              "robežas fails receptē): joslas nav aprēķinātas.",
                        "en": "No national border line is known for this region (OSM "
                              "admin_level=2 or a border file in the recipe): no bands."},
    "bbtab.schools": {"lv": "Skolu savienojamība", "en": "School connectivity"},
    "bbtab.schools_unlocated": {"lv": "{n} skolām nav koordinātu; tās šeit nav parādītas.",
                                "en": "{n} schools have no coordinates and are not shown."},
    "bbtab.joint": {"lv": "Kopskats: ne skola, ne internets",
                    "en": "Joint view: neither school nor broadband"},
    "bbtab.priority": {"lv": "Kur pieslēgt vispirms", "en": "Where to connect first"},
    "bbtab.priority_note": {"lv": "Attālums: {method}; izmaksas {eur} EUR/km (iestatījumos).",
                            "en": "Distance: {method}; cost {eur} EUR/km (in settings)."},
    "bbtab.downloads": {"lv": "Lejupielādes", "en": "Downloads"},
    "bbtab.error": {"lv": "Nevar aprēķināt interneta baltās zonas", "en":
                    "Cannot compute the broadband white spots"},
})

MIME = {"html": "text/html", "pdf": "application/pdf", "gpkg": "application/geopackage+sqlite3",
        "csv": "text/csv"}


@st.cache_resource(show_spinner=False, max_entries=4)
def _whitespots(region: str, stamp: str):
    """(bundle, WhiteSpots) of a region, computed once per build of its bundle: ``stamp``
    (:func:`geo.jobs.bundle_stamp`) changes when the bundle is rebuilt, e.g. after schools
    are placed in the "School places and roads" tab, so a rebuilt bundle is never shown
    with the earlier results."""
    bundle = jobs.open_bundle(region)
    return bundle, jobs.whitespots_result(bundle)


def _pct(v: float, lang: str) -> str:
    return f"{report.format_number(100 * v, lang, 1)}%"


def _headline(ws, lang: str) -> None:
    st.info(t(f"bbtab.source_{ws.notes['classes']}", lang))
    cols = st.columns(3)
    for col, key in zip(cols[:2], ("below_30", "below_100"), strict=True):
        f = ws.figures[key]
        col.metric(t("bbtab.below", lang, mbps=key.split("_")[1]),
                   report.format_number(int(f["population"]), lang),
                   help=t("bbtab.below_help", lang, share=_pct(f["share_of_all"], lang),
                          tested=_pct(f["share_of_tested"], lang)))
    cols[2].metric(t("bbtab.unknown", lang),
                   report.format_number(ws.figures["population_unknown"], lang))


def _map(ws, bundle, lang: str, region: str) -> list:
    layers = [map_layers.broadband_class_layer(ws.cells, lang)]
    if "joint_pupils" in ws.cells:
        layers.append(map_layers.joint_gap_layer(ws.cells, lang))
    if "boundaries" in bundle.layers:
        layers.append(map_layers.boundaries_layer(bundle["boundaries"], lang))
    if "border" in bundle.layers and len(bundle["border"]):
        layers.append(map_layers.border_line_layer(bundle["border"], lang))
    if "places" in bundle.layers and len(bundle["places"]):
        layers.append(map_layers.places_layer(bundle["places"], lang))
    m = web.make_map(layers, lang=lang, title=t("bbtab.title", lang))
    web_streamlit.render_streamlit(m, height=560, interactive=False)
    return layers


def _tables(ws, lang: str) -> dict[str, pd.DataFrame]:
    muni = report.broadband_class_report_table(ws.municipalities, "municipality", lang)
    st.subheader(t("bbtab.municipalities", lang))
    st.dataframe(muni, hide_index=True, width="stretch")
    st.subheader(t("bbtab.border", lang))
    if ws.notes["border"] == "none":
        st.caption(t("bbtab.no_border", lang))
    st.dataframe(report.broadband_class_report_table(ws.border_bands, "border_band", lang),
                 hide_index=True, width="stretch")
    return {t("bbtab.municipalities", lang): muni}


def _schools(ws, lang: str) -> None:
    st.subheader(t("bbtab.schools", lang))
    n = ws.figures.get("schools_unlocated", 0)
    if n:
        st.caption(t("bbtab.schools_unlocated", lang, n=n))
    if len(ws.schools):
        cols = [c for c in ("name", "municipality", "broadband_class", "best_mbps",
                            "typical_mbps", "giga_band", "n_ops_30", "border_band")
                if c in ws.schools]
        st.dataframe(ws.schools[cols], hide_index=True, width="stretch")


def _joint(ws, lang: str) -> None:
    st.subheader(t("bbtab.joint", lang))
    if ws.joint is None:
        st.warning(t("bb.joint_needs_roads", lang))
        return
    j = ws.joint[ws.joint["grade_band"] == "all"]
    st.dataframe(j, hide_index=True, width="stretch")


def _priority(ws, lang: str) -> None:
    st.subheader(t("bbtab.priority", lang))
    method = ws.priority["distance_method"].iloc[0] if len(ws.priority) else ws.notes["distance"]
    st.caption(t("bbtab.priority_note", lang, method=method,
                 eur=report.format_number(settings.FIBRE_COST_PER_KM_EUR, lang)))
    st.dataframe(ws.priority.head(50), hide_index=True, width="stretch")


def _downloads(ws, layers, tables: dict, lang: str, region: str) -> None:
    st.subheader(t("bbtab.downloads", lang))
    every = {**tables, **ws.tables()}
    cols = st.columns(4)
    for col, fmt in zip(cols, ("html", "pdf", "gpkg", "csv"), strict=True):
        make = functools.partial(planner.export_bytes, fmt, layers=layers, tables=every,
                                 lang=lang, title=t("bbtab.title", lang))
        col.download_button(t(f"ui.fmt.{fmt}", lang), make, mime=MIME[fmt], on_click="ignore",
                            file_name=f"{region}-broadband-{lang}.{fmt}", key=f"dl-bb-{fmt}")


def broadband_tab(region: str, lang: str) -> None:
    """The Broadband tab of ``region`` (a bundle name) in ``lang`` ("lv" or "en")."""
    st.header(t("bbtab.title", lang))
    try:
        with st.spinner("…"):
            bundle, ws = _whitespots(region, jobs.bundle_stamp(jobs.bundle_dir(region)))
    except GeoInputError as exc:
        st.error(f"{t('bbtab.error', lang)}\n\n{error_text(exc, lang)}")
        return
    _headline(ws, lang)
    layers = _map(ws, bundle, lang, region)
    tables = _tables(ws, lang)
    _schools(ws, lang)
    _joint(ws, lang)
    _priority(ws, lang)
    _downloads(ws, layers, tables, lang, region)
