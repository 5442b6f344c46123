"""Aborts the process (as a failed C assert would)."""
import os


def run(request, context):
    context.progress(0.1, "about to abort")
    os.abort()
