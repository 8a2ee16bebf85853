"""A built region bundle on disk (``layers.gpkg``, ``manifest.json``, the road network) and its loader."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo import settings
from geo.errors import GeoInputError, Msg, named_errors

#: Name of the GeoPackage, manifest and report inside a bundle.
GPKG_NAME = "layers.gpkg"


MANIFEST_NAME = "manifest.json"


# ------------------------------------------------------------------------------------------
# Loading
# ------------------------------------------------------------------------------------------
@dataclass
class Bundle:
    """A built region: its layers (GeoDataFrames / DataFrames), manifest and network folder."""

    path: Path
    manifest: dict
    layers: dict[str, pd.DataFrame]

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self.layers:
            raise KeyError(f"bundle {self.path} has no layer {name!r}; it has "
                           f"{sorted(self.layers)}")
        return self.layers[name]

    @property
    def network_dir(self) -> Path | None:
        """Folder of the road network cache, or None when the bundle has none."""
        p = self.path / "network"
        return p if p.is_dir() else None

    @property
    def missing(self) -> dict[str, str]:
        """Layers the build could not get, with how to get them."""
        return self.manifest.get("missing", {})

    def missing_text(self, lang: str) -> dict[str, str]:
        """:attr:`missing` in ``lang`` ("lv" or "en"); bundles built before the translated
        reasons were kept give the English text."""
        texts = self.manifest.get("missing_text", {})
        return {k: texts.get(k, {}).get(lang, v) for k, v in self.missing.items()}


def load_bundle(path: str | Path, *, layers: Iterable[str] | None = None) -> Bundle:
    """Load a bundle built by :func:`build_bundle`.

    Parameters
    ----------
    path : str or Path
        Bundle folder, or a region name (``data/bundles/<name>``).
    layers : iterable of str, optional
        Only these layers (default: all).

    Raises
    ------
    GeoInputError
        Not a bundle (no manifest / GeoPackage).
    """
    path = Path(path)
    if not path.exists() and not path.suffix and (settings.BUNDLES_DIR / str(path)).exists():
        path = settings.BUNDLES_DIR / str(path)
    man = path / MANIFEST_NAME
    gpkg = path / GPKG_NAME
    if not man.exists() or not gpkg.exists():
        raise GeoInputError(Msg("err.bundle.not_bundle"), path=path,
                            fix=Msg("err.bundle.not_bundle.fix"))
    fix = Msg("err.bundle.rebuild.fix")
    with named_errors(path, problem=Msg("err.bundle.corrupt"), fix=fix):
        manifest = json.loads(man.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict):
            raise GeoInputError(Msg("err.bundle.manifest_not_object", manifest=MANIFEST_NAME),
                                path=path, fix=fix)
        names = [n for n, _ in pyogrio.list_layers(gpkg)]
        wanted = names if layers is None else [n for n in layers]
        unknown = [n for n in wanted if n not in names]
        if unknown:
            raise GeoInputError(Msg("err.bundle.no_layers", layers=str(unknown),
                                    names=str(names)), path=path)
        out = {n: _read_layer(gpkg, n) for n in wanted}
        if "schools" in out:
            out["schools"]["school_id"] = out["schools"]["school_id"].astype(str)
    return Bundle(path=path, manifest=manifest, layers=out)


def _read_layer(gpkg: Path, name: str) -> pd.DataFrame:
    """One layer of the bundle's GeoPackage (a table without geometry for ``*trend`` layers)."""
    df = pyogrio.read_dataframe(gpkg, layer=name)
    if isinstance(df, gpd.GeoDataFrame) and df.geometry.isna().all() and name.endswith("trend"):
        df = pd.DataFrame(df.drop(columns=df.geometry.name))
    return df
