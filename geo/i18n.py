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
