"""Security of what the tool writes and reads: HTML, CSV, YAML.

Each part is a table of cases, so that a new payload or a new bad file is one more row:

* **HTML** (:data:`PAYLOADS` x :data:`BUILDERS`): names that carry markup, script or jinja2
  template code reach the exported map (tooltips, popups, layer control, legend, title) and
  ``report.html`` only escaped, and are still shown as written. jinja2 code is dangerous twice:
  branca renders a map's scripts once more as a template, so ``{{ ... }}`` in a school name
  would run as Python while the map is exported (:data:`SSTI`). A browser test opens a map
  and a ``report.html`` of a real road network whose school and municipality names carry
  script, opens every tooltip and popup, and fails if any script runs.
* **CSV** (:data:`CSV_CELLS`): every CSV goes through :mod:`geo._csv`; text cells that a
  spreadsheet would run as a formula are neutralised in the default and the Latvian Excel form;
  numbers stay numbers.
* **YAML** (:data:`YAML_CASES`): scenario files and recipes are read by :mod:`geo._yaml`;
  duplicate keys, alias bombs, deep nesting, oversized, binary and non-UTF-8 files are named
  errors, quickly.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import PROJECT_ROOT, built_network, osm_file
from test_offline_browser import CHROMEDRIVER, CHROMIUM, CHROMIUM_FLAGS, _left_machine, _requests

from geo import _csv, _yaml, jobs, settings
from geo.errors import GeoInputError
from geo.outputs import layers as map_layers
from geo.outputs import report, web
from geo.outputs.layers import LegendItem, MapLayer
from geo.planning.scenario import load_scenario
from geo.region.recipe import load_recipe

GEO = PROJECT_ROOT / "geo"

# ============================================================================================
# HTML
# ============================================================================================
#: Names a hostile or careless source could hold (IZM file, OSM, a scenario's ``open`` id).
PAYLOADS = {
    "img-onerror": "<img src=x onerror=alert(1)>",
    "script": "<script>alert(1)</script>",
    "attribute-break": '"><svg onload=alert(1)>',
    "script-close": "</script><script>window.__pwned=1</script>",
    "jinja-expression": "{{ 7*7 }}",
    "jinja-statement": "{% for x in range(3) %}X{% endfor %}",
    "jinja-comment": "Skola {# hidden #} A",
    "jinja-quoted": "{{ 'a' ~ \"b\" }}",
    "entities": "&lt;b&gt; Bērzes & Co 'x'",
    "latvian": "Cēsu Valsts ģimnāzija",
}


def _points(names, **cols) -> gpd.GeoDataFrame:
    n = len(names)
    return gpd.GeoDataFrame({"name": names, **cols},
                            geometry=shapely.points(24.5 + 0.1 * np.arange(n), np.full(n, 57.3)),
                            crs=4326)


def _squares(names, **cols) -> gpd.GeoDataFrame:
    n = len(names)
    x = 24.5 + 0.1 * np.arange(n)
    return gpd.GeoDataFrame({"name": names, **cols},
                            geometry=shapely.box(x, 57.3, x + 0.05, 57.35), crs=4326)


def _custom_layer(p: str) -> MapLayer:
    data = gpd.GeoDataFrame({"_c": ["#123456"], "f0": [p]}, geometry=shapely.points([24.6], [57.2]),
                            crs=4326)
    return MapLayer("custom", p, data, "point", fields=[("f0", p)],
                    legend=[LegendItem(p, "#123456", "circle"), LegendItem("other", "#000000")],
                    popup=True, note=p, attribution=p)


#: Ways a name reaches a map: builder(payload) -> (layers, title).
BUILDERS = {
    "school name": lambda p: ([map_layers.schools_layer(
        _points([p, "Skola"], pupils=[120, 30], type=["vidusskola", "pamatskola"]), "lv")], None),
    "dormitory name": lambda p: ([map_layers.dormitories_layer(_points([p], beds=[20]), "en")], None),
    "municipality name": lambda p: ([map_layers.boundaries_layer(_squares([p, "Cēsu novads"]),
                                                                 "lv")], None),
    "catchment school": lambda p: ([map_layers.catchments_layer(
        _squares([p, "B"]).rename(columns={"name": "school_name"}), "en")], None),
    "nearest school of a cell": lambda p: ([map_layers.travel_time_layer(
        _squares(["a", "b"], time_min=[5.0, 50.0], population=[10, 20], school_name=[p, "x"]),
        "en", dissolve=False)], None),
    "layer name, label, legend, note, source": lambda p: ([_custom_layer(p)], None),
    "map title": lambda p: ([map_layers.schools_layer(_points(["Skola"]), "en")], p),
}


_STR = r'"(?:[^"\\]|\\.)*"'


def html_sinks(doc: str) -> list[str]:
    """Every text of an exported map that the browser inserts as HTML (``innerHTML``).

    Tooltip and popup values (feature properties) and labels (aliases), the legend and title
    (``div.innerHTML = "..."``) and the layer control's names (Leaflet sets them as HTML).
    """
    sinks: list[str] = []
    for m in re.finditer(r"_add\((\{[^\n]*\})\);", doc):
        for f in json.loads(m.group(1))["features"]:
            sinks += [str(v) for k, v in f["properties"].items()
                      if not k.startswith("_") and v is not None]
    for m in re.finditer(r"let aliases = (\[[^\n]*\]);", doc):
        sinks += json.loads(m.group(1))
    for m in re.finditer(rf"innerHTML = ({_STR});", doc):
        sinks.append(json.loads(m.group(1)))
    for m in re.finditer(r"overlays :\s*\{(.*?)\}", doc, re.S):
        sinks += [json.loads(k) for k in re.findall(rf"({_STR})\s*:", m.group(1))]
    return sinks


def assert_only_escaped(doc: str, payload: str) -> None:
    """The payload reaches no HTML sink as markup or template code, and is shown as written."""
    sinks = html_sinks(doc)
    assert sinks, "no HTML sink found: the map's structure changed, update html_sinks()"
    for s in sinks:
        if any(ch in payload for ch in "<>\"'&{}"):
            assert payload not in s, f"unescaped in the HTML: {s!r}"
        assert _only_our_markup(s), f"markup from data in {s!r}"
        assert "{{" not in s and "{%" not in s and "{#" not in s, f"template code in {s!r}"
    shown = [html.unescape(re.sub(r"<[^>]*>", "", s)) for s in sinks]
    assert any(payload in s for s in shown), f"{payload!r} is not shown as text; sinks: {sinks}"


#: Markup the map itself writes (legend rows, symbols); user text never adds a tag.
_OUR_TAGS = re.compile(r'</?(?:div|span)(?: class="[a-z -]+")?(?: (?:style|data-layer)="[^"<>]*")*>')


def _only_our_markup(s: str) -> bool:
    return "<" not in _OUR_TAGS.sub("", s) and ">" not in _OUR_TAGS.sub("", s)


@pytest.mark.parametrize("builder", list(BUILDERS))
@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_map_html_holds_names_only_escaped(payload, builder):
    p = PAYLOADS[payload]
    layers, title = BUILDERS[builder](p)
    doc = web.to_html(web.make_map(layers, lang="en", title=title))
    assert_only_escaped(doc, p)


def test_report_html_and_csv_hold_names_escaped_and_neutralised(tmp_path):
    names = list(PAYLOADS.values())
    schools = _points(names, pupils=np.arange(len(names)) * 10 - 5)
    table = pd.DataFrame({"name": names + ["=HYPERLINK(\"http://x\",\"klik\")"],
                          "pupils": np.arange(len(names) + 1) * 1.5 - 3})
    out = report.export_bundle(tmp_path / "out", layers=[map_layers.schools_layer(schools, "lv")],
                               tables={"skolas": table}, title=PAYLOADS["img-onerror"],
                               formats=("html", "csv"), lang="lv")
    doc = out["html"].read_text("utf-8")
    for p in names:
        assert_only_escaped(doc, p)
    back = pd.read_csv(out["csv"][0], sep=";", decimal=",", encoding="utf-8-sig",
                       keep_default_na=False)
    assert back["pupils"].tolist() == pytest.approx(table["pupils"].tolist())
    assert back["name"].iloc[-1] == "'=HYPERLINK(\"http://x\",\"klik\")"


#: Template code that would run Python (set an environment variable) if rendered by jinja2.
SSTI = "{{ cycler.__init__.__globals__.os.environ.update(GEO_PWNED=cycler.__name__) }}"


def test_ssti_payload_is_live_in_plain_folium(monkeypatch):
    """Control: rendered by folium without the project's escaping, the name runs as Python."""
    monkeypatch.delenv("GEO_PWNED", raising=False)
    m = folium.Map()
    fc = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"n": SSTI},
        "geometry": {"type": "Point", "coordinates": [24.5, 57.3]}}]}
    folium.GeoJson(fc, tooltip=folium.GeoJsonTooltip(["n"])).add_to(m)
    m.get_root().render()
    assert os.environ.get("GEO_PWNED") == "Cycler"


@pytest.mark.parametrize("builder", list(BUILDERS))
def test_template_code_in_a_name_does_not_run_on_export(builder, monkeypatch):
    monkeypatch.delenv("GEO_PWNED", raising=False)
    layers, title = BUILDERS[builder](SSTI)
    doc = web.to_html(web.make_map(layers, lang="lv", title=title))
    assert "GEO_PWNED" not in os.environ
    assert_only_escaped(doc, SSTI)


# --------------------------------------------------------------------------------------------
# A real road network whose names carry script (engine -> map -> report -> browser)
# --------------------------------------------------------------------------------------------
#: Payloads that would leave a trace in the page: an alert dialog and ``window.__pwned``.
BROWSER_PAYLOADS = [
    '<img src=x onerror="window.__pwned=1;alert(1)">',
    "<script>window.__pwned=1;alert(1)</script>",
    '"><svg onload="window.__pwned=1;alert(1)">',
    "</script><script>window.__pwned=1;alert(1)</script>",
    "<iframe src=\"javascript:parent.__pwned=1;alert(1)\"></iframe>",
    "{{ 7*7 }}<details open ontoggle=\"window.__pwned=1;alert(1)\">",
]


@pytest.fixture(scope="module")
def hostile_region(tmp_path_factory):
    """Travel-time map and report of Liechtenstein (real OSM roads and schools), with every
    school and the municipality named by a script payload."""
    from geo.sources.osm import read_facilities

    net = built_network("liechtenstein")
    schools = read_facilities(osm_file("liechtenstein"), kinds=("school",)).reset_index(drop=True)
    schools["name"] = [BROWSER_PAYLOADS[i % len(BROWSER_PAYLOADS)] for i in range(len(schools))]
    nodes = gpd.GeoSeries(shapely.points(net.lon, net.lat), crs=4326).to_crs(3035)
    x0, y0, x1, y1 = nodes.total_bounds
    xs = np.arange(np.floor(x0 / 2000) * 2000, x1, 2000)
    ys = np.arange(np.floor(y0 / 2000) * 2000, y1, 2000)
    X, Y = (a.ravel() for a in np.meshgrid(xs, ys))
    grid = gpd.GeoDataFrame(geometry=shapely.box(X, Y, X + 2000, Y + 2000), crs=3035)
    boundary = gpd.GeoDataFrame({"name": [BROWSER_PAYLOADS[0]]},
                                geometry=[nodes.union_all().convex_hull], crs=3035)
    m = jobs.travel_time_map(net, schools, grid, lang="lv", title=BROWSER_PAYLOADS[2],
                             school_name="name", boundaries=boundary, roads=False)
    out = tmp_path_factory.mktemp("hostile")
    table = pd.DataFrame({"school": schools["name"], "pupils": np.arange(len(schools))})
    files = report.export_bundle(out / "report", m=m, tables={"schools": table},
                                 title=BROWSER_PAYLOADS[2], formats=("html", "csv"), lang="lv")
    return {"map": report.export_html(m, out / "karte.html"), "report": files["html"],
            "csv": files["csv"][0], "layers": m._geo_layers}


def test_travel_time_map_of_hostile_region_is_escaped(hostile_region):
    for key in ("map", "report"):
        doc = hostile_region[key].read_text("utf-8")
        for p in BROWSER_PAYLOADS:
            assert_only_escaped(doc, p)


#: Opens every tooltip and popup of every feature of the page's Leaflet maps; returns their
#: texts, with the legend, title and layer-control labels.
OPEN_ALL_JS = """
var texts = [], opened = 0;
var maps = Object.keys(window).filter(function (k) {
  return k.indexOf("map_") === 0 && window[k] instanceof L.Map; }).map(function (k) { return window[k]; });
function grab() {
  document.querySelectorAll(".leaflet-tooltip, .leaflet-popup-content").forEach(function (e) {
    texts.push(e.innerText); });
}
maps.forEach(function (map) {
  map.eachLayer(function (l) {
    if (!l.feature) { return; }
    var ll = l.getLatLng ? l.getLatLng() : l.getBounds().getCenter();
    l.fire("mouseover", {latlng: ll}, true); grab();
    l.fire("click", {latlng: ll}, true); grab();
    opened++;
  });
});
document.querySelectorAll(".geo-legend, .geo-title, .leaflet-control-layers-overlays")
  .forEach(function (e) { texts.push(e.innerText); });
return {maps: maps.length, opened: opened, texts: texts};
"""


def _no_script_ran(driver) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        alert = driver.switch_to.alert
        text = alert.text
        alert.dismiss()
        pytest.fail(f"a script ran: alert({text!r})")
    except NoAlertPresentException:
        pass
    assert driver.execute_script("return typeof window.__pwned;") == "undefined", "a script ran"


@pytest.mark.parametrize("which", ["map", "report"])
def test_browser_runs_no_script_from_names(which, hostile_region):
    """Chromium with the network blocked: every tooltip and popup opened, no script runs."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("Debian chromium and chromium-driver are not installed "
                    "('apt-get install chromium chromium-driver')")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="geo-chromium-")
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    opts.set_capability("unhandledPromptBehavior", "ignore")  # an alert stays for us to see
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        driver.set_page_load_timeout(60)
        driver.get(hostile_region[which].as_uri())
        time.sleep(1.0)
        _no_script_ran(driver)
        got = driver.execute_script(OPEN_ALL_JS)
        time.sleep(1.5)  # an <img onerror> or <iframe> would fire by now
        _no_script_ran(driver)
        assert got["maps"] == 1
        n_features = sum(len(la.data) for la in hostile_region["layers"] if la.show)
        assert got["opened"] >= n_features
        shown = "\n".join(got["texts"])
        for p in BROWSER_PAYLOADS:  # every name is shown as written (popups, legend, title)
            assert p in shown, p
        assert _left_machine(_requests(driver)) == []
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


# ============================================================================================
# CSV
# ============================================================================================
#: (text cell, as written): formula starts get a leading ', other text and plain numbers not.
CSV_CELLS = [
    ("=1+1", "'=1+1"),
    ("=HYPERLINK(\"http://example.com\",\"klik\")", "'=HYPERLINK(\"http://example.com\",\"klik\")"),
    ("+1+1", "'+1+1"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("-", "'-"),
    ("-5", "-5"),            # a negative number written as text: not a formula
    ("+3,5", "+3,5"),
    ("1-6", "1-6"),
    ("Cēsu novads", "Cēsu novads"),
    ("a=b", "a=b"),
    ("", ""),
]


def _table() -> pd.DataFrame:
    n = len(CSV_CELLS)
    return pd.DataFrame({
        "name": [c for c, _ in CSV_CELLS],
        "time_min": np.linspace(-7.25, 42.5, n),        # negative numbers stay numbers
        "pupils": np.arange(n) - 3,
        "open": np.arange(n) % 2 == 0,
    })


FORMS = {  # name -> (write options, read options)
    "default": ({}, {"sep": ",", "decimal": "."}),
    "latvian excel": ({"excel_lv": True}, {"sep": ";", "decimal": ","}),
}


@pytest.mark.parametrize("form", list(FORMS))
def test_csv_round_trip_neutralises_text_keeps_numbers(form, tmp_path):
    write_opts, read_opts = FORMS[form]
    df = _table()
    path = _csv.write_csv(df, tmp_path / "t.csv", **write_opts)
    back = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, dtype={"name": str},
                       **read_opts)
    assert back["name"].tolist() == [w for _, w in CSV_CELLS]
    assert back["time_min"].dtype == np.float64 and back["pupils"].dtype == np.int64
    assert back["time_min"].to_numpy() == pytest.approx(df["time_min"].to_numpy())
    assert (back["pupils"] == df["pupils"]).all() and (back["open"] == df["open"]).all()
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert df["name"].tolist() == [c for c, _ in CSV_CELLS]  # the caller's table is untouched


def test_latvian_excel_form_uses_semicolons_and_decimal_commas(tmp_path):
    df = pd.DataFrame({"nosaukums": ["Ērgļu vidusskola", "=2*3"], "laiks": [-1.5, 12.25]})
    raw = _csv.write_csv(df, tmp_path / "lv.csv", excel_lv=True).read_bytes()
    assert raw.decode("utf-8-sig").split("\r\n") == [
        "nosaukums;laiks", "Ērgļu vidusskola;-1,5", "'=2*3;12,25", ""]
    assert _csv.csv_bytes(df, excel_lv=True) == raw


def test_header_and_index_cells_are_neutralised():
    df = pd.DataFrame({"=cmd": [1], "ok": ["@x"]}, index=pd.Index(["-a"], name="id"))
    text = _csv.csv_text(df, index=True)
    assert text.splitlines() == ["id,'=cmd,ok", "'-a,1,'@x"]


def test_report_export_csv_goes_through_the_writer(tmp_path):
    gdf = _points(["=1+1", "Skola"], pupils=[-3, 4])
    back = pd.read_csv(report.export_csv(gdf, tmp_path / "s.csv", excel_lv=True), sep=";",
                       decimal=",", encoding="utf-8-sig")
    assert back["name"].tolist() == ["'=1+1", "Skola"]
    assert back["pupils"].tolist() == [-3, 4]
    assert back["lon"].tolist() == pytest.approx([24.5, 24.6])


def _code_files():
    yield PROJECT_ROOT / "app.py"
    yield from sorted(GEO.rglob("*.py"))


def test_every_csv_is_written_by_the_one_writer():
    """No module writes CSV itself: ``to_csv`` appears only in geo/_csv.py."""
    offenders = [f"{p.relative_to(PROJECT_ROOT)}:{i}"
                 for p in _code_files() if p.name != "_csv.py"
                 for i, line in enumerate(p.read_text("utf-8").splitlines(), 1)
                 if ".to_csv(" in line]
    assert offenders == []


# ============================================================================================
# YAML
# ============================================================================================
def _bomb(levels: int = 9, fan: int = 10) -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * fan) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fan) + "]")
    return "\n".join(lines) + "\n"


#: (case, file content (str: written as UTF-8; bytes: as is), error pattern)
YAML_CASES = [
    ("duplicate top-level key",
     "name: Close A\nchanges:\n  - close: ['1']\nchanges: []\n",
     r"line 4: the key 'changes' is written twice \(lines 2 and 4\)"),
    ("duplicate nested key", "transport:\n  mode: bus\n  mode: car\n",
     r"line 3: the key 'mode' is written twice \(lines 2 and 3\)"),
    ("duplicate key in a flow mapping", "changes:\n  - merge: {school: '1', school: '2'}\n",
     r"the key 'school' is written twice \(lines 2 and 2\)"),
    ("duplicate key, quoted and plain", "name: a\n'name': b\n",
     r"the key 'name' is written twice \(lines 1 and 2\)"),
    ("alias bomb (billion laughs)", _bomb(), r"alias bomb"),
    ("alias referring to itself", "a: &a [1, *a]\n", r"refers to itself"),
    ("deep flow nesting", "a: " + "[" * 200 + "]" * 200 + "\n", r"nested more than 50 levels"),
    ("deep block nesting", "".join(" " * (2 * i) + f"k{i}:\n" for i in range(80)) + " " * 160 + "x: 1\n",
     r"line 50: the YAML is nested more than 50"),
    ("very deep flow nesting", "[" * 200_000, r"nested more than 50 levels"),
    ("Windows-1257 text", "name: Skolu slēgšana Ērgļos\n".encode("cp1257"),
     r"line 1: .*not UTF-8 text \(byte 0x.*Windows-1257.*iconv -f cp1257"),
    ("UTF-16 text", "name: a\n".encode("utf-16"), r"UTF-16 text; it must be UTF-8"),
    ("binary file", b"PK\x03\x04\x00\x00binary\x00", r"binary file, not a YAML"),
    ("python object tag", "name: !!python/object/apply:os.system ['echo pwned']\n",
     r"line 1: not valid YAML \(could not determine a constructor"),
    ("syntax error", "changes: [\n", r"not valid YAML"),
]

#: Loaders of the tool that must use the one YAML reader: input kind -> load(path).
YAML_LOADERS = {
    "scenario": load_scenario,
    "recipe": load_recipe,
}


@pytest.mark.parametrize("loader", list(YAML_LOADERS))
@pytest.mark.parametrize("case, content, pattern", YAML_CASES, ids=[c[0] for c in YAML_CASES])
def test_bad_yaml_is_a_named_error_quickly(case, content, pattern, loader, tmp_path):
    path = tmp_path / "bad.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    t0 = time.perf_counter()
    with pytest.raises(GeoInputError, match=pattern) as err:
        YAML_LOADERS[loader](path)
    assert time.perf_counter() - t0 < 5.0
    assert str(path) in str(err.value) and "Fix:" in str(err.value)


@pytest.mark.parametrize("kind", ["scenario", "recipe"])
def test_oversized_yaml_is_refused_before_reading(kind, tmp_path, monkeypatch):
    limit = settings.YAML_MAX_BYTES[kind]
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * limit + b"\nname: a\n")
    read = []
    monkeypatch.setattr(_yaml, "_decode", lambda raw, *a: read.append(raw) or "")
    loader = YAML_LOADERS[kind]
    with pytest.raises(GeoInputError, match=rf"at most {limit:,} bytes"):
        loader(path)
    assert read == []
    monkeypatch.undo()
    path.write_bytes(b"# " + b"x" * (limit - 20) + b"\nname: a\n")  # just under the limit
    assert _yaml.load_yaml(path, kind=kind).data == {"name": "a"}


def test_duplicate_changes_are_not_evaluated_as_the_baseline(tmp_path):
    """Before: the second ``changes:`` silently won, so the closure was never evaluated."""
    ok = tmp_path / "ok.yaml"
    ok.write_text("name: Close one\nchanges:\n  - close: ['9900000012']\n", encoding="utf-8")
    assert [c.kind for c in load_scenario(ok).changes] == ["close"]
    dup = tmp_path / "dup.yaml"
    dup.write_text("name: Close one\nchanges:\n  - close: ['9900000012']\nchanges:\n",
                   encoding="utf-8")
    with pytest.raises(GeoInputError, match=r"'changes' is written twice \(lines 2 and 4\)"):
        load_scenario(dup)


#: Valid files that must keep loading: (case, content, check(data)).
YAML_VALID = [
    ("byte-order mark", "\ufeffname: a\n", lambda d: d == {"name": "a"}),
    ("merge key is not a duplicate", "base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n",
     lambda d: d["c"] == {"x": 1, "y": 2}),
    ("a few aliases", "t: &t {mode: bus}\nu: *t\n", lambda d: d["u"] == {"mode": "bus"}),
    ("same key in two mappings", "a: {k: 1}\nb: {k: 2}\n", lambda d: d["b"]["k"] == 2),
    ("50 levels of nesting", "a: " + "[" * 48 + "]" * 48 + "\n", lambda d: isinstance(d["a"], list)),
    ("empty file", "", lambda d: d is None),
    ("Latvian letters", "name: Ērgļu vidusskola\n", lambda d: d["name"] == "Ērgļu vidusskola"),
]


@pytest.mark.parametrize("case, content, check", YAML_VALID, ids=[c[0] for c in YAML_VALID])
def test_valid_yaml_still_loads(case, content, check, tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(content, encoding="utf-8")
    doc = _yaml.load_yaml(path, kind="scenario")
    assert check(doc.data)


def test_scenario_errors_keep_their_line_numbers(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: x\n\nchanges:\n  - close: ['1']\n  - shut: ['2']\n", encoding="utf-8")
    with pytest.raises(GeoInputError, match=r"line 5: .*shut"):
        load_scenario(path)
    doc = _yaml.load_yaml(path, kind="scenario")
    assert doc.lines[("changes", 1, "shut")] == 5 and doc.lines[("changes",)] == 3


def test_every_yaml_file_is_read_by_the_one_loader():
    """No module of geo/ parses YAML itself: ``yaml.safe_load`` / ``yaml.load`` /
    ``yaml.compose`` appear only in geo/_yaml.py."""
    pat = re.compile(r"\byaml\.(?:safe_load|load|full_load|unsafe_load|compose|load_all)\(")
    offenders = [f"{p.relative_to(PROJECT_ROOT)}:{i}"
                 for p in sorted(GEO.rglob("*.py")) if p.name != "_yaml.py"
                 for i, line in enumerate(p.read_text("utf-8").splitlines(), 1)
                 if pat.search(line)]
    assert offenders == []


def test_shipped_scenarios_and_recipes_pass_the_strict_loader():
    files = sorted((PROJECT_ROOT / "scenarios").glob("*.yaml"))
    recipes = sorted((PROJECT_ROOT / "data" / "regions").glob("*.yaml"))
    assert files and recipes
    for p in files:
        load_scenario(p)
    for p in recipes:
        load_recipe(p)

