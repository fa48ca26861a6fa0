"""Rules on languages across files: every clause a customer's tiers use has its text in the customer's languages
(`clauses/x.yaml:line: body.zh: missing translation`), translations keep the source's headings, translations
older than their source are stale (a warning), data files' `localized:` texts fit their files, and each language
a customer needs has its strings.LANG.yaml."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slagen.errors import InputError
from slagen.files import shown
from slagen.languages import (
    clause_languages,
    clause_text,
    contract_languages,
    heading_count,
    localize,
    text_location,
)
from slagen.model.language import pick
from slagen.strings import STRINGS_FILE, find_strings, read_strings
from slagen.translations import find_translation, read_translation, strings_file

if TYPE_CHECKING:
    from slagen.model import Clause
    from slagen.workspace_data import Sourced, Workspace


def language_problems(ws: Workspace) -> list[str]:
    """Errors about languages; stale translations are recorded as warnings on the workspace."""
    source = ws.config.model.defaults.language
    problems: list[str] = []
    for clause in ws.clauses.values():
        problems.extend(_clause_shape(clause, source))
    needed: dict[str, set[str]] = {}  # language -> clause ids some customer's contract in it uses
    for customer in ws.customers.values():
        for language in contract_languages(ws.config.model, customer.model).languages:
            if language == source:
                continue
            ids = needed.setdefault(language, set())
            for tier_id in customer.model.tiers:
                if tier_id in ws.tiers:
                    ids.update(ws.tiers[tier_id].model.clauses)
            problems.extend(_localized(customer, language))
            for tier_id in customer.model.tiers:
                if tier_id in ws.tiers:
                    problems.extend(_localized(ws.tiers[tier_id], language))
            problems.extend(_localized(ws.config, language))
    for language in sorted(needed):
        for clause_id in sorted(needed[language]):
            if clause_id in ws.clauses:
                problems.extend(_missing(ws.clauses[clause_id], language, source))
        problems.extend(_strings(ws, language))
    for clause in ws.clauses.values():
        ws.warnings.extend(warning for warning in _stale(clause, source) if warning not in ws.warnings)
    return list(dict.fromkeys(problems))


def _clause_shape(clause: Sourced[Clause], source: str) -> list[str]:
    """A text given per language includes the source language; a translation has as many headings as its
    source; each translation names the source version it translates."""
    problems = []
    model = clause.model
    for key in ("title", "body"):
        value = getattr(model, key)
        if isinstance(value, dict) and source not in value:
            problems.append(f"{clause.where(key)}: {key}.{source}: missing; the text in the provider's language "
                            "is the source every translation translates")
    original = pick(model.body, source, source)
    for language in sorted(clause_languages(model) - {source}):
        _, body = clause_text(model, language, source)
        location = text_location(model, "body", language, source)
        if original is not None and body is not None:
            found, expected = heading_count(body), heading_count(original)
            if found != expected:
                problems.append(f"{clause.where(*location)}: {'.'.join(location)}: {found} headings where the "
                                f"{source} text has {expected}; keep the headings parallel (ref() anchors follow them)")
        if model.translated_version(language) is None:
            problems.append(f"{clause.where('translations')}: translations.{language}: missing; name the version "
                            f"of the source text the {language} translation translates, e.g. {model.version!r}")
    return problems


def _missing(clause: Sourced[Clause], language: str, source: str) -> list[str]:
    title, body = clause_text(clause.model, language, source)
    return [
        f"{clause.where(*text_location(clause.model, key, language, source))}: {key}.{language}: missing translation"
        for key, text in (("title", title), ("body", body))
        if text is None
    ]


def _stale(clause: Sourced[Clause], source: str) -> list[str]:
    model = clause.model
    warnings = []
    for language in sorted(clause_languages(model) - {source}):
        translated = model.translated_version(language)
        if translated is not None and translated != model.version:
            entry = model.translations[language]
            at = ("translations", language) if isinstance(entry, str) else ("translations", language, "translates")
            warnings.append(
                f"{clause.where(*at)}: translations.{language}: warning: translates version "
                f"{translated!r}, the source text is at {model.version!r}; the {language} text may be stale"
            )
    return warnings


def _localized(sourced: Sourced[object], language: str) -> list[str]:
    try:
        localize(sourced.model, language, sourced.where("localized", language))  # type: ignore[type-var]
    except InputError as error:
        return list(error.problems)
    return []


def _strings(ws: Workspace, language: str) -> list[str]:
    folders = ws.template_dirs(None)
    defaults = ws.defaults_root / "templates" / STRINGS_FILE
    path = find_strings(folders)
    translation = find_translation([*folders, defaults.parent], language)
    if path is None:
        return []
    if translation is None:
        return [f"{shown(path)}:1: {language}: missing translation; a customer's contract is in {language!r}: add "
                f"templates/{strings_file(language)} with the wording of strings.yaml in that language"]
    try:
        english, english_doc = read_strings(path, ws.inputs(None), defaults)
        _, _, warnings = read_translation(translation, english, english_doc, ws.inputs(None))
    except InputError as error:
        return list(error.problems)
    ws.warnings.extend(warning for warning in warnings if warning not in ws.warnings)
    return []
