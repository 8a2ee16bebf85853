import math

import pandas as pd
import pytest

from geo import settings
from geo.network.speed import parse_maxspeed, speed_source_share, way_speeds


@pytest.mark.parametrize(
    "value, speed, kind",
    [
        ("50", 50.0, "tag"),
        ("50 km/h", 50.0, "tag"),
        ("30 mph", 30 * 1.609344, "tag"),
        ("20mph", 20 * 1.609344, "tag"),
        ("LV:rural", 90.0, "implicit"),
        ("LV:urban", 50.0, "implicit"),
        ("GB:nsl_single", 96.56, "implicit"),
        ("DE:zone30", 30.0, "implicit"),
        ("50;70", 60.0, "tag"),
        ("walk", 5.0, "implicit"),
        ("none", math.nan, ""),
        ("signals", math.nan, ""),
        ("XX:unknown", math.nan, ""),
        ("", math.nan, ""),
        (None, math.nan, ""),
        ("0", math.nan, ""),
    ],
)
def test_parse_maxspeed(value, speed, kind):
    v, k = parse_maxspeed(value)
    if math.isnan(speed):
        assert math.isnan(v) and k == ""
    else:
        assert v == pytest.approx(speed) and k == kind


def test_way_speeds_surface_and_defaults():
    ways = pd.DataFrame({
        "highway": ["secondary", "secondary", "unclassified", "track", "primary", "residential"],
        "surface": ["asphalt", "gravel", None, None, "gravel", None],
        "maxspeed": [None, None, None, None, "90", "LV:urban"],
        "tracktype": [None, None, None, "grade1", None, None],
    })
    s = way_speeds(ways)
    sec = settings.DEFAULT_SPEED_KMH["secondary"]
    f, cap = settings.SURFACE_SPEED["gravel"]
    assert s.speed_kmh[0] == sec
    assert s.speed_kmh[1] == min(sec * f, cap) < sec  # gravel is slower
    assert s.surface_group[2] == "gravel"  # unclassified defaults to gravel in Latvia
    assert s.surface_group[3] == "paved"  # tracktype=grade1
    assert s.speed_kmh[4] == cap  # tagged 90 on gravel is capped
    assert list(s.speed_source) == ["default"] * 4 + ["tag", "implicit"]
    share = speed_source_share(s.speed_source)
    assert share == pytest.approx({"tag": 1 / 6, "implicit": 1 / 6, "default": 4 / 6})


def test_walk_mode_uses_walking_speed():
    s = way_speeds(pd.DataFrame({"highway": ["primary", "footway"], "maxspeed": ["90", None]}),
                   mode="walk")
    assert (s.speed_kmh == settings.WALK_SPEED_KMH).all()


def test_readme_speed_table_matches_settings():
    """The table planners read in README.md is the table the code uses."""
    import re

    from conftest import PROJECT_ROOT

    table = settings.speed_table()
    rows = re.findall(r"^\s*\|\s*([a-z_]+)\s*\|\s*(\d+)\s*\|\s*(\d+)[^|]*\|\s*(\d+)[^|]*\|",
                      (PROJECT_ROOT / "README.md").read_text("utf-8"), flags=re.M)
    assert len(rows) >= 9
    for hw, paved, gravel, unpaved in rows:
        assert table.loc[hw, "paved_kmh"] == float(paved)
        assert table.loc[hw, "gravel_kmh"] == float(gravel)
        assert table.loc[hw, "unpaved_kmh"] == float(unpaved)
