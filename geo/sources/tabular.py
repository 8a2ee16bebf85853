"""Tables from users and publishers (CSV, Excel, Parquet) with checks and clear errors.

Small helpers shared by the readers of :mod:`geo.sources`: read a table whatever its format
(CSV with ``,`` or ``;``, UTF-8 or Windows-1257, Excel with a title block above the header,
Parquet), find columns by their meaning rather than their exact spelling, and fold Latvian text
(case, diacritics, punctuation) for robust name matching.
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from geo import i18n, settings
from geo.errors import GeoInputError, Msg, Num

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


#: Bytes read from the start of a file to recognise its format and encoding.
SNIFF_BYTES = 64 * 1024

#: Leading bytes of binary formats -> what the file is (for messages).
_MAGIC: dict[bytes, str] = {
    b"PK\x03\x04": "a ZIP archive (an .xlsx workbook or a zipped download)",
    b"PAR1": "a Parquet file",
    b"SQLite format 3\x00": "a GeoPackage / SQLite database",
    b"\x1f\x8b": "a gzip-compressed file",
    b"BZh": "a bzip2-compressed file",
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "an old Excel .xls (or other Office) file",
    b"\xff\xfe": "UTF-16 text",
    b"\xfe\xff": "UTF-16 text",
}
#: File suffix -> the leading bytes its content must start with.
_SUFFIX_MAGIC: dict[str, bytes] = {
    ".xlsx": b"PK\x03\x04", ".xlsm": b"PK\x03\x04", ".parquet": b"PAR1",
    ".gpkg": b"SQLite format 3\x00",
}
#: Suffixes of text formats (CSV, GeoJSON): binary content is refused.
TEXT_SUFFIXES = (".csv", ".txt", ".tsv", ".geojson", ".json")


def _binary_kind(head: bytes) -> str | None:
    """What a file starting with ``head`` is, when it is not plain text; None for text."""
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            return what
    if b"\x00" in head:
        return "a binary file"
    return None


def named(name: str) -> Msg | str:
    """What an input is (``"school capacity"``), translated in messages when
    ``err.name.<name>`` exists (the Latvian in the genitive: "skolu ietilpības")."""
    key = f"err.name.{name}"
    return Msg(key) if key in i18n.STRINGS else name


def _read_head(path: Path, *, name: str) -> bytes:
    """The first :data:`SNIFF_BYTES` bytes; an unreadable file raises a named error."""
    try:
        with open(path, "rb") as fh:
            return fh.read(SNIFF_BYTES)
    except PermissionError as exc:
        raise GeoInputError(Msg("err.tab.permission", name=named(name)), path=path,
                            fix=Msg("err.tab.permission.fix")) from exc
    except OSError as exc:
        raise GeoInputError(Msg("err.tab.unreadable", name=named(name),
                                reason=str(exc.strerror or exc)),
                            path=path, fix=Msg("err.tab.unreadable.fix")) from exc


def _unpacked_bytes(path: Path, head: bytes, *, name: str) -> int:
    """Size of the content once unpacked: ZIP members, Parquet columns, shapefile + .dbf."""
    try:
        if head.startswith(b"PK\x03\x04"):
            with zipfile.ZipFile(path) as zf:
                return sum(i.file_size for i in zf.infolist())
        if head.startswith(b"PAR1"):
            md = pq.read_metadata(path)
            return sum(md.row_group(i).total_byte_size for i in range(md.num_row_groups))
    except Exception as exc:  # zipfile / pyarrow raise many types on a broken file
        raise GeoInputError(
            Msg("err.tab.corrupt", name=named(name), detail=f"{type(exc).__name__}: {exc}"),
            path=path, fix=Msg("err.tab.again.fix")) from exc
    size = path.stat().st_size
    if path.suffix.lower() == ".shp" and path.with_suffix(".dbf").is_file():
        size += path.with_suffix(".dbf").stat().st_size
    return size


def _check_size(path: Path, nbytes: int, *, name: str, kind: str) -> None:
    """Raise when ``nbytes`` exceeds the limit of ``kind`` (:data:`settings.MAX_INPUT_MB`)."""
    limit_mb = settings.MAX_INPUT_MB.get(kind, settings.MAX_INPUT_MB_DEFAULT)
    if nbytes > limit_mb * 1e6:
        unpacked = Msg("err.tab.unpacked") if nbytes != path.stat().st_size else ""
        raise GeoInputError(
            Msg("err.tab.too_large", name=named(name), mb=Num(nbytes / 1e6),
                unpacked=unpacked, kind=named(kind), limit=Num(limit_mb)),
            path=path, fix=Msg("err.tab.too_large.fix"))


def _check_format(path: Path, head: bytes, *, name: str) -> None:
    """Raise when the content does not match the suffix (binary CSV, an .xlsx that is text)."""
    suf = path.suffix.lower()
    want = _SUFFIX_MAGIC.get(suf)
    if want is not None and not head.startswith(want):
        found = _binary_kind(head) or "text"
        raise GeoInputError(
            Msg("err.tab.wrong_format", suffix=suf, found=_content(found)), path=path,
            fix=Msg("err.tab.wrong_format.fix", name=named(name), suffix=suf))
    if suf in TEXT_SUFFIXES:
        found = _binary_kind(head)
        if found is not None:
            raise GeoInputError(
                Msg("err.tab.not_text", name=named(name), suffix=suf, found=_content(found)),
                path=path, fix=Msg("err.tab.not_text.fix"))


def _content(found: str) -> Msg:
    """A content kind of :data:`_MAGIC` (or "text") in every language."""
    key = "err.tab.content." + (found.split(" (")[0].replace(" ", "_").replace("/", "")
                                .replace("__", "_"))
    return Msg(key) if key in i18n.STRINGS else found


def check_file(path: str | Path, *, name: str, kind: str | None = None,
               allow_dir: bool = False) -> Path:
    """Check an input before it is loaded: present, readable, right format, not too large.

    Parameters
    ----------
    path : str or Path
        The file.
    name : str
        What the file is (for messages).
    kind : str, optional
        Key of :data:`geo.settings.MAX_INPUT_MB` (default: ``name``).
    allow_dir : bool, default False
        Accept a folder (tile folders, a shapefile folder); its files are checked when read.

    Returns
    -------
    Path

    Raises
    ------
    GeoInputError
        Missing, a folder, empty, unreadable (permissions), binary where text is expected (or
        text where an ``.xlsx`` / ``.parquet`` / ``.gpkg`` is expected), corrupt ZIP/Parquet
        metadata, or larger than the limit of its kind.
    """
    path = Path(path)
    if not path.exists():
        raise GeoInputError(Msg("err.tab.not_found", name=named(name)), path=path,
                            fix=Msg("err.yaml.not_found.fix"))
    if path.is_dir():
        if not allow_dir:
            raise GeoInputError(Msg("err.tab.is_folder", name=named(name)), path=path,
                                fix=Msg("err.tab.is_folder.fix"))
        if not os.access(path, os.R_OK | os.X_OK):
            raise GeoInputError(Msg("err.tab.folder_permission", name=named(name)),
                                path=path, fix=Msg("err.tab.folder_permission.fix"))
        return path
    if path.stat().st_size == 0:
        raise GeoInputError(Msg("err.tab.empty", name=named(name)), path=path,
                            fix=Msg("err.tab.again.fix"))
    head = _read_head(path, name=name)
    _check_format(path, head, name=name)
    _check_size(path, _unpacked_bytes(path, head, name=name), name=name, kind=kind or name)
    return path


def _encodings(head: bytes) -> tuple[str, ...]:
    """Encodings to try, most likely first (UTF-8 unless the head is not valid UTF-8)."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the head
            return ("cp1257", "utf-8-sig")
    return ("utf-8-sig", "cp1257")


def _sniff_dialect(head: bytes, encoding: str) -> dict:
    """``read_csv`` options (separator, quoting) sniffed from the header line."""
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    try:
        d = csv.Sniffer().sniff(first, delimiters=",;\t|")
    except csv.Error:
        counts = {c: first.count(c) for c in ",;\t|"}
        return {"sep": max(counts, key=counts.get) if max(counts.values()) else ","}
    return {"sep": d.delimiter, "quotechar": d.quotechar or '"',
            "skipinitialspace": d.skipinitialspace}


def read_csv_any(path: str | Path, *, name: str = "table", dtype=None,
                 kind: str | None = None) -> pd.DataFrame:
    """Read a CSV whose separator (``,`` ``;`` tab) and encoding (UTF-8, cp1257) are unknown.

    The file is checked first (:func:`check_file`: size limit, binary content), the
    separator is sniffed from the header line and the file is parsed by pandas' C parser,
    which needs far less memory than the Python one.

    Parameters
    ----------
    path : str or Path
        CSV file.
    name : str
        What the table is (for messages).
    dtype : optional
        Passed to :func:`pandas.read_csv` (e.g. ``str`` to keep ids as text).
    kind : str, optional
        Key of :data:`geo.settings.MAX_INPUT_MB` (default: ``name``).

    Returns
    -------
    pandas.DataFrame
    """
    path = check_file(path, name=name, kind=kind)
    head = _read_head(path, name=name)
    found = _binary_kind(head)
    if found is not None:
        raise GeoInputError(Msg("err.tab.not_csv", name=named(name), found=_content(found)),
                            path=path, fix=Msg("err.tab.save_csv.fix"))
    last: Exception | None = None
    for enc in _encodings(head):
        try:
            df = pd.read_csv(path, encoding=enc, dtype=dtype, low_memory=dtype is not None,
                             **_sniff_dialect(head, enc))
        except UnicodeDecodeError as exc:
            last = exc
            continue
        except pd.errors.EmptyDataError:
            break
        except Exception as exc:  # pandas raises many types on malformed CSV
            raise GeoInputError(
                Msg("err.tab.bad_csv", name=named(name), detail=f"{type(exc).__name__}: {exc}"),
                path=path, fix=Msg("err.tab.save_csv.fix")) from exc
        if df.shape[1] == 0:
            break
        return df
    raise GeoInputError(
        Msg("err.tab.bad_csv", name=named(name), detail=str(last) if last else Msg("err.tab.no_columns")),
        path=path, fix=Msg("err.tab.save_csv.fix"))


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
    path = check_file(path, name=name, allow_dir=True)
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
        raise GeoInputError(Msg("err.tab.unreadable_as", name=named(name), detail=str(exc)),
                            path=path, fix=fix) from exc
    if len(df) == 0:
        raise GeoInputError(Msg("err.tab.no_rows", name=named(name)), path=path)
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
    kind: str | None = None,
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
    kind : str, optional
        Key of :data:`geo.settings.MAX_INPUT_MB` (default: ``name``).

    Returns
    -------
    pandas.DataFrame
        With ``attrs["header_row"]`` (1-based row of the header in the sheet).
    """
    path = check_file(path, name=name, kind=kind)
    known = list(known_columns)
    try:
        sheets = pd.read_excel(path, sheet_name=None if sheet is None else sheet, header=None,
                               dtype=object)
    except Exception as exc:
        raise GeoInputError(
            Msg("err.tab.bad_excel", detail=f"{type(exc).__name__}: {exc}"), path=path,
            fix=Msg("err.tab.as_published_xlsx.fix")) from exc
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
        raise GeoInputError(Msg("err.tab.no_data", name=named(name)), path=path,
                            fix=Msg("err.tab.as_published_xlsx.fix"))
    raise GeoInputError(
        Msg("err.tab.no_header", name=named(name), known=str(known), found=str(found)),
        path=path, fix=Msg("err.tab.no_header.fix"))


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
            Msg("err.tab.no_such_columns", name=named(name), columns=str(bad_given),
                found=str(list(df.columns))),
            path=path, fix=Msg("err.tab.no_such_columns.fix"))
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
            Msg("err.tab.missing_columns_named", name=named(name), columns=str(missing),
                accepted=str(expected), found=str(list(df.columns))),
            path=path, fix=Msg("err.tab.missing_columns_named.fix"))
    return out


def require_columns(df: pd.DataFrame, columns: Iterable[str], *, path, name: str) -> None:
    """Raise :class:`GeoInputError` naming the missing columns and the columns found."""
    keys = {column_key(c) for c in df.columns}
    missing = [c for c in columns if column_key(c) not in keys]
    if missing:
        raise GeoInputError(
            Msg("err.tab.missing_columns", name=named(name), columns=str(missing),
                found=str(list(df.columns))),
            path=path, fix=Msg("err.tab.missing_columns.fix"))


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
                Msg("err.tab.no_column", what=named(what), column=repr(given),
                    found=str(list(df.columns))),
                path=df.attrs.get("source"), fix=Msg("err.tab.no_column.fix", what=named(what)))
        return given
    return next((c for c in candidates if c in df.columns), None)


def file_rows(df: pd.DataFrame, mask, *, first_row: int | None = None) -> list[int]:
    """Row numbers in the file (as a spreadsheet shows them) of the rows of ``df`` in ``mask``.

    The index of ``df`` is taken as the data row position when it is an integer index (as read,
    possibly filtered), else the position in ``df``. The first data row is the row after the
    header: ``attrs["header_row"] + 1`` for Excel sheets, 2 for CSV files; ``first_row``
    overrides it (1 for the features of a vector file).
    """
    mask = np.asarray(mask, dtype=bool)
    idx = df.index
    pos = (np.asarray(idx)[mask] if pd.api.types.is_integer_dtype(idx)
           else np.flatnonzero(mask))
    first = first_row if first_row is not None else int(df.attrs.get("header_row", 1)) + 1
    return [int(p) + first for p in pos]


def check_unique_ids(df: pd.DataFrame, column: str, *, what: str, path=None,
                     fix: str | None = None, first_row: int | None = None,
                     rows_word: str = "rows") -> None:
    """Raise :class:`GeoInputError` when ``column`` holds an id on several rows.

    The message names each repeated id (up to 5) with its file rows (:func:`file_rows`), e.g.
    ``school '90000001' on rows 2, 5``.
    """
    ids = df[column]
    dup = (ids.duplicated(keep=False) & ids.notna()).to_numpy()
    if not dup.any():
        return
    rows = file_rows(df, dup, first_row=first_row)
    by_id: dict = {}
    for v, r in zip(ids[dup], rows, strict=True):
        by_id.setdefault(v, []).append(r)
    parts = tuple(Msg("err.tab.id_rows", what=named(what), id=repr(k),
                      rows_word=_rows_word(rows_word), rows=", ".join(map(str, v)))
                  for k, v in list(by_id.items())[:5])
    more = Msg("err.tab.and_more", n=len(by_id) - 5) if len(by_id) > 5 else ""
    raise GeoInputError(
        Msg("err.tab.duplicate_ids", n=len(by_id), what=named(what), parts=parts, more=more),
        path=path if path is not None else df.attrs.get("source"),
        fix=fix or Msg("err.tab.duplicate_ids.fix", what=named(what)))


def _rows_word(word: str) -> Msg | str:
    """The word "rows" / "features" before row numbers, in every language."""
    return Msg(f"err.tab.{word}") if word in ("rows", "features") else word


def check_duplicate_rows(df: pd.DataFrame, *, what: str, path=None,
                         first_row: int | None = None) -> None:
    """Raise :class:`GeoInputError` when rows repeat exactly (every column equal).

    The message names the repeated rows in the file (:func:`file_rows`), e.g. ``rows 3 = 7``.
    """
    cols = [c for c in df.columns if c != getattr(df, "_geometry_column_name", None)]
    key = df[cols].astype(str)
    if isinstance(df, gpd.GeoDataFrame):
        key = key.assign(_wkb=df.geometry.to_wkb().astype(str).to_numpy())
    dup = key.duplicated(keep=False).to_numpy()
    if not dup.any():
        return
    rows = file_rows(df, dup, first_row=first_row)
    groups: dict[tuple, list[int]] = {}
    for k, r in zip(key[dup].itertuples(index=False), rows, strict=True):
        groups.setdefault(tuple(k), []).append(r)
    parts = [" = ".join(map(str, g)) for g in list(groups.values())[:5]]
    raise GeoInputError(
        Msg("err.tab.repeated_rows", what=named(what), rows="; ".join(parts)),
        path=path if path is not None else df.attrs.get("source"),
        fix=Msg("err.tab.repeated_rows.fix", what=named(what)))


def check_numeric_column(df: pd.DataFrame, column: str, *, what: str, option: str = "",
                         first_row: int | None = None, rows_word: str = "rows") -> None:
    """Raise :class:`GeoInputError` naming the column (and option) when ``column`` holds text,
    negative or infinite values (blank values pass)."""
    raw = df[column]
    v = pd.to_numeric(raw, errors="coerce")
    text = (v.isna() & raw.notna() & (raw.astype(str).str.strip() != "")).to_numpy()
    x = v.to_numpy(dtype=float)
    opt = f" ({option})" if option else ""
    for mask, problem in ((text, Msg("err.tab.not_numeric")),
                          (np.isinf(x), Msg("err.tab.infinite")),
                          (x < 0, Msg("err.tab.negative"))):
        if mask.any():
            rows = file_rows(df, mask, first_row=first_row)[:5]
            vals = raw.to_numpy()[mask][:5].tolist()
            raise GeoInputError(
                Msg("err.tab.bad_numbers", what=named(what), column=repr(column), opt=opt,
                    problem=problem, values=str(vals), rows_word=_rows_word(rows_word),
                    rows=str(rows)),
                path=df.attrs.get("source"), fix=Msg("err.tab.bad_numbers.fix", opt=opt))
