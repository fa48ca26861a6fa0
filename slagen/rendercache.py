"""Clause renders remembered by the values they read, so `slagen validate` renders each distinct case once.

`slagen validate` renders every clause for every tier, blank and for each customer. Most of those renders
are the same: a clause that reads `tier.targets` and `contract.locale` gives the same text (or the same
error) for every customer with the same terms and locale. `CachingSandbox` is the clause sandbox with a
memory:

- each clause source is compiled once (compiling was most of the time, for identical text);
- before a render, the names and attribute paths the template reads (`customer.sites`,
  `tier.entitlements.named_engineer`), found once from its syntax tree, are looked up in this render's
  data and reduced to a canonical key (type and value, all the way down); a render whose key was seen
  before returns that render's text, or raises that render's error, without running.

The key is exact, not a guess at a "shape": a template can only reach data through the names it uses
(the sandbox gives it nothing else), and the key holds everything reachable from each path it uses, by
value and type (a function by its code and the values it closes over). Anything the key cannot describe
by value (an unknown object) is keyed by its identity, which never matches another render's: such a
render simply runs. So a cached answer is the answer the render would give.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import io
import pickle
import types
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from jinja2 import meta, nodes
from jinja2.parser import Parser
from jinja2.runtime import Undefined
from pydantic import BaseModel

from slagen.templating import LimitedSandbox

Path = tuple[tuple[str, Any], ...]  # ("name", "customer"), (".", "sites"), ("[]", 0)
_MISSING = ("missing",)


class _Failure:
    """An error a compile or render raised, to raise again with its traceback (which maps to template lines)."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.traceback = error.__traceback__

    def throw(self) -> Any:
        raise self.error.with_traceback(self.traceback)


class CachingSandbox(LimitedSandbox):
    """The clause sandbox, compiling each source once and remembering each render by the values it read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._templates: dict[str, _Remembered | _Failure] = {}
        self._expressions: dict[tuple[str, bool], _Remembered | _Failure] = {}
        self.keys = _Keys(self)
        self.renders = 0  # how many renders really ran (the rest came from memory)
        self.lookups = 0

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
        if not isinstance(source, str) or globals is not None or template_class is not None:
            return super().from_string(source, globals, template_class)
        entry = self._templates.get(source)
        if entry is None:
            try:
                template = super().from_string(source)
                entry = _Remembered(self, template.render, _paths(self.parse(source)))
            except Exception as error:
                entry = _Failure(error)
            self._templates[source] = entry
        return entry.throw() if isinstance(entry, _Failure) else entry

    def compile_expression(self, source: str, undefined_to_none: bool = True) -> Any:
        entry = self._expressions.get((source, undefined_to_none))
        if entry is None:
            try:
                expression = super().compile_expression(source, undefined_to_none)
                tree = Parser(self, source, state="variable").parse_expression()
                template = nodes.Template([nodes.Assign(nodes.Name("result", "store"), tree)], lineno=1)
                template.set_environment(self)
                entry = _Remembered(self, expression, _paths(template))
            except Exception as error:
                entry = _Failure(error)
            self._expressions[(source, undefined_to_none)] = entry
        return entry.throw() if isinstance(entry, _Failure) else entry


class _Remembered:
    """A compiled template or expression; calling `render` (or the object) with the same key gives the same answer."""

    def __init__(self, environment: CachingSandbox, run: Callable[..., Any], paths: list[Path]) -> None:
        self.environment = environment
        self.run = run
        self.paths = paths
        self.names = sorted({path[0][1] for path in paths})
        self.answers: dict[tuple[Any, ...], Any] = {}
        self.by_names: dict[tuple[Any, ...], Any] = {}

    def render(self, *args: Any, **kwargs: Any) -> Any:
        data = dict(*args, **kwargs)
        keys = self.environment.keys
        self.environment.lookups += 1
        try:
            keys.begin(data)
            # The whole values of the names it uses, as before: then every path reads what it read before.
            whole = tuple(keys.whole(data, name) for name in self.names)
            answer = self.by_names.get(whole)
            key = tuple(keys.of(data, path) for path in self.paths) if answer is None else ()
        except Exception as error:  # a bug here must not pass for a template's error
            raise RuntimeError(f"the render cache failed: {error!r}") from error
        if answer is None:
            answer = self.answers.get(key)
            if answer is None:
                self.environment.renders += 1
                try:
                    answer = ("ok", self.run(data))
                except Exception as error:
                    answer = ("error", _Failure(error))
                self.answers[key] = answer
            self.by_names[whole] = answer
        if answer[0] == "error":
            return answer[1].throw()
        return answer[1]

    __call__ = render


# ---------------------------------------------------------------- what a template reads


def _paths(tree: nodes.Template) -> list[Path]:
    """Every context name the template reads, each with the longest constant attribute or index path after it.

    `customer.sites[0].name` gives one path; `customer.sites[i]` gives `customer.sites` (the whole list);
    a bare `customer` (passed to a filter, looped over, assigned) gives the whole value.
    """
    undeclared = meta.find_undeclared_variables(tree)
    found: set[Path] = set()

    def visit(node: nodes.Node) -> None:
        path = _chain(node)
        if path is not None:
            if path[0][1] in undeclared:
                found.add(path)
            return
        for child in node.iter_child_nodes():
            visit(child)

    visit(tree)
    # A path under another one adds nothing: the shorter one's value holds it.
    return sorted((path for path in found if not any(path[:end] in found for end in range(1, len(path)))), key=repr)


def _chain(node: nodes.Node) -> Path | None:
    if isinstance(node, nodes.Name):
        return (("name", node.name),) if node.ctx == "load" else None
    if isinstance(node, nodes.Getattr):
        inner = _chain(node.node)
        return None if inner is None else (*inner, (".", node.attr))
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        inner = _chain(node.node)
        return None if inner is None else (*inner, ("[]", node.arg.value))
    return None


# ---------------------------------------------------------------- keys

# Written by pickle as it writes them (type and state): text subclasses (Markup, Wording with its `where`),
# numbers, dates and pydantic models; functions and unknown objects are written as a _Token instead.
_DEFAULT = {Decimal, dt.date, dt.datetime, dt.time, type(None)}


class _Token:
    """Stands in a pickle for an object written as the number of its canonical key (or a pinned object)."""

    __slots__ = ("number",)

    def __init__(self, number: int) -> None:
        self.number = number

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Token, (self.number,))


def _dataclass(kind: type, values: tuple[Any, ...]) -> None:
    """Never called: names a dataclass and its field values inside a fingerprint."""


class _Pickler(pickle.Pickler):
    """Plain data in C; pickle calls `reducer_override` only for objects that are not exact built-in types."""

    def __init__(self, file: io.BytesIO, keys: _Keys) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.keys = keys

    def reducer_override(self, value: Any) -> Any:
        kind = type(value)
        if kind is _Token or kind in _DEFAULT or isinstance(value, type) or value is _dataclass:
            return NotImplemented  # classes (and this module's stand-ins) are written by name
        pinned = self.keys.pinned.get(id(value))
        if pinned is not None and pinned[0] is value:
            return (_Token, (pinned[2],))
        if issubclass(kind, (str, BaseModel)):
            return NotImplemented
        if dataclasses.is_dataclass(kind):  # its fields, a pinned one (the wording in a Formatter) as a token
            fields = tuple(self._pinned(getattr(value, field.name)) for field in dataclasses.fields(value))
            return (_dataclass, (kind, fields))
        return (_Token, (self.keys.token(value),))

    def _pinned(self, value: Any) -> Any:
        pinned = self.keys.pinned.get(id(value))
        return _Token(pinned[2]) if pinned is not None and pinned[0] is value else value


class _Keys:
    """Canonical keys of the values at paths; per-render memory of what was already reduced."""

    def __init__(self, environment: CachingSandbox) -> None:
        self.environment = environment
        self.data: Any = None
        self.by_path: dict[Path, Any] = {}
        self.by_name: dict[str, Any] = {}
        self.by_id: dict[int, Any] = {}
        self.alive: list[Any] = []
        self.kept: list[Any] = []  # objects keyed by identity, alive for the whole run
        self.pinned: dict[int, tuple[Any, Any, int]] = {}  # long-lived objects: id -> (object, key, token)
        self.tokens: dict[Any, int] = {}  # canonical keys of objects pickle does not write as data

    def pin(self, value: Any) -> None:
        """A value that lives for the whole run (the wording): reduced once, not once per render."""
        key = self.canonical(value)
        self.pinned[id(value)] = (value, key, self.tokens.setdefault(key, len(self.tokens)))

    def begin(self, data: dict[str, Any]) -> None:
        """Start a render: the same context as the last one (the same objects) keeps what was reduced."""
        old = self.data
        if old is not None and len(old) == len(data) and all(old.get(name, _MISSING) is value
                                                              for name, value in data.items()):
            return
        self.data = data
        self.by_path = {}
        self.by_name = {}
        self.by_id = {}
        self.alive = []  # every object in `by_id` stays alive while its id is remembered, so no id is reused

    def whole(self, data: dict[str, Any], name: str) -> Any:
        """A digest of the whole value of a name (its fingerprint, which may be long)."""
        key = self.by_name.get(name)
        if key is None:
            key = self._resolve(data, (("name", name),))
            if len(key) == 2 and isinstance(key[1], bytes):
                key = (key[0], hashlib.blake2b(key[1], digest_size=16).digest())
            self.by_name[name] = key
        return key

    def of(self, data: dict[str, Any], path: Path) -> Any:
        key = self.by_path.get(path)
        if key is None:
            key = self.by_path[path] = self._resolve(data, path)
        return key

    def _resolve(self, data: dict[str, Any], path: Path) -> Any:
        environment = self.environment
        name = path[0][1]
        if name in data:
            value = data[name]
        elif name in environment.globals:
            value = environment.globals[name]
        else:
            return _MISSING
        kinds: list[type] = []
        for step, part in path[1:]:
            if not isinstance(value, (dict, list, tuple)):
                break  # a leaf: its key decides whatever is read from it
            kinds.append(type(value))
            value = environment.getattr(value, part) if step == "." else environment.getitem(value, part)
        return (tuple(kinds), self.fingerprint(value))

    def fingerprint(self, value: Any) -> Any:
        """`canonical`, faster: plain data (text, numbers, dates, dicts, lists) as pickle writes it, in C;
        anything else (and the pinned wording) as the number of its canonical key."""
        kind = type(value)
        if value is None or kind in (bool, int, str):
            return (kind, value)
        pinned = self.pinned.get(id(value))
        if pinned is not None and pinned[0] is value:
            return ("pinned", pinned[2])
        buffer = io.BytesIO()
        try:
            _Pickler(buffer, self).dump(value)
        except (pickle.PicklingError, TypeError, AttributeError):  # e.g. a class defined inside a function
            return ("canonical", self.canonical(value))
        return buffer.getvalue()

    def token(self, value: Any) -> int:
        pinned = self.pinned.get(id(value))
        if pinned is not None and pinned[0] is value:
            return pinned[2]
        key = self.canonical(value)
        return self.tokens.setdefault(key, len(self.tokens))

    def canonical(self, value: Any) -> Any:
        kind = type(value)
        if value is None or kind in (bool, int, str, float):
            return (kind, value)
        if kind is Decimal:
            return (kind, value.as_tuple())
        pinned = self.pinned.get(id(value))
        if pinned is not None and pinned[0] is value:
            return pinned[1]
        known = self.by_id.get(id(value))
        if known is not None:
            return known
        self.alive.append(value)
        self.by_id[id(value)] = ("cycle", id(value))  # a structure that holds itself
        key = self._reduce(value, kind)
        self.by_id[id(value)] = key
        return key

    def _reduce(self, value: Any, kind: type) -> Any:
        if kind is dict:
            return (kind, tuple((self.canonical(k), self.canonical(v)) for k, v in value.items()))
        if kind in (list, tuple):
            return (kind, self._all(value))
        if isinstance(value, str):  # Markup, Wording: the type and any attributes count
            return (kind, str.__str__(value), self.canonical(dict(getattr(value, "__dict__", {}))))
        if kind in (dt.date, dt.datetime, dt.time):
            tz = getattr(value, "tzinfo", None)
            return (kind, value.isoformat(), repr(tz), getattr(value, "fold", 0))
        if isinstance(value, Undefined):
            return (kind, value._undefined_name, type(value._undefined_obj), value._undefined_hint)
        if isinstance(value, BaseModel):
            return (kind, self.canonical(value.model_dump()))
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return (kind, self._all(getattr(value, field.name) for field in dataclasses.fields(value)))
        if kind is types.FunctionType:
            cells = tuple(self._cell(cell) for cell in value.__closure__ or ())
            return (kind, value.__code__, cells, self.canonical(value.__defaults__),
                    self.canonical(value.__kwdefaults__))
        if kind is types.MethodType:
            return (kind, self.canonical(value.__func__), self.canonical(value.__self__))
        if kind is types.BuiltinMethodType and not isinstance(value.__self__, types.ModuleType):
            return (kind, value.__qualname__, self.canonical(value.__self__))
        if kind is functools.partial:
            return (kind, self.canonical(value.func), self.canonical(value.args), self.canonical(value.keywords))
        # Anything else is itself: keyed by identity (kept alive for the run), so it never matches another.
        self.kept.append(value)
        return ("object", id(value))

    def _all(self, values: Iterable[Any]) -> tuple[Any, ...]:
        return tuple(self.canonical(item) for item in values)

    def _cell(self, cell: Any) -> Any:
        try:
            return self.canonical(cell.cell_contents)
        except ValueError:  # an empty cell
            return ("empty",)
