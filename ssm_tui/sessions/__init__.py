"""One object per live session: shell, exec, port forward, proxy.

Each session owns its DataChannel and its websocket (``transport``), so any number run
side by side on one event loop. The shapes the app uses:

- ``ShellSession(api, instance_id, on_output=view.feed, size=(cols, rows), on_state=...)``:
  ``await start()``, ``send_input(bytes)`` (held until the session is attached),
  ``resize(cols, rows)``, ``await terminate()``, ``await wait() -> SessionEnd``.
- ``ExecSession(api, instance_id, command, on_stdout=..., on_stderr=...)``:
  ``wait()`` gives ``SessionEnd.exit_code``.
- ``PortForward(api, instance_id, remote_port, local_port=0, bind=..., host=None,
  on_change=...)``: ``start()`` binds first (``ForwardError`` on a busy port), then
  ``stats`` (connections open/total, bytes each way), ``status``, ``mode`` (a
  ``ForwardMode``) and ``description``.
- ``ProxySession(api, instance_id, port)``: ``bridge(reader, writer)`` for ProxyCommand.
"""

from ssm_tui.transport.state import CONNECTING, ConnectionState, Phase, StateObserver, ended

# What a session's websocket is doing is part of what a session is: callers above this
# layer (the app) read it from here and never import the transport.
__all__ = ["CONNECTING", "ConnectionState", "Phase", "StateObserver", "ended"]
