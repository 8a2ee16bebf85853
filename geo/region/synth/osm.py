"""The demo region's OpenStreetMap file: content, ids and writer."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import osmium
from osmium.osm.mutable import Node, Relation, Way

from geo import settings
from geo.region.synth.common import _Model
from geo.region.synth.roads import _way_nodes


def _write_osm(path: Path, node_lonlat: np.ndarray, node_tags: dict[int, dict],
               ways: list[tuple[list[int] | np.ndarray, dict]],
               relations: list[tuple[list[tuple[str, int, str]], dict]]) -> None:
    """Write nodes (ids 1..n), ways and relations with pyosmium (format from the suffix)."""
    header = osmium.io.Header()
    header.set("generator", "geo.region.synth (IZDOMĀTI DATI / fictional demo data)")
    if path.exists():
        path.unlink()
    w = osmium.SimpleWriter(str(path), header=header)
    try:
        lon = node_lonlat[:, 0].tolist()
        lat = node_lonlat[:, 1].tolist()
        empty: dict = {}
        for i in range(len(lon)):
            w.add_node(Node(id=i + 1, version=1, location=(lon[i], lat[i]),
                            tags=node_tags.get(i, empty)))
        for k, (nodes, tags) in enumerate(ways):
            w.add_way(Way(id=k + 1, version=1, nodes=[int(n) + 1 for n in nodes], tags=tags))
        for k, (members, tags) in enumerate(relations):
            w.add_relation(Relation(id=k + 1, version=1, members=members, tags=tags))
    finally:
        w.close()


def _osm_content(rng, m: _Model, mesh: dict, node_xy, segs, farm_nodes, chains, way_tags):  # noqa: C901  generator rules (demo data tables)
    """Assemble the OSM nodes, ways and relations (0-based node positions)."""
    st, sch = m.settlements, m.schools
    n0 = len(node_xy)
    dead = set(mesh.get("dead", np.array([], int)).tolist())
    extra_xy: list[tuple[float, float]] = []
    node_tags: dict[int, dict] = {}

    def new_node(x, y, tags=None):
        k = n0 + len(extra_xy)
        extra_xy.append((x, y))
        if tags:
            node_tags[k] = tags
        return k

    ways = [(_way_nodes(segs, ch), t) for ch, t in zip(chains, way_tags, strict=True)]
    rels = []
    # places
    for _, s in st.iterrows():
        node_tags_ = {"place": s["kind"], "name": s["name"], "population": str(int(s["pop"])),
                      "note": "Izdomāta vieta (fictional demo place)"}
        if s["kind"] != "hamlet":
            node_tags_["is_in"] = m.municipalities.at[int(s["muni"]), "name"]
        new_node(s["x"] + 8.0, s["y"] + 8.0, node_tags_)
    fxy = node_xy[np.asarray(farm_nodes, np.int64)] + (25.0, 15.0)
    for (x, y), name, pop in zip(fxy.tolist(), m.farms["name"], m.farms["pop"].tolist(),
                                 strict=True):
        new_node(x, y, {"place": "isolated_dwelling", "name": name, "population": str(pop)})

    def building(x, y, w, h, ang, tags):
        ca, sa = math.cos(ang), math.sin(ang)
        corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
        ids = [new_node(x + ca * u - sa * v, y + sa * u + ca * v) for u, v in corners]
        ways.append((ids + [ids[0]], tags))
        return len(ways) - 1

    isced = {"sakumskola": "1", "pamatskola": "1;2", "vidusskola": "1;2;3",
             "gimnazija": "2;3", "vakara": "2;3", "specpamat": "1;2", "internats": "1;2"}
    in_osm = rng.uniform(size=len(sch)) > 0.06
    as_relation = None
    for k, r in sch.iterrows():
        t = r["type"]
        if t == "neklatienes" or not in_osm[k]:
            continue
        ang = float(st.at[r["sid"], "angle"])
        if t == "pii":
            new_node(r["x"], r["y"], {"amenity": "kindergarten", "name": r["name"]})
            continue
        tags = {"amenity": "school", "name": _osm_name(r["name"], rng)}
        if rng.uniform() < 0.65:
            tags["isced:level"] = isced[t]
        if t == "gimnazija" and as_relation is None:
            as_relation = k
            outer = building(r["x"], r["y"], 90.0, 60.0, ang, {})
            rels.append(([("w", outer + 1, "outer")], {"type": "multipolygon", **tags}))
        elif rng.uniform() < 0.45:
            building(r["x"], r["y"], 48.0, 22.0, ang, {"building": "school", **tags})
        else:
            new_node(r["x"], r["y"], tags)
        if r["dormitory_places"] > 0 and t in ("vidusskola", "gimnazija"):
            dname = r["dorm_name"]
            if rng.uniform() < 0.5:
                new_node(r["dorm_x"], r["dorm_y"], {"amenity": "dormitory", "name": dname})
            else:
                building(r["dorm_x"], r["dorm_y"], 30.0, 14.0, ang,
                         {"building": "dormitory", "name": dname})
    s0 = st.iloc[0]
    new_node(s0["x"] - 60.0, s0["y"] + 90.0, {"amenity": "music_school",
                                                "name": f"{s0['gen']} mūzikas skola"})
    # deliberate details: footways across blocks in the main town (walk network only), a
    # private drive, and a forest track with no connection (mapped but disconnected)
    pts = mesh["pts"]
    g = pts[(pts["kind"] == 1) & (pts["sid"] == 0)]
    lut = {(int(a), int(b)): int(i) for i, a, b in zip(g.index, g["gi"], g["gj"], strict=True)}
    for (i, j), a in list(lut.items())[:: max(1, len(lut) // 6)]:
        b = lut.get((i + 1, j + 1))
        if b is not None and a not in dead and b not in dead:
            ways.append(([a, b], {"highway": "footway", "surface": "paving_stones"}))
    f0 = int(farm_nodes[0])
    p = new_node(node_xy[f0, 0] + 60.0, node_xy[f0, 1] - 80.0)
    ways.append(([f0, p], {"highway": "service", "access": "private"}))
    fx, fy = node_xy[farm_nodes[-1]]
    iso = [new_node(fx + 300.0 + 150 * k, fy + 400.0 + 40 * k) for k in range(3)]
    ways.append((iso, {"highway": "track", "surface": "ground", "tracktype": "grade4"}))
    all_xy = np.r_[node_xy, np.asarray(extra_xy).reshape(-1, 2)]
    return all_xy, node_tags, ways, rels, dead


def _osm_name(name: str, rng) -> str:
    """The name as an OSM mapper may have typed it (a quarter differ from the registry)."""
    u = rng.uniform()
    if u > 0.25:
        return name
    words = name.split(" ")
    if "Valsts ģimnāzija" in name and u < 0.08:
        return name.replace("Valsts ģimnāzija", "ģimnāzija")
    if re.search(r"\d\. ", name) and u < 0.16:
        return re.sub(r"(\d)\. ", r"\1.", name)
    return " ".join(words[:-1] + [words[-1][:1].upper() + words[-1][1:]])


def _renumber(all_xy, node_tags, ways, rels, dead):
    """Drop unused nodes and renumber the rest 0..n-1 in order."""
    used = np.zeros(len(all_xy), bool)
    for nodes, _ in ways:
        used[np.asarray(nodes, np.int64)] = True
    used[list(node_tags)] = True
    if dead:
        used[list(dead)] = False
    new = np.cumsum(used) - 1
    ways = [(new[np.asarray(nodes, np.int64)], t) for nodes, t in ways]
    node_tags = {int(new[k]): v for k, v in sorted(node_tags.items()) if used[k]}
    return all_xy[used], node_tags, ways, rels


def _network_nodes(ways, drive: set[str]) -> int:
    """Nodes the engine keeps: way ends, and nodes used 2+ times by drivable ways."""
    refs = [np.asarray(n) for n, t in ways if t.get("highway") in drive
            and t.get("access") not in settings.NO_ACCESS]
    if not refs:
        return 0
    allr = np.concatenate(refs)
    ends = np.concatenate([[r[0], r[-1]] for r in refs])
    u, c = np.unique(allr, return_counts=True)
    return int(np.union1d(u[c >= 2], ends).size)
