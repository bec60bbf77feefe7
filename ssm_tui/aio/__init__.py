"""Asyncio bindings for the sans-IO protocol core, shared by the client and the emulator."""
