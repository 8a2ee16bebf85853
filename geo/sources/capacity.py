"""School capacities from a user table: registration number + places (+ dormitory places).

The IZM open data give pupils, not places; capacities come from municipalities (building
passports, licences). A school missing from the table keeps no capacity column value and the
scenario engine falls back to its documented assumption (current pupils x 1.25).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from geo.errors import GeoInputError, Msg
from geo.sources.tabular import (
    as_id,
    check_file,
    check_unique_ids,
    match_columns,
    read_csv_any,
    read_excel_table,
)

#: Standard columns -> accepted spellings.
CAPACITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "school_id": ("reg_nr", "registration_number", "Iestādes reģistrācijas Nr.", "skola_id",
                  "school", "skola", "id"),
    "capacity": ("places", "vietas", "vietu_skaits", "ietilpiba", "ietilpība", "max_pupils"),
    "dormitory_places": ("dormitory", "dienesta_viesnicas_vietas", "dorm_places"),
}


def read_capacity(path: str | Path, *, known_schools: Iterable[str] | None = None) -> pd.DataFrame:
    """Read a school capacity table (CSV or Excel).

    Parameters
    ----------
    path : str or Path
        Table with a school id and its capacity (pupils); optional dormitory places.
    known_schools : iterable of str, optional
        Registration numbers of the region's schools; an unknown id raises an error.

    Returns
    -------
    pandas.DataFrame
        ``school_id`` (text), ``capacity`` (pupils, float), ``dormitory_places`` (float, NaN
        when the table has no such column).

    Raises
    ------
    GeoInputError
        Missing columns, non-numeric or negative capacities, duplicate or unknown ids.
    """
    path = check_file(path, name="school capacity")
    if path.suffix.lower() in (".xlsx", ".xls"):
        df = read_excel_table(path, name="school capacity",
                              known_columns=[a for v in CAPACITY_COLUMNS.values() for a in v]
                              + list(CAPACITY_COLUMNS),
                              text_columns=["school_id", *CAPACITY_COLUMNS["school_id"]])
    else:
        df = read_csv_any(path, name="school capacity", dtype=str)
    if len(df) == 0:
        raise GeoInputError(Msg("err.capacity.no_rows"), path=path)
    cols = match_columns(df, CAPACITY_COLUMNS, path=path, name="school capacity",
                         required=("school_id", "capacity"))
    out = pd.DataFrame({"school_id": df[cols["school_id"]].map(as_id)})
    for c in ("capacity", "dormitory_places"):
        if c not in cols:
            out[c] = np.nan
            continue
        raw = df[cols[c]]
        val = pd.to_numeric(raw.astype(str).str.replace(",", ".").str.strip(), errors="coerce")
        bad = val.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
        if bad.any() or (val < 0).any():
            rows = list(out.loc[bad | (val < 0), "school_id"][:5])
            raise GeoInputError(Msg("err.capacity.not_numbers", column=repr(cols[c]),
                                    schools=str(rows)), path=path)
        out[c] = val.astype(float)
    if out["school_id"].isna().any():
        raise GeoInputError(Msg("err.capacity.no_id"), path=path)
    check_unique_ids(out, "school_id", what="school", path=path,
                     first_row=int(df.attrs.get("header_row", 1)) + 1,
                     fix=Msg("err.capacity.duplicate.fix"))
    if known_schools is not None:
        unknown = sorted(set(out["school_id"]) - {str(s) for s in known_schools})
        if unknown:
            raise GeoInputError(
                Msg("err.capacity.unknown_ids", ids=str(unknown[:5]),
                    more=" ..." if len(unknown) > 5 else ""), path=path,
                fix=Msg("err.capacity.unknown_ids.fix"))
    return out
