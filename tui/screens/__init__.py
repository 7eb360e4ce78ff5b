"""Screens of the reviewer UI: runs, a run's ranking, a subject, compare, audit."""
