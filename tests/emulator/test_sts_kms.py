"""STS GetCallerIdentity and KMS GenerateDataKey/Decrypt through boto3."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.emulator.conftest import Profile

CONTEXT = {"aws:ssm:SessionId": "alice-0123456789abcdef0", "aws:ssm:TargetId": "i-0abc"}


def test_caller_identity_names_the_profiles_account(profile: Profile) -> None:
    prod = profile("prod").client("sts").get_caller_identity()
    staging = profile("staging").client("sts").get_caller_identity()
    assert (prod["Account"], prod["Arn"]) == (
        "111122223333",
        "arn:aws:iam::111122223333:user/alice",
    )
    assert staging["Account"] == "444455556666"
    assert prod["UserId"].startswith("AIDA")


def test_data_key_round_trips_with_the_same_context(profile: Profile) -> None:
    kms = profile().client("kms")
    key = kms.generate_data_key(
        KeyId="alias/ssm-sessions", NumberOfBytes=64, EncryptionContext=CONTEXT
    )
    assert len(key["Plaintext"]) == 64
    assert key["KeyId"].startswith("arn:aws:kms:us-east-1:111122223333:key/")
    opened = kms.decrypt(CiphertextBlob=key["CiphertextBlob"], EncryptionContext=CONTEXT)
    assert opened["Plaintext"] == key["Plaintext"]
    assert opened["KeyId"] == key["KeyId"]
    by_arn = kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256")
    assert len(by_arn["Plaintext"]) == 32


@pytest.mark.parametrize(
    "context",
    [{**CONTEXT, "aws:ssm:TargetId": "i-0other"}, {}, {**CONTEXT, "extra": "x"}],
)
def test_a_different_context_cannot_decrypt(profile: Profile, context: dict[str, str]) -> None:
    kms = profile().client("kms")
    blob = kms.generate_data_key(
        KeyId="alias/ssm-sessions", NumberOfBytes=64, EncryptionContext=CONTEXT
    )["CiphertextBlob"]
    with pytest.raises(ClientError) as caught:
        kms.decrypt(CiphertextBlob=blob, EncryptionContext=context)
    assert caught.value.response["Error"]["Code"] == "InvalidCiphertextException"


def test_another_accounts_blob_cannot_be_decrypted(profile: Profile) -> None:
    blob = (
        profile("prod")
        .client("kms")
        .generate_data_key(KeyId="alias/ssm-sessions", NumberOfBytes=64)["CiphertextBlob"]
    )
    with pytest.raises(ClientError) as caught:
        profile("staging").client("kms").decrypt(CiphertextBlob=blob)
    assert caught.value.response["Error"]["Code"] == "InvalidCiphertextException"


def test_unknown_key_is_not_found(profile: Profile) -> None:
    with pytest.raises(ClientError) as caught:
        profile().client("kms").generate_data_key(KeyId="alias/nope", NumberOfBytes=64)
    assert caught.value.response["Error"]["Code"] == "NotFoundException"
    assert "alias/nope" in caught.value.response["Error"]["Message"]
