"""Exports of maps and tables: HTML, PNG, PDF, GeoPackage and CSV, all without internet.

* :func:`export_html`: the web map as one self-contained file (every asset inlined, see
  :func:`geo.outputs.web.to_html`);
* :func:`export_png`: a static map drawn with matplotlib from the same layers and legend (no
  base-map tiles, so nothing is downloaded);
* :func:`export_pdf`: the static map and the tables, one multi-page PDF (matplotlib);
* :func:`export_gpkg`: several layers and tables in one GeoPackage;
* :func:`export_csv`: UTF-8 with BOM, so Excel shows Latvian letters; ``excel_lv=True`` writes
  ``;``-separated values with decimal commas, as Excel expects under Latvian regional settings;
* :func:`export_bundle`: all of them into a folder.

Every file is written to a temporary file beside the target and renamed when complete, so a
failed export never damages an existing file; :func:`export_bundle` replaces files in the
folder only after every export succeeded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from geo import i18n, settings
from geo._csv import write_csv
from geo._files import atomic_file, check_output_dir, owned_dir, write_gpkg
from geo.broadband.classes import WHITE_CLASSES
from geo.errors import GeoInputError, Msg
from geo.i18n import t
from geo.outputs import layers as map_layers
from geo.outputs import static, web

i18n.register({
    "report.generated": {"lv": "Sagatavots {date}", "en": "Generated {date}"},
    "report.page": {"lv": "{page}. lpp.", "en": "page {page}"},
    "report.continued": {"lv": "(turpinājums)", "en": "(continued)"},
    "report.rows": {"lv": "{n} rindas", "en": "{n} rows"},
})


FORMATS = ("html", "png", "pdf", "gpkg", "csv")


# --------------------------------------------------------------------------------------------
# Atomic writes
# --------------------------------------------------------------------------------------------
def _atomic(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` for a temporary path beside ``path``, then rename it to ``path``."""
    path = Path(path)
    with atomic_file(path) as tmp:
        write(tmp)
    return path


def _layers_of(obj) -> list[map_layers.MapLayer]:
    if isinstance(obj, folium.Map):
        layers = getattr(obj, "_geo_layers", None)
        if layers is None:
            raise GeoInputError(
                Msg("err.report.foreign_map"), fix=Msg("err.report.foreign_map.fix"),
            )
        return list(layers)
    if isinstance(obj, map_layers.MapLayer):
        return [obj]
    layers = list(obj)
    bad = [type(x).__name__ for x in layers if not isinstance(x, map_layers.MapLayer)]
    if bad:
        raise GeoInputError(Msg("err.report.not_layers", got=str(bad)),
                            fix=Msg("err.report.not_layers.fix"))
    return layers


# --------------------------------------------------------------------------------------------
# HTML, PNG
# --------------------------------------------------------------------------------------------
def export_html(m: folium.Map | str, path: str | Path) -> Path:
    """Write a web map as one self-contained HTML file that works offline.

    Parameters
    ----------
    m : folium.Map or str
        A map (e.g. from :func:`geo.outputs.web.make_map`) or HTML rendered by folium.
    path : str or Path
        Output ``.html`` file.

    Returns
    -------
    Path
    """
    text = web.to_html(m)
    return _atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def static_figure(layers, *, lang: str = i18n.DEFAULT_LANGUAGE, title: str | None = None,
                  figsize: tuple[float, float] = (11.69, 8.27)):
    """The static map figure (A4 landscape by default) of layers or of a ``make_map`` map."""
    return static.plot_map(_layers_of(layers), lang=lang, title=title, figsize=figsize)


def export_png(
    layers,
    path: str | Path,
    *,
    lang: str = i18n.DEFAULT_LANGUAGE,
    title: str | None = None,
    dpi: int = 150,
    figsize: tuple[float, float] = (11.69, 8.27),
) -> Path:
    """Write a static map (matplotlib, no tiles, no network) as PNG.

    Parameters
    ----------
    layers : sequence of geo.outputs.web.MapLayer, or a map from :func:`geo.outputs.web.make_map`
        Layers with ``show=True`` are drawn, with the same colours and legend as the web map.
    path : str or Path
    lang : {"lv", "en"}
    title : str, optional
    dpi : int, default 150
    figsize : (float, float), default A4 landscape (inches)

    Returns
    -------
    Path
    """
    fig = static_figure(layers, lang=lang, title=title, figsize=figsize)
    return _atomic(path, lambda tmp: fig.savefig(tmp, dpi=dpi, format="png",
                                                  bbox_inches="tight", pad_inches=0.15))


# --------------------------------------------------------------------------------------------
# Tables (PDF pages)
# --------------------------------------------------------------------------------------------
def format_number(v, lang: str = i18n.DEFAULT_LANGUAGE, decimals: int | None = None) -> str:
    """A number as a planner reads it: Latvian ``12 345,6``, English ``12,345.6``.

    Integers get no decimals, other floats ``decimals`` (default 1); NaN and inf give "–".
    """
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "–"
    if isinstance(v, (bool, np.bool_)):
        return str(v)
    if isinstance(v, (int, np.integer)):
        s = f"{int(v):,d}"
    elif isinstance(v, (float, np.floating)):
        if not np.isfinite(v):
            return "–"
        d = 0 if (decimals is None and float(v).is_integer()) else (1 if decimals is None else decimals)
        s = f"{float(v):,.{d}f}"
    else:
        return str(v)
    if lang == "lv":
        s = s.replace(",", "\u00a0").replace(".", ",")
    return s


def _cell_text(df: pd.DataFrame, lang: str, max_chars: int = 40) -> list[list[str]]:
    out = []
    for row in df.itertuples(index=False):
        cells = []
        for v in row:
            if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
                s = format_number(v, lang)
            elif v is None or (not isinstance(v, str) and pd.isna(v)):
                s = "–"
            else:
                s = str(v)
            cells.append(s if len(s) <= max_chars else s[: max_chars - 1] + "…")
        out.append(cells)
    return out


def table_figures(
    df: pd.DataFrame,
    *,
    title: str,
    lang: str = i18n.DEFAULT_LANGUAGE,
    rows_per_page: int = 30,
    figsize: tuple[float, float] = (11.69, 8.27),
) -> list:
    """A table as matplotlib pages (A4 landscape), ``rows_per_page`` rows each.

    Geometry columns are dropped; numbers are formatted for ``lang``.
    """
    if isinstance(df, gpd.GeoDataFrame):
        df = pd.DataFrame(df.drop(columns=df.geometry.name))
    cols = [str(c) for c in df.columns]
    text = _cell_text(df, lang)
    pages = max(1, int(np.ceil(len(text) / rows_per_page)))
    fontsize = 8 if len(cols) <= 8 else max(5, 8 - (len(cols) - 8) * 0.35)
    figs = []
    for p in range(pages):
        fig = Figure(figsize=figsize)
        ax = fig.add_axes((0.03, 0.04, 0.94, 0.86))
        ax.axis("off")
        head = title if p == 0 else f"{title} {t('report.continued', lang)}"
        fig.text(0.03, 0.95, head, fontsize=13, fontweight="bold", va="top")
        chunk = text[p * rows_per_page:(p + 1) * rows_per_page]
        if chunk:
            tab = ax.table(cellText=chunk, colLabels=cols, loc="upper center", cellLoc="left",
                           colLoc="left")
            tab.auto_set_font_size(False)
            tab.set_fontsize(fontsize)
            tab.auto_set_column_width(list(range(len(cols))))
            for (r, _c), cell in tab.get_celld().items():
                cell.set_linewidth(0.3)
                if r == 0:
                    cell.set_text_props(fontweight="bold")
                    cell.set_facecolor("#e8e8e8")
        else:
            ax.text(0.0, 1.0, t("report.rows", lang, n=0), va="top")
        figs.append(fig)
    return figs


def export_pdf(
    path: str | Path,
    *,
    layers=None,
    tables: Mapping[str, pd.DataFrame] | None = None,
    lang: str = i18n.DEFAULT_LANGUAGE,
    title: str | None = None,
    rows_per_page: int = 30,
) -> Path:
    """Write a PDF report: the static map on page 1, then each table (A4 landscape).

    Parameters
    ----------
    path : str or Path
    layers : sequence of geo.outputs.web.MapLayer or a ``make_map`` map, optional
    tables : mapping of str to DataFrame, optional
        Table title -> table (geometry columns are dropped).
    lang : {"lv", "en"}
    title : str, optional
        Map title and PDF document title.
    rows_per_page : int, default 30

    Returns
    -------
    Path
        Fonts are embedded (DejaVu Sans covers Latvian letters).
    """
    if layers is None and not tables:
        raise GeoInputError(Msg("err.report.empty_pdf"), path=path,
                            fix=Msg("err.report.empty_pdf.fix"))
    figs = []
    if layers is not None:
        fig = static_figure(layers, lang=lang, title=title)
        fig.text(0.99, 0.005, t("report.generated", lang, date=date.today().isoformat()),
                 ha="right", va="bottom", fontsize=7, color="#555555")
        figs.append(fig)
    for name, df in (tables or {}).items():
        figs += table_figures(df, title=str(name), lang=lang, rows_per_page=rows_per_page)

    def write(tmp: Path) -> None:
        meta = {"Title": title or "", "Creator": "geo-skolas (geo.outputs.report)"}
        with PdfPages(tmp, metadata=meta) as pdf:
            for i, f in enumerate(figs):
                f.text(0.5, 0.005, t("report.page", lang, page=i + 1) + f" / {len(figs)}",
                       ha="center", va="bottom", fontsize=7, color="#555555")
                pdf.savefig(f)

    return _atomic(path, write)


# --------------------------------------------------------------------------------------------
# GeoPackage, CSV
# --------------------------------------------------------------------------------------------
def _gpkg_ready(name: str, obj, path) -> pd.DataFrame:
    if isinstance(obj, map_layers.MapLayer):
        obj = obj.source if obj.source is not None else obj.data
    if not isinstance(obj, pd.DataFrame):
        raise GeoInputError(Msg("err.report.not_table", name=repr(name),
                                type=type(obj).__name__), path=path,
                            fix=Msg("err.report.not_table.fix"))
    df = obj.copy()
    if isinstance(df, gpd.GeoDataFrame):
        if df.crs is None:
            raise GeoInputError(Msg("err.report.layer_no_crs", name=repr(name)), path=path,
                                fix=Msg("err.report.set_crs.fix"))
        geom = df.geometry.name
        other_geo = [c for c in df.columns if c != geom and isinstance(df[c].dtype, gpd.array.GeometryDtype)]
        df = df.drop(columns=other_geo)
    # GeoPackage columns hold one type: write mixed object columns as text
    for c in df.columns:
        if df[c].dtype == object and not (isinstance(df, gpd.GeoDataFrame) and c == df.geometry.name):
            vals = df[c]
            if not vals.map(lambda v: v is None or isinstance(v, str)).all():
                df[c] = vals.map(lambda v: None if v is None or (np.isscalar(v) and pd.isna(v)) else str(v))
    df.columns = [str(c) for c in df.columns]
    return df


def export_gpkg(path: str | Path, layers: Mapping[str, object]) -> Path:
    """Write several layers and tables into one GeoPackage, atomically.

    Parameters
    ----------
    path : str or Path
        Output ``.gpkg``. An existing file is replaced only when every layer was written.
    layers : mapping of str to GeoDataFrame, DataFrame or geo.outputs.web.MapLayer
        Layer name -> data. GeoDataFrames keep their CRS; DataFrames become attribute tables;
        a MapLayer contributes its ``source`` rows (all columns, EPSG:4326).

    Returns
    -------
    Path
    """
    if not layers:
        raise GeoInputError(Msg("err.report.no_layers"), path=path,
                            fix=Msg("err.report.no_layers.fix"))
    ready = {}
    for name, obj in layers.items():
        if not name or not str(name).strip():
            raise GeoInputError(Msg("err.report.empty_name"), path=path,
                                fix=Msg("err.report.empty_name.fix"))
        ready[str(name)] = _gpkg_ready(str(name), obj, path)

    return _atomic(path, lambda tmp: write_gpkg(tmp, ready))


def export_csv(
    df: pd.DataFrame,
    path: str | Path,
    *,
    excel_lv: bool = False,
    sep: str | None = None,
    decimal: str | None = None,
    geometry: str = "auto",
    index: bool = False,
) -> Path:
    """Write a table as CSV in UTF-8 with BOM (Excel then reads Latvian letters correctly).

    Written by :func:`geo._csv.write_csv`: text cells that a spreadsheet would run as a
    formula (starting with ``=``, ``+``, ``-``, ``@``, tab, carriage return) get a leading
    ``'``; numbers stay numbers.

    Parameters
    ----------
    df : DataFrame or GeoDataFrame
    path : str or Path
    excel_lv : bool, default False
        Latvian Excel: ``;`` between fields and ``,`` as the decimal mark (Excel under Latvian
        regional settings opens such a file by double-click into columns).
    sep, decimal : str, optional
        Override the separator (default ``,``, or ``;`` with ``excel_lv``) and the decimal
        mark (default ``.``, or ``,`` with ``excel_lv``).
    geometry : {"auto", "xy", "wkt", "drop"}, default "auto"
        For a GeoDataFrame: ``xy`` adds ``lon``, ``lat`` (EPSG:4326; a point inside each
        polygon or line), ``wkt`` adds the geometry as WKT in EPSG:4326, ``drop`` leaves it
        out; ``auto`` is ``xy``.
    index : bool, default False
        Write the index.

    Returns
    -------
    Path
    """
    if not isinstance(df, pd.DataFrame):
        raise GeoInputError(Msg("err.report.expected_table", type=type(df).__name__),
                            path=path)
    sep = sep if sep is not None else (";" if excel_lv else ",")
    decimal = decimal if decimal is not None else ("," if excel_lv else ".")
    if sep == decimal:
        raise GeoInputError(Msg("err.report.sep_decimal", sep=repr(sep)), path=path,
                            fix=Msg("err.report.sep_decimal.fix"))
    out = pd.DataFrame(df)
    if isinstance(df, gpd.GeoDataFrame):
        if geometry not in ("auto", "xy", "wkt", "drop"):
            raise GeoInputError(Msg("err.report.geometry_option", value=repr(geometry)),
                                path=path, fix=Msg("err.report.geometry_option.fix"))
        gname = df.geometry.name
        out = pd.DataFrame(df.drop(columns=gname))
        if geometry != "drop":
            if df.crs is None:
                raise GeoInputError(Msg("err.report.no_crs"), path=path,
                                    fix=Msg("err.report.set_crs.fix"))
            g = df.geometry.to_crs(settings.WGS84)
            if geometry == "wkt":
                out["wkt"] = shapely.to_wkt(g.values, rounding_precision=settings.MAP_COORD_DECIMALS + 1)
            else:
                pts = np.where(shapely.get_type_id(g.values) == 0, g.values,
                               shapely.point_on_surface(g.values))
                out["lon"] = np.round(shapely.get_x(pts), 6)
                out["lat"] = np.round(shapely.get_y(pts), 6)

    return write_csv(out, path, sep=sep, decimal=decimal, index=index)


# --------------------------------------------------------------------------------------------
# Everything
# --------------------------------------------------------------------------------------------
def _safe_name(s: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(s).strip())
    return keep.strip("_") or "table"


def export_bundle(  # noqa: PLR0913  keyword-only options of a public entry point
    out_dir: str | Path,
    *,
    layers=None,
    m: folium.Map | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
    lang: str = i18n.DEFAULT_LANGUAGE,
    title: str | None = None,
    name: str = "report",
    formats: Sequence[str] = FORMATS,
    excel_lv: bool | None = None,
    tiles: str | None = None,
    force: bool = False,
    run: dict | None = None,
) -> dict[str, Path | list[Path]]:
    """Write the map and tables in every format into ``out_dir``.

    Parameters
    ----------
    out_dir : str or Path
        Folder (created when missing), one the tool owns (:func:`geo._files.owned_dir`: a
        non-empty folder without the tool's marker is refused unless ``force``; other files
        stay). Files are first written into a temporary folder beside it and moved in only
        when every export succeeded.
    layers : sequence of geo.outputs.web.MapLayer, optional
        Map layers (default: those of ``m``).
    m : folium.Map, optional
        Web map (default: ``geo.outputs.web.make_map(layers, ...)``).
    tables : mapping of str to DataFrame, optional
        Tables for the PDF, the GeoPackage (attribute tables) and one CSV each.
    lang : {"lv", "en"}
    title : str, optional
    name : str, default "report"
        File name stem: ``report.html``, ``report.png``, ``report.pdf``, ``report.gpkg``,
        ``report_<table>.csv``.
    formats : sequence of str, default all of ("html", "png", "pdf", "gpkg", "csv")
    excel_lv : bool, optional
        CSV for Latvian Excel (``;`` and decimal comma); default True when ``lang == "lv"``.
    tiles : {None, "osm"}
        Tile option of the web map when it is built here.
    force : bool, default False
        Write into a non-empty folder without the tool's marker.
    run : dict, optional
        From :func:`geo._files.new_run`, recorded in the folder's marker.

    Returns
    -------
    dict
        Format -> path (``csv`` -> list of paths).
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise GeoInputError(Msg("err.report.formats", formats=str(unknown)),
                            fix=Msg("err.report.formats.fix", known=str(list(FORMATS))))
    if layers is None and m is not None:
        layers = _layers_of(m)
    layers = _layers_of(layers) if layers is not None else []
    tables = dict(tables or {})
    bad = {k: type(v).__name__ for k, v in tables.items() if not isinstance(v, pd.DataFrame)}
    if bad:
        raise GeoInputError(Msg("err.report.tables", got=str(bad)), path=out_dir)
    if not layers and not tables:
        raise GeoInputError(Msg("err.report.nothing"), path=out_dir,
                            fix=Msg("err.report.nothing.fix"))
    if excel_lv is None:
        excel_lv = lang == "lv"
    out_dir = check_output_dir(out_dir, force=force)
    written: dict[str, Path | list[Path]] = {}
    with owned_dir(out_dir, force=force, run=run, keep_old=True) as work:
        if layers and "html" in formats:
            fmap = m if m is not None else web.make_map(layers, lang=lang, title=title, tiles=tiles)
            written["html"] = export_html(fmap, work / f"{name}.html")
        if layers and "png" in formats:
            written["png"] = export_png(layers, work / f"{name}.png", lang=lang, title=title)
        if "pdf" in formats:
            written["pdf"] = export_pdf(work / f"{name}.pdf", layers=layers or None,
                                        tables=tables, lang=lang, title=title)
        if "gpkg" in formats:
            gp: dict[str, object] = {}
            for la in layers:
                gp[la.key] = la
            for tname, df in tables.items():
                gp[_safe_name(tname)] = df
            written["gpkg"] = export_gpkg(work / f"{name}.gpkg", gp)
        if "csv" in formats and tables:
            written["csv"] = [
                export_csv(df, work / f"{name}_{_safe_name(tname)}.csv", excel_lv=excel_lv)
                for tname, df in tables.items()
            ]
    return {fmt: [out_dir / q.name for q in p] if isinstance(p, list) else out_dir / p.name
            for fmt, p in written.items()}


# --------------------------------------------------------------------------------------------
# Broadband section (geo.broadband): map of classes, class table per municipality, border bands
# --------------------------------------------------------------------------------------------
i18n.register({
    "report.bb.title": {"lv": "Platjoslas internets: baltās zonas",
                        "en": "Broadband: white spots"},
    "report.bb.municipalities": {"lv": "Iedzīvotāji pa interneta klasēm un novadiem",
                                 "en": "Population per broadband class and municipality"},
    "report.bb.border": {"lv": "Iedzīvotāji pa interneta klasēm un attālumu līdz robežai",
                         "en": "Population per broadband class and distance to the border"},
    "report.bb.area": {"lv": "Teritorija", "en": "Area"},
    "report.bb.total": {"lv": "Kopā", "en": "Total"},
    "report.bb.pupils_white": {"lv": "Skolēni baltajā zonā", "en": "Pupils in white spots"},
    "report.bb.region": {"lv": "Reģions kopā", "en": "Whole region"},
})


def broadband_class_report_table(table: pd.DataFrame, key: str,
                                 lang: str = i18n.DEFAULT_LANGUAGE) -> pd.DataFrame:
    """A :func:`geo.broadband.classes.class_table` as the report shows it: per class
    "population (share)", the total and the pupils in white spots, headers in ``lang``."""
    classes = [c[len("share_"):] for c in table.columns if c.startswith("share_")]
    out = pd.DataFrame({t("report.bb.area", lang): [
        t("report.bb.region", lang) if v == "(region)" else v for v in table[key]]})
    for c in classes:
        pct = (100 * table[f"share_{c}"]).round(1)
        out[t(f"bb.class.{c}", lang)] = [
            f"{format_number(int(p), lang)} ({format_number(float(s), lang, 1)}%)"
            for p, s in zip(table[f"population_{c}"], pct, strict=True)]
    out[t("report.bb.total", lang)] = [format_number(int(v), lang)
                                       for v in table["population_total"]]
    white = [c for c in classes if c in WHITE_CLASSES and f"pupils_{c}" in table]
    if white:
        out[t("report.bb.pupils_white", lang)] = [
            format_number(int(v), lang) for v in table[[f"pupils_{c}" for c in white]].sum(axis=1)]
    return out


def broadband_section(ws, lang: str = i18n.DEFAULT_LANGUAGE, *,
                      boundaries: gpd.GeoDataFrame | None = None,
                      border: gpd.GeoDataFrame | None = None,
                      places: gpd.GeoDataFrame | None = None,
                      ) -> tuple[list[map_layers.MapLayer], dict[str, pd.DataFrame]]:
    """Map layers and tables of the report's broadband section.

    Parameters
    ----------
    ws : geo.broadband.analysis.WhiteSpots
    lang : {"lv", "en"}
    boundaries : GeoDataFrame, optional
        Municipality outlines drawn over the classes.
    border : GeoDataFrame, optional
        National land border lines.
    places : GeoDataFrame, optional
        Named places (a bundle's ``places``), drawn as names.

    Returns
    -------
    (list of MapLayer, dict of DataFrame)
        The class layer (boundaries, border, place names); tables per municipality and per
        border band.
    """
    layers = [map_layers.broadband_class_layer(ws.cells, lang)]
    if boundaries is not None:
        layers.append(map_layers.boundaries_layer(boundaries, lang))
    if border is not None and len(border):
        layers.append(map_layers.border_line_layer(border, lang))
    if places is not None and len(places):
        layers.append(map_layers.places_layer(places, lang))
    tables = {
        t("report.bb.municipalities", lang): broadband_class_report_table(
            ws.municipalities, "municipality", lang),
        t("report.bb.border", lang): broadband_class_report_table(
            ws.border_bands, "border_band", lang),
    }
    return layers, tables


def export_broadband_report(out_dir: str | Path, ws, *, lang: str = i18n.DEFAULT_LANGUAGE,
                            boundaries: gpd.GeoDataFrame | None = None,
                            border: gpd.GeoDataFrame | None = None,
                            places: gpd.GeoDataFrame | None = None,
                            formats: Sequence[str] = ("html", "pdf"),
                            name: str = "broadband_report") -> dict[str, Path | list[Path]]:
    """Write the broadband section as an offline HTML map and a PDF (map + tables)."""
    layers, tables = broadband_section(ws, lang, boundaries=boundaries, border=border,
                                       places=places)
    return export_bundle(out_dir, layers=layers, tables=tables, lang=lang,
                         title=t("report.bb.title", lang), name=name, formats=formats)
