"""`python -m geo build demo` (and `--scale vidzeme`) end to end, in temporary folders."""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from conftest import PROJECT_ROOT

from geo import settings
from geo.cli import main


def _build(tmp_path, *extra):
    env = dict(os.environ, GEO_DOWNLOADS_DIR=str(tmp_path / "downloads"),
               GEO_BUNDLES_DIR=str(tmp_path / "bundles"))
    r = subprocess.run([sys.executable, "-m", "geo", "build", "demo", *extra], cwd=PROJECT_ROOT,
                       env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def _build_in_process(tmp_path, *extra):
    """``geo build demo`` through the CLI's entry point in this process, with the bundles and
    downloads folders of ``tmp_path`` (what ``GEO_BUNDLES_DIR``/``GEO_DOWNLOADS_DIR`` set for
    a subprocess; the ``python -m geo`` path itself is covered by test_cli.py and
    test_sweep.py::test_cli_sweep_serial). Returns what it printed."""
    mp = pytest.MonkeyPatch()
    mp.setattr(settings, "BUNDLES_DIR", tmp_path / "bundles")
    mp.setattr(settings, "DOWNLOADS_DIR", tmp_path / "downloads")
    mp.setattr(settings, "OVERPASS_CACHE_DIR", tmp_path / "downloads" / "overpass_cache")
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["build", "demo", *extra])
    finally:
        mp.undo()
    assert code == 0, err.getvalue()
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo")
    out = _build_in_process(tmp)
    return tmp / "bundles" / "demo", out


def test_build_demo_prints_sizes_and_runs_through_the_engine(demo):
    from geo.network.access import nearest_facility
    from geo.network.graph import Network
    from geo.region.bundle import load_bundle

    path, out = demo
    area = float(re.search(r"area ([\d,]+) km2", out).group(1).replace(",", ""))
    assert 1500 <= area <= 2500
    assert re.search(r"network: [\d,]+ nodes", out)
    b = load_bundle(path)
    assert not b.missing
    net = Network.load(b.network_dir)
    assert net.crs == "EPSG:3059"
    schools = b["schools"]
    assert schools.geometry.notna().all()  # every demo school located from its file
    cells = b["pupils_2021"]
    grades = [f"g{g}" for g in range(1, 13)]
    # pupils distributed to cells sum back to the registry
    assert cells[grades].to_numpy().sum() == pytest.approx(schools[grades].to_numpy().sum())
    near = nearest_facility(net, cells, schools, facility_id="school_id")
    assert near["snapped"].mean() > 0.95
    t = near.loc[near.snapped, "time_min"]
    assert np.isfinite(t).all() and 0 < t.median() < 30


def test_bundle_keeps_the_named_places_of_the_osm_file(demo):
    """Layer ``places``: the named cities, towns and villages of the demo's OSM file inside
    the region (read independently here with osmium), for the maps' place names."""
    import osmium
    import shapely

    from geo.region.bundle import load_bundle
    from geo.sources.osm import LABEL_PLACES

    path, _ = demo
    b = load_bundle(path)
    places = b["places"]
    osm = b.manifest["layers"]["places"]["sources"]
    src = next(iter(osm.values()))["file"]
    region = b["boundaries"].to_crs(settings.WGS84).union_all()
    expected = set()
    for n in osmium.FileProcessor(src, osmium.osm.NODE):
        if n.tags.get("place") in LABEL_PLACES and n.tags.get("name") and \
                region.contains(shapely.Point(n.location.lon, n.location.lat)):
            expected.add((n.tags["name"], n.tags["place"]))
    assert set(zip(places["name"], places["place"], strict=True)) == expected
    assert len(expected) >= 20 and {"town", "village"} <= {k for _, k in expected}
    assert places.crs == settings.WGS84 and places["population"].notna().all()


@pytest.mark.benchmark  # about 30 s: the Vidzeme-scale build; bench/ scripts build it too
def test_build_demo_vidzeme_scale_prints_sizes(tmp_path):
    out = _build(tmp_path, "--scale", "vidzeme")
    area = float(re.search(r"area ([\d,]+) km2", out).group(1).replace(",", ""))
    nodes = int(re.search(r"network: ([\d,]+) nodes", out).group(1).replace(",", ""))
    assert area >= 15_000
    assert nodes >= 100_000
    assert (tmp_path / "bundles" / "demo-vidzeme" / "network" / "network.npz").exists()
