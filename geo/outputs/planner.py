"""What the planner app shows and exports, apart from its widgets.

* scenario documents: the plain-data form of a scenario that the app edits change by change
  (:func:`add_change`, :func:`describe_change`, :func:`scenario_doc_from_bytes`,
  :func:`scenario_yaml`), and the scenario files of a region with their errors
  (:func:`scenario_files_checked`);
* the comparison maps: change of travel time per cell on a diverging scale
  (:func:`change_layer`), cells newly beyond the threshold outlined
  (:func:`newly_beyond_layer`), closed schools crossed out (:func:`closed_schools_layer`),
  new schools (:func:`new_schools_layer`), and two synchronised maps side by side
  (:func:`dual_map`);
* titles that carry region, grade band, threshold, year, transport mode, date and sources
  (:func:`map_title`, :func:`sources_line`);
* exports as bytes for download buttons (:func:`export_bytes`): offline HTML, PNG, PDF,
  GeoPackage and CSV (Latvian Excel form in Latvian).
"""

from __future__ import annotations

import hashlib
import tempfile
from datetime import date
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Figure, MacroElement
from jinja2 import Template

from geo import i18n, settings
from geo._yaml import load_yaml, parse_yaml
from geo.errors import GeoInputError, Msg
from geo.i18n import t
from geo.outputs import report, web
from geo.outputs.layers import LegendItem, MapLayer, _check_lang, _fmt, _num, _prepare
from geo.planning.scenario import (
    CHANGE_KINDS,
    apply_scenario,
    load_scenario,
    save_scenario,
    scenario_from_dict,
)
from geo.sources.osm import sniff_format

i18n.register({
    "plan.change_map": {"lv": "Brauciena laika izmaiņas", "en": "Change of travel time"},
    "plan.change_layer": {"lv": "Brauciena laika izmaiņa, min", "en": "Change of travel time, min"},
    "plan.gain": {"lv": "īsāks par {a}–{b} min", "en": "{a}–{b} min shorter"},
    "plan.gain_more": {"lv": "īsāks par vairāk nekā {a} min", "en": "more than {a} min shorter"},
    "plan.loss": {"lv": "garāks par {a}–{b} min", "en": "{a}–{b} min longer"},
    "plan.loss_more": {"lv": "garāks par vairāk nekā {a} min", "en": "more than {a} min longer"},
    "plan.same": {"lv": "bez izmaiņām (±{a} min)", "en": "unchanged (±{a} min)"},
    "plan.newly_beyond": {"lv": "Jaunas šūnas virs sliekšņa", "en": "Cells newly beyond the threshold"},
    "plan.newly_beyond_item": {"lv": "skolēni nonāk virs sliekšņa",
                               "en": "pupils newly beyond the threshold"},
    "plan.closed_schools": {"lv": "Slēgtās skolas", "en": "Closed schools"},
    "plan.closed_item": {"lv": "slēgta skola (pārsvītrota)", "en": "closed school (crossed out)"},
    "plan.new_schools": {"lv": "Jaunās skolas", "en": "New schools"},
    "plan.new_item": {"lv": "jauna skola", "en": "new school"},
    "plan.field.change": {"lv": "Izmaiņa, min", "en": "Change, min"},
    "plan.field.before": {"lv": "Pašlaik, min", "en": "Now, min"},
    "plan.field.after": {"lv": "Scenārijā, min", "en": "In the scenario, min"},
    "plan.field.newly": {"lv": "Skolēni virs sliekšņa", "en": "Pupils newly beyond"},
    "plan.title": {
        "lv": "{what} — {region}, {band}. klase, slieksnis {thr} min, {year}. g., {mode}, {date}",
        "en": "{what} — {region}, grades {band}, threshold {thr} min, {year}, {mode}, {date}",
    },
    "plan.sources": {"lv": "Avoti: {s}", "en": "Sources: {s}"},
    "plan.mode.bus": {"lv": "skolēnu autobuss", "en": "school bus"},
    "plan.mode.car": {"lv": "automašīna", "en": "car"},
    "plan.src.generated": {"lv": "izdomāti demonstrācijas dati", "en": "fictional demo data"},
    "plan.src.osm": {"lv": "© OpenStreetMap līdzautori (ODbL)",
                     "en": "© OpenStreetMap contributors (ODbL)"},
    "plan.src.census": {"lv": "CSP 2021. g. tautas skaitīšanas 1 km režģis (CC BY 4.0)",
                        "en": "CSB census 2021 1 km grid (CC BY 4.0)"},
    "plan.src.popgrid": {"lv": "Eurostat GEOSTAT iedzīvotāju režģis (CC BY 4.0)",
                         "en": "Eurostat GEOSTAT population grid (CC BY 4.0)"},
    "plan.src.izm": {"lv": "IZM izglītības iestāžu reģistrs (atvērtie dati)",
                     "en": "Ministry of Education school registry (open data)"},
    "plan.src.ookla": {"lv": "Ookla atvērtie dati (CC BY-NC-SA 4.0)",
                       "en": "Ookla open data (CC BY-NC-SA 4.0)"},
    "plan.src.boundaries": {"lv": "VZD administratīvās robežas (CC0)",
                            "en": "State Land Service boundaries (CC0)"},
    "plan.src.other": {"lv": "citi avoti (skat. datu cilni)", "en": "other sources (see the Data tab)"},
    # changes, as the planner reads them
    "plan.ch.close": {"lv": "Slēgt: {schools}", "en": "Close: {schools}"},
    "plan.ch.merge": {"lv": "Pievienot {school} skolai {into}", "en": "Merge {school} into {into}"},
    "plan.ch.set_grades": {"lv": "{school}: klases {grades}", "en": "{school}: grades {grades}"},
    "plan.ch.set_capacity": {"lv": "{school}: ietilpība {capacity}",
                             "en": "{school}: capacity {capacity}"},
    "plan.ch.open": {
        "lv": "Atvērt jaunu skolu {name} ({lat}, {lon}), klases {grades}, ietilpība {capacity}, "
              "dienesta viesnīcā {dorm} vietas",
        "en": "Open a new school {name} ({lat}, {lon}), grades {grades}, capacity {capacity}, "
              "{dorm} dormitory places",
    },
    "plan.ch.dormitory.add": {"lv": "{school}: dienesta viesnīcā +{n} vietas",
                              "en": "{school}: {n} more dormitory places"},
    "plan.ch.dormitory.remove": {"lv": "{school}: dienesta viesnīcā −{n} vietas",
                                 "en": "{school}: {n} fewer dormitory places"},
    "plan.ch.dormitory.set": {"lv": "{school}: dienesta viesnīcā {n} vietas",
                              "en": "{school}: {n} dormitory places"},
    "plan.unlimited": {"lv": "neierobežota", "en": "unlimited"},
})


# --------------------------------------------------------------------------------------------
# Scenario documents (plain data edited in the app)
# --------------------------------------------------------------------------------------------
def new_document(*, region: str, year: int, mode: str = "bus", name: str = "",
                 thresholds_min: dict | None = None) -> dict:
    """An empty scenario document (the plain-data form of a scenario file)."""
    return {"name": name, "description": "", "region": region, "year": int(year),
            "transport": {"mode": mode},
            "thresholds_min": dict(thresholds_min or settings.THRESHOLD_MIN), "changes": []}


def scenario_of(doc: dict, *, source: str | None = "app"):
    """The checked :class:`geo.planning.scenario.Scenario` of a document.

    Raises
    ------
    GeoInputError
        As :func:`geo.planning.scenario.scenario_from_dict`.
    """
    data = {k: v for k, v in doc.items() if v not in ("", None) or k == "changes"}
    return scenario_from_dict(data, source=source)


def add_change(doc: dict, kind: str, params, *, prep=None) -> dict:
    """A copy of ``doc`` with one more change, checked (the document is unchanged on error).

    Parameters
    ----------
    doc : dict
    kind : str
        One of :data:`geo.planning.scenario.CHANGE_KINDS`.
    params : list or dict
        The school ids to close (``close``) or the change's keys.
    prep : geo.planning.prepared.Prepared, optional
        The region: the changes are also applied to it (unknown ids, changes to a school
        closed by an earlier change, a new school far from the roads are refused).

    Raises
    ------
    GeoInputError
        The change is not valid (message of :func:`scenario_from_dict` or
        :func:`geo.planning.scenario.apply_scenario`).
    """
    if kind not in CHANGE_KINDS:
        raise GeoInputError(Msg("err.scenario.unknown_change", kind=repr(kind), hint=""),
                            fix=Msg("err.one_of.fix", known=str(CHANGE_KINDS)))
    value = list(params) if kind == "close" else {k: v for k, v in dict(params).items()
                                                   if v is not None and v != ""}
    out = {**doc, "changes": [*doc.get("changes", []), {kind: value}]}
    sc = scenario_of(out)
    if prep is not None:
        apply_scenario(prep, sc)
    return out


def _school(sid, names: dict) -> str:
    sid = str(sid)
    return f"{names[sid]} ({sid})" if sid in names else sid


def _num_text(v, lang: str) -> str:
    if isinstance(v, str) and v.strip().lower() in ("inf", "unlimited"):
        return t("plan.unlimited", lang)
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return t("plan.unlimited", lang) if np.isinf(f) else report.format_number(f, lang, 0)


def _grades_text(g) -> str:
    if isinstance(g, list | tuple):
        g = sorted(int(x) for x in g)
        return f"{g[0]}-{g[-1]}" if g == list(range(g[0], g[-1] + 1)) else ",".join(map(str, g))
    return str(g)


def describe_change(change: dict, names: dict, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """One change of a document as a sentence in ``lang`` (school names with their ids)."""
    kind, v = next(iter(change.items()))
    if kind == "close":
        ids = v if isinstance(v, list) else [v]
        return t("plan.ch.close", lang, schools=", ".join(_school(s, names) for s in ids))
    if kind == "merge":
        return t("plan.ch.merge", lang, school=_school(v["school"], names),
                 into=_school(v["into"], names))
    if kind == "set_grades":
        return t("plan.ch.set_grades", lang, school=_school(v["school"], names),
                 grades=_grades_text(v.get("grades", v.get("type"))))
    if kind == "set_capacity":
        return t("plan.ch.set_capacity", lang, school=_school(v["school"], names),
                 capacity=_num_text(v["capacity"], lang))
    if kind == "open":
        lat, lon = v.get("lat", v.get("y")), v.get("lon", v.get("x"))
        return t("plan.ch.open", lang, name=v.get("name", v.get("id")),
                 lat=report.format_number(float(lat), lang, 4),
                 lon=report.format_number(float(lon), lang, 4),
                 grades=_grades_text(v.get("grades", v.get("type"))),
                 capacity=_num_text(v.get("capacity", "unlimited"), lang),
                 dorm=_num_text(v.get("dormitory_places", 0), lang))
    op = next(k for k in ("add", "remove", "set") if k in v)
    return t(f"plan.ch.dormitory.{op}", lang, school=_school(v["school"], names),
             n=_num_text(v[op], lang))


def scenario_yaml(doc: dict) -> bytes:
    """The document as a scenario file (checked; UTF-8 YAML as :func:`save_scenario` writes)."""
    sc = scenario_of(doc, source=None)
    with tempfile.TemporaryDirectory() as tmp:
        return save_scenario(sc, Path(tmp) / "scenario.yaml").read_bytes()


def scenario_doc_from_bytes(data: bytes, name: str) -> dict:
    """Read an uploaded scenario file (also one saved by the optimiser) into a document.

    Raises
    ------
    GeoInputError
        The file is not a valid scenario (names the uploaded file and the line).
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(name).name
        path.write_bytes(data)
        try:
            sc = load_scenario(path)
        except UnicodeDecodeError:
            raise GeoInputError(Msg("err.upload.not_utf8"), path=Path(name).name,
                                fix=Msg("err.upload.not_utf8.fix")) from None
        except GeoInputError as exc:
            raise exc.renamed(Path(name).name) from None
        text = save_scenario(sc, Path(tmp) / "_doc.yaml").read_text("utf-8")
    doc = parse_yaml(text).data
    doc.setdefault("changes", [])
    doc.setdefault("description", "")
    doc.setdefault("region", sc.region)
    doc.setdefault("thresholds_min", dict(sc.thresholds_min))
    doc.setdefault("transport", {})
    doc["transport"].setdefault("mode", sc.transport.mode)
    return doc


def scenario_files_checked(folder: Path, region: str
                           ) -> list[tuple[Path, GeoInputError | None]]:
    """Scenario files of a region in ``folder``, each with its error (None when valid; show
    it with ``error_text(err, lang)``).

    A file whose YAML cannot be read is listed for every region (its region is unknown).
    """
    out = []
    for p in sorted(Path(folder).glob("*.y*ml")):
        try:
            data = load_yaml(p, kind="scenario").data
        except GeoInputError:
            data = None
        if isinstance(data, dict) and str(data.get("region", "")) not in ("", region):
            continue
        try:
            load_scenario(p)
            out.append((p, None))
        except GeoInputError as exc:
            out.append((p, exc))
    return out


# --------------------------------------------------------------------------------------------
# Comparison layers
# --------------------------------------------------------------------------------------------
#: Change of travel time (minutes) class limits and colours (blue shorter, red longer).
CHANGE_LIMITS = (1.0, 5.0, 10.0)


CHANGE_COLORS = ("#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fddbc7", "#ef8a62", "#b2182b")


def change_classes(change_min) -> np.ndarray:
    """Class 0..6 of each change (0: more than 10 min shorter ... 3: within ±1 min ... 6: more
    than 10 min longer); NaN (unreachable in either) gets the last class."""
    v = np.asarray(change_min, dtype=float)
    a, b, c = CHANGE_LIMITS
    out = np.full(len(v), 3)
    for lim, lo, hi in ((a, 2, 4), (b, 1, 5), (c, 0, 6)):
        out[v < -lim] = lo
        out[v > lim] = hi
    out[~np.isfinite(v)] = 6
    return out.astype(int)


def _change_labels(lang: str) -> list[str]:
    a, b, c = (f"{x:g}" for x in CHANGE_LIMITS)
    return [t("plan.gain_more", lang, a=c), t("plan.gain", lang, a=b, b=c),
            t("plan.gain", lang, a=a, b=b), t("plan.same", lang, a=a),
            t("plan.loss", lang, a=a, b=b), t("plan.loss", lang, a=b, b=c),
            t("plan.loss_more", lang, a=c)]


def change_layer(cells: gpd.GeoDataFrame, lang: str = i18n.DEFAULT_LANGUAGE) -> MapLayer:
    """Minutes gained or lost per cell on a diverging scale.

    Parameters
    ----------
    cells : GeoDataFrame
        From :func:`geo.jobs.scenario_cells`: ``time_a``, ``time_b``, ``change_min``,
        ``pupils``, any CRS.
    lang : {"lv", "en"}

    Returns
    -------
    MapLayer
        Key ``travel_time_change``; legend shows the classes present.
    """
    _check_lang(lang)
    src, disp = _prepare(cells, "change", columns=("change_min", "time_a", "time_b", "pupils"))
    cls = change_classes(_num(disp["change_min"]))
    labels = _change_labels(lang)
    data = gpd.GeoDataFrame({
        "_c": [CHANGE_COLORS[k] for k in cls],
        "f0": _fmt(_num(disp["change_min"]), 1),
        "f1": _fmt(_num(disp["time_a"]), 1),
        "f2": _fmt(_num(disp["time_b"]), 1),
        "f3": _fmt(_num(disp["pupils"])),
    }, geometry=disp.geometry.values, crs=settings.WGS84)
    legend = [LegendItem(labels[k], CHANGE_COLORS[k], "fill") for k in range(7) if (cls == k).any()]
    fields = [("f0", t("plan.field.change", lang)), ("f1", t("plan.field.before", lang)),
              ("f2", t("plan.field.after", lang)), ("f3", t("map.field.pupils", lang))]
    return MapLayer("travel_time_change", t("plan.change_layer", lang), data, "polygon",
                    fields=fields, legend=legend, fill_opacity=0.8, stroke="#bbbbbb",
                    stroke_width=0.3, source=src)


def newly_beyond_layer(cells: gpd.GeoDataFrame, lang: str = i18n.DEFAULT_LANGUAGE) -> MapLayer:
    """Cells whose pupils newly fall beyond the threshold, outlined (``newly_beyond`` > 0)."""
    _check_lang(lang)
    src, disp = _prepare(cells, "newly beyond", columns=("newly_beyond",))
    keep = _num(disp["newly_beyond"]) > 1e-9
    sub = disp.loc[keep]
    data = gpd.GeoDataFrame({"_c": ["#000000"] * len(sub),
                             "f0": _fmt(_num(sub["newly_beyond"]))},
                            geometry=sub.geometry.values, crs=settings.WGS84)
    return MapLayer("newly_beyond", t("plan.newly_beyond", lang), data, "polygon",
                    fields=[("f0", t("plan.field.newly", lang))],
                    legend=[LegendItem(t("plan.newly_beyond_item", lang), "#ffffff", "fill",
                                       stroke="#000000")],
                    fill_opacity=0.0, stroke="#000000", stroke_width=2.5, source=src.loc[keep])


def closed_schools_layer(schools: gpd.GeoDataFrame, lang: str = i18n.DEFAULT_LANGUAGE, *,
                         name: str = "name", size_m: float = 900.0) -> MapLayer:
    """Closed schools drawn crossed out: an X of two lines ``size_m`` metres across.

    Parameters
    ----------
    schools : GeoDataFrame
        Points of the closed schools, any CRS.
    name : str, default "name"
    size_m : float, default 900
    """
    _check_lang(lang)
    src, _ = _prepare(schools, "closed schools", columns=(name,))
    pts = src.to_crs(settings.LATVIA_CRS).geometry.representative_point()
    x, y, h = pts.x.to_numpy(), pts.y.to_numpy(), size_m / 2
    crosses = shapely.multilinestrings([[[(a - h, b - h), (a + h, b + h)],
                                         [(a - h, b + h), (a + h, b - h)]]
                                        for a, b in zip(x, y, strict=True)]) if len(x) else []
    g = gpd.GeoSeries(crosses, crs=settings.LATVIA_CRS).to_crs(settings.WGS84)
    data = gpd.GeoDataFrame({"_c": ["#c0392b"] * len(g), "_w": [3.0] * len(g),
                             "f0": _fmt(src[name].to_numpy())}, geometry=g.values,
                            crs=settings.WGS84)
    return MapLayer("closed_schools", t("plan.closed_schools", lang), data, "line",
                    fields=[("f0", t("map.field.name", lang))],
                    legend=[LegendItem(t("plan.closed_item", lang), "#c0392b", "line", width=3)],
                    source=src)


def new_schools_layer(schools: gpd.GeoDataFrame, lang: str = i18n.DEFAULT_LANGUAGE, *,
                      name: str = "name") -> MapLayer:
    """New schools of a scenario as green squares."""
    _check_lang(lang)
    src, disp = _prepare(schools, "new schools", columns=(name,))
    data = gpd.GeoDataFrame({"_c": ["#1a9850"] * len(disp), "_r": [8.0] * len(disp),
                             "f0": _fmt(disp[name].to_numpy())},
                            geometry=disp.geometry.representative_point().values,
                            crs=settings.WGS84)
    return MapLayer("new_schools", t("plan.new_schools", lang), data, "point",
                    fields=[("f0", t("map.field.name", lang))],
                    legend=[LegendItem(t("plan.new_item", lang), "#1a9850", "square")],
                    marker="square", source=src)


# --------------------------------------------------------------------------------------------
# Two synchronised maps
# --------------------------------------------------------------------------------------------
class SyncMaps(MacroElement):
    """Keep two Leaflet maps at the same centre and zoom (no external plugin)."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function() {
    var a = {{ this.a.get_name() }}, b = {{ this.b.get_name() }}, busy = false;
    function follow(src, dst) {
        src.on("move zoom", function() {
            if (busy) { return; }
            busy = true;
            dst.setView(src.getCenter(), src.getZoom(), {animate: false});
            busy = false;
        });
    }
    follow(a, b); follow(b, a);
})();
{% endmacro %}
""")

    def __init__(self, a: folium.Map, b: folium.Map):
        super().__init__()
        self._name = "GeoSyncMaps"
        self.a, self.b = a, b


def dual_map(layers_a, layers_b, *, lang: str = i18n.DEFAULT_LANGUAGE, title_a: str = "",
             title_b: str = "", **kwargs) -> folium.Map:
    """Two offline maps side by side in one page, moving and zooming together.

    ``kwargs`` go to both :func:`geo.outputs.web.make_map` calls (e.g. ``prefer_canvas``).

    Returns
    -------
    folium.Map
        The left map; its figure holds both (export with :func:`geo.outputs.web.to_html`).
    """
    pos = {"width": "50%", "height": "100%", "top": "0%", "position": "absolute"}
    kwargs.setdefault("collapsed_control", True)  # the open list would hide the titles
    a = web.make_map(layers_a, lang=lang, title=title_a, left="0%", **pos, **kwargs)
    b = web.make_map(layers_b, lang=lang, title=title_b, left="50%", **pos, **kwargs)
    fig: Figure = a.get_root()
    fig.add_child(b)
    b.add_child(SyncMaps(a, b))
    a._geo_pair = b
    return a


# --------------------------------------------------------------------------------------------
# Titles and exports
# --------------------------------------------------------------------------------------------
def sources_line(manifest: dict, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """The data sources of a bundle with their licences, one line."""
    keys: list[str] = []
    for info in manifest.get("layers", {}).values():
        for k, v in (info.get("sources") or {}).items():
            key = "generated" if (v or {}).get("origin") == "generated" else k
            key = key if f"plan.src.{key}" in i18n.STRINGS else "other"
            if key not in keys:
                keys.append(key)
    return t("plan.sources", lang, s="; ".join(t(f"plan.src.{k}", lang) for k in keys) or "–")


def map_title(what: str, *, region: str, band: str, threshold: float, year: int | str,
              mode: str = "bus", lang: str = i18n.DEFAULT_LANGUAGE, when: date | None = None) -> str:
    """A map or report title: what, region, grade band, threshold, year, mode and date."""
    return t("plan.title", lang, what=what, region=region, band=band, thr=f"{threshold:g}",
             year=year, mode=t(f"plan.mode.{mode}", lang),
             date=(when or date.today()).isoformat())


def table_for_csv(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A table for CSV: headers in ``lang``, numbers rounded (3 decimals; tiny values 0)."""
    out = pd.DataFrame(df).copy()
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]):
            v = out[c].to_numpy(dtype=float).round(3)
            v[np.abs(v) < 1e-9] = 0.0
            out[c] = v
    return i18n.columns(out, lang)


def export_bytes(fmt: str, *, layers=None, m: folium.Map | None = None,
                 tables: dict | None = None, lang: str = i18n.DEFAULT_LANGUAGE,
                 title: str | None = None, subtitle: str | None = None) -> bytes:
    """One export as bytes (for a download button).

    Parameters
    ----------
    fmt : {"html", "png", "pdf", "gpkg", "csv"}
        ``csv`` writes the first table (Latvian Excel form when ``lang == "lv"``: ``;``,
        decimal comma, UTF-8 BOM, Latvian headers).
    layers : sequence of MapLayer, optional
    m : folium.Map, optional
        The web map for ``html`` (default ``make_map(layers)``).
    tables : dict of str to DataFrame, optional
    lang : {"lv", "en"}
    title, subtitle : str, optional
        Map title; the subtitle (sources) goes under it in PNG and PDF.
    """
    tables = dict(tables or {})
    full = f"{title}\n{subtitle}" if title and subtitle else title
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"out.{fmt}"
        if fmt == "html":
            report.export_html(m if m is not None else web.make_map(layers, lang=lang,
                                                                     title=title), path)
        elif fmt == "png":
            report.export_png(layers, path, lang=lang, title=full)
        elif fmt == "pdf":
            report.export_pdf(path, layers=layers, tables=tables, lang=lang, title=full)
        elif fmt == "gpkg":
            gp = {la.key: la for la in (layers or [])}
            gp.update({report._safe_name(k): df for k, df in tables.items()})
            report.export_gpkg(path, gp)
        elif fmt == "csv":
            if not tables:
                raise GeoInputError(Msg("err.report.no_table"), fix=Msg("err.report.no_table.fix"))
            report.export_csv(table_for_csv(next(iter(tables.values())), lang), path,
                              excel_lv=lang == "lv")
        else:
            raise GeoInputError(Msg("err.report.format", fmt=repr(fmt)),
                                fix=Msg("err.one_of.fix", known=str(report.FORMATS)))
        return path.read_bytes()


# --------------------------------------------------------------------------------------------
# The app's own labels (widgets of app.py)
# --------------------------------------------------------------------------------------------
i18n.register({
    "ui.tab.compare": {"lv": "Salīdzinājums", "en": "Compare"},
    "ui.tab.optimise": {"lv": "Optimizācija", "en": "Optimise"},
    "ui.tab.broadband": {"lv": "Platjosla", "en": "Broadband"},
    "ui.scenario_name": {"lv": "Scenārija nosaukums", "en": "Scenario name"},
    "ui.scenario_description": {"lv": "Apraksts", "en": "Description"},
    "ui.default_name": {"lv": "Mans scenārijs", "en": "My scenario"},
    "ui.start_from": {"lv": "Sākt no faila", "en": "Start from a file"},
    "ui.load": {"lv": "Ielādēt", "en": "Load"},
    "ui.new": {"lv": "Jauns tukšs scenārijs", "en": "New empty scenario"},
    "ui.file_error": {"lv": "⚠ {name}: kļūda failā", "en": "⚠ {name}: error in the file"},
    "ui.bad_files": {"lv": "Faili ar kļūdām mapē scenarios/", "en": "Files with errors in scenarios/"},
    "ui.upload_scenario": {"lv": "Augšupielādēt scenārija failu (YAML)",
                           "en": "Upload a scenario file (YAML)"},
    "ui.loaded": {"lv": "Ielādēts: {name}", "en": "Loaded: {name}"},
    "ui.add_change": {"lv": "Pievienot izmaiņu", "en": "Add a change"},
    "ui.kind": {"lv": "Izmaiņas veids", "en": "Kind of change"},
    "ui.kind.close": {"lv": "Slēgt skolas", "en": "Close schools"},
    "ui.kind.merge": {"lv": "Apvienot skolas", "en": "Merge schools"},
    "ui.kind.set_grades": {"lv": "Mainīt klases vai skolas veidu", "en": "Change grades or type"},
    "ui.kind.set_capacity": {"lv": "Mainīt ietilpību", "en": "Change capacity"},
    "ui.kind.open": {"lv": "Atvērt jaunu skolu", "en": "Open a new school"},
    "ui.kind.dormitory": {"lv": "Dienesta viesnīcas vietas", "en": "Dormitory places"},
    "ui.school": {"lv": "Skola", "en": "School"},
    "ui.schools": {"lv": "Skolas", "en": "Schools"},
    "ui.into": {"lv": "Pievienot skolai", "en": "Merge into"},
    "ui.grades": {"lv": "Klases (piem., 1-6) vai skolas veids", "en": "Grades (e.g. 1-6) or school type"},
    "ui.capacity": {"lv": "Ietilpība, skolēni", "en": "Capacity, pupils"},
    "ui.new_id": {"lv": "Jaunās skolas kods", "en": "Id of the new school"},
    "ui.new_name": {"lv": "Jaunās skolas nosaukums", "en": "Name of the new school"},
    "ui.lat": {"lv": "Platums, °", "en": "Latitude, °"},
    "ui.lon": {"lv": "Garums, °", "en": "Longitude, °"},
    "ui.click_map": {"lv": "Noklikšķiniet kartē, lai izvēlētos vietu (vai ierakstiet koordinātas).",
                     "en": "Click on the map to choose the place (or type the coordinates)."},
    "ui.dorm_places": {"lv": "Vietas dienesta viesnīcā", "en": "Dormitory places"},
    "ui.dorm_op": {"lv": "Darbība", "en": "Action"},
    "ui.dorm.add": {"lv": "pievienot", "en": "add"},
    "ui.dorm.remove": {"lv": "noņemt", "en": "remove"},
    "ui.dorm.set": {"lv": "iestatīt", "en": "set"},
    "ui.add": {"lv": "Pievienot", "en": "Add"},
    "ui.undo": {"lv": "Atsaukt pēdējo izmaiņu", "en": "Undo the last change"},
    "ui.changes": {"lv": "Scenārija izmaiņas", "en": "Changes of the scenario"},
    "ui.no_changes": {"lv": "Vēl nav izmaiņu: pievienojiet tās zemāk.",
                      "en": "No changes yet: add them below."},
    "ui.remove": {"lv": "Dzēst", "en": "Remove"},
    "ui.edit_yaml": {"lv": "Rediģēt scenāriju kā tekstu (YAML)", "en": "Edit the scenario as text (YAML)"},
    "ui.apply": {"lv": "Lietot", "en": "Apply"},
    "ui.change_error": {"lv": "Izmaiņa nav pievienota", "en": "The change was not added"},
    "ui.see_compare": {"lv": "Rezultātus skatiet cilnē “Salīdzinājums”.",
                       "en": "See the results in the “Compare” tab."},
    "ui.before": {"lv": "Pašlaik", "en": "Now"},
    "ui.after": {"lv": "Scenārijā", "en": "In the scenario"},
    "ui.dual_caption": {"lv": "Pa kreisi — pašlaik, pa labi — scenārijā; kartes pārvietojas kopā.",
                        "en": "Left: now; right: the scenario; the maps move together."},
    "ui.change_map": {"lv": "Izmaiņu karte", "en": "Change map"},
    "ui.newly_beyond": {"lv": "Skolēni no jauna virs sliekšņa", "en": "Pupils newly beyond"},
    "ui.switching": {"lv": "Skolēni, kas maina skolu", "en": "Pupils changing school"},
    "ui.mean": {"lv": "Vidējais laiks", "en": "Mean time"},
    "ui.p90": {"lv": "90. procentile", "en": "90th percentile"},
    "ui.cost": {"lv": "Transporta izmaksas gadā", "en": "Transport cost per year"},
    "ui.unserved": {"lv": "Bez vietas skolā", "en": "Unserved"},
    "ui.fraction_note": {
        "lv": "Skolēnu skaits tabulās noapaļots līdz veseliem; CSV un GeoPackage failos tas "
              "paliek ar daļām, jo šūnas skolēni tiek sadalīti starp skolām proporcionāli.",
        "en": "Pupils are rounded to whole numbers in the tables; CSV and GeoPackage keep the "
              "fractions, because a cell's pupils are shared among schools in proportion."},
    "ui.schools_table": {"lv": "Skolēni skolās", "en": "Pupils per school"},
    "ui.export": {"lv": "Lejupielādēt", "en": "Download"},
    "ui.fmt.html": {"lv": "HTML karte", "en": "HTML map"},
    "ui.fmt.png": {"lv": "PNG attēls", "en": "PNG image"},
    "ui.fmt.pdf": {"lv": "PDF pārskats", "en": "PDF report"},
    "ui.fmt.gpkg": {"lv": "GeoPackage", "en": "GeoPackage"},
    "ui.fmt.csv": {"lv": "CSV tabula", "en": "CSV table"},
    "ui.fmt.yaml": {"lv": "Scenārija fails (YAML)", "en": "Scenario file (YAML)"},
    "ui.opt_running": {"lv": "Meklē labāko skolu izvietojumu…", "en": "Searching for the best set of schools…"},
    "ui.opt_summary": {
        "lv": "{objective}: paturēt {keep} skolas, slēgt {close}; mērķa vērtība {value}",
        "en": "{objective}: keep {keep} schools, close {close}; objective {value}"},
    "ui.kept": {"lv": "paturēta", "en": "kept"},
    "ui.closed": {"lv": "slēgta", "en": "closed"},
    "ui.decision": {"lv": "Lēmums", "en": "Decision"},
    "ui.load_as_scenario": {"lv": "Ielādēt kā scenāriju", "en": "Load as scenario"},
    "ui.loaded_opt": {"lv": "Priekšlikums ielādēts cilnē “Scenārijs”.",
                      "en": "The proposal is loaded in the “Scenario” tab."},
    "ui.opt_map": {"lv": "Optimizācijas priekšlikums", "en": "Optimisation proposal"},
    "ui.upload_bad": {"lv": "Augšupielādētais fails nav OSM fails", "en": "The uploaded file is not an OSM file"},
    "ui.session_only": {"lv": "Augšupielādētais fails tiek lietots tikai šajā sesijā.",
                        "en": "The uploaded file is used in this session only."},
    "ui.status.located": {"lv": "atrasta", "en": "located"},
    "ui.status.unlocated": {"lv": "nav atrasta", "en": "not located"},
    "ui.origin.generated": {"lv": "izdomāti dati", "en": "generated (fictional)"},
    "ui.origin.file": {"lv": "fails", "en": "file"},
    "ui.origin.shared": {"lv": "koplietotie dati", "en": "shared data"},
    "ui.origin.osm": {"lv": "OpenStreetMap", "en": "OpenStreetMap"},
    "ui.origin.download": {"lv": "lejupielāde", "en": "download"},
    "ui.missing": {"lv": "slānis nav atrasts; kā to iegūt, skatiet tehniskajās piezīmēs zemāk.",
                   "en": "layer not found; how to get it is in the technical notes below."},
    "ui.missing_details": {"lv": "Tehniskās piezīmes (būvēšanas žurnāls, angļu valodā)",
                           "en": "Technical notes (build log)"},
    "ui.stype.sakumskola": {"lv": "sākumskola", "en": "primary school"},
    "ui.stype.pamatskola": {"lv": "pamatskola", "en": "basic school"},
    "ui.stype.vidusskola": {"lv": "vidusskola", "en": "secondary school"},
    "ui.stype.gimnazija": {"lv": "ģimnāzija", "en": "gymnasium"},
    "ui.stype.special": {"lv": "speciālā skola", "en": "special school"},
    "ui.stype.evening": {"lv": "vakara (maiņu) skola", "en": "evening school"},
    "ui.stype.distance": {"lv": "tālmācības skola", "en": "distance-learning school"},
    "ui.stype.vocational": {"lv": "profesionālā skola", "en": "vocational school"},
    "ui.stype.other": {"lv": "cita", "en": "other"},
    "ui.layer.boundaries": {"lv": "novadu robežas", "en": "municipality boundaries"},
    "ui.layer.schools": {"lv": "skolas", "en": "schools"},
    "ui.layer.pupils_2021": {"lv": "skolēni šūnās (2021)", "en": "pupils per cell (2021)"},
    "ui.layer.dormitories": {"lv": "dienesta viesnīcas", "en": "dormitories"},
    "ui.layer.broadband": {"lv": "platjosla", "en": "broadband"},
    "ui.layer.coverage": {"lv": "mobilā pārklājuma dati", "en": "mobile coverage"},
    "ui.layer.population_trend": {"lv": "iedzīvotāju skaita tendence", "en": "population trend"},
    "ui.layer.roads": {"lv": "ceļi", "en": "roads"},
    "ui.layer.network": {"lv": "ceļu tīkls", "en": "road network"},
    "ui.layer.population": {"lv": "iedzīvotāji {year}", "en": "population {year}"},
})


def label_of(prefix: str, value, lang: str) -> str:
    """``t(prefix + value)`` when such a string exists, else the value itself."""
    key = f"{prefix}{value}"
    return t(key, lang) if key in i18n.STRINGS else str(value)


def layer_label(name: str, lang: str) -> str:
    """A bundle layer name in ``lang`` (``population_2011`` -> "iedzīvotāji 2011")."""
    if name.startswith("population_") and name[11:].isdigit():
        return t("ui.layer.population", lang, year=name[11:])
    return label_of("ui.layer.", name, lang)


def optimise_summary(res, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """One line about an optimisation result in ``lang``."""
    return t("ui.opt_summary", lang, objective=t(f"app.objective.{res.objective}", lang),
             keep=len(res.keep_ids), close=len(res.close_ids),
             value=report.format_number(float(res.value), lang, 0))


def school_sets(doc: dict) -> tuple[list[str], list[dict]]:
    """Schools a document closes (closed or merged away) and the new schools it opens."""
    closed: list[str] = []
    new: list[dict] = []
    for ch in doc.get("changes", []):
        kind, v = next(iter(ch.items()))
        if kind == "close":
            closed += [str(s) for s in (v if isinstance(v, list) else [v])]
        elif kind == "merge":
            closed.append(str(v["school"]))
        elif kind == "open":
            new.append(dict(v))
    return closed, new


def new_school_points(new: list[dict]) -> gpd.GeoDataFrame:
    """Points of new schools (``lon``/``lat`` degrees or ``x``/``y`` LKS-92 metres), EPSG:4326."""
    rows = []
    for v in new:
        if v.get("lon") is not None:
            rows.append((str(v["id"]), str(v.get("name") or v["id"]),
                         shapely.Point(float(v["lon"]), float(v["lat"]))))
        else:
            p = gpd.GeoSeries([shapely.Point(float(v["x"]), float(v["y"]))],
                              crs=settings.LATVIA_CRS).to_crs(settings.WGS84).iloc[0]
            rows.append((str(v["id"]), str(v.get("name") or v["id"]), p))
    return gpd.GeoDataFrame({"id": [r[0] for r in rows], "name": [r[1] for r in rows]},
                            geometry=[r[2] for r in rows], crs=settings.WGS84)


def save_osm_upload(data: bytes, name: str, folder: str | Path) -> Path:
    """Keep an uploaded OSM file in a session's own folder, after checking it is one.

    The file is never written where other users' sessions look for OSM files
    (``data/downloads``), so an upload cannot become anyone else's region.

    Parameters
    ----------
    data : bytes
    name : str
        The uploaded file's name (only its last part is used).
    folder : str or Path
        The session's temporary folder.

    Raises
    ------
    GeoInputError
        The file is empty or is not OSM XML / PBF (nothing is kept); the error names the
        uploaded file, never the server's folder.
    """
    target = Path(folder) / Path(name).name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    try:
        if not data:
            raise GeoInputError(Msg("err.upload.empty"), path=Path(name).name,
                                fix=Msg("err.upload.osm.fix"))
        sniff_format(target)
    except GeoInputError as exc:
        target.unlink(missing_ok=True)
        raise exc.renamed(Path(name).name) from None
    return target


def keep_osm_upload(data: bytes, name: str, folder: str | Path) -> Path:
    """:func:`save_osm_upload` once per content: the file goes to
    ``folder/<SHA-256 digest>/<name>`` and is written only the first time.

    The same upload seen again (a rerun of the app, the same file uploaded again) is the same
    file with the same modification time, so its network is built and cached once.

    Parameters
    ----------
    data : bytes
    name : str
        The uploaded file's name (only its last part is used).
    folder : str or Path
        The session's temporary folder.

    Raises
    ------
    GeoInputError
        As :func:`save_osm_upload`.
    """
    target = Path(folder) / hashlib.sha256(data).hexdigest()[:16] / Path(name).name
    if target.is_file() and target.stat().st_size == len(data):
        return target
    try:
        return save_osm_upload(data, name, target.parent)
    except GeoInputError:
        if not any(target.parent.iterdir()):  # nothing kept, not even the folder
            target.parent.rmdir()
        raise
