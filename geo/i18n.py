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


# ------------------------------------------------------------------------------------------
# Error and warning messages (:class:`geo.errors.Msg`): ``err.<area>.<what>`` -> (lv, en),
# the fix of an error ``<key>.fix``. Both languages take the same ``{placeholders}``; a
# template that drops one is not used (the English one is, so no file, row or value is lost).
# The English text is what ``str(exc)`` gives (CLI, logs, tests).
# ------------------------------------------------------------------------------------------
_ERRORS: dict[str, tuple[str, str]] = {
    "err.fix": ("Kā labot:", "Fix:"),
    "err.at_line": ("{line}. rinda: ", "line {line}: "),
    "err.did_you_mean": (" Vai domājāt {options}?", " Did you mean {options}?"),
    # numbers and options (geo.errors.check_number)
    "err.number.not_number": ("{name} = {value} nav skaitlis.", "{name} = {value} is not a number."),
    "err.number.not_finite": ("{name} = {value} nav galīgs skaitlis.",
                              "{name} = {value} is not a finite number."),
    "err.number.above": ("{name} = {value}, bet tam jābūt lielākam par {low}.",
                         "{name} = {value} must be greater than {low}."),
    "err.number.at_least": ("{name} = {value}, bet tam jābūt vismaz {low}.",
                            "{name} = {value} must be at least {low}."),
    # the tool's own files (geo.errors.named_errors)
    "err.file.permission": ("nevar nolasīt (nav lasīšanas tiesību: {file}).",
                            "cannot be read (permission denied: {file})."),
    "err.file.permission.fix": ("piešķiriet sev lasīšanas tiesības (chmod -R u+rX).",
                                "give yourself read permission (chmod -R u+rX)."),
    "err.file.corrupt": ("{problem} ({detail}).", "{problem} ({detail})."),
    # output folders and files (geo._files)
    "err.out.force_or_new": ("izmantojiet --force vai jaunu mapi (nekas netika mainīts).",
                             "use --force or a new folder (nothing was changed)."),
    "err.out.empty": ("izvades ceļš ir tukšs.", "the output path is empty."),
    "err.out.empty.fix": ("norādiet mapes vai faila nosaukumu.", "give a folder or file name."),
    "err.out.symlink": ("izvades ceļš ir simboliskā saite; tā netiek aizstāta.",
                        "the output path is a symbolic link; it is not replaced."),
    "err.out.symlink.fix": ("norādiet īsto ceļu vai jaunu mapi.",
                            "give the real path, or a new folder."),
    "err.out.protected": (
        "{folder} netiek izmantota kā izvades mape: tā ir (vai satur) pašreizējo mapi, "
        "projektu, mājas mapi vai failu sistēmas sakni.",
        "refusing to use {folder} as an output folder: it is (or holds) the current folder, "
        "the project, the home folder or the filesystem root."),
    "err.out.protected.fix": ("norādiet jaunu mapi, piem., results/run1.",
                              "give a new folder, e.g. results/run1."),
    "err.out.is_file": ("ir esošs fails, nevis mape; tas netiek aizstāts.",
                        "is an existing file, not a folder; it is not replaced."),
    "err.out.is_file.fix": ("norādiet mapes ceļu (jaunu vai tukšu mapi).",
                            "give a folder path (a new or empty folder)."),
    "err.out.is_folder": ("ir mape, bet izvade ir viens fails.",
                          "is a folder; the output is a single file."),
    "err.out.is_folder.fix": ("norādiet faila nosaukumu, piem., results/out.gpkg.",
                              "give a file name, e.g. results/out.gpkg."),
    "err.out.parent_not_folder": ("{folder} nav mape.", "{folder} is not a folder."),
    "err.out.parent_not_folder.fix": ("norādiet citu izvades ceļu.", "give another output path."),
    "err.out.cannot_write_in": ("nevar rakstīt mapē {folder} ({reason}).",
                                "cannot write in {folder} ({reason})."),
    "err.out.writable.fix": ("norādiet izvades ceļu mapē, kurā jums ir rakstīšanas tiesības.",
                             "give an output path in a folder you can write to."),
    "err.out.cannot_write": ("nevar ierakstīt izvadi ({reason}: {file}).",
                             "cannot write the output ({reason}: {file})."),
    "err.out.more": (" ... (kopā {n})", " ... ({n} in all)"),
    "err.out.foreign_files": (
        "izvades mapē ir faili, kurus nav rakstījis šis rīks ({files}{more}); tie netiek "
        "aizstāti.",
        "the output folder holds files this tool did not write ({files}{more}); they are not "
        "replaced."),
    "err.out.foreign_same_name": (
        "izvades mapē ir tāda paša nosaukuma faili, kurus nav rakstījis šis rīks "
        "({files}{more}); tie netiek aizstāti.",
        "the output folder holds files of the same name that this tool did not write "
        "({files}{more}); they are not replaced."),
    "err.out.other_command": (
        "izvades mapē ir citas komandas rezultāti ({command}, {created}); tie netiek aizstāti.",
        "the output folder holds the results of another command ({command}, {created}); they "
        "are not replaced."),
    "err.out.other_command.fix": (
        "norādiet jaunu mapi vai izmantojiet --force, lai tos aizstātu (nekas netika mainīts).",
        "give a new folder, or use --force to replace them (nothing was changed)."),
    "err.out.foreign_file": ("ir esošs fails, kuru nav rakstījis šis rīks; tas netiek aizstāts.",
                             "is an existing file this tool did not write; it is not replaced."),
    "err.out.foreign_file.fix": (
        "izmantojiet --force vai jaunu faila nosaukumu (nekas netika mainīts).",
        "use --force or a new file name (nothing was changed)."),
    "err.out.same_file_twice": ("viens un tas pats fails norādīts divreiz: {files}.",
                                "the same file is given twice: {files}."),
    "err.out.same_file_twice.fix": ("norādiet katru scenārija failu tikai vienreiz.",
                                    "give each scenario file once."),
    # YAML input files (geo._yaml); err.kind.* are the kinds in the genitive
    "err.kind.scenario": ("scenārija", "scenario"),
    "err.kind.recipe": ("receptes", "recipe"),
    "err.yaml.not_found": ("{kind} fails nav atrasts.", "{kind} file not found."),
    "err.yaml.not_found.fix": ("pārbaudiet ceļu.", "check the path."),
    "err.yaml.too_big": ("fails ir {size} baitu liels; {kind} fails drīkst būt ne lielāks par "
                         "{max} baitiem.",
                         "the file is {size} bytes; a {kind} file may be at most {max} bytes."),
    "err.yaml.too_big.fix": (
        "pārbaudiet, vai tas tiešām ir {kind} fails (īss teksta fails, daži kB); ierobežojums "
        "ir settings.YAML_MAX_BYTES[{kind_id}].",
        "check that this is the {kind} file (a short text file of a few kB); the limit is "
        "settings.YAML_MAX_BYTES[{kind_id}]."),
    "err.yaml.unreadable": ("nevar nolasīt {kind} failu ({reason}).",
                            "cannot read the {kind} file ({reason})."),
    "err.yaml.unreadable.fix": (
        "pārbaudiet, vai failu drīkst lasīt (tiesības) un vai tas nav atvērts citā programmā.",
        "check that the file is readable (permissions) and not open in another program."),
    "err.yaml.save_utf8": (
        "saglabājiet to kā UTF-8 (piem., Notepad: Fails > Saglabāt kā > Kodējums: UTF-8) vai "
        "pārveidojiet: iconv -f {enc} -t utf-8 OLD.yaml > NEW.yaml",
        "save it as UTF-8 (e.g. Notepad: File > Save as > Encoding: UTF-8) or convert it: "
        "iconv -f {enc} -t utf-8 OLD.yaml > NEW.yaml"),
    "err.yaml.utf16": ("{kind} fails ir UTF-16 teksts, bet tam jābūt UTF-8.",
                       "the {kind} file is UTF-16 text; it must be UTF-8."),
    "err.yaml.binary": ("šis ir binārs fails, nevis YAML {kind} fails (tajā ir NUL baiti).",
                        "this is a binary file, not a YAML {kind} file (it holds NUL bytes)."),
    "err.yaml.binary.fix": ("norādiet {kind} YAML teksta failu (*.yaml).",
                            "give the {kind} YAML text file (*.yaml)."),
    "err.yaml.not_utf8": ("{line}. rinda: {kind} fails nav UTF-8 teksts (baits 0x{byte}){guess}.",
                          "line {line}: the {kind} file is not UTF-8 text (byte 0x{byte}){guess}."),
    "err.yaml.cp1257_guess": ("; izskatās pēc Windows-1257 (Baltijas) vai cita 8 bitu kodējuma",
                              "; it looks like Windows-1257 (Baltic) or another 8-bit encoding"),
    "err.yaml.syntax": ("{at}nederīgs YAML ({problem}).", "{at}not valid YAML ({problem})."),
    "err.yaml.syntax.fix": ("pārbaudiet atkāpes (atstarpes, nevis tabulācijas) un pēdiņas.",
                            "check indentation (spaces, not tabs) and quotes."),
    "err.yaml.too_deep": ("{line}. rinda: YAML ir ligzdots dziļāk par {max} līmeņiem.",
                          "line {line}: the YAML is nested more than {max} levels deep."),
    "err.yaml.too_deep.fix": (
        "īstos failos ir tikai daži ligzdojuma līmeņi; pārbaudiet iekavas un atkāpes "
        "(ierobežojums settings.YAML_MAX_DEPTH).",
        "real files nest a few levels; check the brackets and indentation "
        "(limit settings.YAML_MAX_DEPTH)."),
    "err.yaml.too_deep_recursion": ("YAML ir ligzdots pārāk dziļi.", "the YAML is nested too deeply."),
    "err.yaml.alias_self": ("{line}. rinda: aizstājvārds (*name) atsaucas pats uz sevi.",
                            "line {line}: an alias (*name) refers to itself."),
    "err.yaml.alias_self.fix": ("ierakstiet vērtības pilnībā rekursīva aizstājvārda vietā.",
                                "write the values out instead of a recursive alias."),
    "err.yaml.alias_bomb": (
        "YAML ar aizstājvārdiem (*name) izvēršas vairāk nekā {max} vērtībās; tas izskatās pēc "
        "aizstājvārdu bumbas.",
        "the YAML expands to more than {max} values through its aliases (*name); this looks "
        "like an alias bomb."),
    "err.yaml.alias_bomb.fix": (
        "ierakstiet vērtības pilnībā vai lietojiet mazāk aizstājvārdu (ierobežojums "
        "settings.YAML_MAX_NODES).",
        "write the values out, or use fewer aliases (limit settings.YAML_MAX_NODES)."),
    "err.yaml.duplicate_key": (
        "{b}. rinda: atslēga {key} ierakstīta divreiz ({a}. un {b}. rindā); YAML klusējot "
        "paturētu tikai pēdējo.",
        "line {b}: the key {key} is written twice (lines {a} and {b}); YAML would silently "
        "keep only the last one."),
    "err.yaml.duplicate_key.fix": (
        "atstājiet vienu {key}: apvienojiet abus vienā (piem., vienā 'changes:' sarakstā ar "
        "visām izmaiņām).",
        "keep one {key}: merge the two into one (e.g. one 'changes:' list holding every "
        "change)."),
    # scenario files (geo.planning.scenario)
    "err.scenario.not_found": ("scenārija fails nav atrasts.", "scenario file not found."),
    "err.scenario.not_found.fix": ("pārbaudiet ceļu (scenāriji atrodas mapē scenarios/*.yaml).",
                                   "check the path (scenarios live in scenarios/*.yaml)."),
    "err.scenario.yaml.fix": (
        "pārbaudiet atkāpes un pēdiņas; identifikatorus, piemēram, 4411900920, var rakstīt "
        "pēdiņās.",
        "check indentation and quotes; ids such as 4411900920 may be quoted."),
    "err.scenario.field": ("{at}{field}{message}", "{at}{field}{message}"),
    "err.scenario.change": ("{at}changes[{index}] ({kind})", "{at}changes[{index}] ({kind})"),
    "err.scenario.in_change": ("{where}: {message}", "{where}: {message}"),
    "err.scenario.closed_by": (" ar izmaiņu {change}", " by {change}"),
    "err.scenario.not_number": ("jābūt skaitlim, bet ir {value}.", "must be a number, got {value}."),
    "err.scenario.range": ("jābūt no {lo} līdz {hi}, bet ir {value}.",
                           "must be between {lo} and {hi}, got {value}."),
    "err.scenario.not_whole": ("jābūt veselam skaitlim, bet ir {value}.",
                               "must be a whole number, got {value}."),
    "err.scenario.unknown_key": ("nezināma atslēga {key}.{hint}", "unknown key {key}.{hint}"),
    "err.scenario.use_only": ("izmantojiet tikai {keys}.", "use only {keys}."),
    "err.scenario.needs": ("izmaiņai {kind} vajag {key}:.", "{kind} needs {key}:."),
    "err.scenario.not_mapping": (
        "scenārija failam jābūt atslēgu kartējumam (name:, year:, changes: ...).",
        "a scenario file must be a mapping of keys (name:, year:, changes: ...)."),
    "err.scenario.year": ("jābūt veselam gadam, piemēram, 2027, bet ir {value}.",
                          "must be a whole year such as 2027, got {value}."),
    "err.scenario.transport_mapping": ("jābūt kartējumam (mode:, bus_detour_factor: ...).",
                                       "must be a mapping (mode:, bus_detour_factor: ...)."),
    "err.scenario.mode": ("jābūt 'bus' vai 'car', bet ir {value}.",
                          "must be 'bus' or 'car', got {value}."),
    "err.scenario.mode.fix": (
        "skolēni, kas dzīvo tālāk par kājām ejamo attālumu, brauc ar skolas autobusu vai "
        "automašīnu.",
        "pupils beyond walking distance go by school bus or by car."),
    "err.scenario.above_zero": ("jābūt lielākam par 0.", "must be above 0."),
    "err.scenario.thresholds_mapping": (
        "jānorāda minūtes katrai klašu grupai, piem., {{\"1-6\": 30}}.",
        "must map grade bands to minutes, e.g. {{\"1-6\": 30}}."),
    "err.scenario.unknown_band": ("nezināma klašu grupa {band}.{hint}",
                                  "unknown grade band {band}.{hint}"),
    "err.scenario.unknown_band.fix": (
        "grupas ir {bands} (geo/settings.py GRADE_BANDS); YAML tās rakstiet pēdiņās: "
        "\"1-6\": 30.",
        "the bands are {bands} (geo/settings.py GRADE_BANDS); quote them in YAML: \"1-6\": 30."),
    "err.scenario.mapping": ("jābūt kartējumam.", "must be a mapping."),
    "err.scenario.changes_list": ("jābūt izmaiņu sarakstam, kurā katra izmaiņa sākas ar '- '.",
                                  "must be a list of changes, each starting with '- '."),
    "err.scenario.change_shape": (
        "katra izmaiņa ir viena atslēga (close, merge, set_grades, set_capacity, open, "
        "dormitory) ar savām vērtībām, bet ir {value}.",
        "each change is one key (close, merge, set_grades, set_capacity, open, dormitory) "
        "with its values, got {value}."),
    "err.scenario.unknown_change": ("nezināma izmaiņa {kind}.{hint}", "unknown change {kind}.{hint}"),
    "err.scenario.unknown_change.fix": ("izmantojiet vienu no: {kinds}.", "use one of {kinds}."),
    "err.scenario.needs_keys": ("vajag atslēgas {keys}, bet ir {value}.",
                                "needs keys {keys}, got {value}."),
    "err.scenario.takes": ("izmaiņai {kind} der atslēgas {keys}.", "{kind} takes {keys}."),
    "err.scenario.no_school": ("nav norādīta neviena skola.", "lists no school."),
    "err.scenario.merge_itself": ("skolu nevar apvienot pašu ar sevi.",
                                  "a school cannot be merged into itself."),
    "err.scenario.grades": ("nederīgas klases: {detail}.", "{detail}."),
    "err.scenario.grades_or_type": (
        "norādiet vai nu grades: (piem., \"1-6\"), vai type: (piem., sākumskola).",
        "give either grades: (e.g. \"1-6\") or type: (e.g. sākumskola)."),
    "err.scenario.open_grades": ("izmaiņai open vajag grades: (piem., \"1-9\") vai type:.",
                                 "open needs grades: (e.g. \"1-9\") or type:."),
    "err.scenario.location": (
        "norādiet atrašanās vietu kā lon: un lat: (grādos) vai kā x: un y: (EPSG:3059 metros), "
        "bet ne abus.",
        "give the location as lon: and lat: (degrees) or as x: and y: (EPSG:3059 metres), "
        "not both."),
    "err.scenario.dormitory_op": ("norādiet tieši vienu no add:, remove: vai set: (vietas).",
                                  "give exactly one of add:, remove: or set: (places)."),
    "err.scenario.bad_id": ("{value} nav skolas identifikators (reģistrācijas numurs).",
                            "{value} is not a school id (registration number)."),
    "err.scenario.bad_id.fix": ("ierakstiet identifikatoru kā tekstu, piem., \"4411900920\".",
                                "write the id as text, e.g. \"4411900920\"."),
    "err.scenario.region": (
        "scenārijs ir reģionam {scenario_region}, bet sagatavotie dati ir reģionam "
        "{prep_region}.",
        "the scenario is for region {scenario_region}, the prepared data are of {prep_region}."),
    "err.scenario.region.fix": ("novērtējiet to ar pareizo reģionu vai izlabojiet region:.",
                                "evaluate it with the right region, or fix region:."),
    "err.scenario.no_threshold": ("nav sliekšņa klašu grupām {bands}.",
                                  "no threshold for grade bands {bands}."),
    "err.scenario.no_threshold.fix": ("pievienojiet tās zem thresholds_min:.",
                                      "add them under thresholds_min:."),
    "err.scenario.close_matches": (" Līdzīgi identifikatori: {matches}.",
                                   " Close matches: {matches}."),
    "err.scenario.unknown_school": ("nezināms skolas identifikators {sid} ({role}).{hint}",
                                    "unknown school id {sid} ({role}).{hint}"),
    "err.scenario.unknown_school.fix": (
        "izmantojiet reģiona skolu reģistrācijas numurus (tie ir skolu tabulā).",
        "use the registration numbers of the region's schools (the schools table lists them)."),
    "err.scenario.role.school": ("skola", "school"),
    "err.scenario.role.merged_school": ("apvienojamā skola", "merged school"),
    "err.scenario.role.school_merged_into": ("skola, ar kuru apvieno", "school merged into"),
    "err.scenario.already_closed": ("skola {sid} ({name}) jau ir slēgta{why}.",
                                    "school {sid} ({name}) is already closed{why}."),
    "err.scenario.already_closed.fix": ("noņemiet vienu no abām izmaiņām vai mainiet to secību.",
                                        "remove one of the two changes, or reorder them."),
    "err.scenario.merge_closed": (
        "nevar apvienot {school} ar {into} ({name}): šī skola ir slēgta{why}.",
        "cannot merge {school} into {into} ({name}): that school is closed{why}."),
    "err.scenario.merge_closed.fix": ("apvienojiet ar atvērtu skolu vai noņemiet slēgšanas izmaiņu.",
                                      "merge into an open school, or drop the closing change."),
    "err.scenario.dorm_remove": (
        "nevar noņemt {n} dienesta viesnīcas vietas skolai {school}: tai ir {has}.",
        "cannot remove {n} dormitory places from {school}: it has {has}."),
    "err.scenario.dorm_remove.fix": ("noņemiet ne vairāk kā {has} vai izmantojiet set: 0.",
                                     "remove at most {has}, or use set: 0."),
    "err.scenario.id_exists": ("skola ar identifikatoru {id} jau pastāv.",
                               "a school with id {id} exists already."),
    "err.scenario.id_exists.fix": ("piešķiriet jaunajai skolai savu identifikatoru, piem., NEW-1.",
                                   "give the new school an id of its own, e.g. NEW-1."),
    # what an input is (geo.sources.tabular.named): the Latvian in the genitive
    "err.name.table": ("tabulas", "table"),
    "err.name.coverage": ("pārklājuma", "coverage"),
    "err.name.school capacity": ("skolu ietilpības", "school capacity"),
    "err.name.dormitories": ("dienesta viesnīcu", "dormitories"),
    "err.name.dormitory": ("dienesta viesnīca", "dormitory"),
    "err.name.BEREC coverage": ("BEREC pārklājuma", "BEREC coverage"),
    "err.name.school locations": ("skolu atrašanās vietu", "school locations"),
    "err.name.points": ("punktu", "points"),
    "err.name.origins": ("sākumpunktu", "origins"),
    "err.name.Ookla tiles": ("Ookla flīžu", "Ookla tiles"),
    "err.name.Ookla grid": ("Ookla režģa", "Ookla grid"),
    "err.name.population grid": ("iedzīvotāju režģa", "population grid"),
    "err.name.grid tile": ("režģa flīzes", "grid tile"),
    "err.name.facilities": ("objektu", "facilities"),
    "err.name.facility": ("objekts", "facility"),
    "err.name.school": ("skola", "school"),
    "err.name.population": ("iedzīvotāju", "population"),
    "err.name.boundaries": ("robežu", "boundaries"),
    "err.name.border": ("robežas", "border"),
    "err.name.clip polygon": ("apgriešanas daudzstūra", "clip polygon"),
    "err.name.OSM": ("OSM", "OSM"),
    # input tables and files (geo.sources.tabular, geo.sources.vector)
    "err.tab.permission": ("{name} failu nevar nolasīt (nav lasīšanas tiesību).",
                           "the {name} file cannot be read (permission denied)."),
    "err.tab.permission.fix": (
        "piešķiriet sev lasīšanas tiesības (piem., chmod u+r) vai nokopējiet failu savā mapē.",
        "give yourself read permission (e.g. chmod u+r) or copy the file to a folder of your "
        "own."),
    "err.tab.unreadable": ("{name} failu nevar nolasīt ({reason}).",
                           "the {name} file cannot be read ({reason})."),
    "err.tab.unreadable.fix": ("pārbaudiet failu un disku.", "check the file and the disk."),
    "err.tab.corrupt": ("{name} fails ir bojāts vai nepilnīgs ({detail}).",
                        "the {name} file is corrupt or truncated ({detail})."),
    "err.tab.again.fix": ("lejupielādējiet vai eksportējiet to vēlreiz.",
                          "download or export it again."),
    "err.tab.unpacked": (" pēc atpakošanas", " unpacked"),
    "err.tab.too_large": (
        "{name} fails ir pārāk liels ({mb} MB{unpacked}; {kind} failiem ierobežojums ir "
        "{limit} MB, lai nepārsniegtu atmiņu).",
        "the {name} file is too large ({mb} MB{unpacked}; the limit for {kind} files is "
        "{limit} MB, to keep memory bounded)."),
    "err.tab.too_large.fix": (
        "pārbaudiet, vai tas ir pareizais fails; apgrieziet to pēc reģiona robežām (piem., QGIS "
        "vai ar ogr2ogr -clipsrc) vai palieliniet MAX_INPUT_MB failā geo/settings.py.",
        "check that it is the right file; clip it to the region (e.g. in QGIS or with "
        "ogr2ogr -clipsrc), or raise MAX_INPUT_MB in geo/settings.py."),
    "err.tab.content.a_ZIP_archive": ("ZIP arhīvs (.xlsx darbgrāmata vai saspiesta lejupielāde)",
                                      "a ZIP archive (an .xlsx workbook or a zipped download)"),
    "err.tab.content.a_Parquet_file": ("Parquet fails", "a Parquet file"),
    "err.tab.content.a_GeoPackage_SQLite_database": ("GeoPackage / SQLite datubāze",
                                                     "a GeoPackage / SQLite database"),
    "err.tab.content.a_gzip-compressed_file": ("ar gzip saspiests fails",
                                               "a gzip-compressed file"),
    "err.tab.content.a_bzip2-compressed_file": ("ar bzip2 saspiests fails",
                                                "a bzip2-compressed file"),
    "err.tab.content.a_PDF_document": ("PDF dokuments", "a PDF document"),
    "err.tab.content.an_old_Excel_.xls": ("vecs Excel .xls (vai cits Office) fails",
                                          "an old Excel .xls (or other Office) file"),
    "err.tab.content.UTF-16_text": ("UTF-16 teksts", "UTF-16 text"),
    "err.tab.content.a_binary_file": ("binārs fails", "a binary file"),
    "err.tab.content.text": ("teksts", "text"),
    "err.tab.wrong_format": ("nav derīgs {suffix} fails: tā saturs ir {found}.",
                             "is not a valid {suffix} file: its content is {found}."),
    "err.tab.wrong_format.fix": (
        "eksportējiet {name} datus vēlreiz kā {suffix} vai piešķiriet failam tā īsto "
        "paplašinājumu.",
        "export the {name} again as {suffix}, or give the file its real suffix."),
    "err.tab.not_text": ("{name} failam jābūt tekstam ({suffix}), bet tas ir {found}.",
                         "the {name} file should be text ({suffix}) but is {found}."),
    "err.tab.not_text.fix": (
        "saglabājiet to kā CSV (atdalītājs komats vai semikols, UTF-8) vai piešķiriet failam "
        "tā īsto paplašinājumu.",
        "save it as CSV (comma or semicolon separated, UTF-8), or give the file its real "
        "suffix."),
    "err.tab.not_found": ("{name} fails nav atrasts.", "{name} file not found."),
    "err.tab.is_folder": ("ir mape, nevis {name} fails.", "is a folder, not a {name} file."),
    "err.tab.is_folder.fix": ("norādiet failu, kas atrodas mapē.",
                              "give the file inside the folder."),
    "err.tab.folder_permission": ("{name} mapi nevar nolasīt (nav lasīšanas tiesību).",
                                  "the {name} folder cannot be read (permission denied)."),
    "err.tab.folder_permission.fix": ("piešķiriet sev lasīšanas tiesības (chmod u+rx).",
                                      "give yourself read permission (chmod u+rx)."),
    "err.tab.empty": ("{name} fails ir tukšs (0 baitu).", "the {name} file is empty (0 bytes)."),
    "err.tab.not_csv": ("{name} fails ir {found}, nevis CSV.", "the {name} file is {found}, not a CSV."),
    "err.tab.save_csv.fix": ("saglabājiet to kā CSV (atdalītājs komats vai semikols, UTF-8).",
                             "save it as CSV (comma or semicolon separated, UTF-8)."),
    "err.tab.bad_csv": ("nevar nolasīt kā {name} CSV ({detail}).",
                        "could not be read as a {name} CSV ({detail})."),
    "err.tab.no_columns": ("nav kolonnu", "no columns"),
    "err.tab.unreadable_as": ("nevar nolasīt kā {name} failu ({detail}).",
                              "could not be read as {name} ({detail})."),
    "err.tab.no_rows": ("{name} failā nav rindu.", "the {name} file has no rows."),
    "err.tab.bad_excel": ("nevar nolasīt kā Excel failu ({detail}).",
                          "could not be read as an Excel file ({detail})."),
    "err.tab.as_published_xlsx.fix": ("norādiet .xlsx failu tādu, kādu to publicējis izdevējs.",
                                      "give the .xlsx file as downloaded from the publisher."),
    "err.tab.no_data": ("{name} failā nav datu.", "the {name} file has no data."),
    "err.tab.no_header": (
        "nav atrasta galvenes rinda ar gaidītajām {name} kolonnām {known}; pirmajā rindā ir "
        "{found}.",
        "no header row with the expected {name} columns {known} was found; the first row "
        "holds {found}."),
    "err.tab.no_header.fix": ("norādiet failu tādu, kāds tas publicēts, vai pārdēvējiet kolonnas.",
                              "give the file as published, or rename the columns."),
    "err.tab.no_such_columns": ("{name} tabulā nav kolonnu {columns}; atrastās kolonnas: {found}.",
                                "the {name} table has no column(s) {columns}; columns found: "
                                "{found}."),
    "err.tab.no_such_columns.fix": ("izvēlieties kādu no atrastajām kolonnām.",
                                    "choose one of the columns found."),
    "err.tab.missing_columns_named": (
        "{name} tabulā trūkst kolonnu {columns} (pieņemtie nosaukumi: {accepted}); atrastās "
        "kolonnas: {found}.",
        "the {name} table lacks column(s) {columns} (accepted names: {accepted}); columns "
        "found: {found}."),
    "err.tab.missing_columns_named.fix": (
        "pārdēvējiet kolonnas vai norādiet tās ar lasītāja atslēgvārdu parametriem.",
        "rename the columns, or name them with the reader's keyword options."),
    "err.tab.missing_columns": ("{name} tabulā trūkst kolonnu {columns}; atrastās kolonnas: "
                                "{found}.",
                                "the {name} table lacks column(s) {columns}; columns found: "
                                "{found}."),
    "err.tab.missing_columns.fix": (
        "norādiet failu tādu, kāds tas publicēts (ar tiem pašiem kolonnu nosaukumiem).",
        "give the file as published (same column names)."),
    "err.tab.no_column": ("nav kolonnas {column} ({what}); kolonnas ir {found}.",
                          "has no {what} column {column}; columns are {found}."),
    "err.tab.no_column.fix": ("izvēlieties kolonnu ({what}) ar parametru.",
                              "choose the {what} column with the option."),
    "err.tab.rows": ("rindās", "rows"),
    "err.tab.features": ("objektos", "features"),
    "err.tab.id_rows": ("{what} {id} {rows_word} {rows}", "{what} {id} on {rows_word} {rows}"),
    "err.tab.and_more": (" (un vēl {n})", " (and {n} more)"),
    "err.tab.duplicate_ids": (
        "atkārtoti identifikatori ({what}, kopā {n}): {parts}{more}.",
        "{n} {what} id(s) listed twice or more: {parts}{more}."),
    "err.tab.duplicate_ids.fix": (
        "atstājiet vienu rindu katram ierakstam ({what}) vai piešķiriet katram savu "
        "identifikatoru.",
        "keep one row per {what}, or give each its own id."),
    "err.tab.repeated_rows": (
        "tabulā ({what}) ir atkārtotas rindas (visas kolonnas vienādas): rindas {rows}.",
        "the {what} table has repeated rows (every column equal): rows {rows}."),
    "err.tab.repeated_rows.fix": (
        "izdzēsiet atkārtotās rindas vai piešķiriet katrai rindai ({what}) savas vērtības.",
        "delete the repeated rows, or give each {what} its own row values."),
    "err.tab.not_numeric": ("nav skaitliska", "is not numeric"),
    "err.tab.infinite": ("satur bezgalīgas vērtības", "has infinite values"),
    "err.tab.negative": ("satur negatīvas vērtības", "has negative values"),
    "err.tab.bad_numbers": ("kolonna {column}{opt} ({what}) {problem}: {values} {rows_word} {rows}.",
                            "the {what} column {column}{opt} {problem}: {values} on {rows_word} "
                            "{rows}."),
    "err.tab.bad_numbers.fix": ("izvēlieties kolonnu ar skaitļiem >= 0{opt}.",
                                "choose a column of numbers >= 0{opt}."),
    "err.vec.unreadable": ("nevar nolasīt kā vektordatu failu ({detail}).",
                           "could not be read as a vector file ({detail})."),
    "err.vec.unreadable.fix": (
        "norādiet GeoPackage, GeoJSON vai shapefile failu (ar visiem tā blakusfailiem).",
        "give a GeoPackage, GeoJSON or shapefile (with all its side files)."),
    "err.vec.no_geometry": ("{name} failā nav ģeometrijas kolonnas.",
                            "the {name} file has no geometry column."),
    "err.vec.no_features": ("{name} failā nav neviena objekta.", "the {name} file has no features."),
    "err.vec.no_crs": ("{name} slānim nav koordinātu atskaites sistēmas (CRS).",
                       "the {name} layer has no coordinate reference system (CRS)."),
    "err.vec.no_crs.fix": (
        "saglabājiet to kopā ar CRS (shapefile gadījumā – .prj failu) vai iestatiet to QGIS "
        "(Slānis > Iestatīt CRS), piem., EPSG:4326 garumam/platumam vai EPSG:3059 (LKS-92).",
        "save it with its CRS (for a shapefile, the .prj file), or set it in QGIS (Layer > Set "
        "CRS), e.g. EPSG:4326 for longitude/latitude or EPSG:3059 (LKS-92)."),
    "err.vec.missing_columns": ("{name} slānī trūkst kolonnu {columns}; tajā ir {found}.",
                                "the {name} layer lacks column(s) {columns}; it has {found}."),
    "err.vec.missing_columns.fix": ("pārdēvējiet kolonnas vai izvēlieties citas.",
                                    "rename the columns or choose other ones."),
    "err.vec.all_empty": ("visiem {name} slāņa objektiem ir tukša ģeometrija.",
                          "every feature of the {name} layer has an empty geometry."),
    # OSM files and uploads (geo.sources.osm, geo.outputs.planner)
    "err.osm.not_found": ("fails nav atrasts.", "file not found."),
    "err.osm.not_found.fix": ("pārbaudiet ceļu un faila nosaukumu.",
                              "check the path and the file name."),
    "err.osm.is_folder": ("ir mape, nevis OSM fails.", "is a folder, not an OSM file."),
    "err.osm.empty": ("fails ir tukšs (0 baitu).", "the file is empty (0 bytes)."),
    "err.osm.empty.fix": (
        "lejupielādējiet izvilkumu vēlreiz (piem., no https://download.geofabrik.de/).",
        "download the extract again (e.g. from https://download.geofabrik.de/)."),
    "err.osm.unreadable": ("nevar nolasīt ({reason}).", "cannot be read ({reason})."),
    "err.osm.unreadable.fix": ("piešķiriet sev lasīšanas tiesības (piem., chmod u+r).",
                               "give yourself read permission (e.g. chmod u+r)."),
    "err.osm.not_osm": (
        "nav OpenStreetMap fails (gaidīts .osm.pbf, .osm XML, .osm.bz2 vai .osm.gz).",
        "is not an OpenStreetMap file (expected .osm.pbf, .osm XML, .osm.bz2 or .osm.gz)."),
    "err.osm.not_osm.fix": (
        "norādiet OSM izvilkumu, piem., "
        "https://download.geofabrik.de/europe/latvia-latest.osm.pbf",
        "give an OSM extract, e.g. https://download.geofabrik.de/europe/latvia-latest.osm.pbf"),
    "err.osm.corrupt": ("nevar nolasīt kā OpenStreetMap datus ({detail}).",
                        "could not be read as OpenStreetMap data ({detail})."),
    "err.osm.corrupt.fix": ("fails var būt nepilnīgs vai bojāts: lejupielādējiet to vēlreiz.",
                            "the file may be truncated or corrupt: download it again."),
    "err.osm.no_roads_drive": (
        "nav brauktuvju ceļu ({n} līnijas ar highway birku, neviena no klasēm {classes}).",
        "contains no drivable roads ({n} ways with a highway tag, none of the classes "
        "{classes})."),
    "err.osm.no_roads_walk": (
        "nav gājēju ceļu ({n} līnijas ar highway birku, neviena no klasēm {classes}).",
        "contains no walkable roads ({n} ways with a highway tag, none of the classes "
        "{classes})."),
    "err.osm.no_roads.fix": (
        "pārbaudiet, vai tas ir pareizais izvilkums; gājēju tīklam izmantojiet mode='walk'.",
        "check that this is the right extract; for a walking network use mode='walk'."),
    # the optimiser (geo.planning.optimize)
    "err.opt.p_range": ("nevar atstāt atvērtas p = {p} skolas: {fixed} jāatstāj atvērtas un {free} "
                        "var palikt atvērtas.",
                        "p = {p} schools cannot be kept: {fixed} must stay open and {free} may "
                        "stay open."),
    "err.opt.p_range.fix": ("izvēlieties p no {fixed} līdz {free}.",
                            "choose p between {fixed} and {free}."),
    "err.opt.budget": ("skolas, kurām jāpaliek atvērtām, izmaksā {cost} EUR gadā, vairāk nekā "
                       "budžets {budget} EUR.",
                       "the schools that must stay open cost {cost} EUR a year, more than the "
                       "budget {budget} EUR."),
    "err.opt.budget.fix": ("palieliniet budžetu vai atstājiet mazāk skolu.",
                           "raise the budget or keep fewer schools."),
    "err.opt.no_solution": ("optimizācija laika limitā neatrada risinājumu.",
                            "the optimisation found no solution within the time limit."),
    "err.opt.no_solution.fix": ("palieliniet laika limitu vai izmantojiet heuristic metodi.",
                                "raise the time limit, or use method heuristic."),
    "err.upload.empty": ("fails ir tukšs.", "the file is empty."),
    "err.upload.osm.fix": ("augšupielādējiet .osm.pbf, .osm, .osm.bz2 vai .osm.gz failu.",
                           "upload an .osm.pbf, .osm, .osm.bz2 or .osm.gz file."),
    "err.upload.not_utf8": ("fails nav UTF-8 teksts.", "the file is not UTF-8 text."),
    "err.upload.not_utf8.fix": ("saglabājiet scenāriju kā UTF-8 YAML.",
                                "save the scenario as UTF-8 YAML."),
    # region bundles (geo.region.bundle)
    "err.bundle.not_bundle": ("nav reģiona datu komplekts (nav manifest.json / layers.gpkg).",
                              "not a region bundle (no manifest.json / layers.gpkg)."),
    "err.bundle.not_bundle.fix": ("izveidojiet to ar `python -m geo build REGION`.",
                                  "build it with `python -m geo build REGION`."),
    "err.bundle.rebuild.fix": ("izveidojiet to vēlreiz ar `python -m geo build REGION`.",
                               "build it again with `python -m geo build REGION`."),
    "err.bundle.corrupt": ("reģiona datu komplekts ir bojāts vai nepilnīgs",
                           "the region bundle is corrupt or truncated"),
    "err.bundle.manifest_not_object": ("{manifest} nav JSON objekts.",
                                       "{manifest} is not a JSON object."),
    "err.bundle.no_layers": ("datu komplektā nav slāņu {layers}; tajā ir {names}.",
                             "the bundle has no layer(s) {layers}; it has {names}."),
    # boundaries (geo.sources.boundaries)
    "err.boundary.no_name_field": ("robežās nav atrasts nosaukumu lauks; pieejamie lauki: {fields}.",
                                   "no name field found in the boundaries; available fields: "
                                   "{fields}."),
    "err.boundary.no_name_field.fix": (
        "izvēlieties lauku ar teritoriju nosaukumiem (name_field=... vai --name-field).",
        "choose the field with the area names (name_field=... or --name-field)."),
    "err.boundary.no_field": ("robežās nav lauka {field}; pieejamie lauki: {fields}.",
                              "the boundaries have no field {field}; available fields: {fields}."),
    "err.boundary.no_field.fix": ("izvēlieties kādu no pieejamajiem laukiem.",
                                  "choose one of the available fields."),
    "err.boundary.no_polygons": ("robežās nav daudzstūru (ģeometrijas tipi: {types}).",
                                 "the boundaries hold no polygons (geometry types: {types})."),
    "err.boundary.no_polygons.fix": ("norādiet teritoriju daudzstūrus, nevis punktus vai līnijas.",
                                     "give area polygons, not points or lines."),
    "err.boundary.repair_too_big": (
        "nederīgi robežu daudzstūri, kuru labošana mainītu platību vairāk nekā par {max}%: "
        "{detail}.",
        "invalid boundary polygon(s) whose repair would change the area by more than {max}%: "
        "{detail}."),
    "err.boundary.repair_too_big.fix": (
        "izlabojiet daudzstūrus QGIS (Vektors > Ģeometrijas rīki > Pārbaudīt derīgumu) vai "
        "norādiet robežu failu tādu, kāds tas publicēts.",
        "fix the polygons in QGIS (Vector > Geometry Tools > Check Validity) or give the "
        "boundary file as published."),
    "err.warn.boundary_repaired": (
        "{path}: teritorijas {name} robežas daudzstūris bija nederīgs un tika izlabots; tā "
        "platība mainījās par {km2} km² ({pct}%).",
        "{path}: the boundary polygon of {name} was invalid and was repaired; its area changed "
        "by {km2} km2 ({pct}%)."),
    # school capacity tables (geo.sources.capacity)
    "err.capacity.no_rows": ("skolu ietilpības tabulā nav rindu.",
                             "the school capacity table has no rows."),
    "err.capacity.not_numbers": ("kolonnā {column} jābūt skaitļiem >= 0 (skolas {schools}).",
                                 "column {column} must hold numbers >= 0 (schools {schools})."),
    "err.capacity.no_id": ("dažām rindām nav skolas reģistrācijas numura.",
                           "some rows have no school registration number."),
    "err.capacity.duplicate.fix": (
        "atstājiet vienu rindu katrai skolai (saskaitiet vai izlabojiet vietu skaitu).",
        "keep one row per school (sum or correct the places)."),
    "err.capacity.unknown_ids": ("nezināmi skolu reģistrācijas numuri {ids}{more}.",
                                 "unknown school registration numbers {ids}{more}."),
    "err.capacity.unknown_ids.fix": (
        "izmantojiet IZM reģistra reģistrācijas numurus (Iestādes reģistrācijas Nr.).",
        "use the registration numbers of the IZM registry (Iestādes reģistrācijas Nr.)."),
    # population grids (geo.sources.census)
    "err.census.bad_ids": (
        "šūnu identifikatori nav atpazīstami kā režģa identifikatori (kopā {n}), piem., "
        "{examples}.",
        "{n} cell id(s) are not grid ids, e.g. {examples}."),
    "err.census.bad_ids.fix": ("šūnas identifikatoram jāizskatās šādi: "
                               "CRS3035RES1000mN3834000E5334000.",
                               "cell ids look like CRS3035RES1000mN3834000E5334000."),
    "err.census.ids_crs": ("šūnu identifikatori ir koordinātu sistēmā {crs}, nevis EPSG:3035.",
                           "cell ids in CRS {crs}, not EPSG:3035."),
    "err.census.eurostat.fix": ("izmantojiet Eurostat režģi (ETRS89-LAEA, EPSG:3035).",
                                "use the Eurostat grid (ETRS89-LAEA, EPSG:3035)."),
    "err.census.tile_info.fix": (
        "atjaunojiet kopā ar flīzēm publicēto info.json vai izdzēsiet to, lai izmantotu "
        "noklusējuma vērtības.",
        "restore the info.json published with the tiles, or delete it to use the defaults."),
    "err.census.tile_info_unreadable": ("flīžu aprakstu nevar nolasīt ({detail}).",
                                        "the tiling description cannot be read ({detail})."),
    "err.census.tile_info_not_object": ("flīžu apraksts nav JSON objekts.",
                                        "the tiling description is not a JSON object."),
    "err.census.tile_info_value": ("{key} = {value} nav pozitīvs vesels skaitlis.",
                                   "{key} = {value} is not a positive whole number."),
    "err.census.no_tiles": ("mapē nav nevienas režģa flīzes (X_Y.{ext}).",
                            "no grid tiles (X_Y.{ext}) found in the folder."),
    "err.census.no_tiles.fix": ("norādiet mapi, kurā ir flīzes, piem., census2021_1km_tiles.",
                                "point to the folder of the tiles, e.g. census2021_1km_tiles."),
    "err.census.several_years": ("mapē ir flīzes par vairākiem gadiem: {years}.",
                                 "the folder holds tiles of several years {years}."),
    "err.census.several_years.fix": ("izvēlieties vienu gadu ar year=...",
                                     "choose one with year=..."),
    "err.census.no_year": ("nav flīžu par {year}. gadu; ir dati par gadiem {years}.",
                           "no tiles of year {year}; years present: {years}."),
    "err.census.tile_unreadable": ("nevar nolasīt kā režģa flīzi ({detail}).",
                                   "could not be read as a grid tile ({detail})."),
    "err.census.tile_no_xy": (
        "režģa flīzē nav kolonnu x, y (šūnas vieta flīzē); atrastās kolonnas: {found}.",
        "the grid tile has no in-tile x, y columns; columns found: {found}."),
    "err.census.tile_no_xy.fix": ("norādiet flīzes tādas, kādas tās publicētas (kolonnas x, y, "
                                  "T...).",
                                  "give the tiles as published (columns x, y, T...)."),
    "err.census.blank_coords": (
        "kolonnā {column} ir tukšas vai neskaitliskas vērtības (skartās rindas: {n}; piem., "
        "datu rindās {rows}: {values}).",
        "column {column} has blank or non-numeric values ({n} rows, e.g. data rows {rows}: "
        "{values})."),
    "err.census.blank_coords.fix": ("ierakstiet šūnas koordinātas skaitļos katrā rindā, kā "
                                    "publicētajā failā.",
                                    "give numeric cell coordinates in every row, as published."),
    "err.census.id_resolution": ("šūnu identifikatoru izšķirtspēja ir {found} m, bet gaidīta "
                                 "{res} m.",
                                 "cell ids of resolution {found} m, expected {res} m."),
    "err.census.id_resolution.fix": ("norādiet {res} m režģi vai citu šūnas izmēru ar res=...",
                                     "give a {res} m grid or pass res=..."),
    "err.census.no_coords": (
        "režģī nav šūnu koordinātu: nav ne kolonnas GRD_ID, ne kolonnu E/N (vai X_LLC/Y_LLC); "
        "atrastās kolonnas: {found}.",
        "the grid has no cell coordinates: no GRD_ID column and no E/N (or X_LLC/Y_LLC) "
        "columns; columns found: {found}."),
    "err.census.no_coords.fix": (
        "norādiet režģi tādu, kādu to publicē Eurostat (ar GRD_ID), vai pievienojiet kolonnas "
        "E, N (šūnas apakšējais kreisais stūris EPSG:3035, metros).",
        "give the grid as published by Eurostat (with GRD_ID) or add E, N columns "
        "(EPSG:3035 lower-left corner, metres)."),
    "err.census.not_laea": (
        "šūnu koordinātas E {e0}..{e1}, N {n0}..{n1} nav Eiropas režģa koordinātas metros "
        "(EPSG:3035); varbūt tās ir citā CRS – garums/platums grādos vai LKS-92?",
        "cell coordinates E {e0}..{e1}, N {n0}..{n1} are not EPSG:3035 metres of a European "
        "grid (wrong CRS? longitude/latitude or LKS-92?)."),
    "err.census.not_laea.fix": ("norādiet E/N kā šūnu apakšējos kreisos stūrus EPSG:3035 "
                                "(ETRS89-LAEA) metros.",
                                "give E/N as EPSG:3035 (ETRS89-LAEA) lower-left corners in "
                                "metres."),
    "err.census.not_corners": (
        "šūnu stūri nedalās ar {res} m: tie nav {res} m EPSG:3035 režģa šūnu apakšējie kreisie "
        "stūri (varbūt centri vai cita CRS?).",
        "cell corners are not multiples of {res} m: not the lower-left corners of a {res} m "
        "EPSG:3035 grid (centres? another CRS?)."),
    "err.census.not_corners.fix": ("norādiet apakšējos kreisos stūrus vai citu šūnas izmēru ar "
                                   "res=...",
                                   "give lower-left corners, or pass res=... for another cell "
                                   "size."),
    "err.census.cells": ("{ids}{more}", "{ids}{more}"),
    "err.census.cells_more": (" un vēl {n}", " and {n} more"),
    "err.census.as_published.fix": (
        "norādiet režģi tādu, kāds tas publicēts (iedzīvotāju skaits šūnā, viena rinda katrai "
        "šūnai).",
        "give the grid as published (people per cell, one row per cell)."),
    "err.census.pop_text": ("iedzīvotāju kolonna {column} nav skaitliska: vērtības {values} "
                            "šūnās {cells}.",
                            "population column {column} is not numeric: values {values} in "
                            "cells {cells}."),
    "err.census.infinite": ("bezgalīgas vērtības", "infinite values"),
    "err.census.negative": ("negatīvas vērtības", "negative values"),
    "err.census.too_many": ("vairāk nekā {limit} cilvēku vienā {res} m šūnā",
                            "more than {limit} people in a {res} m cell"),
    "err.census.pop_bad": ("iedzīvotāju kolonnā {column} ir {what} (šūnu skaits: {n}; "
                           "{cells}).",
                           "population column {column} has {what} ({n} cells: {cells})."),
    "err.census.dup_cells": ("viena un tā pati šūna dota vairākkārt (rindu skaits: {n}): "
                             "{cells}.",
                             "{n} rows give the same cell twice or more: {cells}."),
    "err.census.dup_cells.fix": ("atstājiet vienu rindu katrai šūnai (varbūt režģa dati "
                                 "failā ierakstīti divreiz?).",
                                 "keep one row per cell (a grid file concatenated twice?)."),
    "err.census.no_cells_in_clip": ("flīzēs, kas pārklāj apgriešanas apgabalu, nav nevienas "
                                    "režģa šūnas.",
                                    "no grid cells in the tiles covering the clip area."),
    "err.census.grid_format.fix": ("norādiet CSV, Parquet vai GeoPackage failu.",
                                   "give a CSV, Parquet or GeoPackage."),
    "err.census.no_crs": ("iedzīvotāju režģim nav koordinātu atskaites sistēmas (CRS).",
                          "the population grid has no CRS."),
    "err.census.no_crs.fix": ("saglabājiet to kopā ar CRS (EPSG:3035).",
                              "save it with its CRS (EPSG:3035)."),
    "err.census.not_squares": ("režģa daudzstūri nav {res} m kvadrāti EPSG:3035 sistēmā "
                               "(izmēri {sizes} m).",
                               "the grid polygons are not {res} m squares in EPSG:3035 (sizes "
                               "{sizes} m)."),
    "err.census.not_squares.fix": ("norādiet Eurostat režģi (EPSG:3035) vai citu šūnas izmēru "
                                   "ar res=...",
                                   "give the Eurostat grid (EPSG:3035) or pass res=..."),
    "err.census.clip_no_crs": ("apgriešanas robežām nav koordinātu atskaites sistēmas (CRS).",
                               "the clip boundaries have no CRS."),
    "err.census.no_year_source": ("{year}. gadam nav norādīts iedzīvotāju režģis.",
                                  "no population grid given for {year}."),
    "err.census.no_value_column": ("iedzīvotāju režģī nav kolonnas {column}; kolonnas: {found}.",
                                   "the population grid has no column {column}; columns: "
                                   "{found}."),
    "err.census.no_by_column": ("tabulā nav kolonnas {column}.",
                                "the table has no {column} column."),
    "err.census.no_by_column.fix": ("nolasiet to ar clip=boundaries.",
                                    "read it with clip=boundaries."),
    # Ookla speed tests (geo.sources.ookla)
    "err.ookla.missing_columns": ("Ookla failā trūkst kolonnu {columns}; atrastās kolonnas: "
                                  "{found}.",
                                  "the Ookla file lacks column(s) {columns}; columns found: "
                                  "{found}."),
    "err.ookla.as_published.fix": ("norādiet failu tādu, kādu to publicējusi Ookla (kolonnas "
                                   "{columns}).",
                                   "give the file as published (columns {columns})."),
    "err.ookla.bad_values": ("kolonnā {column} ir tukšas, negatīvas vai neskaitliskas vērtības.",
                             "column {column} has blank, negative or non-numeric values."),
    "err.ookla.parquet.fix": ("norādiet Parquet failu tādu, kādu to publicējusi Ookla (ar "
                              "kolonnu quadkey).",
                              "give the Parquet as published by Ookla (with a quadkey "
                              "column)."),
    "err.ookla.unreadable": ("nevar nolasīt kā Ookla flīzes", "could not be read as Ookla tiles"),
    "err.ookla.no_quadkey": ("Ookla failā nav kolonnas quadkey; atrastās kolonnas: {found}.",
                             "the Ookla file has no quadkey column; columns found: {found}."),
    "err.ookla.none_in_clip": ("Ookla failā nav nevienas flīzes apgriešanas apgabalā.",
                               "the Ookla file has no tiles in the clip area."),
    "err.ookla.none_in_clip.fix": (
        "pārbaudiet, vai fails aptver reģionu (pareizā valsts; fiksētais vai mobilais "
        "internets).",
        "check that the file covers the region (right country, fixed or mobile)."),
    "err.ookla.format.fix": ("norādiet Parquet vai shapefile failu tādu, kādu to publicējusi "
                             "Ookla.",
                             "give the Parquet or shapefile as published by Ookla."),
    "err.ookla.bad_quadkeys": ("nederīgi quadkey identifikatori ({detail}).",
                               "bad quadkeys ({detail})."),
    "err.ookla.no_crs": ("Ookla slānim nav koordinātu atskaites sistēmas (CRS).",
                         "the Ookla layer has no CRS."),
    "err.ookla.no_crs.fix": ("Ookla shapefile faili ir EPSG:4326; saglabājiet arī .prj failu.",
                             "Ookla shapefiles are EPSG:4326; keep the .prj file."),
    "err.ookla.tile_not_wkt": ("kolonnā 'tile' nav WKT ģeometrijas ({detail}).",
                               "column 'tile' is not WKT ({detail})."),
    "err.ookla.no_position": (
        "Ookla failā nav flīžu atrašanās vietas: nav ne kolonnas quadkey, ne tile, ne "
        "ģeometrijas; atrastās kolonnas: {found}.",
        "the Ookla file has no tile position: no quadkey, tile or geometry column; columns "
        "found: {found}."),
    "err.ookla.tile_position.fix": ("norādiet failu tādu, kādu to publicējusi Ookla (kolonnas "
                                    "quadkey un tile).",
                                    "give the file as published (quadkey and tile columns)."),
    "err.ookla.tile_mismatch": (
        "flīžu daudzstūri neatrodas savā quadkey flīzē (kopā {n}), piem., {examples}.",
        "{n} tile polygon(s) do not lie in their quadkey's tile, e.g. {examples}."),
    "err.ookla.tile_mismatch.fix": ("pārbaudiet, vai kolonnas 'tile' un 'quadkey' ir no "
                                    "vienām un tām pašām rindām.",
                                    "check that 'tile' and 'quadkey' belong together."),
    "err.ookla.no_rows": ("Ookla režģī nav rindu.", "the Ookla grid has no rows."),
    "err.name.pupils-per-institution (IZM)": ("IZM izglītojamo skaita pa iestādēm",
                                              "pupils-per-institution (IZM)"),
    "err.name.pupils-per-municipality (IZM)": ("IZM izglītojamo skaita pa pašvaldībām",
                                               "pupils-per-municipality (IZM)"),
    "err.name.institution contact list (IZM)": ("IZM iestāžu kontaktinformācijas",
                                                "institution contact list (IZM)"),
    # IZM school registry exports (geo.sources.izm)
    "err.izm.as_published.fix": ("norādiet failu tādu, kādu to publicējusi IZM (atvērto datu "
                                 "portālā), bez labojumiem.",
                                 "give the file as published."),
    "err.izm.not_counts": ("{name} tabulas kolonnā {column} ir vērtības, kas nav skolēnu skaits "
                           "(rindas {rows}).",
                           "the {name} column {column} has values that are not pupil counts "
                           "(rows {rows})."),
    "err.izm.no_id": ("{name} tabulā ir rindas bez reģistrācijas numura.",
                      "the {name} has rows without a registration number."),
    "err.izm.repeated_ids": ("{name} failā reģistrācijas numuri atkārtojas: {ids}.",
                             "registration numbers repeat in the {name} file: {ids}."),
    "err.izm.sum_mismatch": ("1.–12. klases skolēnu summa nesakrīt ar 'Kopā 1.-12.klasē' "
                             "šiem ierakstiem: {ids}.",
                             "grades 1-12 do not add up to 'Kopā 1.-12.klasē' for {ids}."),
    "err.izm.no_municipality": ("pašvaldības {missing} nav atrastas; failā ir {found}.",
                                "municipality(ies) {missing} not found; the file has {found}."),
    "err.izm.no_municipality.fix": ("pārbaudiet, vai pašvaldību nosaukumi uzrakstīti pareizi.",
                                    "check the spelling of the municipality names."),
    "err.name.area": ("apgabala", "area"),
    "err.name.clip area": ("apgriešanas apgabala", "clip area"),
    "err.name.polygon": ("robežas", "polygon"),
    # downloads: Geofabrik, Nominatim, Overpass (geo.sources.osm_download)
    "err.download.reason.unknown_host": ("nezināms servera nosaukums",
                                         "Name or service not known"),
    "err.download.reason.no_dns": ("nav pieejama nosaukumu (DNS) izšķiršana",
                                   "Temporary failure in name resolution"),
    "err.download.reason.refused": ("savienojums atteikts", "Connection refused"),
    "err.download.reason.read_timeout": ("beidzās gaidīšanas laiks atbildei", "Read timed out"),
    "err.download.reason.reset": ("savienojums pārtraukts", "Connection reset"),
    "err.download.reason.timeout": ("beidzās gaidīšanas laiks", "timed out"),
    "err.download.offline": (
        "nevar izveidot savienojumu ar {host} ({reason}): šķiet, ka dators nav pieslēgts "
        "internetam vai serveris nav sasniedzams. Adrese: {url}",
        "could not connect to {host} ({reason}): this computer seems to be offline, or the "
        "server is unreachable. URL: {url}"),
    "err.download.timeout": (
        "savienojums ar {host} netika izveidots laikā ({reason}): šķiet, ka dators nav "
        "pieslēgts internetam vai serveris nav sasniedzams. Adrese: {url}",
        "timed out connecting to {host} ({reason}): this computer seems to be offline, or the "
        "server is unreachable. URL: {url}"),
    "err.download.offline.fix": (
        "lejupielādējiet {url} tīmekļa pārlūkā datorā ar internetu, pārkopējiet failu uz šo "
        "datoru un lejupielādes vietā norādiet tā ceļu (piem., `python -m geo network FILE "
        "--out DIR`).",
        "download {url} in a web browser on a computer with internet access, copy the file "
        "to this computer and pass its path instead of downloading (for example "
        "`python -m geo network FILE --out DIR`)."),
    "err.download.overpass_manual": (
        "lejupielādējiet apgabalu ar roku tīmekļa pārlūkā datorā ar internetu, piem., Latvijas "
        "izvilkumu https://download.geofabrik.de/europe/latvia-latest.osm.pbf (pēc tam "
        "`python -m geo download --geofabrik SAVED_FILE --clip BOUNDARY --out OUT` to apgriež "
        "pēc apgabala) vai eksportu no https://overpass-turbo.eu, un norādiet saglabātā faila "
        "ceļu.",
        "download the area by hand in a web browser on a computer with internet access, e.g. "
        "the Latvia extract https://download.geofabrik.de/europe/latvia-latest.osm.pbf (then "
        "`python -m geo download --geofabrik SAVED_FILE --clip BOUNDARY --out OUT` cuts it to "
        "the area) or an export from https://overpass-turbo.eu, and pass the saved file's path "
        "instead."),
    "err.download.out_format": ("nezināms OSM izvades formāts.", "unknown OSM output format."),
    "err.download.out_format.fix": ("izvades failam dodiet nosaukumu *.osm (XML) vai *.osm.pbf.",
                                    "name the output file *.osm (XML) or *.osm.pbf."),
    "err.download.boundary_of": ("vietas {places} robežas", "boundary of {places}"),
    "err.download.area_no_crs": ("{name} slānim nav koordinātu atskaites sistēmas (CRS).",
                                 "the {name} layer has no CRS."),
    "err.download.area_no_crs.fix": ("vispirms iestatiet tā CRS (piem., EPSG:4326 vai "
                                     "EPSG:3059).",
                                     "set its CRS (e.g. EPSG:4326 or EPSG:3059) first."),
    "err.download.area_empty": ("{name} daudzstūris ir tukšs.", "the {name} polygon is empty."),
    "err.download.area_no_polygon": ("{name} slānī nav daudzstūra (tajā ir {type} ģeometrija).",
                                     "the {name} has no polygon (it holds {type} geometry)."),
    "err.download.area_polygon.fix": (
        "norādiet robežas daudzstūri (novads, pagasts...), nevis punktus vai līnijas.",
        "give a boundary polygon (municipality, parish...), not points or lines."),
    "err.download.area_not_degrees": ("{name} koordinātas nav garuma/platuma grādi (robežas "
                                      "{bounds}).",
                                      "the {name} coordinates are not longitude/latitude "
                                      "degrees (bounds {bounds})."),
    "err.download.area_not_degrees.fix": (
        "norādiet slāni kopā ar tā CRS (tas tiks pārprojicēts) vai daudzstūri EPSG:4326.",
        "give a layer with its CRS (it is reprojected), or a polygon in EPSG:4326."),
    "err.download.no_folder": ("mapi nevar izveidot ({detail}).",
                               "cannot create the folder ({detail})."),
    "err.download.http_missing": ("{url} neeksistē (HTTP {status}).",
                                  "{url} does not exist (HTTP {status})."),
    "err.download.no_region": ("{url} neeksistē (HTTP 404): {region} nav Geofabrik apgabals.",
                               "{url} does not exist (HTTP 404): {region} is not a Geofabrik "
                               "region."),
    "err.download.http_missing.fix": ("pārbaudiet adresi (atveriet to tīmekļa pārlūkā).",
                                      "check the address (open it in a web browser)."),
    "err.download.http_error": ("{url}: serveris atbildēja ar HTTP {status} {reason}.",
                                "{url}: the server answered HTTP {status} {reason}."),
    "err.download.later_or.fix": ("mēģiniet vēlāk vai {manual}", "try again later, or {manual}"),
    "err.download.browser.fix": ("lejupielādējiet {url} tīmekļa pārlūkā un norādiet saglabātā "
                                 "faila ceļu.",
                                 "download {url} in a web browser and pass the saved file's "
                                 "path."),
    "err.download.write": ("lejupielādi nevar ierakstīt ({detail}).",
                           "could not write the download ({detail})."),
    "err.download.write.fix": ("atbrīvojiet vietu diskā vai izvēlieties citu izvades mapi.",
                               "free disk space or choose another output folder."),
    "err.download.kept": (" Esošais fails {file} netika mainīts.",
                          " The existing {file} was left unchanged."),
    "err.download.md5": (
        "lejupielāde no {url} ir bojāta: tās MD5 kontrolsumma {digest} atšķiras no publicētās "
        "{expected} ({url}.md5). Nepilnīgais fails izdzēsts.{keep}",
        "the download of {url} is corrupt: its MD5 checksum {digest} differs from the "
        "published {expected} ({url}.md5). The partial file was deleted.{keep}"),
    "err.download.md5.fix": (
        "lejupielādējiet vēlreiz; ja atkal neizdodas, lejupielādējiet failu tīmekļa pārlūkā un "
        "norādiet saglabātā faila ceļu.",
        "run the download again; if it fails again, download the file in a web browser and "
        "pass the saved file's path."),
    "err.download.of": (" no {total}", " of {total}"),
    "err.download.why": (" ({reason})", " ({reason})"),
    "err.download.resume": ("palaidiet to pašu komandu vēlreiz: tā turpinās no {part}",
                            "run the same command again: it resumes from {part}"),
    "err.download.again": ("lejupielādējiet vēlreiz", "run the download again"),
    "err.download.interrupted": (
        "lejupielāde no {url} tika pārtraukta pēc {done}{of} MB{why}; mērķa fails netika "
        "ierakstīts.",
        "the download of {url} was interrupted after {done}{of} MB{why}; the target file was "
        "not written."),
    "err.download.interrupted.fix": (
        "{again}; vai lejupielādējiet failu tīmekļa pārlūkā un norādiet saglabātā faila ceļu.",
        "{again}; or download the file in a web browser and pass the saved file's path."),
    "err.download.not_region": ("{region} nav Geofabrik apgabala nosaukums.",
                                "{region} is not a Geofabrik region name."),
    "err.download.not_region.fix": (
        "norādiet tā ceļu kā vietnē https://download.geofabrik.de, piem., 'europe/latvia', vai "
        "pilnu adresi (URL).",
        "give its path as on https://download.geofabrik.de, e.g. 'europe/latvia', or a full "
        "URL."),
    "err.download.not_osm": (
        "{url} neatgrieza OpenStreetMap failu (tas sākas ar {head}); iespējams, atbildēja "
        "starpniekserveris vai pieteikšanās lapa.",
        "{url} did not return an OpenStreetMap file (it starts with {head}); a proxy or login "
        "page may have answered instead."),
    "err.download.not_osm.fix": ("atveriet adresi tīmekļa pārlūkā un apskatiet, ko tā atgriež.",
                                 "open the URL in a web browser to see what it returns."),
    "err.download.clip_out": ("norādiet apgrieztā izvilkuma izvades failu (out=...).",
                              "give the output file of the clipped extract (out=...)."),
    "err.download.nominatim": ("ģeokodētājs (Nominatim)", "geocoder (Nominatim)"),
    "err.download.overpass": ("Overpass API", "Overpass API"),
    "err.download.no_answer": ("{what} adresē {url} nedeva izmantojamu atbildi: {text}",
                               "the {what} at {url} gave no usable answer: {text}"),
    "err.download.no_answer.fix": (
        "mēģiniet vēlāk (publiskie serveri dažkārt ir pārslogoti), izmantojiet mazāku "
        "apgabalu vai {manual}",
        "try again later (the public servers are sometimes overloaded), use a smaller area, "
        "or {manual}"),
    "err.download.polygon_instead": (
        "tā vietā norādiet apgabalu kā robežas daudzstūra failu (--polygon), piem., novadu "
        "robežas mapē ../shared/data/vidzeme/boundaries/.",
        "give the area as a boundary polygon file instead (--polygon), e.g. the municipality "
        "boundaries in ../shared/data/vidzeme/boundaries/."),
    "err.download.place_not_found": ("ģeokodētājs adresē {url} neatrada vietu {place}.",
                                     "the place {place} was not found by the geocoder at {url}."),
    "err.download.place_not_found.fix": (
        "pārbaudiet rakstību, pievienojiet valsti (piem., 'Cēsis, Latvia') vai {manual}",
        "check the spelling, add the country (e.g. 'Cēsis, Latvia'), or {manual}"),
    "err.download.place_not_area": ("ģeokodētājam vieta {place} ir punkts vai līnija, nevis "
                                    "apgabals.",
                                    "the place {place} is a point or line for the geocoder, "
                                    "not an area."),
    "err.download.place_not_area.fix": ("norādiet apgabalu (novadu, pagastu, pilsētu) vai "
                                        "{manual}",
                                        "name an area (municipality, parish, town) or {manual}"),
    "err.download.overpass_stopped": ("Overpass serveris adresē {url} apturēja vaicājumu: "
                                      "{remark}",
                                      "the Overpass server at {url} stopped the query: {remark}"),
    "err.download.smaller_or.fix": ("izmantojiet mazāku apgabalu vai {manual}",
                                     "use a smaller area, or {manual}"),
    "err.download.place_or_polygon": ("norādiet vai nu vietas nosaukumu, vai daudzstūri (tieši "
                                      "vienu no tiem).",
                                      "give either a place name or a polygon (exactly one of "
                                      "them)."),
    "err.download.in_place": ("vietā {place}", "place {place}"),
    "err.download.in_polygon_file": ("daudzstūrī {file}", "polygon {file}"),
    "err.download.in_polygon": ("daudzstūrī", "polygon"),
    "err.download.no_roads": ("Overpass API neatrada ceļus {what} (klases {classes}).",
                              "the Overpass API found no roads in the {what} (classes "
                              "{classes})."),
    "err.download.no_roads.fix": ("pārbaudiet apgabalu (vai tas nav jūrā vai nepareizā CRS?).",
                                  "check the area (is it in the sea, or in the wrong CRS?)."),
    "err.name.school location": ("skolu atrašanās vietu", "school location"),
    "err.name.municipality": ("pašvaldības", "municipality"),
    # coordinates in tables, coverage maps (geo.sources.coverage, geo.sources.berec)
    "err.coverage.bad_speeds": ("kolonnā {column} ir ātrumi, kas nav nenegatīvi skaitļi, piem., "
                                "{values}.",
                                "column {column} has speeds that are not non-negative numbers, "
                                "e.g. {values}."),
    "err.coverage.bad_speeds.fix": ("ierakstiet ātrumus kā skaitļus (Mbit/s vai norādiet citu "
                                    "mērvienību ar unit=...).",
                                    "give speeds as numbers (Mbit/s, or set unit=...)."),
    "err.coverage.no_column": ("{name} tabulā nav kolonnas {column}; atrastās kolonnas: {found}.",
                               "the {name} table has no column {column}; columns found: "
                               "{found}."),
    "err.coverage.no_xy": ("{name} tabulā nav koordinātu kolonnu (lon/lat vai x/y); atrastās "
                           "kolonnas: {found}.",
                           "the {name} table has no coordinate columns (lon/lat or x/y); "
                           "columns found: {found}."),
    "err.coverage.no_xy.fix": ("pievienojiet kolonnas lon, lat (WGS84) vai kolonnas x, y un "
                               "norādiet to CRS.",
                               "add lon, lat columns (WGS84) or x, y columns and give their "
                               "CRS."),
    "err.coverage.xy_no_crs": ("{name} koordinātām {x}/{y} nav norādīta CRS.",
                               "the {name} coordinates {x}/{y} have no CRS."),
    "err.coverage.xy_no_crs.fix": ("norādiet crs=... (piem., EPSG:3059 LKS-92 koordinātām, "
                                   "EPSG:4326 garumam/platumam).",
                                   "give crs=... (e.g. EPSG:3059 for LKS-92, EPSG:4326 for "
                                   "lon/lat)."),
    "err.coverage.unknown_crs": ("nezināma CRS {crs} ({detail}).", "unknown CRS {crs} ({detail})."),
    "err.coverage.blank_xy": ("{name} tabulā ir rindas ar tukšām vai neskaitliskām koordinātām "
                              "(kopā {n}; pirmās rindas: {rows}).",
                              "{n} row(s) of the {name} table have blank or non-numeric "
                              "coordinates (first rows: {rows})."),
    "err.coverage.blank_xy.fix": ("ierakstiet koordinātas katrā rindā vai izdzēsiet rindas bez "
                                  "atrašanās vietas.",
                                  "fill in the coordinates in every row, or delete the rows "
                                  "without a location."),
    "err.coverage.outside_crs": ("{name} punkti atrodas ārpus {crs} apgabala (kopā {n}; piem., "
                                 "x={x}, y={y}): nepareiza CRS vai samainīti x un y?",
                                 "{n} {name} point(s) lie outside the area of {crs} (e.g. x={x}, "
                                 "y={y}): wrong CRS or swapped x/y?"),
    "err.coverage.outside_crs.fix": ("norādiet CRS, kurā dotas koordinātas (EPSG:4326 "
                                     "garums/platums, EPSG:3059 LKS-92...).",
                                     "give the CRS the coordinates are in (EPSG:4326 lon/lat, "
                                     "EPSG:3059 LKS-92...)."),
    "err.berec.bad_speed": ("kolonna {column}, {row}. rinda: {value} nav nenegatīvs ātrums.",
                            "column {column} row {row}: {value} is not a non-negative speed."),
    "err.berec.bad_speed.fix": ("ierakstiet ātrumus Mbit/s kā skaitļus.",
                                "give speeds in Mbit/s as numbers."),
    # dormitories (geo.sources.dormitories)
    "err.dorm.no_id": ("dažām rindām nav skolas identifikatora.", "rows without a school id."),
    "err.dorm.no_id.fix": ("ierakstiet katrā rindā skolas reģistrācijas numuru (Iestādes "
                           "reģistrācijas Nr.).",
                           "give each row the school's registration number (Iestādes "
                           "reģistrācijas Nr.)."),
    "err.dorm.places": ("vietu skaitam jābūt veselam skaitlim >= 0; nederīgas vērtības {values}.",
                        "places must be whole numbers >= 0; bad values {values}."),
    "err.dorm.places.fix": ("ierakstiet katrai dienesta viesnīcai vietu skaitu veselā skaitlī.",
                            "give each dormitory its number of places as a whole number."),
    "err.dorm.unknown": ("nezināmi skolu identifikatori {ids} (to nav skolu reģistrā).",
                         "unknown school id(s) {ids} (not in the schools registry)."),
    # clip areas, borders, boundary names (geo.sources.osm, border, boundaries)
    "err.osm.clip_no_crs": ("apgriešanas daudzstūra slānim nav koordinātu atskaites sistēmas "
                            "(CRS).",
                            "the clip polygon layer has no CRS."),
    "err.osm.clip_no_crs.fix": ("vispirms iestatiet tā CRS (piem., EPSG:4326).",
                                "set its CRS (e.g. EPSG:4326) first."),
    "err.osm.clip_empty": ("apgriešanas daudzstūris ir tukšs.", "the clip polygon is empty."),
    "err.osm.clip_not_polygon": ("apgriešanas slānī jābūt daudzstūriem, nevis {type}.",
                                 "the clip layer must hold polygons, not {type}."),
    "err.osm.clip_area.fix": ("norādiet apgabalu slāni, piem., novadu robežas.",
                              "give an area layer, e.g. municipality boundaries."),
    "err.border.no_lines": ("robežas failā nav ne līniju, ne daudzstūru.",
                            "the border file has no line or polygon."),
    "err.border.no_lines.fix": ("norādiet valsts sauszemes robežu kā līnijas.",
                                "give the national land border as lines."),
    "err.boundary.no_column": ("tabulā nav kolonnas {column}; kolonnas: {found}.",
                               "the table has no column {column}; columns: {found}."),
    "err.boundary.not_found": ("{what} nosaukumi {missing} nav atrasti; pieejamie: {avail}.",
                               "{what}(s) {missing} not found; available: {avail}."),
    "err.boundary.not_found.fix": ("pārbaudiet nosaukumu rakstību.",
                                   "check the spelling of the names."),
    # region recipes (geo.region.recipe)
    "err.recipe.no_recipe": ("reģionam {region} nav receptes.", "no recipe for region {region}."),
    "err.recipe.no_recipe.fix": ("izvēlieties kādu no {recipes} vai norādiet receptes failu.",
                                 "choose one of {recipes} or give a recipe file."),
    "err.recipe.not_mapping": ("receptei jābūt YAML kartējumam (atslēga: vērtība).",
                               "the recipe must be a YAML mapping."),
    "err.recipe.readme.fix": ("skatiet README sadaļu 'Region recipes'.",
                              "see README, section 'Region recipes'."),
    "err.recipe.lacks": ("receptē trūkst {missing}.", "the recipe lacks {missing}."),
    "err.recipe.unknown_layer": ("nezināms slānis {layer} sadaļā files.",
                                 "unknown layer {layer} under files."),
    "err.recipe.unknown_sources": ("nezināmi slāņi {layers} sadaļā sources.",
                                   "unknown layer(s) {layers} under sources."),
    "err.recipe.layers.fix": ("izmantojiet slāņu nosaukumus no {layers}.",
                              "use layer names from {layers}."),
    "err.recipe.generator_options": ("generator_options jābūt kartējumam (opcija: vērtība).",
                                     "generator_options must be a mapping of option: value."),
    "err.recipe.generator_options.fix": ("rakstiet, piem., `generator_options: {{scale: demo}}`.",
                                         "write e.g. `generator_options: {{scale: demo}}`."),
    "err.recipe.bad_name": (
        "{at}name: {name} nav vienkāršs reģiona nosaukums (tas nedrīkst būt tukšs vai ceļš: bez "
        "'/', '\\', '..' un absolūtiem ceļiem; datu komplekts tiek saglabāts mapē "
        "{bundles}/NAME).",
        "{at}name: {name} is not a plain region name (it must not be empty or a path: no '/', "
        "'\\', '..', absolute paths; the bundle goes to {bundles}/NAME)."),
    "err.recipe.bad_name.fix": ("ierakstiet vienkāršu nosaukumu, piem., `name: vidzeme`.",
                                "write a plain name such as `name: vidzeme`."),
    "err.recipe.not_year": ("{key}: {value} nav gads.", "{key}: {value} is not a year."),
    "err.recipe.not_year.fix": ("ierakstiet gadu, piem., `{key}: 2021`.",
                                "write a year such as `{key}: 2021`."),
    # school locations and matching (geo.region.school_matching)
    "err.locations.different": ("dažādās vietās", "different places"),
    "err.locations.same": ("vienā un tajā pašā vietā", "the same place"),
    "err.locations.one_place.fix": ("atstājiet vienu atrašanās vietu katrai skolai (tās dotas "
                                    "{where}).",
                                    "keep one location per school (given at {where})."),
    "err.locations.no_column": ("nav kolonnas {column}; atrastās kolonnas: {found}.",
                                "no column {column}; columns found: {found}."),
    "err.locations.no_id_column": ("nav skolas identifikatora kolonnas (kādas no {names}); "
                                   "atrastās kolonnas: {found}.",
                                   "no school id column (one of {names}); columns found: "
                                   "{found}."),
    "err.locations.no_id_column.fix": (
        "pievienojiet kolonnu school_id ar skolu reģistrācijas numuriem (vai norādiet kolonnu "
        "ar id_column=...).",
        "add a school_id column with the registration numbers (id_column=...)."),
    "err.locations.osm_column": ("OSM skolām trūkst kolonnas {column}; kolonnas: {found}.",
                                 "the OSM schools lack column {column}; columns: {found}."),
    "err.locations.osm_no_crs": ("OSM skolu slānim nav koordinātu atskaites sistēmas (CRS).",
                                 "the OSM schools have no CRS."),
    "err.locations.schools_columns": ("skolu tabulai vajag kolonnas school_id un name.",
                                      "the schools table needs school_id and name columns."),
    "err.locations.no_crs": ("skolu atrašanās vietām nav koordinātu atskaites sistēmas (CRS).",
                             "the school locations have no CRS."),
    "err.locations.unknown": ("atrašanās vietu failā ir skolas, kuru nav reģistrā: {ids} "
                              "(nezināmas kopā: {n}).",
                              "school id(s) {ids} of the locations file are not in the registry "
                              "({n} unknown)."),
    "err.locations.unknown.fix": ("izmantojiet šī reģiona skolu reģistrācijas numurus.",
                                  "use registration numbers of the schools of this region."),
    "err.locations.boundaries_no_crs": ("robežām nav koordinātu atskaites sistēmas (CRS).",
                                        "the boundaries have no CRS."),
    # pupils spread over the population grid (geo.region.demand)
    "err.demand.pupils_columns": ("skolēnu tabulā trūkst kolonnu {missing}; kolonnas: {found}.",
                                  "the pupils table lacks column(s) {missing}; columns: {found}."),
    "err.demand.cells_column": ("šūnu tabulā trūkst kolonnas {column}; kolonnas: {found}.",
                                "the cells lack column {column}; columns: {found}."),
    "err.demand.cells_column.fix": ("nolasiet režģi ar clip=boundaries, lai katrai šūnai būtu "
                                    "zināma tās pašvaldība.",
                                    "read the grid with clip=boundaries to get the municipality "
                                    "of each cell."),
    "err.demand.repeat": ("skolēnu tabulā pašvaldības atkārtojas: {names}.",
                          "municipalities repeat in the pupils table: {names}."),
    "err.demand.no_cells": ("pašvaldībās {names} ir skolēni, bet nav iedzīvotāju režģa šūnu; "
                            "šūnās ir {found}.",
                            "municipality(ies) {names} have pupils but no population cells; "
                            "cells have {found}."),
    "err.demand.no_cells.fix": ("apgrieziet režģi ar to pašu pašvaldību robežām (pārbaudiet "
                                "nosaukumus).",
                                "clip the grid with boundaries of the same municipalities "
                                "(check the names)."),
    "err.demand.no_population": ("pašvaldībās {names} ir skolēni, bet nav iedzīvotāju.",
                                 "municipality(ies) {names} have pupils but no population."),
    "err.demand.text": ("iedzīvotāju kolonna {column} nav skaitliska",
                        "population column {column} is not numeric"),
    "err.demand.infinite": ("iedzīvotāju kolonnā {column} ir bezgalīgas vērtības",
                            "population column {column} has infinite values"),
    "err.demand.negative": ("iedzīvotāju kolonnā {column} ir negatīvas vērtības",
                            "population column {column} has negative values"),
    "err.demand.twice": ("šūnas dotas divreiz vai vairāk", "cells are given twice or more"),
    "err.demand.cells": ("{what}: šūnas {cells} (rindu skaits: {n}).",
                         "{what}: cells {cells} ({n} rows)."),
    "err.demand.cells.fix": ("norādiet vienu rindu katrai šūnai ar tās iedzīvotāju skaitu.",
                             "give one row per cell with its number of people."),
    # building a region bundle (geo.region.build)
    "err.build.generator_module": ("nezināms ģeneratora modulis {module} ({detail}).",
                                   "unknown generator module {module} ({detail})."),
    "err.build.generator_module.fix": ("izmantojiet `generator: geo.region.synth` vai izdzēsiet "
                                       "šo rindu.",
                                       "use `generator: geo.region.synth` or remove the line."),
    "err.build.no_generate": ("ģeneratoram {module} nav funkcijas generate().",
                              "generator {module} has no generate() function."),
    "err.build.generator_options": ("ģeneratoram {module} nav opciju {options}.",
                                    "unknown generator option(s) {options} for {module}."),
    "err.build.generator_options.fix": ("izmantojiet kādu no opcijām {known}.",
                                        "use options among {known}."),
    "err.build.no_generator": ("norādītas ģeneratora opcijas, bet receptē nav ģeneratora.",
                               "generator options given, but the recipe has no generator."),
    "err.build.no_boundary": ("reģionam {region} nav atrasts robežu fails ({how}).",
                              "region {region}: no boundary file found ({how})."),
    "err.build.no_boundary.fix": ("ievietojiet robežu failu kādā no mapēm, kurās rīks meklē "
                                  "datus.",
                                  "put the boundary file on the data search path."),
    "err.build.dorm_pair": ("{school}: {a} pret {b}", "{school}: {a} vs {b}"),
    "err.build.dorm_differ": ("dienesta viesnīcu vietu skaits ietilpības tabulā {capacity} "
                              "atšķiras no dienesta viesnīcu tabulas ({detail}).",
                              "dormitory places differ between the capacity table {capacity} "
                              "and the dormitory table ({detail})."),
    "err.build.dorm_differ.fix": ("norādiet skolas dienesta viesnīcas vietas tikai vienā no "
                                  "abām tabulām vai izlīdziniet tās.",
                                  "give a school's dormitory places in one of the two tables, "
                                  "or make them equal."),
    # maps, PDF and table exports (geo.outputs.report)
    "err.report.foreign_map": ("šo folium karti nav veidojusi geo.outputs.web.make_map, tāpēc "
                               "tās slāņi nav zināmi.",
                               "this folium map was not made by geo.outputs.web.make_map, so "
                               "its layers are unknown."),
    "err.report.foreign_map.fix": ("kartes vietā nododiet geo.outputs.web slāņu sarakstu.",
                                   "pass the list of geo.outputs.web layers instead of the map."),
    "err.report.not_layers": ("gaidīti geo.outputs.web slāņi, bet saņemti {got}.",
                              "expected geo.outputs.web layers, got {got}."),
    "err.report.not_layers.fix": ("veidojiet slāņus ar geo.outputs.web.*_layer funkcijām.",
                                  "build layers with geo.outputs.web.*_layer functions."),
    "err.report.empty_pdf": ("PDF nav ko ievietot.", "nothing to put in the PDF."),
    "err.report.empty_pdf.fix": ("norādiet slāņus vai tabulas.", "give layers or tables."),
    "err.report.not_table": ("slānis {name} ir {type}, nevis tabula.",
                             "layer {name} is a {type}, not a table."),
    "err.report.not_table.fix": ("nododiet GeoDataFrame, DataFrame vai geo.outputs.web slāņus.",
                                 "pass GeoDataFrames, DataFrames or geo.outputs.web layers."),
    "err.report.layer_no_crs": ("slānim {name} nav koordinātu atskaites sistēmas.",
                                "layer {name} has no coordinate reference system."),
    "err.report.no_crs": ("slānim nav koordinātu atskaites sistēmas.",
                          "the layer has no coordinate reference system."),
    "err.report.set_crs.fix": ("iestatiet to, piem., gdf.set_crs('EPSG:3059').",
                               "set it, e.g. gdf.set_crs('EPSG:3059')."),
    "err.report.no_layers": ("nav slāņu, ko ierakstīt.", "no layers to write."),
    "err.report.no_layers.fix": ("norādiet vismaz vienu slāni.", "give at least one layer."),
    "err.report.empty_name": ("slānim ir tukšs nosaukums.", "a layer has an empty name."),
    "err.report.empty_name.fix": ("piešķiriet nosaukumu katram slānim.", "name every layer."),
    "err.report.expected_table": ("gaidīta tabula, bet saņemts {type}.",
                                  "expected a table, got {type}."),
    "err.report.sep_decimal": ("atdalītājs un decimālzīme abi ir {sep}.",
                               "separator and decimal mark are both {sep}."),
    "err.report.sep_decimal.fix": ("izmantojiet sep=';' kopā ar decimal=','.",
                                   "use sep=';' with decimal=','."),
    "err.report.geometry_option": ("nezināma ģeometrijas opcija {value}.",
                                   "unknown geometry option {value}."),
    "err.report.geometry_option.fix": ("izmantojiet 'auto', 'xy', 'wkt' vai 'drop'.",
                                       "use 'auto', 'xy', 'wkt' or 'drop'."),
    "err.report.formats": ("nezināmi formāti {formats}.", "unknown formats {formats}."),
    "err.report.formats.fix": ("izmantojiet dažus no {known}.", "use some of {known}."),
    "err.report.tables": ("tabulām jābūt DataFrame, bet saņemts {got}.",
                          "tables must be DataFrames, got {got}."),
    "err.report.nothing": ("nav ko eksportēt.", "nothing to export."),
    "err.report.nothing.fix": ("norādiet slāņus, karti vai tabulas.",
                               "give layers, a map or tables."),
    "err.one_of.fix": ("izmantojiet vienu no {known}.", "use one of {known}."),
    "err.report.no_table": ("nav tabulas, ko ierakstīt.", "no table to write."),
    "err.report.no_table.fix": ("norādiet tabulu.", "give a table."),
    "err.report.format": ("nezināms formāts {fmt}.", "unknown format {fmt}."),
    # map layers (geo.outputs.layers); err.name.* of the layers in the genitive
    "err.name.roads": ("ceļu", "roads"),
    "err.name.schools": ("skolu", "schools"),
    "err.name.travel-time": ("brauciena laika", "travel-time"),
    "err.name.isochrones": ("izohronu", "isochrones"),
    "err.name.catchments": ("skolu apkalpes zonu", "catchments"),
    "err.name.white spots": ("balto plankumu", "white spots"),
    "err.name.broadband": ("platjoslas", "broadband"),
    "err.name.broadband classes": ("platjoslas klašu", "broadband classes"),
    "err.name.joint gap": ("apvienotā trūkuma (skola un internets)", "joint gap"),
    "err.name.change": ("izmaiņu", "change"),
    "err.name.newly beyond": ("no jauna ārpus sliekšņa nonākušo šūnu", "newly beyond"),
    "err.name.closed schools": ("slēgto skolu", "closed schools"),
    "err.name.new schools": ("jauno skolu", "new schools"),
    "err.layers.lang": ("nezināma valoda {lang}.", "unknown language {lang}."),
    "err.layers.not_gdf": ("{what} slānim jābūt GeoDataFrame, bet tas ir {type}.",
                           "{what}: expected a GeoDataFrame, got {type}."),
    "err.layers.no_crs": ("{what} slānim nav koordinātu atskaites sistēmas.",
                          "{what} layer has no coordinate reference system."),
    "err.layers.no_crs.fix": ("iestatiet to, piem., gdf.set_crs('EPSG:3059') LKS-92 metriem.",
                              "set it, e.g. gdf.set_crs('EPSG:3059') for LKS-92 metres."),
    "err.layers.no_columns": ("{what} slānī nav kolonnu {missing}; kolonnas ir {found}.",
                              "{what} layer has no column(s) {missing}; columns are {found}."),
    "err.layers.no_columns.fix": ("pārdēvējiet kolonnu vai norādiet to ar atbilstošo parametru.",
                                  "rename the column or name it with the matching keyword."),
    "err.layers.road_class": ("nezināma ceļu klase {value}.", "unknown road class {value}."),
    "err.layers.no_time": ("brauciena laika slānī nav kolonnas 'time_min' vai 'time_s'.",
                           "travel-time layer has no column 'time_min' or 'time_s'."),
    "err.layers.no_time.fix": (
        "pievienojiet geo.network.access.nearest_facility(...) rezultātus vai norādiet kolonnu "
        "ar time_col=.",
        "join geo.network.access.nearest_facility(...) results or name the column with "
        "time_col=."),
    "err.layers.colours": ("{bands} joslām vajag {bands} krāsas, bet dotas {colors}.",
                           "{bands} bands need {bands} colours, got {colors}."),
    # jobs of the app and the command line (geo.jobs)
    "err.jobs.no_facilities": ("OSM failā nav objektu ar veidiem {kinds}.",
                               "the OSM file has no facilities of kinds {kinds}."),
    "err.jobs.no_facilities.fix": ("pārbaudiet, vai izvilkums aptver reģionu, vai norādiet "
                                   "objektu failu (GeoJSON, GeoPackage).",
                                   "check that the extract covers the region, or give a file "
                                   "of facilities (GeoJSON, GeoPackage)."),
    "err.jobs.not_built": ("reģiona datu komplekts vēl nav izveidots.",
                           "the region bundle has not been built."),
    "err.jobs.not_built.fix": ("palaidiet `python -m geo build {name}`.",
                               "run `python -m geo build {name}`."),
    "err.jobs.pupils_columns": ("skolēnu slānī trūkst kolonnu {missing}.",
                                "the pupils layer lacks columns {missing}."),
    "err.jobs.no_school": ("klašu grupu {band} nenodrošina neviena skola ar zināmu atrašanās "
                           "vietu.",
                           "no located school serves grades {band}."),
    "err.jobs.no_school.fix": ("norādiet skolu atrašanās vietas (schools_to_locate.csv) un "
                               "izveidojiet datu komplektu vēlreiz.",
                               "locate the schools (schools_to_locate.csv) and rebuild."),
    "err.jobs.no_region": ("nav norādīts reģions.", "no region given."),
    "err.jobs.no_region.fix": ("norādiet `--prepared FOLDER` vai `--bundle REGION`.",
                               "give --prepared FOLDER or --bundle REGION."),
    "err.jobs.sweep_p": ("--p un --budget nosaka tīkla lielumu gadu analīzei; {param} analīze "
                         "to nosaka pati.",
                         "--p and --budget fix the network size of a year sweep; a {param} "
                         "sweep sets it itself."),
    "err.jobs.sweep_p.fix": ("izlaidiet --p/--budget vai analizējiet gadus: "
                             "year=START:STOP:STEP.",
                             "leave out --p/--budget, or sweep year=START:STOP:STEP."),
    "err.jobs.no_roads_scenario": ("scenārijam (--scenario) vajag ceļu tīklu, bet reģionam tā "
                                   "nav.",
                                   "a scenario (--scenario) needs the road network, and the "
                                   "region has none."),
    "err.jobs.no_roads_scenario.fix": ("izveidojiet reģiona datu komplektu ar OSM ceļiem vai "
                                       "izlaidiet --scenario.",
                                       "build the region with its OSM roads, or leave out "
                                       "--scenario."),
    # broadband coverage per cell (geo.broadband.coverage)
    "err.bbcov.no_crs": ("slānim nav koordinātu atskaites sistēmas (CRS).",
                         "the layer has no CRS."),
    "err.bbcov.coverage_no_crs": ("pārklājuma slānim nav koordinātu atskaites sistēmas (CRS).",
                                  "the coverage layer has no CRS."),
    "err.bbcov.no_crs.fix": ("saglabājiet to kopā ar koordinātu atskaites sistēmu.",
                             "save it with its coordinate reference system."),
    "err.bbcov.columns": ("pārklājuma slānī trūkst kolonnu {missing}; kolonnas: {found}.",
                          "the coverage layer lacks column(s) {missing}; columns: {found}."),
    "err.bbcov.columns.fix": ("nolasiet to ar geo.sources.coverage.read_coverage (vai "
                              "read_berec).",
                              "read it with geo.sources.coverage.read_coverage (or read_berec)."),
    "err.recipe.where": ("saglabājiet to kā {file} mapē {folder} vai kādā no ${env} mapēm",
                         "save it as {file} in {folder} or in a folder of ${env}"),
    "err.recipe.do": ("izpildiet: {what}", "run/do: {what}"),
    "err.recipe.download": ("lejupielādējiet {url}", "download {url}"),
    "err.recipe.page": ("iegūstiet to no {page}", "get it from {page}"),
    "err.recipe.or": ("{a}; vai {b}", "{a}; or {b}"),
    "err.recipe.how": ("{steps}.", "{steps}."),
    "err.recipe.how_where": ("{steps}; {where}.", "{steps}; {where}."),
    "err.recipe.optional": ("neobligāts slānis nav atrasts: {where}.",
                            "optional, not found: {where}."),
    "err.recipe.no_source": ("tam nav zināma avota.", "no source is known for it."),
    "err.bb.no_population": ("komplektā {bundle} nav iedzīvotāju slāņa (population_<gads>), "
                             "tāpēc platjoslas balto plankumu analīzei nav ar ko salīdzināt; "
                             "sagatavojiet reģionu ar iedzīvotāju režģi.",
                             "bundle {bundle} has no population_<year> layer, so the broadband "
                             "white-spot analysis has nothing to weigh; build the region with a "
                             "population grid."),
    "err.build.popgrid_years": ("iedzīvotāju režģa gadi {absent} nav mapē {path}; "
                                "sagatavots ar gadiem {years}.",
                                "years {absent} not in {path}; built with {years}."),
    "err.build.no_roads": ("nav ceļu tīkla: ceļi nāk no OpenStreetMap (Geofabrik izvilkums "
                           "{url}). {how} Pēc tam sagatavojiet reģionu vēlreiz: pārējie slāņi "
                           "jau ir šajā komplektā.",
                           "no road network: roads come from OpenStreetMap (Geofabrik extract "
                           "{url}). {how} Then build again: the other layers are already in "
                           "this bundle."),
    "err.prep.no_growth": (
        "skolēnu skaitu no {base}. gada uz {year}. gadu var prognozēt tikai ar iedzīvotāju "
        "tendenci, bet šim reģionam tā nav sagatavota.",
        "pupils can be projected from {base} to {year} only with a population trend, and none "
        "was prepared for this region."),
    "err.prep.no_growth.fix": (
        "scenārijā norādiet year: {base} vai sagatavojiet reģionu ar vairāku gadu tautas "
        "skaitīšanas režģiem (geo.planning.projection.attach_growth).",
        "set year: {base} in the scenario, or prepare the region with census grids of several "
        "years (geo.planning.projection.attach_growth)."),
    "err.prep.no_network": (
        "{what}: vajag brauciena laikus no katras izcelsmes vietas, bet reģions sagatavots bez "
        "ceļu tīkla.",
        "{what} need travel times from every origin, and this region was prepared without its "
        "road network."),
    "err.prep.no_network.fix": (
        "sagatavojiet reģionu ar ceļu tīklu (geo.planning.prepared.prepare vai "
        "`python -m geo scenario prepare --network ...`).",
        "prepare the region with its network (geo.planning.prepared.prepare or "
        "`python -m geo scenario prepare --network ...`)."),
    "err.prep.far_points": (
        "{what}: punkti {points} ({crs}) atrodas tālāk par {m} m no jebkura tīkla ceļa.",
        "{what}: point(s) {points} ({crs}) lie farther than {m} m from any road of the "
        "network."),
    "err.prep.far_points.fix": (
        "pārbaudiet jaunās skolas koordinātas (lon/lat vai EPSG:3059 x/y).",
        "check the coordinates (lon/lat or EPSG:3059 x/y) of the new school."),
    "err.prep.not_prepared": (
        "nav sagatavota reģiona mape (trūkst arrays.npz un meta.json).",
        "is not a prepared region folder (arrays.npz and meta.json are missing)."),
    "err.prep.not_prepared.fix": ("izveidojiet to ar `python -m geo scenario prepare ...`.",
                                  "create it with `python -m geo scenario prepare ...`."),
    "err.prep.meta_not_object": (
        "sagatavotā reģiona meta.json nav JSON objekts.",
        "meta.json of the prepared region is not a JSON object."),
    "err.prep.recreate.fix": ("izveidojiet to vēlreiz ar `python -m geo scenario prepare ...`.",
                              "create it again with `python -m geo scenario prepare ...`."),
    "err.prep.no_column": ("slānī '{what}' nav kolonnas {name}; tajā ir {columns}.",
                           "the {what} layer has no column {name}; it has {columns}."),
    "err.prep.no_column.fix": ("norādiet slāņa '{what}' kolonnas nosaukumu ar pareizo opciju.",
                               "name the {what} column with the right option."),
    "err.prep.school_ids": ("skolu identifikatori atkārtojas: {ids}.",
                            "school ids are not unique: {ids}."),
    "err.prep.school_ids.fix": ("piešķiriet katrai skolai savu reģistrācijas numuru.",
                                "give every school its own registration number."),
    "err.prep.no_pupils": (
        "izcelsmes vietām vajag skolēnu skaitu pa klašu grupām vai iedzīvotāju skaitu.",
        "the origins need pupil counts per grade band or a population."),
    "err.prep.no_pupils.fix": ("norādiet pupil_columns vai population.",
                               "give pupil_columns or population."),
    "err.prep.school_grades": ("skola {school}: {detail}.", "school {school}: {detail}."),
    "err.prep.no_pupils_layer": ("komplektā nav pupils_<gads> slāņa.",
                                 "the bundle has no pupils_<year> layer."),
    "err.prep.rebuild.fix": ("sagatavojiet to vēlreiz ar `python -m geo build REGION`.",
                             "rebuild it with `python -m geo build REGION`."),
    "err.prep.no_pupils_year": ("komplektā nav slāņa pupils_{year} (ir gadi {years}).",
                                "the bundle has no pupils_{year} layer (it has {years})."),
    "err.prep.bundle_no_roads": ("komplektā nav ceļu tīkla.",
                                 "the bundle has no road network."),
    "err.prep.bundle_no_roads.fix": ("sagatavojiet to vēlreiz, kur pieejami OSM ceļi.",
                                     "rebuild it where OSM roads are available."),
    "err.net.crs.fix": (
        "norādiet projicētu koordinātu sistēmu metros, piemēram, {crs} (LKS-92) Latvijā.",
        "give a projected CRS in metres, e.g. {crs} (LKS-92) in Latvia."),
    "err.net.crs_unknown": ("{what} {crs} nav zināma koordinātu atskaites sistēma.",
                            "{what} {crs} is not a known coordinate reference system."),
    "err.net.crs_geographic": (
        "{what} {crs} ({name}) ir ģeogrāfiska (grādos): attālumiem, piesaistes robežām un "
        "ātrumiem vajag metrus.",
        "{what} {crs} ({name}) is geographic (degrees): distances, snapping limits and speeds "
        "need metres."),
    "err.net.crs_units": ("{what} {crs} ({name}) mērvienības ir {units}, nevis metri.",
                          "{what} {crs} ({name}) is in {units}, not metres."),
    "err.net.not_cache": ("nav ceļu tīkla kešatmiņa (trūkst network.npz).",
                          "is not a network cache (network.npz missing)."),
    "err.net.not_cache.fix": ("izveidojiet to ar `python -m geo network FILE --out DIR`.",
                              "build it with `python -m geo network FILE --out DIR`."),
    "err.net.rebuild.fix": ("izveidojiet to vēlreiz ar `python -m geo network FILE --out DIR`.",
                            "rebuild it with `python -m geo network FILE --out DIR`."),
    "err.net.meta_not_object": ("ceļu tīkla kešatmiņas meta.json nav JSON objekts.",
                                "meta.json of the network cache is not a JSON object."),
    "err.net.cache_version": ("ceļu tīkla kešatmiņas versija {found} nav {wanted}.",
                              "network cache version {found} is not {wanted}."),
    "err.net.no_component": (
        "ceļu tīklā nav nevienas savienotas daļas ar diviem vai vairāk mezgliem.",
        "the road network has no connected part with two or more nodes."),
    "err.net.no_pieces": (
        "nevienā ceļā nav palikuši divi secīgi mezgli (trūkst mezglu, vai apgriešana tos "
        "visus noņēma).",
        "no way keeps two consecutive nodes (missing nodes or clipping removed them all)."),
    "err.net.no_pieces.fix": ("izmantojiet lielāku izvilkumu vai apgriešanas daudzstūri.",
                              "use a larger extract or clip polygon."),
    "err.opt.objective": ("nezināms mērķis {objective}.", "unknown objective {objective}."),
    "err.opt.objective.fix": ("izmantojiet vienu no: {choices}.", "use one of {choices}."),
    "err.opt.kept_and_closed": ("skolas norādītas gan atstāšanai, gan slēgšanai: {ids}.",
                                "schools both kept and closed: {ids}."),
    "err.opt.kept_and_closed.fix": ("norādiet katru skolu tikai vienā no --keep / --close.",
                                    "list each school in one of --keep / --close."),
    "err.opt.unknown_ids": ("{what}: nezināmi vai neatvērtu skolu identifikatori {ids}.",
                            "{what}: unknown or not open school id(s) {ids}."),
    "err.opt.unknown_id": ("{id}", "{id}"),
    "err.opt.unknown_id_hint": ("{id} (līdzīgi: {close})", "{id} (close: {close})"),
    "err.opt.unknown_ids.fix": ("izmantojiet reģiona atvērto skolu reģistrācijas numurus.",
                                "use registration numbers of open schools of the region."),
    "err.opt.p_or_budget": (
        "norādiet vai nu atstājamo skolu skaitu (p), vai budžetu.",
        "give either the number of schools to keep (p) or a budget."),
    "err.opt.p_whole": ("p (--p) = {p}: skolu skaitam jābūt veselam skaitlim.",
                        "p (--p) = {p} must be a whole number of schools."),
    "err.opt.method": ("nezināma metode {method}.", "unknown method {method}."),
    "err.opt.method.fix": ("izmantojiet {choices}.", "use {choices}."),
    "err.access.no_id_column": ("nav kolonnas {column}; kolonnas ir {columns}.",
                                "has no column {column}; columns are {columns}."),
    "err.access.no_id_column.fix": (
        "norādiet identifikatoru kolonnas nosaukumu ar pareizo atslēgvārdu.",
        "name the id column with the right keyword."),
    "err.access.no_facilities": ("objektu slānis ir tukšs.", "the facilities layer is empty."),
    "err.access.all_far": (
        "neviens no {n} objektiem neatrodas {m} m attālumā no ceļu tīkla (tuvākais ir {km} km "
        "attālumā): tie atrodas ārpus tīkla teritorijas.",
        "none of the {n} facilities lies within {m} m of the road network (nearest is {km} km "
        "away): they are outside the network's area."),
    "err.access.all_far.fix": (
        "izmantojiet tā paša reģiona objektus, kuram ir tīkls, un pārbaudiet slāņa koordinātu "
        "sistēmu.",
        "use facilities of the same region as the network, and check the layer's CRS."),
    "err.access.no_population": ("nav iedzīvotāju kolonnas {column}.",
                                 "has no population column {column}."),
    "err.sweep.bad": ("nepareizs parametru diapazons {spec}.", "bad sweep {spec}."),
    "err.sweep.bad.fix": ("rakstiet p=, budget= vai year=START:STOP:STEP.",
                          "write p=, budget= or year=START:STOP:STEP."),
    "err.sweep.not_numbers": ("nepareizs parametru diapazons {spec}: {detail}.",
                              "bad sweep {spec}: {detail}."),
    "err.sweep.not_numbers.fix": ("tikai skaitļi, piemēram, p=40:149:5.",
                                  "numbers only, e.g. p=40:149:5."),
    "err.sweep.empty": ("nepareizs parametru diapazons {spec}: tukšs intervāls.",
                        "bad sweep {spec}: empty range."),
    "err.sweep.empty.fix": ("lietojiet START <= STOP, STEP > 0.",
                            "use START <= STOP, STEP > 0."),
    "err.sweep.param": ("nezināms diapazona parametrs {param}.", "unknown sweep parameter {param}."),
    "err.sweep.param.fix": ("lietojiet p, budget vai year.", "use p, budget or year."),
    "err.proj.columns": ("iedzīvotāju tabulā trūkst kolonnu {missing}; tajā ir {columns}.",
                         "the population table lacks column(s) {missing}; it has {columns}."),
    "err.proj.columns.fix": (
        "nolasiet to ar geo.sources.census.read_population_years(..., clip=boundaries).",
        "read it with geo.sources.census.read_population_years(..., clip=boundaries)."),
    "err.proj.years": (
        "tendencei vajag vismaz divu gadu iedzīvotāju režģus; tabulā ir {years}.",
        "a trend needs population grids of at least two years; the table has {years}."),
    "err.proj.years.fix": ("pievienojiet 2011., 2018. un 2021. gada režģus.",
                           "add grids of 2011, 2018 and 2021."),
    "err.snap.no_crs": ("slānim '{name}' nav koordinātu atskaites sistēmas (CRS).",
                        "the {name} layer has no coordinate reference system (CRS)."),
    "err.snap.no_crs.fix": (
        "iestatiet to, piemēram, gdf.set_crs('EPSG:4326') garumam/platumam, vai saglabājiet "
        "datni kopā ar tās koordinātu sistēmu (shapefile datnēm .prj).",
        "set it, e.g. gdf.set_crs('EPSG:4326') for longitude/latitude, or save the file with "
        "its CRS (a .prj for shapefiles)."),
    "err.dask.scheduler": ("nezināms plānotājs {scheduler}.", "unknown scheduler {scheduler}."),
    "err.dask.scheduler.fix": ("lietojiet auto, serial, local vai tcp://HOST:PORT.",
                               "use auto, serial, local or tcp://HOST:PORT."),
    "err.web.tiles": ("nezināmas kartes flīzes {tiles}.", "unknown tiles {tiles}."),
    "err.web.tiles.fix": ('lietojiet None (bezsaistē) vai "osm".',
                          'use None (offline) or "osm".'),
    "err.synth.scale": ("nezināms mērogs {scale}.", "unknown scale {scale}."),
    "err.synth.scale.fix": ("izmantojiet vienu no: {choices}.", "use one of {choices}."),
    "err.synth.osm_format": ("nezināmi OSM formāti {formats}.",
                             "unknown OSM format(s) {formats}."),
    "err.synth.osm_format.fix": ("lietojiet 'pbf' un/vai 'xml'.", "use 'pbf' and/or 'xml'."),
}
STRINGS.update({k: {"lv": lv, "en": en} for k, (lv, en) in _ERRORS.items()})

#: Placing schools by hand and getting roads (``geo/region/placement.py``, ``app_vidzeme.py``).
_PLACEMENT: dict[str, tuple[str, str]] = {
    "place.lat": ("platums", "latitude"),
    "place.lon": ("garums", "longitude"),
    "place.err.not_number": ("{what} “{value}” nav skaitlis.",
                             "the {what} “{value}” is not a number."),
    "place.err.not_number.fix": (
        "ierakstiet decimālgrādus, piem., platums 57,5412 un garums 25,4236 (der komats vai "
        "punkts), vai noklikšķiniet uz kartes.",
        "type decimal degrees, e.g. latitude 57.5412 and longitude 25.4236 (comma or point), "
        "or click on the map."),
    "place.err.range": ("{what} {value} ir ārpus robežām -{limit}…{limit}.",
                        "the {what} {value} is outside -{limit}…{limit}."),
    "place.err.swap.fix": ("vispirms platums (uz ziemeļiem, Latvijā ap 56-58), tad garums (uz "
                           "austrumiem, Latvijā ap 21-28).",
                           "latitude (north, about 56-58 in Latvia) first, then longitude "
                           "(east, about 21-28 in Latvia)."),
    "place.err.zero": ("punkts ({lat}, {lon}) ir nulles punkts, nevis skolas vieta. Reģionā "
                       "platums ir {lat_lo}…{lat_hi}, garums {lon_lo}…{lon_hi}.",
                       "the point ({lat}, {lon}) is the zero point, not a school's place. In "
                       "the region latitude is {lat_lo}…{lat_hi} and longitude "
                       "{lon_lo}…{lon_hi}."),
    "place.err.swapped": ("platums {lat} un garums {lon} šķiet samainīti vietām. Reģionā "
                          "platums ir {lat_lo}…{lat_hi}, garums {lon_lo}…{lon_hi}.",
                          "latitude {lat} and longitude {lon} seem swapped. In the region "
                          "latitude is {lat_lo}…{lat_hi} and longitude {lon_lo}…{lon_hi}."),
    "place.err.outside": ("punkts (platums {lat}, garums {lon}) ir {km} km ārpus reģiona "
                          "robežas (atļauts līdz {margin} km). Reģionā platums ir "
                          "{lat_lo}…{lat_hi}, garums {lon_lo}…{lon_hi}.",
                          "the point (latitude {lat}, longitude {lon}) lies {km} km outside "
                          "the region's boundary (at most {margin} km allowed). In the region "
                          "latitude is {lat_lo}…{lat_hi} and longitude {lon_lo}…{lon_hi}."),
    "place.err.point.fix": ("pārbaudiet koordinātas (WGS84, vispirms platums) vai "
                            "noklikšķiniet uz skolas vietas kartē.",
                            "check the coordinates (WGS84, latitude first) or click the "
                            "school's place on the map."),
    "place.err.unknown_school": ("reģistrācijas Nr. {school_id} nav šī reģiona skolu "
                                 "sarakstā.",
                                 "registration no. {school_id} is not a school of this "
                                 "region."),
    "place.err.unknown_school.fix": ("izmantojiet šī reģiona skolu reģistrācijas numurus "
                                     "(tabula “Skolas bez atrašanās vietas”, kolonna "
                                     "school_id).",
                                     "use registration numbers of this region's schools (the "
                                     "table “Schools without a location”, column "
                                     "school_id)."),
    "place.err.upload_empty": ("failā nav nevienas rindas ar koordinātām.",
                               "the file has no row with coordinates."),
    "place.err.upload_empty.fix": ("aizpildiet kolonnas lat un lon (WGS84) vismaz vienai "
                                   "skolai.",
                                   "fill in the lat and lon columns (WGS84) for at least one "
                                   "school."),
    "place.err.upload_unknown": ("{n} reģistrācijas Nr. nav šī reģiona skolas ({ids}); "
                                 "rinda (Nr.): {rows}.",
                                 "{n} registration no(s). are not schools of this region "
                                 "({ids}); row (no.): {rows}."),
    "place.err.upload_numbers": ("kolonnā {column} {n} šūnas nav skaitļi; rinda (Nr.): "
                                 "{rows}.",
                                 "{n} cell(s) of the column {column} are not numbers; row "
                                 "(no.): {rows}."),
    "place.err.upload_points": ("{n} rindu punkti nevar būt reģiona skolas; rinda (Nr.): "
                                "{rows}. Pirmā: {first}",
                                "the points of {n} row(s) cannot be schools of the region; "
                                "row (no.): {rows}. First: {first}"),
    "place.err.foreign_tool_place": ("šis fails nav rīka rakstīts; lietotne to "
                                     "nepārraksta.",
                                     "this file was not written by the tool; the app does "
                                     "not overwrite it."),
    "place.err.foreign_tool_place.fix": (
        "pārvietojiet to uz mapi no $GEO_DATA_PATH (tad lietotne to nolasīs un apvienos ar "
        "jaunajām vietām savā failā) un saglabājiet vēlreiz.",
        "move it into a folder of $GEO_DATA_PATH (the app then reads it and merges it with "
        "the new places in its own file) and save again."),
    "place.err.no_boundary": ("reģiona robežu fails nav atrasts.",
                              "the region's boundary file was not found."),
    "place.err.no_boundary.fix": ("ielieciet robežu failu datu meklēšanas ceļā "
                                  "($GEO_DATA_PATH).",
                                  "put the boundary file on the data search path "
                                  "($GEO_DATA_PATH)."),
    "place.tab": ("Skolu vietas un ceļi", "School places and roads"),
    "place.title": ("Skolas bez atrašanās vietas", "Schools without a location"),
    "place.intro": (
        "IZM reģistrā skolām ir adreses, bet nav koordinātu; tās ņem no OpenStreetMap, kur "
        "skolu izdodas atrast, un {n} no {total} skolām vietas nav. Novietojiet katru skolu: "
        "ierakstiet "
        "platumu un garumu (WGS84), noklikšķiniet uz kartes vai augšupielādējiet "
        "school_locations.csv. Nekas netiek minēts.",
        "The IZM registry gives addresses but no coordinates; they come from OpenStreetMap "
        "where a school can be matched, and {n} of {total} schools have no location. Place "
        "each school: "
        "type its latitude and longitude (WGS84), click on the map or upload a "
        "school_locations.csv. Nothing is guessed."),
    "place.all_located": ("Visām {total} skolām ir atrašanās vieta.",
                          "All {total} schools have a location."),
    "place.school": ("Skola", "School"),
    "place.add": ("Pievienot vietu", "Add the place"),
    "place.added": ("{name}: vieta pievienota (platums {lat}, garums {lon}); saglabājiet, lai "
                    "pārbūvētu datu komplektu.",
                    "{name}: place added (latitude {lat}, longitude {lon}); save to rebuild the "
                    "bundle."),
    "place.map_help": ("Noklikšķiniet uz kartes: koordinātas ierakstīsies laukos zemāk.",
                       "Click on the map: the coordinates go into the fields below."),
    "place.clicked": ("Kartē izvēlēts: platums {lat}, garums {lon}.",
                      "Picked on the map: latitude {lat}, longitude {lon}."),
    "place.upload": ("…vai augšupielādējiet school_locations.csv (school_id, lat, lon)",
                     "…or upload a school_locations.csv (school_id, lat, lon)"),
    "place.upload_ok": ("{file}: {n} skolu vietas pievienotas.",
                        "{file}: {n} school places added."),
    "place.upload_bad": ("Failu nevar izmantot", "The file cannot be used"),
    "place.bad_point": ("Vietu nevar pieņemt", "The place cannot be accepted"),
    "place.pending": ("Jaunās vietas (vēl nav saglabātas)", "New places (not saved yet)"),
    "place.save": ("Saglabāt un pārbūvēt datu komplektu", "Save and rebuild the bundle"),
    "place.discard": ("Atmest jaunās vietas", "Discard the new places"),
    "place.step.save": ("Saglabā skolu vietas…", "Saving the school places…"),
    "place.step.build": ("Pārbūvē datu komplektu…", "Rebuilding the bundle…"),
    "place.step.check": ("Pārbauda jauno datu komplektu…", "Checking the new bundle…"),
    "place.step.done": ("Gatavs", "Done"),
    "place.saved": ("Saglabāts {file} ({rows} skolas); datu komplekts pārbūvēts: {n} jaunas "
                    "vietas, tagad vieta ir {located} no {total} skolām.",
                    "Saved {file} ({rows} schools); bundle rebuilt: {n} new places, now "
                    "{located} of {total} schools have a location."),
    "place.merged": ("Jūsu fails {file} nolasīts un nav mainīts; tā rindas ir apvienotas ar "
                     "jaunajām vietām rīka failā. Komandrindā `python -m geo build` lasa pirmo "
                     "atrasto failu: lai izmantotu apvienoto, aizstājiet savu failu ar rīka "
                     "failu.",
                     "Your file {file} was read and left unchanged; its rows are merged with "
                     "the new places in the tool's file. On the command line `python -m geo "
                     "build` reads the first file it finds: to use the merged one, replace "
                     "your file with the tool's file."),
    "place.not_located": ("Šīs skolas joprojām bez vietas: {ids}.",
                          "These schools still have no location: {ids}."),
    "place.rebuild_failed": ("Datu komplektu neizdevās pārbūvēt; iepriekšējais komplekts nav "
                             "mainīts.",
                             "The bundle could not be rebuilt; the earlier bundle is "
                             "unchanged."),
    "place.saved_kept": ("Vietas ir saglabātas failā {file}: kad problēma novērsta, "
                         "pārbūvējiet vēlreiz (“Saglabāt un pārbūvēt” vai `python -m geo build`).",
                         "The places are saved in {file}: once the problem is fixed, rebuild "
                         "again (“Save and rebuild” or `python -m geo build`)."),
    "place.roads": ("Ceļu tīkls", "Road network"),
    "place.roads_intro": ("Bez ceļiem nevar aprēķināt brauciena laiku. Ceļi nāk no "
                          "OpenStreetMap (Geofabrik Latvijas izvilkums, apgriezts pēc reģiona "
                          "robežām).",
                          "Without roads no travel time can be computed. Roads come from "
                          "OpenStreetMap (the Geofabrik extract of Latvia, cut to the "
                          "region's boundary)."),
    "place.roads.download": ("Lejupielādēt ceļus", "Download roads"),
    "place.roads.downloading": ("Lejupielādē {url}…", "Downloading {url}…"),
    "place.roads.clipping": ("Apgriež pēc reģiona robežām un pārbūvē datu komplektu…",
                             "Cutting to the region and rebuilding the bundle…"),
    "place.roads.done": ("Ceļi lejupielādēti ({file}) un datu komplekts pārbūvēts.",
                         "Roads downloaded ({file}) and the bundle rebuilt."),
    "place.roads.offline": ("Nav interneta savienojuma: {host} nav sasniedzams. Ceļus "
                            "var iegūt ar roku:",
                            "No internet connection: {host} cannot be reached. Get the roads "
                            "by hand:"),
    "place.roads.failed": ("Ceļus neizdevās lejupielādēt; datu komplekts nav mainīts.",
                           "The roads could not be downloaded; the bundle is unchanged."),
    "place.roads.manual": (
        "1. Datorā ar internetu lejupielādējiet {url} (tīmekļa pārlūkā).\n"
        "2. Pārkopējiet failu uz šo datoru kā {saved}.\n"
        "3. Apgrieziet to pēc reģiona robežām un pārbūvējiet datu komplektu:",
        "1. On a computer with internet, download {url} (in a web browser).\n"
        "2. Copy the file to this computer as {saved}.\n"
        "3. Cut it to the region and rebuild the bundle:"),
    "place.roads.manual_online": ("Datorā ar internetu to pašu dara divas komandas:",
                                  "On a computer with internet, two commands do the same:"),
}
STRINGS.update({k: {"lv": lv, "en": en} for k, (lv, en) in _PLACEMENT.items()})


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
