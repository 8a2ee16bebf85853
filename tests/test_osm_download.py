"""OSM downloads (geo.sources.osm_download) against a real HTTP server on 127.0.0.1.

The server (tests/osm_server.py) serves the real extracts of ../shared/data/osm: Geofabrik-like
downloads with a published .md5, an Overpass API evaluating osmnx's real queries on the real
Liechtenstein and Malta files, and a Nominatim search over the real boundary relations. The
downloaded files are then read with the same readers as local files and compared with reading
the original extract directly, clipped to the same polygon.
"""

from __future__ import annotations

import hashlib
import json
from urllib.parse import parse_qs

import geopandas as gpd
import numpy as np
import osmium
import pytest
import shapely
from conftest import osm_file, shared_file
from osm_server import OSMTestServer, boundaries, closed_port_url, file_md5

from geo.cli import main as cli_main
from geo.errors import GeoInputError, MissingDataError
from geo.network.graph import build_network
from geo.sources.osm import FACILITY_TAGS, read_facilities, read_osm, read_places, sniff_format
from geo.sources.osm_download import (
    area_polygon,
    clip_osm,
    download_geofabrik,
    download_overpass,
    geofabrik_url,
    highway_filter,
)

ALL_KINDS = list(FACILITY_TAGS)
HARBOUR = ["Valletta", "Il-Furjana", "Tal-Pietà", "L-Imsida", "Il-Gżira", "Tas-Sliema",
           "Ta' Xbiex", "Il-Marsa", "Il-Ħamrun", "Santa Venera"]


def md5(path) -> str:
    return hashlib.md5(open(path, "rb").read()).hexdigest()


def count_nodes(path) -> int:
    """Nodes in an OSM file, counted independently of the code under test."""
    return sum(1 for _ in osmium.FileProcessor(str(path), osmium.osm.NODE))


def leftovers(folder) -> list[str]:
    """Partial or temporary files left in a folder."""
    return sorted(p.name for p in folder.iterdir() if ".part" in p.name or p.name.startswith("."))


def assert_same_network(file_a, file_b, polygon, mode="drive"):
    """Both files read with the same clip give the identical travel-time graph."""
    na = build_network(read_osm(file_a, mode=mode, clip=polygon))
    nb = build_network(read_osm(file_b, mode=mode, clip=polygon))
    np.testing.assert_array_equal(na.node_osmid, nb.node_osmid)
    np.testing.assert_array_equal(na.graph.indptr, nb.graph.indptr)
    np.testing.assert_array_equal(na.graph.indices, nb.graph.indices)
    np.testing.assert_array_equal(na.graph.data, nb.graph.data)  # travel times, seconds
    assert set(na.edges["way_id"]) == set(nb.edges["way_id"])
    return na


def facility_ids(path, polygon=None) -> list[str]:
    return sorted(read_facilities(path, kinds=ALL_KINDS, clip=polygon)["osm_id"])


# ------------------------------------------------------------------------------------------
# Fixtures: one real server per module
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server():
    malta = osm_file("malta")
    rutland = osm_file("rutland")
    li = osm_file("liechtenstein")
    files = {
        "/europe/malta-latest.osm.pbf": malta,
        "/europe/wrongsum-latest.osm.pbf": malta,
        "/europe/flaky-latest.osm.pbf": malta,
        "/europe/great-britain/england/rutland-latest.osm.pbf": rutland,
        "/europe/notosm-latest.osm.pbf": shared_file(
            "vidzeme", "boundaries", "municipalities_2021.geojson"),
    }
    srv = OSMTestServer(files=files, overpass_pbf=li, nominatim_pbf=li)
    srv.md5_override["/europe/wrongsum-latest.osm.pbf"] = file_md5(str(rutland))
    srv.no_md5.update({"/europe/great-britain/england/rutland-latest.osm.pbf",
                       "/europe/notosm-latest.osm.pbf"})
    with srv:
        yield srv


@pytest.fixture(scope="module")
def harbour():
    """The ten local councils around Valletta's Grand Harbour (real boundary relations)."""
    b = boundaries(osm_file("malta"), admin_level=8)
    sel = b[b["name"].isin(HARBOUR)]
    assert len(sel) == len(HARBOUR)
    return shapely.union_all(sel.geometry.values)


# ------------------------------------------------------------------------------------------
# Geofabrik
# ------------------------------------------------------------------------------------------
def test_geofabrik_url():
    assert geofabrik_url("europe/latvia") == (
        "https://download.geofabrik.de/europe/latvia-latest.osm.pbf")
    assert geofabrik_url("Europe/Latvia-latest.osm.pbf", base_url="http://x/y/") == (
        "http://x/y/europe/latvia-latest.osm.pbf")
    url = "https://download.geofabrik.de/europe/estonia-latest.osm.pbf"
    assert geofabrik_url(url) == url
    with pytest.raises(GeoInputError, match="not a Geofabrik region"):
        geofabrik_url("europe/lat via")


def test_download_md5_and_clip(server, harbour, tmp_path):
    malta = osm_file("malta")
    full = tmp_path / "malta-latest.osm.pbf"
    out = tmp_path / "harbour.osm.pbf"
    seen = []
    dl = download_geofabrik("europe/malta", out, base_url=server.geofabrik_url, clip=harbour,
                            full_path=full, progress=lambda done, total: seen.append(done))
    # the full extract: byte-identical to the real file, checked against the published MD5
    assert dl.md5_checked and not dl.up_to_date
    assert md5(full) == md5(malta) == dl.md5
    assert dl.bytes == malta.stat().st_size
    assert seen[-1] == malta.stat().st_size
    assert leftovers(tmp_path) == []
    # the clipped file is smaller and reads through the same reader
    assert sniff_format(out) == "pbf"
    n_clip, n_full = count_nodes(out), count_nodes(malta)
    assert dl.clip.n_nodes == n_clip
    assert n_clip < 0.2 * n_full
    # read with the same polygon, clipped and full extract give the identical network ...
    net = assert_same_network(out, malta, harbour)
    assert net.n_nodes > 1000
    # ... and the same schools (incl. the two multipolygon relations)
    inside = facility_ids(out, harbour)
    assert inside == facility_ids(malta, harbour)
    assert sum(i.startswith("r") for i in inside) >= 1
    # every school of the clipped file touches the polygon (its point within 300 m of it)
    schools = read_facilities(out, kinds=ALL_KINDS)
    crs = net.crs
    poly_m = gpd.GeoSeries([harbour], crs="EPSG:4326").to_crs(crs).iloc[0]
    assert schools.to_crs(crs).distance(poly_m).max() < 300
    assert len(schools) < len(read_facilities(malta, kinds=ALL_KINDS))
    # places inside are kept
    assert sorted(read_places(out, clip=harbour)["osm_id"]) == sorted(
        read_places(malta, clip=harbour)["osm_id"])

    # a second run finds the full extract up to date (no second transfer of the .osm.pbf)
    n_get = sum(r["path"].endswith("malta-latest.osm.pbf") for r in server.requests)
    dl2 = download_geofabrik("europe/malta", out, base_url=server.geofabrik_url, clip=harbour,
                             full_path=full)
    assert dl2.up_to_date
    assert sum(r["path"].endswith("malta-latest.osm.pbf") for r in server.requests) == n_get


def test_download_without_md5(server, tmp_path):
    out = tmp_path / "rutland.osm.pbf"
    dl = download_geofabrik("europe/great-britain/england/rutland", out,
                            base_url=server.geofabrik_url)
    assert not dl.md5_checked
    assert md5(out) == md5(osm_file("rutland"))


def test_wrong_md5_leaves_no_file_and_keeps_the_old_one(server, tmp_path):
    out = tmp_path / "extract.osm.pbf"
    with pytest.raises(MissingDataError, match="MD5") as err:
        download_geofabrik("europe/wrongsum", out, base_url=server.geofabrik_url)
    assert "wrongsum-latest.osm.pbf" in str(err.value)
    assert not out.exists()
    assert leftovers(tmp_path) == []
    # an existing good file is never replaced by a corrupt download
    download_geofabrik("europe/malta", out, base_url=server.geofabrik_url)
    good = md5(out)
    with pytest.raises(MissingDataError, match="left unchanged"):
        download_geofabrik("europe/wrongsum", out, base_url=server.geofabrik_url)
    assert md5(out) == good
    assert leftovers(tmp_path) == []


def test_404_names_region_and_url(server, tmp_path):
    out = tmp_path / "x.osm.pbf"
    with pytest.raises(GeoInputError) as err:
        download_geofabrik("europe/atlantis", out, base_url=server.geofabrik_url)
    msg = str(err.value)
    assert "europe/atlantis" in msg and "404" in msg
    assert f"{server.geofabrik_url}/europe/atlantis-latest.osm.pbf" in msg
    assert not isinstance(err.value, MissingDataError)
    assert list(tmp_path.iterdir()) == []


def test_not_an_osm_file_is_rejected(server, tmp_path):
    out = tmp_path / "x.osm.pbf"
    with pytest.raises(MissingDataError, match="did not return an OpenStreetMap file"):
        download_geofabrik("europe/notosm", out, base_url=server.geofabrik_url)
    assert list(tmp_path.iterdir()) == []


def test_offline_geofabrik(tmp_path):
    base = closed_port_url()
    out = tmp_path / "latvia.osm.pbf"
    out.write_bytes(b"previous file")
    with pytest.raises(MissingDataError) as err:
        download_geofabrik("europe/latvia", out, base_url=base)
    msg = str(err.value)
    assert "offline" in msg and "Connection refused" in msg
    assert f"{base}/europe/latvia-latest.osm.pbf" in msg
    assert "web browser" in msg and "path" in msg
    assert out.read_bytes() == b"previous file"
    assert leftovers(tmp_path) == []


def test_interrupted_download_resumes(server, tmp_path):
    malta = osm_file("malta")
    path = "/europe/flaky-latest.osm.pbf"
    out = tmp_path / "flaky.osm.pbf"
    previous = osm_file("rutland").read_bytes()
    out.write_bytes(previous)
    cut = 1_000_000
    server.faults[path] = {"cut_after": cut, "times": 1}
    with pytest.raises(MissingDataError, match="interrupted") as err:
        download_geofabrik("europe/flaky", out, base_url=server.geofabrik_url)
    assert "resumes" in str(err.value)
    assert out.read_bytes() == previous  # the old file is untouched
    part = tmp_path / "flaky.osm.pbf.part"
    kept = part.stat().st_size
    assert 0 < kept <= cut
    # run again: an HTTP range request continues where the transfer stopped
    n = len(server.requests)
    dl = download_geofabrik("europe/flaky", out, base_url=server.geofabrik_url)
    assert dl.resumed_from == kept and dl.md5_checked
    ranges = [r["headers"].get("Range") for r in server.requests[n:] if r["path"] == "/geofabrik" + path]
    assert ranges == [f"bytes={kept}-"]
    assert md5(out) == md5(malta)
    assert leftovers(tmp_path) == []

    # a .part whose server file changed meanwhile (If-Range mismatch) is downloaded afresh
    out2 = tmp_path / "flaky2.osm.pbf"
    server.faults[path] = {"cut_after": cut, "times": 1}
    with pytest.raises(MissingDataError, match="interrupted"):
        download_geofabrik("europe/flaky", out2, base_url=server.geofabrik_url)
    meta = tmp_path / "flaky2.osm.pbf.part.json"
    m = json.loads(meta.read_text())
    m["etag"] = '"an-older-version"'
    meta.write_text(json.dumps(m))
    dl = download_geofabrik("europe/flaky", out2, base_url=server.geofabrik_url)
    assert dl.resumed_from == 0
    assert md5(out2) == md5(malta)


def test_clip_area_as_file_in_other_crs(harbour, tmp_path):
    """clip_osm with a boundary file in a metric CRS equals the WGS84 polygon."""
    malta = osm_file("malta")
    f = tmp_path / "harbour.gpkg"
    gpd.GeoDataFrame(geometry=[harbour], crs="EPSG:4326").to_crs("EPSG:32633").to_file(f)
    res = clip_osm(malta, f, tmp_path / "h.osm")
    assert sniff_format(res.path) == "osm"
    assert facility_ids(res.path, harbour) == facility_ids(malta, harbour)
    with pytest.raises(GeoInputError, match="no polygon"):
        area_polygon(shapely.Point(14.5, 35.9).buffer(0.01).boundary)


def test_cli_download_and_clip(server, harbour, tmp_path, capsys):
    poly = tmp_path / "harbour.geojson"
    gpd.GeoDataFrame(geometry=[harbour], crs="EPSG:4326").to_file(poly)
    out = tmp_path / "harbour.osm.pbf"
    code = cli_main(["download", "--geofabrik", "europe/malta", "--base-url",
                     server.geofabrik_url, "--clip", str(poly), "--full",
                     str(tmp_path / "malta.osm.pbf"), "--out", str(out)])
    assert code == 0
    assert "MD5 checked" in capsys.readouterr().out
    assert facility_ids(out, harbour) == facility_ids(osm_file("malta"), harbour)
    # an extract saved by hand is cut the same way
    out2 = tmp_path / "harbour2.osm.pbf"
    code = cli_main(["download", "--geofabrik", str(osm_file("malta")), "--clip", str(poly),
                     "--out", str(out2)])
    assert code == 0 and "Clipped" in capsys.readouterr().out
    assert md5(out2) == md5(out)
    code = cli_main(["download", "--geofabrik", "europe/atlantis", "--base-url",
                     server.geofabrik_url, "--out", str(tmp_path / "a.osm.pbf")])
    assert code == 2
    assert "europe/atlantis" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------
# Overpass and Nominatim through osmnx
# ------------------------------------------------------------------------------------------
def test_highway_filter_covers_drive_and_walk_classes():
    from geo import settings

    filt = highway_filter(set(settings.DRIVE_HIGHWAYS) | set(settings.WALK_HIGHWAYS))
    values = filt.split('"~"^(')[1].split(")$")[0].split("|")
    assert "track" in values and "footway" in values and "motorway" in values
    assert set(values) == set(settings.DRIVE_HIGHWAYS) | set(settings.WALK_HIGHWAYS)


@pytest.fixture(scope="module")
def vaduz(server, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("vaduz")
    n = len(server.requests)
    res = download_overpass(tmp / "vaduz.osm", place="Vaduz", overpass_url=server.overpass_url,
                            nominatim_url=server.nominatim_url, cache_folder=tmp / "cache")
    return res, server.requests[n:]


def test_overpass_by_place(vaduz):
    res, requests = vaduz
    li = osm_file("liechtenstein")
    # the place was geocoded to Vaduz's real boundary (official area 17.3 km2)
    area_km2 = gpd.GeoSeries([res.polygon], crs="EPSG:4326").to_crs("EPSG:32632").area[0] / 1e6
    assert 16.5 < area_km2 < 18.0
    # osmnx sent its real queries: Nominatim search, then network, features and places
    assert requests[0]["path"].startswith("/nominatim/search?format=json&polygon_geojson=1")
    posts = [parse_qs(r["body"])["data"][0] for r in requests if r["method"] == "POST"]
    assert len(posts) == res.n_requests == 3
    assert '(way["highway"~"^(' in posts[0] and "|track|" in posts[0] and "(poly:'" in posts[0]
    assert "amenity" in posts[1] and "dormitory" in posts[1]
    # one OSM XML file with every node of every way
    assert sniff_format(res.path) == "osm"
    assert res.missing_node_refs == 0
    assert read_osm(res.path, mode="walk").report["missing_node_refs"] == 0
    # same network as reading the real extract with the same polygon: identical node ids
    # and travel times for driving and walking
    assert assert_same_network(res.path, li, res.polygon, "drive").n_nodes > 400
    assert assert_same_network(res.path, li, res.polygon, "walk").n_nodes > 1000
    # same schools, kindergartens, ... and places
    ids = facility_ids(res.path, res.polygon)
    assert len(ids) >= 10
    assert ids == facility_ids(li, res.polygon)
    assert sorted(read_places(res.path, clip=res.polygon)["osm_id"]) == sorted(
        read_places(li, clip=res.polygon)["osm_id"])


def test_overpass_by_polygon_file_subdivided(server, tmp_path):
    """A polygon file in a metric CRS, split by osmnx into several Overpass requests."""
    import osmnx as ox

    li = osm_file("liechtenstein")
    b = boundaries(li, admin_level=8)
    area = shapely.union_all(b[b["name"].isin(["Schaan", "Eschen"])].geometry.values)
    f = tmp_path / "area.geojson"
    gpd.GeoDataFrame(geometry=[area], crs="EPSG:4326").to_crs("EPSG:32632").to_file(f)
    old = ox.settings.max_query_area_size
    ox.settings.max_query_area_size = 15e6  # 15 km2 pieces
    try:
        res = download_overpass(tmp_path / "area.osm.pbf", polygon=f, buffer_m=300,
                                overpass_url=server.overpass_url, use_cache=False)
    finally:
        ox.settings.max_query_area_size = old
    assert res.polygon.contains(area.buffer(-1e-6))  # widened by 300 m, in WGS84 degrees
    assert res.polygon.area > area.area
    assert res.n_requests > 6 and res.n_requests % 3 == 0
    assert sniff_format(res.path) == "pbf"
    assert res.missing_node_refs == 0
    assert assert_same_network(res.path, li, area).n_nodes > 400
    ids = facility_ids(res.path, area)
    assert len(ids) >= 5
    assert ids == facility_ids(li, area)


def test_overpass_school_multipolygons_are_complete(harbour, tmp_path):
    """Malta's schools mapped as multipolygon relations come with all member ways and nodes."""
    malta = osm_file("malta")
    poly = gpd.GeoDataFrame(geometry=[harbour], crs="EPSG:4326")
    with OSMTestServer(overpass_pbf=malta) as srv:
        res = download_overpass(tmp_path / "harbour.osm", polygon=poly,
                                overpass_url=srv.overpass_url, cache_folder=tmp_path / "c")
    assert res.missing_node_refs == 0 and res.n_relations >= 2
    ids = facility_ids(res.path, harbour)
    assert [i for i in ids if i.startswith("r")]
    assert ids == facility_ids(malta, harbour)
    assert_same_network(res.path, malta, harbour)


def test_unknown_place_and_point_place(server, tmp_path):
    kw = {"overpass_url": server.overpass_url, "nominatim_url": server.nominatim_url,
          "cache_folder": tmp_path / "cache"}
    with pytest.raises(GeoInputError, match="not found"):
        download_overpass(tmp_path / "a.osm", place="Atlantis", **kw)
    # Steg is a village mapped as a place node only: a point, not an area
    with pytest.raises(GeoInputError, match="point"):
        download_overpass(tmp_path / "b.osm", place="Steg", **kw)
    assert list(tmp_path.glob("*.osm")) == []


def test_offline_overpass_and_nominatim(tmp_path):
    dead = closed_port_url()
    out = tmp_path / "area.osm"
    out.write_text("previous file")
    area = shapely.box(9.50, 47.13, 9.53, 47.15)
    with pytest.raises(MissingDataError) as err:
        download_overpass(out, polygon=area, overpass_url=dead + "/api",
                          cache_folder=tmp_path / "c")
    msg = str(err.value)
    assert "offline" in msg and f"{dead}/api/interpreter" in msg and "geofabrik" in msg.lower()
    with pytest.raises(MissingDataError, match="offline") as err:
        download_overpass(out, place="Vaduz", nominatim_url=dead + "/", overpass_url=dead,
                          cache_folder=tmp_path / "c")
    assert dead in str(err.value) and "--polygon" in str(err.value)
    assert out.read_text() == "previous file"
    assert leftovers(tmp_path) == []


def test_server_answers_both_out_forms(server):
    """The Overpass server's `out body; >; out skel qt;` and `(._;>;); out;` agree."""
    q1 = ('[out:json];(way["highway"="residential"](47.13,9.50,47.15,9.53);>;);out;')
    q2 = ('[out:json];way["highway"="residential"](47.13,9.50,47.15,9.53);'
          "out body;>;out skel qt;")
    a = server.overpass.run(q1)["elements"]
    b = server.overpass.run(q2)["elements"]
    assert {(e["type"], e["id"]) for e in a} == {(e["type"], e["id"]) for e in b}
    assert all("tags" not in e for e in b if e["type"] == "node")
    ways = [e for e in a if e["type"] == "way"]
    assert ways and all(e["tags"]["highway"] == "residential" for e in ways)
