"""strings.yaml in other languages: `templates/strings.LANG.yaml` mirrors the wording of strings.yaml, each file
checked for missing keys (an error) and for translating an older `version` of strings.yaml (a warning)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from slagen.errors import InputError
from slagen.files import InputScope, shown
from slagen.loader import Location, YamlDocument, dotted, read_yaml
from slagen.model_errors import pydantic_problems
from slagen.strings import STRINGS_FILE, Strings, find_strings, read_strings, worded

# Not wording: settings and English grammar that a translation leaves out (it inherits them).
ENGLISH_ONLY = frozenset({"contents_levels", "countries_with_the", "version"})
# Pages newer than the translations: where a translation has none of their words yet, the English ones stand in.
ENGLISH_FALLBACK = frozenset({"scorecard"})
TRANSLATION_KEYS = frozenset({"translates"})


def strings_file(language: str) -> str:
    return STRINGS_FILE.replace(".yaml", f".{language}.yaml")


def find_translation(folders: list[Path], language: str) -> Path | None:
    name = strings_file(language)
    return next((folder / name for folder in folders if os.path.lexists(folder / name)), None)


def _missing(source: Any, translated: Any, location: Location) -> list[Location]:
    """Wording keys of `source` that `translated` lacks, as locations."""
    if isinstance(source, dict):
        if not isinstance(translated, dict):
            return [location]
        found: list[Location] = []
        for key, value in source.items():
            if not location and (key in ENGLISH_ONLY or (key in ENGLISH_FALLBACK and key not in translated)):
                continue
            if key not in translated:
                found.append((*location, key))
            else:
                found.extend(_missing(value, translated[key], (*location, key)))
        return found
    return []


def _overlay(source: Any, translated: Any) -> Any:
    if isinstance(source, dict) and isinstance(translated, dict):
        merged = dict(source)
        for key, value in translated.items():
            merged[key] = _overlay(source[key], value) if key in source else value
        return merged
    return translated


def read_translation(
    path: Path, english: dict[str, Any], english_doc: YamlDocument, scope: InputScope
) -> tuple[dict[str, Any], YamlDocument, list[str]]:
    """The strings of one language: the translation laid over the English data, its document and warnings.

    Every key of strings.yaml with wording must be there (`strings.de.yaml:1: summary.title: missing
    translation`); a translation of an older strings.yaml `version` is a stale warning."""
    doc = read_yaml(path, shown(path), scope)
    data = doc.data if isinstance(doc.data, dict) else {}
    problems = [f"{doc.where(location)}: {dotted(location)}: missing translation"
                for location in _missing(english, data, ())]
    version = english.get("version")
    translates = data.get("translates")
    warnings: list[str] = []
    if version is not None and translates is None:
        problems.append(f"{doc.where(())}: translates: missing; name the strings.yaml version this translates "
                        f"(now {version!r})")
    elif version is not None and str(translates) != str(version):
        warnings.append(f"{doc.where(('translates',))}: translates: warning: translates version {translates!r} of "
                        f"{english_doc.path}, which is now at {version!r}; the translation may be stale")
    if problems:
        raise InputError(problems[0], problems=problems)
    merged = _overlay({key: value for key, value in english.items() if key != "version"},
                      {key: value for key, value in data.items() if key not in TRANSLATION_KEYS})
    try:
        model = Strings.model_validate(merged)
    except ValidationError as error:
        problems = pydantic_problems(error, doc)
        raise InputError(problems[0], problems=problems) from None
    return model.model_dump(by_alias=True, exclude_none=True), doc, warnings


def load_strings_in(
    folders: list[Path], scope: InputScope, defaults: Path, language: str, source: str
) -> tuple[dict[str, Any], list[str]]:
    """Every word that is not in a clause, in `language` (strings.yaml itself for the source language),
    with the warnings reading it gave."""
    path = find_strings(folders)
    if path is None:
        raise InputError(f"{STRINGS_FILE}: not found in any templates folder")
    english, english_doc = read_strings(path, scope, defaults)
    if language == source:
        return worded(english, english_doc), []
    translation = find_translation([*folders, defaults.parent], language)
    if translation is None:
        raise InputError(
            f"{shown(path)}:1: {language}: missing translation; add templates/{strings_file(language)} with the "
            "wording of strings.yaml in that language"
        )
    data, doc, warnings = read_translation(translation, english, english_doc, scope)
    return worded(data, doc), warnings
