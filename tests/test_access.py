"""Nearest facility, matrices, k nearest, catchments, isochrones on real OSM data."""

from __future__ import annotations

from types import SimpleNamespace

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import built_network, osm_file
from scipy.sparse.csgraph import dijkstra

from geo.cli import main as geo_main
from geo.errors import GeoInputError
from geo.network.access import (
    _tree_distance,
    catchments,
    isochrones,
    k_nearest,
    nearest_facility,
    nearest_facility_nodes,
    node_matrix,
    node_pairs,
    snap_facilities,
    travel_time_matrix,
)
from geo.sources.osm import read_facilities, read_places


@pytest.fixture(scope="module")
def malta():
    net = built_network("malta")
    schools = read_facilities(osm_file("malta"))
    return net, schools


def _random_origins(net, n, seed=0, jitter=300.0):
    rng = np.random.default_rng(seed)
    i = rng.choice(net.n_nodes, n, replace=False)
    x = net.x[i] + rng.uniform(-jitter, jitter, n)
    y = net.y[i] + rng.uniform(-jitter, jitter, n)
    return gpd.GeoDataFrame(
        {"id": [f"o{k}" for k in range(n)], "population": rng.integers(1, 500, n)},
        geometry=gpd.points_from_xy(x, y), crs=net.crs,
    ).to_crs("EPSG:4326")


@pytest.mark.parametrize("region", ["malta", "rutland", "liechtenstein", "china"])
def test_nearest_pass_equals_networkx_multi_source(region):
    """One multi-source pass == networkx multi_source_dijkstra on the same graph, incl. the
    facilities' off-network legs (virtual source nodes in both)."""
    net = built_network(region)
    schools = read_facilities(osm_file(region))
    acc = nearest_facility_nodes(net, schools)
    fs = acc.facility_snap
    assert fs.ok.sum() >= 10
    g = net.to_networkx().reverse(copy=True)
    n = net.n_nodes
    src = []
    for j in np.flatnonzero(fs.ok):
        g.add_edge(n + j, int(fs.node[j]), time_s=float(fs.time_s[j]))
        src.append(n + j)
    dist, paths = nx.multi_source_dijkstra(g, src, weight="time_s")
    ref = np.array([dist.get(v, np.inf) for v in range(n)])
    assert np.max(np.abs(ref - acc.time_s)) < 1e-6
    # identity of the nearest school: the same wherever there is no tie
    ref_fac = np.array([paths[v][0] - n if v in paths else -1 for v in range(n)])
    agree = ref_fac == acc.facility
    if not agree.all():
        # a disagreement is only allowed at exact ties
        t_ours = acc.time_s[~agree]
        assert np.allclose(t_ours, ref[~agree])
    assert agree.mean() > 0.99


def test_matrix_equals_nearest_and_forward_search(malta):
    net, schools = malta
    orig = _random_origins(net, 120)
    m = travel_time_matrix(net, orig, schools, origin_id="id", facility_id="osm_id", cutoff_s=None)
    near = nearest_facility(net, orig, schools, origin_id="id", facility_id="osm_id")
    best = m.time_s.min(axis=1)
    ok = near["snapped"].to_numpy()
    assert np.allclose(best[ok], near["time_s"].to_numpy()[ok], atol=1e-6)
    arg = m.time_s.argmin(axis=1)
    assert np.allclose(m.dist_m[np.arange(len(arg)), arg][ok], near["dist_m"].to_numpy()[ok])
    # independent: forward Dijkstra from each origin node over the forward graph
    os_, fs = m.origin_snap, m.facility_snap
    fwd = dijkstra(net.graph, indices=os_.node[ok][:10])
    ref = fwd[:, fs.node] + os_.time_s[ok][:10, None] + fs.time_s[None, :]
    ref[:, ~fs.ok] = np.inf
    assert np.allclose(ref, m.time_s[ok][:10], atol=1e-6)


def test_cutoff_and_k_nearest(malta):
    net, schools = malta
    orig = _random_origins(net, 60, seed=3)
    full = travel_time_matrix(net, orig, schools, origin_id="id", facility_id="osm_id",
                              cutoff_s=None)
    cut = travel_time_matrix(net, orig, schools, origin_id="id", facility_id="osm_id",
                             cutoff_s=600)
    within = full.time_s <= 600
    assert np.array_equal(np.isfinite(cut.time_s), within)
    assert np.allclose(cut.time_s[within], full.time_s[within])
    kn = k_nearest(full, k=3)
    for oid, grp in kn.groupby("origin_id"):
        row = full.time_s[list(full.origin_ids).index(oid)]
        assert np.allclose(grp["time_s"].to_numpy(), np.sort(row)[: len(grp)])
        assert (grp["rank"].to_numpy() == np.arange(1, len(grp) + 1)).all()


def test_bounded_pairs_equal_the_whole_matrix(malta):
    """node_pairs: bounded searches keep exactly the node pairs within the limit, with the
    times and distances of the unbounded matrix bit for bit (distances summed over the reached
    nodes only, as the whole-tree sum of _tree_distance); repeated facility nodes."""
    net, schools = malta
    fs = snap_facilities(net, schools)
    fnodes = np.r_[fs.node[fs.ok][:25], fs.node[fs.ok][:3]]
    onodes = np.random.default_rng(5).integers(0, net.n_nodes, 300)
    T, D = node_matrix(net, onodes, fnodes, with_distance=True)
    dist, pred = dijkstra(net.rgraph, indices=fnodes[:4], return_predecessors=True)
    np.testing.assert_array_equal(D[:, :4].T, _tree_distance(net, pred)[:, onodes])
    for limit in (None, 300.0):
        o, f, t, d = node_pairs(net, onodes, fnodes, limit_s=limit, block=8)
        mask = np.zeros(T.shape, bool)
        mask[o, f] = True
        np.testing.assert_array_equal(mask, T <= (np.inf if limit is None else limit))
        np.testing.assert_array_equal(t, T[o, f])
        np.testing.assert_array_equal(d, D[o, f])
    assert 0 < mask.sum() < 0.5 * mask.size


def test_unsnapped_origins_are_reported_not_dropped(malta):
    net, schools = malta
    orig = _random_origins(net, 10)
    sea = gpd.GeoDataFrame({"id": ["sea"], "population": [5]},
                           geometry=[shapely.Point(14.0, 35.5)], crs="EPSG:4326")
    both = gpd.GeoDataFrame(
        gpd.pd.concat([orig, sea], ignore_index=True), geometry="geometry", crs="EPSG:4326"
    )
    res = nearest_facility(net, both, schools, origin_id="id", facility_id="osm_id",
                           population="population")
    assert len(res) == 11
    row = res.set_index("origin_id").loc["sea"]
    assert not row["snapped"] and pd.isna(row["facility_id"]) and np.isinf(row["time_s"])


def test_catchments_sum_to_reached_population(malta):
    net, schools = malta
    orig = _random_origins(net, 200, seed=5)
    near = nearest_facility(net, orig, schools, origin_id="id", facility_id="osm_id",
                            population="population")
    c = catchments(near, facility_ids=schools["osm_id"])
    assert len(c) == len(schools)
    reached = near["facility_id"].notna()
    assert c["population"].sum() == near.loc[reached, "population"].sum()
    assert c["n_origins"].sum() == reached.sum()


def test_isochrones_contain_reached_nodes_and_nest():
    net = built_network("liechtenstein")
    schools = read_facilities(osm_file("liechtenstein")).head(3)
    iso = isochrones(net, schools, minutes=(5, 10), facility_id="osm_id")
    assert len(iso) == 6
    fs = snap_facilities(net, schools)
    d = dijkstra(net.rgraph, indices=fs.node) + fs.time_s[:, None]
    for j, fid in enumerate(schools["osm_id"]):
        p5 = iso[(iso.facility_id == fid) & (iso.minutes == 5)].geometry.iloc[0]
        p10 = iso[(iso.facility_id == fid) & (iso.minutes == 10)].geometry.iloc[0]
        assert p5.area < p10.area
        assert p5.difference(p10).area < 0.01 * p5.area  # nested (up to simplification)
        inside = d[j] <= 300
        assert shapely.contains_xy(p5.buffer(1), net.x[inside], net.y[inside]).all()
        far = d[j] > 900  # 15 min: well outside the 10 min polygon (250 m buffer)
        frac_out = 1 - shapely.contains_xy(p10, net.x[far], net.y[far]).mean()
        assert frac_out > 0.95
    comb = isochrones(net, schools, minutes=(5,), combined=True)
    assert len(comb) == 1
    union5 = shapely.union_all(iso[iso.minutes == 5].geometry.values)
    assert comb.geometry.iloc[0].symmetric_difference(union5).area < 0.01 * union5.area


def test_facilities_outside_network(malta):
    net, _ = malta
    far = read_facilities(osm_file("liechtenstein"))
    far.attrs["source"] = "liechtenstein-schools.gpkg"
    with pytest.raises(GeoInputError, match="liechtenstein-schools.gpkg.*outside the network"):
        nearest_facility(net, _random_origins(net, 5), far)


def test_origins_without_crs(malta, tmp_path):
    net, schools = malta
    orig = _random_origins(net, 5)
    path = tmp_path / "cells.shp"  # a shapefile without its .prj: a common real case
    orig.to_file(path)
    path.with_suffix(".prj").unlink()
    from geo.sources.vector import read_vector

    with pytest.raises(GeoInputError, match="cells.shp.*no coordinate reference system"):
        read_vector(path, name="origins")
    no_crs = gpd.GeoDataFrame(orig.drop(columns="geometry"), geometry=list(orig.geometry))
    with pytest.raises(GeoInputError, match="origins layer has no coordinate reference system"):
        nearest_facility(net, no_crs, schools)


def _cli(capsys, *args: str) -> SimpleNamespace:
    """``python -m geo ARGS`` through the CLI's entry point in this process (the subprocess
    path is covered by test_cli.py and test_sweep.py::test_cli_sweep_serial): its exit code
    and what it printed."""
    capsys.readouterr()
    code = geo_main([*args])
    out = capsys.readouterr()
    return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)


def test_cli_network_and_access(tmp_path, capsys):
    src = osm_file("liechtenstein")
    places = read_places(src)
    places.to_file(tmp_path / "places.gpkg")
    run = lambda *a: _cli(capsys, *a)  # noqa: E731
    r = run("network", str(src), "--out", str(tmp_path / "net"))
    assert r.returncode == 0, r.stderr
    assert "nodes" in r.stdout
    out = tmp_path / "results.gpkg"
    r = run("access", "--network", str(tmp_path / "net"), "--facilities", str(src),
            "--origins", str(tmp_path / "places.gpkg"), "--out", str(out))
    assert r.returncode == 0, r.stderr
    o = gpd.read_file(out, layer="origins")
    f = gpd.read_file(out, layer="facilities")
    assert len(o) == len(places)
    assert {"facility_id", "time_min", "dist_km", "population", "snapped"} <= set(o.columns)
    assert {"n_origins", "population"} <= set(f.columns)
    assert f["population"].sum() == pytest.approx(o.loc[o.facility_id.notna(), "population"].sum())
    # bad input: an origins file without CRS -> exit code 2 and a message naming the file
    bad = tmp_path / "nocrs.shp"
    places.to_file(bad)
    bad.with_suffix(".prj").unlink()
    r = run("access", "--network", str(tmp_path / "net"), "--facilities", str(src),
            "--origins", str(bad), "--out", str(tmp_path / "x.gpkg"))
    assert r.returncode == 2 and "nocrs.shp" in r.stderr and "CRS" in r.stderr
    assert not (tmp_path / "x.gpkg").exists()


def test_cli_network_clip(tmp_path, capsys):
    src = osm_file("liechtenstein")
    box = tmp_path / "box.geojson"
    gpd.GeoDataFrame(geometry=[shapely.box(9.50, 47.12, 9.56, 47.16)], crs=4326).to_file(box)
    r = _cli(capsys, "network", str(src), "--out", str(tmp_path / "net"), "--clip", str(box))
    assert r.returncode == 0, r.stderr
    from geo.network.graph import Network

    net = Network.load(tmp_path / "net")
    assert shapely.contains_xy(shapely.box(9.50, 47.12, 9.56, 47.16).buffer(1e-9), net.lon,
                               net.lat).all()
    pts = tmp_path / "pts.geojson"
    read_places(src).to_file(pts)
    r = _cli(capsys, "network", str(src), "--out", str(tmp_path / "net2"), "--clip", str(pts))
    assert r.returncode == 2 and "pts.geojson" in r.stderr and "polygons" in r.stderr
