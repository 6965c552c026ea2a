"""Load client for bench/hub.sh: drives `callctl serve`'s Pusher hub over loopback.

Deliberately light (Python's per-message cost would otherwise dominate 1,000 subscribers):
raw asyncio Protocols, manual HTTP upgrade, masked client frames, a minimal frame parser.
Receive times are taken first thing in data_received; while a phase is measured, chunks are
only logged with that time and parsed afterwards. Connections are spread over --procs
worker processes (this script with --worker, driven by JSON lines on stdin/stdout); the
coordinator keeps one connection for the sequential phases and sends every HTTP trigger.
All processes read CLOCK_MONOTONIC (time.monotonic_ns), one clock for the machine, so the
send time carried in an event's data compares with any process's receive time.

Prints one JSON object (latency summaries in ms, counts, serve's memory and CPU), for
hub.sh to print and judge (a lost fan-out event is counted there); exits 1 without it when
the run failed: a connection refused or closed, a pong lost, a trigger answered non-200, or
--duration passed. The app: REVERB_APP_ID, REVERB_APP_KEY, REVERB_APP_SECRET (never printed)."""
import argparse, asyncio, base64, hashlib, hmac, json, os, re, resource, signal, sys, time

clock = time.monotonic_ns
STAMP = re.compile(rb'"data":"(\d+)"')  # a fan-out event's send time (warm-up events carry none)


def frame(text: bytes) -> bytes:
    """A masked client text frame (RFC 6455 requires clients to mask), payload < 64 KB."""
    key, n = os.urandom(4), len(text)
    head = bytes([0x81, 0x80 | n]) if n < 126 else bytes([0x81, 0xFE]) + n.to_bytes(2, "big")
    masked = int.from_bytes(text, "big") ^ int.from_bytes((key * (n // 4 + 1))[:n], "big")
    return head + key + masked.to_bytes(n, "big")


PING = frame(b'{"event":"pusher:ping","data":{}}')


class Socket(asyncio.Protocol):
    """One hub connection; `frames` holds (receive time ns, opcode, payload), read from `pos`."""

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
        self.wake()

    def connection_lost(self, exc):
        self.lost = self.lost or f"connection lost ({exc or 'closed by the server'})"
        self.wake()

    def wake(self):  # resumes expect()
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

    def record(self, on=True):
        """Starts (or ends) logging raw chunks; frames received so far are skipped."""
        self.log, self.pos = [] if on else None, len(self.frames)

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
            try:
                await asyncio.wait_for(self.waiter, max(0.001, deadline - time.monotonic()))
            except asyncio.TimeoutError:  # not the --duration bound: say what did not arrive
                raise ConnectionError(f"no {needle.decode()} within {timeout:g} s") from None


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
            results, reply = await bounded(open_socket(host, port, key) for _ in range(cmd["n"]))
            socks = [r for r in results if isinstance(r, Socket)]
        elif cmd["op"] == "subscribe":
            subs = socks[:cmd["n"]]
            reply = (await bounded(subscribe(s, cmd["channel"]) for s in subs))[1]
        elif cmd["op"] == "pinground":  # all subscribers ping at once; latency = pong time - first write
            for s in subs:
                s.record()
            await sleep_until(cmd["start"])
            sent = clock()
            for s in subs:
                s.transport.write(PING)
            reply = await gather(subs, b"pusher:pong", 1, lambda t, p: t - sent)
        elif cmd["op"] == "record":
            for s in subs:
                s.record()
        elif cmd["op"] == "collect":  # fan-out: latency = receive time - send time in the data
            reply = await gather(subs, b'"event":"e"', cmd["rounds"], lambda t, p: t - int(STAMP.search(p)[1]),
                                 lambda p: STAMP.search(p) is not None)
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


async def gather(subs, needle, rounds, latency, keep=lambda p: True, timeout=10.0):
    """Waits until every subscriber has `rounds` frames with `needle` (or `timeout`), ends
    recording; their latencies in ms, how many arrived, how many are missing."""
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
        s.record(False)
    ms = [round(latency(t, p) / 1e6, 4) for g in got for t, p in g[:rounds]]
    return {"ms": ms, "received": sum(len(g) for g in got), "lost": rounds * len(subs) - len(ms),
            "closed": sum(1 for s in subs if s.lost)}


async def trigger_on(host, port):
    """send(channel, data=None): POST /apps/{id}/events on one keep-alive connection, signed as
    the Pusher HTTP API requires; data defaults to the send time, which it returns."""
    app, key, secret = (os.environ[f"REVERB_APP_{v}"] for v in ("ID", "KEY", "SECRET"))
    reader, writer = await asyncio.open_connection(host, port)

    async def send(channel, data=None):
        stamp = clock()  # taken before signing, so the signing cost counts as part of the trigger
        body = json.dumps({"name": "e", "channels": [channel], "data": data or str(stamp)}, separators=(",", ":")).encode()
        query = f"auth_key={key}&auth_timestamp={int(time.time())}&auth_version=1.0&body_md5={hashlib.md5(body).hexdigest()}"
        signature = hmac.new(secret.encode(), f"POST\n/apps/{app}/events\n{query}".encode(), hashlib.sha256).hexdigest()
        writer.write(f"POST /apps/{app}/events?{query}&auth_signature={signature} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                     f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        answer = await reader.readexactly(int(re.search(r"(?i)content-length:\s*(\d+)", head)[1]))
        if not head.startswith("HTTP/1.1 200"):
            raise RuntimeError(f"trigger answered {head.splitlines()[0]}: {answer[:200]!r}")
        return stamp
    return send


def summary(ms):
    """p50, p99 and max (nearest rank) and the count of latencies in ms."""
    ordered = sorted(ms) or [float("nan")]
    at = lambda fraction: round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))], 3)
    return {"p50": at(.5), "p99": at(.99), "max": at(1), "n": len(ms)}


def cpu_ms(pid):  # user + system CPU time of the process so far, all threads (fields 14 and 15 of stat)
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def rss_kb(pid):
    return int(re.search(r"VmRSS:\s+(\d+)", open(f"/proc/{pid}/status").read())[1])


async def coordinator(a, out):
    """Runs the phases, filling `out`."""
    pipe, command = asyncio.subprocess.PIPE, (sys.executable, __file__, "--worker", "--host", a.host, "--port", str(a.port))
    workers = [await asyncio.create_subprocess_exec(*command, stdin=pipe, stdout=pipe, limit=1 << 26) for _ in range(a.procs)]

    async def ask(what, **cmd):  # one command to every worker (`n` shared out between them); their answers
        for i, w in enumerate(workers):
            share = {"n": cmd["n"] // a.procs + (i < cmd["n"] % a.procs)} if "n" in cmd else {}
            w.stdin.write((json.dumps({**cmd, **share}) + "\n").encode())
        answers = [json.loads(await w.stdout.readline() or b'{"failed": 1, "error": "worker died"}') for w in workers]
        bad = [r for r in answers if r.get("failed") or r.get("closed") or (r.get("lost") and cmd["op"] != "collect")]
        if bad:
            raise RuntimeError(f"{what}: {bad[0].get('error') or {k: bad[0].get(k) for k in ('lost', 'closed')}}")
        return answers

    try:
        log = lambda text: print(text, file=sys.stderr, flush=True)
        log(f"opening {a.connections} idle connections from {a.procs} processes ...")
        before, started = rss_kb(a.serve_pid), time.monotonic()
        await ask("opening connections", op="connect", n=a.connections)
        out["connect_s"] = time.monotonic() - started
        cpu = cpu_ms(a.serve_pid)
        await asyncio.sleep(2)  # let serve settle before reading its memory; its CPU use while idle
        out["rss_before_kb"], out["rss_after_kb"] = before, rss_kb(a.serve_pid)
        out["idle_cpu_ms_per_s"] = (cpu_ms(a.serve_pid) - cpu) / 2

        log(f"subscribing {a.subscribers} of them to channel bench ...")
        await ask("subscribing", op="subscribe", n=a.subscribers, channel="bench")
        one, trigger = await open_socket(a.host, a.port, os.environ["REVERB_APP_KEY"]), await trigger_on(a.host, a.port)
        await subscribe(one, "bench-one")

        log(f"one connection: {a.sequential} sequential pings, then {a.sequential} sequential triggers ...")
        async def sequential(send, needle):  # round trips on `one`, 20 warm-ups first; send() -> send time
            ms = []
            for n in range(a.sequential + 20):
                sent = await send()
                received = (await one.expect(needle(sent)))[0]
                ms += [(received - sent) / 1e6] if n >= 20 else []
            return summary(ms)

        async def ping():
            return (clock(), one.transport.write(PING))[0]  # the time, then the write
        out["ping1"] = await sequential(ping, lambda sent: b"pusher:pong")
        out["trigger1"] = await sequential(lambda: trigger("bench-one"), lambda sent: f'"data":"{sent}"'.encode())

        interval = int(a.interval * 1e6)
        log(f"{a.subscribers} subscribers: {a.rounds} rounds of simultaneous pings, every {a.interval:g} ms ...")
        pongs, start, cpu = [], clock() + 100_000_000, cpu_ms(a.serve_pid)
        for _ in range(a.rounds):  # every worker pings at `start`; the next round once all pongs are in
            pongs += [v for r in await ask("ping-all", op="pinground", start=start) for v in r["ms"]]
            start = max(clock() + 1_000_000, start + interval)
        out["pingall"], out["pingall_cpu_ms"] = summary(pongs), cpu_ms(a.serve_pid) - cpu

        log(f"{a.subscribers} subscribers: {a.rounds} triggered events, every {a.interval:g} ms ...")
        await ask("recording", op="record")
        for _ in range(3):  # warm-up events (their data carries no send time, so they are not counted)
            await trigger("bench", "warm-up")
        start, cpu = clock() + 100_000_000, cpu_ms(a.serve_pid)
        for r in range(a.rounds):
            await sleep_until(start + r * interval)
            await trigger("bench")
        answers = await ask("fan-out", op="collect", rounds=a.rounds)
        out["fanout_cpu_ms"] = cpu_ms(a.serve_pid) - cpu
        out["fanout"] = summary([v for r in answers for v in r["ms"]])
        out["fanout_received"] = sum(r["received"] for r in answers)  # duplicates would show too
        out["fanout_expected"] = a.rounds * a.subscribers
    finally:
        for w in workers:
            if w.returncode is None:
                w.kill()
            await w.wait()


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
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # one descriptor per connection
    if a.worker:  # Ctrl-C is the coordinator's to handle: it kills the workers (they also end on stdin's EOF)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        return asyncio.run(worker(a.host, a.port, os.environ["REVERB_APP_KEY"]))
    if not 1 <= a.subscribers <= a.connections or a.rounds < 1 or a.sequential < 1 or a.procs < 1:
        sys.exit("need 1 <= --subscribers <= --connections (subscribers are some of the idle connections), "
                 "--rounds, --sequential, --procs >= 1")
    out = {"connections": a.connections, "subscribers": a.subscribers, "rounds": a.rounds, "interval_ms": a.interval,
           "sequential": a.sequential, "procs": a.procs}
    try:
        asyncio.run(asyncio.wait_for(coordinator(a, out), a.duration))
    except asyncio.TimeoutError:
        sys.exit(f"hub benchmark failed: not finished within --duration {a.duration:g} s")
    except Exception as error:
        sys.exit(f"hub benchmark failed: {error!r}")
    print(json.dumps(out))  # hub.sh prints the table and judges the counts


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # Ctrl-C: hub.sh's trap stops serve and PostgreSQL
        sys.exit(130)
