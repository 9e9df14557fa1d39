package dev.stompbox.protocol.failover;

import dev.stompbox.protocol.StompConnectTimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReconnectScheduleTest {
    private static List<ReconnectAttempt> take(Iterator<ReconnectAttempt> it, int n) {
        List<ReconnectAttempt> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(it.next());
        }
        return out;
    }

    private static List<Long> delaysMillis(List<ReconnectAttempt> attempts) {
        return attempts.stream().map(a -> a.delay().toMillis()).toList();
    }

    @Test
    @DisplayName("exponential back-off from initialReconnectDelay, capped at maxReconnectDelay")
    void exponentialBackOff() {
        ReconnectSchedule s = new ReconnectSchedule(FailoverUri.parse(
                "failover:(tcp://a)?initialReconnectDelay=100,maxReconnectDelay=1000,randomize=false"));
        List<ReconnectAttempt> attempts = take(s.iterator(), 7);
        assertThat(delaysMillis(attempts)).containsExactly(0L, 100L, 200L, 400L, 800L, 1000L, 1000L);
        assertThat(attempts).extracting(ReconnectAttempt::attempt).containsExactly(0, 1, 2, 3, 4, 5, 6);
    }

    @Test
    @DisplayName("without exponential back-off the delay stays at initialReconnectDelay; multiplier applies otherwise")
    void linearAndMultiplier() {
        ReconnectSchedule flat = new ReconnectSchedule(FailoverUri.parse(
                "failover:(tcp://a)?initialReconnectDelay=50,useExponentialBackOff=false"));
        assertThat(delaysMillis(take(flat.iterator(), 4))).containsExactly(0L, 50L, 50L, 50L);
        ReconnectSchedule triple = new ReconnectSchedule(FailoverUri.parse(
                "failover:(tcp://a)?initialReconnectDelay=10,backOffMultiplier=3"));
        assertThat(delaysMillis(take(triple.iterator(), 4))).containsExactly(0L, 10L, 30L, 90L);
    }

    @Test
    @DisplayName("maxReconnectAttempts -1 retries forever (the delay never overflows)")
    void forever() {
        ReconnectSchedule s = new ReconnectSchedule(FailoverUri.parse("failover:(tcp://a,tcp://b)?maxReconnectDelay=500"));
        Iterator<ReconnectAttempt> it = s.iterator();
        List<ReconnectAttempt> many = take(it, 5000);
        assertThat(many.get(4999).delay().toMillis()).isEqualTo(500);
        assertThat(ReconnectSchedule.spent(it)).isFalse();
    }

    @Test
    @DisplayName("startupMaxReconnectAttempts 0 means 'not set': maxReconnectAttempts applies to the startup too")
    void startupZeroMeansNotSet() {
        ReconnectSchedule s = new ReconnectSchedule(FailoverUri.parse(
                "failover:(tcp://a)?maxReconnectAttempts=2,startupMaxReconnectAttempts=0,initialReconnectDelay=1"));
        Iterator<ReconnectAttempt> startup = s.iterator();
        take(startup, 3);
        assertThatThrownBy(startup::next).isInstanceOf(StompConnectTimeoutException.class).hasMessage("Reconnect timeout: 2 attempts");
        Iterator<ReconnectAttempt> later = s.iterator();
        take(later, 3);
        assertThatThrownBy(later::next).hasMessage("Reconnect timeout: 2 attempts");
    }

    @Test
    @DisplayName("each cycle starts its back-off afresh")
    void freshBackOffPerCycle() {
        ReconnectSchedule s = new ReconnectSchedule(FailoverUri.parse("failover:(tcp://a)?initialReconnectDelay=10,randomize=false"));
        assertThat(delaysMillis(take(s.iterator(), 3))).containsExactly(0L, 10L, 20L);
        assertThat(delaysMillis(take(s.iterator(), 3))).containsExactly(0L, 10L, 20L);
        assertThat(s.uri().brokers()).hasSize(1);
    }

    @Test
    @DisplayName("jitter adds up to reconnectDelayJitter, from the Random handed in")
    void jitter() {
        FailoverUri uri = FailoverUri.parse("failover:(tcp://a)?initialReconnectDelay=100,useExponentialBackOff=false,reconnectDelayJitter=50");
        List<ReconnectAttempt> a = take(new ReconnectSchedule(uri, new Random(42), Set.of()).iterator(), 200);
        List<ReconnectAttempt> b = take(new ReconnectSchedule(uri, new Random(42), Set.of()).iterator(), 200);
        assertThat(a).isEqualTo(b);
        assertThat(a.subList(1, 200)).allSatisfy(x -> assertThat(x.delay().toNanos()).isBetween(100_000_000L, 150_000_000L));
        assertThat(a.subList(1, 200).stream().map(ReconnectAttempt::delay).distinct().count()).isGreaterThan(100);
    }

    @Test
    @DisplayName("randomize shuffles each pass and still tries every broker once per pass")
    void randomize() {
        FailoverUri uri = FailoverUri.parse("failover:(tcp://a,tcp://b,tcp://c,tcp://d)?randomize=true");
        List<ReconnectAttempt> attempts = take(new ReconnectSchedule(uri, new Random(1), Set.of()).iterator(), 40);
        List<List<String>> passes = new ArrayList<>();
        for (int p = 0; p < 10; p++) {
            List<String> hosts = attempts.subList(p * 4, p * 4 + 4).stream().map(x -> x.broker().host()).toList();
            assertThat(hosts).containsExactlyInAnyOrder("a", "b", "c", "d");
            passes.add(hosts);
        }
        assertThat(passes.stream().distinct().count()).isGreaterThan(1);
        List<String> fixed = take(new ReconnectSchedule(FailoverUri.parse("failover:(tcp://a,tcp://b)?randomize=false")).iterator(), 4)
                .stream().map(x -> x.broker().host()).toList();
        assertThat(fixed).containsExactly("a", "b", "a", "b");
    }

    @Test
    @DisplayName("priorityBackup puts local brokers first, keeping the order otherwise")
    void priorityBackup() {
        FailoverUri uri = FailoverUri.parse("failover:(tcp://remote1,tcp://127.0.0.1:2,tcp://remote2,tcp://localhost,"
                + "tcp://[::1],tcp://myhost)?randomize=false,priorityBackup=true");
        List<String> hosts = take(new ReconnectSchedule(uri, new Random(), Set.of("MyHost")).iterator(), 6)
                .stream().map(x -> x.broker().host()).toList();
        assertThat(hosts).containsExactly("127.0.0.1", "localhost", "::1", "myhost", "remote1", "remote2");
    }

    @Test
    void spentRequiresACycle() {
        assertThatThrownBy(() -> ReconnectSchedule.spent(List.<ReconnectAttempt>of().iterator()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
