"""A fictional demo region, generated offline in the formats of the real sources.

:func:`generate` writes a made-up rural region of Latvia (towns, villages, hamlets and farmsteads,
roads, schools, population, broadband and municipal boundaries) into a folder, each layer in the
exact format of the real source it stands in for, so that it flows through the same importers:

====================================  =====================================================
file                                  real format mimicked
====================================  =====================================================
``osm/demo.osm.pbf``                  OpenStreetMap extract (roads, places, schools)
``schools/demo_izglitojamo...xlsx``   IZM pupils per institution and grade (1 Dec 2022)
``schools/demo_..._kontaktinfo.xlsx`` IZM contact list (header on row 4)
``schools/school_locations.csv``      a planner's table: registration number + coordinates
``schools/school_capacity.csv``       a planner's table: capacity and dormitory places
``population/census2021_1km_tiles``   Eurostat census 2021 1 km grid, tiled parquet
``population/geostat_popgrid_tiles``  GEOSTAT 1 km grids 2011, 2018, 2021, tiled parquet
``broadband/ookla_...350m_tiles``     Ookla fixed broadband speed tests, 350 m CSV tiles
``broadband/coverage_operators.geojson``  operator coverage polygons (technology, Mbit/s)
``boundaries/municipalities.geojson`` municipalities (novadi), WGS84
====================================  =====================================================

Everything is invented: every name carries "Demo" (or "Izdomāt-"), registration numbers start
with 99, ATVK codes with 99, postcodes are LV-9xxx, e-mail domains are ``.example``; the files
carry a note saying so. The region lies in a Vidzeme-like latitude band inside Latvia, so its
metric CRS is LKS-92 (EPSG:3059).

The model, in order: a smooth region outline; towns, villages and hamlets (Poisson-disc);
farmsteads (jittered grid thinned by a smooth "forest" field); a planar road mesh (the relative
neighbourhood graph of jittered rural points plus grid-like streets in towns and villages);
a road hierarchy from shortest paths between settlements (primary between towns, secondary and
tertiary to villages, unclassified to hamlets, tracks in forests and to farmsteads); then people
at address points, aggregated to the 1 km EPSG:3035 lattice; schools per settlement size with
pupils per grade from the children living nearest to them; broadband from the settlement
pattern. The output is a deterministic function of ``(scale, seed)``: the same arguments give
byte-identical files.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import math
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyproj
import shapely
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from osmium.osm.mutable import Node, Relation, Way
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import Delaunay, cKDTree

from geo import i18n, settings
from geo._files import atomic_dir
from geo.errors import GeoInputError

#: The note every file carries (Latvian / English).
FICTION_NOTE = (
    "IZDOMĀTI DATI: fiktīvs demonstrācijas reģions, ko ģenerējis geo.region.synth; visi nosaukumi, "
    "numuri, adreses un skaitļi ir izdomāti. / FICTIONAL DATA: a made-up demo region generated "
    "by geo.region.synth; every name, number, address and figure is invented."
)


i18n.register({
    "synth.region": {"lv": "Demo reģions (izdomāti dati)", "en": "Demo region (fictional data)"},
    "synth.note": {
        "lv": "Izdomāti dati: fiktīvs demonstrācijas reģions. Visi nosaukumi, numuri, adreses un "
              "skaitļi ir izdomāti.",
        "en": "Fictional data: a made-up demo region. Every name, number, address and figure is "
              "invented.",
    },
})


@dataclass(frozen=True)
class Scale:
    """Size parameters of a generated region.

    Attributes
    ----------
    area_km2 : float
        Area of the region, km2.
    center : tuple of float
        Centre in LKS-92 (EPSG:3059), metres.
    n_municipalities : int
        Number of municipalities (novadi) partitioning the region.
    n_towns : int
        Number of towns (place=town); the first is the largest.
    main_town_pop : int
        Population of the largest town (2021).
    village_km2, hamlet_km2 : float
        One village / hamlet per this many km2.
    farm_spacing_m : float
        Spacing of the jittered grid on which farmsteads are drawn, metres.
    mesh_spacing_m : float
        Spacing of the jittered grid of rural road junctions, metres.
    n_exits : int
        Main roads leaving the region.
    """

    area_km2: float
    center: tuple[float, float]
    n_municipalities: int
    n_towns: int
    main_town_pop: int
    village_km2: float
    hamlet_km2: float
    farm_spacing_m: float
    mesh_spacing_m: float
    n_exits: int


#: The two scales: ``demo`` (about 2,000 km2, generates in seconds, used by the tests and the
#: app's demo) and ``vidzeme`` (the size of the Vidzeme planning region, > 15,000 km2 and well
#: over 100,000 network nodes, for benchmarks).
SCALES: dict[str, Scale] = {
    "demo": Scale(
        area_km2=2000.0, center=(600000.0, 340000.0), n_municipalities=4, n_towns=3,
        main_town_pop=8000, village_km2=55.0, hamlet_km2=14.0, farm_spacing_m=700.0,
        mesh_spacing_m=300.0, n_exits=4,
    ),
    "vidzeme": Scale(
        area_km2=16000.0, center=(600000.0, 335000.0), n_municipalities=9, n_towns=14,
        main_town_pop=23000, village_km2=55.0, hamlet_km2=14.0, farm_spacing_m=700.0,
        mesh_spacing_m=300.0, n_exits=8,
    ),
}


#: Road classes of the mesh, most important first.
HIGHWAYS = ("primary", "secondary", "tertiary", "unclassified", "residential", "track", "service")


PRIMARY, SECONDARY, TERTIARY, UNCLASSIFIED, RESIDENTIAL, TRACK, SERVICE = range(7)


#: Wiggle amplitude (share of edge length, cap in metres) and spacing of shape nodes (metres).
_WIGGLE = {PRIMARY: (0.02, 60.0), SECONDARY: (0.03, 70.0), TERTIARY: (0.045, 90.0),
           UNCLASSIFIED: (0.05, 100.0), RESIDENTIAL: (0.0, 0.0), TRACK: (0.07, 120.0),
           SERVICE: (0.03, 20.0)}


_SHAPE_STEP = {PRIMARY: 150.0, SECONDARY: 150.0, TERTIARY: 170.0, UNCLASSIFIED: 180.0,
               RESIDENTIAL: 1e9, TRACK: 200.0, SERVICE: 120.0}


_TO_WGS = pyproj.Transformer.from_crs(settings.LATVIA_CRS, settings.WGS84, always_xy=True)


_TO_LAEA = pyproj.Transformer.from_crs(settings.LATVIA_CRS, settings.LAEA_CRS, always_xy=True)


#: Fixed timestamp written into files that embed one (xlsx), so that outputs are reproducible.
_FIXED_TIME = _dt.datetime(2022, 12, 9, 15, 30, 37)


# ------------------------------------------------------------------------------------------
# Names (all fictional: prefixed "Demo")
# ------------------------------------------------------------------------------------------
_ROOTS = (
    "Ozol", "Bērz", "Liep", "Egļ", "Kalnā", "Lejas", "Mež", "Upmal", "Vēj", "Sil", "Akmeņ",
    "Purv", "Priež", "Dzirnav", "Saul", "Rudz", "Ābeļ", "Vītol", "Zied", "Ezer", "Kārkl", "Līkup",
    "Rož", "Strauj", "Zaļ", "Jaun", "Vec", "Gaiļ", "Stārķ", "Dzērv", "Lāč", "Vilk", "Medus",
    "Zīļ", "Krūm", "Smilg", "Vāver", "Lazd", "Ievu", "Pīlād", "Mālu", "Kaļķ", "Griķ", "Miež",
)


_ENDINGS = (
    ("ciems", "ciema"), ("kalns", "kalna"), ("muiža", "muižas"), ("pils", "pils"),
    ("lejas", "leju"), ("mala", "malas"), ("krasts", "krasta"), ("strauts", "strauta"),
    ("gals", "gala"), ("sala", "salas"), ("pļava", "pļavas"), ("avots", "avota"),
    ("dārzs", "dārza"), ("birze", "birzes"), ("sils", "sila"), ("ezers", "ezera"),
)


_FARM_NAMES = (
    "Kalnieši", "Lejnieki", "Priedes", "Ozoli", "Bērziņi", "Liepas", "Avoti", "Mežmaļi",
    "Ābeles", "Pļavas", "Jaunzemji", "Vecsētas", "Dzirnavas", "Krasti", "Strauti", "Sili",
    "Kārkli", "Rozītes", "Eglītes", "Ievas", "Lazdas", "Zīles", "Rūķīši", "Gravas",
)


_STREETS = (
    "Skolas", "Lielā", "Dārza", "Pils", "Ezera", "Brīvības", "Parka", "Meža", "Upes", "Baznīcas",
    "Pasta", "Stacijas", "Tirgus", "Kalna", "Saules", "Dzirnavu", "Avotu", "Rīgas", "Jaunā",
    "Ganību", "Lauku", "Pļavu", "Ziedu", "Liepu", "Bērzu", "Ozolu", "Krasta", "Smilšu",
    "Sporta", "Rūpniecības", "Darba", "Celtnieku", "Zvejnieku", "Mazā", "Tilta", "Vītolu",
)


_GIVEN = (
    ("ANNA", "IZDOMĀTĀ"), ("JĀNIS", "IZDOMĀTAIS"), ("LĪGA", "IZDOMĀTĀ"), ("ANDRIS", "IZDOMĀTAIS"),
    ("INGA", "IZDOMĀTĀ"), ("MĀRIS", "IZDOMĀTAIS"), ("DACE", "IZDOMĀTĀ"), ("ILZE", "IZDOMĀTĀ"),
    ("KRISTĪNE", "IZDOMĀTĀ"), ("EDGARS", "IZDOMĀTAIS"), ("SANDRA", "IZDOMĀTĀ"), ("ZANE", "IZDOMĀTĀ"),
)


def _place_names(rng: np.random.Generator, n: int) -> list[tuple[str, str]]:
    """``n`` distinct (nominative, genitive) fictional place names, "Demo" prefixed."""
    combos = [(r + e[0], r + e[1]) for r in _ROOTS for e in _ENDINGS]
    order = rng.permutation(len(combos))
    out = []
    for k in range(n):
        nom, gen = combos[order[k % len(combos)]]
        rep = k // len(combos)
        if rep:
            nom, gen = f"{nom} {rep + 1}", f"{gen} {rep + 1}"
        out.append((f"Demo {nom}", f"Demo {gen}"))
    return out


def _slug(text: str) -> str:
    tr = str.maketrans("āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ ", "acegiklnsuzACEGIKLNSUZ-")
    return "".join(c for c in text.translate(tr).lower() if c.isalnum() or c == "-")


# ------------------------------------------------------------------------------------------
# Small numeric helpers
# ------------------------------------------------------------------------------------------
def _rng(seed: int, step: int) -> np.random.Generator:
    """An independent random stream per step, so that steps do not shift each other."""
    return np.random.default_rng([int(seed), int(step)])


class _Field:
    """A smooth random field on the plane (sum of random plane waves), values about N(0, 1).

    Parameters
    ----------
    rng : numpy.random.Generator
    wavelengths : tuple of float
        Range of wavelengths, metres.
    n : int
        Number of waves.
    """

    def __init__(self, rng: np.random.Generator, wavelengths=(6000.0, 30000.0), n: int = 24):
        lam = np.exp(rng.uniform(np.log(wavelengths[0]), np.log(wavelengths[1]), n))
        ang = rng.uniform(0, 2 * np.pi, n)
        self.kx = 2 * np.pi / lam * np.cos(ang)
        self.ky = 2 * np.pi / lam * np.sin(ang)
        self.ph = rng.uniform(0, 2 * np.pi, n)
        self.norm = math.sqrt(2.0 / n)

    def __call__(self, x, y) -> np.ndarray:
        x = np.asarray(x, np.float64)[..., None]
        y = np.asarray(y, np.float64)[..., None]
        return np.cos(x * self.kx + y * self.ky + self.ph).sum(-1) * self.norm


def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer total in proportion to weights (integers summing exactly to total)."""
    w = np.asarray(weights, np.float64)
    if total <= 0 or len(w) == 0 or w.sum() <= 0:
        return np.zeros(len(w), np.int64)
    q = w / w.sum() * total
    base = np.floor(q).astype(np.int64)
    rest = int(total - base.sum())
    if rest:
        base[np.argsort(-(q - base), kind="stable")[:rest]] += 1
    return base


def _poisson_disc(rng, poly, n_target: int, min_dist: float, avoid_xy=None, avoid_r=None,
                  weight: Callable | None = None) -> np.ndarray:
    """Greedy Poisson-disc sample of up to ``n_target`` points in a polygon (metres).

    Candidates are drawn uniformly (optionally thinned by ``weight(x, y)`` in [0, 1]) and
    accepted when at least ``min_dist`` from accepted points and ``avoid_r`` from ``avoid_xy``.
    """
    x0, y0, x1, y1 = poly.bounds
    m = max(50, n_target * 8)
    cx = rng.uniform(x0, x1, m)
    cy = rng.uniform(y0, y1, m)
    ok = shapely.contains_xy(poly, cx, cy)
    if weight is not None:
        ok &= rng.uniform(size=m) < weight(cx, cy)
    cand = np.column_stack([cx[ok], cy[ok]])
    if avoid_xy is not None and len(avoid_xy):
        d, i = cKDTree(avoid_xy).query(cand)
        cand = cand[d >= np.asarray(avoid_r)[i]]
    acc = np.empty((n_target, 2))
    k = 0
    for p in cand:
        if k >= n_target:
            break
        if k == 0 or np.min(np.hypot(*(acc[:k] - p).T)) >= min_dist:
            acc[k] = p
            k += 1
    return acc[:k]


# ------------------------------------------------------------------------------------------
# The region model
# ------------------------------------------------------------------------------------------
@dataclass
class _Model:
    """Everything generated, in LKS-92 metres (internal)."""

    scale: Scale
    outline: shapely.Polygon
    forest: _Field
    settlements: pd.DataFrame
    farms: pd.DataFrame
    municipalities: pd.DataFrame
    people: pd.DataFrame | None = None  # address points: x, y, pop, sid, farm, urban
    schools: pd.DataFrame | None = None
    coverage: list | None = None


def _outline(rng, sc: Scale) -> shapely.Polygon:
    th = np.linspace(0, 2 * np.pi, 361)[:-1]
    r = np.ones_like(th)
    for k in range(2, 7):
        r += rng.uniform(0.02, 0.09) / (k - 1) ** 0.6 * np.cos(k * th + rng.uniform(0, 2 * np.pi))
    poly = shapely.Polygon(np.column_stack([np.cos(th) * r, np.sin(th) * r]))
    f = math.sqrt(sc.area_km2 * 1e6 / poly.area)
    return shapely.affinity.affine_transform(poly, [f, 0, 0, f, *sc.center])


def _settlements(rng, sc: Scale, outline, forest: _Field) -> pd.DataFrame:
    inner = outline.buffer(-4000)
    area = sc.area_km2
    open_w = lambda x, y: np.clip(0.75 - 0.35 * forest(x, y), 0.15, 1.0)  # noqa: E731
    towns = _poisson_disc(rng, outline.buffer(-min(9000, math.sqrt(area * 1e6) / 6)),
                          sc.n_towns, min_dist=math.sqrt(area * 1e6 / sc.n_towns) * 0.55,
                          weight=open_w)
    # put the largest town nearest the centre
    c = np.asarray(sc.center)
    towns = towns[np.argsort(np.hypot(*(towns - c).T))]
    tpop = np.r_[sc.main_town_pop,
                 np.round(np.exp(rng.uniform(np.log(1500), np.log(4800), len(towns) - 1)))]
    tpop[1:] = -np.sort(-tpop[1:])
    n_vil = int(round(area / sc.village_km2))
    vil = _poisson_disc(rng, inner, n_vil, 3500.0, avoid_xy=towns,
                        avoid_r=np.full(len(towns), 5000.0), weight=open_w)
    vpop = np.round(np.clip(np.exp(rng.normal(np.log(190), 0.6, len(vil))), 80, 1500))
    n_ham = int(round(area / sc.hamlet_km2))
    ham = _poisson_disc(rng, outline.buffer(-800), n_ham, 1500.0,
                        avoid_xy=np.r_[towns, vil],
                        avoid_r=np.r_[np.full(len(towns), 3500.0), np.full(len(vil), 1800.0)],
                        weight=open_w)
    hpop = np.round(np.clip(np.exp(rng.normal(np.log(35), 0.5, len(ham))), 12, 110))
    kind = np.r_[np.full(len(towns), "town"), np.full(len(vil), "village"),
                 np.full(len(ham), "hamlet")]
    xy = np.r_[towns, vil, ham]
    pop = np.r_[tpop, vpop, hpop].astype(np.int64)
    names = _place_names(rng, len(xy))
    df = pd.DataFrame({
        "kind": kind, "x": xy[:, 0], "y": xy[:, 1], "pop": pop,
        "name": [n for n, _ in names], "gen": [g for _, g in names],
    })
    dens = np.where(df["kind"] == "town", 1800.0, 900.0)  # people per km2 built-up
    df["radius"] = np.where(df["kind"] == "hamlet", 0.0,
                            np.sqrt(df["pop"] / dens / np.pi) * 1000 + 120)
    df["spacing"] = np.where(df["kind"] == "town", rng.uniform(140, 175, len(df)),
                             rng.uniform(170, 220, len(df)))
    df["angle"] = rng.uniform(0, np.pi / 2, len(df))
    return df


def _farms(rng, sc: Scale, outline, forest: _Field, st: pd.DataFrame) -> pd.DataFrame:
    g = sc.farm_spacing_m
    x0, y0, x1, y1 = outline.bounds
    gx, gy = np.meshgrid(np.arange(x0, x1, g), np.arange(y0, y1, g))
    x = gx.ravel() + rng.uniform(0.1, 0.9, gx.size) * g
    y = gy.ravel() + rng.uniform(0.1, 0.9, gy.size) * g
    f = forest(x, y)
    p = np.where(f > 0.1, 0.12, 0.8 - 0.3 * f)
    keep = (rng.uniform(size=x.size) < p) & shapely.contains_xy(outline.buffer(-300), x, y)
    x, y = x[keep], y[keep]
    d, i = cKDTree(st[["x", "y"]].to_numpy()).query(np.column_stack([x, y]))
    ok = d > st["radius"].to_numpy()[i] + np.where(st["kind"].to_numpy()[i] == "hamlet", 300, 250)
    x, y = x[ok], y[ok]
    pop = 1 + rng.poisson(0.9, len(x))
    names = [f"Demo {_FARM_NAMES[k]}" for k in rng.integers(0, len(_FARM_NAMES), len(x))]
    return pd.DataFrame({"x": x, "y": y, "pop": pop.astype(np.int64), "name": names})


def _municipalities(rng, sc: Scale, outline, st: pd.DataFrame):
    """Voronoi cells of the largest settlements, boundaries made wiggly by a smooth field."""
    rank = st["kind"].map({"town": 0, "village": 1, "hamlet": 2})
    seeds = st.assign(_rank=rank, _neg=-st["pop"]).sort_values(["_rank", "_neg"], kind="stable")
    seeds = seeds.iloc[: sc.n_municipalities]
    pts = shapely.MultiPoint(seeds[["x", "y"]].to_numpy())
    cells = shapely.voronoi_polygons(pts, extend_to=outline.buffer(5000), ordered=True)
    fx = _Field(rng, (8000.0, 25000.0), 12)
    fy = _Field(rng, (8000.0, 25000.0), 12)
    amp = 0.08 * math.sqrt(sc.area_km2 * 1e6 / sc.n_municipalities)
    ring = outline.exterior
    polys = []
    for k in range(len(seeds)):
        cell = shapely.get_geometry(cells, k).intersection(outline)
        cell = shapely.segmentize(cell, 400.0)
        xy = shapely.get_coordinates(cell)
        on_edge = shapely.distance(shapely.points(xy), ring) < 1.0
        d = np.column_stack([fx(*xy.T), fy(*xy.T)]) * amp
        d[on_edge] = 0.0
        cell = shapely.set_coordinates(cell, xy + d)
        cell = shapely.make_valid(cell)
        if cell.geom_type != "Polygon":
            parts = [g for g in getattr(cell, "geoms", [cell]) if g.geom_type == "Polygon"]
            cell = max(parts, key=lambda g: g.area)
        polys.append(cell)
    # resolve overlaps from the wiggle: earlier cells win, later ones are cut
    out = []
    taken = shapely.Polygon()
    for p in polys:
        q = p.difference(taken).intersection(outline)
        if q.geom_type != "Polygon":
            q = max([g for g in q.geoms if g.geom_type == "Polygon"], key=lambda g: g.area)
        out.append(q)
        taken = taken.union(q)
    # anything left (slivers from the wiggle) joins the neighbour it touches most
    rest = outline.difference(taken)
    for g in getattr(rest, "geoms", [rest]):
        if g.is_empty or g.area < 1:
            continue
        j = int(np.argmax([shapely.length(o.intersection(g.buffer(1))) for o in out]))
        out[j] = shapely.union(out[j], g)
        if out[j].geom_type != "Polygon":
            out[j] = max(out[j].geoms, key=lambda h: h.area)
    muni = pd.DataFrame({
        "seed": seeds.index.to_numpy(), "center_name": seeds["name"].to_numpy(),
        "gen": seeds["gen"].to_numpy(), "geometry": out,
    })
    muni["name"] = muni["gen"] + " novads"
    muni["id"] = [_slug(n) for n in muni["name"]]
    return muni


def _assign_muni(muni: pd.DataFrame, x, y) -> np.ndarray:
    out = np.full(len(x), -1, np.int64)
    for k, g in enumerate(muni["geometry"]):
        out[(out < 0) & shapely.contains_xy(g, x, y)] = k
    miss = np.flatnonzero(out < 0)
    if len(miss):
        pts = shapely.points(np.asarray(x)[miss], np.asarray(y)[miss])
        dist = np.column_stack([shapely.distance(pts, g) for g in muni["geometry"]])
        out[miss] = dist.argmin(1)
    return out


# ------------------------------------------------------------------------------------------
# Roads
# ------------------------------------------------------------------------------------------
def _mesh_points(rng, sc: Scale, outline, forest: _Field, st: pd.DataFrame):
    """Junction points: town/village street grids, hamlets, jittered rural points."""
    xs, ys, kind, sid, gi, gj = [], [], [], [], [], []
    for k, s in st.iterrows():
        if s["kind"] == "hamlet":
            xs.append([s["x"]])
            ys.append([s["y"]])
            kind.append([2])
            sid.append([k])
            gi.append([0])
            gj.append([0])
            continue
        sp, r = s["spacing"], s["radius"]
        n = int(math.ceil(r / sp)) + 1
        i, j = np.meshgrid(np.arange(-n, n + 1), np.arange(-n, n + 1), indexing="ij")
        i, j = i.ravel(), j.ravel()
        u = i * sp + rng.uniform(-0.12, 0.12, i.size) * sp
        v = j * sp + rng.uniform(-0.12, 0.12, i.size) * sp
        ang = np.arctan2(v, u)
        rr = r * (1 + 0.18 * np.cos(3 * ang + rng.uniform(0, 6.3)) + 0.1 * np.cos(
            5 * ang + rng.uniform(0, 6.3)))
        rr = np.maximum(rr, 1.25 * sp)
        keep = np.hypot(i * sp, j * sp) <= rr
        keep |= (i == 0) & (j == 0)
        i, j, u, v = i[keep], j[keep], u[keep], v[keep]
        ca, sa = math.cos(s["angle"]), math.sin(s["angle"])
        xs.append(s["x"] + ca * u - sa * v)
        ys.append(s["y"] + sa * u + ca * v)
        kind.append(np.ones(len(i), int))
        sid.append(np.full(len(i), k))
        gi.append(i)
        gj.append(j)
    g = sc.mesh_spacing_m
    x0, y0, x1, y1 = outline.bounds
    mx, my = np.meshgrid(np.arange(x0, x1, g), np.arange(y0, y1, g))
    rx = mx.ravel() + rng.uniform(0.05, 0.95, mx.size) * g
    ry = my.ravel() + rng.uniform(0.05, 0.95, mx.size) * g
    f = forest(rx, ry)
    keep = rng.uniform(size=rx.size) < np.where(f > 0.1, 0.78, 0.5)
    keep &= shapely.contains_xy(outline.buffer(-150), rx, ry)
    rx, ry = rx[keep], ry[keep]
    d, i = cKDTree(st[["x", "y"]].to_numpy()).query(np.column_stack([rx, ry]))
    ok = d > st["radius"].to_numpy()[i] + np.where(st["kind"].to_numpy()[i] == "hamlet",
                                                   0.5 * g, 0.7 * g)
    rx, ry = rx[ok], ry[ok]
    pts = pd.DataFrame({
        "x": np.r_[np.concatenate(xs), rx], "y": np.r_[np.concatenate(ys), ry],
        "kind": np.r_[np.concatenate(kind), np.zeros(len(rx), int)],
        "sid": np.r_[np.concatenate(sid), np.full(len(rx), -1)],
        "gi": np.r_[np.concatenate(gi), np.zeros(len(rx), int)],
        "gj": np.r_[np.concatenate(gj), np.zeros(len(rx), int)],
    })
    return pts


def _rng_edges(xy: np.ndarray) -> np.ndarray:
    """Edges of (a superset of) the relative neighbourhood graph, via the Delaunay triangulation.

    A Delaunay edge is dropped when one of the two vertices opposite it lies in its lune
    (closer to both ends than they are to each other). The result is planar, connected (it
    holds the Euclidean minimum spanning tree) and has few small angles: a road-like mesh.
    """
    n = len(xy)
    tri = Delaunay(xy).simplices
    a = tri.ravel()
    b = tri[:, [1, 2, 0]].ravel()
    c = tri[:, [2, 0, 1]].ravel()
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    key = lo.astype(np.int64) * n + hi
    d2 = lambda p, q: ((xy[p] - xy[q]) ** 2).sum(1)  # noqa: E731
    fail = np.maximum(d2(c, lo), d2(c, hi)) < d2(lo, hi)
    ukey, inv = np.unique(key, return_inverse=True)
    bad = np.bincount(inv, weights=fail, minlength=len(ukey)) > 0
    ukey = ukey[~bad]
    return np.column_stack([ukey // n, ukey % n])


def _grid_edges(pts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """4-neighbour street grid edges inside each settlement; returns edges and line keys."""
    g = pts[pts["kind"] == 1]
    idx = pd.Series(g.index.to_numpy(), index=pd.MultiIndex.from_arrays(
        [g["sid"], g["gi"], g["gj"]]))
    out, keys = [], []
    for di, dj, o in ((1, 0, 0), (0, 1, 1)):
        nb = pd.MultiIndex.from_arrays([g["sid"], g["gi"] + di, g["gj"] + dj])
        other = idx.reindex(nb).to_numpy()
        ok = ~np.isnan(other.astype(float))
        a = g.index.to_numpy()[ok]
        b = other[ok].astype(np.int64)
        out.append(np.column_stack([a, b]))
        line = (g["gj"] if o == 0 else g["gi"]).to_numpy()[ok]
        keys.append(np.column_stack([g["sid"].to_numpy()[ok], np.full(ok.sum(), o), line]))
    return np.concatenate(out), np.concatenate(keys)


def _components_join(xy: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Extra edges joining every connected component to the largest one (nearest points)."""
    n = len(xy)
    extra = []
    while True:
        e = np.r_[edges, np.asarray(extra, np.int64).reshape(-1, 2)]
        g = sparse.coo_array((np.ones(len(e)), (e[:, 0], e[:, 1])), shape=(n, n))
        nc, lab = csgraph.connected_components(g, directed=False)
        if nc == 1:
            return np.asarray(extra, np.int64).reshape(-1, 2)
        big = np.bincount(lab).argmax()
        main = np.flatnonzero(lab == big)
        tree = cKDTree(xy[main])
        for c in range(nc):
            if c == big:
                continue
            mem = np.flatnonzero(lab == c)
            d, j = tree.query(xy[mem])
            k = int(np.argmin(d))
            extra.append((int(mem[k]), int(main[j[k]])))


class _EdgeIndex:
    """Vectorised lookup of an undirected edge's row from its two end nodes."""

    def __init__(self, edges: np.ndarray, n: int):
        self.n = n
        key = np.minimum(edges[:, 0], edges[:, 1]) * n + np.maximum(edges[:, 0], edges[:, 1])
        self.order = np.argsort(key, kind="stable")
        self.key = key[self.order]

    def __call__(self, a, b) -> np.ndarray:
        a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
        k = np.minimum(a, b) * self.n + np.maximum(a, b)
        return self.order[np.searchsorted(self.key, k)]


def _routes(graph, index: _EdgeIndex, pairs, xy) -> list[np.ndarray]:
    """Shortest paths (node sequences) for (source, target) node pairs."""
    out = [None] * len(pairs)
    by_src: dict[int, list[int]] = {}
    for k, (s, _t) in enumerate(pairs):
        by_src.setdefault(int(s), []).append(k)
    for s, ks in by_src.items():
        targets = [int(pairs[k][1]) for k in ks]
        lim = 2.5 * max(float(np.hypot(*(xy[t] - xy[s]))) for t in targets) + 3000.0
        dist, pred = csgraph.dijkstra(graph, indices=s, return_predecessors=True, limit=lim)
        if not all(np.isfinite(dist[t]) for t in targets):
            dist, pred = csgraph.dijkstra(graph, indices=s, return_predecessors=True)
        for k, t in zip(ks, targets, strict=True):
            path = [t]
            while path[-1] != s and path[-1] >= 0:
                path.append(int(pred[path[-1]]))
            out[k] = np.asarray(path[::-1], np.int64)
    return out


def _mst_pairs(xy: np.ndarray) -> np.ndarray:
    """Edges of the Euclidean minimum spanning tree of a point set (as index pairs)."""
    if len(xy) < 2:
        return np.zeros((0, 2), np.int64)
    if len(xy) <= 3:
        d = np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1))
    else:
        e = _rng_edges(xy)
        d = sparse.coo_array((np.hypot(*(xy[e[:, 0]] - xy[e[:, 1]]).T), (e[:, 0], e[:, 1])),
                             shape=(len(xy), len(xy))).tocsr()
    t = csgraph.minimum_spanning_tree(d).tocoo()
    return np.column_stack([t.row, t.col]).astype(np.int64)


def _build_mesh(rng, sc: Scale, outline, forest: _Field, st: pd.DataFrame):
    """Road mesh nodes and edges with classes, names of route refs and street lines."""
    pts = _mesh_points(rng, sc, outline, forest, st)
    xy = pts[["x", "y"]].to_numpy(copy=True)
    n = len(xy)
    e = _rng_edges(xy)
    same_town = (pts["kind"].to_numpy()[e[:, 0]] == 1) & (pts["kind"].to_numpy()[e[:, 1]] == 1) & (
        pts["sid"].to_numpy()[e[:, 0]] == pts["sid"].to_numpy()[e[:, 1]])
    e = e[~same_town]
    ge, gkey = _grid_edges(pts)
    edges = np.r_[ge, e]
    line = np.r_[gkey, np.full((len(e), 3), -1)]
    # thin the rural mesh: keep the spanning tree, drop some other edges
    length = np.hypot(*(xy[edges[:, 0]] - xy[edges[:, 1]]).T)
    mid = (xy[edges[:, 0]] + xy[edges[:, 1]]) / 2
    fmid = forest(mid[:, 0], mid[:, 1])
    g = sparse.coo_array((length + 1e-3, (edges[:, 0], edges[:, 1])), shape=(n, n)).tocsr()
    mst = csgraph.minimum_spanning_tree(g).tocoo()
    on_mst = np.zeros(len(edges), bool)
    on_mst[_EdgeIndex(edges, n)(mst.row, mst.col)] = True
    is_grid = line[:, 0] >= 0
    drop = (~on_mst) & (~is_grid) & (rng.uniform(size=len(edges)) < np.where(fmid > 0.1, 0.2, 0.3))
    edges, line, length, fmid = edges[~drop], line[~drop], length[~drop], fmid[~drop]
    extra = _components_join(xy, edges)
    if len(extra):
        edges = np.r_[edges, extra]
        line = np.r_[line, np.full((len(extra), 3), -1)]
        length = np.r_[length, np.hypot(*(xy[extra[:, 0]] - xy[extra[:, 1]]).T)]
        m2 = (xy[extra[:, 0]] + xy[extra[:, 1]]) / 2
        fmid = np.r_[fmid, forest(m2[:, 0], m2[:, 1])]
    index = _EdgeIndex(edges, n)
    # routing weights: forests avoided by main roads
    # routing weights: forests avoided by main roads; in towns and villages main roads follow
    # the two axes of the street grid (they cross at the centre) instead of zigzagging
    w = length * np.where(fmid > 0.1, 1.3, 1.0)
    gi_, gj_ = pts["gi"].to_numpy(), pts["gj"].to_numpy()
    axis = ((gi_[edges[:, 0]] == 0) & (gi_[edges[:, 1]] == 0)) | (
        (gj_[edges[:, 0]] == 0) & (gj_[edges[:, 1]] == 0))
    is_grid = line[:, 0] >= 0
    w = np.where(is_grid, length * np.where(axis, 0.6, 1.8), w)
    graph = sparse.coo_array((np.r_[w, w], (np.r_[edges[:, 0], edges[:, 1]],
                                            np.r_[edges[:, 1], edges[:, 0]])),
                             shape=(n, n)).tocsr()
    # the node nearest each settlement centre
    centre = np.zeros(len(st), np.int64)
    gmask = pts["kind"].to_numpy() >= 1
    key = pd.Series(np.flatnonzero(gmask), index=pd.MultiIndex.from_arrays(
        [pts["sid"].to_numpy()[gmask], pts["gi"].to_numpy()[gmask], pts["gj"].to_numpy()[gmask]]))
    centre[:] = key.reindex(pd.MultiIndex.from_arrays(
        [np.arange(len(st)), np.zeros(len(st), int), np.zeros(len(st), int)])).to_numpy()
    kind = st["kind"].to_numpy()
    towns = np.flatnonzero(kind == "town")
    vil = np.flatnonzero(kind == "village")
    ham = np.flatnonzero(kind == "hamlet")
    sxy = st[["x", "y"]].to_numpy()
    # exits: rural points nearest random points of the outline
    rural = np.flatnonzero(pts["kind"].to_numpy() == 0)
    ang = np.sort(rng.uniform(0, 2 * np.pi, sc.n_exits))
    ring = outline.exterior
    far = np.array([ring.interpolate(a / (2 * np.pi), normalized=True).coords[0] for a in ang])
    exits = rural[cKDTree(xy[rural]).query(far)[1]]
    cls = np.full(len(edges), 99, np.int64)
    route_id = np.full(len(edges), -1, np.int64)
    rpairs: list[tuple[int, int, int]] = []
    for a, b in _mst_pairs(sxy[towns]):
        rpairs.append((centre[towns[a]], centre[towns[b]], PRIMARY))
    if len(towns) >= 3:  # one extra link: the main town to its second-nearest town
        d = np.hypot(*(sxy[towns[1:]] - sxy[towns[0]]).T)
        rpairs.append((centre[towns[0]], centre[towns[1:][np.argsort(d)[1]]], PRIMARY))
    tnear = cKDTree(sxy[towns]).query(xy[exits])[1]
    for k, ex in enumerate(exits):
        rpairs.append((centre[towns[tnear[k]]], ex, PRIMARY if k % 2 == 0 else SECONDARY))
    big = np.r_[towns, vil[st["pop"].to_numpy()[vil] >= 350]]
    for a, b in _mst_pairs(sxy[big]):
        rpairs.append((centre[big[a]], centre[big[b]], SECONDARY))
    tv = np.r_[towns, vil]
    for a, b in _mst_pairs(sxy[tv]):
        rpairs.append((centre[tv[a]], centre[tv[b]], TERTIARY))
    vh = np.r_[tv, ham]
    for a, b in _mst_pairs(sxy[vh]):
        if vh[a] in ham or vh[b] in ham:
            rpairs.append((centre[vh[a]], centre[vh[b]], UNCLASSIFIED))
    paths = _routes(graph, index, [(a, b) for a, b, _ in rpairs], xy)
    for r, ((_a, _b, c), p) in enumerate(zip(rpairs, paths, strict=True)):
        if len(p) < 2:
            continue
        eid = index(p[:-1], p[1:])
        better = c < cls[eid]
        cls[eid[better]] = c
        route_id[eid[better]] = r
    # smooth primary and secondary routes through rural points
    kind_pt = pts["kind"].to_numpy()
    for _ in range(2):
        for (_a, _b, c), p in zip(rpairs, paths, strict=True):
            if c > SECONDARY or len(p) < 3:
                continue
            mid_ = p[1:-1]
            mv = kind_pt[mid_] == 0
            new = 0.5 * xy[mid_] + 0.25 * (xy[p[:-2]] + xy[p[2:]])
            xy[mid_[mv]] = new[mv]
    # the rest: streets in settlements, forest tracks, field roads
    rest = cls == 99
    in_set = line[:, 0] >= 0
    both_grid = (kind_pt[edges[:, 0]] == 1) & (kind_pt[edges[:, 1]] == 1)
    cls[rest & (in_set | both_grid)] = RESIDENTIAL
    rest = cls == 99
    deg_ham = (kind_pt[edges[:, 0]] == 2) | (kind_pt[edges[:, 1]] == 2)
    u = rng.uniform(size=len(edges))
    cls[rest] = np.where(fmid[rest] > 0.1, np.where(u[rest] < 0.08, UNCLASSIFIED, TRACK),
                         np.where((u[rest] < 0.42) | deg_ham[rest], UNCLASSIFIED, TRACK))
    zone = np.where(
        (pts["sid"].to_numpy()[edges[:, 0]] == pts["sid"].to_numpy()[edges[:, 1]])
        & (kind_pt[edges[:, 0]] == 1) & (kind_pt[edges[:, 1]] == 1),
        pts["sid"].to_numpy()[edges[:, 0]], -1)
    pts["x"], pts["y"] = xy[:, 0], xy[:, 1]
    return {
        "pts": pts, "edges": edges, "cls": cls, "zone": zone, "line": line,
        "route_id": route_id, "routes": rpairs, "centre": centre,
    }


def _roundabout(mesh: dict, st: pd.DataFrame) -> None:
    """Replace the main town's central crossing with a roundabout (8 nodes, radius 22 m)."""
    pts, edges = mesh["pts"], mesh["edges"]
    c = int(mesh["centre"][0])
    inc = np.flatnonzero((edges[:, 0] == c) | (edges[:, 1] == c))
    if len(inc) < 3:
        return
    cx, cy = pts.at[c, "x"], pts.at[c, "y"]
    k = 8
    th = st.at[0, "angle"] + np.pi / k + 2 * np.pi * np.arange(k) / k
    n0 = len(pts)
    ring = pd.DataFrame({"x": cx + 22 * np.cos(th), "y": cy + 22 * np.sin(th), "kind": 3,
                         "sid": 0, "gi": 0, "gj": 0}, index=np.arange(n0, n0 + k))
    mesh["pts"] = pts = pd.concat([pts, ring])
    used = set()
    for e in inc:
        o = edges[e, 1] if edges[e, 0] == c else edges[e, 0]
        phi = math.atan2(pts.at[o, "y"] - cy, pts.at[o, "x"] - cx)
        dif = np.abs((th - phi + np.pi) % (2 * np.pi) - np.pi)
        for j in np.argsort(dif):
            if int(j) not in used:
                used.add(int(j))
                break
        edges[e, 0 if edges[e, 0] == c else 1] = n0 + j
    top = int(mesh["cls"][inc].min())
    ring_e = np.column_stack([n0 + np.arange(k), n0 + (np.arange(k) + 1) % k])  # CCW
    mesh["edges"] = np.r_[edges, ring_e]
    mesh["cls"] = np.r_[mesh["cls"], np.full(k, top)]
    mesh["zone"] = np.r_[mesh["zone"], np.full(k, -2)]  # -2: roundabout
    mesh["line"] = np.r_[mesh["line"], np.full((k, 3), -1)]
    mesh["route_id"] = np.r_[mesh["route_id"], np.full(k, -1)]
    mesh["dead"] = np.array([c])


def _curve(xy_a, xy_b, amp, c1, c2, t):
    """Points at parameters ``t`` of the wiggled curves of edges (vectorised over rows)."""
    d = xy_b - xy_a
    nrm = np.column_stack([-d[:, 1], d[:, 0]])
    nrm /= np.maximum(np.hypot(*nrm.T), 1e-9)[:, None]
    off = amp * (c1 * np.sin(np.pi * t) + c2 * np.sin(2 * np.pi * t))
    return xy_a + d * t[:, None] + nrm * off[:, None]


def _dead_ends(rng, sc: Scale, outline, forest: _Field, st: pd.DataFrame) -> np.ndarray:
    """Ends of dead-end forest and field tracks (jittered grid, dense in forests), metres."""
    g = 600.0
    x0, y0, x1, y1 = outline.bounds
    gx, gy = np.meshgrid(np.arange(x0, x1, g), np.arange(y0, y1, g))
    x = gx.ravel() + rng.uniform(0.1, 0.9, gx.size) * g
    y = gy.ravel() + rng.uniform(0.1, 0.9, gy.size) * g
    p = np.where(forest(x, y) > 0.1, 0.45, 0.08)
    keep = (rng.uniform(size=x.size) < p) & shapely.contains_xy(outline.buffer(-200), x, y)
    x, y = x[keep], y[keep]
    d, i = cKDTree(st[["x", "y"]].to_numpy()).query(np.column_stack([x, y]))
    ok = d > st["radius"].to_numpy()[i] + 400
    return np.column_stack([x[ok], y[ok]])


def _segments(rng, mesh: dict, farms: pd.DataFrame, dead_ends: np.ndarray):
    """Split edges where tracks join, add the tracks (to farmsteads and dead-end forest
    tracks), lay out shape nodes.

    Returns node coordinates (with kinds) and segments with their polylines.
    """
    pts, edges, cls = mesh["pts"], mesh["edges"], mesh["cls"]
    xy = pts[["x", "y"]].to_numpy()
    ne = len(edges)
    a_xy, b_xy = xy[edges[:, 0]], xy[edges[:, 1]]
    length = np.hypot(*(b_xy - a_xy).T)
    frac = np.array([_WIGGLE[c][0] for c in range(7)])[cls]
    cap = np.array([_WIGGLE[c][1] for c in range(7)])[cls]
    amp = np.minimum(frac * length, cap)
    amp[mesh["zone"] == -2] = 0.0
    c1 = rng.uniform(-1, 1, ne)
    c2 = rng.uniform(-0.5, 0.5, ne)
    # farms: nearest point on a road curve (dense samples)
    m = np.maximum(1, np.ceil(length / 50.0)).astype(np.int64)
    m[mesh["zone"] == -2] = 0
    se = np.repeat(np.arange(ne), m)
    st_ = (np.arange(m.sum()) - np.repeat(np.cumsum(m) - m, m) + 0.5) / np.repeat(m, m)
    sxy = _curve(a_xy[se], b_xy[se], amp[se], c1[se], c2[se], st_)
    fxy = np.r_[farms[["x", "y"]].to_numpy(), dead_ends]
    n_spur = len(fxy)
    _, j = cKDTree(sxy).query(fxy)
    fe, ft = se[j], np.clip(st_[j], 0.1, 0.9)
    order = np.lexsort((ft, fe))
    fe, ft, ford = fe[order], ft[order], order
    # merge attachments closer than 25 m on the same edge
    new_node = np.empty(len(fe), np.int64)
    n_nodes = len(xy)
    att_e, att_t = [], []
    for k in range(len(fe)):
        if k and fe[k] == fe[k - 1] and (ft[k] - ft[k - 1]) * length[fe[k]] < 25.0:
            new_node[k] = new_node[k - 1]
            continue
        new_node[k] = n_nodes + len(att_e)
        att_e.append(fe[k])
        att_t.append(ft[k])
    att_e = np.asarray(att_e, np.int64)
    att_t = np.asarray(att_t, np.float64)
    att_xy = _curve(a_xy[att_e], b_xy[att_e], amp[att_e], c1[att_e], c2[att_e], att_t)
    farm_node0 = n_nodes + len(att_e)
    spur_nodes = farm_node0 + np.arange(n_spur)
    farm_nodes = spur_nodes[: len(farms)]
    # knots per edge: 0, attachments, 1
    k_e = np.r_[np.arange(ne), att_e, np.arange(ne)]
    k_t = np.r_[np.zeros(ne), att_t, np.ones(ne)]
    k_n = np.r_[edges[:, 0], n_nodes + np.arange(len(att_e)), edges[:, 1]]
    o = np.lexsort((k_t, k_e))
    k_e, k_t, k_n = k_e[o], k_t[o], k_n[o]
    same = k_e[:-1] == k_e[1:]
    seg_e = k_e[:-1][same]
    seg = {
        "a": k_n[:-1][same], "b": k_n[1:][same], "t0": k_t[:-1][same], "t1": k_t[1:][same],
        "parent": seg_e, "cls": cls[seg_e], "zone": mesh["zone"][seg_e],
        "route": mesh["route_id"][seg_e], "line": mesh["line"][seg_e],
    }
    # farm tracks
    fcls = np.r_[np.where(rng.uniform(size=len(farms)) < 0.75, TRACK, SERVICE),
                 np.full(len(dead_ends), TRACK)]
    attach_of_farm = np.empty(n_spur, np.int64)
    attach_of_farm[ford] = new_node
    spur = {
        "a": attach_of_farm, "b": spur_nodes, "t0": np.zeros(n_spur),
        "t1": np.ones(n_spur), "parent": np.full(n_spur, -1), "cls": fcls,
        "zone": np.full(n_spur, -1), "route": np.full(n_spur, -1),
        "line": np.full((n_spur, 3), -1),
    }
    # node table: mesh nodes, attachments, farm yards
    node_xy = np.r_[xy, att_xy, fxy]
    node_kind = np.r_[pts["kind"].to_numpy(), np.full(len(att_e), 5), np.full(len(farms), 6),
                      np.full(len(dead_ends), 8)]
    segs = {k: np.concatenate([seg[k], spur[k]]) for k in seg}
    # shape nodes
    ns = len(segs["a"])
    par = segs["parent"]
    pa = np.where(par >= 0, par, 0)
    sa_xy = np.where((par >= 0)[:, None], a_xy[pa], node_xy[segs["a"]])
    sb_xy = np.where((par >= 0)[:, None], b_xy[pa], node_xy[segs["b"]])
    s_amp = np.where(par >= 0, amp[pa], 0.0)
    spur_len = np.hypot(*(node_xy[segs["b"]] - node_xy[segs["a"]]).T)
    s_amp[par < 0] = np.minimum(0.08 * spur_len[par < 0], 25.0)
    s_c1 = np.where(par >= 0, c1[pa], rng.uniform(-1, 1, ns))
    s_c2 = np.where(par >= 0, c2[pa], 0.0)
    seglen = np.hypot(*(sb_xy - sa_xy).T) * (segs["t1"] - segs["t0"])
    step = np.array([_SHAPE_STEP[c] for c in range(7)])[segs["cls"]]
    k = np.floor(seglen / step).astype(np.int64)
    k[segs["zone"] == -2] = 0
    rep = np.repeat(np.arange(ns), k)
    jj = np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k) + 1
    tt = segs["t0"][rep] + (segs["t1"] - segs["t0"])[rep] * jj / (k[rep] + 1)
    shape_xy = _curve(sa_xy[rep], sb_xy[rep], s_amp[rep], s_c1[rep], s_c2[rep], tt)
    shape0 = len(node_xy)
    node_xy = np.r_[node_xy, shape_xy]
    node_kind = np.r_[node_kind, np.full(len(shape_xy), 7)]
    # polylines: a, shapes..., b
    plen = k + 2
    poff = np.r_[0, np.cumsum(plen)]
    poly = np.empty(poff[-1], np.int64)
    poly[poff[:-1]] = segs["a"]
    poly[poff[1:] - 1] = segs["b"]
    inner = np.ones(poff[-1], bool)
    inner[poff[:-1]] = False
    inner[poff[1:] - 1] = False
    poly[inner] = shape0 + np.arange(len(shape_xy))
    segs["poff"], segs["poly"] = poff, poly
    return node_xy, node_kind, segs, farm_nodes


def _chains(node_xy: np.ndarray, segs: dict) -> list[list[tuple[int, bool]]]:
    """Group segments into ways: follow a road through junctions when it goes straight on.

    A way continues through a node when the next segment has the same class and zone, and
    either it is the only such segment there or it turns by less than 35 degrees. Returns,
    per way, the (segment, reversed) list.
    """
    a, b = segs["a"], segs["b"]
    key = segs["cls"] * 1_000_000 + (segs["zone"] + 2)
    ns = len(a)
    adj: dict[int, list[int]] = {}
    for s in range(ns):
        adj.setdefault(int(a[s]), []).append(s)
        adj.setdefault(int(b[s]), []).append(s)
    dxy = node_xy[b] - node_xy[a]
    direc = dxy / np.maximum(np.hypot(*dxy.T), 1e-9)[:, None]
    seen = np.zeros(ns, bool)
    ways = []
    ring = np.flatnonzero(segs["zone"] == -2)  # the roundabout: one closed way, in order
    if len(ring):
        ring = ring[np.argsort(segs["parent"][ring], kind="stable")]
        ways.append([(int(s), False) for s in ring])
        seen[ring] = True
    order = np.lexsort((np.arange(ns), segs["cls"]))
    max_segs = 400
    for s0 in order:
        if seen[s0]:
            continue
        seen[s0] = True
        chain = [(int(s0), False)]
        for forward in (True, False):
            cur_s, cur_rev = int(s0), not forward
            while len(chain) < max_segs:
                node = int(a[cur_s]) if cur_rev else int(b[cur_s])
                vin = -direc[cur_s] if cur_rev else direc[cur_s]
                same = [t for t in adj[node] if t != cur_s and key[t] == key[s0]]
                if not same:
                    break
                free = [t for t in same if not seen[t]]
                if not free:
                    break
                best, best_cos = None, -2.0
                for t in free:
                    vout = direc[t] if a[t] == node else -direc[t]
                    cs = float(vin @ vout)
                    if cs > best_cos:
                        best, best_cos = t, cs
                if len(same) > 1 and best_cos < math.cos(math.radians(35)):
                    break
                seen[best] = True
                rev = bool(a[best] != node)
                if forward:
                    chain.append((best, rev))
                else:
                    chain.insert(0, (best, not rev))
                cur_s, cur_rev = best, rev
        ways.append(chain)
    return ways


def _way_nodes(segs: dict, chain) -> np.ndarray:
    poff, poly = segs["poff"], segs["poly"]
    parts = []
    for k, (s, rev) in enumerate(chain):
        p = poly[poff[s]:poff[s + 1]]
        if rev:
            p = p[::-1]
        parts.append(p if k == 0 else p[1:])
    return np.concatenate(parts)


def _tags_for_ways(rng, segs: dict, chains, st: pd.DataFrame, roads_meta: dict) -> list[dict]:
    """OSM tags of each way: highway, surface, maxspeed, name, ref, oneway, junction."""
    street_names: dict[tuple, str] = {}
    per_town_count: dict[int, int] = {}
    tags = []
    for chain in chains:
        s0 = chain[0][0]
        c = int(segs["cls"][s0])
        zone = int(segs["zone"][s0])
        t: dict[str, str] = {"highway": HIGHWAYS[c]}
        u = rng.uniform()
        town = zone >= 0 and st.at[zone, "kind"] == "town"
        if zone == -2:
            t["junction"] = "roundabout"
            t["surface"] = "asphalt"
            t["name"] = f"{st.at[0, 'name']} aplis"
        elif c in (PRIMARY, SECONDARY):
            t["surface"] = "asphalt"
            if zone >= 0:
                t["maxspeed"] = "50" if u < 0.5 else ("LV:urban" if u < 0.7 else None)
            else:
                t["maxspeed"] = "90" if u < 0.4 else ("LV:rural" if u < 0.6 else (
                    "70" if u < 0.68 else None))
            routes = [int(segs["route"][s]) for s, _ in chain if segs["route"][s] >= 0]
            if routes:
                r = int(np.bincount(routes).argmax())
                t["ref"] = f"P9{roads_meta['route_ref'][r]:02d}"
        elif c == TERTIARY:
            if zone >= 0:  # through a town: asphalt; through a village: often gravel
                t["surface"] = "asphalt" if (town or u < 0.5) else "gravel"
            else:
                t["surface"] = "asphalt" if u < 0.25 else ("gravel" if u < 0.93 else "compacted")
            if u > 0.85 and zone < 0:
                t["maxspeed"] = "LV:rural" if u > 0.93 else "70"
            routes = [int(segs["route"][s]) for s, _ in chain if segs["route"][s] >= 0]
            if routes:
                r = int(np.bincount(routes).argmax())
                t["ref"] = f"V9{roads_meta['route_ref'][r]:03d}"
        elif c == UNCLASSIFIED:
            t["surface"] = "gravel" if u < 0.82 else ("asphalt" if u < 0.88 else (
                "compacted" if u < 0.92 else None))
            if 0.6 < u < 0.64:
                t["maxspeed"] = "LV:rural"
        elif c == RESIDENTIAL:
            if town:
                t["surface"] = "asphalt" if u < 0.8 else ("paving_stones" if u < 0.85 else (
                    "gravel" if u < 0.95 else None))
            else:
                t["surface"] = "gravel" if u < 0.55 else ("asphalt" if u < 0.85 else None)
            m = rng.uniform()
            if m < 0.2:
                t["maxspeed"] = "LV:urban"
            elif m < 0.3:
                t["maxspeed"] = "30"
            elif m < 0.38:
                t["maxspeed"] = "50"
        elif c == TRACK:
            t["surface"] = "ground" if u < 0.45 else ("gravel" if u < 0.75 else (
                "dirt" if u < 0.82 else None))
            g = rng.uniform()
            if g < 0.5:
                t["tracktype"] = "grade3" if g < 0.25 else ("grade2" if g < 0.35 else "grade4")
        elif c == SERVICE:
            t["surface"] = "gravel" if u < 0.6 else ("ground" if u < 0.8 else None)
        if zone >= 0 and c != TRACK:
            line = segs["line"][s0]
            if line[0] >= 0:
                k = (int(line[0]), int(line[1]), int(line[2]))
                if k not in street_names:
                    i = per_town_count.get(zone, 0)
                    per_town_count[zone] = i + 1
                    base = _STREETS[i % len(_STREETS)]
                    extra = "" if i < len(_STREETS) else f" {i // len(_STREETS) + 1}."
                    street_names[k] = f"Demo {base}{extra} iela"
                t["name"] = street_names[k]
            elif c <= TERTIARY:
                t["name"] = f"Demo {st.at[zone, 'gen']} šoseja"
        tags.append({k: v for k, v in t.items() if v is not None})
    return tags


def _oneways(rng, segs, chains, tags, st, n_nodes: int, n_pick: int) -> None:
    """Mark a few town streets oneway, then undo any that break strong connectivity."""
    cand = [k for k, ch in enumerate(chains)
            if tags[k]["highway"] == "residential" and len(ch) >= 2
            and segs["zone"][ch[0][0]] >= 0 and st.at[int(segs["zone"][ch[0][0]]), "kind"] == "town"]
    if not cand:
        return
    pick = sorted(rng.choice(cand, size=min(n_pick, len(cand)), replace=False).tolist())
    for k in pick:
        tags[k]["oneway"] = "yes"
    seg_way = np.empty(len(segs["a"]), np.int64)
    seg_rev = np.empty(len(segs["a"]), bool)
    for k, ch in enumerate(chains):
        for s, rev in ch:
            seg_way[s] = k
            seg_rev[s] = rev
    for _ in range(10):
        one = np.array([tags[k].get("oneway") == "yes" or "junction" in tags[k]
                        for k in seg_way])
        a, b = segs["a"], segs["b"]
        fa = np.where(seg_rev, b, a)
        fb = np.where(seg_rev, a, b)
        src = np.r_[fa, fb[~one]]
        dst = np.r_[fb, fa[~one]]
        g = sparse.coo_array((np.ones(len(src)), (src, dst)), shape=(n_nodes, n_nodes)).tocsr()
        nc, lab = csgraph.connected_components(g, directed=True, connection="strong")
        used = np.zeros(n_nodes, bool)
        used[a] = used[b] = True
        big = np.bincount(lab[used]).argmax()
        bad_nodes = used & (lab != big)
        if not bad_nodes.any():
            return
        bad_ways = np.unique(seg_way[bad_nodes[a] | bad_nodes[b]])
        changed = False
        for k in bad_ways:
            if tags[k].pop("oneway", None):
                changed = True
        if not changed:
            return


# ------------------------------------------------------------------------------------------
# People, schools, broadband
# ------------------------------------------------------------------------------------------
def _people(rng, st: pd.DataFrame, farms: pd.DataFrame, pts: pd.DataFrame,
            farm_nodes_xy: np.ndarray) -> pd.DataFrame:
    """Address points with people (2021): town and village grid points, hamlets, farmsteads."""
    rows = []
    g = pts[pts["kind"] == 1]
    for k, s in st.iterrows():
        if s["kind"] == "hamlet":
            m = int(rng.integers(3, 7))
            ang = rng.uniform(0, 2 * np.pi, m)
            r = rng.uniform(40, 260, m)
            x = s["x"] + r * np.cos(ang)
            y = s["y"] + r * np.sin(ang)
            p = _largest_remainder(int(s["pop"]), rng.uniform(0.5, 1.5, m))
        else:
            gg = g[g["sid"] == k]
            d = np.hypot(gg["x"] - s["x"], gg["y"] - s["y"]).to_numpy()
            w = np.exp(-1.2 * (d / s["radius"]) ** 2) + 0.15
            w *= rng.uniform(0.6, 1.4, len(w))
            # people live in the blocks beside the crossing, not on it
            off = s["spacing"] * 0.35
            x = gg["x"].to_numpy() + off * math.cos(s["angle"] + 0.8)
            y = gg["y"].to_numpy() + off * math.sin(s["angle"] + 0.8)
            p = _largest_remainder(int(s["pop"]), w)
        rows.append(pd.DataFrame({"x": x, "y": y, "pop": p, "sid": k, "farm": -1,
                                  "urban": s["kind"] == "town"}))
    rows.append(pd.DataFrame({"x": farm_nodes_xy[:, 0] + 25.0, "y": farm_nodes_xy[:, 1] + 15.0,
                              "pop": farms["pop"].to_numpy(), "sid": -1,
                              "farm": np.arange(len(farms)), "urban": False}))
    out = pd.concat(rows, ignore_index=True)
    return out[out["pop"] > 0].reset_index(drop=True)


#: School types: (IZM "Iestādes veids", "Iestādes tips", registration-number type code, grades).
SCHOOL_TYPES = {
    "pii": ("Pirmsskolas izglītības iestāde", "Pirmsskolas izglītības iestāde", "01", ()),
    "sakumskola": ("Vispārējās izglītības iestāde", "Vispārizglītojošā sākumskola", "11",
                   tuple(range(1, 7))),
    "pamatskola": ("Vispārējās izglītības iestāde", "Vispārizglītojošā pamatskola", "12",
                   tuple(range(1, 10))),
    "vidusskola": ("Vispārējās izglītības iestāde", "Vispārizglītojošā vidusskola", "13",
                   tuple(range(1, 13))),
    "vakara": ("Vispārējās izglītības iestāde", "Vispārizglītojošā vakara (maiņu) vidusskola",
               "14", tuple(range(7, 13))),
    "neklatienes": ("Vispārējās izglītības iestāde", "Neklātienes vidusskola", "15",
                    tuple(range(7, 13))),
    "gimnazija": ("Vispārējās izglītības iestāde", "Valsts ģimnāzija", "19", tuple(range(7, 13))),
    "specpamat": ("Speciālās izglītības iestāde", "Speciālā pamatskola", "22",
                  tuple(range(1, 10))),
    "internats": ("Speciālās izglītības iestāde", "Internātskola - attīstības centrs", "24",
                  tuple(range(1, 10))),
}


_SCHOOL_WORD = {
    "pii": "pirmsskolas izglītības iestāde", "sakumskola": "sākumskola",
    "pamatskola": "pamatskola", "vidusskola": "vidusskola",
    "vakara": "vakara (maiņu) vidusskola", "neklatienes": "Tālmācības vidusskola",
    "gimnazija": "Valsts ģimnāzija", "specpamat": "speciālā pamatskola",
    "internats": "pamatskola - attīstības centrs",
}


_PII_NAMES = ("Saulīte", "Zvaniņš", "Bitīte", "Pasaciņa", "Ābelīte", "Taurenītis", "Rūķītis",
              "Cālītis", "Lāčuks", "Mārīte", "Sprīdītis", "Vāverīte")


#: Children per grade per inhabitant (Vidzeme 2022: 22,861 pupils in 12 grades, 214,157 people
#: -> 0.0089; a little more per cohort before grade 10).
_COHORT_RATE = 0.0095


#: Share of the age cohort in general education by grade band (the rest: vocational schools).
_PARTICIPATION = {"1-9": 0.96, "10-12": 0.58}


def _plan_schools(rng, st: pd.DataFrame, muni: pd.DataFrame, smuni: np.ndarray) -> pd.DataFrame:
    """Which schools exist where (type, settlement), by settlement size."""
    rows = []

    def add(sid, typ, **kw):
        rows.append({"sid": sid, "type": typ, **kw})

    towns = st.index[st["kind"] == "town"]
    centres = set(muni["seed"].tolist())
    for k in towns:
        p = int(st.at[k, "pop"])
        main = k == 0
        if main or k in centres:
            add(k, "gimnazija")
        for _ in range(max(1, round(p / 5000)) if main else 1):
            add(k, "vidusskola")
        for _ in range(round(p / 8000) if main else int(p >= 4000)):
            add(k, "pamatskola")
        for _ in range(round(p / 9000) if main else 0):
            add(k, "sakumskola")
        for _ in range(max(1, round(p / 2500))):
            add(k, "pii")
        if main:
            add(k, "internats")
            add(k, "vakara")
            add(k, "neklatienes", private=True)
            add(k, "sakumskola", private=True)
    for k in st.index[st["kind"] == "village"]:
        p = int(st.at[k, "pop"])
        u = rng.uniform()
        if p >= 650:
            add(k, "vidusskola" if u < 0.8 else "pamatskola")
        elif p >= 230:
            if u < 0.65:
                add(k, "pamatskola")
        elif p >= 120:
            if u < 0.08:
                add(k, "sakumskola")
            elif u < 0.3:
                add(k, "pamatskola")
        if p >= 400 and rng.uniform() < 0.5:
            add(k, "pii")
    # one special school per municipality, in a rural manor (hamlet)
    ham = st.index[st["kind"] == "hamlet"]
    for m in range(len(muni)):
        cand = [h for h in ham if smuni[h] == m]
        if cand:
            add(int(rng.choice(cand)), "specpamat")
    df = pd.DataFrame(rows)
    if "private" not in df:
        df["private"] = False
    df["private"] = df["private"].fillna(False).astype(bool)
    return df


def _schools(rng, st: pd.DataFrame, muni: pd.DataFrame, smuni: np.ndarray,
             people: pd.DataFrame, pts: pd.DataFrame) -> pd.DataFrame:
    """School table: ids, names, locations, pupils per grade, preschool, capacity."""
    sch = _plan_schools(rng, st, muni, smuni)
    # locations: beside a street crossing of the settlement, not the centre
    g = pts[pts["kind"] == 1]
    xs, ys = [], []
    used: set[int] = set()
    for _, r in sch.iterrows():
        s = st.loc[r["sid"]]
        if s["kind"] == "hamlet":
            a = rng.uniform(0, 2 * np.pi)
            xs.append(s["x"] + 120 * math.cos(a))
            ys.append(s["y"] + 120 * math.sin(a))
            continue
        gg = g[(g["sid"] == r["sid"])]
        d = np.hypot(gg["x"] - s["x"], gg["y"] - s["y"]).to_numpy()
        order = np.argsort(d + rng.uniform(0, s["radius"] * 0.6, len(d)))
        pick = next((int(i) for i in gg.index.to_numpy()[order] if int(i) not in used),
                    int(gg.index[order[0]]))
        used.add(pick)
        off = s["spacing"] * 0.3
        xs.append(pts.at[pick, "x"] + off * math.cos(s["angle"] - 0.7))
        ys.append(pts.at[pick, "y"] + off * math.sin(s["angle"] - 0.7))
    sch["x"], sch["y"] = xs, ys
    sch["muni"] = smuni[sch["sid"].to_numpy()]
    # pupils per grade: the children of each address point split between the schools offering
    # the grade by a gravity rule (nearest dominates; a gymnasium or secondary school pulls
    # older pupils from further away)
    grades = {g_: np.zeros(len(sch)) for g_ in range(1, 13)}
    pxy = people[["x", "y"]].to_numpy()
    lam = people["pop"].to_numpy() * _COHORT_RATE
    general = (~sch["private"]) & sch["type"].isin(["sakumskola", "pamatskola", "vidusskola",
                                                    "gimnazija"])
    for grade in range(1, 13):
        offer = np.flatnonzero(general & sch["type"].map(
            lambda t, gr=grade: gr in SCHOOL_TYPES[t][3]).to_numpy())
        if not len(offer):
            continue
        attract = sch["type"].to_numpy()[offer]
        pull = np.ones(len(offer))
        if grade >= 7:
            pull = np.where(attract == "gimnazija", 1.6 if grade >= 10 else 1.2,
                            np.where(attract == "vidusskola", 1.15, 1.0))
        d = np.hypot(pxy[:, None, 0] - sch["x"].to_numpy()[offer][None],
                     pxy[:, None, 1] - sch["y"].to_numpy()[offer][None])
        w = pull[None] * np.exp(-(d - d.min(1, keepdims=True)) / 2500.0)
        w /= w.sum(1, keepdims=True)
        part = _PARTICIPATION["10-12" if grade >= 10 else "1-9"]
        grades[grade] = np.zeros(len(sch))
        grades[grade][offer] = (w * (lam * part)[:, None]).sum(0)
    cohort = rng.lognormal(0, 0.08, 12)  # cohorts differ in size
    for grade in range(1, 13):
        expect = grades[grade] * cohort[grade - 1]
        grades[grade] = rng.poisson(expect * rng.lognormal(0, 0.12, len(sch)))
    typ = sch["type"].to_numpy()
    for k in range(len(sch)):  # special, evening, distance and private schools
        t = typ[k]
        if t in ("specpamat", "internats"):
            for gr in range(1, 10):
                grades[gr][k] = rng.poisson(4.0 if t == "specpamat" else 9.0)
        elif t == "vakara":
            for gr in range(7, 13):
                grades[gr][k] = rng.poisson(1.0 if gr < 10 else 6.0)
        elif t == "neklatienes":
            for gr in range(7, 13):
                grades[gr][k] = rng.poisson(4.0 if gr < 10 else 25.0 + 10 * (gr - 10))
        elif sch.at[k, "private"]:
            for gr in range(1, 7):
                grades[gr][k] = rng.poisson(9.0)
    for gr in range(1, 13):
        sch[f"g{gr}"] = np.asarray(grades[gr], np.int64)
    # preschool: kindergartens share the town's under-7s; many rural schools have groups
    pre_lt5 = np.zeros(len(sch), np.int64)
    pre_ge5 = np.zeros(len(sch), np.int64)
    for k in range(len(sch)):
        base = sch.loc[k, ["g1", "g2"]].mean()
        t = typ[k]
        if t == "pii":
            s = st.loc[sch.at[k, "sid"]]
            n_pii = int(((sch["sid"] == sch.at[k, "sid"]) & (sch["type"] == "pii")).sum())
            cohort_town = s["pop"] * _COHORT_RATE / n_pii
            pre_lt5[k] = rng.poisson(cohort_town * 3.2 * 0.85)
            pre_ge5[k] = rng.poisson(cohort_town * 2.0 * 0.95)
        elif t in ("sakumskola", "pamatskola") and st.at[sch.at[k, "sid"], "kind"] != "town":
            if rng.uniform() < 0.65:
                pre_lt5[k] = rng.poisson(base * 2.6)
                pre_ge5[k] = rng.poisson(base * 1.8)
        elif t == "internats":
            pre_lt5[k] = rng.poisson(3)
            pre_ge5[k] = rng.poisson(8)
    sch["pre_lt5"], sch["pre_ge5"] = pre_lt5, pre_ge5
    sch["prof"] = np.where(np.isin(typ, ["specpamat", "internats"]) & (
        rng.uniform(size=len(sch)) < 0.6), rng.poisson(8, len(sch)), 0)
    gsum = sch[[f"g{g_}" for g_ in range(1, 13)]].sum(axis=1)
    # a school with nobody left is not in the register
    sch = sch[(gsum > 0) | (typ == "pii")].reset_index(drop=True)
    typ = sch["type"].to_numpy()
    # identifiers and names
    code = sch["type"].map(lambda t: SCHOOL_TYPES[t][2])
    sch = sch.assign(_code=code).sort_values(["_code", "sid"], kind="stable").drop(
        columns="_code").reset_index(drop=True)
    typ = sch["type"].to_numpy()
    sch["reg_nr"] = [f"99{SCHOOL_TYPES[t][2]}9{k + 1:05d}" for k, t in enumerate(typ)]
    names = []
    seen: dict[str, int] = {}
    for k in range(len(sch)):
        t = typ[k]
        gen = st.at[sch.at[k, "sid"], "gen"]
        if sch.at[k, "private"] and t == "sakumskola":
            nm = f"{gen} Izdomātā privātā sākumskola"
        elif t == "neklatienes":
            nm = "Demo Izdomātā Tālmācības vidusskola"
        elif t == "pii":
            nm = f'{gen} pirmsskolas izglītības iestāde "{_PII_NAMES[k % len(_PII_NAMES)]}"'
        else:
            nm = f"{gen} {_SCHOOL_WORD[t]}"
        c = seen.get(nm, 0)
        seen[nm] = c + 1
        if c:
            nm = nm.replace(f"{gen} ", f"{gen} {c + 1}. ", 1)
        names.append(nm)
    # first of a duplicated name gets "1."
    dup = {n for n, c in seen.items() if c > 1}
    for k, nm in enumerate(names):
        if nm in dup:
            gen = st.at[sch.at[k, "sid"], "gen"]
            names[k] = nm.replace(f"{gen} ", f"{gen} 1. ", 1)
    sch["name"] = names
    gcols = [f"g{g_}" for g_ in range(1, 13)]
    sch["pupils"] = sch[gcols].sum(axis=1)
    total = sch["pupils"] + sch["pre_lt5"] + sch["pre_ge5"] + sch["prof"]
    f = rng.uniform(1.15, 1.9, len(sch))
    f[typ == "pii"] = rng.uniform(1.0, 1.25, (typ == "pii").sum())
    sch["capacity"] = (np.ceil(total * f / 10) * 10).astype(np.int64)
    dorm = np.zeros(len(sch), np.int64)
    town = st["kind"].to_numpy()[sch["sid"].to_numpy()] == "town"
    u = rng.uniform(size=len(sch))
    sec = np.isin(typ, ["vidusskola", "gimnazija"])
    dorm[sec & town & (u < 0.5)] = rng.integers(2, 7, (sec & town & (u < 0.5)).sum()) * 10
    dorm[sec & ~town & (u < 0.3)] = rng.integers(1, 4, (sec & ~town & (u < 0.3)).sum()) * 10
    spec = np.isin(typ, ["specpamat", "internats"])
    dorm[spec] = np.round(sch["pupils"].to_numpy()[spec] * 0.7).astype(np.int64)
    sch["dormitory_places"] = dorm
    # dormitories (dienesta viesnīcas) stand beside their school; boarding schools house
    # their pupils in the school itself
    ang = st["angle"].to_numpy()[sch["sid"].to_numpy()] + 1.2
    sep = np.where(sec, 70.0, 0.0)
    sch["dorm_x"] = sch["x"] + sep * np.cos(ang)
    sch["dorm_y"] = sch["y"] + sep * np.sin(ang)
    sch["dorm_name"] = [f"{n} {'dienesta viesnīca' if s_ else 'internāts'}"
                        for n, s_ in zip(sch["name"], sec, strict=True)]
    return sch


def _coverage(rng, st: pd.DataFrame, pts: pd.DataFrame, outline) -> list[dict]:
    """Operator coverage polygons (LKS-92): FTTH in towns and some villages, VDSL around
    exchanges, LTE around masts leaving rural gaps, 5G in the main town, fixed wireless."""
    g = pts[pts["kind"] == 1]
    feats = []

    def add(op, tech, down, up, geoms):
        geoms = [x for x in geoms if x is not None and not x.is_empty]
        if not geoms:
            return
        u = shapely.union_all(geoms).intersection(outline).simplify(15.0)
        if not u.is_empty:
            feats.append({"operator": op, "technology": tech, "max_download_mbps": down,
                          "max_upload_mbps": up, "geometry": u})

    ftth, vdsl, masts = [], [], []
    for k, s in st.iterrows():
        if s["kind"] == "town" or (s["kind"] == "village" and s["pop"] >= 300
                                   and rng.uniform() < 0.6):
            gg = g[g["sid"] == k]
            ftth.append(shapely.buffer(shapely.multipoints(gg[["x", "y"]].to_numpy()),
                                       s["spacing"]))
        if s["kind"] != "town" and s["pop"] >= 60 and rng.uniform() < 0.5:
            vdsl.append(shapely.Point(s["x"], s["y"]).buffer(1300))
        if s["kind"] == "town" or (s["kind"] == "village" and rng.uniform() < 0.45):
            masts.append((s["x"], s["y"]))
    x0, y0, x1, y1 = outline.bounds
    n_extra = int(outline.area / 1e6 / 450)
    for _ in range(n_extra):
        masts.append((rng.uniform(x0, x1), rng.uniform(y0, y1)))
    near = [shapely.Point(m).buffer(rng.uniform(2500, 4000)) for m in masts]
    far = [shapely.Point(m).buffer(rng.uniform(6000, 8500)) for m in masts]
    add("Demo Optika SIA", "FTTH", 1000, 1000, ftth)
    add("Demo Telekom SIA", "VDSL", 50, 10, vdsl)
    lte_near = shapely.union_all(near)
    add("Demo Mobilais SIA", "LTE", 60, 20, [lte_near])
    add("Demo Mobilais SIA", "LTE", 15, 5, [shapely.union_all(far).difference(lte_near)])
    add("Demo Mobilais SIA", "5G", 300, 50, [shapely.Point(st.at[0, "x"], st.at[0, "y"]).buffer(
        2500)])
    fwa = [shapely.Point(rng.uniform(x0, x1), rng.uniform(y0, y1)).buffer(6000)
           for _ in range(max(1, n_extra // 2))]
    add("Demo Radio SIA", "FWA", 100, 20, fwa)
    return feats


# ------------------------------------------------------------------------------------------
# Writers
# ------------------------------------------------------------------------------------------
def _to_wgs(x, y):
    lon, lat = _TO_WGS.transform(np.asarray(x, np.float64), np.asarray(y, np.float64))
    return np.round(lon, 7), np.round(lat, 7)


def _write_osm(path: Path, node_lonlat: np.ndarray, node_tags: dict[int, dict],
               ways: list[tuple[list[int] | np.ndarray, dict]],
               relations: list[tuple[list[tuple[str, int, str]], dict]]) -> None:
    """Write nodes (ids 1..n), ways and relations with pyosmium (format from the suffix)."""

    header = osmium.io.Header()
    header.set("generator", "geo.region.synth (IZDOMĀTI DATI / fictional demo data)")
    if path.exists():
        path.unlink()
    w = osmium.SimpleWriter(str(path), header=header)
    try:
        lon = node_lonlat[:, 0].tolist()
        lat = node_lonlat[:, 1].tolist()
        empty: dict = {}
        for i in range(len(lon)):
            w.add_node(Node(id=i + 1, version=1, location=(lon[i], lat[i]),
                            tags=node_tags.get(i, empty)))
        for k, (nodes, tags) in enumerate(ways):
            w.add_way(Way(id=k + 1, version=1, nodes=[int(n) + 1 for n in nodes], tags=tags))
        for k, (members, tags) in enumerate(relations):
            w.add_relation(Relation(id=k + 1, version=1, members=members, tags=tags))
    finally:
        w.close()


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip (xlsx) with fixed entry timestamps, so that the bytes are reproducible."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(2022, 12, 9, 15, 30, 36))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            data_ = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" with now()
                data_ = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)",
                               rb"\g<1>2022-12-09T15:30:37Z\g<2>", data_)
            dst.writestr(zi, data_)
    return out.getvalue()


def _save_workbook(wb, path: Path) -> None:
    wb.properties.creator = "geo.region.synth"
    wb.properties.lastModifiedBy = "geo.region.synth"
    wb.properties.title = "IZDOMĀTI DATI / fictional demo data"
    wb.properties.description = FICTION_NOTE
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    note = wb.create_sheet("Piezīme")
    note["A1"] = FICTION_NOTE
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(_fixed_zip(buf.getvalue()))


#: Columns of the IZM per-institution file (izglitojamoskvispizglprogr_pa_iestadem_01122022.xlsx).
IZM_COLUMNS = (
    "Pašvaldība", "Iestādes reģistrācijas Nr.", "Iestādes nosaukums", "Iestādes veids",
    "Iestādes tips", "Pakļautība", "Faktiskais dibinātājs", "Adreses ATVK kods",
    "Izglītojamo skaits vecumā līdz 5 gadu vecumam", "Izglītojamo skaits vecumā 5 gadi un vairāk",
    "Izglītojamo skaits pirmsskolā kopā", *[f"{g}. klase" for g in range(1, 13)],
    "Kopā 1.-12.klasē",
    "Profesionālās pamatizglītības programmās pie speciālās izglītības iestādēm",
    "Kopējais izglītojamo skaits",
)


#: Columns of the IZM contact list (ml_visparizgl_izgl_iest_kontaktinfo_01092022_0.xlsx), row 4.
CONTACT_COLUMNS = (
    "N.p.k.", "Novads/valstspilsēta", "Iestādes reģistrācijas Nr.", "Iestādes nosaukums",
    "Pakļautība", "Iestādes veids", "Iestādes tips", "Adrese", "Epasts", "Tālrunis", "Direktors",
    "Bērnu skaits pirmsskolas programmās", "Izglītojamo skaits 1. - 12. klasē",
)


def _izm_rows(sch: pd.DataFrame, st: pd.DataFrame, muni: pd.DataFrame) -> pd.DataFrame:
    typ = sch["type"].to_numpy()
    mname = muni["name"].to_numpy()[sch["muni"].to_numpy()]
    atvk = []
    for k in range(len(sch)):
        m = int(sch.at[k, "muni"]) + 1
        sid = int(sch.at[k, "sid"])
        local = 0 if st.at[sid, "kind"] == "town" else 10 + sid % 89
        atvk.append(f"99{m}{local:02d}0")
    pre_total = sch["pre_lt5"] + sch["pre_ge5"]
    df = pd.DataFrame({
        "Pašvaldība": [n.upper() for n in mname],
        "Iestādes reģistrācijas Nr.": sch["reg_nr"],
        "Iestādes nosaukums": sch["name"],
        "Iestādes veids": [SCHOOL_TYPES[t][0] for t in typ],
        "Iestādes tips": [SCHOOL_TYPES[t][1] for t in typ],
        "Pakļautība": np.where(sch["private"], "Juridiska vai fiziska persona", "Pašvaldība "),
        "Faktiskais dibinātājs": [
            'Biedrība "Demo izglītības biedrība"' if p else f"{g} novada pašvaldība"
            for p, g in zip(sch["private"], muni["gen"].to_numpy()[sch["muni"].to_numpy()],
                            strict=True)],
        "Adreses ATVK kods": atvk,
        IZM_COLUMNS[8]: sch["pre_lt5"], IZM_COLUMNS[9]: sch["pre_ge5"],
        IZM_COLUMNS[10]: pre_total,
    })
    for g in range(1, 13):
        df[f"{g}. klase"] = sch[f"g{g}"]
    df["Kopā 1.-12.klasē"] = sch["pupils"]
    df[IZM_COLUMNS[24]] = sch["prof"]
    df["Kopējais izglītojamo skaits"] = pre_total + sch["pupils"] + sch["prof"]
    df = df.sort_values(["Pašvaldība", "Iestādes reģistrācijas Nr."], kind="stable")
    return df.reset_index(drop=True)


def _write_izm(path: Path, df: pd.DataFrame) -> None:

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(list(IZM_COLUMNS))
    for row in df.itertuples(index=False):
        ws.append([v.item() if hasattr(v, "item") else v for v in row])
    ws.column_dimensions["A"].width = 9.140625
    _save_workbook(wb, path)


def _write_contacts(path: Path, rng, sch: pd.DataFrame, st: pd.DataFrame,
                    muni: pd.DataFrame) -> None:

    gen = sch[sch["type"] != "pii"].sort_values("reg_nr").reset_index(drop=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = ("Izglītības iestāžu, kas īsteno vispārējās pamata un vidējās izglītības "
                "programmas,  kontaktinformācija 2022./2023.m.g. sākumā (IZDOMĀTI DATI)")
    ws["A1"].font = Font(name="Calibri", size=14, bold=True)
    ws["A2"] = ("Izdomāti demonstrācijas dati (geo.region.synth), nevis Valsts izglītības informācijas "
                "sistēmas dati. / Fictional demo data, not from the state register.")
    thin = Side(style="thin")
    ws.append([])
    ws.append(list(CONTACT_COLUMNS))
    for c in ws[4]:
        c.font = Font(name="Calibri", size=11, bold=True)
        c.alignment = Alignment(wrap_text=True)
        c.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.row_dimensions[4].height = 48.0
    for k, r in gen.iterrows():
        s = st.loc[r["sid"]]
        m = muni.at[int(r["muni"]), "name"].upper()
        street = f"DEMO {_STREETS[k % 12].upper()} IELA {1 + k % 40}"
        post = f"LV-9{int(r['muni']) + 1}{int(r['sid']) % 100:02d}"
        if s["kind"] == "town":
            addr = f"{street}, {s['name'].upper()}, {m}, {post}"
        else:
            addr = f"{street}, {s['name'].upper()}, {s['gen'].upper()} PAGASTS, {m}, {post}"
        given, fam = _GIVEN[k % len(_GIVEN)]
        mail = f"info@{_slug(r['name'])[:40]}.example"
        noise = int(rng.integers(-3, 4))
        ws.append([
            k + 1, m, r["reg_nr"], r["name"],
            "Juridiska vai fiziska persona" if r["private"] else "Pašvaldība ",
            SCHOOL_TYPES[r["type"]][0], SCHOOL_TYPES[r["type"]][1], addr, mail,
            f"0000{k + 1:04d}", f"{given} {fam}",
            int(max(0, r["pre_lt5"] + r["pre_ge5"] + int(rng.integers(-2, 3)))),
            int(max(0, r["pupils"] + noise)),
        ])
    widths = (5.83203125, 24.6640625, 11.83203125, 62.83203125, 25.83203125, 41.5, 36.83203125,
              85.83203125, 36.83203125, 36.33203125, 26.5, 22.5, 16.83203125)
    for col, wdt in zip("ABCDEFGHIJKLM", widths, strict=True):
        ws.column_dimensions[col].width = wdt
    _save_workbook(wb, path)


def _write_parquet(path: Path, df: pd.DataFrame) -> None:

    t = pa.Table.from_pandas(df, preserve_index=False)
    meta = dict(t.schema.metadata or {})
    meta[b"note"] = FICTION_NOTE.encode()
    pq.write_table(t.replace_schema_metadata(meta), path, compression="snappy")


def _geojson(path: Path, name: str, features: list[dict]) -> None:
    """Write a GeoJSON FeatureCollection (WGS84, CRS84 named like the real files)."""
    doc = {
        "type": "FeatureCollection", "name": name,
        "note": FICTION_NOTE,
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features": features,
    }
    path.write_text(json.dumps(doc, ensure_ascii=False, separators=(", ", ": ")),
                    encoding="utf-8")


def _geom_wgs(geom, ndigits: int) -> dict:
    def tr(xy):
        lon, lat = _TO_WGS.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([np.round(lon, ndigits), np.round(lat, ndigits)])

    g = shapely.transform(geom, tr)
    return json.loads(shapely.to_geojson(g))


# ------------------------------------------------------------------------------------------
# Population grids
# ------------------------------------------------------------------------------------------
CENSUS_COLUMNS = (
    "T", "M", "F", "Y_LT15", "Y_1564", "Y_GE65", "EMP", "NAT", "EU_OTH", "OTH", "SAME",
    "CHG_IN", "CHG_OUT",
)


def _census_cells(rng, people: pd.DataFrame) -> pd.DataFrame:
    """Census 2021 1 km cells (EPSG:3035 lower-left E, N) with all columns and suppression."""
    e, n = _TO_LAEA.transform(people["x"].to_numpy(), people["y"].to_numpy())
    E = (np.floor(e / 1000) * 1000).astype(np.int64)
    N = (np.floor(n / 1000) * 1000).astype(np.int64)
    cells = pd.DataFrame({"E": E, "N": N, "T": people["pop"].to_numpy(),
                          "U": people["pop"].to_numpy() * people["urban"].to_numpy()})
    cells = cells.groupby(["E", "N"], sort=True).sum().reset_index()
    T = cells["T"].to_numpy()
    urb = cells["U"].to_numpy() / np.maximum(T, 1)
    b = rng.binomial
    y15 = b(T, 0.13 + 0.025 * urb)
    y65 = b(T - y15, 0.25)
    y1564 = T - y15 - y65
    M = b(T, 0.465)
    nat = b(T, 0.965)
    eu = b(T - nat, 0.12)
    same = b(T, 0.955)
    chg_in = b(T - same, 0.9)
    vals = {"T": T, "M": M, "F": T - M, "Y_LT15": y15, "Y_1564": y1564, "Y_GE65": y65,
            "EMP": b(y1564, 0.66), "NAT": nat, "EU_OTH": eu, "OTH": T - nat - eu, "SAME": same,
            "CHG_IN": chg_in, "CHG_OUT": T - same - chg_in}
    small = T <= 10
    for c in CENSUS_COLUMNS[1:]:  # disclosure control: small perturbation, then suppression
        v = vals[c] + rng.integers(-2, 3, len(T)) * (rng.uniform(size=len(T)) < 0.4)
        v = np.maximum(v, 0)
        v[small] = 0
        cells[c] = v.astype(np.int64)
        cells[f"{c}_CI"] = small.astype(np.int64)
    cells["LAND_SURFACE"] = np.round(1.0 - rng.beta(0.6, 12.0, len(T)), 6)
    cells["T_CI"] = np.zeros(len(T), np.int64)
    cells["nb"] = np.ones(len(T), np.int64)
    cells["urban"] = urb
    return cells


def _tiles(df: pd.DataFrame, cell: int, tile_cells: int):
    """Split cells (lower-left E, N in metres) into tiles: yields (X, Y, frame with x, y)."""
    ix = df["E"].to_numpy() // cell
    iy = df["N"].to_numpy() // cell
    X, Y = ix // tile_cells, iy // tile_cells
    out = df.assign(x=ix % tile_cells, y=iy % tile_cells, _X=X, _Y=Y)
    for (tx, ty), g in out.groupby(["_X", "_Y"], sort=True):
        yield int(tx), int(ty), g


def _write_census(folder: Path, cells: pd.DataFrame) -> list[Path]:
    cols = ["x", "y", *CENSUS_COLUMNS[:13], "LAND_SURFACE", *[f"{c}_CI" for c in
                                                              CENSUS_COLUMNS], "nb"]
    folder.mkdir(parents=True)
    out = []
    for tx, ty, g in _tiles(cells, 1000, 256):
        g = g.sort_values(["y", "x"])[cols].reset_index(drop=True)
        p = folder / f"{tx}_{ty}.parquet"
        _write_parquet(p, g)
        out.append(p)
    return out


#: Population relative to 2021 in earlier years, rural and urban cells (Vidzeme: 2011 248,217;
#: 2018 220,126; 2021 214,157 -- rural areas lost more).
_BACKCAST = {2011: (1.17, 1.09), 2018: (1.035, 1.015)}


def _popgrid_years(rng, cells: pd.DataFrame) -> dict[int, pd.DataFrame]:
    """GEOSTAT-style totals per cell for 2011, 2018 and 2021 (declining rural population)."""
    out = {2021: cells[["E", "N", "T"]].copy()}
    T = cells["T"].to_numpy()
    urb = cells["urban"].to_numpy()
    # cells emptied since 2011: a few small farmsteads that were inhabited then
    ghosts = cells[(T <= 6) & (urb == 0)].sample(frac=0.25, random_state=rng.integers(2**31))
    dE = rng.choice([-1000, 1000], len(ghosts))
    ghosts = pd.DataFrame({"E": ghosts["E"].to_numpy() + dE, "N": ghosts["N"].to_numpy()})
    ghosts = ghosts[~ghosts.set_index(["E", "N"]).index.isin(
        cells.set_index(["E", "N"]).index)].drop_duplicates()
    for year, (rural, urban) in _BACKCAST.items():
        f = rural + (urban - rural) * urb
        t = rng.poisson(T * f * rng.lognormal(0, 0.03, len(T)))
        df = pd.DataFrame({"E": cells["E"], "N": cells["N"], "T": np.maximum(t, T > 0)})
        keep = 1.0 if year == 2011 else 0.4
        gh = ghosts.sample(frac=keep, random_state=int(year))
        gh = gh.assign(T=1 + rng.poisson(1.5, len(gh)))
        out[year] = pd.concat([df, gh]).sort_values(["N", "E"]).reset_index(drop=True)
    return dict(sorted(out.items()))


def _write_popgrid(folder: Path, years: dict[int, pd.DataFrame]) -> list[Path]:
    folder.mkdir(parents=True)
    out = []
    for year, df in years.items():
        df = df[df["T"] > 0].assign(CNTR_ID="LV")
        for tx, ty, g in _tiles(df, 1000, 512):
            g = g.sort_values(["y", "x"])[["x", "y", "T", "CNTR_ID"]].reset_index(drop=True)
            g["T"] = g["T"].astype(np.int64)
            p = folder / f"{year}_{tx}_{ty}.parquet"
            _write_parquet(p, g)
            out.append(p)
    return out


def _ookla(rng, people: pd.DataFrame, coverage: list[dict]) -> pd.DataFrame:
    """Ookla-style 350 m cells: tests where people live, speeds from the best technology."""
    e, n = _TO_LAEA.transform(people["x"].to_numpy(), people["y"].to_numpy())
    E = (np.floor(e / 350) * 350).astype(np.int64)
    N = (np.floor(n / 350) * 350).astype(np.int64)
    c = pd.DataFrame({"E": E, "N": N, "pop": people["pop"].to_numpy(),
                      "x3059": people["x"].to_numpy(), "y3059": people["y"].to_numpy()})
    c = c.groupby(["E", "N"], sort=True).agg(pop=("pop", "sum"), x=("x3059", "mean"),
                                             y=("y3059", "mean")).reset_index()
    tests = rng.poisson(c["pop"].to_numpy() * 0.02)
    c = c[tests > 0].assign(tests=tests[tests > 0]).reset_index(drop=True)
    # best fixed technology at the cell: FTTH > VDSL > FWA > LTE > none (satellite, old DSL)
    tech = np.full(len(c), "none", dtype=object)
    for name in ("LTE", "FWA", "VDSL", "FTTH"):
        for f in coverage:
            if f["technology"] == name and (name != "LTE" or f["max_download_mbps"] >= 30):
                tech[shapely.contains_xy(f["geometry"], c["x"], c["y"])] = name
    med = {"FTTH": (140e3, 0.75, 14), "VDSL": (35e3, 0.45, 22), "FWA": (45e3, 0.6, 28),
           "LTE": (25e3, 0.7, 35), "none": (8e3, 0.8, 45)}
    upf = {"FTTH": 0.6, "VDSL": 0.25, "FWA": 0.3, "LTE": 0.35, "none": 0.3}
    d = np.array([med[t][0] for t in tech]) * np.exp(
        rng.normal(0, 1, len(c)) * np.array([med[t][1] for t in tech]))
    u = d * np.array([upf[t] for t in tech]) * rng.lognormal(0, 0.5, len(c))
    lat = np.array([med[t][2] for t in tech]) * rng.lognormal(0, 0.35, len(c))
    c["avg_d_kbps"] = np.round(d).astype(np.int64)
    c["avg_u_kbps"] = np.round(u).astype(np.int64)
    c["avg_lat_ms"] = np.maximum(2, np.round(lat)).astype(np.int64)
    c["devices"] = np.minimum(c["tests"], 1 + rng.poisson(c["tests"] * 0.2)).astype(np.int64)
    c["tech"] = tech
    return c


def _write_ookla(folder: Path, cells: pd.DataFrame) -> list[Path]:
    folder.mkdir(parents=True)
    cols = ["x", "y", "avg_d_kbps", "avg_u_kbps", "avg_lat_ms", "tests", "devices"]
    out = []
    for tx, ty, g in _tiles(cells, 350, 128):
        p = folder / f"{tx}_{ty}.csv"
        g.sort_values(["x", "y"])[cols].to_csv(p, index=False, lineterminator="\n")
        out.append(p)
    return out


# ------------------------------------------------------------------------------------------
# Generation
# ------------------------------------------------------------------------------------------
def _osm_content(rng, m: _Model, mesh: dict, node_xy, segs, farm_nodes, chains, way_tags):
    """Assemble the OSM nodes, ways and relations (0-based node positions)."""
    st, sch = m.settlements, m.schools
    n0 = len(node_xy)
    dead = set(mesh.get("dead", np.array([], int)).tolist())
    extra_xy: list[tuple[float, float]] = []
    node_tags: dict[int, dict] = {}

    def new_node(x, y, tags=None):
        k = n0 + len(extra_xy)
        extra_xy.append((x, y))
        if tags:
            node_tags[k] = tags
        return k

    ways = [(_way_nodes(segs, ch), t) for ch, t in zip(chains, way_tags, strict=True)]
    rels = []
    # places
    for _, s in st.iterrows():
        node_tags_ = {"place": s["kind"], "name": s["name"], "population": str(int(s["pop"])),
                      "note": "Izdomāta vieta (fictional demo place)"}
        if s["kind"] != "hamlet":
            node_tags_["is_in"] = m.municipalities.at[int(s["muni"]), "name"]
        new_node(s["x"] + 8.0, s["y"] + 8.0, node_tags_)
    for k, f in m.farms.iterrows():
        new_node(node_xy[farm_nodes[k], 0] + 25.0, node_xy[farm_nodes[k], 1] + 15.0,
                 {"place": "isolated_dwelling", "name": f["name"],
                  "population": str(int(f["pop"]))})

    def building(x, y, w, h, ang, tags):
        ca, sa = math.cos(ang), math.sin(ang)
        corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
        ids = [new_node(x + ca * u - sa * v, y + sa * u + ca * v) for u, v in corners]
        ways.append((ids + [ids[0]], tags))
        return len(ways) - 1

    isced = {"sakumskola": "1", "pamatskola": "1;2", "vidusskola": "1;2;3",
             "gimnazija": "2;3", "vakara": "2;3", "specpamat": "1;2", "internats": "1;2"}
    in_osm = rng.uniform(size=len(sch)) > 0.06
    as_relation = None
    for k, r in sch.iterrows():
        t = r["type"]
        if t == "neklatienes" or not in_osm[k]:
            continue
        ang = float(st.at[r["sid"], "angle"])
        if t == "pii":
            new_node(r["x"], r["y"], {"amenity": "kindergarten", "name": r["name"]})
            continue
        tags = {"amenity": "school", "name": _osm_name(r["name"], rng)}
        if rng.uniform() < 0.65:
            tags["isced:level"] = isced[t]
        if t == "gimnazija" and as_relation is None:
            as_relation = k
            outer = building(r["x"], r["y"], 90.0, 60.0, ang, {})
            rels.append(([("w", outer + 1, "outer")], {"type": "multipolygon", **tags}))
        elif rng.uniform() < 0.45:
            building(r["x"], r["y"], 48.0, 22.0, ang, {"building": "school", **tags})
        else:
            new_node(r["x"], r["y"], tags)
        if r["dormitory_places"] > 0 and t in ("vidusskola", "gimnazija"):
            dname = r["dorm_name"]
            if rng.uniform() < 0.5:
                new_node(r["dorm_x"], r["dorm_y"], {"amenity": "dormitory", "name": dname})
            else:
                building(r["dorm_x"], r["dorm_y"], 30.0, 14.0, ang,
                         {"building": "dormitory", "name": dname})
    s0 = st.iloc[0]
    new_node(s0["x"] - 60.0, s0["y"] + 90.0, {"amenity": "music_school",
                                                "name": f"{s0['gen']} mūzikas skola"})
    # deliberate details: footways across blocks in the main town (walk network only), a
    # private drive, and a forest track with no connection (mapped but disconnected)
    pts = mesh["pts"]
    g = pts[(pts["kind"] == 1) & (pts["sid"] == 0)]
    lut = {(int(a), int(b)): int(i) for i, a, b in zip(g.index, g["gi"], g["gj"], strict=True)}
    for (i, j), a in list(lut.items())[:: max(1, len(lut) // 6)]:
        b = lut.get((i + 1, j + 1))
        if b is not None and a not in dead and b not in dead:
            ways.append(([a, b], {"highway": "footway", "surface": "paving_stones"}))
    f0 = int(farm_nodes[0])
    p = new_node(node_xy[f0, 0] + 60.0, node_xy[f0, 1] - 80.0)
    ways.append(([f0, p], {"highway": "service", "access": "private"}))
    fx, fy = node_xy[farm_nodes[-1]]
    iso = [new_node(fx + 300.0 + 150 * k, fy + 400.0 + 40 * k) for k in range(3)]
    ways.append((iso, {"highway": "track", "surface": "ground", "tracktype": "grade4"}))
    all_xy = np.r_[node_xy, np.asarray(extra_xy).reshape(-1, 2)]
    return all_xy, node_tags, ways, rels, dead


def _osm_name(name: str, rng) -> str:
    """The name as an OSM mapper may have typed it (a quarter differ from the registry)."""
    u = rng.uniform()
    if u > 0.25:
        return name
    words = name.split(" ")
    if "Valsts ģimnāzija" in name and u < 0.08:
        return name.replace("Valsts ģimnāzija", "ģimnāzija")
    if re.search(r"\d\. ", name) and u < 0.16:
        return re.sub(r"(\d)\. ", r"\1.", name)
    return " ".join(words[:-1] + [words[-1][:1].upper() + words[-1][1:]])


def _renumber(all_xy, node_tags, ways, rels, dead):
    """Drop unused nodes and renumber the rest 0..n-1 in order."""
    used = np.zeros(len(all_xy), bool)
    for nodes, _ in ways:
        used[np.asarray(nodes, np.int64)] = True
    used[list(node_tags)] = True
    if dead:
        used[list(dead)] = False
    new = np.cumsum(used) - 1
    ways = [(new[np.asarray(nodes, np.int64)], t) for nodes, t in ways]
    node_tags = {int(new[k]): v for k, v in sorted(node_tags.items()) if used[k]}
    return all_xy[used], node_tags, ways, rels


def _network_nodes(ways, drive: set[str]) -> int:
    """Nodes the engine keeps: way ends, and nodes used 2+ times by drivable ways."""
    refs = [np.asarray(n) for n, t in ways if t.get("highway") in drive
            and t.get("access") not in settings.NO_ACCESS]
    if not refs:
        return 0
    allr = np.concatenate(refs)
    ends = np.concatenate([[r[0], r[-1]] for r in refs])
    u, c = np.unique(allr, return_counts=True)
    return int(np.union1d(u[c >= 2], ends).size)


def generate(
    out_dir: str | Path,
    *,
    scale: str = "demo",
    seed: int = 0,
    progress: Callable[[int, int, str], None] | None = None,
    osm_formats: tuple[str, ...] = ("pbf",),
) -> dict:
    """Generate the fictional demo region into a folder.

    Parameters
    ----------
    out_dir : str or Path
        Output folder. Written through a temporary folder that replaces ``out_dir`` only when
        every file is written (a failure leaves an existing ``out_dir`` untouched).
    scale : {"demo", "vidzeme"}, default "demo"
        ``demo``: about 2,000 km2 (seconds); ``vidzeme``: about 16,000 km2 and well over
        100,000 network nodes (benchmarks; under a minute). See :data:`SCALES`.
    seed : int, default 0
        Random seed; the same ``(scale, seed)`` gives byte-identical files.
    progress : callable, optional
        Called as ``progress(step, n_steps, message)`` before each step.
    osm_formats : tuple of {"pbf", "xml"}, default ("pbf",)
        OSM file formats to write (``osm/demo.osm.pbf``, ``osm/demo.osm``).

    Returns
    -------
    dict
        ``files`` (layer -> path or list of paths, relative to ``out_dir``), ``out_dir``, and
        size figures: ``area_km2``, ``municipalities``, ``settlements`` (by place kind),
        ``farmsteads``, ``osm_nodes``, ``osm_ways``, ``road_km`` (by highway class),
        ``network_nodes`` (way ends and shared nodes of the drivable ways: the node count of
        the engine's graph before its largest-component step), ``schools`` (by IZM type),
        ``pupils`` (grades 1-12), ``population`` (per year), ``census_cells``,
        ``ookla_cells``, ``seconds``.

    Raises
    ------
    GeoInputError
        Unknown scale or OSM format.
    """
    t_start = time.perf_counter()
    if scale not in SCALES:
        raise GeoInputError(f"unknown scale {scale!r}.", fix=f"use one of {sorted(SCALES)}.")
    bad = [f for f in osm_formats if f not in ("pbf", "xml")]
    if bad or not osm_formats:
        raise GeoInputError(f"unknown OSM format(s) {bad}.", fix="use 'pbf' and/or 'xml'.")
    sc = SCALES[scale]
    steps = ["region and settlements", "road mesh", "ways and tags", "people and schools",
             "broadband", "OSM file", "school registers", "population grids", "broadband files",
             "boundaries"]

    def step(k):
        if progress is not None:
            progress(k, len(steps), steps[k])

    out_dir = Path(out_dir)
    step(0)
    outline = _outline(_rng(seed, 1), sc)
    forest = _Field(_rng(seed, 2), (4000.0, 25000.0), 28)
    st = _settlements(_rng(seed, 3), sc, outline, forest)
    farms = _farms(_rng(seed, 4), sc, outline, forest, st)
    muni = _municipalities(_rng(seed, 5), sc, outline, st)
    st["muni"] = _assign_muni(muni, st["x"].to_numpy(), st["y"].to_numpy())
    m = _Model(scale=sc, outline=outline, forest=forest, settlements=st, farms=farms,
               municipalities=muni)
    step(1)
    mesh = _build_mesh(_rng(seed, 6), sc, outline, forest, st)
    _roundabout(mesh, st)
    ends = _dead_ends(_rng(seed, 18), sc, outline, forest, st)
    node_xy, node_kind, segs, farm_nodes = _segments(_rng(seed, 7), mesh, farms, ends)
    step(2)
    chains = _chains(node_xy, segs)
    # refs: number the routes by class
    routes = mesh["routes"]
    route_ref = np.zeros(len(routes), np.int64)
    count = {PRIMARY: 0, SECONDARY: 0, TERTIARY: 0, UNCLASSIFIED: 0}
    for r, (_a, _b, c) in enumerate(routes):
        count[c] += 1
        route_ref[r] = count[c] + (0 if c == PRIMARY else 20 if c == SECONDARY else 0)
    way_tags = _tags_for_ways(_rng(seed, 8), segs, chains, st, {"route_ref": route_ref})
    _oneways(_rng(seed, 9), segs, chains, way_tags, st, len(node_xy),
             n_pick=6 if scale == "demo" else 30)
    step(3)
    people = _people(_rng(seed, 10), st, farms, mesh["pts"], node_xy[farm_nodes])
    m.people = people
    m.schools = _schools(_rng(seed, 11), st, muni, st["muni"].to_numpy(), people, mesh["pts"])
    step(4)
    m.coverage = _coverage(_rng(seed, 12), st, mesh["pts"], outline)
    ookla = _ookla(_rng(seed, 13), people, m.coverage)

    files: dict = {}
    with atomic_dir(out_dir) as tmp:
        step(5)
        all_xy, node_tags, ways, rels, dead = _osm_content(
            _rng(seed, 14), m, mesh, node_xy, segs, farm_nodes, chains, way_tags)
        all_xy, node_tags, ways, rels = _renumber(all_xy, node_tags, ways, rels, dead)
        lon, lat = _to_wgs(all_xy[:, 0], all_xy[:, 1])
        lonlat = np.column_stack([lon, lat])
        (tmp / "osm").mkdir()
        files["osm"] = []
        for fmt in osm_formats:
            p = tmp / "osm" / ("demo.osm.pbf" if fmt == "pbf" else "demo.osm")
            _write_osm(p, lonlat, node_tags, ways, rels)
            files["osm"].append(p)
        files["osm"] = files["osm"][0] if len(files["osm"]) == 1 else files["osm"]
        step(6)
        sdir = tmp / "schools"
        sdir.mkdir()
        izm = _izm_rows(m.schools, st, muni)
        files["izm_pupils"] = sdir / "demo_izglitojamoskvispizglprogr_pa_iestadem_01122022.xlsx"
        _write_izm(files["izm_pupils"], izm)
        files["izm_contacts"] = sdir / "demo_ml_visparizgl_izgl_iest_kontaktinfo_01092022.xlsx"
        _write_contacts(files["izm_contacts"], _rng(seed, 15), m.schools, st, muni)
        # the planner's tables cover schools (grades 1-12), not kindergartens
        gen = m.schools[m.schools["pupils"] > 0]
        slon, slat = _to_wgs(gen["x"], gen["y"])
        loc = pd.DataFrame({"reg_nr": gen["reg_nr"], "name": gen["name"],
                            "lat": np.round(slat, 6), "lon": np.round(slon, 6)})
        files["school_locations"] = sdir / "school_locations.csv"
        loc.sort_values("reg_nr").to_csv(files["school_locations"], index=False,
                                         lineterminator="\n")
        files["school_capacity"] = sdir / "school_capacity.csv"
        gen[["reg_nr", "capacity", "dormitory_places"]].sort_values("reg_nr").to_csv(
            files["school_capacity"], index=False, lineterminator="\n")
        dm = m.schools[m.schools["dormitory_places"] > 0]
        dlon, dlat = _to_wgs(dm["dorm_x"], dm["dorm_y"])
        files["dormitories"] = sdir / "dormitories.csv"
        pd.DataFrame({"reg_nr": dm["reg_nr"], "name": dm["dorm_name"],
                      "places": dm["dormitory_places"], "lat": np.round(dlat, 6),
                      "lon": np.round(dlon, 6)}).sort_values("reg_nr").to_csv(
            files["dormitories"], index=False, lineterminator="\n")
        step(7)
        cells = _census_cells(_rng(seed, 16), people)
        pdir = tmp / "population"
        files["census"] = _write_census(pdir / "census2021_1km_tiles", cells)
        years = _popgrid_years(_rng(seed, 17), cells)
        files["popgrid"] = _write_popgrid(pdir / "geostat_popgrid_tiles", years)
        step(8)
        bdir = tmp / "broadband"
        files["ookla"] = _write_ookla(bdir / "ookla_fixed_2023q2_350m_tiles", ookla)
        files["coverage"] = bdir / "coverage_operators_2023.geojson"
        _geojson(files["coverage"], "demo_broadband_coverage", [
            {"type": "Feature", "properties": {k: v for k, v in f.items() if k != "geometry"},
             "geometry": _geom_wgs(f["geometry"], 6)} for f in m.coverage])
        step(9)
        (tmp / "boundaries").mkdir()
        files["boundaries"] = tmp / "boundaries" / "municipalities.geojson"
        _geojson(files["boundaries"], "demo_municipalities", [
            {"type": "Feature",
             "properties": {"id": r["id"], "name": r["name"], "territory": "demo"},
             "geometry": _geom_wgs(r["geometry"], 4)} for _, r in muni.iterrows()])
        (tmp / "README.txt").write_text(
            f"{FICTION_NOTE}\n\nscale={scale} seed={seed}\n"
            "Layout mirrors ../shared/data/vidzeme; see geo/synth.py for the model.\n",
            encoding="utf-8")
        for sub in ("schools", "broadband"):
            (tmp / sub / "README.txt").write_text(FICTION_NOTE + "\n", encoding="utf-8")

    def rel(p):
        if isinstance(p, list):
            return [rel(q) for q in p]
        return out_dir / Path(p).relative_to(tmp)

    files = {k: rel(v) for k, v in files.items()}
    # size figures
    road_km: dict[str, float] = {}
    for nodes, t in ways:
        hw = t.get("highway")
        if hw is None:
            continue
        xy = all_xy[np.asarray(nodes)]
        road_km[hw] = road_km.get(hw, 0.0) + float(np.hypot(*np.diff(xy, axis=0).T).sum()) / 1e3
    drive = set(settings.DRIVE_HIGHWAYS)
    sch = m.schools
    pop_years = {int(y): int(df["T"].sum()) for y, df in years.items()}
    summary = {
        "out_dir": out_dir,
        "scale": scale,
        "seed": seed,
        "area_km2": round(outline.area / 1e6, 1),
        "municipalities": len(muni),
        "settlements": {k: int((st["kind"] == k).sum()) for k in ("town", "village", "hamlet")},
        "farmsteads": len(farms),
        "osm_nodes": len(all_xy),
        "osm_ways": len(ways),
        "osm_relations": len(rels),
        "road_km": {k: round(v, 1) for k, v in sorted(road_km.items(), key=lambda kv: -kv[1])},
        "network_nodes": _network_nodes(ways, drive),
        "schools": {SCHOOL_TYPES[t][1]: int((sch["type"] == t).sum()) for t in SCHOOL_TYPES
                    if (sch["type"] == t).any()},
        "pupils": int(sch["pupils"].sum()),
        "population": pop_years,
        "census_cells": len(cells),
        "ookla_cells": len(ookla),
        "files": files,
        "seconds": round(time.perf_counter() - t_start, 2),
    }
    return summary


def format_summary(s: dict) -> str:
    """The size figures of :func:`generate` as readable lines."""
    lines = [
        f"Demo region (fictional) scale={s['scale']} seed={s['seed']} -> {s['out_dir']}",
        f"  area {s['area_km2']:,.0f} km2, {s['municipalities']} municipalities, settlements "
        + ", ".join(f"{v} {k}s" for k, v in s["settlements"].items())
        + f", {s['farmsteads']:,} farmsteads",
        f"  OSM: {s['osm_nodes']:,} nodes, {s['osm_ways']:,} ways, {s['osm_relations']} "
        f"relations; network nodes (way ends + shared): {s['network_nodes']:,}",
        "  road km: " + ", ".join(f"{k} {v:,.0f}" for k, v in s["road_km"].items()),
        "  schools: " + ", ".join(f"{k} {v}" for k, v in s["schools"].items()),
        f"  pupils (grades 1-12): {s['pupils']:,}",
        "  population: " + ", ".join(f"{y} {v:,}" for y, v in s["population"].items()),
        f"  census cells {s['census_cells']:,}, Ookla cells {s['ookla_cells']:,}",
        f"  generated in {s['seconds']:.1f} s",
    ]
    return "\n".join(lines)
