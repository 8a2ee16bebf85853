"""Ministry of Education (IZM) open-data exports from the State Education Information System
(VIIS), as published on the national open-data portal (data.gov.lv).

Three Excel files are read:

* pupils per institution and grade, ``izglitojamoskvispizglprogr_pa_iestadem_DDMMYYYY.xlsx``
  (:func:`read_pupils_by_institution`),
* pupils per municipality and grade, ``..._pa_pasvaldibam_...xlsx``
  (:func:`read_pupils_by_municipality`),
* the contact list of general-education institutions with addresses,
  ``ml_visparizgl_izgl_iest_kontaktinfo_DDMMYYYY.xlsx``, whose header is on row 4 under a title
  block (:func:`read_contacts`).

Header rows are found by their column names, not by position; column names are compared
without case, diacritics or spaces; missing columns raise :class:`~geo.errors.GeoInputError`
naming the file, the missing columns and the columns found. Registration numbers are kept as
text (``"4411900920"``), never as floats.

:func:`read_schools` joins the per-institution file and the contact list on the registration
number and gives one row per school with its type, the grades it serves, its pupils per grade
(columns ``g1`` ... ``g12``), municipality and address.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from geo.errors import GeoInputError, Msg
from geo.grades import format_grades
from geo.sources.boundaries import VIDZEME_MUNICIPALITIES, display_name, municipality_key
from geo.sources.tabular import fold, match_columns, named, read_excel_table

GRADES: tuple[int, ...] = tuple(range(1, 13))
#: Output columns of pupils per grade 1..12.
GRADE_COLUMNS: tuple[str, ...] = tuple(f"g{g}" for g in GRADES)
#: Registry column of grade ``g``.
_GRADE_SRC = {f"g{g}": (f"{g}. klase",) for g in GRADES}

_ID = ("Iestādes reģistrācijas Nr.", "reģistrācijas Nr.", "Reģ. Nr.", "reg_nr")

#: Columns of the per-institution file: standard name -> accepted spellings.
INSTITUTION_COLUMNS: dict[str, tuple[str, ...]] = {
    "municipality_raw": ("Pašvaldība",),
    "school_id": _ID,
    "name": ("Iestādes nosaukums",),
    "kind_lv": ("Iestādes veids",),
    "type_lv": ("Iestādes tips",),
    "subordination": ("Pakļautība",),
    "founder": ("Faktiskais dibinātājs",),
    "atvk": ("Adreses ATVK kods",),
    "preschool": ("Izglītojamo skaits pirmsskolā kopā",),
    **_GRADE_SRC,
    "pupils_1_12_registry": ("Kopā 1.-12.klasē",),
    "pupils_total": ("Kopējais izglītojamo skaits",),
}
INSTITUTION_REQUIRED = ("municipality_raw", "school_id", "name", "type_lv", *GRADE_COLUMNS)

#: Columns of the contact list.
CONTACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "municipality_raw": ("Novads/valstspilsēta", "Pašvaldība"),
    "school_id": _ID,
    "name": ("Iestādes nosaukums",),
    "subordination": ("Pakļautība",),
    "kind_lv": ("Iestādes veids",),
    "type_lv": ("Iestādes tips",),
    "address": ("Adrese",),
    "email": ("Epasts", "E-pasts"),
    "phone": ("Tālrunis",),
    "director": ("Direktors",),
    "preschool_sep": ("Bērnu skaits pirmsskolas programmās",),
    "pupils_1_12_sep": ("Izglītojamo skaits 1. - 12. klasē",),
}
CONTACT_REQUIRED = ("school_id", "name", "address")

#: Columns of the per-municipality file.
MUNICIPALITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "municipality_raw": ("Pašvaldība", "Novads/valstspilsēta"),
    "preschool": ("Izglītojamo skaits pirmsskolā kopā",),
    **_GRADE_SRC,
    "pupils_1_12_registry": ("Kopā 1.-12.klasē",),
}
MUNICIPALITY_REQUIRED = ("municipality_raw", *GRADE_COLUMNS)

#: School types (``Iestādes tips`` of the registry) -> type key of this tool. Types not listed
#: (pre-school, interest education...) map to ``"other"``.
SCHOOL_TYPES: dict[str, str] = {
    "vispārizglītojošā sākumskola": "sakumskola",
    "vispārizglītojošā pamatskola": "pamatskola",
    "vispārizglītojošā vidusskola": "vidusskola",
    "valsts ģimnāzija": "gimnazija",
    "speciālā pamatskola": "special",
    "speciālā vidusskola": "special",
    "internātskola - attīstības centrs": "special",
    "vispārizglītojošā vakara (maiņu) vidusskola": "evening",
    "neklātienes vidusskola": "distance",
    "profesionālās vidējās izglītības iestāde": "vocational",
    "profesionālās izglītības kompetences centrs": "vocational",
    "pirmsskolas izglītības iestāde": "preschool",
}
#: Grades each school type may teach (Latvian law on general education; a Valsts ģimnāzija
#: may keep grades 1-6 and special schools may run grades 10-12).
TYPE_GRADES: dict[str, tuple[int, ...]] = {
    "sakumskola": tuple(range(1, 7)),
    "pamatskola": tuple(range(1, 10)),
    "vidusskola": GRADES,
    "gimnazija": GRADES,
    "special": GRADES,
    "evening": tuple(range(7, 13)),
    "distance": GRADES,
    "vocational": GRADES,
    "preschool": (),
    "other": GRADES,
}
#: Type labels (English; the Latvian ones are the registry's ``type_lv``).
TYPE_LABELS_EN: dict[str, str] = {
    "sakumskola": "primary school (grades 1-6)",
    "pamatskola": "basic school (grades 1-9)",
    "vidusskola": "secondary school (grades 1-12)",
    "gimnazija": "state gymnasium",
    "special": "special school",
    "evening": "evening (shift) secondary school",
    "distance": "distance-learning secondary school",
    "vocational": "vocational school",
    "preschool": "pre-school",
    "other": "other",
}


def school_type(type_lv) -> str:
    """Type key (``sakumskola``, ``pamatskola``, ``vidusskola``, ``gimnazija``, ``special``,
    ``evening``, ``distance``, ``vocational``, ``preschool``, ``other``) of a registry
    ``Iestādes tips``, compared without case and diacritics."""
    k = fold(type_lv)
    for lv, key in SCHOOL_TYPES.items():
        if fold(lv) == k:
            return key
    if "gimnazij" in k:
        return "gimnazija"
    if "special" in k or "internatskola" in k:
        return "special"
    if "vakara" in k:
        return "evening"
    return "other"


def _read(path, *, name, columns, required, text):
    df = read_excel_table(path, name=name, known_columns=[a for v in columns.values() for a in v],
                          text_columns=text, kind="IZM")
    cols = match_columns(df, columns, path=path, name=name, required=required)
    out = pd.DataFrame({std: df[src].to_numpy() for std, src in cols.items()})
    out.attrs = {"source": str(path), "header_row": df.attrs.get("header_row")}
    return out


def _clean_grades(df: pd.DataFrame, path, name: str) -> pd.DataFrame:
    for c in [c for c in (*GRADE_COLUMNS, "preschool", "pupils_1_12_registry", "pupils_total")
              if c in df]:
        v = pd.to_numeric(df[c], errors="coerce")
        bad = v.isna() & df[c].notna() & (df[c].astype("string").str.strip() != "")
        if bad.any() or (v < 0).any():
            rows = list(df.index[bad | (v < 0)][:5] + 2)
            raise GeoInputError(
                Msg("err.izm.not_counts", name=named(name), column=repr(c), rows=str(rows)),
                path=path, fix=Msg("err.izm.as_published.fix"),
            )
        df[c] = v.fillna(0).astype("int64")
    return df


def _id_column(df: pd.DataFrame, path, name: str) -> pd.DataFrame:
    ids = df["school_id"].astype("string").str.strip()
    ids = ids.str.replace(r"\.0+$", "", regex=True)
    if ids.isna().any():
        raise GeoInputError(Msg("err.izm.no_id", name=named(name)), path=path,
                            fix=Msg("err.izm.as_published.fix"))
    df["school_id"] = ids.astype(object)
    return df


def read_pupils_by_institution(path: str | Path) -> pd.DataFrame:
    """Pupils per institution and grade (``..._pa_iestadem_DDMMYYYY.xlsx``).

    Parameters
    ----------
    path : str or Path
        The IZM/VIIS export.

    Returns
    -------
    pandas.DataFrame
        One row per institution: ``school_id`` (registration number, text), ``name``,
        ``municipality`` (``"Alūksnes novads"``), ``municipality_key``, ``municipality_raw``
        (as in the file), ``kind_lv`` (Iestādes veids), ``type_lv`` (Iestādes tips),
        ``school_type`` (:func:`school_type`), ``subordination``, ``founder``, ``atvk``
        (territorial code of the address, text), ``preschool``, ``g1`` ... ``g12`` (pupils,
        int), ``pupils_1_12`` (their sum), ``pupils_total``. ``attrs["source"]`` is the file.

    Raises
    ------
    GeoInputError
        Unreadable file, no header, missing columns, non-numeric counts, duplicate ids, or a
        grade sum that differs from the file's ``Kopā 1.-12.klasē``.
    """
    name = "pupils-per-institution (IZM)"
    df = _read(path, name=name, columns=INSTITUTION_COLUMNS, required=INSTITUTION_REQUIRED,
               text=("Iestādes reģistrācijas Nr.", "Adreses ATVK kods", *_ID))
    df = _clean_grades(_id_column(df, path, name), path, name)
    dup = df["school_id"][df["school_id"].duplicated()]
    if len(dup):
        raise GeoInputError(Msg("err.izm.repeated_ids", name=named(name),
                                ids=str(dup.tolist()[:5])), path=path,
                            fix=Msg("err.izm.as_published.fix"))
    df["pupils_1_12"] = df[list(GRADE_COLUMNS)].sum(axis=1)
    if "pupils_1_12_registry" in df:
        bad = df["pupils_1_12"] != df["pupils_1_12_registry"]
        if bad.any():
            raise GeoInputError(
                Msg("err.izm.sum_mismatch", ids=str(df.loc[bad, 'school_id'].tolist()[:5])),
                path=path, fix=Msg("err.izm.as_published.fix"),
            )
        df = df.drop(columns="pupils_1_12_registry")
    if "atvk" in df:
        df["atvk"] = df["atvk"].map(lambda v: None if v is None or v != v else str(v).zfill(6))
    _add_municipality(df)
    df["school_type"] = df["type_lv"].map(school_type)
    df.attrs["source"] = str(path)
    return df


def _add_municipality(df: pd.DataFrame) -> None:
    """Add ``municipality`` (boundary-file spelling) and ``municipality_key`` from the raw name."""
    df["municipality"] = df["municipality_raw"].map(display_name)
    df["municipality_key"] = df["municipality_raw"].map(municipality_key)


def read_pupils_by_municipality(path: str | Path) -> pd.DataFrame:
    """Pupils per municipality and grade (``..._pa_pasvaldibam_DDMMYYYY.xlsx``).

    Returns
    -------
    pandas.DataFrame
        One row per municipality: ``municipality``, ``municipality_key``,
        ``municipality_raw``, ``preschool``, ``g1`` ... ``g12`` (int), ``pupils_1_12``.
        A total row ("Kopā", "Latvija") is dropped.
    """
    name = "pupils-per-municipality (IZM)"
    df = _read(path, name=name, columns=MUNICIPALITY_COLUMNS, required=MUNICIPALITY_REQUIRED,
               text=())
    df = df[df["municipality_raw"].notna()]
    df = df[~df["municipality_raw"].map(fold).isin(["kopa", "latvija", "kopa latvija", "total"])]
    df = _clean_grades(df.reset_index(drop=True), path, name)
    df["pupils_1_12"] = df[list(GRADE_COLUMNS)].sum(axis=1)
    if "pupils_1_12_registry" in df:
        bad = df["pupils_1_12"] != df["pupils_1_12_registry"]
        if bad.any():
            raise GeoInputError(
                Msg("err.izm.sum_mismatch", ids=str(df.loc[bad, 'municipality_raw'].tolist())),
                path=path, fix=Msg("err.izm.as_published.fix"))
        df = df.drop(columns="pupils_1_12_registry")
    _add_municipality(df)
    df.attrs["source"] = str(path)
    return df


def read_contacts(path: str | Path) -> pd.DataFrame:
    """Contact list of general-education institutions (``ml_visparizgl_..._kontaktinfo_...``).

    Returns
    -------
    pandas.DataFrame
        ``school_id`` (text), ``name``, ``municipality``, ``municipality_key``, ``address``,
        ``address_locality`` and ``address_parish`` (from :func:`parse_address`), ``email``,
        ``phone``, ``director``, ``type_lv``, ``pupils_1_12_sep`` (1 September count) when
        present.
    """
    name = "institution contact list (IZM)"
    df = _read(path, name=name, columns=CONTACT_COLUMNS, required=CONTACT_REQUIRED,
               text=("Iestādes reģistrācijas Nr.", *_ID, "Tālrunis"))
    df = _id_column(df, path, name)
    dup = df["school_id"][df["school_id"].duplicated()]
    if len(dup):
        raise GeoInputError(Msg("err.izm.repeated_ids", name=named(name),
                                ids=str(dup.tolist()[:5])), path=path,
                            fix=Msg("err.izm.as_published.fix"))
    if "municipality_raw" in df:
        _add_municipality(df)
    parts = df["address"].map(parse_address)
    df["address_locality"] = [p[0] for p in parts]
    df["address_parish"] = [p[1] for p in parts]
    df.attrs["source"] = str(path)
    return df


_POSTCODE = re.compile(r"^LV[- ]?\d{4}$", re.IGNORECASE)
_BUILDING = re.compile(r"(skola|ģimnāzija|internāts|centrs|māja)\b", re.IGNORECASE)


def parse_address(address) -> tuple[str | None, str | None]:
    """Locality (town or village) and parish of a registry address.

    ``"STRAUTIŅU PAMATSKOLA, STRAUTIŅI, ALSVIĶU PAGASTS, ALŪKSNES NOVADS, LV-4333"`` gives
    ``("Strautiņi", "Alsviķu pagasts")``; ``"LIELĀ EZERA IELA 26, ALŪKSNE, ALŪKSNES NOVADS,
    LV-4301"`` gives ``("Alūksne", None)``.

    Returns
    -------
    tuple of (str or None, str or None)
    """
    if not isinstance(address, str) or not address.strip():
        return None, None
    parts = [p.strip() for p in address.split(",") if p.strip()]
    parts = [p for p in parts if not _POSTCODE.match(p)]
    while parts and re.search(r"\b(novads|nov\.?)$", parts[-1], re.IGNORECASE):
        parts.pop()
    parish = None
    if parts and re.search(r"\b(pagasts|pag\.?)$", parts[-1], re.IGNORECASE):
        parish = display_name(re.sub(r"\bPAG\.?$", "PAGASTS", parts.pop().upper()))
    locality = display_name(parts[-1]) if parts else None
    if locality and (re.search(r"\d", locality) or _BUILDING.search(locality)):
        locality = None  # a street address or a building name, not a place
    return locality, parish


def grades_served(pupils: np.ndarray, types: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    """Grades a school serves, from its type and its non-zero grades.

    A school serves grade ``g`` when ``g`` lies between its lowest and its highest grade with
    pupils and its type may teach ``g`` (small schools run combined classes and may have no
    pupil in one grade of their range), and always serves a grade that has pupils.

    Parameters
    ----------
    pupils : ndarray, shape (n_schools, 12)
        Pupils per grade 1..12.
    types : iterable of str
        Type keys (:data:`TYPE_GRADES`).

    Returns
    -------
    served : ndarray of bool, shape (n_schools, 12)
    outside_type : ndarray of bool, shape (n_schools, 12)
        Grades with pupils that the type should not teach (a registry inconsistency to check).
    """
    pupils = np.asarray(pupils)
    has = pupils > 0
    g = np.arange(1, 13)
    lo = np.where(has.any(axis=1), np.argmax(has, axis=1) + 1, 13)
    hi = np.where(has.any(axis=1), 12 - np.argmax(has[:, ::-1], axis=1), 0)
    allowed = np.array([[gg in TYPE_GRADES.get(t, GRADES) for gg in g] for t in types],
                       dtype=bool).reshape(len(pupils), 12)
    span = (g >= lo[:, None]) & (g <= hi[:, None])
    return (span & allowed) | has, has & ~allowed




def read_schools(
    pupils_path: str | Path,
    contacts_path: str | Path | None = None,
    *,
    municipalities: Iterable[str] | None = None,
    min_pupils: int = 1,
) -> pd.DataFrame:
    """Schools with grades 1-12: registry pupils joined with the contact list.

    Parameters
    ----------
    pupils_path : str or Path
        Pupils per institution and grade (:func:`read_pupils_by_institution`).
    contacts_path : str or Path, optional
        Contact list with addresses (:func:`read_contacts`), joined on the registration
        number. Schools missing from it keep a blank address.
    municipalities : iterable of str, optional
        Keep only these municipalities (:func:`filter_region`), e.g.
        :data:`~geo.sources.boundaries.VIDZEME_MUNICIPALITIES`.
    min_pupils : int, default 1
        Keep institutions with at least this many pupils in grades 1-12 (pre-schools and
        interest-education centres have none).

    Returns
    -------
    pandas.DataFrame
        Columns of :func:`read_pupils_by_institution`, plus ``address``,
        ``address_locality``, ``address_parish``, ``email``, ``director`` (from the contact
        list), ``grades_served`` (text such as ``"1-9"``), ``grade_min``, ``grade_max``,
        ``serves_1_6``, ``serves_7_9``, ``serves_10_12`` (bool), ``grades_outside_type``
        (text, usually empty). Index: ``school_id``.
    """
    df = read_pupils_by_institution(pupils_path)
    if municipalities is not None:
        df = filter_region(df, municipalities)
    df = df[df["pupils_1_12"] >= min_pupils].copy()
    if contacts_path is not None:
        c = read_contacts(contacts_path)
        keep = [k for k in ("school_id", "address", "address_locality", "address_parish",
                            "email", "phone", "director") if k in c]
        df = df.merge(c[keep], on="school_id", how="left")
        df.attrs["contacts_source"] = str(contacts_path)
        df.attrs["without_address"] = df.loc[df["address"].isna(), "school_id"].tolist()
    pupils = df[list(GRADE_COLUMNS)].to_numpy()
    served, outside = grades_served(pupils, df["school_type"])
    df["grades_served"] = [format_grades(m) for m in served]
    anyg = served.any(axis=1)
    df["grade_min"] = np.where(anyg, np.argmax(served, axis=1) + 1, 0)
    df["grade_max"] = np.where(anyg, 12 - np.argmax(served[:, ::-1], axis=1), 0)
    df["serves_1_6"] = served[:, 0:6].any(axis=1)
    df["serves_7_9"] = served[:, 6:9].any(axis=1)
    df["serves_10_12"] = served[:, 9:12].any(axis=1)
    df["grades_outside_type"] = [format_grades(m) for m in outside]
    df.attrs["source"] = str(pupils_path)
    return df.set_index("school_id", drop=False).rename_axis(None)


def filter_region(
    df: pd.DataFrame,
    municipalities: Iterable[str] = VIDZEME_MUNICIPALITIES,
    *,
    column: str = "municipality_raw",
) -> pd.DataFrame:
    """Keep the rows of the given municipalities, matched without case, diacritics or
    "novads" (``"cēsu"``, ``"CĒSU NOVADS"`` and ``"Cēsu novads"`` are the same).

    Parameters
    ----------
    df : pandas.DataFrame
        A table of this module (any table with ``column``).
    municipalities : iterable of str, default the 9 Vidzeme municipalities
    column : str, default "municipality_raw"

    Raises
    ------
    GeoInputError
        A municipality matches no row; the message lists the municipalities of the table.
    """
    municipalities = [municipalities] if isinstance(municipalities, str) else list(municipalities)
    keys = df[column].map(municipality_key)
    wanted = {municipality_key(m): m for m in municipalities}
    missing = [m for k, m in wanted.items() if k not in set(keys)]
    if missing:
        raise GeoInputError(
            Msg("err.izm.no_municipality", missing=str(missing),
                found=str(sorted(df[column].dropna().map(display_name).unique().tolist()))),
            path=df.attrs.get("source"), fix=Msg("err.izm.no_municipality.fix"),
        )
    out = df[keys.isin(wanted)].copy()
    out.attrs = dict(df.attrs)
    return out
