"""Veiligheidsregie: integral safety policy for Dutch gemeenten."""

__version__ = "0.1.0"
