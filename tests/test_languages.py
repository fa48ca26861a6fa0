"""Contracts in the customer's language: the German example customer's documents read back (python-docx, pypdf),
a Chinese contract with its CJK fonts, validate's translation errors and stale warnings, and redlines of Chinese
text by character. Each document is built once per module."""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from lxml import etree
from pypdf import PdfReader

from slagen.diff import diff_inlines
from slagen.document import Delete, Insert, Span
from slagen.errors import InputError
from slagen.workspace import load_workspace
from tests.conftest import REPO, copy_workspace, run_cli
from tests.test_bad_inputs import has_cjk_font

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]{4,}")
_NOT_WORDING = re.compile(r"\{[{%#].*?[}%#]\}|\{[a-z_]+\}|\S+@\S+|https?://\S+", re.DOTALL)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def docx_text(path: Path) -> str:
    word = docx.Document(str(path))
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    return "\n".join([*(paragraph.text for paragraph in word.paragraphs), *cells])


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _words(value: Any) -> set[str]:
    """Every word (four letters or more) of the wording in a YAML value, Jinja and {fields} left out."""
    if isinstance(value, dict):
        return set().union(*(_words(item) for item in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_words(item) for item in value)) if value else set()
    if isinstance(value, str):
        return {word.lower() for word in _WORD.findall(_NOT_WORDING.sub(" ", value))}
    return set()


def english_only_words(language: str) -> set[str]:
    """Words of the English strings and clauses that the `language` texts never use themselves (so cognates such
    as 'Standard' or 'Portal' do not count): finding one in a document in `language` is an English leftover."""
    english = _words(yaml.safe_load((REPO / "templates" / "strings.yaml").read_text()))
    own = _words(yaml.safe_load((REPO / "templates" / f"strings.{language}.yaml").read_text()))
    for path in sorted((REPO / "clauses").glob("*.yaml")):
        clause = yaml.safe_load(path.read_text())
        english |= _words([clause["title"], clause["body"]])
        own |= _words(clause.get("translations", {}).get(language, {}))
    for path in [REPO / "slagen.yaml", *sorted((REPO / "tiers").glob("*.yaml"))]:
        own |= _words(yaml.safe_load(path.read_text()).get("localized", {}).get(language, {}))
    return english - own


def leftovers(text: str, language: str) -> list[str]:
    suspects = english_only_words(language)
    return sorted({word for word in _WORD.findall(_NOT_WORDING.sub(" ", text)) if word.lower() in suspects})


def lang_attributes(path: Path) -> list[dict[str, str]]:
    """The w:lang of the document defaults, as attributes without namespace."""
    styles = etree.fromstring(zipfile.ZipFile(path).read("word/styles.xml"))
    lang = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    return [{key.split("}")[1]: value for key, value in lang.attrib.items()}]


# ---------------------------------------------------------------- German: nordwerk (language: de)


@pytest.fixture(scope="module")
def german(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """nordwerk's Standard contract (Word, PDF, summary) and comparison, built once."""
    out = tmp_path_factory.mktemp("german")
    result = run_cli("--workspace", str(REPO), "build", "standard", "--customer", "nordwerk", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    result = run_cli("--workspace", str(REPO), "compare", "--customer", "nordwerk", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    return out / "nordwerk"


def test_german_contract_has_german_headings_dates_and_money(german: Path) -> None:
    word = docx.Document(str(german / "nordwerk-standard-sla.docx"))
    headings = [p.text for p in word.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert headings[:3] == ["Vertragsparteien und Wirksamkeitsdatum", "Begriffsbestimmungen und Auslegung",
                            "Leistungsumfang"]
    assert "Servicegutschriften" in headings
    text = flat(docx_text(german / "nordwerk-standard-sla.docx"))
    assert "Diese Vereinbarung wird am 1. März 2026 (das „Wirksamkeitsdatum“) wirksam" in text
    assert "13.800,00 €" in text and "Hafenstraße 8, 20457 Hamburg, Deutschland" in text
    assert "Montag–Freitag" in text
    pdf = flat(pdf_text(german / "nordwerk-standard-sla.pdf"))
    assert "Inhaltsverzeichnis" in pdf and "Servicegutschriften" in pdf and "1. März 2026" in pdf
    # cross-references into translated sub-clauses keep their numbers: the anchors come from the English headings
    assert re.search(r"Ziffer \d+\.\d+", pdf)


def test_german_docx_says_its_text_is_german(german: Path) -> None:
    assert lang_attributes(german / "nordwerk-standard-sla.docx")[0]["val"] == "de-DE"
    reader = PdfReader(german / "nordwerk-standard-sla.pdf")
    assert reader.trailer["/Root"].get("/Lang") == "de-DE"


@pytest.mark.parametrize("name", ["nordwerk-standard-sla.docx", "nordwerk-standard-sla.pdf",
                                  "nordwerk-standard-summary.pdf", "nordwerk-compare.pdf"])
def test_german_outputs_have_no_english_leftovers(german: Path, name: str) -> None:
    path = german / name
    text = docx_text(path) if name.endswith(".docx") else pdf_text(path)
    assert leftovers(text, "de") == []


def test_german_one_pagers_stay_on_one_page(german: Path) -> None:
    for name in ("nordwerk-standard-summary.pdf", "nordwerk-compare.pdf"):
        assert len(PdfReader(german / name).pages) == 1, name
    summary = flat(pdf_text(german / "nordwerk-standard-summary.pdf"))
    assert "SUPPORTANGEBOT" in summary and "13. Februar 2026" in summary


def test_the_leftover_check_finds_english() -> None:
    assert leftovers("Der Anbieter zahlt die Service Credits within 30 days.", "de") == ["Credits", "days", "within"]


# ---------------------------------------------------------------- Chinese: huaxin with language: zh


@pytest.fixture(scope="module")
def chinese(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """huaxin's Basic contract in Chinese only (a copy of the workspace with `language: zh`), built once."""
    if not has_cjk_font():
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk; make test does it as root)")
    root = copy_workspace(tmp_path_factory.mktemp("zh") / "ws")
    customer = root / "examples" / "customers" / "huaxin.yaml"
    text = re.sub(r"(?m)^language:.*\n|^prevailing_language:.*\n", "", customer.read_text())
    customer.write_text(text.replace("locale: zh_CN\n", "locale: zh_CN\nlanguage: zh\n"))
    result = run_cli("--workspace", str(root), "build", "basic", "--customer", "huaxin", "--out", str(root / "out"),
                     "--format", "docx", "--format", "pdf")
    assert result.exit_code == 0, result.stderr
    return root / "out" / "huaxin"


def test_chinese_contract_in_chinese_with_chinese_dates_and_money(chinese: Path) -> None:
    text = flat(docx_text(chinese / "huaxin-basic-sla.docx"))
    assert "服务水平协议" in text and "2026年7月1日" in text and "¥36,000.00" in text
    assert "星期一" in text  # weekday names in Chinese
    pdf = flat(pdf_text(chinese / "huaxin-basic-sla.pdf"))
    assert "目录" in pdf and "2026年7月1日" in pdf


def embedded_fonts(pdf: Path) -> set[str]:
    """The base names of the fonts a PDF embeds (a font file in its descriptor), on every page."""
    fonts: set[str] = set()
    for page in PdfReader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                fonts.add(str(font["/BaseFont"]))
    return fonts


def test_chinese_pdf_embeds_cjk_font_subsets(chinese: Path) -> None:
    fonts = embedded_fonts(chinese / "huaxin-basic-sla.pdf")
    cjk = [name for name in fonts if "CJK-SC" in name]
    assert cjk, fonts
    assert all(re.fullmatch(r"/[A-Z]{6}\+.+", name) for name in cjk)  # subsets: a six-letter tag before the name


def test_chinese_docx_sets_east_asian_language_and_font(chinese: Path) -> None:
    assert lang_attributes(chinese / "huaxin-basic-sla.docx")[0] == {"val": "en-US", "eastAsia": "zh-CN",
                                                                      "bidi": "ar-SA"}
    styles = zipfile.ZipFile(chinese / "huaxin-basic-sla.docx").read("word/styles.xml").decode()
    assert 'w:eastAsia="Noto Serif CJK SC"' in styles and "eastAsiaTheme" not in styles


def test_chinese_output_has_no_english_leftovers(chinese: Path) -> None:
    assert leftovers(docx_text(chinese / "huaxin-basic-sla.docx"), "zh") == []


def test_english_text_for_a_chinese_customer_is_marked_english(acme_premium_and_huaxin_basic: Path) -> None:
    """The language of the text, not of the locale: zh-CN on English text made LibreOffice hyphenate English."""
    path = acme_premium_and_huaxin_basic / "huaxin" / "huaxin-basic-sla.docx"  # built in English alone
    assert lang_attributes(path)[0]["val"] == "en-US"


# ---------------------------------------------------------------- validate


@pytest.fixture
def at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder for a workspace copy, and the current directory (messages name files relative to it)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _workspace_with(tmp_path: Path, language: str = "zh") -> Path:
    root = copy_workspace(tmp_path / "ws")
    os.chdir(root)  # the `at` fixture gives the directory back
    customer = root / "examples" / "customers" / "huaxin.yaml"
    text = re.sub(r"(?m)^language:.*\n|^prevailing_language:.*\n", "", customer.read_text())
    customer.write_text(text.replace("locale: zh_CN\n", f"locale: zh_CN\nlanguage: {language}\n"))
    return root


def _problems(root: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_workspace(root)
    return list(caught.value.problems)


def test_validate_names_a_missing_translation(at: Path) -> None:
    root = _workspace_with(at)
    clause = root / "clauses" / "scope.yaml"
    text = clause.read_text()
    clause.write_text(text[: text.index("  zh:\n")])  # zh is the last translation: cut it off
    lines = text.split("\n")
    title, body = lines.index("title: Scope of Services") + 1, lines.index("body: |") + 2  # its first line
    assert _problems(root) == [  # the lines of the source text that lacks the translation
        f"clauses/scope.yaml:{title}: title.zh: missing translation",
        f"clauses/scope.yaml:{body}: body.zh: missing translation",
    ]


def test_validate_wants_the_headings_of_a_translation_parallel(at: Path) -> None:
    root = _workspace_with(at)
    clause = root / "clauses" / "scope.yaml"
    text = clause.read_text()
    zh = text.index("  zh:\n")
    heading = text.index("      ## ", zh)
    clause.write_text(text[:heading] + text[heading:].replace("      ## ", "      ", 1))
    problems = _problems(root)
    assert len(problems) == 1
    assert re.fullmatch(r"clauses/scope\.yaml:\d+: translations\.zh\.body: 3 headings where the en text has 4; "
                        r"keep the headings parallel \(ref\(\) anchors follow them\)", problems[0])


def test_validate_warns_of_a_stale_translation(at: Path) -> None:
    root = _workspace_with(at)
    clause = root / "clauses" / "scope.yaml"
    clause.write_text(clause.read_text().replace('version: "1.0"', 'version: "1.1"', 1))
    ws = load_workspace(root)
    line = clause.read_text().split("\n").index("  de:") + 2  # its `translates:`
    assert (f"clauses/scope.yaml:{line}: translations.de: warning: translates version '1.0', the source text is at "
            "'1.1'; the de text may be stale") in ws.warnings


def test_validate_needs_the_strings_of_a_language(at: Path) -> None:
    root = _workspace_with(at, "fr")
    problems = _problems(root)
    assert "templates/strings.yaml:1: fr: missing translation; a customer's contract is in 'fr': add " \
           "templates/strings.fr.yaml with the wording of strings.yaml in that language" in problems
    assert any(problem.endswith("body.fr: missing translation") for problem in problems)


def test_a_bilingual_contract_says_which_text_prevails(at: Path) -> None:
    root = _workspace_with(at, "[en, zh]")
    problems = _problems(root)
    assert len(problems) == 1
    assert problems[0].endswith("prevailing_language: missing; say which text prevails ('en' or 'zh') or 'equal' "
                                "when both are equally authentic")


def test_a_language_must_be_a_bcp47_code(at: Path) -> None:
    problems = _problems(_workspace_with(at, "Chinese"))
    assert len(problems) == 1 and "language: 'Chinese' is not a BCP 47 language code" in problems[0]


# ---------------------------------------------------------------- redlines of Chinese text


def test_a_changed_figure_in_chinese_is_a_small_change() -> None:
    old = [Span("客户应在30日内以书面形式提出索赔，供应方在十个工作日内答复。")]
    new = [Span("客户应在45日内以书面形式提出索赔，供应方在十个工作日内答复。")]
    marked = diff_inlines(old, new)
    inserted = "".join(span.text for mark in marked if isinstance(mark, Insert) for span in mark.inlines)
    deleted = "".join(span.text for mark in marked if isinstance(mark, Delete) for span in mark.inlines)
    assert (inserted, deleted) == ("45", "30")


def test_a_changed_chinese_word_is_a_change_of_its_characters() -> None:
    marked = diff_inlines([Span("本协议以英文订立。")], [Span("本协议以中文订立。")])
    inserted = "".join(span.text for mark in marked if isinstance(mark, Insert) for span in mark.inlines)
    deleted = "".join(span.text for mark in marked if isinstance(mark, Delete) for span in mark.inlines)
    assert (inserted, deleted) == ("中", "英")


def test_build_all_counts_the_language_files_as_inputs() -> None:
    """The manifest and `build --all --check` see a change to strings.de.yaml as a change to nordwerk's contract."""
    from slagen.build import plan_outputs

    outputs = {output.path: output for output in plan_outputs(load_workspace(REPO))}
    names = {kind: {path.name for path in outputs[f"nordwerk/nordwerk-standard-{kind}"].inputs}
             for kind in ("sla.docx", "sla.pdf", "summary.pdf")}
    assert all("strings.de.yaml" in found for found in names.values())
    assert "strings.de.yaml" not in {path.name for path in outputs["acme/acme-premium-sla.docx"].inputs}
    assert {"strings.zh.yaml", "contract-bilingual.html.j2", "contract-bilingual.css"} <= {
        path.name for path in outputs["huaxin/huaxin-basic-sla.pdf"].inputs}
