"""Scenario files: changes to the school network, validated, applied and evaluated.

A scenario is a YAML file (schema in README.md, section "Scenario files")::

    name: Close two small schools
    region: demo
    year: 2027
    transport: {mode: bus, bus_detour_factor: 1.4, bus_stop_wait_min: 5,
                walk_max_distance_m: 2000}
    thresholds_min: {"1-6": 30, "7-9": 45, "10-12": 60}
    costs: {cost_per_pupil_km_eur: 0.12, school_days_per_year: 170,
            dormitory_place_cost_eur: 2500}
    changes:
      - close: ["9900000012", "9900000017"]
      - merge: {school: "9900000021", into: "9900000003"}
      - set_grades: {school: "9900000030", grades: "1-6"}       # or a type: sākumskola
      - set_capacity: {school: "9900000003", capacity: 450}
      - open: {id: NEW-1, name: New school, lon: 25.9, lat: 57.2, grades: "1-9",
               capacity: 300, dormitory_places: 20}
      - dormitory: {school: "9900000003", add: 30}              # add | remove | set

Loading (:func:`load_scenario`) checks the file on its own: keys, types, values; every error
names the file, the line and the fix. Applying it to a region (:func:`apply_scenario`) checks
the school ids against the region (unknown ids get the closest matches) and the order of the
changes (a merge into a school closed by an earlier change is an error). Evaluation
(:func:`evaluate`) is a pure function of the prepared region and the scenario: it touches only
numpy arrays (:mod:`geo.planning.assign`, :mod:`geo.planning.indicators`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from pyproj import Transformer

from geo import settings
from geo._files import atomic_file
from geo._yaml import load_yaml
from geo.errors import GeoInputError, Msg
from geo.grades import N_GRADES, format_grades, grades_mask, parse_grades
from geo.planning.prepared import Prepared
from geo.planning.transport import TransportParams

CHANGE_KINDS = ("close", "merge", "set_grades", "set_capacity", "open", "dormitory")


TOP_KEYS = ("name", "description", "region", "year", "transport", "thresholds_min", "costs",
            "changes")


TRANSPORT_KEYS = ("mode", "bus_detour_factor", "bus_stop_wait_min", "walk_max_distance_m",
                  "walk_speed_kmh")


COST_KEYS = ("cost_per_pupil_km_eur", "school_days_per_year", "dormitory_place_cost_eur")


CHANGE_KEYS = {
    "merge": ("school", "into", "capacity"),
    "set_grades": ("school", "grades", "type"),
    "set_capacity": ("school", "capacity"),
    "open": ("id", "name", "lon", "lat", "x", "y", "grades", "type", "capacity",
             "dormitory_places", "municipality"),
    "dormitory": ("school", "add", "remove", "set"),
}


# ------------------------------------------------------------------------------------------
# The scenario
# ------------------------------------------------------------------------------------------
@dataclass
class Change:
    """One change of a scenario: ``kind`` in :data:`CHANGE_KINDS`, its parameters, and where
    it was written (line number in the file, position in the list)."""

    kind: str
    params: dict
    index: int
    line: int | None = None

    def where(self) -> str:
        """Where the change was written: ``line N: changes[i] (kind)``."""
        at = f"line {self.line}: " if self.line else ""
        return f"{at}changes[{self.index}] ({self.kind})"

    def where_msg(self) -> Msg:
        """:meth:`where` in every language."""
        at = Msg("err.at_line", line=self.line) if self.line else ""
        return Msg("err.scenario.change", at=at, index=self.index, kind=self.kind)


@dataclass
class Scenario:
    """A validated scenario.

    Attributes
    ----------
    name, description, region : str
    year : int or None
        Year of the pupils (None: the region's base year).
    transport : TransportParams
    thresholds_min : dict
        Grade band -> maximum acceptable one-way daily trip (minutes).
    cost_per_pupil_km_eur, school_days_per_year, dormitory_place_cost_eur : float
    changes : list of Change
    source : str or None
        The file it was read from.
    """

    name: str = "scenario"
    description: str = ""
    region: str = ""
    year: int | None = None
    transport: TransportParams = field(default_factory=TransportParams)
    thresholds_min: dict = field(default_factory=lambda: dict(settings.THRESHOLD_MIN))
    cost_per_pupil_km_eur: float = settings.COST_PER_PUPIL_KM_EUR
    school_days_per_year: float = settings.SCHOOL_DAYS_PER_YEAR
    dormitory_place_cost_eur: float = settings.DORMITORY_PLACE_COST_EUR
    changes: list[Change] = field(default_factory=list)
    source: str | None = None

    def err(self, message: str | Msg, change: Change | None = None,
            fix: str | Msg | None = None):
        """A :class:`GeoInputError` naming the file and the change."""
        if change is not None:
            message = Msg("err.scenario.in_change", where=change.where_msg(), message=message)
        return GeoInputError(message, path=self.source, fix=fix)

    def to_dict(self) -> dict:
        """Plain data for YAML (only values that differ from the defaults are kept)."""
        d: dict = {"name": self.name}
        if self.description:
            d["description"] = self.description
        if self.region:
            d["region"] = self.region
        if self.year is not None:
            d["year"] = int(self.year)
        base = TransportParams()
        tr = {k: getattr(self.transport, k) for k in TRANSPORT_KEYS
              if getattr(self.transport, k) != getattr(base, k)}
        if tr:
            d["transport"] = tr
        if self.thresholds_min != settings.THRESHOLD_MIN:
            d["thresholds_min"] = dict(self.thresholds_min)
        costs = {k: getattr(self, k) for k in COST_KEYS
                 if getattr(self, k) != getattr(Scenario, k, None)}
        if costs:
            d["costs"] = costs
        d["changes"] = [
            {c.kind: (c.params["schools"] if c.kind == "close" else dict(c.params))}
            for c in self.changes
        ]
        return d


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file.

    Parameters
    ----------
    path : str or Path
        YAML file.

    Returns
    -------
    Scenario

    Raises
    ------
    GeoInputError
        Missing, unreadable, too large (``settings.YAML_MAX_BYTES``), binary or non-UTF-8
        file, YAML syntax errors, duplicate keys, alias bombs and deep nesting (see
        :mod:`geo._yaml`), unknown keys (with the closest valid key), values of the wrong type
        or out of range; the message names the file and line.
    """
    path = Path(path)
    if not path.is_file():
        raise GeoInputError(Msg("err.scenario.not_found"), path=path,
                            fix=Msg("err.scenario.not_found.fix"))
    doc = load_yaml(path, kind="scenario", fix=Msg("err.scenario.yaml.fix"))
    return scenario_from_dict(doc.data, source=str(path), lines=doc.lines)


def _close(word, options) -> Msg | str:
    m = difflib.get_close_matches(str(word), [str(o) for o in options], n=3, cutoff=0.5)
    return Msg("err.did_you_mean", options=", ".join(repr(x) for x in m)) if m else ""


class _Checker:
    """Raises :class:`GeoInputError` naming the file, the line and the key of a scenario value.

    Parameters
    ----------
    source : str or None
        The scenario file (for messages).
    lines : dict
        Key path (tuple) -> line number in the file.
    """

    def __init__(self, source: str | None, lines: dict):
        self.source = source
        self.lines = lines

    def fail(self, msg, path=(), fix=None):
        """Raise the error for the value at key path ``path``."""
        ln = None
        p = tuple(path)
        while p and ln is None:
            ln = self.lines.get(p)
            p = p[:-1]
        at = Msg("err.at_line", line=ln) if ln else ""
        key = ".".join(str(x) if not isinstance(x, int) else f"[{x}]" for x in path)
        key = key.replace(".[", "[")
        raise GeoInputError(Msg("err.scenario.field", at=at, field=f"{key}: " if key else "",
                                message=msg), path=self.source, fix=fix)

    def number(self, v, path, *, lo=0.0, hi=np.inf, integer=False, allow_inf=False) -> float:
        """``v`` as a float in ``[lo, hi]`` ("inf"/"unlimited" allowed with ``allow_inf``)."""
        if isinstance(v, str) and allow_inf and v.strip().lower() in ("inf", "unlimited"):
            return np.inf
        if isinstance(v, bool) or not isinstance(v, int | float):
            self.fail(Msg("err.scenario.not_number", value=repr(v)), path)
        if not (lo <= v <= hi) or (np.isinf(v) and not allow_inf):
            self.fail(Msg("err.scenario.range", lo=f"{lo:g}", hi=f"{hi:g}", value=repr(v)), path)
        if integer and float(v) != int(v):
            self.fail(Msg("err.scenario.not_whole", value=repr(v)), path)
        return float(v)

    def mapping(self, v, path, msg) -> dict:
        """``v`` (None: empty) when it is a mapping."""
        v = v or {}
        if not isinstance(v, dict):
            self.fail(msg, path)
        return v

    def known_keys(self, d: dict, allowed, path, fix) -> None:
        """Fail on the first key of ``d`` not in ``allowed`` (with the closest valid key)."""
        for k in d:
            if k not in allowed:
                self.fail(Msg("err.scenario.unknown_key", key=repr(k), hint=_close(k, allowed)),
                          (*path, k), fix=fix)

    def need(self, prm: dict, key: str, kind: str, pk):
        """The value of a required key of a change."""
        if prm.get(key) is None:
            self.fail(Msg("err.scenario.needs", kind=kind, key=key), pk)
        return prm[key]

    def school_id(self, prm: dict, key: str, kind: str, pk) -> str:
        """A required school id of a change, as text."""
        return _sid(_check_id(self.need(prm, key, kind, pk), (*pk, key), self.fail))


def scenario_from_dict(data, *, source: str | None = None, lines: dict | None = None) -> Scenario:
    """Build and check a :class:`Scenario` from plain data (see :func:`load_scenario`)."""
    ck = _Checker(source, lines or {})
    if data is None:
        data = {}
    if not isinstance(data, dict):
        ck.fail(Msg("err.scenario.not_mapping"))
    ck.known_keys(data, TOP_KEYS, (), fix=_use_only(TOP_KEYS))
    sc = Scenario(source=source)
    sc.name = str(data.get("name") or (Path(source).stem if source else "scenario"))
    sc.description = str(data.get("description") or "")
    sc.region = str(data.get("region") or "")
    sc.year = _check_year(ck, data.get("year"))
    sc.transport = _check_transport(ck, data.get("transport"))
    sc.thresholds_min = _check_thresholds(ck, data.get("thresholds_min"))
    for k, v in _check_costs(ck, data.get("costs")).items():
        setattr(sc, k, v)
    sc.changes = _check_changes(ck, data.get("changes"))
    return sc


def _check_year(ck: _Checker, y) -> int | None:
    if y is None:
        return None
    if isinstance(y, bool) or not isinstance(y, int) or not 1990 <= y <= 2100:
        ck.fail(Msg("err.scenario.year", value=repr(y)), ("year",))
    return int(y)


def _use_only(keys) -> Msg:
    return Msg("err.scenario.use_only", keys=", ".join(keys))


#: Upper bounds of the numeric transport keys.
_TRANSPORT_MAX = {"bus_detour_factor": 10, "bus_stop_wait_min": 120,
                  "walk_max_distance_m": 20000, "walk_speed_kmh": 20}


def _check_transport(ck: _Checker, tr) -> TransportParams:
    tr = ck.mapping(tr, ("transport",), Msg("err.scenario.transport_mapping"))
    kw = {}
    for k, v in tr.items():
        path = ("transport", k)
        ck.known_keys({k: v}, TRANSPORT_KEYS, ("transport",), fix=_use_only(TRANSPORT_KEYS))
        if k == "mode":
            if v not in ("bus", "car"):
                ck.fail(Msg("err.scenario.mode", value=repr(v)), path,
                        fix=Msg("err.scenario.mode.fix"))
            kw[k] = v
            continue
        lo = 1.0 if k == "bus_detour_factor" else 0.0
        kw[k] = ck.number(v, path, lo=lo, hi=_TRANSPORT_MAX[k])
        if k == "walk_speed_kmh" and kw[k] <= 0:
            ck.fail(Msg("err.scenario.above_zero"), path)
    return TransportParams(**kw)


def _check_thresholds(ck: _Checker, thr) -> dict:
    thr = ck.mapping(thr, ("thresholds_min",), Msg("err.scenario.thresholds_mapping"))
    out = dict(settings.THRESHOLD_MIN)
    for k, v in thr.items():
        if str(k) not in settings.GRADE_BANDS:
            ck.fail(Msg("err.scenario.unknown_band", band=repr(k),
                        hint=_close(k, settings.GRADE_BANDS)), ("thresholds_min", k),
                    fix=Msg("err.scenario.unknown_band.fix",
                            bands=", ".join(settings.GRADE_BANDS)))
        out[str(k)] = ck.number(v, ("thresholds_min", k), lo=1, hi=600)
    return out


def _check_costs(ck: _Checker, costs) -> dict:
    costs = ck.mapping(costs, ("costs",), Msg("err.scenario.mapping"))
    out = {}
    for k, v in costs.items():
        ck.known_keys({k: v}, COST_KEYS, ("costs",), fix=_use_only(COST_KEYS))
        out[k] = ck.number(v, ("costs", k), hi=1e9)
    return out


def _check_changes(ck: _Checker, changes) -> list[Change]:
    changes = changes or []
    if not isinstance(changes, list):
        ck.fail(Msg("err.scenario.changes_list"), ("changes",))
    return [_check_change(ck, i, ch) for i, ch in enumerate(changes)]


def _check_change(ck: _Checker, i: int, ch) -> Change:
    """One entry of ``changes:``, checked by the validator of its kind."""
    p = ("changes", i)
    if not isinstance(ch, dict) or len(ch) != 1:
        ck.fail(Msg("err.scenario.change_shape", value=repr(ch)), p)
    kind, val = next(iter(ch.items()))
    if kind not in CHANGE_KINDS:
        ck.fail(Msg("err.scenario.unknown_change", kind=repr(kind),
                    hint=_close(kind, CHANGE_KINDS)), (*p, kind),
                fix=Msg("err.scenario.unknown_change.fix", kinds=", ".join(CHANGE_KINDS)))
    pk = (*p, kind)
    line = ck.lines.get(pk) or ck.lines.get(p)
    if kind == "close":
        return Change("close", _check_close(ck, val, pk), i, line)
    if not isinstance(val, dict):
        ck.fail(Msg("err.scenario.needs_keys", keys=", ".join(CHANGE_KEYS[kind]),
                    value=repr(val)), pk)
    ck.known_keys(val, CHANGE_KEYS[kind], pk,
                  fix=Msg("err.scenario.takes", kind=kind, keys=", ".join(CHANGE_KEYS[kind])))
    prm = _CHANGE_CHECKS[kind](ck, dict(val), pk)
    return Change(kind, prm, i, line)


def _check_close(ck: _Checker, val, pk) -> dict:
    ids = val if isinstance(val, list) else [val]
    if not ids:
        ck.fail(Msg("err.scenario.no_school"), pk)
    for v in ids:
        _check_id(v, pk, ck.fail)
    return {"schools": [_sid(v) for v in ids]}


def _check_merge(ck: _Checker, prm: dict, pk) -> dict:
    prm["school"] = ck.school_id(prm, "school", "merge", pk)
    prm["into"] = ck.school_id(prm, "into", "merge", pk)
    if prm["into"] == prm["school"]:
        ck.fail(Msg("err.scenario.merge_itself"), pk)
    if prm.get("capacity") is not None:
        prm["capacity"] = ck.number(prm["capacity"], (*pk, "capacity"), allow_inf=True)
    return prm


def _parsed_grades(ck: _Checker, prm: dict, pk) -> list[int]:
    """``grades:`` or ``type:`` of a change as a list of grades."""
    key = "grades" if "grades" in prm else "type"
    try:
        return list(parse_grades(prm.get("grades", prm.get("type"))))
    except ValueError as exc:
        ck.fail(Msg("err.scenario.grades", detail=str(exc)), (*pk, key))


def _check_set_grades(ck: _Checker, prm: dict, pk) -> dict:
    prm["school"] = ck.school_id(prm, "school", "set_grades", pk)
    if (prm.get("grades") is None) == (prm.get("type") is None):
        ck.fail(Msg("err.scenario.grades_or_type"), pk)
    prm["grades"] = _parsed_grades(ck, prm, pk)
    return prm


def _check_set_capacity(ck: _Checker, prm: dict, pk) -> dict:
    prm["school"] = ck.school_id(prm, "school", "set_capacity", pk)
    prm["capacity"] = ck.number(ck.need(prm, "capacity", "set_capacity", pk),
                                (*pk, "capacity"), allow_inf=True)
    return prm


def _check_open(ck: _Checker, prm: dict, pk) -> dict:
    if prm.get("grades", prm.get("type")) is None:
        ck.fail(Msg("err.scenario.open_grades"), pk)
    prm["grades"] = _parsed_grades(ck, prm, pk)
    prm["id"] = ck.school_id(prm, "id", "open", pk)
    has_ll = prm.get("lon") is not None or prm.get("lat") is not None
    has_xy = prm.get("x") is not None or prm.get("y") is not None
    if has_ll == has_xy:
        ck.fail(Msg("err.scenario.location"), pk)
    bounds = ({"lon": (-180, 180), "lat": (-90, 90)} if has_ll
              else {"x": (-1e7, 1e8), "y": (-1e7, 1e8)})
    for key, (lo, hi) in bounds.items():
        prm[key] = ck.number(ck.need(prm, key, "open", pk), (*pk, key), lo=lo, hi=hi)
    prm["capacity"] = ck.number(prm.get("capacity", np.inf), (*pk, "capacity"),
                                allow_inf=True)
    prm["dormitory_places"] = ck.number(prm.get("dormitory_places", 0),
                                        (*pk, "dormitory_places"), integer=True)
    prm["name"] = str(prm.get("name") or prm["id"])
    return prm


def _check_dormitory(ck: _Checker, prm: dict, pk) -> dict:
    prm["school"] = ck.school_id(prm, "school", "dormitory", pk)
    ops = [k for k in ("add", "remove", "set") if prm.get(k) is not None]
    if len(ops) != 1:
        ck.fail(Msg("err.scenario.dormitory_op"), pk)
    prm[ops[0]] = ck.number(prm[ops[0]], (*pk, ops[0]), integer=True, hi=1e5)
    return prm


#: One validator per change kind (``close`` is checked before the mapping checks).
_CHANGE_CHECKS = {"merge": _check_merge, "set_grades": _check_set_grades,
                  "set_capacity": _check_set_capacity, "open": _check_open,
                  "dormitory": _check_dormitory}


def _check_id(v, path, fail):
    if v is None or isinstance(v, bool | float | dict | list) or str(v).strip() == "":
        fail(Msg("err.scenario.bad_id", value=repr(v)), path, fix=Msg("err.scenario.bad_id.fix"))
    return v


def _sid(v) -> str:
    return str(v).strip()


def save_scenario(scenario: Scenario, path: str | Path) -> Path:
    """Write a scenario as YAML, atomically (temporary file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(_plain(scenario.to_dict()), allow_unicode=True, sort_keys=False,
                          width=100)

    with atomic_file(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def _plain(v):
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        if np.isinf(v):
            return "unlimited"
        return int(v) if v == int(v) else v
    return v


# ------------------------------------------------------------------------------------------
# Applying a scenario to a region
# ------------------------------------------------------------------------------------------
@dataclass
class SchoolState:
    """The school network after a scenario's changes (arrays over the candidate schools).

    Attributes
    ----------
    open : numpy.ndarray of bool
    serves : numpy.ndarray of bool, shape (n_s, 12)
    capacity, dormitory_places : numpy.ndarray of float64
    merged_into : numpy.ndarray of object
        Id of the school a closed school was merged into (None otherwise).
    log : list of str
        One line per applied change.
    """

    open: np.ndarray
    serves: np.ndarray
    capacity: np.ndarray
    dormitory_places: np.ndarray
    merged_into: np.ndarray
    log: list[str] = field(default_factory=list)

    def table(self, prep: Prepared) -> pd.DataFrame:
        """Schools with their state after the changes."""
        df = prep.schools[["id", "name", "type", "municipality", "x", "y", "is_new"]].copy()
        df["open"] = self.open
        df["grades"] = [format_grades(r) for r in self.serves]
        df["capacity"] = self.capacity
        df["dormitory_places"] = self.dormitory_places
        df["merged_into"] = self.merged_into
        return df


def apply_scenario(prep: Prepared, scenario: Scenario) -> tuple[Prepared, SchoolState]:
    """Apply the changes in order to the region's schools.

    New schools get their matrix columns routed on the region's network (once; cached).

    Returns
    -------
    Prepared
        ``prep`` itself, or a copy with the new schools' columns.
    SchoolState

    Raises
    ------
    GeoInputError
        Unknown school ids (with the closest matches), changes to a school closed by an
        earlier change, a merge into a closed school, a new school whose id exists or whose
        point is far from the network, a scenario of another region.
    """
    _check_region(prep, scenario)
    new = [c for c in scenario.changes if c.kind == "open"]
    if new:
        prep = _with_new(prep, scenario, new)
    ap = _Applier(prep, scenario)
    for ch in scenario.changes:
        getattr(ap, ch.kind)(ch, ch.params)
    st = ap.st
    # dormitory places never exceed the capacity of their school
    st.dormitory_places = np.minimum(st.dormitory_places, st.capacity)
    return prep, st


def _check_region(prep: Prepared, scenario: Scenario) -> None:
    """The scenario is of the prepared region and has a threshold for each of its bands."""
    if scenario.region and prep.region and scenario.region != prep.region:
        raise scenario.err(Msg("err.scenario.region", scenario_region=repr(scenario.region),
                               prep_region=repr(prep.region)),
                           fix=Msg("err.scenario.region.fix"))
    unknown_bands = [b for b in prep.bands if b not in scenario.thresholds_min]
    if unknown_bands:
        raise scenario.err(Msg("err.scenario.no_threshold", bands=str(unknown_bands)),
                           fix=Msg("err.scenario.no_threshold.fix"))


class _Applier:
    """Applies changes to a :class:`SchoolState`, one method per change kind (the method
    names are the kinds of :data:`CHANGE_KINDS`)."""

    def __init__(self, prep: Prepared, scenario: Scenario):
        n = prep.n_schools
        self.scenario = scenario
        self.idx = prep.school_index()
        self.names = prep.schools["name"].to_numpy()
        self.closed_by: dict[int, Change] = {}
        self.st = SchoolState(
            open=~prep.schools["is_new"].to_numpy(bool),
            serves=prep.serves.copy(),
            capacity=prep.schools["capacity"].to_numpy(float).copy(),
            dormitory_places=prep.schools["dormitory_places"].to_numpy(float).copy(),
            merged_into=np.full(n, None, object),
        )

    def pos(self, sid, change, *, must_be_open=True, role="school") -> int:
        """Index of school ``sid`` (an error names close matches, or the closing change)."""
        idx, names = self.idx, self.names
        j = idx.get(sid)
        if j is None:
            matches = difflib.get_close_matches(sid, list(idx), n=5, cutoff=0.6)
            hint = (Msg("err.scenario.close_matches",
                        matches=", ".join(f"{m} ({names[idx[m]]})" for m in matches))
                    if matches else "")
            raise self.scenario.err(
                Msg("err.scenario.unknown_school", sid=repr(sid),
                    role=Msg(f"err.scenario.role.{role.replace(' ', '_')}"), hint=hint),
                change, fix=Msg("err.scenario.unknown_school.fix"))
        if must_be_open and not self.st.open[j]:
            raise self.scenario.err(
                Msg("err.scenario.already_closed", sid=sid, name=names[j],
                    why=_closed_by(self.closed_by.get(j))),
                change, fix=Msg("err.scenario.already_closed.fix"))
        return j

    def close(self, ch: Change, p: dict) -> None:
        for sid in p["schools"]:
            j = self.pos(sid, ch)
            self.st.open[j] = False
            self.closed_by[j] = ch
        self.st.log.append(f"closed {', '.join(p['schools'])}")

    def merge(self, ch: Change, p: dict) -> None:
        st, idx = self.st, self.idx
        a = self.pos(p["school"], ch, role="merged school")
        if p["into"] in idx and not st.open[idx[p["into"]]]:
            b = idx[p["into"]]
            by = self.closed_by.get(b)
            raise self.scenario.err(
                Msg("err.scenario.merge_closed", school=p["school"], into=p["into"],
                    name=self.names[b], why=_closed_by(by)),
                ch, fix=Msg("err.scenario.merge_closed.fix"))
        b = self.pos(p["into"], ch, role="school merged into")
        st.open[a] = False
        self.closed_by[a] = ch
        st.merged_into[a] = p["into"]
        st.serves[b] |= st.serves[a]
        st.capacity[b] = (p["capacity"] if p.get("capacity") is not None
                          else st.capacity[b] + st.capacity[a])
        st.log.append(f"merged {p['school']} into {p['into']}")

    def set_grades(self, ch: Change, p: dict) -> None:
        j = self.pos(p["school"], ch)
        self.st.serves[j] = grades_mask(p["grades"])
        self.st.log.append(f"{p['school']} serves grades {format_grades(p['grades'])}")

    def set_capacity(self, ch: Change, p: dict) -> None:
        j = self.pos(p["school"], ch)
        self.st.capacity[j] = p["capacity"]
        self.st.log.append(f"{p['school']} capacity {p['capacity']:g}")

    def open(self, ch: Change, p: dict) -> None:
        j = self.idx[p["id"]]
        self.st.open[j] = True
        self.st.log.append(f"opened {p['id']} ({p['name']})")

    def dormitory(self, ch: Change, p: dict) -> None:
        st = self.st
        j = self.pos(p["school"], ch)
        if "add" in p:
            st.dormitory_places[j] += p["add"]
        elif "remove" in p:
            if p["remove"] > st.dormitory_places[j]:
                has = f"{st.dormitory_places[j]:g}"
                raise self.scenario.err(
                    Msg("err.scenario.dorm_remove", n=f"{p['remove']:g}", school=p["school"],
                        has=has), ch, fix=Msg("err.scenario.dorm_remove.fix", has=has))
            st.dormitory_places[j] -= p["remove"]
        else:
            st.dormitory_places[j] = p["set"]
        st.log.append(f"{p['school']} dormitory places {st.dormitory_places[j]:g}")


def _closed_by(change: Change | None) -> Msg | str:
    """The words ' by line N: changes[i] (kind)' naming the change that closed a school ("" if none)."""
    return Msg("err.scenario.closed_by", change=change.where_msg()) if change else ""


def _with_new(prep: Prepared, scenario: Scenario, new: list[Change]) -> Prepared:
    ids = set(prep.schools.loc[~prep.schools["is_new"].to_numpy(bool), "id"])
    rows, serves = [], []
    seen = set()
    for ch in new:
        p = ch.params
        if p["id"] in ids or p["id"] in seen:
            raise scenario.err(Msg("err.scenario.id_exists", id=repr(p["id"])), ch,
                               fix=Msg("err.scenario.id_exists.fix"))
        seen.add(p["id"])
        if "lon" in p:
            tf = Transformer.from_crs(settings.WGS84, prep.crs, always_xy=True)
            x, y = tf.transform(p["lon"], p["lat"])
        else:
            tf = Transformer.from_crs(settings.LATVIA_CRS, prep.crs, always_xy=True)
            x, y = tf.transform(p["x"], p["y"])
        rows.append({"id": p["id"], "name": p["name"], "type": "", "capacity": p["capacity"],
                     "dormitory_places": p["dormitory_places"],
                     "municipality": p.get("municipality") or "", "x": x, "y": y,
                     "annual_cost_eur": settings.SCHOOL_FIXED_COST_EUR})
        serves.append(grades_mask(p["grades"]))
    # reuse columns routed for an earlier evaluation (same ids and points)
    base = prep
    key = ("new", tuple((r["id"], round(r["x"], 1), round(r["y"], 1)) for r in rows))
    cached = base._cache.get(key)
    if cached is not None:
        return cached
    try:
        out = base.with_schools(pd.DataFrame(rows), np.array(serves, bool).reshape(-1, N_GRADES))
    except GeoInputError as exc:
        raise scenario.err(exc, new[0]) from None
    base._cache[key] = out
    return out


def baseline(name: str = "baseline", **kw) -> Scenario:
    """A scenario without changes (keyword overrides of :class:`Scenario` fields)."""
    return Scenario(name=name, **kw)
