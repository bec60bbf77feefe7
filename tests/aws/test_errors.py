"""Each botocore failure becomes one line saying what to do (real exception objects)."""

from __future__ import annotations

import pytest
from botocore import exceptions as bx

from ssm_tui.aws.errors import AwsError, CallContext, explain, to_aws_error

LIST = CallContext(profile="prod", region="eu-west-1", action="ssm:DescribeInstanceInformation")
START = CallContext(
    profile="prod", region="eu-west-1", action="ssm:StartSession", target="i-0123456789abcdef0"
)


def client_error(code: str, message: str = "", operation: str = "Op") -> bx.ClientError:
    return bx.ClientError({"Error": {"Code": code, "Message": message}}, operation)


@pytest.mark.parametrize(
    "error",
    [
        bx.UnauthorizedSSOTokenError(),
        bx.SSOTokenLoadError(error_msg="Token for https://x.awsapps.com/start does not exist"),
        bx.TokenRetrievalError(provider="sso", error_msg="Token has expired and refresh failed"),
    ],
)
def test_expired_sso_session_says_to_log_in_with_the_profile(error: Exception) -> None:
    assert explain(error, LIST).startswith(
        "SSO session expired: run `aws sso login --profile prod`"
    )


def test_sso_login_hint_without_a_profile_uses_aws_profile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    context = CallContext(profile=None, region="eu-west-1", action="ssm:X")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    assert "run `aws sso login`" in explain(bx.UnauthorizedSSOTokenError(), context)
    monkeypatch.setenv("AWS_PROFILE", "dev")
    assert "`aws sso login --profile dev`" in explain(bx.UnauthorizedSSOTokenError(), context)


def test_missing_credentials_name_the_profile() -> None:
    assert explain(bx.NoCredentialsError(), LIST).startswith("no credentials for profile prod (")


def test_unknown_profile_is_named() -> None:
    text = explain(bx.ProfileNotFound(profile="prod"), LIST)
    assert text.startswith("profile prod is not in the AWS config")


def test_credential_process_failure_keeps_its_reason() -> None:
    error = bx.CredentialRetrievalError(provider="custom-process", error_msg="vault is sealed")
    assert explain(error, LIST) == (
        "cannot get credentials for profile prod from custom-process: vault is sealed"
    )


@pytest.mark.parametrize("code", ["AccessDeniedException", "AccessDenied", "UnauthorizedOperation"])
def test_access_denied_names_the_missing_action(code: str) -> None:
    text = explain(client_error(code, "User: arn:aws:iam::1:user/x is not authorized"), LIST)
    assert text.startswith(
        "access denied: profile prod may not call ssm:DescribeInstanceInformation in eu-west-1"
    )


@pytest.mark.parametrize("code", ["ExpiredToken", "ExpiredTokenException", "RequestExpired"])
def test_expired_credentials_say_to_refresh(code: str) -> None:
    assert explain(client_error(code), LIST).startswith("credentials for profile prod have expired")


@pytest.mark.parametrize(
    "code", ["InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch"]
)
def test_rejected_credentials_are_reported_as_rejected(code: str) -> None:
    assert explain(client_error(code), LIST) == (
        f"credentials rejected for profile prod ({code}): check the access key and secret"
    )


def test_unreachable_endpoint_names_the_url() -> None:
    error = bx.EndpointConnectionError(endpoint_url="http://127.0.0.1:9/")
    assert explain(error, LIST) == "cannot reach http://127.0.0.1:9/"


def test_unreachable_endpoint_in_an_unknown_region_suggests_a_typo() -> None:
    context = CallContext(profile="prod", region="eu-wset-1", action="ssm:X")
    error = bx.EndpointConnectionError(endpoint_url="https://ssm.eu-wset-1.amazonaws.com/")
    assert explain(error, context) == (
        "cannot reach https://ssm.eu-wset-1.amazonaws.com/ (is 'eu-wset-1' a real region?)"
    )


def test_malformed_region_name_is_named() -> None:
    assert explain(bx.InvalidRegionError(region_name="bad/region"), LIST) == (
        "invalid region name 'bad/region'"
    )


def test_target_not_connected_says_the_agent_may_be_offline() -> None:
    assert explain(client_error("TargetNotConnected", "i-0123 is not connected."), START) == (
        "i-0123456789abcdef0 is not connected (agent offline?)"
    )


def test_unknown_code_keeps_the_service_message() -> None:
    assert explain(client_error("ValidationException", "Value too long"), START) == (
        "ssm:StartSession failed: ValidationException: Value too long"
    )


def test_unexpected_exception_names_its_type() -> None:
    assert explain(RuntimeError("boom"), START) == "ssm:StartSession failed: RuntimeError: boom"


def test_to_aws_error_keeps_the_code_for_callers_that_branch() -> None:
    error = to_aws_error(client_error("TargetNotConnected"), START)
    assert isinstance(error, AwsError)
    assert error.code == "TargetNotConnected"
    assert str(error) == "i-0123456789abcdef0 is not connected (agent offline?)"


def test_every_explanation_is_one_line() -> None:
    errors: list[Exception] = [
        bx.UnauthorizedSSOTokenError(),
        bx.NoCredentialsError(),
        bx.PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY"),
        bx.NoRegionError(),
        bx.ConnectTimeoutError(endpoint_url="https://ssm.eu-west-1.amazonaws.com/"),
        client_error("ThrottlingException", "Rate exceeded"),
    ]
    for error in errors:
        assert "\n" not in explain(error, LIST)
