"""The person's settings file: sections survive each other, bad files get a plain message."""

from __future__ import annotations

from pathlib import Path

import pytest
from desktop.errors import BadInput
from desktop.services.user_config import UserConfig, default_config_dir


def test_config_dir_follows_amplan_config(isolated_user_config: Path) -> None:
    assert default_config_dir() == isolated_user_config


def test_sections_are_saved_apart(isolated_user_config: Path) -> None:
    config = UserConfig()
    assert config.section("profile") == {}
    config.save_section("profile", {"name": "Ann"})
    config.save_section("mail", {"host": "127.0.0.1"})
    again = UserConfig()
    assert again.section("profile") == {"name": "Ann"}
    assert again.section("mail") == {"host": "127.0.0.1"}
    assert again.has_section("mail") and not again.has_section("caldav")
    assert [p.name for p in isolated_user_config.iterdir()] == ["config.json"]


def test_a_broken_file_is_a_plain_message(isolated_user_config: Path) -> None:
    isolated_user_config.mkdir()
    (isolated_user_config / "config.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(BadInput, match="not valid JSON"):
        UserConfig().section("profile")
