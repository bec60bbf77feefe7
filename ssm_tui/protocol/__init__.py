"""The SSM data-channel protocol, sans-IO: bytes in, events and bytes out, time passed in."""
