"""Segfaults in native code (NULL pointer read through ctypes)."""
import ctypes


def run(request, context):
    context.progress(0.1, "about to crash")
    ctypes.string_at(0)  # SIGSEGV
