"""Terminal emulation: bytes to a screen model, keys to bytes."""
