"""`build --all`: the stale outputs grouped into tasks, rendered by worker processes, written as each one
finishes. A failing task (a user's mistake or a bug) never stops the others, nothing is reported built
that is not on disk, and the manifest (saved under a lock) records exactly what was written."""

from __future__ import annotations

import gc
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slagen.batch_result import BatchResult
from slagen.build import load_strings, plan_outputs, render_job
from slagen.comparison import render_compare
from slagen.errors import SlagenError
from slagen.fastcheck import stamp
from slagen.forkpool import run_forked
from slagen.incremental import MANIFEST_NAME, FileHasher, Manifest, Output
from slagen.output import display, leftover_temps, remove_stale_temps, update_atomic, write_outputs
from slagen.sources import Job
from slagen.templating import LimitedSandbox, clause_environment
from slagen.workspace import Workspace

# For tests only: a worker raises a RuntimeError (a stand-in for a bug) in the task whose label follows
# "raise in: ", e.g. SLAGEN_TEST_FAULT_IN_TASK="raise in: standard for nordwerk", or dies there as if killed
# ("exit in: ", with --jobs 2 or more). Nothing else reads it.
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
    peak_mb: float = 0.0  # the peak memory (RSS) of the process that rendered it, so far
    cpu_seconds: float = 0.0  # the processor time the task took in its worker
    worker: int = 0  # the process id of the worker that rendered it
    worker_task: int = 0  # 1 for a worker's first task (its caches still cold), 2 for its second, ...
    warnings: list[str] = field(default_factory=list)  # what rendering warned of (a stand-in font)

    def failure_lines(self, *, debug: bool) -> list[str]:
        """The console lines of a failed task: its problems and every output it did not write."""
        lines = self.traceback.rstrip("\n").splitlines() if debug and self.traceback else []
        lines += [f"failed {self.task.label}:", *(f"  {problem}" for problem in self.errors)]
        return lines + [f"  not written: {output.path}" for output in self.task.outputs]


def internal_error(error: BaseException) -> str:
    """A bug's one-line report: what was raised, and that it is ours to fix."""
    return (
        f"internal error: {type(error).__name__}: {error}; this is a bug in slagen, not in your files: "
        "please report it with the traceback that --debug shows"
    )


_WORKER: dict[str, Any] = {}


class _CompilingSandbox(LimitedSandbox):
    """The clause sandbox compiling each clause text and condition once per worker: a worker's documents share
    them. Renders are not remembered (unlike validate's CachingSandbox): each document differs, and a
    worker's memory must not grow with every document it makes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._compiled: dict[Any, Any] = {}

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
        if not isinstance(source, str) or globals is not None or template_class is not None:
            return super().from_string(source, globals, template_class)
        if source not in self._compiled:
            self._compiled[source] = super().from_string(source)  # a syntax error raises, and is not kept
        return self._compiled[source]

    def compile_expression(self, source: str, undefined_to_none: bool = True) -> Any:
        key = (source, undefined_to_none)
        if key not in self._compiled:
            self._compiled[key] = super().compile_expression(source, undefined_to_none)
        return self._compiled[key]


def _worker_caches(ws: Workspace) -> dict[str, Any]:
    """This worker's clause sandbox, kept across its tasks (each clause compiles once per worker)."""
    if "environment" not in _WORKER:
        _WORKER["environment"] = clause_environment(ws.config.model.limits, _CompilingSandbox)
    return {"environment": _WORKER["environment"]}


def peak_memory() -> int | None:
    """This process's peak resident memory in bytes, where the platform tells."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _run_task(task: Task) -> TaskResult:
    """In a worker: render one task's stale outputs to bytes (the parent writes them); never raises."""
    started = time.process_time()
    # No collections while the task runs, one after it (and one after its contract, in render_job): a task
    # makes little cyclic garbage before then, and collecting it as it goes cost 7-10 % of a contract's CPU.
    collecting = gc.isenabled()
    gc.disable()
    try:
        done = _render_task(task)
    finally:
        gc.collect()
        if collecting:
            gc.enable()
    from slagen.render.fonts import take_warnings

    done.warnings = take_warnings()
    done.cpu_seconds = time.process_time() - started
    peak = peak_memory()
    done.peak_mb = peak / 2**20 if peak is not None else 0.0
    done.worker = os.getpid()
    if _WORKER.get("counted_in") != done.worker:  # a forked worker inherits the parent's count: start again
        _WORKER.update(counted_in=done.worker, tasks_done=0)
    _WORKER["tasks_done"] += 1
    done.worker_task = _WORKER["tasks_done"]
    return done


def _render_task(task: Task) -> TaskResult:
    ws: Workspace = _WORKER["ws"]
    templates: Path | None = _WORKER["templates"]
    started = time.perf_counter()
    try:
        if os.environ.get(FAULT_ENV) == f"raise in: {task.label}":
            raise RuntimeError(f"fault injected by {FAULT_ENV}")
        if os.environ.get(FAULT_ENV) == f"exit in: {task.label}" and os.getpid() != _WORKER.get("parent"):
            os._exit(9)
        if task.tier is None:
            files = {"compare.pdf": render_compare(ws, None, load_strings(ws, templates), templates)}
        else:
            job = Job(ws.tiers[task.tier], ws.customers[task.customer] if task.customer else None)
            formats = tuple(output.kind for output in task.outputs)
            rendered = render_job(ws, job, formats, templates, **_worker_caches(ws))
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
    _WORKER.clear()  # caches belong to one workspace
    _WORKER.update(ws=ws, templates=templates, parent=os.getpid())
    try:
        for done in _execute(tasks, jobs):
            result.notes.extend(warning for warning in done.warnings if warning not in result.notes)
            if not done.errors:
                _write_task(out, done)
            if done.errors:
                result.failed[done.task.label] = done.errors
                result.not_written[done.task.label] = [output.path for output in done.task.outputs]
            else:
                for output in done.task.outputs:
                    manifest.record(output, hasher.fingerprint(output), done.files[output.path])
                    result.built.append(output.path)
            result.tasks.append({"tier": done.task.tier, "customer": done.task.customer,
                                 "seconds": round(done.seconds, 3), "cpu_seconds": round(done.cpu_seconds, 3),
                                 "peak_mb": round(done.peak_mb, 1), "worker": done.worker,
                                 "worker_task": done.worker_task, "ok": not done.errors})
            result.worker_peak_mb = max(result.worker_peak_mb, done.peak_mb)
            if on_result is not None:
                on_result(done)
    finally:  # even when interrupted: what is on disk is in the manifest
        result.built.sort()
        complete = not result.failed and set(result.built) | set(result.up_to_date) == {o.path for o in outputs}
        whole = shard is None and templates is None
        manifest.workspace = _workspace_stamp(ws, outputs, hasher) if complete and whole else None
        _save_manifest(out, manifest, result)
    result.seconds = time.perf_counter() - started
    return result


def _workspace_stamp(ws: Workspace, outputs: list[Output], hasher: FileHasher) -> dict[str, Any] | None:
    """What the next `build --all` compares to answer "nothing changed" without loading (slagen.fastcheck)."""
    config = ws.config.model
    folders = [ws.root / "tiers", ws.root / "clauses", ws.defaults_root / "clauses",
               *(ws.root / folder for folder in config.customers), *ws.template_dirs(None), ws.root / "assets"]
    inputs = [path for output in outputs for path in output.inputs]
    if config.provider.branding.logo is not None:
        inputs.append(ws.root / config.provider.branding.logo)
    try:
        return stamp(ws.root, ws.defaults_root, folders, inputs, hasher, [output.path for output in outputs],
                     config.limits)
    except (SlagenError, OSError):  # no stamp: the next build --all simply loads the workspace
        return None


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
    forked = jobs > 1 and len(tasks) > 1
    if forked:
        # fork: workers inherit the loaded workspace, the imported renderers, fontconfig and Pango set up, and
        # the default stylesheet, the clause sandbox and page environments (filled as each worker goes). A worker
        # leaves after some tasks, or once it has grown, and a fresh one is forked from here (slagen.forkpool).
        from slagen.render.pdf import warm_up

        warm_up()
        _worker_caches(_WORKER["ws"])
    # What exists now lives as long as the batch: leave it out of every garbage collection, here and in the
    # workers, so that a collection sweeps only what the tasks made (render_job collects after a contract).
    gc.freeze()
    try:
        if forked:
            yield from run_forked(tasks, min(jobs, len(tasks)), _run_task, _worker_died)
        else:
            for task in tasks:
                yield _run_task(task)
    finally:
        gc.unfreeze()


def worker_environment(ws: Workspace) -> Any:
    """The clause environment of a `build --all` worker: it compiles each clause text and condition once."""
    return _worker_caches(ws)["environment"]


def _worker_died(task: Task, error: BaseException) -> TaskResult:
    """The task of a worker that died (killed, out of memory): it fails, the others carry on."""
    problem = f"the worker process building it stopped ({type(error).__name__}: {error or 'no answer'})"
    return TaskResult(task, {}, [internal_error(RuntimeError(problem))], 0.0)
