"""Download OpenStreetMap data: Overpass (through osmnx) and Geofabrik extracts.

Both paths end in a local OSM file that :func:`geo.sources.osm.read_osm`,
:func:`~geo.sources.osm.read_facilities` and :func:`~geo.sources.osm.read_places` read like any
other file, so downloaded data goes through the same reader as files a planner brings along.

* :func:`download_overpass`: a place name (geocoded to its boundary by Nominatim through
  ``osmnx.geocode_to_gdf``) or a polygon -> the ways of every highway class the tool uses
  (:data:`geo.settings.DRIVE_HIGHWAYS` and :data:`~geo.settings.WALK_HIGHWAYS`, ``track``
  included), the schools and other education facilities (nodes, ways and multipolygon
  relations with all their nodes) and the place nodes, fetched from the Overpass API with
  osmnx's own downloader (its query format, polygon subdivision, cache and rate limiting) and
  written as one OSM file (``.osm`` XML, or ``.osm.pbf``). Ways are complete: a road crossing the
  boundary keeps its nodes outside (read it with ``clip=`` to cut it at the boundary).
* :func:`download_geofabrik`: a country or region extract (``europe/latvia``) streamed to a
  ``.part`` file beside the target with a progress bar, resumed after an interruption (HTTP
  range request guarded by ``If-Range``), checked against the ``.md5`` file Geofabrik publishes
  beside each extract, then renamed into place; optionally clipped with :func:`clip_osm`.
* :func:`clip_osm`: a smaller ``.osm.pbf`` holding the routable ways with a node inside a polygon
  (complete, with all their nodes), the facilities touching it and the place nodes inside it.

Failures never leave a partial file at the target path and never replace an existing file:
everything is written to a temporary file beside the target and renamed only when complete and
checked. A machine without internet gets a :class:`~geo.errors.MissingDataError` naming the URL
and how to fetch the file by hand.

Notes
-----
The Overpass path uses three private helpers of osmnx 2.1.1 (``osmnx._overpass``:
``_download_overpass_network``, ``_download_overpass_features``, ``_overpass_request``,
``_make_overpass_polygon_coord_strs``), because osmnx's public functions return parsed graphs
and GeoDataFrames, not the raw elements an OSM file needs. osmnx is pinned in
``requirements.txt``; :func:`_ox_overpass` fails with a clear message if a later osmnx moves them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import geopandas as gpd
import numpy as np
import osmium
import osmnx as ox
import requests
import shapely
from osmium.osm.mutable import Node, Relation, Way
from osmnx import _overpass, projection
from osmnx._errors import InsufficientResponseError, ResponseStatusCodeError
from shapely.geometry.base import BaseGeometry

from geo import settings
from geo._files import file_digest
from geo.errors import GeoInputError, MissingDataError, Msg, Num
from geo.i18n import register
from geo.progress import counter as _make_progress
from geo.sources.osm import FACILITY_TAGS, PLACE_VALUES, sniff_format
from geo.sources.tabular import named
from geo.sources.vector import read_vector

register({
    "download.title": {"lv": "OpenStreetMap datu lejupielāde", "en": "OpenStreetMap download"},
    "download.place": {"lv": "Vietas nosaukums", "en": "Place name"},
    "download.polygon": {"lv": "Robežas fails", "en": "Boundary file"},
    "download.geofabrik": {"lv": "Geofabrik apgabals", "en": "Geofabrik region"},
    "download.progress": {"lv": "Lejupielādē", "en": "Downloading"},
    "download.clipping": {"lv": "Apgriež pēc robežas", "en": "Clipping to the boundary"},
    "download.offline": {
        "lv": "Dators, šķiet, nav savienots ar internetu. Lejupielādējiet failu {url} "
              "pārlūkā datorā ar internetu un norādiet saglabātā faila ceļu.",
        "en": "This computer seems to be offline. Download {url} in a web browser on a "
              "computer with internet access and give the saved file's path.",
    },
})

#: HTTP User-Agent of file downloads (Geofabrik asks clients to identify themselves).
USER_AGENT = "geo-skolas/0.1 (school-network planning, Vidzeme; python-requests)"
#: Output suffixes and the libosmium format written for them.
OSM_SUFFIX_FORMATS = {".osm": "osm", ".osm.pbf": "pbf", ".pbf": "pbf", ".osm.gz": "osm.gz",
                      ".osm.bz2": "osm.bz2"}
_LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
_OVERPASS_MANUAL = Msg("err.download.overpass_manual")
#: Network failures named by :func:`_short_reason` -> their ``err.download.reason.*`` key.
_REASON_KEYS = {"Name or service not known": "unknown_host",
                "Temporary failure in name resolution": "no_dns",
                "Connection refused": "refused", "Read timed out": "read_timeout",
                "Connection reset": "reset", "timed out": "timeout"}


# ------------------------------------------------------------------------------------------
# Small helpers
# ------------------------------------------------------------------------------------------
def _short_reason(exc: BaseException) -> str:
    """The useful part of a requests/urllib3 error ("Connection refused", "Name or service...")."""
    text = str(exc)
    m = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", text)
    if m:
        return m.group(1).strip()
    for key in ("Name or service not known", "Temporary failure in name resolution",
                "Connection refused", "Read timed out", "Connection reset", "timed out"):
        if key.lower() in text.lower():
            return key
    return type(exc).__name__


def _reason(exc: BaseException) -> Msg | str:
    """:func:`_short_reason` in the reader's language when it is a known network failure."""
    text = _short_reason(exc)
    key = _REASON_KEYS.get(text)
    return Msg(f"err.download.reason.{key}") if key else text


def offline_error(url: str, exc: BaseException, *,
                  manual: str | Msg | None = None) -> MissingDataError:
    """The error raised when a server cannot be reached.

    Parameters
    ----------
    url : str
        The URL that failed.
    exc : Exception
        The requests exception (connection refused, DNS failure, timeout...).
    manual : str or Msg, optional
        How to get the data by hand; default: download ``url`` in a browser and pass its path.

    Returns
    -------
    MissingDataError
    """
    host = urlparse(url).hostname or url
    key = "err.download.timeout" if isinstance(exc, requests.Timeout) else "err.download.offline"
    return MissingDataError(
        Msg(key, host=host, reason=_reason(exc), url=url),
        fix=manual or Msg("err.download.offline.fix", url=url),
    )


def _osm_format_for(path: Path) -> str:
    name = path.name.lower()
    for suffix in sorted(OSM_SUFFIX_FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return OSM_SUFFIX_FORMATS[suffix]
    raise GeoInputError(
        Msg("err.download.out_format"), path=path, fix=Msg("err.download.out_format.fix"),
    )


def _tmp_beside(path: Path, tag: str = "tmp") -> Path:
    return path.with_name(f".{path.name}.{tag}-{os.getpid()}")


def _unlink(*paths: Path) -> None:
    for p in paths:
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def area_polygon(area, *, name: str | Msg = "area") -> BaseGeometry:
    """One (Multi)Polygon in WGS84 from a boundary given in any of the usual forms.

    Parameters
    ----------
    area : shapely geometry (WGS84), GeoDataFrame, GeoSeries, str or Path
        A polygon, a layer of polygons in any CRS (their union is used), or a vector file
        (GeoJSON, GeoPackage, shapefile...).
    name : str or Msg, default "area"
        What the area is, in error messages (translated through ``err.name.<name>``).

    Returns
    -------
    shapely.Polygon or shapely.MultiPolygon
        Valid, longitude/latitude degrees.

    Raises
    ------
    GeoInputError
        No CRS, empty, or not polygonal (points or lines).
    """
    src = None
    label = named(name) if isinstance(name, str) else name
    if isinstance(area, str | Path):
        src = Path(area)
        area = read_vector(src, name=name)
    if isinstance(area, gpd.GeoDataFrame | gpd.GeoSeries):
        if area.crs is None:
            raise GeoInputError(
                Msg("err.download.area_no_crs", name=label), path=src,
                fix=Msg("err.download.area_no_crs.fix"),
            )
        geom = shapely.union_all(area.to_crs(settings.WGS84).geometry.dropna().values)
    elif isinstance(area, BaseGeometry):
        geom = area
    else:
        raise TypeError(f"{name}: expected a polygon, a GeoDataFrame or a file path, "
                        f"got {type(area).__name__}")
    if geom is None or geom.is_empty:
        raise GeoInputError(Msg("err.download.area_empty", name=label), path=src,
                            fix=Msg("err.download.area_polygon.fix"))
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not polys:
        raise GeoInputError(
            Msg("err.download.area_no_polygon", name=label, type=geom.geom_type), path=src,
            fix=Msg("err.download.area_polygon.fix"),
        )
    geom = shapely.union_all(polys)
    minx, miny, maxx, maxy = geom.bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise GeoInputError(
            Msg("err.download.area_not_degrees", name=label, bounds=str(geom.bounds)),
            path=src, fix=Msg("err.download.area_not_degrees.fix"),
        )
    return geom


# ------------------------------------------------------------------------------------------
# File downloads (Geofabrik)
# ------------------------------------------------------------------------------------------
@dataclass
class Download:
    """A finished file download.

    Attributes
    ----------
    path : Path
        The file.
    url : str
        Where it came from.
    bytes : int
        File size.
    md5 : str
        MD5 of the file (hex).
    md5_checked : bool
        True when compared with the published ``.md5`` (False when none was published).
    resumed_from : int
        Bytes kept from an earlier interrupted download (0 = downloaded from the start).
    up_to_date : bool
        The existing file already matched the published ``.md5``: nothing was downloaded.
    seconds : float
        Wall time.
    clip : ClipResult or None
        The clipped file, when :func:`download_geofabrik` was given ``clip=``.
    """

    path: Path
    url: str
    bytes: int
    md5: str
    md5_checked: bool
    resumed_from: int = 0
    up_to_date: bool = False
    seconds: float = 0.0
    clip: ClipResult | None = None

    def summary(self) -> str:
        """One paragraph for the CLI."""
        if self.up_to_date:
            head = f"{self.path} is up to date with {self.url} (MD5 {self.md5})"
        else:
            check = "MD5 checked" if self.md5_checked else "no published MD5 to check"
            resumed = f", resumed after {self.resumed_from:,} bytes" if self.resumed_from else ""
            head = (f"Downloaded {self.url}\n  -> {self.path} ({self.bytes / 1e6:,.1f} MB, "
                    f"{check}{resumed}, {self.seconds:.1f} s)")
        return head + (f"\n{self.clip.summary()}" if self.clip is not None else "")


def _fetch_md5(url: str, timeout: float, manual: str | Msg | None) -> str | None:
    """The hex MD5 published at ``url + ".md5"`` (Geofabrik: ``"<md5>  <name>"``), or None."""
    md5_url = url + ".md5"
    try:
        r = requests.get(md5_url, timeout=timeout, headers={"User-Agent": USER_AGENT})
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise offline_error(url, exc, manual=manual) from exc
    if r.status_code != 200:
        return None
    m = re.match(r"\s*([0-9a-fA-F]{32})\b", r.text)
    return m.group(1).lower() if m else None


def download_file(  # noqa: PLR0913  keyword-only options of a public entry point
    url: str,
    out: str | Path,
    *,
    checksum: bool = True,
    resume: bool = True,
    timeout_s: float | None = None,
    progress: bool | Callable[[int, int | None], None] = False,
    validate: Callable[[Path], None] | None = None,
    not_found: str | Msg | None = None,
    manual: str | Msg | None = None,
) -> Download:
    """Stream a URL to a file: resumable, checked, renamed into place only when complete.

    Bytes go to ``OUT.part`` beside the target (with ``OUT.part.json`` holding the server's
    ``ETag``/``Last-Modified``). A later call resumes an interrupted ``.part`` with an HTTP range
    request guarded by ``If-Range``, so a file that changed on the server meanwhile is
    downloaded again from the start. When the server publishes ``URL.md5`` the result is
    checked against it; an existing target that already matches is not downloaded again.

    Parameters
    ----------
    url : str
        http(s) URL.
    out : str or Path
        Target file; its folder is created. An existing file is replaced only by a complete,
        checked download.
    checksum : bool, default True
        Fetch ``url + ".md5"`` and compare (skipped when the server has none).
    resume : bool, default True
        Resume an interrupted ``.part`` file; keep the ``.part`` after an interruption.
    timeout_s : float, optional
        Connect and per-read timeout, seconds; default :data:`geo.settings.DOWNLOAD_TIMEOUT_S`.
    progress : bool or callable, default False
        True shows a tqdm bar (bytes); a callable gets ``(bytes_done, bytes_total_or_None)``.
    validate : callable, optional
        Called with the complete ``.part`` file before the rename; raise to reject it (the
        ``.part`` is then deleted).
    not_found : str or Msg, optional
        Message for HTTP 404/410 (default: the URL does not exist).
    manual : str or Msg, optional
        Manual alternative named in offline errors.

    Returns
    -------
    Download

    Raises
    ------
    MissingDataError
        Offline / server unreachable (names the URL and the manual alternative), server
        error, interrupted transfer (the ``.part`` is kept for resuming when ``resume``), MD5
        mismatch (the ``.part`` is deleted).
    GeoInputError
        HTTP 404/410; output folder not writable; disk full.
    """
    t0 = time.perf_counter()
    out = Path(out)
    timeout = float(timeout_s or settings.DOWNLOAD_TIMEOUT_S)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GeoInputError(Msg("err.download.no_folder", detail=str(exc)), path=out.parent,
                            fix=Msg("err.out.writable.fix")) from exc
    expected = _fetch_md5(url, timeout, manual) if checksum else None
    if expected and out.is_file() and file_digest(out, "md5") == expected:
        return Download(path=out, url=url, bytes=out.stat().st_size, md5=expected,
                        md5_checked=True, up_to_date=True, seconds=time.perf_counter() - t0)
    part = out.with_name(out.name + ".part")
    meta_path = out.with_name(out.name + ".part.json")
    r, offset = _request(url, part, meta_path, resume=resume, timeout=timeout, manual=manual)
    with r:
        _check_status(r, url, not_found=not_found, manual=manual)
        offset = _content_offset(r, offset)
        if offset is None:  # the server sent another range: start again from zero
            r.close()
            _unlink(part, meta_path)
            return download_file(url, out, checksum=checksum, resume=False,
                                 timeout_s=timeout_s, progress=progress, validate=validate,
                                 not_found=not_found, manual=manual)
        digest, done, total = _stream(r, part, meta_path, url=url, out=out, offset=offset,
                                      resume=resume, progress=progress)
    if total is not None and done != total:
        if not resume:
            _unlink(part, meta_path)
        raise _interrupted(url, part, done, total, None, resume)
    _check_part(part, meta_path, url=url, out=out, digest=digest, expected=expected,
                validate=validate)
    os.replace(part, out)
    _unlink(meta_path)
    return Download(path=out, url=url, bytes=out.stat().st_size, md5=digest,
                    md5_checked=bool(expected), resumed_from=offset,
                    seconds=time.perf_counter() - t0)


def _resume_headers(url: str, part: Path, meta_path: Path, *, resume: bool) -> tuple[int, dict]:
    """Byte offset to resume ``part`` from (0: from the start) and the request headers."""
    headers = {"User-Agent": USER_AGENT}
    if not (resume and part.is_file() and meta_path.is_file()):
        return 0, headers
    try:
        meta = json.loads(meta_path.read_text("utf-8"))
    except (OSError, ValueError):
        meta = {}
    if not isinstance(meta, dict):  # a damaged side file: download from the start
        meta = {}
    validator = meta.get("etag") or meta.get("last_modified")
    if meta.get("url") == url and validator and part.stat().st_size > 0:
        offset = part.stat().st_size
        headers["Range"] = f"bytes={offset}-"
        headers["If-Range"] = validator
        return offset, headers
    return 0, headers


def _request(url: str, part: Path, meta_path: Path, *, resume: bool, timeout: float,
             manual: str | Msg | None):
    """The streaming response (resuming ``part`` when possible) and the offset asked for."""
    for attempt in range(2):
        offset, headers = _resume_headers(url, part, meta_path, resume=resume)
        if offset == 0:
            _unlink(part, meta_path)
        try:
            r = requests.get(url, stream=True, timeout=(timeout, timeout), headers=headers)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise offline_error(url, exc, manual=manual) from exc
        if r.status_code == 416 and offset and attempt == 0:  # stale .part: start again
            r.close()
            _unlink(part, meta_path)
            continue
        break
    return r, offset


def _check_status(r, url: str, *, not_found: str | Msg | None, manual: str | Msg | None) -> None:
    """Raise on HTTP errors: 404/410 as a wrong address, others as a server problem."""
    if r.status_code in (404, 410):
        raise GeoInputError(
            not_found or Msg("err.download.http_missing", url=url, status=r.status_code),
            fix=Msg("err.download.http_missing.fix"),
        )
    if r.status_code >= 400:
        raise MissingDataError(
            Msg("err.download.http_error", url=url, status=r.status_code, reason=r.reason),
            fix=Msg("err.download.later_or.fix",
                    manual=manual or Msg("err.download.browser.fix", url=url)),
        )


def _content_offset(r, offset: int) -> int | None:
    """Where the response's bytes start: ``offset`` for a matching 206, 0 for a full answer,
    None for a 206 starting elsewhere."""
    if r.status_code != 206:
        return 0
    m = re.match(r"bytes (\d+)-", r.headers.get("Content-Range", ""))
    return offset if m and int(m.group(1)) == offset else None


def _stream(r, part: Path, meta_path: Path, *, url: str, out: Path, offset: int, resume: bool,
            progress) -> tuple[str, int, int | None]:
    """Append the response to ``part``; its MD5 (with the resumed prefix), bytes, total."""
    length = r.headers.get("Content-Length")
    total = offset + int(length) if length and length.isdigit() else None
    meta = {"url": url, "etag": r.headers.get("ETag"),
            "last_modified": r.headers.get("Last-Modified"), "total": total}
    h = hashlib.md5()
    if offset:
        with open(part, "rb") as fh:
            while block := fh.read(settings.DOWNLOAD_CHUNK_BYTES):
                h.update(block)
    update, close = _make_progress(
        progress, total=total, initial=offset, desc=out.name, unit="B", unit_scale=True,
        unit_divisor=1024, mininterval=0.5,
    )
    done = offset
    try:
        meta_path.write_text(json.dumps(meta), "utf-8")
        with open(part, "ab" if offset else "wb") as fh:
            for chunk in r.iter_content(chunk_size=settings.DOWNLOAD_CHUNK_BYTES):
                fh.write(chunk)
                h.update(chunk)
                done += len(chunk)
                update(len(chunk))
    except requests.RequestException as exc:
        if not resume:
            _unlink(part, meta_path)
        raise _interrupted(url, part, done, total, exc, resume) from exc
    except OSError as exc:
        _unlink(part, meta_path)
        raise GeoInputError(
            Msg("err.download.write", detail=str(exc)), path=out,
            fix=Msg("err.download.write.fix"),
        ) from exc
    except BaseException:  # Ctrl-C: keep the .part for resuming
        if not resume:
            _unlink(part, meta_path)
        raise
    finally:
        close()
    return h.hexdigest(), done, total


def _check_part(part: Path, meta_path: Path, *, url: str, out: Path, digest: str,
                expected: str | None, validate) -> None:
    """Compare the complete ``part`` with the published MD5 and run ``validate`` on it."""
    if expected and digest != expected:
        _unlink(part, meta_path)
        keep = Msg("err.download.kept", file=out.name) if out.exists() else ""
        raise MissingDataError(
            Msg("err.download.md5", url=url, digest=digest, expected=expected, keep=keep),
            fix=Msg("err.download.md5.fix"),
        )
    if validate is not None:
        try:
            validate(part)
        except BaseException:
            _unlink(part, meta_path)
            raise


def _interrupted(url, part, done, total, exc, resume) -> MissingDataError:
    of = Msg("err.download.of", total=Num(total / 1e6, 1)) if total else ""
    why = Msg("err.download.why", reason=_reason(exc)) if exc is not None else ""
    again = (Msg("err.download.resume", part=str(part)) if resume
             else Msg("err.download.again"))
    return MissingDataError(
        Msg("err.download.interrupted", url=url, done=Num(done / 1e6, 1), of=of, why=why),
        fix=Msg("err.download.interrupted.fix", again=again),
    )


def geofabrik_url(region: str, *, base_url: str | None = None) -> str:
    """URL of a Geofabrik extract.

    Parameters
    ----------
    region : str
        Geofabrik region path as in its download pages, e.g. ``"europe/latvia"`` or
        ``"europe/germany/berlin"`` (``-latest.osm.pbf`` optional), or a full http(s) URL
        (returned unchanged).
    base_url : str, optional
        Default :data:`geo.settings.GEOFABRIK_BASE_URL`.

    Returns
    -------
    str
        ``{base_url}/{region}-latest.osm.pbf``.

    Raises
    ------
    GeoInputError
        When ``region`` is not a region path.
    """
    region = region.strip()
    if re.match(r"^https?://", region, re.IGNORECASE):
        return region
    name = region.strip("/").lower()
    name = re.sub(r"(-latest)?(\.osm\.pbf)?$", "", name)
    if not re.fullmatch(r"[a-z0-9_-]+(/[a-z0-9_-]+)*", name):
        raise GeoInputError(
            Msg("err.download.not_region", region=repr(region)),
            fix=Msg("err.download.not_region.fix"),
        )
    base = (base_url or settings.GEOFABRIK_BASE_URL).rstrip("/")
    return f"{base}/{name}-latest.osm.pbf"


def _check_osm_download(url: str) -> Callable[[Path], None]:
    def check(path: Path) -> None:
        try:
            sniff_format(path)
        except GeoInputError as exc:
            with open(path, "rb") as fh:
                head = fh.read(40)
            raise MissingDataError(
                Msg("err.download.not_osm", url=url, head=repr(head)),
                fix=Msg("err.download.not_osm.fix"),
            ) from exc

    return check


def download_geofabrik(  # noqa: PLR0913  keyword-only options of a public entry point
    region: str = settings.GEOFABRIK_REGION,
    out: str | Path | None = None,
    *,
    base_url: str | None = None,
    clip=None,
    full_path: str | Path | None = None,
    checksum: bool = True,
    resume: bool = True,
    timeout_s: float | None = None,
    progress: bool | Callable[[int, int | None], None] = False,
) -> Download:
    """Download a Geofabrik extract (``.osm.pbf``), optionally clipped to a polygon.

    Parameters
    ----------
    region : str, default settings.GEOFABRIK_REGION ("europe/latvia")
        Region path (``"europe/latvia"``) or full URL; see :func:`geofabrik_url`.
    out : str or Path, optional
        Output file; default ``data/downloads/<name>-latest.osm.pbf``. With ``clip`` this is
        the clipped file.
    base_url : str, optional
        Default :data:`geo.settings.GEOFABRIK_BASE_URL`.
    clip : polygon, GeoDataFrame or vector file path, optional
        Clip the extract with :func:`clip_osm` (e.g. the Vidzeme municipalities).
    full_path : str or Path, optional
        With ``clip``: where the full extract is kept (default ``data/downloads/<name>``), so
        that a repeated call does not download it again when its MD5 still matches.
    checksum, resume, timeout_s, progress
        See :func:`download_file`.

    Returns
    -------
    Download
        The full extract; ``.clip`` holds the clipped file's :class:`ClipResult`.

    Raises
    ------
    GeoInputError
        Unknown region (HTTP 404), bad region name, bad clip polygon.
    MissingDataError
        Offline, interrupted, corrupt (MD5 mismatch), or not an OSM file.
    """
    url = geofabrik_url(region, base_url=base_url)
    fname = Path(urlparse(url).path).name or "extract.osm.pbf"
    if clip is not None:
        if out is None:
            raise GeoInputError(Msg("err.download.clip_out"))
        full = Path(full_path) if full_path is not None else settings.DOWNLOADS_DIR / fname
        polygon = area_polygon(clip, name="clip area")  # fail before downloading
    else:
        full = Path(out) if out is not None else settings.DOWNLOADS_DIR / fname
    manual = Msg("err.download.offline.fix", url=url)
    is_url = re.match(r"^https?://", region.strip(), re.IGNORECASE)
    not_found = (Msg("err.download.http_missing", url=url, status=404) if is_url else
                 Msg("err.download.no_region", url=url, region=repr(region)))
    dl = download_file(
        url, full, checksum=checksum, resume=resume, timeout_s=timeout_s, progress=progress,
        validate=_check_osm_download(url), not_found=not_found, manual=manual,
    )
    if clip is not None:
        dl.clip = clip_osm(full, polygon, out, progress=bool(progress))
    return dl


# ------------------------------------------------------------------------------------------
# Clipping
# ------------------------------------------------------------------------------------------
@dataclass
class ClipResult:
    """A clipped OSM file.

    Attributes
    ----------
    path, source : Path
        The clipped file and the file it was cut from.
    n_nodes, n_ways, n_relations : int
        Objects written.
    ways_inside : int
        Routable and facility ways with at least one node inside the polygon.
    seconds : float
        Wall time.
    """

    path: Path
    source: Path
    n_nodes: int
    n_ways: int
    n_relations: int
    ways_inside: int
    seconds: float

    def summary(self) -> str:
        """One line for the CLI."""
        return (f"Clipped {self.source.name} -> {self.path} ({self.n_nodes:,} nodes, "
                f"{self.n_ways:,} ways, {self.n_relations:,} relations, {self.seconds:.1f} s)")


def _wanted_pairs(highway_classes, facility_kinds, places) -> tuple[list, list]:
    unknown = [k for k in facility_kinds if k not in FACILITY_TAGS]
    if unknown:
        raise ValueError(f"unknown facility kinds {unknown}; choose from {list(FACILITY_TAGS)}")
    fac = sorted({p for k in facility_kinds for p in FACILITY_TAGS[k]})
    classes = (sorted(set(settings.DRIVE_HIGHWAYS) | set(settings.WALK_HIGHWAYS))
               if highway_classes is None else sorted(set(highway_classes)))
    other = [("highway", c) for c in classes] + (
        [("place", v) for v in PLACE_VALUES] if places else []
    )
    return fac, other


def clip_osm(
    src: str | Path,
    polygon,
    out: str | Path,
    *,
    highway_classes: Iterable[str] | None = None,
    facility_kinds: Iterable[str] = tuple(FACILITY_TAGS),
    places: bool = True,
    progress: bool = False,
) -> ClipResult:
    """Cut an OSM file down to a polygon, keeping what the tool reads.

    Three passes with pyosmium: (1) routable ways, facility ways, facility multipolygons and
    tagged nodes with their node locations: keep the ways and multipolygons with at least one
    node inside the polygon and the tagged nodes inside it; (2) libosmium completes the
    references (all nodes of kept ways, all member ways of kept relations); (3) copy those
    objects, unchanged, to the output. Ways are complete (nodes outside kept), like
    ``osmium extract --strategy complete_ways``; read the result with ``clip=`` to cut them.

    Parameters
    ----------
    src : str or Path
        OSM file (any format :func:`geo.sources.osm.sniff_format` knows).
    polygon : polygon, GeoDataFrame, GeoSeries or vector file path
        The area (see :func:`area_polygon`).
    out : str or Path
        Output file (``.osm.pbf`` recommended, or ``.osm``); written atomically.
    highway_classes : iterable of str, optional
        Way classes kept; default the union of :data:`geo.settings.DRIVE_HIGHWAYS` and
        :data:`geo.settings.WALK_HIGHWAYS`.
    facility_kinds : iterable of str, default all keys of ``FACILITY_TAGS``
        Facilities kept (schools, dormitories, kindergartens...).
    places : bool, default True
        Keep place nodes (towns, villages...).
    progress : bool, default False
        tqdm progress bar of pass 1.

    Returns
    -------
    ClipResult
    """
    t0 = time.perf_counter()
    src = Path(src)
    out = Path(out)
    fmt_out = _osm_format_for(out)
    poly = area_polygon(polygon, name="clip polygon")
    shapely.prepare(poly)
    fac_pairs, other_pairs = _wanted_pairs(highway_classes, list(facility_kinds), places)
    f_in = osmium.io.File(str(src), sniff_format(src))
    scan = _scan_for_clip(f_in, src, fac_pairs, other_pairs, progress=progress)
    keep_way = _inside_any(poly, scan.way_xy, scan.way_len)
    keep_rel = _inside_any(poly, scan.rel_xy, scan.rel_len)
    keep_node = _inside_any(poly, scan.node_xy, [1] * len(scan.node_ids))
    tracker = osmium.IdTracker()
    for i in np.asarray(scan.node_ids, np.int64)[keep_node]:
        tracker.add_node(int(i))
    for i in np.asarray(scan.way_ids, np.int64)[keep_way]:
        tracker.add_way(int(i))
    for i in np.asarray(scan.rel_ids, np.int64)[keep_rel]:
        tracker.add_relation(int(i))
    tracker.complete_backward_references(f_in, relation_depth=1)
    counts = _copy_tracked(f_in, tracker, out, fmt_out, poly.bounds)
    return ClipResult(
        path=out, source=src, n_nodes=counts["n"], n_ways=counts["w"], n_relations=counts["r"],
        ways_inside=int(keep_way.sum()), seconds=time.perf_counter() - t0,
    )


@dataclass
class _ClipScan:
    """Pass 1 of :func:`clip_osm`: ids and flat lon/lat lists of the candidate objects."""

    node_ids: list[int] = field(default_factory=list)
    node_xy: list[float] = field(default_factory=list)
    way_ids: list[int] = field(default_factory=list)
    way_len: list[int] = field(default_factory=list)
    way_xy: list[float] = field(default_factory=list)
    rel_ids: list[int] = field(default_factory=list)
    rel_len: list[int] = field(default_factory=list)
    rel_xy: list[float] = field(default_factory=list)

    def add(self, obj) -> None:
        """Record a node, a way (NaN for missing node locations) or a multipolygon."""
        if obj.is_node():
            loc = obj.location
            if loc.valid():
                self.node_ids.append(obj.id)
                self.node_xy += (loc.lon, loc.lat)
        elif obj.is_way():
            k = 0
            xy, nan = self.way_xy, float("nan")
            for nd in obj.nodes:
                loc = nd.location
                if loc.valid():
                    xy += (loc.lon, loc.lat)
                else:
                    xy += (nan, nan)
                k += 1
            if k:
                self.way_ids.append(obj.id)
                self.way_len.append(k)
        elif obj.is_area() and not obj.from_way():
            k = 0
            for ring in obj.outer_rings():
                for nr in ring:
                    self.rel_xy += (nr.lon, nr.lat)
                    k += 1
            if k:
                self.rel_ids.append(obj.orig_id())
                self.rel_len.append(k)


def _scan_for_clip(f_in, src: Path, fac_pairs, other_pairs, *, progress) -> _ClipScan:
    """Pass 1: the wanted nodes, ways and facility multipolygons with their locations."""
    scan = _ClipScan()
    update, close = _make_progress(progress, total=None, desc=f"Clipping {src.name}",
                                   unit=" objects", mininterval=0.5)
    fp = osmium.FileProcessor(f_in)
    if fac_pairs:
        fp = fp.with_areas(osmium.filter.TagFilter(*fac_pairs))
    else:
        fp = fp.with_locations()
    fp = fp.with_filter(osmium.filter.TagFilter(*(fac_pairs + other_pairs)))
    n_seen = 0
    try:
        for obj in fp:
            n_seen += 1
            if n_seen % 10000 == 0:
                update(10000)
            scan.add(obj)
    except RuntimeError as exc:
        raise GeoInputError(Msg("err.osm.corrupt", detail=str(exc)), path=src,
                            fix=Msg("err.osm.corrupt.fix")) from exc
    finally:
        update(n_seen % 10000)
        close()
    return scan


def _inside_any(poly, flat: list[float], lengths: list[int]) -> np.ndarray:
    """Per object (``lengths`` points each in ``flat`` lon, lat): any point inside ``poly``."""
    if not lengths:
        return np.zeros(0, bool)
    a = np.asarray(flat, np.float64).reshape(-1, 2)
    ok = np.isfinite(a[:, 0])
    inside = np.zeros(len(a), bool)
    inside[ok] = shapely.contains_xy(poly, a[ok, 0], a[ok, 1])
    starts = np.r_[0, np.cumsum(lengths)[:-1]]
    return np.logical_or.reduceat(inside, starts)


def _copy_tracked(f_in, tracker, out: Path, fmt_out: str, bounds) -> dict[str, int]:
    """Passes 2-3: copy the tracked objects, unchanged, to ``out`` (atomically); counts by
    type (``n``, ``w``, ``r``)."""
    header = osmium.io.Header()
    header.set("generator", "geo-skolas clip_osm (pyosmium)")
    minx, miny, maxx, maxy = bounds
    header.add_box(osmium.osm.Box(minx, miny, maxx, maxy))
    tmp = _tmp_beside(out)
    counts = {"n": 0, "w": 0, "r": 0}
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with osmium.SimpleWriter(osmium.io.File(str(tmp), fmt_out), header=header,
                                 overwrite=True) as writer:
            for obj in osmium.FileProcessor(f_in).with_filter(tracker.id_filter()):
                writer.add(obj)
                counts[obj.type_str()] += 1
        os.replace(tmp, out)
    except BaseException:
        _unlink(tmp)
        raise
    return counts


# ------------------------------------------------------------------------------------------
# Overpass through osmnx
# ------------------------------------------------------------------------------------------
def _ox_overpass():
    """The Overpass module of osmnx, checked for the helpers this module uses."""
    needed = ("_download_overpass_network", "_download_overpass_features", "_overpass_request",
              "_make_overpass_polygon_coord_strs", "_make_overpass_settings")
    missing = [n for n in needed if not hasattr(_overpass, n)]
    if missing:
        raise RuntimeError(
            f"osmnx {ox.__version__} lacks {missing}; install the version pinned in "
            "requirements.txt (osmnx==2.1.1)."
        )
    return _overpass


@contextmanager
def _osmnx_session(*, overpass_url: str, nominatim_url: str, cache_folder, use_cache: bool,
                   timeout_s: float, rate_limit: bool | None) -> Iterator:
    """Set osmnx's public settings for one download and restore them afterwards.

    Also restores ``socket.getaddrinfo``, which osmnx re-points to pin the Overpass host's IP.
    """
    if rate_limit is None:
        rate_limit = urlparse(overpass_url).hostname not in _LOOPBACK
    values = {
        "overpass_url": overpass_url.rstrip("/"),
        "nominatim_url": nominatim_url,
        "use_cache": bool(use_cache),
        "cache_folder": str(cache_folder),
        "requests_timeout": float(timeout_s),
        "overpass_rate_limit": bool(rate_limit),
    }
    old = {k: getattr(ox.settings, k) for k in values}
    old_getaddrinfo = socket.getaddrinfo
    try:
        for k, v in values.items():
            setattr(ox.settings, k, v)
        yield ox
    finally:
        for k, v in old.items():
            setattr(ox.settings, k, v)
        socket.getaddrinfo = old_getaddrinfo


def _asked(place, polygon) -> Msg:
    """What an Overpass download was asked for ("the place 'Cēsis'"), for messages."""
    if place is not None:
        return Msg("err.download.in_place", place=repr(place))
    if isinstance(polygon, str | Path):
        return Msg("err.download.in_polygon_file", file=str(polygon))
    return Msg("err.download.in_polygon")


@contextmanager
def _web_errors(url: str, *, what: Msg, manual: str | Msg) -> Iterator[None]:
    """Turn requests/osmnx errors of one web service into clear GeoInputErrors."""
    try:
        yield
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise offline_error(url, exc, manual=manual) from exc
    except (ResponseStatusCodeError, InsufficientResponseError) as exc:
        text = re.sub(r"<[^>]+>", " ", str(exc))
        text = re.sub(r"\s+", " ", text).strip()[:300]
        raise MissingDataError(
            Msg("err.download.no_answer", what=what, url=url, text=text),
            fix=Msg("err.download.no_answer.fix", manual=manual),
        ) from exc


def geocode_polygon(
    place: str | list[str],
    *,
    nominatim_url: str | None = None,
    cache_folder: str | Path | None = None,
    use_cache: bool = True,
    timeout_s: float | None = None,
) -> BaseGeometry:
    """Boundary polygon of a place name, from Nominatim through ``osmnx.geocode_to_gdf``.

    Parameters
    ----------
    place : str or list of str
        E.g. ``"Cēsu novads, Latvia"``; a list gives the union of the places.
    nominatim_url : str, optional
        Default :data:`geo.settings.NOMINATIM_URL`.
    cache_folder : str or Path, optional
        osmnx answer cache; default :data:`geo.settings.OVERPASS_CACHE_DIR`.
    use_cache : bool, default True
        Reuse cached answers.
    timeout_s : float, optional
        HTTP timeout, seconds; default :data:`geo.settings.OVERPASS_TIMEOUT_S`.

    Returns
    -------
    shapely.Polygon or shapely.MultiPolygon
        WGS84.

    Raises
    ------
    GeoInputError
        The place is unknown or is not an area (a point or a line).
    MissingDataError
        Offline or the geocoder failed.
    """
    url = nominatim_url or settings.NOMINATIM_URL
    names = [place] if isinstance(place, str) else list(place)
    manual = Msg("err.download.polygon_instead")
    with _osmnx_session(overpass_url=settings.OVERPASS_URL, nominatim_url=url,
                        cache_folder=cache_folder or settings.OVERPASS_CACHE_DIR,
                        use_cache=use_cache, timeout_s=timeout_s or settings.OVERPASS_TIMEOUT_S,
                        rate_limit=None) as ox:
        geoms = []
        for name in names:
            try:
                with _web_errors(url, what=Msg("err.download.nominatim"), manual=manual):
                    try:
                        gdf = ox.geocode_to_gdf(name)
                    except InsufficientResponseError as exc:
                        if "0 result" not in str(exc):
                            raise
                        raise GeoInputError(
                            Msg("err.download.place_not_found", place=repr(name), url=url),
                            fix=Msg("err.download.place_not_found.fix", manual=manual),
                        ) from exc
            except TypeError as exc:
                if "Polygon" not in str(exc):
                    raise
                raise GeoInputError(
                    Msg("err.download.place_not_area", place=repr(name)),
                    fix=Msg("err.download.place_not_area.fix", manual=manual),
                ) from exc
            geoms.append(shapely.union_all(gdf.geometry.values))
    return area_polygon(shapely.union_all(geoms),
                        name=Msg("err.download.boundary_of", places=", ".join(names)))


@dataclass
class OverpassResult:
    """An Overpass download written as an OSM file.

    Attributes
    ----------
    path : Path
        The OSM file.
    polygon : shapely geometry
        The area queried (WGS84, after ``buffer_m``).
    n_nodes, n_ways, n_relations : int
        Objects written.
    n_requests : int
        Overpass requests made (or answered from osmnx's cache).
    missing_node_refs : int
        Way node references absent from the answers (0 for a complete download).
    source : str
        What was asked, for reports.
    seconds : float
        Wall time.
    """

    path: Path
    polygon: BaseGeometry
    n_nodes: int
    n_ways: int
    n_relations: int
    n_requests: int
    missing_node_refs: int
    source: str
    seconds: float = 0.0
    counts: dict = field(default_factory=dict)

    def summary(self) -> str:
        """One paragraph for the CLI."""
        return (f"Downloaded {self.source}\n  -> {self.path} ({self.n_nodes:,} nodes, "
                f"{self.n_ways:,} ways, {self.n_relations:,} relations; {self.n_requests} "
                f"Overpass request(s), {self.seconds:.1f} s)")


def highway_filter(classes: Iterable[str]) -> str:
    """Overpass QL way filter selecting these ``highway`` values (an osmnx ``custom_filter``).

    Examples
    --------
    >>> highway_filter(["track", "residential"])
    '["highway"~"^(residential|track)$"]'
    """
    vals = sorted({re.escape(c) for c in classes})
    return f'["highway"~"^({"|".join(vals)})$"]'


def _collect(responses, store: dict, bump: Callable[[int], None], url: str) -> int:
    """Merge Overpass JSON answers into compact dicts (id -> tuple); returns #answers."""
    nodes, ways, rels = store["node"], store["way"], store["relation"]
    n = 0
    for resp in responses:
        n += 1
        bump(1)
        remark = resp.get("remark") if isinstance(resp, dict) else None
        if remark and re.search(r"error|timed out|out of memory", remark, re.IGNORECASE):
            raise MissingDataError(
                Msg("err.download.overpass_stopped", url=url, remark=remark),
                fix=Msg("err.download.smaller_or.fix", manual=_OVERPASS_MANUAL),
            )
        for el in resp.get("elements", ()):
            typ, oid = el.get("type"), el.get("id")
            tags = el.get("tags") or None
            if typ == "node":
                if "lat" not in el:
                    continue
                prev = nodes.get(oid)
                nodes[oid] = (el["lon"], el["lat"], tags or (prev[2] if prev else None))
            elif typ == "way":
                prev = ways.get(oid)
                ways[oid] = (el.get("nodes", []), tags or (prev[1] if prev else None))
            elif typ == "relation":
                prev = rels.get(oid)
                members = [(m["type"][0], m["ref"], m.get("role", "")) for m in el.get("members", [])]
                rels[oid] = (members, tags or (prev[1] if prev else None))
    return n


def _write_store(store: dict, out: Path, poly: BaseGeometry, generator: str) -> dict:
    """Write merged elements sorted by type and id (nodes, ways, relations) atomically."""
    fmt = _osm_format_for(out)
    header = osmium.io.Header()
    header.set("generator", generator)
    minx, miny, maxx, maxy = poly.bounds
    header.add_box(osmium.osm.Box(minx, miny, maxx, maxy))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_beside(out)
    nodes, ways, rels = store["node"], store["way"], store["relation"]
    try:
        with osmium.SimpleWriter(osmium.io.File(str(tmp), fmt), header=header,
                                 overwrite=True) as w:
            for nid in sorted(nodes):
                lon, lat, tags = nodes[nid]
                w.add_node(Node(id=nid, location=(lon, lat), tags=tags or {}))
            for wid in sorted(ways):
                refs, tags = ways[wid]
                w.add_way(Way(id=wid, nodes=refs, tags=tags or {}))
            for rid in sorted(rels):
                members, tags = rels[rid]
                w.add_relation(Relation(id=rid, members=members, tags=tags or {}))
        os.replace(tmp, out)
    except BaseException:
        _unlink(tmp)
        raise
    missing = sum(1 for refs, _ in ways.values() for r in refs if r not in nodes)
    return {"n_nodes": len(nodes), "n_ways": len(ways), "n_relations": len(rels),
            "missing_node_refs": missing}


def download_overpass(  # noqa: PLR0913  keyword-only options of a public entry point
    out: str | Path,
    *,
    place: str | list[str] | None = None,
    polygon=None,
    buffer_m: float = 0.0,
    highway_classes: Iterable[str] | None = None,
    facility_kinds: Iterable[str] = tuple(FACILITY_TAGS),
    places: bool = True,
    overpass_url: str | None = None,
    nominatim_url: str | None = None,
    cache_folder: str | Path | None = None,
    use_cache: bool = True,
    timeout_s: float | None = None,
    rate_limit: bool | None = None,
    progress: bool | Callable[[int, int | None], None] = False,
) -> OverpassResult:
    """Download roads, education facilities and places of an area from Overpass to one file.

    The area is a place name (geocoded with :func:`geocode_polygon`) or a polygon. osmnx sends
    (per sub-polygon when the area is large; see ``ox.settings.max_query_area_size``):

    1. the network query ``(way["highway"~"^(...)$"](poly:...);>;);out;`` with every class of
       ``highway_classes`` (default: drive and walk classes of :mod:`geo.settings`, ``track``
       included) as ``custom_filter`` -- the ways and all their nodes;
    2. osmnx's features query for the facility tags (``amenity=school``, ...,
       ``building=dormitory``): nodes, ways and relations with everything below them
       (``(._;>;)``), so school polygons and multipolygons are complete;
    3. ``node["place"~"^(city|town|...)$"](poly:...);out body;`` for the place nodes.

    The answers are merged (duplicates removed) and written, sorted, as one OSM file.

    Parameters
    ----------
    out : str or Path
        Output OSM file: ``.osm`` (XML) or ``.osm.pbf``. Written atomically.
    place : str or list of str, optional
        Place name(s) to geocode, e.g. ``"Cēsu novads, Latvia"``.
    polygon : polygon, GeoDataFrame, GeoSeries or vector file path, optional
        The area; exactly one of ``place`` and ``polygon`` is required.
    buffer_m : float, default 0
        Widen the area by this many metres (roads just outside the boundary).
    highway_classes : iterable of str, optional
        Way classes; default ``DRIVE_HIGHWAYS`` + ``WALK_HIGHWAYS``.
    facility_kinds : iterable of str, default all of ``FACILITY_TAGS``
        Facilities to download.
    places : bool, default True
        Download place nodes.
    overpass_url, nominatim_url : str, optional
        Defaults :data:`geo.settings.OVERPASS_URL`, :data:`geo.settings.NOMINATIM_URL`.
    cache_folder : str or Path, optional
        osmnx's answer cache; default :data:`geo.settings.OVERPASS_CACHE_DIR`.
    use_cache : bool, default True
        Reuse cached answers (a repeated download then works offline).
    timeout_s : float, optional
        Overpass time limit and HTTP timeout, seconds; default
        :data:`geo.settings.OVERPASS_TIMEOUT_S`.
    rate_limit : bool, optional
        Ask the Overpass server for a free slot before each request; default: on, except for
        a server on this machine (127.0.0.1 / localhost).
    progress : bool or callable, default False
        tqdm bar of requests, or a callable ``(requests_done, requests_total)``.

    Returns
    -------
    OverpassResult

    Raises
    ------
    GeoInputError
        Neither or both of ``place``/``polygon``; unknown place; bad polygon; no roads in the
        area; unknown output format.
    MissingDataError
        Offline (names the URL and the manual alternative); server error or time-out.
    """
    t0 = time.perf_counter()
    out = Path(out)
    _osm_format_for(out)
    if (place is None) == (polygon is None):
        raise GeoInputError(Msg("err.download.place_or_polygon"))
    over_url = (overpass_url or settings.OVERPASS_URL).rstrip("/")
    nom_url = nominatim_url or settings.NOMINATIM_URL
    cache = cache_folder or settings.OVERPASS_CACHE_DIR
    timeout = float(timeout_s or settings.OVERPASS_TIMEOUT_S)
    if place is not None:
        poly = geocode_polygon(place, nominatim_url=nom_url, cache_folder=cache,
                               use_cache=use_cache, timeout_s=timeout)
        what = f"place {place!r}"
    else:
        poly = area_polygon(polygon, name="polygon")
        what = f"polygon {polygon}" if isinstance(polygon, str | Path) else "polygon"
    if buffer_m:
        proj, crs = projection.project_geometry(poly)
        poly, _ = projection.project_geometry(proj.buffer(buffer_m), crs=crs, to_latlong=True)
    fac_pairs, _ = _wanted_pairs(highway_classes, list(facility_kinds), places)
    classes = (set(settings.DRIVE_HIGHWAYS) | set(settings.WALK_HIGHWAYS)
               if highway_classes is None else set(highway_classes))
    tags: dict[str, list[str]] = {}
    for k, v in fac_pairs:
        tags.setdefault(k, []).append(v)
    ovp = _ox_overpass()
    store: dict = {"node": {}, "way": {}, "relation": {}}
    url_i = over_url + "/interpreter"
    with _osmnx_session(overpass_url=over_url, nominatim_url=nom_url, cache_folder=cache,
                        use_cache=use_cache, timeout_s=timeout, rate_limit=rate_limit):
        pieces = ovp._make_overpass_polygon_coord_strs(poly)
        n_total = len(pieces) * (1 + bool(tags) + bool(places))
        update, close = _make_progress(progress, total=n_total, desc="Overpass",
                                       unit=" request")
        n_req = 0
        try:
            with _web_errors(url_i, what=Msg("err.download.overpass"), manual=_OVERPASS_MANUAL):
                n_req += _collect(
                    ovp._download_overpass_network(poly, "all", [highway_filter(classes)]),
                    store, update, url_i)
                if not store["way"]:
                    raise GeoInputError(
                        Msg("err.download.no_roads", what=_asked(place, polygon),
                            classes=", ".join(sorted(classes))),
                        fix=Msg("err.download.no_roads.fix"),
                    )
                if tags:
                    n_req += _collect(ovp._download_overpass_features(poly, tags), store,
                                      update, url_i)
                if places:
                    values = "|".join(re.escape(v) for v in PLACE_VALUES)
                    head = ovp._make_overpass_settings()
                    queries = (
                        OrderedDict(data=f'{head};node["place"~"^({values})$"](poly:"{s}");'
                                         "out body;")
                        for s in pieces
                    )
                    n_req += _collect((ovp._overpass_request(q) for q in queries), store,
                                      update, url_i)
        finally:
            close()

    counts = _write_store(store, out, poly, f"geo-skolas (Overpass API via osmnx {ox.__version__})")
    return OverpassResult(
        path=out, polygon=poly, n_nodes=counts["n_nodes"], n_ways=counts["n_ways"],
        n_relations=counts["n_relations"], n_requests=n_req,
        missing_node_refs=counts["missing_node_refs"], source=f"{what} from {over_url}",
        seconds=time.perf_counter() - t0, counts=counts,
    )
