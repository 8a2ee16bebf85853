"""Pupil projections from the real Vidzeme population grids (GEOSTAT 2011, 2018; census 2021)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import shared_file

from geo import settings
from geo.errors import GeoInputError
from geo.planning.projection import cell_trend, municipality_trend, origin_rates, project


@pytest.fixture(scope="module")
def long():
    from geo.sources.boundaries import read_boundaries
    from geo.sources.census import read_population_years

    folder = shared_file("vidzeme", "population", "geostat_popgrid_tiles")
    bnd = read_boundaries(shared_file("vidzeme", "boundaries", "municipalities_2021.geojson"))
    return read_population_years(folder, years=(2011, 2018, 2021), clip=bnd)


def test_vidzeme_totals(long):
    tot = long.groupby("year")["T"].sum()
    assert tot[2011] == 248_217 and tot[2018] == 220_126 and tot[2021] == 214_157


def test_municipality_trend_equals_polyfit(long):
    mt = municipality_trend(long)
    assert len(mt) == 9
    for _m, row in mt.iterrows():
        vals = [row[y] for y in (2011, 2018, 2021)]
        slope = np.polyfit([2011, 2018, 2021], np.log(vals), 1)[0]
        assert row["rate"] == pytest.approx(slope, rel=1e-9)
    # every Vidzeme municipality lost population
    assert (mt["rate"] < 0).all()
    reg = np.polyfit([2011, 2018, 2021], np.log([248_217, 220_126, 214_157]), 1)[0]
    assert -0.03 < reg < -0.01


def test_cell_trend_shrinks_to_municipality(long):
    ct = cell_trend(long)
    assert ct["cell_id"].is_unique
    assert ((ct["weight"] >= 0) & (ct["weight"] < 1)).all()
    full = ct["rate_cell"].notna()
    assert full.sum() > 1000
    # cells not populated every year take their municipality's rate
    np.testing.assert_allclose(ct.loc[~full, "rate"], ct.loc[~full, "rate_municipality"]
                               .clip(-settings.PROJECTION_MAX_ANNUAL_RATE,
                                     settings.PROJECTION_MAX_ANNUAL_RATE))
    # the shrunk rate lies between the cell's own and the municipality's
    f = ct[full]
    lo = np.minimum(f["rate_cell"], f["rate_municipality"]).clip(lower=-0.1)
    hi = np.maximum(f["rate_cell"], f["rate_municipality"]).clip(upper=0.1)
    assert ((f["rate"] >= lo - 1e-12) & (f["rate"] <= hi + 1e-12)).all()
    # big towns keep most of their own trend, small cells follow the municipality
    big = f[f["mean_population"] > 2000]
    assert (big["weight"] > 0.9).all()
    # population-weighted, the cell rates reproduce the regional decline
    p21 = long[long["year"] == 2021].set_index("cell_id")["T"]
    w = ct.set_index("cell_id")["rate"].reindex(p21.index).fillna(0)
    proj = (p21 * np.exp(w * 6)).sum()
    assert 180_000 < proj < 214_157


def test_project_and_origin_rates(long):
    ct = cell_trend(long)
    cells = ct["cell_id"].iloc[:3].tolist() + ["unknown-cell"]
    munis = ct["municipality"].iloc[:3].tolist() + [ct["municipality"].iloc[0]]
    r = origin_rates(np.array(cells, object), np.array(munis, object), ct)
    assert r[:3] == pytest.approx(ct["rate"].iloc[:3].to_numpy())
    assert r[3] == pytest.approx(ct["rate_municipality"].iloc[0])
    p = project(np.ones((4, 3)), r, 2021, 2027)
    np.testing.assert_allclose(p[:, 0], np.exp(r * 6))


def test_bad_inputs():
    with pytest.raises(GeoInputError, match="lacks column"):
        cell_trend(pd.DataFrame({"cell_id": [1], "year": [2021]}))
    one = pd.DataFrame({"cell_id": ["a"], "year": [2021], "T": [5.0], "municipality": ["m"]})
    with pytest.raises(GeoInputError, match="at least two years"):
        cell_trend(one)
