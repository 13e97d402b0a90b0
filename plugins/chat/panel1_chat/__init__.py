"""Live chat channel for Panel1 Helpdesk (a plugin; see plugin.py)."""
