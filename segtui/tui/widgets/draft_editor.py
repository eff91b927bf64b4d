"""The draft editor of the Messaging screen: a draft's fields as inputs (goal, channel, holdout,
offer, discount, code, call to action, send note, notes), a bar of its A/B variants, and the
shown variant's subject and body.

The editor holds the draft as last read from its fields. Any change that makes a valid draft
posts ``DraftEditor.Edited`` (the screen saves it and redraws the preview); a field that cannot
be read (a holdout of 80 %, a discount of "twenty") shows its message under the editor and
nothing is posted until it is fixed. Filling the fields from a draft posts nothing: a change is
only what differs from the draft held.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static, TextArea

from segtui.core.messaging_model import (
    CHANNELS,
    GOALS,
    HOLDOUT_MAX,
    Draft,
    MessagingError,
    Offer,
    Variant,
    discount_text,
    parse_discount,
)

if TYPE_CHECKING:
    from textual import events

CHANNEL_LABELS = {
    "email": "Email",
    "sms": "SMS",
    "social": "Social post",
    "ad": "Paid ad",
    "direct mail": "Direct mail",
}
SUBJECT_LABELS = {
    "ad": "Headline",
    "sms": "(no subject)",
    "social": "Title",
    "direct mail": "Title",
}


def _field(**options: Any) -> Input:
    """One of the editor's inputs: compact, and focusing it puts the cursor at the end rather
    than selecting the text (the next key would replace it all)."""
    return Input(compact=True, select_on_focus=False, **options)


class VariantBar(Widget, can_focus=True):
    """The draft's variants as a row of names, the shown one highlighted; left and right (or
    a click) show another."""

    DEFAULT_CSS = """
    VariantBar { height: 1; width: 1fr; }
    VariantBar:focus { background: $boost; }
    """
    BINDINGS: ClassVar = [
        Binding("left", "move(-1)", "Previous variant", show=False, id="variants.previous",
                tooltip="Show the previous variant."),
        Binding("right", "move(1)", "Next variant", show=False, id="variants.next",
                tooltip="Show the next variant."),
    ]  # fmt: skip

    class Chosen(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.names: list[str] = []
        self.index = 0

    def show(self, names: list[str], index: int) -> None:
        self.names, self.index = names, index
        self.refresh()

    def _spans(self) -> list[tuple[int, int]]:
        spans, x = [], len("Variants ")
        for name in self.names:
            spans.append((x, x + len(name) + 2))
            x += len(name) + 3
        return spans

    def render(self) -> Text:
        text = Text("Variants ", style="dim")
        for i, name in enumerate(self.names):
            text.append(f" {name} ", style="reverse bold" if i == self.index else "")
            text.append(" ")
        text.append(" ←→ here · in the list: a adds, [ ] switch", style="dim")
        return text

    def action_move(self, step: int) -> None:
        if self.names:
            self.post_message(self.Chosen((self.index + step) % len(self.names)))

    def on_click(self, event: events.Click) -> None:
        for i, (start, end) in enumerate(self._spans()):
            if start <= event.x < end:
                self.post_message(self.Chosen(i))


class DraftEditor(Vertical):
    """A draft's fields (see the module docstring)."""

    class Edited(Message):
        """The fields make a new valid draft."""

        def __init__(self, draft: Draft) -> None:
            super().__init__()
            self.draft = draft

    class VariantShown(Message):
        """Another variant is shown (the preview follows it)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.draft: Draft | None = None
        self.variant = 0
        self.currency = ""

    def compose(self) -> ComposeResult:
        with Horizontal(classes="draft-row"):
            yield Label("Goal")
            yield Select([(g, g) for g in GOALS], allow_blank=False, compact=True, id="goal",
                         tooltip="What the message is for.")  # fmt: skip
            yield Label("Channel")
            yield Select([(CHANNEL_LABELS[c], c) for c in CHANNELS], allow_blank=False,
                         compact=True, id="channel", tooltip="Where it is sent.")  # fmt: skip
            yield Label("Holdout %")
            yield _field(id="holdout", classes="short",
                        tooltip=f"Share of the segment kept out of the send as a control group "
                        f"(0 to {HOLDOUT_MAX:g}).")  # fmt: skip
        with Horizontal(classes="draft-row"):
            yield Label("Offer")
            yield _field(id="offer", placeholder="e.g. free delivery this week",
                        tooltip="What the message offers, in words.")  # fmt: skip
            yield Label("Discount")
            yield _field(id="discount", classes="short", placeholder="20% or 5",
                        tooltip="A percentage (20%) or an amount (5), or blank.")  # fmt: skip
            yield Label("Code")
            yield _field(id="code", classes="code",
                        tooltip="The discount code, shown as {{ offer_code }}.")  # fmt: skip
        with Horizontal(classes="draft-row"):
            yield Label("CTA")
            yield _field(id="cta", placeholder="e.g. Shop the new range",
                        tooltip="The call to action ({{ cta }} in the text).")  # fmt: skip
            yield Label("Send")
            yield _field(id="send-note", placeholder="e.g. Tuesday 10:00",
                        tooltip="When to send it, as a note for whoever schedules it.")  # fmt: skip
        yield VariantBar(id="variant-bar")
        with Horizontal(classes="draft-row"):
            yield Label("Subject", id="subject-label")
            yield _field(id="subject",
                        tooltip='Merge fields with fallbacks: {{ first_name | default("there") }}.'
                        )  # fmt: skip
        body = TextArea(id="body", compact=True, soft_wrap=True)
        body.tooltip = "The message; merge fields as in the subject. Tab leaves it."
        yield body
        with Horizontal(classes="draft-row"):
            yield Label("Notes")
            yield Input(
                compact=True,
                select_on_focus=False,
                id="notes",
                tooltip="Notes for yourself or the client.",
            )
        yield Static("", id="draft-status", markup=False)

    # --- filling -----------------------------------------------------------------------------

    def show(self, draft: Draft, currency: str, variant: int | None = None) -> None:
        """Fill the fields from ``draft`` (posts nothing: the fields now match the draft)."""
        self.draft = draft
        self.currency = currency
        if variant is not None:
            self.variant = variant
        self.variant = min(self.variant, len(draft.variants) - 1)
        self._set(Select, "#goal", draft.goal)
        self._set(Select, "#channel", draft.channel)
        self._set(Input, "#holdout", f"{draft.holdout_pct:g}")
        self._set(Input, "#offer", draft.offer.text)
        self._set(Input, "#discount", discount_text(draft.offer, currency))
        self._set(Input, "#code", draft.offer.code)
        self._set(Input, "#cta", draft.cta)
        self._set(Input, "#send-note", draft.send_note)
        self._set(Input, "#notes", draft.notes)
        self._show_variant()
        self._label_subject(draft.channel)
        self.status(f"From {draft.source}" if draft.source else "")

    def _set(self, kind: type[Input] | type[Select[str]], selector: str, value: str) -> None:
        widget = self.query_one(selector, kind)
        if widget.value != value:
            widget.value = value

    def _show_variant(self) -> None:
        assert self.draft is not None
        shown = self.draft.variants[self.variant]
        self.query_one(VariantBar).show([v.name for v in self.draft.variants], self.variant)
        self._set(Input, "#subject", shown.subject)
        body = self.query_one("#body", TextArea)
        if body.text != shown.body:
            body.load_text(shown.body)

    def _label_subject(self, channel: str) -> None:
        self.query_one("#subject-label", Label).update(SUBJECT_LABELS.get(channel, "Subject"))

    def show_variant(self, index: int) -> None:
        if self.draft is not None and 0 <= index < len(self.draft.variants):
            self.variant = index
            self._show_variant()
            self.post_message(self.VariantShown())

    def status(self, text: str, error: bool = False) -> None:
        line = self.query_one("#draft-status", Static)
        line.set_class(error, "error")
        line.update(text)

    def focus_first(self) -> None:
        self.query_one("#subject", Input).focus()

    # --- reading -----------------------------------------------------------------------------

    def read(self) -> tuple[Draft, list[str]]:
        """The draft the fields make, and a message for each field that cannot be read (that
        field keeps its last good value, so the rest of the typing is not held back)."""
        assert self.draft is not None
        problems: list[str] = []
        holdout = self.draft.holdout_pct
        holdout_text = self.query_one("#holdout", Input).value.strip().rstrip("%").strip()
        try:
            typed = float(holdout_text or "0")
        except ValueError:
            typed = -1.0
        if 0 <= typed <= HOLDOUT_MAX:
            holdout = typed
        else:
            problems.append(
                f"Holdout {holdout_text!r}: give a percentage from 0 to {HOLDOUT_MAX:g}."
            )
        offer = self.draft.offer
        try:
            kind, amount = parse_discount(self.query_one("#discount", Input).value, self.currency)
        except MessagingError as exc:
            problems.append(str(exc)[0].upper() + str(exc)[1:])
            kind, amount = offer.discount_kind, offer.discount
        variants = list(self.draft.variants)
        shown = variants[self.variant]
        variants[self.variant] = Variant(
            shown.name,
            self.query_one("#subject", Input).value,
            self.query_one("#body", TextArea).text,
        )
        value = self.query_one
        draft = replace(
            self.draft,
            goal=str(value("#goal", Select).value),  # type: ignore[arg-type]
            channel=str(value("#channel", Select).value),  # type: ignore[arg-type]
            holdout_pct=holdout,
            offer=Offer(value("#offer", Input).value, kind, amount, value("#code", Input).value),
            variants=variants,
            cta=value("#cta", Input).value,
            send_note=value("#send-note", Input).value,
            notes=value("#notes", Input).value,
        )
        return draft, problems

    def sync(self) -> Draft | None:
        """Take what the fields hold now as the draft, without waiting for their messages;
        the new draft, or None when nothing changed (or it cannot be read)."""
        if self.draft is None:
            return None
        try:
            draft, _ = self.read()
        except MessagingError:
            return None
        if draft == self.draft:
            return None
        self.draft = draft
        return draft

    def _edited(self) -> None:
        if self.draft is None:
            return
        try:
            draft, problems = self.read()
        except MessagingError as exc:  # e.g. a body beyond the longest a draft may hold
            self.status(str(exc).replace(f"draft for {self.draft.segment!r}", "This draft"), True)
            return
        if problems:
            self.status(problems[0], error=True)
        else:
            self.status(f"From {draft.source}" if draft.source else "")
        if draft == self.draft:
            return
        if draft.channel != self.draft.channel:
            self._label_subject(draft.channel)
        self.draft = draft
        self.post_message(self.Edited(draft))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._edited()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._edited()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._edited()

    def on_variant_bar_chosen(self, event: VariantBar.Chosen) -> None:
        event.stop()
        self.show_variant(event.index)
