"""End-to-end jobs shared by the CLI and the app: read inputs, run the engine, write outputs.

This is the only module that composes the others (sources -> region bundle -> network engine ->
scenario -> indicators -> maps and exports). Each job checks its inputs (clear errors naming the
file), reports what it could not use and writes its outputs atomically.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from tqdm import tqdm

from geo import i18n, settings
from geo._csv import write_csv
from geo._files import (
    check_output_dir,
    check_output_file,
    new_run,
    owned_dir,
    owned_file,
    read_marker,
    result_names,
    write_gpkg,
)
from geo._yaml import load_yaml
from geo.broadband.analysis import analyse_bundle
from geo.broadband.classes import region_summary
from geo.errors import GeoInputError, Msg, check_number
from geo.i18n import t
from geo.network.access import catchments, isochrones, nearest_facility, snap_facilities
from geo.network.access import catchments as catchments_table
from geo.network.graph import Network, build_network_from_file
from geo.outputs.export import write_comparison, write_evaluation
from geo.outputs.layers import (
    MapLayer,
    _check_lang,
    _num,
    boundaries_layer,
    catchments_layer,
    dormitories_layer,
    isochrones_layer,
    places_layer,
    roads_layer,
    schools_layer,
    travel_time_layer,
    white_spots_layer,
)
from geo.outputs.report import export_broadband_report, export_gpkg, format_number
from geo.outputs.web import make_map
from geo.planning.distributed import dask_client, resolve_scheduler, run_tasks
from geo.planning.evaluate import evaluate, format_summary
from geo.planning.indicators import compare, compare_joint, school_flows, weighted_quantiles
from geo.planning.optimize import optimize, result_to_scenario
from geo.planning.prepared import Prepared, prepare_bundle
from geo.planning.scenario import baseline, load_scenario, save_scenario
from geo.planning.sweep import (
    current_point,
    parse_sweep,
    parse_years,
    robustness,
    run_sweep,
    write_robustness,
    write_sweep,
)
from geo.progress import tqdm_progress
from geo.region.build import build_bundle
from geo.region.bundle import load_bundle
from geo.region.recipe import list_recipes
from geo.sources.coverage import points_from_table
from geo.sources.osm import read_facilities, sniff_format
from geo.sources.tabular import (
    check_numeric_column,
    check_unique_ids,
    pick_column,
    read_csv_any,
)
from geo.sources.vector import read_vector

POPULATION_COLUMNS = ("population", "pop", "T", "pupils", "POP")


ID_COLUMNS = ("id", "osm_id", "reg_nr", "ref", "GRD_ID", "name")


def read_facilities_any(path: str | Path, *, kinds=("school",)) -> gpd.GeoDataFrame:
    """Facilities from any vector file, or from an OSM file (its schools by default)."""
    path = Path(path)
    osm_fmt = None
    if path.is_file() and path.stat().st_size > 0:
        try:
            osm_fmt = sniff_format(path)
        except GeoInputError:
            osm_fmt = None
    if osm_fmt is not None and path.suffix.lower() not in (".json", ".geojson"):
        gdf = read_facilities(path, kinds=kinds)
        if gdf.empty:
            raise GeoInputError(Msg("err.jobs.no_facilities", kinds=str(list(kinds))), path=path,
                                fix=Msg("err.jobs.no_facilities.fix"))
        gdf.attrs["source"] = str(path)
        return gdf
    return read_vector(path, name="facilities")




def run_access(  # noqa: PLR0913  keyword-only options of a public entry point
    *,
    network,
    facilities,
    origins,
    out: str | Path | None = None,
    facility_id: str | None = None,
    origin_id: str | None = None,
    population: str | None = None,
    cutoff_s: float | None = None,
    max_snap_m: float | None = None,
    progress: bool = False,
    force: bool = False,
) -> str:
    """Nearest facility for every origin and catchment of every facility.

    Parameters
    ----------
    network : str, Path or Network
        Network cache folder or a loaded network.
    facilities, origins : str, Path or GeoDataFrame
        Vector files (facilities may also be an OSM file: its schools).
    out : str or Path, optional
        GeoPackage with layers ``origins`` (per origin: ``facility_id``, ``time_min``,
        ``dist_km``, ``snap_m``, ``snapped``, population) and ``facilities`` (catchment:
        ``n_origins``, ``population``, ``mean_time_min``, ``max_time_min``, ``snapped``).
    facility_id, origin_id, population : str, optional
        Column names (defaults are guessed from common names).
    cutoff_s : float, optional
        Search limit, seconds (the CLI's ``--cutoff`` is in minutes).
    max_snap_m : float, optional
        Snapping limit, metres (default :data:`geo.settings.SNAP_MAX_DISTANCE_M`).
    progress : bool, default False
        Progress messages.
    force : bool, default False
        Replace an existing ``out`` that the tool did not write (see
        :func:`geo._files.owned_file`); checked before any work.

    Returns
    -------
    str
        A summary for the console.
    """
    if out is not None:
        check_output_file(out, force=force)
    if cutoff_s is not None:
        cutoff_s = check_number(cutoff_s, name="cutoff_s (--cutoff x 60)")
    if max_snap_m is not None:
        max_snap_m = check_number(max_snap_m, name="max_snap_m (--max-snap)")
    net = network if isinstance(network, Network) else Network.load(network)
    fac = facilities if isinstance(facilities, gpd.GeoDataFrame) else read_facilities_any(facilities)
    org = origins if isinstance(origins, gpd.GeoDataFrame) else read_vector(origins, name="origins")
    fid_col = pick_column(fac, facility_id, ID_COLUMNS, what="facility id")
    if fid_col:
        check_unique_ids(fac, fid_col, what="facility", first_row=1, rows_word="features")
    oid_col = pick_column(org, origin_id, ID_COLUMNS, what="origin id")
    pop_col = pick_column(org, population, POPULATION_COLUMNS, what="population")
    if pop_col:
        check_numeric_column(org, pop_col, what="population", option="--population",
                             first_row=1, rows_word="features")
    snap_m = settings.SNAP_MAX_DISTANCE_M if max_snap_m is None else float(max_snap_m)
    if progress:
        print(f"network {net.n_nodes:,} nodes; {len(fac):,} facilities; {len(org):,} origins")
    near = nearest_facility(
        net, org, fac, origin_id=oid_col, facility_id=fid_col, population=pop_col,
        cutoff_s=cutoff_s, max_snap_m=snap_m,
    )
    fids = fac[fid_col].to_numpy() if fid_col else np.asarray(fac.index)
    fs = snap_facilities(net, fac, max_snap_m=snap_m)
    catch = catchments(near, facility_ids=fids)
    catch["snapped"] = fs.ok
    catch["snap_m"] = fs.dist_m
    n_un = int((~near["snapped"]).sum())
    n_far = int((near["snapped"] & near["facility_id"].isna()).sum())
    lines = [
        f"origins: {len(near):,}; reached a facility: {int(near['facility_id'].notna().sum()):,}",
        f"median travel time {np.nanmedian(near['time_min'].replace(np.inf, np.nan)):.1f} min",
    ]
    if n_un:
        lines.append(
            f"{n_un:,} origins are farther than {snap_m:.0f} m from any road and were not routed "
            "(listed with snapped = false)"
        )
    if n_far:
        lines.append(f"{n_far:,} origins reach no facility within the cutoff")
    if (~fs.ok).any():
        bad = fids[~fs.ok]
        lines.append(
            f"{len(bad)} facilities are farther than {snap_m:.0f} m from the network and were "
            f"left out: {', '.join(map(str, bad[:10]))}{' ...' if len(bad) > 10 else ''}"
        )
    if out is not None:
        o = gpd.GeoDataFrame(
            near.assign(dist_km=near["dist_m"] / 1000.0).drop(columns=["dist_m"]),
            geometry=org.geometry.to_numpy(), crs=org.crs,
        )
        o = o.replace([np.inf, -np.inf], np.nan)
        f = gpd.GeoDataFrame(catch, geometry=fac.geometry.to_numpy(), crs=fac.crs)
        if "osm_id" in fac.columns and fid_col != "osm_id":
            f["osm_id"] = fac["osm_id"].to_numpy()
        if "name" in fac.columns and fid_col != "name":
            f["name"] = fac["name"].to_numpy()

        inputs = [x for x in (network, facilities, origins) if isinstance(x, str | Path)]
        with owned_file(out, force=force, run=new_run("access", inputs=inputs)) as tmp:
            export_gpkg(tmp, {"origins": o, "facilities": f})
        lines.append(f"written: {out}")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------
# Regions from OSM files (used by the app until a region bundle exists)
# ------------------------------------------------------------------------------------------
OSM_SUFFIXES = (".osm.pbf", ".osm", ".osm.bz2", ".osm.gz")


def find_osm_files(paths=None) -> list[Path]:
    """OSM files in the data search path (and its ``osm/`` sub-folders).

    Parameters
    ----------
    paths : list of Path, optional
        Folders to search (default :func:`geo.settings.data_search_path`).

    Returns
    -------
    list of Path
        Sorted by name, without duplicates.
    """
    found: dict[str, Path] = {}
    for folder in paths if paths is not None else settings.data_search_path():
        for sub in (folder, folder / "osm"):
            if not sub.is_dir():
                continue
            for p in sorted(sub.iterdir()):
                if p.is_file() and p.name.endswith(OSM_SUFFIXES):
                    found.setdefault(p.name, p)
    return sorted(found.values(), key=lambda p: p.name)


def default_osm_file(files: list[Path]) -> Path:
    """The file the app opens first: a Latvian extract when present, else the smallest."""
    for key in ("vidzeme", "latvia"):
        for p in files:
            if key in p.name.lower():
                return p
    return min(files, key=lambda p: p.stat().st_size)


def network_cache_dir(osm_path: str | Path, *, mode: str = "drive") -> Path:
    """Cache folder of a file's network: ``data/cache/<name>-<mode>-<size>-<mtime>``."""
    p = Path(osm_path)
    st = p.stat()
    stem = p.name.split(".")[0]
    return settings.PROJECT_ROOT / "data" / "cache" / f"{stem}-{mode}-{st.st_size}-{int(st.st_mtime)}"


@functools.cache
def code_digest() -> str:
    """SHA-256 (first 16 hex digits) of the ``geo`` package's source files: a cache written
    by other code (an update, an edit) is never used."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for f in sorted(root.rglob("*.py")):
        h.update(f.relative_to(root).as_posix().encode("utf-8"))
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


#: Subfolder of a bundle holding its prepared region (:func:`cached_prepared`).
PREPARED_CACHE = "prepared-cache"


def prepared_cache_dir(bundle_folder: str | Path) -> Path:
    """Cache folder of a bundle's prepared region, inside the bundle: it goes with the
    bundle (a rebuild, a deleted bundle) and is replaced when the code changes."""
    return Path(bundle_folder) / PREPARED_CACHE


def cached_prepared(bundle, *, progress=None) -> Prepared:
    """The prepared region of a bundle (:func:`prepare_bundle` with its defaults), read from
    the cache when it was written for this build of the bundle by this code, else prepared
    now and cached (:func:`prepared_cache_dir`).

    Routing every school of a region takes seconds to minutes (Vidzeme scale: 8-10 s,
    reading the cache 0.2 s); the app's first scenario of a session no longer waits for it.
    The cache key is the bundle's stamp (:func:`bundle_stamp`: its manifest's size, time and
    digest) and :func:`code_digest`. A cache that cannot be read is prepared again; one that
    cannot be written (a read-only folder) leaves the region prepared in memory.

    Parameters
    ----------
    bundle : geo.region.Bundle
        A loaded bundle (``path`` is its folder).
    progress : callable, optional
        Passed to :func:`prepare_bundle`.

    Returns
    -------
    Prepared
    """
    folder = prepared_cache_dir(bundle.path)
    key = f"{bundle_stamp(bundle.path)}:{code_digest()}"
    marker = read_marker(folder) or {}
    if marker.get("cache_key") == key and marker.get("state") == "complete":
        try:
            return Prepared.load(folder)
        except GeoInputError:
            pass  # unreadable (cut short, edited): prepared again below
    prep = prepare_bundle(bundle, progress=progress)
    run = {**new_run("app prepared cache", inputs=[]), "cache_key": key,
           "bundle": str(Path(bundle.path).resolve())}
    try:
        prep.save(folder, force=True, run=run)
    except (GeoInputError, OSError):
        pass  # no cache this time; the region is prepared
    return prep


def prepare_network(osm_path: str | Path, *, mode: str = "drive", progress: bool = False):
    """Load the cached network of an OSM file, building and caching it on first use.

    Returns
    -------
    geo.network.Network
    """
    cache = network_cache_dir(osm_path, mode=mode)
    if (cache / "network.npz").exists():
        try:
            return Network.load(cache)
        except GeoInputError:
            pass  # an old cache version: rebuild below
    return build_network_from_file(osm_path, cache, mode=mode, progress=progress)


def grid_cells(net, *, size_m: float = 1000.0) -> gpd.GeoDataFrame:
    """Square cells (``size_m`` metres, in the network CRS) that contain road nodes.

    Stand-in origins for regions without a population grid: every cell holding at least one
    road node, with ``n_nodes`` as a crude activity weight.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``cell_id``, ``n_nodes``, polygon geometry, in ``net.crs``.
    """
    ix = np.floor(net.x / size_m).astype(np.int64)
    iy = np.floor(net.y / size_m).astype(np.int64)
    cells = pd.DataFrame({"ix": ix, "iy": iy}).value_counts().rename("n_nodes").reset_index()
    x0 = cells["ix"].to_numpy() * size_m
    y0 = cells["iy"].to_numpy() * size_m
    geom = shapely.box(x0, y0, x0 + size_m, y0 + size_m)
    cell_id = [f"{int(a)}_{int(b)}" for a, b in zip(cells["ix"], cells["iy"], strict=True)]
    return gpd.GeoDataFrame(
        {"cell_id": cell_id, "n_nodes": cells["n_nodes"].to_numpy()}, geometry=geom, crs=net.crs
    )


# ------------------------------------------------------------------------------------------
# Region bundles in the app
# ------------------------------------------------------------------------------------------
DEFAULT_REGION = "vidzeme"


FALLBACK_REGION = "demo"


def bundle_dir(name: str) -> Path:
    """Folder of a region's bundle (``settings.BUNDLES_DIR / name``)."""
    return settings.BUNDLES_DIR / name


def bundle_has_roads(name: str) -> bool:
    """Whether a region's bundle exists and holds a road network."""
    return (bundle_dir(name) / "network" / "network.npz").exists()


def bundle_stamp(folder: str | Path) -> str:
    """A stamp of the bundle in ``folder`` as built, the key of the app's caches of it.

    Parameters
    ----------
    folder : str or Path
        The bundle's folder (:func:`bundle_dir`).

    Returns
    -------
    str
        The size (bytes), modification time (ns) and SHA-256 digest (first 16 hex digits) of
        its ``manifest.json``, which every build writes anew; ``""`` when it is not built.
    """
    man = Path(folder) / "manifest.json"
    try:
        info, data = man.stat(), man.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return ""
    return f"{info.st_size}-{info.st_mtime_ns}-{hashlib.sha256(data).hexdigest()[:16]}"


def default_region() -> tuple[str, str]:
    """The region the app opens, and why.

    Vidzeme when its bundle exists and has roads; otherwise the fictional demo region.

    Returns
    -------
    (str, str)
        Region name and a reason key of :mod:`geo.i18n`: ``"app.why.vidzeme"``,
        ``"app.why.no_vidzeme_bundle"`` or ``"app.why.no_vidzeme_roads"``.
    """
    if bundle_has_roads(DEFAULT_REGION):
        return DEFAULT_REGION, "app.why.vidzeme"
    if (bundle_dir(DEFAULT_REGION) / "manifest.json").exists():
        return FALLBACK_REGION, "app.why.no_vidzeme_roads"
    return FALLBACK_REGION, "app.why.no_vidzeme_bundle"


def region_choices() -> list[str]:
    """Regions the user can open: recipes in ``data/regions`` and bundles already built."""
    names = set(list_recipes())
    if settings.BUNDLES_DIR.is_dir():
        names |= {p.name for p in settings.BUNDLES_DIR.iterdir()
                  if (p / "manifest.json").exists()}
    first = [n for n in (DEFAULT_REGION, FALLBACK_REGION) if n in names]
    return first + sorted(names - set(first))


def open_bundle(name: str, *, build_if_missing: bool = True, progress: bool = False):
    """Load a region's bundle, building it offline first when it does not exist.

    Returns
    -------
    geo.region.Bundle
    """
    path = bundle_dir(name)
    if not (path / "manifest.json").exists():
        if not build_if_missing:
            raise GeoInputError(Msg("err.jobs.not_built"), path=path,
                                fix=Msg("err.jobs.not_built.fix", name=name))
        build_bundle(name, out=path, online=False, progress=progress)
    return load_bundle(path)


def bundle_warnings(manifest: dict, lang: str = i18n.DEFAULT_LANGUAGE) -> list[str]:
    """The warnings of a bundle's build (``manifest["warnings"]``) in the user's language.

    Parameters
    ----------
    manifest : dict
        ``Bundle.manifest`` (or the ``manifest.json`` as read).
    lang : {"lv", "en"}

    Returns
    -------
    list of str
        One text per warning (schools at impossible places, repaired boundaries...); a
        warning without a translation keeps its English ``message``.
    """
    out = []
    for w in manifest.get("warnings") or []:
        if not isinstance(w, dict):
            out.append(str(w))
            continue
        code = w.get("code", "")
        key = f"warn.school_{w.get('kind')}" if code == "school_location" else f"warn.{code}"
        if key not in i18n.STRINGS:
            out.append(str(w.get("message", w)))
            continue
        out.append(t(key, lang, **{**w, "km": w.get("km") or "?"}))
    return out


def band_pupils(cells: gpd.GeoDataFrame, band: str) -> np.ndarray:
    """Pupils of a grade band per cell (sum of its ``g1``..``g12`` columns)."""
    cols = [f"g{g}" for g in settings.GRADE_BANDS[band]]
    missing = [c for c in cols if c not in cells.columns]
    if missing:
        raise GeoInputError(Msg("err.jobs.pupils_columns", missing=str(missing)),
                            path=cells.attrs.get("source"), fix=Msg("err.bundle.rebuild.fix"))
    return cells[cols].to_numpy(dtype=float).sum(axis=1)


def schools_serving(schools: gpd.GeoDataFrame, band: str) -> gpd.GeoDataFrame:
    """Located schools that serve a grade band (``serves_<band>`` flag of the registry)."""
    col = f"serves_{band.replace('-', '_')}"
    located = schools[schools.geometry.notna() & ~schools.geometry.is_empty]
    if col in located.columns:
        located = located[located[col].astype(bool)]
    return located


def band_access(net, cells: gpd.GeoDataFrame, schools: gpd.GeoDataFrame, band: str):
    """Travel time from every cell to the nearest school serving a grade band.

    Parameters
    ----------
    net : geo.network.Network
    cells : GeoDataFrame
        Pupils per cell (columns ``g1``..``g12``), any CRS.
    schools : GeoDataFrame
        The bundle's schools (``school_id``, ``name``, ``serves_*`` flags); unlocated schools
        are left out.
    band : {"1-6", "7-9", "10-12"}

    Returns
    -------
    geopandas.GeoDataFrame
        The cells with ``pupils`` (of the band), ``facility_id``, ``school_name``,
        ``time_min``, ``dist_km``, ``snapped``.
    """
    serving = schools_serving(schools, band)
    if serving.empty:
        raise GeoInputError(Msg("err.jobs.no_school", band=band),
                            fix=Msg("err.jobs.no_school.fix"))
    near = nearest_facility(net, cells, serving, facility_id="school_id")
    out = cells[[cells.geometry.name]].copy()
    if "municipality" in cells.columns:
        out["municipality"] = cells["municipality"].to_numpy()
    out["pupils"] = band_pupils(cells, band)
    out["facility_id"] = near["facility_id"].to_numpy()
    names = dict(zip(serving["school_id"], serving["name"], strict=True))
    out["school_name"] = near["facility_id"].map(names).to_numpy()
    out["time_min"] = near["time_min"].to_numpy()
    out["dist_km"] = near["dist_m"].to_numpy() / 1000.0
    out["snapped"] = near["snapped"].to_numpy()
    return out


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """Weighted median (NaN when the weights sum to 0); infinite values count as largest.

    One implementation with the indicators' quantiles
    (:func:`geo.planning.indicators.weighted_quantiles`).
    """
    values, weights = np.asarray(values, np.float64), np.asarray(weights, np.float64)
    key = np.zeros(len(values), np.int64)
    return float(weighted_quantiles(key, values, weights, (0.5,), 1, keep_inf=True)[0, 0])


# ------------------------------------------------------------------------------------------
# Scenarios in the app
# ------------------------------------------------------------------------------------------
REGION_AREA = "(region)"


def scenario_files(region: str) -> list[Path]:
    """Scenario files in ``scenarios/`` made for a region (their ``region:`` key)."""
    out = []
    for p in sorted((settings.PROJECT_ROOT / "scenarios").glob("*.yaml")):
        try:
            data = load_yaml(p, kind="scenario").data or {}
        except GeoInputError:
            continue
        if isinstance(data, dict) and str(data.get("region", "")) == region:
            out.append(p)
    return out


def comparison_table(cmp: dict, lang: str, *, area: str = REGION_AREA,
                     band: str = "all") -> pd.DataFrame:
    """Every indicator of a comparison side by side, labelled in ``lang``.

    Parameters
    ----------
    cmp : dict
        From :func:`geo.planning.indicators.compare`.
    lang : {"lv", "en"}
    area : str, default "(region)"
        ``"(region)"`` or a municipality name.
    band : str, default "all"
        Grade band or ``"all"``.

    Returns
    -------
    pandas.DataFrame
        Columns: indicator label, unit, baseline value, scenario value, difference.
    """
    s = cmp["summary"]
    s = s[(s["area"] == area) & (s["grade_band"] == band)]
    name_a = str(s["scenario_a"].iloc[0]) if len(s) else "a"
    name_b = str(s["scenario_b"].iloc[0]) if len(s) else "b"
    if name_a == "baseline":
        name_a = t("app.baseline", lang)
    if name_b == name_a:
        name_b = f"{name_b} (2)"
    return pd.DataFrame({
        t("app.indicator", lang): [t(f"ind.{k}", lang) for k in s["indicator"]],
        t("app.unit", lang): [t(f"unit.{u}", lang) for u in s["unit"]],
        name_a: s["value_a"].to_numpy(),
        name_b: s["value_b"].to_numpy(),
        t("app.difference", lang): s["diff"].to_numpy(),
    })


def scenario_cells(cells: gpd.GeoDataFrame, cmp: dict, band: str) -> gpd.GeoDataFrame:
    """Cells with the travel time of a grade band before and after a scenario.

    Parameters
    ----------
    cells : GeoDataFrame
        Pupil cells of the bundle (``cell_id``), any CRS.
    cmp : dict
        From :func:`geo.planning.indicators.compare`.
    band : str
        Grade band.

    Returns
    -------
    geopandas.GeoDataFrame
        Cells with pupils of the band: ``pupils``, ``time_a``, ``time_b`` (pupil-weighted mean
        minutes), ``change_min``, ``school_b``, ``newly_beyond`` (pupils newly beyond the
        threshold).
    """
    o = cmp["origins"]
    o = o[o["grade_band"] == band].set_index("origin_id")
    key = cells["cell_id"].astype(str)
    keep = key.isin(o.index).to_numpy()
    out = cells.loc[keep, [cells.geometry.name]].copy()
    r = o.loc[key[keep]]
    out["pupils"] = r["pupils_b"].to_numpy()
    out["time_a"] = r["mean_min_a"].to_numpy()
    out["time_b"] = r["mean_min_b"].to_numpy()
    out["change_min"] = out["time_b"] - out["time_a"]
    out["school_b"] = r["school_b"].to_numpy()
    nb = cmp["newly_beyond"]
    nb = nb[nb["grade_band"] == band].groupby("origin_id")["newly_beyond_pupils"].sum()
    out["newly_beyond"] = key[keep].map(nb).fillna(0.0).to_numpy()
    return out[out["pupils"] > 0]


# ------------------------------------------------------------------------------------------
# Command-line jobs (``python -m geo scenario ...`` / ``optimize``)
# ------------------------------------------------------------------------------------------
def _tqdm_progress(desc: str):
    cb, close = tqdm_progress(desc, unit="search")

    def update(done, total):
        cb(done, total)
        if done >= total:
            close()

    return update


def load_region(*, prepared: str | Path | None = None, bundle: str | Path | None = None,
                progress: bool = False) -> Prepared:
    """A prepared region from a folder written by ``scenario prepare``, or prepared now from a
    region bundle (routing the origin x school matrix once)."""
    if prepared is not None:
        return Prepared.load(prepared)
    if bundle is None:
        raise GeoInputError(Msg("err.jobs.no_region"), fix=Msg("err.jobs.no_region.fix"))

    return prepare_bundle(bundle, progress=_tqdm_progress("routing") if progress else None)


def run_prepare(*, bundle, out, year=None, force=False, scheduler="auto", workers=None) -> str:
    """Prepare a bundle for scenarios (route the origin x school matrix) into ``out``.

    The schools are routed in blocks, serially or on Dask (``scheduler``: ``auto`` - a
    ``LocalCluster`` of ``workers`` processes, default one per core, for more than 64
    schools -, ``serial``, ``local`` or ``tcp://HOST:PORT``); the result is the same.

    Returns a summary for the console (``python -m geo scenario prepare``).
    """
    check_output_dir(out, force=force, command="scenario prepare")
    prep = prepare_bundle(bundle, year=year, progress=_tqdm_progress("routing"),
                          scheduler=scheduler, n_workers=workers)
    prep.save(out, force=force, run=new_run("scenario prepare", inputs=[bundle]))
    return (f"prepared {prep.region or bundle}: {prep.n_origins:,} origins x "
            f"{prep.n_schools} schools, pupils {prep.pupils.sum():,.0f} ({prep.base_year}); "
            f"written: {out}")


i18n.register({
    "jobs.same_file_names": {
        "lv": "Vairākiem scenāriju failiem ir vienāds nosaukums: rezultātu apakšmapju "
              "nosaukumiem priekšā pievienota faila mape ({names}).",
        "en": "Several scenario files share a file name: the result subfolders are prefixed "
              "with the file's folder ({names}).",
    },
})


def run_evaluate(files, *, out, prepared=None, bundle=None, lang="en", force=False) -> str:
    """Evaluate scenario files into ``out`` (a folder the tool owns; one subfolder per file
    when several, named by :func:`geo._files.result_names`, the whole run written at once)."""
    check_output_dir(out, force=force, command="scenario evaluate")
    names = result_names(files)
    prep = load_region(prepared=prepared, bundle=bundle, progress=True)
    scs = [load_scenario(f) for f in files]  # check every file before evaluating any
    run = new_run("scenario evaluate", inputs=[*files, prepared or bundle])
    if len(files) == 1:
        ev = evaluate(prep, scs[0])
        write_evaluation(ev, out, force=force, run=run)
        return "\n".join([format_summary(ev, lang), f"  written: {out}"])
    lines = []
    with owned_dir(out, force=force, run=run) as tmp:
        for name, sc in tqdm(list(zip(names, scs, strict=True)), desc="scenarios", leave=False):
            ev = evaluate(prep, sc)
            write_evaluation(ev, tmp / name, run=run)
            lines += [format_summary(ev, lang), f"  written: {Path(out) / name}"]
    if names != [Path(f).stem for f in files]:
        lines.append(t("jobs.same_file_names", lang, names=", ".join(names)))
    return "\n".join(lines)


def run_compare(file_a, file_b, *, out, prepared=None, bundle=None, lang="en",
                force=False) -> str:
    """Evaluate two scenario files and write their comparison (tables, map) into ``out``.

    Returns a summary for the console (``python -m geo scenario compare``).
    """
    check_output_dir(out, force=force, command="scenario compare")
    prep = load_region(prepared=prepared, bundle=bundle, progress=True)
    sa, sb = load_scenario(file_a), load_scenario(file_b)
    evs = [evaluate(prep, s) for s in tqdm([sa, sb], desc="scenarios", leave=False)]
    cmp = compare(*evs)
    cmp["school_flows"] = school_flows(cmp["switches"])
    cmp["joint"] = compare_joint(*evs)  # pupils newly in the broadband + travel joint gap
    write_comparison(cmp, evs[0], evs[1], out, force=force,
                     run=new_run("scenario compare", inputs=[file_a, file_b, prepared or bundle]))
    s = cmp["summary"]
    s = s[(s["area"] == s["area"].iloc[0]) & (s["grade_band"] == "all")].set_index("indicator")
    lines = [f"{sa.name} -> {sb.name}"]
    for k in ("unserved", "beyond_threshold", "mean_min", "p90_min", "transport_cost_eur",
              "schools"):
        r = s.loc[k]
        lines.append(f"  {k}: {r['value_a']:,.1f} -> {r['value_b']:,.1f} ({r['diff']:+,.1f})")
    lines.append(f"  pupils changing school: {cmp['switches']['pupils'].sum():,.1f}; "
                 f"newly beyond the threshold: "
                 f"{cmp['newly_beyond']['newly_beyond_pupils'].sum():,.1f}")
    if "joint_gap" in s.index:
        r = s.loc["joint_gap"]
        lines.append(f"  joint gap (no school in time, no broadband): {r['value_a']:,.1f} -> "
                     f"{r['value_b']:,.1f} ({r['diff']:+,.1f}); newly in it: "
                     f"{cmp['joint']['newly_joint'].sum():,.1f}")
    lines.append(f"  written: {out}")
    return "\n".join(lines)


def run_optimize(*, out, prepared=None, bundle=None, objective="p-median", p=None,  # noqa: PLR0913  keyword-only options of a public entry point
                 budget=None, keep=(), close=(), base=None, method="heuristic",
                 time_limit_s=settings.MILP_TIME_LIMIT_S, force=False) -> str:
    """Choose the schools to keep (:func:`geo.planning.optimize.optimize`) and write the
    result as a scenario file ``out``.

    Returns a summary for the console (``python -m geo optimize``).
    """
    check_output_file(out, force=force)
    prep = load_region(prepared=prepared, bundle=bundle, progress=True)
    base_sc = load_scenario(base) if base else None
    cb, close_bar = tqdm_progress("greedy")
    try:
        res = optimize(prep, objective=objective, p=p, budget_eur=budget, keep=keep,
                       close=close, base=base_sc, method=method, time_limit_s=time_limit_s,
                       progress=cb)
    finally:
        close_bar()
    sc = result_to_scenario(res, base_sc)
    sc.region = sc.region or prep.region
    with owned_file(out, force=force,
                    run=new_run("optimize", inputs=[prepared or bundle, base])) as tmp:
        save_scenario(sc, tmp)
    return f"{res.summary()}\nwritten: {out}"


def run_optimize_sweep(spec, *, out, prepared=None, bundle=None, base=None, scheduler="local",  # noqa: PLR0913  keyword-only options of a public entry point
                       workers=None, p=None, budget=None, robustness_years=None, scenario=None,
                       lang=i18n.DEFAULT_LANGUAGE, force=False, **options) -> str:
    """A trade-off sweep (``optimize --sweep p=40:149:5``, ``budget=...``, or
    ``year=2021:2035:2`` at a fixed ``p`` or ``budget``): every point optimised and evaluated
    (:mod:`geo.planning.sweep`, serially or on Dask), written to the folder ``out``
    (``frontier.csv``, ``frontier.png``, ``scenarios/*.yaml``). With ``robustness_years``
    (``"2021:2035"``) also ``robustness.csv``: the current network (and the ``scenario``
    file's) evaluated for every year, drawn on the same chart.

    Returns a summary for the console.
    """
    param, values = parse_sweep(spec)
    if param != "year" and (p is not None or budget is not None):
        raise GeoInputError(Msg("err.jobs.sweep_p", param=param),
                            fix=Msg("err.jobs.sweep_p.fix"))
    years = parse_years(robustness_years) if robustness_years else None
    check_output_dir(out, force=force, command="optimize sweep")
    prep = load_region(prepared=prepared, bundle=bundle, progress=True)
    base_sc = load_scenario(base) if base else None
    nets = _robust_networks(prep, base_sc, scenario) if years else None
    if param == "year":
        options.update(p=p, budget_eur=budget)
    points = run_sweep(prep, param, values, scheduler=scheduler, n_workers=workers,
                       progress=scheduler != "serial", base=base_sc, **options)
    rob = robustness(prep, nets, years) if years else None
    run = new_run("optimize sweep", inputs=[prepared or bundle, base, scenario])
    with owned_dir(out, force=force, run=run) as tmp:
        write_sweep(points, tmp, current=current_point(prep, base_sc), robustness=rob,
                    lang=lang)
    files = {"csv": Path(out) / "frontier.csv", "png": Path(out) / "frontier.png"}
    lines = [f"{'':>10} {'schools':>8} {'mean min':>9} {'p90 min':>8} {'beyond':>8} "
             f"{'gap %':>7}"]
    for pt in points:
        r = pt.row
        gap = "" if r["gap"] is None else f"{100 * r['gap']:.3f}"
        lines.append(f"{param}={pt.value:<8g} {r['schools']:>8.0f} {r['mean_min']:>9.2f} "
                     f"{r['p90_min']:>8.2f} {r['beyond_threshold']:>8.1f} {gap:>7}")
    if rob is not None:
        lines += _robust_lines(rob)
    lines.append(f"written: {files['csv']}, {files['png']}, {Path(out) / 'scenarios'}"
                 + (f", {Path(out) / 'robustness.csv'}" if rob is not None else ""))
    return "\n".join(lines)


def run_robustness(years, *, out, prepared=None, bundle=None, base=None, scenario=None,  # noqa: PLR0913  keyword-only options of a public entry point
                   lang=i18n.DEFAULT_LANGUAGE, force=False) -> str:
    """How fixed networks hold up as pupils change (``optimize --robustness 2021:2035``): the
    current network (the ``base`` scenario, default today's) and optionally a ``scenario``
    file (e.g. a sweep point) evaluated with the pupils of every year
    (:func:`geo.planning.sweep.robustness`), written to the folder ``out``
    (``robustness.csv``, ``robustness.png``).

    Returns a summary for the console.
    """
    yrs = parse_years(years)
    check_output_dir(out, force=force, command="optimize robustness")
    prep = load_region(prepared=prepared, bundle=bundle, progress=True)
    base_sc = load_scenario(base) if base else None
    nets = _robust_networks(prep, base_sc, scenario)
    cb, close_bar = tqdm_progress("years")
    try:
        rob = robustness(prep, nets, yrs, progress=cb)
    finally:
        close_bar()
    run = new_run("optimize robustness", inputs=[prepared or bundle, base, scenario])
    with owned_dir(out, force=force, run=run) as tmp:
        write_robustness(rob, tmp, lang=lang)
    return "\n".join([*_robust_lines(rob), f"written: {Path(out) / 'robustness.csv'}, "
                       f"{Path(out) / 'robustness.png'}"])


def _robust_networks(prep, base_sc, scenario) -> dict:
    """The fixed networks of a robustness run: the current one, and the scenario file's."""
    nets = {"current": base_sc or baseline("current", region=prep.region)}
    if scenario:
        sc = load_scenario(scenario)
        nets[sc.name if sc.name not in nets else Path(scenario).stem] = sc
    return nets


def _robust_lines(rob: pd.DataFrame) -> list[str]:
    """The robustness table for the console."""
    lines = [f"{'network':<24} {'year':>5} {'pupils':>8} {'mean min':>9} {'p90 min':>8} "
             f"{'beyond':>8} {'EUR/pupil':>10}"]
    for r in rob.itertuples(index=False):
        lines.append(f"{str(r.network)[:24]:<24} {r.year:>5d} {r.pupils:>8.1f} "
                     f"{r.mean_min:>9.2f} {r.p90_min:>8.2f} {r.beyond_threshold:>8.1f} "
                     f"{r.cost_per_pupil_eur:>10,.0f}")
    return lines


# --------------------------------------------------------------------------------------------
# Engine results -> map
# --------------------------------------------------------------------------------------------
def travel_time_layers(  # noqa: PLR0913  keyword-only options of a public entry point
    net,
    schools: gpd.GeoDataFrame,
    origins: gpd.GeoDataFrame,
    *,
    lang: str = i18n.DEFAULT_LANGUAGE,
    school_id: str | None = None,
    school_name: str | None = None,
    population: str | None = None,
    threshold_min: float | None = None,
    isochrone_minutes: Sequence[float] | None = None,
    catchments: bool = True,
    boundaries: gpd.GeoDataFrame | None = None,
    dormitories: gpd.GeoDataFrame | None = None,
    places: gpd.GeoDataFrame | None = None,
    roads: bool = True,
    road_classes: Sequence[str] = ("main", "secondary", "tertiary", "local"),
) -> tuple[list[MapLayer], pd.DataFrame]:
    """Compute travel time from origins to the nearest school and compose the map layers.

    Parameters
    ----------
    net : geo.network.Network
    schools : GeoDataFrame
        Schools in any CRS.
    origins : GeoDataFrame
        Population cells (polygons) or points in any CRS.
    lang : {"lv", "en"}
    school_id, school_name : str, optional
        Id column of ``schools`` (default the index) and name column (default ``name``).
    population : str, optional
        Population column of ``origins`` (default ``population`` or ``T`` when present).
    threshold_min : float, optional
        White-spot threshold, minutes (default ``settings.THRESHOLD_MIN["1-6"]``); the
        white-spot layer is hidden when the map opens.
    isochrone_minutes : sequence of float, optional
        Add combined isochrones around all schools for these limits, e.g. ``(10, 20, 30)``
        (hidden when the map opens). Off by default: they repeat the travel-time cells and
        cost seconds on a large network (8 s for 46,000 nodes).
    catchments : bool, default True
        Add each school's catchment (union of its origins; hidden when the map opens).
    boundaries, dormitories : GeoDataFrame, optional
        Extra layers.
    places : GeoDataFrame, optional
        Named places (``geo.sources.osm.read_places``, a bundle's ``places``): their names
        are drawn (:func:`geo.outputs.layers.places_layer`).
    roads : bool, default True
        Draw the network's roads (``road_classes``).

    Returns
    -------
    (list of MapLayer, pandas.DataFrame)
        The layers, and the per-origin table of ``geo.network.access.nearest_facility`` with a
        ``school_name`` column.
    """
    _check_lang(lang)
    if population is None:
        population = pick_column(origins, None, ("population", "T", "pop"))
    nearest = nearest_facility(net, origins, schools, facility_id=school_id,
                               population=population)
    school_name = pick_column(schools, school_name, ("name", "Iestādes nosaukums"))
    ids = schools[school_id] if school_id else pd.Series(schools.index, index=schools.index)
    names = dict(zip(ids, schools[school_name], strict=True)) if school_name else {}
    nearest["school_name"] = nearest["facility_id"].map(names) if names else nearest["facility_id"]
    cells = origins[[origins.geometry.name]].copy()
    cells["time_min"] = nearest["time_min"].to_numpy()
    cells["school_name"] = nearest["school_name"].to_numpy()
    cells["facility_id"] = nearest["facility_id"].to_numpy()
    if population:
        cells["population"] = _num(origins[population])
    layers = [travel_time_layer(cells, lang),
              white_spots_layer(cells, lang, threshold_min=threshold_min, show=False)]
    if catchments and len(cells):
        cat = catchments_table(nearest, facility_ids=list(ids), origins=cells)
        cat = cat[cat.geometry.notna()].copy()
        cat["school_name"] = cat["facility_id"].map(names) if names else cat["facility_id"]
        layers.append(catchments_layer(cat, lang, show=False))
    if isochrone_minutes:
        iso = isochrones(net, schools, minutes=isochrone_minutes, combined=True)
        layers.append(isochrones_layer(iso, lang, show=False))
    if roads:
        layers.append(roads_layer(net.roads_gdf(), lang, classes=road_classes))
    if boundaries is not None:
        layers.append(boundaries_layer(boundaries, lang))
    if dormitories is not None:
        layers.append(dormitories_layer(dormitories, lang))
    if places is not None and len(places):
        layers.append(places_layer(places, lang))
    layers.append(schools_layer(schools, lang, name=school_name))
    return layers, nearest


def travel_time_map(
    net,
    schools: gpd.GeoDataFrame,
    origins: gpd.GeoDataFrame,
    *,
    lang: str = i18n.DEFAULT_LANGUAGE,
    title: str | None = None,
    tiles: str | None = None,
    **kwargs,
) -> folium.Map:
    """Offline web map of travel time to the nearest school (see :func:`travel_time_layers`).

    Parameters
    ----------
    net : geo.network.Network
    schools, origins : GeoDataFrame
    lang : {"lv", "en"}
    title : str, optional
        Default: "Brauciena laiks līdz tuvākajai skolai" / "Travel time to the nearest school".
    tiles : {None, "osm"}, default None
    **kwargs
        Passed to :func:`travel_time_layers`.

    Returns
    -------
    folium.Map
        ``m._geo_layers`` holds the layers (for :func:`plot_map` and the reports) and
        ``m._geo_nearest`` the per-origin table.
    """
    layers, nearest = travel_time_layers(net, schools, origins, lang=lang, **kwargs)
    m = make_map(layers, lang=lang, title=title or t("map.title.travel_time", lang), tiles=tiles)
    m._geo_nearest = nearest
    return m


# --------------------------------------------------------------------------------------------
# Broadband white spots (geo.broadband): `python -m geo whitespots`, the app's Broadband tab
# --------------------------------------------------------------------------------------------
def whitespots_beyond(prep: Prepared, scenario=None) -> pd.DataFrame:
    """Per origin and grade band: ``pupils`` and ``travel_white`` (beyond the threshold or
    unserved) of a scenario (default: the baseline, no changes) on a prepared region."""
    ev = evaluate(prep, scenario if scenario is not None else baseline())
    o = ev.indicators["origins"]
    return pd.DataFrame({"origin_id": o["origin_id"], "grade_band": o["grade_band"],
                         "pupils": o["pupils"],
                         "travel_white": o["beyond_threshold"] + o["unserved"]})


def read_points_any(path: str | Path) -> gpd.GeoDataFrame:
    """Points a user supplies: a CSV with lon/lat columns, or any vector file."""
    path = Path(path)
    if path.suffix.lower() in (".csv", ".txt"):
        return points_from_table(read_csv_any(path, name="points"), path=path, name="points")
    return read_vector(path, name="points")


def whitespots_result(bundle, *, scenario=None, with_roads: bool = True, points=None):
    """Broadband white spots of a region bundle (:func:`geo.broadband.analysis.analyse`):
    with roads, road distances in the priority list and the joint view of ``scenario``
    (YAML path or Scenario; default the baseline); without roads, straight-line distances and
    no joint view. ``points``: a file (:func:`read_points_any`) or GeoDataFrame of places
    whose broadband to report."""
    b = bundle if hasattr(bundle, "layers") else load_bundle(bundle)
    net = Network.load(b.network_dir) if (with_roads and b.network_dir is not None) else None
    if scenario is not None and net is None:
        raise GeoInputError(Msg("err.jobs.no_roads_scenario"), path=b.path,
                            fix=Msg("err.jobs.no_roads_scenario.fix"))
    beyond = None
    if net is not None and any(n.startswith("pupils_") for n in b.layers):
        sc = load_scenario(scenario) if isinstance(scenario, str | Path) else scenario
        beyond = whitespots_beyond(prepare_bundle(b), sc)
    pts = read_points_any(points) if isinstance(points, str | Path) else points
    return analyse_bundle(b, network=net, beyond=beyond, points=pts)


def whitespots_geo_layers(ws, bundle) -> dict[str, gpd.GeoDataFrame]:
    """Geometry layers of the GeoPackage: cells, schools (points), priority settlements
    (merged cells) and the border lines when known."""
    out = {"cells": ws.cells}
    sch = bundle.layers.get("schools")
    if sch is not None and len(ws.schools):
        pts = sch[sch.geometry.notna()].drop_duplicates("school_id").set_index("school_id")
        pts = pts.reindex(ws.schools["school_id"].astype(str))
        out["schools"] = gpd.GeoDataFrame(ws.schools, geometry=pts.geometry.values,
                                          crs=sch.crs)
    cells = ws.cells[ws.cells["settlement"] >= 0]
    if len(cells):
        merged = cells[["settlement", "geometry"]].dissolve("settlement").reset_index()
        out["priority"] = merged.merge(ws.priority, on="settlement")
    if bundle.layers.get("border") is not None and len(bundle.layers["border"]):
        out["border"] = bundle.layers["border"]
    return out


def write_whitespots(ws, bundle, folder: Path, *, lang: str = "en") -> None:
    """Write the GeoPackage, the CSV tables and the broadband report into ``folder``."""
    write_gpkg(folder / "whitespots.gpkg", whitespots_geo_layers(ws, bundle))
    tables = {**ws.tables(), "summary": region_summary(ws.cells)}
    for name, df in tables.items():
        write_csv(df, folder / f"{name}.csv", bom=False, lineterminator="\n")
    export_broadband_report(folder / "report", ws, lang=lang,
                            boundaries=bundle.layers.get("boundaries"),
                            border=bundle.layers.get("border"),
                            places=bundle.layers.get("places"))


def whitespots_summary(ws, lang: str = "en") -> str:
    """A few lines for the console: the region's classes, measured speeds, joint view."""
    s = region_summary(ws.cells)
    lines = [f"broadband classes ({ws.notes['classes']}), population and share:"]
    for r in s.itertuples():
        lines.append(f"  {r[1]:<15} {r.population:>9,.0f}  {100 * r.share:5.1f}%  "
                     f"cells {r.cells:,}")
    for k in ("below_30", "below_100"):
        f = ws.figures[k]
        lines.append(f"  best measured {k.replace('_', ' ')} Mbit/s: {f['population']:,.0f} people "
                     f"= {100 * f['share_of_all']:.1f}% of all, "
                     f"{100 * f['share_of_tested']:.1f}% of those in tested cells")
    if ws.joint is not None:
        j = ws.joint[(ws.joint["municipality"] == "(region)") & (ws.joint["grade_band"] == "all")]
        lines.append(f"  joint gap (no school in time, no broadband): "
                     f"{float(j['joint'].sum()):,.1f} pupils")
    else:
        lines.append("  joint view: " + t("bb.joint_needs_roads", lang))
    lines.append(f"  uncovered settlements: {len(ws.priority):,} "
                 f"(distances: {ws.notes['distance']})")
    return "\n".join(lines)


def run_whitespots(*, bundle, out, scenario=None, points=None, lang: str = "en",
                   force: bool = False) -> str:
    """``python -m geo whitespots``: analyse a bundle and write GeoPackage, CSV and report."""
    check_output_dir(out, force=force)
    b = load_bundle(bundle)
    ws = whitespots_result(b, scenario=scenario, points=points)
    with owned_dir(out, force=force,
                   run=new_run("whitespots", inputs=[bundle, scenario, points])) as tmp:
        write_whitespots(ws, b, tmp, lang=lang)
    return f"{whitespots_summary(ws, lang)}\n  written: {out}"


# ------------------------------------------------------------------------------------------
# Batch runs (``python -m geo batch evaluate|build``): one independent task per item
# ------------------------------------------------------------------------------------------
i18n.register({
    "batch.ok": {"lv": "{item}: gatavs ({seconds} s), rezultāts: {out}",
                 "en": "{item}: done ({seconds} s), written: {out}"},
    "batch.failed": {"lv": "{item}: NEIZDEVĀS: {error}", "en": "{item}: FAILED: {error}"},
    "batch.total": {"lv": "Izdevās {ok} no {n}, neizdevās {failed}; pārskats: {report}",
                    "en": "{ok} of {n} succeeded, {failed} failed; report: {report}"},
})

#: The per-item report of a batch run, in its output folder.
BATCH_REPORT = "batch.csv"


def run_batch_evaluate(files, *, out, prepared=None, bundle=None, scheduler="auto",  # noqa: PLR0913  keyword-only options of a public entry point
                       workers=None, lang=i18n.DEFAULT_LANGUAGE, force=False
                       ) -> tuple[str, int]:
    """Evaluate scenario files of one region as independent tasks (``python -m geo batch
    evaluate``): serially or on Dask (:mod:`geo.planning.distributed`; the prepared region is
    sent to the workers once). Each file's results go to ``out/<name>`` (names of
    :func:`geo._files.result_names`), as ``scenario evaluate`` writes them; a file that fails
    is reported in ``out/batch.csv`` and on the console while the others are written.

    Returns
    -------
    (str, int)
        The console summary and the number of items that failed.
    """
    check_output_dir(out, force=force, command="batch evaluate")
    prep = load_region(prepared=prepared, bundle=bundle, progress=True)
    run = new_run("batch evaluate", inputs=[*files, prepared or bundle])
    return _run_batch(_evaluate_item, [str(f) for f in files], out=out, shared=(prep,), run=run,
                      scheduler=scheduler, workers=workers, lang=lang, force=force)


def run_batch_build(recipes, *, out, online=True, network=True, scheduler="auto",  # noqa: PLR0913  keyword-only options of a public entry point
                    workers=None, lang=i18n.DEFAULT_LANGUAGE, force=False) -> tuple[str, int]:
    """Build region bundles as independent tasks (``python -m geo batch build``): serially or
    on Dask. Each recipe's bundle goes to ``out/<name>`` (:func:`geo.region.build_bundle`);
    a recipe that fails is reported in ``out/batch.csv`` and on the console while the others
    are written.

    Returns
    -------
    (str, int)
        The console summary and the number of items that failed.
    """
    check_output_dir(out, force=force, command="batch build")
    run = new_run("batch build", inputs=[r for r in recipes if Path(r).is_file()])
    return _run_batch(_build_item, [str(r) for r in recipes], out=out, shared=(), run=run,
                      scheduler=scheduler, workers=workers, lang=lang, force=force,
                      online=online, network=network)


def _evaluate_item(prep: Prepared, item: tuple[str, str], *, lang: str) -> str:
    """One batch task: evaluate the scenario file ``item[0]`` into the new folder
    ``item[1]``; its console summary."""
    ev = evaluate(prep, load_scenario(item[0]))
    write_evaluation(ev, item[1], run=new_run("batch evaluate", inputs=[item[0]]))
    return format_summary(ev, lang)


def _build_item(item: tuple[str, str], *, online: bool, network: bool, lang: str) -> str:
    """One batch task: build the bundle of recipe ``item[0]`` into the new folder
    ``item[1]``; its console summary (``lang`` unused: the build summary is English)."""
    return build_bundle(item[0], out=item[1], online=online, network=network).summary()


def _run_batch(fn, inputs: list[str], *, out, shared, run, scheduler, workers, lang, force,  # noqa: PLR0913  the options of the two batch jobs
               **kwargs) -> tuple[str, int]:
    """Run ``fn(*shared, (input, folder))`` for every input into ``out`` (through
    :func:`geo._files.owned_dir`), one row per item in ``batch.csv``; failures are reported,
    not raised."""
    names = result_names(inputs)
    sched = resolve_scheduler(scheduler, big_enough=len(inputs) > 1)
    rows, lines = [], []
    cb, close_bar = tqdm_progress("batch", unit="item", total=len(inputs))
    try:
        with owned_dir(out, force=force, run=run) as tmp, \
                dask_client(sched, n_workers=workers) as client:
            items = [(src, str(tmp / name)) for src, name in zip(inputs, names, strict=True)]
            for res in run_tasks(fn, items, shared=shared, client=client, progress=cb,
                                 errors="return", lang=lang, **kwargs):
                row, text = _batch_row(names[res.index], inputs[res.index], res, out, lang)
                rows.append(row)
                lines += [text, *_indent(res.value)]
            write_csv(pd.DataFrame(rows), tmp / BATCH_REPORT)
    finally:
        close_bar()
    failed = sum(r["status"] == "failed" for r in rows)
    lines.append(t("batch.total", lang, ok=len(rows) - failed, n=len(rows), failed=failed,
                   report=Path(out) / BATCH_REPORT))
    return "\n".join(lines), failed


def _batch_row(name: str, src: str, res, out, lang: str) -> tuple[dict, str]:
    """A batch item's row of ``batch.csv`` (item, input, status, error, seconds, folder) and
    its console line."""
    if res.ok:
        error = ""
        text = t("batch.ok", lang, item=name, seconds=format_number(res.seconds, lang, 1),
                 out=Path(out) / name)
    else:
        exc = res.error
        error = exc.text(lang) if isinstance(exc, GeoInputError) else \
            f"{type(exc).__name__}: {exc}"
        text = t("batch.failed", lang, item=name, error=error)
    row = {"item": name, "input": src, "status": "ok" if res.ok else "failed", "error": error,
           "seconds": round(res.seconds, 3), "folder": name if res.ok else ""}
    return row, text


def _indent(text) -> list[str]:
    """A task's console summary, indented under its item's line."""
    return [f"  {line}" for line in str(text or "").splitlines()]
