"""Source files to raw tables: work out how a file is written, then read it.

``detect_source`` reads only the head of the file (64 KB, decompressed when gzip'd) and honours
every field the user set in ``ReadOptions``. ``read_source`` reads the whole file, or just enough
of it for the first ``n_rows`` data rows (the preview).

Text comes back as strings with its physical line numbers; rows of the wrong width are set aside
as malformed, never dropped. Excel keeps native types and Excel row numbers; Parquet and JSON
arrays keep native types and number rows 1, 2, ... (they have no header row); NDJSON numbers rows
by physical line. In every format string cells are stripped and blank ones are null.

Parsing lives in ``delimited`` (separated text), ``aligned_text`` (whitespace-aligned),
``excel_reader`` and ``sniff`` (the guesses).
"""

from __future__ import annotations

import codecs
import gzip
import json
import zipfile
import zlib
from pathlib import Path

import polars as pl

from segtui.core import aligned_text, sniff
from segtui.core.delimited import Dialect, NotUtf8Error, clean_strings, parse_delimited
from segtui.core.errors import IngestError
from segtui.core.excel_reader import detect_excel, read_excel
from segtui.core.model import FileFormat, RawTable, ReadOptions, SourceInfo

HEAD_BYTES = 64 * 1024
PREVIEW_BYTES = 256 * 1024

_EXTENSIONS: dict[str, FileFormat] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".tab": "csv",
    ".psv": "csv",
    ".txt": "csv",
    ".dat": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
}
_UTF8 = ("utf-8", "utf-8-sig", "utf8", "ascii")
_OLE2 = b"\xd0\xcf\x11\xe0"  # legacy .xls


def _fail(path: Path | str, message: str) -> IngestError:
    return IngestError(f"{Path(path).name}: {message}")


def _read_bytes(info: SourceInfo, limit: int | None) -> tuple[bytes, bool]:
    """The file's bytes (decompressed), at most ``limit`` of them, and whether that is all."""
    try:
        if info.compression == "gzip":
            with gzip.open(info.path, "rb") as stream:
                data = stream.read(-1 if limit is None else limit + 1)
        else:
            with open(info.path, "rb") as stream:
                data = stream.read(-1 if limit is None else limit + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise _fail(info.path, f"cannot be read ({error}); check the file.") from error
    if limit is not None and len(data) > limit:
        return data[:limit], False
    return data, True


def _sniff_format(path: Path, head: bytes) -> FileFormat:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    by_name = _EXTENSIONS.get(suffixes[-1]) if suffixes else None
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04") or head.startswith(_OLE2):
        return "xlsx"
    if suffixes[-1:] not in ([".csv"], [".tsv"], [".tab"], [".psv"]):
        stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if stripped.startswith(b"["):
            return "json"
        if stripped.startswith(b"{"):
            first_line = stripped.split(b"\n", 1)[0].strip()
            return "ndjson" if first_line.endswith(b"}") else "json"
    if by_name in ("xlsx", "parquet") and b"\x00" in head:
        return by_name  # damaged: its own reader says so
    return by_name if by_name in ("csv", "json", "ndjson") else "csv"  # e.g. a TSV named .xls


def detect_source(path: str | Path, options: ReadOptions) -> SourceInfo:
    """How to read ``path``: format, compression, encoding, separator, header, sheet ..."""
    path = Path(path).expanduser()
    if not path.exists():
        raise _fail(path, "file not found; check the path.")
    if path.is_dir():
        raise _fail(path, "is a folder, not a file; choose a file inside it.")
    size = path.stat().st_size
    if size == 0:
        raise _fail(path, "the file is empty; export the data again.")
    info = SourceInfo(path=str(path), format="csv", size_bytes=size)
    raw, _ = _read_bytes(info, 8)
    if raw.startswith(b"\x1f\x8b"):
        info.compression = "gzip"
    head, complete = _read_bytes(info, HEAD_BYTES)
    info.format = options.format or _sniff_format(path, head)
    if info.format == "xlsx":
        if head.startswith(b"PK\x03\x04") and not _is_workbook(path):
            raise _fail(path, "is a zip archive, not an Excel workbook; unzip it first.")
        detect_excel(info, options.sheet, options.has_header)
        return info
    if info.format == "parquet":
        _parquet_schema(info)
        info.encoding = info.sep = info.quote_char = None
        return info
    if head.startswith((b"PK\x03\x04", b"PAR1", _OLE2)):
        raise _fail(path, f"is a binary file, not {info.format} text; check the format chosen.")
    _detect_text(info, head, complete, options)
    return info


def _is_workbook(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return any(n.startswith("xl/") for n in archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return True  # a damaged workbook: let the Excel reader say so


def _parquet_schema(info: SourceInfo) -> None:
    try:
        schema = pl.read_parquet_schema(info.path)
    except Exception as error:  # polars raises ComputeError/OSError for a damaged file
        raise _fail(info.path, "not a readable Parquet file; export it again.") from error
    if not schema:
        raise _fail(info.path, "the Parquet file has no columns; export it again.")


def _codec(path: str, encoding: str) -> str:
    try:
        name = codecs.lookup(encoding).name
    except LookupError as error:
        raise _fail(path, f"unknown encoding '{encoding}'; use e.g. utf-8 or cp1252.") from error
    return "latin-1" if name == "iso8859-1" else name


def _decode(info: SourceInfo, raw: bytes, complete: bool) -> str:
    encoding = info.encoding or "utf-8"
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        return decoder.decode(raw, final=complete)
    except UnicodeDecodeError as error:
        raise _fail(
            info.path,
            f"is not valid {encoding} text (byte {error.start}); choose another encoding.",
        ) from error


def _detect_text(info: SourceInfo, head: bytes, complete: bool, options: ReadOptions) -> None:
    info.encoding = _codec(info.path, options.encoding) if options.encoding else None
    info.encoding = info.encoding or sniff.sniff_encoding(head)
    if b"\x00" in head and not info.encoding.startswith("utf-16"):
        raise _fail(info.path, "looks like a binary file, not a table; export it as CSV or Excel.")
    text = _decode(info, head, complete).lstrip("\ufeff")
    if not text.strip():
        raise _fail(info.path, "the file is empty; export the data again.")
    info.line_ending = sniff.sniff_line_ending(text)
    if info.line_ending == "CR":
        text = text.replace("\r", "\n")
    if info.format in ("json", "ndjson"):
        info.sep = info.quote_char = None
        return
    if options.sep is not None and options.sep != "whitespace" and len(options.sep) != 1:
        raise _fail(info.path, f"separator '{options.sep}' must be one character or whitespace.")
    if options.quote_char is not None and len(options.quote_char) != 1:
        raise _fail(info.path, "the quote character must be a single character.")
    sep, quote = None, None
    if options.sep != "whitespace":
        sep, quote = sniff.sniff_dialect(text, complete, options.sep, options.quote_char)
        sep = options.sep or sep  # a forced separator holds even if it splits nothing
    layout = None
    if options.sep == "whitespace" or sep is None:
        layout = aligned_text.infer_layout(text.split("\n"))
    if options.sep == "whitespace" or (sep is None and layout is not None):
        info.sep, info.quote_char = "whitespace", None
        layout = layout or aligned_text.Layout(None, 2)
        lines = [line for line in text.split("\n") if line.strip()][: sniff.SAMPLE_RECORDS]
        records = [aligned_text.split_aligned(line, layout) for line in lines]
    else:
        info.sep = sep or sniff.sniff_separator_loosely(text, complete) or ","
        info.quote_char = options.quote_char or quote or '"'
        records = [r.fields for r in sniff.read_records(text, info.sep, info.quote_char)]
    if options.has_header is not None:
        info.has_header = options.has_header
    else:
        info.has_header = sniff.sniff_header(records)


def read_source(info: SourceInfo, n_rows: int | None = None) -> RawTable:
    """Read the source as ``info`` describes: all of it, or its first ``n_rows`` data rows.

    For text sniffed as UTF-8 whose later bytes turn out not to be, the file is read as cp1252
    and ``info.encoding`` is updated to say so.
    """
    if info.format == "xlsx":
        return read_excel(info, n_rows)
    if info.format == "parquet":
        return _read_parquet(info, n_rows)
    if info.format in ("json", "ndjson"):
        return _read_json(info, n_rows)
    try:
        return _read_text(info, n_rows)
    except NotUtf8Error:
        if info.encoding not in _UTF8:
            raise _fail(info.path, "cannot be decoded; choose another encoding.") from None
        info.encoding = "cp1252"
        return _read_text(info, n_rows)


def _utf8_body(info: SourceInfo, limit: int | None) -> tuple[bytes, bool]:
    """The text as UTF-8 bytes with LF or CRLF lines, cut back to a whole line when partial."""
    raw, complete = _read_bytes(info, limit)
    if (info.encoding or "utf-8") in _UTF8:
        body = raw[3:] if raw.startswith(codecs.BOM_UTF8) else raw
    else:
        body = _decode(info, raw, complete).lstrip("\ufeff").encode("utf-8")
    if not complete:
        cut = body.rfind(b"\n")
        body = body[: cut + 1] if cut >= 0 else body
    if info.line_ending == "CR":
        body = body.replace(b"\r", b"\n")
    return body, complete


def _read_text(info: SourceInfo, n_rows: int | None) -> RawTable:
    if n_rows is None:
        body, _ = _utf8_body(info, None)
        return _parse_text(info, body, None)
    limit = PREVIEW_BYTES
    while True:
        body, complete = _utf8_body(info, limit)
        # One row more than asked: the last record of a partial read may be cut short.
        table = _parse_text(info, body, n_rows + 1)
        if len(table.frame) + len(table.malformed) > n_rows or complete:
            return _drop_last_beyond(table, n_rows)
        limit *= 4


def _drop_last_beyond(table: RawTable, n_rows: int) -> RawTable:
    if len(table.frame) + len(table.malformed) <= n_rows:
        return table
    last_row = int(table.lines[-1]) if len(table.lines) else -1
    last_bad = table.malformed[-1][0] if table.malformed else -1
    if last_bad > last_row:
        return RawTable(table.frame, table.lines, table.malformed[:-1])
    return RawTable(table.frame.head(-1), table.lines.head(-1), table.malformed)


def _parse_text(info: SourceInfo, body: bytes, limit: int | None) -> RawTable:
    head_bytes = body[:HEAD_BYTES]
    if len(body) > HEAD_BYTES and b"\n" in head_bytes:
        head_bytes = head_bytes[: head_bytes.rfind(b"\n") + 1]
    head = head_bytes.decode("utf-8", "ignore")
    if info.sep == "whitespace":
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise NotUtf8Error(str(error)) from error
        return _parse_aligned(info, text, head, limit)
    sep, quote = info.sep or ",", info.quote_char
    records = sniff.read_records(head, sep, quote)
    if not records:
        raise _fail(info.path, "the file is empty; export the data again.")
    data = records[1:] if info.has_header else records
    usual = sniff.most_common_width([r.fields for r in data]) if data else 0
    if info.has_header:
        header = list(records[0].fields)
        while len(header) > max(usual, 1) and not header[-1].strip():
            header.pop()  # a trailing separator on the header line only
        wider = [r.fields[len(header) :] for r in data if len(r.fields) == usual]
        if usual > len(header) and not any(cell.strip() for extra in wider for cell in extra):
            header += [""] * (usual - len(header))  # a trailing separator on the data lines
        skip = records[0].last_line
    else:
        header, skip = [""] * usual, records[0].first_line - 1
    if not data and not any(name.strip() for name in header):
        raise _fail(info.path, "has no usable columns: no names and no rows; check the file.")
    names = sniff.unique_names(header)
    try:
        parsed = parse_delimited(body, Dialect(sep, quote, names, skip), limit)
    except NotUtf8Error:
        raise
    except Exception as error:  # a polars failure we did not foresee: still one sentence
        message = f"cannot be parsed as text ({error}); check the separator."
        raise _fail(info.path, message) from error
    return RawTable(parsed.frame, parsed.lines, parsed.malformed)


def _parse_aligned(info: SourceInfo, text: str, head: str, limit: int | None) -> RawTable:
    layout = aligned_text.infer_layout(head.split("\n")) or aligned_text.Layout(None, 2)
    width = aligned_text.aligned_width(head, layout, info.has_header)
    if width == 0:
        raise _fail(info.path, "the file is empty; export the data again.")
    read = aligned_text.read_aligned(text, layout, info.has_header, width, limit)
    names = sniff.unique_names(read.names or [""] * width)
    columns = list(zip(*read.rows, strict=True)) if read.rows else [()] * width
    frame = pl.DataFrame(
        {name: list(values) for name, values in zip(names, columns, strict=True)},
        schema=dict.fromkeys(names, pl.String),
    )
    lines = pl.Series("line", read.lines, dtype=pl.Int64)
    return RawTable(clean_strings(frame), lines, read.malformed)


def _read_parquet(info: SourceInfo, n_rows: int | None) -> RawTable:
    try:
        frame = pl.read_parquet(info.path, n_rows=n_rows)
    except Exception as error:  # damaged pages surface as ComputeError or OSError
        raise _fail(info.path, "not a readable Parquet file; export it again.") from error
    return _typed(info, frame)


def _typed(info: SourceInfo, frame: pl.DataFrame) -> RawTable:
    """Native-typed rows numbered 1, 2, ...; struct columns flattened to ``parent.child``."""
    dtype = frame.dtypes[0] if frame.width == 1 else None
    if frame.height == 1 and isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct):
        # {"records": [{...}, ...]}: an API export wrapping the array in one key
        frame = frame.explode(frame.columns[0]).unnest(frame.columns[0])
    while any(isinstance(dtype, pl.Struct) for dtype in frame.dtypes):
        frame = frame.unnest(
            [c for c, d in frame.schema.items() if isinstance(d, pl.Struct)], separator="."
        )
    if frame.width == 0:
        raise _fail(info.path, "has no usable columns; check that it holds a table.")
    lines = pl.int_range(1, frame.height + 1, dtype=pl.Int64, eager=True).rename("line")
    return RawTable(clean_strings(frame), lines)


def _read_json(info: SourceInfo, n_rows: int | None) -> RawTable:
    limit = None if info.format == "json" or n_rows is None else PREVIEW_BYTES
    while True:
        body, complete = _utf8_body(info, limit)
        table = _parse_ndjson(info, body) if info.format == "ndjson" else _parse_json(info, body)
        if n_rows is None or complete or len(table.frame) > n_rows or limit is None:
            break
        limit *= 4
    if n_rows is not None:
        table = RawTable(table.frame.head(n_rows), table.lines.head(n_rows))
    return table


def _parse_json(info: SourceInfo, body: bytes) -> RawTable:
    try:
        frame = pl.read_json(body, infer_schema_length=None)
    except Exception as error:
        raise _json_error(info, body) from error
    return _typed(info, frame)


def _json_error(info: SourceInfo, body: bytes) -> IngestError:
    try:
        json.loads(body)
    except json.JSONDecodeError as error:
        return _fail(info.path, f"invalid JSON at line {error.lineno} ({error.msg}); fix it.")
    return _fail(info.path, "JSON is not an array of objects; export records as an array.")


def _parse_ndjson(info: SourceInfo, body: bytes) -> RawTable:
    numbers = [n for n, line in enumerate(body.split(b"\n"), start=1) if line.strip()]
    try:
        frame = pl.read_ndjson(body, infer_schema_length=None)
    except Exception as error:
        raise _ndjson_error(info, body) from error
    table = _typed(info, frame)
    if len(numbers) == len(table.frame):
        table.lines = pl.Series("line", numbers, dtype=pl.Int64)
    return table


def _ndjson_error(info: SourceInfo, body: bytes) -> IngestError:
    for number, line in enumerate(body.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            return _fail(info.path, f"line {number} is not valid JSON ({error.msg}); fix it.")
        if not isinstance(value, dict):
            return _fail(info.path, f"line {number} is not a JSON object; fix it.")
    return _fail(info.path, "the records do not share compatible fields; check the file.")
