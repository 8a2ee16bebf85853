"""School capacity tables: the demo generator's file, and bad input."""

from __future__ import annotations

import pytest

from geo.errors import GeoInputError
from geo.sources.capacity import read_capacity


def test_reads_ids_as_text_and_numbers(tmp_path):
    f = tmp_path / "capacity.csv"
    f.write_text("Iestādes reģistrācijas Nr.;Vietas;dormitory_places\n"
                 "0411900920;240;0\n4412900906;95,5;12\n", encoding="utf-8")
    cap = read_capacity(f)
    assert list(cap["school_id"]) == ["0411900920", "4412900906"]  # leading zero kept
    assert list(cap["capacity"]) == [240.0, 95.5]
    assert list(cap["dormitory_places"]) == [0.0, 12.0]


@pytest.mark.parametrize("text, match", [
    ("reg_nr,places\n4411900920,many\n", "numbers >= 0"),
    ("reg_nr,places\n4411900920,-5\n", "numbers >= 0"),
    ("reg_nr,places\n4411900920,10\n4411900920,12\n", "listed twice"),
    ("reg_nr,pupils\n4411900920,10\n", r"lacks column\(s\) \['capacity'\]"),
])
def test_bad_tables(tmp_path, text, match):
    f = tmp_path / "cap.csv"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(GeoInputError, match=f"cap.csv.*{match}"):
        read_capacity(f)


def test_unknown_school(tmp_path):
    f = tmp_path / "cap.csv"
    f.write_text("reg_nr,capacity\n9999999999,10\n", encoding="utf-8")
    with pytest.raises(GeoInputError, match="unknown school registration numbers"):
        read_capacity(f, known_schools=["4411900920"])
