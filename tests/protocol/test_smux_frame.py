"""smux v1 frame codec and the incremental decoder."""

from __future__ import annotations

import pytest

from ssm_tui.protocol.errors import RemoteProtocolError
from ssm_tui.protocol.smux_frame import Command, Frame, FrameDecoder, encode_frame

GET = b"GET / HTTP/1.0\r\n\r\n"

# The live capture of protocol.md §11.3 (official plugin, first two connections).
CAPTURE = [
    (bytes.fromhex("0100000003000000"), Frame(Command.SYN, 3)),
    (bytes.fromhex("0102120003000000") + GET, Frame(Command.PSH, 3, GET)),
    (bytes.fromhex("0101000003000000"), Frame(Command.FIN, 3)),
    (bytes.fromhex("0100000005000000"), Frame(Command.SYN, 5)),
    (bytes.fromhex("0103000000000000"), Frame(Command.NOP, 0)),
]
CAPTURE_BYTES = b"".join(wire for wire, _ in CAPTURE)
CAPTURE_FRAMES = [frame for _, frame in CAPTURE]


def decode_all(*chunks: bytes) -> list[Frame]:
    decoder = FrameDecoder()
    frames: list[Frame] = []
    for chunk in chunks:
        decoder.receive_data(chunk)
        while (frame := decoder.next_frame()) is not None:
            frames.append(frame)
    assert decoder.buffered == 0
    return frames


@pytest.mark.parametrize(("wire", "frame"), CAPTURE)
def test_encoding_matches_the_live_capture(wire: bytes, frame: Frame) -> None:
    assert encode_frame(frame.command, frame.stream_id, frame.data) == wire


@pytest.mark.parametrize(("wire", "frame"), CAPTURE)
def test_decoding_the_live_capture(wire: bytes, frame: Frame) -> None:
    assert decode_all(wire) == [frame]


def test_length_and_stream_id_are_little_endian() -> None:
    wire = encode_frame(Command.PSH, 0x01020304, b"x" * 0x0102)
    assert wire[:8] == bytes([1, 2, 0x02, 0x01, 0x04, 0x03, 0x02, 0x01])


def test_control_frames_refuse_data() -> None:
    with pytest.raises(ValueError, match="carry no data"):
        encode_frame(Command.FIN, 3, b"x")


def test_frames_split_at_every_byte_boundary_decode_identically() -> None:
    for cut in range(len(CAPTURE_BYTES) + 1):
        assert decode_all(CAPTURE_BYTES[:cut], CAPTURE_BYTES[cut:]) == CAPTURE_FRAMES


def test_frames_fed_one_byte_at_a_time_decode_identically() -> None:
    one_by_one = [CAPTURE_BYTES[i : i + 1] for i in range(len(CAPTURE_BYTES))]
    assert decode_all(*one_by_one) == CAPTURE_FRAMES


def test_coalesced_frames_decode_identically() -> None:
    assert decode_all(CAPTURE_BYTES + CAPTURE_BYTES) == CAPTURE_FRAMES * 2


def test_a_partial_frame_waits_for_the_rest() -> None:
    decoder = FrameDecoder()
    decoder.receive_data(CAPTURE[1][0][:-1])
    assert decoder.next_frame() is None
    assert decoder.buffered == len(CAPTURE[1][0]) - 1


def test_empty_push_frame_decodes_with_no_data() -> None:
    assert decode_all(bytes.fromhex("0102000003000000")) == [Frame(Command.PSH, 3)]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("0200000003000000", "version 2"),
        ("0000000003000000", "version 0"),
        ("0104000003000000", "unknown command 4"),  # UPD is smux v2 only
        ("01ff000003000000", "unknown command 255"),
        ("0100010003000000", "SYN frame with 1 data bytes"),
        ("0101ffff03000000", "FIN frame with 65535 data bytes"),
        ("0103080000000000", "NOP frame with 8 data bytes"),
    ],
)
def test_bad_headers_are_protocol_errors_before_any_body(header: str, message: str) -> None:
    decoder = FrameDecoder()
    decoder.receive_data(bytes.fromhex(header))
    with pytest.raises(RemoteProtocolError, match=message):
        decoder.next_frame()
