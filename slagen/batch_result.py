"""What `build --all` did, as the console and `--json` show it; light (no models), so the no-op check of
slagen.fastcheck can answer with it before anything heavy is imported."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class BatchResult:
    """What one `build --all` built, found up to date, failed or would build (`--check`)."""

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
    tasks: list[dict[str, Any]] = field(default_factory=list)  # per task, in finishing order: its seconds
    worker_peak_mb: float = 0.0  # the largest peak memory of a process that rendered a task

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
            "tasks": self.tasks,
            "worker_peak_mb": round(self.worker_peak_mb, 1),
        }
