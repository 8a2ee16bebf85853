"""The Streamlit app runs headless (streamlit.testing.AppTest) on a real OSM extract."""

from __future__ import annotations

import pytest
from conftest import OSM_DIR, PROJECT_ROOT, osm_file

from geo import workflows

pytest.importorskip("streamlit.testing.v1")
from streamlit.testing.v1 import AppTest  # noqa: E402


@pytest.fixture()
def app(monkeypatch):
    osm_file("liechtenstein")
    monkeypatch.setenv("GEO_DATA_PATH", str(OSM_DIR))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=180)
    return at


def test_app_shows_travel_time_for_a_real_extract(app):
    lie = [p for p in workflows.find_osm_files() if p.name.startswith("liechtenstein")]
    assert lie
    app.run()
    app.sidebar.selectbox[0].set_value(lie[0]).run()
    assert not app.exception, app.exception
    labels = [m.label for m in app.metric]
    assert "Skolas" in labels  # Latvian by default
    assert app.metric[0].value == "18"
    # switch to English
    app.sidebar.radio[0].set_value("en").run()
    assert not app.exception
    assert "Schools" in [m.label for m in app.metric]
