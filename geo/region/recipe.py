"""Region recipes (``data/regions/*.yaml``): what layers a region needs and where each comes from."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from geo import settings
from geo._yaml import load_yaml
from geo.errors import GeoInputError, Msg
from geo.network.graph import check_metric_crs
from geo.sources.osm_download import download_file

#: Folder of the region recipes.
RECIPES_DIR = settings.PROJECT_ROOT / "data" / "regions"


#: Layer keys a recipe may name under ``files`` (see README, "Region recipes").
LAYER_KEYS = (
    "boundaries", "roads", "places", "osm_schools", "towns", "schools_pupils",
    "schools_contacts", "schools_municipalities", "school_locations", "school_capacity",
    "dormitories", "census", "popgrid", "ookla", "ookla_tiles", "coverage",
    "border",  # national land border lines (geo.broadband border bands)
)


#: Layers without which no bundle is built.
REQUIRED_LAYERS = ("boundaries",)


@dataclass
class Recipe:
    """A parsed region recipe (see README, "Region recipes")."""

    name: str
    path: Path
    crs: str
    title: dict = field(default_factory=dict)
    files: dict[str, list[str]] = field(default_factory=dict)
    sources: dict[str, dict] = field(default_factory=dict)
    boundary: dict = field(default_factory=dict)
    municipalities: list[str] | None = None
    generator: str | None = None
    generator_options: dict = field(default_factory=dict)
    census_year: int = 2021
    popgrid_years: tuple[int, ...] = (2006, 2011, 2018, 2021)
    raw: dict = field(default_factory=dict)


def list_recipes() -> list[str]:
    """Names of the recipes in ``data/regions``."""
    return sorted(p.stem for p in RECIPES_DIR.glob("*.yaml"))


def load_recipe(region: str | Path) -> Recipe:
    """Read and validate a recipe: a name of ``data/regions`` (``"vidzeme"``) or a path.

    Raises
    ------
    GeoInputError
        Unknown region, unreadable YAML, missing ``name``/``crs``, unknown layer keys.
    """
    path = Path(region)
    if not path.suffix:
        path = RECIPES_DIR / f"{region}.yaml"
    if not path.exists():
        raise GeoInputError(Msg("err.recipe.no_recipe", region=repr(region)), path=path,
                            fix=Msg("err.recipe.no_recipe.fix", recipes=str(list_recipes())))
    raw = load_yaml(path, kind="recipe").data or {}
    if not isinstance(raw, dict):
        raise GeoInputError(Msg("err.recipe.not_mapping"), path=path,
                            fix=Msg("err.recipe.readme.fix"))
    missing = [k for k in ("name", "crs") if not raw.get(k)]
    if missing:
        raise GeoInputError(Msg("err.recipe.lacks", missing=str(missing)), path=path,
                            fix=Msg("err.recipe.readme.fix"))
    check_region_name(raw["name"], path=path)
    files = {}
    for k, v in (raw.get("files") or {}).items():
        if k not in LAYER_KEYS:
            raise GeoInputError(Msg("err.recipe.unknown_layer", layer=repr(k)), path=path,
                                fix=Msg("err.recipe.layers.fix", layers=str(list(LAYER_KEYS))))
        files[k] = [str(x) for x in (v if isinstance(v, list) else [v])]
    sources = raw.get("sources") or {}
    unknown = [k for k in sources if k not in LAYER_KEYS]
    if unknown:
        raise GeoInputError(Msg("err.recipe.unknown_sources", layers=str(unknown)), path=path,
                            fix=Msg("err.recipe.layers.fix", layers=str(list(LAYER_KEYS))))
    boundary = raw.get("boundary") or {}
    if isinstance(boundary, str):
        boundary = {"layer": boundary}
    years = raw.get("popgrid_years") or (2006, 2011, 2018, 2021)
    years = years if isinstance(years, list | tuple) else [years]
    check_metric_crs(str(raw["crs"]), path=path, what="the recipe's crs:")
    if not isinstance(raw.get("generator_options") or {}, dict):
        raise GeoInputError(Msg("err.recipe.generator_options"), path=path,
                            fix=Msg("err.recipe.generator_options.fix"))
    return Recipe(
        name=str(raw["name"]), path=path, crs=str(raw["crs"]), title=raw.get("title") or {},
        files=files, sources=sources, boundary=boundary,
        municipalities=boundary.get("municipalities") or raw.get("municipalities"),
        generator=raw.get("generator"), generator_options=raw.get("generator_options") or {},
        census_year=_year(raw.get("census_year", 2021), "census_year", path),
        popgrid_years=tuple(_year(y, "popgrid_years", path) for y in years),
        raw=raw,
    )


#: A plain region name: letters (any script), digits, ``-``, ``_`` and inner dots.
_REGION_NAME = re.compile(r"[^\W_][\w.-]*")


def check_region_name(name, *, path: str | Path | None = None) -> str:
    r"""A recipe's ``name`` as a plain folder name inside ``settings.BUNDLES_DIR``.

    Raises
    ------
    GeoInputError
        Empty, a path (``/``, ``\``, ``..``, absolute, ``~``), or anything else that would
        put the bundle outside ``data/bundles``; the message names the recipe file and line.
    """
    text = str(name) if isinstance(name, str | int) and not isinstance(name, bool) else ""
    bundles = Path(settings.BUNDLES_DIR).resolve()
    ok = (bool(_REGION_NAME.fullmatch(text)) and ".." not in text and len(text) <= 100
          and (bundles / text).resolve().parent == bundles)
    if not ok:
        where = "" if path is None else Msg("err.at_line", line=_key_line(path, "name"))
        raise GeoInputError(
            Msg("err.recipe.bad_name", at=where, name=repr(name), bundles=str(bundles)),
            path=path, fix=Msg("err.recipe.bad_name.fix"))
    return text


def _key_line(path: str | Path, key: str) -> int | str:
    """Line (1-based) of a top-level ``key:`` in a YAML file, or "?"."""
    try:
        lines = Path(path).read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return "?"
    for i, line in enumerate(lines, 1):
        if re.match(rf"^['\"]?{re.escape(key)}['\"]?\s*:", line):
            return i
    return "?"


def _year(value, key: str, path: Path) -> int:
    """A year of a recipe field (``census_year: 2021``), or a named error."""
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        year = None
    if year is None or isinstance(value, bool | float) or not 1900 <= year <= 2100:
        raise GeoInputError(Msg("err.recipe.not_year", key=key, value=repr(value)), path=path,
                            fix=Msg("err.recipe.not_year.fix", key=key))
    return year


# ------------------------------------------------------------------------------------------
# Finding and fetching source files
# ------------------------------------------------------------------------------------------
@dataclass
class Source:
    """Where one layer came from."""

    layer: str
    path: Path | None
    origin: str | None = None  # "local", "downloaded", "generated"
    url: str | None = None
    note: str | None = None


def find_local(rel: str, search_path: Iterable[Path]) -> Path | None:
    """First existing ``folder / rel`` over the search path (``rel`` may be absolute)."""
    p = Path(rel).expanduser()
    if p.is_absolute():
        return p if p.exists() else None
    for folder in search_path:
        cand = Path(folder) / rel
        if cand.exists():
            return cand
    return None


def _how_to_get(recipe: Recipe, layer: str) -> str:
    """How a user gets a missing layer (for messages and the manifest)."""
    src = recipe.sources.get(layer) or {}
    wanted = recipe.files.get(layer, [])
    where = (f"save it as {wanted[0]!r} in {settings.DOWNLOADS_DIR} or in a folder of "
             f"${settings.DATA_PATH_ENV}" if wanted else "")
    actions = []
    if src.get("instructions"):
        actions.append(f"run/do: {str(src['instructions']).strip()}")
    if src.get("url"):
        actions.append(f"download {src['url']}")
    if src.get("page"):
        actions.append(f"get it from {src['page']}")
    if not actions:
        return f"optional, not found: {where}." if where else "no source is known for it."
    return "; or ".join(actions) + (f"; {where}." if where else ".")


def how_to_get_msg(recipe: Recipe, layer: str) -> Msg:
    """:func:`_how_to_get` as a :class:`~geo.errors.Msg`, for the fix of an error (Latvian
    or English); the same steps in the same order."""
    src = recipe.sources.get(layer) or {}
    wanted = recipe.files.get(layer, [])
    where = (Msg("err.recipe.where", file=repr(wanted[0]), folder=str(settings.DOWNLOADS_DIR),
                 env=settings.DATA_PATH_ENV) if wanted else None)
    actions = []
    if src.get("instructions"):
        actions.append(Msg("err.recipe.do", what=str(src["instructions"]).strip()))
    if src.get("url"):
        actions.append(Msg("err.recipe.download", url=src["url"]))
    if src.get("page"):
        actions.append(Msg("err.recipe.page", page=src["page"]))
    if not actions:
        return Msg("err.recipe.optional", where=where) if where else Msg("err.recipe.no_source")
    steps = actions[0]
    for a in actions[1:]:
        steps = Msg("err.recipe.or", a=steps, b=a)
    return Msg("err.recipe.how_where", steps=steps, where=where) if where else Msg(
        "err.recipe.how", steps=steps)


def fetch(
    recipe: Recipe,
    layer: str,
    *,
    search_path: list[Path],
    online: bool,
    progress: bool | Callable = False,
) -> Source:
    """Find a layer's file locally, else download it (when ``online``), else report it missing.

    Downloads go to ``settings.DOWNLOADS_DIR / <the first file name of the layer>`` (which is
    on the search path, so the next build finds them). A network failure raises
    :class:`~geo.errors.MissingDataError` (the caller treats it as offline).
    """
    for rel in recipe.files.get(layer, []):
        p = find_local(rel, search_path)
        if p is not None:
            return Source(layer, p, "local")
    src = recipe.sources.get(layer) or {}
    url = src.get("url")
    if not recipe.files.get(layer) and not url:
        return Source(layer, None, note="not in the recipe")
    if not online or not url:
        return Source(layer, None, url=url, note=_how_to_get(recipe, layer))

    rel = src.get("save_as") or recipe.files.get(layer, [Path(url).name])[0]
    target = settings.DOWNLOADS_DIR / rel
    download_file(url, target, checksum=bool(src.get("md5", False)), progress=progress,
                  manual=how_to_get_msg(recipe, layer))
    return Source(layer, target, "downloaded", url=url)
