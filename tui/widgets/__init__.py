"""Widgets of the reviewer UI."""
