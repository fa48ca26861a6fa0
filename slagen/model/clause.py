"""`clauses/*.yaml`: one clause of the library."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from slagen.model.language import LanguageCode, text_or_map
from slagen.model.types import Line, Model, Slug, Text


class ClauseTranslation(Model):
    """The clause in one more language, kept after the source text so the source keeps its place in the file."""

    translates: Line = Field(description="The `version` of the source text this translates, e.g. '1.0'.")
    title: Line = Field(description="The heading in this language.")
    body: Text = Field(
        description="The body in this language: the same headings, paragraphs, list items, table rows and Jinja "
        "expressions as the source, in the same order."
    )


class Clause(Model):
    """`clauses/*.yaml`: one clause of the library; its body is Markdown with Jinja placeholders."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="clause")

    id: Slug = Field(description="Identifier tiers list and ref() points at, e.g. 'service-credits'.")
    title: text_or_map(Line, dict[LanguageCode, Line]) = Field(  # type: ignore[valid-type]
        description="Clause heading, e.g. 'Service Credits'; or per language, e.g. {en: Service Credits, "
        "de: Servicegutschriften}."
    )
    version: Line = Field(description="Version of the wording, e.g. '1.0'.")
    status: Literal["draft", "approved"] = Field(description="Only approved clauses belong in a signed contract.")
    condition: Line | None = Field(
        default=None,
        description="Jinja expression; the clause appears only when true, e.g. 'tier.entitlements.named_engineer'.",
    )
    body: text_or_map(Text, dict[LanguageCode, Text]) = Field(  # type: ignore[valid-type]
        description="Markdown with Jinja placeholders; '## Title' starts a numbered sub-clause. Or per language, "
        "e.g. {en: ..., de: ...}: each translation keeps the same headings, paragraphs and Jinja expressions."
    )
    translations: dict[LanguageCode, text_or_map(Line, ClauseTranslation)] = Field(  # type: ignore[valid-type]
        default={},
        description="Per language: the `version` of the source text its translation (in `title` and `body` maps) "
        "translates, e.g. {de: '1.0'}; or the translation itself, {translates: '1.0', title: ..., body: ...}. "
        "validate warns when a translation translates an older version than `version`.",
    )

    def translated_version(self, language: str) -> str | None:
        """The source version the `language` translation translates (None when it names none)."""
        entry = self.translations.get(language)
        return entry.translates if isinstance(entry, ClauseTranslation) else entry
