"""A Footer that rebuilds its keys only when the keys it would show changed."""

from __future__ import annotations

from collections.abc import Hashable

from textual.screen import Screen
from textual.widgets import Footer


def shown_bindings(screen: Screen[object]) -> tuple[Hashable, ...]:
    """What a Footer on ``screen`` shows: every shown binding's key, text and state."""
    return tuple(
        (key, binding.action, binding.description, binding.group, enabled, tooltip)
        for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
        if binding.show or key == screen.app.COMMAND_PALETTE_BINDING
    )


class KeyFooter(Footer):
    """Textual's Footer, minus the rebuilds that would show the same keys again.

    Textual refreshes a screen's bindings on every focus change and the Footer answers
    each refresh by removing and mounting all its key widgets, a layout and a restyle of
    the whole row: a tenth of the work of a tab switch, which moves focus from one shell
    to another with the very same keys.
    """

    _shown: tuple[Hashable, ...] | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            shown = shown_bindings(screen)
            if shown == self._shown and self._bindings_ready:
                return
            self._shown = shown
        super().bindings_changed(screen)
