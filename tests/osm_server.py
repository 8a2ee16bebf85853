"""A real HTTP server on 127.0.0.1 serving real OpenStreetMap data, for the download tests.

It answers, from the real files in ``../shared/data/osm`` (read in place):

* Geofabrik-like downloads: ``/geofabrik/europe/malta-latest.osm.pbf`` streams a real
  ``.osm.pbf`` with ``Content-Length``, ``ETag``, ``Last-Modified`` and HTTP range requests
  (``Range`` / ``If-Range``, answered 206), and ``....osm.pbf.md5`` holds the MD5 computed from
  the real file in Geofabrik's format (``"<md5>  <name>"``). Faults can be injected: a transfer
  cut after N bytes, a wrong published MD5, no MD5 file.
* The Overpass API (``/api/interpreter``, POST or GET ``data=``, plus ``/api/status``): the
  Overpass QL subset that osmnx sends is parsed (settings, unions, ``node/way/relation`` queries
  with tag filters ``["k"]``, ``["k"="v"]``, ``["k"!="v"]``, ``["k"~"re"]``, ``["k"!~"re"]``,
  ``[!"k"]``, spatial ``(poly:"lat lon ...")`` and ``(south,west,north,east)``, ``._``, ``>``
  and ``out`` with ``body``/``skel``/``ids``/``meta`` and ``qt``/``asc``) and evaluated on the
  real objects of a ``.osm.pbf`` held in memory, with Overpass's semantics: a node is selected
  when inside the area, a way when one of its segments intersects it, a relation when one of
  its member nodes or ways is selected; ``>`` adds the nodes of ways and the member nodes, ways
  (and their nodes) of relations. Answers are Overpass JSON (``{"elements": [...]}``). Syntax
  outside the subset gets HTTP 400 with Overpass's HTML error page.
* Nominatim search (``/nominatim/search?format=json&polygon_geojson=1&q=...``): the
  ``boundary=administrative`` relations of the same file, assembled into (multi)polygons by
  libosmium, and its place nodes, in Nominatim's JSON form.

Nothing is canned: every answer is computed from the real file on each request.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import re
import socket
import threading
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import geopandas as gpd
import numpy as np
import shapely

OVERPASS_GENERATOR = "Overpass API 0.7.62.1 (local test server)"
COPYRIGHT = ("The data included in this document is from www.openstreetmap.org. "
             "The data is made available under ODbL.")
LICENCE = "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright"


# ------------------------------------------------------------------------------------------
# The data, loaded once per file
# ------------------------------------------------------------------------------------------
class OSMData:
    """Every node, way and relation of an OSM file, in memory.

    Attributes
    ----------
    node_ids : ndarray of int64 (sorted); node_lon, node_lat : ndarray of float64
    node_tags : dict id -> dict (tagged nodes only)
    ways : dict id -> (list of node ids, dict of tags)
    relations : dict id -> (list of (type, ref, role), dict of tags)
    """

    def __init__(self, path: str | Path):
        import osmium

        self.path = Path(path)
        ids, lon, lat = [], [], []
        self.node_tags: dict[int, dict] = {}
        self.ways: dict[int, tuple[list[int], dict]] = {}
        self.relations: dict[int, tuple[list[tuple[str, int, str]], dict]] = {}
        for o in osmium.FileProcessor(str(self.path)):
            if o.is_node():
                if not o.location.valid():
                    continue
                ids.append(o.id)
                lon.append(o.location.lon)
                lat.append(o.location.lat)
                if len(o.tags):
                    self.node_tags[o.id] = dict(o.tags)
            elif o.is_way():
                self.ways[o.id] = ([n.ref for n in o.nodes], dict(o.tags))
            elif o.is_relation():
                self.relations[o.id] = (
                    [(m.type, m.ref, m.role) for m in o.members], dict(o.tags)
                )
        order = np.argsort(np.asarray(ids, np.int64))
        self.node_ids = np.asarray(ids, np.int64)[order]
        self.node_lon = np.asarray(lon, np.float64)[order]
        self.node_lat = np.asarray(lat, np.float64)[order]
        self._pos = {int(i): k for k, i in enumerate(self.node_ids)}
        self.key_index: dict[str, dict[str, list[int]]] = {"node": {}, "way": {}, "relation": {}}
        for typ, items in (("node", self.node_tags.items()),
                           ("way", ((i, t) for i, (_, t) in self.ways.items())),
                           ("relation", ((i, t) for i, (_, t) in self.relations.items()))):
            idx = self.key_index[typ]
            for oid, tags in items:
                for k in tags:
                    idx.setdefault(k, []).append(oid)
        self._way_geom: dict[int, object] | None = None

    def node_pos(self, ids) -> np.ndarray:
        """Positions of node ids in the arrays (-1 for nodes missing from the file)."""
        return np.asarray([self._pos.get(int(i), -1) for i in ids], np.int64)

    def tags(self, typ: str, oid: int) -> dict:
        if typ == "node":
            return self.node_tags.get(oid, {})
        return (self.ways if typ == "way" else self.relations)[oid][1]

    def all_ids(self, typ: str):
        if typ == "node":
            return self.node_ids.tolist()
        return list(self.ways if typ == "way" else self.relations)

    @property
    def way_geom(self) -> dict[int, object]:
        """Way id -> LineString (or Point) of its nodes present in the file."""
        if self._way_geom is None:
            geoms = {}
            for wid, (refs, _) in self.ways.items():
                pos = self.node_pos(refs)
                pos = pos[pos >= 0]
                if len(pos) >= 2:
                    geoms[wid] = shapely.LineString(
                        np.column_stack([self.node_lon[pos], self.node_lat[pos]]))
                elif len(pos) == 1:
                    geoms[wid] = shapely.Point(self.node_lon[pos[0]], self.node_lat[pos[0]])
            self._way_geom = geoms
        return self._way_geom


@lru_cache(maxsize=4)
def osm_data(path: str) -> OSMData:
    """The in-memory data of a file (loaded once per process)."""
    return OSMData(path)


@lru_cache(maxsize=4)
def _boundaries(path: str) -> gpd.GeoDataFrame:
    import osmium

    wkb = osmium.geom.WKBFactory()
    rows = []
    flt = osmium.filter.TagFilter(("boundary", "administrative"))
    for a in osmium.FileProcessor(path).with_areas(flt).with_filter(flt):
        if not a.is_area() or a.from_way() or not a.tags.get("name"):
            continue
        lvl = a.tags.get("admin_level", "")
        rows.append({
            "osm_id": a.orig_id(), "name": a.tags["name"],
            "admin_level": int(lvl) if lvl.isdigit() else 99, "tags": dict(a.tags),
            "geometry": shapely.from_wkb(wkb.create_multipolygon(a)),
        })
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def boundaries(path: str | Path, *, admin_level: int | None = None) -> gpd.GeoDataFrame:
    """Administrative boundary polygons of an OSM file, assembled by libosmium.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326; columns ``osm_id`` (relation id), ``name``, ``admin_level``, ``tags``,
        ``geometry`` (MultiPolygon).
    """
    gdf = _boundaries(str(path))
    if admin_level is not None:
        gdf = gdf[gdf["admin_level"] == admin_level]
    return gdf.copy()


# ------------------------------------------------------------------------------------------
# Overpass QL: tokenizer, parser, evaluator
# ------------------------------------------------------------------------------------------
class OverpassQueryError(ValueError):
    """Syntax outside the supported subset (answered with HTTP 400)."""


_TOKEN = re.compile(
    r"""(?P<skip>\s+|//[^\n]*|/\*.*?\*/)
      | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<num>-?\d+(?:\.\d+)?)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op>!~|!=|\._|>>|<<|->|[()\[\];=~!,:><.])""",
    re.X | re.S,
)


def _unquote(s: str) -> str:
    body = s[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def tokenize(q: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(q):
        m = _TOKEN.match(q, pos)
        if not m:
            raise OverpassQueryError(f"parse error at character {pos}: {q[pos:pos + 20]!r}")
        pos = m.end()
        kind = m.lastgroup
        if kind == "skip":
            continue
        text = m.group(kind)
        out.append((kind, _unquote(text) if kind == "str" else text))
    return out


class _Parser:
    def __init__(self, tokens):
        self.t = tokens
        self.i = 0

    def peek(self, k=0):
        j = self.i + k
        return self.t[j] if j < len(self.t) else ("eof", "")

    def take(self, value=None):
        tok = self.peek()
        if value is not None and tok[1] != value:
            raise OverpassQueryError(f"expected {value!r}, found {tok[1]!r}")
        self.i += 1
        return tok

    def program(self):
        settings = {}
        while self.peek()[1] == "[":  # global settings: [out:json][timeout:180][maxsize:...]
            self.take("[")
            key = self.take()[1]
            self.take(":")
            val = self.take()[1]
            self.take("]")
            settings[key] = val
        if settings:
            self.take(";")
        stmts = []
        while self.peek()[0] != "eof":
            stmts.append(self.statement())
        return settings, stmts

    def statement(self):
        kind, text = self.peek()
        if text == "(":
            self.take("(")
            body = []
            while self.peek()[1] != ")":
                if self.peek()[0] == "eof":
                    raise OverpassQueryError("unclosed union")
                body.append(self.statement())
            self.take(")")
            self.take(";")
            return ("union", body)
        if text == "._":
            self.take()
            self.take(";")
            return ("item",)
        if text in (">", ">>", "<", "<<"):
            self.take()
            if text != ">":
                raise OverpassQueryError(f"recursion {text!r} is not supported")
            self.take(";")
            return ("down",)
        if kind == "name" and text == "out":
            self.take()
            opts = []
            while self.peek()[1] != ";":
                opts.append(self.take()[1])
            self.take(";")
            return ("out", opts)
        if kind == "name" and text in ("node", "way", "relation", "rel", "nwr"):
            self.take()
            typ = {"rel": "relation"}.get(text, text)
            filters = []
            while self.peek()[1] in ("[", "("):
                filters.append(self.filter())
            if not filters:
                raise OverpassQueryError(f"a {typ} query needs a filter")
            self.take(";")
            return ("query", typ, filters)
        raise OverpassQueryError(f"unknown statement starting with {text!r}")

    def filter(self):
        if self.peek()[1] == "[":
            self.take("[")
            neg = False
            if self.peek()[1] == "!":
                self.take("!")
                neg = True
            key = self.take()[1]
            if self.peek()[1] == "]":
                self.take("]")
                return ("tag", key, "!exists" if neg else "exists", None, False)
            if neg:
                raise OverpassQueryError("[!key] takes no value")
            op = self.take()[1]
            if op not in ("=", "!=", "~", "!~"):
                raise OverpassQueryError(f"unknown tag operator {op!r}")
            val = self.take()[1]
            icase = False
            if self.peek()[1] == ",":
                self.take(",")
                icase = self.take()[1] == "i"
            self.take("]")
            return ("tag", key, op, val, icase)
        self.take("(")
        if self.peek()[1] == "poly":
            self.take()
            self.take(":")
            kind, coords = self.take()
            if kind != "str":
                raise OverpassQueryError("poly: needs a quoted coordinate list")
            self.take(")")
            return ("poly", coords)
        nums = [float(self.take()[1])]
        while self.peek()[1] == ",":
            self.take(",")
            nums.append(float(self.take()[1]))
        self.take(")")
        if len(nums) != 4:
            raise OverpassQueryError("a bounding box needs south,west,north,east")
        return ("bbox", tuple(nums))


class _Set:
    __slots__ = ("node", "way", "relation")

    def __init__(self, node=(), way=(), relation=()):
        self.node, self.way, self.relation = set(node), set(way), set(relation)

    def __ior__(self, other):
        self.node |= other.node
        self.way |= other.way
        self.relation |= other.relation
        return self


class OverpassEmulator:
    """Evaluate Overpass QL (the subset osmnx sends) on an :class:`OSMData`."""

    def __init__(self, data: OSMData):
        self.data = data
        self._areas: dict[tuple, object] = {}

    # -- spatial ---------------------------------------------------------------------------
    def _area(self, filt):
        key = (filt[0], filt[1])
        if key not in self._areas:
            if filt[0] == "poly":
                vals = [float(v) for v in filt[1].split()]
                if len(vals) < 6 or len(vals) % 2:
                    raise OverpassQueryError("poly: needs at least three lat lon pairs")
                lat, lon = vals[0::2], vals[1::2]
                geom = shapely.Polygon(list(zip(lon, lat, strict=True)))
                if not geom.is_valid:
                    geom = shapely.make_valid(geom)
            else:
                s, w, n, e = filt[1]
                geom = shapely.box(w, s, e, n)
            shapely.prepare(geom)
            self._areas[key] = geom
        return self._areas[key]

    def _in_area(self, typ: str, ids: list[int], area) -> list[int]:
        d = self.data
        if not ids:
            return []
        if typ == "node":
            pos = d.node_pos(ids)
            ok = pos >= 0
            hit = np.zeros(len(ids), bool)
            hit[ok] = shapely.intersects_xy(area, d.node_lon[pos[ok]], d.node_lat[pos[ok]])
            return [i for i, h in zip(ids, hit, strict=True) if h]
        if typ == "way":
            geoms = np.array([d.way_geom.get(i) for i in ids], dtype=object)
            hit = shapely.intersects(area, geoms)
            return [i for i, h in zip(ids, hit, strict=True) if h]
        out = []
        for rid in ids:
            members = d.relations[rid][0]
            nodes = [m[1] for m in members if m[0] == "n"]
            ways = [m[1] for m in members if m[0] == "w"]
            if self._in_area("node", nodes, area) or self._in_area("way", ways, area):
                out.append(rid)
        return out

    # -- statements ------------------------------------------------------------------------
    @staticmethod
    def _tag_ok(tags: dict, f) -> bool:
        _, key, op, val, icase = f
        have = tags.get(key)
        if op == "exists":
            return have is not None
        if op == "!exists":
            return have is None
        if op == "=":
            return have == val
        if op == "!=":
            return have != val
        flags = re.IGNORECASE if icase else 0
        found = have is not None and re.search(val, have, flags) is not None
        return found if op == "~" else not found

    def _query(self, typ: str, filters) -> _Set:
        if typ == "nwr":
            res = _Set()
            for t in ("node", "way", "relation"):
                res |= self._query(t, filters)
            return res
        d = self.data
        tag_f = [f for f in filters if f[0] == "tag"]
        keys = [f[1] for f in tag_f if f[2] in ("exists", "=", "~")]
        if keys:
            cand = set(d.key_index[typ].get(keys[0], ()))
            for k in keys[1:]:
                cand &= set(d.key_index[typ].get(k, ()))
            cand = sorted(cand)
        else:
            cand = d.all_ids(typ)
        cand = [i for i in cand if all(self._tag_ok(d.tags(typ, i), f) for f in tag_f)]
        for f in filters:
            if f[0] in ("poly", "bbox"):
                cand = self._in_area(typ, cand, self._area(f))
        return _Set(**{typ: cand})

    def _down(self, s: _Set) -> _Set:
        d = self.data
        res = _Set()
        for rid in s.relation:
            if rid not in d.relations:
                continue
            for mtype, ref, _ in d.relations[rid][0]:
                if mtype == "n":
                    res.node.add(ref)
                elif mtype == "w" and ref in d.ways:
                    res.way.add(ref)
        for wid in s.way | res.way:
            if wid in d.ways:
                res.node.update(d.ways[wid][0])
        res.node = {n for n in res.node if n in d._pos}
        return res

    def _run(self, stmts, default: _Set, elements: list) -> tuple[_Set, _Set]:
        """Run statements; returns (new default set, union of all statement results)."""
        union = _Set()
        for st in stmts:
            kind = st[0]
            if kind == "query":
                default = self._query(st[1], st[2])
            elif kind == "item":
                default = _Set(default.node, default.way, default.relation)
            elif kind == "down":
                default = self._down(default)
            elif kind == "union":
                _, default = self._run(st[1], default, elements)
            elif kind == "out":
                elements.extend(self._out(default, st[1]))
                continue
            union |= default
        return default, union

    def _out(self, s: _Set, opts) -> list[dict]:
        d = self.data
        mode = "body"
        for o in opts:
            if o in ("ids", "skel", "body", "tags", "meta"):
                mode = o
            elif o not in ("qt", "asc"):
                raise OverpassQueryError(f"out option {o!r} is not supported")
        with_tags = mode in ("body", "meta", "tags")
        with_geom = mode != "ids" and mode != "tags"
        els = []
        ids = sorted(n for n in s.node if n in d._pos)
        pos = d.node_pos(ids)
        for i, p in zip(ids, pos, strict=True):
            e = {"type": "node", "id": i}
            if with_geom:
                e["lat"] = round(float(d.node_lat[p]), 7)
                e["lon"] = round(float(d.node_lon[p]), 7)
            if with_tags and d.node_tags.get(i):
                e["tags"] = d.node_tags[i]
            els.append(e)
        for i in sorted(s.way):
            refs, tags = d.ways[i]
            e = {"type": "way", "id": i}
            if with_geom:
                e["nodes"] = refs
            if with_tags and tags:
                e["tags"] = tags
            els.append(e)
        names = {"n": "node", "w": "way", "r": "relation"}
        for i in sorted(s.relation):
            members, tags = d.relations[i]
            e = {"type": "relation", "id": i}
            if with_geom:
                e["members"] = [{"type": names[t], "ref": r, "role": role}
                                for t, r, role in members]
            if with_tags and tags:
                e["tags"] = tags
            els.append(e)
        return els

    def run(self, query: str) -> dict:
        """Evaluate a query; returns the Overpass JSON answer."""
        settings, stmts = _Parser(tokenize(query)).program()
        if settings.get("out", "json") != "json":
            raise OverpassQueryError("only [out:json] is supported")
        elements: list[dict] = []
        self._run(stmts, _Set(), elements)
        return {
            "version": 0.6, "generator": OVERPASS_GENERATOR,
            "osm3s": {"timestamp_osm_base": "2024-03-03T21:21:48Z", "copyright": COPYRIGHT},
            "elements": elements,
        }


# ------------------------------------------------------------------------------------------
# Nominatim
# ------------------------------------------------------------------------------------------
class NominatimEmulator:
    """Nominatim ``/search`` over the admin boundaries and place nodes of an OSM file."""

    def __init__(self, path: str | Path):
        self.bounds = boundaries(path)
        data = osm_data(str(path))
        self.places = [
            (nid, t) for nid, t in data.node_tags.items() if "place" in t and "name" in t
        ]
        self.data = data

    def _parents(self, point, level: int) -> list[str]:
        b = self.bounds
        inside = b[(b["admin_level"] < level) & b.geometry.contains(point)]
        return inside.sort_values("admin_level", ascending=False)["name"].tolist()

    @staticmethod
    def _bbox(geom) -> list[str]:
        minx, miny, maxx, maxy = geom.bounds
        return [f"{miny:.7f}", f"{maxy:.7f}", f"{minx:.7f}", f"{maxx:.7f}"]

    def search(self, q: str, *, limit: int = 10, polygon_geojson: bool = True) -> list[dict]:
        parts = [p.strip().casefold() for p in q.split(",") if p.strip()]
        if not parts:
            return []
        results = []
        for row in self.bounds.itertuples():
            names = {v.casefold() for k, v in row.tags.items() if k == "name" or
                     k.startswith("name:")}
            if parts[0] not in names:
                continue
            point = row.geometry.representative_point()
            parents = self._parents(point, row.admin_level)
            if not all(p in {x.casefold() for x in parents} for p in parts[1:]):
                continue
            geom = row.geometry
            if len(geom.geoms) == 1:
                geom = geom.geoms[0]
            res = {
                "place_id": 100000 + int(row.osm_id) % 900000, "licence": LICENCE,
                "osm_type": "relation", "osm_id": int(row.osm_id),
                "lat": f"{point.y:.7f}", "lon": f"{point.x:.7f}",
                "class": "boundary", "type": "administrative",
                "place_rank": min(30, 2 * row.admin_level),
                "importance": round(0.75 - 0.025 * row.admin_level, 6),
                "addresstype": {2: "country", 6: "state", 8: "town"}.get(row.admin_level,
                                                                         "boundary"),
                "name": row.name, "display_name": ", ".join([row.name, *parents]),
                "boundingbox": self._bbox(geom),
            }
            if polygon_geojson:
                res["geojson"] = shapely.geometry.mapping(shapely.set_precision(geom, 1e-7))
            results.append(res)
        for nid, tags in self.places:
            names = {v.casefold() for k, v in tags.items() if k == "name" or
                     k.startswith("name:")}
            if parts[0] not in names:
                continue
            p = self.data.node_pos([nid])[0]
            point = shapely.Point(self.data.node_lon[p], self.data.node_lat[p])
            parents = self._parents(point, 99)
            if not all(x in {y.casefold() for y in parents} for x in parts[1:]):
                continue
            res = {
                "place_id": 200000 + nid % 900000, "licence": LICENCE, "osm_type": "node",
                "osm_id": nid, "lat": f"{point.y:.7f}", "lon": f"{point.x:.7f}",
                "class": "place", "type": tags["place"], "place_rank": 18,
                "importance": 0.4, "addresstype": tags["place"], "name": tags["name"],
                "display_name": ", ".join([tags["name"], *parents]),
                "boundingbox": self._bbox(point.buffer(0.01)),
            }
            if polygon_geojson:
                res["geojson"] = shapely.geometry.mapping(point)
            results.append(res)
        results.sort(key=lambda r: -r["importance"])
        return results[:limit]


# ------------------------------------------------------------------------------------------
# The HTTP server
# ------------------------------------------------------------------------------------------
@lru_cache(maxsize=16)
def file_md5(path: str) -> str:
    """MD5 (hex) of a file."""
    h = hashlib.md5()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


class _Handler(BaseHTTPRequestHandler):
    server_version = "osm-test-server/1.0"

    def log_message(self, format, *args):  # noqa: A002  (silence the default stderr log)
        pass

    @property
    def app(self) -> OSMTestServer:
        return self.server.app  # type: ignore[attr-defined]

    def _send(self, code: int, body: bytes, ctype: str, headers: dict | None = None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _log(self, body: str | None = None):
        with self.app.lock:
            self.app.requests.append({"method": self.command, "path": self.path,
                                      "headers": dict(self.headers), "body": body})

    def do_HEAD(self):  # noqa: N802
        self.do_GET()

    def do_GET(self):  # noqa: N802
        self._log()
        self._route(urlparse(self.path), None)

    def do_POST(self):  # noqa: N802
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8")
        self._log(body)
        self._route(urlparse(self.path), body)

    def _route(self, url, body):
        path = url.path
        try:
            if path.startswith("/geofabrik/"):
                return self._geofabrik(path[len("/geofabrik"):])
            if path == "/api/interpreter":
                params = parse_qs(body if body is not None else url.query)
                return self._overpass(params.get("data", [""])[0])
            if path == "/api/status":
                text = ("Connected as: 2130706433\nCurrent time: 2024-03-03T21:21:48Z\n"
                        "Announced endpoint: none\nRate limit: 2\n2 slots available now.\n"
                        "Currently running queries (pid, space limit, time limit, start time):\n")
                return self._send(200, text.encode(), "text/plain")
            if path.rstrip("/") == "/nominatim/search":
                return self._nominatim(parse_qs(url.query))
        except (BrokenPipeError, ConnectionResetError):
            return None
        return self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>",
                          "text/html")

    # -- Geofabrik --------------------------------------------------------------------------
    def _geofabrik(self, path: str):
        app = self.app
        if path.endswith(".md5"):
            target = path[:-4]
            if target not in app.files or target in app.no_md5:
                return self._send(404, b"Not Found", "text/plain")
            digest = app.md5_override.get(target) or file_md5(str(app.files[target]))
            text = f"{digest}  {target.rsplit('/', 1)[-1]}\n"
            return self._send(200, text.encode(), "text/plain")
        if path not in app.files:
            return self._send(404, b"<html><body><h1>Not Found</h1></body></html>",
                              "text/html")
        real = app.files[path]
        size = real.stat().st_size
        etag = f'"{file_md5(str(real))}"'
        modified = email.utils.formatdate(real.stat().st_mtime, usegmt=True)
        start, end = 0, size - 1
        code = 200
        rng = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if rng and (if_range is None or if_range in (etag, modified)):
            m = re.fullmatch(r"bytes=(\d+)-(\d*)", rng.strip())
            if m:
                start = int(m.group(1))
                end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
                if start >= size:
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{size}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                code = 206
        length = end - start + 1
        self.send_response(code)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified)
        self.send_header("Accept-Ranges", "bytes")
        if code == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if self.command == "HEAD":
            return None
        cut = None
        with app.lock:
            fault = app.faults.get(path)
            if fault and fault["times"] > 0:
                fault["times"] -= 1
                cut = fault["cut_after"]
        sent = 0
        with open(real, "rb") as fh:
            fh.seek(start)
            while sent < length:
                block = fh.read(min(65536, length - sent))
                if cut is not None and sent + len(block) > cut:
                    self.wfile.write(block[: max(0, cut - sent)])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return None
                self.wfile.write(block)
                sent += len(block)
        return None

    # -- Overpass ---------------------------------------------------------------------------
    def _overpass(self, query: str):
        app = self.app
        if app.overpass is None:
            return self._send(404, b"no Overpass data", "text/plain")
        try:
            with app.overpass_lock:
                answer = app.overpass.run(query)
        except OverpassQueryError as exc:
            page = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><html><body>"
                    f"<p><strong style=\"color:#FF0000\">Error</strong>: line 1: parse error: "
                    f"{exc}</p></body></html>")
            return self._send(400, page.encode(), "text/html; charset=utf-8")
        return self._send(200, json.dumps(answer).encode(), "application/json")

    # -- Nominatim --------------------------------------------------------------------------
    def _nominatim(self, params: dict):
        app = self.app
        if app.nominatim is None:
            return self._send(404, b"no Nominatim data", "text/plain")
        q = params.get("q", [""])[0]
        limit = int(params.get("limit", ["10"])[0])
        geo = params.get("polygon_geojson", ["0"])[0] == "1"
        res = app.nominatim.search(q, limit=limit, polygon_geojson=geo)
        return self._send(200, json.dumps(res).encode(), "application/json")


class OSMTestServer:
    """Threaded HTTP server on 127.0.0.1 (random free port) serving real OSM data.

    Parameters
    ----------
    files : dict, optional
        URL path under ``/geofabrik`` -> real file, e.g.
        ``{"/europe/malta-latest.osm.pbf": Path(".../malta-2018-08-27.osm.pbf")}``.
    overpass_pbf, nominatim_pbf : Path, optional
        Files answering ``/api/interpreter`` and ``/nominatim/search``.

    Attributes
    ----------
    requests : list of dict
        Every request received (method, path, headers, body).
    faults : dict
        URL path -> ``{"cut_after": bytes, "times": n}``: the next ``n`` transfers of that
        file stop after ``cut_after`` bytes (the connection is closed).
    md5_override : dict
        URL path -> MD5 published instead of the real one.
    no_md5 : set
        URL paths without a published ``.md5``.
    """

    def __init__(self, *, files: dict[str, Path] | None = None,
                 overpass_pbf: Path | None = None, nominatim_pbf: Path | None = None):
        self.files = {k: Path(v) for k, v in (files or {}).items()}
        self.overpass = OverpassEmulator(osm_data(str(overpass_pbf))) if overpass_pbf else None
        self.nominatim = NominatimEmulator(nominatim_pbf) if nominatim_pbf else None
        self.requests: list[dict] = []
        self.faults: dict[str, dict] = {}
        self.md5_override: dict[str, str] = {}
        self.no_md5: set[str] = set()
        self.lock = threading.Lock()
        self.overpass_lock = threading.Lock()
        self.httpd: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> OSMTestServer:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.app = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def __enter__(self) -> OSMTestServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self.httpd is not None, "server not started"
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def geofabrik_url(self) -> str:
        return self.url + "/geofabrik"

    @property
    def overpass_url(self) -> str:
        return self.url + "/api"

    @property
    def nominatim_url(self) -> str:
        return self.url + "/nominatim/"


def closed_port_url() -> str:
    """URL of a port on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"
