"""OpenStreetMap files: roads, schools and other facilities, places.

Reads ``.osm.pbf``, ``.osm`` and ``.osm.bz2`` / ``.osm.gz`` with pyosmium (libosmium), which reads
a country extract in seconds where osmnx's ``graph_from_xml`` takes minutes. The format is
sniffed from the file's first bytes, not trusted from its name.

* :func:`read_osm` returns the routable ways of a mode (``drive`` or ``walk``) with their node
  coordinates as flat arrays, plus the tags needed for speeds. Clipped extracts whose ways
  reference missing nodes load: ways are split where nodes are missing and the report says how
  much was dropped.
* :func:`read_facilities` returns one point per school (or dormitory, kindergarten, ...), whether
  mapped as a node, a closed way or a multipolygon relation.
* :func:`read_places` returns place nodes (towns, villages, hamlets...) with their population.

Downloads (Overpass through osmnx, Geofabrik extracts) are in :mod:`geo.sources.osm_download`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry
from tqdm import tqdm

from geo import settings
from geo.errors import GeoInputError, Msg, NetworkError

#: Way tags kept from the file (others are dropped to save memory).
WAY_TAGS = (
    "highway", "name", "ref", "oneway", "junction", "maxspeed", "maxspeed:forward",
    "maxspeed:backward", "surface", "tracktype", "access", "vehicle", "motor_vehicle",
    "motorcar", "foot", "service", "area",
)

#: Facility kinds and the tags that define them. ``kinds=`` of :func:`read_facilities` picks
#: from these keys.
FACILITY_TAGS: dict[str, tuple[tuple[str, str], ...]] = {
    "school": (("amenity", "school"),),
    "dormitory": (("amenity", "dormitory"), ("building", "dormitory")),
    "kindergarten": (("amenity", "kindergarten"),),
    "college": (("amenity", "college"),),
    "university": (("amenity", "university"),),
    "other_education": (
        ("amenity", "music_school"), ("amenity", "language_school"), ("amenity", "prep_school"),
        ("amenity", "training"), ("amenity", "art_school"),
    ),
}

#: Facility tags copied into the output columns when present.
FACILITY_COLUMNS = (
    "name", "name:lv", "name:en", "official_name", "ref", "ref:LV:izm", "isced:level", "grades",
    "school", "capacity", "beds", "operator", "operator:type", "addr:city", "addr:street",
    "addr:housenumber", "addr:postcode", "website",
)

PLACE_VALUES = (
    "city", "town", "village", "hamlet", "isolated_dwelling", "farm", "suburb",
    "neighbourhood", "quarter", "locality",
)

#: Place kinds named on maps (layer ``places`` of a bundle), largest first.
LABEL_PLACES = ("city", "town", "village")


# ------------------------------------------------------------------------------------------
# File handling
# ------------------------------------------------------------------------------------------
def sniff_format(path: str | Path) -> str:
    """Detect the OSM file format from its first bytes.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    str
        ``"pbf"``, ``"osm"``, ``"osm.bz2"`` or ``"osm.gz"`` (libosmium format names).

    Raises
    ------
    GeoInputError
        When the file does not exist, is empty, or is not an OSM file.
    """
    path = Path(path)
    if not path.exists():
        raise GeoInputError(Msg("err.osm.not_found"), path=path, fix=Msg("err.osm.not_found.fix"))
    if path.is_dir():
        raise GeoInputError(Msg("err.osm.is_folder"), path=path)
    size = path.stat().st_size
    if size == 0:
        raise GeoInputError(Msg("err.osm.empty"), path=path, fix=Msg("err.osm.empty.fix"))
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
    except OSError as exc:
        raise GeoInputError(Msg("err.osm.unreadable", reason=str(exc.strerror or exc)),
                            path=path, fix=Msg("err.osm.unreadable.fix")) from exc
    if head[:3] == b"BZh":
        return "osm.bz2"
    if head[:2] == b"\x1f\x8b":
        return "osm.gz"
    if len(head) >= 13 and b"OSMHeader" in head[:32]:
        return "pbf"
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<?xml") or text.startswith(b"<osm"):
        return "osm"
    raise GeoInputError(Msg("err.osm.not_osm"), path=path, fix=Msg("err.osm.not_osm.fix"))


def _osm_file(path: str | Path):
    fmt = sniff_format(path)
    return osmium.io.File(str(path), fmt)


def _wrap_osmium_errors(path: Path):
    """Context manager turning libosmium parse errors into :class:`GeoInputError`."""

    class _Ctx:
        def __enter__(self):
            return self

        def __exit__(self, exc_type, exc, tb):
            if exc_type is not None and issubclass(exc_type, RuntimeError) and not issubclass(
                exc_type, GeoInputError
            ):
                raise GeoInputError(Msg("err.osm.corrupt", detail=str(exc)), path=path,
                                    fix=Msg("err.osm.corrupt.fix")) from exc
            return False

    return _Ctx()


def _as_polygon_wgs84(clip) -> BaseGeometry | None:
    """A clip area (shapely geometry in WGS84, GeoDataFrame/GeoSeries in any CRS) as one geometry."""
    if clip is None:
        return None
    if isinstance(clip, gpd.GeoDataFrame | gpd.GeoSeries):
        if clip.crs is None:
            raise GeoInputError(
                Msg("err.osm.clip_no_crs"), fix=Msg("err.osm.clip_no_crs.fix")
            )
        geom = shapely.union_all(clip.to_crs(settings.WGS84).geometry.values)
    else:
        geom = clip
    if geom is None or geom.is_empty:
        raise GeoInputError(Msg("err.osm.clip_empty"), fix=Msg("err.osm.clip_area.fix"))
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        src = getattr(clip, "attrs", {}).get("source")
        raise GeoInputError(
            Msg("err.osm.clip_not_polygon", type=geom.geom_type), path=src,
            fix=Msg("err.osm.clip_area.fix"),
        )
    shapely.prepare(geom)
    return geom


# ------------------------------------------------------------------------------------------
# Roads
# ------------------------------------------------------------------------------------------
@dataclass
class OSMRoads:
    """Routable ways of an OSM file with their node coordinates.

    Attributes
    ----------
    ways : pandas.DataFrame
        One row per way (index ``way_id``, int64): the tags of :data:`WAY_TAGS`, ``oneway``
        (int8: 1 forward, -1 backward, 0 both ways); speeds are derived from these tags by
        :mod:`geo.network.speed` when the graph is built.
    offsets : numpy.ndarray of int64, shape (n_ways + 1,)
        Way ``i``'s nodes are ``node_id[offsets[i]:offsets[i + 1]]``.
    node_id : numpy.ndarray of int64
        OSM node ids of the ways, in way order.
    lon, lat : numpy.ndarray of float64
        Node coordinates in degrees (WGS84); NaN where the node is missing from the file or
        lies outside the clip polygon.
    mode : str
        ``"drive"`` or ``"walk"``.
    source : str
        The file read.
    report : dict
        Counts: ways read, ways kept, missing node references, ways affected, ...
    """

    ways: pd.DataFrame
    offsets: np.ndarray
    node_id: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    mode: str
    source: str
    report: dict = field(default_factory=dict)


def _access_ok(tags: dict, mode: str) -> bool:
    if mode == "walk":
        foot = tags.get("foot")
        if foot in ("yes", "designated", "permissive"):
            return True
        if foot == "no":
            return False
        return tags.get("access") not in settings.NO_ACCESS
    for key in ("motorcar", "motor_vehicle", "vehicle", "access"):
        val = tags.get(key)
        if val is not None:
            return val not in settings.NO_ACCESS
    return True


def _oneway(tags: dict, mode: str) -> int:
    if mode == "walk":
        return 0
    ow = tags.get("oneway")
    if ow in ("yes", "true", "1"):
        return 1
    if ow in ("-1", "reverse"):
        return -1
    if ow in ("no", "false", "0", "alternating", "reversible"):
        return 0
    if tags.get("junction") in ("roundabout", "circular") or tags.get("highway") in (
        "motorway", "motorway_link"
    ):
        return 1
    return 0


def read_osm(
    path: str | Path,
    *,
    mode: str = "drive",
    include_track: bool = True,
    highway_classes: Iterable[str] | None = None,
    clip=None,
    progress: bool = False,
) -> OSMRoads:
    """Read the routable ways of an OSM file.

    Parameters
    ----------
    path : str or Path
        ``.osm.pbf``, ``.osm``, ``.osm.bz2`` or ``.osm.gz`` file (format sniffed from content).
    mode : {"drive", "walk"}, default "drive"
        Network type: :data:`geo.settings.DRIVE_HIGHWAYS` or
        :data:`geo.settings.WALK_HIGHWAYS`, with access restrictions applied.
    include_track : bool, default True
        Keep ``highway=track`` in the drive network (osmnx's "drive" drops it; rural Latvia
        needs it).
    highway_classes : iterable of str, optional
        Override the set of ``highway`` values.
    clip : shapely geometry (WGS84), GeoDataFrame or GeoSeries, optional
        Keep only the parts of ways inside this area (nodes outside count as missing).
    progress : bool, default False
        Show a tqdm progress bar.

    Returns
    -------
    OSMRoads

    Raises
    ------
    GeoInputError
        File missing, empty or not OSM.
    NetworkError
        The file holds no routable roads of this mode.
    """
    if mode not in ("drive", "walk"):
        raise ValueError(f"mode must be 'drive' or 'walk', not {mode!r}")
    path = Path(path)
    classes = _road_classes(mode, include_track=include_track, highway_classes=highway_classes)
    scan = _scan_ways(_osm_file(path), path, classes, mode, progress=progress)
    if not scan.way_ids:
        raise NetworkError(
            Msg("err.osm.no_roads_drive" if mode == "drive" else "err.osm.no_roads_walk",
                n=scan.n_seen, classes=", ".join(sorted(classes))),
            path=path, fix=Msg("err.osm.no_roads.fix"),
        )
    ways = pd.DataFrame(scan.tag_rows,
                        index=pd.Index(np.asarray(scan.way_ids, np.int64), name="way_id"))
    for col in WAY_TAGS:
        if col not in ways:
            ways[col] = None
    ways["oneway"] = ways["oneway"].astype(np.int8)
    offsets = np.zeros(len(scan.lengths) + 1, np.int64)
    np.cumsum(scan.lengths, out=offsets[1:])
    lon = np.asarray(scan.lons, np.float64)
    lat = np.asarray(scan.lats, np.float64)
    n_clipped = _clip_nodes(lon, lat, clip)
    report = {
        "file": str(path),
        "mode": mode,
        "highway_ways_in_file": scan.n_seen,
        "ways_kept": len(scan.way_ids),
        "node_refs": len(scan.refs),
        "missing_node_refs": scan.n_missing,
        "ways_with_missing_nodes": scan.n_ways_missing,
        "node_refs_outside_clip": n_clipped,
    }
    return OSMRoads(
        ways=ways, offsets=offsets, node_id=np.asarray(scan.refs, np.int64), lon=lon, lat=lat,
        mode=mode, source=str(path), report=report,
    )


def _road_classes(mode: str, *, include_track: bool, highway_classes) -> set[str]:
    """The ``highway`` values kept for ``mode`` (or ``highway_classes`` when given)."""
    if highway_classes is not None:
        return set(highway_classes)
    classes = set(settings.DRIVE_HIGHWAYS if mode == "drive" else settings.WALK_HIGHWAYS)
    if not include_track:
        classes.discard("track")
    return classes


@dataclass
class _WayScan:
    """The kept ways of an OSM file, as flat lists (one entry per way or per node ref)."""

    way_ids: list[int] = field(default_factory=list)
    tag_rows: list[dict] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    refs: list[int] = field(default_factory=list)
    lons: list[float] = field(default_factory=list)
    lats: list[float] = field(default_factory=list)
    n_seen: int = 0
    n_missing: int = 0
    n_ways_missing: int = 0


def _scan_ways(f, path: Path, classes: set[str], mode: str, *, progress: bool) -> _WayScan:
    """One pass over the file's highway ways (node locations attached)."""
    scan = _WayScan()
    bar = tqdm(desc=f"Reading {path.name}", unit=" ways", mininterval=0.5) if progress else None
    # the hot loop: list appends bound once
    add_ref, add_lon, add_lat = scan.refs.append, scan.lons.append, scan.lats.append
    add_way, add_tags, add_len = scan.way_ids.append, scan.tag_rows.append, scan.lengths.append
    nan = math.nan
    with _wrap_osmium_errors(path):
        fp = (
            osmium.FileProcessor(f, osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for w in fp:
            scan.n_seen += 1
            if bar is not None and scan.n_seen % 20000 == 0:
                bar.update(20000)
            tags = _routable_tags(w.tags, classes, mode)
            if tags is None:
                continue
            nodes = w.nodes
            k = len(nodes)
            if k < 2:
                continue
            miss = 0
            for nd in nodes:
                add_ref(nd.ref)
                loc = nd.location
                if loc.valid():
                    add_lon(loc.lon)
                    add_lat(loc.lat)
                else:
                    add_lon(nan)
                    add_lat(nan)
                    miss += 1
            if miss:
                scan.n_missing += miss
                scan.n_ways_missing += 1
            tags["oneway"] = _oneway(tags, mode)
            add_way(w.id)
            add_tags(tags)
            add_len(k)
    if bar is not None:
        bar.update(scan.n_seen % 20000)
        bar.close()
    return scan


def _routable_tags(tg, classes: set[str], mode: str) -> dict | None:
    """The :data:`WAY_TAGS` of a way routable in ``mode`` (None: not routable)."""
    hw = tg.get("highway")
    if hw not in classes or hw in settings.NON_ROUTABLE:
        return None
    tags = {k: tg.get(k) for k in WAY_TAGS if k in tg}
    if tags.get("area") == "yes" and mode == "drive":
        return None
    if mode == "drive" and tags.get("service") in settings.EXCLUDED_SERVICE:
        return None
    if not _access_ok(tags, mode):
        return None
    return tags


def _clip_nodes(lon: np.ndarray, lat: np.ndarray, clip) -> int:
    """Set the nodes outside ``clip`` to NaN (in place); the number of them."""
    clip_geom = _as_polygon_wgs84(clip)
    if clip_geom is None:
        return 0
    ok = np.isfinite(lon)
    inside = np.zeros(len(lon), bool)
    inside[ok] = shapely.contains_xy(clip_geom, lon[ok], lat[ok])
    lon[~inside] = np.nan
    lat[~inside] = np.nan
    return int((ok & ~inside).sum())


# ------------------------------------------------------------------------------------------
# Facilities and places
# ------------------------------------------------------------------------------------------
def _kind_of(tags, wanted: dict[str, tuple[tuple[str, str], ...]]) -> str | None:
    for kind, pairs in wanted.items():
        for k, v in pairs:
            if tags.get(k) == v:
                return kind
    return None


def read_facilities(
    path: str | Path,
    *,
    kinds: Iterable[str] = ("school",),
    clip=None,
    dedupe: bool = True,
) -> gpd.GeoDataFrame:
    """Read schools and other facilities: one point per facility.

    Facilities are mapped as nodes, as closed ways (building or grounds polygons) and as
    multipolygon relations; all three are read. A polygon gives its representative point (a
    point guaranteed inside it) and its area.

    Parameters
    ----------
    path : str or Path
        OSM file.
    kinds : iterable of str, default ("school",)
        Keys of :data:`FACILITY_TAGS`: ``school``, ``dormitory``, ``kindergarten``,
        ``college``, ``university``, ``other_education``.
    clip : shapely geometry (WGS84), GeoDataFrame or GeoSeries, optional
        Keep facilities whose point lies in this area.
    dedupe : bool, default True
        Drop a node that lies inside a polygon of the same kind when the two have the same
        name or one has none (a school mapped twice, as a point and as its grounds).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 points; columns ``osm_id`` (``"n123"``, ``"w45"``, ``"r6"``), ``osm_type``
        (``node``/``way``/``relation``), ``kind``, ``area_m2`` (NaN for nodes), the tags of
        :data:`FACILITY_COLUMNS` (``None`` when absent), ``geometry``.
    """
    path = Path(path)
    kinds = list(kinds)
    unknown = [k for k in kinds if k not in FACILITY_TAGS]
    if unknown:
        raise ValueError(f"unknown facility kinds {unknown}; choose from {list(FACILITY_TAGS)}")
    wanted = {k: FACILITY_TAGS[k] for k in kinds}
    pairs = sorted({kv for kv in (p for ps in wanted.values() for p in ps)})
    f = _osm_file(path)
    wkb = osmium.geom.WKBFactory()
    rows: list[dict] = []
    with _wrap_osmium_errors(path):
        fp = (
            osmium.FileProcessor(f)
            .with_areas(osmium.filter.TagFilter(*pairs))
            .with_filter(osmium.filter.TagFilter(*pairs))
        )
        for obj in fp:
            kind = _kind_of(obj.tags, wanted)
            if kind is not None:
                r = _facility_row(obj, kind, wkb)
                if r is not None:
                    rows.append(r)
    return _facility_points(rows, dedupe=dedupe, clip=clip)


def _facility_row(obj, kind: str, wkb) -> dict | None:
    """The row of a facility node, way or multipolygon (None: no usable geometry)."""
    if obj.is_node():
        if not obj.location.valid():
            return None
        typ, oid, geom = "node", f"n{obj.id}", shapely.Point(obj.location.lon, obj.location.lat)
    elif obj.is_way():
        geom = _way_geometry(obj)
        if geom is None:
            return None
        typ, oid = "way", f"w{obj.id}"
    elif obj.is_area() and not obj.from_way():
        try:
            geom = shapely.from_wkb(wkb.create_multipolygon(obj))
        except RuntimeError:
            return None
        typ, oid = "relation", f"r{obj.orig_id()}"
    else:
        return None
    r = {"osm_id": oid, "osm_type": typ, "kind": kind}
    tg = obj.tags
    for c in FACILITY_COLUMNS:
        r[c] = tg.get(c)
    r["geometry"] = geom
    return r


def _way_geometry(obj) -> BaseGeometry | None:
    """A closed way's polygon (made valid), else the hull, line or point of its nodes."""
    coords = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
    if len(coords) == 0:
        return None
    if len(coords) >= 4 and obj.is_closed():
        geom = shapely.Polygon(coords)
        return geom if geom.is_valid else shapely.make_valid(geom)
    if len(coords) > 2:
        return shapely.MultiPoint(coords).convex_hull
    return shapely.LineString(coords) if len(coords) == 2 else shapely.Point(coords[0])


def _facility_points(rows: list[dict], *, dedupe: bool, clip) -> gpd.GeoDataFrame:
    """Facility rows as points (polygons: representative point and area), deduplicated and
    clipped."""
    cols = ["osm_id", "osm_type", "kind", "area_m2", *FACILITY_COLUMNS, "geometry"]
    if not rows:
        return gpd.GeoDataFrame(columns=cols, geometry="geometry", crs=settings.WGS84)
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=settings.WGS84)
    is_poly = gdf.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    metric = gdf.geometry.to_crs(gdf.estimate_utm_crs()) if len(gdf) else gdf.geometry
    gdf["area_m2"] = np.where(is_poly, metric.area.to_numpy(), np.nan)
    if dedupe and is_poly.any():
        gdf = _dedupe_nodes_in_polygons(gdf, is_poly)
    gdf["geometry"] = gdf.geometry.representative_point()
    clip_geom = _as_polygon_wgs84(clip)
    if clip_geom is not None:
        gdf = gdf[shapely.contains_xy(clip_geom, gdf.geometry.x, gdf.geometry.y)]
    return gdf[cols].reset_index(drop=True)


def _norm_name(v) -> str:
    return re.sub(r"\W+", " ", str(v).lower()).strip() if isinstance(v, str) else ""


def _dedupe_nodes_in_polygons(gdf: gpd.GeoDataFrame, is_poly: np.ndarray) -> gpd.GeoDataFrame:
    nodes = gdf[gdf["osm_type"] == "node"]
    polys = gdf[is_poly]
    if nodes.empty or polys.empty:
        return gdf
    pairs = gpd.sjoin(nodes[["kind", "name", "geometry"]], polys[["kind", "name", "geometry"]],
                      predicate="within", lsuffix="n", rsuffix="p")
    same_kind = pairs["kind_n"] == pairs["kind_p"]
    nn = pairs["name_n"].map(_norm_name)
    pn = pairs["name_p"].map(_norm_name)
    same_name = (nn == pn) | (nn == "") | (pn == "")
    drop = pairs.index[same_kind & same_name].unique()
    return gdf.drop(index=drop)


def read_places(path: str | Path, *, clip=None) -> gpd.GeoDataFrame:
    """Read place nodes (city, town, village, hamlet, farm...) with their population.

    Parameters
    ----------
    path : str or Path
        OSM file.
    clip : shapely geometry (WGS84), GeoDataFrame or GeoSeries, optional
        Keep places inside this area.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 points; columns ``osm_id``, ``name``, ``place``, ``population`` (float,
        NaN where untagged or unreadable), ``geometry``.
    """
    path = Path(path)
    f = _osm_file(path)
    rows = []
    with _wrap_osmium_errors(path):
        fp = osmium.FileProcessor(f, osmium.osm.NODE).with_filter(osmium.filter.KeyFilter("place"))
        for n in fp:
            place = n.tags.get("place")
            if place not in PLACE_VALUES or not n.location.valid():
                continue
            rows.append({
                "osm_id": f"n{n.id}", "name": n.tags.get("name"), "place": place,
                "population": _parse_population(n.tags.get("population")),
                "geometry": shapely.Point(n.location.lon, n.location.lat),
            })
    if not rows:
        return gpd.GeoDataFrame(columns=["osm_id", "name", "place", "population", "geometry"],
                                geometry="geometry", crs=settings.WGS84)
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=settings.WGS84)
    clip_geom = _as_polygon_wgs84(clip)
    if clip_geom is not None:
        gdf = gdf[shapely.contains_xy(clip_geom, gdf.geometry.x, gdf.geometry.y)].reset_index(
            drop=True
        )
    return gdf


def _parse_population(v) -> float:
    if v is None:
        return math.nan
    s = re.sub(r"[\s,.'’]", "", str(v))
    m = re.match(r"^~?(\d+)", s)
    return float(m.group(1)) if m else math.nan
