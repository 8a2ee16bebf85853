"""Offline folium maps inside Streamlit (streamlit-folium with local assets)."""

from __future__ import annotations

import copy
from collections.abc import Iterable

import branca.colormap
import folium
import streamlit.components.v1 as components
from folium.elements import JSCSSMixin
from streamlit_folium import st_folium

from geo.outputs.web import OfflineAssetError, _ensure_assets, _walk, asset_data_uri, to_html


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
