package org.autosync.placement;

import java.net.URI;

final class TestSites {

    static final Site A = new Site("a", URI.create("http://a.example:8080"), "cluster-a");
    static final Site B = new Site("b", URI.create("http://b.example:8080"), "cluster-b");
    static final Site C = new Site("c", URI.create("http://c.example:8443"), "cluster-c");
    static final Site D = new Site("d", URI.create("http://d.example:8080"), "cluster-d");
    static final Sites ABC = Sites.of(A, B, C);

    private TestSites() {
    }
}
