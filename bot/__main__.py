"""`python -m bot`: load .env, read the settings, start the bot with long polling."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; the exit code (2: not configured, 1: Telegram refused or unreachable)."""
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("--env-file", default=".env", help="settings file to load (default .env)")
    parser.add_argument("--data-dir", help="the library's folder (default: $DATA_DIR or ./data)")
    args = parser.parse_args(argv)

    from dotenv import load_dotenv

    from .app import run_bot
    from .settings import Settings, SettingsError

    load_dotenv(args.env_file, override=False)  # the real environment wins over the file
    try:
        settings = Settings.from_env(os.environ)
    except SettingsError as exc:
        print(f"articlebot: error: {exc}", file=sys.stderr)
        return 2
    if args.data_dir:
        settings = settings.with_data_dir(Path(args.data_dir))
    try:
        return run_bot(settings)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
