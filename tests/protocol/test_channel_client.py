"""The client role of DataChannel against hand-made agent frames (protocol.md §7, §9.2)."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping

import pytest

from ssm_tui.protocol.channel import DataChannel
from ssm_tui.protocol.errors import LocalProtocolError
from ssm_tui.protocol.events import (
    ChannelClosed,
    DataKeyRequested,
    DataReceived,
    ExitCodeReceived,
    FlagReceived,
    MessageRejected,
    SessionFailed,
    SessionStarted,
    StderrReceived,
)
from ssm_tui.protocol.message import MessageType, PayloadType, build_frame, decode_message
from ssm_tui.protocol.payloads import Flag

from .link import START
from .peers import SESSION, TARGET, acked, client, decoded, frame, stream

NOW = START


def handshake_request(*actions: Mapping[str, object]) -> bytes:
    body = {"AgentVersion": "3.3.0.0", "RequestedClientActions": list(actions)}
    return json.dumps(body).encode()


SHELL_TYPE = {
    "ActionType": "SessionType",
    "ActionParameters": {"SessionType": "Standard_Stream", "Properties": None},
}
COMPLETE = b'{"HandshakeTimeToComplete":1,"CustomerMessage":"hello"}'


class TestAcknowledgements:
    def test_an_ack_fills_all_four_fields_in_the_standard_envelope(self) -> None:
        channel = client()
        raw = frame(0, b"$ ")
        channel.receive_message(raw, now=NOW)
        (ack,) = decoded(channel.messages_to_send())
        assert (ack.message_type, ack.sequence_number, ack.flags, ack.payload_type) == (
            "acknowledge",
            0,
            3,
            0,
        )
        assert ack.created_date == int(NOW * 1000)
        assert json.loads(ack.payload) == {
            "AcknowledgedMessageType": "output_stream_data",
            "AcknowledgedMessageId": str(decode_message(raw).message_id),
            "AcknowledgedMessageSequenceNumber": 0,
            "IsSequentialMessage": True,
        }

    def test_an_ack_never_carries_a_zero_created_date(self) -> None:
        channel = client()
        channel.receive_message(frame(0, b"$ "), now=0.0)  # §2.6 rule 1, even at the epoch
        (ack,) = decoded(channel.messages_to_send())
        assert ack.created_date == 1

    def test_duplicates_are_acked_again_but_not_delivered_again(self) -> None:
        channel = client()
        raw = frame(0, b"$ ")
        channel.receive_message(raw, now=NOW)
        channel.receive_message(raw, now=NOW)
        assert acked(channel.messages_to_send()) == [0, 0]
        assert [e for e in channel.events() if isinstance(e, DataReceived)] == [
            DataReceived(data=b"$ ")
        ]

    def test_early_messages_are_acked_at_once_and_delivered_in_order(self) -> None:
        channel = client()
        channel.receive_message(frame(2, b"c"), now=NOW)
        channel.receive_message(frame(1, b"b"), now=NOW)
        assert channel.events() == []
        channel.receive_message(frame(0, b"a"), now=NOW)
        assert acked(channel.messages_to_send()) == [2, 1, 0]
        data = [e.data for e in channel.events() if isinstance(e, DataReceived)]
        assert data == [b"a", b"b", b"c"]

    def test_a_full_reorder_buffer_drops_without_ack(self) -> None:
        channel = client(reorder_capacity=1)
        channel.receive_message(frame(1), now=NOW)
        channel.receive_message(frame(2), now=NOW)
        assert acked(channel.messages_to_send()) == [1]

    def test_a_bad_digest_is_rejected_without_ack(self) -> None:
        channel = client()
        raw = bytearray(frame(0))
        raw[90] ^= 0xFF
        channel.receive_message(bytes(raw), now=NOW)
        assert channel.messages_to_send() == []
        (event,) = channel.events()
        assert isinstance(event, MessageRejected)
        assert "digest" in event.reason


class TestSessionStart:
    def test_output_without_a_handshake_starts_a_standard_stream(self) -> None:
        channel = client()
        channel.receive_message(frame(0, b"$ "), now=NOW)
        assert channel.events() == [
            SessionStarted(session_type="Standard_Stream", client_version="1.2.677.0"),
            DataReceived(data=b"$ "),
        ]
        assert channel.started

    def test_data_sent_before_the_session_starts_is_held(self) -> None:
        channel = client()
        channel.send_data(b"ls\r", now=NOW)
        channel.send_size(80, 24, now=NOW)
        assert channel.messages_to_send() == []
        assert channel.buffered_bytes == 3 + len(b'{"cols":80,"rows":24}')
        channel.receive_message(frame(0, b"$ "), now=NOW)
        sent = stream(channel.messages_to_send())
        assert [(m.sequence_number, m.payload_type, m.payload) for m in sent] == [
            (0, PayloadType.OUTPUT, b"ls\r"),
            (1, PayloadType.SIZE, b'{"cols":80,"rows":24}'),
        ]
        assert all(m.flags == 0 for m in sent)  # §5.1: the client sends 0 even on Seq 0

    def test_the_handshake_response_takes_sequence_zero_ahead_of_held_data(self) -> None:
        channel = client()
        channel.send_data(b"early", now=NOW)
        channel.receive_message(frame(0, handshake_request(SHELL_TYPE), payload_type=5), now=NOW)
        (response,) = stream(channel.messages_to_send())
        assert (response.sequence_number, response.payload_type) == (
            0,
            PayloadType.HANDSHAKE_RESPONSE,
        )
        assert json.loads(response.payload) == {
            "ClientVersion": "1.2.677.0",
            "ProcessedClientActions": [
                {"ActionType": "SessionType", "ActionStatus": 1, "ActionResult": None, "Error": ""}
            ],
            "Errors": None,
        }
        channel.receive_message(frame(1, COMPLETE, payload_type=7), now=NOW)
        (data,) = stream(channel.messages_to_send())
        assert (data.sequence_number, data.payload) == (1, b"early")
        assert channel.events()[-1] == SessionStarted(
            session_type="Standard_Stream",
            agent_version="3.3.0.0",
            client_version="1.2.677.0",
            customer_message="hello",
        )

    def test_port_properties_reach_session_started(self) -> None:
        channel = client()
        port = {
            "ActionType": "SessionType",
            "ActionParameters": {"SessionType": "Port", "Properties": {"portNumber": "22"}},
        }
        channel.receive_message(frame(0, handshake_request(port), payload_type=5), now=NOW)
        channel.receive_message(frame(1, COMPLETE, payload_type=7), now=NOW)
        started = channel.events()[-1]
        assert isinstance(started, SessionStarted)
        assert (started.session_type, started.properties) == ("Port", {"portNumber": "22"})

    def test_output_during_the_handshake_is_dropped_without_ack(self) -> None:
        channel = client()
        channel.receive_message(frame(0, handshake_request(SHELL_TYPE), payload_type=5), now=NOW)
        channel.messages_to_send()
        channel.receive_message(frame(1, b"too soon"), now=NOW)
        assert acked(channel.messages_to_send()) == []
        assert not any(isinstance(e, DataReceived) for e in channel.events())

    def test_early_output_buffered_during_the_handshake_is_delivered_after_it(self) -> None:
        channel = client()
        channel.receive_message(frame(0, handshake_request(SHELL_TYPE), payload_type=5), now=NOW)
        channel.receive_message(frame(2, b"prompt"), now=NOW)
        channel.receive_message(frame(1, COMPLETE, payload_type=7), now=NOW)
        events = channel.events()
        assert isinstance(events[-2], SessionStarted)
        assert events[-1] == DataReceived(data=b"prompt")

    def test_an_unknown_session_type_is_refused_with_status_2(self) -> None:
        channel = client()
        odd = {"ActionType": "SessionType", "ActionParameters": {"SessionType": "Telnet"}}
        channel.receive_message(frame(0, handshake_request(odd), payload_type=5), now=NOW)
        (response,) = stream(channel.messages_to_send())
        (action,) = json.loads(response.payload)["ProcessedClientActions"]
        assert action["ActionStatus"] == 2
        assert "Unknown session type" in action["Error"]
        assert json.loads(response.payload)["Errors"] == [action["Error"]]
        assert isinstance(channel.events()[-1], SessionFailed)
        assert channel.closed

    def test_non_object_properties_are_refused(self) -> None:
        channel = client()
        odd = {
            "ActionType": "SessionType",
            "ActionParameters": {"SessionType": "Port", "Properties": [1]},
        }
        channel.receive_message(frame(0, handshake_request(odd), payload_type=5), now=NOW)
        (response,) = stream(channel.messages_to_send())
        assert json.loads(response.payload)["ProcessedClientActions"][0]["ActionStatus"] == 2

    def test_an_unknown_action_is_answered_unsupported_with_status_3(self) -> None:
        channel = client()
        odd = {"ActionType": "Teleport", "ActionParameters": {}}
        channel.receive_message(
            frame(0, handshake_request(SHELL_TYPE, odd), payload_type=5), now=NOW
        )
        (response,) = stream(channel.messages_to_send())
        actions = json.loads(response.payload)["ProcessedClientActions"]
        assert actions[1] == {
            "ActionType": "Teleport",
            "ActionStatus": 3,
            "ActionResult": None,
            "Error": "Unsupported action Teleport",
        }
        assert not channel.closed

    def test_a_malformed_handshake_request_fails_the_session(self) -> None:
        channel = client()
        channel.receive_message(frame(0, b"{", payload_type=5), now=NOW)
        (event,) = channel.events()
        assert isinstance(event, SessionFailed)

    def test_nothing_buffered_is_delivered_after_the_session_failed(self) -> None:
        channel = client()
        channel.receive_message(frame(1, b"later"), now=NOW)
        channel.receive_message(frame(0, b"{", payload_type=5), now=NOW)
        events = channel.events()
        assert isinstance(events[-1], SessionFailed)
        assert not any(isinstance(e, DataReceived) for e in events)

    def test_a_second_handshake_request_fails_the_session(self) -> None:
        channel = client()
        channel.receive_message(frame(0, handshake_request(SHELL_TYPE), payload_type=5), now=NOW)
        channel.receive_message(frame(1, handshake_request(SHELL_TYPE), payload_type=5), now=NOW)
        assert isinstance(channel.events()[-1], SessionFailed)

    def test_handshake_complete_without_a_request_fails_the_session(self) -> None:
        channel = client()
        channel.receive_message(frame(0, COMPLETE, payload_type=7), now=NOW)
        assert isinstance(channel.events()[-1], SessionFailed)


class TestKms:
    KMS = {
        "ActionType": "KMSEncryption",
        "ActionParameters": {"KMSKeyId": "alias/k", "Challenge": "AAAA"},
    }

    def requested(self) -> DataChannel:
        channel = client()
        channel.receive_message(
            frame(0, handshake_request(SHELL_TYPE, self.KMS), payload_type=5), now=NOW
        )
        return channel

    def test_kms_asks_the_caller_for_a_data_key_with_the_session_context(self) -> None:
        channel = self.requested()
        assert channel.events() == [
            DataKeyRequested(
                kms_key_id="alias/k",
                encryption_context={"aws:ssm:SessionId": SESSION, "aws:ssm:TargetId": TARGET},
            )
        ]
        assert stream(channel.messages_to_send()) == []  # the response waits for the key

    def test_the_ciphertext_blob_goes_back_base64_encoded(self) -> None:
        channel = self.requested()
        channel.provide_data_key(plaintext=bytes(64), ciphertext_blob=b"\x01blob", now=NOW)
        (response,) = stream(channel.messages_to_send())
        kms = json.loads(response.payload)["ProcessedClientActions"][1]
        assert kms == {
            "ActionType": "KMSEncryption",
            "ActionStatus": 1,
            "ActionResult": {
                "KMSCipherTextKey": base64.b64encode(b"\x01blob").decode(),
                "KMSCipherTextHash": None,
            },
            "Error": "",
        }

    def test_a_failed_kms_call_answers_status_2_and_fails_the_session(self) -> None:
        channel = self.requested()
        channel.reject_data_key("AccessDenied", now=NOW)
        (response,) = stream(channel.messages_to_send())
        kms = json.loads(response.payload)["ProcessedClientActions"][1]
        assert (kms["ActionStatus"], kms["Error"]) == (
            2,
            "Failed to process action KMSEncryption: AccessDenied",
        )
        assert isinstance(channel.events()[-1], SessionFailed)

    def test_a_missing_key_id_is_refused(self) -> None:
        channel = client()
        bad = {"ActionType": "KMSEncryption", "ActionParameters": {}}
        channel.receive_message(
            frame(0, handshake_request(SHELL_TYPE, bad), payload_type=5), now=NOW
        )
        (response,) = stream(channel.messages_to_send())
        assert json.loads(response.payload)["ProcessedClientActions"][1]["ActionStatus"] == 2

    def test_a_data_key_nobody_asked_for_is_a_local_error(self) -> None:
        with pytest.raises(LocalProtocolError):
            client().provide_data_key(plaintext=bytes(64), ciphertext_blob=b"x", now=NOW)
        with pytest.raises(LocalProtocolError):
            client().reject_data_key("no", now=NOW)

    def test_a_challenge_without_kms_fails_the_session(self) -> None:
        channel = client()
        channel.receive_message(frame(0, handshake_request(SHELL_TYPE), payload_type=5), now=NOW)
        channel.receive_message(frame(1, b'{"Challenge":"AAAA"}', payload_type=8), now=NOW)
        assert isinstance(channel.events()[-1], SessionFailed)


class TestPayloads:
    def started(self) -> DataChannel:
        channel = client()
        channel.receive_message(frame(0, b"$ "), now=NOW)
        channel.events()
        channel.messages_to_send()
        return channel

    def test_flag_stderr_and_exit_code_become_events(self) -> None:
        channel = self.started()
        channel.receive_message(frame(1, b"\0\0\0\x03", payload_type=10), now=NOW)
        channel.receive_message(frame(2, b"oops", payload_type=11), now=NOW)
        channel.receive_message(frame(3, b"EXIT_CODE: 7", payload_type=12), now=NOW)
        assert channel.events() == [
            FlagReceived(flag=Flag.CONNECT_TO_PORT_ERROR),
            StderrReceived(data=b"oops"),
            ExitCodeReceived(exit_code=7),
        ]

    def test_a_malformed_payload_is_rejected_but_acked_and_passed(self) -> None:
        channel = self.started()
        channel.receive_message(frame(1, b"EXIT_CODE: ?", payload_type=12), now=NOW)
        channel.receive_message(frame(2, b"ok"), now=NOW)
        assert acked(channel.messages_to_send()) == [1, 2]
        events = channel.events()
        assert isinstance(events[0], MessageRejected)
        assert events[1] == DataReceived(data=b"ok")

    def test_an_unexpected_payload_type_is_rejected(self) -> None:
        channel = self.started()
        channel.receive_message(frame(1, b"{}", payload_type=3), now=NOW)
        (event,) = channel.events()
        assert isinstance(event, MessageRejected)
        assert "payload type 3" in event.reason

    @pytest.mark.parametrize("kind", ["input_stream_data", "agent_job", "agent_session_state"])
    def test_unexpected_message_types_are_rejected(self, kind: str) -> None:
        channel = client()
        channel.receive_message(frame(0, message_type=kind), now=NOW)
        (event,) = channel.events()
        assert isinstance(event, MessageRejected)
        assert channel.messages_to_send() == []

    def test_a_malformed_ack_is_rejected(self) -> None:
        channel = client()
        channel.receive_message(
            frame(0, b"nope", message_type="acknowledge", payload_type=0), now=NOW
        )
        (event,) = channel.events()
        assert isinstance(event, MessageRejected)

    def test_size_and_flag_are_sent_as_their_payloads(self) -> None:
        channel = self.started()
        channel.send_size(120, 40, now=NOW)
        channel.send_flag(Flag.TERMINATE_SESSION, now=NOW)
        size, flag = stream(channel.messages_to_send())
        assert (size.payload_type, size.payload) == (3, b'{"cols":120,"rows":40}')
        assert (flag.payload_type, flag.payload) == (10, b"\0\0\0\x02")

    def test_data_is_split_into_max_payload_size_pieces_and_copied(self) -> None:
        channel = client(max_payload_size=4)
        channel.receive_message(frame(0, b"$ "), now=NOW)
        channel.messages_to_send()
        buffer = bytearray(b"abcdefghij")
        channel.send_data(buffer, now=NOW)
        buffer[:] = b"xxxxxxxxxx"  # the caller reuses its buffer (§15, #116)
        assert [m.payload for m in stream(channel.messages_to_send())] == [b"abcd", b"efgh", b"ij"]

    def test_sending_nothing_queues_nothing(self) -> None:
        channel = self.started()
        channel.send_data(b"", now=NOW)
        assert channel.messages_to_send() == []


class TestChannelClosed:
    @pytest.mark.parametrize("header_length", [112, 116])
    def test_channel_closed_of_either_header_length_ends_the_channel(
        self, header_length: int
    ) -> None:
        channel = client()
        body = json.dumps(
            {"SessionId": SESSION, "Output": "Session terminated", "MessageType": "channel_closed"}
        )
        raw = build_frame(
            MessageType.CHANNEL_CLOSED,
            sequence_number=0,
            payload=body.encode(),
            created_date=1,
            message_id=bytes(16),
            header_length=header_length,
        )
        channel.receive_message(raw, now=NOW)
        assert channel.events() == [ChannelClosed(session_id=SESSION, output="Session terminated")]
        assert channel.closed
        assert channel.get_timer() is None
        channel.receive_message(frame(0), now=NOW)
        assert channel.events() == []
        with pytest.raises(LocalProtocolError, match="closed"):
            channel.send_data(b"x", now=NOW)

    def test_an_unreadable_channel_closed_still_closes(self) -> None:
        channel = client()
        channel.receive_message(
            frame(0, b"garbage", message_type="channel_closed", payload_type=0), now=NOW
        )
        assert channel.events() == [ChannelClosed(session_id=SESSION, output="")]

    def test_client_close_sends_nothing(self) -> None:
        channel = client()
        channel.close(now=NOW)
        assert channel.closed and channel.messages_to_send() == []


class TestMisuse:
    @pytest.mark.parametrize(
        "call",
        [
            lambda c: c.start(now=NOW),
            lambda c: c.send_stderr(b"x", now=NOW),
            lambda c: c.send_exit_code(1, now=NOW),
            lambda c: c.send_size(-1, 24, now=NOW),
            lambda c: c.send_flag(2**32, now=NOW),
        ],
    )
    def test_calls_that_do_not_fit_the_role_or_range(self, call: object) -> None:
        with pytest.raises(LocalProtocolError):
            call(client())  # type: ignore[operator]

    @pytest.mark.parametrize(
        "options", [{"max_payload_size": 0}, {"low_water": 10, "high_water": 5}, {"low_water": -1}]
    )
    def test_bad_constructor_options(self, options: dict[str, int]) -> None:
        with pytest.raises(LocalProtocolError):
            client(**options)
