"""The SDK's version (read by the build backend too: keep it a plain literal)."""

__version__ = "0.1.0"
