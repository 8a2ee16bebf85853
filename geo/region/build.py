"""Region recipes (``data/regions/*.yaml``) -> one bundle on disk, and loading it back.

A recipe names a region, its boundary, its metric CRS and, for each layer, the local file names
to look for and the original publishers' download URLs (see README, "Region recipes"). The
bundle (default ``data/bundles/<region>/``) holds:

* ``layers.gpkg``: ``boundaries``; ``population_<year>`` (1 km cells, EPSG:3035) per census /
  GEOSTAT year; ``population_trend`` (table: municipality x year); ``schools`` (registry
  schools with ``status`` located / ambiguous / unmatched; unlocated ones have no geometry);
  ``pupils_<year>`` (registry pupils per cell and grade, :mod:`geo.region.demand`); ``broadband``
  (Ookla cells); ``coverage`` and ``dormitories`` when given;
* ``network/``: the road network cache (:func:`geo.network.build_network_from_file`) when an OSM
  file of the region is found;
* ``schools_to_locate.csv``: the schools without a location, to fill in and give back as the
  ``school_locations`` file;
* ``manifest.json``: per layer its source files, origin (local / downloaded / generated), date,
  publisher, licence and SHA-256; the layers missing and how to get them; ``warnings``: inputs
  the build did not use as given, each naming what (schools at impossible places, see
  :func:`geo.region.school_matching.suspect_locations`; repaired boundary polygons with the
  area changed), shown by the CLI summary and the app (:func:`geo.jobs.bundle_warnings`).

:func:`build_bundle` looks for each file on the search path first
(:func:`geo.settings.data_search_path`, ``$GEO_DATA_PATH``), downloads what is missing when
online (a network failure counts as offline), builds into a temporary folder next to the target
and swaps it in only when complete: a failed build leaves an existing bundle untouched.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import importlib
import inspect
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo import i18n, settings
from geo._files import check_output_dir, file_digest, new_run, owned_dir, write_gpkg
from geo.errors import GeoInputError, MissingDataError, Msg, Num, render
from geo.network.graph import build_network_from_file
from geo.region import demand, school_matching
from geo.region.bundle import GPKG_NAME, MANIFEST_NAME
from geo.region.recipe import (
    Recipe,
    Source,
    _how_to_get,
    check_region_name,
    fetch,
    how_to_get_msg,
    load_recipe,
)
from geo.sources import boundaries as bd
from geo.sources import census, izm, ookla
from geo.sources.border import read_region_border
from geo.sources.capacity import read_capacity
from geo.sources.coverage import read_coverage
from geo.sources.dormitories import read_dormitories
from geo.sources.osm import LABEL_PLACES, read_facilities, read_places

REPORT_NAME = "schools_to_locate.csv"


# ------------------------------------------------------------------------------------------
# Building
# ------------------------------------------------------------------------------------------
@dataclass
class BuildResult:
    """Outcome of :func:`build_bundle`."""

    path: Path
    manifest: dict
    missing: dict[str, str]
    generator_sizes: str = ""

    def summary(self) -> str:
        """A few lines for the CLI."""
        lines = [f"bundle {self.manifest['region']}: {self.path}"]
        if self.generator_sizes:
            lines.append(self.generator_sizes.rstrip())
        for name, info in self.manifest["layers"].items():
            rows = info.get("rows")
            what = (f"{rows} rows" if rows is not None
                    else f"{info['nodes']:,} nodes" if "nodes" in info else "-")
            lines.append(f"  {name}: {what} ({info.get('origin', '?')})")
        for layer, how in self.missing.items():
            lines.append(f"  MISSING {layer}: {how}")
        for w in self.manifest.get("warnings", []):
            lines.append(f"  WARNING {w.get('message', w)}")
        return "\n".join(lines)


def _generator_module(recipe: Recipe):
    """The recipe's generator module, its ``generate()`` checked against the options."""
    try:
        mod = importlib.import_module(str(recipe.generator))
    except ImportError as exc:
        raise GeoInputError(Msg("err.build.generator_module", module=repr(recipe.generator),
                                detail=str(exc)), path=recipe.path,
                            fix=Msg("err.build.generator_module.fix")) from exc
    if not callable(getattr(mod, "generate", None)):
        raise GeoInputError(Msg("err.build.no_generate", module=repr(recipe.generator)),
                            path=recipe.path, fix=Msg("err.build.generator_module.fix"))
    params = inspect.signature(mod.generate).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    known = [k for k, p in params.items() if p.kind is p.KEYWORD_ONLY
             or (p.kind is p.POSITIONAL_OR_KEYWORD and p.default is not p.empty)]
    unknown = [k for k in recipe.generator_options if k not in known]
    if unknown and not takes_any:
        raise GeoInputError(Msg("err.build.generator_options", options=str(unknown),
                                module=str(recipe.generator)), path=recipe.path,
                            fix=Msg("err.build.generator_options.fix", known=str(known)))
    return mod


def _code_digests(mod) -> dict[str, str]:
    """SHA-256 of a generator's code: its file, or every ``.py`` file of its package."""
    path = Path(mod.__file__)
    files = sorted(path.parent.rglob("*.py")) if path.name == "__init__.py" else [path]
    return {f.relative_to(path.parent).as_posix(): file_digest(f) for f in files}


def _generated_dir(recipe: Recipe, progress, name: str | None = None) -> Path:
    """Run the recipe's generator once (cached in ``data/downloads/generated/<name>``)."""
    folder = settings.DOWNLOADS_DIR / "generated" / (name or recipe.name)
    mod = _generator_module(recipe)
    # regenerate when the generator's code or options changed since the files were made
    stamp = json.dumps({"code": _code_digests(mod),
                        "options": recipe.generator_options}, sort_keys=True, default=str)
    stamp_file = folder / ".generator-stamp.json"
    stale = (not stamp_file.exists() or stamp_file.read_text("utf-8") != stamp
             or not (folder / "SIZES.txt").exists())
    if stale:
        summary = mod.generate(folder, **recipe.generator_options)
        fmt = getattr(mod, "format_summary", None)
        if fmt is not None:
            (folder / "SIZES.txt").write_text(fmt(summary), "utf-8")
        stamp_file.write_text(stamp, "utf-8")
    return folder


def build_bundle(
    region: str | Path | Recipe,
    *,
    out: str | Path | None = None,
    search_path: Iterable[str | Path] | None = None,
    online: bool = True,
    network: bool = True,
    progress: bool = False,
    generator_options: dict | None = None,
    force: bool = False,
) -> BuildResult:
    """Build a region bundle from its recipe.

    Parameters
    ----------
    region : str, Path or Recipe
        ``"vidzeme"`` (``data/regions/vidzeme.yaml``), a recipe path or a loaded recipe.
    out : str or Path, optional
        Bundle folder (default ``settings.BUNDLES_DIR / <region>``). Replaced only when the
        build succeeds.
    search_path : iterable of paths, optional
        Folders searched for the recipe's files (default
        :func:`geo.settings.data_search_path`).
    online : bool, default True
        Download missing files from the publishers; a network failure switches to offline.
    network : bool, default True
        Build the road network cache when an OSM file is found.
    progress : bool, default False
        Progress bars (downloads, network).
    generator_options : dict, optional
        For a generated region (``generator:`` in the recipe), options that override the
        recipe's ``generator_options`` (e.g. ``{"scale": "vidzeme"}``). A scale other than the
        default builds into ``<region>-<scale>``.
    force : bool, default False
        Write into a non-empty ``out`` that lacks the tool's marker
        (:func:`geo._files.owned_dir`); checked before anything is built.

    Returns
    -------
    BuildResult
        ``path``, ``manifest`` (as written), ``missing`` (layer -> how to get it).

    Raises
    ------
    GeoInputError
        A source file that is broken (the message names it); no boundary.
    """
    recipe = region if isinstance(region, Recipe) else load_recipe(region)
    bundle_name = recipe.name
    if generator_options:
        if not recipe.generator:
            raise GeoInputError(Msg("err.build.no_generator"), path=recipe.path)
        recipe = dataclasses.replace(
            recipe, generator_options={**recipe.generator_options, **generator_options})
        scale = generator_options.get("scale")
        if scale and scale != recipe.raw.get("generator_options", {}).get("scale"):
            bundle_name = f"{recipe.name}-{scale}"
    check_region_name(bundle_name, path=recipe.path)
    out = check_output_dir(settings.BUNDLES_DIR / bundle_name if out is None else out,
                           force=force, command="build")
    paths = [Path(p) for p in (search_path if search_path is not None
                               else settings.data_search_path())]
    generated = None
    if recipe.generator:
        generated = _generated_dir(recipe, progress, bundle_name)
        paths = [generated, *paths]
    run = new_run("build", inputs=[recipe.path])
    with owned_dir(out, force=force, run=run) as tmp:
        manifest, missing = _build_into(recipe, tmp, paths, online=online, network=network,
                                        progress=progress)
    sizes = ""
    if generated is not None and (generated / "SIZES.txt").exists():
        sizes = (generated / "SIZES.txt").read_text("utf-8")
    return BuildResult(out, manifest, missing, sizes)


class _Layers:
    """The sources found and the layers read while building a bundle.

    ``get(layer)`` finds (or downloads, when online) a recipe source once and records it in
    ``sources``, or records why it is missing in ``missing``; ``add`` stores a layer with the
    sources it came from.
    """

    def __init__(self, recipe: Recipe, paths: list[Path], *, online: bool, progress):
        self.recipe, self.paths, self.online, self.progress = recipe, paths, online, progress
        self.sources: dict[str, Source] = {}
        self.missing: dict[str, str] = {}
        self.missing_msg: dict[str, object] = {}  # the same reasons as Msg/error (LV + EN)
        self.layers: dict[str, pd.DataFrame] = {}
        self.layer_sources: dict[str, list[str]] = {}
        self.warnings: list[dict] = []

    def get(self, layer: str) -> Path | None:
        """Path of a recipe source, or None (the reason is kept in ``missing``)."""
        recipe, paths = self.recipe, self.paths
        if layer in self.sources:
            return self.sources[layer].path
        try:
            s = fetch(recipe, layer, search_path=paths, online=self.online,
                      progress=self.progress)
        except MissingDataError as exc:  # offline or unreachable: keep building
            self.online = False
            self.missing_msg[layer] = exc
            s = Source(layer, None, url=(recipe.sources.get(layer) or {}).get("url"),
                       note=f"{exc}")
        if recipe.generator and s.path is not None and s.origin == "local" and \
                paths and str(s.path).startswith(str(paths[0])):
            s.origin = "generated"
        self.sources[layer] = s
        if s.path is None and s.note != "not in the recipe":
            self.missing[layer] = s.note or _how_to_get(recipe, layer)
            self.missing_msg.setdefault(layer, how_to_get_msg(recipe, layer))
        return s.path

    def add(self, name: str, frame: pd.DataFrame, source_keys: list[str]) -> None:
        """Store layer ``name`` read from the recipe sources ``source_keys``."""
        self.layers[name] = frame
        self.layer_sources[name] = source_keys


def _build_into(recipe: Recipe, folder: Path, paths: list[Path], *, online: bool,
                network: bool, progress) -> tuple[dict, dict]:
    """Read every layer of the recipe into ``folder`` (GeoPackage, network, manifest)."""
    ly = _Layers(recipe, paths, online=online, progress=progress)
    b = _boundary_layer(ly)
    region_wgs = b.to_crs(settings.WGS84)
    cells = _population_layers(ly, b)
    places = _places_layer(ly, region_wgs)
    _school_layers(ly, b, region_wgs, cells, folder, places)
    _broadband_layers(ly, b)
    gpkg = folder / GPKG_NAME
    write_gpkg(gpkg, ly.layers)
    net_info = _road_network(ly, region_wgs, folder, network=network)
    manifest = _manifest(recipe, ly.sources, ly.layers, ly.layer_sources, ly.missing, net_info,
                         gpkg)
    manifest["warnings"] = ly.warnings
    manifest["missing_text"] = {k: {lang: render(m, lang) for lang in i18n.LANGUAGES}
                                for k, m in ly.missing_msg.items() if k in ly.missing}
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, ensure_ascii=False),
                                        encoding="utf-8")
    return manifest, ly.missing


def _boundary_layer(ly: _Layers) -> gpd.GeoDataFrame:
    """The region's municipalities (required)."""
    recipe = ly.recipe
    bpath = ly.get("boundaries")
    if bpath is None:
        how = ly.missing.get("boundaries")  # the steps, or why a download failed
        raise MissingDataError(
            Msg("err.build.no_boundary", region=repr(recipe.name),
                how=how_to_get_msg(recipe, "boundaries")
                if how in (None, _how_to_get(recipe, "boundaries")) else how),
            path=recipe.path, fix=Msg("err.build.no_boundary.fix"))
    b = bd.read_boundaries(bpath, name_field=recipe.boundary.get("name_field"))
    ly.warnings += list(b.attrs.get("warnings", []))
    if recipe.municipalities:
        b = bd.select_areas(b, recipe.municipalities)
    ly.add("boundaries", b, ["boundaries"])
    return b


def _population_layers(ly: _Layers, b) -> gpd.GeoDataFrame | None:
    """Census grid of the census year, GEOSTAT grids of the other years, municipal trend.

    Returns the census cells (None without a census grid).
    """
    recipe = ly.recipe
    cells = None
    cpath = ly.get("census")
    if cpath is not None:
        cells = census.read_census_grid(cpath, clip=b)
        ly.add(f"population_{recipe.census_year}", cells, ["census"])
    gpath = ly.get("popgrid")
    if gpath is None:
        return cells
    have = set(census.list_tiles(gpath)["year"]) if Path(gpath).is_dir() else None
    years = [y for y in recipe.popgrid_years if have is None or y in have]
    if have is not None and len(years) < len(recipe.popgrid_years):
        absent = sorted(set(recipe.popgrid_years) - set(years))
        ly.missing["popgrid"] = f"years {absent} not in {gpath}; built with {years}."
        ly.missing_msg["popgrid"] = Msg("err.build.popgrid_years", absent=str(absent),
                                        path=str(gpath), years=str(years))
    long = census.read_population_years(gpath, years=years, clip=b)
    for y, d in long.groupby("year"):
        if cells is not None and y == recipe.census_year:
            continue
        g = gpd.GeoDataFrame(d.drop(columns="year"),
                             geometry=census.cell_polygons(d["E"], d["N"]),
                             crs=settings.LAEA_CRS)
        ly.add(f"population_{y}", g, ["popgrid"])
    trend = census.municipality_totals(long).reset_index()
    trend.columns = [str(c) for c in trend.columns]
    ly.add("population_trend", trend, ["popgrid"])
    return cells


def _places_layer(ly: _Layers, region_wgs) -> gpd.GeoDataFrame | None:
    """Named places: the OSM place nodes (recipe source ``places``, else the OSM schools
    extract), else the towns layer (polygons). The named cities, towns and villages inside
    the region become layer ``places`` (points: ``name``, ``place``, ``population``), the
    place names of the maps. Returns every place read, for school matching (None without
    a source)."""
    key = next((k for k in ("places", "osm_schools") if ly.get(k) is not None), None)
    if key is not None:
        places = read_places(ly.get(key), clip=region_wgs)
        named = places[places["place"].isin(LABEL_PLACES)]
    elif ly.get("towns") is not None:
        key, places = "towns", bd.read_boundaries(ly.get("towns"))
        named = _towns_as_places(places, region_wgs)
    else:
        return None
    named = named[named["name"].notna() & (named["name"].astype(str).str.strip() != "")]
    ly.add("places", named[["name", "place", "population", "geometry"]].reset_index(drop=True),
           [key])
    return places


def _towns_as_places(towns: gpd.GeoDataFrame, region_wgs) -> gpd.GeoDataFrame:
    """Town polygons as places (``place="town"``) at a point on their surface, those in the
    region only."""
    pts = towns.to_crs(settings.WGS84).geometry.representative_point()
    inside = shapely.contains_xy(region_wgs.union_all(), pts.x.to_numpy(), pts.y.to_numpy())
    return gpd.GeoDataFrame({"name": towns["name"].to_numpy()[inside], "place": "town",
                             "population": float("nan")}, geometry=pts.to_numpy()[inside],
                            crs=settings.WGS84)


def _school_layers(ly: _Layers, b, region_wgs, cells, folder: Path, places) -> None:
    """Located schools (matching report in ``folder``), pupils per cell, capacity, dormitories."""
    ppath = ly.get("schools_pupils")
    if ppath is None:
        return
    schools = izm.read_schools(ppath, ly.get("schools_contacts"),
                               municipalities=list(b["name"]))
    res = _locate(ly, schools, b, region_wgs, places)
    res.write_report(folder / REPORT_NAME)
    ly.warnings += res.warnings
    sch = res.schools.drop(columns=["candidates", "suggestions"]).copy()
    sch["candidates"] = res.schools["candidates"].to_numpy()
    ly.add("schools", sch.reset_index(drop=True),
           [k for k in ("schools_pupils", "schools_contacts", "osm_schools", "school_locations",
                        "towns") if ly.sources.get(k) and ly.sources[k].path is not None])
    if cells is not None:
        year = ly.recipe.census_year
        pupils = demand.distribute_pupils(cells, demand.registry_pupils(schools))
        ly.add(f"pupils_{year}", pupils, ["schools_pupils", "census"])
    cpath = _capacity_columns(ly, schools)
    dpath = ly.get("dormitories")
    if dpath is not None:
        ly.add("dormitories", read_dormitories(dpath, known_schools=schools["school_id"]),
               ["dormitories"])
        _check_dormitory_places(ly.layers["schools"], ly.layers["dormitories"], cpath, dpath)


def _locate(ly: _Layers, schools, b, region_wgs, places):
    """Match the registry's schools to coordinates (locations table, OSM, places)."""
    osm_path = ly.get("osm_schools")
    osm = None
    if osm_path is not None:
        osm = read_facilities(osm_path, kinds=("school",), clip=region_wgs)
    return school_matching.locate_schools(schools, locations=ly.get("school_locations"),
                                          osm=osm, boundaries=b, places=places)


def _capacity_columns(ly: _Layers, schools) -> Path | None:
    """Add ``capacity`` (and ``dormitory_places``) from the capacity table to the schools."""
    cpath = ly.get("school_capacity")
    if cpath is None:
        return None
    cap = read_capacity(cpath, known_schools=schools["school_id"]).set_index("school_id")
    sch = ly.layers["schools"]
    ids = sch["school_id"].astype(str)
    sch["capacity"] = ids.map(cap["capacity"]).to_numpy()
    if cap["dormitory_places"].notna().any():
        sch["dormitory_places"] = ids.map(cap["dormitory_places"]).to_numpy()
    ly.layer_sources["schools"].append("school_capacity")
    return cpath


def _broadband_layers(ly: _Layers, b) -> None:
    """Ookla speed tests (grid or tiles), operator coverage, the national land border."""
    opath = ly.get("ookla")
    if opath is not None:
        ly.add("broadband", ookla.read_ookla_grid(opath, clip=b), ["ookla"])
    else:
        tpath = ly.get("ookla_tiles")
        if tpath is not None:
            ly.add("broadband", ookla.read_ookla_tiles(tpath, clip=b), ["ookla_tiles"])
            ly.missing.pop("ookla", None)
    cov = ly.get("coverage")
    if cov is not None:
        ly.add("coverage", read_coverage(cov), ["coverage"])
    border, border_key = read_region_border(ly.get("border"), ly.get("roads"))
    if border is not None:  # national land border (geo.broadband border bands)
        ly.add("border", border, [border_key])


def _road_network(ly: _Layers, region_wgs, folder: Path, *, network: bool) -> dict | None:
    """Build the routing network from the roads (or say where roads come from)."""
    recipe = ly.recipe
    rpath = ly.get("roads")
    if rpath is not None and network:
        clip = region_wgs.geometry.union_all()
        net = build_network_from_file(rpath, folder / "network", crs=recipe.crs, clip=clip,
                                      progress=ly.progress)
        return {"source": "roads", "nodes": int(net.n_nodes), "folder": "network"}
    if rpath is None and "roads" in recipe.files:
        geofabrik = f"{settings.GEOFABRIK_BASE_URL}/{settings.GEOFABRIK_REGION}-latest.osm.pbf"
        ly.missing["roads"] = (
            "no road network: roads come from OpenStreetMap (Geofabrik extract "
            f"{geofabrik}). " + ly.missing.get("roads", _how_to_get(recipe, "roads"))
            + " Then build again: the other layers are already in this bundle."
        )
        ly.missing_msg["roads"] = Msg("err.build.no_roads", url=geofabrik, how=ly.missing_msg.get(
            "roads", how_to_get_msg(recipe, "roads")))
    return None


def _check_dormitory_places(schools: pd.DataFrame, dorms: pd.DataFrame, cpath, dpath) -> None:
    """Dormitory places given both in the capacity table and in the dormitory table must
    agree per school (the dormitory table wins where they do; schools it lacks keep the
    capacity table's places)."""
    if "dormitory_places" not in schools.columns:
        return
    table = pd.Series(schools["dormitory_places"].to_numpy(dtype=float),
                      index=schools["school_id"].astype(str))
    per_school = dorms.groupby(dorms["school_id"].astype(str))["places"].sum()
    both = table.dropna().index.intersection(per_school.index)
    bad = [s for s in both if table[s] != per_school[s]]
    if bad:
        detail = tuple(Msg("err.build.dorm_pair", school=s, a=Num(table[s], None),
                           b=Num(per_school[s], None)) for s in bad[:5])
        raise GeoInputError(
            Msg("err.build.dorm_differ", capacity=str(cpath), detail=detail), path=dpath,
            fix=Msg("err.build.dorm_differ.fix"))


def _manifest(recipe, sources, layers, layer_sources, missing, net_info, gpkg) -> dict:
    def src_info(key: str) -> dict:
        s = sources[key]
        meta = recipe.sources.get(key) or {}
        info = {"file": str(s.path), "origin": s.origin,
                "date": _dt.datetime.fromtimestamp(s.path.stat().st_mtime, _dt.UTC)
                .date().isoformat(),
                "sha256": file_digest(s.path)}
        for k in ("publisher", "licence", "url", "page", "date", "edition"):
            if meta.get(k) is not None:
                info["source_date" if k == "date" else k] = meta[k]
        if s.url:
            info["url"] = s.url
        return info

    cache: dict[str, dict] = {}
    out_layers = {}
    for name, df in layers.items():
        keys = layer_sources.get(name, [])
        for k in keys:
            if k not in cache:
                cache[k] = src_info(k)
        out_layers[name] = {
            "rows": int(len(df)),
            "crs": str(df.crs) if isinstance(df, gpd.GeoDataFrame) and df.crs else None,
            "origin": ",".join(sorted({cache[k]["origin"] or "?" for k in keys})) or None,
            "sources": {k: cache[k] for k in keys},
        }
    if net_info is not None:
        out_layers["network"] = {**net_info, "sources": {"roads": src_info("roads")},
                                 "origin": sources["roads"].origin}
    return {
        "region": recipe.name,
        "title": recipe.title,
        "crs": recipe.crs,
        "built": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "recipe": {"file": str(recipe.path), "sha256": file_digest(recipe.path)},
        "gpkg": {"file": GPKG_NAME, "sha256": file_digest(gpkg)},
        "layers": out_layers,
        "missing": missing,
    }
