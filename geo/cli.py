"""Command-line interface: ``python -m geo SUBCOMMAND ...``.

Each subcommand parses its options here and calls functions of the engine; heavy modules are
imported inside the handlers so that ``python -m geo --help`` answers at once.
"""

from __future__ import annotations

import argparse
import sys

from geo.errors import GeoInputError


def _add_network(sub) -> None:
    p = sub.add_parser(
        "network",
        help="build and cache the road network of an OSM file (.osm.pbf, .osm, .osm.bz2/.gz)",
    )
    p.add_argument("file", help="OSM file")
    p.add_argument("--out", required=True, help="output folder of the network cache")
    p.add_argument("--mode", choices=["drive", "walk"], default="drive", help="network type")
    p.add_argument("--crs", default=None, help="metric CRS (default: local UTM, EPSG:3059 in Latvia)")
    p.add_argument("--no-track", action="store_true", help="leave highway=track out")
    p.set_defaults(func=_cmd_network)


def _cmd_network(args) -> int:
    from geo.network import build_network_from_file

    net = build_network_from_file(
        args.file, args.out, mode=args.mode, crs=args.crs, include_track=not args.no_track,
        progress=True,
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
    p.add_argument("--facility-id", default=None, help="id column of the facilities")
    p.add_argument("--origin-id", default=None, help="id column of the origins")
    p.add_argument(
        "--population", default=None,
        help="population column of the origins (default: population, pop, T when present)",
    )
    p.add_argument("--cutoff", type=float, default=None, help="search limit, minutes")
    p.add_argument("--max-snap", type=float, default=None, help="snapping limit, metres")
    p.set_defaults(func=_cmd_access)


def _cmd_access(args) -> int:
    from geo.workflows import run_access

    summary = run_access(
        network=args.network, facilities=args.facilities, origins=args.origins, out=args.out,
        facility_id=args.facility_id, origin_id=args.origin_id, population=args.population,
        cutoff_min=args.cutoff, max_snap_m=args.max_snap, progress=True,
    )
    print(summary)
    return 0


def _add_synth(sub) -> None:
    p = sub.add_parser(
        "synth",
        help="generate the fictional demo region (OSM, IZM xlsx, census, Ookla, boundaries)",
    )
    p.add_argument("--out", required=True, help="output folder (replaced when complete)")
    p.add_argument("--scale", choices=["demo", "vidzeme"], default="demo",
                   help="demo: about 2,000 km2; vidzeme: about 16,000 km2 (benchmarks)")
    p.add_argument("--seed", type=int, default=0, help="random seed (same seed, same files)")
    p.add_argument("--xml", action="store_true", help="also write the OSM data as .osm XML")
    p.set_defaults(func=_cmd_synth)


def _cmd_synth(args) -> int:
    from tqdm import tqdm

    from geo.synth import format_summary, generate

    with tqdm(total=10, desc="Demo region", unit=" steps") as bar:

        def progress(k, n, msg):
            bar.total = n
            bar.n = k
            bar.set_postfix_str(msg)
            bar.refresh()

        summary = generate(args.out, scale=args.scale, seed=args.seed, progress=progress,
                           osm_formats=("pbf", "xml") if args.xml else ("pbf",))
        bar.n = bar.total
        bar.refresh()
    print(format_summary(summary))
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
