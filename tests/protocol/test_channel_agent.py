"""The agent role of DataChannel (protocol.md §9.3, §14), alone and against the client role."""

from __future__ import annotations

import base64
import json
import os

import pytest

from ssm_tui.protocol.channel import DataChannel, Role
from ssm_tui.protocol.encryption import SessionCipher
from ssm_tui.protocol.errors import LocalProtocolError
from ssm_tui.protocol.events import (
    DataKeyDecryptionRequested,
    DataKeyRequested,
    DataReceived,
    ExitCodeReceived,
    FlagReceived,
    SessionFailed,
    SessionStarted,
    SizeReceived,
    StderrReceived,
)
from ssm_tui.protocol.message import MessageType, PayloadType, decode_message
from ssm_tui.protocol.payloads import Flag

from .link import START
from .peers import SESSION, TARGET, Pair, acked, agent, decoded, frame, running_agent, stream

NOW = START


def client_frame(seq: int, payload: bytes = b"ls\r", payload_type: int = 1) -> bytes:
    return frame(seq, payload, payload_type=payload_type, message_type="input_stream_data")


def response(status: int = 1, action: str = "SessionType", result: object = None) -> bytes:
    item = {"ActionType": action, "ActionStatus": status, "ActionResult": result, "Error": "no"}
    return json.dumps(
        {"ClientVersion": "1.2.677.0", "ProcessedClientActions": [item], "Errors": None}
    ).encode()


class TestStart:
    def test_a_plain_shell_starts_without_a_handshake(self) -> None:
        channel = agent()
        channel.start(now=NOW)
        assert channel.messages_to_send() == []
        assert channel.events() == [
            SessionStarted(session_type="Standard_Stream", agent_version="3.3.1142.0")
        ]

    @pytest.mark.parametrize("session_type", ["Port", "NonInteractiveCommands"])
    def test_port_and_commands_send_a_handshake_request_first(self, session_type: str) -> None:
        properties = {"portNumber": "80"} if session_type == "Port" else None
        channel = agent(session_type=session_type, properties=properties, agent_version="3.3.0.0")
        channel.start(now=NOW)
        (request,) = decoded(channel.messages_to_send())
        assert (request.message_type, request.sequence_number, request.flags) == (
            "output_stream_data",
            0,
            1,
        )
        assert request.payload_type == PayloadType.HANDSHAKE_REQUEST
        assert json.loads(request.payload) == {
            "AgentVersion": "3.3.0.0",
            "RequestedClientActions": [
                {
                    "ActionType": "SessionType",
                    "ActionParameters": {"SessionType": session_type, "Properties": properties},
                }
            ],
        }
        assert channel.events() == []

    def test_kms_is_requested_second_and_never_for_port_sessions(self) -> None:
        shell = agent(kms_key_id="alias/k")
        shell.start(now=NOW)
        (request,) = decoded(shell.messages_to_send())
        actions = json.loads(request.payload)["RequestedClientActions"]
        assert [a["ActionType"] for a in actions] == ["SessionType", "KMSEncryption"]
        assert actions[1]["ActionParameters"]["KMSKeyId"] == "alias/k"
        port = agent(session_type="Port", kms_key_id="alias/k")
        port.start(now=NOW)
        (request,) = decoded(port.messages_to_send())
        assert len(json.loads(request.payload)["RequestedClientActions"]) == 1

    def test_start_twice_is_a_local_error(self) -> None:
        channel = agent()
        channel.start(now=NOW)
        with pytest.raises(LocalProtocolError):
            channel.start(now=NOW)

    def test_input_before_start_is_left_unacked(self) -> None:
        channel = agent()
        channel.receive_message(client_frame(0), now=NOW)
        assert channel.messages_to_send() == []
        channel.receive_message(client_frame(1, b"b"), now=NOW)
        assert acked(channel.messages_to_send()) == [1]  # early: held and acked
        channel.start(now=NOW)
        channel.receive_message(client_frame(0, b"a"), now=NOW)
        data = [e.data for e in channel.events() if isinstance(e, DataReceived)]
        assert data == [b"a", b"b"]


class TestHandshake:
    def port(self) -> DataChannel:
        channel = agent(session_type="Port", properties={"portNumber": "22"})
        channel.start(now=NOW)
        channel.messages_to_send()
        return channel

    def test_the_response_is_acked_and_answered_with_handshake_complete(self) -> None:
        channel = self.port()
        channel.receive_message(client_frame(0, response(), payload_type=6), now=NOW + 0.25)
        ack, complete = decoded(channel.messages_to_send())
        assert json.loads(ack.payload)["AcknowledgedMessageSequenceNumber"] == 0
        assert complete.payload_type == PayloadType.HANDSHAKE_COMPLETE
        assert json.loads(complete.payload) == {
            "HandshakeTimeToComplete": 250_000_000,
            "CustomerMessage": "",
        }
        (started,) = channel.events()
        assert started == SessionStarted(
            session_type="Port",
            properties={"portNumber": "22"},
            agent_version="3.3.1142.0",
            client_version="1.2.677.0",
        )

    def test_client_data_during_the_handshake_is_acked_and_discarded(self) -> None:
        channel = self.port()
        channel.receive_message(client_frame(0, b"too soon"), now=NOW)
        assert acked(channel.messages_to_send()) == [0]
        assert channel.events() == []

    def test_a_refused_action_fails_the_session(self) -> None:
        channel = self.port()
        channel.receive_message(client_frame(0, response(status=2), payload_type=6), now=NOW)
        (failed,) = channel.events()
        assert isinstance(failed, SessionFailed)
        assert "refused SessionType" in failed.reason

    def test_an_unexpected_response_fails_the_session(self) -> None:
        channel = agent()
        channel.start(now=NOW)
        channel.events()
        channel.receive_message(client_frame(0, response(), payload_type=6), now=NOW)
        assert isinstance(channel.events()[-1], SessionFailed)

    def test_no_response_within_15_seconds_fails_the_session(self) -> None:
        channel = self.port()
        assert channel.get_timer() == pytest.approx(NOW + 0.2)  # the request's resend comes first
        channel.receive_message(ack_for_request(), now=NOW + 0.01)
        assert channel.get_timer() == pytest.approx(NOW + 15)
        channel.handle_timer(now=NOW + 14.9)
        assert channel.events() == []
        channel.handle_timer(now=NOW + 15)
        (failed,) = channel.events()
        assert isinstance(failed, SessionFailed)
        assert failed.reason.startswith("Handshake timed out.")
        assert channel.closed and channel.get_timer() is None
        channel.handle_timer(now=NOW + 16)

    def test_kms_needs_the_ciphertext_key(self) -> None:
        channel = agent(kms_key_id="alias/k")
        channel.start(now=NOW)
        channel.receive_message(client_frame(0, response(), payload_type=6), now=NOW)
        assert "did not answer the KMSEncryption" in channel.events()[-1].reason  # type: ignore[attr-defined]

    @pytest.mark.parametrize("result", [None, {"KMSCipherTextKey": 5}, {"KMSCipherTextKey": "@@"}])
    def test_kms_results_must_carry_a_base64_key(self, result: object) -> None:
        channel = agent(kms_key_id="alias/k")
        channel.start(now=NOW)
        channel.receive_message(
            client_frame(0, response(action="KMSEncryption", result=result), payload_type=6),
            now=NOW,
        )
        assert isinstance(channel.events()[-1], SessionFailed)

    def test_kms_asks_the_caller_to_decrypt_with_the_session_context(self) -> None:
        channel = agent(kms_key_id="alias/k")
        channel.start(now=NOW)
        result = {"KMSCipherTextKey": "YmxvYg==", "KMSCipherTextHash": None}
        channel.receive_message(
            client_frame(0, response(action="KMSEncryption", result=result), payload_type=6),
            now=NOW,
        )
        assert channel.events() == [
            DataKeyDecryptionRequested(
                ciphertext_blob=b"blob",
                encryption_context={"aws:ssm:SessionId": SESSION, "aws:ssm:TargetId": TARGET},
            )
        ]
        with pytest.raises(LocalProtocolError, match="64 bytes"):
            channel.provide_data_key(bytes(32), now=NOW)
        channel.provide_data_key(bytes(64), now=NOW + 1)
        challenge = stream(channel.messages_to_send())[-1]
        assert challenge.payload_type == PayloadType.ENC_CHALLENGE_REQUEST
        assert channel.get_timer() == pytest.approx(NOW + 1.2)

    def test_a_key_before_any_request_is_a_local_error(self) -> None:
        with pytest.raises(LocalProtocolError):
            agent().provide_data_key(bytes(64), now=NOW)

    def test_a_failed_decrypt_call_fails_the_session(self) -> None:
        channel = agent(kms_key_id="alias/k")
        channel.start(now=NOW)
        channel.reject_data_key("AccessDenied", now=NOW)
        assert channel.events()[-1] == SessionFailed(
            reason="KMS data key unavailable: AccessDenied"
        )

    def test_a_challenge_response_without_a_challenge_fails_the_session(self) -> None:
        channel = self.port()
        channel.receive_message(client_frame(0, b'{"Challenge":"AAAA"}', payload_type=9), now=NOW)
        assert isinstance(channel.events()[-1], SessionFailed)


def ack_for_request() -> bytes:
    body = (
        b'{"AcknowledgedMessageType":"output_stream_data","AcknowledgedMessageId":"x",'
        b'"AcknowledgedMessageSequenceNumber":0,"IsSequentialMessage":true}'
    )
    return frame(0, body, payload_type=0, message_type="acknowledge", flags=3)


class TestRunning:
    def test_size_flag_and_output_become_events(self) -> None:
        channel = running_agent()
        channel.receive_message(client_frame(0, b'{"cols":80,"rows":24}', payload_type=3), now=NOW)
        channel.receive_message(client_frame(1, b"\0\0\0\x01", payload_type=10), now=NOW)
        channel.receive_message(client_frame(2, b"ls\r"), now=NOW)
        assert channel.events() == [
            SizeReceived(cols=80, rows=24),
            FlagReceived(flag=Flag.DISCONNECT_TO_PORT),
            DataReceived(data=b"ls\r"),
        ]

    def test_the_agent_does_not_verify_digests(self) -> None:
        channel = running_agent()
        raw = bytearray(client_frame(0, b"ok"))
        raw[80:112] = bytes(32)
        channel.receive_message(bytes(raw), now=NOW)
        assert channel.events() == [DataReceived(data=b"ok")]

    def test_stderr_and_exit_code_are_sent_with_their_payload_types(self) -> None:
        channel = running_agent(max_payload_size=2)
        channel.send_stderr(b"err", now=NOW)
        channel.send_exit_code(3, now=NOW)
        sent = stream(channel.messages_to_send())
        assert [(m.payload_type, m.payload) for m in sent] == [
            (11, b"er"),
            (11, b"r"),
            (12, b"EXIT_CODE: 3"),
        ]
        assert [m.flags for m in sent] == [1, 0, 0]  # §14 step 2: SYN on Seq 0 only

    def test_client_only_calls_are_local_errors(self) -> None:
        with pytest.raises(LocalProtocolError):
            running_agent().send_size(80, 24, now=NOW)

    def test_close_queues_one_channel_closed_with_the_reason(self) -> None:
        channel = running_agent()
        channel.close(now=NOW, output="bye")
        channel.close(now=NOW, output="again")
        (raw,) = channel.messages_to_send()
        closed = decode_message(raw)
        assert (closed.message_type, closed.header_length, closed.sequence_number) == (
            MessageType.CHANNEL_CLOSED,
            116,
            0,
        )
        body = json.loads(closed.payload)
        assert body["SessionId"] == SESSION and body["DestinationId"] == TARGET
        assert (body["MessageType"], body["SchemaVersion"], body["Output"]) == (
            "channel_closed",
            1,
            "bye",
        )
        assert body["CreatedDate"] == "2023-11-14T22:13:20.000Z"
        assert channel.closed


class TestEndToEnd:
    def test_a_kms_shell_encrypts_every_stream_payload_both_ways(self) -> None:
        pair = Pair(kms_key_id="alias/k", session_type="NonInteractiveCommands")
        pair.client.send_data(b"typed", now=pair.clock.now)
        pair.agent.start(now=pair.clock.now)
        pair.exchange()
        assert pair.client.started and pair.agent.started
        started = [e for e in pair.client_events if isinstance(e, SessionStarted)]
        assert (
            started[0].encrypted
            and started[0].customer_message == "This session is encrypted using AWS KMS."
        )
        pair.agent.send_data(b"output", now=pair.clock.now)
        pair.agent.send_stderr(b"warning", now=pair.clock.now)
        pair.agent.send_exit_code(0, now=pair.clock.now)
        wire = pair.agent.messages_to_send()
        payloads = [m.payload for m in decoded(wire)]
        assert not any(b"output" in p or b"warning" in p or b"EXIT_CODE" in p for p in payloads)
        for raw in wire:
            pair.client.receive_message(raw, now=pair.clock.now)
        pair.exchange()
        assert [e for e in pair.agent_events if isinstance(e, DataReceived)] == [
            DataReceived(data=b"typed")
        ]
        assert pair.client_events[-3:] == [
            DataReceived(data=b"output"),
            StderrReceived(data=b"warning"),
            ExitCodeReceived(exit_code=0),
        ]

    @staticmethod
    def challenged() -> tuple[DataChannel, bytes]:
        """An agent waiting for the challenge answer, and the data key."""
        fresh = Pair(kms_key_id="alias/k")
        fresh.agent.start(now=NOW)
        for raw in fresh.agent.messages_to_send():
            fresh.client.receive_message(raw, now=NOW)
        key_event = fresh.client.events()[-1]
        assert isinstance(key_event, DataKeyRequested)
        plaintext, blob = fresh.kms.generate(key_event.encryption_context)
        fresh.client.provide_data_key(plaintext=plaintext, ciphertext_blob=blob, now=NOW)
        for raw in fresh.client.messages_to_send():
            fresh.agent.receive_message(raw, now=NOW)
        fresh.agent.provide_data_key(plaintext, now=NOW)
        fresh.agent.messages_to_send()
        return fresh.agent, plaintext

    @pytest.mark.parametrize("reason", ["does not match", "authentication"])
    def test_a_wrong_challenge_answer_fails_the_agent(self, reason: str) -> None:
        agent_channel, key = self.challenged()
        sealed = SessionCipher(key, Role.CLIENT).encrypt(os.urandom(64))
        if reason == "authentication":
            sealed = sealed[:-1] + bytes([sealed[-1] ^ 1])
        wrong = b'{"Challenge":"' + base64.b64encode(sealed) + b'"}'
        agent_channel.receive_message(client_frame(1, wrong, payload_type=9), now=NOW)
        failed = agent_channel.events()[-1]
        assert isinstance(failed, SessionFailed)
        assert reason in failed.reason

    def test_the_challenge_times_out_after_15_seconds(self) -> None:
        agent_channel, _ = self.challenged()
        agent_channel.handle_timer(now=NOW + 15)
        assert isinstance(agent_channel.events()[-1], SessionFailed)

    def test_challenge_messages_after_the_handshake_fail_either_side(self) -> None:
        pair = Pair(kms_key_id="alias/k")
        pair.agent.start(now=NOW)
        pair.exchange()
        pair.client.receive_message(frame(3, b'{"Challenge":"AAAA"}', payload_type=8), now=NOW)
        assert isinstance(pair.client.events()[-1], SessionFailed)
        pair.agent.receive_message(
            client_frame(2, b'{"Challenge":"AAAA"}', payload_type=9), now=NOW
        )
        assert isinstance(pair.agent.events()[-1], SessionFailed)

    def test_a_tampered_encrypted_output_fails_the_client_and_delivers_nothing(self) -> None:
        pair = Pair(kms_key_id="alias/k")
        pair.agent.start(now=pair.clock.now)
        pair.exchange()
        pair.agent.send_data(b"secret", now=pair.clock.now)
        (raw,) = pair.agent.messages_to_send()
        message = decode_message(raw)
        forged = bytearray(message.payload)
        forged[-1] ^= 1
        pair.client.receive_message(
            frame(message.sequence_number, bytes(forged)), now=pair.clock.now
        )
        events = pair.client.events()
        assert not any(isinstance(e, DataReceived) for e in events)
        assert isinstance(events[-1], SessionFailed)
        assert "authentication" in events[-1].reason
