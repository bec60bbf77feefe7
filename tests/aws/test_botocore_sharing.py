"""Sharing botocore's models, classes and loaders degrades to plain botocore when it can't."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import botocore.client
import pytest

from ssm_tui.aws.botocore_sharing import install_model_sharing, share_loader, sharing_into


@pytest.fixture(autouse=True)
def aws_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config").write_text("[default]\nregion = us-east-1\n")
    (tmp_path / "credentials").write_text(
        "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = secret\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)


class RenamedInternals(botocore.client.ClientCreator):
    """A ClientCreator as a future botocore might have it: the private hooks renamed."""

    def _load_service_model(self, service_name: str, api_version: Any = None) -> Any:
        raise AssertionError("never called: the sharing only wraps a class's own methods")


def test_the_installed_botocore_has_the_internals_we_wrap() -> None:
    assert install_model_sharing() is True


def test_a_botocore_without_the_internals_is_left_as_it_is() -> None:
    class Bare:
        pass

    assert install_model_sharing(Bare) is False
    assert install_model_sharing(Bare) is False  # asked again: still nothing wrapped
    assert "_load_service_model" not in vars(Bare)


def test_a_half_renamed_botocore_is_not_wrapped_at_all() -> None:
    before = dict(vars(RenamedInternals))
    assert install_model_sharing(RenamedInternals) is False
    assert dict(vars(RenamedInternals)) == before


def test_clients_built_in_one_sharing_block_share_model_and_class() -> None:
    session = boto3.Session()
    shared: dict[str, Any] = {}
    with sharing_into(shared):
        east = session.client("ec2", region_name="us-east-1")
    with sharing_into(shared):
        west = session.client("ec2", region_name="eu-west-1")
    assert type(east) is type(west)
    assert east.meta.service_model is west.meta.service_model
    assert {"model:ec2", "class:ec2"} <= shared.keys()


def test_clients_built_outside_a_block_are_botocores_own() -> None:
    session = boto3.Session()
    with sharing_into({}):
        pooled = session.client("ssm", region_name="us-east-1")
    plain = session.client("ssm", region_name="us-east-1")
    assert type(plain) is not type(pooled)
    assert plain.meta.service_model is not pooled.meta.service_model


def test_a_session_that_is_not_boto3s_keeps_its_own_loader() -> None:
    class NotBoto3:
        _session = object()

    assert share_loader(NotBoto3()) is False
    assert share_loader(object()) is False


def test_boto3_sessions_end_up_on_one_loader() -> None:
    first, second = boto3.Session(), boto3.Session()
    assert share_loader(first) and share_loader(second)
    loader = first._session.get_component("data_loader")
    assert second._session.get_component("data_loader") is loader
