"""Browsing the briefing: /brief, /topic, /who, /timeline, /quotes and /sources."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.commands.items import error
from bot.commands.lookup import about, find_entity, find_topic, near_people, near_topics
from bot.reply import Item, Reply, ReplyKind

if TYPE_CHECKING:
    from bot.router import Router


def listing(
    router: Router,
    command: str,
    title: str,
    items: Iterable[Item],
    description: str | None = None,
    suggestions: tuple[str, ...] = (),
) -> Reply:
    """A list of briefing items, with the briefing's version in the footer."""
    return Reply(
        command=command,
        kind=ReplyKind.listing,
        title=title,
        description=description,
        items=tuple(items),
        suggestions=suggestions,
        footer=router.items.footer(),
    )


def brief(router: Router, _: str = "") -> Reply:
    briefing = router.briefing
    points = (router.items.snippet(briefing.snippet(i)) for i in briefing.brief)
    return listing(
        router, "brief", "The summit in 60 seconds", points, briefing.title, ("/timeline", "/sources", "/help")
    )


def topic(router: Router, name: str) -> Reply:
    briefing = router.briefing
    if not name:
        return topics(router)
    found = find_topic(briefing, name)
    if found is None:
        return error("topic", f"No topic matches “{name}”.", near_topics(briefing, name))
    items = [router.items.snippet(s) for s in briefing.snippets if s.topic == found.id]
    items += [router.items.disagreement(d) for d in briefing.disagreements if d.topic == found.id]
    others = tuple(f"/topic {t.title}" for t in briefing.topics if t.id != found.id)[:3]
    return listing(router, "topic", found.title, items, found.summary, others)


def topics(router: Router) -> Reply:
    """Every topic with its snippet count: what /topic without a name shows in the console."""
    briefing = router.briefing
    counts = {t.id: sum(s.topic == t.id for s in briefing.snippets) for t in briefing.topics}
    items = (Item(id=t.id, title=t.title, text=f"{t.summary} ({counts[t.id]} snippets)") for t in briefing.topics)
    return listing(router, "topic", "Topics", items, "Choose one with /topic name.")


def who(router: Router, name: str) -> Reply:
    briefing = router.briefing
    if not name:
        return error("who", "Name a person, place or organisation, for example: /who Dmitry Peskov")
    entity = find_entity(briefing, name)
    if entity is None:
        return error("who", f"The briefing names no one like “{name}”.", near_people(briefing, name))
    quotes = [q for q in briefing.quotes if q.speaker == entity.id]
    spelling = f"Also written: {', '.join(entity.aliases)}." if entity.aliases else None
    items = [router.items.snippet(s) for s in about(briefing, entity)] + [router.items.quote(q) for q in quotes]
    return Reply(
        command="who",
        kind=ReplyKind.card,
        title=entity.name,
        description=" ".join(x for x in (entity.role, spelling) if x),
        items=tuple(items),
        suggestions=(f"/quotes {entity.name}",) if quotes else (),
        footer=f"{entity.kind.value.capitalize()} · {router.items.footer()}",
    )


def timeline(router: Router, _: str = "") -> Reply:
    events = (router.items.event(e) for e in router.briefing.events)
    description = "Times as the articles give them; the articles give few calendar dates."
    return listing(router, "timeline", "Timeline", events, description)


def quotes(router: Router, speaker: str) -> Reply:
    briefing = router.briefing
    chosen = list(briefing.quotes)
    title = "Notable quotes"
    if speaker:
        entity = find_entity(briefing, speaker)
        if entity is None:
            return error("quotes", f"The briefing names no one like “{speaker}”.", near_people(briefing, speaker))
        chosen = [q for q in chosen if q.speaker == entity.id]
        title = f"Quotes: {entity.name}"
        if not chosen:
            return error("quotes", f"The articles quote nothing from {entity.name}.", (f"/who {entity.name}",))
    items = (router.items.quote(q) for q in chosen)
    return listing(
        router, "quotes", title, items, "The speakers' words as the articles quote them; the context is ours."
    )


def sources(router: Router, _: str = "") -> Reply:
    briefing = router.briefing
    counts = {s.id: sum(any(c.article == s.id for c in n.sources) for n in briefing.snippets) for s in briefing.sources}
    items = (
        Item(
            id=s.id,
            title=f"[{s.id}] {s.headline}",
            text=f"{s.summary}\nDate: {s.date} · cited by {counts[s.id]} snippets · file {s.file}",
        )
        for s in briefing.sources
    )
    description = "Every snippet cites one or more of these articles, with the sentences it rests on."
    return listing(router, "sources", "Sources", items, description)
