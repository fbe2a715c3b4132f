"""The one reader of user-chosen files (calendar exports, replies): its refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from desktop.errors import BadInput
from desktop.services.input_files import read_input_file


def test_reads_a_small_file(tmp_path: Path) -> None:
    path = tmp_path / "a.ics"
    path.write_bytes(b"BEGIN:VCALENDAR")
    assert read_input_file(path, 100, "a calendar export") == b"BEGIN:VCALENDAR"


def test_refuses_an_oversized_file_naming_what_it_should_be(tmp_path: Path) -> None:
    path = tmp_path / "big.eml"
    path.write_bytes(b"x" * 11)
    with pytest.raises(BadInput, match=r"big\.eml is too large to be a reply\."):
        read_input_file(path, 10, "a reply")


def test_a_missing_file_and_a_folder_are_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="File not found"):
        read_input_file(tmp_path / "gone.ics", 10, "a calendar export")
    with pytest.raises(BadInput, match="Cannot read"):
        read_input_file(tmp_path, 10**6, "a calendar export")
