"""AWS API errors as the emulator raises them: AWS's own code, message and HTTP status."""

from __future__ import annotations


class AwsError(Exception):
    """A failed AWS call; rendered in the calling protocol's error shape (JSON or XML)."""

    def __init__(self, code: str, message: str, *, status: int = 400, sender: bool = True) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        # Query-protocol errors say whether the caller (Sender) or AWS (Receiver) is at fault.
        self.sender = sender


def validation_error(message: str) -> AwsError:
    """The JSON services' catch-all for a request that breaks a constraint."""
    return AwsError("ValidationException", message)
