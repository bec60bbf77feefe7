"""Binds protocol objects to websockets on asyncio."""
