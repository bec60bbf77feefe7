"""ssm-tui: a terminal workspace for AWS Systems Manager Session Manager."""

__version__ = "0.1.0"
