"""New segmentation: a name and a method (rules, RFM, k-means or Gaussian mixture)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from segtui.core.errors import SegtuiError
from segtui.core.segmentations import check_segmentation_name
from segtui.tui.screens.base import SegtuiModal
from segtui.tui.widgets.footer import KeysFooter

METHOD_CHOICES = (
    ("rules", "Rules: named segments from conditions on any attribute or behaviour"),
    ("rfm", "RFM: recency, frequency and monetary scores and a segment map"),
    ("kmeans", "Clustering (k-means): groups found in the features you choose"),
    ("gmm", "Clustering (Gaussian mixture): softer clusters, chosen by BIC too"),
)
DEFAULT_NAMES = {"rules": "Rules", "rfm": "RFM", "kmeans": "Clusters", "gmm": "Mixture clusters"}


@dataclass
class NewSegmentation:
    name: str
    method: str


class NewSegmentationModal(SegtuiModal[NewSegmentation]):
    """Pick the method (arrows), type the name, Enter creates it."""

    PURPOSE = "Create a segmentation: pick its method, give it a name, press Enter."

    def __init__(self, taken: set[str]) -> None:
        super().__init__()
        self.taken = {name.casefold() for name in taken}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("New segmentation", classes="dialog-title")
            yield Static("Method (↑/↓):", classes="dialog-text")
            yield OptionList(
                *(Option(label, id=method) for method, label in METHOD_CHOICES), id="method"
            )
            yield Static("Name (Enter creates it):", classes="dialog-text")
            yield Input(id="name", placeholder="e.g. RFM 2026")
            yield Static("", id="new-error", classes="error", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        options = self.query_one("#method", OptionList)
        options.highlighted = 0
        self._suggest("rules")
        options.focus()

    def _suggest(self, method: str) -> None:
        name_input = self.query_one("#name", Input)
        if name_input.value and name_input.value not in self._suggestions():
            return
        base, number = DEFAULT_NAMES[method], 2
        name = base
        while name.casefold() in self.taken:
            name, number = f"{base} {number}", number + 1
        name_input.value = name

    def _suggestions(self) -> set[str]:
        names = set()
        for base in DEFAULT_NAMES.values():
            names.add(base)
            names.update(f"{base} {n}" for n in range(2, 50))
        return names

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id:
            self._suggest(event.option.id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one("#method", OptionList)
        method = METHOD_CHOICES[options.highlighted or 0][0]
        try:
            name = check_segmentation_name(event.value)
        except SegtuiError as exc:
            self.query_one("#new-error", Static).update(str(exc))
            return
        if name.casefold() in self.taken:
            self.query_one("#new-error", Static).update(
                f"a segmentation named {name!r} already exists; choose another name."
            )
            return
        self.dismiss(NewSegmentation(name, method))
