"""RTT/RTO estimation and the unacked buffer (protocol.md §9.4-9.5)."""

from __future__ import annotations

import pytest

from ssm_tui.protocol.retransmit import RttEstimator, SendBuffer


class TestRttEstimator:
    def test_starts_with_the_official_constants(self) -> None:
        rtt = RttEstimator()
        assert (rtt.rtt, rtt.rttvar, rtt.rto) == (0.1, 0.0, 0.2)

    def test_variation_uses_the_previous_rtt(self) -> None:
        rtt = RttEstimator()
        rtt.update(0.5)
        assert rtt.rttvar == pytest.approx(0.25 * 0.4)
        assert rtt.rtt == pytest.approx(0.875 * 0.1 + 0.125 * 0.5)
        assert rtt.rto == pytest.approx(rtt.rtt + 4 * rtt.rttvar)

    def test_rto_floors_variation_at_the_clock_granularity(self) -> None:
        rtt = RttEstimator()
        for _ in range(200):
            rtt.update(0.02)
        assert rtt.rto == pytest.approx(0.02 + 0.01, abs=1e-3)

    def test_rto_is_capped_at_one_second(self) -> None:
        rtt = RttEstimator()
        rtt.update(30.0)
        assert rtt.rto == 1.0


class TestSendBuffer:
    def test_the_oldest_frame_expires_after_rto_and_its_send_time_moves(self) -> None:
        buffer = SendBuffer()
        buffer.add(0, b"zero", 4, now=10.0)
        buffer.add(1, b"one", 3, now=10.05)
        assert buffer.next_deadline() == pytest.approx(10.2)
        assert buffer.expired(now=10.1, limit=8) == []
        assert buffer.expired(now=10.2, limit=8) == [b"zero"]
        # Resent once per RTO, not every tick (§9.4's copy bug).
        assert buffer.next_deadline() == pytest.approx(10.25)
        assert buffer.expired(now=10.25, limit=8) == [b"one"]
        assert buffer.expired(now=10.3, limit=8) == []

    def test_expiry_respects_the_per_call_limit(self) -> None:
        buffer = SendBuffer()
        for seq in range(5):
            buffer.add(seq, bytes([seq]), 1, now=0.0)
        assert buffer.expired(now=1.0, limit=2) == [b"\0", b"\1"]
        assert buffer.next_deadline() == pytest.approx(0.2)  # the rest are still due

    def test_an_ack_removes_the_frame_and_samples_from_the_first_send(self) -> None:
        buffer = SendBuffer()
        buffer.add(0, b"x", 1, now=0.0)
        buffer.expired(now=0.2, limit=1)
        assert buffer.acknowledge(0, now=0.6)
        assert buffer.rtt.rtt == pytest.approx(0.875 * 0.1 + 0.125 * 0.6)
        assert len(buffer) == 0 and buffer.bytes == 0
        assert buffer.next_deadline() is None

    def test_an_unknown_ack_changes_nothing(self) -> None:
        buffer = SendBuffer()
        assert not buffer.acknowledge(3, now=1.0)
        assert buffer.rtt.rto == 0.2

    def test_resend_all_returns_every_frame_in_sequence_order(self) -> None:
        buffer = SendBuffer()
        for seq in range(3):
            buffer.add(seq, bytes([seq]), 1, now=0.0)
        buffer.expired(now=0.3, limit=1)  # seq 0 moves to the back
        assert buffer.resend_all(now=5.0) == [b"\0", b"\1", b"\2"]
        assert buffer.next_deadline() == pytest.approx(5.2)
