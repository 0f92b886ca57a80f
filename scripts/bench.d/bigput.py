#!/usr/bin/python3
"""Streaming PUT for scripts/bench: usage: bigput.py HOST PORT PATH BYTES

Sends PATH a PUT of BYTES zero bytes with Transfer-Encoding: chunked (1 MiB
chunks, no Expect), reads the answer and prints one line:

  RESULT status=201 seconds=S

seconds: from connect to the complete answer.  The body comes from one
preallocated buffer, so the client costs little CPU.
"""
import socket
import sys
import time

CHUNK = 1 << 20


def main():
    host, port, path, total = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    zeros = memoryview(bytes(CHUNK))
    t0 = time.monotonic()
    s = socket.create_connection((host, port), timeout=600)
    s.sendall(f"PUT {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: bench-bigput\r\n"
              "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n".encode())
    left = total
    try:
        while left > 0:
            n = min(left, CHUNK)
            s.sendall(b"%x\r\n" % n)
            s.sendall(zeros[:n])
            s.sendall(b"\r\n")
            left -= n
        s.sendall(b"0\r\n\r\n")
    except OSError as e:   # answered early and closed? read what it said
        print(f"bigput.py: sending failed with {left} bytes left: {e}", file=sys.stderr)
    answer = b""
    while b"\r\n\r\n" not in answer:
        try:
            data = s.recv(65536)
        except OSError:
            break
        if not data:
            break
        answer += data
    seconds = time.monotonic() - t0
    s.close()
    try:
        status = int(answer.split(b" ", 2)[1])
    except (IndexError, ValueError):
        print(f"bigput.py: no HTTP answer: {answer[:200]!r}", file=sys.stderr)
        status = 0
    print(f"RESULT status={status} seconds={seconds:.3f}")


if __name__ == "__main__":
    main()
