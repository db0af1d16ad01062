"""Discord's limits, written once, and `clip`, which keeps a text within one.

From Discord's documentation (message resource: embed limits; application commands: names,
descriptions, choices; message create: content, nonce). Everything that must fit Discord imports
its number from here. The fake Discord in the tests keeps its own copy on purpose: it checks
these numbers rather than trusting them.
"""

from __future__ import annotations

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


def clip(text: str, limit: int) -> str:
    """`text` without surrounding space, shortened to at most `limit` characters with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip() + ELLIPSIS


def clip_list(entries: list[str], limit: int, separator: str = ", ") -> str:
    """As many whole entries as fit in `limit` characters, then how many were left out."""
    whole = separator.join(entries)
    if len(whole) <= limit:
        return whole
    shown: list[str] = []
    size = 0
    for n, entry in enumerate(entries):
        rest = len(entries) - n
        tail = f"{separator}… and {rest - 1} more" if rest > 1 else ""
        cost = len(entry) + (len(separator) if shown else 0)
        if size + cost + len(tail) > limit:
            if not shown:  # not even the first fits whole: shorten it, keep the count
                return clip(entry, limit - len(tail)) + tail if limit > len(tail) + 1 else clip(entry + tail, limit)
            return f"{separator.join(shown)}{separator}… and {rest} more"
        shown.append(entry)
        size += cost
    return clip(whole, limit)  # unreachable: `whole` did not fit, so some entry did not
