"""Segfaults in native code (NULL pointer read through ctypes)."""
import ctypes


def run(request, context):
    context.progress(0.1, "about to crash")
    print("crashing on purpose (NULL pointer read)", flush=True)  # a stray print: goes to the job log
    ctypes.string_at(0)  # SIGSEGV
