package org.autosync.proxy.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock the test moves by hand (read from other threads too). */
public final class MovingClock extends Clock {
    private volatile Instant now = Instant.parse("2026-11-28T12:00:00Z");

    public void advance(Duration d) {
        now = now.plus(d);
    }

    /** Now in microseconds since the epoch. */
    public long micros() {
        Instant n = now;
        return n.getEpochSecond() * 1_000_000L + n.getNano() / 1000;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
