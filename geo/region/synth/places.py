"""The region outline, settlements, farmsteads and municipalities of the demo region."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from geo.region.synth.common import _FARM_NAMES, Scale, _Field, _place_names, _poisson_disc, _slug


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
                 np.round(np.exp(rng.uniform(*np.log(sc.town_pop), len(towns) - 1)))]
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
