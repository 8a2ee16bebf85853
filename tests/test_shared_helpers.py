"""The one-of-a-kind helpers of the layout (issue 8): file digest, GeoPackage writer, weighted
median, progress adapter. Each is checked against an independent computation, on real files.
"""

from __future__ import annotations

import hashlib

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from conftest import osm_file, shared_file

from geo._files import file_digest, write_gpkg
from geo.jobs import weighted_median
from geo.progress import counter


def test_file_digest_of_a_real_file_and_a_folder(tmp_path):
    pbf = osm_file("liechtenstein")
    data = pbf.read_bytes()
    assert file_digest(pbf) == hashlib.sha256(data).hexdigest()
    assert file_digest(pbf, "md5") == hashlib.md5(data).hexdigest()
    # a folder: relative names then contents, in name order
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x.bin").write_bytes(data[:1000])
    (tmp_path / "a.txt").write_bytes(b"abc")
    h = hashlib.sha256()
    for name, content in (("a.txt", b"abc"), ("b/x.bin", data[:1000])):
        h.update(name.encode())
        h.update(content)
    assert file_digest(tmp_path) == h.hexdigest()
    (tmp_path / "a.txt").write_bytes(b"abd")
    assert file_digest(tmp_path) != h.hexdigest()


def test_write_gpkg_round_trip_on_real_boundaries(tmp_path):
    munis = gpd.read_file(shared_file("vidzeme", "boundaries", "municipalities_2021.geojson"))
    munis = munis.iloc[:5].copy()
    munis["tags"] = [["a", "b"], None, {"k": 1}, "plain", 3]  # mixed: written as text
    table = pd.DataFrame({"name": ["x", "y"], "value": [1.5, np.nan]})
    out = tmp_path / "out.gpkg"
    write_gpkg(out, {"munis": munis, "table": table})
    assert [r[0] for r in pyogrio.list_layers(out)] == ["munis", "table"]
    back = gpd.read_file(out, layer="munis")
    assert back.crs == munis.crs
    assert back.geometry.geom_equals_exact(munis.geometry.reset_index(drop=True), 1e-9).all()
    tags = [None if pd.isna(x) else x for x in back["tags"]]
    assert tags == ["['a', 'b']", None, "{'k': 1}", "plain", "3"]
    t = pyogrio.read_dataframe(out, layer="table")
    assert t["name"].tolist() == ["x", "y"] and t["value"].iloc[0] == 1.5
    assert np.isnan(t["value"].iloc[1])


def _median_by_expansion(values, weights) -> float:
    """Lower weighted median of integer weights: repeat each value weight times."""
    ok = ~np.isnan(values) & (weights > 0)
    rep = np.sort(np.repeat(values[ok], weights[ok].astype(int)))
    return float(rep[(len(rep) + 1) // 2 - 1]) if len(rep) else float("nan")


@pytest.mark.parametrize("seed", range(20))
def test_weighted_median_matches_expansion(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 40))
    v = np.round(rng.uniform(0, 90, n), 1)
    v[rng.uniform(size=n) < 0.1] = np.inf  # unreachable: counts as the largest
    v[rng.uniform(size=n) < 0.1] = np.nan
    w = rng.integers(0, 6, n).astype(float)
    got, want = weighted_median(v, w), _median_by_expansion(v, w)
    assert got == want or (np.isnan(got) and np.isnan(want))


def test_progress_counter_reports_running_totals():
    seen = []
    update, close = counter(lambda done, total: seen.append((done, total)), total=10,
                            desc="x", unit="B", initial=2)
    update(3)
    update(5)
    close()
    assert seen == [(5, 10), (10, 10)]
    update, close = counter(False, total=None, desc="x", unit="B")
    update(1)
    close()
