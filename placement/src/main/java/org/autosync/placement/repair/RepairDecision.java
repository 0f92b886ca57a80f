package org.autosync.placement.repair;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.autosync.placement.repair.CopyState.Presence;

/**
 * Decides what a repair record needs at the site that missed it, from the current state of the
 * copy here (the site that took the change) and there. A pure function: the same inputs give the
 * same action, so a record processed twice, or by a replica after a crash, does no harm.
 *
 * <p>The values come from the local copy as it is now, never from the recorded request: a newer
 * change that reached both sites is never undone by an older record.
 */
public final class RepairDecision {
    private RepairDecision() {
    }

    /**
     * @param record     the change the target missed
     * @param local      the copy at the record's origin site (this site), read now
     * @param target     the copy at the record's target site, read now
     * @param targetSync the container-sync headers the target's copy must have (name -> value;
     *                   empty for an account or a one-site placement)
     */
    /**
     * The record's time is this site's clock, the copy's Last-Modified the target Swift's: a change
     * there counts as after the delete only when it is later by more than the sites' clocks may
     * differ (kept in step by NTP), or a skew would keep a copy a client deleted.
     */
    static final long CLOCKS_AGREE_WITHIN_MICROS = 2_000_000L;

    public static RepairAction decide(RepairRecord record, CopyState local, CopyState target,
                                      Map<String, String> targetSync) {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(targetSync, "targetSync");
        if (local.presence() == Presence.UNKNOWN) {
            return RepairAction.of(RepairAction.Kind.RETRY, "the copy at " + record.origin() + " could not be read ("
                    + local.detail() + ")");
        }
        if (target.presence() == Presence.UNKNOWN) {
            return RepairAction.of(RepairAction.Kind.RETRY, record.target() + " could not be read ("
                    + target.detail() + ")");
        }
        return record.isContainer()
                ? container(record, local, target, targetSync)
                : account(record, local, target);
    }

    private static RepairAction container(RepairRecord record, CopyState local, CopyState target,
                                          Map<String, String> targetSync) {
        if (local.presence() == Presence.ABSENT) {
            if (!record.op().isDelete()) {
                return RepairAction.of(RepairAction.Kind.SUPERSEDED, "deleted at " + record.origin() + " since");
            }
            if (target.presence() == Presence.ABSENT) {
                return RepairAction.of(RepairAction.Kind.IN_SYNC, "gone at " + record.target() + " too");
            }
            if (target.changedAfter(record.stampMicros() + CLOCKS_AGREE_WITHIN_MICROS)) {
                // re-created (or changed) there after the delete, by a client that got its 2xx:
                // the newer change wins, and that site's own record or reconcile brings it back here
                return RepairAction.of(RepairAction.Kind.SUPERSEDED, "created or changed at " + record.target()
                        + " after the delete at " + record.origin() + "; kept");
            }
            long n = target.objectCount();
            if (n > 0) {
                // Objects Autosync cannot place in time: written there after the delete, or never
                // synced here. Deleting them is not Autosync's call.
                return RepairAction.of(RepairAction.Kind.CONFLICT, record.target() + " still holds " + n
                        + (n == 1 ? " object" : " objects") + " of a container deleted at " + record.origin()
                        + "; kept");
            }
            return RepairAction.of(RepairAction.Kind.DELETE, "deleted at " + record.origin());
        }
        Map<String, String> wanted = ReplicatedHeaders.of(local.headers(), true);
        if (target.presence() == Presence.ABSENT) {
            Map<String, String> h = new TreeMap<>(wanted);
            String policy = local.header(ReplicatedHeaders.STORAGE_POLICY);
            if (policy != null) {
                h.put(ReplicatedHeaders.STORAGE_POLICY, policy);
            }
            h.putAll(targetSync);
            return new RepairAction(RepairAction.Kind.CREATE, h, "missing at " + record.target());
        }
        String here = local.header(ReplicatedHeaders.STORAGE_POLICY);
        String there = target.header(ReplicatedHeaders.STORAGE_POLICY);
        if (here != null && there != null && !here.equalsIgnoreCase(there)) {
            return RepairAction.of(RepairAction.Kind.CONFLICT, "storage policy " + here + " at " + record.origin()
                    + ", " + there + " at " + record.target() + "; container-sync needs the copies to match");
        }
        // A PUT or POST sets the headers it names and leaves the others; a container that came
        // back after a delete was re-created here with everything it now has.
        Set<String> names = new LinkedHashSet<>(record.headers());
        if (record.op().isDelete()) {
            // re-created here since: the target must end with exactly this copy's headers
            names.addAll(wanted.keySet());
            names.addAll(ReplicatedHeaders.of(target.headers(), true).keySet());
        }
        Map<String, String> h = differing(names, local, target);
        targetSync.forEach((k, v) -> {
            if (!v.equals(target.header(k))) {
                h.put(k, v);
            }
        });
        return h.isEmpty()
                ? RepairAction.of(RepairAction.Kind.IN_SYNC, "same at " + record.target())
                : new RepairAction(RepairAction.Kind.UPDATE, h, "differs at " + record.target());
    }

    private static RepairAction account(RepairRecord record, CopyState local, CopyState target) {
        if (record.op().isDelete()) {
            // Swift's account DELETE starts the reaper with no emptiness check: never by repair.
            return RepairAction.of(RepairAction.Kind.CONFLICT, "account deletes are not repeated at other sites; "
                    + "delete at " + record.target() + " by hand if that is meant");
        }
        if (local.presence() == Presence.ABSENT) {
            return RepairAction.of(RepairAction.Kind.SUPERSEDED, "account gone at " + record.origin());
        }
        if (target.presence() == Presence.ABSENT) {
            return new RepairAction(RepairAction.Kind.CREATE, ReplicatedHeaders.of(local.headers(), false),
                    "missing at " + record.target());
        }
        Map<String, String> h = differing(record.headers(), local, target);
        return h.isEmpty()
                ? RepairAction.of(RepairAction.Kind.IN_SYNC, "same at " + record.target())
                : new RepairAction(RepairAction.Kind.UPDATE, h, "differs at " + record.target());
    }

    /** The named headers whose value at the target is not the local one; "" removes one. */
    private static Map<String, String> differing(Set<String> names, CopyState local, CopyState target) {
        Map<String, String> h = new TreeMap<>();
        for (String name : names) {
            String want = local.header(name) == null ? "" : local.header(name);
            String have = target.header(name) == null ? "" : target.header(name);
            if (!want.equals(have)) {
                h.put(name, want);
            }
        }
        return h;
    }
}
