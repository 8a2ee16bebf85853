"""Operator coverage polygons and Ookla speed-test tiles of the demo region."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from geo._csv import write_csv
from geo.region.synth.common import _TO_LAEA, _grid_members, _tiles


def _coverage(rng, st: pd.DataFrame, pts: pd.DataFrame, outline) -> list[dict]:
    """Operator coverage polygons (LKS-92): FTTH in towns and some villages, VDSL around
    exchanges, LTE around masts leaving rural gaps, 5G in the main town, fixed wireless."""
    members = _grid_members(pts)
    gxy = pts[["x", "y"]].to_numpy()
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
            gg = gxy[members.get(k, np.zeros(0, np.int64))]
            ftth.append(shapely.buffer(shapely.multipoints(gg), s["spacing"]))
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
        write_csv(g.sort_values(["x", "y"])[cols], p, bom=False, lineterminator="\n")
        out.append(p)
    return out


def _border_line(outline, *, half_angle_deg: int = 60) -> shapely.LineString:
    """A national land border along the region's eastern edge (LKS-92): the outline's
    vertices within ``half_angle_deg`` of due east (the outline has one vertex per degree,
    starting due east), for the border bands of :mod:`geo.broadband`."""
    ring = np.asarray(outline.exterior.coords)[:-1]
    n = len(ring)
    k = round(half_angle_deg * n / 360)
    return shapely.LineString(ring[np.r_[n - k:n, 0:k + 1]])
