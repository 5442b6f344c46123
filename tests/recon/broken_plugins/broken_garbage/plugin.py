"""Writes garbage on every open pipe, as a misbehaving native library might."""
import os
import stat
import time


def run(request, context):
    for fd in range(3, 256):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                os.write(fd, b"\x00\xffthis is not JSON {\n")
        except OSError:
            pass
    time.sleep(30)
