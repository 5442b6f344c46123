"""Settings and per-user locations (row 2)."""

from .paths import data_dir

__all__ = ["data_dir"]
