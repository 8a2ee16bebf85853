"""Errors and warnings a planner meets in the app, in Latvian and English.

Each case makes a real bad input (a scenario file with a mistake in each change kind, an
upload that is empty, binary, of the wrong format, too large, without a CRS or with missing
columns, an output folder that is refused, a broken region bundle, a boundary that had to be
repaired) and checks that ``exc.text("lv")`` is Latvian (none of a few common English words
outside the quoted values), keeps the file name, the line or rows and the fix, and that
``str(exc)`` is the English text. The app shows the Latvian text (AppTest). A static check
lists the raise sites that still give plain English text (:data:`UNKEYED`), and checks that
every ``Msg("err.…")`` key exists with the values its templates use.
"""

from __future__ import annotations

import ast
import functools
import json
import pickle
import re
import socket
import warnings
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely
from conftest import PROJECT_ROOT, shared_file
from pyproj import Transformer

from geo import i18n, settings
from geo._files import owned_dir, owned_file
from geo.errors import GeoInputError, GeoWarning, Msg, Num, _fields, error_text
from geo.outputs import planner
from geo.planning.scenario import CHANGE_KEYS, TOP_KEYS, load_scenario
from geo.region.bundle import load_bundle
from geo.region.recipe import LAYER_KEYS, _how_to_get, how_to_get_msg, list_recipes, load_recipe
from geo.sources import izm
from geo.sources.boundaries import read_boundaries
from geo.sources.capacity import read_capacity
from geo.sources.census import read_census_grid
from geo.sources.ookla import read_ookla_grid
from geo.sources.osm_download import download_geofabrik
from geo.sources.tabular import check_file

GEO = PROJECT_ROOT / "geo"

#: English words that must not appear in a Latvian message (outside quoted values and paths).
ENGLISH = re.compile(
    r"\b(the|is|not|must|cannot|unknown|line|file|row|rows|fix|give|use|already|twice|column|"
    r"columns|missing|empty|folder|found|got|needs|lacks|listed|bytes|table|output|closed|"
    r"exists|school|region|write|check|save)\b", re.IGNORECASE)
#: Quoted values ('x', "x", `x`), which stay as they are.
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`")
#: The scenario file's own keywords (close:, school:, region: ...), named as they are written.
KEYWORDS = re.compile(r"\b(" + "|".join(
    {*TOP_KEYS, *CHANGE_KEYS, *(k for v in CHANGE_KEYS.values() for k in v)}) + r")\b")


def latvian(exc: GeoInputError | GeoWarning, *keep: str, path: Path | None = None) -> str:
    """``exc`` in Latvian, checked: differs from the English, keeps ``keep`` (file name, line,
    rows), has the translated fix, and no English word outside quoted values and the path."""
    lv, en = exc.text("lv"), exc.text("en")
    assert en == str(exc)  # the English text is the one the CLI and the logs show
    assert lv != en, lv
    for k in keep:
        assert k in lv, (k, lv)
    if getattr(exc, "fix_msg", None):
        assert "Kā labot:" in lv and "Fix:" in en and "Fix:" not in lv
    rest = lv.replace(str(path), "") if path is not None else lv
    rest = KEYWORDS.sub("", QUOTED.sub("", rest))
    assert not ENGLISH.findall(rest), (ENGLISH.findall(rest), lv)
    return lv


# --------------------------------------------------------------------------------------------
# Scenario files: a mistake in each change kind, ids, keys, YAML
# --------------------------------------------------------------------------------------------
SCENARIO_CASES = [
    # (case, YAML after "name: x\n", key of the error, line named)
    ("unknown change kind", "changes:\n  - clsoe: ['4411900920']\n", "err.scenario.unknown_change", 3),
    ("close: no school", "changes:\n  - close: []\n", "err.scenario.no_school", 3),
    ("close: a float id", "changes:\n  - close: [1.5]\n", "err.scenario.bad_id", 3),
    ("merge into itself", "changes:\n  - merge: {school: '1', into: '1'}\n",
     "err.scenario.merge_itself", 3),
    ("merge: unknown key", "changes:\n  - merge: {school: '1', inot: '2'}\n",
     "err.scenario.unknown_key", 3),
    ("set_grades: grades and type", "changes:\n  - set_grades: {school: '1', grades: '1-6', "
     "type: sākumskola}\n", "err.scenario.grades_or_type", 3),
    ("set_capacity: no capacity", "changes:\n  - set_capacity: {school: '1'}\n",
     "err.scenario.needs", 3),
    ("set_capacity: negative", "changes:\n  - set_capacity:\n      school: '1'\n"
     "      capacity: -5\n", "err.scenario.range", 5),
    ("open: lon/lat and x/y", "changes:\n  - open: {id: N1, grades: '1-9', lon: 25, lat: 57, "
     "x: 1, y: 2}\n", "err.scenario.location", 3),
    ("open: no grades", "changes:\n  - open: {id: N1, lon: 25, lat: 57}\n",
     "err.scenario.open_grades", 3),
    ("dormitory: two operations", "changes:\n  - dormitory: {school: '1', add: 5, remove: 2}\n",
     "err.scenario.dormitory_op", 3),
    ("unknown top key", "yaer: 2027\n", "err.scenario.unknown_key", 2),
    ("year out of range", "year: 1800\n", "err.scenario.year", 2),
    ("unknown grade band", "thresholds_min:\n  '1-5': 30\n", "err.scenario.unknown_band", 3),
    ("transport mode", "transport:\n  mode: train\n", "err.scenario.mode", 3),
    ("key written twice", "year: 2027\nyear: 2028\n", "err.yaml.duplicate_key", 3),
    ("changes not a list", "changes: close\n", "err.scenario.changes_list", 2),
]


@pytest.mark.parametrize(("case", "body", "key", "line"), SCENARIO_CASES,
                         ids=[c[0] for c in SCENARIO_CASES])
def test_scenario_file_errors_in_latvian(case, body, key, line, tmp_path):
    path = tmp_path / "plan_b.yaml"
    path.write_text("name: x\n" + body, encoding="utf-8")
    with pytest.raises(GeoInputError) as info:
        load_scenario(path)
    exc = info.value
    assert exc.key in (key, "err.scenario.field")
    assert key in repr(exc.message)  # the specific message, inside the line/key prefix
    latvian(exc, "plan_b.yaml", path=path)
    assert f"{line}. rinda" in exc.text("lv") and f"line {line}" in str(exc)


def test_scenario_yaml_and_encoding_errors_keep_file_and_line(tmp_path):
    path = tmp_path / "plan_c.yaml"
    path.write_text("name: x\nchanges: [\n", encoding="utf-8")
    with pytest.raises(GeoInputError) as info:
        load_scenario(path)
    lv = info.value.text("lv")  # the parser's own words stay in brackets
    assert lv.startswith(f"{path}: ") and "nederīgs YAML" in lv and "Kā labot:" in lv
    assert re.search(r"\d\. rinda", lv) and "line " in str(info.value)
    path.write_bytes("name: Alūksne\n".encode("cp1257"))
    with pytest.raises(GeoInputError) as info:
        load_scenario(path)
    latvian(info.value, "plan_c.yaml", "1. rinda", "0xFB", path=path)
    path.write_bytes(b"name: x\n\x00\x01")
    with pytest.raises(GeoInputError) as info:
        load_scenario(path)
    assert "binārs fails" in latvian(info.value, "plan_c.yaml", path=path)


def test_upload_of_a_scenario_names_the_uploaded_file(tmp_path):
    """The app checks an upload under a temporary name; the error names the user's file."""
    with pytest.raises(GeoInputError) as info:
        planner.scenario_doc_from_bytes(b"name: x\nchanges:\n  - close: []\n", "mans_plans.yaml")
    exc = info.value
    assert exc.key == "err.scenario.field" and str(exc).startswith("mans_plans.yaml: line 3")
    assert latvian(exc, "mans_plans.yaml").startswith("mans_plans.yaml: 3. rinda: changes[0].close")
    with pytest.raises(GeoInputError) as info:
        planner.scenario_doc_from_bytes("name: Ērgļi\n".encode("cp1257"), "plans.yaml")
    latvian(info.value, "plans.yaml")


# --------------------------------------------------------------------------------------------
# Uploads and input tables
# --------------------------------------------------------------------------------------------
def _capacity_rows(n: int = 8) -> pd.DataFrame:
    """Capacity rows for the first real schools of the IZM registry file."""
    reg = pd.read_csv(shared_file("vidzeme", "schools",
                                  "vidzeme_schools_pupils_by_grade_2022-12-01.csv"), dtype=str)
    ids = reg["Iestādes reģistrācijas Nr."].head(n).tolist()
    return pd.DataFrame({"reg_nr": ids, "capacity": [300 + 10 * i for i in range(n)]})


def test_upload_errors_in_latvian(tmp_path, monkeypatch):
    session = tmp_path / "session"
    with pytest.raises(GeoInputError) as info:  # the app's OSM upload
        planner.save_osm_upload(b"", "tukss.osm.pbf", session)
    assert "fails ir tukšs" in latvian(info.value, "tukss.osm.pbf")
    with pytest.raises(GeoInputError) as info:
        planner.save_osm_upload(b"<html>not osm</html>", "lapa.osm", session)
    assert "nav OpenStreetMap fails" in latvian(info.value, "lapa.osm", path=session)
    assert not list(session.iterdir())  # nothing kept

    cap = tmp_path / "ietilpiba.csv"
    cap.write_bytes(b"")
    with pytest.raises(GeoInputError, match="is empty") as info:
        read_capacity(cap)
    assert "skolu ietilpības fails ir tukšs" in latvian(info.value, "ietilpiba.csv", path=cap)
    cap.write_bytes(b"reg_nr,capacity\n\x00\x01\x02")
    with pytest.raises(GeoInputError, match="should be text") as info:
        read_capacity(cap)
    assert "binārs fails" in latvian(info.value, "ietilpiba.csv", ".csv", path=cap)
    xlsx = tmp_path / "ietilpiba.xlsx"
    xlsx.write_text("reg_nr,capacity\n1,2\n", encoding="utf-8")
    with pytest.raises(GeoInputError, match="not a valid .xlsx") as info:
        read_capacity(xlsx)
    assert "saturs ir teksts" in latvian(info.value, "ietilpiba.xlsx", path=xlsx)

    _capacity_rows().rename(columns={"capacity": "skoleni_max"}).to_csv(cap, index=False)
    with pytest.raises(GeoInputError, match="lacks column") as info:
        read_capacity(cap)
    assert "trūkst kolonnu ['capacity']" in latvian(info.value, "ietilpiba.csv", path=cap)
    rows = _capacity_rows()
    rows.loc[5, "reg_nr"] = rows.loc[1, "reg_nr"]  # one school on file rows 3 and 7
    rows.to_csv(cap, index=False)
    with pytest.raises(GeoInputError, match="listed twice") as info:
        read_capacity(cap)
    assert "rindās 3, 7" in latvian(info.value, "ietilpiba.csv", "3, 7", path=cap)
    monkeypatch.setitem(settings.MAX_INPUT_MB, "school capacity", 1e-4)  # 100 bytes
    with pytest.raises(GeoInputError, match="too large") as info:
        check_file(cap, name="school capacity")
    assert "pārāk liels" in latvian(info.value, "ietilpiba.csv", path=cap)


def test_boundaries_without_crs_and_repaired_in_latvian(tmp_path):
    real = gpd.read_file(shared_file("vidzeme", "boundaries", "municipalities_2021.geojson"))
    shp = tmp_path / "robezas.shp"
    real.head(3).to_file(shp)
    shp.with_suffix(".prj").unlink()
    with pytest.raises(GeoInputError, match="no coordinate reference system") as info:
        read_boundaries(shp)
    assert "koordinātu atskaites sistēmas" in latvian(info.value, "robezas.shp", path=shp)
    # a tiny self-crossing loop: repaired, with a warning a planner can read in Latvian
    g = real.head(3).copy()
    ring = list(max(shapely.get_parts(g.geometry.iloc[0]), key=lambda p: p.area).exterior.coords)
    (x0, y0), d = ring[0], 1e-4
    loop = [(x0, y0), (x0 + d, y0 + d), (x0 + d, y0), (x0, y0 + d), (x0, y0)]
    g.loc[0, "geometry"] = shapely.Polygon(loop + ring[1:])
    src = tmp_path / "robezas.geojson"
    g.to_file(src, driver="GeoJSON")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = read_boundaries(src)
    (w,) = [c.message for c in caught if isinstance(c.message, GeoWarning)]
    assert out.attrs["warnings"][0]["message"] == str(w)
    lv = latvian(w, "robezas.geojson", path=src)
    assert "tika izlabots" in lv and "km²" in lv and out.attrs["warnings"][0]["name"] in lv


# --------------------------------------------------------------------------------------------
# Output folders, bundles
# --------------------------------------------------------------------------------------------
def test_output_folder_refusals_in_latvian(tmp_path):
    out = tmp_path / "rezultati"
    out.mkdir()
    (out / "manas_piezimes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(GeoInputError, match="did not write") as info:
        with owned_dir(out):
            pass
    assert "nav rakstījis šis rīks" in latvian(info.value, "rezultati", "manas_piezimes.txt",
                                               path=out)
    with pytest.raises(GeoInputError, match="existing file") as info:
        with owned_file(out / "manas_piezimes.txt"):
            pass
    latvian(info.value, "manas_piezimes.txt", path=out / "manas_piezimes.txt")
    with pytest.raises(GeoInputError, match="refusing") as info:
        with owned_dir(PROJECT_ROOT):
            pass
    lv = info.value.text("lv")
    assert "netiek izmantota kā izvades mape" in lv and "Kā labot:" in lv
    assert (out / "manas_piezimes.txt").read_text(encoding="utf-8") == "x"  # nothing changed


def _broken_bundle(root: Path, manifest: str) -> Path:
    folder = root / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(manifest, encoding="utf-8")
    (folder / "layers.gpkg").write_bytes(b"")
    return folder


def test_bundle_errors_in_latvian(tmp_path):
    with pytest.raises(GeoInputError, match="not a region bundle") as info:
        load_bundle(tmp_path)
    assert "nav reģiona datu komplekts" in latvian(info.value, path=tmp_path)
    folder = _broken_bundle(tmp_path, "[1, 2]")
    with pytest.raises(GeoInputError, match="is not a JSON object") as info:
        load_bundle(folder)
    assert "manifest.json nav JSON objekts" in latvian(info.value, "manifest.json", path=folder)
    (folder / "manifest.json").write_text('{"region": "demo",', encoding="utf-8")
    with pytest.raises(GeoInputError, match="corrupt or truncated") as info:
        load_bundle(folder)
    lv = info.value.text("lv")  # the JSON parser's words stay, in brackets
    assert lv.startswith(f"{folder}: reģiona datu komplekts ir bojāts") and "JSONDecodeError" in lv


# --------------------------------------------------------------------------------------------
# Real source files with the mistakes planners make: census grid, Ookla, IZM registry, offline
# --------------------------------------------------------------------------------------------
def _lv_number(value: float) -> str:
    """``value`` as Latvian writes a whole number (non-breaking space between thousands)."""
    return f"{round(value):,}".replace(",", "\u00a0")


def test_census_grid_in_the_wrong_crs_or_without_coordinates_in_latvian(tmp_path):
    real = pd.read_csv(shared_file("vidzeme", "population", "census2021_1km_vidzeme.csv"),
                       nrows=200)
    # the cell corners given in LKS-92 metres (EPSG:3059) instead of EPSG:3035
    x, y = Transformer.from_crs(3035, 3059, always_xy=True).transform(
        real["E"].to_numpy(float), real["N"].to_numpy(float))
    path = tmp_path / "iedzivotaji_lks92.csv"
    real.assign(E=x.round(), N=y.round()).to_csv(path, index=False)
    with pytest.raises(GeoInputError, match="wrong CRS") as info:
        read_census_grid(path)
    assert info.value.key == "err.census.not_laea"
    lv = latvian(info.value, "iedzivotaji_lks92.csv", "EPSG:3035", _lv_number(x.round().min()),
                 _lv_number(y.round().max()), path=path)
    assert "nav Eiropas režģa koordinātas metros" in lv and "LKS-92" in lv
    assert "norādiet E/N kā šūnu apakšējos kreisos stūrus" in lv
    # the coordinate columns dropped: no GRD_ID and no E/N
    path = tmp_path / "bez_koordinatam.csv"
    real.drop(columns=["E", "N"]).to_csv(path, index=False)
    with pytest.raises(GeoInputError, match="no cell coordinates") as info:
        read_census_grid(path)
    lv = latvian(info.value, "bez_koordinatam.csv", "GRD_ID", "'LAND_SURFACE'", path=path)
    assert "režģī nav šūnu koordinātu" in lv and "pievienojiet kolonnas" in lv


def test_ookla_file_wrong_in_latvian(tmp_path):
    real = pd.read_csv(shared_file("vidzeme", "broadband", "ookla_fixed_2023q2_350m_vidzeme.csv"),
                       nrows=100)
    path = tmp_path / "ookla_atrums.csv"
    real.rename(columns={"avg_d_kbps": "download_kbps"}).to_csv(path, index=False)
    with pytest.raises(GeoInputError, match="lacks column") as info:
        read_ookla_grid(path)
    lv = latvian(info.value, "ookla_atrums.csv", "['avg_d_kbps']", "'download_kbps'", path=path)
    assert "Ookla failā trūkst kolonnu" in lv and "publicējusi Ookla" in lv
    bad = real.astype({"tests": object})
    bad.loc[7, "tests"] = "daudz"  # text in a count column
    bad.to_csv(path, index=False)
    with pytest.raises(GeoInputError, match="'tests' has blank") as info:
        read_ookla_grid(path)
    assert "kolonnā 'tests' ir tukšas" in latvian(info.value, "ookla_atrums.csv", path=path)


def test_izm_registry_without_its_id_column_in_latvian(tmp_path):
    src = shared_file("vidzeme", "schools", "izm_2022",
                      "izglitojamoskvispizglprogr_pa_iestadem_01122022.xlsx")
    wb = openpyxl.load_workbook(src, read_only=True)
    rows = [list(r) for r in wb.active.iter_rows(max_row=30, values_only=True)]
    wb.close()
    col = rows[0].index("Iestādes reģistrācijas Nr.")
    rows[0][col] = "Iestādes kods"  # renamed by hand in Excel
    out = openpyxl.Workbook()
    for r in rows:
        out.active.append(r)
    path = tmp_path / "izglitojamie_pa_iestadem.xlsx"
    out.save(path)
    with pytest.raises(GeoInputError, match="lacks column") as info:
        izm.read_pupils_by_institution(path)
    lv = latvian(info.value, "izglitojamie_pa_iestadem.xlsx", "'Iestādes reģistrācijas Nr.'",
                 "'Iestādes kods'", path=path)
    assert lv.count("IZM izglītojamo skaita pa iestādēm tabulā trūkst kolonnu") == 1


def test_osm_download_offline_in_latvian(tmp_path):
    with socket.socket() as s:  # a port nobody listens on: refused, as when offline
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(GeoInputError, match="could not connect") as info:
        download_geofabrik("europe/latvia", tmp_path / "latvia.osm.pbf",
                           base_url=f"http://127.0.0.1:{port}", timeout_s=5)
    url = f"http://127.0.0.1:{port}/europe/latvia-latest.osm.pbf"
    lv = latvian(info.value, url)
    assert lv.startswith("nevar izveidot savienojumu ar 127.0.0.1 (savienojums atteikts)")
    assert lv.count(url) == 2 and "lejupielādējiet" in lv and "tīmekļa pārlūkā" in lv
    assert not (tmp_path / "latvia.osm.pbf").exists()


def test_how_to_get_a_layer_is_the_same_steps_in_latvian():
    """The fix of a missing layer (build, download) gives the manifest's steps, in Latvian."""
    for name in list_recipes():
        recipe = load_recipe(name)
        for layer in LAYER_KEYS:
            msg = how_to_get_msg(recipe, layer)
            assert str(msg) == _how_to_get(recipe, layer)  # nothing dropped or added
            own = str((recipe.sources.get(layer) or {}).get("instructions", "")).strip()
            lv = msg.text("lv")  # the recipe's own instructions stay as its author wrote them
            rest = lv.replace(own, "").replace(str(settings.DOWNLOADS_DIR), "")  # a path of this machine
            assert lv != str(msg) and not ENGLISH.findall(QUOTED.sub("", rest)), lv


def test_every_latvian_error_template_is_latvian():
    """No English word in any Latvian ``err.*`` template (outside placeholders and quotes)."""
    bad = {}
    for key, v in i18n.STRINGS.items():
        if key.startswith("err."):
            rest = KEYWORDS.sub("", QUOTED.sub("", re.sub(r"\{[^}]*\}", "", v["lv"])))
            if ENGLISH.findall(rest):
                bad[key] = ENGLISH.findall(rest)
    assert bad == {}


# --------------------------------------------------------------------------------------------
# The design: fallbacks, nothing lost, every key present, every raise site listed
# --------------------------------------------------------------------------------------------
def test_missing_or_lossy_translation_falls_back_to_english(monkeypatch):
    monkeypatch.setitem(i18n.STRINGS, "err.test.row", {"lv": "rinda bez numura", "en": "row {row}"})
    monkeypatch.setitem(i18n.STRINGS, "err.test.en_only", {"en": "only {n} in English"})
    exc = GeoInputError(Msg("err.test.row", row=17), path="a.csv", fix=Msg("err.test.en_only", n=2))
    # the Latvian template drops {row}: the English one is used, so row 17 is never lost
    assert exc.text("lv") == "a.csv: row 17 Kā labot: only 2 in English"
    assert str(exc) == "a.csv: row 17 Fix: only 2 in English"
    assert Msg("err.no.such.key", row=3).text("lv") == "[err.no.such.key] row=3"
    plain = GeoInputError("plain text", path="b.csv", fix="do this.")
    assert plain.text("lv") == "b.csv: plain text Kā labot: do this." and plain.key is None
    again = pickle.loads(pickle.dumps(exc))
    assert type(again) is GeoInputError and again.text("lv") == exc.text("lv")
    assert error_text(ValueError("x"), "lv") == "x"
    big = GeoInputError(Msg("err.yaml.too_big", size=Num(1234567), kind=Msg("err.kind.scenario"),
                            max=Num(1 << 20)), path="c.yaml")
    assert str(big) == "c.yaml: the file is 1,234,567 bytes; a scenario file may be at most " \
                       "1,048,576 bytes."
    assert "1\u00a0234\u00a0567 baitu" in big.text("lv") and "scenārija fails" in big.text("lv")


@functools.cache
def _trees() -> dict[str, ast.AST]:
    """Every module of ``geo`` parsed (path relative to the project -> tree)."""
    return {str(p.relative_to(PROJECT_ROOT)): ast.parse(p.read_text(encoding="utf-8"))
            for p in sorted(GEO.rglob("*.py"))}


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            yield node, (f.id if isinstance(f, ast.Name) else
                         f.attr if isinstance(f, ast.Attribute) else "")


def test_every_message_key_exists_with_the_values_it_uses():
    errors = {k: v for k, v in i18n.STRINGS.items() if k.startswith("err.")}
    for key, v in errors.items():
        assert _fields(v["lv"]) == _fields(v["en"]), key
    bad = []
    for rel, tree in _trees().items():
        for node, name in _calls(tree):
            if name != "Msg" or not node.args or not isinstance(node.args[0], ast.Constant):
                continue
            key = node.args[0].value
            given = {k.arg for k in node.keywords}
            if key not in i18n.STRINGS:
                bad.append(f"{rel}:{node.lineno} {key} is not in geo.i18n")
            elif None not in given and given != _fields(i18n.STRINGS[key]["en"]):
                bad.append(f"{rel}:{node.lineno} {key} takes "
                           f"{sorted(_fields(i18n.STRINGS[key]['en']))}, given {sorted(given)}")
    assert bad == [], "\n".join(bad)


#: Files whose errors are still plain English, with their number of such raise sites (the
#: test fails, listing the lines, when a file has more). Make a site translatable
#: (``GeoInputError(Msg("err...."), ...)`` and the key in geo/i18n.py) and lower the number;
#: a file not listed must have none. These errors show in English under the Latvian heading.
UNKEYED: dict[str, int] = {}
RAISERS = {"GeoInputError", "NetworkError", "MissingDataError", "GeoWarning", "err", "fail"}
#: Modules whose errors only the command line shows (in English, like its --help).
CLI_ONLY = ("geo/cli.py", "geo/__main__.py")


def unkeyed_sites() -> dict[str, list[int]]:
    """File -> lines of the errors and warnings made from plain text (not a :class:`Msg`)."""
    out: dict[str, list[int]] = {}
    for rel, tree in _trees().items():
        if rel in CLI_ONLY:
            continue
        for node, name in _calls(tree):
            if name not in RAISERS or not node.args:
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant | ast.JoinedStr | ast.BinOp):
                out.setdefault(rel, []).append(node.lineno)
    return out


def test_raise_sites_without_a_key_are_listed():
    sites = unkeyed_sites()
    new = {f: lines for f, lines in sites.items() if len(lines) > UNKEYED.get(f, 0)}
    assert not new, ("errors given as plain English text (file: lines); use Msg(\"err....\") "
                     "with the Latvian in geo/i18n.py, or, for an error no planner can meet in "
                     f"the app, raise the file's number in UNKEYED: {new}")
    for f in ("geo/planning/scenario.py", "geo/_yaml.py", "geo/_files.py", "geo/errors.py",
              "geo/sources/tabular.py", "geo/sources/vector.py", "geo/region/bundle.py",
              "geo/sources/capacity.py"):
        assert f not in sites, f


# --------------------------------------------------------------------------------------------
# The app shows the Latvian text
# --------------------------------------------------------------------------------------------
def test_app_shows_the_error_in_the_users_language(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    root = tmp_path / "bundles"
    folder = _broken_bundle(root, json.dumps(["not", "a", "manifest"]))
    monkeypatch.setattr(settings, "BUNDLES_DIR", root)
    monkeypatch.setattr(settings, "DOWNLOADS_DIR", tmp_path / "downloads")
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception, at.exception
    shown = [e.value for e in at.error]
    assert len(shown) == 1, shown
    assert shown[0].startswith(i18n.t("app.input_error", "lv"))
    assert f"{folder}: manifest.json nav JSON objekts. Kā labot: izveidojiet to vēlreiz" in shown[0]
    assert not ENGLISH.findall(QUOTED.sub("", shown[0].replace(str(folder), "")))
    at.radio(key="lang").set_value("en").run()
    shown = [e.value for e in at.error]
    assert any(f"{folder}: manifest.json is not a JSON object. Fix: build it again" in e
               for e in shown), shown
