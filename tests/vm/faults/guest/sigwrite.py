#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Write VALUE to PATH with exactly one write(2) (libc's, through ctypes, so
# Python's PEP 475 retry never hides an EINTR) and report how it ended, for
# measuring which signals end a memory block offline.
#   sigwrite.py [--alarm S] [--handle SIG]... [--block SIG]... [--ignore SIG]...
#               PATH VALUE
# Prints "started pid=P" before the write, then one line:
#   result=ok|EINTR|EBUSY|... secs=S pid=P handled=SIG,...
import ctypes
import errno
import os
import signal
import sys
import time

handled = []


def handler(signum, frame):
    handled.append(signal.Signals(signum).name)


def main(argv):
    alarm = 0.0
    args = []
    i = 1
    handle, block, ignore = [], [], []
    while i < len(argv):
        a = argv[i]
        if a in ("--alarm", "--handle", "--block", "--ignore"):
            v = argv[i + 1]
            i += 2
            if a == "--alarm":
                alarm = float(v)
                handle.append("ALRM")
            else:
                {"--handle": handle, "--block": block,
                 "--ignore": ignore}[a].append(v)
            continue
        args.append(a)
        i += 1
    path, value = args
    for s in handle:
        signal.signal(getattr(signal, "SIG" + s), handler)
    for s in ignore:
        signal.signal(getattr(signal, "SIG" + s), signal.SIG_IGN)
    if block:
        signal.pthread_sigmask(signal.SIG_BLOCK,
                               [getattr(signal, "SIG" + s) for s in block])
    libc = ctypes.CDLL(None, use_errno=True)
    data = value.encode()
    fd = os.open(path, os.O_WRONLY)
    print("started pid=%d" % os.getpid(), flush=True)
    if alarm:
        signal.setitimer(signal.ITIMER_REAL, alarm)
    t0 = time.monotonic()
    n = libc.write(fd, data, len(data))
    err = ctypes.get_errno()
    secs = time.monotonic() - t0
    res = "ok" if n == len(data) else errno.errorcode.get(err, str(err))
    time.sleep(0.01)  # let Python run the handlers of signals that came
    print("result=%s secs=%.3f pid=%d handled=%s" %
          (res, secs, os.getpid(), ",".join(handled) or "-"), flush=True)
    return 0


sys.exit(main(sys.argv))
