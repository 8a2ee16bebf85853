"""School places and roads tab of the Streamlit app: widgets only; the work is in
:mod:`geo.region.placement`.

``app.py`` adds the tab when :func:`wanted` says so: a real region (Vidzeme) whose bundle has
schools without a location or no roads. The planner places each unplaced school by typing its
latitude and longitude, by clicking on the map (the coordinates go into the fields, then
"Add the place"), or by uploading a ``school_locations.csv``; every place is validated
(inside the region) and nothing is guessed. "Save and rebuild" writes the tool's own
locations file and rebuilds the bundle with a progress bar (the earlier bundle stays when the
build fails). "Download roads" runs the Geofabrik download clipped to the region and rebuilds;
without internet it says so and shows the manual steps.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import streamlit as st

from geo import i18n, jobs
from geo._files import atomic_file
from geo.errors import GeoInputError, error_text
from geo.i18n import t
from geo.outputs import layers as map_layers
from geo.outputs import web, web_streamlit
from geo.region import placement


def wanted(bundle) -> bool:
    """Whether the tab is shown: a real region whose schools are placed by hand (recipe with a
    ``school_locations`` file, no generator) with unplaced schools or without roads."""
    try:
        recipe = placement.bundle_recipe(bundle.manifest)
    except GeoInputError:
        return False
    if not placement.placement_applies(recipe) or not {"schools", "boundaries"} <= set(
            bundle.layers):
        return False
    return bool(len(_unplaced(bundle["schools"]))) or bundle.network_dir is None


def _unplaced(schools) -> pd.DataFrame:
    return schools[schools.geometry.isna() | schools.geometry.is_empty]


def _deg(value: float, lang: str) -> str:
    """Degrees with 6 decimals, Latvian decimal comma."""
    text = f"{float(value):.6f}"
    return text.replace(".", ",") if lang == "lv" else text


def _keys(region: str) -> dict[str, str]:
    return {k: f"place-{k}-{region}" for k in (
        "pending", "school", "lat", "lon", "click", "upload", "upload_seen", "upload_msg",
        "flash", "roads_msg", "map")}


def placement_tab(region: str, bundle, lang: str) -> None:
    """The tab: unplaced schools, placing them, saving and rebuilding, roads."""
    k = _keys(region)
    recipe = placement.bundle_recipe(bundle.manifest)
    for kind, text in st.session_state.pop(k["flash"], []):
        getattr(st, kind)(text)
    schools, boundaries = bundle["schools"], bundle["boundaries"]
    todo = _unplaced(schools)
    pending: dict = st.session_state.setdefault(k["pending"], {})
    st.subheader(t("place.title", lang))
    if len(todo):
        st.info(t("place.intro", lang, n=len(todo), total=len(schools)))
        st.dataframe(i18n.columns(_todo_table(todo, pending, lang), lang), hide_index=True)
        _place_form(region, bundle, todo, lang)
        _upload(region, schools, boundaries, lang)
    else:
        st.success(t("place.all_located", lang, total=len(schools)))
    if pending:
        _pending_section(region, recipe, bundle, lang)
    if bundle.network_dir is None:
        _roads_section(region, recipe, bundle, lang)


def _todo_table(todo, pending: dict, lang: str) -> pd.DataFrame:
    cols = [c for c in ("school_id", "name", "municipality", "address", "status", "problem")
            if c in todo.columns]
    df = pd.DataFrame(todo[cols]).reset_index(drop=True)
    df[t("place.lat", lang)] = [_deg(pending[s].lat, lang) if s in pending else ""
                                for s in df["school_id"]]
    df[t("place.lon", lang)] = [_deg(pending[s].lon, lang) if s in pending else ""
                                for s in df["school_id"]]
    return df


@st.cache_resource(show_spinner=False, max_entries=12)
def _click_map(path: str, stamp: str, lang: str, municipality: str, _schools, _boundaries,
               _places=None):
    """The map to click on: municipality outlines (the chosen school's in red), place names
    and the located schools; cached per bundle build (``stamp``:
    :func:`geo.jobs.bundle_stamp`)."""
    layers = [map_layers.boundaries_layer(_boundaries, lang)]
    if _places is not None and len(_places):
        layers.append(map_layers.places_layer(_places, lang))
    own = _boundaries[_boundaries["name"] == municipality]
    if len(own):  # the chosen school's municipality, named in the legend
        red = map_layers.boundaries_layer(own, lang, color="#d62728")
        layers.append(dataclasses.replace(red, name=municipality, legend=[
            dataclasses.replace(item, label=municipality) for item in red.legend]))
    located = _schools[_schools.geometry.notna() & ~_schools.geometry.is_empty]
    if len(located):
        layers.append(map_layers.schools_layer(located, lang))
    return web.make_map(layers, lang=lang)


def _place_form(region: str, bundle, todo, lang: str) -> None:
    """Choose a school, click or type its place, add it to the pending places."""
    k = _keys(region)
    schools, boundaries = bundle["schools"], bundle["boundaries"]
    names = dict(zip(todo["school_id"], todo["name"], strict=True))
    sid = st.selectbox(t("place.school", lang), list(names), key=k["school"],
                       format_func=lambda s: f"{s} — {names.get(s, '')}")
    st.caption(t("place.map_help", lang))
    munis = dict(zip(todo["school_id"], todo.get("municipality", todo["name"]), strict=True))
    m = _click_map(str(bundle.path), jobs.bundle_stamp(bundle.path), lang,
                   str(munis.get(sid, "")), schools, boundaries, bundle.layers.get("places"))
    out = web_streamlit.render_streamlit(m, height=420, key=k["map"],
                                         returned_objects=["last_clicked"])
    click = (out or {}).get("last_clicked") if isinstance(out, dict) else None
    if click and st.session_state.get(k["click"], {}).get("raw") != click:
        lat, lon = _deg(click["lat"], lang), _deg(click["lng"], lang)
        st.session_state[k["click"]] = {"raw": click, "lat": lat, "lon": lon}
        st.session_state[k["lat"]], st.session_state[k["lon"]] = lat, lon
    c1, c2 = st.columns(2)
    lat_text = c1.text_input(f"{t('place.lat', lang).capitalize()} (WGS84)", key=k["lat"])
    lon_text = c2.text_input(f"{t('place.lon', lang).capitalize()} (WGS84)", key=k["lon"])
    clicked = st.session_state.get(k["click"], {})
    if clicked:
        st.caption(t("place.clicked", lang, lat=clicked["lat"], lon=clicked["lon"]))
    if st.button(t("place.add", lang), key=f"place-add-{region}"):
        same = (lat_text, lon_text) == (clicked.get("lat"), clicked.get("lon"))
        try:
            p = placement.check_placement(sid, lat_text, lon_text, schools=schools,
                                          boundaries=boundaries,
                                          source="app: map" if same else "app: typed")
        except GeoInputError as exc:
            st.error(f"{t('place.bad_point', lang)}\n\n{error_text(exc, lang)}")
            return
        st.session_state[k["pending"]][p.school_id] = p
        st.success(t("place.added", lang, name=p.name, lat=_deg(p.lat, lang),
                     lon=_deg(p.lon, lang)))


def _upload(region: str, schools, boundaries, lang: str) -> None:
    """An uploaded locations file: validated, its rows added to the pending places."""
    k = _keys(region)
    up = st.file_uploader(t("place.upload", lang), type=["csv", "txt", "geojson", "gpkg"],
                          key=k["upload"])
    if up is None:
        st.session_state.pop(k["upload_msg"], None)
        return
    if st.session_state.get(k["upload_seen"]) != up.file_id:
        st.session_state[k["upload_seen"]] = up.file_id
        if "upload_dir" not in st.session_state:  # one folder per session
            st.session_state["upload_dir"] = tempfile.mkdtemp(prefix="geo-upload-")
        folder = st.session_state["upload_dir"]
        with atomic_file(Path(folder) / f"placements{Path(up.name).suffix.lower()}") as tmp:
            tmp.write_bytes(up.getvalue())
        path = Path(folder) / f"placements{Path(up.name).suffix.lower()}"
        try:
            got = placement.read_placements_file(path, schools=schools, boundaries=boundaries,
                                                 display_name=up.name)
        except GeoInputError as exc:
            msg = ("error", f"{t('place.upload_bad', lang)}\n\n{error_text(exc, lang)}")
        else:
            st.session_state[k["pending"]].update({p.school_id: p for p in got})
            msg = ("success", t("place.upload_ok", lang, file=up.name, n=len(got)))
        st.session_state[k["upload_msg"]] = msg
    kind, text = st.session_state.get(k["upload_msg"], ("info", ""))
    if text:
        getattr(st, kind)(text)


def _pending_section(region: str, recipe, bundle, lang: str) -> None:
    """The places not saved yet, and the buttons saving (and rebuilding) or discarding them."""
    k = _keys(region)
    pending = st.session_state[k["pending"]]
    st.subheader(t("place.pending", lang))
    rows = pd.DataFrame([{"school_id": p.school_id, "name": p.name,
                          t("place.lat", lang): _deg(p.lat, lang),
                          t("place.lon", lang): _deg(p.lon, lang), "source": p.source}
                         for p in pending.values()])
    st.dataframe(i18n.columns(rows, lang), hide_index=True)
    c1, c2 = st.columns(2)
    if c2.button(t("place.discard", lang), key=f"place-discard-{region}"):
        pending.clear()
        st.rerun()
    if c1.button(t("place.save", lang), type="primary", key=f"place-save-{region}"):
        _save(region, recipe, bundle, lang)


def _save(region: str, recipe, bundle, lang: str) -> None:
    k = _keys(region)
    pending = st.session_state[k["pending"]]
    bar = st.progress(0.0, text=t("place.step.save", lang))

    def step(done: int, total: int | None, message: str = "") -> None:
        bar.progress(done / (total or 1), text=t(f"place.step.{message}", lang))

    names = dict(zip(bundle["schools"]["school_id"], bundle["schools"]["name"], strict=True))
    try:
        res = placement.save_and_rebuild(recipe, list(pending.values()), out=bundle.path,
                                         names=names, progress=step)
    except GeoInputError as exc:
        bar.empty()
        st.error(f"{t('place.rebuild_failed', lang)}\n\n{error_text(exc, lang)}")
        target = placement.tool_locations_file(recipe)
        saved = (set(placement.merged_locations([], tool_file=target, user_file=None)[
            "school_id"]) if target.exists() and placement.is_tool_file(target) else set())
        if set(pending) <= saved:  # the save went through, the build did not
            st.info(t("place.saved_kept", lang, file=target))
        return
    pending.clear()
    flash = [("success", t("place.saved", lang, file=res.saved.path, rows=res.saved.rows,
                           n=len(res.located), located=res.n_located, total=res.n_schools))]
    if res.saved.user_file is not None:
        flash.append(("info", t("place.merged", lang, file=res.saved.user_file)))
    if res.not_located:
        flash.append(("warning", t("place.not_located", lang, ids=", ".join(res.not_located))))
    st.session_state[k["flash"]] = flash
    st.rerun()


def _roads_section(region: str, recipe, bundle, lang: str) -> None:
    """Download the roads (Geofabrik, clipped to the region) and rebuild, or say how by hand."""
    k = _keys(region)
    st.subheader(t("place.roads", lang))
    st.caption(t("place.roads_intro", lang))
    if st.button(t("place.roads.download", lang), key=f"place-roads-{region}"):
        _download(region, recipe, bundle, lang)
    state = st.session_state.get(k["roads_msg"])
    if state is None:
        return
    steps = placement.roads_manual_steps(recipe)
    if state["offline"]:
        st.error(t("place.roads.offline", lang, host=urlparse(steps["url"]).hostname))
    else:
        st.error(t("place.roads.failed", lang))
    st.caption(state["detail"])
    st.markdown(t("place.roads.manual", lang, url=steps["url"], saved=steps["saved"]))
    st.code(f"{steps['clip']}\n{steps['build']}", language="bash")
    st.markdown(t("place.roads.manual_online", lang))
    st.code(f"{steps['online']}\n{steps['build']}", language="bash")


def _download(region: str, recipe, bundle, lang: str) -> None:
    k = _keys(region)
    url = placement.roads_manual_steps(recipe)["url"]
    bar = st.progress(0.0, text=t("place.roads.downloading", lang, url=url))

    def step(done: int, total: int | None) -> None:
        share = min(done / total, 1.0) * 0.8 if total else 0.0
        bar.progress(share, text=t("place.roads.downloading", lang, url=url))

    try:
        dl = placement.download_roads(recipe, progress=step)
    except GeoInputError as exc:
        bar.empty()
        st.session_state[k["roads_msg"]] = {"offline": placement.is_offline(exc),
                                            "detail": error_text(exc, lang)}
        return
    bar.progress(0.85, text=t("place.roads.clipping", lang))
    try:
        placement.rebuild_bundle(recipe, out=bundle.path)
    except GeoInputError as exc:
        bar.empty()
        st.error(f"{t('place.rebuild_failed', lang)}\n\n{error_text(exc, lang)}")
        return
    bar.progress(1.0, text=t("place.step.done", lang))
    st.session_state.pop(k["roads_msg"], None)
    clipped = getattr(getattr(dl, "clip", None), "path", None) or placement.roads_file(recipe)
    st.session_state[k["flash"]] = [("success", t("place.roads.done", lang, file=clipped))]
    st.rerun()
