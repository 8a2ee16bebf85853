"""The app's cache of a bundle's prepared region (geo.jobs.cached_prepared): read back equal to
a fresh preparation, used only for the same build of the bundle and the same code, and never
a reason to fail."""

from __future__ import annotations

import numpy as np
import pytest

from geo import jobs, settings
from geo._files import read_marker
from geo.planning.evaluate import evaluate
from geo.planning.prepared import prepare_bundle
from geo.planning.scenario import scenario_from_dict
from geo.region import load_bundle
from geo.region.build import build_bundle


@pytest.fixture()
def demo(tmp_path, monkeypatch):
    """A demo bundle built offline in ``tmp_path``."""
    monkeypatch.setattr(settings, "BUNDLES_DIR", tmp_path / "bundles")
    monkeypatch.setattr(settings, "DOWNLOADS_DIR", tmp_path / "downloads")
    out = settings.BUNDLES_DIR / "demo"
    build_bundle("demo", out=out, online=False)
    return load_bundle(out)


class _Counter:
    """``prepare_bundle`` that counts its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return prepare_bundle(*args, **kwargs)


def _same(a, b) -> None:
    for k in ("indptr", "school", "time_s", "dist_m", "floor_s", "floor_m", "complete"):
        np.testing.assert_array_equal(getattr(a.pairs, k), getattr(b.pairs, k), err_msg=k)
    np.testing.assert_array_equal(a.pupils, b.pupils)
    np.testing.assert_array_equal(a.origin_ids, b.origin_ids)
    assert a.schools.equals(b.schools)
    assert (a.bands, a.base_year, a.crs) == (b.bands, b.base_year, b.crs)


def test_second_call_reads_the_cache_and_answers_the_same(demo, monkeypatch):
    count = _Counter()
    monkeypatch.setattr(jobs, "prepare_bundle", count)
    first = jobs.cached_prepared(demo)
    assert count.calls == 1
    folder = jobs.prepared_cache_dir(demo.path)
    marker = read_marker(folder)
    assert marker["state"] == "complete" and marker["cache_key"].endswith(jobs.code_digest())
    again = jobs.cached_prepared(demo)
    assert count.calls == 1, "read from the cache, not prepared again"
    _same(first, again)
    close = [str(s) for s in first.school_ids[:3]]
    sc = scenario_from_dict({"changes": [{"close": close}]})
    a, b = evaluate(first, sc), evaluate(again, sc)
    assert a.assignment.objective == b.assignment.objective
    np.testing.assert_array_equal(a.assignment.school, b.assignment.school)


def test_a_new_build_or_new_code_prepares_again(demo, monkeypatch):
    count = _Counter()
    monkeypatch.setattr(jobs, "prepare_bundle", count)
    jobs.cached_prepared(demo)
    monkeypatch.setattr(jobs, "code_digest", lambda: "0" * 16)  # the code changed
    jobs.cached_prepared(demo)
    assert count.calls == 2
    build_bundle("demo", out=demo.path, online=False)  # the bundle rebuilt
    assert not jobs.prepared_cache_dir(demo.path).exists(), "the old cache went with it"
    jobs.cached_prepared(load_bundle(demo.path))
    assert count.calls == 3
    jobs.cached_prepared(load_bundle(demo.path))
    assert count.calls == 3


def test_a_broken_or_unwritable_cache_is_not_an_error(demo, monkeypatch, tmp_path):
    count = _Counter()
    monkeypatch.setattr(jobs, "prepare_bundle", count)
    fresh = jobs.cached_prepared(demo)
    folder = jobs.prepared_cache_dir(demo.path)
    (folder / "arrays.npz").write_bytes(b"cut short")
    again = jobs.cached_prepared(demo)
    assert count.calls == 2
    _same(fresh, again)
    assert jobs.cached_prepared(demo) is not None and count.calls == 2, "rewritten"
    # a cache folder that cannot be written: the region is still prepared
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(jobs, "prepared_cache_dir", lambda _: blocker / "prepared")
    _same(fresh, jobs.cached_prepared(demo))
    assert blocker.read_text() == "not a folder"
