"""Region bundles: a recipe (``data/regions/*.yaml``) -> the layers it names -> one bundle on disk."""

from geo.region.build import REPORT_NAME, BuildResult, build_bundle
from geo.region.bundle import GPKG_NAME, MANIFEST_NAME, Bundle, load_bundle
from geo.region.recipe import Recipe, list_recipes, load_recipe

__all__ = ["GPKG_NAME", "MANIFEST_NAME", "REPORT_NAME", "Bundle", "BuildResult", "Recipe", "build_bundle",
           "list_recipes", "load_bundle", "load_recipe"]
