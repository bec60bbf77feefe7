"""A terminal screen widget on Textual's Line API."""

from __future__ import annotations

import time
from collections.abc import Hashable

from rich.cells import cell_len
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

from ssm_tui.terminal.keys import encode_key, encode_paste
from ssm_tui.terminal.modes import CursorShape, MouseTracking
from ssm_tui.terminal.mouse import MouseAction, MouseEvent, encode_mouse, wants
from ssm_tui.terminal.scheduler import ParseQueue, ParseScheduler
from ssm_tui.terminal.scrollback import CellStyle, Span, cells_to_chars
from ssm_tui.terminal.terminal import Terminal

_ANSI = {
    "black": 0,
    "red": 1,
    "green": 2,
    "brown": 3,
    "blue": 4,
    "magenta": 5,
    "cyan": 6,
    "white": 7,
}
_ANSI.update({"bright" + name: number + 8 for name, number in list(_ANSI.items())})
_ANSI["bfightmagenta"] = 13  # pyte's spelling of SGR 105
_FRAME_SECONDS = 1 / 60
_LAZY_FRAME_SECONDS = 0.05
"""How long a key's own repaint (cursor back on, selection cleared) may wait for the echo,
which repaints them anyway: painting them first would delay the echo by a frame."""
_WHEEL_LINES = 3
_BLOCK_CURSOR = Style(reverse=True)
_UNDERLINE_CURSOR = Style(underline=True)
_BAR = "\u258f"  # LEFT ONE EIGHTH BLOCK: a thin bar on a blank cell


def _color(name: str) -> Color | None:
    """A pyte colour (ANSI name, ``rrggbb`` hex or ``default``) as a rich Color."""
    if name == "default":
        return None
    number = _ANSI.get(name)
    if number is not None:
        return Color.from_ansi(number)
    try:
        return Color.from_rgb(int(name[0:2], 16), int(name[2:4], 16), int(name[4:6], 16))
    except ValueError:
        return None


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
    session, ``Resized`` becomes the session's terminal size.
    """

    RELEASE_KEY = "ctrl+right_square_bracket"
    SCROLL_KEYS = ("shift+pageup", "shift+pagedown")
    BLINK_SECONDS = 0.5
    """Half a blink period.  Only the focused view blinks its cursor (one timer per app),
    and not in headless apps (tests, snapshots) unless ``blink_when_headless`` is set."""
    BLINK_TIMEOUT = 10.0
    """Seconds without a key after which the cursor stops blinking and stays on (as GTK
    terminals do), so an idle focused tab wakes nothing up."""
    blink_when_headless = False

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
        self._styles: dict[int, tuple[CellStyle, Style]] = {}
        """id(cell style) -> (cell style, Rich style over ``_base``); styles are shared."""
        self._base: Style | None = None
        """``rich_style``, which walks every ancestor: kept until styles change."""
        self._shown: list[Hashable] = []
        self._frame_timer: Timer | None = None
        self._frame_lazy = False
        """Whether the pending frame timer is a lazy one that any other frame preempts."""
        self._last_frame = 0.0
        self._title_version = self.terminal.title_version
        self._scrollback_total = self.terminal.screen.scrollback.total
        self._cursor_on = True
        self._blink_timer: Timer | None = None
        self._key_at = 0.0
        """When the view was last focused or typed into (the blink timeout's start)."""
        self._on_screen = False
        """Whether the compositor shows the view (Show/Hide); hidden views skip frames."""
        self._scheduler: ParseScheduler | None = None
        self._queue: ParseQueue | None = None
        self._selection: tuple[tuple[int, int], tuple[int, int]] | None = None
        self._selecting = False
        self._buttons_down = False

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
            self.post_message(self.Input(self, replies))
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
        delay = self._last_frame + _FRAME_SECONDS - time.monotonic()
        if lazy:
            delay = max(delay, _LAZY_FRAME_SECONDS)
        self._frame_lazy = lazy
        if delay <= 0:
            self._frame()
        else:
            self._frame_timer = self.set_timer(delay, self._frame, name="terminal-frame")

    def _frame(self) -> None:
        self._frame_timer = None
        self._frame_lazy = False
        self._last_frame = time.monotonic()
        if not self.display or not self.is_mounted or not self._on_screen:
            return
        keys = self._visible_keys()
        width = self.size.width
        if len(keys) != len(self._shown):
            self.refresh()
        else:
            for y, (new, old) in enumerate(zip(keys, self._shown, strict=True)):
                if new != old:
                    self.refresh(Region(0, y, width, 1))
        self._shown = keys

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
        return (self.terminal.line_key(index), cursor, self._selection_span(index))

    def _cursor_cell(self, index: int) -> tuple[int, CursorShape] | None:
        terminal = self.terminal
        x, y = terminal.cursor
        if (
            index != terminal.scrollback_count + y
            or not terminal.cursor_visible
            or not self.has_focus
            or not self._cursor_on
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
            self._styles.clear()
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
            strip = self._render_index(index, width, base)
            self._strips[key] = strip
        return strip

    def _render_index(self, index: int, width: int, base: Style) -> Strip:
        text, spans = self.terminal.line(index)
        segments = self._segments(text, spans, base)
        cursor = self._cursor_cell(index)
        selection = self._selection_span(index)
        cells = len(text) if text.isascii() else cell_len(text)
        if cells <= width:
            if cells < width:
                segments.append(Segment(" " * (width - cells), base))
            strip = Strip(segments, width)
        else:
            strip = Strip(segments, cells).crop(0, width)
        if selection is not None:
            strip = self._highlight(strip, selection[0], selection[1], Style(reverse=True))
        if cursor is not None:
            x, shape = cursor
            if shape is CursorShape.BLOCK:
                strip = self._highlight(strip, x, x + 1, _BLOCK_CURSOR)
            elif shape is CursorShape.BAR and strip.crop(x, x + 1).text == " ":
                strip = self._bar(strip, x)
            else:  # an underline, and a bar over a character (a bar cannot share its cell)
                strip = self._highlight(strip, x, x + 1, _UNDERLINE_CURSOR)
        return strip

    @staticmethod
    def _bar(strip: Strip, x: int) -> Strip:
        """Draw a bar cursor on the blank cell ``x``: a thin left-edge block."""
        width = strip.cell_length
        before, middle, after = strip.divide([x, x + 1, width])
        style = next((segment.style for segment in middle if segment.style), None)
        return Strip.join([before, Strip([Segment(_BAR, style)], 1), after])

    @staticmethod
    def _highlight(strip: Strip, start: int, end: int, look: Style) -> Strip:
        width = strip.cell_length
        start, end = max(0, start), min(width, end)
        if start >= end:
            return strip
        before, middle, after = strip.divide([start, end, width])
        middle = middle.apply_style(look)
        return Strip.join([before, middle, after])

    def _segments(self, text: str, spans: tuple[Span, ...], base: Style) -> list[Segment]:
        segments = []
        position = 0
        styles = self._styles
        for length, cell in spans:
            piece = text[position : position + length]
            position += length
            entry = styles.get(id(cell))
            style = entry[1] if entry is not None and entry[0] is cell else self._style(cell, base)
            segments.append(Segment(piece, style))
        return segments

    def _style(self, cell: CellStyle, base: Style) -> Style:
        entry = self._styles.get(id(cell))
        if entry is not None and entry[0] is cell:
            return entry[1]
        style = base + Style(
            color=_color(cell.fg),
            bgcolor=_color(cell.bg),
            bold=cell.bold or None,
            italic=cell.italics or None,
            underline=cell.underscore or None,
            strike=cell.strikethrough or None,
            reverse=cell.reverse or None,
            blink=cell.blink or None,
        )
        if len(self._styles) > 4096:
            self._styles.clear()
        self._styles[id(cell)] = (cell, style)
        return style

    # -- focus and keys ---------------------------------------------------------------------------

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """Claim every key but the release gesture, so no app binding fires while focused."""
        return key != self.RELEASE_KEY

    def on_focus(self) -> None:
        self._cursor_on = True
        self._key_at = time.monotonic()
        if self._blink_timer is not None:
            self._blink_timer.reset()
        elif self.blink_when_headless or not self.app.is_headless:
            self._blink_timer = self.set_interval(self.BLINK_SECONDS, self._blink, name="blink")
        self._schedule_frame()

    def on_blur(self) -> None:
        if self._blink_timer is not None:
            self._blink_timer.stop()
            self._blink_timer = None
        self._cursor_on = True
        self._schedule_frame()

    def _blink(self) -> None:
        """Toggle the cursor of the focused view (steady when the program asks for it, and
        after ``BLINK_TIMEOUT``, when the timer pauses until the next key)."""
        terminal = self.terminal
        idle = time.monotonic() - self._key_at >= self.BLINK_TIMEOUT
        on = not self._cursor_on
        if idle or not terminal.cursor_blink or not terminal.cursor_visible:
            on = True
        if on != self._cursor_on:
            self._cursor_on = on
            self._schedule_frame()
        if idle and self._blink_timer is not None:
            self._blink_timer.pause()

    def _steady_cursor(self) -> None:
        """Show the cursor and restart the blink cycle (after a key, as terminals do)."""
        self._key_at = time.monotonic()
        if self._blink_timer is not None:
            self._blink_timer.reset()
        if not self._cursor_on:
            self._cursor_on = True
            self._schedule_frame(lazy=True)

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
            self._steady_cursor()
            if self._selection is not None:
                self._selection = None
                self._schedule_frame(lazy=True)
            self.post_message(self.Input(self, data))

    def _typed(self) -> None:
        """Tell the scheduler (if attached) to favour this view's echo."""
        if self._scheduler is not None and self._queue is not None:
            self._scheduler.typed(self._queue, now=time.monotonic())

    def on_paste(self, event: events.Paste) -> None:
        """Send pasted text, bracketed when the remote side asked for it."""
        event.stop()
        self._typed()
        self.post_message(
            self.Input(self, encode_paste(event.text, bracketed=self.terminal.bracketed_paste))
        )

    def scroll_lines(self, lines: int) -> None:
        """Scroll the view back (positive) or forward (negative) through the scrollback."""
        new = max(0, min(self.terminal.scrollback_count, self.scroll_back + lines))
        if new != self.scroll_back:
            self.scroll_back = new
            self._schedule_frame()

    # -- mouse ------------------------------------------------------------------------------------

    def _forward_mouse(self, event: events.MouseEvent, action: MouseAction) -> bool:
        """Report the event to the remote side if it is tracking the mouse; True if sent."""
        terminal = self.terminal
        if terminal.mouse_tracking is MouseTracking.OFF or event.shift:
            return False
        report = MouseEvent(
            action=action,
            x=event.x,
            y=event.y,
            button=max(0, (event.button or 1) - 1),
            alt=event.meta,
            ctrl=event.ctrl,
            buttons_down=self._buttons_down,
        )
        if wants(terminal.mouse_tracking, report):
            data = encode_mouse(report, sgr=terminal.mouse_sgr)
            if data:
                self.post_message(self.Input(self, data))
        return True

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self._buttons_down = True
        if self._forward_mouse(event, MouseAction.PRESS):
            return
        self.capture_mouse()
        self._selecting = True
        point = (self._top_line() + event.y, event.x)
        self._selection = (point, point)
        self._schedule_frame()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._selecting and self._selection is not None:
            self._selection = (self._selection[0], (self._top_line() + event.y, event.x))
            self._schedule_frame()
            return
        self._forward_mouse(event, MouseAction.MOVE)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        self._buttons_down = False
        if self._selecting:
            self._selecting = False
            self.release_mouse()
            text = self.selected_text()
            if text:
                self.app.copy_to_clipboard(text)
            return
        self._forward_mouse(event, MouseAction.RELEASE)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        if not self._forward_mouse(event, MouseAction.SCROLL_UP):
            self._wheel(_WHEEL_LINES)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        if not self._forward_mouse(event, MouseAction.SCROLL_DOWN):
            self._wheel(-_WHEEL_LINES)

    def _wheel(self, lines: int) -> None:
        if self.terminal.alternate_screen:
            # Full-screen programs have no scrollback: scroll them with arrows, as xterm does.
            key = "up" if lines > 0 else "down"
            data = encode_key(key, application_cursor=self.terminal.application_cursor_keys)
            self.post_message(self.Input(self, data * abs(lines)))
        else:
            self.scroll_lines(lines)

    # -- selection --------------------------------------------------------------------------------

    def _ordered_selection(self) -> tuple[tuple[int, int], tuple[int, int]] | None:
        if self._selection is None or self._selection[0] == self._selection[1]:
            return None
        start, end = sorted(self._selection)
        return start, end

    def _selection_span(self, index: int) -> tuple[int, int] | None:
        selection = self._ordered_selection()
        if selection is None:
            return None
        (first, start_x), (last, end_x) = selection
        if not first <= index <= last:
            return None
        return (start_x if index == first else 0, end_x if index == last else 1 << 16)

    def selected_text(self) -> str:
        """The selected text, lines joined with newlines, trailing blanks removed."""
        selection = self._ordered_selection()
        if selection is None:
            return ""
        (first, _), (last, _) = selection
        lines = []
        for index in range(first, last + 1):
            span = self._selection_span(index)
            assert span is not None
            text, _ = self.terminal.line(index)
            first, last = cells_to_chars(text, span[0], span[1])
            lines.append(text[first:last].rstrip())
        return "\n".join(lines)
