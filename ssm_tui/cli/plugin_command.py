"""``ssm-tui-session-manager-plugin``: what ``aws ssm start-session`` runs, in Python.

The AWS CLI calls StartSession itself, then runs ``session-manager-plugin`` with the
response (protocol.md §13.1). Linked under that name, this command attaches to the
session it was given and runs it like ``ssm-tui shell`` / ``exec`` / ``forward`` /
``proxy``, chosen by the document name.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Awaitable, Callable, Sequence

from ssm_tui.aws.errors import AwsError
from ssm_tui.aws.nodes import Pair
from ssm_tui.aws.sessions_api import SessionApi
from ssm_tui.cli.errors import run_guarded
from ssm_tui.cli.exec_command import run_to_exit, stdio_exec
from ssm_tui.cli.forward_command import serve
from ssm_tui.cli.plugin_request import (
    INSTALLED_MESSAGE,
    PLUGIN_VERSION,
    PluginRequest,
    parse_request,
)
from ssm_tui.cli.proxy_command import bridge_stdio
from ssm_tui.cli.runtime import CliError, bulk_options, setup_logging
from ssm_tui.cli.shell_command import run_in_terminal, terminal_shell
from ssm_tui.sessions.base import Session
from ssm_tui.sessions.exec import EXEC_DOCUMENT
from ssm_tui.sessions.forward import PORT_DOCUMENT, REMOTE_HOST_DOCUMENT, ForwardError, PortForward
from ssm_tui.sessions.proxy import SSH_DOCUMENT, ProxySession

# botocore reads this for the SSM client only: ResumeSession/TerminateSession then go
# where the AWS CLI sent StartSession (argv's endpoint URL), KMS stays where it was.
SSM_ENDPOINT_ENV = "AWS_ENDPOINT_URL_SSM"

Runner = Callable[[SessionApi, PluginRequest], Awaitable[int]]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the plugin's command line (default: the process arguments); return the status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print(INSTALLED_MESSAGE)
        return 0
    if args == ["--version"]:
        print(PLUGIN_VERSION)
        return 0
    setup_logging()
    return run_guarded(lambda: _run(args))


def runner_for(document: str) -> Runner:
    """How to run a session of ``document`` (its short name); shells for anything unknown."""
    return _RUNNERS.get(document, _shell)


def _run(args: Sequence[str]) -> int:
    request = parse_request(args)
    if request.endpoint_url:
        os.environ[SSM_ENDPOINT_ENV] = request.endpoint_url
    print(f"\nStarting session with SessionId: {request.ticket.session_id}", flush=True)
    return asyncio.run(_attach(request))


async def _attach(request: PluginRequest) -> int:
    api = SessionApi(Pair(profile=request.profile, region=request.region))
    try:
        return await runner_for(request.document)(api, request)
    except (CliError, ForwardError):
        # We cannot run it: end the session now rather than leave it to the idle timeout.
        with contextlib.suppress(AwsError):
            await api.terminate_session(request.ticket.session_id)
        raise


async def _shell(api: SessionApi, request: PluginRequest) -> int:
    session = terminal_shell(
        api, request.target, document_name=request.document_name, parameters=request.parameters
    )
    session.attach(request.ticket)
    await run_in_terminal(session)
    await _say_goodbye(session)
    return 0  # as the plugin: a failed shell was reported on stderr, the status stays 0


async def _exec(api: SessionApi, request: PluginRequest) -> int:
    session = stdio_exec(api, request.target, request.parameter("command"))
    session.attach(request.ticket)
    status = await run_to_exit(session)
    await _say_goodbye(session)
    return status  # unlike the plugin, the command's exit code


async def _forward(api: SessionApi, request: PluginRequest) -> int:
    if request.parameter("localConnectionType") == "unix":
        raise CliError("forwarding to a local Unix socket is not supported")
    forward = PortForward(
        api,
        request.target,
        _port(request, "portNumber", "80"),
        local_port=_port(request, "localPortNumber", "0", lowest=0),
        host=request.parameter("host") or None,
        options=bulk_options(),
    )
    await forward.listen()
    forward.attach(request.ticket)
    port = forward.local_address[1]
    session_id = request.ticket.session_id
    await serve(
        forward, f"Port {port} opened for sessionId {session_id}.\nWaiting for connections..."
    )
    return 0


async def _proxy(api: SessionApi, request: PluginRequest) -> int:
    session = ProxySession(
        api, request.target, _port(request, "portNumber", "22"), options=bulk_options()
    )
    session.attach(request.ticket)
    await bridge_stdio(session)
    return 0


async def _say_goodbye(session: Session) -> None:
    """The plugin's last line after a session that ended normally (protocol.md §6.3)."""
    if (await session.wait()).ok:
        print(f"\n\nExiting session with sessionId: {session.session_id}.\n", flush=True)


def _port(request: PluginRequest, name: str, default: str, *, lowest: int = 1) -> int:
    text = request.parameter(name, default)
    if not text.isdigit() or not lowest <= int(text) <= 65535:
        raise CliError(f"{name} must be a port number, not {text!r}")
    return int(text)


_RUNNERS: dict[str, Runner] = {
    EXEC_DOCUMENT: _exec,
    PORT_DOCUMENT: _forward,
    REMOTE_HOST_DOCUMENT: _forward,
    SSH_DOCUMENT: _proxy,
}

if __name__ == "__main__":
    sys.exit(main())
