#!/usr/bin/python3
"""Times container PUTs, one after the other on kept-alive connections, and prints the median and p99.

usage: put-latency.py LABEL COUNT PREFIX TARGET [TARGET ...]
  TARGET  URL,USER,KEY[,HEADER=VALUE...]: the auth URL's site, and its tempauth user; each timed
          PUT goes to every TARGET in turn (two targets: "straight to a, then to b"), one
          container name per PUT, timed as a whole
Prints one line; exits 1 when a PUT does not answer 2xx.
"""
import http.client
import statistics
import sys
import time
import urllib.parse


def login(url, user, key):
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    c.request("GET", "/auth/v1.0", headers={"X-Auth-User": user, "X-Auth-Key": key})
    r = c.getresponse(); r.read()
    if r.status // 100 != 2:
        sys.exit("login at %s: %d" % (url, r.status))
    return c, urllib.parse.urlsplit(r.getheader("X-Storage-Url")).path, r.getheader("X-Auth-Token")


def main():
    label, count, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    targets = []
    for spec in sys.argv[4:]:
        url, user, key, *extra = spec.split(",")
        conn, account, token = login(url, user, key)
        headers = {"X-Auth-Token": token, "Content-Length": "0"}
        headers.update(h.split("=", 1) for h in extra)
        targets.append((conn, account, headers))
    took = []
    sites = set()
    for i in range(-10, count):  # 10 to warm up, not counted
        name = "%s-%05d" % (prefix, i + 10)
        t0 = time.perf_counter()
        for conn, account, headers in targets:
            conn.request("PUT", "%s/%s" % (account, name), headers=headers)
            r = conn.getresponse(); r.read()
            if r.status // 100 != 2:
                sys.exit("%s: PUT %s answered %d %s" % (label, name, r.status, r.getheader("X-Autosync-Sites")))
            if r.getheader("X-Autosync-Sites"):
                sites.add(r.getheader("X-Autosync-Sites"))
        if i >= 0:
            took.append((time.perf_counter() - t0) * 1000)
    took.sort()
    p99 = took[min(len(took) - 1, int(round(len(took) * 0.99)) - 1)]
    print("%-44s n=%d  median %6.1f ms  p99 %6.1f ms  %s" % (label, len(took), statistics.median(took), p99,
                                                             " | ".join(sorted(sites))))


if __name__ == "__main__":
    main()
