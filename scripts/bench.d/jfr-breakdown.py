#!/usr/bin/env python3
"""Where Autosync's Java time goes, from a JFR recording of a benchmark run.

usage: jfr-breakdown.py RECORDING.jfr [--top N]

Reads the recording's execution samples (through the JDK's `jfr print`) and charges each one
to a component, judged from the innermost frames: the access log, the metrics, the buffer
pool, socket calls, the four HTTP head codecs (request decode and encode, response decode and
encode), the exchange's own logic, or Netty's pipeline and event loop. Shared machinery
(header maps, codec base classes) is charged to the nearest caller that owns it, so that
"response head: decode" includes the header map the decoder fills. Prints each component's
share of the samples; --top N also lists the N innermost frames most often seen in the
largest component.

Only Java frames are sampled: time in the kernel (socket reads and writes) is not in the
recording. Compare user and system CPU time (scripts/bench prints both) to weigh the two.
"""
import argparse
import collections
import re
import shutil
import subprocess
import sys

# First match wins, per frame, innermost frame first.
LEAF = [
    ("access log", r"AccessLog\.|AccessLineEncoder|LoopBatchingConsoleAppender|ch\.qos\.logback|org\.slf4j"),
    ("metrics", r"ProxyMetrics|io\.micrometer|ThreadCounters"),
    ("buffer pool: allocate and free",
     r"PooledByteBufAllocator|PoolArena|PoolThreadCache|PooledByteBuf\.|PoolChunk|PooledUnsafeDirect"
     r"|AbstractReferenceCountedByteBuf\.release|ReferenceCountUtil\.release|ReferenceCountUpdater"
     r"|AbstractByteBufAllocator"),
    ("socket calls (JNI)", r"\.Native\.|unix\.FileDescriptor\.|LinuxSocket|unix\.Socket\.|IovArray"),
    (None, r"io\.netty\.handler\.codec\.|io\.netty\.util\.AsciiString|HashingStrategy"
           r"|PlatformDependent.*hashCode|ByteBufUtil|AbstractByteBuf\.(setCharSequence|writeCharSequence|forEachByte)"
           r"|AppendableCharSequence"),
]
OWNERS = [
    ("request head: decode (from the client)", r"StrictHttpServerCodec\$RequestDecoder|StrictHttpServerCodec\$HeadScanner"),
    ("response head: decode (from upstream)", r"HttpClientCodec\$Decoder"),
    ("request head: encode (to upstream)", r"HttpClientCodec\$Encoder"),
    ("response head: encode (to the client)", r"StrictHttpServerCodec\$ResponseEncoder|HttpResponseEncoder"),
    ("exchange logic (routing, headers, state)", r"org\.autosync\."),
]
NETTY = "Netty pipeline, promises, event loop"
OTHER = "other (JDK and JVM code)"


def owner(frames):
    """The component that owns shared machinery: the nearest caller that is a codec or ours."""
    for j, f in enumerate(frames):
        for name, pat in LEAF[:2]:  # header lookups made for the access log or the metrics are theirs
            if re.search(pat, f):
                return name
        if "HttpObjectEncoder" in f:
            # both encoders inherit it; the client codec's own encode() is a few frames out
            near = frames[j:j + 12]
            return OWNERS[2][0] if any("HttpClientCodec$Encoder" in x for x in near) else OWNERS[3][0]
        for name, pat in OWNERS:
            if re.search(pat, f):
                return name
    return NETTY


def classify(frames):
    for i, f in enumerate(frames):
        for name, pat in LEAF:
            if re.search(pat, f):
                return (name or owner(frames[i:])), f
        if "HttpObjectEncoder" in f or any(re.search(p, f) for _, p in OWNERS):
            return owner(frames[i:]), f
        if f.startswith("io.netty."):
            return NETTY, f
    return OTHER, frames[0] if frames else "?"


def samples(recording):
    jfr = shutil.which("jfr")
    if not jfr:
        sys.exit("jfr-breakdown: the JDK's jfr tool is not on PATH")
    out = subprocess.run([jfr, "print", "--events", "jdk.ExecutionSample", "--stack-depth", "96", recording],
                         check=True, capture_output=True, text=True).stdout
    for event in out.split("jdk.ExecutionSample")[1:]:
        frames = re.findall(r"^\s+([\w.$<>/]+)\(", event, re.M)
        if frames:
            yield frames


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("recording")
    ap.add_argument("--top", type=int, default=0)
    a = ap.parse_args()
    shares = collections.Counter()
    leaves = collections.defaultdict(collections.Counter)
    n = 0
    for frames in samples(a.recording):
        n += 1
        comp, leaf = classify(frames)
        shares[comp] += 1
        leaves[comp][leaf] += 1
    if n == 0:
        sys.exit("jfr-breakdown: no execution samples in " + a.recording)
    print(f"{n} execution samples")
    for comp, c in shares.most_common():
        print(f"{100 * c / n:5.1f} %  {comp}")
    if a.top:
        biggest = shares.most_common(1)[0][0]
        print(f"\ninnermost frames in '{biggest}' (share of all samples):")
        for f, c in leaves[biggest].most_common(a.top):
            print(f"{100 * c / n:5.1f} %  {f}")


if __name__ == "__main__":
    main()
