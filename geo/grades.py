"""Grades 1-12 and grade bands: parsing ``"1-6,10-12"``, masks, and which bands a school offers."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from geo import settings


def format_grades(grades: Sequence[int] | np.ndarray) -> str:
    """``(1, 2, 3, 4, 5, 6, 10, 11, 12)`` -> ``"1-6,10-12"``; a boolean mask of 12 works too."""
    g = np.asarray(grades)
    if g.dtype == bool:
        g = np.flatnonzero(g) + 1
    g = sorted(int(v) for v in g)
    if not g:
        return ""
    parts, start, prev = [], g[0], g[0]
    for v in g[1:] + [None]:
        if v is not None and v == prev + 1:
            prev = v
            continue
        parts.append(f"{start}-{prev}" if prev > start else f"{start}")
        if v is not None:
            start = prev = v
    return ",".join(parts)


N_GRADES = 12


# ------------------------------------------------------------------------------------------
# Grades
# ------------------------------------------------------------------------------------------
def parse_grades(value, *, what: str = "grades") -> tuple[int, ...]:
    """Grades from ``"1-9"``, ``"1-6, 10-12"``, ``[1, 2, 3]``, ``7`` or a school type.

    Parameters
    ----------
    value : str, int or sequence of int
        Ranges and single grades (1-12), or a type of :data:`geo.settings.SCHOOL_TYPE_GRADES`
        (``"pamatskola"``; spellings without diacritics are accepted).
    what : str
        Name used in error messages.

    Returns
    -------
    tuple of int
        Sorted distinct grades.

    Raises
    ------
    ValueError
        When the value cannot be read or a grade is outside 1-12.
    """
    if value is None:
        raise ValueError(f"{what}: no grades given")
    if isinstance(value, bool):
        raise ValueError(f"{what}: {value!r} is not a grade")
    if isinstance(value, int | np.integer):
        out = {int(value)}
    elif isinstance(value, str):
        s = value.strip().lower()
        types = {_ascii(k): v for k, v in settings.SCHOOL_TYPE_GRADES.items()}
        if _ascii(s) in types:
            return tuple(types[_ascii(s)])
        out = set()
        for part in re.split(r"[,;\s]+", s):
            if not part:
                continue
            m = re.fullmatch(r"(\d+)\s*[-–]\s*(\d+)", part)
            if m:
                a, b = int(m.group(1)), int(m.group(2))
                if a > b:
                    raise ValueError(f"{what}: range {part!r} runs backwards")
                out |= set(range(a, b + 1))
            elif part.isdigit():
                out.add(int(part))
            else:
                raise ValueError(
                    f"{what}: cannot read {value!r}; write ranges such as \"1-9\" or "
                    f"\"1-6, 10-12\", or a school type ({', '.join(settings.SCHOOL_TYPE_GRADES)})"
                )
    else:
        try:
            out = {int(v) for v in value}
        except (TypeError, ValueError):
            raise ValueError(f"{what}: cannot read {value!r} as grades") from None
    bad = sorted(g for g in out if not 1 <= g <= N_GRADES)
    if bad:
        raise ValueError(f"{what}: grades must be 1-12, got {bad}")
    if not out:
        raise ValueError(f"{what}: no grades given")
    return tuple(sorted(out))


def _ascii(s: str) -> str:
    table = str.maketrans("āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ", "acegiklnsuzACEGIKLNSUZ")
    return s.translate(table).strip().lower()


def grades_mask(grades: Sequence[int]) -> np.ndarray:
    """Boolean mask of 12 grades."""
    m = np.zeros(N_GRADES, bool)
    m[np.asarray(grades, int) - 1] = True
    return m


def band_offers(serves: np.ndarray, bands: Sequence[str]) -> np.ndarray:
    """Which schools offer which band: all grades of the band served.

    Parameters
    ----------
    serves : numpy.ndarray of bool, shape (n_schools, 12)
    bands : sequence of str
        Keys of :data:`geo.settings.GRADE_BANDS`.

    Returns
    -------
    numpy.ndarray of bool, shape (n_schools, n_bands)
    """
    cols = [serves[:, np.asarray(settings.GRADE_BANDS[b]) - 1].all(axis=1) for b in bands]
    return np.column_stack(cols) if cols else np.zeros((len(serves), 0), bool)
