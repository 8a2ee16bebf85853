"""The "School places and roads" tab in a real browser with the network blocked: a planner
places one of Vidzeme's unplaced schools with a mouse click on the map, adds the place, saves
and rebuilds, and the app shows the school as located.

The real Vidzeme data is copied to a temporary folder and its bundle built there (the ``vz``
fixture of ``tests/test_app_vidzeme.py``); a Streamlit server (``streamlit_server`` of
``tests/test_offline_browser.py``) runs ``app.py`` on that copy and Debian's Chromium
(headless, Selenium) clicks. Nothing under ``data/`` changes. The clicked point is checked
independently: the coordinates the app writes into its fields are the clicked pixel's
(Leaflet's own projection, within a pixel of the aimed point), the point is inside the
school's municipality (shapely), and the rebuilt bundle has the school at exactly those
coordinates, with the map as its source.
"""

from __future__ import annotations

import html
import json
import os
import time

import geopandas as gpd
import pandas as pd
import pytest
from conftest import PROJECT_ROOT
from test_app_browser import _click_text, _wait_frame
from test_app_vidzeme import _inside_point, _unplaced, vz  # noqa: F401 (the fixture)
from test_offline_browser import _left_machine, _requests, _wait, browser, streamlit_server  # noqa: F401

from geo import settings
from geo.i18n import t
from geo.region import load_bundle, placement

LANG = "lv"
FOLIUM = "streamlit_folium.st_folium"
#: The Leaflet map of the frame (folium names it ``map_<id>``), as ``m``.
MAP_JS = ("var ks = Object.keys(window).filter(function (k) { return k.indexOf('map_') === 0 &&"
          " window[k] instanceof L.Map; }); if (!ks.length) { return null; } var m = window[ks[0]];")
#: Every property value of the map's features (popups, tooltips): the located schools' names.
NAMES_JS = MAP_JS + (" var out = []; m.eachLayer(function (l) { var p = l.feature &&"
                     " l.feature.properties; if (p) { for (var k in p) { out.push(String(p[k]));"
                     " } } }); return out.length ? out : null;")


@pytest.fixture(scope="module")
def server(vz):  # noqa: F811
    """``streamlit run app.py`` on the temporary copy (data, bundles and downloads)."""
    root = vz["root"]
    env = {**os.environ, "GEO_DATA_PATH": str(vz["data"]),
           "GEO_BUNDLES_DIR": str(root / "bundles"), "GEO_DOWNLOADS_DIR": str(root / "downloads"),
           "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")]),
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    with streamlit_server(PROJECT_ROOT / "app.py", cwd=root, env=env) as url:
        yield {"url": url, "log": root / "streamlit.log"}


def _text(driver, text: str, timeout: float = 60.0) -> bool:
    return bool(_wait(driver, f"return document.body.innerText.indexOf({json.dumps(text)}) >= 0;",
                      timeout))


def _click_when_shown(driver, selector: str, text: str, timeout: float = 60.0) -> None:
    """Wait for the element matching ``selector`` whose text is ``text``, then click it."""
    assert _wait(driver, f"return Array.from(document.querySelectorAll({json.dumps(selector)}))"
                         f".some(function (e) {{ return e.innerText.trim() === {json.dumps(text)};"
                         " });", timeout), f"no {selector} {text!r}"
    _click_text(driver, selector, text)


def _inputs(driver, labels: list[str]) -> list[str] | None:
    """The values of the text inputs called ``labels`` (None until every one has a value)."""
    return driver.execute_script(
        "var v = arguments[0].map(function (l) { var i = document.querySelector("
        "'input[aria-label=\"' + l + '\"]'); return i ? i.value : ''; });"
        " return v.every(function (x) { return x; }) ? v : null;", labels)


def _choose_school(driver, school_id: str) -> None:
    """Pick ``school_id`` in the tab's school select box (options start with the id)."""
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.CSS_SELECTOR, "[data-testid=stMain] [data-testid=stSelectbox]")
    box.find_element(By.CSS_SELECTOR, "input[role=combobox]").click()
    assert _wait(driver, "return document.querySelectorAll('[role=option]').length > 0;", 30)
    driver.execute_script(
        "var os = document.querySelectorAll('[role=option]'); for (var i = 0; i < os.length;"
        " i++) { if (os[i].innerText.trim().indexOf(arguments[0] + ' ') === 0) {"
        " os[i].click(); return; } } throw new Error('no option ' + arguments[0]);", school_id)


def _click_map_at(driver, lat: float, lon: float) -> tuple[float, float]:
    """A real mouse click (Selenium actions) on the click map's pixel of (lat, lon); returns
    the (lat, lon) of the click as Leaflet saw it (its own ``click`` event)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    aim = MAP_JS + (" var p = m.latLngToContainerPoint([arguments[0], arguments[1]]);"
                    " var s = m.getSize(); if (p.x < 5 || p.y < 5 || p.x > s.x - 5 ||"
                    " p.y > s.y - 5) { return null; } if (!window.geoClicks) { window.geoClicks = [];"
                    " m.on('click', function (e) { window.geoClicks.push([e.latlng.lat,"
                    " e.latlng.lng]); }); } return [Math.round(p.x), Math.round(p.y), s.x, s.y];"
                    ).replace("arguments[0]", repr(lat)).replace("arguments[1]", repr(lon))
    assert _wait_frame(driver, FOLIUM, aim, 60), "the point is not in the click map's view"
    # the app keeps the Map view's frame in its hidden tab: take the visible click map
    frame = next(f for f in driver.find_elements(By.TAG_NAME, "iframe")
                 if f.get_attribute("title") == FOLIUM and f.is_displayed())
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", frame)
    driver.switch_to.frame(frame)
    try:
        x, y, w, h = driver.execute_script(aim)
        container = driver.find_element(By.CSS_SELECTOR, ".leaflet-container")
        # Selenium 4 offsets are from the element's centre
        ActionChains(driver).move_to_element_with_offset(
            container, int(x - w // 2), int(y - h // 2)).click().perform()
        clicks = driver.execute_script("return window.geoClicks;")
    finally:
        driver.switch_to.default_content()
    assert clicks and len(clicks) == 1, f"the map saw {clicks} clicks"
    return tuple(clicks[0])


def test_place_a_school_by_clicking_on_the_map(vz, server, browser):  # noqa: F811
    t0 = time.perf_counter()
    laps = {}
    bundle = vz["bundle"]
    before = _unplaced(bundle)
    school = before.iloc[2]
    names = bundle["schools"].set_index("school_id")["name"]
    aim = _inside_point(bundle, school["municipality"])
    _requests(browser)
    # no CSS animations (Streamlit's "running" spinners): their repainting takes CPU from
    # the server
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": (
        "document.addEventListener('DOMContentLoaded', function () { var s = document."
        "createElement('style'); s.textContent = '*, *::before, *::after { animation: none "
        "!important; }'; document.head.appendChild(s); });")})
    browser.get(f"{server['url']}/?region=vidzeme")
    _click_when_shown(browser, "[role=tab]", t("place.tab", LANG), 120)
    total = len(bundle["schools"])
    assert _text(browser, t("place.intro", LANG, n=len(before), total=total), 120), \
        server["log"].read_text()[-3000:]
    laps["tab"] = time.perf_counter() - t0
    _choose_school(browser, school["school_id"])
    assert _wait_frame(browser, FOLIUM, "var e = document.querySelector('.geo-legend'); return e"
                       f" && e.innerText.indexOf({json.dumps(school['municipality'])}) >= 0;", 60)
    shown = _wait_frame(browser, FOLIUM, NAMES_JS, 30)
    assert shown and not {school["name"], html.escape(school["name"])} & set(shown)

    # the click: the fields get the clicked pixel's coordinates (Latvian decimal comma)
    plat, plon = _click_map_at(browser, *aim)
    labels = [f"{t(k, LANG).capitalize()} (WGS84)" for k in ("place.lat", "place.lon")]
    end = time.time() + 30
    while (values := _inputs(browser, labels)) is None and time.time() < end:
        time.sleep(0.1)
    assert values, "the click on the map did not fill in the coordinates"
    lat, lon = (float(v.replace(",", ".")) for v in values)
    assert all("," in v for v in values), values  # the Latvian form
    assert (lat, lon) == pytest.approx((plat, plon), abs=1e-6)
    assert (lat, lon) == pytest.approx(aim, abs=0.03)  # a few pixels from the aim
    muni = bundle["boundaries"]
    muni = muni[muni["name"] == school["municipality"]].to_crs(settings.WGS84).geometry.iloc[0]
    assert muni.contains(gpd.points_from_xy([lon], [lat])[0])
    assert _text(browser, t("place.clicked", LANG, lat=values[0], lon=values[1]), 10)

    laps["clicked"] = time.perf_counter() - t0
    # add, save and rebuild
    _click_when_shown(browser, "button", t("place.add", LANG))
    assert _text(browser, t("place.added", LANG, name=school["name"], lat=values[0],
                            lon=values[1]), 30)
    _click_when_shown(browser, "button", t("place.save", LANG))
    laps["added"] = time.perf_counter() - t0
    assert _text(browser, t("place.intro", LANG, n=len(before) - 1, total=total), 120), \
        server["log"].read_text()[-3000:]
    laps["rebuilt"] = time.perf_counter() - t0
    new = load_bundle(bundle.path)["schools"].set_index("school_id")
    assert new.at[school["school_id"], "status"] == "located"
    g = new.geometry[school["school_id"]]
    assert (round(g.y, 6), round(g.x, 6)) == (lat, lon)
    target = placement.tool_locations_file(vz["recipe"])
    saved = pd.read_csv(target, dtype=str, encoding="utf-8-sig").set_index("school_id")
    assert saved.at[school["school_id"], "source"] == "app: map"
    n_located = int((new["status"] == "located").sum())
    assert n_located == total - len(before) + 1
    assert _text(browser, t("place.saved", LANG, file=target, rows=len(saved), n=1,
                            located=n_located, total=total), 10)
    # ... and on the map: the school is among the located schools
    assert _wait_frame(browser, FOLIUM, NAMES_JS.replace(
        "return out.length ? out : null;",
        f"return out.indexOf({json.dumps(names[school['school_id']])}) >= 0 || out.indexOf("
        f"{json.dumps(html.escape(names[school['school_id']]))}) >= 0 ? out : null;"), 60), \
        "the placed school is not on the map"
    assert _left_machine(_requests(browser)) == []
    print(f"\nvidzeme browser placement: {time.perf_counter() - t0:.1f} s (cumulative "
          f"{ {k: round(v, 1) for k, v in laps.items()} }), load {os.getloadavg()}")
