"""The brain reading layout (place reserved)."""
