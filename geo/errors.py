"""Exceptions with messages a planner can act on.

Every error names the file (or layer) concerned and says how to fix it.
"""

from __future__ import annotations

import contextlib
from pathlib import Path


class GeoInputError(ValueError):
    """Bad user input: a file, a column, a CRS, an id.

    Parameters
    ----------
    message : str
        What is wrong, in plain words.
    path : str or Path, optional
        The file concerned; it is prefixed to the message.
    fix : str, optional
        What the user can do about it; appended to the message.
    """

    def __init__(self, message: str, *, path: str | Path | None = None, fix: str | None = None):
        self.path = None if path is None else Path(path)
        self.fix = fix
        text = message
        if path is not None:
            text = f"{path}: {message}"
        if fix:
            text = f"{text} Fix: {fix}"
        super().__init__(text)


class NetworkError(GeoInputError):
    """A road network that cannot be used (no drivable roads, disconnected, not OSM...)."""


class MissingDataError(GeoInputError):
    """A layer that a step needs is not available (offline, not downloaded yet...)."""


def check_number(value, *, name: str, low: float = 0.0, strict: bool = True,
                 fix: str | None = None) -> float:
    """``value`` as a finite float above ``low`` (at least ``low`` when not ``strict``).

    Parameters
    ----------
    value : number
        The option's value (``None`` is not accepted: test for it first).
    name : str
        The option, named in the message (``"cutoff_min"``, ``"--budget"``).
    low : float, default 0
    strict : bool, default True
        ``value == low`` is refused too.
    fix : str, optional

    Raises
    ------
    GeoInputError
        Not a number, NaN or infinite, or too small.
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise GeoInputError(f"{name} = {value!r} is not a number.", fix=fix) from None
    if v != v or v in (float("inf"), float("-inf")):
        raise GeoInputError(f"{name} = {value!r} is not a finite number.", fix=fix)
    if v < low or (strict and v == low):
        raise GeoInputError(
            f"{name} = {value!r} must be {'greater than' if strict else 'at least'} {low:g}.",
            fix=fix)
    return v


@contextlib.contextmanager
def named_errors(path: str | Path, *, problem: str, fix: str):
    """Turn any failure inside the ``with`` block into a :class:`GeoInputError` naming ``path``.

    For loading the tool's own files (caches, bundles), where any exception means the file
    is truncated, corrupt or unreadable; :class:`GeoInputError` passes through unchanged.

    Parameters
    ----------
    path : str or Path
        The file or folder being read.
    problem : str
        What went wrong, e.g. ``"the network cache is corrupt or truncated"``.
    fix : str
        What to do, e.g. how to rebuild the cache.
    """
    try:
        yield
    except GeoInputError:
        raise
    except PermissionError as exc:
        raise GeoInputError(f"cannot be read (permission denied: {exc.filename}).", path=path,
                            fix="give yourself read permission (chmod -R u+rX).") from exc
    except Exception as exc:  # numpy, pyarrow, pyogrio, json raise many types
        raise GeoInputError(f"{problem} ({type(exc).__name__}: {exc}).", path=path,
                            fix=fix) from exc


class GeoWarning(UserWarning):
    """A figure the tool computed with a repaired or doubtful input (the message says which
    input, what was done and by how much)."""
