"""Rotation: nothing repeats until all has been posted; new snippets first; topics take turns."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.briefing.models import Briefing
from bot.digest.compose import Rotation, choose, digest_reply, eligible
from bot.router import Router


def run_digests(snippets: list, size: int, count: int) -> list[list[str]]:
    rotation = Rotation()
    digests = []
    for _ in range(count):
        picks = choose(snippets, rotation, size)
        digests.append([p.snippet_id for p in picks])
        cycle = max(p.cycle for p in picks)
        posted = {p.snippet_id for p in picks if p.cycle == cycle}
        if cycle == rotation.cycle:
            posted |= rotation.posted
        rotation = Rotation(cycle, frozenset(posted), frozenset(s.id for s in snippets))
    return digests


def test_no_snippet_repeats_until_every_eligible_one_was_posted(briefing: Briefing) -> None:
    snippets = eligible(briefing)
    digests = run_digests(snippets, 5, 40)
    flat = [i for d in digests for i in d]
    n = len(snippets)
    assert len(set(flat[:n])) == n  # the first full cycle has every snippet exactly once
    assert all(len(set(d)) == len(d) for d in digests)  # never twice in one digest
    assert len(set(flat[n : 2 * n])) == n  # and the second cycle again


@settings(max_examples=30, deadline=None)
@given(size=st.integers(1, 10), count=st.integers(1, 30), topic_count=st.integers(1, 4))
def test_rotation_property(briefing: Briefing, size: int, count: int, topic_count: int) -> None:
    topics = [t.id for t in briefing.topics][:topic_count]
    snippets = eligible(briefing, topics)
    flat = [i for d in run_digests(snippets, size, count) for i in d]
    for start in range(0, len(flat), len(snippets)):
        window = flat[start : start + len(snippets)]
        assert len(window) == len(set(window))
    assert all(briefing.snippet(i).topic in topics for i in flat)


def test_snippets_added_since_the_last_digest_come_first(briefing: Briefing) -> None:
    snippets = eligible(briefing)
    added = snippets[-2:]
    known = frozenset(s.id for s in snippets[:-2])
    picks = choose(snippets, Rotation(1, frozenset(), known), 5)
    assert [p.snippet_id for p in picks[:2]] == [s.id for s in added]


def test_topics_take_turns(briefing: Briefing) -> None:
    picks = choose(eligible(briefing), Rotation(), 5)
    topics = [briefing.snippet(p.snippet_id).topic for p in picks]
    assert len(set(topics)) == 5


def test_digest_reply_has_headline_sources_and_number(router: Router, briefing: Briefing) -> None:
    ids = [s.id for s in briefing.snippets[:3]]
    reply = digest_reply(router, ids, 7, ["arms"])
    assert reply.title.startswith("Digest #7: ")
    assert "Ammunition and arms" in reply.title
    assert reply.footer == "Digest #7"
    assert [i.id for i in reply.items] == ids
    assert all(i.citations and i.certainty for i in reply.items)
