"""Plain data passed between the importer, the project file, the CLI and the UI.

Everything here is a small dataclass or a closed set of names; nothing imports polars at module
level so that the app can start without paying for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args

if TYPE_CHECKING:
    import polars as pl

Kind = Literal["customers", "transactions"]
KINDS: tuple[Kind, ...] = get_args(Kind)

FileFormat = Literal["csv", "xlsx", "parquet", "json", "ndjson"]
FILE_FORMATS: tuple[FileFormat, ...] = get_args(FileFormat)

ColumnType = Literal["integer", "decimal", "boolean", "date", "datetime", "text"]
COLUMN_TYPES: tuple[ColumnType, ...] = get_args(ColumnType)

Role = Literal[
    "customer_id",
    "email",
    "phone",
    "first_name",
    "last_name",
    "full_name",
    "order_id",
    "order_date",
    "amount",
    "unit_price",
    "quantity",
    "category",
    "channel",
    "discount",
    "country",
    "region",
    "city",
    "postcode",
    "age",
    "birth_year",
    "birth_date",
    "gender",
    "income",
    "interests",
    "signup_date",
    "opt_in",
]
ROLES: tuple[Role, ...] = get_args(Role)

# Human labels for roles, used by the UI and the CLI report.
ROLE_LABELS: dict[str, str] = {
    "customer_id": "customer id",
    "email": "email",
    "phone": "phone",
    "first_name": "first name",
    "last_name": "last name",
    "full_name": "full name",
    "order_id": "order id",
    "order_date": "order date",
    "amount": "amount",
    "unit_price": "unit price",
    "quantity": "quantity",
    "category": "category",
    "channel": "channel",
    "discount": "discount",
    "country": "country",
    "region": "region",
    "city": "city",
    "postcode": "postcode",
    "age": "age",
    "birth_year": "birth year",
    "birth_date": "birth date",
    "gender": "gender",
    "income": "income",
    "interests": "interests / lifestyle",
    "signup_date": "signup date",
    "opt_in": "marketing opt-in",
}

# Separator names accepted from the CLI and shown in the UI. "whitespace" means columns aligned
# with runs of spaces (fixed-width-looking exports).
SEPARATOR_NAMES: dict[str, str] = {
    ",": "comma",
    "\t": "tab",
    ";": "semicolon",
    "|": "pipe",
    "whitespace": "whitespace",
}


@dataclass
class ReadOptions:
    """What the user asked for; None means "detect it"."""

    format: FileFormat | None = None
    sep: str | None = None  # ",", "\t", ";", "|" or "whitespace"
    encoding: str | None = None  # "utf-8", "utf-8-sig", "cp1252", "latin-1", ...
    has_header: bool | None = None
    quote_char: str | None = None
    decimal_comma: bool | None = None
    sheet: str | None = None
    # Per column (by output column name) overrides of what detection chose.
    types: dict[str, ColumnType] = field(default_factory=dict)
    date_formats: dict[str, str] = field(default_factory=dict)  # strftime-style, or "excel"
    roles: dict[str, Role] = field(default_factory=dict)  # role -> column name
    kind: Kind | None = None
    derive_amount: bool = True  # amount = quantity × unit price when there is no amount


@dataclass
class SourceInfo:
    """How a source file is read, as detected (or as forced by ReadOptions)."""

    path: str
    format: FileFormat
    compression: Literal["gzip"] | None = None
    encoding: str | None = None  # text formats only
    sep: str | None = None  # csv only
    has_header: bool = True
    quote_char: str | None = '"'
    line_ending: Literal["LF", "CRLF", "CR"] | None = None
    sheet: str | None = None  # xlsx only: the sheet read
    sheets: list[str] = field(default_factory=list)  # xlsx only: every sheet in the workbook
    size_bytes: int = 0


@dataclass
class RawTable:
    """A source read but not yet typed.

    Text formats give every column as strings (blank cells as null); typed formats (xlsx,
    parquet, json) keep their native types. ``lines`` holds the 1-based source line (text) or
    row number (other formats, header = row 1) of every row of ``frame``, in order. Rows that
    could not be split into the right number of fields are not in ``frame``; they are in
    ``malformed`` as (line, reason, raw text).
    """

    frame: pl.DataFrame
    lines: pl.Series
    malformed: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass
class ColumnPlan:
    """One output column: its name, type and role, as detected or as overridden."""

    name: str  # output name (cleaned, unique)
    source_name: str  # as in the file
    type: ColumnType = "text"
    date_format: str | None = None  # for date/datetime parsed from text; "excel" = serials
    role: Role | None = None
    decimal_comma: bool = False  # decimal column written with a decimal comma
    detail: str = ""  # short human note, e.g. "thousands separators and € stripped"
    missing: int = 0  # blank cells in the sample

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source_name": self.source_name,
            "type": self.type,
            "date_format": self.date_format,
            "role": self.role,
            "decimal_comma": self.decimal_comma,
            "detail": self.detail,
        }


@dataclass
class ImportPlan:
    """Everything needed to import a file: how to read it, its columns, its kind, a preview."""

    source: SourceInfo
    columns: list[ColumnPlan]
    kind: Kind
    kind_reason: str
    preview: pl.DataFrame  # the first rows as they will be imported (typed)
    preview_raw: pl.DataFrame  # the same rows as read (strings for text files)
    options: ReadOptions = field(default_factory=ReadOptions)
    derived_amount: bool = False  # amount will be computed as quantity × unit price
    sample_rows: int = 0

    def column(self, name: str) -> ColumnPlan:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    def role_column(self, role: str) -> str | None:
        for col in self.columns:
            if col.role == role:
                return col.name
        return None


@dataclass
class RejectedRow:
    line: int
    reason: str
    column: str | None = None
    raw: str = ""


@dataclass
class ImportReport:
    """What an import did, in numbers: printed by the CLI, shown by the UI, stored as JSON."""

    source_path: str
    dataset: str
    kind: Kind
    rows_read: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0
    reject_samples: list[RejectedRow] = field(default_factory=list)  # the first few
    reject_reasons: dict[str, int] = field(default_factory=dict)  # reason kind -> count
    duplicates: int = 0
    missing_customer_ids: int = 0
    negative_amounts: int = 0
    date_column: str | None = None
    date_min: str | None = None
    date_max: str | None = None
    distinct_customers: int | None = None
    derived_amount: bool = False
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "source_path": self.source_path,
            "dataset": self.dataset,
            "kind": self.kind,
            "rows_read": self.rows_read,
            "rows_imported": self.rows_imported,
            "rows_rejected": self.rows_rejected,
            "reject_samples": [
                {"line": r.line, "reason": r.reason, "column": r.column}
                for r in self.reject_samples
            ],
            "reject_reasons": self.reject_reasons,
            "duplicates": self.duplicates,
            "missing_customer_ids": self.missing_customer_ids,
            "negative_amounts": self.negative_amounts,
            "date_column": self.date_column,
            "date_min": self.date_min,
            "date_max": self.date_max,
            "distinct_customers": self.distinct_customers,
            "derived_amount": self.derived_amount,
            "warnings": self.warnings,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class LoadedDataset:
    """A file fully read, typed and validated, ready to be written to the project."""

    plan: ImportPlan
    data: pl.DataFrame  # typed columns in plan order (+ derived columns)
    rejects: pl.DataFrame  # columns: line (i64), column (str), reason (str), raw (str)
    report: ImportReport
    source_sha256: str = ""


@dataclass
class ColumnInfo:
    name: str
    type: ColumnType
    role: Role | None
    source_name: str = ""
    date_format: str | None = None


@dataclass
class DatasetInfo:
    """A dataset as stored in the project (metadata only; rows are read on demand)."""

    id: int
    name: str
    kind: Kind
    table: str
    rows: int
    rejected: int
    rows_read: int
    customers: int | None
    columns: list[ColumnInfo]
    source_path: str
    source_sha256: str
    imported_at: str
    date_min: str | None = None
    date_max: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)

    def role_column(self, role: str) -> str | None:
        for col in self.columns:
            if col.role == role:
                return col.name
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "table": self.table,
            "rows": self.rows,
            "rejected": self.rejected,
            "rows_read": self.rows_read,
            "customers": self.customers,
            "date_min": self.date_min,
            "date_max": self.date_max,
            "source_path": self.source_path,
            "source_sha256": self.source_sha256,
            "imported_at": self.imported_at,
            "columns": [{"name": c.name, "type": c.type, "role": c.role} for c in self.columns],
        }
