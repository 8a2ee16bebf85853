"""Offline folium maps inside Streamlit (streamlit-folium with local assets).

Fast path for maps that change often (:func:`streamlit_payload`, :func:`overlay_script`,
:func:`render_payload`): the base map is serialised once and stays the same between reruns,
so the browser keeps its map; only the layers that changed travel, as a script that
streamlit-folium's frontend evaluates in the open map (its ``feature_group`` argument). This
uses streamlit-folium's serialisation helpers (pinned at 0.27.4 in requirements.txt).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import branca.colormap
import folium
import streamlit.components.v1 as components
import streamlit_folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template
from streamlit_folium import st_folium

from geo import i18n
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


def streamlit_payload(m: folium.Map) -> MapPayload:
    """Serialise a map for :func:`render_payload` (do it once and cache the result).

    Parameters
    ----------
    m : folium.Map
        Not modified (a copy is serialised).

    Returns
    -------
    MapPayload
    """
    m = for_streamlit(m)
    control = next((c for c in m._children.values() if isinstance(c, folium.LayerControl)), None)
    if control is not None:
        m.add_child(_ControlHook(control))
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


_OVERLAY_JS = """
(function () {
    var map = map_div, ctl = window.geoLayerControl;
    (window.geoOverlays || []).forEach(function (d) {
        map.removeLayer(d.fg);
        if (ctl) { ctl.removeLayer(d.fg); }
    });
    %(code)s
    var made = [%(made)s];
    window.geoOverlays = made;
    window.feature_group = made.map(function (d) { return d.fg; });
    made.forEach(function (d) {
        if (ctl) { ctl.addOverlay(d.fg, d.label); }
        if (d.show) { map.addLayer(d.fg); }
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
})();
"""


def overlay_script(scripts: Sequence[LayerScript], *, base_layers: Sequence[MapLayer],
                   title: str | None = None, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """The script that puts ``scripts`` on a base map made by :func:`streamlit_payload`.

    It replaces the layers it put there before (and their entries in the layer control),
    adds the new ones to the layer control (drawn when their layer's ``show``), rewrites the
    legend for all layers and the title, and keeps the drawing order of
    ``geo.outputs.layers.Z_ORDER`` when layers are switched on and off.

    Parameters
    ----------
    scripts : sequence of LayerScript
        The changing layers (:func:`layer_script`).
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
    made = ", ".join(
        f"{{fg: {s.var}, label: {_js(html_text(s.layer.name))}, show: {_js(bool(s.layer.show))}}}"
        for s in scripts)
    return _OVERLAY_JS % {
        "code": "\n".join(s.code for s in scripts),
        "made": made,
        "legend": _js(legend_html(ordered, lang=lang)),
        "title": _js(html_text(title) if title else ""),
        "order": _js([[la.name, html_text(la.name)] for la in ordered]),
    }


def render_payload(payload: MapPayload, *, height: int = 600, width: int | None = None,
                   key: str, overlay: str | None = None,
                   returned_objects: Iterable[str] = ()) -> dict:
    """Show a map serialised by :func:`streamlit_payload` (nothing is rendered again).

    The browser keeps the map while ``payload`` and ``key`` stay the same; a new ``overlay``
    (:func:`overlay_script`) is evaluated in it without reloading the map.

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
    return streamlit_folium._component_func(
        script=payload.script, header=payload.header, html=payload.html, id=payload.map_id,
        key=hashlib.sha256(f"{payload.digest}|{key}".encode()).hexdigest(),
        height=height, width=width, returned_objects=returned,
        default={k: None for k in returned}, zoom=None, center=None, feature_group=overlay,
        return_on_hover=False, layer_control=None, pixelated=False,
        css_links=payload.css_links, js_links=payload.js_links, on_change=None,
        wrap_longitude=False,
    )
