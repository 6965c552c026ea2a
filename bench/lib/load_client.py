"""Load client for bench/load.sh: N appointments calling through `callctl serve`'s lifecycle
API at once, with a Laravel Echo-like subscriber on every appointment channel.

1. N WebSocket subscribers (raw asyncio, hub_load.Socket), each signed for its channel
   private-appointments.{id} by POST /broadcasting/auth with the patient's token, as Echo does.
2. N keep-alive HTTP connections; the baseline first: each sends as many GET /healthz as a
   cycle has requests, all connections at once (client, HTTP and loopback cost, no database).
3. The load: all N appointments at once run a full cycle: request (doctor), accept (patient),
   started (both), heartbeat (both), end (patient). Cycle and request latencies, cycles/s.
   A request shed with 503 `overloaded` is counted and timed apart (shed_ms) and sent again
   after its Retry-After; request_ms holds the admitted answers.
4. Waits (up to --settle s) until every subscriber holds the events its cycle emits, then counts
   what each received (duplicates too) for load.sh to compare with the outbox rows, and times
   each event from its request's send (event_ms).
5. The same path without the lifecycle: --trigger-rounds rounds of one event per channel
   triggered through the HTTP API (POST /apps/{id}/events), all channels at once; trigger_ms
   is send -> receive.

Prints one JSON object; exits 1 when the run failed (a connection lost, a subscription or
request refused) or --duration passed. Secrets come from the environment, never printed."""
import argparse, asyncio, json, os, resource, sys, time, urllib.parse

from cycle_client import Connection, percentile, token
from hub_load import bounded, clock, frame, open_socket, trigger_on

EVENTS_PER_CYCLE = 5  # requested, accepted, started x2, ended (heartbeats emit nothing)
CYCLE = ("request", "accept", "started", "started", "heartbeat", "heartbeat", "end")


async def subscriber(a, appointment, patient_token):
    sock = await open_socket(a.host, a.port, os.environ["REVERB_APP_KEY"])
    established = json.loads(sock.frames[sock.pos - 1][2])
    socket_id = json.loads(established["data"])["socket_id"]
    channel = f"private-appointments.{appointment}"
    reader, writer = await asyncio.open_connection(a.host, a.port)
    body = urllib.parse.urlencode({"socket_id": socket_id, "channel_name": channel})
    status, data = await Connection(reader, writer, f"{a.host}:{a.port}").send_form("/broadcasting/auth", patient_token, body)
    writer.close()
    if status != 200:
        raise ConnectionError(f"/broadcasting/auth answered {status} for {channel}: {data[:120]!r}")
    auth = json.loads(data)["auth"]
    sock.transport.write(frame(json.dumps({"event": "pusher:subscribe", "data": {"channel": channel, "auth": auth}}).encode()))
    await sock.expect(b"pusher_internal:subscription_succeeded")
    sock.record(False)  # frames from here on are the channel's events
    return sock


EMITS = {"request", "accept", "started", "end"}  # the actions whose answer comes with an event


async def cycle(connection, appointment, doctor, patient, request_ms, shed_ms, sent):
    """One appointment's cycle. A 503 `overloaded` (with Retry-After, as the contract says) is
    a shed request: timed apart, and sent again after Retry-After, as a client would."""
    base = f"/appointments/{appointment}/call/"
    call_id = None
    for action, who in zip(CYCLE, ("d", "p", "d", "p", "d", "p", "p")):
        user, bearer = (doctor if who == "d" else patient)
        body = {"peerId": f"{who}{user}"} if action == "request" else {"callId": call_id}
        while True:
            t0, stamp = time.perf_counter(), clock()
            status, data = await connection.send("POST", base + action, bearer, body)
            elapsed = (time.perf_counter() - t0) * 1000
            if status != 503:
                break
            if json.loads(data).get("reason") != "overloaded" or connection.retry_after is None:
                raise RuntimeError(f"{action} on appointment {appointment}: 503 without overloaded and Retry-After: {data[:160]!r}")
            shed_ms.append(elapsed)
            await asyncio.sleep(float(connection.retry_after))
        request_ms.append(elapsed)
        if status != 200:
            raise RuntimeError(f"{action} on appointment {appointment} answered {status}: {data[:160]!r}")
        if action in EMITS:
            sent.append((stamp, clock()))
        if action == "request":
            call_id = json.loads(data)["callId"]


async def run(a, out):
    secret = os.environ["CALLCTL_JWT_SECRET"].encode()
    pairs = [(a.first_appointment + i, (a.first_user + 2 * i, token(secret, a.first_user + 2 * i)),
              (a.first_user + 2 * i + 1, token(secret, a.first_user + 2 * i + 1))) for i in range(a.appointments)]
    t0 = time.perf_counter()
    subs, problems = await bounded([subscriber(a, ap, patient[1]) for ap, _, patient in pairs])
    if problems["failed"]:
        raise ConnectionError(f"{problems['failed']} subscribers failed: {problems['error']}")
    out["subscribe_s"] = round(time.perf_counter() - t0, 2)

    async def connect():
        reader, writer = await asyncio.open_connection(a.host, a.port)
        return Connection(reader, writer, f"{a.host}:{a.port}")
    connections, problems = await bounded([connect() for _ in pairs])
    if problems["failed"]:
        raise ConnectionError(f"{problems['failed']} HTTP connections failed: {problems['error']}")

    async def timed(coroutines, cycle_ms):
        async def one(coro):
            start = time.perf_counter()
            await coro
            cycle_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        await asyncio.gather(*(one(c) for c in coroutines))
        return time.perf_counter() - start

    sent = {ap: [] for ap, _, _ in pairs}  # appointment -> send times of its event-emitting requests

    async def health(connection, request_ms, shed_ms):
        for _ in CYCLE:
            t0 = time.perf_counter()
            status, _ = await connection.send("GET", "/healthz")
            request_ms.append((time.perf_counter() - t0) * 1000)
            if status != 200:
                raise RuntimeError(f"GET /healthz answered {status}")

    for name, make in (("baseline", lambda c, p, r, s: health(c, r, s)),
                       ("load", lambda c, p, r, s: cycle(c, p[0], p[1], p[2], r, s, sent[p[0]]))):
        cycle_ms, request_ms, shed_ms = [], [], []
        seconds = await timed([make(c, p, request_ms, shed_ms) for c, p in zip(connections, pairs)], cycle_ms)
        out[name] = {"cycles": len(cycle_ms), "seconds": round(seconds, 3), "cycles_per_s": round(len(cycle_ms) / seconds, 1),
                     "cycle_ms": {"p50": round(percentile(cycle_ms, 0.5), 2), "p99": round(percentile(cycle_ms, 0.99), 2)},
                     "request_ms": {"p50": round(percentile(request_ms, 0.5), 2), "p99": round(percentile(request_ms, 0.99), 2),
                                    "max": round(max(request_ms, default=0), 2)},
                     "requests": len(request_ms), "shed": len(shed_ms),
                     "shed_ms": {"p50": round(percentile(shed_ms, 0.5), 2), "p99": round(percentile(shed_ms, 0.99), 2),
                                 "max": round(max(shed_ms, default=0), 2)}}

    def events(sock):
        return sum(1 for _, opcode, payload in sock.frames[sock.pos:] if opcode == 1 and b"Appointment" in payload)
    deadline = time.monotonic() + a.settle
    while time.monotonic() < deadline and any(events(s) < EVENTS_PER_CYCLE for s in subs):
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # anything beyond the expected count (a duplicate) shows up too
    counts = [events(s) for s in subs]
    out["received"] = sum(counts)
    out["subscribers_short"] = sum(1 for c in counts if c < EVENTS_PER_CYCLE)
    out["subscribers_over"] = sum(1 for c in counts if c > EVENTS_PER_CYCLE)
    lost = [s.lost for s in subs if s.lost]
    out["subscribers_lost"] = len(lost)
    # Request sent -> its event received by the appointment's subscriber (the n-th event of a
    # channel is the n-th emitting request's), then the same path without the lifecycle:
    # an event triggered through the HTTP API, from every subscriber's trigger at once.
    event_ms, after_answer_ms = [], []
    for sock, (ap, _, _) in zip(subs, pairs):
        received = [t for t, opcode, payload in sock.frames[sock.pos:] if opcode == 1 and b"Appointment" in payload]
        if len(received) == len(sent[ap]):
            event_ms += [(t - stamp) / 1e6 for t, (stamp, _) in zip(received, sent[ap])]
            after_answer_ms += [(t - answered) / 1e6 for t, (_, answered) in zip(received, sent[ap])]
    out["event_ms"] = {"p50": round(percentile(event_ms, 0.5), 2), "p99": round(percentile(event_ms, 0.99), 2),
                       "count": len(event_ms)}
    # negative when the event came before the HTTP answer
    out["event_after_answer_ms"] = {"p50": round(percentile(after_answer_ms, 0.5), 2),
                                    "p99": round(percentile(after_answer_ms, 0.99), 2)}
    mark = [len(sock.frames) for sock in subs]
    triggers = [await trigger_on(a.host, a.port) for _ in subs]
    for _ in range(a.trigger_rounds):
        await asyncio.gather(*(send(f"private-appointments.{ap}") for send, (ap, _, _) in zip(triggers, pairs)))
    await asyncio.sleep(0.5)
    trigger_ms = [(t - int(json.loads(json.loads(payload)["data"]))) / 1e6
                  for sock, start in zip(subs, mark) for t, opcode, payload in sock.frames[start:]
                  if opcode == 1 and b'"event":"e"' in payload]
    out["trigger_ms"] = {"p50": round(percentile(trigger_ms, 0.5), 2), "p99": round(percentile(trigger_ms, 0.99), 2),
                         "count": len(trigger_ms), "expected": len(subs) * a.trigger_rounds}
    for s in subs:
        s.transport.close()
    for c in connections:
        c.writer.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for name, kind, default in (("host", str, "127.0.0.1"), ("port", int, None), ("appointments", int, 1000),
                                ("first-user", int, 1), ("first-appointment", int, 1), ("settle", float, 30),
                                ("duration", float, 180), ("trigger-rounds", int, 20)):
        p.add_argument("--" + name, type=kind, default=default, required=default is None)
    a = p.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    out = {"appointments": a.appointments}
    try:
        asyncio.run(asyncio.wait_for(run(a, out), a.duration))
    except asyncio.TimeoutError:
        sys.exit(f"load benchmark failed: not finished within --duration {a.duration:g} s")
    except Exception as error:
        sys.exit(f"load benchmark failed: {error!r}")
    print(json.dumps(out))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
