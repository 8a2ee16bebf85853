"""Static maps (PNG/PDF) drawn with matplotlib from the same map layers."""

from __future__ import annotations

import math
from collections.abc import Sequence

import geopandas as gpd
import pandas as pd
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

from geo import i18n, settings
from geo.i18n import t
from geo.outputs.layers import MapLayer, _check_lang, _metric_crs, _z


# --------------------------------------------------------------------------------------------
# Static maps (matplotlib) for PNG and PDF
# --------------------------------------------------------------------------------------------
def _nice_length(max_m: float) -> float:
    exp = 10 ** math.floor(math.log10(max_m))
    for f in (5, 2, 1):
        if f * exp <= max_m:
            return f * exp
    return exp


#: Font size (points) and weight of the label size classes (``_k``: city, town, village).
_LABEL_FONTS = ((11.0, "bold"), (9.0, "bold"), (7.5, "normal"))


def _draw_labels(ax, d: gpd.GeoDataFrame, *, zorder: float) -> None:
    """Place names as text with a white halo, just above their points (a school drawn at the
    place stays visible), clipped to the axes."""
    halo = [patheffects.Stroke(linewidth=2.5, foreground="white")]
    for x, y, k, text in zip(d.geometry.x, d.geometry.y, d["_k"], d["f0"], strict=True):
        size, weight = _LABEL_FONTS[min(int(k), len(_LABEL_FONTS) - 1)]
        kw = {"xytext": (0, 4), "textcoords": "offset points", "fontsize": size,
              "fontweight": weight, "ha": "center", "va": "bottom", "annotation_clip": True}
        # the halo is drawn as outlines, the name on top as text: searchable in a PDF
        ax.annotate(str(text), (x, y), color="white", zorder=zorder, path_effects=halo,
                    gid="geo-place-halo", **kw)
        ax.annotate(str(text), (x, y), color="#1f1f1f", zorder=zorder + 0.5, gid="geo-place",
                    **kw)


def plot_map(  # noqa: C901  one optional layer per keyword
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
        elif la.kind == "label":
            _draw_labels(ax, d, zorder=z + 90)  # under the point markers (z + 100)
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
        # wrapped at the figure's edges: a long title (what, region, band, threshold, year,
        # mode, date) is not cut off on a PDF page nor widens a PNG past its size
        ax.set_title(title, fontsize=14, fontweight="bold", wrap=True)
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
