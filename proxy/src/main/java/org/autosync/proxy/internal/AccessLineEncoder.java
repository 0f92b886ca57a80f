package org.autosync.proxy.internal;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * Encodes an access-log event as {@code <time> ACCESS <message>\n}, the time as
 * {@code yyyy-MM-dd'T'HH:mm:ss.SSSXXX} in the default zone: the same bytes as a
 * PatternLayoutEncoder with {@code %d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} ACCESS %msg%n}, made without
 * a layout's string builders and converters. The date and zone are formatted once per second;
 * an ASCII message (the usual line) is copied straight into the output.
 */
public final class AccessLineEncoder extends EncoderBase<ILoggingEvent> {
    private static final byte[] LABEL = " ACCESS ".getBytes(StandardCharsets.US_ASCII);
    private static final DateTimeFormatter TO_SECOND = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.");
    private static final DateTimeFormatter ZONE = DateTimeFormatter.ofPattern("XXX");

    /** One second's text: the date and time up to the dot, and the zone offset. */
    private record Second(long epochSecond, byte[] prefix, byte[] zone) {
    }

    private final ZoneId zoneId = ZoneId.systemDefault();
    private volatile Second second = new Second(Long.MIN_VALUE, new byte[0], new byte[0]);

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }

    @Override
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): exact for ASCII, no copy of its own
    public byte[] encode(ILoggingEvent event) {
        long millis = event.getTimeStamp();
        long epochSecond = Math.floorDiv(millis, 1000L);
        Second s = second;
        if (s.epochSecond != epochSecond) {
            s = format(epochSecond);
            second = s;
        }
        String msg = event.getFormattedMessage();
        byte[] utf8 = isAscii(msg) ? null : msg.getBytes(StandardCharsets.UTF_8);
        int msgLength = utf8 == null ? msg.length() : utf8.length;
        byte[] out = new byte[s.prefix.length + 3 + s.zone.length + LABEL.length + msgLength + 1];
        int i = put(out, 0, s.prefix);
        int ms = (int) Math.floorMod(millis, 1000L);
        out[i++] = (byte) ('0' + ms / 100);
        out[i++] = (byte) ('0' + ms / 10 % 10);
        out[i++] = (byte) ('0' + ms % 10);
        i = put(out, i, s.zone);
        i = put(out, i, LABEL);
        if (utf8 == null) {
            msg.getBytes(0, msgLength, out, i);
        } else {
            System.arraycopy(utf8, 0, out, i, msgLength);
        }
        out[out.length - 1] = '\n';
        return out;
    }

    private Second format(long epochSecond) {
        var t = Instant.ofEpochSecond(epochSecond).atZone(zoneId);
        return new Second(epochSecond, TO_SECOND.format(t).getBytes(StandardCharsets.US_ASCII),
                ZONE.format(t).getBytes(StandardCharsets.US_ASCII));
    }

    private static int put(byte[] out, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, out, at, bytes.length);
        return at + bytes.length;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
