package dev.stompbox.it.reliability;

/** The chaos test on an Artemis HA pair: the active primary is killed, the backup takes over, the primary returns and fails back. */
final class ArtemisHaChaos implements ChaosTarget {
    private final ArtemisHaPair pair;

    ArtemisHaChaos(ArtemisHaPair pair) {
        this.pair = pair;
    }

    @Override
    public String failoverUri() {
        return pair.failoverUri(FAILOVER_OPTIONS);
    }

    @Override
    public void start() {
        pair.start();
    }

    @Override
    public void crashAndRecover(int connectedPort, long downMillis) throws InterruptedException {
        ArtemisHaPair.Node node = pair.nodeOf(connectedPort);
        if (node != pair.primary()) {
            // After a failback completes every client is on the primary; one still on the backup is a failback not finished.
            throw new IllegalStateException("the client is on the " + node + ", not on the primary, after the failback");
        }
        pair.killPrimaryAndFailBack(downMillis);
    }

    @Override
    public void stop() {
        pair.stop();
    }
}
