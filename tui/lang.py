"""The language of the UI: Chinese or English, chosen once per app.

`pioneer review --lang zh|en` chooses it; otherwise the locale does, read
as POSIX reads it: the first of `LC_ALL`, `LC_MESSAGES`, `LANG` that is set
and not empty. A locale starting `en` gives English, one starting `zh`
Chinese, and anything else (`C`, `POSIX`, unset) Chinese, the language of
the shipped campaigns.

Every string the UI shows comes from `tui.catalogue` through `tr`. Campaign
content (award titles, criterion titles, names, typed reasons) is never
translated: it reaches the templates as fields.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal, get_args

from tui.catalogue import CATALOGUE

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
"""Read in this order; the first one set (and not empty) decides."""

_current: list[Lang] = ["zh"]


def detect(environ: Mapping[str, str] | None = None) -> Lang:
    """The UI language the locale in `environ` (default: this process's) asks for."""
    env = os.environ if environ is None else environ
    for name in LOCALE_VARIABLES:
        value = env.get(name, "")
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


def chosen(value: str | None) -> Lang | None:
    """`value` (`--lang`) as a language, None when it names none (the locale decides)."""
    for lang in LANGS:
        if value == lang:
            return lang
    return None


def use(lang: Lang) -> None:
    """Make `lang` the language of every string shown from now on."""
    _current[0] = lang


def text_in(lang: Lang, key: str) -> str:
    """The template of `key` in `lang` (unfilled)."""
    zh, en = CATALOGUE[key]
    return en if lang == "en" else zh


def tr(key: str, /, **fields: object) -> str:
    """The catalogue's text for `key` in the current language, `fields` filled in."""
    text = text_in(_current[0], key)
    return text.format(**fields) if fields else text


def tr_map(keys: Mapping[str, str], value: str) -> str:
    """`value` shown through `keys` (value -> catalogue key); an unknown value as it is."""
    key = keys.get(value)
    return tr(key) if key is not None else value
