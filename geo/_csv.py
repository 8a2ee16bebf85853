"""The one CSV writer of the tool: spreadsheet-safe text, plain or Latvian-Excel form.

Every CSV the tool writes (exports, scenario results, reports, the app's downloads, the
demo's generated tables) goes through :func:`write_csv` or :func:`csv_bytes`. Both

* neutralise **formula injection**: a text cell (or column name) that starts with ``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return is written with a leading ``'``, so Excel and
  LibreOffice show it as text instead of running it as a formula (OWASP "CSV injection").
  Numbers stay numbers: numeric columns are never touched, and a text cell that is a plain
  number (``-12``, ``+3,5``) is not a formula and is left as it is;
* write either the **default form** (``,`` between fields, ``.`` as decimal mark) or the
  **Latvian Excel form** (``excel_lv=True``: ``;`` between fields, ``,`` as decimal mark),
  which Excel under Latvian regional settings opens into columns by double-click. A UTF-8
  byte-order mark (default on) lets Excel read Latvian letters.

Files are written atomically (:func:`geo._files.atomic_file`).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from geo._files import atomic_file
from geo.errors import GeoInputError, Msg

#: First characters that make a spreadsheet read a cell as a formula (or a DDE command).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: Text that is a plain number (a negative number is not a formula).
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def neutralise_cell(value):
    """``value`` with a leading ``'`` when it is text that a spreadsheet would run as a formula.

    Parameters
    ----------
    value : object
        A cell. Only ``str`` values are changed.

    Returns
    -------
    object
        ``"'" + value`` for text starting with one of :data:`FORMULA_START` (other than a
        plain number such as ``-12.5``); ``value`` unchanged otherwise.
    """
    if (isinstance(value, str) and value.startswith(FORMULA_START)
            and not _PLAIN_NUMBER.fullmatch(value)):
        return "'" + value
    return value


def _is_text_column(s: pd.Series) -> bool:
    dt = s.dtype
    return (pd.api.types.is_object_dtype(dt) or pd.api.types.is_string_dtype(dt)
            or isinstance(dt, pd.CategoricalDtype))


def _neutralise_series(s: pd.Series) -> pd.Series:
    if not _is_text_column(s):
        return s
    vals = s.to_numpy(dtype=object)
    out = np.array([neutralise_cell(v) for v in vals], dtype=object)
    return pd.Series(out, index=s.index, name=s.name, dtype=object)


def neutralise(df: pd.DataFrame, *, index: bool = False) -> pd.DataFrame:
    """A copy of ``df`` whose text cells and column names cannot run as spreadsheet formulas.

    Parameters
    ----------
    df : DataFrame
    index : bool, default False
        Neutralise the index labels too (when the index is written).

    Returns
    -------
    DataFrame
        Numeric, boolean and datetime columns unchanged (same dtype); text columns as object.
    """
    out = pd.DataFrame({i: _neutralise_series(df.iloc[:, i]) for i in range(df.shape[1])},
                       index=df.index)
    out.columns = pd.Index([neutralise_cell(c) for c in df.columns], dtype=object)
    if index:
        out.index = pd.Index([neutralise_cell(v) for v in out.index], name=df.index.name)
    return out


def _form(excel_lv: bool, sep: str | None, decimal: str | None, path=None) -> tuple[str, str]:
    sep = sep if sep is not None else (";" if excel_lv else ",")
    decimal = decimal if decimal is not None else ("," if excel_lv else ".")
    if sep == decimal:
        raise GeoInputError(Msg("err.report.sep_decimal", sep=repr(sep)), path=path,
                            fix=Msg("err.report.sep_decimal.fix"))
    return sep, decimal


def csv_text(
    df: pd.DataFrame,
    *,
    excel_lv: bool = False,
    sep: str | None = None,
    decimal: str | None = None,
    index: bool = False,
    lineterminator: str = "\r\n",
) -> str:
    r"""The CSV text of a table, with formula cells neutralised (see :func:`neutralise`).

    Parameters
    ----------
    df : DataFrame
    excel_lv : bool, default False
        Latvian Excel form: ``;`` between fields and ``,`` as decimal mark.
    sep, decimal : str, optional
        Override the separator (default ``,``, or ``;`` with ``excel_lv``) and the decimal
        mark (default ``.``, or ``,`` with ``excel_lv``).
    index : bool, default False
        Write the index.
    lineterminator : str, default "\r\n"

    Returns
    -------
    str
        Without a byte-order mark.
    """
    if not isinstance(df, pd.DataFrame):
        raise GeoInputError(Msg("err.report.expected_table", type=type(df).__name__))
    sep, decimal = _form(excel_lv, sep, decimal)
    return neutralise(df, index=index).to_csv(sep=sep, decimal=decimal, index=index,
                                               lineterminator=lineterminator)


def csv_bytes(df: pd.DataFrame, *, bom: bool = True, **options) -> bytes:
    """:func:`csv_text` encoded as UTF-8 (with a byte-order mark when ``bom``), for downloads.

    Parameters
    ----------
    df : DataFrame
    bom : bool, default True
        Start with the UTF-8 byte-order mark (Excel then reads Latvian letters).
    **options
        ``excel_lv``, ``sep``, ``decimal``, ``index``, ``lineterminator`` of :func:`csv_text`.

    Returns
    -------
    bytes
    """
    return csv_text(df, **options).encode("utf-8-sig" if bom else "utf-8")


def write_csv(
    df: pd.DataFrame,
    path: str | Path,
    *,
    excel_lv: bool = False,
    sep: str | None = None,
    decimal: str | None = None,
    index: bool = False,
    bom: bool = True,
    lineterminator: str = "\r\n",
) -> Path:
    r"""Write a table as CSV, atomically, with formula cells neutralised.

    Parameters
    ----------
    df : DataFrame
    path : str or Path
        Output file; replaced only when the whole file was written.
    excel_lv : bool, default False
        Latvian Excel form: ``;`` between fields and ``,`` as decimal mark.
    sep, decimal : str, optional
        Override separator and decimal mark (see :func:`csv_text`).
    index : bool, default False
    bom : bool, default True
        Start with the UTF-8 byte-order mark.
    lineterminator : str, default "\r\n"

    Returns
    -------
    Path
    """
    path = Path(path)
    if not isinstance(df, pd.DataFrame):
        raise GeoInputError(Msg("err.report.expected_table", type=type(df).__name__), path=path)
    sep, decimal = _form(excel_lv, sep, decimal, path)
    safe = neutralise(df, index=index)
    with atomic_file(path) as tmp:
        safe.to_csv(tmp, sep=sep, decimal=decimal, index=index, lineterminator=lineterminator,
                    encoding="utf-8-sig" if bom else "utf-8")
    return path
