"""The planner app in a real browser with the network blocked (Debian Chromium + Selenium).

A Streamlit server runs ``app.py`` on the demo region (bundle built offline first). The test
clicks as a planner would and measures in the page (``Date.now()``), from the click to the map
drawn, the median of five: grade-band changes and threshold changes on the Map view, tab
switches to the Compare view (before/after maps side by side, moving together, and the change
map) and back to the Map view. The figures are printed with the load average; timings and
screenshots go to ``$GEO_TEST_ARTIFACTS`` (default: pytest's temporary folder), not into git.
A grade-band click must keep the map in the browser and send only the cells' new colours
(bytes received and the overlay script's time in the page are printed too). Views once shown
stay in their hidden tab (the browser keeps their maps); only frames in view are timed.

The median of five is a benchmark: it runs with ``GEO_TEST_TIMING=1``. Otherwise (the default
suite) each grade band is clicked once (three clicks), the threshold moved once each way and
the Compare view opened three times (twice from the Map view, so that "the Map view's map is
kept, at most one rebuild" is still checked); every assertion is the same, on the medians of
these fewer runs.
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
                if f.get_attribute("title") == title and f.is_displayed()]
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
#: ``GEO_TEST_TIMING=1``: time each interaction five times (the benchmark's medians of five);
#: otherwise each once (see the module's docstring).
TIMING = os.environ.get("GEO_TEST_TIMING", "") not in ("", "0")


TITLE_JS = "var e = document.querySelector('.geo-title'); return e ? e.innerText : null;"

#: Polls, in the page, every frame called ``arguments[0]`` until each check (the body of a
#: function run in the frame) holds in some frame; answers [Date.now() at the next animation
#: frame of the last frame that held, the checks' results]. No WebDriver round trip per poll,
#: so the time is the page's own (frames of Streamlit are same-origin).
DRAWN_JS = """
var title = arguments[0], checks = arguments[1], end = Date.now() + 1000 * arguments[2];
var done = arguments[arguments.length - 1];
(function poll() {
    var got = checks.map(function () { return null; }), last = null;
    var frames = document.querySelectorAll("iframe");
    for (var i = 0; i < frames.length; i++) {
        // a frame in a hidden tab (the Map view's, kept while another view is open) does
        // not count: only what the planner sees
        if (frames[i].title !== title || !frames[i].getClientRects().length) { continue; }
        var w = frames[i].contentWindow;
        for (var j = 0; j < checks.length; j++) {
            if (got[j]) { continue; }
            try { got[j] = new w.Function(checks[j]).call(w) || null; } catch (e) { got[j] = null; }
            if (got[j]) { last = w; }
        }
    }
    if (got.every(function (g) { return g; })) {
        last.requestAnimationFrame(function () { done([Date.now(), got]); });
    } else if (Date.now() > end) {
        done(null);
    } else {
        setTimeout(poll, 10);
    }
})();
"""


def _drawn(driver, frame_title: str, checks: list[str], timeout: float):
    """:data:`DRAWN_JS` in calls of at most 60 s (WebDriver's own HTTP timeout is 120 s)."""
    driver.set_script_timeout(70)
    end = time.time() + timeout
    while True:
        got = driver.execute_async_script(DRAWN_JS, frame_title, checks,
                                          max(1.0, min(60.0, end - time.time())))
        if got or time.time() > end:
            return got


def _timed(driver, click: tuple[str, str] | None, frame_title: str, checks: list[str],
           timeout: float) -> tuple[float, list]:
    """Seconds from a click (``(selector, text)``; or a key press already sent when
    ``None``) to every check holding in a frame called ``frame_title``, and the results."""
    t0 = driver.execute_script("return Date.now();")
    if click is not None:
        _click_text(driver, *click)
    got = _drawn(driver, frame_title, checks, timeout)
    assert got, f"not drawn within {timeout} s after {click}: {checks}"
    return (got[0] - t0) / 1000, got[1]


def _press(driver, selector: str, key: str) -> float:
    """Press ``key`` in the element ``selector`` (a slider's range input, focused first);
    answers the page's time just before."""
    from selenium.webdriver.common.action_chains import ActionChains

    t0 = driver.execute_script("document.querySelector(arguments[0]).focus(); return Date.now();",
                               selector)
    ActionChains(driver).send_keys(key).perform()
    return t0


def _title_has(*parts: str) -> str:
    """A frame check: the map's title contains every part (answers the title)."""
    cond = " && ".join(f"e.innerText.indexOf({json.dumps(p)}) >= 0" for p in parts)
    return f"var e = document.querySelector('.geo-title'); return e && {cond} ? e.innerText : null;"


def _received(driver, seen: list) -> int:
    """Bytes the page received over Streamlit's websocket since the performance log was last
    read (base64 frames counted as their bytes); the URLs requested meanwhile go to ``seen``."""
    total = 0
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            seen.append(msg["params"]["request"]["url"])
        elif msg["method"] == "Network.webSocketFrameReceived":
            total += len(msg["params"]["response"]["payloadData"]) * 3 // 4
    return total


#: In the map's frame: milliseconds the last overlay script took, whether the map is the one
#: marked before the clicks (not drawn again) and whether its cells are restyled (grid).
MAP_STATE_JS = ("return [window.geoOverlayMs === undefined ? null : window.geoOverlayMs,"
                " window.geoKept === true, !!(window.geoGrid && window.geoGrid.slots.tt)];")


#: In the map's frame: hover a cell of the travel-time layer; answers its tooltip's text.
TOOLTIP_JS = ("var s = window.geoGrid.slots.tt, p = s.polys[Object.keys(s.row)[0]];"
              " p.fire('mouseover', {latlng: p.getBounds().getCenter()}, true);"
              " var e = document.querySelector('.leaflet-tooltip'); return e ? e.innerText : null;")


def _map_state(driver):
    frame = next(iter(_frames(driver, FOLIUM)), None)
    return _in_frame(driver, frame, MAP_STATE_JS) if frame is not None else None


def _print_times(what: str, times: list[float]) -> float:
    med = statistics.median(times)
    print(f"\n{what} ({REGION}), median {med:.3f} s, load {os.getloadavg()}: "
          f"{[round(x, 3) for x in times]}")
    return med


FOLIUM = "streamlit_folium.st_folium"
#: The place names a reader sees in a frame (null while none, or while two overlap).
PLACES_JS = """
var s = Array.from(document.querySelectorAll('.geo-place')).filter(function (e) {
    return e.style.visibility !== 'hidden' && e.getClientRects().length; });
var r = s.map(function (e) { return e.getBoundingClientRect(); });
for (var i = 0; i < r.length; i++) { for (var j = i + 1; j < r.length; j++) {
    if (r[i].left < r[j].right && r[j].left < r[i].right &&
        r[i].top < r[j].bottom && r[j].top < r[i].bottom) { return null; } } }
return s.length ? s.map(function (e) { return e.innerText; }) : null;
"""
#: The Compare view: two Leaflet maps in one frame, drawn (SVG paths or a canvas) ...
DUAL_JS = ("var m = Object.keys(window).filter(function(k){ return k.indexOf('map_') === 0"
           " && window.L && window[k] instanceof L.Map; }); return m.length === 2 && "
           "(document.querySelectorAll('.leaflet-overlay-pane svg path').length > 100 ||"
           " document.querySelectorAll('.leaflet-overlay-pane canvas').length > 0) ? m : null;")
#: ... and the change map with its legend.
CHANGE_JS = ("var s = document.querySelector('.geo-legend'); return s && "
             "s.innerText.indexOf(NAME) >= 0;")


def _time_clicks(driver, big: bool, seen: list) -> tuple[dict, list]:
    """Median of five (``GEO_TEST_TIMING=1``; else of each once, the Compare tab three
    times), click to map drawn: grade band, threshold, Compare tab, Map tab.

    The grade-band clicks also record the bytes each sent to the page and the time of the
    overlay script in the map's frame (the rest is the server's run and Streamlit)."""
    # grade-band changes on the Map view: click -> map redrawn with the new title
    frame = next(iter(_frames(driver, FOLIUM)))
    _in_frame(driver, frame, "window.geoKept = true;")
    times, sizes, scripts = [], [], []
    for band in ["7-9", "10-12", "1-6", "7-9", "1-6"] if TIMING else ["7-9", "10-12", "1-6"]:
        _received(driver, seen)
        times.append(_timed(driver, ("[data-testid=stRadio] label", band), FOLIUM,
                            [_title_has(f"{band}.")], 60 if not big else 300)[0])
        sizes.append(_received(driver, seen))
        scripts.append(_map_state(driver))
    median_map = _print_times("grade-band click to map drawn", times)
    print(f"grade-band clicks: bytes received {sizes}, [overlay script ms, same map, cells "
          f"restyled] {scripts}")
    # the base map stays in the browser: a click sends its new colours, not the map again
    # (the demo's base map is about 1.1 MB, demo-vidzeme's 6.6 MB)
    assert statistics.median(sizes) < (400_000 if not big else 1_500_000), sizes
    assert all(s and s[1] and s[2] for s in scripts), scripts
    # a cell's tooltip shows its values under the field names (one tooltip per layer)
    tip = _in_frame(driver, next(iter(_frames(driver, FOLIUM))), TOOLTIP_JS)
    assert tip and all(t(f"map.field.{f}", "lv") in tip for f in ("time", "school")), tip

    # threshold changes (the slider's keys move it by its step of 5 min)
    from selenium.webdriver.common.keys import Keys

    thumb = "[data-testid=stSlider] input[type=range]"
    thr_times, thr = [], int(settings.THRESHOLD_MIN["1-6"])
    keys = (["ARROW_RIGHT", "ARROW_RIGHT", "ARROW_LEFT", "ARROW_LEFT", "ARROW_RIGHT"] if TIMING
            else ["ARROW_RIGHT", "ARROW_LEFT"])
    for key in keys:
        thr += 5 if key == "ARROW_RIGHT" else -5
        t0 = _press(driver, thumb, getattr(Keys, key))
        got = _drawn(driver, FOLIUM, [_title_has("1-6.", f" {thr} min")], 60 if not big else 300)
        assert got, f"the map did not redraw for a threshold of {thr} min"
        thr_times.append((got[0] - t0) / 1000)
    median_thr = _print_times("threshold change to map drawn", thr_times)

    # the Compare view (two synchronised maps and the change map), five (or three) times,
    # with the Map view opened in between
    compare = (t("ui.tab.compare", "lv"), [DUAL_JS, CHANGE_JS.replace(
        "NAME", json.dumps(t("plan.change_layer", "lv")))])
    cmp_times, back_times, kept = [], [], []
    for i in range(5 if TIMING else 3):
        if i:
            back_times.append(_timed(driver, ("[role=tab]", t("app.tab.map", "lv")), FOLIUM,
                                     [_title_has("1-6.")], 60 if not big else 300)[0])
            # was the Map view's frame kept while Compare was open (not built again)?
            kept.append(bool((_map_state(driver) or [None, False])[1]))
        took, (maps, _) = _timed(driver, ("[role=tab]", compare[0]), "st.iframe", compare[1],
                                 90 if not big else 900)
        cmp_times.append(took)
    median_cmp = _print_times("tab switch to Compare, maps drawn", cmp_times)
    median_back = _print_times("tab switch back to Map, map drawn", back_times)
    print(f"Map view's map kept while Compare was open: {kept}")
    # the browser keeps the Map view's map in its hidden tab (once in three runs on the loaded
    # machine it was built again on the first switch back: a rerun interrupted by the click)
    assert sum(kept) >= len(kept) - 1, kept
    timings = {"load": os.getloadavg(),
               "map_band_click_to_map_s": [round(x, 3) for x in times],
               "map_band_median_s": round(median_map, 3),
               "threshold_change_to_map_s": [round(x, 3) for x in thr_times],
               "threshold_median_s": round(median_thr, 3),
               "compare_tab_click_to_maps_s": [round(x, 3) for x in cmp_times],
               "compare_median_s": round(median_cmp, 3),
               "map_tab_click_to_map_s": [round(x, 3) for x in back_times],
               "map_tab_median_s": round(median_back, 3),
               "map_band_click_bytes": sizes,
               "map_band_overlay_script_ms": [s[0] for s in scripts]}
    return timings, maps


def test_map_and_compare_in_the_browser(browser, app_url, artifacts):  # noqa: F811
    _requests(browser)
    browser.get(f"{app_url}/?region={REGION}")
    big = REGION != "demo"
    _, (first,) = _timed(browser, None, FOLIUM, [_title_has("1-6.", "30 min")],
                         120 if not big else 900)
    assert "2021" in first
    # place names (the bundle's layer "places") on the Map view: shown, none overlapping
    names = _wait_frame(browser, FOLIUM, PLACES_JS, 60)
    assert names and len(names) >= 3 and all(n.startswith("Demo ") for n in names), names

    seen = _requests(browser)
    timings, maps = _time_clicks(browser, big, seen)
    a, b = json.dumps(maps[0]), json.dumps(maps[1])
    sync_js = (f"var a = window[{a}], b = window[{b}]; a.setView(a.getCenter(), a.getZoom() + 1,"
               " {animate: false}); return [a.getZoom(), b.getZoom(), b.getCenter().lat.toFixed(5)"
               " === a.getCenter().lat.toFixed(5)];")
    frame = next(f for f in _frames(browser, "st.iframe")
                 if _in_frame(browser, f, DUAL_JS))
    za, zb, same_centre = _in_frame(browser, frame, sync_js)
    assert za == zb and same_centre, "the two maps do not move together"
    change_js = ("var s = document.querySelector('.geo-legend'); return s && "
                 f"s.innerText.indexOf({json.dumps(t('plan.change_layer', 'lv'))}) >= 0;")
    assert _wait_frame(browser, "st.iframe", change_js, 30), "no change map"
    assert _wait_frame(browser, "st.iframe", PLACES_JS, 30), "no place names on Compare"
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
    assert _left_machine(seen + _requests(browser)) == []

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

    (artifacts / f"timings-{REGION}.json").write_text(json.dumps(timings, indent=1))
    print(f"\nbrowser timings ({REGION}):", timings)
    # the targets are 1 s on the demo and 2 s at Vidzeme scale; the machine is shared
    # and loaded, so the test asserts with headroom on the demo (a larger region, e.g.
    # demo-vidzeme, is a measurement: its figures are printed and written to timings-*.json)
    # (the Compare view draws three maps in two frames: 3.2 s measured at load 4, see the
    # issue; it gets twice the headroom)
    for name, limit in (("map_band_median_s", 3.0), ("threshold_median_s", 3.0),
                        ("map_tab_median_s", 3.0), ("compare_median_s", 6.0)):
        assert timings[name] < (limit if REGION == "demo" else 60.0), timings


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


def test_grid_layer_carries_the_cells_colours_and_escaped_values():
    """The Map view's wire format without a browser: the cells' shapes decode to their
    coordinates, and a travel-time layer travels as each cell's colour and tooltip values
    (escaped), for exactly the cells of the layer."""
    import geopandas as gpd
    import numpy as np
    import shapely

    from geo.outputs import layers as map_layers
    from geo.outputs import web_streamlit

    ring = shapely.box(0, 0, 1000, 1000).difference(shapely.box(400, 400, 600, 600))
    geoms = [shapely.box(x, y, x + 1000, y + 1000) for x in (0, 1000, 2000) for y in (0, 1000)]
    geoms[0] = ring
    geoms[5] = shapely.MultiPolygon([shapely.box(2000, 1000, 2500, 2000),
                                     shapely.box(2600, 1000, 3000, 2000)])
    cells = gpd.GeoDataFrame(
        {"time_min": [5.0, 12.0, np.inf, 44.0, 61.0, 8.0], "pupils": [3, 0, 7, 2, 9, 4],
         "school_name": ["A", "B", "C", "<img src=x onerror=alert(1)>", "{{x}}", "D"]},
        geometry=geoms, crs=3059, index=[10, 11, 12, 13, 14, 15])
    grid = web_streamlit.cell_grid(cells)
    wgs = cells.geometry.to_crs(4326)
    for coded, geom in zip(json.loads(grid.shapes), wgs, strict=True):
        parts = list(shapely.get_parts(geom))
        assert len(coded) == len(parts)
        for rings, part in zip(coded, parts, strict=True):
            for flat, want in zip(rings, [part.exterior, *part.interiors], strict=True):
                got = np.cumsum(np.reshape(flat, (-1, 2)), axis=0) / 10 ** grid.decimals
                assert np.abs(got - np.asarray(want.coords)[:-1]).max() < 1e-5

    shown = cells[cells["pupils"] > 0]
    layer = map_layers.travel_time_layer(shown, "en", population="pupils", school="school_name")
    data = json.loads(web_streamlit.grid_layer(layer, grid, slot="tt").code)
    pos = np.cumsum(data["cells"])
    assert list(grid.index[pos]) == list(shown.index)
    colours = [data["palette"][c] for c in data["colour"]]
    assert colours == list(layer.data["_c"])
    names = [data["values"][2][0][c] for c in data["values"][2][1]]
    assert "&lt;img src=x onerror=alert(1)&gt;" in names and "&#123;&#123;x&#125;&#125;" in names
    assert "<" not in web_streamlit.grid_layer(layer, grid, slot="tt").code
    # a merged layer cannot be drawn from the grid: the caller falls back to its script
    merged = map_layers.travel_time_layer(shown, "en", population="pupils", dissolve=True)
    assert web_streamlit.grid_layer(merged, grid, slot="tt") is None


def test_served_page_is_written_once_and_linked_by_its_content(monkeypatch):
    """The Compare view's maps travel as served files: a page is written once, named by its
    content (the same page, the same link; another page, another file), and linked under the
    server's base path."""
    from geo.outputs import web_streamlit

    page = "<!DOCTYPE html><p>Pirms/pēc: skolēni</p>"
    link = web_streamlit.served_page(page, stem="compare-dual")
    folder = Path(web_streamlit._served_folder().name)
    name = link.rsplit("/", 1)[1]
    assert link.startswith("/component/") and name.startswith("compare-dual-")
    assert (folder / name).read_text(encoding="utf-8") == page
    stamp = (folder / name).stat().st_mtime_ns
    assert web_streamlit.served_page(page, stem="compare-dual") == link
    assert (folder / name).stat().st_mtime_ns == stamp  # not written again
    other = web_streamlit.served_page(page.replace("pēc", "after"), stem="compare-dual")
    assert other != link and (folder / other.rsplit("/", 1)[1]).read_text(
        encoding="utf-8").endswith("after: skolēni</p>")
    monkeypatch.setattr(web_streamlit.streamlit, "get_option", lambda key: "/geo/")
    assert web_streamlit.served_page(page, stem="compare-dual") == "/geo" + link
