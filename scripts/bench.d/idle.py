#!/usr/bin/python3
"""Idle keep-alive connections for scripts/bench.

usage: idle.py HOST PORT PATH N HOLD_SECONDS PID[,PID...]

Opens N connections to HOST:PORT (at most 200 connects in flight), sends one
keep-alive `GET PATH` on each and reads the whole answer (Content-Length), then
keeps every connection open and idle.  Prints one line:

  RESULT opened=N ok=N alive=N base_rss_kib=K rss_kib=K open_s=S

base_rss_kib: summed VmRSS of the PIDs (the proxy's processes) before the first
connect; rss_kib: the same once all are open and HOLD_SECONDS have passed;
alive: connections still open (no EOF from the server) at that time.
"""
import asyncio
import resource
import sys
import time


def rss_kib(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


async def one(host, port, req, sem, conns, failures):
    async with sem:
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError as e:
            failures.append(f"connect: {e}")
            return
        try:
            writer.write(req)
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
            status = int(head.split(b" ", 2)[1])
            length = None
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length is None:
                raise ValueError("answer without Content-Length")
            await asyncio.wait_for(reader.readexactly(length), 30)
            if status != 200:
                raise ValueError(f"status {status}")
            conns.append((reader, writer))
        except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.TimeoutError,
                asyncio.LimitOverrunError) as e:
            failures.append(f"request: {type(e).__name__}: {e}")
            writer.close()


async def main():
    host, port, path, n, hold, pids = sys.argv[1:7]
    n, hold = int(n), float(hold)
    pids = [int(p) for p in pids.split(",") if p]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 100), hard))
    req = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: bench-idle\r\n\r\n".encode()
    base = rss_kib(pids)
    sem = asyncio.Semaphore(200)
    conns, failures = [], []
    t0 = time.monotonic()
    await asyncio.gather(*(one(host, port, req, sem, conns, failures) for _ in range(n)))
    open_s = time.monotonic() - t0
    await asyncio.sleep(hold)
    rss = rss_kib(pids)
    alive = sum(1 for r, _ in conns if not r.at_eof())
    for f in sorted(set(failures))[:5]:
        print(f"idle.py: {failures.count(f)} x {f}", file=sys.stderr)
    print(f"RESULT opened={n} ok={len(conns)} alive={alive} base_rss_kib={base} "
          f"rss_kib={rss} open_s={open_s:.2f}", flush=True)
    for _, w in conns:
        w.close()


if __name__ == "__main__":
    asyncio.run(main())
