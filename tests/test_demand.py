"""Pupils per cell: registry pupils distributed by population, on the real Vidzeme data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import shared_file

from geo.errors import GeoInputError
from geo.region import demand
from geo.sources import census, izm
from geo.sources.boundaries import read_boundaries

IZM = ("vidzeme", "schools", "izm_2022")


@pytest.fixture(scope="module")
def cells():
    b = read_boundaries(shared_file("vidzeme", "boundaries", "municipalities_2021.geojson"))
    return census.read_census_grid(shared_file("vidzeme", "population", "census2021_1km_tiles"),
                                   clip=b)


@pytest.fixture(scope="module")
def registry():
    s = izm.read_schools(
        shared_file(*IZM, "izglitojamoskvispizglprogr_pa_iestadem_01122022.xlsx"),
        municipalities=izm.VIDZEME_MUNICIPALITIES)
    return demand.registry_pupils(s)


def test_distributed_pupils_sum_back_to_registry(cells, registry):
    t = demand.distribute_pupils(cells, registry)
    back = t.groupby("municipality")[list(registry.columns)].sum().loc[registry.index]
    assert np.abs(back.to_numpy() - registry.to_numpy()).max() < 1e-6
    assert t.attrs["check"] < 1e-6
    assert len(t) == len(cells)
    assert abs(t[list(registry.columns)].to_numpy().sum() - 22_861) < 1e-6


def test_distribution_is_proportional_to_population(cells, registry):
    t = demand.distribute_pupils(cells, registry)
    # independent: per-cell share of its municipality's population x registry grade-1 pupils
    d = cells.assign(share=cells["T"].fillna(0) / cells.groupby("municipality")["T"].transform(
        "sum"))
    expect = d["share"] * d["municipality"].map(registry["g1"])
    assert np.allclose(t["g1"].to_numpy(), expect.to_numpy(), atol=1e-12)
    assert (t.loc[cells["T"].isna(), list(registry.columns)] == 0).all().all()


def test_integerised_sums_exactly(cells, registry):
    t = demand.integerise(demand.distribute_pupils(cells, registry))
    assert t["g1"].dtype == np.int64
    back = t.groupby("municipality")[list(registry.columns)].sum().loc[registry.index]
    assert (back.to_numpy() == registry.to_numpy()).all()
    f = demand.distribute_pupils(cells, registry)
    assert (np.abs(t["g7"] - f["g7"]) < 1).all()  # never more than one pupil from the float
    bands = demand.band_totals(t).sum()
    assert bands.to_dict() == {"1-6": 13_145, "7-9": 6_712, "10-12": 3_004}


def test_per_municipality_file_gives_the_same_table(cells, registry):
    mun = izm.filter_region(izm.read_pupils_by_municipality(
        shared_file(*IZM, "izglitojamoskvispizglprogr_pa_pasvaldibam_01122022.xlsx")))
    p2 = demand.registry_pupils(mun)
    a = demand.distribute_pupils(cells, registry)
    b = demand.distribute_pupils(cells, p2)
    assert np.allclose(a[list(registry.columns)], b[list(registry.columns)])


def test_largest_remainder_small_case():
    df = pd.DataFrame({"municipality": ["a", "a", "a", "b"], "g1": [0.5, 0.3, 1.2, 2.0]})
    out = demand.integerise(df, grades=["g1"])
    assert out["g1"].tolist() == [1, 0, 1, 2]


def test_errors(cells, registry):
    with pytest.raises(GeoInputError, match="no population cells"):
        demand.distribute_pupils(cells[cells["municipality"] != "Cēsu novads"], registry)
    with pytest.raises(GeoInputError, match="clip=boundaries"):
        demand.distribute_pupils(cells.drop(columns="municipality"), registry)
