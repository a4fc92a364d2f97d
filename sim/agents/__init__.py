"""Agents of the commune capacity model."""
