"""OSM ingest on the real extracts in ../shared/data/osm."""

from __future__ import annotations

import osmium
import pytest
import shapely
from conftest import built_network, osm_file
from pyproj import Geod

from geo.errors import GeoInputError, NetworkError
from geo.network.graph import build_network
from geo.sources.osm import read_facilities, read_osm, read_places, sniff_format

# osmnx's "drive" highway classes (no service, no track), to compare with the osmnx counts of
# ../shared/data/README.md (largest strongly connected component, simplified graph).
OSMNX_DRIVE = [
    "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link", "secondary",
    "secondary_link", "tertiary", "tertiary_link", "unclassified", "residential",
    "living_street", "road",
]
OSMNX_COUNTS = {
    "malta": (14_464, 33_873),
    "rutland": (2_520, 5_722),
    "liechtenstein": (1_806, 4_208),
    "china": (34_192, 87_463),
}


@pytest.mark.parametrize("region", list(OSMNX_COUNTS))
def test_node_and_edge_counts_in_range_of_osmnx(region):
    """Our intersections-only graph keeps every node osmnx keeps, plus the joints where two
    ways meet end to end (osmnx merges those): 1.0-1.5x osmnx's counts."""
    net = build_network(read_osm(osm_file(region), highway_classes=OSMNX_DRIVE))
    n_ref, e_ref = OSMNX_COUNTS[region]
    assert 1.0 * n_ref <= net.n_nodes <= 1.5 * n_ref
    assert 1.0 * e_ref <= net.n_arcs <= 1.5 * e_ref


@pytest.mark.parametrize("region", ["malta", "rutland", "liechtenstein", "china"])
def test_edge_lengths_equal_geodesic_length_of_ways(region):
    """Sum of edge lengths == geodesic length of the kept ways (pyproj.Geod, independent)."""
    roads = read_osm(osm_file(region))
    from geo.network.graph import build_network as bn

    net = bn(roads, largest_component=False)
    geod = Geod(ellps="WGS84")
    total = 0.0
    for i in range(len(roads.offsets) - 1):
        a, b = roads.offsets[i], roads.offsets[i + 1]
        total += geod.line_length(roads.lon[a:b], roads.lat[a:b])
    assert net.edges["length_m"].sum() == pytest.approx(total, rel=1e-9)


def test_track_is_kept_unlike_osmnx_drive():
    with_track = built_network("belize")
    without = built_network("belize", include_track=False)
    assert (with_track.edges["highway"] == "track").sum() > 100
    assert (without.edges["highway"] == "track").sum() == 0
    assert with_track.edges["length_m"].sum() > without.edges["length_m"].sum()


@pytest.mark.parametrize(
    "region, min_schools", [("malta", 150), ("rutland", 20), ("liechtenstein", 15), ("china", 250)]
)
def test_schools_from_nodes_and_polygons(region, min_schools):
    s = read_facilities(osm_file(region))
    assert len(s) >= min_schools
    assert (s.geom_type == "Point").all()
    assert s["osm_id"].is_unique
    types = set(s["osm_type"])
    assert {"node", "way"} <= types
    # polygons give a point inside them and their area
    assert s.loc[s.osm_type == "way", "area_m2"].gt(0).all()
    assert s.loc[s.osm_type == "node", "area_m2"].isna().all()


def test_school_relations_are_read():
    s = read_facilities(osm_file("malta"))
    assert (s["osm_type"] == "relation").sum() >= 5


def test_school_point_lies_inside_its_polygon():
    path = osm_file("rutland")
    pts = read_facilities(path, dedupe=False).set_index("osm_id")
    # independent: rebuild the polygons of the school ways with osmium
    polys = {}
    for w in osmium.FileProcessor(str(path)).with_locations():
        if w.is_way() and w.tags.get("amenity") == "school" and w.is_closed():
            polys[f"w{w.id}"] = shapely.Polygon([(n.lon, n.lat) for n in w.nodes])
    assert polys
    for oid, poly in polys.items():
        assert poly.buffer(1e-9).contains(pts.loc[oid, "geometry"])


def test_other_kinds_and_places():
    f = read_facilities(osm_file("china"), kinds=["school", "kindergarten", "dormitory"])
    assert set(f["kind"]) == {"school", "kindergarten", "dormitory"}
    places = read_places(osm_file("liechtenstein"))
    assert len(places) > 50
    assert places["population"].notna().sum() >= 10
    assert places["population"].max() > 5000  # Schaan / Vaduz


def test_speed_source_share_is_reported():
    net = built_network("liechtenstein")
    share = net.meta["speed_source_share_by_count"]
    assert sum(share.values()) == pytest.approx(1.0)
    assert share["tag"] > 0.3  # Liechtenstein's roads carry maxspeed
    assert "maxspeed tag" in net.summary()


# ------------------------------------------------------------------------------------------
# Formats, clipped extracts
# ------------------------------------------------------------------------------------------
def _write_clipped(src, dst, bbox):
    """Write the nodes of ``src`` inside ``bbox`` and every way touching them, with all their
    node references: a clipped extract whose ways reference missing nodes."""
    x0, y0, x1, y1 = bbox
    keep = set()
    with osmium.SimpleWriter(str(dst), overwrite=True) as w:
        for n in osmium.FileProcessor(str(src), osmium.osm.NODE):
            if x0 <= n.location.lon <= x1 and y0 <= n.location.lat <= y1:
                keep.add(n.id)
                w.add_node(n)
        for way in osmium.FileProcessor(str(src), osmium.osm.WAY):
            if any(r.ref in keep for r in way.nodes):
                w.add_way(way)


@pytest.fixture(scope="module")
def clipped_gz(tmp_path_factory):
    dst = tmp_path_factory.mktemp("clip") / "vaduz-clipped.osm.gz"
    _write_clipped(osm_file("liechtenstein"), dst, (9.50, 47.12, 9.56, 47.16))
    return dst


def test_clipped_extract_with_missing_nodes_loads(clipped_gz):
    assert sniff_format(clipped_gz) == "osm.gz"
    roads = read_osm(clipped_gz)
    rep = roads.report
    assert rep["missing_node_refs"] > 0 and rep["ways_with_missing_nodes"] > 0
    net = build_network(roads)
    assert net.n_nodes > 300
    assert (9.50 <= net.lon).all() and (net.lon <= 9.56).all()
    assert "missing nodes" in net.summary()


def test_xml_and_bz2_read_like_pbf(tmp_path):
    src = osm_file("rutland")
    xml = tmp_path / "rutland.osm"
    bz2 = tmp_path / "rutland.osm.bz2"
    for dst in (xml, bz2):
        with osmium.SimpleWriter(str(dst)) as w:
            for o in osmium.FileProcessor(str(src)):
                w.add(o)
    assert sniff_format(xml) == "osm" and sniff_format(bz2) == "osm.bz2"
    ref = read_osm(src)
    for dst in (xml, bz2):
        r = read_osm(dst)
        assert list(r.ways.index) == list(ref.ways.index)
        assert (r.node_id == ref.node_id).all()
    # content is sniffed, not trusted from the name
    renamed = tmp_path / "rutland.data"
    renamed.write_bytes(xml.read_bytes())
    assert len(read_osm(renamed).ways) == len(ref.ways)


def test_clip_polygon(tmp_path):
    poly = shapely.box(9.50, 47.12, 9.56, 47.16)
    roads = read_osm(osm_file("liechtenstein"), clip=poly)
    assert roads.report["node_refs_outside_clip"] > 0
    net = build_network(roads)
    assert shapely.contains_xy(poly.buffer(1e-9), net.lon, net.lat).all()
    schools = read_facilities(osm_file("liechtenstein"), clip=poly)
    assert 0 < len(schools) < len(read_facilities(osm_file("liechtenstein")))


# ------------------------------------------------------------------------------------------
# Bad input
# ------------------------------------------------------------------------------------------
def test_non_osm_file(tmp_path):
    f = tmp_path / "schools.csv"
    f.write_text("name,lat,lon\nA,56.9,24.1\n")
    with pytest.raises(GeoInputError, match="schools.csv.*not an OpenStreetMap file"):
        read_osm(f)


def test_empty_file(tmp_path):
    f = tmp_path / "latvia-latest.osm.pbf"
    f.write_bytes(b"")
    with pytest.raises(GeoInputError, match="latvia-latest.osm.pbf.*empty"):
        read_osm(f)


def test_missing_file(tmp_path):
    with pytest.raises(GeoInputError, match="nowhere.osm.pbf.*not found"):
        read_osm(tmp_path / "nowhere.osm.pbf")


def test_truncated_pbf(tmp_path):
    f = tmp_path / "truncated.osm.pbf"
    f.write_bytes(osm_file("rutland").read_bytes()[:200_000])
    with pytest.raises(GeoInputError, match="truncated.osm.pbf"):
        read_osm(f)


def test_no_drivable_roads(tmp_path):
    """Real footpaths of Liechtenstein, without any drivable road."""
    src = osm_file("liechtenstein")
    dst = tmp_path / "footways.osm.pbf"
    ids = set()
    ways = []
    for w in osmium.FileProcessor(str(src), osmium.osm.WAY):
        if w.tags.get("highway") in ("footway", "path", "steps"):
            refs = [r.ref for r in w.nodes]
            ways.append(osmium.osm.mutable.Way(id=w.id, nodes=refs, tags=dict(w.tags)))
            ids.update(refs)
    with osmium.SimpleWriter(str(dst)) as wr:
        for n in osmium.FileProcessor(str(src), osmium.osm.NODE):
            if n.id in ids:
                wr.add_node(n)
        for w in ways:
            wr.add_way(w)
    with pytest.raises(NetworkError, match="footways.osm.pbf.*no drivable roads"):
        read_osm(dst)
    assert 0.95 * len(ways) <= len(read_osm(dst, mode="walk").ways) <= len(ways)
