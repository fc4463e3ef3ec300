"""What a long-running process (the bot) loads once at start, before its first question, and
the garbage collector's policy for it afterwards.

Python's cyclic garbage collector walks every object it tracks, with every reference each one
holds, on each full (oldest generation) collection, which comes whenever the objects that
survived younger collections grew by a quarter. What the bot loads once and keeps to the end is
most of that: langdetect's profiles alone are ~88,000 lists of 55 floats, and with the modules
and the lemma dictionaries a full collection took ~50-60 ms at 100k-1M passages (2 cores),
paid by whichever question was being answered. `freeze_loaded` moves them out of the
collector's way with gc.freeze() (Python docs: "Freeze all the objects tracked by the garbage
collector; move them to a permanent generation and ignore them in all the future
collections"), after a collection, so that no garbage is frozen with them. They are still freed
by reference counting; only a reference cycle among them that becomes garbage later would not
be collected (what is loaded here lives as long as the process). Objects made later (the
articles answer selection caches, index.wordrows) are collected as before.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable

from . import places
from .language import load_profiles
from .matching import load_dictionaries


def warm_text_tools(languages: Iterable[str]) -> None:
    """langdetect's profiles, the library languages' lemma dictionaries and the place names
    (index.places), loaded before the first question needs them (together about 1 s + 1 s a
    language + 1 s on a quiet machine), then kept out of the garbage collector's full
    collections (freeze_loaded)."""
    load_profiles()
    load_dictionaries(languages)
    places.load()
    freeze_loaded()


def freeze_loaded() -> None:
    """Every object alive now leaves the garbage collector's view (see the module docstring)."""
    gc.collect()
    gc.freeze()
