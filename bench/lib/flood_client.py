"""Flood client for bench/flood.sh: one hostile client, with nothing but the public app key,
trying to exhaust `callctl serve`'s hub from one address for --duration seconds.

--sockets tasks each keep a WebSocket open (reopening at once when refused or closed) and send
pusher:subscribe for new public channels as fast as the socket takes them, unsubscribing and
resubscribing once the daemon refuses more. What the daemon answered is counted: connections
opened and refused (4004), subscriptions that succeeded, LimitReached and 4301 refusals.
Prints one JSON object. Loopback only; the app key comes from REVERB_APP_KEY."""
import argparse, asyncio, json, os, time

from hub_load import Socket, frame


async def flooder(a, index, deadline, counts):
    key = os.environ["REVERB_APP_KEY"]
    loop = asyncio.get_running_loop()
    while time.monotonic() < deadline:
        try:
            _, sock = await loop.create_connection(lambda: Socket(a.host, a.port, key), a.host, a.port)
            await sock.expect(b"pusher:", timeout=5)
        except (ConnectionError, OSError):
            counts["connect_failed"] += 1
            await asyncio.sleep(0.01)
            continue
        if b"pusher:error" in sock.frames[sock.pos - 1][2]:
            counts["refused"] += 1
            sock.transport.close()
            await asyncio.sleep(0.01)
            continue
        counts["opened"] += 1
        n = 0
        while time.monotonic() < deadline and not sock.lost:
            burst = [frame(json.dumps({"event": "pusher:subscribe", "data": {"channel": f"public-flood-{index}-{n + i}"}}).encode())
                     for i in range(20)]
            n += 20
            sock.transport.write(b"".join(burst))
            if n % 200 == 0:  # churn: give channels back and take new ones
                sock.transport.write(b"".join(
                    frame(json.dumps({"event": "pusher:unsubscribe", "data": {"channel": f"public-flood-{index}-{n - 200 + i}"}}).encode())
                    for i in range(100)))
            await asyncio.sleep(0.02)
            for _, opcode, payload in sock.frames[sock.pos:]:
                if b"subscription_succeeded" in payload:
                    counts["subscribed"] += 1
                elif b"LimitReached" in payload:
                    counts["limit_reached"] += 1
                elif b"4301" in payload:
                    counts["rate_limited"] += 1
            sock.frames.clear()
            sock.pos = 0
        sock.transport.close()


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--sockets", type=int, default=200)
    parser.add_argument("--duration", type=float, default=15)
    a = parser.parse_args()
    counts = dict.fromkeys(("opened", "refused", "connect_failed", "subscribed", "limit_reached", "rate_limited"), 0)
    deadline = time.monotonic() + a.duration
    await asyncio.gather(*(flooder(a, i, deadline, counts) for i in range(a.sockets)))
    print(json.dumps(counts))


if __name__ == "__main__":
    asyncio.run(main())
