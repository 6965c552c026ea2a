"""Load client for bench/broker.sh: drives `callctl serve`'s PeerJS broker and, as the baseline
in the same run, its Pusher hub, over loopback, with hub_load.py's raw asyncio sockets.

Phases: N idle hub connections (serve's VmRSS before and after: KB per connection); every
issued peer connected (KB per idle peer); one pair, sequential OFFER -> delivery, against one
hub connection's sequential ping -> pong; then all pairs at once, --rounds rounds, every doctor
sends an OFFER (a 2 KB SDP, carrying its send time) to its patient: OFFER -> delivery latency,
against all of the hub connections pinging at once (ping -> pong). Peer ids are bd{p}/bp{p}
for pair p, the call of appointment p; tokens are made here with REVERB_APP_SECRET, as callctl
makes them. Prints one JSON object; exits 1 when the run failed (a refusal, a lost message)."""
import argparse, asyncio, hashlib, hmac, json, os, re, resource, sys, time

sys.path.insert(0, os.path.dirname(__file__))
from hub_load import PING, Socket, bounded, clock, frame, gather, open_socket, rss_kb, cpu_ms, summary  # noqa: E402

SENT = re.compile(rb'"sent":(\d+)')
SDP = "v=0\\r\\n" + "a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host\\r\\n" * 36


def token(peer, user, appointment, call, key, secret, expiry):
    message = "\n".join(["callctl-peerjs-1", key, peer, str(user), str(appointment), call, str(expiry)])
    return f"{expiry}." + hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


class PeerSocket(Socket):
    """A broker connection (the PeerJS client's upgrade request)."""

    def __init__(self, host, port, query):
        super().__init__(host, port, "unused")
        key = __import__("base64").b64encode(os.urandom(16)).decode()
        self.request = (f"GET /peerjs/peerjs?{query} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                        f"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n\r\n").encode()


async def open_peer(host, port, query):
    _, sock = await asyncio.get_running_loop().create_connection(lambda: PeerSocket(host, port, query), host, port)
    await sock.expect(b'"OPEN"')
    return sock


def offer(dst):
    return frame(json.dumps({"type": "OFFER", "dst": dst, "payload": {
        "type": "data", "connectionId": "dc_bench", "sent": clock(), "sdp": {"type": "offer", "sdp": SDP}}},
        separators=(",", ":")).encode())


async def main(a):
    key, secret = os.environ["REVERB_APP_KEY"], os.environ["REVERB_APP_SECRET"]
    expiry, out, log = int(time.time()) + 3600, {"pairs": a.pairs, "connections": a.connections, "rounds": a.rounds}, \
        (lambda text: print(text, file=sys.stderr, flush=True))

    log(f"opening {a.connections} idle hub connections ...")
    before = rss_kb(a.serve_pid)
    results, failed = await bounded(open_socket(a.host, a.port, key) for _ in range(a.connections))
    if failed["failed"]:
        raise RuntimeError(f"hub connections: {failed}")
    hub = results
    await asyncio.sleep(2)
    out["hub_rss_kb"] = (before, rss_kb(a.serve_pid))

    log(f"connecting {2 * a.pairs} broker peers ({a.pairs} calls) ...")
    def query(p, who):
        peer, user = (f"bd{p}", 2 * p - 1) if who == "d" else (f"bp{p}", 2 * p)
        call = f"{p:032x}"
        call = f"{call[:8]}-{call[8:12]}-{call[12:16]}-{call[16:20]}-{call[20:]}"
        return f"key={key}&id={peer}&token={token(peer, user, p, call, key, secret, expiry)}&version=1.5.4"
    before, started = rss_kb(a.serve_pid), time.monotonic()
    results, failed = await bounded(open_peer(a.host, a.port, query(p, w)) for p in range(1, a.pairs + 1) for w in "dp")
    if failed["failed"]:
        raise RuntimeError(f"broker peers: {failed}")
    out["peers_connect_s"] = time.monotonic() - started
    doctors, patients = results[0::2], results[1::2]
    await asyncio.sleep(2)
    out["peer_rss_kb"] = (before, rss_kb(a.serve_pid))

    log(f"one pair: {a.sequential} sequential OFFERs; one hub connection: {a.sequential} sequential pings ...")
    async def sequential(send, receiver, needle, stamp):
        ms = []
        for n in range(a.sequential + 20):
            sent = send()
            received, _, payload = await receiver.expect(needle)
            ms += [(received - stamp(sent, payload)) / 1e6] if n >= 20 else []
        return summary(ms)
    out["offer1"] = await sequential(lambda: doctors[0].transport.write(offer("bp1")), patients[0], b'"OFFER"',
                                     lambda _, p: int(SENT.search(p)[1]))
    out["ping1"] = await sequential(lambda: (clock(), hub[0].transport.write(PING))[0], hub[0], b"pusher:pong", lambda s, _: s)

    log(f"{a.pairs} pairs: {a.rounds} rounds of simultaneous OFFERs; {len(hub[:a.pairs])} hub connections pinging at once ...")
    offers, pongs, cpu = [], [], cpu_ms(a.serve_pid)
    for _ in range(a.rounds):
        for s in patients:
            s.record()
        for p, s in enumerate(doctors, start=1):
            s.transport.write(offer(f"bp{p}"))
        got = await gather(patients, b'"OFFER"', 1, lambda t, p: t - int(SENT.search(p)[1]))
        if got["lost"] or got["closed"]:
            raise RuntimeError(f"OFFERs lost: {got['lost']}, sockets closed: {got['closed']}")
        offers += got["ms"]
        await asyncio.sleep(a.interval / 1000)
    out["offer_cpu_ms"] = cpu_ms(a.serve_pid) - cpu
    out["offers"] = summary(offers)
    pingers = hub[:a.pairs]
    for _ in range(a.rounds):
        for s in pingers:
            s.record()
        sent = clock()
        for s in pingers:
            s.transport.write(PING)
        got = await gather(pingers, b"pusher:pong", 1, lambda t, p: t - sent)
        if got["lost"] or got["closed"]:
            raise RuntimeError(f"pongs lost: {got['lost']}")
        pongs += got["ms"]
        await asyncio.sleep(a.interval / 1000)
    out["pings"] = summary(pongs)
    return out


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    for name, kind, default in (("port", int, None), ("serve-pid", int, None), ("pairs", int, 1000), ("connections", int, 2000),
                                ("rounds", int, 20), ("interval", float, 100), ("sequential", int, 300), ("duration", float, 300)):
        p.add_argument("--" + name, type=kind, default=default)
    args = p.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        print(json.dumps(asyncio.run(asyncio.wait_for(main(args), args.duration))))
    except Exception as error:
        sys.exit(f"broker benchmark failed: {error!r}")
