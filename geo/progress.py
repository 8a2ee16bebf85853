"""Progress reporting: one callback type and one tqdm adapter.

Long steps (downloads, OSM passes, searches, the demo generator, optimisation) report through
a :data:`Progress` callback, called as ``progress(done, total)`` or
``progress(done, total, message)``: ``done`` units of ``total`` (None when unknown) so far.
:func:`tqdm_progress` turns it into a console bar; :func:`counter` adapts the
``bool | Progress`` options of the readers to an ``update(n)`` / ``close()`` pair.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from tqdm import tqdm


class Progress(Protocol):
    """``progress(done, total, message="")``: ``done`` units of ``total`` (None: unknown)."""

    def __call__(self, done: int, total: int | None, message: str = "", /) -> None:
        """Report ``done`` units of ``total``, with an optional short message."""


def tqdm_progress(desc: str, *, unit: str = "it", leave: bool = False,
                  **kw) -> tuple[Progress, Callable[[], None]]:
    """A :data:`Progress` callback drawing a tqdm bar, and the function closing the bar.

    Parameters
    ----------
    desc : str
        Text before the bar.
    unit : str, default "it"
        Unit shown after the counts.
    leave : bool, default False
        Keep the bar on screen when closed.
    **kw
        Further :class:`tqdm.tqdm` options (``total``, ``unit_scale``, ``mininterval`` ...).

    Returns
    -------
    (Progress, callable)
        The callback (sets the bar to ``done`` of ``total``; a message goes after the bar)
        and ``close()``.
    """
    bar = tqdm(desc=desc, unit=unit, leave=leave, **kw)

    def update(done: int, total: int | None = None, message: str = "", /) -> None:
        if total is not None:
            bar.total = total
        bar.n = done
        if message:
            bar.set_postfix_str(message)
        bar.refresh()

    return update, bar.close


def counter(progress: bool | Progress | None, *, total: int | None, desc: str, unit: str,
            initial: int = 0, **kw) -> tuple[Callable[[int], None], Callable[[], None]]:
    """An ``update(n)`` (add ``n`` done units) and a ``close()`` for a ``progress`` option.

    Parameters
    ----------
    progress : bool or Progress or None
        True: a tqdm bar; a callable: called with the running count and ``total``;
        False/None: nothing.
    total : int or None
        Units in all (None: unknown).
    desc, unit : str
        Bar text and unit.
    initial : int, default 0
        Units already done (a resumed download).
    **kw
        Further :class:`tqdm.tqdm` options.

    Returns
    -------
    (callable, callable)
        ``update(n)`` and ``close()``.
    """
    if callable(progress):
        state = {"done": initial}

        def update(n: int) -> None:
            state["done"] += n
            progress(state["done"], total)

        return update, lambda: None
    if progress:
        bar = tqdm(total=total, initial=initial, desc=desc, unit=unit, **kw)
        return bar.update, bar.close
    return (lambda n: None), (lambda: None)
