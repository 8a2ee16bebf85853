"""Command-line interface: ``python -m geo SUBCOMMAND ...``.

Each subcommand parses its options here and calls one job of :mod:`geo.jobs` (or a function
of the engine); the handlers hold no analysis of their own.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from geo._files import check_output_path
from geo.errors import GeoInputError
from geo.jobs import (
    run_access,
    run_batch_build,
    run_batch_evaluate,
    run_compare,
    run_evaluate,
    run_optimize,
    run_optimize_sweep,
    run_prepare,
    run_robustness,
    run_whitespots,
)
from geo.network.graph import build_network_from_file, check_metric_crs
from geo.progress import tqdm_progress
from geo.region.build import build_bundle
from geo.region.synth import SCALES, format_summary, generate
from geo.sources.osm_download import clip_osm, download_geofabrik, download_overpass
from geo.sources.vector import read_vector


def _number(kind: type, *, low: float, strict: bool, what: str):
    """An argparse ``type=`` that accepts finite numbers above ``low`` (or at least ``low``).

    The option name is added by argparse: ``argument --budget: 'nan' is not a finite number``.
    """

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}.") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number.")
        if value < low or (strict and value == low):
            raise argparse.ArgumentTypeError(
                f"{text!r} must be {'greater than' if strict else 'at least'} {low:g}.")
        return value

    parse.__name__ = what
    return parse


#: ``type=`` of options: positive numbers (limits, budgets), counts, non-negative numbers.
POSITIVE = _number(float, low=0, strict=True, what="a number > 0")
NON_NEGATIVE = _number(float, low=0, strict=False, what="a number >= 0")
COUNT = _number(int, low=1, strict=False, what="a whole number >= 1")
YEAR = _number(int, low=1900, strict=False, what="a year")


def _metric_crs(text: str) -> str:
    """``type=`` of ``--crs``: a projected CRS in metres (:func:`check_metric_crs`)."""
    try:
        return check_metric_crs(text, what="CRS")
    except GeoInputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _add_force(p) -> None:
    """``--force``: write into a non-empty output that lacks the tool's marker."""
    p.add_argument("--force", action="store_true",
                   help="write into an existing folder (or over a file) this tool did not "
                        "write; other files in the folder are kept (see README, 'Where "
                        "outputs go')")


def _add_network(sub) -> None:
    p = sub.add_parser(
        "network",
        help="build and cache the road network of an OSM file (.osm.pbf, .osm, .osm.bz2/.gz)",
    )
    p.add_argument("file", help="OSM file")
    p.add_argument("--out", required=True, help="output folder of the network cache")
    _add_force(p)
    p.add_argument("--mode", choices=["drive", "walk"], default="drive", help="network type")
    p.add_argument("--crs", default=None, type=_metric_crs, help="metric CRS (default: local UTM, EPSG:3059 in Latvia)")
    p.add_argument("--no-track", action="store_true", help="leave highway=track out")
    p.add_argument(
        "--clip", default=None,
        help="polygon file (e.g. municipality boundaries): keep only roads inside it",
    )
    p.set_defaults(func=_cmd_network)


def _cmd_network(args) -> int:
    clip = None
    if args.clip:
        clip = read_vector(args.clip, name="clip polygon")
    net = build_network_from_file(
        args.file, args.out, mode=args.mode, crs=args.crs, include_track=not args.no_track,
        clip=clip, progress=True, force=args.force,
    )
    print(net.summary())
    return 0


def _add_access(sub) -> None:
    p = sub.add_parser(
        "access",
        help="nearest facility, travel time and distance for every origin; catchments",
    )
    p.add_argument("--network", required=True, help="network cache folder (from `network`)")
    p.add_argument(
        "--facilities", required=True,
        help="facilities: any vector file, or an OSM file (its schools are used)",
    )
    p.add_argument("--origins", required=True, help="origins: any vector file (points or cells)")
    p.add_argument("--out", required=True, help="output GeoPackage (layers origins, facilities)")
    _add_force(p)
    p.add_argument("--facility-id", default=None, help="id column of the facilities")
    p.add_argument("--origin-id", default=None, help="id column of the origins")
    p.add_argument(
        "--population", default=None,
        help="population column of the origins (default: population, pop, T when present)",
    )
    p.add_argument("--cutoff", type=POSITIVE, default=None, help="search limit, minutes")
    p.add_argument("--max-snap", type=POSITIVE, default=None, help="snapping limit, metres")
    p.set_defaults(func=_cmd_access)


def _cmd_access(args) -> int:
    summary = run_access(
        network=args.network, facilities=args.facilities, origins=args.origins, out=args.out,
        facility_id=args.facility_id, origin_id=args.origin_id, population=args.population,
        cutoff_s=None if args.cutoff is None else args.cutoff * 60.0,
        max_snap_m=args.max_snap, progress=True, force=args.force,
    )
    print(summary)
    return 0


def _add_synth(sub) -> None:
    p = sub.add_parser(
        "synth",
        help="generate the fictional demo region (OSM, IZM xlsx, census, Ookla, boundaries)",
    )
    p.add_argument("--out", required=True, help="output folder (the tool's earlier files are "
                   "replaced when complete; a folder of other files is refused without --force)")
    p.add_argument("--force", action="store_true",
                   help="write into a non-empty folder the tool did not create (your files stay)")
    p.add_argument("--scale", choices=list(SCALES), default="demo",
                   help="; ".join(f"{k}: {v.description}" for k, v in SCALES.items()))
    p.add_argument("--seed", type=int, default=0, help="random seed (same seed, same files)")
    p.add_argument("--xml", action="store_true", help="also write the OSM data as .osm XML")
    p.set_defaults(func=_cmd_synth)


def _cmd_synth(args) -> int:
    check_output_path(args.out, kind="folder")  # never a file, ".", home, project or "/"
    progress, close = tqdm_progress("Demo region", unit=" steps", total=10, leave=True)
    steps = {"n": 10}

    def step(k, n, msg):
        steps["n"] = n
        progress(k, n, msg)

    try:
        summary = generate(args.out, scale=args.scale, seed=args.seed, progress=step,
                           osm_formats=("pbf", "xml") if args.xml else ("pbf",), force=args.force)
        progress(steps["n"], steps["n"])
    finally:
        close()
    print(format_summary(summary))
    return 0


def _add_download(sub) -> None:
    p = sub.add_parser(
        "download",
        help="download OpenStreetMap data: a place or polygon (Overpass) or a Geofabrik extract",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--place", action="append", metavar="NAME",
                     help="place name geocoded to its boundary, e.g. 'Cēsu novads, Latvia' "
                          "(repeat to combine places)")
    src.add_argument("--polygon", metavar="FILE",
                     help="boundary polygon file (GeoJSON, GeoPackage, shapefile...)")
    src.add_argument("--geofabrik", metavar="REGION|URL",
                     help="Geofabrik extract, e.g. europe/latvia, the full URL of a .osm.pbf, "
                          "or an extract saved earlier (to cut it with --clip)")
    p.add_argument("--clip", metavar="FILE",
                   help="with --geofabrik: cut the extract to this boundary polygon file")
    p.add_argument("--out", required=True,
                   help="output OSM file (.osm XML or .osm.pbf)")
    p.add_argument("--full", metavar="FILE", default=None,
                   help="with --geofabrik --clip: where to keep the full extract "
                        "(default data/downloads/NAME-latest.osm.pbf)")
    p.add_argument("--buffer", type=NON_NEGATIVE, default=0.0, metavar="METRES",
                   help="with --place/--polygon: widen the area by this many metres")
    p.add_argument("--base-url", default=None, help="Geofabrik base URL (default: settings)")
    p.add_argument("--overpass-url", default=None, help="Overpass API URL (default: settings)")
    p.add_argument("--nominatim-url", default=None, help="Nominatim URL (default: settings)")
    p.add_argument("--no-md5", action="store_true", help="do not check the published .md5")
    p.add_argument("--no-cache", action="store_true", help="do not reuse cached Overpass answers")
    p.set_defaults(func=_cmd_download)


def _cmd_download(args) -> int:
    check_output_path(args.out, kind="file")  # never a folder, a link or a read-only place
    if args.geofabrik is None and (args.clip or args.full):
        raise GeoInputError("--clip and --full go with --geofabrik (an Overpass download "
                            "already covers only the place or polygon).")
    if args.geofabrik is not None and Path(args.geofabrik).is_file():
        if not args.clip:
            raise GeoInputError("is a file already on this computer: nothing to download.",
                                path=args.geofabrik, fix="add --clip BOUNDARY to cut it.")
        res = clip_osm(args.geofabrik, args.clip, args.out, progress=True)
    elif args.geofabrik is not None:
        res = download_geofabrik(
            args.geofabrik, args.out, base_url=args.base_url, clip=args.clip,
            full_path=args.full, checksum=not args.no_md5, progress=True,
        )
    else:
        res = download_overpass(
            args.out, place=args.place, polygon=args.polygon, buffer_m=args.buffer,
            overpass_url=args.overpass_url, nominatim_url=args.nominatim_url,
            use_cache=not args.no_cache, progress=True,
        )
    print(res.summary())
    return 0


def _add_build(sub) -> None:
    p = sub.add_parser(
        "build",
        help="build a region bundle (layers.gpkg, network cache, manifest) from its recipe",
    )
    p.add_argument("region", help="recipe name in data/regions (e.g. vidzeme) or a .yaml file")
    p.add_argument("--out", default=None, help="bundle folder (default data/bundles/REGION)")
    _add_force(p)
    p.add_argument("--offline", action="store_true", help="do not download missing files")
    p.add_argument("--no-network", action="store_true", help="skip the road network cache")
    p.add_argument("--scale", choices=list(SCALES), default=None,
                   help="generated regions (demo): size, builds data/bundles/demo-SCALE; "
                   + "; ".join(f"{k}: {v.description}" for k, v in SCALES.items()))
    p.add_argument("--seed", type=int, default=None, help="generated regions: random seed")
    p.set_defaults(func=_cmd_build)


def _cmd_build(args) -> int:
    gen = {k: v for k, v in (("scale", args.scale), ("seed", args.seed)) if v is not None}
    res = build_bundle(args.region, out=args.out, online=not args.offline,
                       network=not args.no_network, progress=True, generator_options=gen or None,
                       force=args.force)
    print(res.summary())
    return 0


def _add_scenario(sub) -> None:
    p = sub.add_parser("scenario", help="school-network scenarios: prepare, evaluate, compare")
    ss = p.add_subparsers(dest="scenario_command", metavar="ACTION")
    region = argparse.ArgumentParser(add_help=False)
    g = region.add_mutually_exclusive_group(required=True)
    g.add_argument("--prepared", help="prepared region folder (from `scenario prepare`)")
    g.add_argument("--bundle", help="region bundle folder or name (prepared on the fly)")
    q = ss.add_parser("prepare", help="route the origin x school matrix of a bundle once")
    q.add_argument("--bundle", required=True, help="region bundle folder or name")
    q.add_argument("--year", type=YEAR, default=None, help="base year of the pupils")
    q.add_argument("--out", required=True, help="output folder")
    _add_force(q)
    _add_scheduler(q, default="auto", what="routing")
    q.set_defaults(func=_cmd_scenario_prepare)
    q = ss.add_parser("evaluate", parents=[region],
                      help="evaluate scenario files: CSV tables and a GeoPackage")
    q.add_argument("files", nargs="+", help="scenario YAML file(s)")
    q.add_argument("--out", required=True, help="output folder (one subfolder per file)")
    _add_force(q)
    q.add_argument("--lang", choices=["lv", "en"], default="en")
    q.set_defaults(func=_cmd_scenario_evaluate)
    q = ss.add_parser("compare", parents=[region],
                      help="compare two scenarios (A: baseline, B: proposal)")
    q.add_argument("a", help="scenario A (YAML)")
    q.add_argument("b", help="scenario B (YAML)")
    q.add_argument("--out", required=True, help="output folder")
    _add_force(q)
    q.add_argument("--lang", choices=["lv", "en"], default="en")
    q.set_defaults(func=_cmd_scenario_compare)
    p.set_defaults(func=lambda args: (p.print_help(), 0)[1])


def _cmd_scenario_prepare(args) -> int:
    print(run_prepare(bundle=args.bundle, out=args.out, year=args.year, force=args.force,
                      scheduler=args.scheduler, workers=args.workers))
    return 0


def _add_scheduler(p, *, default: str, what: str) -> None:
    p.add_argument("--scheduler", default=default,
                   help=f"{what}: auto (a Dask LocalCluster when the job is big enough, else "
                   "serial), local, serial, or tcp://HOST:PORT of a running Dask scheduler "
                   f"(default {default})")
    p.add_argument("--workers", type=COUNT, default=None,
                   help=f"{what}: worker processes of the LocalCluster (default: all cores)")


def _add_batch(sub) -> None:
    p = sub.add_parser("batch", help="many scenarios or regions as independent tasks "
                       "(serially or on Dask); one failing item does not stop the others")
    ss = p.add_subparsers(dest="batch_command", metavar="ACTION")
    q = ss.add_parser("evaluate", help="evaluate scenario files of one region, one task each")
    g = q.add_mutually_exclusive_group(required=True)
    g.add_argument("--prepared", help="prepared region folder (from `scenario prepare`)")
    g.add_argument("--bundle", help="region bundle folder or name (prepared on the fly)")
    q.add_argument("files", nargs="+", help="scenario YAML files")
    q.set_defaults(func=_cmd_batch_evaluate)
    r = ss.add_parser("build", help="build region bundles from their recipes, one task each")
    r.add_argument("recipes", nargs="+", help="recipe names (data/regions) or .yaml files")
    r.add_argument("--offline", action="store_true", help="do not download missing files")
    r.add_argument("--no-network", action="store_true", help="skip the road network caches")
    r.set_defaults(func=_cmd_batch_build)
    for action in (q, r):
        action.add_argument("--out", required=True, help="output folder: one subfolder per "
                            "item and batch.csv (status, error, seconds of each item)")
        _add_force(action)
        _add_scheduler(action, default="auto", what="items")
        action.add_argument("--lang", choices=["lv", "en"], default="en")
    p.set_defaults(func=lambda args: (p.print_help(), 0)[1])


def _cmd_batch_evaluate(args) -> int:
    text, failed = run_batch_evaluate(args.files, out=args.out, prepared=args.prepared,
                                      bundle=args.bundle, scheduler=args.scheduler,
                                      workers=args.workers, lang=args.lang, force=args.force)
    print(text)
    return 1 if failed else 0


def _cmd_batch_build(args) -> int:
    text, failed = run_batch_build(args.recipes, out=args.out, online=not args.offline,
                                   network=not args.no_network, scheduler=args.scheduler,
                                   workers=args.workers, lang=args.lang, force=args.force)
    print(text)
    return 1 if failed else 0


def _cmd_scenario_evaluate(args) -> int:
    print(run_evaluate(args.files, out=args.out, prepared=args.prepared, bundle=args.bundle,
                       lang=args.lang, force=args.force))
    return 0


def _cmd_scenario_compare(args) -> int:
    print(run_compare(args.a, args.b, out=args.out, prepared=args.prepared, bundle=args.bundle,
                      lang=args.lang, force=args.force))
    return 0


def _add_optimize(sub) -> None:
    p = sub.add_parser("optimize", help="propose which schools to keep (p-median, coverage)")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--prepared", help="prepared region folder (from `scenario prepare`)")
    g.add_argument("--bundle", help="region bundle folder or name")
    p.add_argument("--objective", choices=["p-median", "coverage"], default="p-median")
    n = p.add_mutually_exclusive_group()
    n.add_argument("--p", type=COUNT, help="number of schools to keep (also of a year sweep)")
    n.add_argument("--budget", type=POSITIVE, help="annual budget of the kept schools, EUR")
    p.add_argument("--sweep", help="trade-off curve: p=START:STOP:STEP, budget=START:STOP:STEP "
                   "or year=START:STOP:STEP (pupils of each year at --p or --budget, default: "
                   "the schools open now); --out is then a folder")
    p.add_argument("--robustness", metavar="START:STOP[:STEP]",
                   help="projection years: the current network (and --scenario) evaluated for "
                   "each year; alone or with --sweep (--out is then a folder)")
    p.add_argument("--scenario", default=None,
                   help="--robustness: a network (YAML, e.g. a sweep point) to follow as well")
    p.add_argument("--scheduler", default="local",
                   help="sweeps: local (a Dask LocalCluster, default), serial, or tcp://HOST:PORT")
    p.add_argument("--workers", type=COUNT, default=None,
                   help="sweeps: worker processes of the LocalCluster (default: all cores)")
    p.add_argument("--lang", choices=["lv", "en"], default="en")
    p.add_argument("--keep", nargs="*", default=[], help="school ids that stay open")
    p.add_argument("--close", nargs="*", default=[], help="school ids that close")
    p.add_argument("--base", default=None, help="base scenario (YAML): transport, year, sites")
    p.add_argument("--method", choices=["heuristic", "milp", "both", "certified", "auto"],
                   default="auto", help="auto: heuristic on small regions, certified (proven "
                   "gap) at region scale")
    p.add_argument("--time-limit", type=POSITIVE, default=60.0,
                   help="MILP or certified-solve time limit, seconds")
    p.add_argument("--out", required=True, help="output scenario file (YAML); with --sweep or "
                   "--robustness a folder")
    _add_force(p)
    p.set_defaults(func=_cmd_optimize)


def _cmd_optimize(args) -> int:
    if args.scenario and not args.robustness:
        raise GeoInputError("--scenario names a network to follow with --robustness.",
                            fix="add --robustness START:STOP, or leave out --scenario.")
    if args.sweep:
        print(run_optimize_sweep(args.sweep, out=args.out, prepared=args.prepared,
                                 bundle=args.bundle, base=args.base, scheduler=args.scheduler,
                                 workers=args.workers, p=args.p, budget=args.budget,
                                 robustness_years=args.robustness, scenario=args.scenario,
                                 lang=args.lang, objective=args.objective, keep=args.keep,
                                 close=args.close, method=args.method,
                                 time_limit_s=args.time_limit, force=args.force))
        return 0
    if args.robustness:
        if args.p is not None or args.budget is not None:
            raise GeoInputError("--robustness follows fixed networks; --p/--budget optimise.",
                                fix="leave out --p/--budget, or add --sweep year=...")
        print(run_robustness(args.robustness, out=args.out, prepared=args.prepared,
                             bundle=args.bundle, base=args.base, scenario=args.scenario,
                             lang=args.lang, force=args.force))
        return 0
    if args.p is None and args.budget is None:
        raise GeoInputError("give --p, --budget, --sweep or --robustness.",
                            fix="e.g. --p 60, or --sweep p=40:149:5.")
    print(run_optimize(out=args.out, prepared=args.prepared, bundle=args.bundle,
                       objective=args.objective, p=args.p, budget=args.budget, keep=args.keep,
                       close=args.close, base=args.base, method=args.method,
                       time_limit_s=args.time_limit, force=args.force))
    return 0


def _add_whitespots(sub) -> None:
    p = sub.add_parser("whitespots", help="broadband white spots: classes per cell, "
                       "municipality and border band, schools, joint view, priority list")
    p.add_argument("--bundle", required=True, help="region bundle folder or name")
    p.add_argument("--scenario", default=None,
                   help="scenario (YAML) of the joint view (default: baseline; needs roads)")
    p.add_argument("--points", default=None,
                   help="places whose broadband to report: CSV with lon/lat, or a vector file")
    p.add_argument("--out", required=True, help="output folder (GeoPackage, CSV, report)")
    p.add_argument("--lang", choices=["lv", "en"], default="en")
    _add_force(p)
    p.set_defaults(func=_cmd_whitespots)


def _cmd_whitespots(args) -> int:
    print(run_whitespots(bundle=args.bundle, out=args.out, scenario=args.scenario,
                         points=args.points, lang=args.lang, force=args.force))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m geo",
        description="School-network and access-to-education planning (Vidzeme, Latvia).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_network(sub)
    _add_access(sub)
    _add_synth(sub)
    _add_download(sub)
    _add_build(sub)
    _add_scenario(sub)
    _add_optimize(sub)
    _add_whitespots(sub)
    _add_batch(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except GeoInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
