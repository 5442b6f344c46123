"""Long work as plain functions with a small progress/cancel object (no threads, no Qt here)."""

from .progress import Cancelled, Progress

__all__ = ["Cancelled", "Progress"]
