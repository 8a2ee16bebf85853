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
  publisher, licence and SHA-256; the layers missing and how to get them.

:func:`build_bundle` looks for each file on the search path first
(:func:`geo.settings.data_search_path`, ``$GEO_DATA_PATH``), downloads what is missing when
online (a network failure counts as offline), builds into a temporary folder next to the target
and swaps it in only when complete: a failed build leaves an existing bundle untouched.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import importlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo import settings
from geo._files import atomic_dir
from geo.errors import GeoInputError, MissingDataError
from geo.network.graph import build_network_from_file
from geo.region import demand, school_matching
from geo.region.bundle import GPKG_NAME, MANIFEST_NAME
from geo.region.recipe import Recipe, Source, _how_to_get, fetch, load_recipe, sha256_of
from geo.sources import boundaries as bd
from geo.sources import census, izm, ookla
from geo.sources.capacity import read_capacity
from geo.sources.coverage import read_coverage
from geo.sources.dormitories import read_dormitories
from geo.sources.osm import read_facilities, read_places

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
        return "\n".join(lines)


def _generated_dir(recipe: Recipe, progress, name: str | None = None) -> Path:
    """Run the recipe's generator once (cached in ``data/downloads/generated/<name>``)."""
    folder = settings.DOWNLOADS_DIR / "generated" / (name or recipe.name)
    mod = importlib.import_module(recipe.generator)
    if not hasattr(mod, "generate"):
        raise GeoInputError(f"generator {recipe.generator!r} has no generate() function.",
                            path=recipe.path)
    # regenerate when the generator's code or options changed since the files were made
    stamp = json.dumps({"code": sha256_of(Path(mod.__file__)),
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
            raise GeoInputError("generator options given, but the recipe has no generator.",
                                path=recipe.path)
        recipe = dataclasses.replace(
            recipe, generator_options={**recipe.generator_options, **generator_options})
        scale = generator_options.get("scale")
        if scale and scale != recipe.raw.get("generator_options", {}).get("scale"):
            bundle_name = f"{recipe.name}-{scale}"
    out = Path(out) if out is not None else settings.BUNDLES_DIR / bundle_name
    paths = [Path(p) for p in (search_path if search_path is not None
                               else settings.data_search_path())]
    generated = None
    if recipe.generator:
        generated = _generated_dir(recipe, progress, bundle_name)
        paths = [generated, *paths]
    with atomic_dir(out) as tmp:
        manifest, missing = _build_into(recipe, tmp, paths, online=online, network=network,
                                        progress=progress)
    sizes = ""
    if generated is not None and (generated / "SIZES.txt").exists():
        sizes = (generated / "SIZES.txt").read_text("utf-8")
    return BuildResult(out, manifest, missing, sizes)


def _build_into(recipe: Recipe, folder: Path, paths: list[Path], *, online: bool,
                network: bool, progress) -> tuple[dict, dict]:

    sources: dict[str, Source] = {}
    missing: dict[str, str] = {}
    state = {"online": online}

    def get(layer: str) -> Path | None:
        if layer in sources:
            return sources[layer].path
        try:
            s = fetch(recipe, layer, search_path=paths, online=state["online"],
                      progress=progress)
        except MissingDataError as exc:  # offline or unreachable: keep building
            state["online"] = False
            s = Source(layer, None, url=(recipe.sources.get(layer) or {}).get("url"),
                       note=f"{exc}")
        if recipe.generator and s.path is not None and s.origin == "local" and \
                paths and str(s.path).startswith(str(paths[0])):
            s.origin = "generated"
        sources[layer] = s
        if s.path is None and s.note != "not in the recipe":
            missing[layer] = s.note or _how_to_get(recipe, layer)
        return s.path

    layers: dict[str, pd.DataFrame] = {}
    layer_sources: dict[str, list[str]] = {}

    # boundaries -------------------------------------------------------------------------
    bpath = get("boundaries")
    if bpath is None:
        raise MissingDataError(
            f"region {recipe.name!r}: no boundary file found ({missing.get('boundaries')}).",
            path=recipe.path, fix="put the boundary file on the data search path.")
    b = bd.read_boundaries(bpath, name_field=recipe.boundary.get("name_field"))
    if recipe.municipalities:
        b = bd.select_areas(b, recipe.municipalities)
    layers["boundaries"] = b
    layer_sources["boundaries"] = ["boundaries"]
    region_wgs = b.to_crs(settings.WGS84)

    # population ---------------------------------------------------------------------------
    cells = None
    cpath = get("census")
    if cpath is not None:
        cells = census.read_census_grid(cpath, clip=b)
        layers[f"population_{recipe.census_year}"] = cells
        layer_sources[f"population_{recipe.census_year}"] = ["census"]
    gpath = get("popgrid")
    if gpath is not None:
        have = set(census.list_tiles(gpath)["year"]) if Path(gpath).is_dir() else None
        years = [y for y in recipe.popgrid_years if have is None or y in have]
        if have is not None and len(years) < len(recipe.popgrid_years):
            missing["popgrid"] = (f"years {sorted(set(recipe.popgrid_years) - set(years))} "
                                  f"not in {gpath}; built with {years}.")
        long = census.read_population_years(gpath, years=years, clip=b)
        for y, d in long.groupby("year"):
            if cells is not None and y == recipe.census_year:
                continue
            g = gpd.GeoDataFrame(d.drop(columns="year"),
                                 geometry=census.cell_polygons(d["E"], d["N"]),
                                 crs=settings.LAEA_CRS)
            layers[f"population_{y}"] = g
            layer_sources[f"population_{y}"] = ["popgrid"]
        trend = census.municipality_totals(long).reset_index()
        trend.columns = [str(c) for c in trend.columns]
        layers["population_trend"] = trend
        layer_sources["population_trend"] = ["popgrid"]

    # schools ------------------------------------------------------------------------------
    ppath = get("schools_pupils")
    if ppath is not None:
        schools = izm.read_schools(ppath, get("schools_contacts"),
                                   municipalities=list(b["name"]))
        osm_path = get("osm_schools")
        osm = places = None
        if osm_path is not None:

            osm = read_facilities(osm_path, kinds=("school",), clip=region_wgs)
            places = read_places(get("places") or osm_path, clip=region_wgs)
        towns = get("towns")
        if places is None and towns is not None:
            places = bd.read_boundaries(towns)
        loc_path = get("school_locations")
        res = school_matching.locate_schools(schools, locations=loc_path, osm=osm, boundaries=b,
                                    places=places)
        res.write_report(folder / REPORT_NAME)
        sch = res.schools.drop(columns=["candidates", "suggestions"]).copy()
        sch["candidates"] = res.schools["candidates"].to_numpy()
        layers["schools"] = sch.reset_index(drop=True)
        layer_sources["schools"] = [k for k in ("schools_pupils", "schools_contacts",
                                                "osm_schools", "school_locations", "towns")
                                    if sources.get(k) and sources[k].path is not None]
        if cells is not None:
            pupils = demand.distribute_pupils(cells, demand.registry_pupils(schools))
            layers[f"pupils_{recipe.census_year}"] = pupils
            layer_sources[f"pupils_{recipe.census_year}"] = ["schools_pupils", "census"]
        cpath = get("school_capacity")
        if cpath is not None:

            cap = read_capacity(cpath, known_schools=schools["school_id"]).set_index("school_id")
            ids = layers["schools"]["school_id"].astype(str)
            layers["schools"]["capacity"] = ids.map(cap["capacity"]).to_numpy()
            layer_sources["schools"].append("school_capacity")
        dpath = get("dormitories")
        if dpath is not None:

            layers["dormitories"] = read_dormitories(dpath, known_schools=schools["school_id"])
            layer_sources["dormitories"] = ["dormitories"]
    # broadband ----------------------------------------------------------------------------
    opath = get("ookla")
    if opath is not None:
        layers["broadband"] = ookla.read_ookla_grid(opath, clip=b)
        layer_sources["broadband"] = ["ookla"]
    else:
        tpath = get("ookla_tiles")
        if tpath is not None:
            layers["broadband"] = ookla.read_ookla_tiles(tpath, clip=b)
            layer_sources["broadband"] = ["ookla_tiles"]
            missing.pop("ookla", None)
    cov = get("coverage")
    if cov is not None:

        layers["coverage"] = read_coverage(cov)
        layer_sources["coverage"] = ["coverage"]

    # write the GeoPackage -----------------------------------------------------------------
    gpkg = folder / GPKG_NAME
    _write_gpkg(gpkg, layers)

    # road network -------------------------------------------------------------------------
    net_info = None
    rpath = get("roads")
    if rpath is not None and network:

        clip = region_wgs.geometry.union_all()
        net = build_network_from_file(rpath, folder / "network", crs=recipe.crs, clip=clip,
                                      progress=progress)
        net_info = {"source": "roads", "nodes": int(net.n_nodes), "folder": "network"}
    elif rpath is None and "roads" in recipe.files:
        geofabrik = f"{settings.GEOFABRIK_BASE_URL}/{settings.GEOFABRIK_REGION}-latest.osm.pbf"
        missing["roads"] = (
            "no road network: roads come from OpenStreetMap (Geofabrik extract "
            f"{geofabrik}). " + missing.get("roads", _how_to_get(recipe, "roads"))
            + " Then build again: the other layers are already in this bundle."
        )

    manifest = _manifest(recipe, sources, layers, layer_sources, missing, net_info, gpkg)
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, ensure_ascii=False),
                                        encoding="utf-8")
    return manifest, missing


def _write_gpkg(path: Path, layers: dict[str, pd.DataFrame]) -> None:

    for name, df in layers.items():
        df = df.copy()
        for c in df.columns:
            if df[c].dtype == object and c != getattr(df, "_geometry_column_name", None):
                df[c] = df[c].map(lambda v: v if v is None or isinstance(v, str | int | float |
                                                                         bool) else str(v))
        df.attrs = {}
        if isinstance(df, gpd.GeoDataFrame):
            df.to_file(path, layer=name, driver="GPKG")
        else:
            pyogrio.write_dataframe(df, path, layer=name, driver="GPKG")


def _manifest(recipe, sources, layers, layer_sources, missing, net_info, gpkg) -> dict:
    def src_info(key: str) -> dict:
        s = sources[key]
        meta = recipe.sources.get(key) or {}
        info = {"file": str(s.path), "origin": s.origin,
                "date": _dt.datetime.fromtimestamp(s.path.stat().st_mtime, _dt.UTC)
                .date().isoformat(),
                "sha256": sha256_of(s.path)}
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
        "recipe": {"file": str(recipe.path), "sha256": sha256_of(recipe.path)},
        "gpkg": {"file": GPKG_NAME, "sha256": sha256_of(gpkg)},
        "layers": out_layers,
        "missing": missing,
    }
