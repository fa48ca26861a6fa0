"""Languages in the models: BCP 47 codes, text given in several languages, and per-language overlays of data texts."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Discriminator, Field, Tag

_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-[A-Z]{2})?$")


def _language(value: str) -> str:
    from babel.core import Locale, UnknownLocaleError

    if not _CODE.match(value):
        raise ValueError(f"{value!r} is not a BCP 47 language code; use e.g. 'en', 'de', 'zh'")
    try:
        Locale.parse(value, sep="-")
    except (UnknownLocaleError, ValueError) as error:
        raise ValueError(f"{value!r} is not a language Babel knows; use e.g. 'en', 'de', 'zh'") from error
    return value


LanguageCode = Annotated[str, AfterValidator(_language)]

# `localized:` on a data file: per language, the same keys as the file (only the texts), e.g.
# {zh: {legal_name: 山东华欣饮料有限公司}}; anything left out stays as written in the provider's language.
Localized = Annotated[
    dict[LanguageCode, dict[str, Any]],
    Field(
        description="Texts of this file in other languages, by BCP 47 code: the same keys as the file, texts only, "
        "e.g. {zh: {legal_name: '山东华欣饮料有限公司'}}; what is left out stays in the provider's language."
    ),
]


def _shape(value: object) -> str:
    return "dict" if isinstance(value, dict) else "list" if isinstance(value, list) else "str"


def _tag(kind: Any) -> str:
    origin = getattr(kind, "__origin__", kind)
    return "dict" if origin is dict or (isinstance(kind, type) and issubclass(kind, BaseModel)) else "list"


def text_or_map(text: Any, mapping: Any) -> Any:
    """A field that is a text or a mapping (or a list): the input's own shape picks the type, so a mistake in a
    text is reported as that, not also as "should be a mapping" (the tags are dropped from messages' field names)."""
    return Annotated[Annotated[text, Tag("str")] | Annotated[mapping, Tag(_tag(mapping))], Discriminator(_shape)]


def pick(value: str | dict[str, str], language: str, source: str) -> str | None:
    """The text of `value` in `language` (a plain string is in the `source` language); None when it has none."""
    if isinstance(value, str):
        return value if language == source else None
    return value.get(language)
