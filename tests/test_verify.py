"""Checking a claim against the briefing (Discord's "Check in briefing", the console's and CLI's verify)."""

from __future__ import annotations

from bot.commands.verify import MAX_CLAIMS, NOT_COVERED, split_claims
from bot.reply import ReplyKind
from bot.router import Router


def test_a_claim_gets_the_closest_snippet_with_its_certainty_and_sources(router: Router) -> None:
    reply = router.handle("verify", "Kim and Putin met at the Vostochny Cosmodrome.")
    assert reply.kind is ReplyKind.listing and reply.ephemeral
    first = reply.items[0]
    assert first.title == "“Kim and Putin met at the Vostochny Cosmodrome.”"
    assert first.text.startswith("Briefing: ") and "Vostochny" in first.text
    assert first.certainty and first.citations
    # The same snippet the question path finds first: the check is as good as the answer engine.
    assert first.id == router.ask("Kim and Putin met at the Vostochny Cosmodrome.").items[0].id


def test_where_the_articles_disagree_the_disagreement_follows_the_claim(router: Router) -> None:
    reply = router.handle("verify", "This was the first time Kim and Putin ever met.")
    disagreements = [i for i in reply.items if i.certainty == "Sources disagree"]
    assert [i.id for i in disagreements] == ["unprecedented-or-second-meeting"]
    assert len({c.article for c in disagreements[0].citations}) >= 2


def test_a_disagreement_over_only_a_spelling_does_not_follow_an_unrelated_claim(router: Router) -> None:
    reply = router.handle("verify", "Kim Jong Un met Vladimir Putin on Wednesday.")
    assert all(not i.id.startswith("spelling-") for i in reply.items)
    # A disagreement about a name and more is shown when the claim is about the more.
    reply = router.handle("verify", "Foreign Minister Choe Sun Hui is in Kim's delegation.")
    assert "spelling-choe-sun-hui" in [i.id for i in reply.items]


def test_a_claim_the_briefing_does_not_cover_is_said_to_be_not_covered(router: Router) -> None:
    reply = router.handle("verify", "Pineapple belongs on pizza.")
    assert reply.kind is ReplyKind.not_covered and reply.ephemeral
    assert "“Pineapple belongs on pizza.”" in (reply.description or "")
    assert "pineapple" in (reply.description or "").lower()
    mixed = router.handle("verify", "Pineapple belongs on pizza. Kim travelled to Russia by train.")
    assert [i.certainty == NOT_COVERED for i in mixed.items[:2]] == [True, False]
    assert mixed.description and mixed.description.startswith("The briefing speaks to 1 of 2 sentences.")


def test_a_long_message_is_checked_claim_by_claim_up_to_a_limit(router: Router) -> None:
    text = " ".join(f"Kim met Putin on day {n} of the visit to talk about item {n}." for n in range(40))
    reply = router.handle("verify", text)
    claims = [i for i in reply.items if i.title.startswith("“")]
    assert len(claims) == MAX_CLAIMS
    assert f"Checked the first {MAX_CLAIMS} of 40 sentences." in (reply.description or "")


def test_claims_are_sentences_said_once_without_empty_fragments() -> None:
    assert split_claims("lol. Kim met Putin. kim met putin.\nThey met in Vladivostok, e.g. by the sea.") == [
        "Kim met Putin.",
        "They met in Vladivostok, e.g. by the sea.",
    ]
    assert split_claims("The U.N. is worried. the U.S. too, says Mr. Miller.") == [
        "The U.N. is worried.",
        "the U.S. too, says Mr. Miller.",
    ]
    assert split_claims("Wow!") == ["Wow!"]


def test_nothing_to_check_is_an_error(router: Router) -> None:
    for text in ("", "   ", "\n\t"):
        reply = router.handle("verify", text)
        assert reply.kind is ReplyKind.error and "no text to check" in (reply.description or "")
