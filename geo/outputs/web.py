"""Interactive folium maps that work offline: local assets, legend, title, HTML export."""

from __future__ import annotations

import base64
import functools
import html as html_lib
import json
import re
from collections.abc import Sequence
from pathlib import Path

import folium
from branca.element import MacroElement
from folium.plugins import Fullscreen
from jinja2 import Template

from geo import i18n
from geo.errors import GeoInputError, Msg
from geo.i18n import t
from geo.outputs.layers import (
    LegendItem,
    MapLayer,
    _check_lang,
    _z,
    feature_collection,
    layers_bounds,
)

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"


_FOLIUM_TEMPLATES = Path(folium.__file__).resolve().parent / "templates"


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
            "(geo/static/vendor.sh) and add it to geo.outputs.web.CDN_FILES, or do not use that plugin."
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
        raise GeoInputError(Msg("err.web.tiles", tiles=repr(tiles)), fix=Msg("err.web.tiles.fix"))
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


#: Braces as HTML character references: branca renders the script that a map element writes
#: once more as a jinja2 template, so a ``{{ ... }}`` in a school name would run as template
#: code (in Python, while the map is exported) unless its braces are escaped.
_BRACES = {ord("{"): "&#123;", ord("}"): "&#125;"}


def html_text(value):
    """``value`` as HTML text that is safe in a folium map; None and NaN stay as they are.

    ``&``, ``<``, ``>``, ``"`` and ``'`` are escaped (no markup, no script), and so are ``{``
    and ``}`` (no jinja2 template code, see :data:`_BRACES`). The browser shows the original
    characters. Every text that a map shows through ``innerHTML`` (tooltips, popups, the
    layer control, the legend, the title) passes through here, so a school called
    ``<img src=x onerror=...>`` is shown as those characters and never runs.
    """
    if value is None or (isinstance(value, float) and value != value):
        return value
    return html_lib.escape(str(value), quote=True).translate(_BRACES)


def js_string(text: str) -> str:
    r"""A JavaScript string literal of ``text`` that is safe inside ``<script>`` and inside a
    jinja2 template: ``<``, ``>``, ``&``, ``'``, ``{`` and ``}`` as ``\uXXXX`` escapes."""
    out = json.dumps(str(text), ensure_ascii=False)
    for ch in "<>&'{}":
        out = out.replace(ch, f"\\u{ord(ch):04x}")
    return out


def _html_safe(data, columns: Sequence[str]):
    """A copy of ``data`` whose ``columns`` (the tooltip and popup fields) are HTML text."""
    out = data.copy()
    for c in columns:
        out[c] = [html_text(v) for v in out[c].to_numpy(dtype=object)]
    return out


def layer_to_folium(layer: MapLayer) -> folium.FeatureGroup:
    """A ``folium.FeatureGroup`` drawing a :class:`MapLayer` (SVG paths, tooltips, popups).

    folium's tooltips and popups and Leaflet's layer control insert their text as HTML, so the
    field values, their labels and the layer name are escaped here (:func:`html_text`): this
    is the one place where layer data becomes HTML.
    """
    fg = folium.FeatureGroup(name=html_text(layer.name), show=layer.show, overlay=True,
                             control=True)
    if layer.kind == "label":
        return _labels_to_folium(layer, fg)
    names = [c for c, _ in layer.fields]
    cols = ["_c"] + [c for c in ("_w", "_d", "_r") if c in layer.data] + names
    data = feature_collection(_html_safe(layer.data[cols + [layer.data.geometry.name]], names))
    kw = {}
    if layer.kind == "point":
        if layer.marker == "square":
            size = 14
            color = html_text(layer.data["_c"].iloc[0] if len(layer.data) else "#333333")
            kw["marker"] = folium.Marker(icon=folium.DivIcon(
                html=f'<div style="background:{color}"></div>', icon_size=(size, size),
                icon_anchor=(size // 2, size // 2), class_name="geo-sq-icon"))
        else:
            kw["marker"] = folium.CircleMarker(radius=6)
    if not (layer.kind == "point" and layer.marker == "square"):
        kw["style_function"] = _style_function(layer)
    if layer.fields and len(layer.data):
        labels = [html_text(a) for _, a in layer.fields]
        if layer.popup:
            kw["popup"] = folium.GeoJsonPopup(fields=names, aliases=labels, localize=False,
                                              labels=True)
            kw["tooltip"] = folium.GeoJsonTooltip(fields=names[:1], aliases=labels[:1],
                                                  labels=False)
        else:
            kw["tooltip"] = folium.GeoJsonTooltip(fields=names, aliases=labels, sticky=True)
    folium.GeoJson(data, name=html_text(layer.name), control=False, smooth_factor=1.0,
                   **kw).add_to(fg)
    fg._geo_layer = layer
    return fg


#: Each label's text (already escaped, :func:`html_text`) as the content of its Leaflet
#: ``divIcon``, with its size class as a CSS class (``geo-place-0`` largest).
_LABEL_JS = folium.JsCode("""function(feature, layer) {
    layer.setIcon(L.divIcon({className: "geo-place-icon", iconSize: null,
        html: '<span class="geo-place geo-place-' + feature.properties._k + '">'
              + feature.properties.f0 + '</span>'}));
}""")


class Declutter(MacroElement):
    """Hide the labels of a label layer that would overlap a more important one (earlier in
    the layer's data) at the map's current zoom; again after every zoom and resize."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function() {
    var labels = {{ this._parent.get_name() }};
    function declutter() {
        var kept = [];
        labels.eachLayer(function(marker) {
            var el = marker.getElement && marker.getElement();
            var span = el && el.firstChild;
            if (!span) { return; }
            span.style.visibility = "";
            var r = span.getBoundingClientRect();
            var hit = kept.some(function(k) {
                return r.left < k.right + 3 && r.right + 3 > k.left &&
                       r.top < k.bottom + 1 && r.bottom + 1 > k.top;
            });
            if (hit) { span.style.visibility = "hidden"; } else { kept.push(r); }
        });
    }
    labels.on("add", function() {
        labels._map.on("zoomend resize", declutter);
        setTimeout(declutter, 0);
    });
    labels.on("remove", function() {
        if (labels._map) { labels._map.off("zoomend resize", declutter); }
    });
})();
{% endmacro %}
""")

    def __init__(self):
        super().__init__()
        self._name = "GeoDeclutter"


def _labels_to_folium(layer: MapLayer, fg: folium.FeatureGroup) -> folium.FeatureGroup:
    """Text labels (place names) as non-interactive ``divIcon`` markers, most important
    first, decluttered at every zoom (:class:`Declutter`): a click goes through them to the
    map and the layers below."""
    data = feature_collection(_html_safe(layer.data[["_k", "f0", layer.data.geometry.name]],
                                         ["f0"]))
    marker = folium.Marker(icon=folium.DivIcon(html="", class_name="geo-place-icon"),
                           interactive=False, keyboard=False)
    gj = folium.GeoJson(data, name=html_text(layer.name), control=False, marker=marker,
                        on_each_feature=_LABEL_JS)
    gj.add_child(Declutter())
    gj.add_to(fg)
    fg._geo_layer = layer
    return fg


def _legend_symbol(item: LegendItem) -> str:
    c = html_text(item.color)
    if item.symbol == "line":
        style = f"border-top-width:{max(item.width, 1.5):.1f}px;border-top-color:{c};"
        if item.dash:
            style += "border-top-style:dashed;"
        return f'<span class="geo-sw geo-ln" style="{style}"></span>'
    if item.symbol == "circle":
        return f'<span class="geo-sw geo-pt" style="background:{c}"></span>'
    if item.symbol == "square":
        return f'<span class="geo-sw geo-sq" style="background:{c}"></span>'
    border = f"border-color:{html_text(item.stroke)};" if item.stroke else ""
    return f'<span class="geo-sw" style="background:{c};{border}"></span>'


def legend_html(layers: Sequence[MapLayer], *, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """HTML of the legend: one section per layer (top layer first), then the sources."""
    parts = []
    for layer in sorted(layers, key=_z, reverse=True):
        if not layer.legend:
            continue
        rows = "".join(
            f'<div class="geo-i">{_legend_symbol(it)}{html_text(it.label)}</div>'
            for it in layer.legend
        )
        note = f'<div class="geo-src">{html_text(layer.note)}</div>' if layer.note else ""
        single = len(layer.legend) == 1 and layer.legend[0].label == layer.name
        head = "" if single else f'<div class="geo-h">{html_text(layer.name)}</div>'
        parts.append(
            f'<div class="geo-sec" data-layer="{html_text(layer.name)}">'
            f'{head}{rows}{note}</div>'
        )
    attributions = sorted({la.attribution for la in layers if la.attribution})
    if attributions:
        parts.append(f'<div class="geo-src">{html_text(t("map.sources", lang))}: '
                     f'{html_text("; ".join(attributions))}</div>')
    return "".join(parts)


class Legend(MacroElement):
    """Legend control (bottom right) whose sections follow the layer control, and which keeps
    the layers in their drawing order when one is switched back on."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function() {
    var map = {{ this._parent.get_name() }};
    var layers = { {%- for key, fg in this.groups %}{{ key }}: {{ fg.get_name() }}{{ "," if not loop.last }}{% endfor -%} };
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
        # layer names as ready-made JS literals (no jinja braces, see js_string)
        self.groups = [(js_string(name), fg) for name, fg in groups]
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
        self.html = html_text(text)


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


def make_map(
    layers: Sequence[MapLayer],
    *,
    lang: str = i18n.DEFAULT_LANGUAGE,
    title: str | None = None,
    tiles: str | None = None,
    fullscreen: bool = True,
    legend: bool = True,
    layer_control: bool = True,
    collapsed_control: bool = False,
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
    collapsed_control : bool, default False
        Layer control folded into a button (opens on hover): for small maps, e.g. the two
        halves of a before/after pair, where the open list would hide the map's title.
    **kwargs
        Passed to :func:`offline_map` / ``folium.Map``.

    Returns
    -------
    folium.Map
        Export with :func:`to_html` (or ``geo.outputs.report.export_html``); show in Streamlit with
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
        Fullscreen(position="topleft").add_to(m)
    if layer_control:
        folium.LayerControl(collapsed=collapsed_control, position="topright").add_to(m)
    if legend and ordered:
        m.add_child(Legend(legend_html(ordered, lang=lang), groups))
    if title:
        m.add_child(Title(title))
    m._geo_layers = list(ordered)
    _ensure_assets(m)
    return m
