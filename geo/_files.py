"""Atomic writes: a failed step never damages what was saved before.

Everything the tool writes (network caches, bundles, prepared regions, scenario results,
exports, downloads) is first written to a temporary file or folder beside its target, then
renamed into place in one step. If writing fails, the temporary copy is removed and the old
target is untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_dir(target: str | Path) -> Iterator[Path]:
    """Write a folder atomically.

    Parameters
    ----------
    target : str or Path
        The folder to (re)place.

    Yields
    ------
    Path
        An empty temporary folder beside ``target``; fill it inside the ``with`` block. On
        success it replaces ``target`` (an existing ``target`` is swapped out, then deleted);
        on an exception it is deleted and ``target`` stays as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        target.rename(old)
        tmp.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(target)


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
