"""What every command shares: the global options' state, the one place errors are caught, and output helpers."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

if TYPE_CHECKING:
    from slagen.workspace import Workspace

# Set by the global options (app.main_options) before any command runs.
state: dict[str, Any] = {"debug": False, "workspace": None}
F = TypeVar("F", bound=Callable[..., Any])

# Options several commands take, worded once.
CustomerOption = Annotated[
    str | None, typer.Option("--customer", "-c", help="Customer short name, or a path to a customer YAML file.")
]
OutOption = Annotated[Path, typer.Option("--out", "-o", help="Output root; files go to OUT/<customer>/.")]
TemplatesOption = Annotated[
    Path | None, typer.Option("--templates", help="Folder whose templates override the workspace's.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
PdfVariantOption = Annotated[
    str | None,
    typer.Option(
        "--pdf-variant",
        help="PDF variant: 'pdf/ua-1' (accessible, PDF/UA-1), 'pdf/a-3b' (archival) and the others WeasyPrint "
        "knows. Every PDF is tagged for assistive technology either way.",
    ),
]
UpdateFieldsOption = Annotated[
    bool,
    typer.Option(
        "--update-fields-on-open",
        help="Make Word offer to update the fields (contents, cross-references) each time it opens the DOCX. "
        "Without it the file opens silently: every field already shows its result.",
    ),
]


def err(text: str) -> None:
    """One line on stderr, as written (no markup, no highlighting)."""
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True).print(text, markup=False)


def handles_errors(command: F) -> F:
    """Only here are errors caught: a SlagenError prints its lines and exits 1 (2 for usage).

    Ctrl-C and SIGTERM end the command cleanly too: temporary files are removed on the way out,
    earlier outputs stay as they were, and the exit code is 128 + the signal number (130, 143).
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import signal
        import threading

        from slagen.errors import Interrupted, SlagenError, UsageError

        def terminate(signum: int, _frame: Any) -> None:
            raise Interrupted(signum)

        in_main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, terminate) if in_main else None
        try:
            return command(*args, **kwargs)
        except SlagenError as error:
            if state["debug"]:
                import traceback

                traceback.print_exc()
            for problem in error.problems:
                err(problem)
            raise typer.Exit(2 if isinstance(error, UsageError) else 1) from None
        except (KeyboardInterrupt, RuntimeError) as caught:
            interrupt = _interrupt_behind(caught)
            if interrupt is None:
                raise
            if state["debug"]:
                import traceback

                traceback.print_exc()
            signum = interrupt.signum if isinstance(interrupt, Interrupted) else signal.SIGINT
            err(f"interrupted by {signal.Signals(signum).name}; no output was left half-written")
            raise typer.Exit(128 + signum) from None
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    return wrapper  # type: ignore[return-value]


def _interrupt_behind(error: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl-C or SIGTERM that `error` is or wraps. Python wraps an exception raised while a class is being
    created (`__set_name__`, as when the signal lands in the middle of an import) in a RuntimeError."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def load() -> Workspace:
    """The workspace the global --workspace option names, else the nearest slagen.yaml upward."""
    from slagen.workspace import find_workspace, load_workspace

    return load_workspace(find_workspace(explicit=state["workspace"]))


def print_warnings(ws: Workspace) -> None:
    for warning in ws.warnings:
        err(warning)
