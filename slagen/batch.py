"""`build --all`: the stale outputs grouped into tasks, rendered by worker processes, written as each one
finishes. A failing task (a user's mistake or a bug) never stops the others, nothing is reported built
that is not on disk, and the manifest (saved under a lock) records exactly what was written."""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slagen.build import load_strings, plan_outputs, render_job
from slagen.comparison import render_compare
from slagen.errors import SlagenError
from slagen.incremental import MANIFEST_NAME, FileHasher, Manifest, Output
from slagen.output import display, leftover_temps, remove_stale_temps, update_atomic, write_outputs
from slagen.sources import Job
from slagen.workspace import Workspace

# For tests only: a worker raises a RuntimeError (a stand-in for a bug) in the task whose label follows
# "raise in: ", e.g. SLAGEN_TEST_FAULT_IN_TASK="raise in: standard for nordwerk". Nothing else reads it.
FAULT_ENV = "SLAGEN_TEST_FAULT_IN_TASK"


@dataclass
class Task:
    """What one worker renders: the stale outputs of one tier x customer (or the comparison)."""

    tier: str | None
    customer: str | None
    outputs: list[Output]
    reasons: dict[str, list[str]]

    @property
    def label(self) -> str:
        if self.tier is None:
            return "comparison"
        return f"{self.tier} for {self.customer}" if self.customer else f"{self.tier} blank template"


@dataclass
class TaskResult:
    """A task's rendered files, or why it failed; `errors` also holds a failed write once the parent tried."""

    task: Task
    files: dict[str, bytes]
    errors: list[str]
    seconds: float
    traceback: str = ""  # the traceback of an internal error (a bug), shown with --debug

    def failure_lines(self, *, debug: bool) -> list[str]:
        """The console lines of a failed task: its problems and every output it did not write."""
        lines = self.traceback.rstrip("\n").splitlines() if debug and self.traceback else []
        lines += [f"failed {self.task.label}:", *(f"  {problem}" for problem in self.errors)]
        return lines + [f"  not written: {output.path}" for output in self.task.outputs]


@dataclass
class BatchResult:
    built: list[str] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    failed: dict[str, list[str]] = field(default_factory=dict)  # task label -> problems
    not_written: dict[str, list[str]] = field(default_factory=dict)  # task label -> its outputs
    reasons: dict[str, list[str]] = field(default_factory=dict)
    stale: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)  # --check: temporary files a killed build left
    removed: list[str] = field(default_factory=list)  # stale temporary files this build removed
    errors: list[str] = field(default_factory=list)  # problems of no one task (saving the manifest)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not (self.failed or self.stale or self.leftovers or self.errors)

    def check_lines(self) -> list[str]:
        """`build --all --check` on the console: what is stale and why, what a killed build left."""
        lines = [f"stale {path} ({'; '.join(self.reasons[path])})" for path in self.stale]
        lines += [f"leftover {path} (a temporary file of a build that was killed; the next build removes it)"
                  for path in self.leftovers]
        leftover = f", {len(self.leftovers)} leftover" if self.leftovers else ""
        return [*lines, f"{len(self.stale)} stale, {len(self.up_to_date)} up to date{leftover}"]

    def summary_lines(self) -> list[str]:
        """The last lines of `build --all`; `failed` counts outputs not written, as `built` counts files."""
        lines = [f"removed {path} (a temporary file of a build that was killed)" for path in self.removed]
        failed = sum(len(paths) for paths in self.not_written.values())
        return [*lines, f"{len(self.built)} built, {len(self.up_to_date)} up to date, {failed} failed in "
                f"{self.seconds:.1f} s"]

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "built": self.built,
            "up_to_date": len(self.up_to_date),
            "stale": [{"output": path, "reasons": self.reasons.get(path, [])} for path in self.stale],
            "failed": [
                {"task": task, "errors": errors, "not_written": self.not_written.get(task, [])}
                for task, errors in self.failed.items()
            ],
            "leftovers": self.leftovers,
            "removed": self.removed,
            "errors": self.errors,
            "notes": self.notes,
            "seconds": round(self.seconds, 3),
        }


def internal_error(error: BaseException) -> str:
    """A bug's one-line report: what was raised, and that it is ours to fix."""
    return (
        f"internal error: {type(error).__name__}: {error}; this is a bug in slagen, not in your files: "
        "please report it with the traceback that --debug shows"
    )


_WORKER: dict[str, Any] = {}


def _run_task(task: Task) -> TaskResult:
    """In a worker: render one task's stale outputs to bytes (the parent writes them); never raises."""
    ws: Workspace = _WORKER["ws"]
    templates: Path | None = _WORKER["templates"]
    started = time.perf_counter()
    try:
        if os.environ.get(FAULT_ENV) == f"raise in: {task.label}":
            raise RuntimeError(f"fault injected by {FAULT_ENV}")
        if task.tier is None:
            files = {"compare.pdf": render_compare(ws, None, load_strings(ws, templates), templates)}
        else:
            job = Job(ws.tiers[task.tier], ws.customers[task.customer] if task.customer else None)
            formats = tuple(output.kind for output in task.outputs)
            rendered = render_job(ws, job, formats, templates)
            files = {f"{job.folder}/{name}": data for name, data in rendered.items()}
        return TaskResult(task, files, [], time.perf_counter() - started)
    except SlagenError as error:
        return TaskResult(task, {}, list(error.problems), time.perf_counter() - started)
    except Exception as error:  # a bug: this task fails, the others carry on
        return TaskResult(task, {}, [internal_error(error)], time.perf_counter() - started, traceback.format_exc())


def plan_tasks(
    ws: Workspace, out: Path, templates: Path | None, force: bool, shard: tuple[int, int] | None
) -> tuple[list[Task], list[Output], Manifest, FileHasher]:
    """The stale outputs, grouped into tasks; with a shard, only its deterministic slice."""
    outputs = plan_outputs(ws, templates)
    if shard is not None:
        index, count = shard
        groups = sorted({(output.tier or "", output.customer or "") for output in outputs})
        mine = {group for position, group in enumerate(groups) if position % count == index - 1}
        outputs = [output for output in outputs if (output.tier or "", output.customer or "") in mine]
    manifest = Manifest.read(out)
    hasher = FileHasher(ws.root, ws.inputs(templates), ws.config.model.limits.asset_bytes)
    tasks: dict[tuple[str | None, str | None], Task] = {}
    for output in outputs:
        reasons = ["--force"] if force else manifest.reasons(out, output, hasher.fingerprint(output))
        if not reasons:
            continue
        key = (output.tier, output.customer)
        task = tasks.setdefault(key, Task(output.tier, output.customer, [], {}))
        task.outputs.append(output)
        task.reasons[output.path] = reasons
    return list(tasks.values()), outputs, manifest, hasher


def build_all(
    ws: Workspace,
    out: Path,
    *,
    jobs: int = 1,
    force: bool = False,
    check: bool = False,
    shard: tuple[int, int] | None = None,
    templates: Path | None = None,
    on_result: Callable[[TaskResult], None] | None = None,
    on_plan: Callable[[list[Task]], None] | None = None,
) -> BatchResult:
    """Build every stale document of the workspace, in parallel; one failure does not stop the others."""
    started = time.perf_counter()
    tasks, outputs, manifest, hasher = plan_tasks(ws, out, templates, force, shard)
    result = BatchResult(notes=[manifest.note] if manifest.note else [])
    stale_paths = {output.path for task in tasks for output in task.outputs}
    result.up_to_date = [output.path for output in outputs if output.path not in stale_paths]
    for task in tasks:
        result.reasons.update(task.reasons)
    if check:
        result.stale = sorted(stale_paths)
        result.leftovers = [_relative(out, path) for path in leftover_temps(out)]
        result.seconds = time.perf_counter() - started
        return result
    result.removed = [_relative(out, path) for path in remove_stale_temps(out)]
    if on_plan is not None:
        on_plan(tasks)
    _WORKER.update(ws=ws, templates=templates)
    try:
        for done in _execute(tasks, jobs):
            if not done.errors:
                _write_task(out, done)
            if done.errors:
                result.failed[done.task.label] = done.errors
                result.not_written[done.task.label] = [output.path for output in done.task.outputs]
            else:
                for output in done.task.outputs:
                    manifest.record(output, hasher.fingerprint(output), done.files[output.path])
                    result.built.append(output.path)
            if on_result is not None:
                on_result(done)
    finally:  # even when interrupted: what is on disk is in the manifest
        result.built.sort()
        _save_manifest(out, manifest, result)
    result.seconds = time.perf_counter() - started
    return result


def _relative(out: Path, path: Path) -> str:
    return path.relative_to(out).as_posix()


def _write_task(out: Path, done: TaskResult) -> None:
    """A task's files, all or none per folder; a failure becomes the task's errors."""
    by_folder: dict[Path, dict[str, bytes]] = {}
    for path, data in done.files.items():
        target = out / path
        by_folder.setdefault(target.parent, {})[target.name] = data
    try:
        for folder, files in by_folder.items():
            write_outputs(folder, files)
    except SlagenError as error:
        done.errors = list(error.problems)
    except Exception as error:
        done.errors = [internal_error(error)]
        done.traceback = traceback.format_exc()


def _save_manifest(out: Path, manifest: Manifest, result: BatchResult) -> None:
    """Add this run's entries to the manifest on disk, under the output folder's lock (a read-modify-write:
    a shard running at the same time keeps its entries)."""
    if not result.built:
        return
    path = out / MANIFEST_NAME
    try:
        update_atomic(path, lambda raw: manifest.merged(raw, set(result.built), display(path)))
    except SlagenError as error:
        result.errors += [f"{problem}; the next build rebuilds what this one wrote" for problem in error.problems]


def _execute(tasks: list[Task], jobs: int) -> Iterator[TaskResult]:
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield _run_task(task)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # fork: workers inherit the loaded workspace and the already imported renderers.
    from slagen.render import pdf  # noqa: F401  (import once, before forking)

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context) as pool:
        futures = {pool.submit(_run_task, task): task for task in tasks}
        for future in as_completed(futures):
            try:
                done = future.result()
            except Exception as error:  # the worker itself died (killed, out of memory): that task fails
                done = TaskResult(futures[future], {}, [internal_error(error)], 0.0, traceback.format_exc())
            yield done
