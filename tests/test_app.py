"""The Streamlit app runs headless (streamlit.testing.AppTest) on the demo region, the real
Vidzeme layers and a real OSM extract."""

from __future__ import annotations

import pytest
from conftest import OSM_DIR, PROJECT_ROOT, SHARED_DATA, osm_file, shared_file

from geo import jobs, settings

pytest.importorskip("streamlit.testing.v1")
from streamlit.testing.v1 import AppTest  # noqa: E402


@pytest.fixture()
def dirs(tmp_path_factory, monkeypatch):
    root = tmp_path_factory.mktemp("app")
    monkeypatch.setattr(settings, "BUNDLES_DIR", root / "bundles")
    monkeypatch.setattr(settings, "DOWNLOADS_DIR", root / "downloads")
    monkeypatch.setenv("GEO_DATA_PATH", str(SHARED_DATA))
    return root


def _app():
    return AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=240)


def test_default_is_demo_with_banner_and_english(dirs):
    at = _app().run()
    assert not at.exception, at.exception
    assert jobs.default_region() == ("demo", "app.why.no_vidzeme_bundle")
    assert any("DEMO" in w.value for w in at.warning)  # banner says which region and why
    assert any("Izdomāti dati" in c.value for c in at.caption)
    labels = [m.label for m in at.metric]
    assert labels[:2] == ["Skolēni", "Mediānais brauciena laiks"]
    pupils_1_6 = float(at.metric[0].value.replace(",", ""))
    at.radio(key="band").set_value("10-12").run()  # grade band
    assert not at.exception
    assert float(at.metric[0].value.replace(",", "")) < pupils_1_6
    at.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert "Pupils" in [m.label for m in at.metric]
    assert any("fictional" in w.value for w in at.warning)


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
    assert any(len(d.value) == 115 for d in at.dataframe)  # the schools table


def test_osm_file_region(dirs, monkeypatch):
    osm_file("liechtenstein")
    monkeypatch.setenv("GEO_DATA_PATH", str(OSM_DIR))
    at = _app().run()
    at.selectbox(key="region").set_value("__osm__").run()
    lie = [p for p in jobs.find_osm_files() if p.name.startswith("liechtenstein")]
    at.selectbox(key="osm_file").set_value(lie[0]).run()
    assert not at.exception, at.exception
    assert at.metric[0].label == "Skolas" and at.metric[0].value == "18"


def test_scenarios_tab_compares_and_optimises(dirs):
    at = _app().run()
    assert not at.exception, at.exception
    files = [o for o in at.selectbox(key="scenario").options]
    assert any("demo_close_small_2027" in f for f in files)
    # make a scenario here: close two schools
    at.multiselect(key="close").select(at.multiselect(key="close").options[0]).run()
    assert not at.exception, at.exception
    tables = [d.value for d in at.dataframe]
    comp = next(df for df in tables if "Rādītājs" in df.columns)
    assert len(comp.columns) == 5 and len(comp) > 10
    # a shipped scenario
    close_small = next(o for o in at.selectbox(key="scenario").options if "close_small" in o)
    at.selectbox(key="scenario").set_value(close_small).run()
    assert not at.exception, at.exception
    # optimisation
    at.button(key="run_opt").click().run()
    assert not at.exception, at.exception
    assert any("p-median" in x.value for x in at.text)
