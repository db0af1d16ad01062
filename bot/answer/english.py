"""How common a word is in English (wordfreq's Zipf scale: 0 for unseen, about 7 for "the").

It tells a typo ("meeet") from a real word the briefing does not use ("tall", "ballet"), and an
everyday word from a name or specialist word when the briefing does not know it. wordfreq is
imported on first use: most questions use only words the briefing knows, and start-up stays quick.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))
