"""The two sandboxed Jinja environments (clause bodies, page templates) and the limits that bound a render."""

from __future__ import annotations

import functools
import math
import os
import re
import string
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
)
from jinja2.loaders import split_template_path
from jinja2.runtime import Namespace
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup

from slagen.deadline import RenderLimitError, limit_error, render_deadline
from slagen.files import DEFAULT_INPUT_BYTES, InputScope, OutsideError, shown
from slagen.model import Limits
from slagen.wording import Wording

BUILTIN_PREFIX = "builtin"

# range() in a template: Jinja's own sandbox cap, kept, with a message that says so.
MAX_RANGE = 100_000
# An integer result may have at most this many bits (about 30,000 digits): `10 ** 10 ** 10` is refused
# before Python spends hours computing it.
MAX_INT_BITS = 100_000
LIMITS_HINT = "limits.output_bytes in slagen.yaml"

# Backslash-escaping every ASCII punctuation mark keeps interpolated data literal in Markdown.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&])")
# printf-style conversions: %[(key)][flags][width][.precision]type
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[a-zA-Z%]")


def escape_markdown(value: object) -> str:
    """Data inserted into a clause stays text: Markup (from helpers such as ref()) passes as is."""
    if isinstance(value, Markup):
        return str(value)
    text = str(value)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


# ---------------------------------------------------------------- loaders


class _ContainedLoader(FileSystemLoader):
    """A file loader that reads through `slagen.files`: nothing resolving outside its folders (symlinks
    included), no FIFO or device (refused before the open, where Jinja's own loader would block or
    silently fall back), no file over `limits.input_bytes`, UTF-8 only."""

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for folder in self.searchpath:
            candidate = Path(folder).joinpath(*pieces)
            # Anything there but a folder is this template: a FIFO or a broken link is reported, not skipped.
            if os.path.lexists(candidate) and not candidate.is_dir():
                filename = os.path.normpath(candidate)
                break
        else:
            raise TemplateNotFound(template)
        limits = getattr(environment, "limits", None)
        scope = InputScope.within(*self.searchpath, limit=getattr(limits, "input_bytes", DEFAULT_INPUT_BYTES))
        try:
            source = scope.read_text(candidate, shown(filename))
        except OutsideError:
            # Not TemplateNotFound: a ChoiceLoader would swallow that and fall back to the next folder.
            raise SecurityError(
                f"page template {template!r} leads outside the template folders (a symlink?); refused"
            ) from None

        def uptodate() -> bool:
            # By content: a process that keeps its environment (build workers) must see a file rewritten
            # within one mtime tick. Any failure reloads, and the load reports it.
            try:
                return scope.read_text(candidate, shown(filename)) == source
            except Exception:
                return False

        return source, filename, uptodate


class _NoTemplates(BaseLoader):
    """Clause text is one self-contained template: include, import and extend find nothing."""

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        raise TemplateNotFound(
            template, f"clause text cannot include, import or extend other templates ({template!r}); "
            "put shared wording in a clause of its own and refer to it with ref()"
        )


def template_loader(search_path: list[Path], builtin: Path) -> BaseLoader:
    """First match wins along `search_path`; the packaged defaults stay reachable as `builtin/NAME`."""
    return ChoiceLoader(
        [
            PrefixLoader({BUILTIN_PREFIX: _ContainedLoader([str(builtin)])}),
            _ContainedLoader([str(folder) for folder in search_path if folder.is_dir()]),
        ]
    )


# ---------------------------------------------------------------- render limits


def _too_long(what: str, size: int, cap: int, value: Any = "") -> RenderLimitError:
    unit = "characters" if isinstance(value, str) else "items"
    return limit_error(f"{what} would make {size:,} {unit}; the limit is {cap:,} ({LIMITS_HINT})")


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)) else 0


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_percent_format(text: str, arguments: Any, cap: int) -> None:
    """`'%999999999s' % x` and `'%*s' % (10**9, x)` would allocate the width before anything can stop them."""
    values = arguments if isinstance(arguments, tuple) else (arguments,)
    for match in _PERCENT_SPEC.finditer(text):
        for part in match.groups():
            if part == "*":
                width = max((abs(value) for value in values if _is_int(value)), default=0)
            else:
                width = int(part) if part else 0
            if width > cap:
                raise _too_long(f"the format {match.group(0)!r}", width, cap)


def _check_format_string(text: str, cap: int) -> None:
    """The same for `'{:>999999999}'.format(x)`; nested widths such as `{:{w}}` are refused outright."""
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:
        return  # str.format itself reports the malformed string
    for _literal, _name, spec, _conversion in fields:
        if not spec:
            continue
        if "{" in spec:
            raise limit_error(f"nested format fields such as {{:{spec}}} are not allowed in templates")
        for number in re.findall(r"\d+", spec):
            if int(number) > cap:
                raise _too_long(f"the format spec {spec!r}", int(number), cap)


def _replaced_length(text: str, old: str, new: str) -> int:
    """The length of `text.replace(old, new)`, without building it."""
    if not old:
        return len(text) + (len(text) + 1) * len(new)
    return len(text) + text.count(old) * (len(new) - len(old))


def _bounded_list(values: Any, what: str, cap: int, separator: int | None = None) -> list[Any]:
    """The items of `values`, stopping once they (joined with `separator`, if given) would pass `cap`."""
    items: list[Any] = []
    total = 0
    for item in values:
        if separator is None:
            total += 1 + _size(item)
        else:
            total += (len(item) if isinstance(item, str) else len(str(item))) + (separator if items else 0)
        if total > cap:
            raise _too_long(what, total, cap, "" if separator is not None else [])
        items.append(item)
    return items


def _capped_chunks(chunks: Iterator[str], cap: int) -> Iterator[str]:
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > cap:
            # Thrown into the template's generator, so the message can name the template line.
            chunks.throw(limit_error(f"the output passed {cap:,} characters ({LIMITS_HINT})"))  # type: ignore[attr-defined]
        yield chunk


class _LimitedTemplate(Template):
    """`render()` under the environment's limits: a deadline, an output cap, and recursion as a clean error."""

    environment: LimitedSandbox

    def render(self, *args: Any, **kwargs: Any) -> str:
        limits = self.environment.limits
        context = self.new_context(dict(*args, **kwargs))
        try:
            with render_deadline(limits):
                chunks = _capped_chunks(self.root_render_func(context), limits.output_bytes)
                return self.environment.concat(chunks)  # type: ignore[attr-defined,no-any-return]
        except Exception:
            try:
                self.environment.handle_exception()  # re-raises with the traceback mapped to template lines
            except RecursionError as error:
                raise limit_error(
                    "a macro, block or include calls itself without end (recursion too deep)"
                ).with_traceback(error.__traceback__) from None
            except MemoryError as error:
                raise limit_error(
                    f"the render ran out of memory; the output may be at most {limits.output_bytes:,} characters "
                    f"({LIMITS_HINT})"
                ).with_traceback(error.__traceback__) from None
            raise  # pragma: no cover - handle_exception always raises


class LimitedSandbox(ImmutableSandboxedEnvironment):
    """The sandbox plus limits: no internals, no mutation of the data, and no value or output bigger than
    `limits.output_bytes`, no render longer than `limits.render_seconds`.

    Sizes are checked before the work where Python would otherwise allocate first (`*`, `**`, `%`,
    padding, join, format widths); everything else is checked on the result, and the deadline
    catches loops. Immutable: a clause cannot change the numbers another clause shows.
    """

    template_class = _LimitedTemplate
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *args: Any, limits: Limits | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits if limits is not None else Limits()
        self.globals.pop("lipsum", None)  # placeholder text has no place in a contract, and is a size bomb
        self.globals["range"] = self._range
        self.globals["namespace"] = self._namespace_class()
        self.filters = {name: self._guarded_filter(name, function) for name, function in self.filters.items()}

    @property
    def limits(self) -> Limits:
        return self._limits

    @limits.setter
    def limits(self, limits: Limits) -> None:
        self._limits = limits
        self.cap = int(limits.output_bytes)  # read on every intercepted operation: a plain int

    # -- values

    def _check_size(self, what: str, value: Any) -> Any:
        size = _size(value)
        if size > self.cap:
            raise _too_long(what, size, self.cap, value)
        return value

    def _range(self, *args: Any) -> range:
        numbers = range(*args)
        if len(numbers) > MAX_RANGE:
            raise limit_error(f"range() of {len(numbers):,} numbers; the limit is {MAX_RANGE:,}")
        return numbers

    def _namespace_class(self) -> type[Namespace]:
        environment = self

        class CappedNamespace(Namespace):
            def __setitem__(self, name: str, value: Any) -> None:
                environment._check_size(f"namespace value {name!r}", value)
                super().__setitem__(name, value)

        return CappedNamespace

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        cap = self.cap
        if operator == "*":
            for count, sequence in ((left, right), (right, left)):
                if _is_int(count) and _size(sequence) and count * _size(sequence) > cap:
                    raise _too_long("the repetition", count * _size(sequence), cap, sequence)
            if _is_int(left) and _is_int(right) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise limit_error(f"the product would have more than {MAX_INT_BITS:,} bits")
        elif operator == "**":
            if _is_int(left) and _is_int(right) and abs(left) > 1 and right > 0:
                bits = right * math.log2(abs(left))
                if bits > MAX_INT_BITS:
                    digits = int(bits * math.log10(2))
                    raise limit_error(f"{left} ** {right} would have about {digits:,} digits; refused")
        elif operator == "+":
            if _size(left) and _size(right) and _size(left) + _size(right) > cap:
                raise _too_long("the sum", _size(left) + _size(right), cap, left)
        elif operator == "%" and isinstance(left, str):
            _check_percent_format(left, right, cap)
        return self._check_size("the result", super().call_binop(context, operator, left, right))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        text = value.__self__
        _check_format_string(text, self.cap)
        if not isinstance(text, Wording) or value.__name__ != "format":
            return wrapper
        # A phrase from strings.yaml: an unknown field names the key and line in strings.yaml, and a phrase
        # filled with HTML (a macro's output) is escaped itself, as `(phrase|e).format(...)` would be.
        html = super().wrap_str_format(Markup.escape(text).format)
        assert html is not None

        def checked(*args: Any, **kwargs: Any) -> str:
            text.check_fields(kwargs)
            marked_up = any(isinstance(item, Markup) for item in (*args, *kwargs.values()))
            return html(*args, **kwargs) if marked_up else wrapper(*args, **kwargs)

        return checked

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        cap = __self.cap
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            args = __self._check_str_method(owner, getattr(__obj, "__name__", ""), args, kwargs)
        for value in (*args, *kwargs.values()):
            __self._check_size("an argument", value)
        result = super().call(__context, __obj, *args, **kwargs)
        if _size(result) > cap:
            raise _too_long("the call's result", _size(result), cap, result)
        return result

    def _check_str_method(self, text: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
        cap = self.cap
        numbers = [value for value in (*args, *kwargs.values()) if _is_int(value)]
        if name in ("ljust", "rjust", "center", "zfill") and numbers and numbers[0] > cap:
            raise _too_long(f"{name}()", numbers[0], cap)
        if name == "expandtabs" and numbers and numbers[0] * text.count("\t") > cap:
            raise _too_long("expandtabs()", numbers[0] * text.count("\t"), cap)
        if name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
            grown = _replaced_length(text, args[0], args[1])
            if grown > cap:
                raise _too_long("replace()", grown, cap)
        if name == "join" and args:
            return (_bounded_list(args[0], "join()", cap, len(text)), *args[1:])
        return args

    # -- filters

    def _guarded_filter(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        environment = self

        # pass_context, pass_eval_context and pass_environment filters get that first, then the value.
        skip = 1 if getattr(function, "jinja_pass_arg", None) is not None else 0

        @functools.wraps(function)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            args = environment._check_filter_arguments(name, skip, args, kwargs)
            return environment._check_size(f"the {name} filter's result", function(*args, **kwargs))

        return guarded

    def _check_filter_arguments(
        self, name: str, skip: int, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[Any, ...]:
        cap = self.cap
        values = list(args[skip:])
        numbers = [value for value in (*values[1:], *kwargs.values()) if _is_int(value)]
        text = str(values[0]) if values and isinstance(values[0], str) else ""
        if name in ("center", "slice", "batch") and numbers and numbers[0] > cap:
            raise _too_long(f"the {name} filter", numbers[0], cap, "" if name == "center" else [])
        if name == "indent" and numbers and numbers[0] * (text.count("\n") + 1) > cap:
            raise _too_long("the indent filter", numbers[0] * (text.count("\n") + 1), cap)
        if name == "format" and text:
            _check_percent_format(text, tuple(values[1:]), cap)
        if name == "replace" and len(values) >= 3:
            grown = _replaced_length(text, str(values[1]), str(values[2]))
            if grown > cap:
                raise _too_long("the replace filter", grown, cap)
        if name in ("join", "list", "sort", "unique", "reverse") and values and not isinstance(values[0], str):
            separator = (len(str(values[1])) if len(values) > 1 else 0) if name == "join" else None
            items = _bounded_list(values[0], f"the {name} filter", cap, separator)
            return (*args[:skip], items, *values[1:])
        return args


# ---------------------------------------------------------------- the two environments


def clause_environment(limits: Limits | None = None, sandbox: type[LimitedSandbox] = LimitedSandbox) -> LimitedSandbox:
    """Clause bodies: sandboxed and limited, a missing value is an error, data is escaped for Markdown.
    (`slagen validate` passes its caching subclass as `sandbox`.)"""
    return sandbox(
        loader=_NoTemplates(),
        undefined=StrictUndefined,
        autoescape=False,
        finalize=escape_markdown,
        keep_trailing_newline=True,
        limits=limits,
    )


def page_environment(loader: BaseLoader, limits: Limits | None = None) -> LimitedSandbox:
    """Page templates: sandboxed and limited, a missing value is an error, always HTML-escaped (any file name)."""
    return LimitedSandbox(loader=loader, undefined=StrictUndefined, autoescape=True, limits=limits)
