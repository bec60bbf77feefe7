"""The KMS session cipher (protocol.md §8): key split, nonce rules, authenticated failure."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ssm_tui.protocol.encryption import SessionCipher
from ssm_tui.protocol.errors import LocalProtocolError, RemoteProtocolError
from ssm_tui.protocol.message import PayloadType
from ssm_tui.protocol.role import Role

KEY = bytes(range(64))


def test_each_direction_uses_its_half_of_the_data_key() -> None:
    client, agent = SessionCipher(KEY, Role.CLIENT), SessionCipher(KEY, Role.AGENT)
    up = client.encrypt(b"keys")
    assert AESGCM(KEY[32:]).decrypt(up[:12], up[12:], None) == b"keys"
    assert agent.decrypt(up) == b"keys"
    down = agent.encrypt(b"screen")
    assert AESGCM(KEY[:32]).decrypt(down[:12], down[12:], None) == b"screen"
    assert client.decrypt(down) == b"screen"


def test_wire_form_is_nonce_ciphertext_tag() -> None:
    sealed = SessionCipher(KEY, Role.CLIENT).encrypt(b"abc")
    assert len(sealed) == 12 + 3 + 16


def test_agent_nonces_count_up_little_endian_from_a_random_start() -> None:
    start = (2**32 - 1).to_bytes(12, "little")
    agent = SessionCipher(KEY, Role.AGENT, random=lambda n: start)
    first, second = agent.encrypt(b"a")[:12], agent.encrypt(b"b")[:12]
    assert first == start
    assert second == (2**32).to_bytes(12, "little")  # carries into the second word


def test_agent_nonce_counter_wraps_at_96_bits() -> None:
    agent = SessionCipher(KEY, Role.AGENT, random=lambda n: b"\xff" * n)
    agent.encrypt(b"a")
    assert agent.encrypt(b"b")[:12] == bytes(12)


def test_client_nonces_are_random() -> None:
    client = SessionCipher(KEY, Role.CLIENT)
    assert client.encrypt(b"a")[:12] != client.encrypt(b"a")[:12]


def test_the_encryption_matrix_follows_section_4() -> None:
    client, agent = SessionCipher(KEY, Role.CLIENT), SessionCipher(KEY, Role.AGENT)
    assert client.encrypts == {PayloadType.OUTPUT}
    assert (
        client.decrypts
        == agent.encrypts
        == {PayloadType.OUTPUT, PayloadType.STDERR, PayloadType.EXIT_CODE}
    )
    assert agent.decrypts == {PayloadType.OUTPUT}


@pytest.mark.parametrize(
    "mangle",
    [
        lambda b: b[:-1] + bytes([b[-1] ^ 1]),  # tag
        lambda b: b[:12] + bytes([b[12] ^ 1]) + b[13:],  # ciphertext
        lambda b: b[:20],  # truncated
        lambda b: b[:27],  # shorter than nonce and tag
    ],
)
def test_a_tampered_payload_is_a_remote_error(mangle: object) -> None:
    sealed = SessionCipher(KEY, Role.AGENT).encrypt(b"secret")
    with pytest.raises(RemoteProtocolError):
        SessionCipher(KEY, Role.CLIENT).decrypt(mangle(sealed))  # type: ignore[operator]


def test_a_wrong_key_is_a_remote_error() -> None:
    sealed = SessionCipher(os.urandom(64), Role.AGENT).encrypt(b"secret")
    with pytest.raises(RemoteProtocolError, match="authentication"):
        SessionCipher(KEY, Role.CLIENT).decrypt(sealed)


def test_a_data_key_of_the_wrong_size_is_a_local_error() -> None:
    with pytest.raises(LocalProtocolError):
        SessionCipher(bytes(32), Role.CLIENT)
