"""Foundations every layer may use: error types and small records."""
