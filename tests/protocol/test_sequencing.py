"""The receive window (protocol.md §9.2-9.3): expected counter and bounded reorder buffer."""

from __future__ import annotations

from ssm_tui.protocol.sequencing import Arrival, ReceiveWindow


def test_arrivals_are_classified_against_the_expected_number() -> None:
    window: ReceiveWindow[str] = ReceiveWindow()
    window.advance()
    assert window.classify(1) is Arrival.IN_ORDER
    assert window.classify(5) is Arrival.EARLY
    assert window.classify(0) is Arrival.DUPLICATE


def test_early_arrivals_wait_for_their_turn() -> None:
    window: ReceiveWindow[str] = ReceiveWindow()
    assert window.store(1, "b")
    assert window.peek() is None
    assert window.advance()  # "b" is still held: the caller should drain
    assert window.peek() == "b"
    assert not window.advance()
    assert window.expected == 2
    assert len(window) == 0


def test_a_full_buffer_refuses_new_early_arrivals_but_keeps_held_ones() -> None:
    window: ReceiveWindow[str] = ReceiveWindow(capacity=1)
    assert window.store(3, "d")
    assert not window.store(4, "e")
    assert window.store(3, "d again")  # already held: ack again, keep the first copy
    assert len(window) == 1
