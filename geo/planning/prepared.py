"""A region prepared for scenarios: demand groups, schools and their travel times, saved and loaded."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import settings
from geo._files import owned_dir
from geo.broadband.analysis import origin_flags
from geo.errors import GeoInputError, Msg, named_errors
from geo.grades import N_GRADES, format_grades, grades_mask, parse_grades
from geo.network.access import node_matrix, node_pairs, snap_facilities
from geo.network.graph import Network
from geo.network.snap import points_xy, snap
from geo.planning.distributed import dask_client, resolve_scheduler, run_tasks
from geo.planning.projection import attach_growth
from geo.planning.transport import TransportParams, travel_minutes, travel_minutes_bound
from geo.region.bundle import load_bundle


# ------------------------------------------------------------------------------------------
# Origin x school pairs kept (sparse travel times)
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Pairs:
    """The origin x school pairs a prepared region keeps, by origin (compressed rows).

    Per origin, the schools within a car time: as prepared, every pair whose network time +
    school leg is within ``cutoff_s`` (:data:`geo.settings.PAIRS_CUTOFF_S`, ``k = 0``); from
    dense matrices (:meth:`from_dense`), every pair within ``cutoff_s`` and the ``k``
    nearest schools whatever their time. So memory grows with origins x reachable schools.
    A pair that is not kept is never "unreachable" by omission: ``floor_s`` and ``floor_m`` bound its time and distance from
    below, and the columns of schools marked ``complete`` hold every reachable pair (their
    other pairs are unreachable).

    Attributes
    ----------
    n_schools : int
    indptr : numpy.ndarray of int64, shape (n_o + 1,)
        Pairs of origin ``o`` are ``indptr[o]:indptr[o + 1]``, by school position.
    school : numpy.ndarray of int32
        School position of each pair.
    time_s, dist_m : numpy.ndarray of float64
        Car travel time (s) and network distance (m) of each pair (finite).
    floor_s, floor_m : numpy.ndarray of float64, shape (n_o,)
        Lower bounds of the time (s) and distance (m) of every pair of the origin that is not
        kept (outside complete columns); ``floor_s = inf``: all of them are unreachable.
    complete : numpy.ndarray of bool, shape (n_schools,)
        Columns with every reachable pair kept.
    cutoff_s : float
    k : int
    """

    n_schools: int
    indptr: np.ndarray
    school: np.ndarray
    time_s: np.ndarray
    dist_m: np.ndarray
    floor_s: np.ndarray
    floor_m: np.ndarray
    complete: np.ndarray
    cutoff_s: float = np.inf
    k: int = 0

    @property
    def n_origins(self) -> int:
        """Number of origins (rows)."""
        return len(self.indptr) - 1

    def __len__(self) -> int:
        return len(self.school)

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays."""
        return sum(a.nbytes for a in (self.indptr, self.school, self.time_s, self.dist_m,
                                      self.floor_s, self.floor_m, self.complete))

    def is_consistent(self, n_origins: int) -> bool:
        """The arrays fit together (lengths, sorted rows, school positions in range)."""
        n = len(self.school)
        ip = self.indptr
        return bool(
            len(ip) == n_origins + 1 and ip[0] == 0 and ip[-1] == n and np.all(np.diff(ip) >= 0)
            and len(self.time_s) == n and len(self.dist_m) == n
            and len(self.floor_s) == n_origins and len(self.floor_m) == n_origins
            and len(self.complete) == self.n_schools
            and (n == 0 or (self.school.min() >= 0 and self.school.max() < self.n_schools)))

    def rows(self) -> np.ndarray:
        """Origin position of each pair."""
        return np.repeat(np.arange(self.n_origins), np.diff(self.indptr))

    @classmethod
    def from_triples(cls, n_origins: int, n_schools: int, rows, school, time_s, dist_m, *,  # noqa: PLR0913  the arrays of the pairs
                     floor_s, floor_m, complete, cutoff_s: float = np.inf, k: int = 0) -> Pairs:
        """Pairs from unordered (origin, school, time, distance) triples."""
        rows = np.asarray(rows, np.int64)
        school = np.asarray(school, np.int64)
        order = np.lexsort((school, rows))
        indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=n_origins))].astype(np.int64)
        return cls(n_schools=int(n_schools), indptr=indptr,
                   school=school[order].astype(np.int32),
                   time_s=np.asarray(time_s, np.float64)[order],
                   dist_m=np.asarray(dist_m, np.float64)[order],
                   floor_s=np.asarray(floor_s, np.float64), floor_m=np.asarray(floor_m, np.float64),
                   complete=np.asarray(complete, bool), cutoff_s=float(cutoff_s), k=int(k))

    @classmethod
    def from_dense(cls, time_s: np.ndarray, dist_m: np.ndarray, *, cutoff_s: float = np.inf,
                   k: int | None = None) -> Pairs:
        """Pairs of dense matrices (``inf``: unreachable). Default: every reachable pair, all
        columns complete; with ``cutoff_s`` and ``k``: the rule of :class:`Pairs`."""
        time_s = np.asarray(time_s, np.float64)
        n_o, n_s = time_s.shape
        col = PairCollector(n_o, n_s, cutoff_s=cutoff_s, k=n_s if k is None else k)
        col.add(np.arange(n_s), time_s, np.asarray(dist_m, np.float64))
        return col.finish()

    def count_in(self, flags: np.ndarray) -> np.ndarray:
        """Kept pairs of every origin whose school is flagged (``flags``, shape (n_schools,),
        or (n_schools, m): m counts per origin, shape (n_o, m)): the flags of a school packed
        in bit fields of one integer, so one pass over the pairs counts several at once."""
        f = np.asarray(flags, bool)
        flat = f.reshape(self.n_schools, -1)
        n_o, m = self.n_origins, flat.shape[1]
        width = max(1, int(np.diff(self.indptr).max(initial=0)).bit_length())
        per = max(1, 63 // width)
        out = np.empty((n_o, m), np.int64)
        for j in range(0, m, per):
            shift = width * np.arange(min(per, m - j), dtype=np.int64)
            code = (flat[:, j:j + per].astype(np.int64) << shift).sum(axis=1)
            packed = np.concatenate([  # a few thousand rows at a time: small temporaries
                _row_sums(self.indptr[a:b + 1] - self.indptr[a],
                          np.take(code, _ix(self.school[self.indptr[a]:self.indptr[b]])))
                for a, b in _steps(n_o, _MIN_ROWS)] or [np.zeros(0, np.int64)])
            out[:, j:j + len(shift)] = (packed[:, None] >> shift) & ((1 << width) - 1)
        return out[:, 0] if f.ndim == 1 else out

    @cached_property
    def _keys(self) -> np.ndarray:
        """Origin x n_schools + school of each pair, sorted."""
        return self.rows() * np.int64(self.n_schools) + self.school

    def find(self, origin, school) -> np.ndarray:
        """Position of each (origin, school) pair among the kept pairs, -1 where it is not
        kept: a binary search within the origin's row (its schools are sorted)."""
        o, s = (a.ravel() for a in np.broadcast_arrays(np.asarray(origin, np.int64),
                                                          np.asarray(school, np.int64)))
        shape = np.broadcast_shapes(np.shape(origin), np.shape(school))
        last = self.__dict__.get("_last_find")  # an assignment's flows are looked up repeatedly
        if last is not None and np.array_equal(last[0], o) and np.array_equal(last[1], s):
            return last[2].reshape(shape).copy()
        pos = _find(self.indptr, self.school, o, s)
        self.__dict__["_last_find"] = (o.copy(), s.copy(), pos.copy())
        return pos.reshape(shape)

    def lookup(self, origin, school) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Kept value of (origin, school) pairs: (kept, time_s, dist_m); ``inf`` where the pair
        is not kept (it may still be reachable unless its column is complete)."""
        pos = self.find(origin, school)
        kept = pos >= 0
        t = np.full(pos.shape, np.inf)
        d = np.full(pos.shape, np.inf)
        t[kept] = self.time_s[pos[kept]]
        d[kept] = self.dist_m[pos[kept]]
        return kept, t, d

    def dense(self, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Dense time (s) and distance (m) of ``columns`` with every reachable pair kept
        (exact: ``inf`` = unreachable).

        Raises
        ------
        ValueError
            When a column is not complete (its missing pairs would read as unreachable).
        """
        columns = np.asarray(columns, np.int64)
        missing = self.missing_columns(columns)
        if len(missing):
            raise ValueError(f"Pairs.dense: columns {missing[:5].tolist()} are not complete")
        pos = np.full(self.n_schools, -1, np.int64)
        pos[columns] = np.arange(len(columns))
        T = np.full((self.n_origins, len(columns)), np.inf)
        D = np.full_like(T, np.inf)
        sel = np.flatnonzero(pos[self.school] >= 0)
        r, c = self.rows()[sel], pos[self.school[sel]]
        T[r, c] = self.time_s[sel]
        D[r, c] = self.dist_m[sel]
        return T, D

    def minutes_bound(self, params: TransportParams) -> np.ndarray:
        """Dense travel minutes, exact for kept pairs and complete columns, a lower bound
        (:func:`travel_minutes_bound` of the origin's floors) for the pairs not kept."""
        lb = travel_minutes_bound(self.floor_s, self.floor_m, params)
        out = np.empty((self.n_origins, self.n_schools))
        out[:] = lb[:, None]
        out[:, self.complete] = np.inf
        out.ravel()[self._keys] = travel_minutes(self.time_s, self.dist_m, params)[0]
        return out

    def pair_minutes(self, params: TransportParams) -> PairMinutes:
        """The travel minutes of :meth:`minutes_bound`, sparse: exact minutes of the kept pairs
        and the per-origin lower bound of the others (no dense matrix)."""
        return PairMinutes(indptr=self.indptr, school=self.school, time_s=self.time_s,
                           dist_m=self.dist_m, params=params,
                           bound=travel_minutes_bound(self.floor_s, self.floor_m, params),
                           complete=self.complete, pairs=self)

    def missing_columns(self, columns: np.ndarray | None = None) -> np.ndarray:
        """Columns (of ``columns``, default all) that are not complete while some origin with
        a reachable pair left out may lack them."""
        cols = np.arange(self.n_schools) if columns is None else np.asarray(columns, np.int64)
        kept = np.bincount(self.school[np.isfinite(self.floor_s[self.rows()])],
                           minlength=self.n_schools)
        n_open = int(np.isfinite(self.floor_s).sum())
        return cols[~self.complete[cols] & (kept[cols] < n_open)]

    def with_columns(self, columns, time_s: np.ndarray, dist_m: np.ndarray) -> Pairs:
        """A copy with the given columns complete (every reachable pair of the dense
        ``time_s``, ``dist_m``, shape (n_o, len(columns))); positions beyond
        ``n_schools`` add schools."""
        columns = np.asarray(columns, np.int64)
        n_s = max(self.n_schools, int(columns.max()) + 1 if len(columns) else 0)
        time_s = np.asarray(time_s, np.float64).reshape(self.n_origins, len(columns))
        keep = ~np.isin(self.school, columns)
        r, c = np.nonzero(np.isfinite(time_s))
        complete = np.r_[self.complete, np.zeros(n_s - self.n_schools, bool)]
        complete[columns] = True
        return Pairs.from_triples(
            self.n_origins, n_s, np.r_[self.rows()[keep], r],
            np.r_[self.school[keep], columns[c]], np.r_[self.time_s[keep], time_s[r, c]],
            np.r_[self.dist_m[keep], np.asarray(dist_m, np.float64)[r, c]],
            floor_s=self.floor_s, floor_m=self.floor_m, complete=complete,
            cutoff_s=self.cutoff_s, k=self.k)


def _row_sums(indptr: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Sum of ``values`` (one per pair, small integers) over every row of a CSR ``indptr``."""
    some = np.flatnonzero(np.diff(indptr) > 0)
    out = np.zeros(len(indptr) - 1, np.int64)
    if len(some):
        out[some] = np.add.reduceat(values, indptr[some], dtype=np.int64)
    return out


def _ix(a: np.ndarray) -> np.ndarray:
    """Index array as ``np.intp`` (numpy gathers several times faster with it than with the
    int32 school positions)."""
    return a.astype(np.intp, copy=False)


def _steps(n: int, step: int) -> list[tuple[int, int]]:
    """(start, stop) of consecutive ranges of at most ``step`` of ``range(n)``."""
    return [(a, min(a + step, n)) for a in range(0, n, step)]


def _row_positions(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the pairs of ``rows`` (CSR ``indptr``), row by row, and the number of
    pairs of each row."""
    start, count = indptr[rows], indptr[rows + 1] - indptr[rows]
    total = int(count.sum())
    shift = np.repeat(start - (np.cumsum(count) - count), count)
    return shift + np.arange(total, dtype=np.int64), count


@dataclass(frozen=True, eq=False)
class PairMinutes:
    """Travel minutes of every origin x school pair, kept sparse: the exact minutes of the kept
    pairs (compressed rows, as :class:`Pairs`; computed from their time and distance where
    read, never held for all), a lower bound per origin for its pairs not kept, and ``inf``
    for the pairs not kept of complete columns (unreachable).

    The dense matrix it stands for is :meth:`Pairs.minutes_bound`; :meth:`block` gives any
    rows of it, :meth:`at` single pairs and :meth:`row_min` the nearest allowed school of
    every row, each equal to reading that matrix, without holding origins x schools.

    Attributes
    ----------
    indptr : numpy.ndarray of int64, shape (n_o + 1,)
    school : numpy.ndarray of int32
        School position of each kept pair (sorted within a row).
    time_s, dist_m : numpy.ndarray of float64
        Car time (s) and network distance (m) of each kept pair.
    params : TransportParams
        Minutes of a pair: :func:`travel_minutes` of its time and distance.
    bound : numpy.ndarray of float64, shape (n_o,)
        Minutes; lower bound of the pairs of the origin that are not kept
        (:func:`travel_minutes_bound`); ``inf``: unreachable.
    complete : numpy.ndarray of bool, shape (n_s,)
        Columns whose pairs not kept are unreachable.
    pairs : Pairs
        The pairs these are of (single pairs are found through :meth:`Pairs.find`).
    """

    indptr: np.ndarray
    school: np.ndarray
    time_s: np.ndarray
    dist_m: np.ndarray
    params: TransportParams
    bound: np.ndarray
    complete: np.ndarray
    pairs: Pairs

    @property
    def shape(self) -> tuple[int, int]:
        """(origins, schools) of the dense matrix."""
        return len(self.indptr) - 1, len(self.complete)

    def minutes(self, pos) -> np.ndarray:
        """Minutes of the kept pairs at positions (or a slice) ``pos``."""
        return travel_minutes(self.time_s[pos], self.dist_m[pos], self.params,
                              with_mode=False)[0]

    def block(self, origins, columns=None, fn=None) -> np.ndarray:
        """Dense minutes of ``origins`` (rows, repeats allowed) x ``columns`` (distinct,
        default every school), as ``Pairs.minutes_bound(params)[np.ix_(origins, columns)]``;
        with ``fn`` (elementwise, ``fn(inf) = inf``): ``fn`` of them, computed on the kept
        pairs and the bounds only."""
        o = np.asarray(origins, np.int64).ravel()
        cols = None if columns is None else np.asarray(columns, np.int64).ravel()
        shut = self.complete if cols is None else self.complete[cols]
        fn = fn or (lambda x: x)
        width = len(shut)
        if cols is not None and shut.all():  # complete columns: only their pairs are read
            sub_indptr, sub_pos = self._complete_pairs
            at, count = _row_positions(sub_indptr, o)
            pos = _ix(sub_pos[at])
            out = np.full((len(o), width), np.inf)
        else:
            pos, count = _row_positions(self.indptr, o)
            out = fn(self.bound[o])[:, None] + np.where(shut, np.inf, 0.0)  # inf if complete
        flat = np.repeat(np.arange(len(o), dtype=np.int64) * width, count)
        if cols is None:
            flat += self.school[pos]
        else:
            at = np.full(self.shape[1], -1, np.int64)
            at[cols] = np.arange(len(cols))
            c = np.take(at, _ix(self.school[pos]))
            ok = np.flatnonzero(c >= 0)
            flat, pos = flat[ok] + c[ok], pos[ok]
        out.ravel()[flat] = fn(self.minutes(pos))
        return out

    @cached_property
    def _complete_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """The kept pairs of the complete columns as compressed rows of positions:
        (indptr, position among all kept pairs)."""
        kind = np.int32 if len(self.school) < 2**31 else np.int64
        parts = []
        for a, b in _steps(self.shape[0], _MIN_ROWS):
            lo = self.indptr[a]
            parts.append((np.flatnonzero(np.take(self.complete, _ix(self.school[lo:self.indptr[b]])))
                          + lo)
                         .astype(kind))
        pos = np.concatenate(parts or [np.zeros(0, kind)])
        return np.searchsorted(pos, self.indptr).astype(np.int64), pos

    def at(self, origins, schools) -> np.ndarray:
        """Minutes of (origin, school) pairs (1-D arrays of equal length)."""
        o = np.asarray(origins, np.int64)
        s = np.asarray(schools, np.int64)
        pos = self.pairs.find(o, s)
        out = np.where(self.complete[s], np.inf, self.bound[o])
        kept = pos >= 0
        out[kept] = self.minutes(pos[kept])
        return out

    def row_min(self, origins, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest allowed school of every row of ``origins``: its minutes (``inf`` when no
        allowed school is reachable) and position (the first such column, as ``argmin`` of the
        dense row with the schools not ``allowed`` at ``inf``; -1 when none).

        ``allowed`` of shape (n_s,) or (n_s, m) (m sets of schools: results of shape
        (len(origins), m)). The kept pairs are scanned once; the rows whose bound for the
        pairs not kept is no more than their nearest kept pair are read densely
        (:meth:`block`)."""
        o = np.asarray(origins, np.int64)
        allowed = np.asarray(allowed, bool)
        A = allowed.reshape(self.shape[1], -1)
        if 4 * len(o) < self.shape[0]:  # few rows: their dense rows
            val = np.full((len(o), A.shape[1]), np.inf)
            col = np.full((len(o), A.shape[1]), -1, np.int64)
            for j in range(A.shape[1]):
                val[:, j], col[:, j] = self._row_min_dense(o, A[:, j])
        else:
            val, col = self._row_min_kept(A)
            val, col = val[o], col[o]
            lb = self.bound[o]
            for j in np.flatnonzero((A & ~self.complete[:, None]).any(axis=0)):
                redo = np.flatnonzero(np.isfinite(lb) & (lb <= val[:, j]))
                if len(redo):
                    val[redo, j], col[redo, j] = self._row_min_dense(o[redo], A[:, j])
        return (val[:, 0], col[:, 0]) if allowed.ndim == 1 else (val, col)

    def _row_min_kept(self, A: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per origin and set of schools (columns of ``A``), the smallest minutes of its
        allowed kept pairs and the first school with them (``inf``, -1: none); a few thousand
        rows at a time (small temporaries, each pair's minutes computed once)."""
        n_o, m = self.shape[0], A.shape[1]
        mn = np.full((n_o, m), np.inf)
        col = np.full((n_o, m), -1, np.int64)
        shut = np.ascontiguousarray(np.where(A, 0.0, np.inf).T)
        for a, b in _steps(n_o, _MIN_ROWS):
            pairs = slice(self.indptr[a], self.indptr[b])
            ip = self.indptr[a:b + 1] - self.indptr[a]
            minutes, sch = self.minutes(pairs), _ix(self.school[pairs])
            count = np.diff(ip)
            some = np.flatnonzero(count > 0)
            for j in range(m):
                v = np.take(shut[j], sch)
                v += minutes
                mj = np.full(b - a, np.inf)
                if len(some):
                    mj[some] = np.minimum.reduceat(v, ip[some])
                pos = np.flatnonzero(v == np.repeat(np.where(np.isfinite(mj), mj, np.nan),
                                                    count))
                r = np.searchsorted(ip, pos, side="right") - 1
                first = np.r_[True, r[1:] != r[:-1]] if len(r) else np.zeros(0, bool)
                mn[a:b, j] = mj
                col[a + r[first], j] = sch[pos[first]]
        return mn, col

    def _row_min_dense(self, origins: np.ndarray, allowed: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`row_min` of ``origins`` from their dense rows, a block at a time."""
        val = np.full(len(origins), np.inf)
        col = np.full(len(origins), -1, np.int64)
        shut = np.where(allowed, 0.0, np.inf)
        step = max(1, _ROW_BLOCK // max(self.shape[1], 1))
        for i in range(0, len(origins), step):
            T = self.block(origins[i:i + step])
            T += shut
            j = np.argmin(T, axis=1)
            t = T[np.arange(len(j)), j]
            val[i:i + step] = t
            col[i:i + step] = np.where(np.isfinite(t), j, -1)
        return val, col


#: Origin x school entries of one dense block read at a time (:class:`PairMinutes`).
_ROW_BLOCK = 500_000

#: Origins of one step of :meth:`PairMinutes.row_min` over the kept pairs.
_MIN_ROWS = 256


def _find(indptr: np.ndarray, school: np.ndarray, o: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Position of each pair (``o``, ``s``) in compressed rows (``indptr``, ``school`` sorted
    within each row), -1 where absent: a binary search within every row at once."""
    lo, end = indptr[o], indptr[o + 1]
    hi = end.copy()
    last = max(len(school) - 1, 0)
    steps = int(np.max(end - lo, initial=0)).bit_length()
    for _ in range(steps):  # lo == hi stays put
        act = lo < hi
        mid = (lo + hi) >> 1
        right = act & (school[np.minimum(mid, last)] < s)
        lo = np.where(right, mid + 1, lo)
        hi = np.where(act & ~right, mid, hi)
    found = lo < end
    found[found] = school[lo[found]] == s[found]
    return np.where(found, lo, -1)


class PairCollector:
    """Collects the kept pairs of dense column blocks (:class:`Pairs` rule), so that a region
    is routed a block of schools at a time without holding origins x schools.

    Parameters
    ----------
    n_origins, n_schools : int
    cutoff_s : float
        Pairs within this car time (s) are kept.
    k : int
        The ``k`` nearest schools of each origin are kept too.
    complete : numpy.ndarray of bool, shape (n_schools,), optional
        Schools whose every reachable pair is kept (outside the rule and the floors).
    """

    def __init__(self, n_origins: int, n_schools: int, *, cutoff_s: float, k: int,
                 complete: np.ndarray | None = None):
        self.n_o, self.n_s, self.cutoff_s, self.k = n_origins, n_schools, float(cutoff_s), int(k)
        self.forced = (np.zeros(n_schools, bool) if complete is None
                       else np.asarray(complete, bool))
        self.parts: list[tuple] = []
        kk = min(self.k, n_schools) + 1
        self.top_t = np.full((n_origins, kk), np.inf)
        self.top_s = np.full((n_origins, kk), -1, np.int64)
        self.top_d = np.full((n_origins, kk), np.inf)
        self.n_within = np.zeros(n_origins, np.int64)
        self.beyond_t = np.full(n_origins, np.inf)
        self.beyond_d = np.full(n_origins, np.inf)
        self.n_finite = np.zeros(n_schools, np.int64)

    def add(self, columns: np.ndarray, time_s: np.ndarray, dist_m: np.ndarray) -> None:
        """Take the dense block of ``columns`` (school positions): time (s), distance (m)."""
        columns = np.asarray(columns, np.int64)
        fin = np.isfinite(time_s)
        self.n_finite[columns] += fin.sum(axis=0)
        forced = self.forced[columns]
        if forced.any():  # kept whole; the rule and the floors are about the other schools
            r, c = np.nonzero(fin & forced[None, :])
            self.parts.append((r, columns[c], time_s[r, c], dist_m[r, c]))
            columns, time_s, dist_m = columns[~forced], time_s[:, ~forced], dist_m[:, ~forced]
            fin = fin[:, ~forced]
            if len(columns) == 0:
                return
        within = fin & (time_s <= self.cutoff_s)
        r, c = np.nonzero(within)
        self.parts.append((r, columns[c], time_s[r, c], dist_m[r, c]))
        self.n_within += within.sum(axis=1)
        beyond = fin & ~within
        self.beyond_t = np.minimum(self.beyond_t, np.where(beyond, time_s, np.inf).min(axis=1))
        self.beyond_d = np.minimum(self.beyond_d, np.where(beyond, dist_m, np.inf).min(axis=1))
        t = np.hstack([self.top_t, time_s])
        s = np.hstack([self.top_s, np.broadcast_to(columns, time_s.shape)])
        d = np.hstack([self.top_d, dist_m])
        kk = self.top_t.shape[1]
        pick = np.argpartition(t, kk - 1, axis=1)[:, :kk]
        self.top_t = np.take_along_axis(t, pick, axis=1)
        self.top_s = np.take_along_axis(s, pick, axis=1)
        self.top_d = np.take_along_axis(d, pick, axis=1)

    def finish(self) -> Pairs:
        """The kept pairs and the floors of the pairs left out."""
        order = np.argsort(self.top_t, axis=1, kind="stable")
        t = np.take_along_axis(self.top_t, order, axis=1)
        s = np.take_along_axis(self.top_s, order, axis=1)
        d = np.take_along_axis(self.top_d, order, axis=1)
        kk = t.shape[1] - 1  # the k nearest; column kk is the nearest pair left out
        extra = np.isfinite(t[:, :kk]) & (t[:, :kk] > self.cutoff_s)
        r, c = np.nonzero(extra)
        parts = [*self.parts, (r, s[r, c], t[r, c], d[r, c])]
        # left out: every pair beyond the cutoff when k are within it, else all but the k
        # nearest (the (k+1)-th is the nearest of them)
        floor_s = np.where(self.n_within >= kk, self.beyond_t, t[:, kk])
        floor_m = np.where(np.isfinite(floor_s), self.beyond_d, np.inf)
        rows, school, ts, ds = (np.concatenate([p[i] for p in parts]) for i in range(4))
        kept = np.bincount(school, minlength=self.n_s)
        return Pairs.from_triples(self.n_o, self.n_s, rows, school, ts, ds, floor_s=floor_s,
                                  floor_m=floor_m, complete=kept == self.n_finite,
                                  cutoff_s=self.cutoff_s, k=kk)


# ------------------------------------------------------------------------------------------
# Prepared inputs of a region
# ------------------------------------------------------------------------------------------
SCHOOL_COLUMNS = ("id", "name", "type", "grades", "capacity", "dormitory_places",
                  "municipality", "x", "y", "annual_cost_eur", "is_new")


@dataclass
class Prepared:
    """Everything scenario evaluation needs about a region, as arrays.

    Attributes
    ----------
    origin_ids : numpy.ndarray of str, shape (n_o,)
    origin_x, origin_y : numpy.ndarray of float64
        Origin coordinates in ``crs`` (metres).
    crs : str
        Metric CRS of all coordinates.
    origin_municipality : numpy.ndarray of str
        Municipality of each origin ("" when unknown).
    pupils : numpy.ndarray of float64, shape (n_o, n_bands)
        Pupils per origin and grade band in ``base_year``.
    bands : tuple of str
        Grade bands (keys of :data:`geo.settings.GRADE_BANDS`).
    schools : pandas.DataFrame
        One row per candidate school: ``id`` (str, the registration number), ``name``,
        ``type``, ``grades`` (text such as "1-9"), ``capacity`` (pupils; inf = unlimited),
        ``dormitory_places``, ``municipality``, ``x``, ``y`` (in ``crs``),
        ``annual_cost_eur``, ``is_new`` (added by a scenario).
    serves : numpy.ndarray of bool, shape (n_s, 12)
        Grades 1-12 served by each school.
    time_s, dist_m : numpy.ndarray of float64, shape (n_o, n_s), or None
        Dense input only: car travel time (s) and network distance (m), home -> school, incl.
        off-network legs, ``inf`` when unreachable. Every reachable pair goes into ``pairs``;
        both are None afterwards.
    base_year : int
    region : str
    growth_rate : numpy.ndarray or None, shape (n_o,)
        Annual log growth rate of pupils per origin (:mod:`geo.planning.projection`); None: pupils can
        only be evaluated for ``base_year``.
    origin_snapped : numpy.ndarray of bool or None
        False for origins too far from any road (their pupils are unserved).
    network : geo.network.Network or None
        Kept to compute columns of new schools on demand.
    network_path : str or None
        Network cache folder (loaded lazily when ``network`` is None).
    meta : dict
    pairs : Pairs
        The origin x school travel times and distances kept (sparse; given instead of
        ``time_s``, ``dist_m``). Read them through :meth:`minutes` (exact, routing missing
        columns on demand), :meth:`minutes_bound` and :meth:`complete_columns`.
    """

    origin_ids: np.ndarray
    origin_x: np.ndarray
    origin_y: np.ndarray
    crs: str
    origin_municipality: np.ndarray
    pupils: np.ndarray
    bands: tuple[str, ...]
    schools: pd.DataFrame
    serves: np.ndarray
    time_s: np.ndarray | None
    dist_m: np.ndarray | None
    base_year: int
    region: str = ""
    growth_rate: np.ndarray | None = None
    origin_snapped: np.ndarray | None = None
    network: object | None = field(default=None, repr=False)
    network_path: str | None = None
    meta: dict = field(default_factory=dict)
    pairs: Pairs | None = field(default=None, repr=False)
    _origin_nodes: np.ndarray | None = field(default=None, repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        n_o, n_s = len(self.origin_ids), len(self.schools)
        self.origin_ids = np.asarray(self.origin_ids).astype(str).astype(object)
        self.origin_municipality = np.asarray(self.origin_municipality).astype(str).astype(object)
        self.pupils = np.asarray(self.pupils, np.float64).reshape(n_o, -1)
        self.bands = tuple(self.bands)
        sch = self.schools.reset_index(drop=True).copy()
        for c, default in (("name", ""), ("type", ""), ("municipality", ""),
                           ("capacity", np.inf), ("dormitory_places", 0.0),
                           ("x", np.nan), ("y", np.nan), ("is_new", False),
                           ("annual_cost_eur", settings.SCHOOL_FIXED_COST_EUR)):
            if c not in sch.columns:
                sch[c] = default
        sch["id"] = sch["id"].astype(str)
        sch["capacity"] = sch["capacity"].astype(float).fillna(np.inf)
        sch["dormitory_places"] = sch["dormitory_places"].astype(float).fillna(0.0)
        sch["annual_cost_eur"] = sch["annual_cost_eur"].astype(float).fillna(
            settings.SCHOOL_FIXED_COST_EUR)
        sch["grades"] = [format_grades(r) for r in np.asarray(self.serves, bool)]
        self.schools = sch
        checks = [
            (self.pupils.shape == (n_o, len(self.bands)), "pupils must be (n_origins, n_bands)"),
            (np.shape(self.serves) == (n_s, N_GRADES), "serves must be (n_schools, 12)"),
            (self.pairs is not None or (np.shape(self.time_s) == (n_o, n_s)
                                        and np.shape(self.dist_m) == (n_o, n_s)),
             "time_s and dist_m must be (n_origins, n_schools) (or give pairs)"),
            (self.pairs is None or (self.pairs.n_schools == n_s
                                    and self.pairs.is_consistent(n_o)),
             "pairs must be consistent arrays of (n_origins, n_schools)"),
            (len(self.origin_x) == n_o and len(self.origin_y) == n_o, "origin_x/y length"),
            (len(self.origin_municipality) == n_o, "origin_municipality length"),
            (sch["id"].is_unique, "school ids must be unique"),
            (np.all(np.isfinite(self.pupils)) and np.all(self.pupils >= 0),
             "pupils must be finite and >= 0"),
        ]
        for ok, msg in checks:
            if not ok:
                raise ValueError(f"Prepared: {msg}")
        unknown = [b for b in self.bands if b not in settings.GRADE_BANDS]
        if unknown:
            raise ValueError(f"Prepared: unknown grade bands {unknown}; "
                             f"settings.GRADE_BANDS has {list(settings.GRADE_BANDS)}")
        self.serves = np.asarray(self.serves, bool)
        if self.pairs is None:  # dense input: keep every reachable pair
            self.pairs = Pairs.from_dense(self.time_s, self.dist_m)
        self.time_s = self.dist_m = None

    # -- sizes -----------------------------------------------------------------------------
    @property
    def n_origins(self) -> int:
        """Number of origins (census cells)."""
        return len(self.origin_ids)

    @property
    def n_schools(self) -> int:
        """Number of candidate schools (existing and new)."""
        return len(self.schools)

    @property
    def school_ids(self) -> np.ndarray:
        """School ids (registration numbers), in column order."""
        return self.schools["id"].to_numpy()

    def school_index(self) -> dict[str, int]:
        """School id -> column position."""
        idx = self._cache.get("school_index")
        if idx is None or len(idx) != self.n_schools:
            idx = {s: i for i, s in enumerate(self.schools["id"])}
            self._cache["school_index"] = idx
        return idx

    # -- pupils of a year ------------------------------------------------------------------
    def pupils_for_year(self, year: int | None) -> np.ndarray:
        """Pupils per origin and band projected to ``year`` (base year: unchanged).

        Raises
        ------
        GeoInputError
            When ``year`` differs from the base year and no growth rates were prepared.
        """
        if year is None or int(year) == int(self.base_year):
            return self.pupils
        if self.growth_rate is None:
            raise GeoInputError(
                Msg("err.prep.no_growth", base=self.base_year, year=year),
                fix=Msg("err.prep.no_growth.fix", base=self.base_year),
            )
        key = ("pupils", int(year))
        out = self._cache.get(key)
        if out is None:
            f = np.exp(self.growth_rate * (int(year) - int(self.base_year)))
            out = self.pupils * f[:, None]
            self._cache[key] = out
        return out

    # -- travel minutes --------------------------------------------------------------------
    def minutes(self, params: TransportParams, *, columns: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
        """Exact :func:`travel_minutes` (minutes, mode) of ``columns`` (default: every school),
        dense, shape (n_o, len(columns)).

        Columns whose pairs were not all kept are routed first (:meth:`complete_columns`:
        needs the road network), so no pair reads as unreachable by omission. Cached per
        ``params``.
        """
        cols = np.arange(self.n_schools) if columns is None else np.asarray(columns, np.int64)
        self.complete_columns(self.pairs.missing_columns(cols))
        key = ("minutes", params, self.n_schools, int(self.pairs.complete.sum()),
               cols.tobytes())
        out = self._cache.get(key)
        if out is None:
            T, D = self.pairs.dense(cols)
            out = travel_minutes(T, D, params)
            self._cache = {k: v for k, v in self._cache.items() if k[0] != "minutes"}
            self._cache[key] = out
        return out

    def minutes_bound(self, params: TransportParams) -> np.ndarray:
        """Dense travel minutes of every pair, shape (n_o, n_s): exact where kept, a lower
        bound where not (:meth:`Pairs.minutes_bound`); cached per ``params``. A result that
        uses no bounded pair is exact (:func:`geo.planning.evaluate.evaluate`)."""
        key = ("bound", params, self.n_schools, int(self.pairs.complete.sum()))
        out = self._cache.get(key)
        if out is None:
            out = self.pairs.minutes_bound(params)
            self._cache = {k: v for k, v in self._cache.items() if k[0] != "bound"}
            self._cache[key] = out
        return out

    def pair_minutes(self, params: TransportParams) -> PairMinutes:
        """The travel minutes of :meth:`minutes_bound`, sparse (:class:`PairMinutes`: exact
        where kept, a lower bound where not, without the dense matrix); cached per
        ``params``."""
        key = ("pair_minutes", params, self.n_schools, int(self.pairs.complete.sum()))
        out = self._cache.get(key)
        if out is None or out.indptr is not self.pairs.indptr:
            out = self.pairs.pair_minutes(params)
            self._cache = {k: v for k, v in self._cache.items() if k[0] != "pair_minutes"}
            self._cache[key] = out
        return out

    def complete_columns(self, columns) -> None:
        """Route the exact columns of schools (positions) whose pairs were not all kept, from
        the kept network, and keep them (in place: values only become exact; routed columns
        are cached by school for copies of this region).

        Raises
        ------
        GeoInputError
            When the region was prepared without its road network.
        """
        cols = np.asarray(columns, np.int64)
        cols = cols[~self.pairs.complete[cols]] if len(cols) else cols
        if len(cols) == 0:
            return
        done = self._cache.setdefault(("exact",), {})
        sch = self.schools
        keys = [(sch["id"].iat[j], float(sch["x"].iat[j]), float(sch["y"].iat[j])) for j in cols]
        todo = [i for i, k in enumerate(keys) if k not in done]
        if todo:
            T, D = self._route_xy(np.array([keys[i][1] for i in todo]),
                                  np.array([keys[i][2] for i in todo]), what="schools")
            for n, i in enumerate(todo):
                done[keys[i]] = (T[:, n].copy(), D[:, n].copy())
        T = np.column_stack([done[k][0] for k in keys])
        D = np.column_stack([done[k][1] for k in keys])
        self.pairs = self.pairs.with_columns(cols, T, D)

    def pair_values(self, origin, school) -> tuple[np.ndarray, np.ndarray]:
        """Car time (s) and distance (m) of (origin, school) pairs that are kept.

        Raises
        ------
        ValueError
            When a pair is not kept and its column is not complete (its value is unknown).
        """
        kept, t, d = self.pairs.lookup(origin, school)
        unknown = ~kept & ~self.pairs.complete[np.asarray(school, np.int64)]
        if unknown.any():
            raise ValueError(f"Prepared.pair_values: {int(unknown.sum())} pair(s) not kept; "
                             "route their columns first (complete_columns)")
        return t, d

    # -- new schools -----------------------------------------------------------------------
    def with_schools(self, new: pd.DataFrame, serves: np.ndarray) -> Prepared:
        """A copy with extra candidate schools whose matrix columns are routed now.

        Parameters
        ----------
        new : pandas.DataFrame
            Columns as :attr:`schools`; ``x``, ``y`` in :attr:`crs` are required.
        serves : numpy.ndarray of bool, shape (len(new), 12)

        Returns
        -------
        Prepared
            Shares the origin arrays; the new columns are cached by position so repeated
            evaluations of a scenario route each new school once.
        """
        if len(new) == 0:
            return self
        T, D = self._route_points(new["x"].to_numpy(float), new["y"].to_numpy(float))
        new = new.copy()
        new["is_new"] = True
        schools = pd.concat([self.schools, new], ignore_index=True)
        pairs = self.pairs.with_columns(np.arange(self.n_schools, len(schools)), T, D)
        out = replace(
            self, schools=schools, serves=np.vstack([self.serves, serves]), time_s=None,
            dist_m=None, pairs=pairs,
            _cache={k: v for k, v in self._cache.items() if k[0] in ("pupils", "routed",
                                                                     "exact")},
        )
        out._origin_nodes = self._origin_nodes
        out.network = self.network
        return out

    def _network(self):
        if self.network is None and self.network_path:
            self.network = Network.load(self.network_path)
        return self.network

    def _route_points(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Columns of new school points (cached by position rounded to 0.1 m)."""
        routed = self._cache.setdefault(("routed",), {})
        keys = [(round(float(a), 1), round(float(b), 1)) for a, b in zip(x, y, strict=True)]
        todo = [k for k in dict.fromkeys(keys) if k not in routed]
        if todo:
            T, D = self._route_xy(np.array([k[0] for k in todo]), np.array([k[1] for k in todo]),
                                  what="new schools")
            for i, k in enumerate(todo):
                routed[k] = (T[:, i].copy(), D[:, i].copy())
        T = np.column_stack([routed[k][0] for k in keys])
        D = np.column_stack([routed[k][1] for k in keys])
        return T, D

    def _route_xy(self, x: np.ndarray, y: np.ndarray, *, what: str
                  ) -> tuple[np.ndarray, np.ndarray]:
        """Car time (s) and distance (m) from every origin to points (``crs``), as
        :func:`geo.network.access.travel_time_matrix` routes them."""
        net = self._network()
        if net is None:
            raise GeoInputError(Msg("err.prep.no_network", what=what),
                                fix=Msg("err.prep.no_network.fix"))
        pts = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=self.crs)
        fs = snap(net, pts, name=what)
        if not fs.ok.all():
            far = [f"({a:.0f}, {b:.0f})" for a, b, ok in zip(x, y, fs.ok, strict=True) if not ok]
            raise GeoInputError(
                Msg("err.prep.far_points", what=what, points=", ".join(far), crs=str(self.crs),
                    m=f"{settings.SNAP_MAX_DISTANCE_M:.0f}"),
                fix=Msg("err.prep.far_points.fix"),
            )
        onodes, oleg_t, oleg_d, ook = self._origin_legs(net)
        T, D = node_matrix(net, np.where(ook, onodes, 0), fs.node, with_distance=True,
                           block=_WHOLE_BLOCK)
        T = T + oleg_t[:, None] + fs.time_s[None, :]
        D = D + oleg_d[:, None] + fs.dist_m[None, :]
        T[~ook] = np.inf
        D[~ook] = np.inf
        return T, D

    def _origin_legs(self, net):
        if self._origin_nodes is None:
            pts = gpd.GeoSeries(gpd.points_from_xy(self.origin_x, self.origin_y), crs=self.crs)
            s = snap(net, pts, name="origins")
            self._origin_nodes = (s.node, s.time_s, s.dist_m, s.ok)
        return self._origin_nodes

    # -- persistence -----------------------------------------------------------------------
    def save(self, folder: str | Path, *, force: bool = False, run: dict | None = None) -> Path:
        """Save to a folder (``arrays.npz``, ``schools.parquet``, ``meta.json``), atomically,
        into a folder the tool owns (:func:`geo._files.owned_dir`: ``force``, ``run``).

        The travel times are the kept pairs (``pairs_*`` arrays, :class:`Pairs`); folders of
        the dense format (``time_s``, ``dist_m``) still load."""
        folder = Path(folder)
        with owned_dir(folder, force=force, run=run) as tmp:
            arrays = {
                "origin_ids": self.origin_ids.astype(str), "origin_x": self.origin_x,
                "origin_y": self.origin_y,
                "origin_municipality": self.origin_municipality.astype(str),
                "pupils": self.pupils, "serves": self.serves,
                **{f"pairs_{k}": getattr(self.pairs, k) for k in _PAIR_ARRAYS},
            }
            if self.growth_rate is not None:
                arrays["growth_rate"] = self.growth_rate
            if self.origin_snapped is not None:
                arrays["origin_snapped"] = self.origin_snapped
            np.savez_compressed(tmp / "arrays.npz", **arrays)
            self.schools.to_parquet(tmp / "schools.parquet", index=False)
            meta = {"crs": self.crs, "bands": list(self.bands), "base_year": int(self.base_year),
                    "region": self.region, "network_path": self.network_path,
                    "pairs": {"cutoff_s": self.pairs.cutoff_s, "k": self.pairs.k},
                    "meta": self.meta}
            (tmp / "meta.json").write_text(json.dumps(meta, indent=1, default=str), "utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> Prepared:
        """Load a folder written by :meth:`save`."""
        folder = Path(folder)
        if not (folder / "arrays.npz").is_file() or not (folder / "meta.json").is_file():
            raise GeoInputError(Msg("err.prep.not_prepared"), path=folder,
                                fix=Msg("err.prep.not_prepared.fix"))
        fix = Msg("err.prep.recreate.fix")
        with named_errors(folder, problem="the prepared region is corrupt or truncated",
                          fix=fix):
            meta = json.loads((folder / "meta.json").read_text("utf-8"))
            if not isinstance(meta, dict):
                raise GeoInputError(Msg("err.prep.meta_not_object"), path=folder, fix=fix)
            with np.load(folder / "arrays.npz", allow_pickle=False) as z:
                a = {k: z[k] for k in z.files}
            pairs = _loaded_pairs(a, meta)
            return cls(
                origin_ids=a["origin_ids"], origin_x=a["origin_x"], origin_y=a["origin_y"],
                crs=meta["crs"], origin_municipality=a["origin_municipality"],
                pupils=a["pupils"], bands=tuple(meta["bands"]),
                schools=pd.read_parquet(folder / "schools.parquet"),
                serves=a["serves"], time_s=None, dist_m=None, pairs=pairs,
                base_year=meta["base_year"], region=meta.get("region", ""),
                growth_rate=a.get("growth_rate"), origin_snapped=a.get("origin_snapped"),
                network_path=meta.get("network_path"), meta=meta.get("meta", {}),
            )


#: Arrays of :class:`Pairs` in ``arrays.npz`` (prefixed ``pairs_``).
_PAIR_ARRAYS = ("indptr", "school", "time_s", "dist_m", "floor_s", "floor_m", "complete")


def _loaded_pairs(a: dict, meta: dict) -> Pairs:
    """The pairs of a loaded folder; a dense folder (older format) keeps the pairs of the
    :class:`Pairs` rule when its network is there to route the others on demand, else every
    reachable pair."""
    if "pairs_indptr" in a:
        p = meta.get("pairs", {})
        n_s = len(a["pairs_complete"])
        return Pairs(n_schools=n_s, **{k: a[f"pairs_{k}"] for k in _PAIR_ARRAYS},
                     cutoff_s=float(p.get("cutoff_s", np.inf)), k=int(p.get("k", 0)))
    net = meta.get("network_path")
    if net and Path(net).is_dir():
        return Pairs.from_dense(a.pop("time_s"), a.pop("dist_m"),
                                cutoff_s=settings.PAIRS_CUTOFF_S, k=settings.PAIRS_K_NEAREST)
    return Pairs.from_dense(a.pop("time_s"), a.pop("dist_m"))


def _col(gdf, name, what, path):
    if name not in gdf.columns:
        raise GeoInputError(
            Msg("err.prep.no_column", what=what, name=repr(name),
                columns=str([c for c in gdf.columns if c != "geometry"])),
            path=path, fix=Msg("err.prep.no_column.fix", what=what))
    return gdf[name]


def prepare(  # noqa: PLR0913  keyword-only options of a public entry point
    net,
    origins,
    schools,
    *,
    base_year: int,
    origin_id: str = "id",
    pupil_columns: dict[str, str] | None = None,
    population: str | None = None,
    pupils_per_resident: dict[str, float] | None = None,
    municipality: str | None = "municipality",
    school_id: str = "id",
    school_grades: str | None = "grades",
    school_type: str | None = "type",
    school_capacity: str | None = "capacity",
    school_dormitory: str | None = "dormitory_places",
    school_municipality: str | None = "municipality",
    school_name: str | None = "name",
    bands: Sequence[str] | None = None,
    region: str = "",
    network_path: str | None = None,
    progress=None,
    scheduler="serial",
    n_workers: int | None = None,
) -> Prepared:
    """Route the origin x school matrix once and collect the arrays of a region.

    Parameters
    ----------
    net : geo.network.Network
    origins : GeoDataFrame
        Population cells or points (any CRS).
    schools : GeoDataFrame
        Schools (any CRS).
    base_year : int
        Year of the pupil counts.
    origin_id : str, default "id"
        Origin id column.
    pupil_columns : dict, optional
        Grade band -> column with pupils of that band.
    population : str, optional
        Population column, used with ``pupils_per_resident`` when ``pupil_columns`` is not
        given.
    pupils_per_resident : dict, default settings.PUPILS_PER_RESIDENT
    municipality : str or None, default "municipality"
        Origin municipality column (ignored when absent).
    school_id : str, default "id"
        Registration number (or other stable id) column.
    school_grades, school_type, school_capacity, school_dormitory, school_municipality, \
school_name : str or None
        School columns, each optional: grades as "1-9" (else from the type, else 1-12),
        capacity (pupils, default unlimited), dormitory places (default 0).
    bands : sequence of str, optional
        Default: all of :data:`geo.settings.GRADE_BANDS`.
    region : str
    network_path : str, optional
        Network cache folder, stored so that a reloaded :class:`Prepared` can route new
        schools.
    progress : callable(done, total), optional
    scheduler : str or dask.distributed.Client, default "serial"
        Where the blocks of schools are routed: ``serial``, ``local`` (a Dask
        ``LocalCluster``), ``tcp://HOST:PORT``, a client, or ``auto`` (``local`` for more
        than 64 schools); the result is the same (:mod:`geo.planning.distributed`).
    n_workers : int, optional
        Worker processes of a new ``LocalCluster`` (default: one per core).

    Returns
    -------
    Prepared
    """
    bands = tuple(bands or settings.GRADE_BANDS)
    osrc, ssrc = origins.attrs.get("source"), schools.attrs.get("source")
    oid = _col(origins, origin_id, "origins", osrc).astype(str).to_numpy()
    pupils = _origin_pupils(origins, bands, osrc, pupil_columns=pupil_columns,
                            population=population, pupils_per_resident=pupils_per_resident)
    muni = (origins[municipality].fillna("").astype(str).to_numpy()
            if municipality and municipality in origins.columns else np.full(len(oid), ""))
    sid = _col(schools, school_id, "schools", ssrc).astype(str)
    if not sid.is_unique:
        dup = sid[sid.duplicated()].unique()[:5]
        raise GeoInputError(Msg("err.prep.school_ids", ids=str(list(dup))), path=ssrc,
                            fix=Msg("err.prep.school_ids.fix"))
    serves = _school_grades(schools, sid, ssrc, grades=school_grades, type_=school_type)
    sx, sy = points_xy(schools, net.crs, name="schools")
    ox, oy = points_xy(origins, net.crs, name="origins")
    pairs, osnap, school_ok = _route_pairs(net, origins, schools, progress=progress,
                                           scheduler=scheduler, n_workers=n_workers,
                                           complete=_dormitory_schools(schools, school_dormitory))
    columns = {"name": school_name, "type": school_type, "capacity": school_capacity,
               "dormitory_places": school_dormitory, "municipality": school_municipality}
    table = _school_table(schools, sid, sx, sy, columns)
    prep = Prepared(
        origin_ids=oid, origin_x=ox, origin_y=oy, crs=net.crs, origin_municipality=muni,
        pupils=pupils, bands=bands, schools=table, serves=serves, time_s=None,
        dist_m=None, pairs=pairs, base_year=base_year, region=region,
        origin_snapped=osnap.ok, network=net, network_path=network_path,
        meta={"origins_source": osrc, "schools_source": ssrc,
              "unsnapped_schools": sid.to_numpy()[~school_ok].tolist()},
    )
    s = osnap
    prep._origin_nodes = (s.node, s.time_s, s.dist_m, s.ok)
    return prep


def _route_pairs(net, origins, schools, *, progress=None, cutoff_s: float = settings.PAIRS_CUTOFF_S,  # noqa: PLR0913  keyword-only options
                 block_pairs: int = settings.PREPARE_BLOCK_PAIRS, scheduler="serial",
                 n_workers: int | None = None, task_schools: int = 32,
                 complete: np.ndarray | None = None,
                 dask_min_schools: int = 64):
    """Route the origin x school pairs within ``cutoff_s`` of network time, a block of
    schools at a time, and keep them (:class:`Pairs`): peak memory and time follow the
    pairs kept, not origins x schools.

    Each school's search (reversed graph, :func:`geo.network.access.node_pairs`) stops at
    ``cutoff_s`` of network time; a column keeps the pairs whose network time + school leg is
    within ``cutoff_s``. So every kept pair takes at most the origin's off-network leg +
    ``cutoff_s`` (its floor), and every pair left out at least that, over a distance of at
    least the origin's leg + ``cutoff_s`` x the slowest arc speed (:func:`_floors`). The
    schools of ``complete`` (dormitories) are searched without a limit. Origins and schools
    are snapped once.

    The blocks are independent tasks (:func:`geo.planning.distributed.run_tasks`), serial or
    on Dask (the network and the origins' nodes sent once), collected in their order: the
    pairs do not depend on the scheduler.

    Parameters
    ----------
    progress : callable(done, total), optional
        Schools routed so far, of all.
    cutoff_s : float or None, default settings.PAIRS_CUTOFF_S
        Network time limit of the searches (seconds); None: every pair (all columns
        complete).
    block_pairs : int, default settings.PREPARE_BLOCK_PAIRS
        Origin x school pairs of one block at most (at least 32 schools).
    scheduler : str or dask.distributed.Client, default "serial"
        ``serial``, ``local``, ``tcp://HOST:PORT``, a client, or ``auto``: ``local`` when
        there are more than ``dask_min_schools`` schools (:mod:`geo.planning.distributed`).
    n_workers : int, optional
        Worker processes of a new ``LocalCluster`` (default: one per core).
    task_schools : int, default 32
        Schools of one block (task) at most.
    complete : numpy.ndarray of bool, optional
        Schools whose every reachable pair is kept (searched without a limit).
    dask_min_schools : int, default 64

    Returns
    -------
    pairs : Pairs
    origin_snap : geo.network.snap.Snap
    school_ok : numpy.ndarray of bool
        Schools snapped to the network (the others are unreachable).
    """
    n_o, n_s = len(origins), len(schools)
    fs = snap_facilities(net, schools)  # raises when no school is near the network
    osnap = snap(net, origins, name="origins")
    limit = np.inf if cutoff_s is None else float(cutoff_s)
    forced = np.zeros(n_s, bool) if complete is None else np.asarray(complete, bool)
    step = min(max(32, int(block_pairs) // max(n_o, 1)), max(1, int(task_schools)))
    blocks = _school_blocks(fs.ok, forced, limit, step)
    sched = resolve_scheduler(scheduler, big_enough=n_s > dask_min_schools and len(blocks) > 1)
    report = None if progress is None else (
        lambda done, total: progress(round(n_s * done / max(total, 1)), n_s))
    onodes = np.where(osnap.ok, osnap.node, 0)
    parts = []
    with dask_client(sched, n_workers=n_workers) as client:
        window = None if client is None else 2 * sum(client.nthreads().values()) + 2
        done = run_tasks(_route_block, [(fs.node[c], lim) for c, lim in blocks],
                         shared=(net, onodes), client=client, progress=report, window=window)
        for (cols, lim), (o, j, t, d) in zip(blocks, done, strict=True):
            # a bounded column keeps the pairs of network + school leg <= limit, so that every
            # kept pair is at most the origin's floor (leg + limit) and every other one at least
            keep = osnap.ok[o] & (t + fs.time_s[cols[j]] <= lim)
            o, s = o[keep], cols[j[keep]]
            # legs added in the order of travel_time_matrix: (network + origin) + school
            parts.append((o, s, (t[keep] + osnap.time_s[o]) + fs.time_s[s],
                          (d[keep] + osnap.dist_m[o]) + fs.dist_m[s]))
    rows, school, ts, ds = (np.concatenate([p[i] for p in parts]) if parts else np.zeros(0)
                            for i in range(4))
    kept = np.bincount(school.astype(np.int64), minlength=n_s)
    full = forced | ~fs.ok | (kept >= osnap.ok.sum()) | (not np.isfinite(limit))
    floor_s, floor_m = _floors(net, osnap, limit if not full.all() else np.inf)
    pairs = Pairs.from_triples(n_o, n_s, rows, school, ts, ds, floor_s=floor_s,
                               floor_m=floor_m, complete=full, cutoff_s=limit, k=0)
    return pairs, osnap, fs.ok


def _school_blocks(ok, forced, limit: float, step: int) -> list[tuple[np.ndarray, float]]:
    """Blocks of at most ``step`` snapped schools and their search limit: the ``forced``
    (searched whole) first, then the others (bounded at ``limit``)."""
    blocks = []
    for whole in (True, False):
        cols = np.flatnonzero(ok & (forced == whole))
        blocks += [(cols[i:i + step], np.inf if whole else limit)
                   for i in range(0, len(cols), step)]
    return blocks


def _floors(net, osnap, limit: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower bounds of the pairs a search bounded at ``limit`` (network seconds) left out, per
    origin: time >= leg + limit; distance >= leg + limit x the slowest speed of an arc or of
    the school's off-network leg (network time + school leg is more than ``limit`` seconds,
    each second covering at least that many metres). ``inf`` for origins off the network
    (unreachable) and when nothing is left out (``limit`` infinite)."""
    if not np.isfinite(limit):
        inf = np.full(len(osnap), np.inf)
        return inf, inf.copy()
    g, ln = net.graph.data, net.length.data
    moving = g > 0
    v_min = min(float(np.min(ln[moving] / g[moving])) if moving.any() else 0.0,
                settings.SNAP_SPEED_KMH / 3.6)
    floor_s = np.where(osnap.ok, osnap.time_s + limit, np.inf)
    floor_m = np.where(osnap.ok, osnap.dist_m + limit * max(v_min, 0.0), np.inf)
    return floor_s, floor_m


def _dormitory_schools(schools, column: str | None) -> np.ndarray:
    """Schools with dormitory places: their every pair is kept, since a weekly trip to a far
    dormitory (threshold + one-way time / school days) can beat a long daily trip, however
    far it is."""
    if not column or column not in schools.columns:
        return np.zeros(len(schools), bool)
    return pd.to_numeric(schools[column], errors="coerce").fillna(0).to_numpy(float) > 0


#: Unbounded searches per block (each holds time, predecessor and distance arrays of every
#: node: about 60 bytes x nodes, 34 MB at country scale).
_WHOLE_BLOCK = 8


def _route_block(net, origin_nodes, part) -> tuple[np.ndarray, ...]:
    """One routing task: the (origin, school) node pairs of the schools' nodes within the
    block's network time limit (``part`` = (school nodes, limit s)): origin and school
    positions, network time (s) and distance (m) (:func:`geo.network.access.node_pairs`)."""
    nodes, limit = part
    # an unbounded search fills arrays of every node: fewer at a time bound the memory
    return node_pairs(net, origin_nodes, nodes, limit_s=limit,
                      block=32 if np.isfinite(limit) else _WHOLE_BLOCK)


def _origin_pupils(origins, bands, osrc, *, pupil_columns, population,
                   pupils_per_resident) -> np.ndarray:
    """Pupils per origin and band: from the pupil columns, else population x rate."""
    if pupil_columns:
        return np.column_stack([
            pd.to_numeric(_col(origins, pupil_columns[b], "origins", osrc), errors="coerce")
            .fillna(0).to_numpy(float) for b in bands
        ])
    if population:
        rate = pupils_per_resident or settings.PUPILS_PER_RESIDENT
        pop = pd.to_numeric(_col(origins, population, "origins", osrc), errors="coerce")
        return np.outer(pop.fillna(0).to_numpy(float), [rate[b] for b in bands])
    raise GeoInputError(Msg("err.prep.no_pupils"), path=osrc,
                        fix=Msg("err.prep.no_pupils.fix"))


def _school_grades(schools, sid, ssrc, *, grades, type_) -> np.ndarray:
    """Grades each school serves: its grades column, else its type, else 1-12."""
    serves = np.zeros((len(schools), N_GRADES), bool)
    for i in range(len(schools)):
        g = None
        if grades and grades in schools.columns:
            g = schools[grades].iloc[i]
        if (g is None or (isinstance(g, float) and np.isnan(g))) and type_ \
                and type_ in schools.columns:
            g = schools[type_].iloc[i]
        try:
            serves[i] = grades_mask(parse_grades(g if g is not None and g == g else "1-12"))
        except ValueError as exc:
            raise GeoInputError(Msg("err.prep.school_grades", school=str(sid.iloc[i]),
                                    detail=str(exc)), path=ssrc) from None
    return serves


def _school_table(schools, sid, sx, sy, columns: dict) -> pd.DataFrame:
    """The prepared schools table: id, name, type, capacity (default unlimited), dormitory
    places (default 0), municipality, coordinates, annual cost when given."""

    def text(key):
        name = columns[key]
        if name and name in schools.columns:
            return schools[name].fillna("").astype(str).to_numpy()
        return ""

    def number(key, default):
        name = columns[key]
        if name and name in schools.columns:
            return pd.to_numeric(schools[name], errors="coerce").fillna(default).to_numpy(float)
        return np.full(len(schools), default)

    table = pd.DataFrame({
        "id": sid.to_numpy(), "name": text("name"), "type": text("type"),
        "capacity": number("capacity", np.inf),
        "dormitory_places": number("dormitory_places", 0.0),
        "municipality": text("municipality"), "x": sx, "y": sy,
    })
    if "annual_cost_eur" in schools.columns:
        table["annual_cost_eur"] = pd.to_numeric(schools["annual_cost_eur"], errors="coerce")
    return table


# ------------------------------------------------------------------------------------------
# From a region bundle
# ------------------------------------------------------------------------------------------
#: Defaults of :func:`prepare_bundle` (see :mod:`geo.settings`).
EXCLUDED_SCHOOL_TYPES = settings.EXCLUDED_SCHOOL_TYPES
CAPACITY_FROM_PUPILS = settings.CAPACITY_FROM_PUPILS


def prepare_bundle(bundle, *, year: int | None = None, progress=None,  # noqa: PLR0913  keyword-only options
                   excluded_types: Sequence[str] = EXCLUDED_SCHOOL_TYPES,
                   capacity_from_pupils: float = CAPACITY_FROM_PUPILS, scheduler="serial",
                   n_workers: int | None = None) -> Prepared:
    """Prepare a region bundle (:func:`geo.region.load_bundle`) for scenario evaluation.

    Origins are the census cells of layer ``pupils_<year>`` (pupils per grade, cell centre),
    schools the located schools (registration number ``school_id``; special, evening and
    distance schools left out), with dormitory places summed from layer ``dormitories``. The
    capacity is the ``capacity`` column when present, else the current pupils x
    ``capacity_from_pupils`` (recorded in ``meta``). The growth rates come from the layers
    ``population_<year>`` (:func:`geo.planning.projection.cell_trend`).

    Parameters
    ----------
    bundle : geo.region.Bundle or path
    year : int, optional
        Base year (default: the latest ``pupils_<year>`` layer).
    progress : callable(done, total), optional
    excluded_types : sequence of str
    capacity_from_pupils : float
    scheduler : str or dask.distributed.Client, default "serial"
    n_workers : int, optional
        Where the schools are routed (:func:`prepare`).

    Returns
    -------
    Prepared
    """
    b = bundle if hasattr(bundle, "layers") else load_bundle(bundle)
    years = sorted(int(n.split("_")[1]) for n in b.layers if re.fullmatch(r"pupils_\d{4}", n))
    if not years:
        raise GeoInputError(Msg("err.prep.no_pupils_layer"), path=b.path,
                            fix=Msg("err.prep.rebuild.fix"))
    year = year or years[-1]
    if f"pupils_{year}" not in b.layers:
        raise GeoInputError(Msg("err.prep.no_pupils_year", year=year, years=str(years)),
                            path=b.path)
    if b.network_dir is None:
        raise GeoInputError(Msg("err.prep.bundle_no_roads"), path=b.path,
                            fix=Msg("err.prep.bundle_no_roads.fix"))
    net = Network.load(b.network_dir)
    cells = b[f"pupils_{year}"].copy()
    cells["geometry"] = cells.geometry.centroid
    pcols = {}
    for band, grades in settings.GRADE_BANDS.items():
        cells[f"pupils_{band}"] = cells[[f"g{g}" for g in grades]].sum(axis=1)
        pcols[band] = f"pupils_{band}"
    sch = b["schools"]
    sch = sch[sch.geometry.notna() & ~sch.geometry.is_empty]
    if "school_type" in sch.columns:
        sch = sch[~sch["school_type"].isin(list(excluded_types))]
    sch = gpd.GeoDataFrame(sch.copy(), geometry="geometry", crs=b["schools"].crs)
    if "capacity" not in sch.columns:
        sch["capacity"] = np.ceil(sch["pupils_1_12"].astype(float) * capacity_from_pupils)
        cap_note = f"pupils_1_12 x {capacity_from_pupils}"
    else:
        cap_note = "capacity column"
    if "dormitories" in b.layers:
        d = b["dormitories"].groupby(b["dormitories"]["school_id"].astype(str))["places"].sum()
        table = sch["dormitory_places"] if "dormitory_places" in sch.columns else None
        sch["dormitory_places"] = sch["school_id"].astype(str).map(d).fillna(
            table if table is not None else 0.0).fillna(0.0)
    sch["grades"] = sch["grades_served"] if "grades_served" in sch.columns else None
    prep = prepare(
        net, cells, sch, base_year=year, origin_id="cell_id", pupil_columns=pcols,
        municipality="municipality", school_id="school_id", school_type="school_type",
        region=str(b.manifest.get("region", "")), network_path=str(b.network_dir),
        progress=progress, scheduler=scheduler, n_workers=n_workers,
    )
    prep.meta["capacity"] = cap_note
    pops = [n for n in b.layers if re.fullmatch(r"population_\d{4}", n)]
    if len(pops) >= 2:
        parts = []
        for n in pops:
            df = b[n]
            if "municipality" not in df.columns:
                continue
            parts.append(pd.DataFrame({"cell_id": df["cell_id"].to_numpy(),
                                       "year": int(n.split("_")[1]),
                                       "T": pd.to_numeric(df["T"], errors="coerce"),
                                       "municipality": df["municipality"].to_numpy()}))
        if len(parts) >= 2:
            attach_growth(prep, pd.concat(parts, ignore_index=True))
    prep.meta.update(origin_flags(b, prep.origin_ids))  # broadband class, border band
    return prep
