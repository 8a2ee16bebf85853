"""Placing schools by hand: the planner's coordinates for the schools nothing else located.

The IZM registry has addresses but no coordinates, and OpenStreetMap (when a region has no
OSM file, as Vidzeme offline) cannot place them either. A planner places each such school by
typing its latitude and longitude (WGS84), by clicking it on a map, or by uploading a
``school_locations.csv``; nothing is guessed. This module validates those placements and
turns them into the region's ``school_locations`` file, then rebuilds the bundle:

* :func:`parse_degrees` and :func:`check_placement` validate one typed or clicked point:
  a number (``57,53`` or ``57.53``), within -90..90 / -180..180, and inside the region's
  boundary plus ``settings.LOCATE_REGION_MARGIN_M`` (the same rule the build uses to drop
  impossible locations, :func:`geo.region.school_matching.suspect_locations`, so a point
  accepted here is never dropped by the build); swapped latitude and longitude are named;
* :func:`read_placements_file` validates an uploaded file with the existing reader
  (:func:`geo.region.school_matching.read_school_locations`), then every row's registration
  number (in the registry) and point (in the region), naming the file, the row and the fix;
* :func:`save_locations` writes the tool's own locations file,
  ``settings.DOWNLOADS_DIR / <the recipe's school_locations path>`` (for Vidzeme
  ``data/downloads/vidzeme/schools/school_locations.csv``, on the default data search path,
  so ``python -m geo build`` finds it too), through :func:`geo._files.owned_file`: atomically,
  and never over a file the tool did not write. A locations file of the user's elsewhere on the
  search path is **merged, never changed**: its rows are copied into the tool's file (source
  ``user file``), the planner's placements (source ``app: ...``) win for the schools they name,
  and the next save reads the user's file again. A user's file at the tool's own place is
  refused with a message saying to move it;
* :func:`rebuild_bundle` builds the bundle with the recipe pointed at the tool's file
  (:func:`geo.region.build.build_bundle`, offline): the new bundle replaces the old one only
  when the build succeeds;
* :func:`download_roads` runs the Geofabrik download clipped to the region (the CLI's
  ``download --geofabrik europe/latvia --clip ...``); :func:`roads_manual_steps` gives the
  README's commands for a computer without internet.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import requests
import shapely

from geo import settings
from geo._csv import write_csv
from geo._files import new_run, owned_file, read_marker
from geo.errors import GeoInputError, MissingDataError, Msg
from geo.progress import Progress
from geo.region.build import BuildResult, build_bundle
from geo.region.bundle import load_bundle
from geo.region.recipe import Recipe, find_local, load_recipe
from geo.region.school_matching import read_school_locations, suspect_locations
from geo.sources.osm_download import Download, download_geofabrik, geofabrik_url
from geo.sources.tabular import as_id, column_key, read_csv_any

#: The recipe layer holding the school locations.
LAYER = "school_locations"
#: Columns of the tool's locations file (``school_id`` is the registration number).
COLUMNS = ("school_id", "name", "lat", "lon", "source", "placed")
#: ``source`` of the rows copied from a user's own locations file.
USER_SOURCE = "user file"
#: ``source`` prefix of the rows the planner placed in the app.
APP_SOURCE = "app"


# ------------------------------------------------------------------------------------------
# One point
# ------------------------------------------------------------------------------------------
def parse_degrees(text, *, what: str) -> float:
    """A latitude or longitude typed by a planner, in decimal degrees.

    Parameters
    ----------
    text : str or number
        ``"57.5312"``, ``"57,5312"`` (Latvian decimal comma), ``" 57.53 °"``.
    what : {"lat", "lon"}
        Which coordinate (for the message).

    Returns
    -------
    float
        Degrees.

    Raises
    ------
    GeoInputError
        Blank, not a number, or outside -90..90 (latitude) / -180..180 (longitude); the
        message is translatable (:class:`geo.errors.Msg`).
    """
    s = str(text if text is not None else "").strip().replace("\u00a0", "").replace(" ", "")
    s = s.rstrip("°").replace(",", ".")
    try:
        value = float(s)
    except ValueError:
        value = math.nan
    if not s or not math.isfinite(value):
        raise GeoInputError(Msg("place.err.not_number", what=Msg(f"place.{what}"),
                                value=str(text if text is not None else "")),
                            fix=Msg("place.err.not_number.fix"))
    limit = 90.0 if what == "lat" else 180.0
    if abs(value) > limit:
        raise GeoInputError(Msg("place.err.range", what=Msg(f"place.{what}"), value=s,
                                limit=f"{limit:g}"), fix=Msg("place.err.swap.fix"))
    return value


def region_extent(boundaries: gpd.GeoDataFrame) -> dict[str, str]:
    """The region's latitude and longitude range (2 decimals), for messages."""
    x0, y0, x1, y1 = boundaries.to_crs(settings.WGS84).total_bounds
    return {"lat_lo": f"{y0:.2f}", "lat_hi": f"{y1:.2f}", "lon_lo": f"{x0:.2f}",
            "lon_hi": f"{x1:.2f}"}


def point_problems(lat: Iterable[float], lon: Iterable[float], boundaries: gpd.GeoDataFrame, *,
                   margin_m: float = settings.LOCATE_REGION_MARGIN_M) -> list[Msg | None]:
    """Why each point cannot be a school of the region (None: it can).

    Parameters
    ----------
    lat, lon : iterables of float
        WGS84 degrees.
    boundaries : GeoDataFrame
        The region's municipality polygons.
    margin_m : float, default settings.LOCATE_REGION_MARGIN_M (5,000 m)
        Allowed distance outside the boundary (the build's own rule).

    Returns
    -------
    list of Msg or None
        ``place.err.zero`` / ``place.err.swapped`` / ``place.err.outside`` per point.
    """
    lat = np.asarray(list(lat), dtype=float)
    lon = np.asarray(list(lon), dtype=float)
    pts = gpd.GeoDataFrame({"school_id": [str(i) for i in range(len(lat))]},
                           geometry=shapely.points(lon, lat), crs=settings.WGS84)
    out: list[Msg | None] = [None] * len(lat)
    ext = region_extent(boundaries)
    for w in suspect_locations(pts, boundaries, margin_m=margin_m):
        i = int(w["school_id"])
        more = {}
        if w["kind"] == "outside":  # every value must appear in both templates
            more = {"km": "?" if w["km"] is None else str(round(w["km"])),  # > margin: whole km
                    "margin": f"{margin_m / 1000:g}"}
        out[i] = Msg(f"place.err.{w['kind']}", lat=f"{lat[i]:g}", lon=f"{lon[i]:g}", **more,
                     **ext)
    return out


@dataclass
class Placement:
    """One school placed by the planner (WGS84 degrees)."""

    school_id: str
    name: str
    lat: float
    lon: float
    source: str = APP_SOURCE


def check_placement(school_id, lat_text, lon_text, *, schools: pd.DataFrame,
                    boundaries: gpd.GeoDataFrame, source: str = "app: typed",
                    margin_m: float = settings.LOCATE_REGION_MARGIN_M) -> Placement:
    """Validate one typed (or clicked) school location.

    Parameters
    ----------
    school_id : str
        Registration number; must be a school of ``schools``.
    lat_text, lon_text : str or float
        Latitude and longitude (WGS84), see :func:`parse_degrees`.
    schools : DataFrame
        The bundle's ``schools`` layer (``school_id``, ``name``).
    boundaries : GeoDataFrame
        The region's municipalities.
    source : str, default "app: typed"
        Recorded in the locations file (``"app: map"`` for a click).
    margin_m : float, default settings.LOCATE_REGION_MARGIN_M

    Returns
    -------
    Placement

    Raises
    ------
    GeoInputError
        An unknown school, a coordinate that is not a number or out of range, a point outside
        the region (more than ``margin_m``) or with latitude and longitude swapped; the
        message is translatable and says how to fix it.
    """
    sid = as_id(school_id)
    names = dict(zip(schools["school_id"].map(as_id), schools["name"], strict=True))
    if sid not in names:
        raise GeoInputError(Msg("place.err.unknown_school", school_id=str(school_id)),
                            fix=Msg("place.err.unknown_school.fix"))
    lat = parse_degrees(lat_text, what="lat")
    lon = parse_degrees(lon_text, what="lon")
    problem = point_problems([lat], [lon], boundaries, margin_m=margin_m)[0]
    if problem is not None:
        raise GeoInputError(problem, fix=Msg("place.err.point.fix"))
    return Placement(sid, str(names[sid]), round(lat, 6), round(lon, 6), source)


# ------------------------------------------------------------------------------------------
# An uploaded locations file
# ------------------------------------------------------------------------------------------
def read_placements_file(path: str | Path, *, schools: pd.DataFrame,
                         boundaries: gpd.GeoDataFrame, display_name: str | None = None,
                         margin_m: float = settings.LOCATE_REGION_MARGIN_M) -> list[Placement]:
    """Validate a ``school_locations`` file (CSV ``school_id,name,lat,lon`` or a vector file).

    The file is read by :func:`geo.region.school_matching.read_school_locations` (the build's
    own reader: id and coordinate columns, CRS, numbers, one location per school); then every
    row's registration number must be a school of the region and its point must lie in the
    region. Rows with blank coordinates are skipped (a partly filled-in
    ``schools_to_locate.csv``).

    Parameters
    ----------
    path : str or Path
        The file (an upload saved under a temporary name).
    schools, boundaries, margin_m
        See :func:`check_placement`.
    display_name : str, optional
        The name the user knows the file by (errors name it instead of ``path``).

    Returns
    -------
    list of Placement
        Source ``"app: upload <name>"``.

    Raises
    ------
    GeoInputError
        The reader's error, or rows with unknown registration numbers or impossible points
        (file, rows and fix named, translatable).
    """
    shown = display_name or Path(path).name
    try:
        _check_numbers(path)
        loc = read_school_locations(path)
    except GeoInputError as exc:
        raise exc.renamed(shown) from exc
    if len(loc) == 0:
        raise GeoInputError(Msg("place.err.upload_empty"), path=shown,
                            fix=Msg("place.err.upload_empty.fix"))
    rows = _row_numbers(path, loc)
    names = dict(zip(schools["school_id"].map(as_id), schools["name"], strict=True))
    unknown = [sid for sid in loc["school_id"] if sid not in names]
    if unknown:
        raise GeoInputError(Msg("place.err.upload_unknown", ids=", ".join(unknown[:10]),
                                rows=_rows_text(rows, unknown), n=len(unknown)),
                            path=shown, fix=Msg("place.err.unknown_school.fix"))
    lon, lat = loc.geometry.x.to_numpy(), loc.geometry.y.to_numpy()
    bad = [(sid, p) for sid, p in zip(loc["school_id"], point_problems(
        lat, lon, boundaries, margin_m=margin_m), strict=True) if p is not None]
    if bad:
        raise GeoInputError(Msg("place.err.upload_points", rows=_rows_text(rows, [b[0] for b in bad]),
                                n=len(bad), first=bad[0][1]),
                            path=shown, fix=Msg("place.err.point.fix"))
    return [Placement(sid, str(names[sid]), round(float(y), 6), round(float(x), 6),
                      f"{APP_SOURCE}: upload {shown}")
            for sid, x, y in zip(loc["school_id"], lon, lat, strict=True)]


#: Column names (:func:`geo.sources.tabular.column_key`) of typed degrees in a CSV.
_DEGREE_COLUMNS = frozenset({"lat", "latitude", "platums", "lon", "lng", "longitude", "garums"})


def _check_numbers(path: str | Path) -> None:
    """A CSV's latitude / longitude cells that are filled in but not numbers (the reader
    skips them as blank, which would silently drop a typo)."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".txt"):
        return
    raw = read_csv_any(path, name="school locations", dtype=str)
    for c in raw.columns:
        if column_key(c) not in _DEGREE_COLUMNS:
            continue
        text = raw[c].fillna("").astype(str).str.strip()
        num = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
        bad = np.flatnonzero(text.ne("").to_numpy() & num.isna().to_numpy())
        if len(bad):
            rows = ", ".join(f"{i + 2} ({text.iloc[i]!r})" for i in bad[:10])
            raise GeoInputError(Msg("place.err.upload_numbers", column=str(c), rows=rows,
                                    n=len(bad)), path=path,
                                fix=Msg("place.err.not_number.fix"))


def _row_numbers(path: str | Path, loc: gpd.GeoDataFrame) -> dict[str, int]:
    """Spreadsheet row (header = 1) of each school id of a CSV; feature number otherwise."""
    path = Path(path)
    if path.suffix.lower() in (".csv", ".txt"):
        raw = read_csv_any(path, name="school locations", dtype=str)
        ids = set(loc["school_id"])
        for c in raw.columns:  # the id column: the one holding every id the reader found
            col = raw[c].map(as_id)
            if ids <= set(col):
                return {sid: i + 2 for i, sid in enumerate(col) if sid in ids}
    return {sid: i + 1 for i, sid in enumerate(loc["school_id"])}


def _rows_text(rows: dict[str, int], ids: list[str]) -> str:
    """``"2 (4411900920), 5 (…)"``: the first ten rows of ``ids``."""
    return ", ".join(f"{rows.get(s, '?')} ({s})" for s in ids[:10])


# ------------------------------------------------------------------------------------------
# The locations file
# ------------------------------------------------------------------------------------------
def tool_locations_file(recipe: Recipe) -> Path:
    """The tool's own locations file of a region: ``settings.DOWNLOADS_DIR / <the recipe's
    first school_locations path>`` (on the default data search path)."""
    rel = (recipe.files.get(LAYER) or [f"{recipe.name}/schools/school_locations.csv"])[0]
    if Path(rel).is_absolute():
        rel = f"{recipe.name}/schools/{Path(rel).name}"
    return settings.DOWNLOADS_DIR / rel


def is_tool_file(path: str | Path) -> bool:
    """Whether a file was written by the tool (listed in its folder's marker)."""
    p = Path(path)
    marker = read_marker(p.parent) or {}
    return p.name in set(marker.get("files", [])) | set(marker.get("single_files", []))


def user_locations_file(recipe: Recipe, *, search_path: Iterable[str | Path] | None = None
                        ) -> Path | None:
    """The locations file a build would read, when it is the user's (not the tool's own).

    Parameters
    ----------
    recipe : Recipe
    search_path : iterable of paths, optional
        Default :func:`geo.settings.data_search_path`.

    Returns
    -------
    Path or None
        The first file of the recipe's ``school_locations`` paths over the search path that
        the tool did not write (a user's file at the tool's own place included).
    """
    paths = [Path(p) for p in (search_path if search_path is not None
                               else settings.data_search_path())]
    mine = tool_locations_file(recipe).resolve()
    for rel in recipe.files.get(LAYER, []):
        for folder in paths:
            p = find_local(rel, [folder])
            if p is not None and (p.resolve() != mine or not is_tool_file(p)):
                return p
    return None


def _frame(placements: Iterable[Placement], *, placed: str) -> pd.DataFrame:
    rows = [{"school_id": p.school_id, "name": p.name, "lat": p.lat, "lon": p.lon,
             "source": p.source, "placed": placed} for p in placements]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _rows_of(path: Path, *, source: str | None, names: dict[str, str]) -> pd.DataFrame:
    """A locations file's rows as :data:`COLUMNS` (``source`` replaced when given)."""
    loc = read_school_locations(path)
    out = pd.DataFrame({"school_id": loc["school_id"],
                        "lat": loc.geometry.y.round(6), "lon": loc.geometry.x.round(6)})
    given = loc["name"] if "name" in loc else out["school_id"].map(names)
    out["name"] = given.astype(object).where(given.notna(), "")
    out["source"] = source if source is not None else loc.get("source", APP_SOURCE)
    out["placed"] = loc["placed"] if "placed" in loc else ""
    return out[list(COLUMNS)]


def merged_locations(new: Iterable[Placement], *, tool_file: Path | None,
                     user_file: Path | None, names: dict[str, str] | None = None,
                     ) -> pd.DataFrame:
    """The rows of the tool's locations file after a save.

    The user's file's rows (source ``user file``, read again at every save), then the
    planner's earlier placements from the tool's file (source ``app: ...``), then ``new``:
    a later row replaces an earlier one of the same school.

    Parameters
    ----------
    new : iterable of Placement
    tool_file, user_file : Path or None
        The tool's current file and the user's file (None: absent).
    names : dict, optional
        Registration number -> school name, for rows of a file without names.

    Returns
    -------
    DataFrame
        :data:`COLUMNS`, one row per school, sorted by ``school_id``.
    """
    names = names or {}
    parts = []
    if user_file is not None:
        parts.append(_rows_of(user_file, source=USER_SOURCE, names=names))
    if tool_file is not None and tool_file.exists():
        old = _rows_of(tool_file, source=None, names=names)
        parts.append(old[old["source"].astype(str).str.startswith(APP_SOURCE)])
    stamp = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    parts.append(_frame(new, placed=stamp))
    rows = pd.concat([p for p in parts if len(p)] or [parts[-1]], ignore_index=True)
    rows = rows.drop_duplicates("school_id", keep="last")
    return rows.sort_values("school_id", kind="stable").reset_index(drop=True)


@dataclass
class SaveResult:
    """Outcome of :func:`save_locations`."""

    path: Path
    rows: int
    added: int
    user_file: Path | None


def save_locations(recipe: Recipe, new: Iterable[Placement], *, names: dict[str, str] | None = None,
                   search_path: Iterable[str | Path] | None = None) -> SaveResult:
    """Write the tool's locations file with the planner's placements (atomically).

    Parameters
    ----------
    recipe : Recipe
    new : iterable of Placement
        Validated placements (:func:`check_placement`, :func:`read_placements_file`).
    names : dict, optional
        Registration number -> school name.
    search_path : iterable of paths, optional
        Where a user's own locations file is looked for (default: the data search path).

    Returns
    -------
    SaveResult

    Raises
    ------
    GeoInputError
        A file of the user's at the tool's own place (never overwritten: move it), or a
        place that cannot be written.
    """
    new = list(new)
    target = tool_locations_file(recipe)
    if target.exists() and not is_tool_file(target):
        raise GeoInputError(Msg("place.err.foreign_tool_place"), path=target,
                            fix=Msg("place.err.foreign_tool_place.fix"))
    user = user_locations_file(recipe, search_path=search_path)
    rows = merged_locations(new, tool_file=target, user_file=user, names=names)
    with owned_file(target, run=new_run("place schools", inputs=[user])) as tmp:
        write_csv(rows, tmp, lineterminator="\n")
    return SaveResult(target, len(rows), len(new), user)


# ------------------------------------------------------------------------------------------
# Rebuilding, roads
# ------------------------------------------------------------------------------------------
def bundle_recipe(manifest: dict) -> Recipe:
    """The recipe a bundle was built from (its file, else its region name)."""
    file = (manifest.get("recipe") or {}).get("file")
    if file and Path(file).exists():
        return load_recipe(Path(file))
    return load_recipe(str(manifest.get("region")))


def rebuild_bundle(recipe: Recipe, *, out: str | Path, online: bool = False) -> BuildResult:
    """Build a region's bundle again, reading the tool's locations file when it exists.

    Parameters
    ----------
    recipe : Recipe
    out : str or Path
        The bundle folder; replaced only when the build succeeds
        (:func:`geo.region.build.build_bundle`).
    online : bool, default False
        Download missing layers (the app builds offline: roads come from
        :func:`download_roads`).

    Returns
    -------
    BuildResult
    """
    mine = tool_locations_file(recipe)
    if mine.exists() and is_tool_file(mine):
        recipe = dataclasses.replace(recipe, files={**recipe.files, LAYER: [str(mine)]})
    return build_bundle(recipe, out=out, online=online, progress=False)


@dataclass
class PlaceResult:
    """Outcome of :func:`save_and_rebuild`."""

    saved: SaveResult
    build: BuildResult
    located: list[str]
    not_located: list[str]
    n_located: int = 0
    n_schools: int = 0


def save_and_rebuild(recipe: Recipe, new: Iterable[Placement], *, out: str | Path,
                     names: dict[str, str] | None = None, progress: Progress | None = None,
                     search_path: Iterable[str | Path] | None = None) -> PlaceResult:
    """Save the placements (:func:`save_locations`), rebuild the bundle
    (:func:`rebuild_bundle`) and check that every placed school is located in it.

    Parameters
    ----------
    recipe : Recipe
    new : iterable of Placement
    out : str or Path
        The bundle folder (the earlier bundle stays when the build fails; the saved
        locations file stays too, so nothing the planner placed is lost).
    names, search_path
        See :func:`save_locations`.
    progress : Progress, optional
        ``progress(step, 4, message)``: saving, saved, built, checked.

    Returns
    -------
    PlaceResult
        ``located`` / ``not_located``: the placed schools' ids by their status in the new
        bundle (a school the build could not use, e.g. not in the registry's region).
    """
    step = progress or (lambda done, total, message="": None)
    new = list(new)
    step(0, 4, "save")
    saved = save_locations(recipe, new, names=names, search_path=search_path)
    step(1, 4, "build")
    res = rebuild_bundle(recipe, out=out)
    step(3, 4, "check")
    sch = load_bundle(res.path, layers=["schools"])["schools"]
    status = dict(zip(sch["school_id"].map(as_id), sch["status"], strict=True))
    ids = [p.school_id for p in new]
    step(4, 4, "done")
    return PlaceResult(saved, res, [i for i in ids if status.get(i) == "located"],
                       [i for i in ids if status.get(i) != "located"],
                       n_located=sum(v == "located" for v in status.values()),
                       n_schools=len(status))


def is_offline(exc: BaseException) -> bool:
    """Whether a download failed because no server could be reached (no internet, DNS,
    refused connection, time-out), as opposed to a bad file or a full disk."""
    return isinstance(exc.__cause__, requests.ConnectionError | requests.Timeout)


def placement_applies(recipe: Recipe) -> bool:
    """Whether a region's schools are placed by hand: a real region (no generator) whose
    recipe names a ``school_locations`` file."""
    return not recipe.generator and bool(recipe.files.get(LAYER))


def roads_file(recipe: Recipe) -> Path:
    """Where the region's clipped roads go: ``settings.DOWNLOADS_DIR / <first roads path>``
    (``data/downloads/osm/vidzeme.osm.pbf``), found by the next build."""
    rel = (recipe.files.get("roads") or [f"osm/{recipe.name}.osm.pbf"])[0]
    return settings.DOWNLOADS_DIR / rel


def boundary_file(recipe: Recipe, *, search_path: Iterable[str | Path] | None = None) -> Path:
    """The region's boundary file over the search path (the clip polygon)."""
    paths = [Path(p) for p in (search_path if search_path is not None
                               else settings.data_search_path())]
    for rel in recipe.files.get("boundaries", []):
        p = find_local(rel, paths)
        if p is not None:
            return p
    raise MissingDataError(Msg("place.err.no_boundary"), path=recipe.path,
                           fix=Msg("place.err.no_boundary.fix"))


def download_roads(recipe: Recipe, *, progress: Callable[[int, int | None], None] | None = None,
                   region: str = settings.GEOFABRIK_REGION, base_url: str | None = None,
                   ) -> Download:
    """Download the Geofabrik extract and clip it to the region (CLI ``download --geofabrik
    REGION --clip BOUNDARY --out data/downloads/osm/<region>.osm.pbf``).

    Parameters
    ----------
    recipe : Recipe
    progress : callable, optional
        ``progress(bytes_done, bytes_total_or_None)`` during the download.
    region : str, default settings.GEOFABRIK_REGION ("europe/latvia")
    base_url : str, optional
        Default ``settings.GEOFABRIK_BASE_URL``.

    Returns
    -------
    Download
        The full extract; ``.clip`` the clipped file (:func:`roads_file`).

    Raises
    ------
    MissingDataError
        Offline or the server unreachable (the caller shows :func:`roads_manual_steps`).
    """
    return download_geofabrik(region, roads_file(recipe), base_url=base_url,
                              clip=boundary_file(recipe), progress=progress or False)


def roads_manual_steps(recipe: Recipe, *, region: str = settings.GEOFABRIK_REGION,
                       base_url: str | None = None) -> dict[str, str]:
    """The README's commands for getting the roads by hand.

    Returns
    -------
    dict
        ``url`` (the extract), ``saved`` (where to copy it), ``clip`` (the command cutting a
        saved extract to the region), ``online`` (the one command on a computer with
        internet), ``build`` (the rebuild command).
    """
    url = geofabrik_url(region, base_url=base_url)
    saved = settings.DOWNLOADS_DIR / Path(url).name
    try:
        boundary = str(boundary_file(recipe))
    except MissingDataError:
        boundary = "BOUNDARY"
    out = roads_file(recipe)
    return {
        "url": url, "saved": str(saved),
        "clip": f"python -m geo download --geofabrik {saved} --clip {boundary} --out {out}",
        "online": f"python -m geo download --geofabrik {region} --clip {boundary} --out {out}",
        "build": f"python -m geo build {recipe.name}",
    }
