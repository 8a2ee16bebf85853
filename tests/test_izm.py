"""IZM/VIIS registry readers on the real 2022 exports in ../shared/data/vidzeme/schools."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from conftest import shared_file

from geo.errors import GeoInputError
from geo.sources import izm
from geo.sources.boundaries import VIDZEME_MUNICIPALITIES

IZM = ("vidzeme", "schools", "izm_2022")
PER_INST = "izglitojamoskvispizglprogr_pa_iestadem_01122022.xlsx"
PER_MUN = "izglitojamoskvispizglprogr_pa_pasvaldibam_01122022.xlsx"
CONTACTS = "ml_visparizgl_izgl_iest_kontaktinfo_01092022_0.xlsx"
DERIVED = ("vidzeme", "schools", "vidzeme_schools_pupils_by_grade_2022-12-01.csv")
GRADE_SRC = [f"{g}. klase" for g in range(1, 13)]


@pytest.fixture(scope="module")
def schools():
    return izm.read_schools(shared_file(*IZM, PER_INST), shared_file(*IZM, CONTACTS),
                            municipalities=VIDZEME_MUNICIPALITIES)


@pytest.fixture(scope="module")
def derived():
    return pd.read_csv(shared_file(*DERIVED), dtype={"Iestādes reģistrācijas Nr.": str})


def test_vidzeme_has_115_schools_and_22861_pupils(schools):
    assert len(schools) == 115
    assert int(schools["pupils_1_12"].sum()) == 22_861
    assert int(schools[list(izm.GRADE_COLUMNS)].to_numpy().sum()) == 22_861


def test_matches_the_derived_csv_school_by_school(schools, derived):
    d = derived.set_index("Iestādes reģistrācijas Nr.")
    assert set(d.index) == set(schools.index)
    s = schools.loc[d.index]
    for g, col in zip(izm.GRADE_COLUMNS, GRADE_SRC, strict=True):
        assert (s[g].to_numpy() == d[col].to_numpy()).all(), g
    assert (s["address"].to_numpy() == d["Adrese"].to_numpy()).all()
    assert (s["type_lv"].to_numpy() == d["Iestādes tips"].to_numpy()).all()
    assert (s["municipality_raw"].to_numpy() == d["Pašvaldība"].to_numpy()).all()


def test_registration_numbers_are_text(schools):
    ids = schools["school_id"]
    assert all(isinstance(v, str) for v in ids)
    assert ids.str.fullmatch(r"\d{10}").all()
    assert "4411900920" in set(ids)  # Alūksnes pilsētas sākumskola
    assert schools["atvk"].str.fullmatch(r"\d{6}").all()


def test_contact_header_found_on_row_4():
    c = izm.read_contacts(shared_file(*IZM, CONTACTS))
    assert c.attrs["header_row"] == 4
    assert len(c) == 647
    assert c["school_id"].str.fullmatch(r"\d{10}").all()
    per = izm.read_pupils_by_institution(shared_file(*IZM, PER_INST))
    assert per.attrs["header_row"] == 1
    assert len(per) == 1282


def test_grades_served_consistent_with_type(schools):
    t = schools["school_type"]
    assert (schools.loc[t == "sakumskola", "grade_max"] <= 6).all()
    assert (schools.loc[t == "pamatskola", "grade_max"] <= 9).all()
    assert (schools.loc[t == "sakumskola", ["g7", "g8", "g9", "g10", "g11", "g12"]] == 0).all().all()
    assert (schools.loc[t == "pamatskola", ["g10", "g11", "g12"]] == 0).all().all()
    general = t.isin(["sakumskola", "pamatskola", "vidusskola", "gimnazija"])
    assert (schools.loc[general, "grades_outside_type"] == "").all()
    # vidusskola / ģimnāzija: all but one (Zemes Sāls vidusskola, grades 4-7 only) have
    # grade 10-12 pupils; checked against the raw workbook read with openpyxl
    upper = schools[t.isin(["vidusskola", "gimnazija"])]
    without = upper[~upper["serves_10_12"]]
    assert len(upper) == 33
    assert without["name"].tolist() == ["Zemes Sāls vidusskola"]
    wb = openpyxl.load_workbook(shared_file(*IZM, PER_INST), read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    head = rows[0]
    i_id, i_10 = head.index("Iestādes reģistrācijas Nr."), head.index("10. klase")
    raw = {str(r[i_id]): sum(r[i_10:i_10 + 3]) for r in rows[1:]}
    assert all((raw[sid] > 0) == bool(upper.at[sid, "serves_10_12"]) for sid in upper.index)
    # a small pamatskola with an empty grade still serves its whole range
    assert schools.loc["4412900908", "grades_served"] == "1-9"  # Malienas, no 8th-graders
    assert schools.loc["4412900908", "g8"] == 0


def test_grades_served_rules():
    pupils = [[3, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0] * 6 + [5, 0, 0, 0, 0, 2]]
    served, outside = izm.grades_served(pupils, ["sakumskola", "pamatskola"])
    assert served[0].tolist() == [True, True, True] + [False] * 9
    assert served[1, 6:9].tolist() == [True, True, True]
    assert served[1, 11] and outside[1, 11] and not outside[0].any()


def test_per_municipality_file_equals_sum_of_institutions():
    mun = izm.filter_region(izm.read_pupils_by_municipality(shared_file(*IZM, PER_MUN)))
    per = izm.filter_region(izm.read_pupils_by_institution(shared_file(*IZM, PER_INST)))
    agg = per.groupby("municipality_key")[list(izm.GRADE_COLUMNS)].sum()
    m = mun.set_index("municipality_key")[list(izm.GRADE_COLUMNS)].loc[agg.index]
    assert (agg.to_numpy() == m.to_numpy()).all()
    assert len(mun) == 9
    assert int(mun["pupils_1_12"].sum()) == 22_861


@pytest.mark.parametrize("spelling", ["cēsu", "CĒSU NOVADS", "Cesu nov.", "Cēsu novads"])
def test_filter_region_matches_names_robustly(spelling):
    per = izm.read_pupils_by_institution(shared_file(*IZM, PER_INST))
    out = izm.filter_region(per, [spelling])
    assert set(out["municipality_raw"]) == {"CĒSU NOVADS"}
    assert len(out[out["pupils_1_12"] > 0]) == 27


def test_filter_region_unknown_name_lists_available():
    per = izm.read_pupils_by_institution(shared_file(*IZM, PER_INST))
    with pytest.raises(GeoInputError, match="Atlantis.*Cēsu novads"):
        izm.filter_region(per, ["Atlantis"])


def test_parse_address():
    assert izm.parse_address(
        "STRAUTIŅU PAMATSKOLA, STRAUTIŅI, ALSVIĶU PAGASTS, ALŪKSNES NOVADS, LV-4333"
    ) == ("Strautiņi", "Alsviķu pagasts")
    assert izm.parse_address("LIELĀ EZERA IELA 26, ALŪKSNE, ALŪKSNES NOVADS, LV-4301") == (
        "Alūksne", None)
    assert izm.parse_address("Bejas skola, BEJA, JAUNALŪKSNES PAG., ALŪKSNES NOVADS, LV-4350") == (
        "Beja", "Jaunalūksnes pagasts")


# -------------------------------------------------------------------------- bad input
def _copy_rows(tmp_path, name, *, drop=None, title_rows=0, n=40):
    """Real rows of the per-institution file, optionally minus a column / under a title."""
    src = openpyxl.load_workbook(shared_file(*IZM, PER_INST), read_only=True).worksheets[0]
    rows = [list(r) for i, r in enumerate(src.iter_rows(values_only=True)) if i <= n]
    if drop is not None:
        k = rows[0].index(drop)
        rows = [r[:k] + r[k + 1:] for r in rows]
    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(title_rows):
        ws.append([f"Title line {i + 1}"] if i % 2 == 0 else [])
    for r in rows:
        ws.append(r)
    path = tmp_path / name
    wb.save(path)
    return path


def test_missing_column_names_file_column_and_columns_found(tmp_path):
    path = _copy_rows(tmp_path, "no_grade3.xlsx", drop="3. klase")
    with pytest.raises(GeoInputError) as e:
        izm.read_pupils_by_institution(path)
    msg = str(e.value)
    assert "no_grade3.xlsx" in msg and "3. klase" in msg and "columns found" in msg
    assert "4. klase" in msg  # the columns found are listed


def test_header_found_below_a_title_block(tmp_path):
    path = _copy_rows(tmp_path, "titled.xlsx", title_rows=5)
    df = izm.read_pupils_by_institution(path)
    assert len(df) == 40
    assert df.attrs["header_row"] == 6
    ref = izm.read_pupils_by_institution(shared_file(*IZM, PER_INST)).head(40)
    assert (df["school_id"].to_numpy() == ref["school_id"].to_numpy()).all()


def test_registration_number_stored_as_number_stays_text(tmp_path):
    path = _copy_rows(tmp_path, "numeric_ids.xlsx", n=5)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    for row in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].value = float(row[0].value)
    wb.save(path)
    df = izm.read_pupils_by_institution(path)
    assert df["school_id"].tolist()[0] == "4501901606"


def test_empty_and_wrong_files(tmp_path):
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(GeoInputError, match="empty.xlsx.*empty"):
        izm.read_pupils_by_institution(empty)
    blank = tmp_path / "blank.xlsx"
    openpyxl.Workbook().save(blank)
    with pytest.raises(GeoInputError, match="blank.xlsx"):
        izm.read_pupils_by_institution(blank)
    text = tmp_path / "not_excel.xlsx"
    text.write_text("hello")
    with pytest.raises(GeoInputError, match="not_excel.xlsx"):
        izm.read_contacts(text)
    with pytest.raises(GeoInputError, match="not found"):
        izm.read_contacts(tmp_path / "missing.xlsx")


def test_contacts_file_is_not_the_pupils_file():
    with pytest.raises(GeoInputError, match="1. klase"):
        izm.read_pupils_by_institution(shared_file(*IZM, CONTACTS))
