package org.autosync.proxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ThreadCountersTest {
    @Test
    void eachThreadCountsInItsOwnSlotAndTheSumSeesAllOfThem() throws Exception {
        ThreadCounters counts = new ThreadCounters(3);
        int threads = 4;
        int perThread = 100_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> started = new ArrayList<>();
        DefaultThreadFactory factory = new DefaultThreadFactory("counter-test"); // fast thread-locals, as on a loop
        for (int t = 0; t < threads; t++) {
            Thread th = factory.newThread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    counts.add(0, 1);
                    counts.add(2, 3);
                }
            });
            th.start();
            started.add(th);
        }
        counts.add(1, 7); // a plain thread counts too
        start.countDown();
        for (Thread th : started) {
            th.join();
        }
        assertEquals((long) threads * perThread, counts.sum(0));
        assertEquals(7, counts.sum(1));
        assertEquals(3L * threads * perThread, counts.sum(2));
    }
}
