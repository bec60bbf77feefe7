"""The local fleet: AWS APIs, agents and instances emulated on loopback."""
