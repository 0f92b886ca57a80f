#!/usr/bin/python3
"""Creates or deletes many containers straight at one Swift site, as its reseller admin.

usage: containers.py put|delete|delete-some SWIFT_URL ACCOUNT PREFIX COUNT [EVERY]
  put          PUT PREFIX-00000 .. PREFIX-(COUNT-1)
  delete       DELETE them
  delete-some  DELETE every EVERY-th of them (the ones made to differ)
Prints how many got which status; exits 1 if any failed.
"""
import collections
import http.client
import sys
import threading
import urllib.parse

def main():
    op, url, account, prefix, count = sys.argv[1:6]
    every = int(sys.argv[6]) if len(sys.argv) > 6 else 1
    count = int(count)
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    c.request("GET", "/auth/v1.0", headers={"X-Auth-User": "admin:admin", "X-Auth-Key": "admin"})
    r = c.getresponse(); r.read()
    token = r.getheader("X-Auth-Token")
    names = ["%s-%05d" % (prefix, i) for i in range(count) if op != "delete-some" or i % every == 0]
    method = "PUT" if op == "put" else "DELETE"
    statuses = collections.Counter()
    lock = threading.Lock()
    todo = iter(names)

    def worker():
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        while True:
            with lock:
                name = next(todo, None)
            if name is None:
                return
            conn.request(method, "/v1/%s/%s" % (account, name), headers={"X-Auth-Token": token,
                                                                         "Content-Length": "0"})
            resp = conn.getresponse(); resp.read()
            with lock:
                statuses[resp.status] += 1

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("%s %d containers at %s: %s" % (method, len(names), url, dict(statuses)))
    bad = sum(n for s, n in statuses.items() if s >= 300 and not (method == "DELETE" and s == 404))
    sys.exit(1 if bad else 0)

main()
