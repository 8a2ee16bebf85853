"""Offline folium maps inside Streamlit (streamlit-folium with local assets).

Fast path for maps that change often (:func:`streamlit_payload`, :func:`overlay_script`,
:func:`render_payload`): the base map is serialised once and stays the same between reruns,
so the browser keeps its map; only the layers that changed travel, as a script that
streamlit-folium's frontend evaluates in the open map (its ``feature_group`` argument). This
uses streamlit-folium's serialisation helpers (pinned at 0.27.4 in requirements.txt).

* The base map's script and assets are served as files by the Streamlit server itself
  (:func:`served_links`), so a rerun sends their links, not megabytes of script again;
  whole pages (the Compare view's maps) are served the same way (:func:`served_page`).
* Layers of the region's cells (travel time, white spots) do not carry geometry: the cells'
  shapes are in the base map (:func:`cell_grid`), and a click sends each cell's colour and
  tooltip values (:func:`grid_layer`), which restyle polygons made once in the browser.
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import json
import tempfile
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import branca.colormap
import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import streamlit
import streamlit.components.v1 as components
import streamlit_folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template
from streamlit_folium import st_folium

from geo import i18n, settings
from geo._files import atomic_file
from geo.outputs.layers import MapLayer
from geo.outputs.web import (
    OfflineAssetError,
    _ensure_assets,
    _walk,
    _z,
    asset_data_uri,
    html_text,
    layer_to_folium,
    legend_html,
    to_html,
)


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
    m = copy.deepcopy(m) if copy_map else m
    _ensure_assets(m)
    for el in _walk(m):
        if isinstance(el, branca.colormap.ColorMap):
            raise OfflineAssetError(
                "branca colormaps make streamlit-folium load d3 from a CDN; use the map's "
                "own legend (geo.outputs.web.make_map) instead."
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
        return st_folium(
            for_streamlit(m), height=height, width=width, key=key,
            returned_objects=None if returned_objects is None else list(returned_objects),
            use_container_width=width is None,
        )

    components.html(to_html(m), height=height + 10, width=width, scrolling=False)
    return None


# --------------------------------------------------------------------------------------------
# Fast path: a base map sent once, changing layers as a script
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MapPayload:
    """What streamlit-folium's frontend needs to draw a map, computed once per map.

    Attributes
    ----------
    script, header, html : str
        The map's Leaflet script, ``<head>`` additions and body HTML.
    map_id : str
        The map's element id.
    js_links, css_links : list of str
        Assets as ``data:`` URIs (nothing is fetched).
    digest : str
        SHA-256 of the script: the component's identity (same digest = same map in the
        browser, which is then kept).
    """

    script: str
    header: str
    html: str
    map_id: str
    js_links: list
    css_links: list
    digest: str


class _ControlHook(MacroElement):
    """Makes the map's layer control reachable by :func:`overlay_script`."""

    _template = Template("""
{% macro script(this, kwargs) %}
window.geoLayerControl = {{ this.control.get_name() }};
{% endmacro %}
""")

    def __init__(self, control: folium.LayerControl):
        super().__init__()
        self._name = "GeoControlHook"
        self.control = control


# --------------------------------------------------------------------------------------------
# A cell grid sent once; per click only the cells' colours and tooltip values
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CellGrid:
    """The cells of a region, drawn in the browser from the base map (see :func:`cell_grid`).

    Attributes
    ----------
    index : pandas.Index
        The cells' labels (those of the GeoDataFrame given to :func:`cell_grid`), in the
        order of the shapes in the browser.
    shapes : str
        JSON of the shapes: per cell a list of polygons, each a list of rings, each a flat list
        of coordinates in units of ``10**-decimals`` degrees (longitude, latitude), every pair
        after the first relative to the one before; rings are not closed.
    decimals : int
        Decimal places of the coordinates.
    """

    index: pd.Index
    shapes: str
    decimals: int


def _shape_codes(geoms: np.ndarray, scale: float) -> list:
    """Per geometry ``[[ring, ...], ...]`` (polygons of rings of coordinate differences)."""
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    xy, point_of = shapely.get_coordinates(rings, return_index=True)
    ints = np.round(xy * scale).astype(np.int64)
    first = np.r_[True, point_of[1:] != point_of[:-1]]
    last = np.r_[point_of[1:] != point_of[:-1], True]
    step = np.diff(ints, axis=0, prepend=np.zeros((1, 2), np.int64))
    step[first] = ints[first]  # each ring starts from its own first point
    keep = ~last  # rings are not closed
    flat = step[keep].ravel().tolist()
    ends = np.cumsum(np.bincount(point_of[keep], minlength=len(rings)) * 2).tolist()
    out: list = [[] for _ in range(len(geoms))]
    start, prev_part = 0, -1
    for r, end in enumerate(ends):
        part = int(ring_of[r])
        if part != prev_part:
            out[int(part_of[part])].append([])
            prev_part = part
        out[int(part_of[part])][-1].append(flat[start:end])
        start = end
    return out


def cell_grid(cells: gpd.GeoDataFrame, *,
              decimals: int = settings.MAP_COORD_DECIMALS) -> CellGrid | None:
    """The polygons of ``cells`` for the base map of :func:`streamlit_payload`.

    Layers of these cells (travel time, white spots) then travel as a colour and tooltip
    values per cell (:func:`grid_layer`) instead of their geometry.

    Parameters
    ----------
    cells : GeoDataFrame
        Polygons with unique index labels, any CRS.
    decimals : int, default settings.MAP_COORD_DECIMALS
        Decimal places of the coordinates (degrees), as in the exported maps.

    Returns
    -------
    CellGrid or None
        None when the cells are not (multi)polygons with unique labels.
    """
    if not cells.index.is_unique or cells.crs is None or not len(cells):
        return None
    geoms = cells.geometry.to_crs(settings.WGS84).values
    kinds = set(shapely.get_type_id(geoms[~shapely.is_empty(geoms)]).tolist())
    if not kinds or not kinds <= {3, 6}:  # Polygon, MultiPolygon
        return None
    shapes = _shape_codes(geoms, 10.0 ** decimals)
    return CellGrid(index=cells.index, decimals=decimals,
                    shapes=json.dumps(shapes, separators=(",", ":")))


class _GridHook(MacroElement):
    """Defines ``window.geoGrid`` in the base map: the cells' shapes and ``apply``, which
    draws a layer of these cells from its colours and tooltip values (:func:`grid_layer`).

    Each layer (``slot``) keeps one ``L.featureGroup``; a polygon is made the first time its
    cell is drawn and afterwards only restyled, added or removed, so a click redraws the map
    without building it again (on a canvas when the map prefers one)."""

    _template = Template("""
{% macro script(this, kwargs) %}
window.geoGrid = (function () {
    var scale = {{ this.scale }}, coded = {{ this.grid.shapes }}, slots = {};
    function ring(a) {
        var out = [], x = 0, y = 0;
        for (var i = 0; i < a.length; i += 2) {
            x += a[i]; y += a[i + 1]; out.push([y / scale, x / scale]);
        }
        return out;
    }
    function shape(c) {
        var p = coded[c].map(function (poly) { return poly.map(ring); });
        return p.length === 1 ? p[0] : p;
    }
    function tooltip(slot) {
        return function (layer) {
            var d = slot.data, k = slot.row[layer._geoCell], html = "<table>";
            if (k === undefined) { return ""; }
            for (var j = 0; j < d.labels.length; j++) {
                html += "<tr><th>" + d.labels[j] + "</th><td>" +
                    d.values[j][0][d.values[j][1][k]] + "</td></tr>";
            }
            return html + "</table>";
        };
    }
    function apply(d) {
        var slot = slots[d.slot];
        if (!slot) {
            slot = slots[d.slot] = {fg: L.featureGroup(), polys: {}, row: {}, fresh: true};
            slot.fg.bindTooltip(tooltip(slot), {sticky: true});  // one for all its cells
        }
        var fg = slot.fg, st = d.style, old = slot.row, row = {}, c = 0;
        for (var k = 0; k < d.cells.length; k++) {
            c += d.cells[k];
            row[c] = k;
            var col = d.palette[d.colour[k]], p = slot.polys[c];
            if (!p) {
                p = slot.polys[c] = L.polygon(shape(c), {
                    fill: true, fillColor: col, color: st.color || col, weight: st.weight,
                    fillOpacity: st.fillOpacity, opacity: st.opacity});
                p._geoCell = c;
            } else if (p.options.fillColor !== col) {
                p.setStyle({fillColor: col, color: st.color || col});
            }
            if (!(c in old)) { fg.addLayer(p); }
        }
        for (var o in old) {
            if (!(o in row)) { fg.removeLayer(slot.polys[o]); }
        }
        slot.row = row;
        slot.data = d;
        return slot;
    }
    return {apply: apply, slots: slots};
})();
{% endmacro %}
""")

    def __init__(self, grid: CellGrid):
        super().__init__()
        self._name = "GeoGridHook"
        self.grid = grid
        self.scale = f"{10.0 ** grid.decimals:g}"


class _Lazy(MacroElement):
    """A hidden layer's content made only when the layer is first switched on.

    Stands in its feature group for ``inner`` (a ``folium.GeoJson``, not a child any more):
    its script (and its tooltip's) runs on the group's first ``add`` event, so opening the map
    does not build thousands of features that nobody looks at."""

    _template = Template("""
{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.once("add", function () {
{{ this.inner_code() }}
});
{% endmacro %}
""")

    def __init__(self, inner: folium.GeoJson, index: int):
        super().__init__()
        self._name = "GeoLazy"
        self.inner = inner
        self.index = index
        self._code = None

    def render(self, **kwargs):
        """Prepare ``inner`` (its styles) as the map would, then this element."""
        self.inner.render(**kwargs)
        super().render(**kwargs)

    def inner_code(self) -> str:
        """The script of ``inner`` and its children, made once (streamlit-folium renames the
        elements while it writes them; the parent's old name is replaced in the whole map
        script afterwards)."""
        if self._code is None:
            self._code = streamlit_folium.generate_leaflet_string(
                self.inner, base_id=f"lazy_{self._id}_{self.index}")
        return self._code


def _lazy_hidden_layers(m: folium.Map) -> None:
    """Defer the features of the layers that the map opens hidden (see :class:`_Lazy`)."""
    for fg in list(m._children.values()):
        if not isinstance(fg, folium.FeatureGroup) or fg.show:
            continue
        for i, (name, child) in enumerate(list(fg._children.items())):
            if isinstance(child, folium.GeoJson):
                del fg._children[name]
                child._parent = fg
                fg.add_child(_Lazy(child, i))


def streamlit_payload(m: folium.Map, *, grid: CellGrid | None = None) -> MapPayload:
    """Serialise a map for :func:`render_payload` (do it once and cache the result).

    Parameters
    ----------
    m : folium.Map
        Not modified (a copy is serialised).
    grid : CellGrid, optional
        Cells whose layers travel as colours (:func:`grid_layer`).

    Returns
    -------
    MapPayload
    """
    m = for_streamlit(m)
    _lazy_hidden_layers(m)
    control = next((c for c in m._children.values() if isinstance(c, folium.LayerControl)), None)
    if control is not None:
        m.add_child(_ControlHook(control))
    if grid is not None:
        m.add_child(_GridHook(grid))
    m.get_root().render()
    m.render()
    html = streamlit_folium._get_html(m)
    header = streamlit_folium._get_header(m)
    script = streamlit_folium._get_map_string(m)
    links = {"js": [], "css": []}
    for el in _walk(m):
        links["js"] += [src for _, src in getattr(el, "default_js", [])]
        links["css"] += [href for _, href in getattr(el, "default_css", [])]
    return MapPayload(script=script, header=header, html=html,
                      map_id=streamlit_folium.get_full_id(m),
                      js_links=list(dict.fromkeys(links["js"])),
                      css_links=list(dict.fromkeys(links["css"])),
                      digest=hashlib.sha256(script.encode("utf-8")).hexdigest())


@dataclass(frozen=True)
class LayerScript:
    """A layer as a script that creates it in an open map (see :func:`layer_script`).

    Attributes
    ----------
    layer : MapLayer
        The layer (its name, key and ``show``).
    code : str
        JavaScript that defines ``var`` (a ``L.featureGroup``), not yet on the map.
    var : str
        Name of that variable.
    """

    layer: MapLayer
    code: str
    var: str


def layer_script(layer: MapLayer, *, slot: str) -> LayerScript:
    """The script of one layer for :func:`overlay_script` (cache it per layer).

    Parameters
    ----------
    layer : MapLayer
    slot : str
        A name unique among the layers sent together (letters, digits, ``_``), e.g. ``"tt"``.

    Returns
    -------
    LayerScript
    """
    host = folium.Map(tiles=None)
    fg = layer_to_folium(layer)
    fg._id = f"geo_{slot}"
    fg.add_to(host)
    fg.render()
    code = streamlit_folium.generate_leaflet_string(fg, base_id=f"geo_{slot}")
    code = code.replace(streamlit_folium.get_full_id(host), "map_div")
    var = fg.get_name()
    # the layer is added (or not) by overlay_script, as the layer control would
    code = code.replace(f"{var}.addTo(map_div);", "")
    return LayerScript(layer=layer, code=code, var=var)


def _js(value) -> str:
    """A JSON literal safe inside a script."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")


@dataclass(frozen=True)
class GridLayer:
    """A layer of the cells of a :class:`CellGrid`, as colours and tooltip values per cell
    (see :func:`grid_layer`).

    Attributes
    ----------
    layer : MapLayer
        The layer (its name, key, legend and ``show``).
    code : str
        A JSON object for ``window.geoGrid.apply`` in the browser.
    """

    layer: MapLayer
    code: str


def _coded(values) -> list:
    """``[distinct values as HTML text, code of each value]`` (compact tooltip values)."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    return [[html_text(v) if isinstance(v, str) else "–" for v in uniques], codes.tolist()]


def _grid_style(layer: MapLayer) -> dict:
    """The fixed part of the cells' style (as ``geo.outputs.web``'s polygons)."""
    sw = float(layer.stroke_width)
    return {"color": layer.stroke, "weight": sw, "fillOpacity": float(layer.fill_opacity),
            "opacity": 0.9 if sw else 0.0}


def _same_cells(data: gpd.GeoDataFrame, src: gpd.GeoDataFrame) -> bool:
    """Whether each row of a layer's display data is the cell of the same row of its source
    (not, say, one merged polygon per colour): same extent, within about 10 m."""
    a = shapely.bounds(np.asarray(data.geometry.values))
    b = shapely.bounds(np.asarray(src.geometry.to_crs(settings.WGS84).values))
    return bool(np.allclose(a, b, rtol=0.0, atol=1e-4, equal_nan=True))


def grid_layer(layer: MapLayer, grid: CellGrid | None, *, slot: str) -> GridLayer | None:
    """A polygon layer of the cells of ``grid`` for :func:`overlay_script` (cache it).

    Parameters
    ----------
    layer : MapLayer
        A layer made from (a subset of) the grid's cells, one row per cell (not merged); its
        ``source`` carries the cells' labels.
    grid : CellGrid or None
    slot : str
        The layer's name in the browser, the same for each version of the layer (e.g. ``"tt"``).

    Returns
    -------
    GridLayer or None
        None when the layer cannot be drawn from the grid (then use :func:`layer_script`).
    """
    src = layer.source
    if (grid is None or layer.kind != "polygon" or src is None or len(src) != len(layer.data)
            or not src.index.is_unique or not _same_cells(layer.data, src)):
        return None
    pos = grid.index.get_indexer(src.index)
    if (pos < 0).any():
        return None
    order = np.argsort(pos, kind="stable")
    colour, palette = pd.factorize(layer.data["_c"].to_numpy(dtype=object)[order])
    data = {
        "slot": slot, "cells": np.diff(pos[order], prepend=0).tolist(),
        "palette": [str(c) for c in palette], "colour": colour.tolist(),
        "labels": [html_text(label) for _, label in layer.fields],
        "values": [_coded(layer.data[col].to_numpy(dtype=object)[order])
                   for col, _ in layer.fields],
        "style": _grid_style(layer), "label": html_text(layer.name), "show": bool(layer.show),
    }
    return GridLayer(layer=layer, code=_js(data))


_OVERLAY_JS = """
(function () {
    var started = Date.now();
    var map = map_div, ctl = window.geoLayerControl, grid = [%(grid)s], keep = {};
    grid.forEach(function (d) { keep[d.slot] = true; });
    (window.geoOverlays || []).forEach(function (d) {
        if (ctl) { ctl.removeLayer(d.fg); }
        if (!d.slot || !keep[d.slot]) { map.removeLayer(d.fg); }
    });
    %(code)s
    var made = [%(made)s];
    window.feature_group = made.map(function (d) { return d.fg; });
    grid.forEach(function (d) {
        var slot = window.geoGrid.apply(d);
        made.push({fg: slot.fg, label: d.label, slot: d.slot,
                   show: slot.fresh ? d.show : map.hasLayer(slot.fg)});
        slot.fresh = false;
    });
    window.geoOverlays = made;
    made.forEach(function (d) {
        if (ctl) { ctl.addOverlay(d.fg, d.label); }
        if (d.show && !map.hasLayer(d.fg)) { map.addLayer(d.fg); }
    });
    var box = map.getContainer();
    var legend = box.querySelector(".geo-legend"), title = box.querySelector(".geo-title");
    if (legend) { legend.innerHTML = %(legend)s; }
    if (title) { title.innerHTML = %(title)s; }
    var order = %(order)s;
    function find(label) {
        var all = ctl ? ctl._layers : [];
        for (var i = 0; i < all.length; i++) {
            if (all[i].overlay && all[i].name === label) { return all[i].layer; }
        }
        return null;
    }
    window.geoOverlaySync = function () {
        var byName = {};
        order.forEach(function (o) { byName[o[0]] = find(o[1]); });
        var secs = box.querySelectorAll(".geo-legend [data-layer]");
        for (var i = 0; i < secs.length; i++) {
            var fg = byName[secs[i].getAttribute("data-layer")];
            secs[i].style.display = (!fg || map.hasLayer(fg)) ? "" : "none";
        }
        order.forEach(function (o) {
            var fg = byName[o[0]];
            if (fg && map.hasLayer(fg) && fg.bringToFront) { fg.bringToFront(); }
        });
    };
    if (!map._geoOverlaySync) {
        map._geoOverlaySync = true;
        map.on("overlayadd overlayremove", function () { window.geoOverlaySync(); });
    }
    setTimeout(window.geoOverlaySync, 0);
    window.geoOverlayMs = Date.now() - started;  // for the browser test's breakdown
})();
"""


def overlay_script(scripts: Sequence[LayerScript | GridLayer], *,
                   base_layers: Sequence[MapLayer], title: str | None = None,
                   lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """The script that puts ``scripts`` on a base map made by :func:`streamlit_payload`.

    It replaces the layers it put there before (and their entries in the layer control),
    adds the new ones to the layer control (drawn when their layer's ``show``), rewrites the
    legend for all layers and the title, and keeps the drawing order of
    ``geo.outputs.layers.Z_ORDER`` when layers are switched on and off. A grid layer
    (:func:`grid_layer`) restyles the cells it drew before and keeps the visibility the user
    chose for it in the layer control.

    Parameters
    ----------
    scripts : sequence of LayerScript or GridLayer
        The changing layers (:func:`layer_script`, :func:`grid_layer`).
    base_layers : sequence of MapLayer
        The layers of the base map (for the legend and the drawing order).
    title : str, optional
        The map's new title (the base map must have one).
    lang : {"lv", "en"}, default "lv"
        Language of the legend.

    Returns
    -------
    str
        For :func:`render_payload`'s ``overlay``.
    """
    ordered = sorted([*base_layers, *(s.layer for s in scripts)], key=_z)
    plain = [s for s in scripts if isinstance(s, LayerScript)]
    made = ", ".join(
        f"{{fg: {s.var}, label: {_js(html_text(s.layer.name))}, show: {_js(bool(s.layer.show))}}}"
        for s in plain)
    return _OVERLAY_JS % {
        "grid": ", ".join(s.code for s in scripts if isinstance(s, GridLayer)),
        "code": "\n".join(s.code for s in plain),
        "made": made,
        "legend": _js(legend_html(ordered, lang=lang)),
        "title": _js(html_text(title) if title else ""),
        "order": _js([[la.name, html_text(la.name)] for la in ordered]),
    }


#: Name of the (file-only) component that serves the maps' scripts to the browser.
_FILES_COMPONENT = "geo_map_files"


@functools.cache
def _served_folder() -> tempfile.TemporaryDirectory:
    """The folder of served map scripts of this process (removed when it ends)."""
    return tempfile.TemporaryDirectory(prefix="geo-maps-")


def _files_component() -> tuple[Path, str]:
    """The served folder and the name of the file-only component that serves it (declared
    while a Streamlit script runs)."""
    folder = Path(_served_folder().name)
    return folder, components.declare_component(_FILES_COMPONENT, path=str(folder)).name


def _serve(folder: Path, name: str, make) -> str:
    """Write ``make()`` (bytes) as ``folder/name`` once; answers the file's name."""
    target = folder / name
    if not target.exists():
        with atomic_file(target) as tmp:
            tmp.write_bytes(make())
    return name


def _data_uri_bytes(uri: str) -> bytes:
    head, _, body = uri.partition(",")
    return base64.b64decode(body) if head.endswith(";base64") else (
        urllib.parse.unquote_to_bytes(body))


def _asset_file(folder: Path, uri: str, suffix: str) -> str:
    """A ``data:`` URI asset as a served file (named by its content)."""
    if not uri.startswith("data:"):
        return uri
    name = f"asset-{hashlib.sha256(uri.encode()).hexdigest()[:32]}.{suffix}"
    return _serve(folder, name, lambda: _data_uri_bytes(uri))


def _base_file(payload: MapPayload) -> bytes:
    """The base map's script as a function that draws the map and answers it."""
    return (f"(window.geoBaseMaps = window.geoBaseMaps || {{}})[{_js(payload.digest)}] = "
            f"function () {{\n{payload.script}\nreturn map_div;\n}};\n").encode()


def served_links(payload: MapPayload) -> tuple[str, list[str], list[str]]:
    """The small script and the asset links that draw ``payload`` from served files.

    The base map's script and its assets are written once, as files of a folder that the
    Streamlit server serves (a file-only component, on 127.0.0.1 like the app: nothing is
    fetched from elsewhere), so a rerun sends their links instead of megabytes of script.
    Call it while a Streamlit script runs (the component is registered then).

    Returns
    -------
    script : str
        The script that draws the map (defines ``map_div``).
    js_links, css_links : list of str
        Links relative to streamlit-folium's frame.
    """
    folder, name = _files_component()
    url = f"../{name}/"
    base = _serve(folder, f"map-{payload.digest[:40]}.js", lambda: _base_file(payload))
    js = [url + _asset_file(folder, u, "js") for u in payload.js_links] + [url + base]
    css = [url + _asset_file(folder, u, "css") for u in payload.css_links]
    return f"var map_div = window.geoBaseMaps[{_js(payload.digest)}]();", js, css


def served_page(html: str, *, stem: str = "page") -> str:
    """A whole HTML page (e.g. :func:`geo.outputs.web.to_html` of a map) as a served file.

    The page is written once, named by its content, in the folder that the Streamlit server
    serves (as :func:`served_links`: on 127.0.0.1 like the app, nothing is fetched from
    elsewhere), so ``st.iframe`` of the answered link makes the browser load the file instead
    of receiving megabytes of HTML over the app's websocket on every rerun. Call it while a
    Streamlit script runs (the component is registered then); cache the link.

    Parameters
    ----------
    html : str
        The page.
    stem : str, default "page"
        Start of the file's name (letters, digits and ``-``).

    Returns
    -------
    str
        The page's link, from the server's root (its ``server.baseUrlPath`` included).
    """
    folder, component = _files_component()
    data = html.encode()
    name = _serve(folder, f"{stem}-{hashlib.sha256(data).hexdigest()[:40]}.html", lambda: data)
    root = str(streamlit.get_option("server.baseUrlPath") or "").strip("/")
    return f"{'/' + root if root else ''}/component/{urllib.parse.quote(component)}/{name}"


def render_payload(payload: MapPayload, *, height: int = 600, width: int | None = None,
                   key: str, overlay: str | None = None,
                   returned_objects: Iterable[str] = ()) -> dict:
    """Show a map serialised by :func:`streamlit_payload` (nothing is rendered again).

    The browser keeps the map while ``payload`` and ``key`` stay the same; a new ``overlay``
    (:func:`overlay_script`) is evaluated in it without reloading the map. The base map
    travels once, as a served file (:func:`served_links`): a rerun sends only its link and
    the overlay.

    Parameters
    ----------
    payload : MapPayload
    height : int, default 600
        Height in pixels.
    width : int, optional
        Width in pixels (default: the container's width).
    key : str
        Streamlit widget key.
    overlay : str, optional
        Script of the changing layers.
    returned_objects : iterable of str, default ()
        What the map sends back (see ``st_folium``); empty: moving or clicking the map does
        not rerun the app.

    Returns
    -------
    dict
        The values named in ``returned_objects``.
    """
    returned = list(returned_objects)
    script, js_links, css_links = served_links(payload)
    return streamlit_folium._component_func(
        script=script, header=payload.header, html=payload.html, id=payload.map_id,
        key=hashlib.sha256(f"{payload.digest}|{key}".encode()).hexdigest(),
        height=height, width=width, returned_objects=returned,
        default={k: None for k in returned}, zoom=None, center=None, feature_group=overlay,
        return_on_hover=False, layer_control=None, pixelated=False,
        css_links=css_links, js_links=js_links, on_change=None,
        wrap_longitude=False,
    )
