"""School locations: the registry (IZM/VIIS) has addresses but no coordinates.

Schools are located, in this order:

1. from a user file of registration number + coordinates (:func:`read_school_locations`):
   a CSV with ``lon``/``lat`` (WGS84) or ``x``/``y`` and a ``crs`` argument, or any CRS-tagged
   GeoJSON / GeoPackage / shapefile. The user's file always wins.
2. from OpenStreetMap schools (:func:`geo.sources.osm.read_facilities`; any GeoDataFrame with
   ``name``, ``osm_id`` and point geometry) matched by name (:func:`match_osm`):

   * ``ref``: the OSM ``ref:LV:izm`` tag equals the registration number;
   * ``exact``: the normalised names are equal (:func:`normalize_name`: case, diacritics,
     punctuation and quotes, abbreviations such as "vsk." / "psk." / "sk." / "ģimn." /
     "VĢ", filler words such as "pilsētas", "novada");
   * ``core``: the names without their type word are equal ("Strautiņu pamatskola" =
     "Strautiņu skola") and the types are compatible (a pamatskola never matches a
     vidusskola);
   * ``place``: the names are equal once the town, parish and municipality names are removed
     too ("Valmieras 2. vidusskola" = "2. vidusskola"), only where the candidate lies in the
     school's municipality or near its address town.

   With ``boundaries`` (municipality polygons) or ``places`` (town points or polygons), every
   candidate must lie in the school's municipality or within ``max_distance_m`` of its address
   locality. Several candidates at the best level (farther than 150 m apart) make the school
   *ambiguous*; no candidate leaves it *unmatched*. Close spellings are listed as suggestions,
   never used.

Nothing is invented: a school without a location stays unlocated (``geometry`` None) and is
listed in :attr:`LocateResult.report`. With ``boundaries``, a location that cannot be right
(at (0, 0), longitude and latitude swapped, or more than ``settings.LOCATE_REGION_MARGIN_M``
outside the region) is not used: the school gets status ``suspect``, a ``problem`` text and a
warning naming it (:func:`suspect_locations`); :meth:`LocateResult.write_report` writes a CSV
the user fills in (``lon``, ``lat``) and feeds back as the locations file.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import i18n, settings
from geo._csv import write_csv
from geo.errors import GeoInputError, Msg, Num
from geo.sources.boundaries import municipality_key
from geo.sources.coverage import points_from_table
from geo.sources.tabular import (
    as_id,
    check_file,
    check_unique_ids,
    column_key,
    fold,
    named,
    read_csv_any,
)
from geo.sources.vector import read_vector

i18n.register({
    "warn.school_zero": {
        "lv": "Skola {school_id} {name} ir novietota punktā (0, 0): atrašanās vieta nav "
              "izmantota. Norādiet to failā schools_to_locate.csv.",
        "en": "School {school_id} {name} is placed at (0, 0): its location was not used. "
              "Give it in schools_to_locate.csv.",
    },
    "warn.school_swapped": {
        "lv": "Skolai {school_id} {name} garums un platums šķiet samainīti (lon {lon}, lat "
              "{lat}): atrašanās vieta nav izmantota. Samainiet tos vietām.",
        "en": "School {school_id} {name} seems to have longitude and latitude swapped (lon "
              "{lon}, lat {lat}): its location was not used. Swap them.",
    },
    "warn.school_outside": {
        "lv": "Skola {school_id} {name} ir {km} km ārpus reģiona (lon {lon}, lat {lat}): "
              "atrašanās vieta nav izmantota. Pārbaudiet koordinātas.",
        "en": "School {school_id} {name} lies {km} km outside the region (lon {lon}, lat "
              "{lat}): its location was not used. Check its coordinates.",
    },
})

# Thresholds of the matching live in geo.settings (LOCATE_*).
LOCATE_MAX_DISTANCE_M = settings.LOCATE_MAX_DISTANCE_M


SAME_PLACE_M = settings.LOCATE_SAME_PLACE_M


SUGGEST_RATIO = settings.LOCATE_SUGGEST_RATIO


_ID_NAMES = ("school_id", "reg_nr", "registration_number", "Iestādes reģistrācijas Nr.",
             "ref:LV:izm", "id", "iestades_id")


# Multi-word abbreviations first (applied to folded text).
_PHRASES = [
    (r"\bv\s*sk\b", "vidusskola"), (r"\bp\s*sk\b", "pamatskola"), (r"\bs\s*sk\b", "sakumskola"),
    (r"\bsak\s*sk\b", "sakumskola"), (r"\bv\s*g\b", "valsts gimnazija"),
    (r"\bvakara\s+mainu\b", "vakara"),
]


_WORDS = {
    "vsk": "vidusskola", "vidussk": "vidusskola", "vidusk": "vidusskola",
    "psk": "pamatskola", "pamatsk": "pamatskola", "pamsk": "pamatskola",
    "ssk": "sakumskola", "saksk": "sakumskola", "sakumsk": "sakumskola",
    "sk": "skola", "sk.": "skola", "gimn": "gimnazija", "gim": "gimnazija", "vg": "valsts gimnazija",
    "spec": "speciala", "internatsk": "internatskola", "pag": "pagasta", "pils": "pilsetas",
    "nov": "novada", "nr": "",
}


#: Words naming the kind of school (removed for the ``core`` level).
#: Words that distinguish kinds of school ("speciālā", "vakara", "internātskola",
#: "attīstības centrs") are kept: an evening school never matches a day school by name.
TYPE_WORDS = frozenset({
    "vidusskola", "pamatskola", "sakumskola", "skola", "gimnazija", "valsts",
    "visparizglitojosa", "privata",
})


#: Words that never distinguish schools.
FILLER_WORDS = frozenset({"pilsetas", "novada", "pagasta", "un", "the", "school", "of"})


def normalize_name(name) -> str:
    """Normalised school name: folded, abbreviations expanded, filler words removed.

    ``"Cēsu Valsts ģimn."`` -> ``"cesu valsts gimnazija"``; ``"Alūksnes pilsētas
    sākumskola"`` -> ``"aluksnes sakumskola"``; ``'Privātā vidusskola "INNOVA"'`` ->
    ``"privata vidusskola innova"``.
    """
    s = fold(name)
    for pat, rep in _PHRASES:
        s = re.sub(pat, rep, s)
    words = []
    for w in s.split():
        w = _WORDS.get(w, w)
        words.extend(w.split())
    return " ".join(w for w in words if w and w not in FILLER_WORDS)


def type_tag(norm: str) -> str:
    """School type named in a normalised name: ``gimnazija``, ``vidusskola``, ``pamatskola``,
    ``sakumskola`` or ``skola`` (generic)."""
    words = set(norm.split())
    for t in ("gimnazija", "vidusskola", "pamatskola", "sakumskola"):
        if t in words:
            return t
    return "skola"


def types_compatible(a: str, b: str) -> bool:
    """Whether two :func:`type_tag` values may name the same school: equal, or one of them
    the generic ``skola``."""
    return a == b or a == "skola" or b == "skola"


def core_name(norm: str) -> str:
    """A normalised name without its type words (``"strautinu pamatskola"`` -> ``"strautinu"``)."""
    return " ".join(w for w in norm.split() if w not in TYPE_WORDS)


def genitive_forms(place) -> set[str]:
    """Folded forms of a Latvian place name as it appears in school names.

    ``"Valmiera"`` -> ``{"valmiera", "valmieras"}``; ``"Cēsis"`` -> ``{"cesis", "cesu"}``;
    ``"Limbaži"`` -> ``{"limbazi", "limbazu"}``; ``"Alsviķu pagasts"`` -> ``{"alsviku"}``.
    """
    out: set[str] = set()
    for w in fold(place).split():
        if w in ("pagasts", "novads", "pag", "nov", "pilseta", "ciems"):
            continue
        out.add(w)
        if w.endswith("is"):
            out.update({w[:-2] + "u", w[:-2] + "a"})
        elif w.endswith("as"):
            out.add(w[:-2] + "u")
        elif w.endswith("a"):
            out.add(w + "s")
        elif w.endswith("e"):
            out.add(w + "s")
        elif w.endswith("i"):
            out.add(w[:-1] + "u")
        elif w.endswith("s"):
            out.add(w[:-1] + "a")
    return out


def read_school_locations(
    path: str | Path,
    *,
    id_column: str | None = None,
    x: str | None = None,
    y: str | None = None,
    crs: str | None = None,
    layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a user file of school locations (registration number + coordinates).

    Parameters
    ----------
    path : str or Path
        CSV (``lon``/``lat`` in WGS84, or ``x``/``y`` with ``crs``), or a CRS-tagged
        GeoJSON / GeoPackage / shapefile (polygons give their representative point).
        Rows with blank coordinates are skipped (a partly filled-in report).
    id_column : str, optional
        Column of registration numbers (default: ``school_id``, ``reg_nr``,
        ``Iestādes reģistrācijas Nr.``, ``ref:LV:izm`` or ``id``).
    x, y, crs : optional
        Coordinate columns of a CSV and their CRS.
    layer : str, optional

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 points; ``school_id`` (text), ``geometry``; other columns kept.

    Raises
    ------
    GeoInputError
        Missing/empty file, no id or coordinate columns, no CRS, coordinates outside their
        CRS (e.g. metres declared as lon/lat), an id on several rows (the message names the
        rows).
    """
    path = check_file(path, name="school locations")
    if path.suffix.lower() in (".csv", ".txt"):
        df = read_csv_any(path, name="school locations", dtype=str)
        if len(df) == 0:
            raise GeoInputError(Msg("err.tab.no_rows", name=named("school locations")),
                                path=path)
        idc = _id_col(df, id_column, path)
        gdf = points_from_table(df, path=path, x=x, y=y, crs=crs, name="school location",
                                allow_missing=True)
        gdf = gdf[gdf.geometry.notna()]
    else:

        gdf = read_vector(path, name="school locations", layer=layer)
        idc = _id_col(gdf, id_column, path)
        gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
        gdf = gdf.set_geometry(gdf.geometry.representative_point())
    gdf = gdf.to_crs(settings.WGS84).rename(columns={idc: "school_id"})
    gdf["school_id"] = gdf["school_id"].map(as_id)
    gdf = gdf[gdf["school_id"].notna()]
    dup = gdf[gdf["school_id"].duplicated(keep=False)]
    if len(dup):
        xy = dup.geometry.get_coordinates().round(6)
        conflicting = dup.assign(_x=xy["x"].to_numpy(), _y=xy["y"].to_numpy()).groupby(
            "school_id")[["_x", "_y"]].nunique().max(axis=1)
        where = Msg("err.locations.different" if (conflicting > 1).any()
                    else "err.locations.same")
        check_unique_ids(gdf, "school_id", what="school", path=path,
                         first_row=2 if path.suffix.lower() in (".csv", ".txt") else 1,
                         rows_word="rows" if path.suffix.lower() in (".csv", ".txt")
                         else "features",
                         fix=Msg("err.locations.one_place.fix", where=where))
    gdf.attrs = {"source": str(path)}
    return gdf.reset_index(drop=True)


def _id_col(df, given, path) -> str:
    if given is not None:
        if given not in df.columns:
            raise GeoInputError(Msg("err.locations.no_column", column=repr(given),
                                    found=str(list(df.columns))),
                                path=path, fix=Msg("err.tab.no_such_columns.fix"))
        return given
    keys = {column_key(c): c for c in df.columns}
    for a in _ID_NAMES:
        if column_key(a) in keys:
            return keys[column_key(a)]
    raise GeoInputError(
        Msg("err.locations.no_id_column", names=str(list(_ID_NAMES)),
            found=str(list(df.columns))),
        path=path, fix=Msg("err.locations.no_id_column.fix"),
    )


@dataclass
class LocateResult:
    """Result of :func:`locate_schools`.

    Attributes
    ----------
    schools : geopandas.GeoDataFrame
        Every school (EPSG:4326), index ``school_id``; ``geometry`` None when unlocated;
        columns ``status`` (``located``/``ambiguous``/``unmatched``/``suspect``), ``location_source``
        (``file``/``osm``/None), ``match`` (``file``/``ref``/``exact``/``core``/``place``),
        ``osm_id``, ``osm_name``, ``candidates`` (text), ``suggestions`` (text).
    report : pandas.DataFrame
        The schools not located, with empty ``lon``, ``lat`` columns to fill in.
    warnings : list of dict
        Schools whose given location was dropped as impossible (:func:`suspect_locations`;
        status ``suspect``, ``problem`` says why), when ``boundaries`` were given.
    """

    schools: gpd.GeoDataFrame
    report: pd.DataFrame
    warnings: list[dict] = field(default_factory=list)

    @property
    def located(self) -> gpd.GeoDataFrame:
        """The located schools only."""
        return self.schools[self.schools["status"] == "located"]

    def summary(self) -> dict[str, int]:
        """Counts per status and per match level."""
        out = self.schools["status"].value_counts().to_dict()
        out.update({f"match_{k}": v for k, v in self.schools["match"].value_counts().items()})
        return {k: int(v) for k, v in out.items()}

    def write_report(self, path: str | Path) -> Path:
        """Write the unlocated schools as a CSV to fill in (``lon``, ``lat`` in WGS84) and
        give back to :func:`locate_schools` as ``locations``. Written to a temporary file
        then renamed."""
        return write_csv(self.report, path, lineterminator="\n")


def _area_filter(schools, osm, boundaries, places, max_distance_m):
    """Boolean matrix (n_schools, n_osm): candidate allowed by area, or None (no restriction)."""
    n, m = len(schools), len(osm)
    allowed = None
    pts = osm.geometry.to_crs(settings.LATVIA_CRS)
    ox, oy = pts.x.to_numpy(), pts.y.to_numpy()
    if boundaries is not None:
        b = boundaries.to_crs(settings.LATVIA_CRS)
        bkeys = b["name"].map(municipality_key) if "name" in b else b.index.map(municipality_key)
        inside = np.zeros((len(b), m), dtype=bool)
        for i, geom in enumerate(b.geometry):
            inside[i] = shapely.contains_xy(geom, ox, oy)
        row = {k: i for i, k in enumerate(bkeys)}
        allowed = np.ones((n, m), dtype=bool)
        for i, k in enumerate(schools["municipality"].map(municipality_key)):
            if k in row:
                allowed[i] = inside[row[k]]
    if places is not None and "address_locality" in schools:
        p = places.to_crs(settings.LATVIA_CRS)
        names = {}
        for nm, geom in zip(p["name"], p.geometry, strict=True):
            names.setdefault(fold(nm), geom)
        near = np.ones((n, m), dtype=bool)
        for i, loc in enumerate(schools["address_locality"]):
            geom = names.get(fold(loc)) if isinstance(loc, str) else None
            if geom is None:
                continue
            d = shapely.distance(geom, shapely.points(ox, oy))
            near[i] = d <= max_distance_m
        allowed = near if allowed is None else allowed & near
    return allowed


def _place_words(row) -> set[str]:
    words: set[str] = set()
    for c in ("address_locality", "address_parish", "municipality"):
        v = row.get(c)
        if isinstance(v, str):
            words |= genitive_forms(v)
    return words


def match_osm(
    schools: pd.DataFrame,
    osm: gpd.GeoDataFrame,
    *,
    boundaries: gpd.GeoDataFrame | None = None,
    places: gpd.GeoDataFrame | None = None,
    max_distance_m: float = LOCATE_MAX_DISTANCE_M,
) -> pd.DataFrame:
    """Match registry schools to OSM schools by name (see the module docstring).

    Parameters
    ----------
    schools : pandas.DataFrame
        ``school_id``, ``name``, ``municipality``; ``address_locality``, ``address_parish``
        and ``school_type`` when present (:func:`geo.sources.izm.read_schools`).
    osm : GeoDataFrame
        ``osm_id``, ``name`` (``name:lv``, ``official_name``, ``ref:LV:izm`` used when present),
        point geometry with a CRS.
    boundaries : GeoDataFrame, optional
        Municipality polygons with ``name`` (:func:`geo.sources.boundaries.read_boundaries`).
    places : GeoDataFrame, optional
        Towns/villages with ``name`` (points or polygons), e.g. ``read_places``.
    max_distance_m : float, default 15000
        Largest distance of a candidate from the school's address locality, metres.

    Returns
    -------
    pandas.DataFrame
        Index ``school_id``; ``status``, ``match``, ``osm_index`` (row position in ``osm``,
        -1 when none), ``osm_id``, ``osm_name``, ``candidates``, ``suggestions``.
    """
    for c in ("osm_id", "name"):
        if c not in osm.columns:
            raise GeoInputError(Msg("err.locations.osm_column", column=repr(c),
                                    found=str(list(osm.columns))),
                                path=osm.attrs.get("source"))
    if osm.crs is None:
        raise GeoInputError(Msg("err.locations.osm_no_crs"), path=osm.attrs.get("source"),
                            fix=Msg("err.vec.no_crs.fix"))
    names = _OsmNames.of(osm[osm.geometry.notna()].reset_index(drop=True))
    n_osm = len(names.osm)
    allowed = (_area_filter(schools, names.osm, boundaries, places, max_distance_m)
               if n_osm else None)
    rows = []
    for i, s in enumerate(schools.to_dict("records")):
        ok = allowed[i] if allowed is not None else np.ones(n_osm, dtype=bool)
        rows.append(_match_one(s, names, ok, by_place=allowed is not None))
    out = pd.DataFrame(rows, columns=["school_id", "status", "match", "osm_index", "osm_id",
                                      "osm_name", "candidates", "suggestions"])
    _mark_shared(out)
    return out.set_index("school_id")


@dataclass
class _OsmNames:
    """The OSM schools' normalised names, indexed by exact and by core name."""

    osm: gpd.GeoDataFrame
    onorm: list[list[str]]  # normalised names of each OSM school (name, name:lv, official)
    refs: pd.Series  # ref:LV:izm (registration number) or None
    exact: dict[str, list[int]]
    core: dict[str, list[int]]
    pts: gpd.GeoSeries | None  # points in LKS-92

    @classmethod
    def of(cls, osm: gpd.GeoDataFrame) -> _OsmNames:
        n_osm = len(osm)
        name_cols = [c for c in ("name", "name:lv", "official_name") if c in osm.columns]
        onorm = [sorted({normalize_name(v) for v in r if isinstance(v, str) and v.strip()})
                 for r in osm[name_cols].itertuples(index=False)]
        refs = (osm["ref:LV:izm"].map(as_id) if "ref:LV:izm" in osm
                else pd.Series([None] * n_osm))
        exact: dict[str, list[int]] = {}
        core: dict[str, list[int]] = {}
        for j, nms in enumerate(onorm):
            for nm in nms:
                exact.setdefault(nm, []).append(j)
                c = core_name(nm)
                if c:
                    core.setdefault(c, []).append(j)
        pts = osm.geometry.to_crs(settings.LATVIA_CRS) if n_osm else None
        return cls(osm, onorm, refs, exact, core, pts)

    def label(self, j: int) -> str:
        """``osm_id name`` of OSM school ``j``."""
        return f"{self.osm.at[j, 'osm_id']} {self.osm.at[j, 'name']}"


def _match_one(s: dict, names: _OsmNames, ok: np.ndarray, *, by_place: bool) -> dict:
    """The match row of one registry school: the first level with candidates decides."""
    osm = names.osm
    norm = normalize_name(s["name"])
    status, match, chosen, cand_text = "unmatched", None, -1, ""
    for level, cands in _candidate_levels(s, norm, names, ok, by_place=by_place):
        cands = sorted({int(j) for j in cands if ok[j]})
        if not cands:
            continue
        groups = _distinct_places(names.pts, cands)
        if len(groups) == 1:
            status, match, chosen = "located", level, groups[0][0]
        else:
            status, match = "ambiguous", level
            cand_text = "; ".join(names.label(g[0]) for g in groups)
        break
    sugg = _suggestions(norm, names, ok) if status == "unmatched" and len(osm) else ""
    return {
        "school_id": s["school_id"], "status": status, "match": match, "osm_index": chosen,
        "osm_id": osm.at[chosen, "osm_id"] if chosen >= 0 else None,
        "osm_name": osm.at[chosen, "name"] if chosen >= 0 else None,
        "candidates": cand_text, "suggestions": sugg,
    }


def _candidate_levels(s: dict, norm: str, names: _OsmNames, ok: np.ndarray, *,
                      by_place: bool) -> list[tuple[str, list[int]]]:
    """Candidate OSM schools per match level: ref, exact, core, place (with an area filter)."""
    stype = type_tag(norm)
    levels: list[tuple[str, list[int]]] = []
    levels.append(("ref", [j for j in np.flatnonzero(names.refs.to_numpy() == s["school_id"])]))
    levels.append(("exact", names.exact.get(norm, [])))
    c = core_name(norm)
    cands = [j for j in names.core.get(c, []) if any(
        types_compatible(stype, type_tag(nm)) for nm in names.onorm[j] if core_name(nm) == c)]
    levels.append(("core", cands if c else []))
    if by_place:
        levels.append(("place", _place_candidates(s, c, stype, names, ok)))
    return levels


def _place_candidates(s: dict, c: str, stype, names: _OsmNames, ok: np.ndarray) -> list[int]:
    """OSM schools whose core name equals the school's once place words are dropped."""
    pw = _place_words(s)
    strip = " ".join(w for w in c.split() if w not in pw)
    cands: list[int] = []
    if not strip or strip == c:
        return cands
    for j in np.flatnonzero(ok):
        for nm in names.onorm[j]:
            oc = " ".join(w for w in core_name(nm).split() if w not in pw)
            if oc == strip and types_compatible(stype, type_tag(nm)):
                cands.append(int(j))
                break
    return cands


def _suggestions(norm: str, names: _OsmNames, ok: np.ndarray) -> str:
    """The three most similar OSM names (ratio at least ``SUGGEST_RATIO``)."""
    scores = [(max((difflib.SequenceMatcher(None, norm, nm).ratio() for nm in names.onorm[j]),
                   default=0.0), j) for j in np.flatnonzero(ok)]
    best = sorted(scores, reverse=True)[:3]
    return "; ".join(names.label(j) for r, j in best if r >= SUGGEST_RATIO)


def _mark_shared(out: pd.DataFrame) -> None:
    """One OSM school claimed by several registry schools below the "exact" level (a generic
    "Limbažu skola" for both "Limbažu vidusskola" and "Limbažu Valsts ģimnāzija"): ambiguous
    (in place)."""
    loose = out["status"].eq("located") & out["match"].isin(["core", "place"])
    claimed = out.loc[out["status"].eq("located"), "osm_index"]
    shared = loose & out["osm_index"].isin(claimed[claimed.duplicated()])
    for i in np.flatnonzero(shared):
        j = out.at[i, "osm_index"]
        others = out.loc[(out["osm_index"] == j) & (out.index != i), "school_id"].tolist()
        out.loc[i, ["status", "candidates"]] = [
            "ambiguous", f"{out.at[i, 'osm_id']} {out.at[i, 'osm_name']} (also matches "
            f"{', '.join(others)})"]
        out.loc[i, ["osm_index", "osm_id", "osm_name"]] = [-1, None, None]


def _distinct_places(pts, cands: list[int]) -> list[list[int]]:
    """Group candidates lying within :data:`SAME_PLACE_M` of the first of their group."""
    groups: list[list[int]] = []
    for j in cands:
        for g in groups:
            if pts.iloc[j].distance(pts.iloc[g[0]]) <= SAME_PLACE_M:
                g.append(j)
                break
        else:
            groups.append([j])
    return groups


def locate_schools(
    schools: pd.DataFrame,
    *,
    locations: gpd.GeoDataFrame | str | Path | None = None,
    osm: gpd.GeoDataFrame | None = None,
    boundaries: gpd.GeoDataFrame | None = None,
    places: gpd.GeoDataFrame | None = None,
    max_distance_m: float = LOCATE_MAX_DISTANCE_M,
) -> LocateResult:
    """Give each registry school a location, from the user's file first, then from OSM.

    Parameters
    ----------
    schools : pandas.DataFrame
        From :func:`geo.sources.izm.read_schools` (``school_id``, ``name``,
        ``municipality``, ``address``...).
    locations : GeoDataFrame or path, optional
        User locations (:func:`read_school_locations`); ids unknown to ``schools`` raise.
    osm : GeoDataFrame, optional
        OSM schools (:func:`geo.sources.osm.read_facilities`).
    boundaries, places, max_distance_m
        Area restriction of the OSM matching (:func:`match_osm`). With ``boundaries``,
        located schools at impossible places are unlocated with a warning
        (:func:`drop_suspect_locations`, :attr:`LocateResult.warnings`).

    Returns
    -------
    LocateResult
    """
    if "school_id" not in schools.columns or "name" not in schools.columns:
        raise GeoInputError(Msg("err.locations.schools_columns"),
                            path=schools.attrs.get("source"))
    sch = schools.reset_index(drop=True).copy()
    sch["school_id"] = sch["school_id"].map(as_id)
    n = len(sch)
    geom = np.full(n, None, dtype=object)
    col = {c: np.full(n, None, dtype=object) for c in ("location_source", "match", "osm_id",
                                                        "osm_name")}
    col["status"] = np.full(n, "unmatched", dtype=object)
    col["candidates"] = np.full(n, "", dtype=object)
    col["suggestions"] = np.full(n, "", dtype=object)
    pos = {sid: i for i, sid in enumerate(sch["school_id"])}
    if locations is not None:
        _from_locations(locations, pos, geom, col)
    todo = col["status"] != "located"
    if osm is not None and todo.any():
        m = match_osm(sch[todo], osm, boundaries=boundaries, places=places,
                      max_distance_m=max_distance_m)
        _from_osm(m, osm, pos, geom, col)
    out = gpd.GeoDataFrame(sch, geometry=list(geom), crs=settings.WGS84)
    for c in ("status", "location_source", "match", "osm_id", "osm_name", "candidates",
              "suggestions"):
        out[c] = col[c]
    out.index = pd.Index(out["school_id"].to_numpy(), name=None)
    warns = []
    if boundaries is not None:
        out, warns = drop_suspect_locations(out, boundaries)
    keep = [c for c in ("school_id", "name", "municipality", "address", "status", "problem",
                        "candidates", "suggestions") if c in out.columns]
    rep = pd.DataFrame(out.loc[out["status"] != "located", keep]).reset_index(drop=True)
    rep["lon"] = ""
    rep["lat"] = ""
    out.attrs = dict(schools.attrs)
    return LocateResult(schools=out, report=rep, warnings=warns)


def _from_locations(locations, pos: dict, geom: np.ndarray, col: dict) -> None:
    """Locate the schools of the user's locations table (every id must be in the registry)."""
    loc = locations if isinstance(locations, gpd.GeoDataFrame) else read_school_locations(
        locations)
    if loc.crs is None:
        raise GeoInputError(Msg("err.locations.no_crs"), path=loc.attrs.get("source"),
                            fix=Msg("err.vec.no_crs.fix"))
    loc = loc.to_crs(settings.WGS84)
    ids = loc["school_id"].map(as_id)
    unknown = sorted(set(ids) - set(pos))
    if unknown:
        raise GeoInputError(
            Msg("err.locations.unknown", ids=str(unknown[:10]), n=Num(len(unknown))),
            path=loc.attrs.get("source"), fix=Msg("err.locations.unknown.fix"),
        )
    for sid, g in zip(ids, loc.geometry, strict=True):
        i = pos[sid]
        geom[i] = g
        col["status"][i], col["location_source"][i], col["match"][i] = "located", "file", "file"


def _from_osm(m: pd.DataFrame, osm: gpd.GeoDataFrame, pos: dict, geom: np.ndarray,
              col: dict) -> None:
    """Record the OSM matches ``m`` (:func:`match_osm`) of the schools not located yet."""
    o = osm[osm.geometry.notna()].reset_index(drop=True).to_crs(settings.WGS84)
    for sid, r in m.iterrows():
        i = pos[sid]
        for c in ("status", "match", "candidates", "suggestions"):
            col[c][i] = r[c]
        if r["status"] == "located":
            geom[i] = o.geometry.iloc[int(r["osm_index"])]
            col["location_source"][i], col["osm_id"][i], col["osm_name"][i] = (
                "osm", r["osm_id"], r["osm_name"])


def _region_metric(boundaries: gpd.GeoDataFrame):
    """The region (union of ``boundaries``) in a metric CRS, and that CRS."""
    if boundaries.crs is None:
        raise GeoInputError(Msg("err.locations.boundaries_no_crs"),
                            path=boundaries.attrs.get("source"), fix=Msg("err.vec.no_crs.fix"))
    crs = boundaries.to_crs(settings.WGS84).estimate_utm_crs()
    return boundaries.to_crs(crs).geometry.union_all(), crs


def suspect_locations(
    schools: gpd.GeoDataFrame,
    boundaries: gpd.GeoDataFrame,
    *,
    margin_m: float = settings.LOCATE_REGION_MARGIN_M,
) -> list[dict]:
    """Located schools whose point cannot be right: at (0, 0), with longitude and latitude
    swapped, or farther than ``margin_m`` outside the region.

    Parameters
    ----------
    schools : GeoDataFrame
        ``school_id``, ``name`` (optional), point geometry (None when unlocated).
    boundaries : GeoDataFrame
        The region's municipality polygons, with a CRS.
    margin_m : float, default settings.LOCATE_REGION_MARGIN_M (5 km)

    Returns
    -------
    list of dict
        One per suspect school: ``code`` (``"school_location"``), ``kind`` (``"zero"``,
        ``"swapped"`` or ``"outside"``), ``school_id``, ``name``, ``lon``, ``lat`` (as given,
        degrees), ``km`` (distance outside the region, km) and ``message`` (English).
    """
    region, crs = _region_metric(boundaries)
    pts = schools.geometry.to_crs(settings.WGS84)
    has = (pts.notna() & ~pts.is_empty).to_numpy()
    if not has.any():
        return []
    lon = np.full(len(pts), np.nan)
    lat = np.full(len(pts), np.nan)
    lon[has], lat[has] = pts[has].x.to_numpy(), pts[has].y.to_numpy()
    d = _distance_outside(region, crs, lon, lat)
    d_swapped = _distance_outside(region, crs, lat, lon)
    names = schools["name"] if "name" in schools.columns else schools["school_id"]
    out = []
    for i in np.flatnonzero(has & ((d > margin_m) | ~np.isfinite(d))):
        kind = ("zero" if abs(lon[i]) < 1e-6 and abs(lat[i]) < 1e-6
                else "swapped" if d_swapped[i] <= margin_m else "outside")
        w = {"code": "school_location", "kind": kind,
             "school_id": str(schools["school_id"].iloc[i]), "name": str(names.iloc[i]),
             "lon": round(float(lon[i]), 6), "lat": round(float(lat[i]), 6),
             "km": round(float(d[i]) / 1000.0, 1) if np.isfinite(d[i]) else None}
        w["message"] = i18n.t(f"warn.school_{kind}", "en", **{**w, "km": w["km"] or "?"})
        out.append(w)
    return out


def _distance_outside(region, crs, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Metres from each lon/lat point to ``region`` (0 inside; inf when not projectable)."""
    ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    d = np.full(len(lon), np.inf)
    if ok.any():
        x, y = gpd.GeoSeries(shapely.points(lon[ok], lat[ok]), crs=settings.WGS84).to_crs(
            crs).get_coordinates().to_numpy().T
        dist = shapely.distance(region, shapely.points(x, y))
        d[ok] = np.where(np.isfinite(dist), dist, np.inf)
    return d


def drop_suspect_locations(schools: gpd.GeoDataFrame, boundaries: gpd.GeoDataFrame,
                           ) -> tuple[gpd.GeoDataFrame, list[dict]]:
    """Unlocate the schools of :func:`suspect_locations` (status ``suspect``, geometry None,
    ``problem`` says why) so that they are listed to locate and never used at a wrong place.

    Returns
    -------
    (GeoDataFrame, list of dict)
        The schools (a copy) and the warnings.
    """
    warns = suspect_locations(schools, boundaries)
    out = schools.copy()
    if "problem" not in out.columns:
        out["problem"] = ""
    for w in warns:
        i = int(np.flatnonzero(out["school_id"].astype(str).to_numpy() == w["school_id"])[0])
        out.iloc[i, out.columns.get_loc("status")] = "suspect"
        out.iloc[i, out.columns.get_loc("problem")] = w["message"]
        out.iloc[i, out.columns.get_loc(out.geometry.name)] = None
    return out, warns
