package org.autosync.proxy.federation;

/** Reads one sample out of a Prometheus text scrape. */
final class Scrape {
    private Scrape() {
    }

    /**
     * Value of the first sample of {@code name} carrying every {@code label="value"} given as
     * label, value, label, value ...; null when there is none.
     */
    static Double sample(String scrape, String name, String... labels) {
        for (String line : scrape.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            boolean all = true;
            for (int i = 0; i < labels.length; i += 2) {
                if (!line.contains(labels[i] + "=\"" + labels[i + 1] + "\"")) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return null;
    }
}
