"""Hangs forever, ignores cooperative cancel and SIGTERM (keeps sending heartbeats)."""
import signal
import time


def run(request, context):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    context.progress(0.1, "hanging")
    while True:
        time.sleep(0.05)
