"""index.warmup: what the bot loads at start leaves the garbage collector's full collections."""

from __future__ import annotations

import gc

from index.language import load_profiles
from index.warmup import freeze_loaded


def test_what_was_loaded_is_frozen() -> None:
    load_profiles()  # langdetect's profiles: tens of thousands of lists of floats
    try:
        freeze_loaded()
        assert gc.get_freeze_count() > 50_000
        # A full collection now walks only what was made since (a few objects of this test).
        assert len(gc.get_objects()) < 1_000
    finally:
        gc.unfreeze()  # the rest of the test session collects as before
