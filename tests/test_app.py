"""The Streamlit app runs headless (streamlit.testing.AppTest) on the demo region, the real
Vidzeme layers and a real OSM extract: every view in both languages, a scenario built with
every change kind, the comparison, the optimiser, uploads, and the exports behind its buttons."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import OSM_DIR, PROJECT_ROOT, SHARED_DATA, osm_file, shared_file

from geo import jobs, settings
from geo.i18n import t
from geo.outputs import planner

pytest.importorskip("streamlit.testing.v1")
from streamlit.testing.v1 import AppTest  # noqa: E402


@pytest.fixture(scope="module")
def demo_bundles(tmp_path_factory):
    """One demo bundle for the module (built offline, as the app does on first start)."""
    root = tmp_path_factory.mktemp("bundles")
    mp = pytest.MonkeyPatch()
    mp.setattr(settings, "BUNDLES_DIR", root)
    jobs.open_bundle("demo")
    mp.undo()
    return root


@pytest.fixture()
def dirs(tmp_path_factory, monkeypatch):
    root = tmp_path_factory.mktemp("app")
    monkeypatch.setattr(settings, "BUNDLES_DIR", root / "bundles")
    monkeypatch.setattr(settings, "DOWNLOADS_DIR", root / "downloads")
    monkeypatch.setenv("GEO_DATA_PATH", str(SHARED_DATA))
    return root


@pytest.fixture()
def demo(dirs, demo_bundles, monkeypatch):
    monkeypatch.setattr(settings, "BUNDLES_DIR", demo_bundles)
    return demo_bundles


def _app():
    return AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=240)


def _number(text: str, lang: str) -> float:
    """A number as the app prints it (``2 102``, ``2,9`` in Latvian; ``2,102`` in English)."""
    s = str(text).split(" (")[0].replace("\u00a0", "").replace(" min", "")
    s = s.replace(" ", "").replace(",", ".") if lang == "lv" else s.replace(",", "")
    return float(s)


VIEW_OF = {"app.tab.map": "map", "app.tab.scenarios": "scenario", "ui.tab.compare": "compare",
           "ui.tab.optimise": "optimise", "app.tab.schools": "schools", "app.tab.data": "data",
           "ui.tab.broadband": "broadband"}


def _open(at, key: str, lang: str = "lv"):
    at.session_state["goto"] = VIEW_OF[key]
    at.run()
    assert at.session_state["view"] == VIEW_OF[key]
    assert not at.exception, at.exception
    return at


def _metric(at, label_key: str, lang: str = "lv") -> float:
    m = next(m for m in at.metric if m.label == t(label_key, lang))
    return _number(m.value, lang)


# --------------------------------------------------------------------------------------------
# Map view, Vidzeme, OSM files
# --------------------------------------------------------------------------------------------
def test_default_is_demo_with_banner_and_english(demo):
    at = _app().run()
    assert not at.exception, at.exception
    assert jobs.default_region() == ("demo", "app.why.no_vidzeme_bundle")
    assert any("DEMO" in w.value for w in at.warning)  # banner says which region and why
    assert any("Izdomāti dati" in c.value for c in at.caption)
    labels = [m.label for m in at.metric]
    assert labels[:2] == ["Skolēni", "Mediānais brauciena laiks"]
    assert re.fullmatch(r"\d+,\d min", at.metric[1].value)  # Latvian decimal comma
    assert re.fullmatch(r"\d{1,3}(\u00a0\d{3})*", at.metric[0].value)  # Latvian thousands
    pupils_1_6 = _number(at.metric[0].value, "lv")
    # independent check: pupils of grades 1-6 in the bundle's cells
    cells = jobs.open_bundle("demo")["pupils_2021"]
    assert pupils_1_6 == pytest.approx(cells[[f"g{g}" for g in range(1, 7)]].to_numpy().sum(),
                                       abs=0.5)
    at.radio(key="band").set_value("10-12").run()  # grade band
    assert not at.exception
    assert _number(at.metric[0].value, "lv") < pupils_1_6
    at.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert "Pupils" in [m.label for m in at.metric]
    assert any("fictional" in w.value for w in at.warning)
    assert at.radio(key="band").value == "10-12"  # kept across the language change


def test_vidzeme_without_roads(dirs):
    shared_file("vidzeme", "boundaries", "municipalities_2021.geojson")
    from geo.region.build import build_bundle

    build_bundle("vidzeme", out=settings.BUNDLES_DIR / "vidzeme", online=False)
    assert jobs.default_region() == ("demo", "app.why.no_vidzeme_roads")
    at = _app().run()
    assert not at.exception, at.exception
    assert any("ceļu tīkla" in w.value for w in at.warning)
    at.selectbox(key="region").set_value("vidzeme").run()
    assert not at.exception, at.exception
    assert any("nav ceļu tīkla" in w.value for w in at.warning)
    _open(at, "app.tab.schools")
    table = next(d.value for d in at.dataframe if len(d.value) == 115)  # the schools table
    types = set(table[t("col.school_type", "lv")].dropna())
    assert {"sākumskola", "ģimnāzija", "pamatskola", "vidusskola"} <= types


def test_osm_file_region(dirs, monkeypatch):
    osm_file("liechtenstein")
    monkeypatch.setenv("GEO_DATA_PATH", str(OSM_DIR))
    at = _app().run()
    at.selectbox(key="region").set_value("__osm__").run()
    lie = [p for p in jobs.find_osm_files() if p.name.startswith("liechtenstein")]
    at.selectbox(key="osm_file").set_value(lie[0]).run()
    assert not at.exception, at.exception
    assert at.metric[0].label == "Skolas" and at.metric[0].value == "18"


# --------------------------------------------------------------------------------------------
# Scenario editing: every change kind, undo, remove, upload, files with errors
# --------------------------------------------------------------------------------------------
def _add(at, kind: str, **values):
    at.radio(key="ch_kind").set_value(kind).run()
    assert not at.exception, at.exception
    for key, v in values.items():
        if key == "ch_close":
            w = at.multiselect(key=key)
            for x in v:
                w.select(x)
        elif key in ("ch_school", "ch_into"):
            at.selectbox(key=key).set_value(v)
        elif key == "ch_dorm_op":
            at.radio(key=key).set_value(v)
        elif key in ("ch_grades", "ch_new_id", "ch_new_name", "ch_new_grades"):
            at.text_input(key=key).set_value(v)
        else:
            at.number_input(key=key).set_value(v)
    at.button(key="ch_add").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def _doc(at) -> dict:
    return at.session_state["doc-demo"]


def test_scenario_with_every_change_kind_compare_and_optimise(demo):
    at = _open(_app().run(), "app.tab.scenarios")
    prep_ids = [s for s in planner.scenario_files_checked(PROJECT_ROOT / "scenarios", "demo")]
    assert prep_ids and all(err is None for _, err in prep_ids)
    _add(at, "close", ch_close=["9911900011"])
    _add(at, "merge", ch_school="9912900021", ch_into="9912900013")
    _add(at, "set_grades", ch_school="9912900022", ch_grades="sākumskola")
    _add(at, "set_capacity", ch_school="9913900027", ch_capacity=420)
    _add(at, "open", ch_new_name="Jaunā skola", ch_lat=57.249, ch_lon=25.734, ch_new_grades="1-9",
         ch_new_capacity=250, ch_new_dorm=10)
    _add(at, "dormitory", ch_school="9913900026", ch_dorm_op="add", ch_dorm_n=20)
    kinds = [next(iter(c)) for c in _doc(at)["changes"]]
    assert kinds == ["close", "merge", "set_grades", "set_capacity", "open", "dormitory"]
    shown = [m.value for m in at.markdown if re.match(r"\d+\. ", m.value)]
    assert len(shown) == 6 and "Jaunā skola" in shown[4] and "+20" in shown[5]
    # a wrong change is refused with the reason, the scenario stays as it was
    at.radio(key="ch_kind").set_value("merge").run()
    at.selectbox(key="ch_school").set_value("9912900021").run()  # already merged above
    at.selectbox(key="ch_into").set_value("9912900013").run()
    at.button(key="ch_add").click().run()
    assert len(_doc(at)["changes"]) == 6
    # undo the last change, remove the first
    at.button(key="undo").click().run()
    assert [next(iter(c)) for c in _doc(at)["changes"]][-1] == "open"
    at.button(key="rm-0").click().run()
    assert [next(iter(c)) for c in _doc(at)["changes"]][0] == "merge"
    at.text_input(key="sc_name-demo").set_value("Padomes variants").run()
    assert _doc(at)["name"] == "Padomes variants"
    sc = planner.scenario_of(_doc(at))
    assert len(sc.changes) == 4 and sc.changes[-1].params["dormitory_places"] == 10

    # compare: headline figures follow the area and grade band
    _open(at, "ui.tab.compare")
    assert not at.error, [e.value for e in at.error]
    region_mean = _metric(at, "ui.mean")
    at.selectbox(key="sband").set_value("7-9").run()
    at.selectbox(key="area").set_value(at.selectbox(key="area").options[1]).run()
    assert not at.exception, at.exception
    area_mean = _metric(at, "ui.mean")
    assert area_mean != region_mean
    comp = next(d.value for d in at.dataframe if t("app.indicator", "lv") in d.value.columns)
    assert len(comp.columns) == 5 and len(comp) > 10
    # a change of language keeps the open tab and the scenario
    at.radio(key="lang").set_value("en").run()
    assert not at.exception, at.exception
    assert at.session_state["view"] == "compare" and _doc(at)["name"] == "Padomes variants"
    assert any(m.label == "Mean time" for m in at.metric)
    at.radio(key="lang").set_value("lv").run()
    assert not at.exception and not at.error

    # optimise, then load the proposal as the scenario in one click
    _open(at, "ui.tab.optimise")
    at.slider(key="p").set_value(20).run()
    at.button(key="run_opt").click().run()
    assert not at.exception, at.exception
    decisions = next(d.value for d in at.dataframe if t("ui.decision", "lv") in d.value.columns)
    assert (decisions[t("ui.decision", "lv")] == t("ui.kept", "lv")).sum() == 20
    at.button(key="opt_load").click().run()
    assert at.session_state["view"] == "scenario"
    closes = [c["close"] for c in _doc(at)["changes"] if "close" in c]
    assert len(closes[-1]) == len(decisions) - 20


def test_scenario_upload_and_files_with_errors(demo, tmp_path, monkeypatch):
    folder = tmp_path / "scenarios"
    shutil.copytree(PROJECT_ROOT / "scenarios", folder)
    (folder / "broken.yaml").write_text("name: x\nregion: demo\nchanges:\n  - clsoe: [1]\n",
                                        encoding="utf-8")
    monkeypatch.setattr(settings, "PROJECT_ROOT", tmp_path)
    at = _open(_app().run(), "app.tab.scenarios")
    errors = [e.value for e in at.error]
    assert any("broken.yaml" in e and "clsoe" in e and "close" in e for e in errors)
    assert not any("broken" in o for o in at.selectbox(key="sc_file").options)
    # a shipped file loads into the editor, with its new school
    pick = next(o for o in at.selectbox(key="sc_file").options if "demo_new_school" in o)
    at.selectbox(key="sc_file").set_value(pick).run()
    at.button(key="sc_load").click().run()
    assert not at.exception, at.exception
    assert [next(iter(c)) for c in _doc(at)["changes"]] == ["close", "open"]
    assert any("Demo jaunā pamatskola" in m.value for m in at.markdown)
    at.radio(key="lang").set_value("en").run()
    at.radio(key="lang").set_value("lv").run()  # LV -> EN -> LV keeps the scenario
    assert not at.exception and at.session_state["view"] == "scenario"
    assert [next(iter(c)) for c in _doc(at)["changes"]] == ["close", "open"]
    assert not [e for e in at.error if "broken.yaml" not in e.value]
    # a file written by the optimiser loads
    from geo.planning.optimize import optimize, result_to_scenario
    from geo.planning.prepared import prepare_bundle
    from geo.planning.scenario import save_scenario

    prep = prepare_bundle(jobs.open_bundle("demo"))
    res = optimize(prep, objective="p-median", p=20)
    assert res.close_ids
    path = save_scenario(result_to_scenario(res), tmp_path / "proposal.yaml")
    doc = planner.scenario_doc_from_bytes(path.read_bytes(), "proposal.yaml")
    assert doc["changes"][-1]["close"] == res.close_ids
    with pytest.raises(Exception, match="broken.yaml"):
        planner.scenario_doc_from_bytes((folder / "broken.yaml").read_bytes(), "broken.yaml")


# --------------------------------------------------------------------------------------------
# Languages: every view in both, nothing leaks
# --------------------------------------------------------------------------------------------
ENGLISH_WORDS = re.compile(
    r"\b(the|and|of|school|schools|pupils|scenario|download|upload|threshold|travel|time|"
    r"change|changes|error|warning|missing|layer|layers|map|region|grades|kept|closed|"
    r"objective|keep|close|unserved|mean|median|cost|fictional|generated|located|primary|"
    r"secondary|basic|gymnasium)\b", re.IGNORECASE)
LATVIAN_WORDS = re.compile(
    r"(skolēn|scenārij|lejupielād|slieksn|brauciena|novads\b|izmaiņ|ietilpīb|klašu|karte\b|"
    r"reģions|vidējais|sākumskola|ģimnāzija|pamatskola\b)", re.IGNORECASE)
RAW_KEY = re.compile(r"\b(app|ui|plan|map|ind|col|unit|report)\.[a-z_]+[a-z0-9_.]*\b")


def _texts(at) -> list[str]:
    """Every label and text the planner sees in the current run (not data values)."""
    out = [x.value for kind in ("markdown", "caption", "info", "warning", "error", "success",
                                "title", "subheader") for x in at.get(kind)]
    for kind in ("metric", "button", "selectbox", "radio", "multiselect", "text_input",
                 "number_input", "slider", "text_area", "tab", "download_button"):
        for w in at.get(kind):
            out.append(getattr(w, "label", "") or "")
    for w in at.get("metric"):
        out.append(w.value)
    for d in at.dataframe:
        out += [str(c) for c in d.value.columns]
    return [x for x in out if x]


DATA_WORDS = re.compile(r"(Demo [^,.;]*|DEMO|\S+\.(yaml|csv|pbf)|GeoPackage|YAML|CSV|HTML|PDF|PNG|"
                        r"OpenStreetMap|OSM|Ookla|EUR|p-median)")


def test_every_view_in_both_languages_without_leaks(demo):
    at = _app().run()
    views = ["app.tab.map", "app.tab.scenarios", "ui.tab.compare", "ui.tab.optimise",
             "app.tab.schools", "app.tab.data"]
    leaks = {}
    for lang in ("lv", "en"):
        at.radio(key="lang").set_value(lang).run()
        for key in views:
            _open(at, key, lang)
            if key == "ui.tab.optimise":
                at.button(key="run_opt").click().run()
            assert not at.error, (lang, key, [e.value for e in at.error])
            for text in _texts(at):
                clean = DATA_WORDS.sub("", text)
                bad = (ENGLISH_WORDS.findall(clean) if lang == "lv"
                       else LATVIAN_WORDS.findall(clean))
                if RAW_KEY.search(text):
                    bad.append(RAW_KEY.search(text).group(0))
                if bad:
                    leaks.setdefault((lang, key), []).append((text[:120], bad))
            if key == "app.tab.schools":
                table = next(d.value for d in at.dataframe if len(d.value) > 20)
                types = set(table[t("col.school_type", lang)])
                if lang == "lv":
                    assert {"sākumskola", "ģimnāzija", "pamatskola"} <= types
                else:
                    assert {"primary school", "gymnasium", "basic school"} <= types
    assert not leaks, leaks
    if app_broadband_exists():  # the Broadband view (its own module) opens in both languages
        _open(at, "ui.tab.broadband", "en")
        assert at.metric


def app_broadband_exists() -> bool:
    return (PROJECT_ROOT / "app_broadband.py").exists()


# --------------------------------------------------------------------------------------------
# Exports behind the buttons
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_compare(demo_bundles):
    mp = pytest.MonkeyPatch()
    mp.setattr(settings, "BUNDLES_DIR", demo_bundles)
    try:
        from geo.planning.evaluate import evaluate
        from geo.planning.indicators import compare
        from geo.planning.prepared import prepare_bundle
        from geo.planning.scenario import baseline, load_scenario

        bundle = jobs.open_bundle("demo")
        prep = prepare_bundle(bundle)
        sc = load_scenario(PROJECT_ROOT / "scenarios" / "demo_new_school.yaml")
        cmp = compare(evaluate(prep, baseline()), evaluate(prep, sc))
        yield bundle, cmp
    finally:
        mp.undo()


def test_change_map_layers_match_the_comparison(demo_compare):
    bundle, cmp = demo_compare
    cells = jobs.scenario_cells(bundle["pupils_2021"], cmp, "1-6")
    layer = planner.change_layer(cells, "lv")
    # independent: the class of each cell from its minutes before and after
    d = cells["time_b"].to_numpy() - cells["time_a"].to_numpy()
    expect = np.select([d < -10, d < -5, d < -1, d <= 1, d <= 5, d <= 10], [0, 1, 2, 3, 4, 5], 6)
    got = [planner.CHANGE_COLORS.index(c) for c in layer.data["_c"]]
    assert np.array_equal(got, expect)
    assert (d < -1).any() and (d > 1).any()  # the new school helps some, the closures hurt some
    nb = planner.newly_beyond_layer(cells, "lv")
    assert len(nb.data) == int((cells["newly_beyond"] > 1e-9).sum())


def test_exports_open_in_their_formats(demo_compare, tmp_path):
    import pyogrio
    from PIL import Image

    bundle, cmp = demo_compare
    cells = jobs.scenario_cells(bundle["pupils_2021"], cmp, "1-6")
    layers = [planner.change_layer(cells, "lv"), planner.newly_beyond_layer(cells, "lv")]
    table = jobs.comparison_table(cmp, "lv")
    title = planner.map_title("Izmaiņu karte", region="Demo", band="1-6", threshold=30,
                              year=2027, lang="lv")
    kw = {"layers": layers, "tables": {"Rādītāji": table}, "lang": "lv", "title": title,
          "subtitle": planner.sources_line(bundle.manifest, "lv")}
    html = planner.export_bytes("html", **kw).decode("utf-8")
    assert json.dumps(title)[1:-1] in html and not re.search(r"<script src=\"https?:", html)
    png = Image.open(io.BytesIO(planner.export_bytes("png", **kw)))
    # A4 landscape at 150 dpi, cropped to the drawing (bbox "tight")
    assert png.size == pytest.approx((11.69 * 150, 8.27 * 150), rel=0.1)
    pdf = planner.export_bytes("pdf", **kw)
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 2
    gpkg = tmp_path / "x.gpkg"
    gpkg.write_bytes(planner.export_bytes("gpkg", **kw))
    names = [n for n, _ in pyogrio.list_layers(gpkg)]
    assert {"travel_time_change", "newly_beyond", "R_d_t_ji"} <= set(names) or len(names) == 3
    with sqlite3.connect(gpkg) as con:
        assert con.execute("select count(*) from travel_time_change").fetchone()[0] == len(cells)
    lv = planner.export_bytes("csv", **kw)
    assert lv.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(io.BytesIO(lv), sep=";", decimal=",", encoding="utf-8-sig")
    assert list(df.columns)[:2] == [t("app.indicator", "lv"), t("app.unit", "lv")]
    assert np.allclose(df.iloc[:, 2].to_numpy(float), table.iloc[:, 2].round(3), atol=1e-9)
    en = planner.export_bytes("csv", **{**kw, "lang": "en",
                                        "tables": {"x": jobs.comparison_table(cmp, "en")}})
    df_en = pd.read_csv(io.BytesIO(en), encoding="utf-8-sig")
    assert df_en.columns[0] == "Indicator" and len(df_en) == len(df)
    assert not re.search(rb"e-1\d", lv)  # no -1.1e-13
    folder = os.environ.get("GEO_TEST_ARTIFACTS")
    if folder:  # the report's map page in both languages, for a person to look at
        Path(folder).mkdir(parents=True, exist_ok=True)
        for lang in ("lv", "en"):
            en_kw = {**kw, "lang": lang, "layers": [planner.change_layer(cells, lang),
                                                    planner.newly_beyond_layer(cells, lang)],
                     "title": planner.map_title(t("plan.change_map", lang), region="Demo",
                                                band="1-6", threshold=30, year=2027, lang=lang),
                     "subtitle": planner.sources_line(bundle.manifest, lang)}
            (Path(folder) / f"report-page1-{lang}.png").write_bytes(
                planner.export_bytes("png", **en_kw))
            (Path(folder) / f"report-{lang}.pdf").write_bytes(planner.export_bytes("pdf", **en_kw))


def test_scenario_document_round_trip(demo_compare):
    doc = planner.new_document(region="demo", year=2027, name="x")
    doc = planner.add_change(doc, "open", {"id": "NEW-1", "name": "Jaunā", "lat": 57.2,
                                           "lon": 25.7, "grades": "1-9", "capacity": 200})
    doc = planner.add_change(doc, "dormitory", {"school": "9913900026", "remove": 5})
    back = planner.scenario_doc_from_bytes(planner.scenario_yaml(doc), "a.yaml")
    assert back["changes"] == yaml.safe_load(planner.scenario_yaml(doc))["changes"]
    with pytest.raises(Exception, match="exactly one of add"):
        planner.add_change(doc, "dormitory", {"school": "9913900026"})
    lv = planner.describe_change(back["changes"][0], {}, "lv")
    assert lv.startswith("Atvērt jaunu skolu Jaunā (57,2000, 25,7000)")


def test_osm_upload_stays_in_the_session(dirs, tmp_path):
    good = osm_file("liechtenstein")
    session = tmp_path / "session"
    kept = planner.save_osm_upload(good.read_bytes(), "sub/" + good.name, session)
    assert kept == session / good.name and kept.stat().st_size == good.stat().st_size
    with pytest.raises(Exception, match="junk.osm.pbf") as err:
        planner.save_osm_upload(b"this is not an OSM file!", "junk.osm.pbf", session)
    assert "junk.osm.pbf" in str(err.value)
    assert not (session / "junk.osm.pbf").exists()
    with pytest.raises(Exception, match="empty"):
        planner.save_osm_upload(b"", "empty.osm", session)
    # nothing reached the folders other sessions read, so no upload can become the default
    assert not settings.DOWNLOADS_DIR.exists() or not any(settings.DOWNLOADS_DIR.rglob("*"))
    assert all(p.parent != session for p in jobs.find_osm_files())
