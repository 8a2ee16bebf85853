"""The one YAML loader of the tool (scenario files, region recipes): safe and strict.

:func:`load_yaml` reads a file with PyYAML's safe loader (no Python objects) and refuses,
with a :class:`geo.errors.GeoInputError` that names the file, the line and the fix,

* a file larger than the limit of its kind (``settings.YAML_MAX_BYTES``), checked before
  reading;
* a binary file, or text that is not UTF-8 (e.g. Windows-1257 saved by an old editor);
* a **duplicate key** in one mapping (YAML would silently keep the last one: a ``changes:``
  written twice evaluates only the second list), naming both lines;
* nesting deeper than ``settings.YAML_MAX_DEPTH`` (before Python's recursion limit is hit);
* an **alias bomb** ("billion laughs"): more than ``settings.YAML_MAX_NODES`` values once the
  aliases are expanded, or an alias that contains itself;
* YAML syntax errors (with their line).

It also returns where each key was written (``lines``), so that later checks can name the line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from geo import i18n, settings
from geo.errors import GeoInputError, Msg, Num

_MERGE_TAG = "tag:yaml.org,2002:merge"
#: Advice given with YAML syntax errors by default.
SYNTAX_FIX = Msg("err.yaml.syntax.fix")


@dataclass
class YamlDoc:
    """A loaded YAML document.

    Attributes
    ----------
    data : object
        The plain data (dicts, lists, str, int, float, bool, None, dates); None for an empty file.
    lines : dict
        Key path (tuple of mapping keys as written and list positions) -> 1-based line number,
        e.g. ``("changes", 0, "close") -> 12``; ``() -> 1``.
    path : Path or None
        The file it came from.
    """

    data: object
    lines: dict = field(default_factory=dict)
    path: Path | None = None


class _TooDeep(Exception):
    def __init__(self, line: int):
        self.line = line


class _Loader(yaml.SafeLoader):
    """SafeLoader that counts nesting while composing (refuses deep files early)."""

    def __init__(self, stream, *, max_depth: int):
        super().__init__(stream)
        self._depth = 0
        self._max_depth = max_depth

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > self._max_depth:
                raise _TooDeep(self.peek_event().start_mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


# --------------------------------------------------------------------------------------------
# Reading bytes
# --------------------------------------------------------------------------------------------
def _read_bytes(path: Path, kind: str, max_bytes: int) -> bytes:
    """The file's bytes, after checking that it exists and is not larger than ``max_bytes``."""
    if not path.is_file():
        raise GeoInputError(Msg("err.yaml.not_found", kind=_kind(kind)), path=path,
                            fix=Msg("err.yaml.not_found.fix"))
    size = path.stat().st_size
    too_big = GeoInputError(
        Msg("err.yaml.too_big", size=Num(size), kind=_kind(kind), max=Num(max_bytes)), path=path,
        fix=Msg("err.yaml.too_big.fix", kind=_kind(kind), kind_id=repr(kind)))
    if size > max_bytes:
        raise too_big
    try:
        with open(path, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except OSError as exc:
        raise GeoInputError(Msg("err.yaml.unreadable", kind=_kind(kind),
                                reason=str(exc.strerror or exc)), path=path,
                            fix=Msg("err.yaml.unreadable.fix")) from None
    if len(raw) > max_bytes:
        raise too_big
    return raw


def _decode(raw: bytes, path: Path | None, kind: str) -> str:
    """UTF-8 text (a byte-order mark is dropped); named errors for binary and other encodings."""
    save_utf8 = Msg("err.yaml.save_utf8", enc="cp1257")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise GeoInputError(Msg("err.yaml.utf16", kind=_kind(kind)), path=path,
                            fix=Msg("err.yaml.save_utf8", enc="utf-16"))
    if b"\x00" in raw:
        raise GeoInputError(Msg("err.yaml.binary", kind=_kind(kind)), path=path,
                            fix=Msg("err.yaml.binary.fix", kind=_kind(kind)))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        guess = ""
        try:
            raw.decode("cp1257")
            guess = Msg("err.yaml.cp1257_guess")
        except UnicodeDecodeError:
            pass
        raise GeoInputError(
            Msg("err.yaml.not_utf8", line=line, kind=_kind(kind), byte=f"{raw[exc.start]:02X}",
                guess=guess), path=path, fix=save_utf8) from None


def _kind(kind: str) -> Msg | str:
    """The input kind for messages (translated when ``err.kind.<kind>`` exists)."""
    return Msg(f"err.kind.{kind}") if f"err.kind.{kind}" in i18n.STRINGS else kind


# --------------------------------------------------------------------------------------------
# Checks on the composed node tree
# --------------------------------------------------------------------------------------------
def _expanded_size(root, limit: int) -> int:
    """Number of values with aliases expanded, stopping early above ``limit``.

    Raises ``ValueError`` for an alias that contains itself (a recursive structure).
    """
    memo: dict[int, int] = {}
    busy: set[int] = set()

    def size(node) -> int:
        key = id(node)
        if key in memo:
            return memo[key]
        if key in busy:
            raise ValueError(node.start_mark.line + 1)
        busy.add(key)
        n = 1
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                n += size(child)
                if n > limit:
                    break
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                n += size(k) + size(v)
                if n > limit:
                    break
        busy.discard(key)
        memo[key] = n
        return n

    return size(root)


def _duplicate_keys(root, loader: yaml.SafeLoader) -> tuple | None:
    """(key, first line, second line) of the first key written twice in one mapping."""
    seen_nodes: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes or isinstance(node, yaml.ScalarNode):
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
            continue
        first: dict = {}
        for k, v in node.value:
            stack.append(v)
            if not isinstance(k, yaml.ScalarNode) or k.tag == _MERGE_TAG:
                continue
            try:
                key = loader.construct_object(k)
                hash(key)
            except (yaml.YAMLError, TypeError):
                key = (k.tag, k.value)
            line = k.start_mark.line + 1
            if key in first:
                return k.value, first[key], line
            first[key] = line
    return None


def node_lines(node, path: tuple = ()) -> dict:
    """Key path -> 1-based line of every key and list item of a composed YAML node tree.

    Parameters
    ----------
    node : yaml.Node
    path : tuple, default ()
        Path of ``node`` itself.

    Returns
    -------
    dict
        Mapping keys appear as written (``k.value``), list items as their position.
    """
    out: dict = {}
    stack = [(node, tuple(path), node.start_mark.line + 1)]  # a value's line is its key's
    while stack:
        n, p, line = stack.pop()
        out[p] = line
        if isinstance(n, yaml.MappingNode):
            stack.extend((v, (*p, k.value), k.start_mark.line + 1) for k, v in n.value)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend((v, (*p, i), v.start_mark.line + 1) for i, v in enumerate(n.value))
    return out


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------
def _syntax_error(exc: yaml.YAMLError, path, fix: str | Msg) -> GeoInputError:
    mark = getattr(exc, "problem_mark", None)
    at = Msg("err.at_line", line=mark.line + 1) if mark else ""
    problem = getattr(exc, "problem", None) or exc
    return GeoInputError(Msg("err.yaml.syntax", at=at, problem=str(problem)), path=path,
                         fix=fix)


def _compose(text: str, path, *, max_depth: int, fix: str | Msg):
    loader = _Loader(text, max_depth=max_depth)
    try:
        return loader, loader.get_single_node()
    except _TooDeep as exc:
        raise GeoInputError(Msg("err.yaml.too_deep", line=exc.line, max=max_depth), path=path,
                            fix=Msg("err.yaml.too_deep.fix")) from None
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, path, fix) from None
    except RecursionError:
        raise GeoInputError(Msg("err.yaml.too_deep_recursion"), path=path, fix=fix) from None


def _check_nodes(node, loader, path, max_nodes: int) -> None:
    try:
        n = _expanded_size(node, max_nodes)
    except RecursionError:
        n = max_nodes + 1
    except ValueError as exc:
        raise GeoInputError(Msg("err.yaml.alias_self", line=exc.args[0]), path=path,
                            fix=Msg("err.yaml.alias_self.fix")) from None
    if n > max_nodes:
        raise GeoInputError(Msg("err.yaml.alias_bomb", max=Num(max_nodes)), path=path,
                            fix=Msg("err.yaml.alias_bomb.fix"))
    dup = _duplicate_keys(node, loader)
    if dup:
        key, a, b = dup
        raise GeoInputError(Msg("err.yaml.duplicate_key", key=repr(key), a=a, b=b), path=path,
                            fix=Msg("err.yaml.duplicate_key.fix", key=repr(key)))


def parse_yaml(
    text: str,
    *,
    path: str | Path | None = None,
    max_depth: int | None = None,
    max_nodes: int | None = None,
    fix: str | Msg = SYNTAX_FIX,
) -> YamlDoc:
    """Parse YAML text safely and strictly (see the module docstring).

    Parameters
    ----------
    text : str
    path : str or Path, optional
        Named in error messages.
    max_depth : int, optional
        Default ``settings.YAML_MAX_DEPTH``.
    max_nodes : int, optional
        Default ``settings.YAML_MAX_NODES``.
    fix : str or Msg
        Advice given with YAML syntax errors.

    Returns
    -------
    YamlDoc

    Raises
    ------
    GeoInputError
    """
    max_depth = settings.YAML_MAX_DEPTH if max_depth is None else max_depth
    max_nodes = settings.YAML_MAX_NODES if max_nodes is None else max_nodes
    loader, node = _compose(text, path, max_depth=max_depth, fix=fix)
    try:
        if node is None:
            return YamlDoc(None, {}, None if path is None else Path(path))
        _check_nodes(node, loader, path, max_nodes)
        try:
            data = loader.construct_document(node)
        except yaml.YAMLError as exc:
            raise _syntax_error(exc, path, fix) from None
        return YamlDoc(data, node_lines(node), None if path is None else Path(path))
    finally:
        loader.dispose()


def load_yaml(
    path: str | Path,
    *,
    kind: str,
    max_bytes: int | None = None,
    fix: str | Msg = SYNTAX_FIX,
) -> YamlDoc:
    """Read a YAML input file safely and strictly (see the module docstring).

    Parameters
    ----------
    path : str or Path
    kind : str
        Input kind, a key of ``settings.YAML_MAX_BYTES`` (``"scenario"``, ``"recipe"``); named
        in messages.
    max_bytes : int, optional
        Size limit, bytes; default ``settings.YAML_MAX_BYTES[kind]`` (1 MiB for unknown kinds).
    fix : str or Msg
        Advice given with YAML syntax errors.

    Returns
    -------
    YamlDoc

    Raises
    ------
    GeoInputError
        Missing, unreadable, too large, binary or non-UTF-8 file; syntax errors; duplicate
        keys; nesting or alias expansion over the limits. The message names the file and line.
    """
    path = Path(path)
    limit = settings.YAML_MAX_BYTES.get(kind, 1 << 20) if max_bytes is None else max_bytes
    text = _decode(_read_bytes(path, kind, limit), path, kind)
    return parse_yaml(text, path=path, fix=fix)
