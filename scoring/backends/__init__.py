"""Backends: what executes a compiled plan (the `scoring.backend.Backend` protocol)."""
