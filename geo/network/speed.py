"""Road speeds from OpenStreetMap tags.

A way's car speed comes from its ``maxspeed`` tag when the tag can be read (numbers, ``mph``,
implicit zone values such as ``LV:rural``, lists), else from the default of its ``highway``
class; both are then limited by its surface (gravel and unpaved roads are slower). All numbers
are in :mod:`geo.settings` (``DEFAULT_SPEED_KMH``, ``SURFACE_SPEED``, ``IMPLICIT_MAXSPEED_KMH``).

The source of every speed is kept (``"tag"``, ``"implicit"`` or ``"default"``) so that the share
of speeds read from the map versus assumed can be reported.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from geo import settings

MPH = 1.609344


_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(mph|km/h|kmh|kph|knots)?\s*$", re.IGNORECASE)


_ZONE = re.compile(r"^(?:[A-Z]{2}:)?zone:?(\d+)$", re.IGNORECASE)


def parse_maxspeed(value: object) -> tuple[float, str]:
    """Read one ``maxspeed`` value.

    Parameters
    ----------
    value : str or None
        The tag value, e.g. ``"50"``, ``"30 mph"``, ``"LV:rural"``, ``"50;70"``, ``"none"``.

    Returns
    -------
    speed_kmh : float
        Speed in km/h, or NaN when the value gives no usable speed (``none``, ``signals``,
        unknown zones, garbage).
    kind : {"tag", "implicit", ""}
        ``"tag"`` for an explicit number, ``"implicit"`` for a zone value from the national
        rules table, ``""`` when unusable. A list (``"50;70"``) gives the mean of its readable
        parts (as osmnx does).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan, ""
    text = str(value).strip()
    if not text:
        return math.nan, ""
    parts = [p for p in re.split(r"[;|]", text) if p.strip()]
    if len(parts) > 1:
        got = [parse_maxspeed(p) for p in parts]
        vals = [v for v, _ in got if not math.isnan(v)]
        if not vals:
            return math.nan, ""
        kind = "tag" if all(k == "tag" for _, k in got if k) else "implicit"
        return float(np.mean(vals)), kind
    m = _NUMBER.match(text)
    if m:
        v = float(m.group(1).replace(",", "."))
        unit = (m.group(2) or "").lower()
        if unit == "mph":
            v *= MPH
        elif unit == "knots":
            v *= 1.852
        return (v, "tag") if v > 0 else (math.nan, "")
    if text in settings.IMPLICIT_MAXSPEED_KMH:
        return float(settings.IMPLICIT_MAXSPEED_KMH[text]), "implicit"
    m = _ZONE.match(text)
    if m:
        return float(m.group(1)), "implicit"
    return math.nan, ""


def surface_group(surface: pd.Series, highway: pd.Series, tracktype: pd.Series | None = None) -> pd.Series:
    """Surface group (``paved``, ``gravel``, ``unpaved``) of each way.

    Parameters
    ----------
    surface, highway : pandas.Series of str (missing values allowed)
        ``surface`` and ``highway`` tags.
    tracktype : pandas.Series of str, optional
        ``tracktype`` tags: ``grade1`` counts as paved, ``grade2`` as gravel, ``grade3``-``5``
        as unpaved, used when ``surface`` is missing.

    Returns
    -------
    pandas.Series of str
        The group from :data:`geo.settings.SURFACE_GROUP`; untagged ways get the class default
        of :data:`geo.settings.DEFAULT_SURFACE_GROUP` (``paved`` otherwise).
    """
    grp = surface.map(settings.SURFACE_GROUP)
    if tracktype is not None:
        tt = tracktype.map({"grade1": "paved", "grade2": "gravel", "grade3": "unpaved",
                            "grade4": "unpaved", "grade5": "unpaved"})
        grp = grp.fillna(tt)
    default = highway.map(settings.DEFAULT_SURFACE_GROUP).fillna("paved")
    return grp.fillna(default).astype(str)


def way_speeds(ways: pd.DataFrame, *, mode: str = "drive") -> pd.DataFrame:
    """Speed of every way, with its source.

    Parameters
    ----------
    ways : pandas.DataFrame
        Columns ``highway`` and, where present, ``maxspeed``, ``maxspeed:forward``,
        ``maxspeed:backward``, ``surface``, ``tracktype`` (missing columns count as untagged).
    mode : {"drive", "walk"}, default "drive"
        ``"walk"`` gives every way :data:`geo.settings.WALK_SPEED_KMH`.

    Returns
    -------
    pandas.DataFrame
        Same index; columns ``speed_kmh`` (float, km/h), ``speed_source`` (``"tag"``,
        ``"implicit"`` or ``"default"``) and ``surface_group``.
    """
    n = len(ways)
    col = lambda c: ways[c] if c in ways else pd.Series([None] * n, index=ways.index, dtype=object)  # noqa: E731
    hw = col("highway").astype(str)
    grp = surface_group(col("surface"), hw, col("tracktype"))
    if mode == "walk":
        return pd.DataFrame(
            {"speed_kmh": settings.WALK_SPEED_KMH, "speed_source": "default", "surface_group": grp},
            index=ways.index,
        )
    # Parse each distinct tag value once (a region has few distinct values).
    tag = col("maxspeed")
    fwd, bwd = col("maxspeed:forward"), col("maxspeed:backward")
    fb = [f"{a};{b}" if isinstance(a, str) and isinstance(b, str) else (a if isinstance(a, str) else b)
          for a, b in zip(fwd, bwd, strict=True)]
    tag = tag.where(tag.notna(), pd.Series(fb, index=ways.index, dtype=object))
    uniq = pd.unique(tag.dropna())
    parsed = {u: parse_maxspeed(u) for u in uniq}
    tag_speed = tag.map(lambda v: parsed[v][0] if v in parsed else math.nan).astype(float)
    tag_kind = tag.map(lambda v: parsed[v][1] if v in parsed else "").fillna("")

    factor = grp.map({g: f for g, (f, _) in settings.SURFACE_SPEED.items()}).astype(float)
    cap = grp.map({g: c for g, (_, c) in settings.SURFACE_SPEED.items()}).astype(float)
    default = hw.map(settings.DEFAULT_SPEED_KMH).fillna(settings.FALLBACK_SPEED_KMH).astype(float)
    has_tag = tag_speed.notna()
    speed = np.where(has_tag, tag_speed, default * factor)
    speed = np.minimum(speed, cap.to_numpy())
    source = np.where(has_tag, tag_kind.replace("", "tag"), "default")
    return pd.DataFrame(
        {"speed_kmh": speed, "speed_source": source, "surface_group": grp}, index=ways.index
    )


def speed_source_share(speed_source: pd.Series, weights: pd.Series | None = None) -> dict[str, float]:
    """Share of speeds by source, optionally weighted (e.g. by edge length).

    Returns
    -------
    dict
        ``{"tag": share, "implicit": share, "default": share}``, shares in [0, 1] summing to 1.
    """
    w = pd.Series(1.0, index=speed_source.index) if weights is None else weights
    tot = float(w.sum())
    return {k: (float(w[speed_source == k].sum()) / tot if tot else 0.0)
            for k in ("tag", "implicit", "default")}
