package org.autosync.proxy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The control path's client keeps connections alive, and never loses a request to a closed one. */
class ClusterClientTest {
    private final MockWebServer server = new MockWebServer();
    private EventLoopGroup group;
    private ClusterClient client;

    @BeforeEach
    void start() throws Exception {
        server.start(InetAddress.getLoopbackAddress(), 0);
        group = new NioEventLoopGroup(1);
        client = new ClusterClient(group, NioSocketChannel.class, Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() throws Exception {
        client.closeIdle();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        server.shutdown();
    }

    private ClusterResponse call(String method) throws Exception {
        return client.send(URI.create("http://127.0.0.1:" + server.getPort()),
                new ClusterRequest(method, "/v1/AUTH_t/c", Map.of(), new byte[0]), Duration.ofSeconds(5))
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void callsOneAfterTheOtherShareOneConnection() throws Exception {
        for (int i = 0; i < 3; i++) {
            server.enqueue(new MockResponse().setResponseCode(204).addHeader("X-Container-Object-Count", "0"));
        }
        assertEquals(204, call("HEAD").status());
        assertEquals(204, call("HEAD").status());
        assertEquals(204, call("POST").status());
        assertEquals(List.of(0, 1, 2), List.of(server.takeRequest().getSequenceNumber(),
                server.takeRequest().getSequenceNumber(), server.takeRequest().getSequenceNumber()),
                "the same connection's first, second and third request");
    }

    @Test
    void aConnectionTheServerClosedIsReplacedForTheNextCall() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(204).setSocketPolicy(SocketPolicy.DISCONNECT_AT_END));
        server.enqueue(new MockResponse().setResponseCode(201));
        assertEquals(204, call("HEAD").status());
        Thread.sleep(200); // the server has let the connection go
        assertEquals(201, call("PUT").status(), "sent again on a new connection");
        RecordedRequest first = server.takeRequest();
        RecordedRequest second = server.takeRequest();
        assertEquals("HEAD", first.getMethod());
        assertEquals("PUT", second.getMethod());
        assertEquals(0, second.getSequenceNumber(), "a new connection");
    }

    @Test
    void anAnswerThatSaysCloseIsNotKept() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(204).addHeader("Connection", "close"));
        server.enqueue(new MockResponse().setResponseCode(204));
        call("HEAD");
        call("HEAD");
        server.takeRequest();
        assertEquals(0, server.takeRequest().getSequenceNumber(), "the second call opened its own connection");
    }
}
