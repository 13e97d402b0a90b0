"""Sensitive-data redaction for Panel1 Helpdesk (a plugin; see plugin.py)."""
