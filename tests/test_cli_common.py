"""The CLI's shared plumbing: the book a command opens once and closes, the output, the
parser's usage errors."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from desktop.cli_common import Output, Parser, book_of, open_context


def test_the_book_opens_on_first_use_once_per_command_and_closes(tmp_path: Path) -> None:
    args = argparse.Namespace(db=str(tmp_path / "book.sqlite"), policy=None)
    book = book_of(args)
    assert book.context is None  # nothing opened until a handler asks
    assert book.path() == tmp_path / "book.sqlite"
    context = open_context(args)
    assert open_context(args) is context and book_of(args) is book
    other = argparse.Namespace(db=str(tmp_path / "other.sqlite"), policy=None)
    assert book_of(other) is not book  # each command its own, no module global
    book.close()
    assert book.context is None
    book.close()  # closing twice is harmless


def test_output_is_json_on_stdout_or_lines(capsys: pytest.CaptureFixture[str]) -> None:
    Output(True).result({"a": "é"}, "ignored")
    assert json.loads(capsys.readouterr().out) == {"a": "é"}
    Output(False).result({"a": 1}, ["one", "two"])
    Output.say("to stderr")
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("one\ntwo\n", "to stderr\n")


def test_a_usage_error_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    parser = Parser(prog="amplan")
    parser.add_argument("--count", type=int)
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args(["--count", "x"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.startswith("amplan: argument --count: invalid int value")
