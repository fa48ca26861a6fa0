"""`slagen validate` on many customers: what its caches remember never hides a problem (issue 12 item 9).

Speed is measured in bench/ (bench/validate_bench.py), never asserted here. These tests check that the
fast path reports what rendering every document from scratch reports, and names the customer whose
data alone breaks a placeholder.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
import yaml

from slagen.build import Job, build_document, load_strings, render_clauses
from slagen.context import build_context
from slagen.errors import InputError, TemplateError
from slagen.markup import MarkupCache
from slagen.rendercache import CachingSandbox
from slagen.templating import clause_environment
from slagen.validation import check_renders
from slagen.workers import worker_count
from slagen.workspace import load_workspace, terms_for
from tests.conftest import REPO, run_cli

_spec = importlib.util.spec_from_file_location("make_workspace", REPO / "bench" / "make_workspace.py")
assert _spec is not None and _spec.loader is not None
make_workspace: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_workspace)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped workspace plus generated customers, 200 in all; one of them has a third site."""
    root = make_workspace.make_workspace(tmp_path_factory.mktemp("many") / "ws", 200)
    _edit(root / "examples" / "customers" / "gen-0117.yaml", "sites:\n",
          "sites:\n  - {name: Third plant, city: Ulm, country: DE}\n")
    return root


def test_generated_workspace_is_valid(many: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(many)
    result = run_cli("validate")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("ok: 4 tiers, 19 clauses, 200 customers")


def test_a_placeholder_only_one_customers_data_breaks_names_that_customer(
    many: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every other document renders this clause with a cached answer; gen-0117's third site still fails."""
    root = make_workspace.copy_shipped(tmp_path / "ws")
    for customer in (many / "examples" / "customers").glob("gen-*.yaml"):
        (root / "examples" / "customers" / customer.name).write_bytes(customer.read_bytes())
    _edit(root / "clauses" / "parties.yaml", "  each a **\"Party\"**",
          "  {% if customer.sites | length > 2 %}Also: {{ customer.sites[2].postcode }}.{% endif %}\n\n"
          "  each a **\"Party\"**")
    monkeypatch.chdir(root)
    result = run_cli("validate")
    assert result.exit_code == 1
    where = (root / "examples" / "customers" / "gen-0117.yaml").relative_to(root).as_posix()
    assert result.lines == [
        "clauses/parties.yaml:14: body: postcode is undefined; no data provides it "
        f"(for customer 'gen-0117', {where}:1)"
    ]


def test_a_problem_every_document_has_is_listed_once_without_a_customer(many: Path, monkeypatch: pytest.MonkeyPatch,
                                                                         tmp_path: Path) -> None:
    root = make_workspace.make_workspace(tmp_path / "ws", 30)
    _edit(root / "clauses" / "scope.yaml", "body: |\n", "body: |\n  VAT: {{ customer.vat_id }}\n")
    monkeypatch.chdir(root)
    result = run_cli("validate")
    assert result.exit_code == 1
    assert result.lines == ["clauses/scope.yaml:7: body: customer.vat_id is undefined; no data provides it"]


def test_two_workers_report_what_one_does(many: Path) -> None:
    ws = load_workspace(many)
    assert check_renders(ws, workers=2) == check_renders(ws, workers=1) == []


# ---------------------------------------------------------------- the cache gives what a fresh render gives

# Clause text that reads data in every way a template can: whole values, loops, filters, method calls,
# constant and computed indexes, tests, a closure (credits.example), and an error for some data only.
PROBE = """\
  Probe: {{ customer.legal_name | upper }} / {{ customer.sites | map(attribute='name') | join('; ') }}
  {% for site in customer.sites %}{{ loop.index }}. {{ site.city or site.country }} {% endfor %}
  {% set first = customer.sites[0] %}{{ first.name }} {{ customer.sites[-1].country }}
  {{ contract.locale }} {{ contract.currency }} {{ tier.targets | length }} {{ customer.address_lines[1] }}
  {% if customer.products | length > 2 %}{{ customer.products[2] | title }}{% endif %}
  {% if contract.offer_valid_until %}{{ contract.offer_valid_until }}{% else %}{{ 10 // customer.sites | length }}
  {%- endif %}
  {% if customer.sites | length > 1 %}{{ customer.sites[1].city.upper() }}{% endif %}
  {{ credits.example('2026-01', [99, 98]).last.credit if credits else '' }}

"""


def _texts(environment: Any, ws: Any, job: Job, strings: dict[str, Any]) -> Any:
    tier = terms_for(job.tier.model, job.customer)
    context = build_context(ws.config.model, tier, job.customer.model if job.customer else None, strings)
    try:
        return [(text.clause_id, text.markdown) for text in render_clauses(ws, tier, context, environment)]
    except (TemplateError, InputError) as error:
        return error.problems


def test_cached_renders_equal_fresh_renders(tmp_path: Path) -> None:
    root = make_workspace.make_workspace(tmp_path / "ws", 60)
    _edit(root / "clauses" / "scope.yaml", "body: |\n", "body: |\n" + PROBE)
    ws = load_workspace(root)
    strings = load_strings(ws, None)
    cached = clause_environment(ws.config.model.limits, CachingSandbox)
    assert isinstance(cached, CachingSandbox)
    cached.keys.pin(strings)
    outcomes = set()
    for tier in ws.tiers.values():
        for customer in [None, *(item for item in ws.customers.values() if tier.model.id in item.model.tiers)]:
            job = Job(tier, customer)
            fresh = _texts(clause_environment(ws.config.model.limits), ws, job, strings)
            assert _texts(cached, ws, job, strings) == fresh, (tier.model.id, customer and customer.model.short_name)
            outcomes.add("error" if isinstance(fresh[0], str) else "ok")
    assert outcomes == {"ok", "error"}  # the probe fails for some documents (blank: one site, 10 // 1 fine...)
    assert cached.renders < cached.lookups / 2  # and the cache did answer most renders


def test_validate_documents_equal_fresh_documents(tmp_path: Path) -> None:
    """The whole document (blocks, numbering) built with the shared caches is the one a build makes."""
    root = make_workspace.make_workspace(tmp_path / "ws", 25)
    ws = load_workspace(root)
    strings = load_strings(ws, None)
    cached = clause_environment(ws.config.model.limits, CachingSandbox)
    markup = MarkupCache()
    for tier in ws.tiers.values():
        for customer in [None, *(item for item in ws.customers.values() if tier.model.id in item.model.tiers)]:
            job = Job(tier, customer)
            fresh, _ = build_document(ws, job, strings)
            again, _ = build_document(ws, job, strings, environment=cached, markup=markup)
            assert again == fresh


# ---------------------------------------------------------------- the YAML fast path


def _tree(node: Any) -> Any:
    """A composed YAML node as plain data: kind, tag, style, line and value, all the way down."""
    if node is None:
        return None
    where = (type(node).__name__, node.tag, node.start_mark.line)
    if isinstance(node, yaml.ScalarNode):
        return (*where, node.style, node.value)
    if isinstance(node, yaml.SequenceNode):
        return (*where, [_tree(item) for item in node.value])
    return (*where, [(_tree(key), _tree(value)) for key, value in node.value])


TRICKY_YAML = [
    "a: 1\nb: '2'\nc: \"x\\ty\"\nd: |\n  line\n   more\ne: >-\n  folded\n  text\n",
    "plain: multi\n  line plain\nempty:\nnull: ~\nlist: [1, 2.50, {x: y}]\n",
    "- &anchor a\n- b\n",
    "key: !!str 010\ndate: 2026-01-01\nbool: yes\n",
    "%YAML 1.1\n---\na: 1\n...\n",
    "a: 'it''s'\nb: \"\\u00e9\\x41\"\n? complex\n: value\n",
]


@pytest.mark.parametrize("text", TRICKY_YAML)
def test_fast_yaml_composes_what_pyyaml_composes(text: str) -> None:
    from slagen import fastyaml

    fast = fastyaml.compose(text)
    assert fast is not None
    assert _tree(fast) == _tree(yaml.compose(text, Loader=yaml.SafeLoader))  # PyYAML's own, pure Python


def test_fast_yaml_on_every_yaml_file_of_the_repository() -> None:
    from slagen import fastyaml

    files = [path for path in REPO.rglob("*.y*ml") if ".venv" not in path.parts and "billion" not in path.name]
    assert len(files) > 30
    for path in files:
        text = path.read_text(encoding="utf-8")
        fast = fastyaml.compose(text)
        try:
            expected = yaml.compose(text, Loader=yaml.SafeLoader)
        except (yaml.YAMLError, RecursionError):
            assert fast is None, path  # an error: only the usual path words it
            continue
        assert fast is not None or any(char in text for char in fastyaml.UNSURE), path
        if fast is not None:
            assert _tree(fast) == _tree(expected), path


def test_fast_yaml_leaves_aliases_and_errors_to_the_usual_path() -> None:
    from slagen import fastyaml

    assert fastyaml.compose("a: &x 1\nb: *x\n") is None
    assert fastyaml.compose("a: [1, 2\n") is None
    assert fastyaml.compose("a:\tb\n") is None


# ---------------------------------------------------------------- small pieces


def test_worker_count_is_capped_by_cores_and_memory() -> None:
    mib = 2**20
    assert worker_count(8, 300 * mib, 2, 64 * 2**30).count == 2
    assert worker_count(8, 300 * mib, 16, 1000 * mib).count == 3
    assert worker_count(8, 300 * mib, 16, 100 * mib).count == 1
    assert worker_count(None, 300 * mib, 4, None).count == 4
    assert worker_count(2, 300 * mib, 4, None) == worker_count(2, 300 * mib, 4, None)
    capped = worker_count(8, 300 * mib, 2, 64 * 2**30)
    assert capped.note == "note: --jobs 8 capped at 2 workers (2 usable cores; 64.0 GiB of memory available, " \
        "about 300 MiB a worker)"
    assert worker_count(2, 300 * mib, 4, None).note is None


def test_build_all_notes_a_capped_jobs_count(workspace: Path) -> None:
    result = run_cli("build", "--all", "--jobs", "9999", "--check")
    assert result.exit_code == 1  # nothing is built yet
    assert result.lines[0].startswith("note: --jobs 9999 capped at ")
    assert "usable core" in result.lines[0]
