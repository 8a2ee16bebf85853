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
    "unit.pupils": {"lv": "skolēni", "en": "pupils"},
    "unit.schools": {"lv": "skolas", "en": "schools"},
    "unit.EUR/year": {"lv": "EUR gadā", "en": "EUR/year"},
    "app.source": {"lv": "Datu avots", "en": "Data source"},
    "app.osm_upload": {"lv": "…vai augšupielādēt OSM failu", "en": "…or upload an OSM file"},
    "app.no_osm": {
        "lv": "Nav atrasts neviens OSM fails. Lejupielādējiet reģiona izvilkumu (piem., "
              "https://download.geofabrik.de/europe/latvia-latest.osm.pbf) mapē data/downloads.",
        "en": "No OSM file found. Download a regional extract (e.g. "
              "https://download.geofabrik.de/europe/latvia-latest.osm.pbf) into data/downloads.",
    },
    "app.threshold": {"lv": "Brauciena laika slieksnis, min", "en": "Travel-time threshold, min"},
    "app.cell_size": {"lv": "Šūnas izmērs, m", "en": "Cell size, m"},
    "app.network_summary": {
        "lv": "{nodes} mezgli, {km} km ceļu; ātrums no maxspeed birkas {tag} ceļu garuma",
        "en": "{nodes} nodes, {km} km of roads; speed from a maxspeed tag on {tag} of road length",
    },
    "app.median_time": {"lv": "Mediānais brauciena laiks", "en": "Median travel time"},
    "app.beyond_threshold": {"lv": "Šūnas virs sliekšņa", "en": "Cells beyond threshold"},
    "app.schools_count": {"lv": "Skolas", "en": "Schools"},
    "app.unsnapped": {
        "lv": "{n} šūnas ir tālāk par {m} m no ceļa un nav aprēķinātas.",
        "en": "{n} cells are farther than {m} m from a road and were not routed.",
    },
    "app.download_html": {"lv": "Lejupielādēt karti (HTML)", "en": "Download map (HTML)"},
    "app.download_csv": {"lv": "Lejupielādēt tabulu (CSV)", "en": "Download table (CSV)"},
    "app.grid_note": {
        "lv": "Šim reģionam nav iedzīvotāju režģa: brauciena laiks rādīts 1 km šūnām ar ceļiem.",
        "en": "This region has no population grid: travel time is shown for 1 km cells with roads.",
    },
    "app.no_schools": {
        "lv": "Šajā OSM failā nav skolu (amenity=school).",
        "en": "This OSM file has no schools (amenity=school).",
    },
    "app.why.vidzeme": {
        "lv": "Vidzemes plānošanas reģions: reālie dati (OSM ceļi, IZM reģistrs, tautas skaitīšanas režģis).",
        "en": "Vidzeme planning region: real data (OSM roads, IZM registry, census grid).",
    },
    "app.why.no_vidzeme_bundle": {
        "lv": "Rāda DEMO reģionu ar izdomātiem datiem, jo Vidzemes datu komplekts vēl nav "
              "izveidots. Izveidojiet to ar `python -m geo build vidzeme`.",
        "en": "Showing the DEMO region with fictional data because the Vidzeme bundle has not "
              "been built yet. Build it with `python -m geo build vidzeme`.",
    },
    "app.why.no_vidzeme_roads": {
        "lv": "Rāda DEMO reģionu ar izdomātiem datiem, jo Vidzemes datu komplektā nav ceļu tīkla "
              "(OSM). Lejupielādējiet to: `python -m geo download --geofabrik europe/latvia "
              "--clip BOUNDARY --out data/downloads/osm/vidzeme.osm.pbf`, tad "
              "`python -m geo build vidzeme`.",
        "en": "Showing the DEMO region with fictional data because the Vidzeme bundle has no "
              "road network (OSM). Download it: `python -m geo download --geofabrik europe/latvia "
              "--clip BOUNDARY --out data/downloads/osm/vidzeme.osm.pbf`, then "
              "`python -m geo build vidzeme`.",
    },
    "app.fictional": {
        "lv": "Izdomāti dati: visi nosaukumi un skaitļi ir izdomāti.",
        "en": "Fictional data: every name and figure is invented.",
    },
    "app.other_osm": {"lv": "Cits OSM fails…", "en": "Another OSM file…"},
    "app.no_roads": {
        "lv": "Šim reģionam nav ceļu tīkla. Bez ceļiem nevar aprēķināt brauciena laiku, "
              "baltos plankumus, skolu apkalpes zonas, scenārijus un optimizāciju. Bez ceļiem "
              "darbojas: iedzīvotāju un skolēnu režģis, skolas, dienesta viesnīcas un platjoslas "
              "internets (cilne «Platjosla»). Ceļus lejupielādē ar "
              "`python -m geo download` (skat. README).",
        "en": "This region has no road network. Without roads, travel time, white spots, "
              "catchments, scenarios and optimisation cannot be computed. What works without "
              "roads: the population and pupils grid, schools, dormitories and broadband "
              "(the Broadband tab). Get the roads with `python -m geo download` (see README).",
    },
    "app.grade_band": {"lv": "Klašu grupa", "en": "Grade band"},
    "app.pupils": {"lv": "Skolēni", "en": "Pupils"},
    "app.pupils_beyond": {"lv": "Skolēni virs sliekšņa", "en": "Pupils beyond threshold"},
    "app.tab.map": {"lv": "Karte", "en": "Map"},
    "app.tab.schools": {"lv": "Skolas", "en": "Schools"},
    "app.tab.scenarios": {"lv": "Scenāriji", "en": "Scenarios"},
    "app.tab.data": {"lv": "Dati un avoti", "en": "Data and sources"},
    "app.missing_layers": {"lv": "Trūkstošie slāņi", "en": "Missing layers"},
    "app.layers": {"lv": "Slāņi", "en": "Layers"},
    "app.unlocated": {
        "lv": "{n} skolām nav atrašanās vietas; tās nav kartē. Aizpildiet {file} un izveidojiet "
              "datu komplektu no jauna.",
        "en": "{n} schools have no location and are not on the map. Fill in {file} and build "
              "the bundle again.",
    },
    "app.by_municipality": {"lv": "Pa novadiem", "en": "By municipality"},
    "app.municipality": {"lv": "Novads", "en": "Municipality"},
    "app.input_error": {
        "lv": "Ievaddatu kļūda. Sīkāka informācija (angliski) — fails un kā to labot:",
        "en": "Input error. Details — the file and how to fix it:",
    },
    "app.indicator": {"lv": "Rādītājs", "en": "Indicator"},
    "app.unit": {"lv": "Vienība", "en": "Unit"},
    "app.difference": {"lv": "Starpība", "en": "Difference"},
    "app.scenario": {"lv": "Scenārijs", "en": "Scenario"},
    "app.scenario_edit": {"lv": "(veidot šeit)", "en": "(make here)"},
    "app.close_schools": {"lv": "Slēgt skolas", "en": "Close schools"},
    "app.year": {"lv": "Gads", "en": "Year"},
    "app.mode": {"lv": "Transports", "en": "Transport"},
    "app.mode.bus": {"lv": "Skolēnu autobuss", "en": "School bus"},
    "app.mode.car": {"lv": "Automašīna", "en": "Car"},
    "app.compare_with": {
        "lv": "Salīdzinājums ar pašreizējo tīklu (tas pats gads un transports)",
        "en": "Compared with the current network (same year and transport)",
    },
    "app.area": {"lv": "Teritorija", "en": "Area"},
    "app.whole_region": {"lv": "Viss reģions", "en": "Whole region"},
    "app.all_bands": {"lv": "visas", "en": "all"},
    "app.switches": {"lv": "Skolēni, kas maina skolu", "en": "Pupils changing school"},
    "app.newly_beyond": {
        "lv": "Skolēni, kas nonāk virs sliekšņa: {n}",
        "en": "Pupils newly beyond the threshold: {n}",
    },
    "app.download_scenario": {"lv": "Lejupielādēt scenāriju (YAML)", "en": "Download scenario (YAML)"},
    "app.download_comparison": {"lv": "Lejupielādēt salīdzinājumu (CSV)", "en": "Download comparison (CSV)"},
    "app.optimise": {"lv": "Ieteikt, kuras skolas saglabāt", "en": "Suggest which schools to keep"},
    "app.objective": {"lv": "Mērķis", "en": "Objective"},
    "app.objective.p-median": {
        "lv": "Mazākais kopējais brauciena laiks (p-mediāna)",
        "en": "Least total travel time (p-median)",
    },
    "app.objective.coverage": {
        "lv": "Visvairāk skolēnu sliekšņa robežās (pārklājums)",
        "en": "Most pupils within the threshold (coverage)",
    },
    "app.n_schools": {"lv": "Skolu skaits", "en": "Number of schools"},
    "app.run": {"lv": "Aprēķināt", "en": "Run"},
    "app.keep": {"lv": "Saglabāt", "en": "Keep"},
    "app.close": {"lv": "Slēgt", "en": "Close"},
    "app.scenario_map": {"lv": "Brauciena laiks scenārijā", "en": "Travel time in the scenario"},
    "app.preparing": {
        "lv": "Sagatavo reģionu scenārijiem (brauciena laiki no katras šūnas līdz katrai skolai)…",
        "en": "Preparing the region for scenarios (travel time from every cell to every school)…",
    },
    "app.choose": {"lv": "Izvēlieties…", "en": "Choose…"},
    "app.baseline": {"lv": "Pašreizējais tīkls", "en": "Current network"},
    "app.map_method": {
        "lv": "Brauciena laiks ar automašīnu līdz tuvākajai skolai, kas māca šīs klases (bez "
              "ietilpības ierobežojumiem). Skolēnu autobusa laiki, ietilpība un dienesta "
              "viesnīcas — cilnē “Scenāriji”.",
        "en": "Car travel time to the nearest school teaching these grades (no capacity "
              "limits). School-bus times, capacities and dormitories: see the Scenarios tab.",
    },
    "cli.reading_osm": {"lv": "Lasa OSM", "en": "Reading OSM"},
    "cli.building_graph": {"lv": "Būvē grafu", "en": "Building graph"},
    "cli.routing": {"lv": "Maršrutē", "en": "Routing"},
}


#: Column headers of the tables shown in the app (``col.<column>``).
_COLUMN_HEADERS = {
    "school_id": ("Reģistrācijas Nr.", "Registration no."),
    "name": ("Nosaukums", "Name"),
    "school_type": ("Skolas veids", "School type"),
    "grades_served": ("Klases", "Grades"),
    "pupils_1_12": ("Skolēni (1.-12. kl.)", "Pupils (grades 1-12)"),
    "municipality": ("Novads", "Municipality"),
    "address": ("Adrese", "Address"),
    "status": ("Atrašanās vieta", "Location status"),
    "capacity": ("Ietilpība", "Capacity"),
    "layer": ("Slānis", "Layer"),
    "rows": ("Rindas", "Rows"),
    "origin": ("Izcelsme", "Origin"),
    "sources": ("Avoti", "Sources"),
    "school_a": ("Skola pašlaik", "School now"),
    "school_b": ("Skola scenārijā", "School in the scenario"),
    "pupils": ("Skolēni", "Pupils"),
}
STRINGS.update({f"col.{k}": {"lv": lv, "en": en} for k, (lv, en) in _COLUMN_HEADERS.items()})


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


def columns(df, lang: str = DEFAULT_LANGUAGE):
    """The DataFrame with its column headers translated (``col.<name>`` keys; others kept)."""
    return df.rename(columns={c: t(f"col.{c}", lang) for c in df.columns
                              if f"col.{c}" in STRINGS})


def register(strings: dict[str, dict[str, str]]) -> None:
    """Add strings (used by modules that own a group of keys)."""
    STRINGS.update(strings)
