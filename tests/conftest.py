"""Shared fixtures: the real data in ../shared/data, read in place (never copied)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _shared_data() -> Path:
    env = os.environ.get("GEO_SHARED_DATA")
    if env:
        return Path(env)
    return PROJECT_ROOT.parent / "shared" / "data"


SHARED_DATA = _shared_data()
OSM_DIR = SHARED_DATA / "osm"
VIDZEME_DIR = SHARED_DATA / "vidzeme"

OSM_FILES = {
    "malta": "malta-2018-08-27.osm.pbf",
    "belize": "belize-2015-08-23.osm.pbf",
    "rutland": "rutland-2018-02-27.osm.pbf",
    "liechtenstein": "liechtenstein-2024-03-03.osm.pbf",
    "china": "anhui-henan-tile-2017-10-03.osm.pbf",
    "porto": "porto-highways-2015-06-06.osm.pbf",
}


def shared_file(*parts: str) -> Path:
    """Path of a file under ../shared/data, or skip the test (with a reason) when absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} (../shared/data is absent on this machine)")
    return path


def osm_file(region: str) -> Path:
    """Path of a real OSM extract (see ../shared/data/README.md)."""
    return shared_file("osm", OSM_FILES[region])


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not available: {SHARED_DATA} is absent")
    return SHARED_DATA


_NETWORKS: dict = {}


def built_network(region: str, **kw):
    """The drive network of a real extract, built once per test session."""
    from geo.network.graph import build_network
    from geo.sources.osm import read_osm

    key = (region, tuple(sorted(kw.items())))
    if key not in _NETWORKS:
        _NETWORKS[key] = build_network(read_osm(osm_file(region), **kw))
    return _NETWORKS[key]
