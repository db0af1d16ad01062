"""clip and clip_list never exceed the limit they are given, and say what they left out."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.limits import clip, clip_list


@given(st.text(), st.integers(min_value=1, max_value=300))
def test_clip_fits_and_keeps_a_short_text_whole(text: str, limit: int) -> None:
    clipped = clip(text, limit)
    assert len(clipped) <= limit
    if len(text.strip()) <= limit:
        assert clipped == text.strip()
    else:
        assert clipped.endswith("…")


@given(st.lists(st.text(min_size=1, max_size=40), max_size=60), st.integers(min_value=1, max_value=400))
def test_clip_list_fits_and_counts_what_it_left_out(entries: list[str], limit: int) -> None:
    text = clip_list(entries, limit)
    assert len(text) <= limit
    if len(", ".join(entries)) <= limit:
        assert text == ", ".join(entries)
    elif limit >= 20:
        assert text.endswith(" more")


def test_clip_list_keeps_whole_ids() -> None:
    ids = [f"snippet-{n}" for n in range(100)]
    assert clip_list(ids, 60) == "snippet-0, snippet-1, snippet-2, snippet-3, … and 96 more"
