"""Malformed files give one line naming the file and the row."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import pytest

from redline.errors import UserError
from redline.suites.readers import csv_rows, json_document, json_records, need, table_rows


def one_line_error(call, match: str) -> str:
    with pytest.raises(UserError, match=match) as err:
        call()
    message = str(err.value)
    assert "\n" not in message
    return message


def test_missing_column_names_file_and_header_row(tmp_path: Path) -> None:
    path = tmp_path / "prompts.csv"
    path.write_text("question,topic\nHow?,x\n", encoding="utf-8")
    message = one_line_error(lambda: list(csv_rows(path, ["text"])), "missing column 'text'")
    assert str(path) in message and "row 1" in message and "'question'" in message


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("\n  \n", encoding="utf-8")
    assert str(path) in one_line_error(lambda: list(csv_rows(path)), "file is empty")


def test_bad_encoding_reports_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"text\nfine\ncaf\xe9 au lait\n")
    message = one_line_error(lambda: list(csv_rows(path)), "line 3: not valid UTF-8")
    assert str(path) in message and "0xe9" in message


def test_truncated_jsonl_reports_the_line(tmp_path: Path) -> None:
    path = tmp_path / "prompts.jsonl"
    path.write_text('{"text": "one"}\n{"text": "tw\n', encoding="utf-8")
    message = one_line_error(lambda: list(table_rows(path, ["text"])), "line 2: invalid JSON")
    assert str(path) in message


def test_truncated_json_document_reports_the_line(tmp_path: Path) -> None:
    path = tmp_path / "prompts.json"
    path.write_text('[\n  {"text": "one"},\n  {"text": \n', encoding="utf-8")
    one_line_error(lambda: json_document(path), r"prompts.json: line \d+: invalid JSON")


def test_empty_value_names_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "prompts.csv"
    path.write_text("text,topic\nfirst,a\n ,b\n", encoding="utf-8")
    rows = list(csv_rows(path, ["text"]))
    number, row = rows[1]
    one_line_error(lambda: need(row, "text", path, number), "row 3: no value in column 'text'")


def test_short_csv_row_is_a_missing_value(tmp_path: Path) -> None:
    path = tmp_path / "prompts.csv"
    path.write_text("id,text\n1,hello\n2\n", encoding="utf-8")
    number, row = list(csv_rows(path))[1]
    one_line_error(lambda: need(row, "text", path, number), "row 3")


def test_jsonl_row_missing_a_field_and_non_object_rows(tmp_path: Path) -> None:
    path = tmp_path / "prompts.jsonl"
    path.write_text('{"text": "a"}\n{"prompt": "b"}\n', encoding="utf-8")
    one_line_error(lambda: list(table_rows(path, ["text"])), "row 2: missing field 'text'")
    path.write_text('{"text": "a"}\n["b"]\n', encoding="utf-8")
    one_line_error(lambda: list(table_rows(path)), "row 2: expected an object")


def test_json_file_may_hold_an_array_or_json_lines(tmp_path: Path) -> None:
    array = tmp_path / "a.json"
    array.write_text('[{"x": 1}, {"x": 2}]', encoding="utf-8")
    lines = tmp_path / "b.json"
    lines.write_text('{"x": 1}\n{"x": 2}\n', encoding="utf-8")
    assert list(json_records(array)) == list(json_records(lines)) == [(1, {"x": 1}), (2, {"x": 2})]


def test_compressed_and_tab_separated_files(tmp_path: Path) -> None:
    packed = tmp_path / "rows.jsonl.gz"
    packed.write_bytes(gzip.compress(b'{"text": "zipped"}\n'))
    assert list(table_rows(packed, ["text"])) == [(1, {"text": "zipped"})]
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(b"not gzip at all")
    one_line_error(lambda: list(table_rows(broken)), "cannot decompress")
    tsv = tmp_path / "rows.tsv"
    tsv.write_text("text\tlabel\nhello, world\tsafe\n", encoding="utf-8")
    assert list(table_rows(tsv)) == [(2, {"text": "hello, world", "label": "safe"})]


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "prompts.xlsx"
    path.write_bytes(b"PK\x03\x04")
    one_line_error(lambda: list(table_rows(path)), "unsupported file type '.xlsx'")


def test_parquet_without_pyarrow_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "prompts.parquet"
    path.write_bytes(b"PAR1 not really")
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    one_line_error(lambda: list(table_rows(path)), r"needs pyarrow \(pip install")


def test_corrupt_parquet(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    path = tmp_path / "prompts.parquet"
    path.write_bytes(b"PAR1 this is not a parquet file")
    assert str(path) in one_line_error(lambda: list(table_rows(path)), "not a readable Parquet")


def test_missing_file(tmp_path: Path) -> None:
    one_line_error(lambda: list(table_rows(tmp_path / "nope.csv")), "file not found")
