"""Outputs never destroy what the tool did not write (issue 7, "Data loss").

Every case runs the real command line (``geo.cli.main``) on the demo region (prepared once per
module) or on a real OSM extract, with user files around the output path, and checks the exit
code, the named error and that every pre-existing file is still there byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import PROJECT_ROOT, osm_file

from geo import jobs, settings
from geo._files import (
    MARKER_NAME,
    TEMP_MARKER_NAME,
    _proc_start,
    owned_dir,
    read_marker,
    result_names,
)
from geo.cli import main
from geo.errors import GeoInputError
from geo.network.graph import Network
from geo.planning.scenario import load_scenario
from geo.region.recipe import Recipe, load_recipe

SCENARIOS = sorted((PROJECT_ROOT / "scenarios").glob("demo_*.yaml"))


# ------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo region: bundle and prepared folder (built once for the module)."""
    from geo import region

    base = tmp_path_factory.mktemp("demo")
    res = region.build_bundle("demo", out=base / "bundle", online=False)
    jobs.run_prepare(bundle=res.path, out=base / "prep")
    return {"bundle": res.path, "prep": base / "prep"}


def tree(root: Path) -> dict[str, str]:
    """Every path under ``root`` (hidden ones too): SHA-256 of files, "dir" for folders."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        if p.is_symlink():
            out[rel] = f"link:{os.readlink(p)}"
        elif p.is_dir():
            out[rel] = "dir"
        else:
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def user_files(folder: Path) -> None:
    """A planner's own files: text, binary, hidden, in a subfolder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notes.txt").write_text("Sanāksme 12. maijā\n", "utf-8")
    (folder / "photos").mkdir(exist_ok=True)
    (folder / "photos" / "school.jpg").write_bytes(bytes(range(256)) * 40)
    (folder / ".hidden-settings").write_text("keep me", "utf-8")


def run_cli(argv: list[str], capsys) -> tuple[int, str]:
    rc = main([str(a) for a in argv])
    return rc, capsys.readouterr().err


def sha256(path: Path) -> str:
    return "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()


def hidden_siblings(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir()
                  if p.name.startswith(f".{folder.name}-"))


@pytest.fixture
def immutable(tmp_path):
    """A folder nobody (root included) can write into: ``chattr +i``; skipped without it."""
    d = tmp_path / "work" / "readonly"
    d.mkdir(parents=True)
    (d / "old.csv").write_text("a,b\n1,2\n", "utf-8")
    if shutil.which("chattr") is None or subprocess.run(
            ["chattr", "+i", str(d)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here (needed for a read-only folder)")
    yield d
    subprocess.run(["chattr", "-i", str(d)], check=True)


# ------------------------------------------------------------------------------------------
# 1. Bad output targets: a table of cases, for every command that writes
# ------------------------------------------------------------------------------------------
def command(name: str, out, demo) -> list:
    """The command line of a writing subcommand with ``--out out``."""
    prep, a, b = demo["prep"], SCENARIOS[0], SCENARIOS[1]
    return {
        "network": ["network", osm_file("rutland"), "--out", out],
        "build": ["build", "demo", "--offline", "--out", out],
        "prepare": ["scenario", "prepare", "--bundle", demo["bundle"], "--out", out],
        "evaluate": ["scenario", "evaluate", a, "--prepared", prep, "--out", out],
        "compare": ["scenario", "compare", a, b, "--prepared", prep, "--out", out],
        "optimize": ["optimize", "--prepared", prep, "--p", "20", "--out", out],
        "access": ["access", "--network", demo["bundle"] / "network", "--facilities",
                   "schools.gpkg", "--origins", "cells.gpkg", "--out", out],
    }[name]


FOLDER_COMMANDS = ("network", "build", "prepare", "evaluate", "compare")
FILE_COMMANDS = ("optimize", "access")

#: (case, output path relative to tmp/work or special, extra options, expected message)
FOLDER_CASES = [
    ("non-empty folder without marker", "mine", [], "holds files this tool did not write"),
    ("existing file", "mine/notes.txt", [], "is an existing file, not a folder"),
    ("existing file, --force", "mine/notes.txt", ["--force"], "is an existing file"),
    ("current folder", ".", [], "refusing to use"),
    ("current folder, --force", ".", ["--force"], "refusing to use"),
    ("parent of the current folder", "..", ["--force"], "refusing to use"),
    ("home folder", "~", ["--force"], "refusing to use"),
    ("project root", "@project", ["--force"], "refusing to use"),
    ("filesystem root", "/", [], "refusing to use"),
    ("symbolic link to a user folder", "link", ["--force"], "symbolic link"),
    ("unwritable system folder", "/sys/geo-out", [], "cannot write in /sys"),
    ("empty path", "", [], "output path is empty"),
]

FILE_CASES = [
    ("existing file not written by the tool", "mine/notes.txt", [], "this tool did not write"),
    ("existing folder", "mine", [], "is a folder"),
    ("existing folder, --force", "mine", ["--force"], "is a folder"),
    ("symbolic link", "link.yaml", ["--force"], "symbolic link"),
    ("unwritable system folder", "/sys/geo-out.yaml", [], "cannot write in /sys"),
    ("empty path", "", [], "output path is empty"),
]


def _setup_work(tmp_path, monkeypatch) -> Path:
    """tmp/work: the current folder, the home folder and a fake project, full of user files."""
    work = tmp_path / "work"
    user_files(work / "mine")
    user_files(work / "cwd")
    user_files(work / "home")
    user_files(work / "project")
    (work / "link").symlink_to(work / "mine")
    (work / "link.yaml").symlink_to(work / "mine" / "notes.txt")
    monkeypatch.chdir(work / "cwd")
    monkeypatch.setenv("HOME", str(work / "home"))
    monkeypatch.setattr(settings, "PROJECT_ROOT", work / "project")
    return work


def _target(rel: str, work: Path) -> str:
    if rel == "@project":
        return str(work / "project")
    if rel in ("", ".", "..", "~") or rel.startswith("/"):
        return rel
    return str(work / rel)


@pytest.mark.parametrize("cmd", FOLDER_COMMANDS)
def test_bad_folder_targets_are_refused_and_nothing_is_lost(demo, cmd, tmp_path, monkeypatch,
                                                            capsys):
    work = _setup_work(tmp_path, monkeypatch)
    before = tree(work)
    for case, rel, opts, expected in FOLDER_CASES:
        rc, err = run_cli(command(cmd, _target(rel, work), demo) + opts, capsys)
        assert rc == 2, f"{cmd}: {case}: exit code {rc}"
        assert expected in err, f"{cmd}: {case}: {err}"
        assert "Fix:" in err, f"{cmd}: {case}: no fix in {err}"
        assert tree(work) == before, f"{cmd}: {case}: files changed"
    assert not Path("/sys/geo-out").exists()


@pytest.mark.parametrize("cmd", FILE_COMMANDS)
def test_bad_file_targets_are_refused_and_nothing_is_lost(demo, cmd, tmp_path, monkeypatch,
                                                          capsys):
    work = _setup_work(tmp_path, monkeypatch)
    before = tree(work)
    for case, rel, opts, expected in FILE_CASES:
        rc, err = run_cli(command(cmd, _target(rel, work), demo) + opts, capsys)
        assert rc == 2, f"{cmd}: {case}: exit code {rc}"
        assert expected in err, f"{cmd}: {case}: {err}"
        assert tree(work) == before, f"{cmd}: {case}: files changed"


#: synth writes a folder it owns, like the other folder commands (every folder case applies)
SYNTH_CASES = list(FOLDER_CASES)
DOWNLOAD_CASES = [c for c in FILE_CASES if c[0] != "existing file not written by the tool"]


@pytest.mark.parametrize("cmd", ("synth", "download"))
def test_synth_and_download_refuse_destructive_targets(cmd, tmp_path, monkeypatch, capsys):
    work = _setup_work(tmp_path, monkeypatch)
    before = tree(work)
    argv = {"synth": ["synth", "--out"],
            "download": ["download", "--geofabrik", "europe/malta", "--base-url",
                         "http://127.0.0.1:9", "--out"]}[cmd]
    for case, rel, _, expected in SYNTH_CASES if cmd == "synth" else DOWNLOAD_CASES:
        rc, err = run_cli([*argv, _target(rel, work)], capsys)
        assert rc == 2 and expected in err, f"{cmd}: {case}: {err}"
        assert tree(work) == before, f"{cmd}: {case}: files changed"


def test_synth_force_keeps_user_files_and_rerun_replaces_only_its_own(tmp_path, capsys):
    out = tmp_path / "demo-files"
    user_files(out)
    before = tree(out)
    rc, _ = run_cli(["synth", "--out", out, "--force"], capsys)
    assert rc == 0
    after = tree(out)
    assert all(after.get(k) == v for k, v in before.items()), "a user file changed"
    assert (out / "osm" / "demo.osm.pbf").is_file()
    rc, _ = run_cli(["synth", "--out", out, "--seed", "1"], capsys)  # marker present: no --force
    assert rc == 0
    again = tree(out)
    assert all(again.get(k) == v for k, v in before.items()), "a user file changed on the rerun"
    assert again["osm/demo.osm.pbf"] != after["osm/demo.osm.pbf"]  # its own file was replaced


@pytest.mark.parametrize("cmd", ("evaluate", "optimize"))
def test_read_only_place_is_a_named_error(demo, cmd, immutable, capsys):
    before = tree(immutable)
    out = immutable / ("out" if cmd == "evaluate" else "plan.yaml")
    rc, err = run_cli(command(cmd, out, demo), capsys)
    assert rc == 2 and f"cannot write in {immutable}" in err, err
    assert tree(immutable) == before


def test_marker_lists_outputs_and_only_they_are_replaced(demo, tmp_path, capsys):
    out = tmp_path / "results"
    assert run_cli(command("evaluate", out, demo), capsys)[0] == 0
    m1 = read_marker(out)
    assert m1["tool"] == "geo" and m1["command"] == "scenario evaluate"
    assert set(m1["files"]) == {p.name for p in out.iterdir()} - {MARKER_NAME}
    assert {"summary.csv", "scenario.gpkg", "scenario.yaml"} <= set(m1["files"])
    # the inputs' digests, checked against hashlib
    assert m1["inputs"][str(SCENARIOS[0])] == sha256(SCENARIOS[0])
    # the planner adds files to the results folder; the next run keeps them
    user_files(out)
    mine = {k: v for k, v in tree(out).items() if k.startswith(("notes", "photos", ".hidden"))}
    rc, _ = run_cli(["scenario", "evaluate", SCENARIOS[2], "--prepared", demo["prep"],
                     "--out", out], capsys)
    assert rc == 0
    assert {k: v for k, v in tree(out).items() if k in mine} == mine
    got = yaml.safe_load((out / "scenario.yaml").read_text("utf-8"))
    assert got["name"] == load_scenario(SCENARIOS[2]).name
    m2 = read_marker(out)
    assert m2["run_id"] != m1["run_id"] and set(m2["files"]) == set(m1["files"])
    assert m2["inputs"][str(SCENARIOS[2])] == sha256(SCENARIOS[2])


def test_folder_of_another_command_is_not_replaced(demo, tmp_path, capsys):
    prep = tmp_path / "prep"
    shutil.copytree(demo["prep"], prep)
    before = tree(prep)
    assert read_marker(prep)["command"] == "scenario prepare"
    rc, err = run_cli(command("evaluate", prep, demo), capsys)
    assert rc == 2 and "results of another command (scenario prepare" in err, err
    assert tree(prep) == before
    rc, err = run_cli(["network", osm_file("rutland"), "--out", prep], capsys)
    assert rc == 2 and "another command" in err and tree(prep) == before


def test_force_adds_outputs_and_keeps_user_files(demo, tmp_path, capsys):
    out = tmp_path / "desktop"
    user_files(out)
    (out / "summary.csv").write_text("my own table\n", "utf-8")  # same name as an output
    keep = {k: v for k, v in tree(out).items() if k != "summary.csv"}
    assert run_cli(command("compare", out, demo), capsys)[0] == 2
    rc, _ = run_cli(command("compare", out, demo) + ["--force"], capsys)
    assert rc == 0
    now = tree(out)
    assert {k: now[k] for k in keep} == keep  # every other user file byte-identical
    assert "indicator" in pd.read_csv(out / "summary.csv").columns  # --force replaced it
    assert not {"notes.txt", "photos", ".hidden-settings"} & set(read_marker(out)["files"])
    # the marker now lets a re-run in without --force, still keeping the user's files
    rc, _ = run_cli(command("compare", out, demo), capsys)
    assert rc == 0 and {k: tree(out)[k] for k in keep} == keep


def test_owned_folder_refuses_a_clash_with_an_unlisted_user_file(tmp_path):
    out = tmp_path / "out"
    with owned_dir(out) as tmp:
        (tmp / "a.csv").write_text("1")
    (out / "b.csv").write_text("user's b")
    before = tree(out)
    with pytest.raises(GeoInputError, match=r"same name.*b\.csv.*--force"):
        with owned_dir(out) as tmp:
            (tmp / "b.csv").write_text("tool's b")
    assert tree(out) == before and hidden_siblings(out) == []
    with owned_dir(out, force=True) as tmp:
        (tmp / "b.csv").write_text("tool's b")
    assert (out / "b.csv").read_text() == "tool's b" and not (out / "a.csv").exists()
    assert read_marker(out)["files"] == ["b.csv"]


def test_single_file_outputs_are_recorded_and_rerun_without_force(demo, tmp_path, capsys):
    out = tmp_path / "plans" / "plan.yaml"
    user_files(out.parent)
    before = tree(out.parent)
    assert run_cli(command("optimize", out, demo), capsys)[0] == 0
    assert "plan.yaml" in read_marker(out.parent)["single_files"]
    first = out.read_bytes()
    assert run_cli(command("optimize", out, demo), capsys)[0] == 0  # the tool's own file
    assert out.read_bytes() == first  # same inputs, same plan
    now = tree(out.parent)
    assert {k: now[k] for k in before} == before


def test_network_out_on_real_osm(tmp_path, capsys):
    pbf = osm_file("rutland")
    existing = tmp_path / "cache.txt"
    existing.write_text("not a folder\n", "utf-8")
    rc, err = run_cli(["network", pbf, "--out", existing], capsys)
    assert rc == 2 and "is an existing file" in err and existing.read_text() == "not a folder\n"
    out = tmp_path / "net"
    assert run_cli(["network", pbf, "--out", out], capsys)[0] == 0
    assert read_marker(out)["inputs"][str(pbf)] == sha256(pbf)
    n1 = Network.load(out).n_nodes
    user_files(out)
    mine = {k: v for k, v in tree(out).items() if k.startswith(("notes", "photos", ".hidden"))}
    assert run_cli(["network", pbf, "--out", out, "--no-track"], capsys)[0] == 0
    assert {k: tree(out)[k] for k in mine} == mine
    assert Network.load(out).n_nodes < n1  # really rebuilt (tracks left out)
    assert hidden_siblings(out) == []


# ------------------------------------------------------------------------------------------
# 2. Temporary folders of killed runs
# ------------------------------------------------------------------------------------------
KILLED = textwrap.dedent("""
    import os, signal, sys
    from geo._files import owned_dir
    with owned_dir(sys.argv[1]) as tmp:
        (tmp / "half.csv").write_text("half-written")
        os.kill(os.getpid(), signal.SIGKILL)
""")


def test_temporary_folders_of_killed_runs_are_cleaned_up(tmp_path):
    out = tmp_path / "out"
    with owned_dir(out) as tmp:
        (tmp / "a.csv").write_text("old")
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    killed = subprocess.run([sys.executable, "-c", KILLED, str(out)], env=env, cwd=tmp_path)
    assert killed.returncode == -signal.SIGKILL
    [left] = hidden_siblings(out)
    assert (tmp_path / left / "half.csv").exists() and (out / "a.csv").read_text() == "old"
    # a hidden folder of the user's with the same prefix, and one of a running process
    (tmp_path / ".out-mine").mkdir()
    (tmp_path / ".out-mine" / "x.txt").write_text("user")
    live = tmp_path / ".out-live"
    live.mkdir()
    ppid = os.getppid()
    (live / TEMP_MARKER_NAME).write_text(json.dumps(
        {"tool": "geo", "pid": ppid, "start": _proc_start(ppid), "host": os.uname().nodename}))
    with owned_dir(out) as tmp:
        (tmp / "a.csv").write_text("new")
    assert hidden_siblings(out) == [".out-live", ".out-mine"]
    assert (tmp_path / ".out-mine" / "x.txt").read_text() == "user"
    assert (out / "a.csv").read_text() == "new"


# ------------------------------------------------------------------------------------------
# 3. Recipe names
# ------------------------------------------------------------------------------------------
BAD_NAMES = ["../../escape", "@abs", "a/b", "a\\b", "..", ".", "~", "x/../../y", " ",
             ".hidden", "-rf", "name\n", " demo", "a:b", "a*"]


def test_recipe_name_must_be_a_plain_region_name(tmp_path, monkeypatch, capsys):
    root = tmp_path / "p"
    bundles = root / "data" / "bundles"
    user_files(bundles / "keep")
    user_files(root / "abs")
    monkeypatch.setattr(settings, "BUNDLES_DIR", bundles)
    before = tree(tmp_path)
    recipe = root / "data" / "r.yaml"
    for bad in BAD_NAMES:
        name = str(root / "abs") if bad == "@abs" else bad
        recipe.write_text(f"crs: EPSG:3059\nname: {json.dumps(name)}\n", "utf-8")
        before = tree(tmp_path)
        with pytest.raises(GeoInputError) as exc:
            load_recipe(recipe)
        msg = str(exc.value)
        assert str(recipe) in msg and "line 2" in msg and "plain region name" in msg, msg
        rc, err = run_cli(["build", recipe, "--offline", "--no-network"], capsys)
        assert rc == 2 and "plain region name" in err, (bad, err)
        assert tree(tmp_path) == before, bad
    assert not (root / "escape").exists() and not (tmp_path / "y").exists()
    # a Recipe made in code is checked too
    from geo.region.build import build_bundle

    with pytest.raises(GeoInputError, match="plain region name"):
        build_bundle(Recipe(name="../x", path=recipe, crs="EPSG:3059"), online=False)
    for good in ("demo-2", "Cēsis", "vidzeme_2024"):
        recipe.write_text(f"crs: EPSG:3059\nname: {json.dumps(good)}\n", "utf-8")
        assert load_recipe(recipe).name == good


# ------------------------------------------------------------------------------------------
# 4. Scenario files with the same name in different folders
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("files", "names"), [
    (["a/plan.yaml", "b/plan.yaml"], ["a-plan", "b-plan"]),
    (["x/a/p.yaml", "y/a/p.yaml", "q.yaml"], ["x-a-p", "y-a-p", "q"]),
    (["a/p.yaml", "b/p.yaml", "b/c/p.yaml"], ["a-p", "b-p", "c-p"]),
    (["one.yaml", "two.yaml"], ["one", "two"]),
])
def test_result_names_are_distinct_and_deterministic(files, names, tmp_path):
    paths = [tmp_path / f for f in files]
    assert result_names(paths) == names
    assert result_names(paths) == result_names(list(paths))
    with pytest.raises(GeoInputError, match="given twice"):
        result_names([paths[0], paths[0]])


def test_same_file_names_do_not_overwrite_each_other(demo, tmp_path, capsys):
    a, b = tmp_path / "a" / "plan.yaml", tmp_path / "b" / "plan.yaml"
    a.parent.mkdir()
    b.parent.mkdir()
    shutil.copy(SCENARIOS[0], a)  # baseline
    shutil.copy(SCENARIOS[1], b)  # closes three schools
    out = tmp_path / "out"
    rc = main(["scenario", "evaluate", str(a), str(b), "--prepared", str(demo["prep"]),
               "--out", str(out)])
    text = capsys.readouterr().out
    assert rc == 0 and "a-plan, b-plan" in text
    assert sorted(p.name for p in out.iterdir()) == [MARKER_NAME, "a-plan", "b-plan"]
    for f, sub in ((a, "a-plan"), (b, "b-plan")):
        got = yaml.safe_load((out / sub / "scenario.yaml").read_text("utf-8"))
        assert got["name"] == load_scenario(f).name
    sa = pd.read_csv(out / "a-plan" / "summary.csv")
    sb = pd.read_csv(out / "b-plan" / "summary.csv")
    pick = (sa["indicator"] == "schools") & (sa["grade_band"] == "all")
    assert sa.loc[pick, "value"].iloc[0] - sb.loc[pick.to_numpy(), "value"].iloc[0] == 3


# ------------------------------------------------------------------------------------------
# 5. A multi-scenario run that fails or is killed midway
# ------------------------------------------------------------------------------------------
def _consistent(out: Path) -> str:
    """The run id shared by the folder and every subfolder (asserts they agree)."""
    top = read_marker(out)
    assert top is not None and top["state"] == "complete"
    for sub in top["files"]:
        assert read_marker(out / sub)["run_id"] == top["run_id"], sub
    return top["run_id"]


def test_failed_run_leaves_old_results_intact(demo, tmp_path, monkeypatch):
    out = tmp_path / "eval"
    jobs.run_evaluate([str(p) for p in SCENARIOS[:3]], out=out, prepared=demo["prep"])
    run0 = _consistent(out)
    before = tree(out)
    real, calls = jobs.write_evaluation, []

    def second_fails(ev, dest, **kw):
        calls.append(dest)
        if len(calls) == 2:
            raise RuntimeError("disk full while writing the second scenario")
        return real(ev, dest, **kw)

    monkeypatch.setattr(jobs, "write_evaluation", second_fails)
    with pytest.raises(RuntimeError, match="second scenario"):
        jobs.run_evaluate([str(p) for p in SCENARIOS[1:]], out=out, prepared=demo["prep"])
    assert tree(out) == before and _consistent(out) == run0
    assert hidden_siblings(out) == []


KILL_SECOND = textwrap.dedent("""
    import os, signal, sys
    from geo import jobs
    real, calls = jobs.write_evaluation, []

    def second_dies(ev, dest, **kw):
        calls.append(dest)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(ev, dest, **kw)

    jobs.write_evaluation = second_dies
    jobs.run_evaluate(sys.argv[3:], out=sys.argv[1], prepared=sys.argv[2])
""")


def test_killed_run_leaves_old_results_and_next_run_cleans_up(demo, tmp_path, capsys):
    out = tmp_path / "eval"
    files = [str(p) for p in SCENARIOS[:3]]
    jobs.run_evaluate(files, out=out, prepared=demo["prep"])
    run0 = _consistent(out)
    before = tree(out)
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    killed = subprocess.run(
        [sys.executable, "-c", KILL_SECOND, str(out), str(demo["prep"]),
         *[str(p) for p in SCENARIOS[1:]]], env=env, capture_output=True, text=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert tree(out) == before and _consistent(out) == run0  # old run, whole
    [left] = hidden_siblings(out)
    assert (tmp_path / left / TEMP_MARKER_NAME).exists()
    rc = main(["scenario", "evaluate", *[str(p) for p in SCENARIOS[1:]], "--prepared",
               str(demo["prep"]), "--out", str(out)])
    assert rc == 0 and hidden_siblings(out) == []
    assert _consistent(out) != run0
    assert sorted(read_marker(out)["files"]) == sorted(p.stem for p in SCENARIOS[1:])
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [MARKER_NAME, *(p.stem for p in SCENARIOS[1:])])


# ------------------------------------------------------------------------------------------
# Report exports and an interrupted replacement
# ------------------------------------------------------------------------------------------
def test_report_export_into_a_user_folder(tmp_path):
    from geo.outputs import report

    table = pd.DataFrame({"skola": ["A", "B"], "skolēni": [120, 45]})
    out = tmp_path / "council"
    user_files(out)
    before = tree(out)
    with pytest.raises(GeoInputError, match="did not write.*--force"):
        report.export_bundle(out, tables={"t": table}, formats=("csv",))
    assert tree(out) == before
    report.export_bundle(out, tables={"t": table}, formats=("csv",), force=True)
    report.export_bundle(out, tables={"t": table}, formats=("csv",), name="second")
    now = tree(out)
    assert {k: now[k] for k in before} == before
    # a second export with another name keeps the first one (both are the tool's)
    assert {"report_t.csv", "second_t.csv"} <= set(read_marker(out)["files"])
    assert pd.read_csv(out / "second_t.csv", sep=None, engine="python")["skolēni"].sum() == 165


def test_interrupted_replacement_is_rolled_back(tmp_path, monkeypatch):
    out = tmp_path / "out"
    with owned_dir(out) as tmp:
        for n in ("a.csv", "b.csv", "c.csv"):
            (tmp / n).write_text(f"old {n}")
    user_files(out)  # the folder now also holds the user's files: entries move one by one
    before = tree(out)
    real, moved = os.rename, []

    def fails_on_second_move_in(src, dst):
        if Path(dst).parent == out and Path(src).parent.name.startswith(".out-"):
            moved.append(dst)
            if len(moved) == 2:
                raise OSError(28, "No space left on device", str(dst))
        return real(src, dst)

    monkeypatch.setattr(os, "rename", fails_on_second_move_in)
    with pytest.raises(GeoInputError, match="disk full"):
        with owned_dir(out) as tmp:
            for n in ("a.csv", "b.csv", "c.csv"):
                (tmp / n).write_text(f"new {n}")
    monkeypatch.setattr(os, "rename", real)
    assert tree(out) == before and hidden_siblings(out) == []
