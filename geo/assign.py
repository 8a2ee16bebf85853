"""Assignment of pupils to schools: capacity-, dormitory- and mode-aware.

The prepared inputs of a region (:class:`Prepared`) hold everything a scenario needs as numpy
arrays: origins (population cells or points) with pupils per grade band, candidate schools
with their attributes, and the origin x school travel-time and distance matrices of the road
network (``geo.access.travel_time_matrix``). Evaluating a scenario then touches only these
arrays.

Travel time by mode
    A pupil whose network distance to a school is below ``walk_max_distance_m`` walks
    (distance / walking speed; the drive network's distance stands in for the walking
    distance). Farther pupils go by ``car`` (network time) or by school ``bus`` (car time x
    detour factor + stop wait). See :func:`travel_minutes`.

Assignment (:func:`assign`)
    Pupils of each origin and grade band (a *pupil group*) go to open schools offering every
    grade of their band. It is a transportation problem solved exactly as a linear programme:

    minimise   sum over flows of pupils x cost
    subject to every group's pupils are placed (or counted as unserved),
               pupils at a school <= its capacity,
               pupils in a school's dormitory <= its dormitory places,

    with costs per pupil (minutes): a daily trip costs its one-way time, plus
    ``beyond_penalty_min`` when it is longer than the band's threshold; a dormitory place
    (bands in ``dorm_bands``, only for trips beyond the threshold, only at schools with
    places) costs the threshold plus the one-way time x trips-per-week / school-days-per-week
    (one weekly return trip instead of daily ones); an unserved pupil costs
    ``unserved_penalty_min``. Without capacity limits everybody goes to the nearest school
    offering the grade (or to a dormitory when beyond the threshold).

    Method: every group first takes its cheapest option (vectorised argmin). When no school
    and no dormitory is over capacity that is optimal and the work stops. Otherwise the groups
    whose cheapest school is over capacity become *movable* and a min-cost flow over them
    (each restricted to its ``k`` cheapest schools, plus the unserved option, into the
    capacity the fixed groups leave) is solved with OR-Tools' network simplex
    (``ortools.graph.python.min_cost_flow``, on integers: pupils in units of 1e-5, costs in
    thousandths of a minute; a group's pupils are then split in the proportions of its integer
    flows, so none is lost and no capacity is exceeded). Schools that the moved pupils fill up
    add their groups, and the flow is solved again. The result is then checked on the full
    problem (every group, every school): it is optimal when the residual graph has no
    negative cycle (Bellman-Ford over the schools' daily and dormitory nodes, groups
    eliminated). When the check fails the candidates are widened (``k`` doubled, then every
    group movable) until it passes; ``Assignment.optimal`` records it.

Pupils that cannot be placed (no open school offering the grade reachable, or all reachable
ones full) are kept as unserved flows (``school == -1``), never dropped.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from geo import settings
from geo.errors import GeoInputError
from geo.grades import format_grades

#: Mode codes of :func:`travel_minutes` and of assignment flows.
MODES = ("walk", "car", "bus")
WALK, CAR, BUS = 0, 1, 2
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


# ------------------------------------------------------------------------------------------
# Travel time by mode
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TransportParams:
    """How pupils travel.

    Attributes
    ----------
    mode : {"bus", "car"}, default settings.TRANSPORT_MODE
        Mode beyond walking distance.
    bus_detour_factor : float, default settings.BUS_DETOUR_FACTOR
        Bus in-vehicle time = car time x this factor + ``bus_stop_wait_min``.
    bus_stop_wait_min : float, default settings.BUS_STOP_WAIT_MIN
        Minutes.
    walk_max_distance_m : float, default settings.WALK_MAX_DISTANCE_M
        Pupils whose network distance is below this walk (metres); 0 disables walking.
    walk_speed_kmh : float, default settings.WALK_SPEED_KMH
    """

    mode: str = settings.TRANSPORT_MODE
    bus_detour_factor: float = settings.BUS_DETOUR_FACTOR
    bus_stop_wait_min: float = settings.BUS_STOP_WAIT_MIN
    walk_max_distance_m: float = settings.WALK_MAX_DISTANCE_M
    walk_speed_kmh: float = settings.WALK_SPEED_KMH


def travel_minutes(
    time_s: np.ndarray, dist_m: np.ndarray | None, params: TransportParams = TransportParams()
) -> tuple[np.ndarray, np.ndarray]:
    """One-way travel time in minutes and the mode of every origin x school pair.

    Parameters
    ----------
    time_s : numpy.ndarray
        Car travel time, seconds (``inf`` when unreachable).
    dist_m : numpy.ndarray or None
        Network distance, metres (None: nobody walks).
    params : TransportParams

    Returns
    -------
    minutes : numpy.ndarray of float64
    mode : numpy.ndarray of int8
        :data:`WALK`, :data:`CAR` or :data:`BUS`.
    """
    if params.mode not in ("bus", "car"):
        raise ValueError(f"transport mode must be 'bus' or 'car', got {params.mode!r}")
    car = time_s / 60.0
    if params.mode == "bus":
        motor = car * params.bus_detour_factor + params.bus_stop_wait_min
        code = BUS
    else:
        motor, code = car, CAR
    mode = np.full(time_s.shape, code, np.int8)
    if dist_m is not None and params.walk_max_distance_m > 0:
        walk = dist_m < params.walk_max_distance_m
        minutes = np.where(walk, dist_m / (params.walk_speed_kmh / 3.6) / 60.0, motor)
        mode[walk] = WALK
    else:
        minutes = motor
    minutes = np.where(np.isfinite(time_s), minutes, np.inf)
    return minutes, mode


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
    time_s, dist_m : numpy.ndarray of float64, shape (n_o, n_s)
        Car travel time (s) and network distance (m), home -> school, incl. off-network legs;
        ``inf`` when unreachable.
    base_year : int
    region : str
    growth_rate : numpy.ndarray or None, shape (n_o,)
        Annual log growth rate of pupils per origin (:mod:`geo.projection`); None: pupils can
        only be evaluated for ``base_year``.
    origin_snapped : numpy.ndarray of bool or None
        False for origins too far from any road (their pupils are unserved).
    network : geo.network.Network or None
        Kept to compute columns of new schools on demand.
    network_path : str or None
        Network cache folder (loaded lazily when ``network`` is None).
    meta : dict
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
    time_s: np.ndarray
    dist_m: np.ndarray
    base_year: int
    region: str = ""
    growth_rate: np.ndarray | None = None
    origin_snapped: np.ndarray | None = None
    network: object | None = field(default=None, repr=False)
    network_path: str | None = None
    meta: dict = field(default_factory=dict)
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
            (np.shape(self.time_s) == (n_o, n_s), "time_s must be (n_origins, n_schools)"),
            (np.shape(self.dist_m) == (n_o, n_s), "dist_m must be (n_origins, n_schools)"),
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
        self.time_s = np.asarray(self.time_s, np.float64)
        self.dist_m = np.asarray(self.dist_m, np.float64)

    # -- sizes -----------------------------------------------------------------------------
    @property
    def n_origins(self) -> int:
        return len(self.origin_ids)

    @property
    def n_schools(self) -> int:
        return len(self.schools)

    @property
    def school_ids(self) -> np.ndarray:
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
                f"pupils can be projected from {self.base_year} to {year} only with a "
                "population trend, and none was prepared for this region.",
                fix=f"set year: {self.base_year} in the scenario, or prepare the region with "
                "census grids of several years (geo.projection.attach_growth).",
            )
        key = ("pupils", int(year))
        out = self._cache.get(key)
        if out is None:
            f = np.exp(self.growth_rate * (int(year) - int(self.base_year)))
            out = self.pupils * f[:, None]
            self._cache[key] = out
        return out

    # -- travel minutes (cached per transport settings) ------------------------------------
    def minutes(self, params: TransportParams) -> tuple[np.ndarray, np.ndarray]:
        """:func:`travel_minutes` of the whole matrix, cached per ``params``."""
        key = ("minutes", params, self.n_schools)
        out = self._cache.get(key)
        if out is None:
            out = travel_minutes(self.time_s, self.dist_m, params)
            self._cache = {k: v for k, v in self._cache.items() if k[0] != "minutes"}
            self._cache[key] = out
        return out

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
        out = replace(
            self, schools=schools, serves=np.vstack([self.serves, serves]),
            time_s=np.hstack([self.time_s, T]), dist_m=np.hstack([self.dist_m, D]),
            _cache={k: v for k, v in self._cache.items() if k[0] in ("pupils", "routed")},
        )
        out._origin_nodes = self._origin_nodes
        out.network = self.network
        return out

    def _network(self):
        if self.network is None and self.network_path:
            from geo.network import Network

            self.network = Network.load(self.network_path)
        return self.network

    def _route_points(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        net = self._network()
        if net is None:
            raise GeoInputError(
                "a new school needs travel times from every origin, and this region was "
                "prepared without its road network.",
                fix="prepare the region with its network (geo.assign.prepare or "
                "`python -m geo scenario prepare --network ...`).",
            )
        import geopandas as gpd

        from geo.access import node_matrix
        from geo.network import snap

        routed = self._cache.setdefault(("routed",), {})
        keys = [(round(float(a), 1), round(float(b), 1)) for a, b in zip(x, y, strict=True)]
        todo = [k for k in dict.fromkeys(keys) if k not in routed]
        if todo:
            pts = gpd.GeoSeries(gpd.points_from_xy([k[0] for k in todo], [k[1] for k in todo]),
                                crs=self.crs)
            fs = snap(net, pts, name="new schools")
            if not fs.ok.all():
                far = [f"({k[0]:.0f}, {k[1]:.0f})" for k, ok in zip(todo, fs.ok, strict=True)
                       if not ok]
                raise GeoInputError(
                    f"new school point(s) {', '.join(far)} ({self.crs}) lie farther than "
                    f"{settings.SNAP_MAX_DISTANCE_M:.0f} m from any road of the network.",
                    fix="check the coordinates (lon/lat or EPSG:3059 x/y) of the new school.",
                )
            onodes, oleg_t, oleg_d, ook = self._origin_legs(net)
            T, D = node_matrix(net, np.where(ook, onodes, 0), fs.node, with_distance=True)
            T = T + oleg_t[:, None] + fs.time_s[None, :]
            D = D + oleg_d[:, None] + fs.distance_m[None, :]
            T[~ook] = np.inf
            D[~ook] = np.inf
            for i, k in enumerate(todo):
                routed[k] = (T[:, i].copy(), D[:, i].copy())
        T = np.column_stack([routed[k][0] for k in keys])
        D = np.column_stack([routed[k][1] for k in keys])
        return T, D

    def _origin_legs(self, net):
        if self._origin_nodes is None:
            import geopandas as gpd

            from geo.network import snap

            pts = gpd.GeoSeries(gpd.points_from_xy(self.origin_x, self.origin_y), crs=self.crs)
            s = snap(net, pts, name="origins")
            self._origin_nodes = (s.node, s.time_s, s.distance_m, s.ok)
        return self._origin_nodes

    # -- persistence -----------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Save to a folder (``arrays.npz``, ``schools.parquet``, ``meta.json``), atomically."""
        from geo.atomic import atomic_dir

        folder = Path(folder)
        with atomic_dir(folder) as tmp:
            arrays = {
                "origin_ids": self.origin_ids.astype(str), "origin_x": self.origin_x,
                "origin_y": self.origin_y,
                "origin_municipality": self.origin_municipality.astype(str),
                "pupils": self.pupils, "serves": self.serves, "time_s": self.time_s,
                "dist_m": self.dist_m,
            }
            if self.growth_rate is not None:
                arrays["growth_rate"] = self.growth_rate
            if self.origin_snapped is not None:
                arrays["origin_snapped"] = self.origin_snapped
            np.savez_compressed(tmp / "arrays.npz", **arrays)
            self.schools.to_parquet(tmp / "schools.parquet", index=False)
            meta = {"crs": self.crs, "bands": list(self.bands), "base_year": int(self.base_year),
                    "region": self.region, "network_path": self.network_path,
                    "meta": self.meta}
            (tmp / "meta.json").write_text(json.dumps(meta, indent=1, default=str), "utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> Prepared:
        """Load a folder written by :meth:`save`."""
        folder = Path(folder)
        if not (folder / "arrays.npz").is_file() or not (folder / "meta.json").is_file():
            raise GeoInputError(
                "is not a prepared region folder (arrays.npz and meta.json are missing).",
                path=folder, fix="create it with `python -m geo scenario prepare ...`.",
            )
        meta = json.loads((folder / "meta.json").read_text("utf-8"))
        with np.load(folder / "arrays.npz", allow_pickle=False) as z:
            a = {k: z[k] for k in z.files}
        return cls(
            origin_ids=a["origin_ids"], origin_x=a["origin_x"], origin_y=a["origin_y"],
            crs=meta["crs"], origin_municipality=a["origin_municipality"], pupils=a["pupils"],
            bands=tuple(meta["bands"]), schools=pd.read_parquet(folder / "schools.parquet"),
            serves=a["serves"], time_s=a["time_s"], dist_m=a["dist_m"],
            base_year=meta["base_year"], region=meta.get("region", ""),
            growth_rate=a.get("growth_rate"), origin_snapped=a.get("origin_snapped"),
            network_path=meta.get("network_path"), meta=meta.get("meta", {}),
        )


def _col(gdf, name, what, path):
    if name not in gdf.columns:
        raise GeoInputError(f"the {what} layer has no column {name!r}; it has "
                            f"{[c for c in gdf.columns if c != 'geometry']}.",
                            path=path, fix=f"name the {what} column with the right option.")
    return gdf[name]


def prepare(
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

    Returns
    -------
    Prepared
    """
    from geo.access import travel_time_matrix
    from geo.network import points_xy

    bands = tuple(bands or settings.GRADE_BANDS)
    osrc, ssrc = origins.attrs.get("source"), schools.attrs.get("source")
    oid = _col(origins, origin_id, "origins", osrc).astype(str).to_numpy()
    if pupil_columns:
        pupils = np.column_stack([
            pd.to_numeric(_col(origins, pupil_columns[b], "origins", osrc), errors="coerce")
            .fillna(0).to_numpy(float) for b in bands
        ])
    elif population:
        rate = pupils_per_resident or settings.PUPILS_PER_RESIDENT
        pop = pd.to_numeric(_col(origins, population, "origins", osrc), errors="coerce")
        pupils = np.outer(pop.fillna(0).to_numpy(float), [rate[b] for b in bands])
    else:
        raise GeoInputError("the origins need pupil counts per grade band or a population.",
                            path=osrc, fix="give pupil_columns or population.")
    muni = (origins[municipality].fillna("").astype(str).to_numpy()
            if municipality and municipality in origins.columns else np.full(len(oid), ""))
    sid = _col(schools, school_id, "schools", ssrc).astype(str)
    if not sid.is_unique:
        dup = sid[sid.duplicated()].unique()[:5]
        raise GeoInputError(f"school ids are not unique: {list(dup)}.", path=ssrc,
                            fix="give every school its own registration number.")
    serves = np.zeros((len(schools), N_GRADES), bool)
    for i in range(len(schools)):
        g = None
        if school_grades and school_grades in schools.columns:
            g = schools[school_grades].iloc[i]
        if (g is None or (isinstance(g, float) and np.isnan(g))) and school_type \
                and school_type in schools.columns:
            g = schools[school_type].iloc[i]
        try:
            serves[i] = grades_mask(parse_grades(g if g is not None and g == g else "1-12"))
        except ValueError as exc:
            raise GeoInputError(f"school {sid.iloc[i]}: {exc}.", path=ssrc) from None

    def opt(name, default):
        if name and name in schools.columns:
            return pd.to_numeric(schools[name], errors="coerce").fillna(default).to_numpy(float)
        return np.full(len(schools), default)

    sx, sy = points_xy(schools, net.crs, name="schools")
    ox, oy = points_xy(origins, net.crs, name="origins")
    tm = travel_time_matrix(net, origins, schools, cutoff_s=None, with_distance=True,
                            progress=progress)
    table = pd.DataFrame({
        "id": sid.to_numpy(),
        "name": (schools[school_name].fillna("").astype(str).to_numpy()
                 if school_name and school_name in schools.columns else ""),
        "type": (schools[school_type].fillna("").astype(str).to_numpy()
                 if school_type and school_type in schools.columns else ""),
        "capacity": opt(school_capacity, np.inf),
        "dormitory_places": opt(school_dormitory, 0.0),
        "municipality": (schools[school_municipality].fillna("").astype(str).to_numpy()
                         if school_municipality and school_municipality in schools.columns
                         else ""),
        "x": sx, "y": sy,
    })
    if "annual_cost_eur" in schools.columns:
        table["annual_cost_eur"] = pd.to_numeric(schools["annual_cost_eur"], errors="coerce")
    prep = Prepared(
        origin_ids=oid, origin_x=ox, origin_y=oy, crs=net.crs, origin_municipality=muni,
        pupils=pupils, bands=bands, schools=table, serves=serves, time_s=tm.time_s,
        dist_m=tm.dist_m, base_year=base_year, region=region, origin_snapped=tm.origin_snap.ok,
        network=net, network_path=network_path,
        meta={"origins_source": osrc, "schools_source": ssrc,
              "unsnapped_schools": sid.to_numpy()[~tm.facility_snap.ok].tolist()},
    )
    s = tm.origin_snap
    prep._origin_nodes = (s.node, s.time_s, s.distance_m, s.ok)
    return prep


# ------------------------------------------------------------------------------------------
# The assignment
# ------------------------------------------------------------------------------------------
@dataclass
class Assignment:
    """Pupil flows from origins to schools.

    Flow arrays (one entry per origin x band x school x {daily, dormitory}, plus unserved):

    Attributes
    ----------
    origin, band, school : numpy.ndarray of int64
        Positions; ``school == -1`` for unserved pupils.
    dorm : numpy.ndarray of bool
        True: the pupils live in the school's dormitory on school days and travel weekly.
    pupils : numpy.ndarray of float64
    minutes : numpy.ndarray of float64
        One-way travel time of the trip (daily, or weekly for dormitory pupils); NaN when
        unserved.
    dist_m : numpy.ndarray of float64
        Network distance of the trip (metres); NaN when unserved.
    mode : numpy.ndarray of int8
        :data:`MODES` code; -1 when unserved.
    beyond : numpy.ndarray of bool
        Daily trip longer than the band's threshold.
    reachable : numpy.ndarray of bool
        For unserved flows: False when no open school offering the band can be reached at
        all, True when all reachable ones were full. True for served flows.
    objective : float
        Total cost (pupil-minutes incl. penalties, see module docstring).
    method : str
        "nearest" (no capacity bound) or "mcf" (min-cost flow).
    optimal : bool
        The optimality check of the full problem passed.
    rounds : int
        Min-cost-flow rounds.
    n_movable : int
        Pupil groups in the last min-cost flow.
    seconds : float
        Wall time.
    """

    origin: np.ndarray
    band: np.ndarray
    school: np.ndarray
    dorm: np.ndarray
    pupils: np.ndarray
    minutes: np.ndarray
    dist_m: np.ndarray
    mode: np.ndarray
    beyond: np.ndarray
    reachable: np.ndarray
    objective: float
    method: str
    optimal: bool
    rounds: int = 0
    n_movable: int = 0
    seconds: float = 0.0

    def __len__(self) -> int:
        return len(self.pupils)

    def school_load(self, n_schools: int) -> np.ndarray:
        """Pupils per school (all bands, daily and dormitory)."""
        s = self.school >= 0
        return np.bincount(self.school[s], self.pupils[s], minlength=n_schools)

    def dorm_load(self, n_schools: int) -> np.ndarray:
        """Dormitory pupils per school."""
        s = (self.school >= 0) & self.dorm
        return np.bincount(self.school[s], self.pupils[s], minlength=n_schools)

    @property
    def unserved(self) -> float:
        """Total unserved pupils."""
        return float(self.pupils[self.school < 0].sum())

    def to_frame(self, prep: Prepared | None = None) -> pd.DataFrame:
        """Flows as a table (ids instead of positions when ``prep`` is given)."""
        df = pd.DataFrame({
            "origin": self.origin, "band": self.band, "school": self.school,
            "dorm": self.dorm, "pupils": self.pupils, "minutes": self.minutes,
            "dist_m": self.dist_m,
            "mode": np.where(self.mode >= 0, np.asarray(MODES, object)[self.mode.clip(0)], None),
            "beyond": self.beyond, "reachable": self.reachable,
        })
        if prep is not None:
            df["origin"] = prep.origin_ids[self.origin]
            df["band"] = np.asarray(prep.bands, object)[self.band]
            sid = np.r_[prep.school_ids, [None]]
            df["school"] = sid[self.school]
        return df


def assign(
    minutes: np.ndarray,
    dist_m: np.ndarray | None,
    mode: np.ndarray | None,
    pupils: np.ndarray,
    offers: np.ndarray,
    capacity: np.ndarray,
    dorm_places: np.ndarray,
    thresholds_min: np.ndarray,
    *,
    open_mask: np.ndarray | None = None,
    dorm_bands: np.ndarray | None = None,
    beyond_penalty_min: float = settings.BEYOND_THRESHOLD_PENALTY_MIN,
    unserved_penalty_min: float = settings.UNSERVED_PENALTY_MIN,
    dorm_trip_factor: float = 1.0 / settings.SCHOOL_DAYS_PER_WEEK,
    k: int = settings.ASSIGN_K_NEAREST,
    tol: float = 1e-6,
    max_rounds: int = 20,
) -> Assignment:
    """Assign pupils to schools: nearest first, then an exact capacity-constrained flow.

    See the module docstring for the model and the method.

    Parameters
    ----------
    minutes : numpy.ndarray, shape (n_o, n_s)
        One-way travel time (minutes; ``inf`` when unreachable), e.g. from
        :func:`travel_minutes`.
    dist_m : numpy.ndarray or None, shape (n_o, n_s)
        Network distance (metres), copied to the flows.
    mode : numpy.ndarray of int8 or None, shape (n_o, n_s)
        Mode code, copied to the flows.
    pupils : numpy.ndarray, shape (n_o, n_b)
    offers : numpy.ndarray of bool, shape (n_s, n_b)
        School offers band (:func:`band_offers`).
    capacity : numpy.ndarray, shape (n_s,)
        Pupils (all bands); ``inf`` = unlimited.
    dorm_places : numpy.ndarray, shape (n_s,)
    thresholds_min : numpy.ndarray, shape (n_b,)
        Maximum acceptable one-way daily trip per band (minutes).
    open_mask : numpy.ndarray of bool, shape (n_s,), optional
        Open schools (default all).
    dorm_bands : numpy.ndarray of bool, shape (n_b,), optional
        Bands that may use dormitories (default none).
    beyond_penalty_min, unserved_penalty_min : float
        Cost terms (minutes per pupil), defaults from :mod:`geo.settings`.
    dorm_trip_factor : float, default 1 / settings.SCHOOL_DAYS_PER_WEEK
        Dormitory trip cost = threshold + one-way time x this factor.
    k : int, default settings.ASSIGN_K_NEAREST
        Candidate schools per movable group in the first min-cost-flow round.
    tol : float, default 1e-6
        Tolerance of capacity and optimality checks (pupils, minutes).
    max_rounds : int, default 20

    Returns
    -------
    Assignment
    """
    t0 = time.perf_counter()
    minutes = np.asarray(minutes, np.float64)
    n_o, n_s = minutes.shape
    pupils = np.asarray(pupils, np.float64).reshape(n_o, -1)
    n_b = pupils.shape[1]
    offers = np.asarray(offers, bool).reshape(n_s, n_b)
    capacity = np.asarray(capacity, np.float64)
    dorm_places = np.asarray(dorm_places, np.float64)
    thr = np.asarray(thresholds_min, np.float64).reshape(n_b)
    open_mask = np.ones(n_s, bool) if open_mask is None else np.asarray(open_mask, bool)
    dorm_bands = np.zeros(n_b, bool) if dorm_bands is None else np.asarray(dorm_bands, bool)
    P, U, f = float(beyond_penalty_min), float(unserved_penalty_min), float(dorm_trip_factor)

    # pupil groups (origin, band) with pupils
    go, gb = np.nonzero(pupils > 0)
    w = pupils[go, gb]
    n_g = len(w)
    # --- step 1: cheapest option of every group (vectorised per band) --------------------
    ch_school = np.full(n_g, -1, np.int64)
    ch_dorm = np.zeros(n_g, bool)
    ch_cost = np.full(n_g, U)
    reach = np.zeros(n_g, bool)
    has_dorm = (dorm_places > 0) & open_mask
    for b in range(n_b):
        sel = np.flatnonzero(gb == b)
        if len(sel) == 0:
            continue
        cols = np.flatnonzero(open_mask & offers[:, b])
        if len(cols) == 0:
            continue
        Tb = minutes[go[sel]][:, cols]
        jd = np.argmin(Tb, axis=1)
        td = Tb[np.arange(len(sel)), jd]
        fin = np.isfinite(td)
        reach[sel] = fin
        cd = td + P * (td > thr[b])
        better = fin & (cd < ch_cost[sel])
        ch_school[sel[better]] = cols[jd[better]]
        ch_cost[sel[better]] = cd[better]
        if dorm_bands[b]:
            dc = np.flatnonzero(has_dorm[cols])
            if len(dc):
                Td = Tb[:, dc]
                Td = np.where(Td > thr[b], Td, np.inf)
                jj = np.argmin(Td, axis=1)
                tt = Td[np.arange(len(sel)), jj]
                cdd = thr[b] + f * tt
                bd = np.isfinite(tt) & (cdd < ch_cost[sel])
                ch_school[sel[bd]] = cols[dc[jj[bd]]]
                ch_cost[sel[bd]] = cdd[bd]
                ch_dorm[sel[bd]] = True
    served = ch_school >= 0
    load = np.bincount(ch_school[served], w[served], minlength=n_s)
    dload = np.bincount(ch_school[served & ch_dorm], w[served & ch_dorm], minlength=n_s)
    over = (load > capacity + tol) | (dload > dorm_places + tol)

    ctx = dict(minutes=minutes, dist_m=dist_m, mode=mode, go=go, gb=gb, w=w, thr=thr)
    if not over.any():
        return _build(ctx, np.arange(n_g), ch_school, ch_dorm, w, ch_cost, reach,
                      method="nearest", optimal=True, rounds=0, n_movable=0, t0=t0)

    # --- step 2: min-cost flow over the groups of congested schools, checked on the full
    # problem; when the check fails, all groups with more candidate schools --------------
    prob = _Problem(minutes, go, gb, w, offers, open_mask, has_dorm, dorm_bands, thr, P, U, f)
    rounds = 0
    optimal = False
    # schools over capacity: all their groups move; dormitories over their places: the
    # dormitory pupils move
    in_S = load > capacity + tol
    # pupils who compete for dormitory places: those in one, and those of dormitory bands
    # whose daily trip is beyond the threshold
    dorm_mv = np.zeros(n_g, bool)
    if (dload > dorm_places + tol).any():
        beyond1 = served & ~ch_dorm & (ch_cost >= P) & (P > 0)
        dorm_mv = served & (ch_dorm | (dorm_bands[gb] & beyond1))
    # when the congested schools hold a large share of the pupils, the chains of moves
    # usually reach everywhere: take every group at once
    if w[served & in_S[np.maximum(ch_school, 0)]].sum() > 0.3 * w.sum():
        in_S[:] = True
    kk = k
    while True:
        rounds += 1
        movable = served & (in_S[np.maximum(ch_school, 0)] | dorm_mv)
        fixed = ~movable
        fl = fixed & served
        rescap = capacity - np.bincount(ch_school[fl], w[fl], minlength=n_s)
        fd = fl & ch_dorm
        resdorm = dorm_places - np.bincount(ch_school[fd], w[fd], minlength=n_s)
        mv = np.flatnonzero(movable)
        arcs = prob.arcs(mv, kk)
        x, a, full, dfull = _solve_mcf(arcs, w[mv], rescap, resdorm, n_s, U,
                                            prob.cost_scale)
        keep = np.flatnonzero(fixed)
        pos = x > 0
        out_g = np.r_[keep, mv[a["g"][pos]]]
        out_s = np.r_[ch_school[keep], a["s"][pos]]
        out_d = np.r_[ch_dorm[keep], a["dorm"][pos]]
        out_w = np.r_[w[keep], x[pos]]
        out_c = np.r_[ch_cost[keep], a["c"][pos] / prob.cost_scale]
        bad = prob.negative_cycle_schools(out_g, out_s, out_d, out_w, full, dfull)
        optimal = bad is None
        if optimal or rounds >= max_rounds or (in_S.all() and kk >= n_s):
            break
        # schools on a negative cycle, and schools filled up, join the flow (twice at
        # most, then every group); when all take part, a cheaper arc lies outside the k
        # candidates: widen them
        grow = (bad | full) & ~in_S
        if grow.any() and rounds < 3:
            in_S |= grow
        elif not in_S.all():
            in_S[:] = True
        elif kk < n_s:
            kk = min(2 * kk, n_s)
        else:
            in_S[:] = True
    return _build(ctx, out_g, out_s, out_d, out_w, out_c, reach, method="mcf",
                  optimal=optimal, rounds=rounds, n_movable=len(mv), t0=t0)


def _build(ctx, g, s, d, x, c, reach, *, method, optimal, rounds, n_movable, t0) -> Assignment:
    go, gb, thr = ctx["go"], ctx["gb"], ctx["thr"]
    o, b = go[g], gb[g]
    sv = s >= 0
    sj = np.maximum(s, 0)
    mins = np.where(sv, ctx["minutes"][o, sj], np.nan)
    dist = (np.where(sv, ctx["dist_m"][o, sj], np.nan) if ctx["dist_m"] is not None
            else np.full(len(g), np.nan))
    mode = (np.where(sv, ctx["mode"][o, sj], -1).astype(np.int8) if ctx["mode"] is not None
            else np.where(sv, CAR, -1).astype(np.int8))
    d = np.asarray(d, bool) & sv
    beyond = sv & ~d & (mins > thr[b])
    return Assignment(
        origin=o.astype(np.int64), band=b.astype(np.int64), school=s.astype(np.int64), dorm=d,
        pupils=np.asarray(x, np.float64), minutes=mins, dist_m=dist, mode=mode, beyond=beyond,
        reachable=np.where(sv, True, reach[g]), objective=float(np.dot(x, c)), method=method,
        optimal=optimal, rounds=rounds, n_movable=n_movable,
        seconds=time.perf_counter() - t0,
    )


#: Integer scaling of the min-cost flow (the solver works on integers): pupils in units of
#: 1e-5.
_FLOW_SCALE = 1e5
#: Integer cost of the unserved option; other costs are scaled by the same factor (1e7 / U:
#: thousandths of a minute with the default U). Flow x cost stays far below 2**63.
_COST_RANGE = 1e7


class _Problem:
    """The full transportation problem. Cost matrices per band (all groups of the band x
    schools, in scaled integer units held as float64, ``inf`` where not allowed) are built
    once and shared by the candidate arcs and the optimality check."""

    def __init__(self, minutes, go, gb, w, offers, open_mask, has_dorm, dorm_bands, thr, P, U, f):
        self.minutes, self.go, self.gb, self.w = minutes, go, gb, w
        self.offers, self.open, self.has_dorm = offers, open_mask, has_dorm
        self.dorm_bands, self.thr, self.P, self.U, self.f = dorm_bands, thr, P, U, f
        self.n_s = minutes.shape[1]
        self.cost_scale = _COST_RANGE / max(U, 1e-9)
        self.U_int = float(np.round(U * self.cost_scale))
        self._mats: dict = {}
        # position of each group within its band's matrices
        self.band_rows = {b: np.flatnonzero(gb == b) for b in np.unique(gb)}
        self.row_in_band = np.zeros(len(gb), np.int64)
        for rows in self.band_rows.values():
            self.row_in_band[rows] = np.arange(len(rows))

    def mats(self, b):
        """(daily, dorm or None) scaled integer costs of every group of band ``b``."""
        m = self._mats.get(b)
        if m is None:
            T = self.minutes[self.go[self.band_rows[b]]]
            ok = self.open & self.offers[:, b]
            sc = self.cost_scale
            daily = np.where(ok, np.round(np.minimum(T + self.P * (T > self.thr[b]),
                                                     10 * self.U) * sc), np.inf)
            dorm = None
            if self.dorm_bands[b] and (ok & self.has_dorm).any():
                dorm = np.where(ok & self.has_dorm & (T > self.thr[b]),
                                np.round(np.minimum(self.thr[b] + self.f * T, 10 * self.U) * sc),
                                np.inf)
            m = self._mats[b] = (daily, dorm)
        return m

    def arcs(self, groups: np.ndarray, k: int) -> dict:
        """Per group its k cheapest daily arcs and every dormitory arc, as arrays g
        (position in ``groups``), s, dorm, c (scaled integer cost)."""
        G, S, Dm, C = [], [], [], []
        gbg = self.gb[groups]
        for b in np.unique(gbg):
            rows = np.flatnonzero(gbg == b)
            daily, dorm = self.mats(b)
            ri = self.row_in_band[groups[rows]]
            whole = len(ri) == daily.shape[0]
            for full_mat, isd in ((daily, False), (dorm, True)):
                if full_mat is None:
                    continue
                ok = self.open & self.offers[:, b] & (self.has_dorm if isd else True)
                cols = np.flatnonzero(ok)
                if len(cols) == 0:
                    continue
                mat = full_mat[:, cols] if whole else full_mat[np.ix_(ri, cols)]
                # dormitory arcs: all of them (few schools have places, and their pupils
                # trade places among them)
                kk = len(cols) if isd else min(k, len(cols))
                if kk < len(cols):
                    part = np.argpartition(mat, kk - 1, axis=1)[:, :kk]
                    r = np.repeat(np.arange(len(rows)), kk)
                    s = part.ravel()
                    c = mat[r, s]
                    fin = np.isfinite(c)
                    r, s, c = r[fin], s[fin], c[fin]
                else:
                    r, s = np.nonzero(np.isfinite(mat))
                    c = mat[r, s]
                G.append(rows[r])
                S.append(cols[s])
                Dm.append(np.full(len(r), isd))
                C.append(c)

        def cat(xs, dt):
            return np.concatenate(xs).astype(dt) if xs else np.zeros(0, dt)

        return {"g": cat(G, np.int64), "s": cat(S, np.int64), "dorm": cat(Dm, bool),
                "c": cat(C, np.float64)}

    def negative_cycle_schools(self, g, s, d, x, full, dfull) -> np.ndarray | None:
        """Optimality check of flows on the full problem: no negative cycle in the residual
        graph. Returns None when optimal, else a mask of the schools on a negative cycle.

        Group nodes are eliminated: a group with flow at node ``a`` that could use node ``b``
        gives the residual path a -> group -> b of cost c(b) - c(a). Nodes are the schools'
        daily nodes, their dormitory nodes and the sink (unserved pupils and free capacity).
        Bellman-Ford over these ``2 n_s + 1`` nodes, on the integer-scaled costs; the
        negative cycles are found by walking back the predecessors.
        ``full`` and ``dfull`` flag schools and dormitories without free capacity (in the
        integer-scaled instance that was solved).
        """
        n = self.n_s
        N = 2 * n + 1
        sink = 2 * n
        node = np.where(s < 0, sink, np.where(d, n + np.maximum(s, 0), np.maximum(s, 0)))
        W = np.full((N, N), np.inf)
        gbg = self.gb[g]
        for b in np.unique(gbg):
            sel = np.flatnonzero(gbg == b)
            daily, dorm = self.mats(b)
            ri = self.row_in_band[g[sel]]
            nd_all = node[sel]
            order = np.argsort(nd_all, kind="stable")
            nd = nd_all[order]
            ri = ri[order]
            starts = np.r_[0, np.flatnonzero(np.diff(nd)) + 1]
            # cost of each piece where it is now
            here = np.full(len(sel), self.U_int)
            isd = nd >= n
            isd &= nd < sink
            dl = nd < n
            here[dl] = daily[ri[dl], nd[dl]]
            if dorm is not None and isd.any():
                here[isd] = dorm[ri[isd], nd[isd] - n]
            src = nd[starts]
            W[src, :n] = np.minimum(W[src, :n], np.minimum.reduceat(
                daily[ri] - here[:, None], starts, axis=0))
            if dorm is not None:
                W[src, n:2 * n] = np.minimum(W[src, n:2 * n], np.minimum.reduceat(
                    dorm[ri] - here[:, None], starts, axis=0))
            W[src, sink] = np.minimum(W[src, sink], np.minimum.reduceat(
                self.U_int - here, starts))
        sv = s >= 0
        load = np.bincount(s[sv], x[sv], minlength=n)
        dload = np.bincount(s[sv & d], x[sv & d], minlength=n)
        j = np.arange(n)
        # dormitory node -> school node carries dormitory pupils (cost 0)
        W[n + j, j] = np.where(~dfull, np.minimum(W[n + j, j], 0.0), W[n + j, j])
        W[j, n + j] = np.where(dload > 0, np.minimum(W[j, n + j], 0.0), W[j, n + j])
        W[j, sink] = np.where(~full, np.minimum(W[j, sink], 0.0), W[j, sink])
        W[sink, j] = np.where(load > 0, np.minimum(W[sink, j], 0.0), W[sink, j])
        np.fill_diagonal(W, np.inf)
        dist = np.zeros(N)
        pred = np.full(N, -1, np.int64)
        cols = np.arange(N)
        for _ in range(N + 1):
            cand = dist[:, None] + W
            arg = cand.argmin(axis=0)
            best = cand[arg, cols]
            imp = best < dist - 0.5
            if not imp.any():
                return None
            dist = np.where(imp, best, dist)
            pred = np.where(imp, arg, pred)
        # still improving after N rounds: walk back the predecessors onto the cycles
        start = np.flatnonzero(imp)
        for _ in range(N):
            start = pred[start]
        on_cycle = np.zeros(N, bool)
        for v in np.unique(start):
            if on_cycle[v]:
                continue
            u = v
            for _ in range(N):
                on_cycle[u] = True
                u = pred[u]
                if u == v or u < 0:
                    break
        return on_cycle[:n] | on_cycle[n:2 * n]


def _solve_mcf(arcs, w, rescap, resdorm, n_s, U, cost_scale):
    """Min-cost flow (OR-Tools network simplex on integers) of movable groups.

    Returns the pupils on every arc (scaled back exactly: a group's pupils are split in the
    proportions of its integer flows, so no pupil is lost and no capacity is exceeded), the
    arcs including one unserved arc (school -1) per group, and which schools and
    dormitories are full in the integer instance.
    """
    from ortools.graph.python import min_cost_flow

    n_g = len(w)
    sup = np.ceil(w * _FLOW_SCALE - 1e-9).astype(np.int64)
    sup = np.maximum(sup, 1)
    total = int(sup.sum())
    na = len(arcs["c"])
    g = np.r_[arcs["g"], np.arange(n_g)]
    sch = np.r_[arcs["s"], np.full(n_g, -1)]
    dorm = np.r_[arcs["dorm"], np.zeros(n_g, bool)]
    c = np.r_[arcs["c"], np.full(n_g, np.round(U * cost_scale))]
    S0, D0, T = n_g, n_g + n_s, n_g + 2 * n_s
    head = np.where(sch < 0, T, np.where(dorm, D0 + np.maximum(sch, 0), S0 + np.maximum(sch, 0)))
    capi = np.where(np.isfinite(rescap), np.floor(np.maximum(rescap, 0) * _FLOW_SCALE + 1e-9),
                    total).astype(np.int64)
    dcap = np.where(np.isfinite(resdorm), np.floor(np.maximum(resdorm, 0) * _FLOW_SCALE + 1e-9),
                    total).astype(np.int64)
    j = np.arange(n_s)
    tails = np.r_[g, D0 + j, S0 + j]
    heads = np.r_[head, S0 + j, np.full(n_s, T)]
    caps = np.r_[sup[g], np.minimum(dcap, total), np.minimum(capi, total)]
    costs = np.r_[c, np.zeros(2 * n_s)].astype(np.int64)
    mcf = min_cost_flow.SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    mcf.set_nodes_supplies(np.r_[np.arange(n_g), T], np.r_[sup, -total])
    status = mcf.solve()
    if status != mcf.OPTIMAL:
        raise RuntimeError(f"assignment min-cost flow failed (status {status})")
    fl = mcf.flows(np.arange(na + n_g))
    x = fl.astype(np.float64) / sup[g] * w[g]
    served = sch >= 0
    load = np.bincount(sch[served], fl[served], minlength=n_s)
    dload = np.bincount(sch[served & dorm], fl[served & dorm], minlength=n_s)
    full = load >= np.minimum(capi, total)
    dfull = dload >= np.minimum(dcap, total)
    return x, {"g": g, "s": sch, "dorm": dorm, "c": c}, full, dfull


# ------------------------------------------------------------------------------------------
# From a region bundle
# ------------------------------------------------------------------------------------------
#: School types (``school_type`` of the IZM reader) left out of the assignment: special,
#: evening and distance schools do not serve a catchment of ordinary pupils.
EXCLUDED_SCHOOL_TYPES = ("special", "evening", "distance")
#: Capacity assumed when the schools table has none: current pupils x this factor.
CAPACITY_FROM_PUPILS = 1.25


def prepare_bundle(bundle, *, year: int | None = None, progress=None,
                   excluded_types: Sequence[str] = EXCLUDED_SCHOOL_TYPES,
                   capacity_from_pupils: float = CAPACITY_FROM_PUPILS) -> Prepared:
    """Prepare a region bundle (:func:`geo.region.load_bundle`) for scenario evaluation.

    Origins are the census cells of layer ``pupils_<year>`` (pupils per grade, cell centre),
    schools the located schools (registration number ``school_id``; special, evening and
    distance schools left out), with dormitory places summed from layer ``dormitories``. The
    capacity is the ``capacity`` column when present, else the current pupils x
    ``capacity_from_pupils`` (recorded in ``meta``). The growth rates come from the layers
    ``population_<year>`` (:func:`geo.projection.cell_trend`).

    Parameters
    ----------
    bundle : geo.region.Bundle or path
    year : int, optional
        Base year (default: the latest ``pupils_<year>`` layer).
    progress : callable(done, total), optional
    excluded_types : sequence of str
    capacity_from_pupils : float

    Returns
    -------
    Prepared
    """
    import geopandas as gpd

    from geo.network import Network
    from geo.projection import attach_growth
    from geo.region import load_bundle

    b = bundle if hasattr(bundle, "layers") else load_bundle(bundle)
    years = sorted(int(n.split("_")[1]) for n in b.layers if re.fullmatch(r"pupils_\d{4}", n))
    if not years:
        raise GeoInputError("the bundle has no pupils_<year> layer.", path=b.path,
                            fix="rebuild it with `python -m geo build REGION`.")
    year = year or years[-1]
    if f"pupils_{year}" not in b.layers:
        raise GeoInputError(f"the bundle has no pupils_{year} layer (it has {years}).",
                            path=b.path)
    if b.network_dir is None:
        raise GeoInputError("the bundle has no road network.", path=b.path,
                            fix="rebuild it where OSM roads are available.")
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
        sch["dormitory_places"] = sch["school_id"].astype(str).map(d).fillna(0.0)
    sch["grades"] = sch["grades_served"] if "grades_served" in sch.columns else None
    prep = prepare(
        net, cells, sch, base_year=year, origin_id="cell_id", pupil_columns=pcols,
        municipality="municipality", school_id="school_id", school_type="school_type",
        region=str(b.manifest.get("region", "")), network_path=str(b.network_dir),
        progress=progress,
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
    return prep
