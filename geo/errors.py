"""Exceptions with messages a planner can act on, in Latvian and English.

Every error names the file (or layer) concerned and says how to fix it. A message is either
plain English text or a :class:`Msg`: an ``err.*`` key of :mod:`geo.i18n` with its values
(file, row, line, value...). ``str(exc)`` is always English (CLI, logs); ``exc.text("lv")``
is the same error in Latvian, for the app. The file name is a separate part
(``path``), prefixed in every language, so a translation can never drop it; the values of a
:class:`Msg` must all appear in a template for it to be used, so a translation can never drop
a row or a value either (it falls back to English instead).

To make a new error translatable::

    raise GeoInputError(Msg("err.census.negative", column=col, rows=rows), path=path,
                        fix=Msg("err.census.negative.fix"))

and add ``"err.census.negative"`` (and its ``.fix``) to the ``err.`` block of :mod:`geo.i18n`
with a ``"lv"`` and an ``"en"`` template. ``tests/test_error_i18n.py`` lists raise sites
that give plain text.
"""

from __future__ import annotations

import contextlib
import copy
import string
from pathlib import Path

from geo import i18n

_FORMATTER = string.Formatter()


def _fields(template: str) -> set[str]:
    """The names of the ``{placeholders}`` of a ``str.format`` template."""
    out = set()
    for _, name, _, _ in _FORMATTER.parse(template):
        if name:
            out.add(name.split(".")[0].split("[")[0])
    return out


class Msg:
    """A message in every language: an ``err.*`` (or any :mod:`geo.i18n`) key and its values.

    Parameters
    ----------
    key : str
        The :data:`geo.i18n.STRINGS` key, e.g. ``"err.yaml.duplicate_key"``.
    **params
        Values of the template's placeholders. A value may itself be a :class:`Msg` (e.g. the
        "line 3: changes[0].close: " part of a scenario error) or a tuple of them (joined with
        "; "), rendered in the same language, or a :class:`Num` (``1,000`` / ``1 000``).

    Notes
    -----
    A language's template is used only when it formats without error and uses every value;
    otherwise the English one is used, and without any template the key and the values are
    shown (so a missing translation is visible and never loses a value).
    """

    __slots__ = ("key", "params")

    def __init__(self, key: str, /, **params):
        self.key = key
        self.params = params

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` ("lv" or "en"; English when ``lang`` has no usable template)."""
        values = {k: _translated(v, lang) for k, v in self.params.items()}
        entry = i18n.STRINGS.get(self.key, {})
        for lg in (lang, "en"):
            template = entry.get(lg)
            if not template or not set(values) <= _fields(template):
                continue
            try:
                return template.format(**values)
            except (KeyError, IndexError, ValueError, AttributeError, TypeError):
                continue
        shown = ", ".join(f"{k}={v!r}" for k, v in values.items())
        return f"[{self.key}] {shown}".rstrip()

    def __str__(self) -> str:
        return self.text("en")

    def __repr__(self) -> str:
        return f"Msg({self.key!r}, {self.params!r})"


class Num:
    """A number in a message, written as the reader's language writes it: English
    ``12,345.6``, Latvian ``12 345,6`` (non-breaking space).

    Parameters
    ----------
    value : float
    decimals : int or None, default 0
        Digits after the decimal point; None: as many as the value needs (up to 6), e.g. a
        coordinate that may be metres (``5334000``) or degrees (``24.75``).
    """

    __slots__ = ("value", "decimals")

    def __init__(self, value: float, decimals: int | None = 0):
        self.value = value
        self.decimals = decimals

    def text(self, lang: str = "en") -> str:
        """The number in ``lang`` ("lv" or "en")."""
        if self.decimals is None:
            s = f"{float(self.value):,.6f}".rstrip("0").rstrip(".")
        else:
            s = f"{float(self.value):,.{self.decimals}f}"
        return s.replace(",", "\u00a0").replace(".", ",") if lang == "lv" else s

    def __repr__(self) -> str:
        return f"Num({self.value!r}, {self.decimals})"


def _translated(value, lang: str):
    """A value of a message in ``lang``: a :class:`Msg`, :class:`Num` or an error is
    translated, a tuple of
    :class:`Msg` translated and joined with "; ", any other value kept as is (for its format
    spec)."""
    if isinstance(value, Msg | Num | GeoInputError | GeoWarning):
        return value.text(lang)
    if isinstance(value, tuple) and value and all(isinstance(v, Msg) for v in value):
        return "; ".join(v.text(lang) for v in value)
    return value


def render(message, lang: str = "en") -> str:
    """``message`` (text, :class:`Msg`, an error or None) as text in ``lang``."""
    if message is None:
        return ""
    return str(_translated(message, lang))


def error_text(exc: BaseException, lang: str = "en") -> str:
    """The text of any exception or warning for a user of ``lang``.

    :class:`GeoInputError` and :class:`GeoWarning` are translated (file name, rows and fix
    kept); other exceptions give ``str(exc)``.
    """
    text = getattr(exc, "text", None)
    return text(lang) if callable(text) else str(exc)


class GeoInputError(ValueError):
    """Bad user input: a file, a column, a CRS, an id.

    Parameters
    ----------
    message : str or Msg
        What is wrong, in plain words (a :class:`Msg` to have it translated).
    path : str or Path, optional
        The file concerned; it is prefixed to the message (in every language).
    fix : str or Msg, optional
        What the user can do about it; appended to the message ("Fix: ..." / "Kā labot: ...").

    Attributes
    ----------
    key : str or None
        The ``err.*`` key of a translatable message (None for plain text).
    """

    def __init__(self, message: str | Msg, *, path: str | Path | None = None,
                 fix: str | Msg | None = None):
        self.message = message
        self._path_text = None if path is None else str(path)
        self.path = None if path is None else Path(path)
        self.fix_msg = fix
        self.fix = render(fix) or None
        super().__init__(self.text("en"))

    @property
    def key(self) -> str | None:
        """The ``err.*`` key of the message (None for plain text)."""
        return self.message.key if isinstance(self.message, Msg) else None

    def text(self, lang: str = "en") -> str:
        """The whole message (file, what is wrong, fix) in ``lang`` ("lv" or "en")."""
        out = render(self.message, lang)
        if self._path_text is not None:
            out = f"{self._path_text}: {out}"
        if self.fix_msg:
            out = f"{out} {render(Msg('err.fix'), lang)} {render(self.fix_msg, lang)}"
        return out

    def renamed(self, path: str | Path) -> GeoInputError:
        """The same error (same class, message and fix) naming ``path`` as its file.

        For a file checked under a temporary name (an upload) that the user knows by another.
        """
        new = copy.copy(self)
        new._path_text, new.path = str(path), Path(path)
        new.args = (new.text("en"),)
        return new

    def __reduce__(self):
        return (_rebuild, (type(self), self.message, self._path_text, self.fix_msg))


def _rebuild(cls, message, path, fix):
    return cls(message, path=path, fix=fix)


class NetworkError(GeoInputError):
    """A road network that cannot be used (no drivable roads, disconnected, not OSM...)."""


class MissingDataError(GeoInputError):
    """A layer that a step needs is not available (offline, not downloaded yet...)."""


def check_number(value, *, name: str, low: float = 0.0, strict: bool = True,
                 fix: str | Msg | None = None) -> float:
    """``value`` as a finite float above ``low`` (at least ``low`` when not ``strict``).

    Parameters
    ----------
    value : number
        The option's value (``None`` is not accepted: test for it first).
    name : str
        The option, named in the message (``"cutoff_min"``, ``"--budget"``).
    low : float, default 0
    strict : bool, default True
        ``value == low`` is refused too.
    fix : str or Msg, optional

    Raises
    ------
    GeoInputError
        Not a number, NaN or infinite, or too small.
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise GeoInputError(Msg("err.number.not_number", name=name, value=repr(value)),
                            fix=fix) from None
    if v != v or v in (float("inf"), float("-inf")):
        raise GeoInputError(Msg("err.number.not_finite", name=name, value=repr(value)), fix=fix)
    if v < low or (strict and v == low):
        key = "err.number.above" if strict else "err.number.at_least"
        raise GeoInputError(Msg(key, name=name, value=repr(value), low=f"{low:g}"), fix=fix)
    return v


@contextlib.contextmanager
def named_errors(path: str | Path, *, problem: str | Msg, fix: str | Msg):
    """Turn any failure inside the ``with`` block into a :class:`GeoInputError` naming ``path``.

    For loading the tool's own files (caches, bundles), where any exception means the file
    is truncated, corrupt or unreadable; :class:`GeoInputError` passes through unchanged.

    Parameters
    ----------
    path : str or Path
        The file or folder being read.
    problem : str or Msg
        What went wrong, e.g. ``"the network cache is corrupt or truncated"``.
    fix : str or Msg
        What to do, e.g. how to rebuild the cache.
    """
    try:
        yield
    except GeoInputError:
        raise
    except PermissionError as exc:
        raise GeoInputError(Msg("err.file.permission", file=str(exc.filename)), path=path,
                            fix=Msg("err.file.permission.fix")) from exc
    except Exception as exc:  # numpy, pyarrow, pyogrio, json raise many types
        raise GeoInputError(Msg("err.file.corrupt", problem=problem,
                                detail=f"{type(exc).__name__}: {exc}"), path=path,
                            fix=fix) from exc


class GeoWarning(UserWarning):
    """A figure the tool computed with a repaired or doubtful input (the message says which
    input, what was done and by how much).

    Parameters
    ----------
    message : str or Msg
        The warning (a :class:`Msg` to have it translated); ``str(w)`` is English and
        ``w.text("lv")`` Latvian.
    """

    def __init__(self, message: str | Msg = ""):
        self.message = message
        super().__init__(render(message))

    def text(self, lang: str = "en") -> str:
        """The warning in ``lang`` ("lv" or "en")."""
        return render(self.message, lang)
