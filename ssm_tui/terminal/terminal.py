"""One terminal: bytes in, a screen with scrollback and modes out, reply bytes to send."""

from __future__ import annotations

import codecs
import contextlib
from collections.abc import Hashable

from ssm_tui.terminal import modes
from ssm_tui.terminal.screen import TerminalScreen
from ssm_tui.terminal.scrollback import StyledLine, styled
from ssm_tui.terminal.stream import FastStream, SlowStream


class Terminal:
    """A terminal emulator model fed with the remote side's output.

    Lines are numbered from the oldest scrollback line (0) to the bottom screen row
    (``line_count - 1``); ``line_key`` changes whenever the line at an index changes, so a
    view can cache what it rendered.
    """

    def __init__(
        self, columns: int = 80, lines: int = 24, *, scrollback: int = 10_000, fast: bool = True
    ) -> None:
        self.screen = TerminalScreen(columns, lines, scrollback=scrollback, fast=fast)
        self._stream: FastStream | SlowStream = (
            FastStream(self.screen) if fast else SlowStream(self.screen)
        )
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    # -- input ---------------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """Consume output bytes from the remote side; UTF-8 may be split anywhere."""
        self.feed_text(self._decoder.decode(data))

    def feed_text(self, text: str) -> None:
        """Consume already decoded output."""
        if not text:
            return
        if isinstance(self._stream, FastStream):
            self._stream.feed(text)
        else:
            # pyte's reference parser raises on malformed sequences; carry on like a terminal.
            with contextlib.suppress(Exception):
                self._stream.feed(text)

    def resize(self, columns: int, lines: int) -> None:
        """Change the size; content is kept, rows pushed off the top go to the scrollback."""
        self.screen.resize(lines=max(1, lines), columns=max(1, columns))

    def replies_to_send(self) -> bytes:
        """Drain the replies (device status, attributes) to send to the remote side."""
        chunks = self.screen.reply_chunks
        if not chunks:
            return b""
        data = "".join(chunks).encode()
        chunks.clear()
        return data

    # -- size, cursor, modes ---------------------------------------------------------------

    @property
    def columns(self) -> int:
        """Width in cells."""
        return int(self.screen.columns)

    @property
    def lines(self) -> int:
        """Height of the screen in rows."""
        return int(self.screen.lines)

    @property
    def cursor(self) -> tuple[int, int]:
        """The cursor's (x, y) on screen, x clamped to the last column."""
        screen = self.screen
        return min(screen.cursor.x, screen.columns - 1), screen.cursor.y

    @property
    def cursor_visible(self) -> bool:
        """Whether the remote program shows the cursor (DECTCEM)."""
        return not self.screen.cursor.hidden

    @property
    def cursor_shape(self) -> modes.CursorShape:
        """The DECSCUSR shape."""
        return self.screen.cursor_shape

    @property
    def cursor_blink(self) -> bool:
        """Whether the cursor should blink."""
        return bool(self.screen.cursor_blink)

    @property
    def title(self) -> str:
        """The window title set with OSC 0 or 2."""
        return str(self.screen.title)

    @property
    def title_version(self) -> int:
        """Changes whenever the title does."""
        return int(self.screen.title_version)

    @property
    def alternate_screen(self) -> bool:
        """Whether a full-screen program switched to the alternate screen."""
        return bool(self.screen.alternate)

    @property
    def application_cursor_keys(self) -> bool:
        """DECCKM: arrows send ``ESC O A`` rather than ``ESC [ A``."""
        return self.screen.private_mode(modes.DECCKM)

    @property
    def application_keypad(self) -> bool:
        """DECKPAM: the keypad sends application sequences."""
        return bool(self.screen.keypad_application)

    @property
    def bracketed_paste(self) -> bool:
        """Mode 2004: pastes are wrapped in ``ESC [ 200 ~`` ... ``ESC [ 201 ~``."""
        return self.screen.private_mode(modes.BRACKETED_PASTE)

    @property
    def mouse_tracking(self) -> modes.MouseTracking:
        """Which mouse events the remote program wants."""
        return self.screen.mouse_tracking

    @property
    def mouse_sgr(self) -> bool:
        """Mode 1006: mouse reports use the SGR encoding."""
        return self.screen.private_mode(modes.MOUSE_SGR)

    # -- lines -----------------------------------------------------------------------------

    @property
    def scrollback_count(self) -> int:
        """How many scrollback lines are stored."""
        return len(self.screen.scrollback)

    @property
    def line_count(self) -> int:
        """Scrollback lines plus screen rows."""
        return len(self.screen.scrollback) + self.screen.lines

    @property
    def version(self) -> int:
        """Changes whenever anything visible may have changed."""
        self.screen.flush_dirty()
        return int(self.screen.version) + self.screen.scrollback.total

    def line(self, index: int) -> StyledLine:
        """The text and style runs of line ``index`` (scrollback first, then the screen)."""
        screen = self.screen
        stored = len(screen.scrollback)
        if index < stored:
            return styled(screen.scrollback[index])
        return styled(screen.row_line(index - stored))

    def line_key(self, index: int) -> Hashable:
        """An identity for what line ``index`` shows now; equal keys mean equal content."""
        screen = self.screen
        screen.flush_dirty()
        stored = len(screen.scrollback)
        absolute = screen.scrollback.total - stored + index
        if index < stored:
            return (absolute, -1)
        return (absolute, screen.row_versions[index - stored], screen.alternate)

    @property
    def display(self) -> list[str]:
        """The screen's rows as plain text (wide characters once each)."""
        return list(self.screen.display)
