"""`slagen serve` over HTTP (issue 18): the start page, previews that are the PDF's own HTML, files made on
demand without writing to the workspace, live reloads of only the pages a save affects, problems above the last
good preview, and the confinement: traversal, links out, customer files, foreign Host headers, the bind address.
The server runs as a real process on a free port (tests/serve_support.py); the browser tests are in
test_serve_browser.py."""

from __future__ import annotations

import hashlib
import io
import re
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import copy_workspace
from docx import Document as WordDocument
from pypdf import PdfReader
from serve_support import SLAGEN, Served, replace_in, start

from slagen.build import build_document, contract_html, load_strings
from slagen.sources import Job
from slagen.workspace import load_workspace

PAGE = "/contract/premium?customer=acme"
ANCHOR = "For the Supported Applications at the Covered Sites"
# What the server adds to the PDF's HTML: its stylesheet, the bar (and problems), the live script.
ADDED = re.compile(
    r'<link rel="stylesheet" href="/_serve/serve.css">\n'
    r'|<nav id="slagen-serve-bar".*?</nav>\n(?:<section id="slagen-serve-problems".*?</section>\n)?'
    r'|<script src="/_serve/live.js"[^>]*></script>\n',
    re.DOTALL,
)


def tree_state(root: Path) -> dict[str, tuple[int, str]]:
    """Every file under `root` with its modification time and content hash."""
    return {
        str(path.relative_to(root)): (path.lstat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
        for path in sorted(root.rglob("*")) if path.is_file() and not path.is_symlink()
    }


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_workspace(tmp_path_factory.mktemp("serve") / "ws")
    (root / "assets" / "passwd-link").symlink_to("/etc/passwd")
    return root


@pytest.fixture(scope="module")
def served(workspace: Path) -> Iterator[Served]:
    server = start(workspace)
    yield server
    assert server.stop() == 0


@pytest.fixture(scope="module")
def untouched(workspace: Path) -> dict[str, tuple[int, str]]:
    """The workspace as it was before any request (the live tests below edit it and put it back by hand)."""
    return tree_state(workspace)


# ---------------------------------------------------------------- what it shows


def test_it_prints_its_address_and_binds_to_loopback(served: Served) -> None:
    assert served.url.startswith("http://127.0.0.1:")
    assert served.stderr == []


def test_the_start_page_lists_every_contract_summary_and_comparison(served: Served) -> None:
    response = served.get("/")
    assert response.status == 200
    page = response.text
    for link in ('href="/contract/premium?customer=acme"', 'href="/summary/premium?customer=acme"',
                 'href="/contract/premium.pdf?customer=acme"', 'href="/contract/premium.docx?customer=acme"',
                 'href="/contract/basic"', 'href="/summary/basic.pdf"', 'href="/contract/standard?customer=nordwerk"',
                 'href="/compare"', 'href="/compare?customer=fournil"', 'href="/compare.pdf?customer=huaxin"'):
        assert link in page
    # build --all's plan: acme is on premium only, so there is no basic contract for acme
    assert "/contract/basic?customer=acme" not in page
    assert "Scorecard" in page and "slagen measure" in page


def test_the_contract_preview_is_the_html_the_pdf_is_made_from(served: Served, workspace: Path,
                                                               untouched: dict[str, tuple[int, str]]) -> None:
    response = served.get(PAGE)
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    ws = load_workspace(workspace)
    document, _ = build_document(ws, Job(ws.tiers["premium"], ws.customers["acme"]), load_strings(ws, None))
    assert ADDED.sub("", response.text) == contract_html(ws, document)
    assert 'id="slagen-serve-problems"' not in response.text
    assert f'data-page="{PAGE}"' in response.text


def test_the_summary_and_comparison_previews_load_the_logo_through_the_confined_route(
    served: Served, workspace: Path
) -> None:
    summary = served.get("/summary/premium?customer=acme").text
    assert "Prepared for" in summary and "Acme Nutraceuticals, Inc." in summary
    logos = re.findall(r'<img class="logo" src="([^"]+)"', summary)
    assert logos and logos[0].startswith(f"/_serve/files{workspace.resolve()}/")
    logo = served.get(logos[0])
    assert logo.status == 200 and logo.headers["Content-Type"].startswith("image/")
    assert logo.body == (workspace / logos[0].split(f"{workspace.resolve()}/")[1]).read_bytes()
    compare = served.get("/compare?customer=nordwerk")
    assert compare.status == 200 and "Nordwerk Backwaren GmbH" in compare.text


def test_the_pdf_and_word_files_are_made_on_demand_without_writing_to_the_workspace(
    served: Served, workspace: Path, untouched: dict[str, tuple[int, str]]
) -> None:
    # The one-page summary (the contract's 16-page PDF comes from the same `render_job` and takes 5 s more).
    pdf = served.get("/summary/premium.pdf?customer=acme")
    assert pdf.status == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert "acme-premium-summary.pdf" in pdf.headers["Content-Disposition"]
    pages = PdfReader(io.BytesIO(pdf.body)).pages
    assert len(pages) == 1 and "Acme Nutraceuticals" in pages[0].extract_text()
    word = served.get("/contract/premium.docx?customer=acme")
    assert word.status == 200
    paragraphs = [paragraph.text for paragraph in WordDocument(io.BytesIO(word.body)).paragraphs]
    assert any("Acme Nutraceuticals" in paragraph for paragraph in paragraphs)
    assert served.get("/contract/premium.docx?customer=acme").body == word.body  # made once per change
    assert tree_state(workspace) == untouched
    assert not (workspace / "dist").exists()


def test_unknown_pages_are_404_with_the_reason(served: Served) -> None:
    response = served.get("/contract/gold?customer=acme")
    assert response.status == 404 and "unknown tier 'gold'" in response.text
    assert served.get("/contract/premium?customer=nobody").status == 404
    assert served.get("/summary/premium.docx").status == 404  # a summary is a PDF only
    assert served.get("/nothing/here").status == 404


# ---------------------------------------------------------------- safe by default


@pytest.mark.parametrize(
    "path",
    [
        "/_serve/files/etc/passwd",
        "/_serve/files{ws}/../../../../etc/passwd",
        "/_serve/files{ws}/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/_serve/files{ws}/assets/passwd-link",
        "/_serve/files{ws}/../outside",
    ],
    ids=["absolute", "dot-dot", "encoded-dot-dot", "symlink-out", "next-to-the-workspace"],
)
def test_files_outside_the_workspace_are_refused(served: Served, workspace: Path, path: str) -> None:
    response = served.get(path.format(ws=workspace.resolve()))
    assert response.status == 403
    assert "refused to load" in response.text and "outside the folders the build may read" in response.text
    assert "root:" not in response.text


@pytest.mark.parametrize(
    "path",
    ["/../../etc/passwd", "/contract/..%2F..%2Fetc%2Fpasswd", "/contract/premium?customer=../../../../etc/passwd.yaml",
     "/contract/premium?customer=%2Fetc%2Fpasswd"],
    ids=["raw-dot-dot", "tier-dot-dot", "customer-yaml-path", "customer-absolute"],
)
def test_paths_in_page_addresses_name_nothing(served: Served, path: str) -> None:
    response = served.get(path)
    assert response.status == 404
    assert "root:" not in response.text


def test_a_foreign_host_header_is_refused(served: Served) -> None:
    """A web page elsewhere cannot read the previews through a DNS name pointing at 127.0.0.1."""
    assert served.get("/", headers={"Host": f"attacker.example:{served.port}"}).status == 403
    assert served.get(PAGE, headers={"Host": f"localhost:{served.port}"}).status == 200


def test_previews_may_not_reach_the_network(served: Served) -> None:
    policy = served.get(PAGE).headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy and "img-src 'self' data:" in policy


def non_loopback_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def test_the_default_bind_is_unreachable_from_other_addresses(served: Served) -> None:
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no address but loopback to try from")
    with pytest.raises(OSError), socket.create_connection((address, served.port), timeout=2):
        pass


def test_another_host_is_served_with_a_warning(workspace: Path) -> None:
    server = start(workspace, "--host", "0.0.0.0", "--workspace", workspace.name, cwd=workspace.parent)
    try:
        assert server.url.startswith("http://0.0.0.0:")
        assert 'href="/contract/premium?customer=acme"' in server.get("/").text
        assert server.get("/", headers={"Host": f"192.0.2.7:{server.port}"}).status == 200
    finally:
        server.stop()
    assert any("warning: --host 0.0.0.0: anyone who can reach this machine" in line for line in server.stderr)


def test_a_port_in_use_is_a_usage_error(workspace: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([*SLAGEN, "serve", "--port", str(port)], cwd=workspace, capture_output=True,
                                text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == f"--port {port}: the port is in use; choose another (0 picks a free one)"


# ---------------------------------------------------------------- live


def test_a_save_reloads_the_pages_it_affects_and_only_those(served: Served, workspace: Path) -> None:
    """named-engineer is a clause of premium only: the basic contract is not rendered again."""
    assert served.get("/contract/basic").status == 200
    premium, basic = served.events(PAGE), served.events("/contract/basic")
    try:
        first, basic_first = premium.next_version(10), basic.next_version(10)
        assert first and basic_first
        clause = workspace / "clauses" / "named-engineer.yaml"
        original = clause.read_text(encoding="utf-8")
        title = re.search(r"^title: (.*)$", original, re.MULTILINE)
        assert title is not None
        replace_in(clause, f"title: {title.group(1)}", f"title: {title.group(1)} Livecheck")
        try:
            second = premium.next_version(10)
            assert second not in (None, first)
            assert "Livecheck" in served.get(PAGE).text
            assert basic.next_version(1.5) is None
            word = WordDocument(io.BytesIO(served.get("/contract/premium.docx?customer=acme").body))
            assert any("Livecheck" in paragraph.text for paragraph in word.paragraphs)  # not the file made before
        finally:
            clause.write_text(original, encoding="utf-8")
        assert premium.next_version(10) not in (None, second)
        assert "Livecheck" not in served.get(PAGE).text
    finally:
        premium.close()
        basic.close()


def test_a_page_open_since_before_the_server_started_gets_its_version(served: Served) -> None:
    """A tab left open across a restart reconnects its event stream: it must learn the page's new version (and
    reload), not wait for ever on a page this server never rendered."""
    stream = served.events("/contract/standard?customer=nordwerk")
    try:
        version = stream.next_version(20)
        assert isinstance(version, str) and version
    finally:
        stream.close()


def test_the_start_page_reloads_when_a_customer_file_appears_and_goes(served: Served, workspace: Path) -> None:
    assert served.get("/").status == 200
    stream = served.events("/")
    new = workspace / "examples" / "customers" / "acme-two.yaml"
    try:
        first = stream.next_version(10)
        text = (workspace / "examples" / "customers" / "acme.yaml").read_text(encoding="utf-8")
        new.write_text(text.replace("short_name: acme", "short_name: acme-two"), encoding="utf-8")
        second = stream.next_version(10)
        assert second not in (None, first)
        assert 'href="/contract/premium?customer=acme-two"' in served.get("/").text
        new.unlink()
        assert stream.next_version(10) not in (None, second)
        assert "acme-two" not in served.get("/").text
    finally:
        new.unlink(missing_ok=True)
        stream.close()


def test_a_template_folder_that_goes_and_comes_back_is_followed(served: Served, workspace: Path) -> None:
    """Without templates/ the packaged page templates serve; back, the workspace's own win again (Jinja's cache
    would keep the packaged one), and its files are watched again."""
    stream = served.events(PAGE)
    css = workspace / "templates" / "contract.css"
    original = css.read_text(encoding="utf-8")
    away = workspace.parent / "templates-away"
    try:
        assert stream.next_version(10)
        css.write_text(original + "\n/* Foldercheck */\n", encoding="utf-8")
        assert stream.next_version(10) and "Foldercheck" in served.get(PAGE).text
        (workspace / "templates").rename(away)
        assert stream.next_version(10) and "Foldercheck" not in served.get(PAGE).text
        away.rename(workspace / "templates")
        assert stream.next_version(10) and "Foldercheck" in served.get(PAGE).text
        css.write_text(original + "\n/* Againcheck */\n", encoding="utf-8")
        assert stream.next_version(10) and "Againcheck" in served.get(PAGE).text
    finally:
        if away.exists():
            away.rename(workspace / "templates")
        css.write_text(original, encoding="utf-8")
        stream.close()


def test_a_broken_tier_shows_its_problem_above_the_last_good_preview_then_recovers(
    served: Served, workspace: Path
) -> None:
    stream = served.events(PAGE)
    tier = workspace / "tiers" / "premium.yaml"
    clause = workspace / "clauses" / "scope.yaml"
    original_clause = clause.read_text(encoding="utf-8")
    try:
        stream.next_version(10)
        replace_in(clause, ANCHOR, f"{ANCHOR} (Goodword)")
        assert stream.next_version(10) is not None
        replace_in(tier, "level: 3", "level: three")
        assert stream.next_version(10) is not None
        broken = served.get(PAGE).text
        problems = re.search(r'<section id="slagen-serve-problems".*?</section>', broken, re.DOTALL)
        assert problems is not None
        assert ("<code>tiers/premium.yaml:5: level: Input should be a valid integer, unable to parse string as an "
                "integer (got &#39;three&#39;)</code>") in problems.group(0)
        assert broken.index("slagen-serve-problems") < broken.index("Goodword")  # the last good preview, below
        assert "Premium support between" in broken
        replace_in(tier, "level: three", "level: 3")
        assert stream.next_version(10) is not None
        fixed = served.get(PAGE).text
        assert "slagen-serve-problems" not in fixed and "Goodword" in fixed
    finally:
        tier.write_text(tier.read_text(encoding="utf-8").replace("level: three", "level: 3"), encoding="utf-8")
        clause.write_text(original_clause, encoding="utf-8")
        stream.close()


def test_a_workspace_broken_at_start_is_served_with_its_problems(tmp_path: Path) -> None:
    root = copy_workspace(tmp_path / "ws")
    replace_in(root / "tiers" / "premium.yaml", "level: 3", "level: three")
    server = start(root)
    try:
        message = ("tiers/premium.yaml:5: level: Input should be a valid integer, unable to parse string as an "
                   "integer (got &#39;three&#39;)")
        assert message in server.get("/").text
        page = server.get(PAGE)
        assert page.status == 200 and message in page.text and "No preview yet" in page.text
        assert server.get("/contract/premium.pdf?customer=acme").status == 422
    finally:
        server.stop()
    assert "the workspace has problems: the pages show them until they are fixed" in "".join(server.stderr)


def test_a_scorecard_is_previewed_for_a_ticket_export_named_on_the_command_line(tmp_path: Path) -> None:
    """`--tickets acme=FILE`: the start page lists acme's scorecard; the preview is the scorecard's own HTML and
    follows a save of the export."""
    root = copy_workspace(tmp_path / "ws")
    export = root / "examples" / "tickets" / "acme-canonical.csv"
    server = start(root, "--tickets", f"acme={export.relative_to(root)}")
    try:
        assert 'href="/scorecard/premium?customer=acme"' in server.get("/").text
        page = "/scorecard/premium?customer=acme"
        first = server.get(page)
        assert first.status == 200 and "slagen-serve-problems" not in first.text
        assert "Q1 2026 service scorecard" in first.text and "<svg" in first.text
        stream = server.events(page)
        try:
            version = stream.next_version(10)
            rows = export.read_text(encoding="utf-8").splitlines()
            export.write_text(rows[0] + "\n", encoding="utf-8")  # the header alone
            assert stream.next_version(10) not in (None, version)
            broken = server.get(page).text
            assert "<code>examples/tickets/acme-canonical.csv: no tickets after the header line</code>" in broken
            assert broken.index("slagen-serve-problems") < broken.index("<svg")  # the last good scorecard, below
        finally:
            stream.close()
        assert server.get("/scorecard/premium?customer=huaxin").status == 200  # listed nowhere: its problem
    finally:
        server.stop()
