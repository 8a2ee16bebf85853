"""Network build, cache, snapping; travel times checked against networkx on the same graph."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from conftest import built_network, osm_file
from scipy.sparse.csgraph import connected_components

from geo.errors import GeoInputError
from geo.network.graph import Network, build_network_from_file, pick_crs
from geo.network.snap import snap

REGIONS = ["malta", "rutland", "liechtenstein", "china"]


@pytest.mark.parametrize("region", REGIONS)
def test_travel_times_equal_networkx(region):
    """Forward Dijkstra from random origins in networkx == our reversed-graph matrix."""
    from geo.network.access import node_matrix

    net = built_network(region)
    g = net.to_networkx()
    rng = np.random.default_rng(42)
    origins = rng.choice(net.n_nodes, 15, replace=False)
    targets = rng.choice(net.n_nodes, 40, replace=False)
    ours, dist = node_matrix(net, origins, targets, with_distance=True)
    for i, o in enumerate(origins):
        lengths, paths = nx.single_source_dijkstra(g, int(o), weight="time_s")
        ref = np.array([lengths.get(int(t), np.inf) for t in targets])
        assert np.max(np.abs(ref - ours[i])) < 1e-6
        # network distance along the fastest route
        for j, t in enumerate(targets[:5]):
            p = paths[int(t)]
            ref_d = sum(g[a][b]["length_m"] for a, b in zip(p[:-1], p[1:], strict=False))
            assert dist[i, j] == pytest.approx(ref_d, abs=1e-6)


def test_largest_strongly_connected_component():
    net = built_network("malta")
    n, _ = connected_components(net.graph, directed=True, connection="strong")
    assert n == 1
    assert net.meta["report"]["nodes_outside_largest_component"] > 0  # Gozo is an island


def test_arcs_follow_oneway_tags():
    """The CSR arcs are exactly the arcs implied by the edge table (independent Python loop)."""
    net = built_network("liechtenstein")
    e = net.edges
    assert (e.oneway == 1).sum() > 50
    expected = set()
    for u, v, ow in zip(e.u, e.v, e.oneway, strict=True):
        if u == v:
            continue
        if ow >= 0:
            expected.add((u, v))
        if ow <= 0:
            expected.add((v, u))
    coo = net.graph.tocoo()
    assert set(zip(coo.row.tolist(), coo.col.tolist(), strict=True)) == expected


def test_cache_roundtrip_and_load_time(tmp_path):
    import time

    net = build_network_from_file(osm_file("malta"), tmp_path / "malta")
    t0 = time.perf_counter()
    back = Network.load(tmp_path / "malta")
    assert time.perf_counter() - t0 < 3.0  # generous: the benchmark measures it
    assert back.crs == net.crs
    assert (back.graph != net.graph).nnz == 0
    np.testing.assert_array_equal(back.node_osmid, net.node_osmid)
    np.testing.assert_array_equal(back.geom_xy, net.geom_xy)
    assert back.edges.equals(net.edges)


def test_failed_save_keeps_existing_cache(tmp_path, monkeypatch):
    net = built_network("rutland")
    folder = net.save(tmp_path / "net")
    before = (folder / "network.npz").read_bytes()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(net.edges.__class__, "to_parquet", boom)
    with pytest.raises(OSError, match="disk full"):
        net.save(folder)
    assert (folder / "network.npz").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["net"]  # no temporary folder left
    Network.load(folder)


def test_load_rejects_non_cache(tmp_path):
    with pytest.raises(GeoInputError, match="not a network cache"):
        Network.load(tmp_path)


def test_pick_crs():
    assert pick_crs(np.array([25.4]), np.array([57.3])) == "EPSG:3059"  # Cēsis
    assert pick_crs(np.array([14.5]), np.array([35.9])) == "EPSG:32633"  # Malta
    assert pick_crs(np.array([-88.7]), np.array([17.2])) == "EPSG:32616"  # Belize


def test_snap_reports_far_points_and_needs_crs():
    net = built_network("liechtenstein")
    pts = gpd.GeoDataFrame(
        geometry=[shapely.Point(9.52, 47.14), shapely.Point(9.0, 46.0), None], crs="EPSG:4326"
    )
    s = snap(net, pts)
    assert s.ok.tolist() == [True, False, False]
    assert s.node[1] == -1 and s.n_unsnapped == 2
    assert s.dist_m[0] < 200 and s.dist_m[1] > 100_000
    assert s.time_s[0] == pytest.approx(s.dist_m[0] / (10 / 3.6))
    with pytest.raises(GeoInputError, match="no coordinate reference system"):
        snap(net, gpd.GeoDataFrame(geometry=[shapely.Point(9.52, 47.14)]))


def test_roads_gdf_geometry_matches_lengths():
    net = built_network("rutland")
    roads = net.roads_gdf()
    assert len(roads) == len(net.edges)
    # projected length (UTM) vs geodesic length: equal within UTM scale error
    ratio = roads.length / roads["length_m"]
    assert ratio[roads["length_m"] > 50].between(0.995, 1.005).all()
