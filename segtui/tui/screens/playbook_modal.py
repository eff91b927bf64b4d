"""The playbook editor (from the Messaging screen): the project's own playbook as TOML text,
the archetypes drafts are suggested from before the shipped ones.

A project without one gets a commented starter cut from the shipped file, and ctrl+t copies
any shipped archetype in to change it (same id: it replaces the shipped one). ctrl+s checks
the whole text with the core and stores it, or shows the core's one-line message and puts the
cursor where the mistake is; nothing is stored then. Escape asks before dropping unsaved
changes. Dismisses with True when the project's playbook was saved.
"""

from __future__ import annotations

import importlib.util
import re
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static, TextArea
from textual.worker import Worker, WorkerState

from segtui.tui.screens.base import Command, SegtuiModal
from segtui.tui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from segtui.core.playbook_blocks import ArchetypeBlock
    from segtui.core.playbook_model import Playbook, PlaybookError

# The core's messages say where a mistake is: "… at line 3, column 15 …" (TOML syntax) or
# "… archetype 'vip' …" (a value of that archetype).
AT_LINE_RE = re.compile(r"at line (\d+), column (\d+)")
ARCHETYPE_RE = re.compile(r"archetype '([^']+)'")


def _language() -> str | None:
    """TOML highlighting when Textual's tree-sitter extra is installed; plain text otherwise
    (asking for a language without it only logs a warning, but says nothing useful)."""
    return "toml" if importlib.util.find_spec("tree_sitter_toml") else None


def _id_line(text: str, archetype_id: str) -> int | None:
    """The 0-based line of ``id = "<archetype_id>"`` in the text, if any."""
    pattern = re.compile(rf"""^\s*id\s*=\s*["']{re.escape(archetype_id)}["']\s*(#.*)?$""")
    for number, line in enumerate(text.splitlines()):
        if pattern.match(line):
            return number
    return None


class PlaybookModal(SegtuiModal[bool]):
    PURPOSE = (
        "Edit the project's own playbook: TOML archetypes that suggested drafts try before "
        "the shipped ones. ctrl+s checks and saves it; a mistake is shown with its place and "
        "nothing is saved."
    )
    DEFAULT_CSS = """
    PlaybookModal > .dialog { width: 95%; max-width: 140; height: 95%; }
    PlaybookModal #playbook-text { height: 1fr; }
    PlaybookModal #playbook-status { height: auto; }
    """
    BINDINGS: ClassVar = [
        Binding("ctrl+s", "save", "Save", priority=True, id="playbook.save",
                tooltip="Check the whole playbook and save it to the project file."),
        Binding("ctrl+t", "copy_shipped", "Copy shipped", id="playbook.copy_shipped",
                tooltip="Pick a shipped archetype and copy it to the end, to change it."),
        Binding("escape", "close", "Close", id="playbook.close",
                tooltip="Close the editor (asks first when there are unsaved changes)."),
    ]  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.loaded_text: str | None = None  # what the editor started from; None while loading
        self.starter = ""
        self.saving = False

    # --- layout and loading ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                "The project's playbook: archetypes tried before the shipped ones",
                classes="dialog-title",
            )
            yield TextArea(
                "",
                id="playbook-text",
                language=_language(),
                soft_wrap=True,
                tab_behavior="focus",  # Escape must reach the dialog, not move the focus
                show_line_numbers=True,
                read_only=True,
                tooltip="The project's playbook as TOML (the shipped file explains each key).",
            )
            yield Static("Loading…", id="playbook-status", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load()

    @property
    def editor(self) -> TextArea:
        return self.query_one("#playbook-text", TextArea)

    @property
    def dirty(self) -> bool:
        return self.loaded_text is not None and self.editor.text != self.loaded_text

    @work(thread=True, exclusive=True, exit_on_error=False, name="playbook_load")
    def load(self) -> tuple[str, str]:
        """The stored text and the starter (both read off the UI thread: one is the project
        file, the other the shipped playbook)."""
        from segtui.core.playbook import playbook_text
        from segtui.core.playbook_blocks import starter_text

        project = self.project
        assert project is not None
        return playbook_text(project), starter_text()

    def _loaded(self, stored: str, starter: str) -> None:
        self.starter = starter
        editor = self.editor
        editor.load_text(stored if stored.strip() else starter)
        self.loaded_text = editor.text
        editor.read_only = False
        editor.focus()
        self._status(
            "No playbook of its own yet: the starter above is only comments."
            if not stored.strip()
            else ""
        )

    # --- saving ----------------------------------------------------------------------------

    def _status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#playbook-status", Static)
        status.set_class(error, "error")
        status.update(text)

    def show_error(self, message: str) -> None:
        self._status(message, error=True)

    def action_save(self) -> None:
        if self.loaded_text is None or self.saving:
            return
        text = self.editor.text
        # The untouched starter is only comments: saving it stores nothing of the user's.
        self.saving = True
        self._status("Checking…")
        self.save("" if text == self.starter else text)

    @work(thread=True, exclusive=True, exit_on_error=False, name="playbook_save")
    def save(self, text: str) -> Playbook | PlaybookError:
        """The playbook stored, or the core's refusal (a mistake in the text is an answer
        for the editor, not a failure for the app's error handler)."""
        from segtui.core.playbook import set_project_playbook
        from segtui.core.playbook_model import PlaybookError

        project = self.project
        assert project is not None
        try:
            return set_project_playbook(project, text)
        except PlaybookError as exc:
            return exc

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        name = event.worker.name
        if name == "playbook_load" and event.state == WorkerState.SUCCESS:
            self._loaded(*event.worker.result)  # type: ignore[misc]
        elif name == "playbook_save" and event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            self.saving = False
            if event.state == WorkerState.SUCCESS:
                self._saved(event.worker.result)  # type: ignore[arg-type]

    def _saved(self, result: Playbook | PlaybookError) -> None:
        from segtui.core.playbook_model import PlaybookError

        if isinstance(result, PlaybookError):
            message = str(result)
            self._status(message, error=True)
            self._point_at(message)
            return
        own = [a.id for a in result.archetypes if a.origin == "project"]
        message = (
            f"Playbook saved: {len(own)} archetype{'' if len(own) == 1 else 's'} of the "
            f"project's own ({', '.join(own)})."
            if own
            else "Playbook saved: the project has no archetypes of its own, so drafts come "
            "from the shipped playbook."
        )
        self.app.notify(message, markup=False)
        self.dismiss(True)

    def _point_at(self, message: str) -> None:
        """Put the cursor where the core says the mistake is."""
        editor = self.editor
        found = AT_LINE_RE.search(message)
        if found:
            line, column = int(found.group(1)) - 1, int(found.group(2)) - 1
        else:
            named = ARCHETYPE_RE.search(message)
            at = _id_line(editor.text, named.group(1)) if named else None
            if at is None:
                return
            line, column = at, 0
        editor.move_cursor((line, max(column, 0)), center=True)
        editor.focus()

    # --- copying a shipped archetype -------------------------------------------------------

    def action_copy_shipped(self) -> None:
        if self.loaded_text is None:
            return
        from segtui.core.playbook_blocks import shipped_blocks

        self.app.search_commands(
            [
                Command(
                    block.id,
                    lambda block=block: self.copy_block(block),  # type: ignore[misc]
                    f"{block.title} · {block.goal}",
                )
                for block in shipped_blocks()
            ],
            placeholder="Shipped archetype to copy…",
        )

    def copy_block(self, block: ArchetypeBlock) -> None:
        """Append the block (or put it in place of the untouched starter) and go to it."""
        editor = self.editor
        text = editor.text
        twice = _id_line(text, block.id) is not None
        if text == self.starter or not text.strip():
            editor.load_text(block.text)
            start = 0
        else:
            gap = "\n" if text.endswith("\n") else "\n\n"
            start = len((text + gap).splitlines())
            editor.insert(gap + block.text, editor.document.end)
        editor.move_cursor((start, 0), center=True)
        editor.focus()
        if twice:
            self._status(
                f"Copied {block.id!r}, but an archetype above has that id already; give one of "
                "them another id before saving.",
                error=True,
            )
        else:
            self._status(
                f"Copied the shipped {block.id!r}: with that id it replaces the shipped one; "
                "give it a new id to add an archetype of your own."
            )

    def commands(self) -> list[Command]:
        return [
            Command("playbook: save", self.action_save, "Check the playbook and save it"),
            Command(
                "playbook: copy a shipped archetype…",
                self.action_copy_shipped,
                "Copy one of the shipped archetypes in, to change it",
            ),
        ]

    # --- closing ---------------------------------------------------------------------------

    def save_pending(self) -> bool:
        """The playbook is saved only when checked (ctrl+s): quitting with changes asks."""
        return not self.dirty

    def action_close(self) -> None:
        if self.saving:
            return
        if not self.dirty:
            self.dismiss(False)
            return
        from segtui.tui.screens.confirm import ConfirmModal

        def done(discard: bool | None) -> None:
            if discard:
                self.dismiss(False)

        self.app.push_screen(
            ConfirmModal(
                "Discard your changes to the playbook?",
                "They have not been saved; the project keeps its playbook as it was. "
                "ctrl+s saves them instead.",
                confirm_label="Discard",
            ),
            done,
        )
