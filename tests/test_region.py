"""Region recipes -> bundle, on the real Vidzeme files (offline: no internet here)."""

from __future__ import annotations

import hashlib
import json
import shutil

import pandas as pd
import pytest
import yaml
from conftest import SHARED_DATA, osm_file, shared_file

from geo import region
from geo.errors import GeoInputError


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    shared_file("vidzeme", "boundaries", "municipalities_2021.geojson")
    out = tmp_path_factory.mktemp("bundles") / "vidzeme"
    res = region.build_bundle("vidzeme", out=out, online=False, search_path=[SHARED_DATA])
    return res


def test_bundle_layers_and_totals(built):
    b = region.load_bundle(built.path)
    assert len(b["boundaries"]) == 9
    assert b["population_2021"]["T"].sum() == 214_157
    trend = b["population_trend"].set_index("municipality")
    assert trend.loc["Total", "2011"] == 248_217 and trend.loc["Total", "2018"] == 220_126
    assert len(b["schools"]) == 115 and b["schools"]["pupils_1_12"].sum() == 22_861
    assert b["schools"]["school_id"].str.fullmatch(r"\d{10}").all()
    # no OSM file and no user locations here: every school is listed as unlocated, none invented
    assert (b["schools"]["status"] == "unmatched").all()
    assert b["schools"].geometry.isna().all()
    rep = pd.read_csv(built.path / region.REPORT_NAME, dtype=str)
    assert len(rep) == 115
    pupils = b["pupils_2021"]
    grades = [f"g{g}" for g in range(1, 13)]
    assert abs(pupils[grades].to_numpy().sum() - 22_861) < 1e-6
    assert len(b["broadband"]) == 1100
    assert b.network_dir is None


def test_manifest_sources_and_checksums(built):
    m = json.loads((built.path / region.MANIFEST_NAME).read_text(encoding="utf-8"))
    src = m["layers"]["boundaries"]["sources"]["boundaries"]
    path = shared_file("vidzeme", "boundaries", "municipalities_2021.geojson")
    assert src["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert src["origin"] == "local" and src["licence"] == "MIT"
    assert m["layers"]["population_2021"]["crs"] == "EPSG:3035"
    assert m["layers"]["schools"]["sources"]["schools_pupils"]["publisher"].startswith("Izgl")
    gp = hashlib.sha256((built.path / region.GPKG_NAME).read_bytes()).hexdigest()
    assert m["gpkg"]["sha256"] == gp
    # offline, roads missing: said so, with the Geofabrik URL and the download command
    assert "download.geofabrik.de/europe/latvia-latest.osm.pbf" in m["missing"]["roads"]
    assert "python -m geo download" in m["missing"]["roads"]
    # the same reason in Latvian for the app (the English one unchanged)
    lv = region.load_bundle(built.path).missing_text("lv")["roads"]
    assert "download.geofabrik.de/europe/latvia-latest.osm.pbf" in lv
    assert "nav ceļu tīkla" in lv and "road network" not in lv
    assert region.load_bundle(built.path).missing_text("en") == m["missing"]


def test_failed_build_leaves_bundle_untouched(built, tmp_path):
    before = (built.path / region.MANIFEST_NAME).read_bytes()
    broken = tmp_path / "data"
    rel = region.load_recipe("vidzeme").files["schools_pupils"][0]
    (broken / rel).parent.mkdir(parents=True)
    (broken / rel).write_bytes(b"")  # an empty xlsx shadows the real one
    with pytest.raises(GeoInputError, match="izglitojamoskvispizglprogr_pa_iestadem.*empty"):
        region.build_bundle("vidzeme", out=built.path, online=False,
                            search_path=[broken, SHARED_DATA])
    assert (built.path / region.MANIFEST_NAME).read_bytes() == before
    assert not [p for p in built.path.parent.iterdir() if p.name.startswith(".")]


def test_network_failure_counts_as_offline(tmp_path, monkeypatch):
    shared_file("vidzeme", "boundaries", "municipalities_2021.geojson")
    from geo import settings

    monkeypatch.setattr(settings, "DOWNLOADS_DIR", tmp_path / "downloads")
    recipe = yaml.safe_load(region.load_recipe("vidzeme").path.read_text(encoding="utf-8"))
    recipe["files"] = {k: recipe["files"][k] for k in ("boundaries", "ookla_tiles")}
    recipe["sources"] = {"ookla_tiles": {"url": "http://127.0.0.1:9/tiles.parquet"}}
    path = tmp_path / "offline.yaml"
    path.write_text(yaml.safe_dump(recipe, allow_unicode=True), encoding="utf-8")
    res = region.build_bundle(path, out=tmp_path / "b", online=True, search_path=[SHARED_DATA])
    assert "127.0.0.1" in res.missing["ookla_tiles"]
    assert set(region.load_bundle(res.path).layers) == {"boundaries"}


def test_network_cache_built_from_an_osm_file(tmp_path):
    """A recipe for Liechtenstein (real OSM extract): the bundle gets the network cache."""
    import geopandas as gpd
    import shapely

    pbf = osm_file("liechtenstein")
    data = tmp_path / "data"
    (data / "osm").mkdir(parents=True)
    shutil.copy(pbf, data / "osm" / "li.osm.pbf")
    gpd.GeoDataFrame({"name": ["Liechtenstein"]}, geometry=[shapely.box(9.47, 47.04, 9.64, 47.27)],
                     crs="EPSG:4326").to_file(data / "li.geojson")
    path = tmp_path / "li.yaml"
    path.write_text(yaml.safe_dump({"name": "li", "crs": "EPSG:32632",
                                    "files": {"boundaries": "li.geojson",
                                              "roads": "osm/li.osm.pbf"}}), encoding="utf-8")
    res = region.build_bundle(path, out=tmp_path / "b", online=False, search_path=[data])
    b = region.load_bundle(res.path)
    assert b.network_dir is not None
    from geo.network.graph import Network

    net = Network.load(b.network_dir)
    assert net.n_nodes == res.manifest["layers"]["network"]["nodes"] > 1000
    assert res.manifest["layers"]["network"]["sources"]["roads"]["sha256"] == hashlib.sha256(
        pbf.read_bytes()).hexdigest()


def test_cli_build_offline(tmp_path, monkeypatch, capsys):
    shared_file("vidzeme", "boundaries", "municipalities_2021.geojson")
    from geo.cli import main

    monkeypatch.setenv("GEO_DATA_PATH", str(SHARED_DATA))
    assert main(["build", "vidzeme", "--offline", "--out", str(tmp_path / "v")]) == 0
    out = capsys.readouterr().out
    assert "schools: 115 rows" in out and "MISSING roads" in out


def test_bad_recipes(tmp_path):
    with pytest.raises(GeoInputError, match="no recipe"):
        region.load_recipe("atlantis")
    p = tmp_path / "r.yaml"
    p.write_text("name: x\n")
    with pytest.raises(GeoInputError, match="crs"):
        region.load_recipe(p)
    p.write_text("name: x\ncrs: EPSG:3059\nfiles: {roadz: a.pbf}\n")
    with pytest.raises(GeoInputError, match="roadz"):
        region.load_recipe(p)
    with pytest.raises(GeoInputError, match="not a region bundle"):
        region.load_bundle(tmp_path)
