"""Chat markup a question may carry, removed before it is answered.

Readers paste questions from a chat: mentions of users, roles and channels (`<@123>`, `<@&1>`,
`<#2>`), `@everyone` and `@here`, mentions typed as plain text (`@briefbot`), custom and Unicode
emoji, timestamps, links and Markdown. None of it is part of what they ask; left in, a mention's
digits would read as a figure the articles never give. Link texts (`[text](url)`) and the words
inside Markdown are kept.
"""

from __future__ import annotations

import re
import unicodedata

_MENTION = re.compile(r"<(?:@[!&]?|#)\d+>|<a?:\w+:\d+>|<t:-?\d+(?::\w)?>|</[\w -]+:\d+>")
_EVERYONE = re.compile(r"(?<!\w)@(?:everyone|here)\b")
# A mention typed as plain text ("@briefbot", "@mods"): Discord leaves it as written when it names
# nobody it knows; it addresses someone, it is no word of the question. An address (a@b.c) stays.
_TYPED_MENTION = re.compile(r"(?<![\w.])@[\w.-]+")
_LINK_TEXT = re.compile(r"\[([^\]]*)\]\(\s*<?https?://[^)\s]*>?\s*\)")
_URL = re.compile(r"<?(?:https?://|www\.)\S+>?")
_SHORTCODE = re.compile(r"(?<!\w):[a-z0-9_+-]+:(?!\w)")
# Emoji and pictographs, their modifiers (skin tones, variation selectors, joiners, tags).
_EMOJI_CATEGORIES = frozenset({"So", "Sk", "Cs", "Co"})
_EMOJI_JOINERS = frozenset({"\u200d", "\ufe0e", "\ufe0f", "\u20e3"})


def clean(text: str) -> str:
    """The question without chat markup, whitespace collapsed."""
    text = _MENTION.sub(" ", text)
    text = _EVERYONE.sub(" ", text)
    text = _TYPED_MENTION.sub(" ", text)
    text = _LINK_TEXT.sub(r"\1", text)
    text = _URL.sub(" ", text)
    text = _SHORTCODE.sub(" ", text)
    text = "".join(" " if _is_emoji(c) else c for c in text)
    return " ".join(text.split())


def _is_emoji(char: str) -> bool:
    if char in _EMOJI_JOINERS or "\U000e0020" <= char <= "\U000e007f":
        return True
    return ord(char) > 0x2000 and unicodedata.category(char) in _EMOJI_CATEGORIES
