"""Exceptions with messages a planner can act on.

Every error names the file (or layer) concerned and says how to fix it.
"""

from __future__ import annotations

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
