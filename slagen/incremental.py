"""Which outputs are stale: the inputs each output depends on, their hashes, and the manifest of the last build."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slagen import __version__
from slagen.errors import InputError, UsageError
from slagen.files import DEFAULT_ASSET_BYTES, InputScope, shown
from slagen.output import display

MANIFEST_NAME = ".slagen-manifest.json"
MANIFEST_VERSION = 1
VERSION_KEY = "slagen version"
# Inputs read as text (YAML, templates, stylesheets) have the text limit; the rest (images, fonts) the asset one.
TEXT_SUFFIXES = (".yaml", ".yml", ".j2", ".html", ".css", ".txt", ".md")


@dataclass(frozen=True)
class Output:
    """One file a build writes, and every input file it is made from."""

    path: str  # relative to the output root, e.g. "acme/acme-premium-sla.pdf"
    kind: str  # docx, pdf, summary or compare
    tier: str | None
    customer: str | None  # short name; None for blank templates and the comparison
    inputs: tuple[Path, ...]


@dataclass
class FileHasher:
    """Hashes each input file once per run; a workspace of hundreds of documents shares most inputs.

    Every file is read through `scope` (confined, regular files only, bounded): a FIFO in templates/
    is an error naming it, never a read that blocks; a link to /dev/zero never streams.
    """

    root: Path
    scope: InputScope
    asset_bytes: int = DEFAULT_ASSET_BYTES
    cache: dict[Path, str] = field(default_factory=dict)

    def digest(self, path: Path) -> str:
        if path not in self.cache:
            scope = self.scope if path.suffix in TEXT_SUFFIXES else self.scope.for_assets(self.asset_bytes)
            try:
                self.cache[path] = scope.digest(path, shown(path))
            except InputError:
                if not os.path.lexists(path):
                    self.cache[path] = "missing"  # removed since the plan: the build reports it
                else:
                    raise
        return self.cache[path]

    def name(self, path: Path) -> str:
        """How an input is named in the manifest and in messages: relative to the workspace when inside it."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return f"<slagen>/{path.name}" if "slagen" in path.parts else str(path)

    def fingerprint(self, output: Output) -> dict[str, str]:
        prints = {self.name(path): self.digest(path) for path in output.inputs}
        prints[VERSION_KEY] = __version__
        return dict(sorted(prints.items()))


def output_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


@dataclass
class Manifest:
    """What the last build wrote: per output, the hashes of its inputs and of the file itself.

    A manifest slagen did not write as it is (garbage, another shape, unreadable) is ignored with a
    `note`: that costs a full rebuild, never a crash.
    """

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    note: str | None = None
    # What a whole-workspace build saw when every output was up to date (slagen.fastcheck); any other run
    # that saves the manifest drops it.
    workspace: dict[str, Any] | None = None

    @classmethod
    def read(cls, out: Path) -> Manifest:
        path = out / MANIFEST_NAME
        if not os.path.lexists(path):
            return cls()
        try:
            # Through the input checks: a FIFO or device in its place must not block or stream.
            raw = InputScope(confined=False, limit=DEFAULT_ASSET_BYTES).read_bytes(path, display(path))
        except InputError as error:
            return cls(note=f"{'; '.join(error.problems)}; {IGNORED}")
        return cls.parse(raw, display(path))

    @classmethod
    def parse(cls, raw: bytes, where: str) -> Manifest:
        """The manifest in `raw`, or an empty one with a note saying why it was ignored."""
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return cls(note=f"{where}: not a JSON file slagen wrote; {IGNORED}")
        problem = _shape_problem(data)
        if problem is not None:
            return cls(note=f"{where}: {problem}; {IGNORED}")
        stamp = data.get("workspace")
        return cls(dict(data["outputs"]), workspace=stamp if isinstance(stamp, dict) else None)

    def merged(self, raw: bytes | None, paths: set[str], where: str) -> bytes:
        """The manifest on disk now (`raw`; another build may have saved it since this one read it) with
        this run's entries for `paths`: two builds at once each add what they built."""
        current = Manifest.parse(raw, where).entries if raw else {}
        current.update({path: self.entries[path] for path in paths})
        return Manifest(current, workspace=self.workspace).to_bytes()

    def to_bytes(self) -> bytes:
        data: dict[str, Any] = {"manifest_version": MANIFEST_VERSION, "outputs": dict(sorted(self.entries.items()))}
        if self.workspace is not None:
            data["workspace"] = self.workspace
        return (json.dumps(data, indent=1, sort_keys=True) + "\n").encode()

    def reasons(self, out: Path, output: Output, fingerprint: dict[str, str]) -> list[str]:
        """Why `output` must be (re)built; empty when it is up to date."""
        entry = self.entries.get(output.path)
        target = out / output.path
        if not target.is_file():
            return ["missing"]
        if entry is None:
            return ["not built by slagen before"]
        if output_digest(target) != entry.get("sha256"):
            return ["the file was changed by hand"]
        before: dict[str, str] = entry.get("inputs", {})
        changed = [name for name, digest in fingerprint.items() if before.get(name) != digest]
        removed = [name for name in before if name not in fingerprint]
        return [f"{name} changed" for name in changed] + [f"{name} no longer used" for name in removed]

    def record(self, output: Output, fingerprint: dict[str, str], data: bytes) -> None:
        self.entries[output.path] = {"inputs": fingerprint, "sha256": hashlib.sha256(data).hexdigest()}


IGNORED = "the manifest is ignored and everything is rebuilt"


def _json_kind(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return {dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number"}[type(value)]


def _shown(value: Any) -> str:
    """A scalar as JSON writes it (shortened), anything else by its kind: a note never echoes a whole file."""
    if isinstance(value, dict | list):
        return _json_kind(value)
    text = json.dumps(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def _shape_problem(data: Any) -> str | None:
    """What is wrong with the shape of a parsed manifest, as `field: message`; None when it is right."""
    if not isinstance(data, dict):
        return f"expected an object with manifest_version and outputs, got {_json_kind(data)}"
    if data.get("manifest_version") != MANIFEST_VERSION:
        return f"manifest_version: expected {MANIFEST_VERSION}, got {_shown(data.get('manifest_version'))}"
    outputs = data.get("outputs")
    if not isinstance(outputs, dict):
        return f"outputs: expected an object of output paths, got {_json_kind(outputs)}"
    for path, entry in outputs.items():
        where = f"outputs[{json.dumps(path)}]"
        if not isinstance(entry, dict):
            return f"{where}: expected an object, got {_json_kind(entry)}"
        if not isinstance(entry.get("sha256"), str):
            return f"{where}.sha256: expected a string, got {_json_kind(entry.get('sha256'))}"
        inputs = entry.get("inputs")
        if not isinstance(inputs, dict):
            return f"{where}.inputs: expected an object, got {_json_kind(inputs)}"
        for name, digest in inputs.items():
            if not isinstance(digest, str):
                return f"{where}.inputs[{json.dumps(name)}]: expected a string, got {_json_kind(digest)}"
    return None


def template_files(folders: list[Path]) -> list[Path]:
    """Every file a page template could include, first match wins per name as the loader does."""
    chosen: dict[str, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for dirpath, _dirs, files in os.walk(folder):
            for name in files:
                path = Path(dirpath) / name
                chosen.setdefault(path.relative_to(folder).as_posix(), path)
    return [chosen[name] for name in sorted(chosen)]


def parse_shard(text: str) -> tuple[int, int]:
    """`K/N` -> (K, N) with 1 <= K <= N."""
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise UsageError(f"--shard {text!r}: use K/N, e.g. 1/4") from None
    if not 1 <= index <= count:
        raise UsageError(f"--shard {text!r}: K must be between 1 and N")
    return index, count
