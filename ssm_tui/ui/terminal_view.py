"""A terminal screen widget on Textual's Line API."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

from rich.style import Style
from textual import events
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

from ssm_tui.terminal.keys import encode_key, encode_paste
from ssm_tui.terminal.modes import CursorShape
from ssm_tui.terminal.scheduler import TYPED_RECENTLY, ParseQueue, ParseScheduler
from ssm_tui.terminal.terminal import Terminal
from ssm_tui.ui.terminal_cursor import CursorBlink
from ssm_tui.ui.terminal_mouse import TerminalMouse
from ssm_tui.ui.terminal_selection import Selection
from ssm_tui.ui.terminal_strips import StripPainter

_FRAME_SECONDS = 1 / 60
_FLOOD_FRAME_SECONDS = 1 / 20
"""After a frame that repainted every row (output scrolling by), the next waits longer:
nobody reads a flood at 60 frames a second, and the event loop is needed for keys (a
full repaint costs ~10 ms; at 20 frames a second tab switches and ctrl+] answered a
few milliseconds sooner than at 30 in bench/app_tab_latency.py)."""
_ECHO_FRAME_SECONDS = 0.002
"""The frame spacing for a view typed into lately whose output is not a flood: an echo
is painted at once (Textual still composes at most its own frame rate), not up to a
sixtieth of a second later."""
_LAZY_FRAME_SECONDS = 0.05
"""How long a key's own repaint (cursor back on, selection cleared) may wait for the echo,
which repaints them anyway: painting them first would delay the echo by a frame."""


class TerminalView(Widget, can_focus=True):
    """Shows a Terminal and sends every key to the remote side while focused.

    | Key(s) | Description |
    | :- | :- |
    | ctrl+] | Give focus back to the app (the one key not sent to the remote side). |
    | shift+pageup | Scroll back a page. |
    | shift+pagedown | Scroll forward a page. |

    Everything else, including ctrl+c, ctrl+q, ctrl+p, tab and escape, is encoded and posted
    as ``TerminalView.Input``.  The app wires a session to the view: output bytes go to
    ``feed`` (or to a ``ParseScheduler`` that calls ``parsed``), ``Input.data`` goes to the
    session, ``Resized`` becomes the session's terminal size.  An app may also set
    ``send_now`` to hand the bytes straight to the session from the key handler.
    """

    RELEASE_KEY = "ctrl+right_square_bracket"
    SCROLL_KEYS = ("shift+pageup", "shift+pagedown")

    DEFAULT_CSS = """
    TerminalView {
        background: $background;
        color: $foreground;
        width: 1fr;
        height: 1fr;
        overflow: hidden;
    }
    """

    class Input(Message):
        """Bytes to send to the remote side (keys, mouse reports, pastes, replies)."""

        def __init__(self, view: TerminalView, data: bytes) -> None:
            super().__init__()
            self.view = view
            self.data = data

        @property
        def control(self) -> TerminalView:
            """The view that produced the input."""
            return self.view

    class Resized(Message):
        """The view's size in cells changed; the remote side should be told."""

        def __init__(self, view: TerminalView, columns: int, rows: int) -> None:
            super().__init__()
            self.view = view
            self.columns = columns
            self.rows = rows

    class TitleChanged(Message):
        """The remote program set the window title (OSC 0 or 2)."""

        def __init__(self, view: TerminalView, title: str) -> None:
            super().__init__()
            self.view = view
            self.title = title

    class FocusReleased(Message):
        """The user pressed the release key: the app should move focus elsewhere."""

        def __init__(self, view: TerminalView) -> None:
            super().__init__()
            self.view = view

    def __init__(
        self,
        terminal: Terminal | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.terminal = terminal or Terminal()
        self.scroll_back = 0
        """How many lines the view is scrolled up from the live screen."""
        self._strips: LRUCache[Hashable, Strip] = LRUCache(1024)
        self._painter = StripPainter()
        self._base: Style | None = None
        """``rich_style``, which walks every ancestor: kept until styles change."""
        self._shown: list[Hashable] = []
        self._frame_timer: Timer | None = None
        self._frame_lazy = False
        """Whether the pending frame timer is a lazy one that any other frame preempts."""
        self._last_frame = 0.0
        self._frame_seconds = _FRAME_SECONDS
        self._typed_at = float("-inf")
        self._title_version = self.terminal.title_version
        self._scrollback_total = self.terminal.screen.scrollback.total
        self.blink = CursorBlink(
            self.terminal,
            repaint=self._schedule_frame,
            every=lambda seconds, callback: self.set_interval(seconds, callback, name="blink"),
            headless=lambda: self.app.is_headless,
        )
        self._on_screen = False
        """Whether the compositor shows the view (Show/Hide); hidden views skip frames."""
        self._scheduler: ParseScheduler | None = None
        self._queue: ParseQueue | None = None
        self.send_now: Callable[[bytes], bool] | None = None
        """A direct line to the remote side, tried before posting ``Input``: True when it
        took the bytes.  A posted message waits its turn in the parent's queue behind
        whatever the event loop is busy with (a flood in another tab); a keystroke's echo
        cannot reach the screen before the keystroke left."""
        self._selection = Selection()
        self.mouse = TerminalMouse(
            self.terminal,
            self._selection,
            top_line=self._top_line,
            repaint=self._schedule_frame,
            send=self._send,
            scroll=self.scroll_lines,
            capture=lambda on: self.capture_mouse() if on else self.release_mouse(),
            copy=lambda text: self.app.copy_to_clipboard(text),
        )

    # -- output from the remote side ---------------------------------------------------------

    def attach(self, scheduler: ParseScheduler) -> ParseQueue:
        """Have ``scheduler`` parse this view's output; pass its output to
        ``scheduler.receive(queue, data)`` with the queue returned.

        Same as ``scheduler.add(view.terminal, view.parsed)``, and besides the view tells
        the scheduler when it is typed into (at the key, before ``Input`` is delivered)
        and when it is the tab on screen, and leaves the scheduler when unmounted.
        """
        self._scheduler = scheduler
        self._queue = scheduler.add(self.terminal, self.parsed)
        if self._on_screen:
            scheduler.show(self._queue)
        return self._queue

    @property
    def queue(self) -> ParseQueue | None:
        """The scheduler queue ``attach`` made, if any."""
        return self._queue

    def feed(self, data: bytes) -> None:
        """Parse output from the remote side now and schedule a repaint."""
        self.terminal.feed(data)
        self.parsed()

    def parsed(self) -> None:
        """Call after output was parsed into the terminal: sends replies, repaints soon."""
        terminal = self.terminal
        replies = terminal.replies_to_send()
        if replies:
            self._send(replies)
        if terminal.title_version != self._title_version:
            self._title_version = terminal.title_version
            self.post_message(self.TitleChanged(self, terminal.title))
        total = terminal.screen.scrollback.total
        if self.scroll_back:
            # Keep showing the same lines while output arrives below them.
            grown = total - self._scrollback_total
            self.scroll_back = min(self.scroll_back + grown, terminal.scrollback_count)
        self._scrollback_total = total
        self._schedule_frame()

    def _schedule_frame(self, *, lazy: bool = False) -> None:
        """Repaint at once if the last frame is old enough, else at most 60 times a second,
        coalescing everything in between; a view that is not on screen waits for Show.

        A ``lazy`` frame waits a little in case output comes and repaints anyway.
        """
        if not self._on_screen or not self.is_mounted:
            return
        if self._frame_timer is not None:
            if lazy or not self._frame_lazy:
                return
            self._frame_timer.stop()  # real output preempts a lazy frame
            self._frame_timer = None
        now = time.monotonic()
        spacing = self._frame_seconds
        if spacing == _FRAME_SECONDS and now - self._typed_at < TYPED_RECENTLY:
            spacing = _ECHO_FRAME_SECONDS
        delay = self._last_frame + spacing - now
        if lazy:
            delay = max(delay, _LAZY_FRAME_SECONDS)
        self._frame_lazy = lazy
        if delay <= 0:
            self._frame()
        else:
            self._frame_timer = self.set_timer(delay, self._frame, name="terminal-frame")

    def _frame_now(self) -> None:
        """Paint the pending frame at once: it answers a key (scrolling, focus), which
        should not wait a frame's spacing behind output."""
        if self._frame_timer is not None:
            self._frame_timer.stop()
            self._frame()

    def _frame(self) -> None:
        self._frame_timer = None
        self._frame_lazy = False
        self._last_frame = time.monotonic()
        if not self.display or not self.is_mounted or not self._on_screen:
            return
        keys = self._visible_keys()
        width = self.size.width
        flood = False
        if len(keys) != len(self._shown):
            self.refresh()
        else:
            changed = 0
            for y, (new, old) in enumerate(zip(keys, self._shown, strict=True)):
                if new != old:
                    changed += 1
                    self.refresh(Region(0, y, width, 1))
            flood = changed == len(keys) > 1
        self._frame_seconds = _FLOOD_FRAME_SECONDS if flood else _FRAME_SECONDS
        self._shown = keys

    def on_focus(self) -> None:
        self.blink.focused()
        self._frame_now()

    def on_blur(self) -> None:
        self.blink.blurred()
        self._frame_now()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self.mouse.down(event)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self.mouse.move(event)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        self.mouse.up(event)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.mouse.wheel(event)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self.mouse.wheel(event)

    def on_show(self) -> None:
        """Back on screen: repaint everything that changed while hidden."""
        self._on_screen = True
        if self._scheduler is not None:
            self._scheduler.show(self._queue)
        self._shown = []
        self.refresh()

    def on_hide(self) -> None:
        """Off screen (another tab is showing): stop painting until shown again."""
        self._on_screen = False
        if self._scheduler is not None and self._scheduler.visible is self._queue:
            self._scheduler.show(None)
        if self._frame_timer is not None:
            self._frame_timer.stop()
            self._frame_timer = None

    def on_unmount(self) -> None:
        if self._scheduler is not None and self._queue is not None:
            self._scheduler.remove(self._queue)
            self._scheduler = self._queue = None

    # -- geometry -----------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        """Resize the terminal to the content area and tell the remote side."""
        columns, rows = max(1, event.size.width), max(1, event.size.height)
        if (columns, rows) != (self.terminal.columns, self.terminal.lines):
            self.terminal.resize(columns, rows)
            self.post_message(self.Resized(self, columns, rows))
        self.scroll_back = min(self.scroll_back, self.terminal.scrollback_count)
        self._strips.clear()
        self._base = None
        self._shown = []
        self.refresh()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.terminal.lines

    def _top_line(self) -> int:
        """Index (in Terminal line numbering) of the line shown on the first row."""
        return self.terminal.scrollback_count - self.scroll_back

    # -- rendering ------------------------------------------------------------------------------

    def _visible_keys(self) -> list[Hashable]:
        terminal = self.terminal
        top = self._top_line()
        count = min(self.size.height, terminal.line_count - top)
        return [self._row_key(top + row) for row in range(count)]

    def _row_key(self, index: int) -> Hashable:
        cursor = self._cursor_cell(index)
        return (self.terminal.line_key(index), cursor, self._selection.span(index))

    def _cursor_cell(self, index: int) -> tuple[int, CursorShape] | None:
        terminal = self.terminal
        x, y = terminal.cursor
        if (
            index != terminal.scrollback_count + y
            or not terminal.cursor_visible
            or not self.has_focus
            or not self.blink.on
        ):
            return None
        return x, terminal.cursor_shape

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base = None

    def _base_style(self) -> Style:
        base = self._base
        if base is None:
            base = self._base = self.rich_style
            self._painter.clear()
        return base

    def render_line(self, y: int) -> Strip:
        """Render one row, from the strip cache when the line has not changed."""
        index = self._top_line() + y
        width = self.size.width
        base = self._base_style()
        if index >= self.terminal.line_count:
            return Strip.blank(width, base)
        key = (self._row_key(index), width, base)
        strip = self._strips.get(key)
        if strip is None:
            text, spans = self.terminal.line(index)
            cursor, selection = self._cursor_cell(index), self._selection.span(index)
            strip = self._painter.paint(
                text, spans, width, base, cursor=cursor, selection=selection
            )
            self._strips[key] = strip
        return strip

    # -- keys ---------------------------------------------------------------------------------

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """Claim every key but the release gesture, so no app binding fires while focused."""
        return key != self.RELEASE_KEY

    async def on_key(self, event: events.Key) -> None:
        """Send the key to the remote side (scroll keys and the release key excepted)."""
        event.stop()
        event.prevent_default()
        if event.key == self.RELEASE_KEY:
            self.post_message(self.FocusReleased(self))
            self.screen.focus_next()
            return
        if event.key in self.SCROLL_KEYS:
            page = max(1, self.size.height - 1)
            self.scroll_lines(page if event.key == "shift+pageup" else -page)
            self._frame_now()
            return
        data = encode_key(
            event.key,
            event.character,
            application_cursor=self.terminal.application_cursor_keys,
            application_keypad=self.terminal.application_keypad,
        )
        if data:
            self._typed()
            self.scroll_lines(-self.scroll_back)
            self.blink.steady()
            if self._selection.clear():
                self._schedule_frame(lazy=True)
            self._send(data)

    def _typed(self) -> None:
        """Tell the scheduler (if attached) to favour this view's echo; paint it at once."""
        self._typed_at = time.monotonic()
        if self._scheduler is not None and self._queue is not None:
            self._scheduler.typed(self._queue, now=time.monotonic())

    def on_paste(self, event: events.Paste) -> None:
        """Send pasted text, bracketed when the remote side asked for it."""
        event.stop()
        self._typed()
        self._send(encode_paste(event.text, bracketed=self.terminal.bracketed_paste))

    def scroll_lines(self, lines: int) -> None:
        """Scroll the view back (positive) or forward (negative) through the scrollback."""
        new = max(0, min(self.terminal.scrollback_count, self.scroll_back + lines))
        if new != self.scroll_back:
            self.scroll_back = new
            self._schedule_frame()

    def _send(self, data: bytes) -> None:
        """Send bytes through ``send_now`` if it takes them, else post them as ``Input``."""
        send_now = self.send_now
        if send_now is None or not send_now(data):
            self.post_message(self.Input(self, data))

    def selected_text(self) -> str:
        """The selected text, lines joined with newlines, trailing blanks removed."""
        return self._selection.text(self.terminal)
