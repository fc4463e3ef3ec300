"""A question's typos ("Änderunsgantrag", "Tierscühtzer"), corrected toward the words of the
articles retrieved for it.

A word BM25 does not know finds nothing, counts as a question word the article lacks (the
confidence falls under the threshold) and reads as noise to the models. On the news set with
two letters of every question's longest word swapped, answers fell from 0.806 to 0.674 and a
tenth of the answerable questions got "not found". A word is corrected only where it is
- long enough to tell a typo from another word (MIN_LETTERS),
- unknown to the library: none of its terms is in the BM25 index of the question's language,
- one edit (two from LONG_WORD letters on) from a word of the first articles retrieved (their
  whole text: the typo is often the very word of the sentence that answers, which the first
  passages then lack), where swapping two neighbouring letters is one edit (rapidfuzz's
  optimal string alignment).
Where no word of those articles is near (the typo'd word is not the article's own: "In welcher
Zeitshcrift …" of an article that says "Fachmagazin"; or the typo kept the right article out of
the first three), the language's dictionary (simplemma) is asked for the words one edit away
(`dictionary_neighbours`: every deletion, swap, replacement and insertion of a letter looked up,
as Norvig's corrector does, instead of a list of a million words in memory); one the library
holds is taken, else the only one there is, else none.
The articles are retrieved with the typo (the other words and the model find them); the
question is then searched again and answered as corrected. A word unknown to the library but
correct (a name the articles do not hold) has no near word in them and stays as typed, so
out-of-corpus questions are not pulled toward the library's words by more than a letter or two.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .lexical import WORD
from .matching import known

MIN_LETTERS = 6
LONG_WORD = 10  # from this length two edits are allowed
ARTICLES = 3  # the first articles retrieved, whose words a typo is corrected to
# A question with more unknown words than this is written in words the library does not hold
# (another language, a name, gibberish), not typed with a slip: left as typed, which also bounds
# the dictionary's lookups (some thousand per word) for a long question.
MOST_TYPOS = 3


def corrected(
    question: str,
    unknown: Callable[[str], bool],
    texts: Callable[[], Iterable[str]],
    dictionary: Callable[[str], list[str]] = lambda word: [],
) -> str:
    """`question` with each long word that `unknown` says the library lacks replaced by the
    nearest word of `texts()` (the most frequent of the nearest), where one is near enough,
    else by the word `dictionary` offers; `texts` is read only where a word is unknown."""
    typos = [
        m for m in WORD.finditer(question) if len(m.group()) >= MIN_LETTERS and m.group().isalpha()
    ]
    typos = list(itertools.islice((m for m in typos if unknown(m.group())), MOST_TYPOS + 1))
    if not typos or len(typos) > MOST_TYPOS:
        return question
    forms: Counter[str] = Counter(
        word
        for text in texts()
        for word in WORD.findall(text)
        if len(word) >= MIN_LETTERS - 2 and word.isalpha()
    )
    lowered: dict[str, str] = {}  # a word in lower case -> its most frequent form
    for form, _ in forms.most_common():
        lowered.setdefault(form.lower(), form)
    choices = list(lowered)
    out, end = [], 0
    for match in typos:
        word = match.group()
        limit = 2 if len(word) >= LONG_WORD else 1
        near = process.extract(
            word.lower(), choices, scorer=OSA.distance, score_cutoff=limit, limit=None
        )
        if near:
            best = min(near, key=lambda n: (n[1], -forms[lowered[n[0]]]))
            replacement = lowered[best[0]]
        else:
            offered = dictionary(word)
            if len(offered) != 1:
                continue
            replacement = offered[0]
            if word[:1].isupper():
                replacement = replacement[:1].upper() + replacement[1:]
        if word[:1].islower() and replacement[1:].islower():  # typed in lower case: so kept
            replacement = replacement.lower()
        out += [question[end : match.start()], replacement]
        end = match.end()
    return "".join(out) + question[end:]


# Letters tried in a replacement or insertion, beside the word's own: Latin ones with the
# diacritics of the languages of most news here.
_LETTERS = "abcdefghijklmnopqrstuvwxyzäöüßéèêëàâáçñíìîïóòôõúùûãåøæœ"


def one_edit(word: str) -> set[str]:
    """Every word one edit from `word` (lower case): a letter deleted, two neighbours swapped,
    one replaced or one inserted (the edits of rapidfuzz's OSA distance)."""
    word = word.lower()
    letters = set(_LETTERS) | set(word)
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in letters}
    out |= {a + c + b for a, b in splits for c in letters}
    out.discard(word)
    return out


def dictionary_neighbours(word: str, language: str, in_library: Callable[[str], bool]) -> list[str]:
    """The words of `language`'s dictionary one edit from `word` (MIN_LETTERS or longer): those
    the library holds (`in_library`) where there are any, else all of them, sorted."""
    found = sorted(w for w in one_edit(word) if len(w) >= MIN_LETTERS and known(w, language))
    held = [w for w in found if in_library(w)]
    return held or found
