"""Tables from users and publishers (CSV, Excel, Parquet) with checks and clear errors.

Small helpers shared by the readers of :mod:`geo.sources`: read a table whatever its format
(CSV with ``,`` or ``;``, UTF-8 or Windows-1257, Excel with a title block above the header,
Parquet), find columns by their meaning rather than their exact spelling, and fold Latvian text
(case, diacritics, punctuation) for robust name matching.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.errors import GeoInputError

#: Rows of an Excel sheet searched for the header row.
HEADER_SEARCH_ROWS = 30

_PUNCT = re.compile(r"[^\w]+", re.UNICODE)


def fold(text) -> str:
    """Fold text for matching: lower case, no diacritics, punctuation to single spaces.

    ``"ALŪKSNES NOVADS"`` and ``"Alūksnes  novads."`` both give ``"aluksnes novads"``.

    Parameters
    ----------
    text : object
        Anything; ``None`` and NaN give ``""``.

    Returns
    -------
    str
    """
    if text is None or (isinstance(text, float) and text != text):
        return ""
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.lower().replace("_", " ")
    return " ".join(_PUNCT.sub(" ", s).split())


def column_key(name) -> str:
    """Key of a column name: folded, without spaces (``"1. klase"`` == ``"1.klase"``)."""
    return fold(name).replace(" ", "")


def check_file(path: str | Path, *, name: str) -> Path:
    """Raise :class:`GeoInputError` when ``path`` is missing or an empty file."""
    path = Path(path)
    if not path.exists():
        raise GeoInputError(f"{name} file not found.", path=path, fix="check the path.")
    if path.is_file() and path.stat().st_size == 0:
        raise GeoInputError(f"the {name} file is empty (0 bytes).", path=path,
                            fix="download or export it again.")
    return path


def read_csv_any(path: str | Path, *, name: str = "table", dtype=None) -> pd.DataFrame:
    """Read a CSV whose separator (``,`` ``;`` tab) and encoding (UTF-8, cp1257) are unknown.

    Parameters
    ----------
    path : str or Path
        CSV file.
    name : str
        What the table is (for messages).
    dtype : optional
        Passed to :func:`pandas.read_csv` (e.g. ``str`` to keep ids as text).

    Returns
    -------
    pandas.DataFrame
    """
    path = check_file(path, name=name)
    last: Exception | None = None
    for enc in ("utf-8-sig", "cp1257"):
        try:
            df = pd.read_csv(path, sep=None, engine="python", encoding=enc, dtype=dtype)
        except UnicodeDecodeError as exc:
            last = exc
            continue
        except Exception as exc:  # pandas raises many types on malformed CSV
            raise GeoInputError(
                f"could not be read as a {name} CSV ({type(exc).__name__}: {exc}).", path=path,
                fix="save it as CSV (comma or semicolon separated, UTF-8).",
            ) from exc
        if df.shape[1] == 0:
            break
        return df
    raise GeoInputError(
        f"could not be read as a {name} CSV ({last or 'no columns'}).", path=path,
        fix="save it as CSV (comma or semicolon separated, UTF-8).",
    )


def read_table_any(path: str | Path, *, name: str, fix: str, layer=None,
                   csv_dtype=None) -> pd.DataFrame:
    """Read a CSV, Parquet (GeoParquet when it has geometry) or any vector file.

    Parameters
    ----------
    path : str or Path
        The file; its suffix picks the reader.
    name : str
        What the table is (for messages).
    fix : str
        What to tell the user when the file cannot be read.
    layer : optional
        Layer of a multi-layer vector file.
    csv_dtype : optional
        ``dtype`` for CSV files (e.g. ``{"quadkey": str}``).

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame

    Raises
    ------
    GeoInputError
        Unreadable file, or a file without rows.
    """

    path = Path(path)
    suf = path.suffix.lower()
    try:
        if suf in (".csv", ".txt", ".tsv"):
            df = read_csv_any(path, name=name, dtype=csv_dtype)
        elif suf == ".parquet":
            df = pd.read_parquet(path)
            if "geometry" in df.columns:
                df = gpd.read_parquet(path)
        else:
            df = gpd.read_file(path, layer=layer)
    except GeoInputError:
        raise
    except Exception as exc:  # pyarrow / pyogrio raise many types
        raise GeoInputError(f"could not be read as {name} ({exc}).", path=path, fix=fix) from exc
    if len(df) == 0:
        raise GeoInputError(f"the {name} file has no rows.", path=path)
    return df


def find_header_row(raw: pd.DataFrame, known: Iterable[str]) -> int | None:
    """Position of the row of ``raw`` (read without header) holding most ``known`` names.

    Returns ``None`` when no row in the first :data:`HEADER_SEARCH_ROWS` rows holds at least
    two of them.
    """
    keys = {column_key(k) for k in known}
    best, best_hits = None, 1
    for i in range(min(HEADER_SEARCH_ROWS, len(raw))):
        hits = sum(column_key(v) in keys for v in raw.iloc[i].tolist() if isinstance(v, str))
        if hits > best_hits:
            best, best_hits = i, hits
    return best


def read_excel_table(
    path: str | Path,
    *,
    name: str,
    known_columns: Iterable[str],
    sheet: str | int | None = None,
    text_columns: Iterable[str] = (),
) -> pd.DataFrame:
    """Read an Excel sheet whose header row is found by its known column names.

    Publishers put titles, dates and blank rows above the header (the IZM contact list has its
    header on row 4); the row holding most ``known_columns`` is taken as the header, and the
    rows below it as data. Fully blank rows are dropped.

    Parameters
    ----------
    path : str or Path
        ``.xlsx`` file.
    name : str
        What the table is (for messages).
    known_columns : iterable of str
        Column names expected in the header.
    sheet : str or int, optional
        Sheet name or position; default: the first sheet that has such a header.
    text_columns : iterable of str
        Columns kept as text (ids such as registration numbers: never floats).

    Returns
    -------
    pandas.DataFrame
        With ``attrs["header_row"]`` (1-based row of the header in the sheet).
    """
    path = check_file(path, name=name)
    known = list(known_columns)
    try:
        sheets = pd.read_excel(path, sheet_name=None if sheet is None else sheet, header=None,
                               dtype=object)
    except Exception as exc:
        raise GeoInputError(
            f"could not be read as an Excel file ({type(exc).__name__}: {exc}).", path=path,
            fix="give the .xlsx file as downloaded from the publisher.",
        ) from exc
    if isinstance(sheets, pd.DataFrame):
        sheets = {sheet: sheets}
    for raw in sheets.values():
        raw = raw.dropna(how="all")
        if raw.empty:
            continue
        hdr = find_header_row(raw.reset_index(drop=True), known)
        if hdr is None:
            continue
        sheet_row = int(raw.index[hdr]) + 1
        raw = raw.reset_index(drop=True)
        header = [str(v).strip() if v is not None and v == v else f"column_{j}"
                  for j, v in enumerate(raw.iloc[hdr].tolist())]
        df = raw.iloc[hdr + 1:].copy()
        df.columns = header
        df = df.dropna(how="all").reset_index(drop=True)
        text_keys = {column_key(c) for c in text_columns}
        for c in df.columns:
            if column_key(c) in text_keys:
                df[c] = df[c].map(as_id)
            else:
                conv = pd.to_numeric(df[c], errors="coerce")
                if conv.notna().sum() == df[c].notna().sum():
                    df[c] = conv
                else:
                    df[c] = df[c].map(lambda v: v.strip() if isinstance(v, str) else v)
        df.attrs["source"] = str(path)
        df.attrs["header_row"] = sheet_row
        return df
    found = []
    for raw in sheets.values():
        raw = raw.dropna(how="all")
        if not raw.empty:
            found = [str(v) for v in raw.iloc[0].tolist() if v == v]
            break
    if not found:
        raise GeoInputError(f"the {name} file has no data.", path=path,
                            fix="give the .xlsx file as downloaded from the publisher.")
    raise GeoInputError(
        f"no header row with the expected {name} columns {known} was found; the first row "
        f"holds {found}.", path=path, fix="give the file as published, or rename the columns.",
    )


def as_id(value) -> str | None:
    """An identifier as text: ``4411900920.0`` -> ``"4411900920"``; blank -> ``None``.

    Registration numbers and codes are never numbers: a float would lose leading zeros.
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    s = str(value).strip()
    if re.fullmatch(r"\d+\.0+", s):
        s = s.split(".")[0]
    return s or None


def match_columns(
    df: pd.DataFrame,
    wanted: Mapping[str, Iterable[str]],
    *,
    path: str | Path | None,
    name: str,
    required: Iterable[str] = (),
    given: Mapping[str, str | None] | None = None,
) -> dict[str, str]:
    """Find columns by meaning: ``{"school_id": ("reg_nr", "Iestādes reģistrācijas Nr."), ...}``.

    Parameters
    ----------
    df : pandas.DataFrame
        The table.
    wanted : mapping
        Standard name -> accepted spellings (compared by :func:`column_key`; the standard
        name itself is always accepted).
    path : str or Path or None
        The file (for messages).
    name : str
        What the table is (for messages).
    required : iterable of str
        Standard names that must be found.
    given : mapping, optional
        Standard name -> column named by the user; it must exist.

    Returns
    -------
    dict
        Standard name -> column of ``df`` (only the ones found).

    Raises
    ------
    GeoInputError
        A required or user-given column is missing; the message lists the columns found.
    """
    by_key: dict[str, str] = {}
    for c in df.columns:
        by_key.setdefault(column_key(c), c)
    out: dict[str, str] = {}
    bad_given = []
    for std, col in (given or {}).items():
        if col is None:
            continue
        if col in df.columns:
            out[std] = col
        elif column_key(col) in by_key:
            out[std] = by_key[column_key(col)]
        else:
            bad_given.append(col)
    if bad_given:
        raise GeoInputError(
            f"the {name} table has no column(s) {bad_given}; columns found: {list(df.columns)}.",
            path=path, fix="choose one of the columns found.",
        )
    for std, alts in wanted.items():
        if std in out:
            continue
        for a in (std, *alts):
            k = column_key(a)
            if k in by_key:
                out[std] = by_key[k]
                break
    missing = [r for r in required if r not in out]
    if missing:
        expected = {m: [m, *wanted.get(m, ())] for m in missing}
        raise GeoInputError(
            f"the {name} table lacks column(s) {missing} (accepted names: {expected}); "
            f"columns found: {list(df.columns)}.",
            path=path, fix="rename the columns, or name them with the reader's keyword options.",
        )
    return out


def require_columns(df: pd.DataFrame, columns: Iterable[str], *, path, name: str) -> None:
    """Raise :class:`GeoInputError` naming the missing columns and the columns found."""
    keys = {column_key(c) for c in df.columns}
    missing = [c for c in columns if column_key(c) not in keys]
    if missing:
        raise GeoInputError(
            f"the {name} table lacks column(s) {missing}; columns found: {list(df.columns)}.",
            path=path, fix="give the file as published (same column names).",
        )


def pick_column(df: pd.DataFrame, given: str | None, candidates: Iterable[str], *,
                what: str = "column") -> str | None:
    """The column to use: ``given`` (which must exist) or the first of ``candidates`` present.

    Parameters
    ----------
    df : pandas.DataFrame
        The table (its ``attrs["source"]``, when set, names the file in errors).
    given : str or None
        A column the user chose; an error names it when the table lacks it.
    candidates : iterable of str
        Usual names, tried in order when ``given`` is None.
    what : str, default "column"
        What the column holds, for the error message.

    Returns
    -------
    str or None
        The column name, or None when no candidate is present.
    """
    if given is not None:
        if given not in df.columns:
            raise GeoInputError(
                f"has no {what} column {given!r}; columns are {list(df.columns)}.",
                path=df.attrs.get("source"), fix=f"choose the {what} column with the option.",
            )
        return given
    return next((c for c in candidates if c in df.columns), None)
