"""MuxSession: streams, half-close, protocol errors and keepalive on a fake clock."""

from __future__ import annotations

import array

import pytest

from ssm_tui.protocol.errors import LocalProtocolError, RemoteProtocolError
from ssm_tui.protocol.smux import (
    MuxClosed,
    MuxRole,
    MuxSession,
    StreamDataReceived,
    StreamEnded,
    StreamOpened,
    StreamState,
)
from ssm_tui.protocol.smux_frame import Command, Frame, FrameDecoder, encode_frame

T0 = 1_700_000_000.0
GET = b"GET / HTTP/1.0\r\n\r\n"
SYN3 = bytes.fromhex("0100000003000000")
PSH3_GET = bytes.fromhex("0102120003000000") + GET
FIN3 = bytes.fromhex("0101000003000000")
SYN5 = bytes.fromhex("0100000005000000")
NOP = bytes.fromhex("0103000000000000")


def frames(wire: bytes) -> list[Frame]:
    decoder = FrameDecoder()
    decoder.receive_data(wire)
    result = []
    while (frame := decoder.next_frame()) is not None:
        result.append(frame)
    return result


def server_with_stream_3() -> MuxSession:
    server = MuxSession(MuxRole.SERVER)
    server.receive_data(SYN3, now=T0)
    assert server.events() == [StreamOpened(stream_id=3)]
    return server


class TestClient:
    def test_first_connection_matches_the_live_capture_byte_for_byte(self) -> None:
        client = MuxSession(MuxRole.CLIENT)
        stream_id = client.open_stream(now=T0)
        client.send(stream_id, GET, now=T0)
        client.close_stream(stream_id, now=T0)
        assert client.data_to_send() == SYN3 + PSH3_GET + FIN3
        assert client.open_stream(now=T0) == 5
        assert client.data_to_send() == SYN5

    def test_stream_ids_are_odd_from_3_in_steps_of_2(self) -> None:
        client = MuxSession(MuxRole.CLIENT)
        assert [client.open_stream(now=T0) for _ in range(4)] == [3, 5, 7, 9]

    def test_stream_ids_exhausted_is_a_local_error(self) -> None:
        client = MuxSession(MuxRole.CLIENT)
        client._next_stream_id = 0xFFFF_FFFF
        assert client.open_stream(now=T0) == 0xFFFF_FFFF
        with pytest.raises(LocalProtocolError, match="exhausted"):
            client.open_stream(now=T0)

    def test_data_to_send_drains(self) -> None:
        client = MuxSession(MuxRole.CLIENT)
        client.open_stream(now=T0)
        assert client.data_to_send() == SYN3
        assert client.data_to_send() == b""

    def test_client_ignores_a_syn_from_the_server(self) -> None:
        client = MuxSession(MuxRole.CLIENT)
        client.receive_data(encode_frame(Command.SYN, 2), now=T0)
        client.receive_data(encode_frame(Command.PSH, 2, b"x"), now=T0)
        assert client.events() == []
        assert client.open_stream_count == 0


class TestServer:
    def test_the_live_capture_becomes_events(self) -> None:
        server = MuxSession(MuxRole.SERVER)
        server.receive_data(SYN3 + PSH3_GET + FIN3 + SYN5, now=T0)
        assert server.events() == [
            StreamOpened(stream_id=3),
            StreamDataReceived(stream_id=3, data=GET),
            StreamEnded(stream_id=3),
            StreamOpened(stream_id=5),
        ]

    def test_server_never_opens_streams(self) -> None:
        with pytest.raises(LocalProtocolError, match="never opens"):
            MuxSession(MuxRole.SERVER).open_stream(now=T0)

    def test_duplicate_syn_is_ignored(self) -> None:
        server = server_with_stream_3()
        server.receive_data(SYN3, now=T0)
        assert server.events() == []
        assert server.streams_opened == 1

    def test_nop_produces_no_event(self) -> None:
        server = MuxSession(MuxRole.SERVER)
        server.receive_data(NOP, now=T0)
        assert server.events() == []

    def test_empty_push_produces_no_event(self) -> None:
        server = server_with_stream_3()
        server.receive_data(encode_frame(Command.PSH, 3), now=T0)
        assert server.events() == []

    def test_empty_input_is_a_no_op(self) -> None:
        server = MuxSession(MuxRole.SERVER)
        server.receive_data(b"", now=T0)
        assert server.events() == []


class TestSending:
    def test_send_splits_into_frames_of_at_most_max_frame_size(self) -> None:
        client = MuxSession(MuxRole.CLIENT)
        stream_id = client.open_stream(now=T0)
        payload = bytes(range(256)) * 300  # 76 800 bytes
        client.send(stream_id, payload, now=T0)
        pushes = frames(client.data_to_send())[1:]
        assert [len(frame.data) for frame in pushes] == [32768, 32768, 11264]
        assert b"".join(frame.data for frame in pushes) == payload

    def test_max_frame_size_is_configurable(self) -> None:
        client = MuxSession(MuxRole.CLIENT, max_frame_size=5)
        stream_id = client.open_stream(now=T0)
        client.send(stream_id, b"abcdefghijkl", now=T0)
        pushes = frames(client.data_to_send())[1:]
        assert [frame.data for frame in pushes] == [b"abcde", b"fghij", b"kl"]

    def test_send_copies_the_callers_buffer(self) -> None:
        client = MuxSession(MuxRole.CLIENT)
        stream_id = client.open_stream(now=T0)
        buffer = bytearray(GET)
        client.send(stream_id, buffer, now=T0)
        buffer[:] = b"X" * len(buffer)
        assert client.data_to_send() == SYN3 + PSH3_GET

    def test_send_accepts_any_contiguous_buffer(self) -> None:
        client = MuxSession(MuxRole.CLIENT)
        stream_id = client.open_stream(now=T0)
        client.send(stream_id, memoryview(array.array("H", [0x0201, 0x0403])), now=T0)
        assert frames(client.data_to_send())[1].data == array.array("H", [0x0201, 0x0403]).tobytes()

    def test_sending_nothing_queues_nothing(self) -> None:
        client = MuxSession(MuxRole.CLIENT)
        stream_id = client.open_stream(now=T0)
        client.data_to_send()
        client.send(stream_id, b"", now=T0)
        assert client.data_to_send() == b""

    def test_send_on_an_unknown_stream_is_a_local_error(self) -> None:
        with pytest.raises(LocalProtocolError, match="not open"):
            MuxSession(MuxRole.CLIENT).send(3, b"x", now=T0)

    def test_send_after_our_fin_is_a_local_error(self) -> None:
        client = MuxSession(MuxRole.CLIENT)
        stream_id = client.open_stream(now=T0)
        client.close_stream(stream_id, now=T0)
        with pytest.raises(LocalProtocolError, match="not open"):
            client.send(stream_id, b"x", now=T0)

    def test_fin_is_sent_once(self) -> None:
        client = MuxSession(MuxRole.CLIENT)
        stream_id = client.open_stream(now=T0)
        client.close_stream(stream_id, now=T0)
        client.close_stream(stream_id, now=T0)
        assert client.data_to_send() == SYN3 + FIN3

    def test_closing_an_unknown_stream_does_nothing(self) -> None:
        client = MuxSession(MuxRole.CLIENT)
        client.close_stream(99, now=T0)
        assert client.data_to_send() == b""


class TestHalfClose:
    def test_local_side_may_fin_after_the_peer(self) -> None:
        server = server_with_stream_3()
        server.receive_data(FIN3, now=T0)
        assert server.events() == [StreamEnded(stream_id=3)]
        assert server.stream_state(3) is StreamState.HALF_CLOSED_REMOTE
        server.send(3, b"reply", now=T0)  # still allowed: only the peer finished
        server.close_stream(3, now=T0)
        assert frames(server.data_to_send()) == [
            Frame(Command.PSH, 3, b"reply"),
            Frame(Command.FIN, 3),
        ]
        assert server.stream_state(3) is None
        assert server.open_stream_count == 0

    def test_peer_data_after_our_fin_is_still_delivered(self) -> None:
        client = MuxSession(MuxRole.CLIENT)
        stream_id = client.open_stream(now=T0)
        client.close_stream(stream_id, now=T0)
        assert client.stream_state(stream_id) is StreamState.HALF_CLOSED_LOCAL
        client.receive_data(encode_frame(Command.PSH, stream_id, b"late") + FIN3, now=T0)
        assert client.events() == [
            StreamDataReceived(stream_id=3, data=b"late"),
            StreamEnded(stream_id=3),
        ]
        assert client.open_stream_count == 0

    def test_data_and_fin_after_the_peers_fin_are_ignored(self) -> None:
        server = server_with_stream_3()
        server.receive_data(FIN3, now=T0)
        server.events()
        server.receive_data(PSH3_GET + FIN3, now=T0)
        assert server.events() == []

    def test_data_and_fin_for_unknown_streams_are_ignored(self) -> None:
        server = MuxSession(MuxRole.SERVER)
        server.receive_data(PSH3_GET + FIN3, now=T0)
        assert server.events() == []
        assert server.bytes_received == 0

    def test_a_finished_stream_id_can_be_opened_again_by_the_peer(self) -> None:
        server = server_with_stream_3()
        server.close_stream(3, now=T0)
        server.receive_data(FIN3 + SYN3, now=T0)
        assert server.events() == [StreamEnded(stream_id=3), StreamOpened(stream_id=3)]


class TestCounters:
    def test_counts_for_a_forwarding_panel(self) -> None:
        client = MuxSession(MuxRole.CLIENT)
        assert client.role is MuxRole.CLIENT
        first = client.open_stream(now=T0)
        second = client.open_stream(now=T0)
        client.send(first, b"12345", now=T0)
        client.receive_data(encode_frame(Command.PSH, second, b"abc"), now=T0)
        assert client.open_stream_count == 2
        assert client.streams_opened == 2
        assert client.bytes_sent == 5
        assert client.bytes_received == 3
        assert client.stream_state(first) is StreamState.OPEN
        client.close_stream(first, now=T0)
        client.receive_data(encode_frame(Command.FIN, first), now=T0)
        assert client.open_stream_count == 1
        assert client.streams_opened == 2


class TestClosing:
    def test_a_protocol_error_closes_the_session_after_earlier_frames(self) -> None:
        server = MuxSession(MuxRole.SERVER)
        with pytest.raises(RemoteProtocolError, match="unknown command 4"):
            server.receive_data(SYN3 + bytes.fromhex("0104000003000000"), now=T0)
        events = server.events()
        assert events[0] == StreamOpened(stream_id=3)
        assert isinstance(events[1], MuxClosed) and "unknown command 4" in events[1].reason
        assert server.closed
        assert server.open_stream_count == 0
        with pytest.raises(RemoteProtocolError, match="failed earlier"):
            server.receive_data(SYN5, now=T0)
        with pytest.raises(LocalProtocolError, match="closed"):
            server.send(3, b"x", now=T0)
        with pytest.raises(LocalProtocolError, match="closed"):
            server.close_stream(3, now=T0)

    def test_client_calls_after_a_protocol_error_are_local_errors(self) -> None:
        client = MuxSession(MuxRole.CLIENT)
        with pytest.raises(RemoteProtocolError, match="version 2"):
            client.receive_data(bytes.fromhex("0200000000000000"), now=T0)
        with pytest.raises(LocalProtocolError, match="closed"):
            client.open_stream(now=T0)

    def test_local_close_discards_later_input_and_refuses_sends(self) -> None:
        server = server_with_stream_3()
        server.close()
        assert server.closed
        assert server.open_stream_count == 0
        server.receive_data(PSH3_GET, now=T0)
        assert server.events() == []
        with pytest.raises(LocalProtocolError):
            server.send(3, b"x", now=T0)

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"max_frame_size": 0},
            {"max_frame_size": 65536},
            {"keepalive_interval": 0.0},
            {"keepalive_timeout": -1.0},
        ],
    )
    def test_bad_settings_are_rejected(self, kwargs: dict[str, float]) -> None:
        with pytest.raises(ValueError):
            MuxSession(MuxRole.CLIENT, **kwargs)  # type: ignore[arg-type]


class TestKeepalive:
    def test_keepalive_off_sends_no_nops_and_never_times_out(self) -> None:
        client = MuxSession(MuxRole.CLIENT)
        assert client.get_timer() is None
        client.handle_timer(now=T0)
        client.handle_timer(now=T0 + 1000)
        assert client.get_timer() is None
        assert client.data_to_send() == b""
        assert not client.closed

    def test_timer_is_due_at_once_until_the_clock_starts(self) -> None:
        client = MuxSession(MuxRole.CLIENT, keepalive=True)
        assert client.get_timer() == 0.0
        client.handle_timer(now=T0)
        assert client.get_timer() == T0 + 10
        assert client.data_to_send() == b""

    def test_any_call_with_now_starts_the_clock(self) -> None:
        client = MuxSession(MuxRole.CLIENT, keepalive=True)
        client.open_stream(now=T0)
        assert client.get_timer() == T0 + 10

    def test_a_nop_goes_out_every_interval(self) -> None:
        client = MuxSession(MuxRole.CLIENT, keepalive=True)
        client.handle_timer(now=T0)
        sent = []
        for tick in range(1, 6):
            now = T0 + 10 * tick
            assert client.get_timer() == now
            client.receive_data(NOP, now=now - 1)  # the peer stays alive
            client.handle_timer(now=now)
            sent.append(client.data_to_send())
        assert sent == [NOP] * 5

    def test_the_timer_does_nothing_before_it_is_due(self) -> None:
        client = MuxSession(MuxRole.CLIENT, keepalive=True)
        client.handle_timer(now=T0)
        client.handle_timer(now=T0 + 9.5)
        assert client.data_to_send() == b""

    def test_the_session_closes_after_30_s_without_any_frame(self) -> None:
        server = MuxSession(MuxRole.SERVER, keepalive=True)
        server.handle_timer(now=T0)
        server.handle_timer(now=T0 + 10)
        server.handle_timer(now=T0 + 20)
        assert server.data_to_send() == NOP * 2
        assert server.get_timer() == T0 + 30
        server.handle_timer(now=T0 + 30)
        assert server.closed
        assert server.events() == [MuxClosed(reason="keepalive timeout: nothing received for 30 s")]
        assert server.data_to_send() == b""
        assert server.get_timer() is None
        server.handle_timer(now=T0 + 40)
        server.receive_data(NOP, now=T0 + 41)  # too late: discarded
        assert server.events() == []

    def test_received_bytes_push_the_timeout_back(self) -> None:
        server = MuxSession(MuxRole.SERVER, keepalive=True)
        server.handle_timer(now=T0)
        server.receive_data(NOP[:3], now=T0 + 25)  # part of a frame is proof of life too
        server.handle_timer(now=T0 + 30)
        assert not server.closed
        assert server.get_timer() == T0 + 40
        server.handle_timer(now=T0 + 55)
        assert server.closed

    def test_a_late_timer_sends_one_nop_not_a_burst(self) -> None:
        client = MuxSession(MuxRole.CLIENT, keepalive=True)
        client.handle_timer(now=T0)
        client.receive_data(NOP, now=T0 + 24)
        client.handle_timer(now=T0 + 25)
        assert client.data_to_send() == NOP
        assert client.get_timer() == T0 + 35
