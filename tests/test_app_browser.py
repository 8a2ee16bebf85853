"""The planner app in a real browser with the network blocked (Debian Chromium + Selenium).

A Streamlit server runs ``app.py`` on the demo region (bundle built offline first). The test
clicks as a planner would and measures, from the click to the map drawn, the median of five
grade-band changes on the Map view and the opening of the Compare view (before/after maps side
by side, moving together, and the change map). Timings and screenshots go to
``$GEO_TEST_ARTIFACTS`` (default: pytest's temporary folder), not into git.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT
from test_offline_browser import (  # noqa: F401 (fixture)
    _assert_not_blank,
    _left_machine,
    _requests,
    _wait,
    browser,
    streamlit_server,
)

from geo import jobs, settings
from geo.i18n import t
from geo.outputs import planner  # noqa: F401 (registers the app's strings)


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("GEO_TEST_ARTIFACTS") or tmp_path_factory.mktemp("artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """``streamlit run app.py`` on 127.0.0.1 with a demo bundle in a temporary folder."""
    folder = tmp_path_factory.mktemp("app-browser")
    bundles = Path(os.environ.get("GEO_TEST_APP_BUNDLES") or folder / "bundles")
    mp = pytest.MonkeyPatch()
    mp.setattr(settings, "BUNDLES_DIR", bundles)
    jobs.open_bundle(REGION)
    mp.undo()
    env = {**os.environ, "GEO_BUNDLES_DIR": str(bundles),
           "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")]),
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    with streamlit_server(PROJECT_ROOT / "app.py", cwd=folder, env=env) as url:
        yield url


def _frames(driver, title: str):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    try:
        return [f for f in driver.find_elements(By.TAG_NAME, "iframe")
                if f.get_attribute("title") == title]
    except StaleElementReferenceException:  # the page replaced a frame while we looked
        return []


def _in_frame(driver, frame, script: str):
    try:
        driver.switch_to.frame(frame)
        return driver.execute_script(script)
    except Exception:  # noqa: BLE001 (a frame being replaced while we read it)
        return None
    finally:
        driver.switch_to.default_content()


def _click_text(driver, selector: str, text: str) -> None:
    """Click the element matching ``selector`` whose text is ``text``."""
    driver.execute_script(
        "var els = document.querySelectorAll(arguments[0]);"
        "for (var i = 0; i < els.length; i++) { if (els[i].innerText.trim() === arguments[1]) "
        "{ els[i].click(); return; } } throw new Error('not found: ' + arguments[1]);",
        selector, text)


def _wait_frame(driver, title: str, script: str, timeout: float = 60.0):
    """Poll every frame called ``title`` until ``script`` returns something truthy there."""
    end = time.time() + timeout
    while time.time() < end:
        for f in _frames(driver, title):
            got = _in_frame(driver, f, script)
            if got:
                return got
        time.sleep(0.05)
    return None


#: The region to click through: the demo, or (for timing) e.g. ``demo-vidzeme`` built with
#: ``GEO_BUNDLES_DIR=DIR python -m geo build demo --scale vidzeme`` and GEO_TEST_APP_BUNDLES=DIR.
REGION = os.environ.get("GEO_TEST_APP_REGION", "demo")


TITLE_JS = "var e = document.querySelector('.geo-title'); return e ? e.innerText : null;"


def test_map_and_compare_in_the_browser(browser, app_url, artifacts):  # noqa: F811
    _requests(browser)
    browser.get(f"{app_url}/?region={REGION}")
    band_title = "return (function(){ var e = document.querySelector('.geo-title');" \
                 " return e && e.innerText.indexOf(arguments_band) >= 0 ? e.innerText : null; })();"
    first = _wait_frame(browser, "streamlit_folium.st_folium",
                        band_title.replace("arguments_band", json.dumps("1-6")), 120)
    assert first and "30 min" in first and "2021" in first

    # five grade-band changes on the Map view: click -> map redrawn with the new title
    times = []
    for band in ["7-9", "10-12", "1-6", "7-9", "1-6"]:
        t0 = time.perf_counter()
        _click_text(browser, "[data-testid=stRadio] label", band)
        got = _wait_frame(browser, "streamlit_folium.st_folium",
                          band_title.replace("arguments_band", json.dumps(f"{band}.")), 30)
        times.append(time.perf_counter() - t0)
        assert got, f"the map did not redraw for grades {band}"
    median_map = statistics.median(times)
    print(f"\nmap view, grade-band click to map drawn ({REGION}): {times}")

    # the Compare view: two synchronised maps and the change map
    t0 = time.perf_counter()
    _click_text(browser, "[role=tab]", t("ui.tab.compare", "lv"))
    dual_js = ("var m = Object.keys(window).filter(function(k){ return k.indexOf('map_') === 0"
               " && window[k] instanceof L.Map; }); return m.length === 2 && "
               "(document.querySelectorAll('.leaflet-overlay-pane svg path').length > 100 ||"
               " document.querySelectorAll('.leaflet-overlay-pane canvas').length > 0) ? m : null;")
    maps = _wait_frame(browser, "st.iframe", dual_js, 90 if REGION == "demo" else 900)
    compare_s = time.perf_counter() - t0
    assert maps, "the before/after maps were not drawn"
    a, b = json.dumps(maps[0]), json.dumps(maps[1])
    sync_js = (f"var a = window[{a}], b = window[{b}]; a.setView(a.getCenter(), a.getZoom() + 1,"
               " {animate: false}); return [a.getZoom(), b.getZoom(), b.getCenter().lat.toFixed(5)"
               " === a.getCenter().lat.toFixed(5)];")
    frame = next(f for f in _frames(browser, "st.iframe")
                 if _in_frame(browser, f, dual_js))
    za, zb, same_centre = _in_frame(browser, frame, sync_js)
    assert za == zb and same_centre, "the two maps do not move together"
    change_js = ("var s = document.querySelector('.geo-legend'); return s && "
                 f"s.innerText.indexOf({json.dumps(t('plan.change_layer', 'lv'))}) >= 0;")
    assert _wait_frame(browser, "st.iframe", change_js, 30), "no change map"
    browser.execute_script("arguments[0].scrollIntoView();", frame)
    _assert_not_blank(browser.get_screenshot_as_png(), artifacts / "compare-lv.png")

    # a change of language keeps the Compare view open
    _click_text(browser, "[data-testid=stRadio] label", "English")
    assert _wait(browser, "var s = document.querySelector('[role=tab][aria-selected=true]');"
                          " return s && s.innerText.trim() === 'Compare';", 60)
    assert _wait_frame(browser, "st.iframe", change_js.replace(
        json.dumps(t("plan.change_layer", "lv")), json.dumps(t("plan.change_layer", "en"))), 60)
    frame = next(iter(_frames(browser, "st.iframe")), None)
    if frame is not None:
        browser.execute_script("arguments[0].scrollIntoView();", frame)
    _assert_not_blank(browser.get_screenshot_as_png(), artifacts / "compare-en.png")
    assert _left_machine(_requests(browser)) == []

    # the Scenario view: open a new school where the planner clicks on the map
    _click_text(browser, "[role=tab]", t("app.tab.scenarios", "en"))
    assert _wait(browser, "return document.body.innerText.indexOf(arguments[0]) >= 0 ? 1 : 0;"
                 .replace("arguments[0]", json.dumps(t("ui.kind.open", "en"))), 60)
    _click_text(browser, "[data-testid=stRadio] label", t("ui.kind.open", "en"))
    click_js = ("var k = Object.keys(window).filter(function(k){ return k.indexOf('map_') === 0"
                " && window[k] instanceof L.Map; }); if (!k.length) { return null; }"
                " var c = window[k[0]].getCenter(); window[k[0]].fire('click', {latlng: c});"
                " return [c.lat, c.lng];")
    lat, lon = _wait_frame(browser, "streamlit_folium.st_folium", click_js, 60)
    want = [f"{round(lat, 5):.5f}", f"{round(lon, 5):.5f}"]
    got = _wait(browser, "var v = Array.from(document.querySelectorAll('input')).map("
                         "function(i){ return i.value; }); return v.indexOf(arguments[0]) >= 0 &&"
                         " v.indexOf(arguments[1]) >= 0 ? v : null;"
                .replace("arguments[0]", json.dumps(want[0]))
                .replace("arguments[1]", json.dumps(want[1])), 30)
    assert got, f"the click on the map did not fill in the coordinates {want}"
    _click_text(browser, "button", t("ui.add", "en"))
    place = f"({round(lat, 5):.4f}, {round(lon, 5):.4f})"
    assert _wait(browser, "return document.body.innerText.indexOf('Open a new school') >= 0 &&"
                          f" document.body.innerText.indexOf({json.dumps(place)}) >= 0;", 30)

    # upload a good and a bad scenario file
    from selenium.webdriver.common.by import By

    good = PROJECT_ROOT / "scenarios" / "demo_new_school.yaml"
    bad = artifacts / "bad_scenario.yaml"
    bad.write_text("name: x\nchanges:\n  - clsoe: [1]\n", encoding="utf-8")
    if REGION == "demo":
        for path, expect in ((good, t("ui.loaded", "en", name=good.name)), (bad, "clsoe")):
            browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(path))
            assert _wait(browser, "return document.body.innerText.indexOf(arguments[0]) >= 0;"
                         .replace("arguments[0]", json.dumps(expect)), 60), expect
        assert _wait(browser, "return document.body.innerText.indexOf('Demo jaunā pamatskola')"
                              " >= 0;", 30)

    timings = {"map_band_click_to_map_s": [round(x, 3) for x in times],
               "map_band_median_s": round(median_map, 3),
               "compare_tab_click_to_maps_s": round(compare_s, 3)}
    (artifacts / f"timings-{REGION}.json").write_text(json.dumps(timings, indent=1))
    print(f"\nbrowser timings ({REGION}):", timings)
    # the target is 1 s on the demo; on a shared 2-core machine allow headroom (a
    # larger region, e.g. demo-vidzeme, is a measurement: its figures go to timings-*.json)
    assert median_map < (5.0 if REGION == "demo" else 60.0), timings


def test_broadband_tab_in_the_browser(browser, app_url, artifacts):  # noqa: F811
    """The Broadband tab draws its class map offline, in Latvian and then in English."""
    _requests(browser)
    browser.get(f"{app_url}/?region={REGION}")
    assert _wait(browser, "return document.querySelectorAll('[role=tab]').length > 3 ? 1 : 0;",
                 120)
    legend_js = ("var s = document.querySelector('.geo-legend'); return s && "
                 "s.innerText.indexOf(NAME) >= 0 && (document.querySelectorAll("
                 "'.leaflet-overlay-pane svg path').length > 10 || document.querySelectorAll("
                 "'.leaflet-overlay-pane canvas').length > 0) ? s.innerText : null;")
    _click_text(browser, "[role=tab]", t("ui.tab.broadband", "lv"))
    lv = _wait_frame(browser, "st.iframe", legend_js.replace(
        "NAME", json.dumps(t("map.broadband_classes", "lv"))), 120)
    assert lv, "the Broadband tab drew no class map in Latvian"
    _assert_not_blank(browser.get_screenshot_as_png(), artifacts / "broadband-lv.png")
    _click_text(browser, "[data-testid=stRadio] label", "English")
    assert _wait(browser, "var s = document.querySelector('[role=tab][aria-selected=true]');"
                          " return s && s.innerText.trim() === 'Broadband';", 60)
    en = _wait_frame(browser, "st.iframe", legend_js.replace(
        "NAME", json.dumps(t("map.broadband_classes", "en"))), 120)
    assert en, "the Broadband tab drew no class map in English"
    assert _left_machine(_requests(browser)) == []
