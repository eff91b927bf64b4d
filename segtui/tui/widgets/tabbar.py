"""The tab bar at the top of every main screen: one tab per screen of the app's registry,
labelled with its number key. Clicking a tab switches screen; the number keys do the same."""

from __future__ import annotations

from textual.widgets import Tab, Tabs


class ScreenTabs(Tabs):
    """Tabs for the app's main screens; not focusable (number keys switch screens)."""

    can_focus = False

    def __init__(self, current: str, screens: list[tuple[str, str, str]]) -> None:
        """screens: (mode, title, key) of every main screen, in order."""
        self.current = current
        super().__init__(
            *(Tab(f"{key} {title}", id=f"tab-{mode}") for mode, title, key in screens),
            active=f"tab-{current}",
        )

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        mode = (event.tab.id or "").removeprefix("tab-")
        if mode and mode != self.current:
            self.app.go(mode)  # type: ignore[attr-defined]
            # Stay on this screen's own tab: the screen we switch to has its own tab bar.
            with self.prevent(Tabs.TabActivated):
                self.active = f"tab-{self.current}"
