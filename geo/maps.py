"""Maps that work without internet: folium web maps and static matplotlib maps of the same layers.

folium links Leaflet, jQuery, Bootstrap, Font Awesome and its plugins from CDNs; on a machine or
a municipal network without internet that leaves a blank map. Here every asset is served from
the copies vendored in ``geo/static`` (see its README for names, versions and licences):

* :func:`to_html` inlines every script, stylesheet, image and font into one self-contained
  ``.html`` file that works offline anywhere;
* :func:`render_streamlit` shows a map in the Streamlit app. ``st_folium`` (streamlit-folium)
  bundles no Leaflet of its own: its frontend loads the URLs of the map's ``default_js`` /
  ``default_css`` with ``<script src>``. :func:`for_streamlit` therefore rewrites those URLs to
  ``data:`` URIs of the vendored files, so ``st_folium`` keeps working (clicks are returned)
  with no network; ``interactive=False`` embeds the inlined HTML with
  ``streamlit.components.v1.html`` instead.

Maps have no base-map tiles by default (none are available offline): our own vector layers are
the base (municipality boundaries, roads by class). ``tiles="osm"`` adds OpenStreetMap tiles for
users who are online.

A map is a list of :class:`MapLayer` made by the layer functions (:func:`roads_layer`,
:func:`schools_layer`, :func:`dormitories_layer`, :func:`travel_time_layer`,
:func:`isochrones_layer`, :func:`catchments_layer`, :func:`white_spots_layer`,
:func:`broadband_layer`, :func:`boundaries_layer`), each taking a GeoDataFrame in any CRS and a
language (``"lv"``/``"en"``). :func:`make_map` draws them with folium, :func:`plot_map` with
matplotlib (for PNG and PDF reports), with the same colours and legend.
"""

from __future__ import annotations

import base64
import copy
import functools
import html as html_lib
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from geo import i18n, settings
from geo.errors import GeoInputError
from geo.i18n import t

STATIC_DIR = Path(__file__).resolve().parent / "static"
_FOLIUM_TEMPLATES = Path(folium.__file__).resolve().parent / "templates"

# --------------------------------------------------------------------------------------------
# Strings
# --------------------------------------------------------------------------------------------
i18n.register({
    "map.title.travel_time": {
        "lv": "Brauciena laiks līdz tuvākajai skolai",
        "en": "Travel time to the nearest school",
    },
    "map.isochrones": {"lv": "Izohronas: brauciens līdz skolai, min", "en": "Isochrones: travel to school, min"},
    "map.catchments": {"lv": "Skolu apkalpes zonas", "en": "School catchments"},
    "map.white_spots": {
        "lv": "Baltie plankumi: brauciens ilgāks par {minutes} min",
        "en": "White spots: travel over {minutes} min",
    },
    "map.white_spot": {"lv": "ilgāk par {minutes} min", "en": "over {minutes} min"},
    "map.broadband": {
        "lv": "Fiksētā interneta ātrums (Ookla), Mbit/s",
        "en": "Fixed broadband speed (Ookla), Mbit/s",
    },
    "map.broadband_note": {
        "lv": "Šūna bez krāsas: nav reģistrētu mērījumu (ne vienmēr nav pārklājuma).",
        "en": "No colour: no speed test recorded (not necessarily no service).",
    },
    "map.unreachable": {"lv": "nav sasniedzams", "en": "not reachable"},
    "map.osm_tiles": {"lv": "OpenStreetMap pamatkarte (vajag internetu)", "en": "OpenStreetMap base map (needs internet)"},
    "map.sources": {"lv": "Avoti", "en": "Sources"},
    "map.legend": {"lv": "Apzīmējumi", "en": "Legend"},
    "map.road.main": {"lv": "Galvenie ceļi", "en": "Main roads"},
    "map.road.secondary": {"lv": "Reģionālie ceļi", "en": "Regional roads"},
    "map.road.tertiary": {"lv": "Vietējie ceļi", "en": "Local roads"},
    "map.road.local": {"lv": "Ielas un mazie ceļi", "en": "Streets and minor roads"},
    "map.road.track": {"lv": "Meža un lauku ceļi", "en": "Forest and farm tracks"},
    "map.school_type.primary": {"lv": "Sākumskola", "en": "Primary school"},
    "map.school_type.basic": {"lv": "Pamatskola", "en": "Basic school"},
    "map.school_type.secondary": {"lv": "Vidusskola, ģimnāzija", "en": "Secondary school, gymnasium"},
    "map.school_type.special": {"lv": "Speciālā skola", "en": "Special school"},
    "map.school_type.vocational": {"lv": "Profesionālā izglītība", "en": "Vocational school"},
    "map.school_type.other": {"lv": "Cita izglītības iestāde", "en": "Other institution"},
    "map.field.name": {"lv": "Nosaukums", "en": "Name"},
    "map.field.type": {"lv": "Veids", "en": "Type"},
    "map.field.pupils": {"lv": "Skolēni", "en": "Pupils"},
    "map.field.capacity": {"lv": "Ietilpība", "en": "Capacity"},
    "map.field.beds": {"lv": "Vietas", "en": "Beds"},
    "map.field.population": {"lv": "Iedzīvotāji", "en": "Population"},
    "map.field.time": {"lv": "Brauciena laiks, min", "en": "Travel time, min"},
    "map.field.school": {"lv": "Tuvākā skola", "en": "Nearest school"},
    "map.field.speed": {"lv": "Lejupielāde, Mbit/s", "en": "Download, Mbit/s"},
    "map.field.tests": {"lv": "Mērījumi", "en": "Tests"},
    "map.field.minutes": {"lv": "Minūtes", "en": "Minutes"},
    "map.field.cells": {"lv": "Šūnas", "en": "Cells"},
    "map.field.road_class": {"lv": "Ceļa klase", "en": "Road class"},
    "map.field.municipality": {"lv": "Novads", "en": "Municipality"},
    "map.scale": {"lv": "Mērogs", "en": "Scale"},
})


def _check_lang(lang: str) -> str:
    if lang not in i18n.LANGUAGES:
        raise GeoInputError(f"unknown language {lang!r}.", fix=f"use one of {list(i18n.LANGUAGES)}.")
    return lang


# --------------------------------------------------------------------------------------------
# Offline assets
# --------------------------------------------------------------------------------------------
#: Every URL that folium 0.20 (and the plugins this module uses) links, mapped to the vendored
#: file under ``geo/static`` (or to folium's own copy). ``None``: deliberately dropped (the
#: Bootstrap 3.0.0 glyphicons stylesheet: not on the npm registry, and no map here uses
#: glyphicon icons; use ``folium.Icon(prefix="fa")``).
CDN_FILES: dict[str, str | Path | None] = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet-1.9.3/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet-1.9.3/leaflet.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery-3.7.1/jquery.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js":
        "bootstrap-5.2.2/bootstrap.bundle.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css":
        "bootstrap-5.2.2/bootstrap.min.css",
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": None,
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css":
        "fontawesome-free-6.2.0/css/all.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js":
        "leaflet.awesome-markers-2.0.2/leaflet.awesome-markers.js",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css":
        "leaflet.awesome-markers-2.0.2/leaflet.awesome-markers.css",
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css":
        "folium-0.20.0/leaflet.awesome.rotate.css",
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js":
        "leaflet.fullscreen-3.0.0/Control.FullScreen.js",
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css":
        "leaflet.fullscreen-3.0.0/Control.FullScreen.css",
    "https://cdn.jsdelivr.net/gh/python-visualization/folium@main/folium/templates/leaflet_heat.min.js":
        _FOLIUM_TEMPLATES / "leaflet_heat.min.js",
    # the project's own assets
    "geo-static:geo-map.css": "geo/geo-map.css",
    "geo-static:leaflet-icons.js": None,  # generated: see _icon_patch_js
}

_LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
_LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
_GEO_CSS = "geo-static:geo-map.css"
_ICONS_JS = "geo-static:leaflet-icons.js"
_AWESOME_JS = [
    ("awesome_markers", "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js"),
]
_AWESOME_CSS = [
    ("awesome_markers_font_css", "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css"),
    ("awesome_markers_css", "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css"),
    ("awesome_rotate_css", "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css"),
]
_MIME = {
    ".png": "image/png", ".svg": "image/svg+xml", ".woff2": "font/woff2", ".woff": "font/woff",
    ".ttf": "font/ttf", ".gif": "image/gif", ".jpg": "image/jpeg", ".css": "text/css",
    ".js": "text/javascript",
}


class OfflineAssetError(RuntimeError):
    """A map links a web asset that has no vendored copy (it would need internet)."""


def _data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _local_file(url: str) -> Path | None:
    if url not in CDN_FILES:
        raise OfflineAssetError(
            f"the map links {url}, which has no offline copy in {STATIC_DIR}. Vendor it "
            "(geo/static/vendor.sh) and add it to geo.maps.CDN_FILES, or do not use that plugin."
        )
    rel = CDN_FILES[url]
    if rel is None:
        return None
    return rel if isinstance(rel, Path) else STATIC_DIR / rel


_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)")


def _inline_css_urls(css: str, base: Path) -> str:
    """Replace relative ``url(...)`` references of a stylesheet by ``data:`` URIs."""

    def repl(m: re.Match) -> str:
        ref = m.group(2)
        if ref.startswith(("data:", "#")):
            return m.group(0)
        if re.match(r"^[a-z]+:", ref) or ref.startswith("//"):
            raise OfflineAssetError(f"{base}: stylesheet references {ref}, which needs internet.")
        path = (base / ref.split("?")[0].split("#")[0]).resolve()
        if not path.is_file():
            raise OfflineAssetError(f"{base}: stylesheet references {ref}, not vendored.")
        return f'url("{_data_uri(path.read_bytes(), _MIME.get(path.suffix, "application/octet-stream"))}")'

    return _CSS_URL.sub(repl, css)


def _icon_patch_js() -> str:
    """Script that gives Leaflet's default marker icon ``data:`` URIs (no image folder)."""
    img = STATIC_DIR / "leaflet-1.9.3" / "images"
    uris = {
        name: _data_uri((img / name).read_bytes(), "image/png")
        for name in ("marker-icon.png", "marker-icon-2x.png", "marker-shadow.png")
    }
    return (
        "(function(){if(!window.L||!L.Icon||!L.Icon.Default)return;var u="
        + json.dumps(uris)
        + ";L.Icon.Default.prototype._getIconUrl=function(n){"
        "var f=L.Icon.prototype._getIconUrl.call(this,n);return u[f]||f;};})();"
    )


@functools.lru_cache(maxsize=64)
def asset_text(url: str) -> tuple[str, str] | None:
    """The offline content of a web asset that folium links.

    Parameters
    ----------
    url : str
        A URL from an element's ``default_js`` / ``default_css`` (see :data:`CDN_FILES`).

    Returns
    -------
    (kind, text) or None
        ``kind`` is ``"js"`` or ``"css"``; stylesheets have their images and fonts inlined as
        ``data:`` URIs. ``None`` for assets that are deliberately dropped.

    Raises
    ------
    OfflineAssetError
        When the URL has no vendored copy.
    """
    if url == _ICONS_JS:
        return "js", _icon_patch_js()
    path = _local_file(url)
    if path is None:
        return None
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".css":
        return "css", _inline_css_urls(text, path.parent)
    return "js", text


def asset_data_uri(url: str) -> str | None:
    """:func:`asset_text` as a ``data:`` URI (for ``<script src>`` / ``<link href>``)."""
    got = asset_text(url)
    if got is None:
        return None
    kind, text = got
    return _data_uri(text.encode("utf-8"), "text/javascript" if kind == "js" else "text/css")


def _walk(el):
    yield el
    for child in getattr(el, "_children", {}).values():
        yield from _walk(child)


def _ensure_assets(m: folium.Map) -> None:
    """Give the map the asset list its elements need (awesome markers only when used)."""
    if getattr(m, "_geo_full_assets", False):
        return
    uses_awesome = any(isinstance(el, folium.Icon) for el in _walk(m))
    js = [("leaflet", _LEAFLET_JS), ("geo_icons", _ICONS_JS)]
    css = [("leaflet_css", _LEAFLET_CSS), ("geo_css", _GEO_CSS)]
    if uses_awesome:
        js += _AWESOME_JS
        css += _AWESOME_CSS
    m.default_js = js
    m.default_css = css


def offline_map(
    *,
    location: Sequence[float] | None = None,
    zoom_start: int = 8,
    tiles: str | None = None,
    lang: str = i18n.DEFAULT_LANGUAGE,
    full_assets: bool = False,
    **kwargs,
) -> folium.Map:
    """A ``folium.Map`` whose assets all come from ``geo/static`` (no CDN).

    Parameters
    ----------
    location : (lat, lon), optional
        Initial centre (degrees); usually the view is set later with ``fit_bounds``.
    zoom_start : int, default 8
    tiles : {None, "osm"}, default None
        ``None``: no base-map tiles (works offline; use vector layers as the base).
        ``"osm"``: add OpenStreetMap tiles as a switchable layer (needs internet).
    lang : {"lv", "en"}, default "lv"
        Language of the tile layer's name.
    full_assets : bool, default False
        Keep folium's whole default asset set (jQuery, Bootstrap, Font Awesome, awesome
        markers), served locally. By default only Leaflet is linked, plus the awesome-marker
        set when the map contains a ``folium.Icon``.
    **kwargs
        Passed to ``folium.Map``.

    Returns
    -------
    folium.Map
    """
    _check_lang(lang)
    if tiles not in (None, "osm"):
        raise GeoInputError(f"unknown tiles {tiles!r}.", fix='use None (offline) or "osm".')
    kwargs.setdefault("control_scale", True)
    m = folium.Map(location=location, zoom_start=zoom_start, tiles=None, **kwargs)
    m._geo_full_assets = full_assets
    if not full_assets:
        _ensure_assets(m)
    if tiles == "osm":
        folium.TileLayer("OpenStreetMap", name=t("map.osm_tiles", lang), overlay=True,
                         control=True, show=True).add_to(m)
    return m


def _root_html(m) -> str:
    if isinstance(m, folium.Map):
        _ensure_assets(m)
    return m.get_root().render()


_SCRIPT_SRC = re.compile(r'<script src="([^"]+)"></script>')
_CSS_LINK = re.compile(r'<link rel="stylesheet" href="([^"]+)"/>')


def to_html(m: folium.Map | str) -> str:
    """Standalone HTML of a map with every script, stylesheet, image and font inlined.

    Parameters
    ----------
    m : folium.Map or str
        A map, or HTML rendered by folium.

    Returns
    -------
    str
        One HTML document that needs no network (except an optional OSM tile layer).

    Raises
    ------
    OfflineAssetError
        When the map links an asset that has no vendored copy.
    """
    doc = m if isinstance(m, str) else _root_html(m)

    def js(match: re.Match) -> str:
        got = asset_text(html_lib.unescape(match.group(1)))
        if got is None:
            return ""
        return "<script>" + got[1].replace("</script", "<\\/script") + "\n</script>"

    def css(match: re.Match) -> str:
        got = asset_text(html_lib.unescape(match.group(1)))
        if got is None:
            return ""
        return "<style>" + got[1].replace("</style", "<\\/style") + "\n</style>"

    doc = _SCRIPT_SRC.sub(js, doc)
    doc = _CSS_LINK.sub(css, doc)
    left = external_refs(doc)
    if left:
        raise OfflineAssetError(f"the map still links external resources: {left}")
    return doc


_EXT_REF = re.compile(
    r"<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)",
    re.IGNORECASE,
)


def external_refs(doc: str) -> list[str]:
    """URLs of scripts, stylesheets, images and frames that a page would fetch from a network."""
    return _EXT_REF.findall(doc)


# --------------------------------------------------------------------------------------------
# Streamlit
# --------------------------------------------------------------------------------------------
def for_streamlit(m: folium.Map, *, copy_map: bool = True) -> folium.Map:
    """A copy of ``m`` whose asset links are ``data:`` URIs, ready for ``st_folium``.

    streamlit-folium's frontend contains no Leaflet: it adds a ``<script src>`` for every URL
    in the elements' ``default_js`` (and a ``<link>`` per ``default_css``). With ``data:``
    URIs nothing is fetched. (``st_folium`` also renames the elements of the map it is given,
    hence the copy.)

    Parameters
    ----------
    m : folium.Map
    copy_map : bool, default True
        Work on a deep copy (``m`` stays usable for :func:`to_html`).

    Returns
    -------
    folium.Map

    Raises
    ------
    OfflineAssetError
        For a branca colormap (streamlit-folium always adds d3 from a CDN for those) or an
        asset without a vendored copy.
    """
    import branca.colormap

    m = copy.deepcopy(m) if copy_map else m
    _ensure_assets(m)
    for el in _walk(m):
        if isinstance(el, branca.colormap.ColorMap):
            raise OfflineAssetError(
                "branca colormaps make streamlit-folium load d3 from a CDN; use the map's "
                "own legend (geo.maps.make_map) instead."
            )
        if isinstance(el, JSCSSMixin):
            for attr in ("default_js", "default_css"):
                links = []
                for name, url in getattr(el, attr):
                    uri = url if url.startswith("data:") else asset_data_uri(url)
                    if uri is not None:
                        links.append((name, uri))
                setattr(el, attr, links)
    return m


def render_streamlit(
    m: folium.Map,
    *,
    height: int = 600,
    width: int | None = None,
    interactive: bool = True,
    key: str | None = None,
    returned_objects: Iterable[str] | None = ("last_object_clicked", "last_object_clicked_tooltip"),
):
    """Show a map in a Streamlit app without internet.

    Parameters
    ----------
    m : folium.Map
    height : int, default 600
        Height in pixels.
    width : int, optional
        Width in pixels (default: the container's width).
    interactive : bool, default True
        ``True``: ``streamlit_folium.st_folium`` with ``data:`` URI assets (see
        :func:`for_streamlit`); returns what the user clicked. ``False``: the standalone HTML
        of :func:`to_html` in ``streamlit.components.v1.html`` (nothing is returned).
    key : str, optional
        Streamlit widget key (interactive mode).
    returned_objects : iterable of str, optional
        What ``st_folium`` sends back (fewer = fewer reruns); ``None`` for everything.

    Returns
    -------
    dict or None
        ``st_folium``'s result in interactive mode.
    """
    if interactive:
        from streamlit_folium import st_folium

        return st_folium(
            for_streamlit(m), height=height, width=width, key=key,
            returned_objects=None if returned_objects is None else list(returned_objects),
            use_container_width=width is None,
        )
    import streamlit.components.v1 as components

    components.html(to_html(m), height=height + 10, width=width, scrolling=False)
    return None


# --------------------------------------------------------------------------------------------
# Layer model
# --------------------------------------------------------------------------------------------
@dataclass
class LegendItem:
    """One legend row: a symbol (``fill``, ``line``, ``circle``, ``square``) and a label."""

    label: str
    color: str
    symbol: str = "fill"
    width: float = 2.0
    dash: str | None = None
    stroke: str | None = None


@dataclass
class MapLayer:
    """A layer ready to draw with folium (:func:`make_map`) or matplotlib (:func:`plot_map`).

    Attributes
    ----------
    key : str
        Stable layer id (``"roads"``, ``"schools"`` ...); also the GeoPackage layer name.
    name : str
        Display name in the map's language (layer control and legend heading).
    data : geopandas.GeoDataFrame
        EPSG:4326 geometry (simplified for display) with the style columns ``_c`` (colour),
        ``_w`` (line width, px), ``_r`` (marker radius, px) and the display fields.
    kind : {"polygon", "line", "point"}
    fields : list of (column, label)
        Shown in the tooltip (or popup when ``popup``).
    legend : list of LegendItem
    source : geopandas.GeoDataFrame
        The input rows (all columns, EPSG:4326, not simplified): what reports export.
    """

    key: str
    name: str
    data: gpd.GeoDataFrame
    kind: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    legend: list[LegendItem] = field(default_factory=list)
    popup: bool = False
    show: bool = True
    marker: str = "circle"
    fill_opacity: float = 0.7
    stroke: str | None = None
    stroke_width: float = 0.0
    dash: str | None = None
    note: str | None = None
    attribution: str | None = None
    source: gpd.GeoDataFrame | None = None


#: Drawing order (bottom to top) by layer key.
Z_ORDER = ("broadband", "travel_time", "catchments", "isochrones", "white_spots", "roads",
           "boundaries", "dormitories", "schools")


def _z(layer: MapLayer) -> int:
    return Z_ORDER.index(layer.key) if layer.key in Z_ORDER else len(Z_ORDER)


# --------------------------------------------------------------------------------------------
# Input preparation
# --------------------------------------------------------------------------------------------
#: Rough bounding box of Latvia (lon/lat) to choose LKS-92 for metric work.
_LATVIA_BBOX = (20.8, 55.6, 28.3, 58.1)


def _metric_crs(gdf: gpd.GeoDataFrame):
    if gdf.crs.is_projected:
        return gdf.crs
    w, s, e, n = gdf.to_crs(settings.WGS84).total_bounds
    cx, cy = (w + e) / 2, (s + n) / 2
    x0, y0, x1, y1 = _LATVIA_BBOX
    if x0 <= cx <= x1 and y0 <= cy <= y1:
        return settings.LATVIA_CRS
    return gdf.estimate_utm_crs()


def _prepare(gdf, what: str, *, simplify_m: float = 0.0, columns: Sequence[str] = ()) -> tuple:
    """Validate a layer; return (source in EPSG:4326, display copy simplified)."""
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise GeoInputError(f"{what}: expected a GeoDataFrame, got {type(gdf).__name__}.",
                            path=getattr(gdf, "attrs", {}).get("source"))
    src = gdf.attrs.get("source")
    if gdf.crs is None:
        raise GeoInputError(f"{what} layer has no coordinate reference system.", path=src,
                            fix="set it, e.g. gdf.set_crs('EPSG:3059') for LKS-92 metres.")
    missing = [c for c in columns if c not in gdf.columns]
    if missing:
        raise GeoInputError(f"{what} layer has no column(s) {missing}; columns are "
                            f"{[c for c in gdf.columns if c != gdf.geometry.name]}.", path=src,
                            fix="rename the column or name it with the matching keyword.")
    geom = gdf.geometry
    keep = geom.notna().to_numpy() & ~geom.is_empty.to_numpy()
    gdf = gdf.loc[keep]
    if len(gdf) and not shapely.is_valid(gdf.geometry.values).all():
        gdf = gdf.set_geometry(shapely.make_valid(gdf.geometry.values))
    if simplify_m > 0 and len(gdf):
        crs = _metric_crs(gdf)
        g = gdf.geometry.to_crs(crs)
        g = gpd.GeoSeries(shapely.simplify(g.values, simplify_m, preserve_topology=True),
                          index=g.index, crs=crs)
        disp = gdf.set_geometry(g.to_crs(settings.WGS84).values, crs=settings.WGS84)
    else:
        disp = gdf.to_crs(settings.WGS84)
    return gdf.to_crs(settings.WGS84), disp


def _pick(gdf, given: str | None, candidates: Sequence[str]) -> str | None:
    if given is not None:
        return given
    for c in candidates:
        if c in gdf.columns:
            return c
    return None


def _fmt(values, decimals: int = 0) -> list[str]:
    """Display strings: numbers rounded, missing or infinite as an en dash."""
    out = []
    for v in values:
        if v is None or (isinstance(v, (float, np.floating)) and not math.isfinite(float(v))):
            out.append("–")
        elif isinstance(v, (int, float, np.integer, np.floating)):
            out.append(f"{float(v):.{decimals}f}" if decimals else f"{round(float(v)):d}")
        elif pd.isna(v):
            out.append("–")
        else:
            out.append(str(v))
    return out


def _num(series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)


def band_index(values, bands: Sequence[float]) -> np.ndarray:
    """Band of each value: ``i`` for ``bands[i] <= v < bands[i+1]``, the last band open-ended,
    ``-1`` for NaN, infinite or below ``bands[0]``."""
    v = np.asarray(values, dtype=float)
    idx = np.digitize(v, np.asarray(bands, dtype=float)) - 1
    idx[~np.isfinite(v) | (v < bands[0])] = -1
    return idx


def band_labels(bands: Sequence[float], *, open_end: bool = True) -> list[str]:
    """``["0–10", "10–20", ..., "60+"]``."""

    def f(x):
        return f"{x:g}"

    labels = [f"{f(a)}–{f(b)}" for a, b in zip(bands[:-1], bands[1:], strict=True)]
    if open_end:
        labels.append(f"{f(bands[-1])}+")
    return labels


# --------------------------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------------------------
#: Road classes of the map (by OSM ``highway``): colour, line width (px), dash pattern.
ROAD_CLASSES: dict[str, tuple[tuple[str, ...], str, float, str | None]] = {
    "main": (("motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link"),
             "#4d4d4d", 3.5, None),
    "secondary": (("secondary", "secondary_link"), "#5e5e5e", 2.6, None),
    "tertiary": (("tertiary", "tertiary_link"), "#707070", 1.8, None),
    "local": (("unclassified", "residential", "living_street", "road", "service"),
              "#8f8f8f", 1.0, None),
    "track": (("track",), "#a8a8a8", 0.9, "4 3"),
}


def roads_layer(
    roads: gpd.GeoDataFrame,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    highway: str = "highway",
    classes: Sequence[str] = tuple(ROAD_CLASSES),
    simplify_m: float | None = None,
    show: bool = True,
) -> MapLayer:
    """Roads drawn by class, merged into one multi-line per class (small files, fast maps).

    Parameters
    ----------
    roads : GeoDataFrame
        Lines in any CRS with an OSM ``highway`` column (e.g. ``Network.roads_gdf()``).
    lang : {"lv", "en"}
    highway : str, default "highway"
        Column with the OSM highway class.
    classes : sequence of str, default all of :data:`ROAD_CLASSES`
        Classes to draw (``main``, ``secondary``, ``tertiary``, ``local``, ``track``).
    simplify_m : float, optional
        Simplification tolerance, metres (default ``settings.MAP_SIMPLIFY_M["roads"]``).
    show : bool, default True
        Visible when the map opens.

    Returns
    -------
    MapLayer
    """
    _check_lang(lang)
    tol = settings.MAP_SIMPLIFY_M["roads"] if simplify_m is None else simplify_m
    src, disp = _prepare(roads, "roads", simplify_m=tol, columns=[highway])
    hw_class = {hw: c for c, (hws, *_rest) in ROAD_CLASSES.items() for hw in hws}
    cls = disp[highway].map(hw_class).to_numpy()
    rows = []
    legend = []
    for c in classes:
        if c not in ROAD_CLASSES:
            raise GeoInputError(f"unknown road class {c!r}.", fix=f"use some of {list(ROAD_CLASSES)}.")
        _, color, width, dash = ROAD_CLASSES[c]
        sel = cls == c
        label = t(f"map.road.{c}", lang)
        legend.append(LegendItem(label, color, "line", width, dash))
        if not sel.any():
            continue
        parts = shapely.get_parts(disp.geometry.values[sel])
        parts = parts[shapely.get_type_id(parts) == 1]
        rows.append({"_c": color, "_w": width, "_d": dash or "", "f0": label,
                     "geometry": shapely.multilinestrings(parts)})
    data = gpd.GeoDataFrame(rows, columns=["_c", "_w", "_d", "f0", "geometry"],
                            geometry="geometry", crs=settings.WGS84)
    return MapLayer("roads", t("map.roads", lang), data, "line",
                    fields=[("f0", t("map.field.road_class", lang))], legend=legend, show=show,
                    attribution="© OpenStreetMap contributors", source=src)


#: School categories: colour (Okabe-Ito palette, colour-blind safe) and the words that mark
#: them in a type or name (Latvian and English, lower case; checked in this order).
SCHOOL_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "special": ("#cc79a7", ("speciāl", "internātskol", "attīstības centr", "special")),
    "vocational": ("#0072b2", ("profesionāl", "tehnikum", "koledž", "vocational", "college")),
    "secondary": ("#009e73", ("vidusskol", "ģimnāzij", "gimnazij", "licej", "secondary",
                              "gymnasium", "high school")),
    "basic": ("#56b4e9", ("pamatskol", "basic")),
    "primary": ("#e69f00", ("sākumskol", "primary", "elementary")),
    "other": ("#999999", ()),
}


def school_category(type_text=None, *, name=None, isced=None) -> str:
    """Category key of :data:`SCHOOL_TYPES` from a type text, a name or an ISCED level.

    The type text is read first (e.g. IZM's ``Iestādes tips`` "Vispārizglītojošā pamatskola"),
    then OSM ``isced:level`` (highest level: 1 primary, 2 basic, 3 secondary), then the name.
    """
    cat = _category_from_text(type_text)
    if cat is None and isced is not None and not pd.isna(isced):
        levels = [int(x) for x in re.findall(r"\d", str(isced))]
        if levels:
            top = max(levels)
            cat = "primary" if top <= 1 else "basic" if top == 2 else "secondary"
    if cat is None:
        cat = _category_from_text(name)
    return cat or "other"


def _category_from_text(text) -> str | None:
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return None
    low = str(text).lower()
    for cat, (_, words) in SCHOOL_TYPES.items():
        if any(w in low for w in words):
            return cat
    return None


def _scaled_radius(values: np.ndarray, *, rmin: float = 4.0, rmax: float = 14.0,
                   default: float = 6.0) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v) & (v >= 0)
    out = np.full(len(v), default)
    if ok.any() and np.nanmax(v[ok]) > 0:
        out[ok] = rmin + (rmax - rmin) * np.sqrt(v[ok] / np.nanmax(v[ok]))
    return np.round(out, 1)


def schools_layer(
    schools: gpd.GeoDataFrame,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    name: str | None = None,
    school_type: str | None = None,
    pupils: str | None = None,
    capacity: str | None = None,
    show: bool = True,
) -> MapLayer:
    """Schools as circles coloured by type, sized by pupils, with a popup.

    Parameters
    ----------
    schools : GeoDataFrame
        Points (or polygons: their representative point) in any CRS.
    lang : {"lv", "en"}
    name, school_type, pupils, capacity : str, optional
        Columns. Defaults are found by name: ``name`` / ``Iestādes nosaukums``;
        ``type`` / ``Iestādes tips`` / ``school`` (type text; OSM ``isced:level`` is used
        too); ``pupils`` / ``Kopā 1.-12.klasē``; ``capacity``.
    show : bool, default True

    Returns
    -------
    MapLayer
        Popup with name, type, pupils and capacity. Circle area is proportional to pupils
        (6 px when unknown).
    """
    _check_lang(lang)
    cols = [c for c in (name, school_type, pupils, capacity) if c is not None]
    src, disp = _prepare(schools, "schools", columns=cols)
    disp = _as_points(disp)
    name = _pick(disp, name, ("name", "Iestādes nosaukums", "name:lv", "official_name"))
    school_type = _pick(disp, school_type, ("type", "school_type", "Iestādes tips", "school"))
    pupils = _pick(disp, pupils, ("pupils", "pupils_1_12", "Kopā 1.-12.klasē", "students"))
    capacity = _pick(disp, capacity, ("capacity", "Ietilpība"))
    n = len(disp)

    def col(c):
        return disp[c].to_numpy() if c is not None else np.full(n, None, dtype=object)

    types, names, isced = col(school_type), col(name), col("isced:level" if "isced:level" in disp else None)
    cats = np.array([school_category(a, name=b, isced=c) for a, b, c in
                     zip(types, names, isced, strict=True)], dtype=object)
    npupils = _num(disp[pupils]) if pupils else np.full(n, np.nan)
    data = gpd.GeoDataFrame({
        "_c": [SCHOOL_TYPES[c][0] for c in cats],
        "_r": _scaled_radius(npupils),
        "f0": _fmt(names),
        "f1": [t(f"map.school_type.{c}", lang) for c in cats],
        "f2": _fmt(npupils),
        "f3": _fmt(_num(disp[capacity]) if capacity else np.full(n, np.nan)),
    }, geometry=disp.geometry.values, crs=settings.WGS84)
    present = [c for c in SCHOOL_TYPES if (cats == c).any()]
    legend = [LegendItem(t(f"map.school_type.{c}", lang), SCHOOL_TYPES[c][0], "circle")
              for c in present]
    fields = [("f0", t("map.field.name", lang)), ("f1", t("map.field.type", lang)),
              ("f2", t("map.field.pupils", lang)), ("f3", t("map.field.capacity", lang))]
    return MapLayer("schools", t("map.schools", lang), data, "point", fields=fields,
                    legend=legend, popup=True, show=show, fill_opacity=0.9, stroke="#222222",
                    stroke_width=1.0, source=src)


def _as_points(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    geom = gdf.geometry.values
    if len(gdf) and not (shapely.get_type_id(geom) == 0).all():
        pts = np.where(shapely.get_type_id(geom) == 0, geom, shapely.point_on_surface(geom))
        return gdf.set_geometry(gpd.GeoSeries(pts, index=gdf.index, crs=gdf.crs))
    return gdf


def dormitories_layer(
    dormitories: gpd.GeoDataFrame,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    name: str | None = None,
    beds: str | None = None,
    color: str = "#6a3d9a",
    show: bool = True,
) -> MapLayer:
    """Dormitories (dienesta viesnīcas) as squares with a popup (name, beds).

    Parameters
    ----------
    dormitories : GeoDataFrame
        Points (or polygons) in any CRS.
    lang : {"lv", "en"}
    name, beds : str, optional
        Columns (defaults ``name``; ``beds`` / ``capacity``).
    color : str, default "#6a3d9a"
    show : bool, default True

    Returns
    -------
    MapLayer
    """
    _check_lang(lang)
    src, disp = _prepare(dormitories, "dormitories",
                         columns=[c for c in (name, beds) if c is not None])
    disp = _as_points(disp)
    name = _pick(disp, name, ("name", "name:lv", "official_name"))
    beds = _pick(disp, beds, ("beds", "capacity"))
    n = len(disp)
    data = gpd.GeoDataFrame({
        "_c": [color] * n,
        "_r": [6.0] * n,
        "f0": _fmt(disp[name].to_numpy()) if name else ["–"] * n,
        "f1": _fmt(_num(disp[beds])) if beds else ["–"] * n,
    }, geometry=disp.geometry.values, crs=settings.WGS84)
    label = t("map.dormitories", lang)
    return MapLayer("dormitories", label, data, "point",
                    fields=[("f0", t("map.field.name", lang)), ("f1", t("map.field.beds", lang))],
                    legend=[LegendItem(label, color, "square")], popup=True, show=show,
                    marker="square", fill_opacity=1.0, stroke="#ffffff", stroke_width=2.0,
                    source=src)


def _merge_bands(data: gpd.GeoDataFrame, labels: dict[str, str], population) -> gpd.GeoDataFrame:
    """One polygon per colour band (cells are a coverage: merged with GEOS CoverageUnion)."""
    rows = []
    pop = None if population is None else np.asarray(population, dtype=float)
    for color, idx in data.groupby("_c", sort=False).indices.items():
        geoms = data.geometry.values[idx]
        try:
            merged = shapely.coverage_union_all(geoms)
        except shapely.errors.GEOSException:
            merged = shapely.union_all(geoms)
        total = "–" if pop is None else _fmt([np.nansum(pop[idx])])[0]
        rows.append({"_c": color, "f0": labels.get(color, "–"), "f1": total, "geometry": merged})
    return gpd.GeoDataFrame(rows, columns=["_c", "f0", "f1", "geometry"], geometry="geometry",
                            crs=settings.WGS84)


def _maybe_merge(data, kind, dissolve, labels, population):
    if kind == "point" or not len(data):
        return data, False
    if dissolve is None:
        dissolve = len(data) > settings.MAP_MAX_CELLS
    if not dissolve:
        return data, False
    return _merge_bands(data, labels, population), True


def _time_minutes(gdf: gpd.GeoDataFrame, time_col: str | None) -> tuple[np.ndarray, str]:
    if time_col is None:
        time_col = _pick(gdf, None, ("time_min", "time_s"))
        if time_col is None:
            raise GeoInputError(
                "travel-time layer has no column 'time_min' or 'time_s'.",
                path=gdf.attrs.get("source"),
                fix="join geo.access.nearest_facility(...) results or name the column with time_col=.",
            )
    v = _num(gdf[time_col])
    if time_col.endswith("_s"):
        v = v / 60.0
    return v, time_col


def travel_time_layer(
    cells: gpd.GeoDataFrame,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    time_col: str | None = None,
    population: str | None = None,
    school: str | None = None,
    bands: Sequence[float] = settings.MAP_TIME_BANDS_MIN,
    colors: Sequence[str] = settings.MAP_TIME_COLORS,
    dissolve: bool | None = None,
    show: bool = True,
) -> MapLayer:
    """Travel time to the nearest school as a graded choropleth of population cells (or points).

    Parameters
    ----------
    cells : GeoDataFrame
        Population cells (polygons) or points in any CRS, with a travel time.
    lang : {"lv", "en"}
    time_col : str, optional
        Time column: minutes, or seconds when the name ends in ``_s`` (default ``time_min``
        or ``time_s``). NaN or inf: not reachable (grey).
    population : str, optional
        Population column shown in the tooltip (default ``population`` or ``T``).
    school : str, optional
        Column with the nearest school's name or id (default ``school_name`` or
        ``facility_id``).
    bands : sequence of float, default settings.MAP_TIME_BANDS_MIN
        Band edges in minutes, 0-10-20-30-45-60+.
    colors : sequence of str, default settings.MAP_TIME_COLORS
        One colour per band (viridis, colour-blind safe).
    dissolve : bool, optional
        Draw one merged polygon per band (tooltip: band and its population) instead of one
        per cell. Default: when there are more than ``settings.MAP_MAX_CELLS`` cells.
    show : bool, default True

    Returns
    -------
    MapLayer
    """
    _check_lang(lang)
    if len(colors) != len(bands):
        raise GeoInputError(f"{len(bands)} bands need {len(bands)} colours, got {len(colors)}.")
    src, disp = _prepare(cells, "travel-time", simplify_m=settings.MAP_SIMPLIFY_M["cells"],
                         columns=[c for c in (time_col, population, school) if c is not None])
    minutes, _ = _time_minutes(disp, time_col)
    population = _pick(disp, population, ("population", "T", "pop"))
    school = _pick(disp, school, ("school_name", "facility_name", "facility_id"))
    idx = band_index(minutes, bands)
    palette = np.array(list(colors) + [settings.MAP_UNREACHABLE_COLOR], dtype=object)
    n = len(disp)
    data = gpd.GeoDataFrame({
        "_c": palette[idx],
        "f0": _fmt(minutes, 1),
        "f1": _fmt(_num(disp[population])) if population else ["–"] * n,
        "f2": _fmt(disp[school].to_numpy()) if school else ["–"] * n,
    }, geometry=disp.geometry.values, crs=settings.WGS84)
    fields = [("f0", t("map.field.time", lang)), ("f1", t("map.field.population", lang))]
    if school:
        fields.append(("f2", t("map.field.school", lang)))
    kind = _kind(data)
    sym = "circle" if kind == "point" else "fill"
    legend = [LegendItem(lab, c, sym) for lab, c in zip(band_labels(bands), colors, strict=True)]
    if (idx < 0).any():
        legend.append(LegendItem(t("map.unreachable", lang), settings.MAP_UNREACHABLE_COLOR, sym))
    data, merged = _maybe_merge(data, kind, dissolve, {it.color: it.label for it in legend},
                                _num(disp[population]) if population else None)
    if merged:
        fields = fields[:2]
    if kind == "point":
        data["_r"] = 4.0
    return MapLayer("travel_time", t("map.travel_time", lang), data, kind, fields=fields,
                    legend=legend, show=show, fill_opacity=0.75, source=src)


def _kind(gdf: gpd.GeoDataFrame) -> str:
    if not len(gdf):
        return "polygon"
    tid = shapely.get_type_id(gdf.geometry.values)
    if (tid == 0).all() or (tid == 4).all():
        return "point"
    if np.isin(tid, (1, 2, 5)).all():
        return "line"
    return "polygon"


def isochrones_layer(
    isochrones: gpd.GeoDataFrame,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    minutes: str = "minutes",
    bands: Sequence[float] = settings.MAP_TIME_BANDS_MIN,
    colors: Sequence[str] = settings.MAP_TIME_COLORS,
    simplify_m: float | None = None,
    show: bool = True,
) -> MapLayer:
    """Isochrone polygons (e.g. ``geo.access.isochrones``), coloured like the time bands.

    Parameters
    ----------
    isochrones : GeoDataFrame
        Polygons in any CRS with a ``minutes`` column (the time limit).
    lang : {"lv", "en"}
    minutes : str, default "minutes"
    bands, colors : sequence
        As in :func:`travel_time_layer`; a limit of X minutes takes the colour of the band
        that ends at X.
    simplify_m : float, optional
        Default ``settings.MAP_SIMPLIFY_M["isochrones"]``.
    show : bool, default True

    Returns
    -------
    MapLayer
        Larger limits are drawn first so smaller ones stay visible.
    """
    _check_lang(lang)
    tol = settings.MAP_SIMPLIFY_M["isochrones"] if simplify_m is None else simplify_m
    src, disp = _prepare(isochrones, "isochrones", simplify_m=tol, columns=[minutes])
    mins = _num(disp[minutes])
    order = np.argsort(-mins, kind="stable")
    disp, mins = disp.iloc[order], mins[order]
    # colour of the band whose upper edge is the limit (10 min -> band 0-10)
    idx = np.clip(band_index(mins - 1e-9, bands), 0, len(colors) - 1)
    colors_arr = np.asarray(colors, dtype=object)
    fid = disp["facility_id"].to_numpy() if "facility_id" in disp else [None] * len(disp)
    data = gpd.GeoDataFrame({
        "_c": colors_arr[idx],
        "f0": _fmt(mins),
        "f1": _fmt(fid),
    }, geometry=disp.geometry.values, crs=settings.WGS84)
    legend = [LegendItem(f"≤ {m:g} {t('unit.min', lang)}", colors_arr[i], "fill")
              for m, i in sorted(dict(zip(mins, idx, strict=True)).items())]
    fields = [("f0", t("map.field.minutes", lang))]
    return MapLayer("isochrones", t("map.isochrones", lang), data, "polygon", fields=fields,
                    legend=legend, show=show, fill_opacity=0.35, stroke="#333333",
                    stroke_width=0.8, source=src)


#: Qualitative palette for catchments (Okabe-Ito without black, then Tol's muted scheme).
CATCHMENT_COLORS = ("#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7",
                    "#88ccee", "#44aa99", "#117733", "#999933", "#ddcc77", "#cc6677", "#aa4499")


def catchments_layer(
    catchments: gpd.GeoDataFrame,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    name: str | None = None,
    population: str | None = "population",
    simplify_m: float | None = None,
    show: bool = True,
) -> MapLayer:
    """School catchments (e.g. ``geo.access.catchments(..., origins=cells)``), one colour each.

    Parameters
    ----------
    catchments : GeoDataFrame
        Polygons in any CRS, one row per school.
    lang : {"lv", "en"}
    name : str, optional
        School name column (default ``school_name`` / ``name`` / ``facility_id``).
    population : str, optional
        Population column shown in the tooltip when present.
    simplify_m : float, optional
        Default ``settings.MAP_SIMPLIFY_M["catchments"]``.
    show : bool, default True

    Returns
    -------
    MapLayer
    """
    _check_lang(lang)
    tol = settings.MAP_SIMPLIFY_M["catchments"] if simplify_m is None else simplify_m
    src, disp = _prepare(catchments, "catchments", simplify_m=tol)
    name = _pick(disp, name, ("school_name", "name", "facility_id"))
    n = len(disp)
    data = gpd.GeoDataFrame({
        "_c": [CATCHMENT_COLORS[i % len(CATCHMENT_COLORS)] for i in range(n)],
        "f0": _fmt(disp[name].to_numpy()) if name else ["–"] * n,
        "f1": _fmt(_num(disp[population])) if population in disp else ["–"] * n,
        "f2": _fmt(_num(disp["n_origins"])) if "n_origins" in disp else ["–"] * n,
    }, geometry=disp.geometry.values, crs=settings.WGS84)
    fields = [("f0", t("map.field.school", lang)), ("f1", t("map.field.population", lang)),
              ("f2", t("map.field.cells", lang))]
    label = t("map.catchments", lang)
    return MapLayer("catchments", label, data, "polygon", fields=fields,
                    legend=[LegendItem(label, "#e69f00", "fill", stroke="#ffffff")], show=show,
                    fill_opacity=0.35, stroke="#ffffff", stroke_width=1.2, source=src)


def white_spots_layer(
    cells: gpd.GeoDataFrame,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    threshold_min: float | None = None,
    time_col: str | None = None,
    population: str | None = None,
    color: str = settings.MAP_WHITE_SPOT_COLOR,
    dissolve: bool | None = None,
    show: bool = True,
) -> MapLayer:
    """White spots: cells from which the nearest school is farther than a threshold.

    Parameters
    ----------
    cells : GeoDataFrame
        Cells or points in any CRS with a travel time (see :func:`travel_time_layer`).
    lang : {"lv", "en"}
    threshold_min : float, optional
        Minutes; default ``settings.THRESHOLD_MIN["1-6"]``. Unreachable cells count too.
    time_col, population : str, optional
        As in :func:`travel_time_layer`.
    color : str, default settings.MAP_WHITE_SPOT_COLOR
    dissolve : bool, optional
        One merged polygon (see :func:`travel_time_layer`).
    show : bool, default True

    Returns
    -------
    MapLayer
        Only the cells beyond the threshold.
    """
    _check_lang(lang)
    thr = settings.THRESHOLD_MIN["1-6"] if threshold_min is None else float(threshold_min)
    src, disp = _prepare(cells, "white spots",
                         columns=[c for c in (time_col, population) if c is not None])
    minutes, _ = _time_minutes(disp, time_col)
    beyond = ~(minutes <= thr)  # NaN / inf count as beyond
    population = _pick(disp, population, ("population", "T", "pop"))
    sub = disp.loc[beyond]
    data = gpd.GeoDataFrame({
        "_c": [color] * len(sub),
        "f0": _fmt(minutes[beyond], 1),
        "f1": _fmt(_num(sub[population])) if population else ["–"] * len(sub),
    }, geometry=sub.geometry.values, crs=settings.WGS84)
    kind = _kind(data)
    if kind == "point":
        data["_r"] = 4.0
    item = t("map.white_spot", lang, minutes=f"{thr:g}")
    data, _ = _maybe_merge(data, kind, dissolve, {color: item},
                           _num(sub[population]) if population else None)
    label = t("map.white_spots", lang, minutes=f"{thr:g}")
    return MapLayer(
        "white_spots", label, data, kind,
        fields=[("f0", t("map.field.time", lang)), ("f1", t("map.field.population", lang))],
        legend=[LegendItem(item, color, "circle" if kind == "point" else "fill",
                           stroke="#000000")],
        show=show, fill_opacity=0.65, stroke="#000000", stroke_width=0.6,
        source=src.loc[beyond],
    )


def broadband_layer(
    cells: gpd.GeoDataFrame,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    speed_col: str = "avg_d_kbps",
    tests: str | None = "tests",
    bands: Sequence[float] = settings.MAP_BROADBAND_BANDS_MBPS,
    colors: Sequence[str] = settings.MAP_BROADBAND_COLORS,
    dissolve: bool | None = None,
    show: bool = True,
) -> MapLayer:
    """Fixed-broadband download speed per cell (Ookla open data), graded in Mbit/s.

    Parameters
    ----------
    cells : GeoDataFrame
        Cells in any CRS with a download speed column.
    lang : {"lv", "en"}
    speed_col : str, default "avg_d_kbps"
        Download speed; kbit/s when the name ends in ``kbps`` (converted), else Mbit/s.
    tests : str, optional
        Number-of-tests column shown in the tooltip when present.
    bands, colors : sequence
        Band edges (Mbit/s) and colours, default 0-30-100-300-1000+.
    dissolve : bool, optional
        One merged polygon per band (see :func:`travel_time_layer`).
    show : bool, default True

    Returns
    -------
    MapLayer
    """
    _check_lang(lang)
    src, disp = _prepare(cells, "broadband", columns=[speed_col])
    mbps = _num(disp[speed_col])
    if speed_col.endswith("kbps"):
        mbps = mbps / 1000.0
    idx = band_index(mbps, bands)
    palette = np.array(list(colors) + [settings.MAP_UNREACHABLE_COLOR], dtype=object)
    n = len(disp)
    data = gpd.GeoDataFrame({
        "_c": palette[idx],
        "f0": _fmt(mbps, 1),
        "f1": _fmt(_num(disp[tests])) if tests in disp else ["–"] * n,
    }, geometry=disp.geometry.values, crs=settings.WGS84)
    legend = [LegendItem(lab, c, "fill") for lab, c in zip(band_labels(bands), colors, strict=True)]
    kind = _kind(data)
    data, _ = _maybe_merge(data, kind, dissolve, {it.color: it.label for it in legend}, None)
    return MapLayer("broadband", t("map.broadband", lang), data, kind,
                    fields=[("f0", t("map.field.speed", lang)), ("f1", t("map.field.tests", lang))],
                    legend=legend, show=show, fill_opacity=0.8, note=t("map.broadband_note", lang),
                    attribution="Ookla Open Data (CC BY-NC-SA 4.0)", source=src)


def boundaries_layer(
    boundaries: gpd.GeoDataFrame,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    name: str | None = None,
    color: str = "#222222",
    simplify_m: float | None = None,
    show: bool = True,
) -> MapLayer:
    """Municipality boundaries as outlines (their insides stay clickable for other layers).

    Parameters
    ----------
    boundaries : GeoDataFrame
        Polygons in any CRS.
    lang : {"lv", "en"}
    name : str, optional
        Name column (default ``name``).
    color : str, default "#222222"
    simplify_m : float, optional
        Default ``settings.MAP_SIMPLIFY_M["boundaries"]``.
    show : bool, default True

    Returns
    -------
    MapLayer
    """
    _check_lang(lang)
    tol = settings.MAP_SIMPLIFY_M["boundaries"] if simplify_m is None else simplify_m
    src, disp = _prepare(boundaries, "boundaries", simplify_m=tol,
                         columns=[name] if name else [])
    name = _pick(disp, name, ("name", "NAME", "nosaukums"))
    lines = shapely.boundary(disp.geometry.values)
    data = gpd.GeoDataFrame({
        "_c": [color] * len(disp),
        "_w": [2.0] * len(disp),
        "_d": ["6 4"] * len(disp),
        "f0": _fmt(disp[name].to_numpy()) if name else ["–"] * len(disp),
    }, geometry=lines, crs=settings.WGS84)
    label = t("map.boundaries", lang)
    return MapLayer("boundaries", label, data, "line",
                    fields=[("f0", t("map.field.municipality", lang))],
                    legend=[LegendItem(label, color, "line", 2.0, "6 4")], show=show, source=src)


# --------------------------------------------------------------------------------------------
# folium rendering
# --------------------------------------------------------------------------------------------
def _round_coords(geoms, decimals: int):
    return shapely.transform(geoms, lambda xy: np.round(xy, decimals))


def feature_collection(data: gpd.GeoDataFrame, *, decimals: int = settings.MAP_COORD_DECIMALS) -> dict:
    """GeoJSON of a layer's display data with coordinates rounded to ``decimals`` places.

    Features get ids ``"0"``, ``"1"`` ...; properties are the non-geometry columns (NaN as
    null). Geometry is serialised by GEOS (``shapely.to_geojson``) in one pass.
    """
    geoms = _round_coords(np.asarray(data.geometry.values), decimals)
    parsed = json.loads("[" + ",".join(shapely.to_geojson(geoms).tolist()) + "]") if len(data) else []
    props = pd.DataFrame(data.drop(columns=data.geometry.name)).astype(object)
    props = props.where(props.notna(), None).to_dict("records")
    features = [{"type": "Feature", "id": str(i), "properties": p, "geometry": g}
                for i, (p, g) in enumerate(zip(props, parsed, strict=True))]
    return {"type": "FeatureCollection", "features": features}


def _style_function(layer: MapLayer):
    fo, stroke, sw = layer.fill_opacity, layer.stroke, layer.stroke_width
    if layer.kind == "line":
        def style(f):
            p = f["properties"]
            s = {"color": p["_c"], "weight": p.get("_w", 2.0), "opacity": 0.9}
            if p.get("_d"):
                s["dashArray"] = p["_d"]
            return s
    elif layer.kind == "point":
        def style(f):
            p = f["properties"]
            return {"fill": True, "fillColor": p["_c"], "color": stroke or p["_c"],
                    "weight": sw, "fillOpacity": fo, "opacity": 1.0, "radius": p.get("_r", 6.0)}
    else:
        def style(f):
            p = f["properties"]
            return {"fill": True, "fillColor": p["_c"], "color": stroke or p["_c"],
                    "weight": sw, "fillOpacity": fo, "opacity": 0.9 if sw else 0.0}
    return style


def layer_to_folium(layer: MapLayer) -> folium.FeatureGroup:
    """A ``folium.FeatureGroup`` drawing a :class:`MapLayer` (SVG paths, tooltips, popups)."""
    fg = folium.FeatureGroup(name=layer.name, show=layer.show, overlay=True, control=True)
    cols = ["_c"] + [c for c in ("_w", "_d", "_r") if c in layer.data] + [c for c, _ in layer.fields]
    data = feature_collection(layer.data[cols + [layer.data.geometry.name]])
    kw = {}
    if layer.kind == "point":
        if layer.marker == "square":
            size = 14
            color = layer.data["_c"].iloc[0] if len(layer.data) else "#333333"
            kw["marker"] = folium.Marker(icon=folium.DivIcon(
                html=f'<div style="background:{color}"></div>', icon_size=(size, size),
                icon_anchor=(size // 2, size // 2), class_name="geo-sq-icon"))
        else:
            kw["marker"] = folium.CircleMarker(radius=6)
    if not (layer.kind == "point" and layer.marker == "square"):
        kw["style_function"] = _style_function(layer)
    if layer.fields and len(layer.data):
        names = [c for c, _ in layer.fields]
        labels = [a for _, a in layer.fields]
        if layer.popup:
            kw["popup"] = folium.GeoJsonPopup(fields=names, aliases=labels, localize=False,
                                              labels=True)
            kw["tooltip"] = folium.GeoJsonTooltip(fields=names[:1], aliases=labels[:1],
                                                  labels=False)
        else:
            kw["tooltip"] = folium.GeoJsonTooltip(fields=names, aliases=labels, sticky=True)
    folium.GeoJson(data, name=layer.name, control=False, smooth_factor=1.0,
                   **kw).add_to(fg)
    fg._geo_layer = layer
    return fg


def _legend_symbol(item: LegendItem) -> str:
    c = html_lib.escape(item.color)
    if item.symbol == "line":
        style = f"border-top-width:{max(item.width, 1.5):.1f}px;border-top-color:{c};"
        if item.dash:
            style += "border-top-style:dashed;"
        return f'<span class="geo-sw geo-ln" style="{style}"></span>'
    if item.symbol == "circle":
        return f'<span class="geo-sw geo-pt" style="background:{c}"></span>'
    if item.symbol == "square":
        return f'<span class="geo-sw geo-sq" style="background:{c}"></span>'
    border = f"border-color:{html_lib.escape(item.stroke)};" if item.stroke else ""
    return f'<span class="geo-sw" style="background:{c};{border}"></span>'


def legend_html(layers: Sequence[MapLayer], *, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """HTML of the legend: one section per layer (top layer first), then the sources."""
    parts = []
    for layer in sorted(layers, key=_z, reverse=True):
        if not layer.legend:
            continue
        rows = "".join(
            f'<div class="geo-i">{_legend_symbol(it)}{html_lib.escape(it.label)}</div>'
            for it in layer.legend
        )
        note = f'<div class="geo-src">{html_lib.escape(layer.note)}</div>' if layer.note else ""
        single = len(layer.legend) == 1 and layer.legend[0].label == layer.name
        head = "" if single else f'<div class="geo-h">{html_lib.escape(layer.name)}</div>'
        parts.append(
            f'<div class="geo-sec" data-layer="{html_lib.escape(layer.name)}">'
            f'{head}{rows}{note}</div>'
        )
    attributions = sorted({la.attribution for la in layers if la.attribution})
    if attributions:
        parts.append(f'<div class="geo-src">{html_lib.escape(t("map.sources", lang))}: '
                     f'{html_lib.escape("; ".join(attributions))}</div>')
    return "".join(parts)


class Legend(MacroElement):
    """Legend control (bottom right) whose sections follow the layer control, and which keeps
    the layers in their drawing order when one is switched back on."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function() {
    var map = {{ this._parent.get_name() }};
    var layers = { {%- for name, fg in this.groups %}{{ name|tojson }}: {{ fg.get_name() }}{{ "," if not loop.last }}{% endfor -%} };
    var order = [{%- for name, fg in this.groups %}{{ fg.get_name() }}{{ "," if not loop.last }}{% endfor -%}];
    var control = L.control({position: {{ this.position|tojson }}});
    control.onAdd = function() {
        var div = L.DomUtil.create("div", "geo-legend");
        div.innerHTML = {{ this.html|tojson }};
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
    };
    control.addTo(map);
    function sync() {
        var secs = control.getContainer().querySelectorAll("[data-layer]");
        for (var i = 0; i < secs.length; i++) {
            var fg = layers[secs[i].getAttribute("data-layer")];
            secs[i].style.display = (!fg || map.hasLayer(fg)) ? "" : "none";
        }
        for (var j = 0; j < order.length; j++) {
            if (map.hasLayer(order[j]) && order[j].bringToFront) { order[j].bringToFront(); }
        }
    }
    map.on("overlayadd overlayremove", sync);
    setTimeout(sync, 0);  // after every layer of the script was added to the map
})();
{% endmacro %}
""")

    def __init__(self, html: str, groups: list, *, position: str = "bottomright"):
        super().__init__()
        self._name = "GeoLegend"
        self.html = html
        self.groups = groups
        self.position = position


class Title(MacroElement):
    """A title box at the top centre of the map."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function() {
    var map = {{ this._parent.get_name() }};
    var div = L.DomUtil.create("div", "geo-title", map.getContainer());
    div.innerHTML = {{ this.html|tojson }};
    L.DomEvent.disableClickPropagation(div);
})();
{% endmacro %}
""")

    def __init__(self, text: str):
        super().__init__()
        self._name = "GeoTitle"
        self.html = html_lib.escape(text)


class FitOnResize(MacroElement):
    """Fit the map to its layers again whenever its container changes size.

    A map drawn while hidden (in a Streamlit tab that is not open, a collapsed panel) has a
    zero-size container, so Leaflet fits the bounds at the wrong zoom; this re-fits it once the
    container becomes visible, and keeps ``invalidateSize`` in step with later resizes.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
(function() {
    var map = {{ this._parent.get_name() }};
    var bounds = L.latLngBounds({{ this.bounds|tojson }});
    var el = map.getContainer();
    var fitted = el.clientWidth > 0 && el.clientHeight > 0;
    if (typeof ResizeObserver === "undefined") { return; }
    new ResizeObserver(function() {
        if (el.clientWidth === 0 || el.clientHeight === 0) { return; }
        map.invalidateSize();
        if (!fitted) { map.fitBounds(bounds); fitted = true; }
    }).observe(el);
})();
{% endmacro %}
""")

    def __init__(self, bounds):
        super().__init__()
        self._name = "GeoFitOnResize"
        self.bounds = bounds


def layers_bounds(layers: Sequence[MapLayer]) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of all layers, degrees; None when all are empty."""
    b = [la.data.total_bounds for la in layers if len(la.data)]
    b = [x for x in b if np.isfinite(x).all()]
    if not b:
        return None
    arr = np.vstack(b)
    return (arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max())


def make_map(
    layers: Sequence[MapLayer],
    *,
    lang: str = i18n.DEFAULT_LANGUAGE,
    title: str | None = None,
    tiles: str | None = None,
    fullscreen: bool = True,
    legend: bool = True,
    layer_control: bool = True,
    **kwargs,
) -> folium.Map:
    """A folium map of layers that works offline (see :func:`offline_map`).

    Parameters
    ----------
    layers : sequence of MapLayer
        Drawn bottom to top in the order of :data:`Z_ORDER` (unknown keys on top).
    lang : {"lv", "en"}
    title : str, optional
        Title shown at the top of the map.
    tiles : {None, "osm"}, default None
        ``"osm"`` adds OpenStreetMap tiles (online users only).
    fullscreen, legend, layer_control : bool, default True
    **kwargs
        Passed to :func:`offline_map` / ``folium.Map``.

    Returns
    -------
    folium.Map
        Export with :func:`to_html` (or ``geo.report.export_html``); show in Streamlit with
        :func:`render_streamlit`.
    """
    _check_lang(lang)
    m = offline_map(tiles=tiles, lang=lang, **kwargs)
    ordered = sorted(layers, key=_z)
    groups = []
    for layer in ordered:
        fg = layer_to_folium(layer)
        fg.add_to(m)
        groups.append((layer.name, fg))
    bounds = layers_bounds(ordered)
    if bounds is not None:
        w, s, e, n = bounds
        m.fit_bounds([[s, w], [n, e]])
        m.add_child(FitOnResize([[s, w], [n, e]]))
    if fullscreen:
        from folium.plugins import Fullscreen

        Fullscreen(position="topleft").add_to(m)
    if layer_control:
        folium.LayerControl(collapsed=False, position="topright").add_to(m)
    if legend and ordered:
        m.add_child(Legend(legend_html(ordered, lang=lang), groups))
    if title:
        m.add_child(Title(title))
    m._geo_layers = list(ordered)
    _ensure_assets(m)
    return m


# --------------------------------------------------------------------------------------------
# Static maps (matplotlib) for PNG and PDF
# --------------------------------------------------------------------------------------------
def _nice_length(max_m: float) -> float:
    exp = 10 ** math.floor(math.log10(max_m))
    for f in (5, 2, 1):
        if f * exp <= max_m:
            return f * exp
    return exp


def plot_map(
    layers: Sequence[MapLayer],
    *,
    lang: str = i18n.DEFAULT_LANGUAGE,
    title: str | None = None,
    ax=None,
    figsize: tuple[float, float] = (11.0, 8.5),
    crs=None,
    legend: bool = True,
):
    """Static map of the same layers with matplotlib (no tiles, no network).

    Parameters
    ----------
    layers : sequence of MapLayer
        Only layers with ``show=True`` are drawn.
    lang : {"lv", "en"}
    title : str, optional
    ax : matplotlib Axes, optional
        Draw into this axes (default: a new figure).
    figsize : (float, float), default (11, 8.5)
        Inches (landscape letter/A4-like).
    crs : optional
        Projection of the plot; default LKS-92 (EPSG:3059) in Latvia, else local UTM.
    legend : bool, default True
        Legend to the right of the map, same sections as the web map.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    _check_lang(lang)
    shown = [la for la in sorted(layers, key=_z) if la.show]
    if ax is None:
        # a bare Figure (no pyplot): no GUI backend, no global state, freed when dropped
        fig = Figure(figsize=figsize, layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    non_empty = [la for la in shown if len(la.data)]
    if crs is None:
        crs = _metric_crs(pd.concat([la.data[["geometry"]] for la in non_empty])
                          if non_empty else gpd.GeoDataFrame(geometry=[], crs=settings.WGS84))
    ax.set_facecolor("#f4f3ef")
    for z, la in enumerate(non_empty):
        d = la.data.to_crs(crs)
        if la.kind == "polygon":
            d.plot(ax=ax, color=d["_c"].tolist(), alpha=la.fill_opacity, zorder=z,
                   edgecolor=la.stroke or "none", linewidth=la.stroke_width * 0.5)
        elif la.kind == "line":
            style = pd.DataFrame({
                "c": d["_c"].to_numpy(),
                "w": d["_w"].to_numpy() if "_w" in d else 1.5,
                "d": d["_d"].fillna("").to_numpy() if "_d" in d else "",
            })
            for (c, w, dash), idx in style.groupby(["c", "w", "d"]).indices.items():
                d.iloc[idx].plot(ax=ax, color=c, linewidth=w * 0.5, zorder=z,
                                 linestyle=(0, (4, 3)) if dash else "solid")
        else:
            r = (d["_r"] if "_r" in d else pd.Series(6.0, index=d.index)).to_numpy()
            ax.scatter(d.geometry.x, d.geometry.y, s=(r * 0.9) ** 2, c=d["_c"].tolist(),
                       marker="s" if la.marker == "square" else "o",
                       edgecolors=la.stroke or "none", linewidths=max(la.stroke_width * 0.6, 0.3),
                       alpha=la.fill_opacity, zorder=z + 100)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    if non_empty:
        x0, x1 = ax.get_xlim()
        length = _nice_length((x1 - x0) / 5)
        label = f"{length / 1000:g} {t('unit.km', lang)}" if length >= 1000 else f"{length:g} m"
        ax.add_artist(AnchoredSizeBar(ax.transData, length, label, "lower left", pad=0.5,
                                      frameon=True, size_vertical=(x1 - x0) / 300))
    if title:
        ax.set_title(title, fontsize=14, fontweight="bold")
    if legend and shown:
        handles = []
        for la in reversed(shown):
            if not la.legend:
                continue
            if not (len(la.legend) == 1 and la.legend[0].label == la.name):
                handles.append(Patch(visible=False, label=la.name))
            for it in la.legend:
                if it.symbol == "line":
                    handles.append(Line2D([], [], color=it.color, linewidth=it.width * 0.7,
                                          linestyle=(0, (4, 3)) if it.dash else "solid",
                                          label=it.label))
                elif it.symbol in ("circle", "square"):
                    handles.append(Line2D([], [], marker="o" if it.symbol == "circle" else "s",
                                          linestyle="none", markerfacecolor=it.color,
                                          markeredgecolor="#222222", markersize=7,
                                          label=it.label))
                else:
                    handles.append(Patch(facecolor=it.color, edgecolor=it.stroke or "#666666",
                                         linewidth=0.5, alpha=la.fill_opacity, label=it.label))
        leg = ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                        fontsize=8, frameon=False, title=t("map.legend", lang),
                        title_fontproperties={"weight": "bold"})
        for text, h in zip(leg.get_texts(), handles, strict=True):
            if isinstance(h, Patch) and not h.get_visible():
                text.set_fontweight("bold")
        attributions = sorted({la.attribution for la in shown if la.attribution})
        if attributions:
            ax.annotate(f"{t('map.sources', lang)}: {'; '.join(attributions)}", (1.0, -0.01),
                        xycoords="axes fraction", ha="right", va="top", fontsize=7, color="#555555")
    return fig


# --------------------------------------------------------------------------------------------
# Engine results -> map
# --------------------------------------------------------------------------------------------
def travel_time_layers(
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
    roads : bool, default True
        Draw the network's roads (``road_classes``).

    Returns
    -------
    (list of MapLayer, pandas.DataFrame)
        The layers, and the per-origin table of ``geo.access.nearest_facility`` with a
        ``school_name`` column.
    """
    from geo.access import catchments as catchments_table
    from geo.access import isochrones, nearest_facility

    _check_lang(lang)
    if population is None:
        population = _pick(origins, None, ("population", "T", "pop"))
    nearest = nearest_facility(net, origins, schools, facility_id=school_id,
                               population=population)
    school_name = _pick(schools, school_name, ("name", "Iestādes nosaukums"))
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
