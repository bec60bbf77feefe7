"""One object per live session: shell, exec, port forward, proxy."""
