"""Load client for bench/hub.sh: drives `callctl serve`'s Pusher hub over loopback.

Deliberately light (Python's per-message cost would otherwise dominate 1,000 subscribers):
raw asyncio Protocols, manual HTTP upgrade, masked client frames, a minimal frame parser.
Receive times are taken first thing in data_received; while a phase is measured, chunks are
only logged with that time and parsed afterwards. Connections are spread over --procs
worker processes (this script with --worker, driven by JSON lines on stdin/stdout); the
coordinator keeps one connection for the sequential phases and sends every HTTP trigger.
All processes read CLOCK_MONOTONIC (time.monotonic_ns), one clock for the machine, so the
send time carried in an event's data compares with any process's receive time.

Exit 0 when the run completed (targets missed included); 1 when it failed: a connection
refused or closed, an event or pong lost, a trigger answered non-200, --duration passed.
The app comes from REVERB_APP_ID, REVERB_APP_KEY and REVERB_APP_SECRET (never printed)."""
import argparse, asyncio, base64, hashlib, hmac, json, os, re, resource, sys, time

clock = time.monotonic_ns
STAMP = re.compile(rb'"data":"(\d+)"')  # a fan-out event's send time (warm-up events carry no digits)


def frame(text: bytes) -> bytes:
    """A masked client text frame (RFC 6455 requires clients to mask)."""
    key, n = os.urandom(4), len(text)
    head = bytes([0x81, 0x80 | n]) if n < 126 else bytes([0x81, 0xFE]) + n.to_bytes(2, "big")
    masked = int.from_bytes(text, "big") ^ int.from_bytes((key * (n // 4 + 1))[:n], "big")
    return head + key + masked.to_bytes(n, "big")


PING = frame(b'{"event":"pusher:ping","data":{}}')


class Socket(asyncio.Protocol):
    """One hub connection: frames as (receive time ns, opcode, payload)."""

    def __init__(self, host, port, key):
        self.request = (f"GET /app/{key}?protocol=7&client=hub-bench&version=1 HTTP/1.1\r\nHost: {host}:{port}\r\n"
                        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                        f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n\r\n").encode()
        self.buf, self.upgraded, self.frames, self.pos = b"", False, [], 0
        self.log, self.waiter, self.lost = None, None, None  # log: [(t, chunk)] while recording

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data):
        t = clock()
        if self.log is not None:
            self.log.append((t, data))
            return
        self.take(t, data)
        self.connection_lost(None, wake_only=True)

    def connection_lost(self, exc, wake_only=False):
        if not wake_only:
            self.lost = self.lost or f"connection lost ({exc or 'closed by the server'})"
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def take(self, t, data):
        """Parses what arrived; complete frames get the time of the chunk that completed them."""
        self.buf += data
        if not self.upgraded:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            if not self.buf.startswith(b"HTTP/1.1 101"):
                self.lost = "upgrade refused: " + self.buf.split(b"\r\n", 1)[0].decode(errors="replace")
                return
            self.buf, self.upgraded = self.buf[end + 4:], True
        buf = self.buf
        while len(buf) >= 2:
            n, head = buf[1] & 0x7F, 2
            if n == 126:
                n, head = int.from_bytes(buf[2:4], "big"), 4
            elif n == 127:
                n, head = int.from_bytes(buf[2:10], "big"), 10
            if len(buf) < head + n:
                break
            if buf[0] & 0x0F == 8:
                self.lost = f"closed by the server: {buf[head:head + n]!r}"
            self.frames.append((t, buf[0] & 0x0F, buf[head:head + n]))
            buf = buf[head + n:]
        self.buf = buf

    def drain(self):
        """Parses the chunks logged while recording (recording goes on)."""
        log, self.log = self.log, []
        for t, data in log:
            self.take(t, data)

    async def expect(self, needle, timeout=10.0):
        """The next frame containing `needle` (earlier frames are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            while self.pos < len(self.frames):
                self.pos += 1
                if needle in self.frames[self.pos - 1][2]:
                    return self.frames[self.pos - 1]
            if self.lost:
                raise ConnectionError(self.lost)
            self.waiter = asyncio.get_running_loop().create_future()
            await asyncio.wait_for(self.waiter, max(0.001, deadline - time.monotonic()))


async def open_socket(host, port, key):
    _, sock = await asyncio.get_running_loop().create_connection(lambda: Socket(host, port, key), host, port)
    await sock.expect(b"pusher:connection_established")
    return sock


async def subscribe(sock, channel):
    sock.transport.write(frame(json.dumps({"event": "pusher:subscribe", "data": {"channel": channel}}).encode()))
    await sock.expect(b"pusher_internal:subscription_succeeded")


async def bounded(coros, limit=64):
    """Runs the coroutines, at most `limit` at a time (a burst would overflow the listen backlog):
    their results, and the count and first of their errors."""
    gate = asyncio.Semaphore(limit)

    async def one(coro):
        async with gate:
            return await coro
    results = await asyncio.gather(*(one(c) for c in coros), return_exceptions=True)
    bad = [r for r in results if isinstance(r, BaseException)]
    return results, {"failed": len(bad), "error": repr(bad[0]) if bad else None}


async def sleep_until(ns):
    await asyncio.sleep(max(0, ns - clock()) / 1e9)


async def worker(host, port, key):
    """Serves the coordinator's commands, one JSON line each, answered by one JSON line."""
    loop, stdin = asyncio.get_running_loop(), asyncio.StreamReader(limit=1 << 20)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    socks, subs = [], []
    while line := await stdin.readline():
        cmd, reply = json.loads(line), {}
        if cmd["op"] == "connect":
            results, failures = await bounded(open_socket(host, port, key) for _ in range(cmd["n"]))
            socks = [r for r in results if isinstance(r, Socket)]
            reply = {"open": len(socks), **failures}
        elif cmd["op"] == "subscribe":
            subs = socks[:cmd["n"]]
            reply = {"subscribed": len(subs), **(await bounded(subscribe(s, cmd["channel"]) for s in subs))[1]}
        elif cmd["op"] == "pinground":  # all subscribers ping at once; latency = pong time - first write
            for s in subs:
                s.log, s.pos = [], len(s.frames)
            await sleep_until(cmd["start"])
            sent = clock()
            for s in subs:
                s.transport.write(PING)
            reply = await gather(subs, b"pusher:pong", 1, lambda k, t, p: t - sent)
        elif cmd["op"] == "record":
            for s in subs:
                s.log, s.pos = [], len(s.frames)
        elif cmd["op"] == "collect":  # fan-out: latency = receive time - send time in the data
            reply = await gather(subs, b'"event":"e"', cmd["rounds"], lambda k, t, p: t - int(STAMP.search(p)[1]),
                                 lambda p: STAMP.search(p) is not None)
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


async def gather(subs, needle, rounds, latency, keep=lambda p: True, timeout=10.0):
    """Waits until every subscriber has `rounds` matching frames (or `timeout`), ends recording,
    and returns their latencies in ms and how many are missing."""
    deadline = time.monotonic() + timeout
    while True:
        got = []
        for s in subs:
            s.drain()
            got.append([(t, p) for t, _, p in s.frames[s.pos:] if needle in p and keep(p)])
        if all(len(g) >= rounds for g in got) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.01)
    for s in subs:
        s.log, s.pos = None, len(s.frames)
    ms = [round(latency(k, t, p) / 1e6, 4) for g in got for k, (t, p) in enumerate(g[:rounds])]
    return {"ms": ms, "received": sum(len(g) for g in got), "lost": rounds * len(subs) - len(ms),
            "closed": sum(1 for s in subs if s.lost)}


class Trigger:
    """POST /apps/{id}/events on one keep-alive connection, signed as the Pusher HTTP API requires."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.app, self.key, self.secret = (os.environ[f"REVERB_APP_{v}"] for v in ("ID", "KEY", "SECRET"))

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def send(self, channel, data=None):
        """Triggers event `e` on `channel` with `data` (default: its send time); returns the send time."""
        stamp = clock()  # taken before signing, so the signing cost counts as part of the trigger
        body = json.dumps({"name": "e", "channels": [channel], "data": data or str(stamp)}, separators=(",", ":")).encode()
        query = (f"auth_key={self.key}&auth_timestamp={int(time.time())}&auth_version=1.0"
                 f"&body_md5={hashlib.md5(body).hexdigest()}")
        path = f"/apps/{self.app}/events"
        signature = hmac.new(self.secret.encode(), f"POST\n{path}\n{query}".encode(), hashlib.sha256).hexdigest()
        self.writer.write(f"POST {path}?{query}&auth_signature={signature} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                          f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode()
        length = int(re.search(r"(?i)content-length:\s*(\d+)", head)[1])
        answer = await self.reader.readexactly(length)
        if not head.startswith("HTTP/1.1 200"):
            raise RuntimeError(f"trigger answered {head.splitlines()[0]}: {answer[:200]!r}")
        return stamp


def pct(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def cpu_ms(pid):
    """User + system CPU time of the process so far (all its threads)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        return int(next(line for line in status if line.startswith("VmRSS:")).split()[1])


async def coordinator(a):
    workers = [await asyncio.create_subprocess_exec(sys.executable, __file__, "--worker", "--host", a.host, "--port", str(a.port),
                                                    stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=1 << 26)
               for _ in range(a.procs)]

    async def ask(make):  # one command to every worker (make(i) builds worker i's), their answers
        for i, w in enumerate(workers):
            w.stdin.write((json.dumps(make(i)) + "\n").encode())
        return [json.loads(await w.stdout.readline() or b'{"failed": -1, "error": "worker died"}') for w in workers]

    def share(n, i):
        return n // a.procs + (i < n % a.procs)

    def check(answers, what):
        failed = [r for r in answers if r.get("failed") or r.get("lost") or r.get("closed")]
        if failed:
            raise RuntimeError(f"{what}: {failed[0].get('error') or {k: failed[0].get(k) for k in ('lost', 'closed')}}")

    try:
        out = {"connections": a.connections, "subscribers": a.subscribers}
        log = lambda text: print(text, file=sys.stderr, flush=True)
        log(f"opening {a.connections} idle connections from {a.procs} processes ...")
        before, started = rss_kb(a.serve_pid), time.monotonic()
        answers = await ask(lambda i: {"op": "connect", "n": share(a.connections, i)})
        out["connect_s"] = time.monotonic() - started
        check(answers, "opening connections")
        await asyncio.sleep(2)
        out["rss_before_kb"], out["rss_after_kb"] = before, rss_kb(a.serve_pid)

        log(f"subscribing {a.subscribers} of them to channel bench ...")
        check(await ask(lambda i: {"op": "subscribe", "n": share(a.subscribers, i), "channel": "bench"}), "subscribing")
        one, trigger = await open_socket(a.host, a.port, os.environ["REVERB_APP_KEY"]), Trigger(a.host, a.port)
        await subscribe(one, "bench-one")
        await trigger.open()

        log(f"one connection: {a.sequential} sequential pings, then {a.sequential} sequential triggers ...")
        async def sequential(send):  # send() -> (send time, what the answer contains); 20 warm-ups first
            ms = []
            for n in range(a.sequential + 20):
                sent, needle = await send()
                received = (await one.expect(needle))[0]
                ms += [(received - sent) / 1e6] if n >= 20 else []
            return ms

        async def ping():
            sent = clock()
            one.transport.write(PING)
            return sent, b"pusher:pong"

        async def fire():
            sent = await trigger.send("bench-one")
            return sent, f'"data":"{sent}"'.encode()
        out["ping1"], out["trigger1"] = await sequential(ping), await sequential(fire)

        interval = int(a.interval * 1e6)
        log(f"{a.subscribers} subscribers: {a.rounds} rounds of simultaneous pings, every {a.interval:g} ms ...")
        out["pingall"], start, cpu = [], clock() + 100_000_000, cpu_ms(a.serve_pid)
        for r in range(a.rounds):  # each worker pings at `start`; the next round once all pongs are in
            answers = await ask(lambda i: {"op": "pinground", "start": start})
            check(answers, "ping-all")
            out["pingall"] += [v for r in answers for v in r["ms"]]
            start = max(clock() + 1_000_000, start + interval)
        out["pingall_cpu_ms"] = cpu_ms(a.serve_pid) - cpu

        log(f"{a.subscribers} subscribers: {a.rounds} triggered events, every {a.interval:g} ms ...")
        await ask(lambda i: {"op": "record"})
        for _ in range(3):  # warm-up events (their data carries no send time, so they are not counted)
            await trigger.send("bench", "warm-up")
        start, cpu = clock() + 100_000_000, cpu_ms(a.serve_pid)
        for r in range(a.rounds):
            await sleep_until(start + r * interval)
            await trigger.send("bench")
        answers = await ask(lambda i: {"op": "collect", "rounds": a.rounds})
        out["fanout_cpu_ms"] = cpu_ms(a.serve_pid) - cpu
        out["fanout"] = [v for r in answers for v in r["ms"]]
        out["fanout_received"] = sum(r["received"] for r in answers)  # duplicates would show too
        out["fanout_expected"] = a.rounds * a.subscribers
        out["fanout_closed"] = sum(r["closed"] for r in answers)
        return out
    finally:
        for w in workers:
            if w.returncode is None:
                w.kill()
            await w.wait()


def report(out, a):
    """The summary table and one line per target; False when events were lost."""
    rows = [("ping -> pong, 1 connection, sequential", out["ping1"]),
            ("trigger -> event, 1 subscriber, sequential", out["trigger1"]),
            (f"ping -> pong, {a.subscribers} connections at once", out["pingall"]),
            (f"trigger -> event, {a.subscribers} subscribers (fan-out)", out["fanout"])]
    per_conn = (out["rss_after_kb"] - out["rss_before_kb"]) / a.connections
    print(f"hub benchmark: {a.connections} idle connections, {a.subscribers} subscribers, {a.rounds} rounds "
          f"every {a.interval:g} ms, {a.sequential} sequential, {a.procs} client processes")
    print(f"idle: {a.connections} connections opened in {out['connect_s']:.2f} s ({a.connections / out['connect_s']:,.0f}/s); "
          f"serve VmRSS {out['rss_before_kb'] / 1024:.1f} MB -> {out['rss_after_kb'] / 1024:.1f} MB = {per_conn:.1f} KB per idle connection")
    print(f"{'latency (ms)':52} {'p50':>8} {'p99':>8} {'max':>8} {'samples':>9}")
    for name, ms in rows:
        print(f"{name:52} {pct(ms, .5):8.3f} {pct(ms, .99):8.3f} {pct(ms, 1):8.3f} {len(ms):9}")
    complete = out["fanout_received"] == out["fanout_expected"] and not out["fanout_closed"]
    print(f"fan-out deliveries: {out['fanout_received']} received, {out['fanout_expected']} expected"
          + ("" if complete else f"  -- EVENTS LOST ({out['fanout_closed']} subscribers closed)"))
    print(f"serve CPU: {out['pingall_cpu_ms'] * 1000 / max(1, len(out['pingall'])):.0f} us per ping-all ping, "
          f"{out['fanout_cpu_ms'] * 1000 / max(1, out['fanout_received']):.0f} us per fan-out delivery")
    fan_p99, trig_p50 = pct(out["fanout"], .99), pct(out["trigger1"], .5)
    print(f"ratios: fan-out p99 / ping-all p99 = {fan_p99 / pct(out['pingall'], .99):.2f};  "
          f"trigger p50 / single ping p50 = {trig_p50 / pct(out['ping1'], .5):.2f}")
    for text, met in ((f"<= 20 KB per idle connection ({per_conn:.1f} KB)", per_conn <= 20),
                      (f"fan-out p99 <= 20 ms with {a.subscribers} subscribers ({fan_p99:.2f} ms)", fan_p99 <= 20),
                      (f"trigger -> receive p50 <= 2 ms ({trig_p50:.2f} ms)", trig_p50 <= 2)):
        print(f"target {text}: {'met' if met else 'MISSED'}")
    return complete


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--worker", action="store_true", help="internal: run as a worker process")
    # --rounds: fan-out events and ping-all rounds, --interval ms apart; --sequential: pings and
    # triggers on one connection; --duration: bound on the whole run in seconds.
    for name, kind, default in (("port", int, None), ("serve-pid", int, None), ("connections", int, 10_000),
                                ("subscribers", int, 1_000), ("rounds", int, 50), ("interval", float, 100),
                                ("sequential", int, 500), ("procs", int, 2), ("duration", float, 150)):
        p.add_argument("--" + name, type=kind, default=default)
    a = p.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if a.worker:
        return asyncio.run(worker(a.host, a.port, os.environ["REVERB_APP_KEY"]))
    if a.subscribers > a.connections:
        sys.exit("--subscribers must not exceed --connections (the subscribers are some of the idle connections)")
    try:
        out = asyncio.run(asyncio.wait_for(coordinator(a), a.duration))
    except (Exception, asyncio.TimeoutError) as error:
        print(f"hub benchmark failed: {error!r}" if not isinstance(error, asyncio.TimeoutError)
              else f"hub benchmark failed: not finished within --duration {a.duration:g} s", file=sys.stderr)
        sys.exit(1)
    sys.exit(0 if report(out, a) else 1)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # Ctrl-C: hub.sh's trap stops serve and PostgreSQL
        sys.exit(130)
