"""index.paths.models_folder: the ONNX exports beside the library, else in the user's cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from index import paths
from index.errors import BadInput


def test_the_exports_go_beside_the_library_when_it_can_be_written(tmp_path: Path) -> None:
    data = tmp_path / "lib"
    assert paths.models_folder(data) == data / "models"  # made on the first export
    (data / "models").mkdir(parents=True)
    assert paths.models_folder(data) == data / "models"


def test_a_read_only_library_keeps_its_exports_in_the_user_s_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mounted backup, another user's data dir: exported again by every process before
    (the reader and the second look, about 10 s and two warnings per `articlebot ask`)."""
    data = tmp_path / "lib"
    data.mkdir()
    real = os.access
    monkeypatch.setattr(
        paths.os, "access", lambda p, mode: False if Path(p) == data else real(p, mode)
    )
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert paths.models_folder(data) == tmp_path / "cache" / "articlebot" / "models"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert paths.models_folder(data) == tmp_path / "home" / ".cache" / "articlebot" / "models"


def test_a_chosen_models_folder_wins_and_is_checked(tmp_path: Path) -> None:
    """MODELS_DIR: several libraries keep one copy of the exports; a file is one clear error."""
    data = tmp_path / "lib"
    chosen = tmp_path / "shared-models"
    assert paths.models_folder(data, str(chosen)) == chosen  # made on the first export
    assert paths.models_folder(data, "  ") == data / "models"  # blank: as if unset
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(BadInput, match="MODELS_DIR .* is a file"):
        paths.models_folder(data, str(a_file))
    with pytest.raises(BadInput, match="MODELS_DIR .* cannot be made: .* is a file"):
        paths.models_folder(data, str(a_file / "models"))
