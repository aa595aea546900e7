"""Read CSV, JSON, JSONL and Parquet files, failing with one line that names file and row.

Benchmark files and users' own files go through the same readers, so an empty file, a
missing column, a bad byte or a truncated JSON line always reads the same way to a person.
Row numbers count as a spreadsheet does (the CSV header is row 1); JSONL reports lines.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from redline.errors import UserError

Row = dict[str, Any]
_OPENERS = {".gz": gzip.decompress, ".xz": lzma.decompress, ".bz2": bz2.decompress}


def read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed by suffix (.gz, .xz, .bz2); empty files are refused."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"file not found: {path}") from None
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None
    unpack = _OPENERS.get(path.suffix.lower())
    if unpack is not None:
        try:
            data = unpack(data)
        except (OSError, EOFError, lzma.LZMAError) as exc:
            raise UserError(f"{path}: cannot decompress ({exc})") from None
    if not data.strip():
        raise UserError(f"{path}: file is empty")
    return data


def read_text(path: Path) -> str:
    """UTF-8 text (a leading byte-order mark is dropped); a bad byte is reported by line."""
    data = read_bytes(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UserError(
            f"{path}: line {line}: not valid UTF-8 (byte 0x{data[exc.start]:02x}); "
            "save the file as UTF-8"
        ) from None


def data_suffix(path: Path) -> str:
    """The format suffix under any compression suffix: data.jsonl.gz -> .jsonl."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in _OPENERS:
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def csv_rows(path: Path, required: Sequence[str] = ()) -> Iterator[tuple[int, Row]]:
    """(row number, row) for each data row; the header must name every `required` column."""
    delimiter = "\t" if data_suffix(path) == ".tsv" else ","
    reader = csv.DictReader(io.StringIO(read_text(path), newline=""), delimiter=delimiter)
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise UserError(f"{path}: row 1: malformed CSV ({exc})") from None
    missing = [c for c in required if c not in header]
    if missing:
        found = ", ".join(repr(h) for h in header) or "none"
        raise UserError(f"{path}: row 1: missing column {missing[0]!r} (columns: {found})")
    number = 1
    try:
        for number, row in enumerate(reader, start=2):
            yield number, row
    except csv.Error as exc:
        raise UserError(f"{path}: row {number + 1}: malformed CSV ({exc})") from None


def jsonl_rows(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, value) for each non-blank line of a JSON Lines file."""
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise UserError(f"{path}: line {number}: invalid JSON ({exc.msg})") from None


def json_document(path: Path) -> Any:
    """One JSON document; a syntax error names its line and column."""
    text = read_text(path)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise UserError(f"{path}: line {exc.lineno}: invalid JSON ({exc.msg})") from None


def json_records(path: Path) -> Iterator[tuple[int, Any]]:
    """Records of a .json file holding either one array or JSON Lines (the hub uses both)."""
    if read_text(path).lstrip().startswith("["):
        document = json_document(path)
        yield from enumerate(document, start=1)
    else:
        yield from jsonl_rows(path)


def parquet_rows(path: Path) -> Iterator[tuple[int, Row]]:
    """(row number, row) of a Parquet file, through pyarrow when it is installed."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise UserError(
            f"{path}: reading Parquet needs pyarrow (pip install 'redline[parquet]')"
        ) from None
    read_bytes(path)
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several unrelated types for a bad file
        raise UserError(f"{path}: not a readable Parquet file ({exc})") from None
    yield from enumerate(table.to_pylist(), start=1)


def table_rows(path: Path, required: Sequence[str] = ()) -> Iterator[tuple[int, Row]]:
    """Rows of a CSV, TSV, JSON, JSONL or Parquet file chosen by its suffix."""
    suffix = data_suffix(path)
    if suffix in (".csv", ".tsv"):
        yield from csv_rows(path, required)
        return
    if suffix == ".parquet":
        rows: Iterator[tuple[int, Any]] = parquet_rows(path)
    elif suffix in (".jsonl", ".ndjson"):
        rows = jsonl_rows(path)
    elif suffix == ".json":
        rows = json_records(path)
    else:
        raise UserError(
            f"{path}: unsupported file type {suffix or '(none)'!r}: use CSV, JSONL or Parquet"
        )
    for number, row in rows:
        if not isinstance(row, dict):
            raise UserError(f"{path}: row {number}: expected an object, got {type(row).__name__}")
        missing = [c for c in required if c not in row]
        if missing:
            raise UserError(f"{path}: row {number}: missing field {missing[0]!r}")
        yield number, row


def need(row: Row, column: str, path: Path, number: int) -> str:
    """A non-empty text value, or a one-line error naming file, row and column."""
    value = row.get(column)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise UserError(f"{path}: row {number}: no value in column {column!r}")
    return value if isinstance(value, str) else str(value)
