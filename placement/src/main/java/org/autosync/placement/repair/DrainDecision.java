package org.autosync.placement.repair;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.autosync.placement.repair.CopyState.Presence;

/**
 * Decides the next step of a container delete that waits for sync to drain the copies (a
 * {@link RepairOp#CONTAINER_DRAIN} record). Autosync cannot tell objects another site already
 * deleted (the delete not synced yet) from objects written there and not synced here, and Swift
 * stops syncing a deleted container, so every copy is kept until all read empty on two checks
 * at least a sync pass apart; an object newer than the delete, or copies still full at the
 * deadline, end the delete: everything is kept and reported. A pure function.
 */
public final class DrainDecision {
    private DrainDecision() {
    }

    public enum Step {
        /** A copy could not be read. */
        RETRY,
        /** Some copy still holds objects: sync is draining it. */
        WAIT,
        /** Every copy reads empty for the first time: check again a sync pass later. */
        EMPTY_ONCE,
        /** Every copy read empty twice, a sync pass apart: delete them all. */
        DELETE_ALL,
        /** No copy is left. */
        DONE,
        /** Abandoned: kept as it is and reported. */
        CONFLICT
    }

    /** The step, why, and whether every copy read empty this time (the two-check clock runs on). */
    public record Verdict(Step step, String reason, boolean emptyNow) {
        public Verdict {
            Objects.requireNonNull(step, "step");
            Objects.requireNonNull(reason, "reason");
        }

        Verdict(Step step, String reason) {
            this(step, reason, false);
        }
    }

    /**
     * @param drain             the drain record (its stamp is the delete's time)
     * @param copies            each placement site's copy, read now (site name -> state)
     * @param newestObject      for copies that hold objects, the newest object's timestamp in
     *                          microseconds (absent: not listed)
     * @param nowMicros         the time now
     * @param emptySinceMicros  when every copy was first seen empty, with none full since; null if not
     * @param syncPass          Swift's container-sync interval: how long sync may still be under way
     * @param deadline          how long after the delete the copies may still hold objects
     */
    public static Verdict decide(RepairRecord drain, Map<String, CopyState> copies, Map<String, Long> newestObject,
                                 long nowMicros, Long emptySinceMicros, Duration syncPass, Duration deadline) {
        return decide(drain, copies, newestObject, nowMicros, emptySinceMicros, syncPass, deadline, List.of());
    }

    /**
     * As above; {@code changesOnTheWay}: the sites that hold a change of the container still to
     * reach the drain's site (a client's PUT or POST there whose leg did not arrive), or cannot
     * say. A change a client got its 2xx for after the delete keeps the container, as on a
     * single Swift: nothing is deleted while one is on its way.
     */
    public static Verdict decide(RepairRecord drain, Map<String, CopyState> copies, Map<String, Long> newestObject,
                                 long nowMicros, Long emptySinceMicros, Duration syncPass, Duration deadline,
                                 List<String> changesOnTheWay) {
        Objects.requireNonNull(changesOnTheWay, "changesOnTheWay");
        Objects.requireNonNull(drain, "drain");
        Objects.requireNonNull(copies, "copies");
        Objects.requireNonNull(newestObject, "newestObject");
        if (drain.op() != RepairOp.CONTAINER_DRAIN) {
            throw new IllegalArgumentException("drain: not a drain record but " + drain.op());
        }
        List<String> unreadable = new ArrayList<>();
        List<String> full = new ArrayList<>();
        boolean anyLeft = false;
        for (Map.Entry<String, CopyState> e : copies.entrySet()) {
            CopyState c = e.getValue();
            if (c.presence() == Presence.UNKNOWN) {
                unreadable.add(e.getKey() + " (" + c.detail() + ")");
            } else if (c.presence() == Presence.PRESENT) {
                anyLeft = true;
                if (c.objectCount() > 0) {
                    full.add(e.getKey() + " (" + c.objectCount() + (c.objectCount() == 1 ? " object)" : " objects)"));
                }
            }
        }
        for (Map.Entry<String, Long> e : newestObject.entrySet()) {
            if (e.getValue() > drain.stampMicros()) {
                return new Verdict(Step.CONFLICT, "an object was written at " + e.getKey()
                        + " after the delete; the delete is abandoned and every copy kept");
            }
        }
        if (!unreadable.isEmpty()) {
            return new Verdict(Step.RETRY, "cannot read " + String.join(", ", unreadable));
        }
        if (!anyLeft) {
            return new Verdict(Step.DONE, "no copy is left");
        }
        boolean pastDeadline = nowMicros - drain.stampMicros() > deadline.toNanos() / 1000;
        if (!full.isEmpty()) {
            if (pastDeadline) {
                return new Verdict(Step.CONFLICT, "still not empty " + deadline + " after the delete: "
                        + String.join(", ", full) + "; the delete is abandoned and every copy kept");
            }
            return new Verdict(Step.WAIT, "draining: " + String.join(", ", full));
        }
        // A copy PUT or POSTed after the delete (Swift's Last-Modified, past the sites' skew) holds
        // a client's change whose leg has not called the delete off here yet (in flight, or failed
        // and not yet repaired): that change wins, as on a single Swift, so nothing is deleted.
        // Not an empty check either: the two-check clock starts again once it has arrived.
        List<String> changed = new ArrayList<>();
        copies.forEach((site, c) -> {
            if (c.presence() == Presence.PRESENT
                    && c.changedAfter(drain.stampMicros() + RepairDecision.CLOCKS_AGREE_WITHIN_MICROS)) {
                changed.add(site);
            }
        });
        if (!changed.isEmpty()) {
            if (pastDeadline) {
                return new Verdict(Step.CONFLICT, "changed at " + String.join(", ", changed) + " after the delete"
                        + " (Last-Modified), and no change called the delete off within " + deadline
                        + ": every copy kept; delete the container again to finish");
            }
            return new Verdict(Step.WAIT, "changed at " + String.join(", ", changed) + " after the delete"
                    + " (Last-Modified): nothing deleted while that change is on its way here to call it off");
        }
        if (emptySinceMicros == null) {
            return new Verdict(Step.EMPTY_ONCE, "every copy reads empty; checking again after a sync pass", true);
        }
        if (nowMicros - emptySinceMicros < syncPass.toNanos() / 1000) {
            return new Verdict(Step.WAIT, "every copy reads empty; waiting for a sync pass (" + syncPass + ")", true);
        }
        if (!changesOnTheWay.isEmpty()) {
            // not emptyNow: the worker backs off as for any retry, and the two checks start over
            return new Verdict(Step.WAIT, "every copy read empty twice, but " + String.join(", ", changesOnTheWay)
                    + " holds a change of the container still to arrive here, or cannot say: nothing deleted"
                    + " until it has");
        }
        return new Verdict(Step.DELETE_ALL, "every copy read empty twice, a sync pass apart", true);
    }
}
