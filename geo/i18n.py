"""Latvian and English strings for everything a planner sees.

Usage::

    from geo.i18n import t
    t("app.title", "lv")

Keys are grouped by prefix (``app.``, ``map.``, ``ind.`` ...). A key missing in one language
falls back to the other, and a key missing in both is returned as is, so a missing translation
is visible but never crashes the app. ``tests/test_i18n.py`` checks that both languages have
every key.
"""

from __future__ import annotations

LANGUAGES = ("lv", "en")
DEFAULT_LANGUAGE = "lv"

STRINGS: dict[str, dict[str, str]] = {
    "app.title": {
        "lv": "Skolu tīkla plānotājs",
        "en": "School network planner",
    },
    "app.language": {"lv": "Valoda", "en": "Language"},
    "app.region": {"lv": "Reģions", "en": "Region"},
    "app.osm_file": {"lv": "OSM fails", "en": "OSM file"},
    "app.loading_network": {"lv": "Ielādē ceļu tīklu…", "en": "Loading the road network…"},
    "app.computing_access": {
        "lv": "Aprēķina brauciena laiku līdz skolām…",
        "en": "Computing travel time to schools…",
    },
    "map.roads": {"lv": "Ceļi", "en": "Roads"},
    "map.schools": {"lv": "Skolas", "en": "Schools"},
    "map.travel_time": {"lv": "Brauciena laiks līdz skolai, min", "en": "Travel time to school, min"},
    "map.dormitories": {"lv": "Dienesta viesnīcas", "en": "Dormitories"},
    "map.boundaries": {"lv": "Novadu robežas", "en": "Municipality boundaries"},
    "unit.min": {"lv": "min", "en": "min"},
    "unit.km": {"lv": "km", "en": "km"},
    "cli.reading_osm": {"lv": "Lasa OSM", "en": "Reading OSM"},
    "cli.building_graph": {"lv": "Būvē grafu", "en": "Building graph"},
    "cli.routing": {"lv": "Maršrutē", "en": "Routing"},
}


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **fmt) -> str:
    """Translate ``key`` into ``lang`` ("lv" or "en").

    Parameters
    ----------
    key : str
        String key, e.g. ``"app.title"``.
    lang : {"lv", "en"}, default "lv"
        Language.
    **fmt
        Values for ``str.format`` placeholders in the string.

    Returns
    -------
    str
        The translated string, or the other language's string, or ``key`` itself.
    """
    entry = STRINGS.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry.get("en") or entry.get("lv") or key
    return text.format(**fmt) if fmt else text


def register(strings: dict[str, dict[str, str]]) -> None:
    """Add strings (used by modules that own a group of keys)."""
    STRINGS.update(strings)
