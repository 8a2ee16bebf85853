"""Output folders the tool owns, and atomic writes.

Everything the tool writes (network caches, bundles, prepared regions, scenario results,
exports, downloads) is first written to a temporary file or folder beside its target, then
renamed into place. If writing fails, the temporary copy is removed and the old target is
untouched.

An output folder carries a marker file, :data:`MARKER_NAME` (``.geo-output.json``), listing
the tool, its version, the run id, the time, the inputs' digests and the entries (files and
subfolders) the tool wrote there. :func:`owned_dir` writes into such a folder:

* a missing or empty folder is created; a non-empty folder without the marker is refused
  (:class:`~geo.errors.GeoInputError`: "use --force or a new folder") unless ``force``;
* with the marker (or ``force``) only the entries the tool wrote before are replaced or
  removed; anything else in the folder stays as it is (with ``force``, a file of the user's
  with the same name as one of the tool's outputs is replaced);
* a folder holding another command's results (the prepared region given as the ``--out``
  of ``scenario evaluate``) is refused unless ``force``;
* an existing file, the current folder, the project root, the home folder, the filesystem
  root (or a folder holding any of them) are never used as output folders; a place that
  cannot be written is a named error before any work is done;
* the tool's own default places (``data/bundles/<name>``, ``data/cache/<name>``,
  ``data/downloads/generated/<name>``) belong to the tool as a whole.

:func:`owned_file` writes one output file (``access``, ``optimize``): never over a file the
tool did not write (unless ``force``); the file's name is recorded in its folder's marker.

Temporary folders are hidden siblings ``.<name>-xxxx`` carrying :data:`TEMP_MARKER_NAME`
with the process id that made them; the next run removes those whose process is gone.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import hashlib
import json
import os
import shutil
import socket
import tempfile
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo import __version__, settings
from geo.errors import GeoInputError, Msg

#: Marker file of an output folder the tool owns.
MARKER_NAME = ".geo-output.json"
#: Marker file of the tool's temporary folders (removed by the next run once their process
#: is gone).
TEMP_MARKER_NAME = ".geo-temp.json"
#: Tool name written in the markers.
TOOL = "geo"
#: What a user does when an output folder is refused.
FIX_FOLDER = Msg("err.out.force_or_new")

# ------------------------------------------------------------------------------------------
# Runs
# ------------------------------------------------------------------------------------------


def digest(path: str | Path) -> str:
    """SHA-256 of a file; of a folder, SHA-256 of its files' names, sizes and times.

    Parameters
    ----------
    path : str or Path
        File or folder (a folder is not read, only listed: a prepared region or a bundle can
        hold hundreds of megabytes).

    Returns
    -------
    str
        ``"sha256:<hex>"``, ``"listing:<hex>"`` for a folder, or ``"missing"``.
    """
    p = Path(path)
    if p.is_file():
        return f"sha256:{file_digest(p)}"
    h = hashlib.sha256()
    if p.is_dir():
        for f in sorted(q for q in p.rglob("*") if q.is_file()):
            st = f.stat()
            h.update(f"{f.relative_to(p)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        return f"listing:{h.hexdigest()}"
    return "missing"


def new_run(command: str, *, inputs: Iterable[str | Path | None] = ()) -> dict:
    """Identity of one run of a command, written into the markers of its outputs.

    Parameters
    ----------
    command : str
        E.g. ``"scenario evaluate"``.
    inputs : iterable of path, optional
        Input files or folders; their digests (:func:`digest`) are recorded. ``None`` and
        names that are not paths (a region name) are recorded as given.

    Returns
    -------
    dict
        ``tool``, ``version``, ``command``, ``run_id``, ``created`` (UTC, ISO 8601),
        ``inputs`` (path -> digest).
    """
    got = {}
    for x in inputs:
        if x is None:
            continue
        got[str(x)] = digest(x) if Path(x).exists() else "name"
    return {"tool": TOOL, "version": __version__, "command": command,
            "run_id": uuid.uuid4().hex,
            "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "inputs": got}


# ------------------------------------------------------------------------------------------
# Checking an output path
# ------------------------------------------------------------------------------------------


def tool_roots() -> list[Path]:
    """Folders whose direct subfolders belong to the tool (its default output places)."""
    return [Path(settings.BUNDLES_DIR), Path(settings.PROJECT_ROOT) / "data" / "cache",
            Path(settings.DOWNLOADS_DIR) / "generated"]


def in_tool_area(target: str | Path) -> bool:
    """Whether ``target`` is a default output place of the tool (see :func:`tool_roots`)."""
    parent = Path(target).resolve().parent
    return any(parent == r.resolve() for r in tool_roots())


def _protected() -> list[Path]:
    places = [Path(settings.PROJECT_ROOT), Path.home(), Path("/")]
    with contextlib.suppress(OSError):  # the current folder may have been deleted
        places.append(Path.cwd())
    return [p.resolve() for p in places]


def check_output_path(target: str | Path, *, kind: str = "folder") -> Path:
    """Refuse an output path that would destroy something, before any work is done.

    Parameters
    ----------
    target : str or Path
        The output folder or file.
    kind : {"folder", "file"}, default "folder"

    Returns
    -------
    Path
        ``target`` (with ``~`` expanded).

    Raises
    ------
    GeoInputError
        Empty path; a folder output that is the current folder, the project root, the home
        folder, the filesystem root or a folder holding one of them; a folder output that is
        an existing file (or a file output that is a folder); a symbolic link; a place that
        cannot be written.
    """
    if str(target).strip() == "":
        raise GeoInputError(Msg("err.out.empty"), fix=Msg("err.out.empty.fix"))
    p = Path(target).expanduser()
    full = p.resolve()
    if p.is_symlink():
        raise GeoInputError(Msg("err.out.symlink"), path=p, fix=Msg("err.out.symlink.fix"))
    if kind == "folder":
        for q in _protected():
            if full == q or full in q.parents:
                raise GeoInputError(Msg("err.out.protected", folder=str(full)), path=p,
                                    fix=Msg("err.out.protected.fix"))
        if p.exists() and not p.is_dir():
            raise GeoInputError(Msg("err.out.is_file"), path=p, fix=Msg("err.out.is_file.fix"))
    elif p.is_dir():
        raise GeoInputError(Msg("err.out.is_folder"), path=p, fix=Msg("err.out.is_folder.fix"))
    _check_writable(p, folder=kind == "folder" and p.is_dir())
    return p


def _check_writable(p: Path, *, folder: bool) -> None:
    """The nearest existing folder of ``p`` (and ``p`` itself when a folder) is writable."""
    here = p.absolute().parent
    while not here.exists() and here != here.parent:
        here = here.parent
    if not here.is_dir():
        raise GeoInputError(Msg("err.out.parent_not_folder", folder=str(here)), path=p,
                            fix=Msg("err.out.parent_not_folder.fix"))
    for q in ([p] if folder else []) + [here]:
        try:  # a real probe: os.access says yes to root, and on read-only special folders
            fd, probe = tempfile.mkstemp(prefix=".geo-probe-", dir=q)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise GeoInputError(
                Msg("err.out.cannot_write_in", folder=str(q),
                    reason=exc.strerror or "read-only or no permission"),
                path=p, fix=Msg("err.out.writable.fix")) from exc


def _os_error(exc: OSError, target: Path) -> GeoInputError:
    why = {errno.EACCES: "permission denied", errno.EPERM: "operation not permitted",
           errno.EROFS: "read-only file system", errno.ENOSPC: "disk full"}
    reason = why.get(exc.errno, exc.strerror or str(exc))
    return GeoInputError(Msg("err.out.cannot_write", reason=reason,
                             file=str(exc.filename or target)),
                         path=target, fix=Msg("err.out.writable.fix"))


# ------------------------------------------------------------------------------------------
# Markers
# ------------------------------------------------------------------------------------------


def read_marker(folder: str | Path) -> dict | None:
    """The marker of an output folder, or None (no marker, or not one of the tool's)."""
    m = Path(folder) / MARKER_NAME
    try:
        data = json.loads(m.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("tool") != TOOL:
        return None
    if not isinstance(data.get("files"), list):
        return None
    return data


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str), "utf-8")
    os.replace(tmp, path)


def _entries(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} - {MARKER_NAME, TEMP_MARKER_NAME}


# ------------------------------------------------------------------------------------------
# Temporary folders of killed runs
# ------------------------------------------------------------------------------------------


def _proc_start(pid: int) -> str | None:
    """Start time of a process (Linux), to tell a reused process id apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]


def _alive(info: dict) -> bool:
    if info.get("host") != socket.gethostname():
        return True  # another machine's run (shared folder): never ours to judge
    pid = int(info.get("pid", -1))
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return pid > 0
    start = info.get("start")
    return start is None or _proc_start(pid) in (None, start)


def clean_stale_temps(parent: str | Path, name: str) -> list[Path]:
    """Remove hidden temporary folders ``.<name>-*`` in ``parent`` left by killed runs.

    Only folders carrying the tool's :data:`TEMP_MARKER_NAME` whose process is gone (on this
    machine) are removed.

    Returns
    -------
    list of Path
        The folders removed.
    """
    gone = []
    parent = Path(parent)
    if not parent.is_dir():
        return gone
    for d in parent.glob(f".{name}-*"):
        if d.is_symlink() or not d.is_dir():
            continue
        try:
            info = json.loads((d / TEMP_MARKER_NAME).read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(info, dict) and info.get("tool") == TOOL and not _alive(info):
            shutil.rmtree(d, ignore_errors=True)
            gone.append(d)
    return gone


def _umask() -> int:
    """The process umask (read without changing it), default 0o022."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def _make_temp(parent: Path, name: str, run: dict | None) -> Path:
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=parent))
    os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; the result is a normal folder
    info = {"tool": TOOL, "pid": os.getpid(), "start": _proc_start(os.getpid()),
            "host": socket.gethostname(), "run_id": (run or {}).get("run_id")}
    (tmp / TEMP_MARKER_NAME).write_text(json.dumps(info), "utf-8")
    return tmp


# ------------------------------------------------------------------------------------------
# Owned output folders
# ------------------------------------------------------------------------------------------


def _refuse(target: Path, names: Iterable[str], why: str) -> GeoInputError:
    """The refusal ``err.out.<why>`` naming the first five of ``names``."""
    shown = sorted(names)
    more = Msg("err.out.more", n=len(shown)) if len(shown) > 5 else ""
    return GeoInputError(Msg(f"err.out.{why}", files=", ".join(shown[:5]), more=more),
                         path=target, fix=FIX_FOLDER)


def _ownership(target: Path, force: bool, command: str | None = None
               ) -> tuple[dict, set[str], set[str]]:
    """Marker, entries the tool may replace and entries it must keep, of an existing folder.

    A folder written by another command (``command`` differs from the marker's, e.g. the
    prepared region given as ``scenario evaluate --out``) is refused unless ``force``.
    """
    if not target.is_dir():
        return {}, set(), set()
    present = _entries(target)
    marker = read_marker(target) or {}
    if in_tool_area(target):
        return marker, present, set()
    if not present:
        return marker, set(), set()
    if not marker and not force:
        raise _refuse(target, present, "foreign_files")
    other = marker.get("command")
    if command and other and other != command and marker.get("files") and not force:
        raise GeoInputError(
            Msg("err.out.other_command", command=other, created=marker.get("created", "?")),
            path=target, fix=Msg("err.out.other_command.fix"))
    owned = present & (set(marker.get("files", [])) | set(marker.get("single_files", [])))
    return marker, owned, present - owned


def check_output_dir(target: str | Path, *, force: bool = False,
                     command: str | None = None) -> Path:
    """Check an output folder before the work starts (same rules as :func:`owned_dir`).

    Returns
    -------
    Path
        ``target``.

    Raises
    ------
    GeoInputError
        A refused folder (see :func:`check_output_path`), or a non-empty folder without the
        marker (or written by another ``command`` than this run's) when not ``force``.
    """
    target = check_output_path(target, kind="folder")
    _ownership(target, force, command)
    return target


@contextmanager
def owned_dir(target: str | Path, *, force: bool = False, run: dict | None = None,
              keep_old: bool = False) -> Iterator[Path]:
    """Write an output folder the tool owns, atomically.

    Parameters
    ----------
    target : str or Path
        The output folder (see the module docstring for what is refused).
    force : bool, default False
        Write into a non-empty folder without the marker; the user's files stay, except those
        with the same name as one of the new outputs.
    run : dict, optional
        From :func:`new_run` (default: a run named after the folder), written into the marker.
    keep_old : bool, default False
        Keep the tool's earlier entries that this run does not rewrite (report exports with
        another file name); by default they are removed so that the folder holds one run.

    Yields
    ------
    Path
        An empty temporary folder beside ``target``; fill it inside the ``with`` block. On
        success its entries replace the tool's entries of ``target``; on an exception it is
        deleted and ``target`` stays as it was.

    Raises
    ------
    GeoInputError
        A refused target (before the block runs), or a new output with the name of a file the
        tool did not write (after it, nothing changed).
    """
    run = run or new_run(f"write {Path(target).name}")
    target = check_output_dir(target, force=force, command=run.get("command"))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        clean_stale_temps(target.parent, target.name)
        tmp = _make_temp(target.parent, target.name, run)
    except OSError as exc:
        raise _os_error(exc, target) from exc
    try:
        yield tmp
        try:
            _commit(tmp, target, run=run, force=force, keep_old=keep_old)
        except OSError as exc:
            raise _os_error(exc, target) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _commit(tmp: Path, target: Path, *, run: dict, force: bool, keep_old: bool) -> None:
    """Move the entries of ``tmp`` into ``target``, replacing only the tool's own entries."""
    # again: files may have come meanwhile
    marker, owned, foreign = _ownership(target, force, run.get("command"))
    new = _entries(tmp)
    clash = new & foreign
    if clash and not force:
        raise _refuse(target, clash, "foreign_same_name")
    singles = set(marker.get("single_files", [])) & owned
    earlier = owned - singles  # entries of the previous run of a folder command
    kept_old = earlier - new if keep_old else set()
    remove = (earlier - kept_old) | (new & (owned | foreign))
    final = {**run, "files": sorted(new | kept_old), "single_files": sorted(singles - new),
             "state": "complete"}
    _write_json(tmp / MARKER_NAME, final)
    present = _entries(target) if target.is_dir() else set()
    if not target.is_dir():
        (tmp / TEMP_MARKER_NAME).unlink()
        os.rename(tmp, target)
    elif not (present - remove):
        _swap(tmp, target, run)
    else:
        _replace_entries(tmp, target, run, remove=remove, new=new, final=final)


def _swap(tmp: Path, target: Path, run: dict) -> None:
    """Replace a folder holding only the tool's entries by ``tmp`` (two renames)."""
    old = _make_temp(target.parent, target.name, run)
    os.rename(target, old / "old")
    (tmp / TEMP_MARKER_NAME).unlink()
    try:
        os.rename(tmp, target)
    except OSError:
        os.rename(old / "old", target)
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


def _replace_entries(tmp: Path, target: Path, run: dict, *, remove: set[str], new: set[str],
                     final: dict) -> None:
    """Replace the tool's entries of a folder that also holds entries to keep."""
    trash = _make_temp(target.parent, target.name, run)
    old_marker = (target / MARKER_NAME).read_bytes() if (target / MARKER_NAME).is_file() else None
    moved_out: list[str] = []
    moved_in: list[str] = []
    try:
        # while moving, the marker lists both runs' entries: a kill leaves nothing unowned
        _write_json(target / MARKER_NAME, {**final, "files": sorted(set(final["files"]) | remove),
                                           "state": "incomplete"})
        for n in sorted(remove):
            if (target / n).exists() or (target / n).is_symlink():
                os.rename(target / n, trash / n)
                moved_out.append(n)
        for n in sorted(new):
            os.rename(tmp / n, target / n)
            moved_in.append(n)
        os.replace(tmp / MARKER_NAME, target / MARKER_NAME)
    except BaseException:
        _roll_back(target, tmp, trash, moved_in, moved_out, old_marker)
        raise
    finally:
        shutil.rmtree(trash, ignore_errors=True)


def _roll_back(target: Path, tmp: Path, trash: Path, moved_in: list[str],
               moved_out: list[str], old_marker: bytes | None) -> None:
    """Best effort: put a folder back as it was before :func:`_replace_entries`."""
    for n in moved_in:
        with contextlib.suppress(OSError):
            os.rename(target / n, tmp / n)
    for n in moved_out:
        with contextlib.suppress(OSError):
            os.rename(trash / n, target / n)
    with contextlib.suppress(OSError):
        if old_marker is None:
            (target / MARKER_NAME).unlink(missing_ok=True)
        else:
            (target / MARKER_NAME).write_bytes(old_marker)


# ------------------------------------------------------------------------------------------
# Owned output files
# ------------------------------------------------------------------------------------------


def check_output_file(target: str | Path, *, force: bool = False) -> Path:
    """Check an output file before the work starts (same rules as :func:`owned_file`).

    Returns
    -------
    Path
        ``target``.

    Raises
    ------
    GeoInputError
        A folder, a symbolic link, a place that cannot be written, or an existing file the
        tool did not write (recorded in its folder's marker) when not ``force``.
    """
    target = check_output_path(target, kind="file")
    marker = read_marker(target.parent) or {}
    mine = target.name in set(marker.get("files", [])) | set(marker.get("single_files", []))
    if target.exists() and not (force or mine or in_tool_area(target)):
        raise GeoInputError(Msg("err.out.foreign_file"), path=target,
                            fix=Msg("err.out.foreign_file.fix"))
    return target


@contextmanager
def owned_file(target: str | Path, *, force: bool = False, run: dict | None = None
               ) -> Iterator[Path]:
    """Write one output file atomically, never over a file the tool did not write.

    The file's name is recorded (``single_files``) in the marker of its folder, so a later
    run may replace it without ``force``.

    Parameters
    ----------
    target : str or Path
        The output file (an existing folder is refused).
    force : bool, default False
        Replace an existing file that the tool did not write.
    run : dict, optional
        From :func:`new_run`.

    Yields
    ------
    Path
        A temporary path beside ``target`` with the same suffix (not yet created). On success
        it replaces ``target``; on an exception it is deleted and ``target`` is untouched.

    Raises
    ------
    GeoInputError
        A refused target, or a place that cannot be written.
    """
    target = check_output_file(target, force=force)
    parent = target.parent
    marker = read_marker(parent) or {}
    mine = target.name in set(marker.get("files", [])) | set(marker.get("single_files", []))
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=target.suffix, dir=parent)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise _os_error(exc, target) from exc
    tmp = Path(name)
    try:
        yield tmp
        try:
            os.replace(tmp, target)
            if not mine:
                _record_single(parent, target.name, marker, run)
        except OSError as exc:
            raise _os_error(exc, target) from exc
    finally:
        tmp.unlink(missing_ok=True)


def _record_single(folder: Path, name: str, marker: dict, run: dict | None) -> None:
    info = marker or {**(run or new_run(f"write {name}")), "files": [], "state": "complete"}
    info["single_files"] = sorted(set(info.get("single_files", [])) | {name})
    _write_json(folder / MARKER_NAME, info)


# ------------------------------------------------------------------------------------------
# Names of result subfolders
# ------------------------------------------------------------------------------------------


def result_names(files: Iterable[str | Path]) -> list[str]:
    """Distinct, deterministic folder names for the results of several input files.

    The file's stem when it is unique; files sharing a stem (``a/plan.yaml``, ``b/plan.yaml``)
    get their parent folders' names as a prefix (``a-plan``, ``b-plan``), as many as needed.

    Raises
    ------
    GeoInputError
        The same file given twice.
    """
    paths = [Path(f).absolute() for f in files]
    parts = [p.with_suffix("").parts[1:] for p in paths]
    depth = [1] * len(paths)
    while True:
        names = ["-".join(pp[-d:]) for pp, d in zip(parts, depth, strict=True)]
        dup = {n for n in names if names.count(n) > 1}
        if not dup:
            return names
        grew = False
        for i, n in enumerate(names):
            if n in dup and depth[i] < len(parts[i]):
                depth[i] += 1
                grew = True
        if not grew:
            twice = sorted({str(paths[i]) for i, n in enumerate(names) if n in dup})
            raise GeoInputError(Msg("err.out.same_file_twice", files=", ".join(twice)),
                                fix=Msg("err.out.same_file_twice.fix"))


# ------------------------------------------------------------------------------------------
# Plain atomic writes (no ownership check)
# ------------------------------------------------------------------------------------------


@contextmanager
def atomic_file(target: str | Path) -> Iterator[Path]:
    """Write a file atomically.

    Parameters
    ----------
    target : str or Path
        The file to (re)place.

    Yields
    ------
    Path
        A temporary path beside ``target`` with the same suffix (not yet created: some
        writers, such as GDAL's GeoPackage driver, refuse an existing empty file). On success
        it replaces ``target``; on an exception it is deleted.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=target.suffix,
                                dir=target.parent)
    os.close(fd)
    os.unlink(name)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def file_digest(path: str | Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file (:func:`hashlib.file_digest`), or of a folder's files.

    Parameters
    ----------
    path : str or Path
        A file, or a folder: its files in name order, each as its relative name then its
        bytes, go into one digest.
    algorithm : str, default "sha256"
        Any :func:`hashlib.new` name (``"md5"`` for published download checksums).

    Returns
    -------
    str
        Lowercase hex digest.
    """
    p = Path(path)
    if p.is_file():
        with open(p, "rb") as fh:
            return hashlib.file_digest(fh, algorithm).hexdigest()
    h = hashlib.new(algorithm)
    for f in sorted(q for q in p.rglob("*") if q.is_file()):
        h.update(str(f.relative_to(p)).encode())
        with open(f, "rb") as fh:
            while block := fh.read(1 << 20):
                h.update(block)
    return h.hexdigest()


def write_gpkg(path: str | Path, layers: Mapping[str, pd.DataFrame]) -> None:
    """Write tables into one GeoPackage, one layer each (the one GeoPackage writer).

    Parameters
    ----------
    path : str or Path
        The ``.gpkg`` (layers are added to an existing file; write into a temporary path for
        an atomic result, e.g. with :func:`atomic_file`).
    layers : mapping of str to DataFrame or GeoDataFrame
        Layer name -> rows. GeoDataFrames keep their geometry and CRS; DataFrames become
        attribute tables. Values of text columns that are not text or numbers (lists, dates,
        ...) are written as text, since a GeoPackage column holds one type.
    """
    for name, df in layers.items():
        df = df.copy()
        geom = df.geometry.name if isinstance(df, gpd.GeoDataFrame) else None
        for c in df.columns:
            if df[c].dtype == object and c != geom:
                df[c] = df[c].map(lambda v: v if v is None or isinstance(v, str | int | float)
                                  else str(v))
        df.attrs = {}
        if geom is not None:
            df.to_file(path, layer=name, driver="GPKG")
        else:
            pyogrio.write_dataframe(df, path, layer=name, driver="GPKG")
