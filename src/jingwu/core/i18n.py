"""Chinese first: message ids are the Chinese text; English comes from a Babel catalog."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES = ("zh", "en")
DEFAULT_LOCALE = "zh"
CATALOG_DIR = Path(__file__).resolve().parent.parent / "locale"


@lru_cache(maxsize=8)
def _catalog(locale: str) -> dict[str, str]:
    path = CATALOG_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string}


def translate(text: str, locale: str) -> str:
    if locale == DEFAULT_LOCALE:
        return text
    return _catalog(locale).get(text, text)


def pick_locale(requested: str | None, accept_language: str | None = None) -> str:
    """Chinese unless the user chose English (``?lang=en``, kept in a cookie).

    The browser's Accept-Language is deliberately not followed: a station's machines often
    ship with an English browser, and a half-translated page is worse than a Chinese one.
    """
    del accept_language
    return requested if requested in LOCALES else DEFAULT_LOCALE
