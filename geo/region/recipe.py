"""Region recipes (``data/regions/*.yaml``): what layers a region needs and where each comes from."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from geo import settings
from geo.errors import GeoInputError
from geo.sources.osm_download import download_file

#: Folder of the region recipes.
RECIPES_DIR = settings.PROJECT_ROOT / "data" / "regions"


#: Layer keys a recipe may name under ``files`` (see README, "Region recipes").
LAYER_KEYS = (
    "boundaries", "roads", "places", "osm_schools", "towns", "schools_pupils",
    "schools_contacts", "schools_municipalities", "school_locations", "school_capacity",
    "dormitories", "census", "popgrid", "ookla", "ookla_tiles", "coverage",
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
        raise GeoInputError(f"no recipe for region {region!r}.", path=path,
                            fix=f"choose one of {list_recipes()} or give a recipe file.")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise GeoInputError(f"the recipe is not valid YAML ({exc}).", path=path) from exc
    if not isinstance(raw, dict):
        raise GeoInputError("the recipe must be a YAML mapping.", path=path)
    missing = [k for k in ("name", "crs") if not raw.get(k)]
    if missing:
        raise GeoInputError(f"the recipe lacks {missing}.", path=path,
                            fix="see README, section 'Region recipes'.")
    files = {}
    for k, v in (raw.get("files") or {}).items():
        if k not in LAYER_KEYS:
            raise GeoInputError(f"unknown layer {k!r} under files.", path=path,
                                fix=f"use layer names from {list(LAYER_KEYS)}.")
        files[k] = [str(x) for x in (v if isinstance(v, list) else [v])]
    sources = raw.get("sources") or {}
    unknown = [k for k in sources if k not in LAYER_KEYS]
    if unknown:
        raise GeoInputError(f"unknown layer(s) {unknown} under sources.", path=path)
    boundary = raw.get("boundary") or {}
    if isinstance(boundary, str):
        boundary = {"layer": boundary}
    years = raw.get("popgrid_years") or (2006, 2011, 2018, 2021)
    return Recipe(
        name=str(raw["name"]), path=path, crs=str(raw["crs"]), title=raw.get("title") or {},
        files=files, sources=sources, boundary=boundary,
        municipalities=boundary.get("municipalities") or raw.get("municipalities"),
        generator=raw.get("generator"), generator_options=raw.get("generator_options") or {},
        census_year=int(raw.get("census_year", 2021)), popgrid_years=tuple(int(y) for y in years),
        raw=raw,
    )


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
                  manual=_how_to_get(recipe, layer))
    return Source(layer, target, "downloaded", url=url)


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, or of a folder (over its files' relative names and contents)."""
    h = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for f in files:
        if path.is_dir():
            h.update(str(f.relative_to(path)).encode())
        with open(f, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()
