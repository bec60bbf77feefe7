"""smux v1 frames: the 8-byte header codec and an incremental decoder (protocol.md §11.3)."""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass

from ssm_tui.protocol.errors import RemoteProtocolError

VERSION = 1
HEADER = struct.Struct("<BBHI")  # version u8, cmd u8, length u16 LE, stream id u32 LE
HEADER_SIZE = HEADER.size
MAX_DATA_SIZE = 0xFFFF
MAX_STREAM_ID = 0xFFFF_FFFF


class Command(enum.IntEnum):
    """The smux v1 commands; UPD (4, window update) exists only in v2 and is rejected."""

    SYN = 0
    FIN = 1
    PSH = 2
    NOP = 3


_COMMANDS = tuple(Command)


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded smux frame; ``data`` is empty for everything but PSH."""

    command: Command
    stream_id: int
    data: bytes = b""


def encode_frame(command: Command, stream_id: int, data: bytes = b"") -> bytes:
    """Return the wire bytes of one frame (data only for PSH, at most 65 535 bytes)."""
    if data and command is not Command.PSH:
        raise ValueError(f"{command.name} frames carry no data")
    return HEADER.pack(VERSION, command, len(data), stream_id) + data


class FrameDecoder:
    """Reassembles frames from a byte stream split anywhere (across Output payloads)."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def receive_data(self, data: bytes) -> None:
        """Append the next bytes of the stream."""
        self._buffer += data

    def next_frame(self) -> Frame | None:
        """Return the next complete frame, or None until more bytes arrive.

        The header is validated as soon as its 8 bytes are in, so garbage fails fast;
        ``RemoteProtocolError`` leaves the decoder unusable (smux closes the session).
        """
        buffer = self._buffer
        if len(buffer) < HEADER_SIZE:
            return None
        version, command, length, stream_id = HEADER.unpack_from(buffer)
        if version != VERSION:
            raise RemoteProtocolError(f"smux frame with version {version}, expected {VERSION}")
        if command >= len(_COMMANDS):
            raise RemoteProtocolError(f"smux v1 frame with unknown command {command}")
        if length and command != Command.PSH:
            raise RemoteProtocolError(
                f"smux {_COMMANDS[command].name} frame with {length} data bytes"
            )
        end = HEADER_SIZE + length
        if len(buffer) < end:
            return None
        if length:
            with memoryview(buffer) as view:  # one copy, and the export ends before del
                data = view[HEADER_SIZE:end].tobytes()
        else:
            data = b""
        # Deleting from the front of a bytearray only moves its start pointer in CPython.
        del buffer[:end]
        return Frame(_COMMANDS[command], stream_id, data)

    @property
    def buffered(self) -> int:
        """Bytes received but not yet part of a complete frame."""
        return len(self._buffer)
