"""Maps open in a real browser with the network blocked.

Debian's Chromium (headless, driven by Selenium through Debian's chromedriver) opens

* a map exported with ``geo.outputs.report.export_html`` from ``file://``, and
* the same kind of map inside a Streamlit app (``geo.outputs.web_streamlit.render_streamlit``, both the
  ``st_folium`` path and the static-HTML path), served on 127.0.0.1,

with every host name resolving to nothing and every other connection sent to a dead proxy.
The checks run in the page: Leaflet is loaded, the map has its panes, one SVG path per drawn
feature, a working legend, no request left the machine, and the screenshot is not blank.

``.ci/run`` installs ``chromium`` and ``chromium-driver`` with apt-get when they are missing; the
tests skip (with the reason) only when they could not be installed.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import PROJECT_ROOT, built_network, osm_file, shared_file

from geo import jobs
from geo.i18n import t
from geo.outputs import report

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
# Every host name resolves to nothing (127.0.0.1 is an address, not a name) and every
# connection that is not to the loopback goes to a dead proxy: nothing can leave the machine.
BLOCK_NETWORK = [
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=127.0.0.1:9",
]
CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1200,900", *BLOCK_NETWORK,
]


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip(
            "Debian chromium and chromium-driver are not installed and could not be "
            "(.ci/run installs them with 'apt-get install chromium chromium-driver')"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="geo-chromium-")
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _requests(driver) -> list[str]:
    """URLs the page asked the network for since the last call (performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    return urls


def _left_machine(urls: list[str]) -> list[str]:
    return [u for u in urls if u.startswith(("http:", "https:", "ws:", "wss:"))
            and not u.split("/")[2].startswith("127.0.0.1")]


def _wait(driver, script: str, timeout: float = 30.0):
    end = time.time() + timeout
    while True:
        got = driver.execute_script(script)
        if got or time.time() > end:
            return got
        time.sleep(0.2)


STATE_JS = """
return {
  leaflet: typeof window.L === "object" ? L.version : null,
  panes: document.querySelectorAll(".leaflet-container .leaflet-pane").length,
  paths: document.querySelectorAll(".leaflet-overlay-pane svg path").length,
  markers: document.querySelectorAll(".leaflet-marker-pane .leaflet-marker-icon").length,
  legend: (document.querySelector(".geo-legend") || {}).innerText || "",
  title: (document.querySelector(".geo-title") || {}).innerText || "",
  overlays: Array.from(document.querySelectorAll(".leaflet-control-layers-overlays label"))
      .map(function (l) { return l.innerText.trim(); }),
};
"""


def _shown_paths(layers) -> int:
    return sum(len(la.data) for la in layers
               if la.show and not (la.kind == "point" and la.marker == "square"))


def _assert_not_blank(png: bytes, out: Path) -> None:
    from PIL import Image

    out.write_bytes(png)
    im = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(float)
    assert im.std() > 15, "screenshot is (nearly) blank"
    colours = np.unique(im.reshape(-1, 3)[::3].astype(np.uint8), axis=0)
    assert len(colours) > 50
    background = np.array([0xF4, 0xF3, 0xEF], float)
    drawn = (np.abs(im - background).sum(axis=2) > 30).mean()
    assert drawn > 0.05, f"only {drawn:.1%} of the screenshot differs from the empty map"


# --------------------------------------------------------------------------------------------
# Standalone HTML from file://
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def li_map():
    """Travel-time map of Liechtenstein from the engine (real OSM roads and schools)."""
    from geo.sources.osm import read_facilities

    net = built_network("liechtenstein")
    schools = read_facilities(osm_file("liechtenstein"), kinds=("school",))
    nodes = gpd.GeoSeries(shapely.points(net.lon, net.lat), crs=4326).to_crs(3035)
    x0, y0, x1, y1 = nodes.total_bounds
    xs = np.arange(np.floor(x0 / 1000) * 1000, x1, 1000)
    ys = np.arange(np.floor(y0 / 1000) * 1000, y1, 1000)
    X, Y = (a.ravel() for a in np.meshgrid(xs, ys))
    grid = gpd.GeoDataFrame(geometry=shapely.box(X, Y, X + 1000, Y + 1000), crs=3035)
    return jobs.travel_time_map(net, schools, grid, lang="lv", isochrone_minutes=(10, 20))


def test_exported_html_works_with_network_blocked(browser, li_map, tmp_path):
    layers = li_map._geo_layers
    path = report.export_html(li_map, tmp_path / "karte.html")
    _requests(browser)  # drop what came before
    browser.get(path.as_uri())
    expected = _shown_paths(layers)
    hidden = json.dumps(t("map.isochrones", "lv"))
    # wait until the legend script has also hidden the sections of hidden layers (it runs after
    # the paths are drawn; on a loaded machine the two can be read in between)
    state = _wait(browser, f"var s = (function(){{{STATE_JS}}})(); "
                           f"return s.paths >= {expected} && s.legend && "
                           f"s.legend.indexOf({hidden}) < 0 ? s : null;")
    state = state or browser.execute_script(STATE_JS)
    assert state["leaflet"] == "1.9.3"
    assert state["panes"] >= 6  # map, tile, overlay, shadow, marker, tooltip, popup
    assert state["paths"] == expected
    assert t("map.travel_time", "lv") in state["legend"]
    assert t("map.schools", "lv") in state["legend"]
    assert t("map.isochrones", "lv") not in state["legend"]  # hidden layer, hidden section
    assert state["title"] == t("map.title.travel_time", "lv")
    assert state["overlays"] == [la.name for la in layers]

    # switching on the hidden isochrones layer draws its polygons and shows its legend section
    iso = next(la for la in layers if la.key == "isochrones")
    browser.execute_script(
        "var ls = document.querySelectorAll('.leaflet-control-layers-overlays label');"
        "for (var i = 0; i < ls.length; i++) { if (ls[i].innerText.trim() === arguments[0]) "
        "{ ls[i].querySelector('input').click(); } }", iso.name)
    after = _wait(browser, f"var s = (function(){{{STATE_JS}}})(); "
                           f"return s.paths === {expected + len(iso.data)} ? s : null;", 10)
    assert after, "the isochrone layer did not draw"
    assert t("map.isochrones", "lv") in after["legend"]

    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    assert _left_machine(_requests(browser)) == []
    _assert_not_blank(browser.get_screenshot_as_png(), tmp_path / "karte.png")


# --------------------------------------------------------------------------------------------
# Streamlit app (st_folium and static HTML)
# --------------------------------------------------------------------------------------------
APP = textwrap.dedent("""
    import os
    import geopandas as gpd
    import pandas as pd
    import shapely
    import streamlit as st
    from geo.outputs import layers as map_layers
    from geo.outputs import web, web_streamlit

    b = gpd.read_file(os.environ["GEO_TEST_BOUNDARIES"])
    o = pd.read_csv(os.environ["GEO_TEST_OOKLA"])
    o = gpd.GeoDataFrame(o, geometry=shapely.box(o.E, o.N, o.E + 350, o.N + 350), crs=3035)
    layers = [map_layers.boundaries_layer(b, "en"), map_layers.broadband_layer(o, "en")]
    m = web.make_map(layers, lang="en", title="Vidzeme")
    mode = st.query_params.get("mode", "interactive")
    web_streamlit.render_streamlit(m, height=500, interactive=mode == "interactive", key="map")
    st.write("rendered", mode)
""")


@contextlib.contextmanager
def streamlit_server(script: Path, *, cwd: Path, env: dict, timeout_s: float = 90.0):
    """``streamlit run script`` on a free port of 127.0.0.1 (headless); yields its URL once
    ``/_stcore/health`` answers, and stops the server afterwards. The log is ``cwd/streamlit.log``."""
    port = _free_port()
    log = open(cwd / "streamlit.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script),
         "--server.headless", "true", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.fileWatcherType", "none",
         "--global.developmentMode", "false"],
        cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                log.flush()
                pytest.fail("streamlit did not start:\n"
                            + (cwd / "streamlit.log").read_text()[-3000:])
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def streamlit_app(tmp_path_factory):
    boundaries = shared_file("vidzeme", "boundaries", "municipalities_2021.geojson")
    ookla = shared_file("vidzeme", "broadband", "ookla_fixed_2023q2_350m_vidzeme.csv")
    folder = tmp_path_factory.mktemp("app")
    (folder / "app.py").write_text(APP, encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")]),
        "GEO_TEST_BOUNDARIES": str(boundaries),
        "GEO_TEST_OOKLA": str(ookla),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    with streamlit_server(folder / "app.py", cwd=folder, env=env) as url:
        yield url, 9 + len(pd.read_csv(ookla))


@pytest.mark.parametrize("mode, frame_title", [
    ("interactive", "streamlit_folium.st_folium"),
    ("static", "st.iframe"),
])
def test_streamlit_map_works_with_network_blocked(browser, streamlit_app, mode, frame_title,
                                                  tmp_path):
    from selenium.webdriver.common.by import By

    url, expected = streamlit_app
    _requests(browser)
    browser.get(f"{url}/?mode={mode}")
    end = time.time() + 60
    frame = None
    while frame is None and time.time() < end:
        frames = [f for f in browser.find_elements(By.TAG_NAME, "iframe")
                  if f.get_attribute("title") == frame_title]
        frame = frames[0] if frames else None
        time.sleep(0.3)
    assert frame is not None, f"no {frame_title} frame in the app"
    browser.switch_to.frame(frame)
    try:
        state = _wait(browser, f"var s = (function(){{{STATE_JS}}})(); "
                               f"return s.paths >= {expected} && s.legend ? s : null;", 60)
        state = state or browser.execute_script(STATE_JS)
    finally:
        browser.switch_to.default_content()
    assert state["leaflet"] == "1.9.3"
    assert state["panes"] >= 6
    assert state["paths"] == expected
    assert t("map.broadband", "en") in state["legend"] and state["title"] == "Vidzeme"
    assert _left_machine(_requests(browser)) == []
    _assert_not_blank(browser.get_screenshot_as_png(), tmp_path / f"streamlit-{mode}.png")
