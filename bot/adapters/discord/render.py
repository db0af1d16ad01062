"""A `Reply` as Discord embeds: pages that always fit Discord's limits, whatever the briefing holds.

An answer shows one result per page (its certainty and the articles it cites); a listing packs
items as fields. The verbatim quotes sit behind the "Sources" button (`sources_embed`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import discord

from bot import moments
from bot.limits import (
    AUTHOR,
    EMBED_DESCRIPTION,
    EMBED_FIELDS,
    EMBED_TITLE,
    EMBEDS_TOTAL,
    FIELD_NAME,
    FIELD_VALUE,
    FOOTER,
    clip,
)
from bot.reply import Citation, Item, Reply, ReplyKind

# Our own page size: readable on a phone, and far inside the 6,000 characters of a message.
FIELDS_PER_PAGE = 6
PAGE_CHARS = 4000

COLOURS = {
    ReplyKind.answer: discord.Colour.blurple(),
    ReplyKind.listing: discord.Colour.blurple(),
    ReplyKind.card: discord.Colour.teal(),
    ReplyKind.help: discord.Colour.light_grey(),
    ReplyKind.not_covered: discord.Colour.light_grey(),
    ReplyKind.error: discord.Colour.red(),
}


@dataclass(frozen=True)
class Page:
    embed: discord.Embed
    # The items shown on this page, whose sources the Sources button reveals.
    items: tuple[Item, ...]


def for_discord(reply: Reply) -> Reply:
    """The reply with its moments as Discord timestamps where Discord renders them (descriptions and
    field values: each reader sees their own zone), as plain UTC text where it does not (titles,
    field names, footers, authors). An item's own moment leads its text."""

    def timestamps(text: str) -> str:
        return moments.write(text, moments.discord_timestamp)

    def plain(text: str) -> str:
        return moments.write(text, moments.utc_text)

    items = tuple(
        item.model_copy(
            update={
                "title": plain(item.title),
                "text": (f"{moments.discord_timestamp(item.when)}\n" if item.when else "") + timestamps(item.text),
                "when": None,
            }
        )
        for item in reply.items
    )
    return reply.model_copy(
        update={
            "title": plain(reply.title),
            "description": timestamps(reply.description) if reply.description else None,
            "footer": plain(reply.footer) if reply.footer else None,
            "items": items,
        }
    )


def pages(reply: Reply) -> list[Page]:
    """The reply as one or more pages, each one embed within every limit."""
    reply = for_discord(reply)
    if reply.kind is ReplyKind.answer:
        total = len(reply.items)
        return [Page(fit(_result_page(reply, item, n, total)), (item,)) for n, item in enumerate(reply.items, 1)]
    if reply.kind in (ReplyKind.listing, ReplyKind.card, ReplyKind.help) and reply.items:
        return [Page(fit(embed), items) for embed, items in _listing_pages(reply)]
    return [Page(fit(_notice(reply)), ())]


def sources_embed(items: Sequence[Item]) -> discord.Embed:
    """The verbatim sentences behind the items shown, by article: what the Sources button reveals."""
    embed = discord.Embed(title="Sources", colour=discord.Colour.dark_grey())
    seen: set[tuple[str, str]] = set()
    for item in items:
        for citation in item.citations:
            key = (citation.article, citation.quote)
            if key in seen or len(embed.fields) >= EMBED_FIELDS:
                continue
            seen.add(key)
            embed.add_field(
                name=clip(f"[{citation.article}] {citation.headline}", FIELD_NAME),
                value=clip(f"“{' '.join(citation.quote.split())}”", FIELD_VALUE),
                inline=False,
            )
    if not embed.fields:
        embed.description = "These items cite no article sentences."
    return fit(embed)


def _result_page(reply: Reply, item: Item, number: int, total: int) -> discord.Embed:
    embed = discord.Embed(title=clip(item.title, EMBED_TITLE), description=clip(item.text, EMBED_DESCRIPTION))
    embed.colour = COLOURS[reply.kind]
    showing = f" · showing results for “{reply.corrected}”" if reply.corrected else ""
    embed.set_author(name=clip(f"Q: {reply.title}{showing}", AUTHOR))
    if item.certainty:
        embed.add_field(name="Certainty", value=clip(item.certainty, FIELD_VALUE), inline=True)
    if item.citations:
        embed.add_field(name="Sources", value=_source_list(item.citations), inline=True)
    if reply.uncovered and number == 1:  # a part of the question the briefing does not answer
        embed.add_field(
            name="Not covered by this briefing", value=clip(reply.uncovered_quoted, FIELD_VALUE), inline=False
        )
    if reply.suggestions and number == total:
        embed.add_field(name="See also", value=clip(" · ".join(reply.suggestions), FIELD_VALUE), inline=False)
    embed.set_footer(text=clip(f"Result {number} of {total} · {reply.footer or ''}".rstrip(" ·"), FOOTER))
    return embed


def _listing_pages(reply: Reply) -> list[tuple[discord.Embed, tuple[Item, ...]]]:
    groups: list[list[tuple[str, str, Item]]] = [[]]
    size = 0
    for item in reply.items:
        name, value = clip(item.title, FIELD_NAME), _field_value(item)
        if groups[-1] and (len(groups[-1]) >= FIELDS_PER_PAGE or size + len(name) + len(value) > PAGE_CHARS):
            groups.append([])
            size = 0
        groups[-1].append((name, value, item))
        size += len(name) + len(value)
    result = []
    for number, group in enumerate(groups, 1):
        embed = discord.Embed(title=clip(reply.title, EMBED_TITLE), colour=COLOURS[reply.kind])
        if reply.description and number == 1:
            embed.description = clip(reply.description, EMBED_DESCRIPTION)
        for name, value, _ in group:
            embed.add_field(name=name, value=value, inline=False)
        if reply.suggestions and number == len(groups):
            embed.add_field(name="See also", value=clip(" · ".join(reply.suggestions), FIELD_VALUE), inline=False)
        page = f"Page {number} of {len(groups)}" if len(groups) > 1 else ""
        footer = " · ".join(part for part in (page, reply.footer or "") if part)
        if footer:
            embed.set_footer(text=clip(footer, FOOTER))
        result.append((embed, tuple(item for _, _, item in group)))
    return result


def _notice(reply: Reply) -> discord.Embed:
    embed = discord.Embed(title=clip(reply.title, EMBED_TITLE), colour=COLOURS[reply.kind])
    if reply.description:
        embed.description = clip(reply.description, EMBED_DESCRIPTION)
    if reply.related:
        related = "\n".join(f"• {item.title}" for item in reply.related)
        embed.add_field(name="Related, not an answer", value=clip(related, FIELD_VALUE), inline=False)
    if reply.suggestions:
        embed.add_field(name="Try", value=clip("\n".join(reply.suggestions), FIELD_VALUE), inline=False)
    return embed


def _field_value(item: Item, limit: int = FIELD_VALUE) -> str:
    articles = ", ".join(dict.fromkeys(c.article for c in item.citations))
    meta = " · ".join(part for part in (item.certainty or "", f"sources {articles}" if articles else "") if part)
    tail = "\n" + clip(f"*{meta}*", limit // 2) if meta else ""
    return clip(item.text, limit - len(tail)) + tail


def _source_list(citations: Sequence[Citation]) -> str:
    headlines = dict.fromkeys(f"[{c.article}] {c.headline}" for c in citations)
    return clip("\n".join(headlines), FIELD_VALUE)


def embed_size(embed: discord.Embed) -> int:
    """Characters Discord counts towards the 6,000 of a message."""
    data = embed.to_dict()
    total = len(data.get("title", "")) + len(data.get("description", ""))
    total += len(data.get("footer", {}).get("text", "")) + len(data.get("author", {}).get("name", ""))
    return total + sum(len(f["name"]) + len(f["value"]) for f in data.get("fields", []))


def fit(embed: discord.Embed) -> discord.Embed:
    """Last guard: drop trailing fields, then shorten the description, until the embed fits."""
    while len(embed.fields) > EMBED_FIELDS:
        embed.remove_field(-1)
    while embed_size(embed) > EMBEDS_TOTAL and len(embed.fields) > 1:
        embed.remove_field(-1)
    excess = embed_size(embed) - EMBEDS_TOTAL
    if excess > 0 and embed.description:
        embed.description = clip(embed.description, max(1, len(embed.description) - excess - 1))
    return embed


def digest_embed(reply: Reply) -> discord.Embed:
    """A digest as one embed for one message: its snippets as fields, shortened evenly if together
    they would pass the 6,000 characters a message may hold."""
    reply = for_discord(reply)
    embed = discord.Embed(title=clip(reply.title, EMBED_TITLE), colour=discord.Colour.gold())
    if reply.description:
        embed.description = clip(reply.description, EMBED_DESCRIPTION)
    if reply.footer:
        embed.set_footer(text=clip(reply.footer, FOOTER))
    items = reply.items[:EMBED_FIELDS]
    room = EMBEDS_TOTAL - embed_size(embed) - 100
    share = max(80, room // max(1, len(items)))
    for item in items:
        name = clip(item.title, min(FIELD_NAME, share // 4))
        embed.add_field(name=name, value=_field_value(item, min(FIELD_VALUE, share - len(name))), inline=False)
    return fit(embed)
