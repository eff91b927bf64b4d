"""The detected read settings of a file (format, delimiter, encoding, header, quote, decimal
comma, sheet, line ending), each editable. A change the user makes is posted as
``SourceSettings.Changed(field, value)``; showing a new plan never posts anything."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Grid
from textual.message import Message
from textual.widgets import Label, Select, Static, Switch

from segtui.core.model import SEPARATOR_NAMES

if TYPE_CHECKING:
    from segtui.core.model import ImportPlan

FORMAT_LABELS = {
    "csv": "delimited text",
    "xlsx": "Excel .xlsx",
    "parquet": "Parquet",
    "json": "JSON",
    "ndjson": "NDJSON",
}
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1")
QUOTES = {'"': 'double "', "'": "single '"}
TEXT_ONLY = ("sep", "encoding", "quote_char", "decimal_comma", "line_ending")


def file_decimal_comma(plan: ImportPlan) -> bool:
    return any(c.decimal_comma for c in plan.columns if c.type == "decimal")


def plan_values(plan: ImportPlan) -> dict[str, Any]:
    """The value each setting shows for a plan (what was detected or chosen)."""
    s = plan.source
    return {
        "format": s.format,
        "sep": s.sep or ",",
        "encoding": (s.encoding or "utf-8").lower(),
        "has_header": s.has_header,
        "quote_char": s.quote_char or '"',
        "decimal_comma": file_decimal_comma(plan),
        "sheet": s.sheet,
    }


class SourceSettings(Grid):
    """Label/control pairs in a grid; text-only settings hide for other formats."""

    @dataclass
    class Changed(Message):
        field: str
        value: Any

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shown: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        def pair(field: str, label: str, control: Any) -> ComposeResult:
            yield Label(label, classes=f"setting-label setting-{field}")
            control.add_class(f"setting-{field}")
            yield control

        yield from pair(
            "format",
            "Format",
            Select(
                [(v, k) for k, v in FORMAT_LABELS.items()],
                allow_blank=False,
                compact=True,
                id="set-format",
                tooltip="How the file is read; detected from its content and name.",
            ),
        )
        yield from pair(
            "sep",
            "Delimiter",
            Select(
                [(v, k) for k, v in SEPARATOR_NAMES.items()],
                allow_blank=False,
                compact=True,
                id="set-sep",
                tooltip="What separates the fields; 'whitespace' for columns aligned by spaces.",
            ),
        )
        yield from pair(
            "encoding",
            "Encoding",
            Select(
                [(e, e) for e in ENCODINGS],
                allow_blank=False,
                compact=True,
                id="set-encoding",
                tooltip="The text encoding; try cp1252 or latin-1 when accents look wrong.",
            ),
        )
        yield from pair(
            "has_header",
            "Header row",
            Switch(id="set-has_header", tooltip="On when the first row holds column names."),
        )
        yield from pair(
            "quote_char",
            "Quote",
            Select(
                [(v, k) for k, v in QUOTES.items()],
                allow_blank=False,
                compact=True,
                id="set-quote_char",
                tooltip="The character around fields that contain the delimiter.",
            ),
        )
        yield from pair(
            "decimal_comma",
            "Decimal comma",
            Switch(
                id="set-decimal_comma",
                tooltip="On when numbers are written 1.234,56 (a comma before the decimals).",
            ),
        )
        yield from pair(
            "sheet",
            "Sheet",
            Select(
                [],
                allow_blank=True,
                compact=True,
                id="set-sheet",
                tooltip="The workbook sheet to import.",
            ),
        )
        yield Label("Line ending", classes="setting-label setting-line_ending")
        yield Static("", id="set-line_ending", classes="setting-line_ending setting-value")

    def show(self, plan: ImportPlan) -> None:
        """Show a plan's settings (posts no Changed: only the user's changes re-plan)."""
        values = plan_values(plan)
        source = plan.source
        self.shown = dict(values)
        options = {
            "format": dict((k, v) for k, v in FORMAT_LABELS.items()),
            "sep": dict(SEPARATOR_NAMES),
            "encoding": {e: e for e in ENCODINGS},
            "quote_char": dict(QUOTES),
            "sheet": {name: name for name in source.sheets},
        }
        with self.prevent(Select.Changed, Switch.Changed):
            for field, choices in options.items():
                value = values[field]
                if value is not None and value not in choices:
                    choices = {value: repr(value) if field != "encoding" else value, **choices}
                select = self.query_one(f"#set-{field}", Select)
                select.set_options([(label, key) for key, label in choices.items()])
                if value is not None:
                    select.value = value
            for field in ("has_header", "decimal_comma"):
                self.query_one(f"#set-{field}", Switch).value = bool(values[field])
        self.query_one("#set-line_ending", Static).update(source.line_ending or "LF")
        is_text = source.format == "csv"
        for field in TEXT_ONLY:
            for node in self.query(f".setting-{field}"):
                node.display = is_text
        for node in self.query(".setting-sheet"):
            node.display = source.format == "xlsx"
        for node in self.query(".setting-has_header"):
            node.display = source.format in ("csv", "xlsx")

    def _changed(self, field: str, value: Any) -> None:
        if field in self.shown and self.shown[field] != value:
            self.shown[field] = value
            self.post_message(self.Changed(field, value))

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is not Select.NULL and event.select.id:
            self._changed(event.select.id.removeprefix("set-"), event.value)

    def on_switch_changed(self, event: Switch.Changed) -> None:
        event.stop()
        if event.switch.id:
            self._changed(event.switch.id.removeprefix("set-"), event.value)
