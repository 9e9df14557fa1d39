"""The stomp.py peer of Stompbox's interop tests (InteropTest). Run with Debian's python3 and python3-stomp.

    peer.py send    HOST:PORT DESTINATION COUNT LOGIN PASSCODE VHOST TIMEOUT_MS
    peer.py receive HOST:PORT DESTINATION COUNT LOGIN PASSCODE VHOST TIMEOUT_MS

send: COUNT messages, each with a receipt, all awaited; prints "RECEIPTED n".
receive: subscribes with ack client-individual, prints "MSG index hex(body) hex(x-escape) hex(x-utf8) receipt"
per message and acks it (STOMP 1.2: id = the MESSAGE's ack header), with a receipt; prints "DONE n".
The content of message i is defined once, in InteropTest, and mirrored here.
"""
import sys
import threading
import time

import stomp

ESCAPED = "colon:newline\nbackslash\\end"
UTF8 = "grüße ✓ 日本"


def body(i):
    return bytes(range(256)) + ("#%d" % i).encode("ascii")


class Listener(stomp.ConnectionListener):
    def __init__(self):
        self.lock = threading.Condition()
        self.messages = []
        self.receipts = set()
        self.errors = []

    def on_message(self, frame):
        with self.lock:
            self.messages.append(frame)
            self.lock.notify_all()

    def on_receipt(self, frame):
        with self.lock:
            self.receipts.add(frame.headers["receipt-id"])
            self.lock.notify_all()

    def on_error(self, frame):
        with self.lock:
            self.errors.append("%s %s" % (frame.headers, frame.body))
            self.lock.notify_all()

    def wait(self, done, deadline):
        with self.lock:
            while not done() and not self.errors and time.time() < deadline:
                self.lock.wait(0.05)
            if self.errors:
                raise SystemExit("ERROR frame: %s" % self.errors[0])
            if not done():
                raise SystemExit("timed out")


def main():
    mode, hostport, destination, count, login, passcode, vhost, timeout_ms = sys.argv[1:9]
    host, port = hostport.rsplit(":", 1)
    count = int(count)
    deadline = time.time() + int(timeout_ms) / 1000.0
    conn = stomp.Connection12([(host, int(port))], vhost=vhost, auto_decode=False)
    listener = Listener()
    conn.set_listener("peer", listener)
    conn.connect(login, passcode, wait=True)
    if mode == "send":
        for i in range(count):
            conn.send(destination, body(i), headers={"x-escape": ESCAPED, "x-utf8": UTF8, "x-index": str(i)},
                      receipt="py-%d" % i)
        listener.wait(lambda: len(listener.receipts) >= count, deadline)
        print("RECEIPTED %d" % len(listener.receipts), flush=True)
    elif mode == "receive":
        conn.subscribe(destination, id="py-sub", ack="client-individual")
        listener.wait(lambda: len(listener.messages) >= count, deadline)
        for n, frame in enumerate(listener.messages[:count]):
            h = frame.headers
            print("MSG %s %s %s %s %s" % (h.get("x-index"), frame.body.hex(), h.get("x-escape", "").encode("utf-8").hex(),
                                          h.get("x-utf8", "").encode("utf-8").hex(), h.get("receipt", "-")), flush=True)
            conn.ack(h["ack"], receipt="py-ack-%d" % n)
        listener.wait(lambda: len(listener.receipts) >= count, deadline)
        print("DONE %d" % count, flush=True)
    else:
        raise SystemExit("unknown mode " + mode)
    conn.disconnect()


if __name__ == "__main__":
    main()
