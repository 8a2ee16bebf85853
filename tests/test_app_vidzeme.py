"""Placing Vidzeme's unplaced schools by hand and getting roads (geo/region/placement.py,
app_vidzeme.py), on the real Vidzeme data copied to a temporary folder: validation of typed
points and uploaded files (file, row and fix named, Latvian and English), the tool's own
locations file (a user's file merged, never changed), the rebuild (the earlier bundle kept
when it fails), the app placing one school and seeing it located, the Broadband tab showing
a rebuilt bundle (not its cached results of the earlier one), and the no-internet message
with the manual steps. The bundle is built once for the module."""

from __future__ import annotations

import os
import shutil
import time

import geopandas as gpd
import pandas as pd
import pytest
import yaml
from conftest import PROJECT_ROOT, SHARED_DATA, shared_file

from geo import settings
from geo.errors import GeoInputError, error_text
from geo.i18n import t
from geo.region import load_bundle, load_recipe, placement
from geo.region.build import build_bundle

pytest.importorskip("streamlit.testing.v1")
from streamlit.testing.v1 import AppTest  # noqa: E402

METRIC = "EPSG:3059"  # LKS-92, metres: an independent check of the distances


#: The layers placing schools needs (the real recipe's files for them; the population and
#: broadband layers, which do not depend on school places, are left out to keep each build
#: at about half the CPU time of the full one).
LAYERS = ("boundaries", "towns", "roads", "osm_schools", "schools_pupils", "schools_contacts",
          "schools_municipalities", "school_locations")


@pytest.fixture(scope="module")
def vz(tmp_path_factory):
    """A copy of the real Vidzeme data, tool folders in tmp, the bundle built once."""
    shared_file("vidzeme", "boundaries", "municipalities_2021.geojson")
    root = tmp_path_factory.mktemp("vz")
    data = root / "data"
    shutil.copytree(SHARED_DATA / "vidzeme", data / "vidzeme")
    raw = yaml.safe_load(load_recipe("vidzeme").path.read_text(encoding="utf-8"))
    raw["files"] = {k: v for k, v in raw["files"].items() if k in LAYERS}
    raw["sources"] = {k: v for k, v in raw["sources"].items() if k in LAYERS}
    (root / "regions").mkdir()
    recipe_path = root / "regions" / "vidzeme.yaml"
    recipe_path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv("GEO_DATA_PATH", str(data))
    mp.setattr(settings, "BUNDLES_DIR", root / "bundles")
    mp.setattr(settings, "DOWNLOADS_DIR", root / "downloads")
    t0 = time.perf_counter()
    build_bundle(recipe_path, out=root / "bundles" / "vidzeme", online=False)
    print(f"vidzeme build {time.perf_counter() - t0:.1f} s, load {os.getloadavg()}")
    bundle = load_bundle(root / "bundles" / "vidzeme")
    yield {"root": root, "data": data, "bundle": bundle, "recipe": load_recipe(recipe_path),
           "mp": mp}
    mp.undo()


def _unplaced(bundle) -> pd.DataFrame:
    s = bundle["schools"]
    return s[s.geometry.isna()]


def _inside_point(bundle, municipality: str) -> tuple[float, float]:
    """(lat, lon) of a point inside a municipality (shapely, independent of the code)."""
    b = bundle["boundaries"]
    p = b[b["name"] == municipality].to_crs(settings.WGS84).geometry.iloc[0].representative_point()
    return p.y, p.x


# --------------------------------------------------------------------------------------------
# Engine: points and files
# --------------------------------------------------------------------------------------------
def test_real_vidzeme_bundle_names_its_towns_without_osm(vz):
    """Offline (no OSM file), the towns layer gives the maps their place names: the real
    towns of the nine municipalities, at points inside the region."""
    places = vz["bundle"]["places"]
    names = set(places["name"])
    assert {"Cēsis", "Valmiera", "Alūksne", "Gulbene", "Madona", "Limbaži"} <= names
    assert "Rīga" not in names and set(places["place"]) == {"town"}
    region = vz["bundle"]["boundaries"].to_crs(settings.WGS84).union_all()
    assert places.geometry.within(region).all()


def test_typed_point_validated(vz):
    bundle = vz["bundle"]
    sch, bnd = bundle["schools"], bundle["boundaries"]
    school = _unplaced(bundle).iloc[0]
    lat, lon = _inside_point(bundle, school["municipality"])
    # Latvian decimal comma and a degree sign are read
    p = placement.check_placement(school["school_id"], f"{lat:.5f}".replace(".", ","),
                                  f"{lon:.5f} °", schools=sch, boundaries=bnd)
    assert (p.lat, p.lon) == (round(lat, 5), round(lon, 5))
    assert p.name == school["name"]
    # 0.5 degrees west of the region: outside by more than the margin, distance named
    x0, y0, x1, y1 = bnd.to_crs(settings.WGS84).total_bounds
    out_lat, out_lon = (y0 + y1) / 2, x0 - 0.5
    region = bnd.to_crs(METRIC).union_all()
    pt = gpd.GeoSeries(gpd.points_from_xy([out_lon], [out_lat]), crs=settings.WGS84)
    km = region.distance(pt.to_crs(METRIC).iloc[0]) / 1000
    assert km > settings.LOCATE_REGION_MARGIN_M / 1000
    with pytest.raises(GeoInputError) as exc:
        placement.check_placement(school["school_id"], out_lat, out_lon, schools=sch,
                                  boundaries=bnd)
    lv, en = error_text(exc.value, "lv"), error_text(exc.value, "en")
    shown = int(en.split(" km outside")[0].split()[-1])
    assert abs(shown - km) <= 1.5  # UTM in the code vs LKS-92 here
    assert "ārpus reģiona robežas" in lv and "Kā labot" in lv and "outside the region" in en
    # swapped, not a number, out of range, unknown school
    with pytest.raises(GeoInputError) as exc:
        placement.check_placement(school["school_id"], lon, lat, schools=sch, boundaries=bnd)
    assert "samainīti" in error_text(exc.value, "lv") and "swapped" in str(exc.value)
    with pytest.raises(GeoInputError, match="not a number"):
        placement.check_placement(school["school_id"], "57,1,2", lon, schools=sch,
                                  boundaries=bnd)
    with pytest.raises(GeoInputError, match="outside -90"):
        placement.check_placement(school["school_id"], 157.0, lon, schools=sch, boundaries=bnd)
    with pytest.raises(GeoInputError) as exc:
        placement.check_placement("9999999999", lat, lon, schools=sch, boundaries=bnd)
    assert "nav šī reģiona skolu" in error_text(exc.value, "lv")


def test_uploaded_file_validated(vz, tmp_path):
    bundle = vz["bundle"]
    sch, bnd = bundle["schools"], bundle["boundaries"]
    todo = _unplaced(bundle).iloc[:3]
    pts = [_inside_point(bundle, m) for m in todo["municipality"]]
    rows = [{"school_id": s, "name": n, "lat": f"{la:.5f}", "lon": f"{lo:.5f}"}
            for s, n, (la, lo) in zip(todo["school_id"], todo["name"], pts, strict=True)]
    rows[2]["lat"] = rows[2]["lon"] = ""  # a partly filled-in report: skipped
    good = tmp_path / "up.csv"
    pd.DataFrame(rows).to_csv(good, index=False)
    got = placement.read_placements_file(good, schools=sch, boundaries=bnd,
                                         display_name="school_locations.csv")
    assert [p.school_id for p in got] == list(todo["school_id"][:2])
    assert got[0].source == "app: upload school_locations.csv"
    bad = tmp_path / "bad.csv"
    pd.DataFrame([rows[0], {**rows[1], "school_id": "9999999999"}]).to_csv(bad, index=False)
    with pytest.raises(GeoInputError) as exc:
        placement.read_placements_file(bad, schools=sch, boundaries=bnd,
                                       display_name="mans.csv")
    lv, en = error_text(exc.value, "lv"), error_text(exc.value, "en")
    assert lv.startswith("mans.csv: ") and "rinda (Nr.): 3 (9999999999)" in lv
    assert "row (no.): 3 (9999999999)" in en and "Fix:" in en
    far = tmp_path / "far.csv"
    pd.DataFrame([rows[0], {**rows[1], "lat": rows[1]["lon"], "lon": rows[1]["lat"]}]).to_csv(
        far, index=False)
    with pytest.raises(GeoInputError) as exc:
        placement.read_placements_file(far, schools=sch, boundaries=bnd)
    assert f"row (no.): 3 ({rows[1]['school_id']})" in str(exc.value)
    assert "swapped" in str(exc.value) and "samainīti" in error_text(exc.value, "lv")
    typo = tmp_path / "typo.csv"  # a typed number with a typo is named, not skipped
    pd.DataFrame([rows[0], {**rows[1], "lon": rows[1]["lon"] + "x"}]).to_csv(typo, index=False)
    with pytest.raises(GeoInputError) as exc:
        placement.read_placements_file(typo, schools=sch, boundaries=bnd, display_name="t.csv")
    assert error_text(exc.value, "lv").startswith("t.csv: kolonnā lon 1 šūnas nav skaitļi")
    assert f"row (no.): 3 ('{rows[1]['lon']}x')" in str(exc.value)
    dup = tmp_path / "dup.csv"
    pd.DataFrame([rows[0], {**rows[0], "lat": rows[1]["lat"]}]).to_csv(dup, index=False)
    with pytest.raises(GeoInputError) as exc:  # the existing reader's check, file renamed
        placement.read_placements_file(dup, schools=sch, boundaries=bnd, display_name="x.csv")
    assert str(exc.value).startswith("x.csv: ") and "rows 2, 3" in str(exc.value)


def test_user_file_merged_never_changed(vz, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "DOWNLOADS_DIR", tmp_path / "downloads")
    bundle, recipe = vz["bundle"], vz["recipe"]
    sch, bnd = bundle["schools"], bundle["boundaries"]
    todo = _unplaced(bundle).iloc[:3]
    a, b, c = (placement.check_placement(s, *_inside_point(bundle, m), schools=sch,
                                         boundaries=bnd)
               for s, m in zip(todo["school_id"], todo["municipality"], strict=True))
    user = tmp_path / "mine" / "vidzeme" / "schools" / "school_locations.csv"
    user.parent.mkdir(parents=True)
    user.write_text(f"reg_nr;lat;lon\n{a.school_id};{a.lat - 0.01};{a.lon}\n"
                    f"{b.school_id};{b.lat};{b.lon}\n", encoding="utf-8")
    before = user.read_bytes()
    monkeypatch.setenv("GEO_DATA_PATH", os.pathsep.join([str(tmp_path / "mine"),
                                                         str(vz["data"])]))
    res = placement.save_locations(recipe, [a, c])
    assert res.user_file == user and user.read_bytes() == before
    assert res.path == placement.tool_locations_file(recipe)
    assert res.path.is_relative_to(settings.DOWNLOADS_DIR)
    rows = pd.read_csv(res.path, dtype=str, encoding="utf-8-sig").set_index("school_id")
    assert sorted(rows.index) == sorted([a.school_id, b.school_id, c.school_id])
    assert float(rows.at[a.school_id, "lat"]) == a.lat  # the planner's place wins
    assert rows.at[b.school_id, "source"] == placement.USER_SOURCE
    # a second save keeps the app's places and reads the user's file again
    user.write_text(f"reg_nr;lat;lon\n{b.school_id};{b.lat + 0.01};{b.lon}\n", encoding="utf-8")
    placement.save_locations(recipe, [])
    rows = pd.read_csv(res.path, dtype=str, encoding="utf-8-sig").set_index("school_id")
    assert sorted(rows.index) == sorted([a.school_id, b.school_id, c.school_id])
    assert float(rows.at[b.school_id, "lat"]) == pytest.approx(b.lat + 0.01)
    # a file of the user's at the tool's own place is never overwritten
    res.path.unlink()
    res.path.write_text("school_id,lat,lon\n", encoding="utf-8")
    (res.path.parent / ".geo-output.json").unlink()
    with pytest.raises(GeoInputError) as exc:
        placement.save_locations(recipe, [a])
    assert "nav rīka rakstīts" in error_text(exc.value, "lv")
    assert res.path.read_text(encoding="utf-8") == "school_id,lat,lon\n"


def test_failed_rebuild_keeps_the_bundle(vz, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "DOWNLOADS_DIR", tmp_path / "downloads")
    bundle, recipe = vz["bundle"], vz["recipe"]
    todo = _unplaced(bundle).iloc[0]
    p = placement.check_placement(todo["school_id"], *_inside_point(bundle, todo["municipality"]),
                                  schools=bundle["schools"], boundaries=bundle["boundaries"])
    broken = tmp_path / "broken"
    rel = recipe.files["boundaries"][0]
    (broken / rel).parent.mkdir(parents=True)
    (broken / rel).write_text("{not json", encoding="utf-8")  # shadows the real boundaries
    monkeypatch.setenv("GEO_DATA_PATH", os.pathsep.join([str(broken), str(vz["data"])]))
    manifest = (bundle.path / "manifest.json").read_bytes()
    steps = []
    with pytest.raises(GeoInputError, match="municipalities_2021.geojson"):
        placement.save_and_rebuild(recipe, [p], out=bundle.path,
                                   progress=lambda d, n, m="": steps.append((d, n, m)))
    assert (bundle.path / "manifest.json").read_bytes() == manifest
    assert not [q for q in bundle.path.parent.iterdir() if q.name.startswith(".")]
    assert steps == [(0, 4, "save"), (1, 4, "build")]
    saved = pd.read_csv(placement.tool_locations_file(recipe), dtype=str, encoding="utf-8-sig")
    assert list(saved["school_id"]) == [p.school_id]  # the planner's place is not lost


# --------------------------------------------------------------------------------------------
# The app
# --------------------------------------------------------------------------------------------
def _app(lang: str = "lv"):
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=240)
    at.query_params["region"] = "vidzeme"
    at.session_state["goto"] = "place"
    at.session_state["lang"] = lang
    return at


def test_app_places_one_school_and_rebuilds(vz):
    bundle = vz["bundle"]
    before = _unplaced(bundle)
    school = before.iloc[1]
    lat, lon = _inside_point(bundle, school["municipality"])
    at = _app().run()
    assert not at.exception, at.exception
    assert at.session_state["view"] == "place"
    table = at.dataframe[0].value
    assert len(table) == len(before) and school["school_id"] in set(table[t("col.school_id")])
    at.selectbox(key="place-school-vidzeme").set_value(school["school_id"])
    at.text_input(key="place-lat-vidzeme").input(f"{lat:.6f}".replace(".", ","))
    at.text_input(key="place-lon-vidzeme").input(f"{lon:.6f}".replace(".", ","))
    at.button(key="place-add-vidzeme").click().run()
    assert not at.exception, at.exception
    assert any("vieta pievienota" in s.value for s in at.success)
    t0 = time.perf_counter()
    at.button(key="place-save-vidzeme").click().run()
    print(f"app save + rebuild {time.perf_counter() - t0:.1f} s, load {os.getloadavg()}")
    assert not at.exception, at.exception
    assert any("datu komplekts pārbūvēts" in s.value for s in at.success), \
        [e.value for e in at.error]
    # the school is located in the new bundle, at the typed point
    new = load_bundle(bundle.path)["schools"].set_index("school_id")
    assert new.at[school["school_id"], "status"] == "located"
    assert new.at[school["school_id"], "location_source"] == "file"
    g = new.geometry[school["school_id"]]
    assert (round(g.y, 6), round(g.x, 6)) == (round(lat, 6), round(lon, 6))
    assert (new["status"] == "located").sum() == len(new) - len(before) + 1
    # ... and in the app: gone from the unplaced table, "located" in the Schools tab
    table = at.dataframe[0].value
    assert len(table) == len(before) - 1
    assert school["school_id"] not in set(table[t("col.school_id")])
    at.session_state["goto"] = "schools"
    at.run()
    schools = next(d.value for d in at.dataframe if len(d.value) == len(new))
    row = schools[schools[t("col.school_id")] == school["school_id"]]
    assert list(row[t("col.status")]) == [t("ui.status.located")]


def test_broadband_tab_sees_a_rebuilt_bundle(tmp_path, monkeypatch):
    """The Broadband tab's results are cached per build of the bundle, not per region: a
    bundle changed under a running app (here the demo's, one located school taken out and the
    manifest written again, as a rebuild does) is what the tab shows at the next run."""
    import json

    import pyogrio

    from geo import jobs

    monkeypatch.setattr(settings, "BUNDLES_DIR", tmp_path / "bundles")
    # built offline in tmp, without the road network (faster to build and to analyse)
    build_bundle("demo", out=jobs.bundle_dir("demo"), online=False, network=False)
    bundle = load_bundle(jobs.bundle_dir("demo"))
    assert bundle.network_dir is None

    def shown(at) -> pd.DataFrame:
        return next(d.value for d in at.dataframe if "broadband_class" in d.value.columns)

    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=240)
    at.query_params["region"] = "demo"
    at.session_state["goto"] = "broadband"
    at.run()
    assert not at.exception, at.exception
    schools = bundle["schools"]
    located = schools[schools.geometry.notna() & ~schools.geometry.is_empty]
    before = shown(at)
    assert len(before) == len(located)
    gone = str(located["name"].iloc[0])
    assert gone in set(before["name"])
    gpkg = bundle.path / bundle.manifest["gpkg"]["file"]
    pyogrio.write_dataframe(schools[schools["name"] != gone], gpkg, layer="schools")
    manifest = json.loads((bundle.path / "manifest.json").read_text(encoding="utf-8"))
    manifest["layers"]["schools"]["rows"] = int((schools["name"] != gone).sum())
    manifest["built"] = "2099-01-01T00:00:00+00:00"
    (bundle.path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    at.run()
    assert not at.exception, at.exception
    after = shown(at)
    assert len(after) == len(before) - 1 and gone not in set(after["name"])


def test_app_download_roads_offline(vz, monkeypatch):
    monkeypatch.setattr(settings, "GEOFABRIK_BASE_URL", "http://127.0.0.1:9")  # nobody listens
    manifest = (vz["bundle"].path / "manifest.json").read_bytes()
    steps = placement.roads_manual_steps(vz["recipe"])
    at = _app("lv").run()
    assert not at.exception, at.exception
    for lang in ("lv", "en"):
        at.radio(key="lang").set_value(lang)
        at.button(key="place-roads-vidzeme").click().run()
        assert not at.exception, at.exception
        assert [e.value for e in at.error] == [t("place.roads.offline", lang, host="127.0.0.1")]
        manual = " ".join(m.value for m in at.markdown)
        assert t("place.roads.manual", lang, url=steps["url"], saved=steps["saved"]) in manual
        code = "\n".join(c.value for c in at.code)
        assert f"python -m geo download --geofabrik {steps['saved']} --clip" in code
        assert "--geofabrik europe/latvia --clip" in code
        assert "python -m geo build vidzeme" in code
        assert str(vz["data"] / "vidzeme" / "boundaries" / "municipalities_2021.geojson") in code
    assert (vz["bundle"].path / "manifest.json").read_bytes() == manifest
    assert not placement.roads_file(vz["recipe"]).exists()
    # a rebuild that fails (a broken boundary file shadows the real one): said so, the
    # earlier bundle kept, the places saved and still pending
    broken = vz["root"] / "broken"
    rel = vz["recipe"].files["boundaries"][0]
    (broken / rel).parent.mkdir(parents=True)
    (broken / rel).write_text("{not json", encoding="utf-8")
    monkeypatch.setenv("GEO_DATA_PATH", os.pathsep.join([str(broken), str(vz["data"])]))
    bundle = load_bundle(vz["bundle"].path)
    school = _unplaced(bundle).iloc[0]
    lat, lon = _inside_point(bundle, school["municipality"])
    at.selectbox(key="place-school-vidzeme").set_value(school["school_id"])
    at.text_input(key="place-lat-vidzeme").input(str(lat))
    at.text_input(key="place-lon-vidzeme").input(str(lon))
    at.button(key="place-add-vidzeme").click().run()
    at.button(key="place-save-vidzeme").click().run()
    assert not at.exception, at.exception
    assert at.error[0].value.startswith(t("place.rebuild_failed", "en"))
    assert "municipalities_2021.geojson" in at.error[0].value
    target = placement.tool_locations_file(vz["recipe"])
    assert any(i.value == t("place.saved_kept", "en", file=target) for i in at.info)
    assert school["school_id"] in set(pd.read_csv(target, dtype=str)["school_id"])
    assert (vz["bundle"].path / "manifest.json").read_bytes() == manifest
    assert at.button(key="place-save-vidzeme")  # the places are still pending
