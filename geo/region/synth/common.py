"""Shared pieces of the demo generator: scales, fictional names, random helpers, the region model and small file writers."""

from __future__ import annotations

import datetime as _dt
import io
import json
import math
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyproj
import shapely
from scipy.spatial import cKDTree

from geo import settings

#: The note every file carries (Latvian / English).
FICTION_NOTE = (
    "IZDOMĀTI DATI: fiktīvs demonstrācijas reģions, ko ģenerējis geo.region.synth; visi nosaukumi, "
    "numuri, adreses un skaitļi ir izdomāti. / FICTIONAL DATA: a made-up demo region generated "
    "by geo.region.synth; every name, number, address and figure is invented."
)


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
    town_pop : tuple of int, default (1500, 4800)
        Range of the populations of the other towns (drawn log-uniformly).
    n_oneways : int, default 30
        Town streets drawn as one-way (fewer if they would break strong connectivity).
    description : str, default ""
        One line for ``--help`` (English).
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
    town_pop: tuple[int, int] = (1500, 4800)
    n_oneways: int = 30
    description: str = ""


#: The scales, smallest first: ``demo`` (about 2,000 km2, generates in seconds, used by the tests
#: and the app's demo), ``vidzeme`` (the size of the Vidzeme planning region, > 15,000 km2 and
#: well over 100,000 network nodes, for benchmarks) and ``latvia`` (country scale: about
#: 64,000 km2, 43 municipalities, > 500,000 network nodes, > 700 schools, about 30,000
#: populated 1 km cells; farmsteads a little sparser and the rural road mesh a little denser
#: than in ``vidzeme``, a capital of 600,000 and larger regional towns).
SCALES: dict[str, Scale] = {
    "demo": Scale(
        area_km2=2000.0, center=(600000.0, 340000.0), n_municipalities=4, n_towns=3,
        main_town_pop=8000, village_km2=55.0, hamlet_km2=14.0, farm_spacing_m=700.0,
        mesh_spacing_m=300.0, n_exits=4, n_oneways=6,
        description="about 2,000 km2 (seconds)",
    ),
    "vidzeme": Scale(
        area_km2=16000.0, center=(600000.0, 335000.0), n_municipalities=9, n_towns=14,
        main_town_pop=23000, village_km2=55.0, hamlet_km2=14.0, farm_spacing_m=700.0,
        mesh_spacing_m=300.0, n_exits=8, n_oneways=30,
        description="about 16,000 km2, > 100,000 network nodes (benchmarks)",
    ),
    "latvia": Scale(
        area_km2=64000.0, center=(540000.0, 305000.0), n_municipalities=43, n_towns=76,
        main_town_pop=600000, village_km2=55.0, hamlet_km2=14.0, farm_spacing_m=1100.0,
        mesh_spacing_m=270.0, n_exits=14, town_pop=(1500, 30000), n_oneways=60,
        description="about 64,000 km2, > 500,000 network nodes, > 700 schools (country)",
    ),
}


#: Road classes of the mesh, most important first.
HIGHWAYS = ("primary", "secondary", "tertiary", "unclassified", "residential", "track", "service")


PRIMARY, SECONDARY, TERTIARY, UNCLASSIFIED, RESIDENTIAL, TRACK, SERVICE = range(7)


_TO_WGS = pyproj.Transformer.from_crs(settings.LATVIA_CRS, settings.WGS84, always_xy=True)


_TO_LAEA = pyproj.Transformer.from_crs(settings.LATVIA_CRS, settings.LAEA_CRS, always_xy=True)


#: Fixed timestamp written into files that embed one (xlsx), so that outputs are reproducible.
_FIXED_TIME = _dt.datetime(2022, 12, 9, 15, 30, 37)


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
        x, y = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(y, np.float64))
        xf, yf = x.ravel(), y.ravel()
        out = np.empty(len(xf))
        step = 1 << 15  # points per block: bounded memory, cache-sized temporaries
        for i0 in range(0, len(xf), step):
            a = np.multiply.outer(xf[i0:i0 + step], self.kx)
            a += np.multiply.outer(yf[i0:i0 + step], self.ky)
            a += self.ph
            out[i0:i0 + step] = np.cos(a, out=a).sum(-1)
        return (out * self.norm).reshape(x.shape)


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
    return _greedy_disc(cand, n_target, min_dist)


def _greedy_disc(cand: np.ndarray, n_target: int, min_dist: float) -> np.ndarray:
    """Accept candidates in order when at least ``min_dist`` from every accepted point.

    Accepted points are kept in buckets of a ``min_dist`` grid, so that each test looks at
    the 3 x 3 neighbouring buckets only (the same points as a test against all of them).
    """
    acc = np.empty((n_target, 2))
    k = 0
    buckets: dict[tuple[int, int], list[int]] = {}
    cell = np.floor(cand / min_dist).astype(np.int64).tolist() if len(cand) else []
    for p, (cx, cy) in zip(cand, cell, strict=True):
        if k >= n_target:
            break
        near = [i for dx in (-1, 0, 1) for dy in (-1, 0, 1)
                for i in buckets.get((cx + dx, cy + dy), ())]
        if not near or np.min(np.hypot(*(acc[near] - p).T)) >= min_dist:
            acc[k] = p
            buckets.setdefault((cx, cy), []).append(k)
            k += 1
    return acc[:k]


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


def _grid_members(pts: pd.DataFrame) -> dict[int, np.ndarray]:
    """Row positions of each settlement's street-grid points (``kind`` 1) in ``pts``, in
    order: settlement id -> positions (one pass instead of a mask per settlement)."""
    pos = np.flatnonzero(pts["kind"].to_numpy() == 1)
    sid = pts["sid"].to_numpy()[pos]
    order = np.argsort(sid, kind="stable")
    keys, start = np.unique(sid[order], return_index=True)
    parts = np.split(pos[order], start[1:])
    return {int(k): p for k, p in zip(keys, parts, strict=True)}


def _to_wgs(x, y):
    lon, lat = _TO_WGS.transform(np.asarray(x, np.float64), np.asarray(y, np.float64))
    return np.round(lon, 7), np.round(lat, 7)


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


def _tiles(df: pd.DataFrame, cell: int, tile_cells: int):
    """Split cells (lower-left E, N in metres) into tiles: yields (X, Y, frame with x, y)."""
    ix = df["E"].to_numpy() // cell
    iy = df["N"].to_numpy() // cell
    X, Y = ix // tile_cells, iy // tile_cells
    out = df.assign(x=ix % tile_cells, y=iy % tile_cells, _X=X, _Y=Y)
    for (tx, ty), g in out.groupby(["_X", "_Y"], sort=True):
        yield int(tx), int(ty), g
