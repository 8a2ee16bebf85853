"""Every default of the tool in one place.

Speeds, road classes, thresholds, coordinate reference systems, snapping limits and cost
parameters live here and nowhere else; other modules import them and accept keyword overrides.
The tables are plain dicts so that a region recipe or a scenario file can override single entries.

Units: speeds in km/h, distances in metres, times in seconds unless a name says ``_min``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

# --------------------------------------------------------------------------------------------
# Coordinate reference systems
# --------------------------------------------------------------------------------------------
#: Geographic CRS of OpenStreetMap and most downloads.
WGS84 = "EPSG:4326"
#: LKS-92 / Latvia TM, the metric CRS for all work in Latvia.
LATVIA_CRS = "EPSG:3059"
#: ETRS89-LAEA, the CRS of the Eurostat census grid and of the Ookla 350 m tiles.
LAEA_CRS = "EPSG:3035"

# --------------------------------------------------------------------------------------------
# Road network: which OSM ways are drivable / walkable
# --------------------------------------------------------------------------------------------
#: ``highway`` values that make the drivable network. Unlike osmnx's "drive" filter this keeps
#: ``track`` (forest and farm roads), which matter in rural Latvia. Override with
#: ``read_osm(..., highway_classes=...)``.
DRIVE_HIGHWAYS: tuple[str, ...] = (
    "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link",
    "secondary", "secondary_link", "tertiary", "tertiary_link", "unclassified",
    "residential", "living_street", "service", "road", "track",
)
#: ``highway`` values of the walking network.
WALK_HIGHWAYS: tuple[str, ...] = (
    "trunk", "trunk_link", "primary", "primary_link", "secondary", "secondary_link",
    "tertiary", "tertiary_link", "unclassified", "residential", "living_street", "service",
    "road", "track", "pedestrian", "footway", "path", "steps", "cycleway", "bridleway",
)
#: ``access`` / ``motor_vehicle`` values that close a way to general traffic.
NO_ACCESS = frozenset({"no", "private", "agricultural", "forestry", "delivery", "emergency"})
#: ``service`` values excluded from the drivable network (as osmnx does).
EXCLUDED_SERVICE = frozenset({"parking_aisle", "driveway", "emergency_access", "drive-through"})
#: ``area=yes`` highways and these ``highway`` values are never routable.
NON_ROUTABLE = frozenset({"proposed", "construction", "abandoned", "platform", "raceway", "bus_guideway"})

# --------------------------------------------------------------------------------------------
# Speeds
# --------------------------------------------------------------------------------------------
#: Default free-flow car speed (km/h) per ``highway`` class on a paved surface, used where a way
#: has no usable ``maxspeed`` tag. Values are typical travel speeds of Latvian rural roads, below
#: the legal limits (90 km/h outside built-up areas, 50 km/h inside).
DEFAULT_SPEED_KMH: dict[str, float] = {
    "motorway": 100.0, "motorway_link": 60.0,
    "trunk": 90.0, "trunk_link": 50.0,
    "primary": 80.0, "primary_link": 50.0,
    "secondary": 70.0, "secondary_link": 45.0,
    "tertiary": 60.0, "tertiary_link": 40.0,
    "unclassified": 50.0, "road": 40.0,
    "residential": 30.0, "living_street": 10.0, "service": 20.0,
    "track": 25.0,
}
#: Speed (km/h) for a drivable ``highway`` value missing from the table above.
FALLBACK_SPEED_KMH = 30.0

#: Surface groups. Most rural roads in Latvia are gravel (grants): slower than asphalt.
SURFACE_GROUP: dict[str, str] = {
    **dict.fromkeys(
        ["asphalt", "concrete", "concrete:plates", "concrete:lanes", "paved", "paving_stones",
         "sett", "chipseal", "metal", "wood"], "paved"),
    **dict.fromkeys(
        ["gravel", "fine_gravel", "compacted", "pebblestone", "unhewn_cobblestone",
         "cobblestone", "grass_paver"], "gravel"),
    **dict.fromkeys(
        ["unpaved", "dirt", "earth", "ground", "grass", "sand", "mud", "soil", "woodchips",
         "clay", "salt", "snow", "ice"], "unpaved"),
}
#: Per surface group: (factor applied to the class default speed, cap in km/h applied to every
#: speed, tagged or default). A gravel secondary road defaults to min(70 * 0.8, 70) = 56 km/h.
SURFACE_SPEED: dict[str, tuple[float, float]] = {
    "paved": (1.0, 200.0),
    "gravel": (0.8, 70.0),
    "unpaved": (0.6, 40.0),
}
#: Surface assumed per ``highway`` class when the way has no ``surface`` tag. In Latvia most
#: ``unclassified`` and ``track`` roads are gravel or earth.
DEFAULT_SURFACE_GROUP: dict[str, str] = {"unclassified": "gravel", "track": "unpaved"}

#: Implicit ``maxspeed`` values (``CC:zone``), km/h. National rules of the countries whose data
#: the tool is tested on; an unknown zone falls back to the class default.
IMPLICIT_MAXSPEED_KMH: dict[str, float] = {
    "LV:urban": 50, "LV:rural": 90, "LV:motorway": 110, "LV:living_street": 20,
    "EE:urban": 50, "EE:rural": 90, "LT:urban": 50, "LT:rural": 90, "LT:motorway": 130,
    "GB:nsl_single": 96.56, "GB:nsl_dual": 112.65, "GB:motorway": 112.65, "GB:urban": 48.28,
    "UK:nsl_single": 96.56, "UK:nsl_dual": 112.65, "UK:motorway": 112.65,
    "MT:urban": 50, "MT:rural": 80, "LI:urban": 50, "LI:rural": 80,
    "CH:urban": 50, "CH:rural": 80, "CH:motorway": 120, "AT:urban": 50, "AT:rural": 100,
    "AT:motorway": 130, "DE:urban": 50, "DE:rural": 100, "DE:living_street": 7,
    "PT:urban": 50, "PT:rural": 90, "PT:motorway": 120, "PL:urban": 50, "PL:rural": 90,
    "FI:urban": 50, "FI:rural": 80, "RU:urban": 60, "RU:rural": 90, "RU:living_street": 20,
    "CN:urban": 50, "CN:rural": 70,
    "walk": 5, "living_street": 10,
}
#: Walking speed (km/h) on the walking network and for off-network snapping of pedestrians.
WALK_SPEED_KMH = 4.5

# --------------------------------------------------------------------------------------------
# Snapping origins and facilities to the network
# --------------------------------------------------------------------------------------------
#: Origins and facilities farther than this from any network node are reported as unsnapped.
SNAP_MAX_DISTANCE_M = 2000.0
#: Speed (km/h) of the off-network leg between a point and its nearest network node (walking
#: to the road, or slow driving on farm lanes missing from OSM).
SNAP_SPEED_KMH = 10.0

# --------------------------------------------------------------------------------------------
# Education: grade bands and travel-time thresholds (one way, home -> school)
# --------------------------------------------------------------------------------------------
#: Grade bands of the Latvian school system: sākumskola 1-6, pamatskola 7-9, vidusskola 10-12.
GRADE_BANDS: dict[str, tuple[int, ...]] = {
    "1-6": (1, 2, 3, 4, 5, 6),
    "7-9": (7, 8, 9),
    "10-12": (10, 11, 12),
}
#: Maximum acceptable one-way travel time per grade band, minutes. Editable per scenario.
THRESHOLD_MIN: dict[str, float] = {"1-6": 30.0, "7-9": 45.0, "10-12": 60.0}

# --------------------------------------------------------------------------------------------
# School transport and costs
# --------------------------------------------------------------------------------------------
#: School bus in-vehicle time = car time x detour factor + stop wait.
BUS_DETOUR_FACTOR = 1.4
BUS_STOP_WAIT_MIN = 5.0
#: Pupils within this network distance walk (metres).
WALK_MAX_DISTANCE_M = 2000.0
#: Transport cost per pupil-km (EUR), school days per year.
COST_PER_PUPIL_KM_EUR = 0.12
SCHOOL_DAYS_PER_YEAR = 170
#: Annual cost of one dormitory place (EUR).
DORMITORY_PLACE_COST_EUR = 2500.0

# --------------------------------------------------------------------------------------------
# Scenarios, assignment and optimisation (geo.planning.scenario, geo.planning.assign, geo.planning.optimize)
# --------------------------------------------------------------------------------------------
#: Grades served by each school type (Latvian names; ASCII spellings are accepted too).
SCHOOL_TYPE_GRADES: dict[str, tuple[int, ...]] = {
    "sākumskola": tuple(range(1, 7)),
    "pamatskola": tuple(range(1, 10)),
    "vidusskola": tuple(range(1, 13)),
    "ģimnāzija": tuple(range(7, 13)),
}
#: Transport mode of pupils living beyond walking distance: "bus" (school bus) or "car".
TRANSPORT_MODE = "bus"
#: School days per week (a pupil in a dormitory travels home once a week instead of daily).
SCHOOL_DAYS_PER_WEEK = 5
#: Grade bands that may live in a dormitory (dienesta viesnīca) when the daily trip is beyond
#: the threshold. Younger pupils always commute daily.
DORMITORY_BANDS: tuple[str, ...] = ("7-9", "10-12")
#: Assignment cost (minutes) added to a daily trip beyond the band's threshold. It makes the
#: capacity-constrained assignment keep pupils within the threshold first and prefer a school
#: with free dormitory places over a daily trip beyond it; without capacity limits every pupil
#: still goes to the nearest school.
BEYOND_THRESHOLD_PENALTY_MIN = 60.0
#: Assignment cost (minutes per pupil) of leaving a pupil unserved (no open school offering the
#: grade is reachable, or every reachable one is full). Larger than any real trip.
UNSERVED_PENALTY_MIN = 10_000.0
#: Capacity-constrained assignment: candidate schools (daily, and dormitory) per pupil group
#: in the first min-cost flow, and the most arcs of each kind a group gains per pricing round
#: (more join while any prices out).
ASSIGN_K_NEAREST = 6
#: Assignment: tolerance of the capacity check (pupils), and the most min-cost-flow rounds
#: (column generation; without a proof by then the result is flagged not optimal).
ASSIGN_TOL = 1e-6
ASSIGN_MAX_ROUNDS = 20
#: School types (``school_type`` of the IZM reader) left out of the assignment: special,
#: evening and distance schools do not serve a catchment of ordinary pupils.
EXCLUDED_SCHOOL_TYPES: tuple[str, ...] = ("special", "evening", "distance")
#: Capacity assumed when the schools table has none: current pupils x this factor.
CAPACITY_FROM_PUPILS = 1.25
#: Share of capacity under which an open school counts as under-used (indicators).
UNDER_CAPACITY_SHARE = 0.5
#: Default search limit of an origin x facility travel-time matrix (seconds).
MATRIX_CUTOFF_S = 3600.0
#: Prepared region (geo.planning.prepared): each school's search stops at this network time
#: (seconds) and keeps the origins whose network time + school leg is within it; schools with
#: dormitory places are searched to the end (a weekly trip to a far dormitory can be the best
#: option). 120 min of car is 173 min by school bus (x 1.4 + 5), about three times the largest
#: threshold (60 min), so the pairs left out are almost never the cheapest option. When they
#: are (a scenario closes or fills every kept school of a pupil group), the evaluation sees a
#: lower bound of their time (the origin's leg + this limit) and routes the exact columns on
#: demand - never "unreachable" by omission. A bounded search settles only the nodes within
#: the limit. At 3600 s preparing the country-scale demo (557k nodes) takes 175 s of CPU
#: instead of 283 s, but the lower bounds then reach into the assignment's optimality check,
#: which finds another optimum of equal cost (Vidzeme-scale pupil-minutes differ in the 8th
#: digit from the full matrix; at 7200 s they are identical).
PAIRS_CUTOFF_S = 7200.0
#: Older prepared folders (dense matrices) keep the pairs within PAIRS_CUTOFF_S of car time
#: plus this many nearest schools of each origin.
PAIRS_K_NEAREST = 8
#: Preparing a region routes the schools in blocks of about this many origin x school pairs
#: (dense float64 time + distance: 16 bytes each), so that its peak memory is bounded by the
#: block and the kept pairs, not by origins x schools.
PREPARE_BLOCK_PAIRS = 2_000_000
#: Lon/lat box of Latvia (EPSG:3059 area of use): networks inside it use LATVIA_CRS.
LATVIA_BOUNDS = (20.8, 55.6, 28.3, 58.1)
#: Pupils per resident by grade band, used when origins carry a population but no pupil counts:
#: Vidzeme pupils in grades 1-6 / 7-9 / 10-12 on 1 Dec 2022 (IZM, 13,145 / 6,712 / 3,004 in
#: general-education schools) divided by the 2021 census population (214,157).
PUPILS_PER_RESIDENT: dict[str, float] = {"1-6": 0.06138, "7-9": 0.03134, "10-12": 0.01403}
#: Annual running cost of one school (EUR), used only by budget-constrained optimisation when the
#: schools table has no ``annual_cost_eur`` column. A placeholder: set it from municipal budgets.
SCHOOL_FIXED_COST_EUR = 250_000.0
#: Optimisation: time limit of the exact MILP (seconds) and the relative gap at which HiGHS stops.
MILP_TIME_LIMIT_S = 60.0
MILP_REL_GAP = 1e-4
#: Pupil projections (geo.planning.projection): census grid years used for the trend, and the shrinkage
#: weight (persons): a cell's own log-linear trend gets weight n / (n + K), n = the cell's mean
#: population, and the municipality trend the rest. Annual rates are clipped to +-MAX.
PROJECTION_YEARS: tuple[int, ...] = (2011, 2018, 2021)
PROJECTION_SHRINKAGE_PERSONS = 200.0
PROJECTION_MAX_ANNUAL_RATE = 0.10

# --------------------------------------------------------------------------------------------
# Maps (geo.outputs.web, geo.outputs.report)
# --------------------------------------------------------------------------------------------
#: Travel-time bands of map legends, minutes: band ``i`` is ``[b[i], b[i+1])``, the last one is
#: open-ended (60+).
MAP_TIME_BANDS_MIN: tuple[float, ...] = (0, 10, 20, 30, 45, 60)
#: Colours of those bands, short to long (viridis, reversed: colour-blind safe, prints in grey).
MAP_TIME_COLORS: tuple[str, ...] = (
    "#fde725", "#7ad151", "#22a884", "#2a788e", "#414487", "#440154",
)
#: Colour of places from which no school is reachable (or that could not be snapped).
MAP_UNREACHABLE_COLOR = "#bdbdbd"
#: Colour of white spots (places beyond the travel-time threshold): Okabe-Ito vermillion.
MAP_WHITE_SPOT_COLOR = "#d55e00"
#: Fixed-broadband download bands, Mbit/s (EU targets: 30 basic, 100 fast, 1000 gigabit).
MAP_BROADBAND_BANDS_MBPS: tuple[float, ...] = (0, 30, 100, 300, 1000)
#: Colours of those bands, slow to fast (ColorBrewer YlGnBu, colour-blind safe).
MAP_BROADBAND_COLORS: tuple[str, ...] = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
#: People (or pupils) per census cell on the population map: band edges and colours
#: (sequential, colour-blind safe); cells with nobody are not drawn.
MAP_POPULATION_BANDS: tuple[float, ...] = (1, 10, 50, 250, 1000)
MAP_PUPIL_BANDS: tuple[float, ...] = (0.5, 2, 10, 50, 200)
MAP_POPULATION_COLORS: tuple[str, ...] = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")
#: Decimal places of longitude/latitude in web maps (5 decimals = about 1 m).
MAP_COORD_DECIMALS = 5
#: Douglas-Peucker tolerance (metres) applied per layer before a map is drawn.
MAP_SIMPLIFY_M: dict[str, float] = {
    "roads": 15.0, "boundaries": 50.0, "isochrones": 25.0, "catchments": 25.0, "cells": 0.0,
}
#: Cell layers (travel time, white spots, broadband) with more cells than this are drawn as one
#: merged polygon per colour band, to keep web maps small (about 250 bytes per cell otherwise).
MAP_MAX_CELLS = 20000

# --------------------------------------------------------------------------------------------
# Broadband white spots (geo.broadband)
# --------------------------------------------------------------------------------------------
#: EU NGA threshold of the 2013 broadband guidelines, Mbit/s download: white = no network at
#: or above it, grey = one operator's network, black = two or more.
BROADBAND_NGA_MBPS = 30.0
#: 2023 guidelines: an area is a target when no network reliably delivers this download.
BROADBAND_FAST_MBPS = 100.0
#: Gigabit (Digital Decade 2030 target for every household), Mbit/s.
BROADBAND_GIGABIT_MBPS = 1000.0
#: Share of a cell's area a coverage polygon must overlap for the cell to count as reached.
#: 0 = any overlap of positive area (a polygon touching only the cell's edge does not count).
BROADBAND_MIN_OVERLAP_SHARE = 0.0
#: Giga school-connectivity bands (Mbit/s, typical measured download): bad < 1 <= moderate
#: < 20 <= good (the edges are strict: "good above 20").
GIGA_BANDS_MBPS: tuple[float, float] = (1.0, 20.0)
#: Distance bands to the national land border, km: [0, 5), [5, 20), [20, inf).
BORDER_BANDS_KM: tuple[float, ...] = (0.0, 5.0, 20.0)
#: Cost proxy of connecting an uncovered settlement: fibre laid along roads, EUR per km
#: (a placeholder of the order of rural FTTH backhaul builds; set it from tenders).
FIBRE_COST_PER_KM_EUR = 25_000.0
#: Colours of the broadband classes on maps (colour-blind safe; unknown in grey).
BROADBAND_CLASS_COLORS: dict[str, str] = {
    "white": "#d55e00", "grey": "#e69f00", "black": "#0072b2",
    "measured_white": "#f0a27a", "measured_nga": "#56b4e9", "unknown": "#bdbdbd",
}

# --------------------------------------------------------------------------------------------
# Locating registry schools on OSM schools by name (geo.region.school_matching)
# --------------------------------------------------------------------------------------------
#: Candidates farther than this from the school's address locality are rejected (metres),
#: when ``places`` are given.
LOCATE_MAX_DISTANCE_M = 15_000.0
#: Candidates closer than this to each other count as one (a school mapped twice), metres.
LOCATE_SAME_PLACE_M = 150.0
#: Similarity (difflib ratio, 0-1) above which an OSM name is suggested for an unmatched school.
LOCATE_SUGGEST_RATIO = 0.75
#: A located school farther than this outside the region's boundary (metres) is suspect: it is
#: reported by name and not used (at (0, 0), swapped lon/lat, another region).
LOCATE_REGION_MARGIN_M = 5_000.0

# --------------------------------------------------------------------------------------------
# Plausibility limits of input values
# --------------------------------------------------------------------------------------------
#: Largest plausible population of one 1 km2 grid cell (people); the densest km2 of Riga holds
#: about 20,000, so more is a unit or column error. Scaled by the cell area for other grids.
MAX_CELL_POPULATION_PER_KM2 = 50_000
#: Values that census releases use for "confidential" (become NaN, not errors).
CENSUS_CONFIDENTIAL_VALUES = (-9999, -999, -99, -1)
#: Largest area change (% of the original area) accepted when repairing an invalid boundary
#: polygon; a larger change is refused.
BOUNDARY_REPAIR_MAX_CHANGE_PCT = 1.0

# --------------------------------------------------------------------------------------------
# Files and folders
# --------------------------------------------------------------------------------------------
#: Project root (the folder holding ``app.py``).
PROJECT_ROOT = Path(__file__).resolve().parents[1]
#: Environment variable with extra folders (``os.pathsep`` separated) searched for source files.
DATA_PATH_ENV = "GEO_DATA_PATH"
#: Where bundles are built unless ``--out`` says otherwise.
BUNDLES_DIR = Path(os.environ.get("GEO_BUNDLES_DIR") or PROJECT_ROOT / "data" / "bundles")
#: Where downloads are stored.
DOWNLOADS_DIR = Path(os.environ.get("GEO_DOWNLOADS_DIR") or PROJECT_ROOT / "data" / "downloads")

# --------------------------------------------------------------------------------------------
# Downloads (geo.sources.osm_download)
# --------------------------------------------------------------------------------------------
#: Base URL of the Geofabrik extracts: region ``europe/latvia`` is fetched from
#: ``{GEOFABRIK_BASE_URL}/europe/latvia-latest.osm.pbf`` (with its ``.md5`` beside it). Point it
#: at a mirror or a local copy of the folder layout to use another server.
GEOFABRIK_BASE_URL = "https://download.geofabrik.de"
#: Geofabrik region of the tool's home country.
GEOFABRIK_REGION = "europe/latvia"
#: Overpass API endpoint (osmnx appends ``/interpreter`` and ``/status``).
OVERPASS_URL = "https://overpass-api.de/api"
#: Nominatim geocoder used to turn a place name into a boundary polygon.
NOMINATIM_URL = "https://nominatim.openstreetmap.org/"
#: Overpass server-side time limit and HTTP read timeout of one Overpass request, seconds.
OVERPASS_TIMEOUT_S = 300
#: Connect/read timeout of file downloads (Geofabrik), seconds (per network read, not total).
DOWNLOAD_TIMEOUT_S = 60
#: Bytes read per chunk while streaming a download (an interruption loses at most one chunk).
DOWNLOAD_CHUNK_BYTES = 1 << 16
#: Cache of Overpass/Nominatim answers (osmnx's JSON cache): a repeated download is offline.
OVERPASS_CACHE_DIR = DOWNLOADS_DIR / "overpass_cache"

# --------------------------------------------------------------------------------------------
# Input size limits (geo.sources.tabular.check_file)
# --------------------------------------------------------------------------------------------
#: Largest input accepted per kind of file, in MB (10**6 bytes), checked before anything is
#: loaded so that memory stays bounded (a 200 MB CSV of zeros read as school locations used to
#: take 12-20 GB). For ZIP-based files (``.xlsx``) and Parquet the unpacked size counts, for a
#: shapefile the ``.shp`` and ``.dbf`` together. Reading a CSV takes up to about 25 times its
#: size in memory (a file of one short number per line, read as text), so each limit keeps
#: the worst case under about 1 GB while leaving ample room over the real files:
#:
#: - school tables (locations, capacity, dormitories; IZM Excel exports): 20 MB. The real
#:   IZM exports for all of Latvia are 0.01-0.39 MB (at most 2.8 MB unpacked); a table with
#:   one row per school of Latvia (about 1,300 institutions) is well under 1 MB.
#: - 1 km population grid and its tiles, Ookla tiles and grids: 30 MB. The Vidzeme census
#:   CSV is 0.79 MB for 7,590 cells, all of Latvia about 4 MB, the three Baltic states about
#:   9 MB; the largest real tile is 0.73 MB (0.83 MB unpacked); the Vidzeme Ookla grid 0.06 MB.
#:   Clip the global Ookla or Europe-wide Eurostat files to the region first.
#: - coverage, boundaries and other vector layers: 100 MB (the real Latvian town polygons are
#:   1.6 MB; operator address-point files for all of Latvia, about 450,000 addresses, are
#:   about 40 MB).
MAX_INPUT_MB: dict[str, float] = {
    "school locations": 20.0, "school capacity": 20.0, "dormitories": 20.0, "IZM": 20.0,
    "population grid": 30.0, "grid tile": 30.0, "Ookla tiles": 30.0, "Ookla grid": 30.0,
    "coverage": 100.0, "boundaries": 100.0,
    # Ookla's global quarterly Parquet read with a clip area: streamed in batches of
    # READ_BATCH_ROWS rows, only the tiles in the area's bounding box are kept, so memory
    # depends on the region, not on the file (a sanity bound only).
    "Ookla tiles, clipped": 5000.0,
}
#: Limit (MB) of any other kind of input (origins, facilities, clip polygons...).
MAX_INPUT_MB_DEFAULT = 100.0
#: Rows per batch when a large Parquet file is streamed (about 20-50 MB of memory per batch
#: for the Ookla tiles with their WKT polygons).
READ_BATCH_ROWS = 200_000

# --------------------------------------------------------------------------------------------
# YAML inputs (geo._yaml): scenario files, region recipes
# --------------------------------------------------------------------------------------------
#: Largest YAML file accepted per input kind, bytes (checked before reading). A real scenario
#: is a few kB, a recipe about 2 kB.
YAML_MAX_BYTES: dict[str, int] = {"scenario": 1 << 20, "recipe": 256 << 10}
#: Deepest nesting of mappings and lists accepted in a YAML file (real files use about 5).
YAML_MAX_DEPTH = 50
#: Most values a YAML file may hold once its aliases (``*name``) are expanded; more is an
#: alias bomb ("billion laughs").
YAML_MAX_NODES = 100_000


def data_search_path() -> list[Path]:
    """Folders searched for local source files, in order.

    Returns
    -------
    list of Path
        The folders of ``$GEO_DATA_PATH`` (``os.pathsep`` separated), then ``data/downloads``,
        then ``../shared/data`` beside the project when it exists.
    """
    paths: list[Path] = []
    env = os.environ.get(DATA_PATH_ENV, "")
    paths += [Path(p).expanduser() for p in env.split(os.pathsep) if p.strip()]
    paths.append(DOWNLOADS_DIR)
    shared = PROJECT_ROOT.parent / "shared" / "data"
    if shared.is_dir():
        paths.append(shared)
    seen: set[Path] = set()
    out = []
    for p in paths:
        rp = p.resolve()
        if rp not in seen:
            seen.add(rp)
            out.append(p)
    return out


def speed_table() -> pd.DataFrame:
    """The default speed table as a DataFrame, one row per highway class.

    Returns
    -------
    pandas.DataFrame
        Columns ``paved_kmh``, ``gravel_kmh``, ``unpaved_kmh`` (km/h), and
        ``default_surface`` (surface group assumed when the way has no ``surface`` tag).
    """
    rows = []
    for hw, v in DEFAULT_SPEED_KMH.items():
        row = {"highway": hw}
        for group, (factor, cap) in SURFACE_SPEED.items():
            row[f"{group}_kmh"] = min(v * factor, cap)
        row["default_surface"] = DEFAULT_SURFACE_GROUP.get(hw, "paved")
        rows.append(row)
    return pd.DataFrame(rows).set_index("highway")
