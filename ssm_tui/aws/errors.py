"""Turning boto3/botocore failures into one line that says what went wrong and what to do."""

from __future__ import annotations

from dataclasses import dataclass

from botocore import exceptions as bx

from ssm_tui.aws.profiles import profile_label


class AwsError(Exception):
    """An AWS call failed; ``str(error)`` is one actionable line for the user."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code  # the AWS error code when there was one, for callers that branch

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True, kw_only=True)
class CallContext:
    """What was being attempted, so a failure can be described in the user's terms."""

    profile: str | None
    region: str
    action: str  # "ssm:StartSession": the IAM action the call needs
    target: str = ""  # instance id, session id or KMS key the call was about


_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"}
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
_REJECTED = {
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "AuthFailure",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "IncompleteSignature",
    "MissingAuthenticationToken",
}
_THROTTLED = {
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
}


def explain(error: BaseException, context: CallContext) -> str:
    """One line describing ``error`` (raised while doing ``context``) and what to do about it."""
    if isinstance(error, AwsError):
        return error.message
    if isinstance(error, bx.ClientError):
        return _explain_client_error(error, context)
    return _explain_botocore_error(error, context)


def to_aws_error(error: BaseException, context: CallContext) -> AwsError:
    """``error`` as an :class:`AwsError` carrying :func:`explain`'s message."""
    if isinstance(error, AwsError):
        return error
    code = (
        error.response.get("Error", {}).get("Code", "") if isinstance(error, bx.ClientError) else ""
    )
    return AwsError(explain(error, context), code=code)


def _sso_login(profile: str | None) -> str:
    label = profile_label(profile)
    return "aws sso login" if label == "default" else f"aws sso login --profile {label}"


def _explain_botocore_error(error: BaseException, ctx: CallContext) -> str:
    who = profile_label(ctx.profile)
    kwargs: dict[str, object] = getattr(error, "kwargs", {})
    if isinstance(error, bx.UnauthorizedSSOTokenError | bx.SSOTokenLoadError):
        return f"SSO session expired: run `{_sso_login(ctx.profile)}`"
    if isinstance(error, bx.TokenRetrievalError):
        return (
            f"SSO session expired: run `{_sso_login(ctx.profile)}` ({kwargs.get('error_msg', '')})"
        )
    if isinstance(error, bx.SSOError):
        return f"SSO sign-in failed for profile {who}: {error}; try `{_sso_login(ctx.profile)}`"
    if isinstance(error, bx.LoginError):
        return f"login session for profile {who} needs renewing: run `aws login --profile {who}`"
    if isinstance(error, bx.ProfileNotFound):
        return f"profile {who} is not in the AWS config (see `aws configure list-profiles`)"
    if isinstance(error, bx.NoCredentialsError):
        return (
            f"no credentials for profile {who} (run `aws configure` or `aws sso login`, "
            "or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)"
        )
    if isinstance(error, bx.PartialCredentialsError):
        return (
            f"incomplete credentials for profile {who}: {kwargs.get('cred_var', '?')} "
            f"missing in {kwargs.get('provider', '?')}"
        )
    if isinstance(error, bx.CredentialRetrievalError):
        return (
            f"cannot get credentials for profile {who} from {kwargs.get('provider', '?')}: "
            f"{kwargs.get('error_msg', '')}"
        )
    if isinstance(error, bx.NoRegionError):
        return f"no region for profile {who}: pass --region or set `region` in the AWS config"
    if isinstance(error, bx.InvalidRegionError):
        return f"invalid region name {kwargs.get('region_name', ctx.region)!r}"
    if isinstance(error, bx.ConnectTimeoutError | bx.ReadTimeoutError):
        return f"timed out talking to {kwargs.get('endpoint_url', ctx.region)}"
    if isinstance(error, bx.EndpointConnectionError | bx.ConnectionClosedError):
        url = kwargs.get("endpoint_url", "")
        hint = "" if _known_region(ctx.region) else f" (is {ctx.region!r} a real region?)"
        return f"cannot reach {url}{hint}"
    if isinstance(error, bx.HTTPClientError):
        return (
            f"cannot reach {kwargs.get('endpoint_url', ctx.region)}: {kwargs.get('error', error)}"
        )
    if isinstance(error, bx.BotoCoreError):
        return f"{ctx.action} failed: {error}"
    return f"{ctx.action} failed: {type(error).__name__}: {error}"


def _explain_client_error(error: bx.ClientError, ctx: CallContext) -> str:
    info = error.response.get("Error", {})
    code = info.get("Code", "")
    message = info.get("Message", "")
    who = profile_label(ctx.profile)
    if code in _DENIED:
        return f"access denied: profile {who} may not call {ctx.action} in {ctx.region} ({message})"
    if code in _EXPIRED:
        return (
            f"credentials for profile {who} have expired: refresh them "
            f"(e.g. `{_sso_login(ctx.profile)}`)"
        )
    if code in _REJECTED:
        return f"credentials rejected for profile {who} ({code}): check the access key and secret"
    if code in _THROTTLED:
        return f"throttled by AWS on {ctx.action}; try again in a moment"
    if code == "TargetNotConnected":
        return f"{ctx.target} is not connected (agent offline?)"
    if code in {"InvalidTarget", "InvalidInstanceId"}:
        return f"{ctx.target} is not a managed node in {who}/{ctx.region}"
    if code == "InvalidDocument":
        return f"session document not found in {ctx.region}: {message}"
    if code == "DoesNotExistException":
        return f"session {ctx.target} does not exist (ended or expired)"
    if code == "NotFoundException" and ctx.action.startswith("kms:"):
        return f"KMS key {ctx.target} not found in {who}/{ctx.region}"
    if code in {"DisabledException", "KMSInvalidStateException"}:
        return f"KMS key {ctx.target} cannot be used: {message}"
    return f"{ctx.action} failed: {code}: {message}" if message else f"{ctx.action} failed: {code}"


def _known_region(region: str) -> bool:
    """Whether botocore's endpoint data knows ``region`` in any partition."""
    from botocore.session import get_session  # loading endpoint data is only for errors

    session = get_session()
    for partition in session.get_available_partitions():
        if region in session.get_available_regions("ec2", partition_name=partition):
            return True
    return False
