"""Words as the answer engine sees them: folded, split, stemmed, with the filler words known."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_STEMMER = snowballstemmer.stemmer("english")
_TYPOGRAPHY = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "`": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)
_DIGIT_GROUPS = re.compile(r"(?<=\d)[,\u202f\u00a0](?=\d{3}\b)")
_POSSESSIVE = re.compile(r"'s\b|(?<=s)'(?=\s|$)")
_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, accents dropped, digit grouping and possessives removed."""
    text = text.translate(_TYPOGRAPHY)
    if not text.isascii():  # the slow path only where accents may be
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = text.lower()
    text = _DIGIT_GROUPS.sub("", text)
    return _POSSESSIVE.sub("", text)


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text).replace("'", ""))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


QUESTION_WORDS = frozenset({"who", "whom", "whose", "what", "which", "where", "when", "why", "how"})

# Words that carry no subject matter in a question: function words and the verbs and nouns people
# wrap questions in ("tell me about", "what happened"). They never count as uncovered.
STOPWORDS = frozenset(
    """
    a about above again against all also am an and any are as at be because been being us
    below between both but by can could did do does doing done down each else ever few for from
    further get gets getting got had has have having he her here hers herself him himself his i if in
    into is it its itself just let like me more most much my myself no nor not now of off on once only
    or other our ours ourselves out over own same she should so some such than that the their theirs
    them themselves then there these they this those through to too under until up upon very was we
    were what whats when where which while who whom whose why will with would you your yours yourself
    yourselves how hows thing things any anything something everything kind sort lot lots way ways
    tell me explain describe describes summary summarise summarize overview give show know knew known
    happen happened happens happening going go goes gone went mean means meant say says said saying
    talk talked talking think thinks thought really actually exactly please thanks thank hi hello hey
    many much often long info details detail latest briefing
    yes well ok okay there's it's isn't wasn't aren't weren't don't doesn't didn't won't can't
    """.split()
)

# Words that frame a question rather than name its subject ("what is Kozlov's *job*", "how did
# Seoul *react*"). They still rank, but an answer need not contain them and the briefing need
# not know them.
FRAMING = frozenset(
    """
    job jobs role roles position title titles head heads heading work works working
    react reacted reacting reaction reactions respond responded response responses view views
    stance opinion opinions feel feels felt expect expected expecting
    name named names called call calls colour color colours colors describe described
    involved part parts type types reason reasons purpose point points week weeks considered consider
    hold holds held holding time times true truth false fact facts article articles source sources
    """.split()
)

FRAMING_STEMS = frozenset(stem(word) for word in FRAMING)


def is_framing(word: str) -> bool:
    return word in FRAMING or stem(word) in FRAMING_STEMS
