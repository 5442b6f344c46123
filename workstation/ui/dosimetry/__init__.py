"""The dosimetry workspace (place reserved)."""
