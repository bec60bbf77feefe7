"""JSON and binary payloads (protocol.md §4-§6): exact output, strict parsing of peer input."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ssm_tui.protocol.errors import LocalProtocolError, RemoteProtocolError
from ssm_tui.protocol.payloads import (
    Acknowledgement,
    ChannelClosedPayload,
    EncryptionChallenge,
    Flag,
    HandshakeComplete,
    HandshakeRequest,
    HandshakeResponse,
    OpenDataChannel,
    ProcessedClientAction,
    RequestedClientAction,
    TerminalSize,
    decode_exit_code,
    decode_flag,
    encode_exit_code,
    encode_flag,
)


class TestOpenDataChannel:
    def test_client_form_matches_the_live_capture(self) -> None:
        opening = OpenDataChannel(
            token_value="tok-1", client_id="c-1", request_id="r-1", client_version="1.2.0.0"
        )
        assert opening.to_json() == (
            b'{"MessageSchemaVersion":"1.0","RequestId":"r-1","TokenValue":"tok-1",'
            b'"ClientId":"c-1","ClientVersion":"1.2.0.0"}'
        )

    def test_agent_form_carries_the_instance_id_and_no_version(self) -> None:
        opening = OpenDataChannel(
            token_value="t", client_id="c", request_id="r", client_instance_id="i-1"
        )
        assert json.loads(opening.to_json()) == {
            "MessageSchemaVersion": "1.0",
            "RequestId": "r",
            "TokenValue": "t",
            "ClientInstanceId": "i-1",
            "ClientId": "c",
        }
        assert OpenDataChannel.from_json(opening.to_json()) == opening

    def test_client_version_is_optional_on_input(self) -> None:
        parsed = OpenDataChannel.from_json(b'{"TokenValue":"t"}')
        assert parsed.client_version is None
        assert parsed.client_id == ""


class TestAcknowledgement:
    def test_all_four_fields_round_trip(self) -> None:
        ack = Acknowledgement(message_type="output_stream_data", message_id="u", sequence_number=9)
        assert json.loads(ack.to_json()) == {
            "AcknowledgedMessageType": "output_stream_data",
            "AcknowledgedMessageId": "u",
            "AcknowledgedMessageSequenceNumber": 9,
            "IsSequentialMessage": True,
        }
        assert Acknowledgement.from_json(ack.to_json()) == ack

    def test_only_the_sequence_number_is_required(self) -> None:
        assert (
            Acknowledgement.from_json(b'{"AcknowledgedMessageSequenceNumber":3}').sequence_number
            == 3
        )

    @pytest.mark.parametrize(
        "raw",
        [
            b"not json",
            b"\xff\xfe",
            b"[1]",
            b"{}",
            b'{"AcknowledgedMessageSequenceNumber":"3"}',
            b'{"AcknowledgedMessageSequenceNumber":true}',
            b'{"AcknowledgedMessageSequenceNumber":null}',
            b"[" * 100_000,
        ],
    )
    def test_malformed_input_is_a_remote_error(self, raw: bytes) -> None:
        with pytest.raises(RemoteProtocolError):
            Acknowledgement.from_json(raw)


def test_channel_closed_round_trips_and_tolerates_missing_fields() -> None:
    closed = ChannelClosedPayload(
        message_id="m", created_date="d", destination_id="i-1", session_id="s", output="bye"
    )
    assert list(json.loads(closed.to_json())) == [
        "MessageId",
        "CreatedDate",
        "DestinationId",
        "SessionId",
        "MessageType",
        "SchemaVersion",
        "Output",
    ]
    assert ChannelClosedPayload.from_json(closed.to_json()) == closed
    assert ChannelClosedPayload.from_json(b'{"SessionId":"s"}').output == ""


class TestHandshakePayloads:
    def test_request_round_trips(self) -> None:
        request = HandshakeRequest(
            agent_version="3.3.0.0",
            requested_client_actions=(
                RequestedClientAction(
                    action_type="SessionType",
                    action_parameters={"SessionType": "Port", "Properties": {"portNumber": "22"}},
                ),
            ),
        )
        assert HandshakeRequest.from_json(request.to_json()) == request

    def test_response_matches_the_live_capture(self) -> None:
        response = HandshakeResponse(
            client_version="1.2.0.0",
            processed_client_actions=(
                ProcessedClientAction(action_type="SessionType", action_status=1),
            ),
        )
        assert response.to_json() == (
            b'{"ClientVersion":"1.2.0.0","ProcessedClientActions":[{"ActionType":"SessionType",'
            b'"ActionStatus":1,"ActionResult":null,"Error":""}],"Errors":null}'
        )
        assert HandshakeResponse.from_json(response.to_json()) == response

    def test_response_errors_are_listed(self) -> None:
        response = HandshakeResponse(client_version="v", errors=("boom",))
        assert json.loads(response.to_json())["Errors"] == ["boom"]
        assert HandshakeResponse.from_json(response.to_json()).errors == ("boom",)

    @pytest.mark.parametrize(
        ("cls", "raw"),
        [
            (HandshakeRequest, b'{"RequestedClientActions":[1]}'),
            (HandshakeRequest, b'{"RequestedClientActions":[{"ActionParameters":{}}]}'),
            (HandshakeRequest, b'{"RequestedClientActions":{}}'),
            (HandshakeResponse, b'{"ProcessedClientActions":[null]}'),
            (HandshakeResponse, b'{"ProcessedClientActions":[{"ActionType":"x"}]}'),
            (HandshakeResponse, b'{"Errors":[1]}'),
            (HandshakeComplete, b'{"HandshakeTimeToComplete":1.5}'),
            (EncryptionChallenge, b'{"Challenge":"***"}'),
            (EncryptionChallenge, b"{}"),
            (TerminalSize, b'{"cols":-1,"rows":2}'),
            (TerminalSize, b'{"cols":1}'),
        ],
    )
    def test_wrong_shapes_are_remote_errors(self, cls: Any, raw: bytes) -> None:
        with pytest.raises(RemoteProtocolError):
            cls.from_json(raw)

    def test_complete_and_challenge_round_trip(self) -> None:
        complete = HandshakeComplete(handshake_time_to_complete=5, customer_message="hi")
        assert HandshakeComplete.from_json(complete.to_json()) == complete
        challenge = EncryptionChallenge(challenge=b"\x00\xff" * 8)
        assert EncryptionChallenge.from_json(challenge.to_json()) == challenge


def test_size_is_cols_first() -> None:
    assert TerminalSize(cols=80, rows=24).to_json() == b'{"cols":80,"rows":24}'
    assert TerminalSize.from_json(b'{"rows":24,"cols":80}') == TerminalSize(cols=80, rows=24)


class TestFlags:
    def test_terminate_session_is_four_big_endian_bytes(self) -> None:
        assert encode_flag(Flag.TERMINATE_SESSION) == b"\0\0\0\x02"
        assert decode_flag(b"\0\0\0\x03") is Flag.CONNECT_TO_PORT_ERROR

    def test_unknown_codes_decode_as_plain_ints(self) -> None:
        assert decode_flag(b"\0\0\0\x09") == 9

    def test_wrong_sizes_are_refused(self) -> None:
        with pytest.raises(RemoteProtocolError):
            decode_flag(b"\0\x02")
        with pytest.raises(LocalProtocolError):
            encode_flag(-1)


class TestExitCode:
    @pytest.mark.parametrize(
        ("raw", "code"), [(b"EXIT_CODE: 0", 0), (b"EXIT_CODE: -1\n", -1), (b"EXIT_CODE:  42", 42)]
    )
    def test_parses(self, raw: bytes, code: int) -> None:
        assert decode_exit_code(raw) == code

    def test_encodes_like_the_agent(self) -> None:
        assert encode_exit_code(3) == b"EXIT_CODE: 3"

    @pytest.mark.parametrize(
        "raw",
        [b"3", b"EXIT_CODE: ", b"EXIT_CODE: 1_0", b"EXIT_CODE: x", b"EXIT_CODE: " + b"9" * 21],
    )
    def test_rejects_anything_else(self, raw: bytes) -> None:
        with pytest.raises(RemoteProtocolError):
            decode_exit_code(raw)
