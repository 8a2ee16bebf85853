"""People at address points and the census / GEOSTAT 1 km population grids of the demo region."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from geo.region.synth.common import (
    _TO_LAEA,
    _grid_members,
    _largest_remainder,
    _tiles,
    _write_parquet,
)


def _people(rng, st: pd.DataFrame, farms: pd.DataFrame, pts: pd.DataFrame,
            farm_nodes_xy: np.ndarray) -> pd.DataFrame:
    """Address points with people (2021): town and village grid points, hamlets, farmsteads."""
    cols: dict[str, list] = {"x": [], "y": [], "pop": [], "sid": []}
    members = _grid_members(pts)
    px, py = pts["x"].to_numpy(), pts["y"].to_numpy()
    for k, s in st.iterrows():
        if s["kind"] == "hamlet":
            m = int(rng.integers(3, 7))
            ang = rng.uniform(0, 2 * np.pi, m)
            r = rng.uniform(40, 260, m)
            x = s["x"] + r * np.cos(ang)
            y = s["y"] + r * np.sin(ang)
            p = _largest_remainder(int(s["pop"]), rng.uniform(0.5, 1.5, m))
        else:
            idx = members.get(k, np.zeros(0, np.int64))
            d = np.hypot(px[idx] - s["x"], py[idx] - s["y"])
            w = np.exp(-1.2 * (d / s["radius"]) ** 2) + 0.15
            w *= rng.uniform(0.6, 1.4, len(w))
            # people live in the blocks beside the crossing, not on it
            off = s["spacing"] * 0.35
            x = px[idx] + off * math.cos(s["angle"] + 0.8)
            y = py[idx] + off * math.sin(s["angle"] + 0.8)
            p = _largest_remainder(int(s["pop"]), w)
        for c, v in (("x", x), ("y", y), ("pop", p), ("sid", np.full(len(x), k))):
            cols[c].append(v)
    n_set = np.array([len(v) for v in cols["x"]], np.int64)
    urban = np.repeat(st["kind"].to_numpy() == "town", n_set)
    out = pd.DataFrame({
        "x": np.r_[np.concatenate(cols["x"]), farm_nodes_xy[:, 0] + 25.0],
        "y": np.r_[np.concatenate(cols["y"]), farm_nodes_xy[:, 1] + 15.0],
        "pop": np.r_[np.concatenate(cols["pop"]).astype(np.int64), farms["pop"].to_numpy()],
        "sid": np.r_[np.concatenate(cols["sid"]), np.full(len(farms), -1)],
        "farm": np.r_[np.full(n_set.sum(), -1), np.arange(len(farms))],
        "urban": np.r_[urban, np.zeros(len(farms), bool)],
    })
    return out[out["pop"] > 0].reset_index(drop=True)


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
