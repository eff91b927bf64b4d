"""The command palette's provider: every action that applies now, namespaced
("project: …", "import: …", "help: …"), from the app and from the screen underneath."""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider


class SegtuiCommands(Provider):
    def _commands(self):  # type: ignore[no-untyped-def]
        return self.app.palette_commands(self.screen)  # type: ignore[attr-defined]

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(command.name, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(score, matcher.highlight(command.name), command.run, help=command.help)
