"""How subcommands report failure: one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

#: Exit status for a failure the user can fix (bad target, credentials, region...).
EXIT_FAILURE = 1
#: Exit status after Ctrl-C, as a shell reports SIGINT.
EXIT_INTERRUPTED = 130
#: Exit status when the session itself failed, so there is no remote exit code (as ssh).
EXIT_SESSION_FAILED = 255


def print_error(message: str) -> None:
    """Write ``ssm-tui: <message>`` as a single line on stderr."""
    line = " ".join(message.split())  # one line, whatever the message held
    print(f"ssm-tui: {line}", file=sys.stderr, flush=True)


def print_warning(message: str) -> None:
    """Write ``ssm-tui: warning: <message>`` as a single line on stderr."""
    print_error(f"warning: {message}")


def run_guarded(body: Callable[[], int]) -> int:
    """Run ``body`` and turn anything it raises into one stderr line and an exit status."""
    try:
        return body()
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`ssm-tui list | head`): not an error, and stdout must not
        # be flushed again at exit or Python prints a second complaint.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILURE
    except Exception as error:
        text = str(error) or type(error).__name__
        # Our own errors (AwsError, TargetError...) carry a finished sentence; others get
        # their type so the line still means something.
        if not _is_own_error(error):
            text = f"{type(error).__name__}: {text}"
        print_error(text)
        return EXIT_FAILURE


def _is_own_error(error: Exception) -> bool:
    return type(error).__module__.startswith("ssm_tui.")
