"""Allows ``python -m ssm_tui``."""

from ssm_tui.cli import main

raise SystemExit(main())
