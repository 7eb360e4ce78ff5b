"""Backends beyond the reference interpreter (see `scoring.backend` for the contract)."""
