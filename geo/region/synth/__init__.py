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

One module per layer: ``common`` (scales, fictional names, random helpers, the region model,
small writers), ``places`` (outline, settlements, farmsteads, municipalities), ``roads`` (mesh,
hierarchy, ways and tags), ``population`` (people, census and GEOSTAT grids), ``schools``
(schools and IZM registers), ``broadband`` (coverage polygons, Ookla tiles) and ``osm`` (the OSM
file); this module composes them in :func:`generate`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from geo import i18n, settings
from geo._csv import write_csv
from geo._files import new_run, owned_dir
from geo.errors import GeoInputError, Msg
from geo.region.synth.broadband import _border_line, _coverage, _ookla, _write_ookla
from geo.region.synth.common import (
    _TO_LAEA,
    FICTION_NOTE,
    PRIMARY,
    SCALES,
    SECONDARY,
    TERTIARY,
    UNCLASSIFIED,
    Scale,
    _Field,
    _geojson,
    _geom_wgs,
    _Model,
    _rng,
    _to_wgs,
)
from geo.region.synth.osm import _network_nodes, _osm_content, _renumber, _write_osm
from geo.region.synth.places import _assign_muni, _farms, _municipalities, _outline, _settlements
from geo.region.synth.population import (
    _census_cells,
    _people,
    _popgrid_years,
    _write_census,
    _write_popgrid,
)
from geo.region.synth.roads import (
    _build_mesh,
    _chains,
    _dead_ends,
    _oneways,
    _roundabout,
    _segments,
    _tags_for_ways,
)
from geo.region.synth.schools import (
    SCHOOL_TYPES,
    _izm_rows,
    _plan_schools,
    _schools,
    _write_contacts,
    _write_izm,
)

__all__ = ["FICTION_NOTE", "SCALES", "SCHOOL_TYPES", "Scale", "format_summary", "generate", "plan"]


i18n.register({
    "synth.region": {"lv": "Demo reģions (izdomāti dati)", "en": "Demo region (fictional data)"},
    "synth.note": {
        "lv": "Izdomāti dati: fiktīvs demonstrācijas reģions. Visi nosaukumi, numuri, adreses un "
              "skaitļi ir izdomāti.",
        "en": "Fictional data: a made-up demo region. Every name, number, address and figure is "
              "invented.",
    },
})


def generate(
    out_dir: str | Path,
    *,
    scale: str = "demo",
    seed: int = 0,
    progress: Callable[[int, int, str], None] | None = None,
    osm_formats: tuple[str, ...] = ("pbf",),
    force: bool = False,
) -> dict:
    """Generate the fictional demo region into a folder.

    Parameters
    ----------
    out_dir : str or Path
        Output folder the tool owns (:func:`geo._files.owned_dir`): written through a temporary
        folder that replaces the tool's earlier files only when every file is written (a failure
        leaves an existing ``out_dir`` untouched); a non-empty folder the tool did not write is
        refused unless ``force``, and files of the user's are never deleted.
    scale : {"demo", "vidzeme", "latvia"}, default "demo"
        A key of :data:`SCALES`: ``demo`` about 2,000 km2 (seconds); ``vidzeme`` about
        16,000 km2 and well over 100,000 network nodes (benchmarks; about a minute);
        ``latvia`` about 64,000 km2, over 500,000 network nodes and 700 schools (country
        scale; a few minutes).
    seed : int, default 0
        Random seed; the same ``(scale, seed)`` gives byte-identical files.
    progress : callable, optional
        Called as ``progress(step, n_steps, message)`` before each step.
    osm_formats : tuple of {"pbf", "xml"}, default ("pbf",)
        OSM file formats to write (``osm/demo.osm.pbf``, ``osm/demo.osm``).
    force : bool, default False
        Write into a non-empty folder that lacks the tool's marker (the user's files stay).

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
    _check_options(scale, osm_formats)
    sc = SCALES[scale]
    steps = ["region and settlements", "road mesh", "ways and tags", "people and schools",
             "broadband", "OSM file", "school registers", "population grids", "broadband files",
             "boundaries"]

    def step(k):
        if progress is not None:
            progress(k, len(steps), steps[k])

    out_dir = Path(out_dir)
    step(0)
    m = _region_model(seed, sc)
    step(1)
    roads = _road_mesh(seed, sc, m)
    step(2)
    _road_ways(seed, roads, m, n_oneways=sc.n_oneways)
    step(3)
    m.people = _people(_rng(seed, 10), m.settlements, m.farms, roads["mesh"]["pts"],
                       roads["node_xy"][roads["farm_nodes"]])
    m.schools = _schools(_rng(seed, 11), m.settlements, m.municipalities,
                         m.settlements["muni"].to_numpy(), m.people, roads["mesh"]["pts"])
    step(4)
    m.coverage = _coverage(_rng(seed, 12), m.settlements, roads["mesh"]["pts"], m.outline)
    ookla = _ookla(_rng(seed, 13), m.people, m.coverage)
    files: dict = {}
    with owned_dir(out_dir, force=force, run=new_run("synth")) as tmp:
        step(5)
        osm = _osm_files(tmp, seed, m, roads, osm_formats, files)
        step(6)
        _school_files(tmp / "schools", seed, m, files)
        step(7)
        cells, years = _population_files(tmp / "population", seed, m.people, files)
        step(8)
        _broadband_files(tmp / "broadband", ookla, m.coverage, files)
        step(9)
        _boundary_files(tmp / "boundaries", m, files)
        (tmp / "README.txt").write_text(
            f"{FICTION_NOTE}\n\nscale={scale} seed={seed}\n"
            "Layout mirrors ../shared/data/vidzeme; see geo/region/synth/ for the model.\n",
            encoding="utf-8")
        for sub in ("schools", "broadband"):
            (tmp / sub / "README.txt").write_text(FICTION_NOTE + "\n", encoding="utf-8")

    def rel(p):
        if isinstance(p, list):
            return [rel(q) for q in p]
        return out_dir / Path(p).relative_to(tmp)

    summary = {"out_dir": out_dir, "scale": scale, "seed": seed,
               **_sizes(m, osm, years, cells, ookla),
               "files": {k: rel(v) for k, v in files.items()}}
    summary["seconds"] = round(time.perf_counter() - t_start, 2)
    return summary


def plan(scale: str = "demo", *, seed: int = 0) -> dict:
    """Size figures of a scale without generating it (a dry run: seconds, no files).

    Runs the first steps of :func:`generate` (outline, settlements, farmsteads,
    municipalities, which schools exist where) and estimates the populated 1 km census cells
    from the farmsteads and the built-up disks of the settlements, without the road mesh.

    Parameters
    ----------
    scale : str, default "demo"
        A key of :data:`SCALES`.
    seed : int, default 0
        The same seed as :func:`generate` gives the same settlements, farmsteads and schools.

    Returns
    -------
    dict
        ``area_km2``, ``municipalities``, ``settlements`` (by kind), ``farmsteads``,
        ``schools`` (planned schools other than kindergartens: an upper bound of the
        generated ``school_locations``, which leave out schools that got no pupils),
        ``kindergartens`` and ``census_cells_estimate``.
    """
    _check_options(scale, ("pbf",))
    m = _region_model(seed, SCALES[scale])
    st = m.settlements
    sch = _plan_schools(_rng(seed, 11), st, m.municipalities, st["muni"].to_numpy())
    return {
        "area_km2": round(m.outline.area / 1e6, 1),
        "municipalities": len(m.municipalities),
        "settlements": {k: int((st["kind"] == k).sum()) for k in ("town", "village", "hamlet")},
        "farmsteads": len(m.farms),
        "schools": int((sch["type"] != "pii").sum()),
        "kindergartens": int((sch["type"] == "pii").sum()),
        "census_cells_estimate": _cells_estimate(st, m.farms),
    }


def _cells_estimate(st, farms) -> int:
    """Distinct 1 km EPSG:3035 cells under the farmsteads, hamlets and built-up disks."""
    ham = (st["kind"] == "hamlet").to_numpy()
    xs = [farms["x"].to_numpy() + 25.0, st["x"].to_numpy()[ham]]
    ys = [farms["y"].to_numpy() + 15.0, st["y"].to_numpy()[ham]]
    for x, y, r, sp in st.loc[~ham, ["x", "y", "radius", "spacing"]].itertuples(index=False):
        n = int(r // sp) + 1
        u, v = np.meshgrid(np.arange(-n, n + 1) * sp, np.arange(-n, n + 1) * sp)
        keep = np.hypot(u, v) <= max(r, 1.0)
        xs.append(x + u[keep])
        ys.append(y + v[keep])
    e, n_ = _TO_LAEA.transform(np.concatenate(xs), np.concatenate(ys))
    key = np.floor(e / 1000).astype(np.int64) * 1_000_000 + np.floor(n_ / 1000).astype(np.int64)
    return int(np.unique(key).size)


def _check_options(scale: str, osm_formats) -> None:
    if scale not in SCALES:
        raise GeoInputError(Msg("err.synth.scale", scale=repr(scale)),
                            fix=Msg("err.synth.scale.fix", choices=str(sorted(SCALES))))
    bad = [f for f in osm_formats if f not in ("pbf", "xml")]
    if bad or not osm_formats:
        raise GeoInputError(Msg("err.synth.osm_format", formats=str(bad)),
                            fix=Msg("err.synth.osm_format.fix"))


def _region_model(seed: int, sc: Scale) -> _Model:
    """Outline, forest field, settlements, farmsteads and municipalities."""
    outline = _outline(_rng(seed, 1), sc)
    forest = _Field(_rng(seed, 2), (4000.0, 25000.0), 28)
    st = _settlements(_rng(seed, 3), sc, outline, forest)
    farms = _farms(_rng(seed, 4), sc, outline, forest, st)
    muni = _municipalities(_rng(seed, 5), sc, outline, st)
    st["muni"] = _assign_muni(muni, st["x"].to_numpy(), st["y"].to_numpy())
    return _Model(scale=sc, outline=outline, forest=forest, settlements=st, farms=farms,
                  municipalities=muni)


def _road_mesh(seed: int, sc: Scale, m: _Model) -> dict:
    """The road mesh and its segments (nodes, farm access nodes)."""
    mesh = _build_mesh(_rng(seed, 6), sc, m.outline, m.forest, m.settlements)
    _roundabout(mesh, m.settlements)
    ends = _dead_ends(_rng(seed, 18), sc, m.outline, m.forest, m.settlements)
    node_xy, _node_kind, segs, farm_nodes = _segments(_rng(seed, 7), mesh, m.farms, ends)
    return {"mesh": mesh, "node_xy": node_xy, "segs": segs, "farm_nodes": farm_nodes}


def _road_ways(seed: int, roads: dict, m: _Model, *, n_oneways: int) -> None:
    """Chain the segments into ways and tag them (refs numbered by class, oneways)."""
    st = m.settlements
    segs = roads["segs"]
    chains = _chains(roads["node_xy"], segs)
    routes = roads["mesh"]["routes"]
    route_ref = np.zeros(len(routes), np.int64)
    count = {PRIMARY: 0, SECONDARY: 0, TERTIARY: 0, UNCLASSIFIED: 0}
    for r, (_a, _b, c) in enumerate(routes):
        count[c] += 1
        route_ref[r] = count[c] + (0 if c == PRIMARY else 20 if c == SECONDARY else 0)
    way_tags = _tags_for_ways(_rng(seed, 8), segs, chains, st, {"route_ref": route_ref})
    _oneways(_rng(seed, 9), segs, chains, way_tags, st, len(roads["node_xy"]), n_pick=n_oneways)
    roads["chains"], roads["way_tags"] = chains, way_tags


def _osm_files(tmp: Path, seed: int, m: _Model, roads: dict, osm_formats, files: dict) -> dict:
    """Write the OSM file(s); the OSM content (node coordinates, ways, relations)."""
    all_xy, node_tags, ways, rels, dead = _osm_content(
        _rng(seed, 14), m, roads["mesh"], roads["node_xy"], roads["segs"], roads["farm_nodes"],
        roads["chains"], roads["way_tags"])
    all_xy, node_tags, ways, rels = _renumber(all_xy, node_tags, ways, rels, dead)
    lon, lat = _to_wgs(all_xy[:, 0], all_xy[:, 1])
    lonlat = np.column_stack([lon, lat])
    (tmp / "osm").mkdir()
    paths = []
    for fmt in osm_formats:
        p = tmp / "osm" / ("demo.osm.pbf" if fmt == "pbf" else "demo.osm")
        _write_osm(p, lonlat, node_tags, ways, rels)
        paths.append(p)
    files["osm"] = paths[0] if len(paths) == 1 else paths
    return {"all_xy": all_xy, "ways": ways, "rels": rels}


def _school_files(sdir: Path, seed: int, m: _Model, files: dict) -> None:
    """IZM registers (pupils, contacts) and the planner's tables (locations, capacity,
    dormitories)."""
    st, muni = m.settlements, m.municipalities
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
    write_csv(loc.sort_values("reg_nr"), files["school_locations"], bom=False,
              lineterminator="\n")
    files["school_capacity"] = sdir / "school_capacity.csv"
    write_csv(gen[["reg_nr", "capacity", "dormitory_places"]].sort_values("reg_nr"),
              files["school_capacity"], bom=False, lineterminator="\n")
    dm = m.schools[m.schools["dormitory_places"] > 0]
    dlon, dlat = _to_wgs(dm["dorm_x"], dm["dorm_y"])
    files["dormitories"] = sdir / "dormitories.csv"
    write_csv(pd.DataFrame({"reg_nr": dm["reg_nr"], "name": dm["dorm_name"],
                            "places": dm["dormitory_places"], "lat": np.round(dlat, 6),
                            "lon": np.round(dlon, 6)}).sort_values("reg_nr"),
              files["dormitories"], bom=False, lineterminator="\n")


def _population_files(pdir: Path, seed: int, people: pd.DataFrame, files: dict):
    """Census 2021 and GEOSTAT grids; the census cells and the population per year."""
    cells = _census_cells(_rng(seed, 16), people)
    files["census"] = _write_census(pdir / "census2021_1km_tiles", cells)
    years = _popgrid_years(_rng(seed, 17), cells)
    files["popgrid"] = _write_popgrid(pdir / "geostat_popgrid_tiles", years)
    return cells, years


def _broadband_files(bdir: Path, ookla: pd.DataFrame, coverage: list, files: dict) -> None:
    files["ookla"] = _write_ookla(bdir / "ookla_fixed_2023q2_350m_tiles", ookla)
    files["coverage"] = bdir / "coverage_operators_2023.geojson"
    _geojson(files["coverage"], "demo_broadband_coverage", [
        {"type": "Feature", "properties": {k: v for k, v in f.items() if k != "geometry"},
         "geometry": _geom_wgs(f["geometry"], 6)} for f in coverage])


def _boundary_files(bdir: Path, m: _Model, files: dict) -> None:
    """Municipalities and the national land border (eastern edge)."""
    bdir.mkdir()
    files["boundaries"] = bdir / "municipalities.geojson"
    _geojson(files["boundaries"], "demo_municipalities", [
        {"type": "Feature",
         "properties": {"id": r["id"], "name": r["name"], "territory": "demo"},
         "geometry": _geom_wgs(r["geometry"], 4)} for _, r in m.municipalities.iterrows()])
    files["border"] = bdir / "national_border.geojson"
    _geojson(files["border"], "demo_national_border", [  # land border, eastern edge
        {"type": "Feature", "properties": {"name": "Demo valsts robeža (izdomāta)",
                                           "admin_level": 2, "maritime": "no"},
         "geometry": _geom_wgs(_border_line(m.outline), 5)}])


def _sizes(m: _Model, osm: dict, years: dict, cells: pd.DataFrame, ookla: pd.DataFrame) -> dict:
    """Size figures of the generated region (see :func:`generate`)."""
    all_xy, ways = osm["all_xy"], osm["ways"]
    road_km: dict[str, float] = {}
    for nodes, t in ways:
        hw = t.get("highway")
        if hw is None:
            continue
        xy = all_xy[np.asarray(nodes)]
        road_km[hw] = road_km.get(hw, 0.0) + float(np.hypot(*np.diff(xy, axis=0).T).sum()) / 1e3
    st, sch = m.settlements, m.schools
    return {
        "area_km2": round(m.outline.area / 1e6, 1),
        "municipalities": len(m.municipalities),
        "settlements": {k: int((st["kind"] == k).sum()) for k in ("town", "village", "hamlet")},
        "farmsteads": len(m.farms),
        "osm_nodes": len(all_xy),
        "osm_ways": len(ways),
        "osm_relations": len(osm["rels"]),
        "road_km": {k: round(v, 1) for k, v in sorted(road_km.items(), key=lambda kv: -kv[1])},
        "network_nodes": _network_nodes(ways, set(settings.DRIVE_HIGHWAYS)),
        "schools": {SCHOOL_TYPES[t][1]: int((sch["type"] == t).sum()) for t in SCHOOL_TYPES
                    if (sch["type"] == t).any()},
        "pupils": int(sch["pupils"].sum()),
        "population": {int(y): int(df["T"].sum()) for y, df in years.items()},
        "census_cells": len(cells),
        "ookla_cells": len(ookla),
    }


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
