import os, socket, sys, time
mode = sys.argv[1]
if mode == "sleep":
    while True:
        time.sleep(0.004)
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
if os.fork() == 0:
    a.close()
    while True:
        if not b.recv(64):
            os._exit(0)
b.close()
while True:
    a.send(b"x" * 12)
    time.sleep(0.004)
