"""The Textual application: fleet browser, session tabs, forwarding panel."""
