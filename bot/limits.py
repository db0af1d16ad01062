"""Discord's limits, written once, and `clip`, which keeps a text within one.

From Discord's documentation (message resource: embed limits; application commands: names,
descriptions, choices; message create: content, nonce). Everything that must fit Discord imports
its number from here. The fake Discord in the tests keeps its own copy on purpose: it checks
these numbers rather than trusting them.
"""

from __future__ import annotations

import re

# Embeds
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
# Characters across all embeds of one message (title, description, fields, footer, author).
EMBEDS_TOTAL = 6000

# Messages
CONTENT = 2000
NONCE = 25

# Application commands
COMMAND_NAME = 32
COMMAND_DESCRIPTION = 100
OPTION_NAME = 32
OPTION_DESCRIPTION = 100
# Autocomplete: at most this many choices, each name and value at most CHOICE_CHARS.
CHOICES = 25
CHOICE_CHARS = 100

ELLIPSIS = "…"


# The start of a Discord timestamp (`<t:1694580000:F>`) that a cut would leave open.
_OPEN_TIMESTAMP = re.compile(r"<(?:t(?::-?\d*(?::[a-zA-Z]?)?)?)?$")


def clip(text: str, limit: int) -> str:
    """`text` without surrounding space, shortened to at most `limit` characters with an ellipsis
    (never through the middle of a Discord timestamp)."""
    text = text.strip()
    if len(text) <= limit:
        return text
    return _OPEN_TIMESTAMP.sub("", text[: max(0, limit - 1)]).rstrip() + ELLIPSIS


def clip_list(entries: list[str], limit: int, separator: str = ", ") -> str:
    """As many whole entries as fit in `limit` characters, then how many were left out."""
    whole = separator.join(entries)
    if len(whole) <= limit:
        return whole
    shown: list[str] = []
    size = 0
    for entry in entries:
        cost = len(entry) + (len(separator) if shown else 0)
        after = len(entries) - len(shown) - 1
        if size + cost + len(f"{separator}… and {after} more") > limit:
            break  # always reached: the whole list does not fit
        shown.append(entry)
        size += cost
    tail = f"{separator}… and {len(entries) - len(shown) - (0 if shown else 1)} more"
    if shown:
        return separator.join(shown) + tail
    # Not even the first entry fits whole: shorten it, and still say how many follow.
    return clip(entries[0], limit - len(tail)) + tail if limit > len(tail) + 1 else clip(entries[0] + tail, limit)
