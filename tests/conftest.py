"""Shared fixtures: the real data in ../shared/data, read in place (never copied)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
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


def malta_capacitated(*, capacitated: bool = True):
    """Malta prepared from its real OSM schools and populated places, with capacities that
    bind (OSM has none: every school gets room for 1.15 x its share of 20 schools; without
    ``capacitated`` they stay unlimited).

    Returns ``(network, places, schools, prepared)``.
    """
    from geo.planning.prepared import prepare
    from geo.sources.osm import read_facilities, read_places

    path = osm_file("malta")
    schools = read_facilities(path)
    schools["id"] = schools["osm_id"]
    places = read_places(path)
    places = places[places["population"] > 0].reset_index(drop=True)
    places["id"] = places["osm_id"]
    net = built_network("malta")
    prep = prepare(net, places, schools, base_year=2018, population="population",
                   region="malta")
    if capacitated:
        prep.schools["capacity"] = np.ceil(1.15 * prep.pupils.sum() / 20)
    return net, places, schools, prep


#: The longest modules first, so that with pytest-xdist (``--dist loadfile``) the short ones
#: fill the end of the run instead of two browser modules running side by side at the end
#: (longest-processing-time-first scheduling; the order of tests within a module is kept).
LONG_MODULES = ("test_app_exports_browser.py", "test_app_browser.py", "test_app.py",
                "test_app_vidzeme.py", "test_app_vidzeme_browser.py", "test_sweep.py",
                "test_dask.py", "test_optimize.py", "test_access.py", "test_network.py")


def pytest_collection_modifyitems(config, items):
    """Put :data:`LONG_MODULES` first, in that order."""
    rank = {name: i for i, name in enumerate(LONG_MODULES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(LONG_MODULES)))
