#!/usr/bin/python3
"""Summary of a scripts/bench run: medians over the rounds, ratios, a markdown table.

usage: report.py RESULTS.tsv --targets "t1 t2 .." --peers "p1 p2 .." [--rounds N] [...]

RESULTS.tsv: header line, then "round scenario target metric value" lines as
written by scripts/bench.
"""
import argparse
import statistics
import sys
from collections import defaultdict

WRK = [("get1k", "GET 1 KiB, 64 conns"), ("get1m", "GET 1 MiB, 16 conns"),
       ("put1m", "PUT 1 MiB, 16 conns"),
       ("tls-get1m", "GET 1 MiB over TLS, 16 conns"), ("tls-put1m", "PUT 1 MiB over TLS, 16 conns")]
HIGHER_IS_BETTER = {"rps"}


def fmt(v, metric):
    if v is None:
        return "–"
    if metric == "rps":
        return f"{v:.0f}" if v >= 100 else f"{v:.1f}"
    if metric.endswith("_ms"):
        return f"{v:.2f}" if v < 100 else f"{v:.1f}"
    if metric in ("cpu_us", "user_us"):
        return f"{v:.1f}" if v < 100 else f"{v:.0f}"
    if metric.endswith("_s"):
        return f"{v:.2f}"
    return f"{v:.0f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_ratio(r):
    return "–" if r is None else f"{r:.2f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--targets", required=True)
    ap.add_argument("--peers", required=True)
    ap.add_argument("--rounds", default="?")
    ap.add_argument("--idle-rounds", default="?")
    ap.add_argument("--big-size", default="2G")
    ap.add_argument("--idle-conns", default="10000")
    ap.add_argument("--fanout-conns", default="16")
    ap.add_argument("--fanout-delay", default="0.2")
    ap.add_argument("--access-log", default="on")
    ap.add_argument("--java-opts", default="")
    a = ap.parse_args()
    targets = a.targets.split()
    peers = [p for p in a.peers.split() if p in targets]

    vals = defaultdict(list)   # (scenario, target, metric) -> [values in round order]
    with open(a.results) as f:
        next(f)
        for line in f:
            r, s, t, m, v = line.rstrip("\n").split("\t")
            vals[(s, t, m)].append(float(v))

    def med(s, t, m):
        v = vals.get((s, t, m))
        return statistics.median(v) if v else None

    # ---- every round's values, for the record
    print(f"Per-round values (medians below are over these {a.rounds} round(s)):")
    for (s, t, m), v in sorted(vals.items()):
        print(f"  {s:7} {t:10} {m:12} " + " ".join(fmt(x, m) for x in v))
    print()

    rows = []       # markdown rows
    verdicts = []   # (ok, text)

    def add(title, metric, label, target_rule=None):
        s = title[0]
        cells = [med(s, t, metric) for t in targets]
        au = med(s, "autosync", metric)
        direct = med(s, "direct", metric)
        pv = [med(s, p, metric) for p in peers]
        pv = [x for x in pv if x is not None]
        best = (max(pv) if metric in HIGHER_IS_BETTER else min(pv)) if pv else None
        r_direct, r_best = ratio(au, direct), ratio(au, best)
        verdict = ""
        if target_rule and r_best is not None:
            ok = r_best >= 1 if metric in HIGHER_IS_BETTER else r_best <= 1
            verdict = ("met" if ok else "**not met**") + f" ({target_rule})"
            verdicts.append((ok, f"{title[1]}: {label} autosync/best peer = {r_best:.2f} ({target_rule})"))
        elif target_rule and au is None and "autosync" in targets:
            verdict = "**failed**"
            verdicts.append((False, f"{title[1]}: {label}: no autosync result"))
        rows.append([title[1], label] + [fmt(c, metric) for c in cells]
                    + [fmt_ratio(r_direct), fmt_ratio(r_best), verdict])

    for s, title in WRK:
        if not any(k[0] == s for k in vals):
            continue
        add((s, title), "rps", "req/s", "≥ best peer")
        add((s, title), "p50_ms", "p50 ms")
        add((s, title), "p99_ms", "p99 ms", "≤ best peer")
        add((s, title), "cpu_us", "CPU µs/req")
        add((s, title), "user_us", "of which user")

    def add_limit(s, title, metric, label, limit):
        cells = [med(s, t, metric) for t in targets]
        au, direct = med(s, "autosync", metric), med(s, "direct", metric)
        pv = [x for x in (med(s, p, metric) for p in peers) if x is not None]
        best = min(pv) if pv else None
        verdict = ""
        if au is not None:
            ok = au <= limit
            verdict = ("met" if ok else "**not met**") + f" (≤ {limit} MiB)"
            verdicts.append((ok, f"{title}: autosync {label} = {au:.0f} (≤ {limit} MiB)"))
        rows.append([title, label] + [fmt(c, metric) for c in cells]
                    + [fmt_ratio(ratio(au, direct)), fmt_ratio(ratio(au, best)), verdict])

    if any(k[0] == "big" for k in vals):
        add(("big", f"{a.big_size} PUT, chunked"), "put_s", "wall s", "≤ best peer")
        add(("big", f"{a.big_size} GET"), "get_s", "wall s", "≤ best peer")
        add_limit("big", f"{a.big_size} PUT, chunked", "put_rss_mib", "peak RSS MiB", 256)
        add_limit("big", f"{a.big_size} GET", "get_rss_mib", "peak RSS MiB", 256)
    if any(k[0] == "idle" for k in vals):
        add_limit("idle", f"{a.idle_conns} idle keep-alive conns", "rss_mib", "RSS MiB", 256)

    delay_ms = float(a.fanout_delay) * 1000
    fan_rows = []
    if any(k[0] == "fanout" for k in vals):
        base = {m: med("fanout", "direct", m) for m in ("rps", "p50_ms", "p99_ms")}
        for label, title in (("slow1", f"fan-out container PUT, c +{delay_ms:.0f} ms"),
                             ("slow2", f"fan-out container PUT, b and c +{delay_ms:.0f} ms")):
            for m, ml in (("p50_ms", "p50 ms"), ("p99_ms", "p99 ms"), ("rps", "req/s")):
                au = med("fanout", label, m)
                cells = ["–"] * len(targets)
                if "direct" in targets:
                    cells[targets.index("direct")] = fmt(base[m], m)
                if "autosync" in targets:
                    cells[targets.index("autosync")] = fmt(au, m)
                r = ratio(au, base[m])
                verdict = ""
                if m == "p50_ms" and r is not None:
                    ok = r <= 1.25
                    verdict = ("met" if ok else "**not met**") + " (≤ 1.25 × slowest site)"
                    verdicts.append((ok, f"{title}: p50 = {au:.1f} ms, slowest site alone {base[m]:.1f} ms"))
                fan_rows.append([title + f", {a.fanout_conns} conns", ml] + cells
                                + [fmt_ratio(r), "–", verdict])

    print(f"## Results: medians of {a.rounds} round(s) ({a.idle_rounds} for the idle row)")
    print()
    print(f"Autosync JVM: `{a.java_opts}`; access logs {a.access_log}. "
          "autosync/direct and autosync/best peer: ratio of the medians "
          f"(best peer: the best of {', '.join(peers) or 'none'} for that row). "
          "RSS and CPU: summed over the target's processes (nginx: master + workers; "
          "CPU µs/req: user + system time of the target (direct: the origin) per request; *of which user*: its own code, the rest is the kernel working for it). "
          "Fan-out rows: *direct* is the slowest site alone (the same PUTs sent straight to it).")
    print()
    head = ["scenario", "metric"] + targets + ["autosync/direct", "autosync/best peer", "target"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---", "---"] + ["---:"] * (len(targets) + 2) + ["---"]) + "|")
    last = None
    for row in rows + fan_rows:
        shown = row[:]
        if row[0] == last:
            shown[0] = ""
        last = row[0]
        print("| " + " | ".join(shown) + " |")
    print()
    if verdicts:
        met = sum(1 for ok, _ in verdicts if ok)
        print(f"Targets met: {met} of {len(verdicts)}")
        for ok, text in verdicts:
            print(f"  {'met    ' if ok else 'NOT MET'}  {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
