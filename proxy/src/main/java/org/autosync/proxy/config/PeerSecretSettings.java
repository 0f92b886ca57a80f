package org.autosync.proxy.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.autosync.auth.PeerSecrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code autosync.peer-secret}: a string (the current secret), or
 * {@code { current, previous }} (typically {@code ${?ENV}} substitutions), or {@code { file }}: a
 * file whose first line is the current secret and whose optional second line is the previous one.
 */
final class PeerSecretSettings {
    private static final Logger log = LoggerFactory.getLogger(PeerSecretSettings.class);
    private static final String KEY = "autosync.peer-secret";

    private PeerSecretSettings() {
    }

    static PeerSecrets fromConfig(Config c) {
        if (!c.hasPath("peer-secret")) {
            throw new SettingsException(KEY, "is required: a string, { current = ..., previous = ... } or { file = ... }");
        }
        if (c.getValue("peer-secret").valueType() == ConfigValueType.STRING) {
            return secrets(FederationSettings.string(c, "peer-secret", KEY), null, KEY, KEY);
        }
        if (c.getValue("peer-secret").valueType() != ConfigValueType.OBJECT) {
            throw new SettingsException(KEY, "must be a string, { current = ..., previous = ... } or { file = ... }");
        }
        Config p = c.getConfig("peer-secret");
        boolean inline = p.hasPath("current") || p.hasPath("previous");
        if (p.hasPath("file")) {
            if (inline) {
                throw new SettingsException(KEY, "set either file or current/previous, not both");
            }
            return fromFile(Path.of(FederationSettings.string(p, "file", KEY + ".file")));
        }
        String current = FederationSettings.string(p, "current", KEY + ".current");
        String previous = p.hasPath("previous") ? FederationSettings.string(p, "previous", KEY + ".previous") : null;
        return secrets(current, previous, KEY + ".current", KEY + ".previous");
    }

    private static PeerSecrets fromFile(Path file) {
        String at = KEY + ".file";
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SettingsException(at, "cannot read " + file + ": " + e.getClass().getSimpleName());
        }
        warnIfOthersCanRead(file);
        List<String> secrets = new ArrayList<>();
        for (String line : lines) {
            String s = line.strip();
            if (!s.isEmpty() && !s.startsWith("#")) {
                secrets.add(s);
            }
        }
        if (secrets.isEmpty() || secrets.size() > 2) {
            throw new SettingsException(at, file + " must hold one line (the current secret) or two "
                    + "(current, then previous), not " + secrets.size());
        }
        return secrets(secrets.get(0), secrets.size() == 2 ? secrets.get(1) : null,
                at + " (line 1 of " + file + ")", at + " (line 2 of " + file + ")");
    }

    /** Start-up goes on, but an operator should hear that other local users can read the secret. */
    private static void warnIfOthersCanRead(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.GROUP_READ)) {
                log.warn("{} ({}) is readable by {}: anyone who reads it can sign peer requests; chmod 600 it",
                        KEY + ".file", file, perms.contains(PosixFilePermission.OTHERS_READ) ? "all users" : "its group");
            }
        } catch (UnsupportedOperationException | IOException e) {
            log.debug("cannot check the permissions of {}: {}", file, e.toString());
        }
    }

    private static PeerSecrets secrets(String current, String previous, String currentKey, String previousKey) {
        byte[] cur = current.getBytes(StandardCharsets.UTF_8);
        byte[] prev = previous == null ? null : previous.getBytes(StandardCharsets.UTF_8);
        if (cur.length < PeerSecrets.MIN_LENGTH) {
            throw new SettingsException(currentKey, "is too short (at least " + PeerSecrets.MIN_LENGTH + " characters)");
        }
        if (prev != null && prev.length < PeerSecrets.MIN_LENGTH) {
            throw new SettingsException(previousKey, "is too short (at least " + PeerSecrets.MIN_LENGTH + " characters)");
        }
        return new PeerSecrets(cur, prev);
    }
}
