"""Retransmission, back-pressure, publication pauses and reconnects (protocol.md §3, §9.4-9.8)."""

from __future__ import annotations

import pytest

from ssm_tui.protocol.channel import DataChannel
from ssm_tui.protocol.events import (
    DataReceived,
    PublicationPaused,
    PublicationResumed,
    WritableChanged,
)
from ssm_tui.protocol.message import decode_message

from .link import START
from .peers import ack_of, acked, client, decoded, frame, running_agent, stream

NOW = START


def publication(kind: str) -> bytes:
    return frame(0, b"{}", message_type=kind, payload_type=0)


class TestRetransmission:
    def test_lost_output_is_retransmitted_after_rto(self) -> None:
        channel = running_agent()
        channel.send_data(b"hello", now=NOW)
        (original,) = channel.messages_to_send()
        assert channel.get_timer() == pytest.approx(NOW + 0.2)
        channel.handle_timer(now=NOW + 0.1)
        assert channel.messages_to_send() == []
        channel.handle_timer(now=channel.get_timer())  # type: ignore[arg-type]
        assert channel.messages_to_send() == [original]

    def test_a_resend_moves_the_send_time_so_the_next_waits_a_full_rto(self) -> None:
        channel = running_agent()
        channel.send_data(b"hello", now=NOW)
        channel.messages_to_send()
        channel.handle_timer(now=NOW + 0.2)
        channel.messages_to_send()
        assert channel.get_timer() == pytest.approx(NOW + 0.4)  # not every 100 ms (§9.4)

    def test_an_ack_ends_retransmission_and_updates_rto(self) -> None:
        channel = running_agent()
        channel.send_data(b"hello", now=NOW)
        (raw,) = channel.messages_to_send()
        channel.receive_message(ack_of(decode_message(raw)), now=NOW + 0.5)
        assert channel.unacked_count == 0
        assert channel.get_timer() is None
        channel.send_data(b"again", now=NOW + 1)
        channel.messages_to_send()
        assert channel.get_timer() == pytest.approx(NOW + 1 + 0.1375 + 4 * 0.1)

    def test_expired_messages_go_oldest_first_a_few_per_timer(self) -> None:
        channel = running_agent(resend_limit=2)
        channel.send_data(b"abcde", now=NOW)
        channel.send_data(b"fghij", now=NOW + 0.01)
        channel.send_data(b"klmno", now=NOW + 0.02)
        channel.messages_to_send()
        channel.handle_timer(now=NOW + 1)
        assert [m.sequence_number for m in decoded(channel.messages_to_send())] == [0, 1]
        assert channel.get_timer() == pytest.approx(NOW + 0.22)  # still overdue: fire again
        channel.handle_timer(now=NOW + 1)
        assert [m.sequence_number for m in decoded(channel.messages_to_send())] == [2]

    def test_reconnected_resends_every_unacked_message_at_once(self) -> None:
        channel = running_agent()
        channel.send_data(b"a" * 2500, now=NOW)
        first = channel.messages_to_send()
        channel.receive_message(ack_of(decode_message(first[1])), now=NOW)
        channel.reconnected(now=NOW + 0.05)
        assert channel.messages_to_send() == [first[0], first[2]]
        assert channel.get_timer() == pytest.approx(NOW + 0.05 + channel_rto(channel))

    def test_a_closed_channel_ignores_reconnects(self) -> None:
        channel = running_agent()
        channel.send_data(b"x", now=NOW)
        channel.close(now=NOW)
        channel.messages_to_send()
        channel.reconnected(now=NOW)
        assert channel.messages_to_send() == []

    def test_acks_of_unknown_sequence_numbers_are_ignored(self) -> None:
        channel = running_agent()
        channel.send_data(b"x", now=NOW)
        channel.messages_to_send()
        stale = decode_message(frame(7))
        channel.receive_message(ack_of(stale), now=NOW)
        assert channel.unacked_count == 1
        assert channel.events() == []


def channel_rto(channel: DataChannel) -> float:
    return channel._outbox.sent.rtt.rto


class TestBackPressure:
    def test_writable_flips_at_the_water_marks_and_nothing_is_evicted(self) -> None:
        channel = running_agent(max_payload_size=100, high_water=1000, low_water=300)
        channel.send_data(b"x" * 900, now=NOW)
        assert channel.writable and channel.events() == []
        channel.send_data(b"x" * 100, now=NOW)
        assert not channel.writable
        assert channel.events() == [WritableChanged(writable=False)]
        channel.send_data(b"y" * 500, now=NOW)  # still accepted: the caller decides
        sent = decoded(channel.messages_to_send())
        assert len(sent) == 15 and channel.unacked_count == 15
        for message in sent[:11]:
            channel.receive_message(ack_of(message), now=NOW)
        assert channel.writable is False  # 400 bytes left, above the low mark
        channel.receive_message(ack_of(sent[11]), now=NOW)
        assert channel.writable
        assert channel.events() == [WritableChanged(writable=True)]

    def test_held_data_counts_toward_back_pressure(self) -> None:
        channel = client(high_water=10, low_water=0)
        channel.send_data(b"x" * 10, now=NOW)
        assert not channel.writable
        assert channel.messages_to_send() == []

    def test_acks_are_sent_even_when_not_writable(self) -> None:
        channel = running_agent(high_water=1, low_water=0)
        channel.send_data(b"xx", now=NOW)
        channel.messages_to_send()
        channel.receive_message(frame(0, message_type="input_stream_data"), now=NOW)
        assert acked(channel.messages_to_send()) == [0]


class TestPublication:
    def test_pause_holds_new_data_and_resends(self) -> None:
        channel = running_agent()
        channel.send_data(b"before", now=NOW)
        channel.messages_to_send()
        channel.receive_message(publication("pause_publication"), now=NOW)
        assert channel.events() == [PublicationPaused()]
        channel.send_data(b"during", now=NOW)
        assert channel.messages_to_send() == []
        assert channel.get_timer() is None
        channel.handle_timer(now=NOW + 5)
        assert channel.messages_to_send() == []
        channel.receive_message(publication("pause_publication"), now=NOW)
        assert channel.events() == []

    def test_start_publication_releases_held_data(self) -> None:
        channel = running_agent()
        channel.receive_message(publication("pause_publication"), now=NOW)
        channel.send_data(b"during", now=NOW)
        channel.receive_message(publication("start_publication"), now=NOW + 1)
        assert [m.payload for m in stream(channel.messages_to_send())] == [b"during"]
        assert channel.events() == [PublicationPaused(), PublicationResumed()]

    @pytest.mark.parametrize("traffic", ["input_stream_data", "acknowledge"])
    def test_any_inbound_traffic_ends_a_pause(self, traffic: str) -> None:
        channel = running_agent()
        channel.receive_message(publication("pause_publication"), now=NOW)
        if traffic == "acknowledge":
            channel.receive_message(ack_of(decode_message(frame(3))), now=NOW)
        else:
            channel.receive_message(frame(0, message_type=traffic), now=NOW)
        assert PublicationResumed() in channel.events()

    def test_acks_still_go_out_while_paused(self) -> None:
        channel = running_agent()
        channel.receive_message(publication("pause_publication"), now=NOW)
        channel.receive_message(frame(0, message_type="input_stream_data"), now=NOW)
        assert acked(channel.messages_to_send()) == [0]

    def test_reconnecting_lifts_a_pause(self) -> None:
        channel = running_agent()
        channel.receive_message(publication("pause_publication"), now=NOW)
        channel.send_data(b"held", now=NOW)
        channel.reconnected(now=NOW)
        assert [m.payload for m in stream(channel.messages_to_send())] == [b"held"]


class TestReceiveFlowControl:
    def test_paused_receiving_leaves_new_messages_unacked_until_resumed(self) -> None:
        channel = running_agent()
        channel.pause_receiving(now=NOW)
        channel.receive_message(frame(0, b"a", message_type="input_stream_data"), now=NOW)
        channel.receive_message(frame(1, b"b", message_type="input_stream_data"), now=NOW)
        assert channel.messages_to_send() == []
        channel.resume_receiving(now=NOW)
        channel.receive_message(frame(0, b"a", message_type="input_stream_data"), now=NOW)
        assert acked(channel.messages_to_send()) == [0]
        assert channel.events() == [DataReceived(data=b"a")]

    def test_buffered_messages_wait_for_resume(self) -> None:
        channel = running_agent()
        channel.receive_message(frame(1, b"b", message_type="input_stream_data"), now=NOW)
        channel.pause_receiving(now=NOW)
        channel.receive_message(frame(0, b"a", message_type="input_stream_data"), now=NOW)
        channel.resume_receiving(now=NOW)
        assert channel.events() == []
        channel.receive_message(frame(0, b"a", message_type="input_stream_data"), now=NOW)
        assert channel.events() == [DataReceived(data=b"a"), DataReceived(data=b"b")]

    def test_duplicates_are_re_acked_while_paused(self) -> None:
        channel = running_agent()
        channel.receive_message(frame(0, message_type="input_stream_data"), now=NOW)
        channel.pause_receiving(now=NOW)
        channel.receive_message(frame(0, message_type="input_stream_data"), now=NOW)
        assert acked(channel.messages_to_send()) == [0, 0]
