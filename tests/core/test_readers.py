"""Reading source files: every format and quirk a client export comes in, and every way it fails."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import random
from pathlib import Path

import polars as pl
import pytest

from segtui.core.errors import IngestError
from segtui.core.model import RawTable, ReadOptions, SourceInfo
from segtui.core.readers import detect_source, read_source

DATA = Path(__file__).parent.parent / "data"


def read(path: Path | str, **options: object) -> tuple[SourceInfo, RawTable]:
    info = detect_source(path, ReadOptions(**options))  # type: ignore[arg-type]
    return info, read_source(info)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def rows(table: RawTable) -> list[tuple[object, ...]]:
    return table.frame.rows()


# --- delimited text ------------------------------------------------------------------------


def test_comma_file_reads_as_strings_with_header_and_line_numbers() -> None:
    info, table = read(DATA / "read_comma.csv")
    assert (info.format, info.sep, info.has_header, info.encoding) == ("csv", ",", True, "utf-8")
    assert info.line_ending == "LF" and info.compression is None
    assert table.frame.columns == ["customer_id", "name", "city", "amount", "order_date"]
    assert all(dtype == pl.String for dtype in table.frame.dtypes)
    assert table.frame["customer_id"].to_list() == ["00123", "00124", "00125"]  # zeros kept
    assert table.lines.to_list() == [2, 3, 4] and table.lines.dtype == pl.Int64
    assert table.malformed == []


def test_tab_separated_with_commas_inside_values() -> None:
    info, table = read(DATA / "read_tab.tsv")
    assert info.sep == "\t"
    assert table.frame["city"].to_list() == ["Paris, FR", "Rome"]


def test_semicolon_separated_with_decimal_commas() -> None:
    info, table = read(DATA / "read_semicolon.csv")
    assert info.sep == ";"
    assert table.frame["amount"].to_list() == ["12,50", "7,00", "1.130,25"]


def test_pipe_separated() -> None:
    info, table = read(DATA / "read_pipe.txt")
    assert info.sep == "|"
    assert table.frame["name"].to_list() == ["Ann Lee", "Bob, Jr."]


def test_whitespace_aligned_columns_keep_blank_cells_and_inner_spaces() -> None:
    info, table = read(DATA / "read_aligned.txt")
    assert info.sep == "whitespace" and info.quote_char is None
    assert table.frame.columns == ["customer_id", "name", "city", "amount"]
    assert rows(table) == [
        ("1", "Ann Lee", "New York", "12.50"),
        ("2", "Bob Ray", None, "7.00"),
        ("3", "Cy Doe", "Rio de Janeiro", "130.25"),
    ]
    assert table.lines.to_list() == [2, 3, 4]


def test_single_space_separated_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "scores.txt", "id score grade\n1 12.5 A\n2 7 B\n10 100 C\n")
    info, table = read(path)
    assert info.sep == "whitespace"
    assert rows(table) == [("1", "12.5", "A"), ("2", "7", "B"), ("10", "100", "C")]


def test_list_of_full_names_stays_one_column(tmp_path: Path) -> None:
    info, table = read(write(tmp_path, "names.txt", "Full Name\nAnn Lee\nBob Ray\n"))
    assert info.sep != "whitespace"
    assert table.frame.columns == ["Full Name"] and table.frame.height == 2


def test_utf8_bom_is_stripped_and_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.csv", b"\xef\xbb\xbfid,name\n1,Zo\xc3\xab\n")
    info, table = read(path)
    assert info.encoding == "utf-8-sig"
    assert table.frame.columns == ["id", "name"]
    assert rows(table) == [("1", "Zoë")]


def test_cp1252_export_keeps_accents_euro_and_enye(tmp_path: Path) -> None:
    text = "id;name;city;price\n1;José Muñoz;Málaga;€12,50\n2;Renée;Besançon;€7\n"
    path = write(tmp_path, "windows.csv", text.encode("cp1252"))
    info, table = read(path)
    assert info.encoding == "cp1252" and info.sep == ";"
    assert rows(table) == [
        ("1", "José Muñoz", "Málaga", "€12,50"),
        ("2", "Renée", "Besançon", "€7"),
    ]


def test_non_utf8_bytes_after_the_sniffed_head_switch_to_cp1252(tmp_path: Path) -> None:
    lines = [f"{i},plain name {i}" for i in range(8000)] + ["8000,Café"]
    path = write(tmp_path, "late.csv", ("id,name\n" + "\n".join(lines) + "\n").encode("cp1252"))
    info = detect_source(path, ReadOptions())
    assert info.encoding == "utf-8"  # the head is plain ASCII
    table = read_source(info)
    assert info.encoding == "cp1252"
    assert table.frame["name"][-1] == "Café" and table.frame.height == 8001


def test_crlf_line_endings(tmp_path: Path) -> None:
    path = write(tmp_path, "crlf.csv", "id,name\r\n1,Ann\r\n\r\n2,Bob\r\n")
    info, table = read(path)
    assert info.line_ending == "CRLF"
    assert rows(table) == [("1", "Ann"), ("2", "Bob")]
    assert table.lines.to_list() == [2, 4]


def test_cr_line_endings(tmp_path: Path) -> None:
    path = write(tmp_path, "mac.csv", "id,name\r1,Ann\r2,Bob\r")
    info, table = read(path)
    assert info.line_ending == "CR"
    assert rows(table) == [("1", "Ann"), ("2", "Bob")]
    assert table.lines.to_list() == [2, 3]


def test_file_without_header_gets_numbered_names(tmp_path: Path) -> None:
    path = write(tmp_path, "nohead.csv", "00123,Ann,12.50,2024-01-05\n00124,Bob,7.00,2024-02-11\n")
    info, table = read(path)
    assert info.has_header is False
    assert table.frame.columns == ["column_1", "column_2", "column_3", "column_4"]
    assert table.frame["column_1"].to_list() == ["00123", "00124"]
    assert table.lines.to_list() == [1, 2]


def test_quoted_separators_doubled_quotes_and_newlines_keep_start_lines() -> None:
    info, table = read(DATA / "read_quoted.csv")
    assert info.quote_char == '"'
    assert table.frame["name"].to_list() == ["Lee, Ann", "Bob", "Cy", "Di"]
    assert table.frame["note"].to_list() == [
        'said "hi"',
        "two\nlines",
        "three\nwhole\nlines",
        "plain",
    ]
    assert table.lines.to_list() == [2, 3, 5, 8]  # the physical line each record starts on


def test_single_quote_char_is_sniffed(tmp_path: Path) -> None:
    path = write(tmp_path, "single.csv", "id,name,city\n1,'Lee, Ann','Paris'\n2,'Bob','Rome'\n")
    info, table = read(path)
    assert info.quote_char == "'"
    assert rows(table) == [("1", "Lee, Ann", "Paris"), ("2", "Bob", "Rome")]


def test_quotes_inside_unquoted_fields_are_text(tmp_path: Path) -> None:
    path = write(tmp_path, "heights.csv", 'id,height,note\n1,5\'10",tall\n2,6\'1",very "tall"\n')
    _, table = read(path)
    assert rows(table) == [("1", "5'10\"", "tall"), ("2", "6'1\"", 'very "tall"')]
    assert table.lines.to_list() == [2, 3]


def test_gzip_by_name_and_by_magic_bytes(tmp_path: Path) -> None:
    content = gzip.compress(b"id\tname\n1\tAnn\n2\tBob\n")
    for name in ("orders.tsv.gz", "orders_without_suffix.csv"):
        info, table = read(write(tmp_path, name, content))
        assert info.compression == "gzip" and info.sep == "\t"
        assert rows(table) == [("1", "Ann"), ("2", "Bob")]


def test_ragged_rows_are_malformed_with_their_lines_and_nothing_is_lost() -> None:
    _, table = read(DATA / "read_ragged.csv")
    assert table.frame["id"].to_list() == ["1", "4", "6"]
    assert table.lines.to_list() == [2, 6, 8]
    assert table.malformed == [
        (3, "expected 3 fields, found 2", "2,Bob"),
        (4, "expected 3 fields, found 4", "3,Cy,1.00,extra"),
        (7, "expected 3 fields, found 4", '5,"Ed, Jr.",3.00,x'),
    ]
    data_rows = 6  # eight lines: a header, a blank line, six records
    assert table.frame.height + len(table.malformed) == data_rows


def test_blank_lines_are_skipped_and_whitespace_cells_are_null() -> None:
    _, table = read(DATA / "read_blank_lines.csv")
    assert rows(table) == [("1", "Ann", "Paris"), ("2", "Bob", None), ("3", "Cy", "Rome")]
    assert table.lines.to_list() == [3, 5, 7]
    assert table.malformed == []


def test_one_column_file_with_blank_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "emails.csv", "email\nann@example.com\n\n  \nbob@example.com\n")
    _, table = read(path)
    assert table.frame["email"].to_list() == ["ann@example.com", "bob@example.com"]
    assert table.lines.to_list() == [2, 5]


def test_duplicate_and_blank_header_names_are_made_unique(tmp_path: Path) -> None:
    path = write(tmp_path, "dups.csv", "name,,name, Amount \nAnn,x,Lee,1\n")
    _, table = read(path)
    assert table.frame.columns == ["name", "column_2", "name_2", " Amount "]


def test_trailing_separator_on_data_rows_adds_an_unnamed_column(tmp_path: Path) -> None:
    path = write(tmp_path, "trailing.csv", "id,name\n1,Ann,\n2,Bob,\n")
    _, table = read(path)
    assert table.frame.columns == ["id", "name", "column_3"]
    assert rows(table) == [("1", "Ann", None), ("2", "Bob", None)]


def test_rows_wider_than_the_header_with_values_stay_malformed(tmp_path: Path) -> None:
    path = write(
        tmp_path, "cities.csv", "id,name,city\n1,Ann,Paris, FR\n2,Bob,Rome, IT\n3,Cy,Oslo\n"
    )
    _, table = read(path)
    assert table.frame.columns == ["id", "name", "city"]
    assert rows(table) == [("3", "Cy", "Oslo")]
    assert [(line, reason) for line, reason, _ in table.malformed] == [
        (2, "expected 3 fields, found 4"),
        (3, "expected 3 fields, found 4"),
    ]


def test_header_only_file_gives_no_rows(tmp_path: Path) -> None:
    _, table = read(write(tmp_path, "header.csv", "id,name,amount\n"))
    assert table.frame.columns == ["id", "name", "amount"] and table.frame.height == 0


def test_preview_reads_only_the_first_rows_of_a_large_file(tmp_path: Path) -> None:
    body = "".join(f'{i},"name {i}",{i * 1.5}\n' for i in range(60_000))
    path = write(tmp_path, "large.csv", "id,name,amount\n3,short\n" + body)
    info = detect_source(path, ReadOptions())
    preview = read_source(info, n_rows=5)
    assert preview.frame["id"].to_list() == ["0", "1", "2", "3"]
    assert preview.malformed == [(2, "expected 3 fields, found 2", "3,short")]
    assert preview.lines.to_list() == [3, 4, 5, 6]
    late = read_source(info, n_rows=50_001)  # beyond the first chunk of bytes
    assert late.frame.height + len(late.malformed) == 50_001
    assert late.lines[-1] == 50_002  # record 50,001 sits on line 50,002


def reference(text: str) -> tuple[list[list[str]], list[int], list[int]]:
    """What a careful slow reader makes of ``text``: valid rows, their lines, malformed lines."""
    reader = csv.reader(io.StringIO(text, newline="\n"))
    header_width, valid, lines, bad, consumed = 0, [], [], [], 0
    for fields in reader:
        first, consumed = consumed + 1, reader.line_num
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        if not header_width:
            header_width = len(fields)
        elif len(fields) == header_width:
            valid.append([f.strip() or None for f in fields])
            lines.append(first)
        else:
            bad.append(first)
    return valid, lines, bad


@pytest.mark.parametrize("ragged", [False, True])
@pytest.mark.parametrize("stray_quotes", [False, True])
@pytest.mark.parametrize("seed", range(3))
def test_messy_files_match_a_careful_reference_reader(
    tmp_path: Path, seed: int, ragged: bool, stray_quotes: bool
) -> None:
    """Quoted separators and newlines, blank lines, padding, and (optionally) rows of the wrong
    width and quotes inside unquoted cells: each parse path must agree with the csv module."""
    rng = random.Random(seed)
    cells = ["plain", "", "  padded  ", '"with, comma"', '"two\nlines"', '"a ""quote"""', "00123"]
    if stray_quotes:
        cells.append("5'10\"")
    lines = ["a,b,c,d"]
    for _ in range(400):
        roll = rng.random()
        if roll < 0.05 and ragged:
            lines.append(rng.choice(["", "   "]))
        else:
            width = 4 if roll < 0.9 or not ragged else rng.choice([1, 3, 5, 6])
            lines.append(",".join(rng.choice(cells) for _ in range(width)))
    text = "\n".join(lines) + "\n"
    _, table = read(write(tmp_path, f"messy{seed}.csv", text))
    valid, valid_lines, bad_lines = reference(text)
    assert [list(r) for r in rows(table)] == valid
    assert table.lines.to_list() == valid_lines
    assert [line for line, _, _ in table.malformed] == bad_lines


# --- typed formats -------------------------------------------------------------------------


def workbook(path: Path) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(path)
    book.add_worksheet("Notes")  # empty: skipped by default
    orders = book.add_worksheet("Orders")
    orders.write_row(0, 0, ["customer_id", "amount", "order_date", "city"])
    orders.write_row(1, 0, ["00123", 12.5])
    orders.write_datetime(
        1, 2, dt.datetime(2024, 1, 5), book.add_format({"num_format": "yyyy-mm-dd"})
    )
    orders.write_string(1, 3, "  Paris ")
    orders.write_row(3, 0, ["00124", "n/a", None, "   "])  # row 3 is blank
    customers = book.add_worksheet("Customers")
    customers.write_row(3, 1, ["id", "email"])  # the table starts at B4
    customers.write_row(4, 1, ["C1", "ann@example.com"])
    book.close()
    return path


def test_xlsx_reads_the_first_sheet_with_data_and_excel_row_numbers(tmp_path: Path) -> None:
    info, table = read(workbook(tmp_path / "book.xlsx"))
    assert info.format == "xlsx" and info.sheet == "Orders"
    assert info.sheets == ["Notes", "Orders", "Customers"]
    assert table.frame.columns == ["customer_id", "amount", "order_date", "city"]
    assert table.frame["customer_id"].to_list() == ["00123", "00124"]
    assert table.frame["amount"].to_list() == ["12.5", "n/a"]  # a stray text value keeps it text
    assert table.frame["order_date"].dtype == pl.Datetime
    assert table.frame["city"].to_list() == ["Paris", None]
    assert table.lines.to_list() == [2, 4]


def test_xlsx_chosen_sheet_starting_below_the_top(tmp_path: Path) -> None:
    info, table = read(workbook(tmp_path / "book.xlsx"), sheet="Customers")
    assert info.sheet == "Customers"
    assert rows(table) == [("C1", "ann@example.com")]
    assert table.lines.to_list() == [5]


def test_xlsx_unknown_sheet_names_the_sheets(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"book\.xlsx.*'Sales'.*'Notes', 'Orders', 'Customers'"):
        read(workbook(tmp_path / "book.xlsx"), sheet="Sales")


def test_xlsx_header_only_and_headerless_sheets(tmp_path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(tmp_path / "shapes.xlsx")
    book.add_worksheet("Header").write_row(0, 0, ["id", "email"])
    numbers = book.add_worksheet("Numbers")
    for r in range(3):
        numbers.write_row(r, 0, [r + 1, 10.5 * r])
    book.close()
    info, table = read(tmp_path / "shapes.xlsx")
    assert info.sheet == "Header"
    assert table.frame.columns == ["id", "email"] and table.frame.height == 0
    info, table = read(tmp_path / "shapes.xlsx", sheet="numbers")  # case does not matter
    assert info.sheet == "Numbers" and info.has_header is False
    assert table.frame.columns == ["column_1", "column_2"]
    assert table.lines.to_list() == [1, 2, 3]
    _, table = read(tmp_path / "shapes.xlsx", sheet="Numbers", has_header=True)
    assert table.frame.columns == ["1", "0"] and table.lines.to_list() == [2, 3]


def test_parquet_keeps_native_types(tmp_path: Path) -> None:
    path = tmp_path / "customers.parquet"
    pl.DataFrame({"id": ["00123", "00124"], "spend": [12.5, 7.0], "n": [1, 2]}).write_parquet(path)
    info, table = read(path)
    assert info.format == "parquet" and info.encoding is None
    assert table.frame.schema == pl.Schema({"id": pl.String, "spend": pl.Float64, "n": pl.Int64})
    assert table.lines.to_list() == [1, 2]


def test_json_array_of_objects() -> None:
    info, table = read(DATA / "read_records.json")
    assert info.format == "json"
    assert table.frame["customer_id"].to_list() == ["00123", "00124"]
    assert table.frame["vip"].dtype == pl.Boolean
    assert table.lines.to_list() == [1, 2]


def test_json_array_wrapped_in_one_key(tmp_path: Path) -> None:
    path = write(
        tmp_path, "api.json", '{"records": [{"id": "a", "geo": {"city": "Rome"}}, {"id": "b"}]}'
    )
    _, table = read(path)
    assert rows(table) == [("a", "Rome"), ("b", None)]
    assert table.frame.columns == ["id", "geo.city"]


def test_ndjson_numbers_rows_by_physical_line_and_flattens_objects() -> None:
    info, table = read(DATA / "read_records.ndjson")
    assert info.format == "ndjson"
    assert table.frame.columns == ["customer_id", "amount", "address.city", "address.zip"]
    assert table.frame["address.city"].to_list() == ["Paris", "Rome", None]
    assert table.lines.to_list() == [1, 3, 4]


def test_json_content_is_recognised_without_the_extension(tmp_path: Path) -> None:
    info, _ = read(write(tmp_path, "export.txt", '[{"a": 1}]'))
    assert info.format == "json"
    info, _ = read(write(tmp_path, "export.dat", '{"a": 1}\n{"a": 2}\n'))
    assert info.format == "ndjson"


# --- manual overrides ----------------------------------------------------------------------


def test_overrides_win_over_sniffing(tmp_path: Path) -> None:
    path = write(tmp_path, "ambiguous.txt", "a;b,c\n1;2,3\n4;5,6\n")
    info, table = read(path, sep=";", has_header=False, encoding="latin-1", quote_char="'")
    assert (info.sep, info.has_header, info.encoding, info.quote_char) == (
        ";",
        False,
        "latin-1",
        "'",
    )
    assert table.frame.columns == ["column_1", "column_2"]
    assert table.lines.to_list() == [1, 2, 3]
    info, _ = read(path)
    assert info.sep == "," and info.has_header is True


def test_format_and_separator_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, "data.json", "id  name\n1   Ann\n")
    info, table = read(path, format="csv", sep="whitespace")
    assert (info.format, info.sep) == ("csv", "whitespace")
    assert rows(table) == [("1", "Ann")]


def test_forced_separator_holds_even_when_it_splits_nothing(tmp_path: Path) -> None:
    info, table = read(write(tmp_path, "list.csv", "a,b\n1,2\n"), sep="|")
    assert info.sep == "|"
    assert table.frame.columns == ["a,b"] and table.frame["a,b"].to_list() == ["1,2"]


def test_whitespace_aligned_cp1252(tmp_path: Path) -> None:
    text = "id   city\n1    Málaga\n2    Besançon\n"
    info, table = read(write(tmp_path, "report.txt", text.encode("cp1252")))
    assert (info.sep, info.encoding) == ("whitespace", "cp1252")
    assert table.frame["city"].to_list() == ["Málaga", "Besançon"]


# --- errors --------------------------------------------------------------------------------


def error_for(path: Path, **options: object) -> str:
    with pytest.raises(IngestError) as caught:
        read(path, **options)
    message = str(caught.value)
    assert path.name in message and "Traceback" not in message
    return message


def test_missing_file(tmp_path: Path) -> None:
    assert "not found" in error_for(tmp_path / "orders.csv")


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    assert "folder" in error_for(tmp_path / "exports")


def test_empty_and_whitespace_only_files(tmp_path: Path) -> None:
    assert "empty" in error_for(write(tmp_path, "empty.csv", b""))
    assert "empty" in error_for(write(tmp_path, "blank.csv", "  \n\n \r\n"))


def test_binary_file(tmp_path: Path) -> None:
    assert "binary" in error_for(
        write(tmp_path, "photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    )


def test_corrupt_workbook(tmp_path: Path) -> None:
    broken = workbook(tmp_path / "good.xlsx").read_bytes()[:300]
    assert "Excel" in error_for(write(tmp_path, "broken.xlsx", broken))


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(tmp_path / "archive.xlsx", "w") as archive:
        archive.writestr("orders.csv", "id\n1\n")
    assert "zip" in error_for(tmp_path / "archive.xlsx")


def test_corrupt_parquet(tmp_path: Path) -> None:
    assert "Parquet" in error_for(write(tmp_path, "broken.parquet", b"PAR1 not really PAR1"))


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", '[\n  {"a": 1},\n  {"a": 2,}\n]\n')
    assert "line 3" in error_for(path)
    path = write(tmp_path, "bad.ndjson", '{"a": 1}\n\n{"a": 2\n')
    assert "line 3" in error_for(path)


def test_json_without_columns(tmp_path: Path) -> None:
    assert "no usable columns" in error_for(write(tmp_path, "nothing.json", "[{}, {}]"))


def test_text_without_names_or_rows(tmp_path: Path) -> None:
    assert "no usable columns" in error_for(write(tmp_path, "commas.csv", ",,\n"))


def test_bad_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, "orders.csv", "id\n1\n")
    assert "encoding" in error_for(path, encoding="klingon")
    assert "separator" in error_for(path, sep="::")
    assert "utf-8" in error_for(
        write(tmp_path, "w.csv", "a\nCaf\xe9\n".encode("cp1252")), encoding="utf-8"
    )
