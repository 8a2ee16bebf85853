"""Grades 1-12 as text: ``"1-6,10-12"``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


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

