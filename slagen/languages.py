"""Which languages a contract is in, the Babel locale each is formatted in, the text of a clause in a language,
and data files' texts (`localized:`) laid over their models."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from slagen.errors import InputError
from slagen.markup import OWN_ANCHOR, slugify
from slagen.model.clause import ClauseTranslation
from slagen.model.language import pick

if TYPE_CHECKING:
    from slagen.model import Clause, Customer, Tier, WorkspaceConfig
    from slagen.workspace_data import Sourced, Workspace

_HEADING = re.compile(r"^(\s*#{2,6}[ \t]+)(.*?)[ \t]*$", re.MULTILINE)
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class ContractLanguages:
    """The contract's languages in the order they are shown (one, or two side by side), the language its
    sources are written in, and for two which text prevails (a language, or None when equally authentic)."""

    source: str
    languages: tuple[str, ...]
    prevails: str | None = None

    @property
    def bilingual(self) -> bool:
        return len(self.languages) > 1

    @property
    def main(self) -> str:
        return self.languages[0]

    @property
    def own(self) -> str:
        """The customer's own language: of a pair, the one that is not the provider's (summary and comparison)."""
        return next((language for language in self.languages if language != self.source), self.languages[0])


def contract_languages(config: WorkspaceConfig, customer: Customer | None) -> ContractLanguages:
    source = config.defaults.language
    chosen = customer.language if customer is not None else None
    if chosen is None:
        return ContractLanguages(source, (source,))
    if isinstance(chosen, str):
        return ContractLanguages(source, (chosen,))
    prevails = customer.prevailing_language if customer is not None else None
    return ContractLanguages(source, tuple(chosen), None if prevails == "equal" else prevails)


def language_context(config: WorkspaceConfig, customer: Customer | None, names_locale: str, language: str
                     ) -> dict[str, Any]:
    """The contract's languages as clauses see them (`contract.languages`, `bilingual`, `prevailing_language`,
    `language_names` in the language of the text being rendered), for the clause on language and precedence."""
    from babel.core import Locale

    chosen = contract_languages(config, customer)
    codes = dict.fromkeys([*chosen.languages, language, chosen.source])
    return {
        "languages": list(chosen.languages),
        "bilingual": chosen.bilingual,
        "prevailing_language": chosen.prevails,
        "language_names": {code: str(Locale.parse(code, sep="-").get_display_name(names_locale)) for code in codes},
    }


def _territory(locale: str) -> str | None:
    from babel.core import Locale

    return Locale.parse(locale).territory


def text_locale(language: str, locale: str, source: str) -> str:
    """The Babel locale values in `language` are formatted in: the language with the customer's territory
    ("de" + de_DE: "1. März 2026", "13.800,00 €"; "zh" + zh_CN: "2026年7月1日", "¥36,000.00").
    Text in the source language keeps the customer's locale as before."""
    from babel.core import Locale, UnknownLocaleError

    if language == source:
        return locale
    base = Locale.parse(language, sep="-")
    territory = _territory(locale)
    if territory:
        try:
            Locale.parse(f"{base.language}_{territory}")
            return f"{base.language}_{territory}"
        except (ValueError, UnknownLocaleError):
            pass
    return str(base)


def document_language(language: str, locale: str) -> str:
    """The BCP 47 tag of text in `language` (what w:lang and <html lang> say): the customer's locale when it is
    in that language (en_GB: en-GB), else the language's most likely region (en: en-US, de: de-DE, zh: zh-CN)."""
    from babel.core import Locale, get_global

    parsed = Locale.parse(locale)
    base = Locale.parse(language, sep="-")
    if parsed.language == base.language and parsed.territory:
        return f"{parsed.language}-{parsed.territory}"
    likely = str(get_global("likely_subtags").get(base.language, base.language)).split("_")
    territory = next((part for part in likely[1:] if len(part) == 2 and part.isupper()), None)
    return f"{base.language}-{territory}" if territory else base.language


def clause_text(clause: Clause, language: str, source: str) -> tuple[str | None, str | None]:
    """A clause's title and body in `language`; None for what it lacks. Translated headings carry the source
    headings' anchors by position (`## Titel {:#source-slug}`), so ref() targets stay the same in every language."""
    entry = clause.translations.get(language) if language != source else None
    if isinstance(entry, ClauseTranslation):
        title, body = entry.title, entry.body
    else:
        title = pick(clause.title, language, source)
        body = pick(clause.body, language, source)
    if body is not None and language != source:
        original = pick(clause.body, source, source)
        if original is not None:
            body = anchor_headings(body, original)
    return title, body


def text_location(clause: Clause, key: str, language: str, source: str) -> tuple[str, ...]:
    """Where a clause's `key` (title or body) in `language` is, or would be, written in its file."""
    if isinstance(clause.translations.get(language), ClauseTranslation) and language != source:
        return ("translations", language, key)
    return (key,) if isinstance(getattr(clause, key), str) else (key, language)


def clause_languages(clause: Clause) -> set[str]:
    """The languages a clause has text in, besides a plain source text."""
    found = {language for language, entry in clause.translations.items() if isinstance(entry, ClauseTranslation)}
    for value in (clause.title, clause.body):
        if isinstance(value, dict):
            found.update(value)
    return found


def heading_count(body: str) -> int:
    return len(_HEADING.findall(body))


def anchor_headings(body: str, original: str) -> str:
    """`body` with each heading given the anchor of the source heading at the same position (unless it names one)."""
    anchors = [_own_anchor(title) or slugify(title) for _, title in _HEADING.findall(original)]
    position = iter(range(len(anchors)))

    def anchored(match: re.Match[str]) -> str:
        index = next(position, None)
        if index is None or _own_anchor(match.group(2)):
            return match.group(0)
        return f"{match.group(1)}{match.group(2)} {{:#{anchors[index]}}}"

    return _HEADING.sub(anchored, body)


def _own_anchor(title: str) -> str | None:
    found = OWN_ANCHOR.search(title)
    return found.group(1) if found else None


# ---------------------------------------------------------------- data files' texts in other languages


def localize(model: M, language: str, where: str) -> M:
    """`model` with the texts its `localized:` gives for `language` laid over it (recursively); unchanged
    when it has none. A key that is not a text field of the model is an InputError naming `where`."""
    overlay = getattr(model, "localized", {}).get(language)
    if not overlay:
        return model
    return _overlay(model, overlay, f"{where}: localized.{language}")


def _overlay(value: Any, overlay: Any, path: str) -> Any:
    if not isinstance(value, BaseModel | dict | list | str) and overlay == value:
        return value  # a number or a key repeated as in the file (e.g. an escalation level): nothing to translate
    if isinstance(value, BaseModel):
        if not isinstance(overlay, dict):
            raise InputError(f"{path}: expected a map of the same keys as the file")
        update = {}
        for key, text in overlay.items():
            if key not in type(value).model_fields or key == "localized":
                raise InputError(f"{path}.{key}: not a text of this file; use the same keys as the file")
            update[key] = _overlay(getattr(value, key), text, f"{path}.{key}")
        return value.model_copy(update=update)
    if isinstance(value, dict):
        if not isinstance(overlay, dict) or any(key not in value for key in overlay):
            raise InputError(f"{path}: use the keys of the file, e.g. {', '.join(map(str, value))}")
        return {key: _overlay(item, overlay[key], f"{path}.{key}") if key in overlay else item
                for key, item in value.items()}
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        if not isinstance(overlay, list) or len(overlay) != len(value):
            raise InputError(f"{path}: a list of {len(value)} entries, in the order of the file")
        return [_overlay(item, text, f"{path}[{index}]") for index, (item, text) in enumerate(zip(value, overlay,
                                                                                                   strict=True))]
    if isinstance(value, list):
        if not isinstance(overlay, list) or not all(isinstance(item, str) and item.strip() for item in overlay):
            raise InputError(f"{path}: a list of texts")
        return [item.strip() for item in overlay]
    if isinstance(value, str):
        if not isinstance(overlay, str) or not overlay.strip():
            raise InputError(f"{path}: a text")
        return overlay.strip()
    raise InputError(f"{path}: not a text of this file; only texts are translated")


def models_in(
    ws: Workspace, tier: Sourced[Tier], terms: Tier, customer: Sourced[Customer] | None, language: str | None
) -> tuple[WorkspaceConfig, Tier, Customer | None]:
    """slagen.yaml, the tier (with the customer's terms: `terms`) and the customer with their texts in
    `language` (None or the provider's language: as written)."""
    config = ws.config.model
    model = customer.model if customer is not None else None
    if language is None or language == config.defaults.language:
        return config, terms, model
    config = localize(config, language, ws.config.where("localized", language))
    terms = localize(terms, language, tier.where("localized", language))
    if model is not None and customer is not None:
        model = localize(model, language, customer.where("localized", language))
    return config, terms, model
