"""The parser: a fast tokenizer for common sequences that hands anything unusual to pyte."""

from __future__ import annotations

import re
from collections.abc import Callable

import pyte
from pyte import control as ctrl

from ssm_tui.terminal.pyte_compat import parser_feeder, text_run_matcher
from ssm_tui.terminal.screen import TerminalScreen

# A control sequence pyte parses the same way: optional "?", numeric parameters, an optional
# space (pyte ignores it) and a final byte.  Anything else is left to pyte's own parser.
_CSI = re.compile(r"\x1b\[(\??)([0-9;]*) ?([@-~])")
# Private-marker sequences pyte would misread (it drops the ">" and runs e.g. SGR 4;2 for
# xterm's modifyOtherKeys); they have no effect on the screen, so they are consumed here.
SECONDARY_CSI = re.compile(r"\x1b\[[>=<][0-9;]*[@-~]")
_OSC = re.compile(r"\x1b\]([0-9]*);?([^\x07\x1b\x9c]*)(?:\x07|\x1b\\|\x9c)")
# Whole lines of printable ASCII, tabs and SGR, each ending in CR LF: the shape of most floods.
_BLOCK = re.compile(r"(?:[\t -~]*(?:\x1b\[[0-9;]*m[\t -~]*)*\r\n)+")
_SGR_SPLIT = re.compile(r"\x1b\[([0-9;]*)m")
_MAX_PENDING = 4096


class SlowStream(pyte.Stream):
    """pyte's Stream with the extra escapes our screen understands (keypad modes, DECSCUSR)."""

    escape = {**pyte.Stream.escape, "=": "keypad_application_mode", ">": "keypad_numeric_mode"}
    csi = {**pyte.Stream.csi, "q": "set_cursor_style"}
    events = pyte.Stream.events | {
        "keypad_application_mode",
        "keypad_numeric_mode",
        "set_cursor_style",
    }


class FastStream:
    """Feeds decoded text to a TerminalScreen, dispatching whole runs and sequences at once.

    Plain text is drawn a run at a time and complete, ordinary sequences are matched with one
    regular expression each; an incomplete sequence at the end of a chunk waits for the next
    chunk, and anything unusual is fed character by character to pyte's own parser.
    """

    def __init__(self, screen: TerminalScreen) -> None:
        self.screen = screen
        self.slow = SlowStream(screen)
        self._pending = ""
        self._in_slow = False
        self._send = parser_feeder(self.slow)
        self._text = text_run_matcher()
        self._basic: dict[str, Callable[[], None]] = {
            char: getattr(screen, name) for char, name in pyte.Stream.basic.items()
        }
        del self._basic[ctrl.SO], self._basic[ctrl.SI]  # ignored in UTF-8 mode, as pyte does
        self._escape: dict[str, Callable[[], None]] = {
            char: getattr(screen, name) for char, name in SlowStream.escape.items()
        }
        self._csi: dict[str, Callable[..., None]] = {
            char: getattr(screen, name) for char, name in SlowStream.csi.items()
        }

    def feed(self, text: str) -> None:
        """Consume decoded text, in any split."""
        if self._pending:
            text = self._pending + text
            self._pending = ""
        screen = self.screen
        draw = screen.draw
        match_text = self._text
        basic = self._basic
        length = len(text)
        pos = 0
        if self._in_slow:
            pos = self._feed_slow(text, pos)
        while pos < length:
            match = match_text(text, pos)
            if match is not None:
                pos = match.end()
                draw(match.group())
                continue
            char = text[pos]
            handler = basic.get(char)
            if handler is not None:
                handler()
                pos += 1
                if char == "\n" and screen.block_ready():
                    pos = self._block(text, pos)
            elif char == "\x1b":
                match = _CSI.match(text, pos)
                if match is None:
                    pos = self._escape_sequence(text, pos)
                    continue
                pos = match.end()
                private, params, final = match.groups()
                if final == "m" and not private:
                    screen.sgr(params)
                else:
                    self._dispatch_csi(private, params, final)
            elif char in "\x00\x7f\x0e\x0f":
                pos += 1
            else:
                pos = self._feed_slow(text, pos)

    def _block(self, text: str, pos: int) -> int:
        """Draw the CR LF terminated lines starting at ``pos`` in bulk, if there are any."""
        match = _BLOCK.match(text, pos)
        if match is None:
            return pos
        block = match.group()
        lines = block.split("\r\n")
        lines.pop()
        if "\x1b" in block:
            drawn = self.screen.draw_block([_SGR_SPLIT.split(line) for line in lines])
        else:
            drawn = self.screen.draw_plain_block(lines)
        if drawn == len(lines):
            return match.end()
        return pos + sum(len(line) + 2 for line in lines[:drawn])

    def _escape_sequence(self, text: str, pos: int) -> int:
        """Handle the sequence starting with ESC at ``pos``; return where parsing resumes."""
        following = text[pos + 1 : pos + 2]
        if following == "[":
            match = SECONDARY_CSI.match(text, pos)
            if match is not None:
                if match.group().startswith("\x1b[>") and match.group()[-1] == "c":
                    self.screen.report_secondary_attributes()
                return match.end()
        elif following == "]":
            match = _OSC.match(text, pos)
            if match is not None:
                self._dispatch_osc(match.group(1), match.group(2))
                return match.end()
        elif following and following in self._escape:
            self._escape[following]()
            return pos + 2
        if self._incomplete(text, pos):
            self._pending = text[pos:]
            return len(text)
        return self._feed_slow(text, pos)

    def _incomplete(self, text: str, pos: int) -> bool:
        """Whether the sequence at ``pos`` may still complete when more text arrives."""
        tail = text[pos:]
        if len(tail) > _MAX_PENDING:
            return False
        if len(tail) == 1:
            return True
        if tail[1] == "[":
            return re.fullmatch(r"\x1b\[[?>=<]?[0-9;]* ?", tail) is not None
        if tail[1] == "]":
            return re.fullmatch(r"\x1b\][^\x07\x9c]*", tail) is not None and not re.search(
                r"\x1b[^\\]", tail[2:]
            )
        return False

    def _dispatch_csi(self, private: str, params: str, final: str) -> None:
        handler = self._csi.get(final)
        if handler is None:
            return
        # pyte always passes at least one parameter, missing ones as 0, capped at 9999.
        args = [min(int(p or 0), 9999) for p in params.split(";")] if params else [0]
        try:
            if private:
                handler(*args, private=True)
            else:
                handler(*args)
        except Exception:
            # Wrong arity, a refused private flag, an unknown mode number: pyte's parser
            # resets and drops the sequence, and so do we.
            pass

    def _dispatch_osc(self, code: str, param: str) -> None:
        if code in ("0", "1"):
            self.screen.set_icon_name(param)
        if code in ("0", "2"):
            self.screen.set_title(param)

    def _feed_slow(self, text: str, pos: int) -> int:
        """Feed characters to pyte's parser until it is back in the ground state."""
        send = self._send
        length = len(text)
        while pos < length:
            char = text[pos]
            pos += 1
            try:
                ground = send(char)
            except Exception:  # pyte resets its parser after a handler raises
                ground = True
            if ground:
                self._in_slow = False
                return pos
        self._in_slow = True
        return pos
