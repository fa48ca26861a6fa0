"""`SlagenError` and its children; each `str()` is ready to print, one `path:line: field: message` per line."""

from __future__ import annotations


class SlagenError(Exception):
    """A problem the user can fix; the text names where and what."""

    exit_code = 1

    def __init__(self, message: str, *, problems: list[str] | None = None) -> None:
        self.problems = problems if problems is not None else [message]
        super().__init__(message)

    def __str__(self) -> str:
        return "\n".join(self.problems)

    def __reduce__(self) -> tuple[object, ...]:
        # Errors cross process boundaries (parallel builds): keep every problem line.
        return (_rebuild, (type(self), self.args[0] if self.args else "", self.problems))


class InputError(SlagenError):
    """The workspace's YAML is malformed or fails validation."""


class TemplateError(SlagenError):
    """A clause or page template fails to parse or render."""


class BuildError(SlagenError):
    """Writing an output failed (disk, permissions, layout)."""


class UsageError(SlagenError):
    """The command line asks for something that cannot exist (unknown tier, customer)."""


def collect(problems: list[str], error_type: type[SlagenError] = InputError) -> None:
    """Raise one error carrying every problem found, if any."""
    if problems:
        raise error_type(problems[0], problems=problems)


class Interrupted(KeyboardInterrupt):
    """SIGTERM, raised as Ctrl-C is, so that the same clean-up runs; `signum` says which signal came."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signum)


def _rebuild(kind: type[SlagenError], message: str, problems: list[str]) -> SlagenError:
    return kind(message, problems=problems)
