"""The planner app's exports and uploads in a real browser with the network blocked.

A Streamlit server runs ``app.py`` on the demo region (bundle built offline first); Debian's
Chromium (headless, Selenium) clicks the app's own download buttons with its download folder
set to a temporary folder, and each downloaded file is opened as a planner's program would:

* Map, Scenario, Compare and Optimise views: offline HTML map (no http(s) asset URL), PNG
  (decodes at about A4 landscape, 150 dpi), PDF report (pages, the map's title as text and as
  document title), GeoPackage (its layers open with pyogrio/geopandas) and CSV (Latvian Excel
  form in Latvian: ``;``, decimal comma, UTF-8 BOM, Latvian headers; the English form in
  English). Figures are checked across formats and against the bundle (pupils, schools).
* Uploads through the browser's file inputs: a good and a bad scenario YAML, a good and a bad
  OSM file. Good ones are used (an OSM upload is kept once in the session's own temporary
  folder, not written again on a rerun); bad ones show an error in the user's language (an
  OSM one names the uploaded file, never the server's folder) and never reach a later fresh
  session (which opens the default region and the default OSM file).
* Screenshots of the Compare view and of page 1 of its PDF report (``pdftoppm``), in Latvian
  and English, go to ``$GEO_TEST_ARTIFACTS`` (default: a temporary folder, never the repo).

Time: one server and one browser for the module; the demo bundle is built while they start;
one session goes through every view (all of a view's files downloaded in one pass, then
checked in a background thread while the browser goes on); the waits are explicit conditions.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from conftest import PROJECT_ROOT
from test_app_browser import _click_text, _frames
from test_offline_browser import (
    CHROMEDRIVER,
    CHROMIUM,
    CHROMIUM_FLAGS,
    _assert_not_blank,
    _left_machine,
    _requests,
    _wait,
    streamlit_server,
)

from geo import jobs, settings
from geo.errors import GeoInputError, error_text
from geo.i18n import t
from geo.outputs import planner
from geo.region import load_bundle
from geo.sources.osm import read_facilities

pypdf = pytest.importorskip("pypdf", reason="pypdf is in requirements.txt (PDF checks)")

REGION = "demo"
FORMATS = ("html", "png", "pdf", "gpkg", "csv")
GOOD_YAML = PROJECT_ROOT / "scenarios" / "demo_new_school.yaml"
#: A4 landscape at the PNG export's 150 dpi, in pixels (before the tight bounding box)
A4_PX = (11.69 * 150, 8.27 * 150)


# --------------------------------------------------------------------------------------------
# Fixtures: artifacts folder, demo bundle and server, Chromium with a download folder
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def artifacts(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("GEO_TEST_ARTIFACTS") or tmp_path_factory.mktemp("artifacts"))
    if folder.resolve().is_relative_to(PROJECT_ROOT.resolve()):
        pytest.fail(f"GEO_TEST_ARTIFACTS={folder} is inside the repository; use a folder outside")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module", autouse=True)
def demo_build(tmp_path_factory):
    """The demo bundle, built offline in a background thread while Chromium and the server
    start (the first fixtures set up); ``app`` waits for it."""
    bundles = Path(os.environ.get("GEO_TEST_APP_BUNDLES")
                   or tmp_path_factory.mktemp("app-exports-bundles"))
    path = bundles / REGION
    with ThreadPoolExecutor(1) as pool:
        built = pool.submit(lambda: path.exists() or jobs.build_bundle(REGION, out=path,
                                                                       online=False))
        yield bundles, built


@pytest.fixture(scope="module")
def checks():
    """Checks of downloaded files, run in a background thread while the browser goes on to
    the next view; each test waits for its own (``_done``)."""
    with ThreadPoolExecutor(1) as pool:
        yield pool


def _done(futures: list[Future]) -> list:
    """The results of the background checks (their assertion errors raised here)."""
    return [f.result() for f in futures]


@pytest.fixture(scope="module")
def app(tmp_path_factory, demo_build, driver):
    """The demo bundle, its generated OSM file as the only small OSM file on the data path
    (so that the OSM view opens it, not a large extract), and ``streamlit run app.py`` with
    its own temporary folder (where sessions keep their uploads). The browser leaves the app
    before the server stops, so that the server stops at once."""
    folder = tmp_path_factory.mktemp("app-exports")
    bundles, built = demo_build
    server_tmp = folder / "server-tmp"
    server_tmp.mkdir()
    osm_dir = folder / "osm-data"
    osm_dir.mkdir()
    env = {**os.environ, "GEO_BUNDLES_DIR": str(bundles), "GEO_DATA_PATH": str(osm_dir),
           "TMPDIR": str(server_tmp),
           "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")]),
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    with streamlit_server(PROJECT_ROOT / "app.py", cwd=folder, env=env) as url:
        built.result()
        demo_osm = next((settings.DOWNLOADS_DIR / "generated" / REGION / "osm").glob("*.osm.pbf"))
        shutil.copy2(demo_osm, osm_dir / demo_osm.name)  # same mtime: the network cache is reused
        yield {"url": url, "bundle": load_bundle(bundles / REGION), "bundles": bundles,
               "osm": osm_dir / demo_osm.name, "log": folder / "streamlit.log",
               "tmp": server_tmp}
        driver.get("about:blank")


NO_ANIMATIONS_JS = """
document.addEventListener("DOMContentLoaded", function () {
  var s = document.createElement("style");
  s.textContent = "*, *::before, *::after { animation: none !important; }";
  document.head.appendChild(s);
});
"""


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    """Headless Chromium, network blocked, downloads saved without asking to ``driver.dl``."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("Debian chromium and chromium-driver are not installed and could not be "
                    "(.ci/run installs them with 'apt-get install chromium chromium-driver')")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="geo-chromium-")
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        opts.add_argument(flag)
    opts.add_experimental_option("prefs", {
        "download.default_directory": str(downloads), "download.prompt_for_download": False,
        "download.directory_upgrade": True, "safebrowsing.enabled": False,
        # several files from one page: allowed without the "download multiple files" prompt
        "profile.default_content_setting_values.automatic_downloads": 1})
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    drv.set_page_load_timeout(60)
    # no CSS animations (Streamlit's "running" spinners and skeletons): repainting them
    # while the server works takes CPU from it; what the checks look at is not animated
    drv.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": NO_ANIMATIONS_JS})
    drv.dl = downloads
    yield drv
    drv.quit()
    shutil.rmtree(profile, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Browser helpers
# --------------------------------------------------------------------------------------------
#: Polls, in the page every 0.1 s, the frames called ``arguments[0]`` until the function body
#: ``arguments[1]`` returns something truthy in one of them (null after ``arguments[2]`` s).
FRAME_POLL_JS = """
var title = arguments[0], check = arguments[1], end = Date.now() + 1000 * arguments[2];
var done = arguments[arguments.length - 1];
(function poll() {
    var frames = document.querySelectorAll("iframe");
    for (var i = 0; i < frames.length; i++) {
        if (frames[i].title !== title) { continue; }
        var w = frames[i].contentWindow, got = null;
        try { got = new w.Function(check).call(w) || null; } catch (e) { got = null; }
        if (got) { done(got); return; }
    }
    if (Date.now() > end) { done(null); } else { setTimeout(poll, 100); }
})();
"""


def _wait_frame(driver, title: str, script: str, timeout: float = 60.0):
    """What ``script`` returns in a frame called ``title`` once truthy (None on time-out),
    polled in the page: no WebDriver round trip per poll, which would take CPU from the
    server (calls of at most 60 s: WebDriver's own HTTP time-out is 120 s)."""
    driver.set_script_timeout(70)
    end = time.time() + timeout
    while True:
        got = driver.execute_async_script(FRAME_POLL_JS, title, script,
                                          max(1.0, min(60.0, end - time.time())))
        if got or time.time() > end:
            return got


def _has_text(driver, text: str, timeout: float = 60.0) -> bool:
    return bool(_wait(driver, f"return document.body.innerText.indexOf({json.dumps(text)}) >= 0;",
                      timeout))


VISIBLE_BUTTONS_JS = """
var out = [];
document.querySelectorAll('[data-testid=stDownloadButton] button').forEach(function (b) {
  if (b.offsetParent !== null && !b.disabled) { out.push(b.innerText.trim()); } });
return out;
"""


def _download_all(driver, app, view: str, lang: str, formats=FORMATS,
                  timeout: float = 90.0) -> dict[str, Path]:
    """Click the view's download buttons (one per format) and wait for every file."""
    labels = {f: t(f"ui.fmt.{f}", lang) for f in formats}
    shown = _wait(driver, VISIBLE_BUTTONS_JS.replace(
        "return out;", f"return {json.dumps(list(labels.values()))}.every("
                       "function (l) { return out.indexOf(l) >= 0; }) ? out : null;"), 90)
    assert shown, f"{view}: download buttons {list(labels.values())} not shown"
    files = {f: driver.dl / f"{REGION}-{view}-{lang}.{f}" for f in formats}
    for f in formats:
        driver.execute_script(
            "var bs = document.querySelectorAll('[data-testid=stDownloadButton] button');"
            "for (var i = 0; i < bs.length; i++) { if (bs[i].offsetParent !== null &&"
            " bs[i].innerText.trim() === arguments[0]) { bs[i].click(); return; } }"
            "throw new Error('no button ' + arguments[0]);", labels[f])
    end = time.time() + timeout
    while time.time() < end:
        if all(p.exists() and p.stat().st_size > 0 for p in files.values()) and not list(
                driver.dl.glob("*.crdownload")):
            return files
        time.sleep(0.2)
    missing = [p.name for p in files.values() if not p.exists()]
    pytest.fail(f"{view}: not downloaded {missing}; server log:\n"
                + app["log"].read_text()[-3000:])


def _upload(driver, path: Path, *, sidebar: bool = False) -> None:
    from selenium.webdriver.common.by import By

    where = "[data-testid=stSidebar] " if sidebar else "[data-testid=stMain] "
    end = time.time() + 60
    while time.time() < end:
        inputs = driver.find_elements(By.CSS_SELECTOR, where + "input[type=file]")
        if inputs:
            inputs[0].send_keys(str(path))
            return
        time.sleep(0.2)
    pytest.fail(f"no file input in {where}")


def _open_tab(driver, key: str, lang: str) -> None:
    label = t(key, lang)
    assert _wait(driver, "var ts = document.querySelectorAll('[role=tab]'); for (var i = 0; "
                         f"i < ts.length; i++) {{ if (ts[i].innerText.trim() === {json.dumps(label)})"
                         " { return true; } } return false;", 90), f"no tab {label}"
    _click_text(driver, "[role=tab]", label)
    assert _wait(driver, "var s = document.querySelector('[role=tab][aria-selected=true]');"
                         f" return s && s.innerText.trim() === {json.dumps(label)};", 60)


# --------------------------------------------------------------------------------------------
# File checks
# --------------------------------------------------------------------------------------------
ASSET_URL = re.compile(
    r"<(?:script|img|iframe|source|embed)\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//"
    r"|<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//"
    r"|url\(\s*[\"']?(?:https?:)?//|@import\s+[\"']?(?:url\()?[\"']?(?:https?:)?//"
    r"|tileLayer\(\s*[\"'](?:https?:)?//", re.IGNORECASE)


def check_html(path: Path, title: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert "leaflet" in text.lower() and "<html" in text.lower()
    bad = [m.group(0) for m in ASSET_URL.finditer(text)]
    assert bad == [], f"{path.name} loads assets from the network: {bad[:3]}"
    assert title in text or json.dumps(title)[1:-1] in text, f"{path.name}: no title {title!r}"


def check_png(path: Path) -> tuple[int, int]:
    from PIL import Image

    with Image.open(path) as im:
        im.verify()
    with Image.open(path) as im:
        w, h = im.size
        dpi = im.info.get("dpi", (0, 0))
        pixels = np.asarray(im.convert("RGB"))
    assert round(dpi[0]) == 150, f"{path.name}: {dpi} dpi"
    # a tight bounding box crops the margins (and adds 0.15 in of padding): nothing, e.g. a
    # long title, may stick out of the A4 page
    pad = 2 * 0.15 * 150
    assert 0.5 * A4_PX[0] < w <= A4_PX[0] + pad and 0.5 * A4_PX[1] < h <= A4_PX[1] + pad, (w, h)
    assert w > h and pixels.std() > 10, f"{path.name} is blank or portrait"
    return w, h


def check_pdf(path: Path, title: str, *, min_pages: int = 2):
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) >= min_pages, f"{path.name}: {len(reader.pages)} pages"
    assert reader.metadata.title.split("\n")[0] == title
    first = reader.pages[0].extract_text()
    assert title in first.replace("\n", " ") or title in first, (title, first[:300])
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # A4 landscape
    return reader


def check_gpkg(path: Path, expected: set[str]) -> dict[str, gpd.GeoDataFrame]:
    names = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
    assert expected <= set(names), f"{path.name}: layers {names}, expected {expected}"
    out = {n: gpd.read_file(path, layer=n) for n in names}
    assert all(len(df) for df in out.values()), {n: len(df) for n, df in out.items()}
    return out


def check_csv(path: Path, lang: str, headers: list[str]) -> pd.DataFrame:
    """The Latvian Excel form in Latvian (``;``, decimal comma), the English one otherwise;
    UTF-8 with BOM in both, headers in the language."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name} has no UTF-8 BOM"
    text = raw.decode("utf-8-sig")
    sep, dec = (";", ",") if lang == "lv" else (",", ".")
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    assert len({len(r) for r in rows}) == 1 and len(rows[0]) >= 2, f"{path.name} is not {sep!r}-separated"
    assert set(headers) <= set(rows[0]), (rows[0], headers)
    df = pd.read_csv(io.StringIO(text), sep=sep, decimal=dec)
    numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]
    assert numeric, f"{path.name}: no column parses as numbers with decimal {dec!r}"
    other = "." if lang == "lv" else ","
    floats = [v for r in rows[1:] for v in r if re.fullmatch(r"-?\d+[.,]\d+", v)]
    assert not any(other in v for v in floats), f"{path.name}: decimal {other!r} in {floats[:3]}"
    return df


def check_all(files: dict[str, Path], *, lang: str, title: str, layers: set[str],
              headers: list[str]):
    """Check each downloaded file; returns the GeoPackage layers and the CSV table."""
    if "html" in files:
        check_html(files["html"], title)
    if "png" in files:
        check_png(files["png"])
    check_pdf(files["pdf"], title)
    gp = check_gpkg(files["gpkg"], layers) if "gpkg" in files else {}
    return gp, check_csv(files["csv"], lang, headers)


def render_pdf_page(pdf: Path, out: Path) -> Path | None:
    """Page 1 of ``pdf`` as PNG with poppler's ``pdftoppm`` (None, with the reason printed,
    when it is not installed)."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        print("\npdftoppm (Debian poppler-utils) not installed: no PDF page screenshot")
        return None
    subprocess.run([exe, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(out.with_suffix(""))], check=True, timeout=60)
    from PIL import Image

    with Image.open(out) as im:
        pixels = np.asarray(im.convert("RGB"))
    assert pixels.shape[1] > pixels.shape[0] and pixels.std() > 10, "blank PDF page"
    edge = max(2, pixels.shape[1] // 200)  # nothing drawn at the left and right page edges
    dark = pixels.min(axis=2) < 128
    assert not dark[:, :edge].any() and not dark[:, -edge:].any(), f"{pdf.name}: text cut off"
    return out


# --------------------------------------------------------------------------------------------
# The views
# --------------------------------------------------------------------------------------------
def _titles(bundle, lang: str, doc: dict) -> dict[str, str]:
    """The titles the app gives its maps and reports (independent of the app's code paths)."""
    region = bundle.manifest["title"][lang]
    thr = doc["thresholds_min"]
    return {
        "map": planner.map_title(t("map.title.travel_time", lang), region=region, band="1-6",
                                 threshold=settings.THRESHOLD_MIN["1-6"], year=2021, lang=lang),
        "scenario": planner.map_title(doc["name"], region=region, band="1-12",
                                      threshold=thr["1-6"], year=doc["year"], lang=lang),
        "compare": planner.map_title(t("plan.change_map", lang), region=region, band="1-6",
                                     threshold=thr["1-6"], year=doc["year"], lang=lang),
        "optimise": planner.map_title(t("ui.opt_map", lang), region=region, band="1-12",
                                      threshold=thr["1-6"], year=doc["year"], lang=lang),
    }


def _map_view(driver, app, titles, checks) -> Future:
    """Map view (Latvian): every format; pupils agree across CSV, GeoPackage and bundle."""
    band_title = ("var e = document.querySelector('.geo-title'); return e && "
                  "e.innerText.indexOf('1-6') >= 0 ? e.innerText : null;")
    assert _wait_frame(driver, "streamlit_folium.st_folium", band_title, 120), "no map"
    return checks.submit(_check_map, _download_all(driver, app, "map", "lv"), app, titles)


def _check_map(files: dict[str, Path], app, titles) -> None:
    gp, table = check_all(files, lang="lv", title=titles["map"],
                          layers={"travel_time", "schools", "boundaries",
                                  report_name(t("app.by_municipality", "lv"))},
                          headers=[t("app.municipality", "lv"), t("app.pupils", "lv")])
    cells = app["bundle"]["pupils_2021"]
    pupils_1_6 = float(cells[[f"g{g}" for g in range(1, 7)]].to_numpy().sum())
    assert table[t("app.pupils", "lv")].sum() == pytest.approx(pupils_1_6, rel=1e-6)
    assert gp["travel_time"]["pupils"].sum() == pytest.approx(pupils_1_6, rel=1e-6)
    assert set(table[t("app.municipality", "lv")]) == set(cells["municipality"])
    assert len(gp["schools"]) == int(app["bundle"]["schools"].geometry.notna().sum())


def report_name(title: str) -> str:
    """A table's GeoPackage layer name (as ``export_bytes`` names it)."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in title.strip()).strip("_")


def _scenario_view(driver, app, artifacts, titles, doc, checks) -> Future:
    """Scenario view (Latvian): a bad YAML shows a Latvian error and changes nothing; the good
    one is loaded and is what the exports show."""
    _open_tab(driver, "app.tab.scenarios", "lv")
    bad = artifacts / "bad_scenario.yaml"
    bad.write_text("name: slikts\nchanges:\n  - clsoe: [1]\n", encoding="utf-8")
    _upload(driver, bad)
    assert _has_text(driver, t("app.input_error", "lv")), "no error for a bad scenario file"
    assert _has_text(driver, "clsoe", 10)
    assert _has_text(driver, t("ui.no_changes", "lv"), 10)  # the bad file changed nothing
    _upload(driver, GOOD_YAML)
    assert _has_text(driver, t("ui.loaded", "lv", name=GOOD_YAML.name))
    assert _has_text(driver, "Demo jaunā pamatskola", 30)
    return checks.submit(_check_scenario, _download_all(driver, app, "scenario", "lv"), titles,
                         doc)


def _check_scenario(files: dict[str, Path], titles, doc) -> None:
    closed = [str(i) for c in doc["changes"] if "close" in c for i in c["close"]]
    gp, table = check_all(files, lang="lv", title=titles["scenario"],
                          layers={"schools", "closed_schools", "new_schools",
                                  report_name(t("ui.changes", "lv"))},
                          headers=["#", t("ui.changes", "lv")])
    assert len(table) == len(doc["changes"])
    assert "Demo jaunā pamatskola" in " ".join(table[t("ui.changes", "lv")])
    assert sorted(gp["closed_schools"]["id"].astype(str)) == sorted(closed)
    assert list(gp["new_schools"]["name"]) == ["Demo jaunā pamatskola"]
    assert not (set(gp["schools"]["id"].astype(str)) & set(closed))


def _compare_view(driver, app, artifacts, titles, lang: str, checks,
                  formats=FORMATS) -> Future:
    """Compare view: downloads, a screenshot of the view and of page 1 of its PDF report
    (the future's result: the screenshots' paths)."""
    change_js = ("var s = document.querySelector('.geo-legend'); return s && "
                 f"s.innerText.indexOf({json.dumps(t('plan.change_layer', lang))}) >= 0;")
    assert _wait_frame(driver, "st.iframe", change_js, 120), f"no change map ({lang})"
    maps = _frames(driver, "st.iframe")
    if maps:  # the before/after maps in view
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", maps[0])
    shot = driver.get_screenshot_as_png()
    files = _download_all(driver, app, "compare", lang, formats)
    return checks.submit(_check_compare, files, shot, artifacts, titles, lang)


def _check_compare(files: dict[str, Path], shot: bytes, artifacts, titles, lang: str) -> list:
    shots = [artifacts / f"exports-compare-{lang}.png"]
    _assert_not_blank(shot, shots[0])
    headers = [t("app.indicator", lang), t("app.unit", lang), t("app.difference", lang)]
    gp, table = check_all(files, lang=lang, title=titles["compare"],
                          layers={"closed_schools", "new_schools", "newly_beyond"}, headers=headers)
    assert t("ind.mean_min", lang) in set(table[t("app.indicator", lang)])
    page = render_pdf_page(files["pdf"], artifacts / f"exports-report-compare-{lang}.png")
    return shots + ([page] if page else [])


def _optimise_view(driver, app, titles, lang: str, checks) -> Future:
    """Optimise view: run, then every format; kept + closed = the open schools."""
    _open_tab(driver, "ui.tab.optimise", lang)
    assert _has_text(driver, t("app.run", lang)), "no run button"
    _click_text(driver, "button", t("app.run", lang))
    assert _wait(driver, "return document.querySelectorAll('[data-testid=stAlertContentSuccess]')"
                         ".length > 0;", 120), "the optimisation did not finish"
    return checks.submit(_check_optimise, _download_all(driver, app, "optimise", lang), titles,
                         lang)


def _check_optimise(files: dict[str, Path], titles, lang: str) -> None:
    decision = t("ui.decision", lang)
    gp, table = check_all(files, lang=lang, title=titles["optimise"],
                          layers={"schools", "closed_schools", report_name(t("ui.opt_map", lang))},
                          headers=[t("col.school_id", lang), t("col.name", lang), decision])
    n_closed = int((table[decision] == t("ui.closed", lang)).sum())
    assert 0 < n_closed < len(table)
    assert len(gp["schools"]) == len(table) - n_closed  # the map: kept schools ...
    assert len(gp["closed_schools"]) == n_closed  # ... and closed ones crossed out


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------
def test_exports_from_every_view_in_both_languages(driver, app, artifacts, checks):
    """One session: Map, Scenario and Compare in Latvian, Compare and Optimise in English;
    each view's files are checked in the background while the browser goes on."""
    t0 = time.perf_counter()
    doc = planner.scenario_doc_from_bytes(GOOD_YAML.read_bytes(), GOOD_YAML.name)
    _requests(driver)
    driver.get(f"{app['url']}/?region={REGION}")
    done = [_map_view(driver, app, _titles(app["bundle"], "lv", doc), checks)]
    laps = {"map": time.perf_counter() - t0}
    done.append(_scenario_view(driver, app, artifacts, _titles(app["bundle"], "lv", doc), doc,
                               checks))
    laps["scenario"] = time.perf_counter() - t0
    _open_tab(driver, "ui.tab.compare", "lv")
    shots = [_compare_view(driver, app, artifacts, _titles(app["bundle"], "lv", doc), "lv",
                           checks)]
    laps["compare lv"] = time.perf_counter() - t0
    _click_text(driver, "[data-testid=stRadio] label", "English")
    assert _wait(driver, "var s = document.querySelector('[role=tab][aria-selected=true]');"
                         " return s && s.innerText.trim() === 'Compare';", 60)
    titles_en = _titles(app["bundle"], "en", doc)
    shots.append(_compare_view(driver, app, artifacts, titles_en, "en", checks, ("pdf", "csv")))
    laps["compare en"] = time.perf_counter() - t0
    done.append(_optimise_view(driver, app, titles_en, "en", checks))
    laps["optimise"] = time.perf_counter() - t0
    assert _left_machine(_requests(driver)) == []
    _done(done)
    laps["checked"] = time.perf_counter() - t0
    print("\nscreenshots:", *map(str, sum(_done(shots), [])), sep="\n  ")
    print(f"exports test: {time.perf_counter() - t0:.1f} s (cumulative "
          f"{ {k: round(v, 1) for k, v in laps.items()} }), load {os.getloadavg()}")


def _fewer_schools_osm(src: Path, dst: Path) -> Path:
    """``src`` with the ``amenity=school`` tag taken off every second school (a valid OSM file
    that differs from the default one in what the app shows)."""
    import osmium

    n = 0
    with osmium.SimpleWriter(str(dst)) as out:
        for obj in osmium.FileProcessor(str(src)):
            if obj.tags.get("amenity") == "school":
                n += 1
                if n % 2 == 0:
                    obj = obj.replace(tags={tag.k: tag.v for tag in obj.tags if tag.k != "amenity"})
            out.add(obj)
    return dst


def _sidebar_select(driver, label: str) -> tuple[str, list[str]]:
    """The value and the options of the sidebar select box called ``label``."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    find = ("var b = Array.from(document.querySelectorAll('[data-testid=stSidebar] "
            "[data-testid=stSelectbox]')).filter(function (s) { var i = s.querySelector("
            f"'input[role=combobox]'); return i && i.getAttribute('aria-label') === {json.dumps(label)}"
            " && i.value; }); return b.length ? b[0] : null;")
    box = _wait(driver, find, 90)
    assert box, f"no select box {label}"
    value = box.find_element(By.CSS_SELECTOR, "input[role=combobox]").get_attribute("value")
    box.find_element(By.CSS_SELECTOR, "button[aria-haspopup=listbox]").click()
    options = _wait(driver, "var o = Array.from(document.querySelectorAll('[role=option]')).map("
                            "function (e) { return e.innerText.trim(); }); return o.length ? o : "
                            "null;", 30)
    box.find_element(By.CSS_SELECTOR, "input[role=combobox]").send_keys(Keys.ESCAPE)
    return value, options or []


def _sidebar_choose(driver, label: str, option: str) -> None:
    """Choose ``option`` in the sidebar select box called ``label``."""
    from selenium.webdriver.common.by import By

    find = ("var b = Array.from(document.querySelectorAll('[data-testid=stSidebar] "
            "[data-testid=stSelectbox]')).filter(function (s) { var i = s.querySelector("
            f"'input[role=combobox]'); return i && i.getAttribute('aria-label') === {json.dumps(label)}"
            "; }); return b.length ? b[0] : null;")
    box = _wait(driver, find, 90)
    assert box, f"no select box {label}"
    box.find_element(By.CSS_SELECTOR, "button[aria-haspopup=listbox]").click()
    assert _wait(driver, "return document.querySelectorAll('[role=option]').length > 0;", 30)
    _click_text(driver, "[role=option]", option)


def _kept(app, name: str) -> list[Path]:
    """The server's copies of an uploaded file (in its sessions' temporary folders)."""
    return sorted(app["tmp"].rglob(name))


def test_osm_uploads_and_a_later_fresh_session(driver, app, tmp_path):
    """A good OSM upload is written once per session and content and is what the view
    computes, also after a rerun (a change of language); a bad one shows an error in the
    user's language naming the uploaded file, never the server's folder; neither (nor the
    scenario files of the other test) reaches a fresh session."""
    t0 = time.perf_counter()
    bad = tmp_path / "not-osm.osm.pbf"
    bad.write_bytes(b"this is not an OpenStreetMap file\n")
    with pytest.raises(GeoInputError) as err:  # the error the engine gives the file
        planner.save_osm_upload(bad.read_bytes(), bad.name, tmp_path / "expected")
    good = _fewer_schools_osm(app["osm"], tmp_path / "fewer-schools.osm.pbf")
    n_good = len(read_facilities(good, kinds=("school",)))
    assert 0 < n_good < len(read_facilities(app["osm"], kinds=("school",)))
    driver.get(f"{app['url']}/?region=__osm__")
    assert _has_text(driver, t("app.osm_upload", "lv"), 90)
    _upload(driver, good, sidebar=True)

    def metric(lang: str) -> str:
        schools = f"{t('app.schools_count', lang)}\n\n{n_good}"
        return ("var m = Array.from(document.querySelectorAll('[data-testid=stMetric]')).map("
                "function (e) { return e.innerText.trim(); }); return m.indexOf("
                f"{json.dumps(schools)}) >= 0 && document.body.innerText.indexOf("
                f"{json.dumps(t('ui.session_only', lang))}) >= 0 ? m : null;")

    assert _wait(driver, metric("lv"), 180), "the uploaded OSM file was not used"
    kept = _kept(app, good.name)
    assert len(kept) == 1 and kept[0].read_bytes() == good.read_bytes(), kept
    written = kept[0].stat().st_mtime_ns
    _click_text(driver, "[data-testid=stRadio] label", "English")  # a rerun of the view
    assert _wait(driver, metric("en"), 120), "the upload was not used after a rerun"
    assert _kept(app, good.name) == kept and kept[0].stat().st_mtime_ns == written
    _upload(driver, bad, sidebar=True)
    assert _has_text(driver, f"{t('ui.upload_bad', 'en')}: {bad.name}"), "no English error"
    assert _has_text(driver, error_text(err.value, "en"), 10)
    shown = driver.execute_script("return document.body.innerText;")
    assert str(app["tmp"]) not in shown and "geo-upload-" not in shown, "a server path is shown"
    assert _kept(app, bad.name) == []
    uploaded = time.perf_counter() - t0

    # a later fresh session: the default region, no scenario; then the data path's OSM files
    mp = pytest.MonkeyPatch()
    mp.setenv("GEO_DATA_PATH", str(app["osm"].parent))  # the server's search path
    mp.setattr(settings, "BUNDLES_DIR", app["bundles"])
    on_path = {p.name for p in jobs.find_osm_files()}
    default, why = jobs.default_region()
    mp.undo()
    assert not ({bad.name, good.name} & on_path)
    driver.get(f"{app['url']}/")
    assert _has_text(driver, t(why, "lv").split("`")[0], 90)
    assert _sidebar_select(driver, t("app.region", "lv"))[0] == default == REGION
    _open_tab(driver, "app.tab.scenarios", "lv")
    assert _has_text(driver, t("ui.no_changes", "lv"), 90)
    text = driver.execute_script("return document.body.innerText;")
    assert "clsoe" not in text and "Demo jaunā pamatskola" not in text
    _sidebar_choose(driver, t("app.region", "lv"), t("app.other_osm", "lv"))
    shown, options = _sidebar_select(driver, t("app.osm_file", "lv"))
    assert shown == app["osm"].name  # the smallest file on the path, as before the uploads
    assert not ({bad.name, good.name} & set(options)) and set(options) <= on_path, options
    print(f"\nOSM uploads: {uploaded:.1f} s, with a fresh session {time.perf_counter() - t0:.1f} s,"
          f" load {os.getloadavg()}")
