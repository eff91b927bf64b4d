"""The footer: Textual's, but it only rebuilds when the keys it shows have changed.

Textual's Footer rebuilds all its key widgets on every "bindings updated" signal (each focus
change, each screen switch); at start-up that is several rebuilds of ~50 ms each, which
costs the first screen its paint budget. The shown keys are compared first instead.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer


class KeysFooter(Footer):
    _shown: tuple[Any, ...] | None = None

    def _keys_shown(self) -> tuple[Any, ...]:
        return tuple(
            (key, active.binding.description, active.enabled, active.binding.action)
            for key, active in self.screen.active_bindings.items()
            if active.binding.show
        )

    async def recompose(self) -> None:
        if not self.is_attached:  # a modal's footer, after the modal closed
            return
        shown = self._keys_shown()
        if shown == self._shown and self.children:
            return
        self._shown = shown
        await super().recompose()
