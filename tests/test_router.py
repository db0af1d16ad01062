"""The router: every command answers with a Reply an adapter can show, every fact with its source."""

from __future__ import annotations

import pytest

from bot.briefing.models import Briefing
from bot.commands import complete
from bot.reply import ReplyKind
from bot.router import Router


def test_ask_answers_with_citations_and_certainty(router: Router) -> None:
    reply = router.handle("ask", "where did kim and putin meet")
    assert reply.kind is ReplyKind.answer
    assert reply.items
    for item in reply.items:
        assert item.certainty
        assert item.citations
        assert all(c.quote and c.headline and c.article.startswith("a") for c in item.citations)
    assert "vostochny" in reply.items[0].text.lower()


def test_a_part_of_a_question_the_briefing_does_not_cover_is_named(router: Router) -> None:
    reply = router.handle("ask", "who greeted kim at khasan and what was the weather like")
    assert reply.kind is ReplyKind.answer
    assert "kozhemyako" in reply.items[0].text.lower()
    assert reply.uncovered == ("what was the weather like",)
    assert "Not covered by this briefing: “what was the weather like”." in (reply.description or "")
    # A two-part question answered in full leaves nothing out, and each answer keeps its label.
    reply = router.handle("ask", "what colour is the train and who is jo chun ryong")
    assert reply.uncovered == ()
    assert reply.items[0].certainty == "Labelled part by part"
    assert "(Confirmed fact)" in reply.items[0].text and "(Entity card)" in reply.items[0].text


def test_refusal_is_ephemeral_with_suggestions(router: Router) -> None:
    reply = router.handle("ask", "best pizza in naples")
    assert reply.kind is ReplyKind.not_covered
    assert reply.ephemeral
    assert reply.items == ()
    assert reply.suggestions


def test_brief_gives_five_to_eight_cited_points(router: Router) -> None:
    reply = router.handle("brief")
    assert 5 <= len(reply.items) <= 8
    assert all(item.citations for item in reply.items)


@pytest.mark.parametrize("name", ["sanctions", "Sanctions and the UN", "sanctons", "the un"])
def test_topic_is_found_by_id_title_or_typo(router: Router, name: str) -> None:
    reply = router.handle("topic", name)
    assert reply.kind is ReplyKind.listing
    assert reply.title == "Sanctions and the UN"
    assert all(item.citations for item in reply.items)


def test_topic_lists_where_the_sources_disagree(router: Router) -> None:
    reply = router.handle("topic", "delegation")
    disagreements = [i for i in reply.items if i.certainty == "Sources disagree"]
    assert disagreements
    assert all(len({c.article for c in i.citations}) >= 2 for i in disagreements)


def test_unknown_topic_is_an_ephemeral_error_with_suggestions(router: Router) -> None:
    reply = router.handle("topic", "cooking")
    assert reply.kind is ReplyKind.error
    assert reply.ephemeral
    assert "cooking" in (reply.description or "")


@pytest.mark.parametrize("spelling", ["Choe Sun Hui", "Choe Sun-hui", "choe sun hui"])
def test_who_finds_an_entity_by_any_spelling(router: Router, spelling: str) -> None:
    reply = router.handle("who", spelling)
    assert reply.kind is ReplyKind.card
    assert reply.title in ("Choe Sun Hui", "Choe Sun-hui")
    assert "foreign minister" in (reply.description or "").lower()
    assert reply.items and all(item.citations for item in reply.items)


def test_who_puts_a_persons_own_words_first(router: Router) -> None:
    reply = router.handle("who", "peskov")
    assert reply.items[0].certainty is not None and "Dmitry Peskov" in reply.items[0].certainty


def test_timeline_is_in_order_with_times_as_given(router: Router, briefing: Briefing) -> None:
    reply = router.handle("timeline")
    assert [i.id for i in reply.items] == [e.id for e in sorted(briefing.events, key=lambda e: e.order)]
    assert any(i.title == "Tuesday" or "Tuesday" in i.title for i in reply.items)


def test_quotes_filtered_by_speaker(router: Router) -> None:
    reply = router.handle("quotes", "Easley")
    assert reply.items
    assert all("Easley" in item.title for item in reply.items)
    assert all("crown jewels" in c.quote for item in reply.items for c in item.citations)


def test_sources_lists_the_five_articles(router: Router) -> None:
    reply = router.handle("sources")
    assert [i.id for i in reply.items] == ["a0", "a1", "a2", "a3", "a4"]


def test_unknown_command_suggests_the_nearest(router: Router) -> None:
    reply = router.handle("tpic", "arms")
    assert reply.kind is ReplyKind.error
    assert "/topic arms" in reply.suggestions


def test_console_lines_accept_slash_commands_and_bare_questions(router: Router) -> None:
    assert router.handle_line("/who peskov").kind is ReplyKind.card
    assert router.handle_line("who peskov").kind is ReplyKind.card
    assert router.handle_line("where did they meet?").kind is ReplyKind.answer


@pytest.mark.parametrize("prefix", ["", "s", "zzz", "x" * 300])
def test_autocomplete_stays_within_discord_limits(briefing: Briefing, prefix: str) -> None:
    providers = (complete.topics, complete.entities, complete.questions)
    for choices in (provide(briefing, prefix) for provide in providers):
        assert len(choices) <= 25
        assert all(1 <= len(c.name) <= 100 and 1 <= len(c.value) <= 100 for c in choices)


def test_autocomplete_completes_an_alias_to_its_entity(briefing: Briefing) -> None:
    names = [c.name for c in complete.entities(briefing, "Jo Chun Y")]
    assert names and names[0] in ("Jo Chun-ryong", "Jo Chun Yong")


def test_topic_autocomplete_matches_by_prefix_first(briefing: Briefing) -> None:
    choices = complete.topics(briefing, "sanc")
    assert choices[0].value == "sanctions"


def test_a_quote_shows_the_speakers_words_and_our_context_apart(router: Router, briefing: Briefing) -> None:
    from bot.briefing.text import normalise

    reply = router.handle("quotes")
    assert len(reply.items) == len(briefing.quotes)
    for item, quote in zip(reply.items, briefing.quotes, strict=True):
        said, context = item.text.split("\nContext: ")
        assert context == quote.context
        (citation,) = item.citations
        # Every quote is the article's own words, as its quotation marks enclose them.
        assert item.certainty == "Quote"
        assert said.startswith("“") and said.endswith("”")
        assert normalise(said[1:-1]) in normalise(citation.quote)
        assert quote.context not in said


def test_peskov_is_quoted_in_his_own_words(router: Router) -> None:
    (item, *_) = router.handle("quotes", "Peskov").items
    assert item.certainty == "Quote"
    assert item.text.startswith("“As you know, while implementing our relations with our neighbors")
    assert "Context: Peskov's answer to US warnings" in item.text


def test_someone_the_articles_only_report_has_no_quotes(router: Router) -> None:
    # The articles report what Lim Soo-suk said but quote none of his words: no quote card.
    reply = router.handle("quotes", "Lim Soo-suk")
    assert reply.kind == "error"
    assert "quote nothing from Lim Soo-suk" in (reply.description or "")
