"""A region prepared for scenarios: demand groups, schools and their travel times, saved and loaded."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import settings
from geo._files import owned_dir
from geo.broadband.analysis import origin_flags
from geo.errors import GeoInputError, named_errors
from geo.grades import N_GRADES, format_grades, grades_mask, parse_grades
from geo.network.access import node_matrix, travel_time_matrix
from geo.network.graph import Network
from geo.network.snap import points_xy, snap
from geo.planning.projection import attach_growth
from geo.planning.transport import TransportParams, travel_minutes
from geo.region.bundle import load_bundle

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
        Annual log growth rate of pupils per origin (:mod:`geo.planning.projection`); None: pupils can
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
                f"pupils can be projected from {self.base_year} to {year} only with a "
                "population trend, and none was prepared for this region.",
                fix=f"set year: {self.base_year} in the scenario, or prepare the region with "
                "census grids of several years (geo.planning.projection.attach_growth).",
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
            self.network = Network.load(self.network_path)
        return self.network

    def _route_points(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        net = self._network()
        if net is None:
            raise GeoInputError(
                "a new school needs travel times from every origin, and this region was "
                "prepared without its road network.",
                fix="prepare the region with its network (geo.planning.prepared.prepare or "
                "`python -m geo scenario prepare --network ...`).",
            )


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
            D = D + oleg_d[:, None] + fs.dist_m[None, :]
            T[~ook] = np.inf
            D[~ook] = np.inf
            for i, k in enumerate(todo):
                routed[k] = (T[:, i].copy(), D[:, i].copy())
        T = np.column_stack([routed[k][0] for k in keys])
        D = np.column_stack([routed[k][1] for k in keys])
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
        into a folder the tool owns (:func:`geo._files.owned_dir`: ``force``, ``run``)."""
        folder = Path(folder)
        with owned_dir(folder, force=force, run=run) as tmp:
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
        fix = "create it again with `python -m geo scenario prepare ...`."
        with named_errors(folder, problem="the prepared region is corrupt or truncated",
                          fix=fix):
            meta = json.loads((folder / "meta.json").read_text("utf-8"))
            if not isinstance(meta, dict):
                raise GeoInputError("meta.json of the prepared region is not a JSON object.",
                                    path=folder, fix=fix)
            with np.load(folder / "arrays.npz", allow_pickle=False) as z:
                a = {k: z[k] for k in z.files}
            return cls(
                origin_ids=a["origin_ids"], origin_x=a["origin_x"], origin_y=a["origin_y"],
                crs=meta["crs"], origin_municipality=a["origin_municipality"],
                pupils=a["pupils"], bands=tuple(meta["bands"]),
                schools=pd.read_parquet(folder / "schools.parquet"),
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
        raise GeoInputError(f"school ids are not unique: {list(dup)}.", path=ssrc,
                            fix="give every school its own registration number.")
    serves = _school_grades(schools, sid, ssrc, grades=school_grades, type_=school_type)
    sx, sy = points_xy(schools, net.crs, name="schools")
    ox, oy = points_xy(origins, net.crs, name="origins")
    tm = travel_time_matrix(net, origins, schools, cutoff_s=None, with_distance=True,
                            progress=progress)
    columns = {"name": school_name, "type": school_type, "capacity": school_capacity,
               "dormitory_places": school_dormitory, "municipality": school_municipality}
    table = _school_table(schools, sid, sx, sy, columns)
    prep = Prepared(
        origin_ids=oid, origin_x=ox, origin_y=oy, crs=net.crs, origin_municipality=muni,
        pupils=pupils, bands=bands, schools=table, serves=serves, time_s=tm.time_s,
        dist_m=tm.dist_m, base_year=base_year, region=region, origin_snapped=tm.origin_snap.ok,
        network=net, network_path=network_path,
        meta={"origins_source": osrc, "schools_source": ssrc,
              "unsnapped_schools": sid.to_numpy()[~tm.facility_snap.ok].tolist()},
    )
    s = tm.origin_snap
    prep._origin_nodes = (s.node, s.time_s, s.dist_m, s.ok)
    return prep


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
    raise GeoInputError("the origins need pupil counts per grade band or a population.",
                        path=osrc, fix="give pupil_columns or population.")


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
            raise GeoInputError(f"school {sid.iloc[i]}: {exc}.", path=ssrc) from None
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


def prepare_bundle(bundle, *, year: int | None = None, progress=None,
                   excluded_types: Sequence[str] = EXCLUDED_SCHOOL_TYPES,
                   capacity_from_pupils: float = CAPACITY_FROM_PUPILS) -> Prepared:
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

    Returns
    -------
    Prepared
    """
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
        table = sch["dormitory_places"] if "dormitory_places" in sch.columns else None
        sch["dormitory_places"] = sch["school_id"].astype(str).map(d).fillna(
            table if table is not None else 0.0).fillna(0.0)
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
    prep.meta.update(origin_flags(b, prep.origin_ids))  # broadband class, border band
    return prep
