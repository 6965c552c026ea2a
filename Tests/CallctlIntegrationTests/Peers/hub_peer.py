#!/usr/bin/env python3
"""Browser-side clients for callctl serve's Pusher hub, built on the `websockets` library.

Usage: hub_peer.py SCENARIO JSON-ARGS. Each scenario drives one or more WebSocket clients
(and, where it needs to, the official `pusher` library or the daemon's HTTP routes) and prints
one JSON object with what it observed; the Swift tests judge it. Arguments (JSON object):
  ws: ["ws://127.0.0.1:PORT", ...] one per daemon; clients are spread over them in turn
  http: ["http://127.0.0.1:PORT", ...] the same daemons over HTTP
  app_id, key, secret: the Pusher app; plus scenario-specific keys.
"""
import asyncio
import hashlib
import hmac
import json
import os
import signal
import socket
import struct
import sys
import time
import urllib.parse
import urllib.request

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

ARGS = json.loads(sys.argv[2])
TIMEOUT = 5.0


def sign(text):
    return hmac.new(ARGS["secret"].encode(), text.encode(), hashlib.sha256).hexdigest()


def auth_for(socket_id, channel, channel_data=None):
    text = f"{socket_id}:{channel}" + (f":{channel_data}" if channel_data is not None else "")
    return f"{ARGS['key']}:{sign(text)}"


def parse(raw):
    message = json.loads(raw)
    data = message.get("data")
    if isinstance(data, str):
        try:
            message["data"] = json.loads(data)
        except ValueError:
            pass
    return message


class Client:
    count = 0

    def __init__(self, ws):
        self.ws = ws
        self.socket_id = None
        self.answers_pings = False

    @classmethod
    async def open(cls, url=None, key=None, query="?protocol=7&client=hub-peer&version=1", **options):
        if url is None:
            url = ARGS["ws"][cls.count % len(ARGS["ws"])]
            cls.count += 1
        ws = await connect(f"{url}/app/{key or ARGS['key']}{query}", **options)
        client = cls(ws)
        client.first = await client.recv()
        if client.first["event"] == "pusher:connection_established":
            client.socket_id = client.first["data"]["socket_id"]
        return client

    async def recv(self, timeout=TIMEOUT):
        message = parse(await asyncio.wait_for(self.ws.recv(), timeout))
        if self.answers_pings and message["event"] == "pusher:ping":
            await self.send("pusher:pong", {})
        return message

    async def expect(self, event, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            message = await self.recv(max(deadline - time.monotonic(), 0.01))
            if message["event"] == event:
                return message

    async def quiet(self, seconds=0.4):
        """Everything received within `seconds` (to prove that nothing arrives)."""
        seen = []
        deadline = time.monotonic() + seconds
        try:
            while True:
                seen.append(await self.recv(max(deadline - time.monotonic(), 0.01)))
        except asyncio.TimeoutError:
            return seen

    async def send(self, event, data=None, channel=None):
        message = {"event": event}
        if data is not None:
            message["data"] = data
        if channel is not None:
            message["channel"] = channel
        await self.ws.send(json.dumps(message))

    async def subscribe(self, channel, signed=True, channel_data=None, auth=None):
        data = {"channel": channel}
        if channel_data is not None:
            data["channel_data"] = channel_data
        if auth is not None:
            data["auth"] = auth
        elif signed and (channel.startswith("private-") or channel.startswith("presence-")):
            data["auth"] = auth_for(self.socket_id, channel, channel_data)
        await self.send("pusher:subscribe", data)
        while True:
            message = await self.recv()
            if message["event"] in ("pusher_internal:subscription_succeeded", "pusher:error", "pusher:subscription_error"):
                return message

    async def closed(self, timeout=TIMEOUT):
        """The close code once the server closes, with the messages received before."""
        seen = []
        try:
            while True:
                seen.append(await self.recv(timeout))
        except ConnectionClosed as closed:
            return (closed.rcvd.code if closed.rcvd else None), seen


def events(messages):
    return [m["event"] for m in messages]


async def protocol():
    c = await Client.open()
    out = {"established": c.first}
    await c.send("pusher:ping", {})
    out["pong"] = (await c.recv())["event"]
    await c.ws.send("not json")
    out["malformed"] = await c.recv()
    await c.ws.send(json.dumps({"event": "x", "data": "y" * (ARGS.get("limit", 10240) + 1)}))
    out["oversized"] = await c.recv()
    await c.send("hello", {})
    out["unknown"] = await c.recv()
    await c.ws.send(json.dumps([1, 2]))
    out["array"] = await c.recv()
    out["public"] = await c.subscribe("public-news")
    out["private_unsigned"] = await c.subscribe("private-room", signed=False)
    out["private_wrong"] = await c.subscribe("private-room", auth=f"{ARGS['key']}:{'0' * 64}")
    out["private_other_socket"] = await c.subscribe("private-room", auth=auth_for("1.1", "private-room"))
    out["private"] = await c.subscribe("private-room")
    out["bad_name"] = await c.subscribe("bad name!")
    out["presence_no_data"] = await c.subscribe("presence-room", auth=auth_for(c.socket_id, "presence-room"))
    await c.send("client-hello", {"x": 1}, channel="public-news")
    out["client_public"] = await c.recv()
    await c.send("client-hello", {"x": 1}, channel="private-unsubscribed")
    out["client_unsubscribed"] = await c.recv()
    user = json.dumps({"id": "77", "name": "Ada"})
    await c.send("pusher:signin", {"user_data": user, "auth": f"{ARGS['key']}:{sign(f'{c.socket_id}::user::{user}')}"})
    out["signin"] = await c.recv()
    await c.send("pusher:signin", {"user_data": user, "auth": f"{ARGS['key']}:{'1' * 64}"})
    out["signin_wrong"] = await c.recv()
    await c.send("pusher:ping", {})
    out["alive_after_errors"] = (await c.recv())["event"]
    await c.ws.close()
    return out


async def refused():
    options = {"origin": ARGS["origin"]} if "origin" in ARGS else {}
    c = await Client.open(key=ARGS.get("use_key"), query=ARGS.get("query", "?protocol=7"), **options)
    if c.socket_id:
        await c.ws.close()
        return {"first": c.first, "code": None}
    code, _ = await c.closed()
    return {"first": c.first, "code": code}


async def limits():
    """Run against a daemon started with --presence-limit 1 --max-connections 2."""
    a, b = await Client.open(), await Client.open()
    joined = await a.subscribe("presence-room", channel_data=json.dumps({"user_id": "1"}))
    full = await b.subscribe("presence-room", channel_data=json.dumps({"user_id": "2"}))
    c = await Client.open()
    code, _ = await c.closed()
    return {"joined": joined["event"], "full": full, "third_first": c.first, "third_code": code}


async def client_events():
    a, b = await Client.open(), await Client.open()
    channel = "private-room"
    await a.subscribe(channel)
    await b.subscribe(channel)
    await a.send("client-typing", {"x": 1}, channel=channel)
    received = await b.expect("client-typing")
    echoed = await a.quiet()
    burst = ARGS.get("burst", 25)
    for n in range(burst):
        await a.send("client-burst", {"n": n}, channel=channel)
    errors = [m for m in await a.quiet(1.0) if m["event"] == "pusher:error"]
    delivered = [m for m in await b.quiet(1.0) if m["event"] == "client-burst"]
    presence = "presence-room"
    member = json.dumps({"user_id": "5", "user_info": {"name": "Eve"}})
    other = json.dumps({"user_id": "6"})
    await a.subscribe(presence, channel_data=member)
    await b.subscribe(presence, channel_data=other)
    await a.send("client-wave", {"hi": True}, channel=presence)
    wave = await b.expect("client-wave")
    return {"received": received, "echoed": events(echoed), "rate_errors": [e["data"].get("code") for e in errors],
            "burst_delivered": len(delivered), "presence_event": wave}


async def presence():
    channel = ARGS.get("channel", "presence-tenant.1.editing.doc.5")
    data = lambda user, name: json.dumps({"user_id": user, "user_info": {"name": name}})
    out = {}
    first_tab = await Client.open()
    out["first"] = (await first_tab.subscribe(channel, channel_data=data("1", "Doc")))["data"]
    second_user = await Client.open()
    out["second"] = (await second_user.subscribe(channel, channel_data=data("2", "Pat")))["data"]
    out["first_heard"] = (await first_tab.expect("pusher_internal:member_added"))["data"]
    second_tab = await Client.open()
    out["second_tab"] = (await second_tab.subscribe(channel, channel_data=data("1", "Doc")))["data"]
    out["after_second_tab"] = events(await second_user.quiet(0.8))
    out["users"] = api("GET", f"/apps/{ARGS['app_id']}/channels/{channel}/users")
    await first_tab.send("pusher:unsubscribe", {"channel": channel})
    out["after_first_tab_left"] = events(await second_user.quiet(0.8))
    await second_tab.ws.close()
    out["after_both_left"] = (await second_user.expect("pusher_internal:member_removed"))["data"]
    out["users_after"] = api("GET", f"/apps/{ARGS['app_id']}/channels/{channel}/users", daemon=-1)
    return out


def api(method, path, body=None, daemon=0):
    """A request signed with the Pusher HTTP API's scheme, built by the official library."""
    import pusher
    base = urllib.parse.urlparse(ARGS["http"][daemon])
    client = pusher.Pusher(app_id=ARGS["app_id"], key=ARGS["key"], secret=ARGS["secret"], host=base.hostname,
                           port=base.port, ssl=False)
    if path.endswith("/users"):
        return client.users_info(path.split("/channels/")[1][: -len("/users")])
    return client.channel_info(path.split("/channels/")[1], ["subscription_count"])


async def trigger():
    import pusher
    a, b = await Client.open(), await Client.open()
    await a.subscribe("public-news")
    await b.subscribe("public-news")
    base = urllib.parse.urlparse(ARGS["http"][0])
    client = pusher.Pusher(app_id=ARGS["app_id"], key=ARGS["key"], secret=ARGS["secret"], host=base.hostname,
                           port=base.port, ssl=False)
    latencies = []
    for n in range(ARGS.get("rounds", 20)):
        started = time.perf_counter()
        client.trigger("public-news", "greet", {"n": n})
        got_a = await a.expect("greet")
        got_b = await b.expect("greet")
        latencies.append((time.perf_counter() - started) * 1000)
        assert got_a["data"] == {"n": n} and got_b["data"] == {"n": n}, (got_a, got_b)
    client.trigger("public-news", "not-for-a", {"x": 1}, socket_id=a.socket_id)
    excluded = await b.expect("not-for-a")
    a_saw = events(await a.quiet(0.5))
    client.trigger_batch([{"channel": "public-news", "name": "batched", "data": {"i": i}} for i in range(3)])
    batch = [(await b.expect("batched"))["data"]["i"] for _ in range(3)]
    info = client.channel_info("public-news", ["subscription_count"])
    return {"latencies_ms": latencies, "excluded_to_b": excluded["data"], "a_saw": a_saw, "batch": batch, "info": info}


async def lifecycle():
    channel = f"private-appointments.{ARGS['appointment']}"
    c = await Client.open()
    form = urllib.parse.urlencode({"socket_id": c.socket_id, "channel_name": channel}).encode()
    request = urllib.request.Request(f"{ARGS['http'][-1]}/broadcasting/auth", data=form, method="POST", headers={
        "Authorization": f"Bearer {ARGS['token']}", "Content-Type": "application/x-www-form-urlencoded"})
    auth = json.loads(urllib.request.urlopen(request, timeout=TIMEOUT).read())["auth"]
    subscribed = await c.subscribe(channel, auth=auth)
    body = json.dumps({"peerId": "peer-hub-1"}).encode()
    request = urllib.request.Request(f"{ARGS['http'][0]}/appointments/{ARGS['appointment']}/call/request", data=body,
                                     method="POST", headers={"Authorization": f"Bearer {ARGS['token']}",
                                                             "Content-Type": "application/json"})
    started = time.perf_counter()
    answer = json.loads(urllib.request.urlopen(request, timeout=TIMEOUT).read())
    event = await c.expect(ARGS["event"])
    return {"subscribed": subscribed["event"], "answer": answer, "event": event,
            "latency_ms": (time.perf_counter() - started) * 1000}


async def shutdown():
    c = await Client.open()
    await c.subscribe("public-news")
    os.kill(ARGS["pid"], signal.SIGTERM)
    code, seen = await c.closed()
    return {"code": code, "seen": events(seen)}


async def silent():
    c = await Client.open()
    started = time.perf_counter()
    code, seen = await c.closed(timeout=ARGS.get("wait", 20))
    return {"code": code, "seen": events(seen), "seconds": time.perf_counter() - started}


def reset(client):
    """Ends the client's TCP connection with a reset (RST), as a phone losing its network does."""
    sock = client.ws.transport.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.ws.transport.abort()


async def wait_for_file(path, timeout=30):
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} never appeared")
        await asyncio.sleep(0.02)


async def departure():
    """A member's connection ends by ARGS["ending"] (reset, close, protocol, silent); what the other member and the
    HTTP API see, then the same after a clean rejoin and leave. With ARGS["gate"], waits for the file gate + ".go"
    after writing gate + ".ready" before ending the connection."""
    channel = "presence-room"
    doctor = await Client.open()
    doctor.answers_pings = True
    await doctor.subscribe(channel, channel_data=json.dumps({"user_id": "1"}))
    patient = await Client.open()
    await patient.subscribe(channel, channel_data=json.dumps({"user_id": "2"}))
    await doctor.expect("pusher_internal:member_added")
    if "gate" in ARGS:
        open(ARGS["gate"] + ".ready", "w").close()
        await wait_for_file(ARGS["gate"] + ".go")
    ending = ARGS["ending"]
    if ending == "reset":
        reset(patient)
    elif ending == "close":
        await patient.ws.close()
    elif ending == "protocol":
        await patient.ws.send("x" * 70000)
    started = time.perf_counter()
    removed = await doctor.expect("pusher_internal:member_removed", timeout=ARGS.get("within", 10))
    out = {"removed": removed["data"], "seconds": time.perf_counter() - started}
    if ending in ("protocol", "silent"):
        code, _ = await patient.closed(timeout=ARGS.get("within", 10))
        out["patient_code"] = code
    out["after"] = events(await doctor.quiet(1.0))
    out["users"] = api("GET", f"/apps/{ARGS['app_id']}/channels/{channel}/users")
    again = await Client.open()
    await again.subscribe(channel, channel_data=json.dumps({"user_id": "2"}))
    out["rejoined"] = (await doctor.expect("pusher_internal:member_added"))["data"]
    await again.send("pusher:unsubscribe", {"channel": channel})
    out["left"] = (await doctor.expect("pusher_internal:member_removed"))["data"]
    out["after_left"] = events(await doctor.quiet(1.0))
    out["users_after"] = api("GET", f"/apps/{ARGS['app_id']}/channels/{channel}/users")
    await again.ws.close()
    await doctor.ws.close()
    return out


async def reset_flood():
    """ARGS["sockets"] anonymous clients subscribe to ARGS["channels"] public channels each, then all reset."""
    clients = [await Client.open() for _ in range(ARGS.get("sockets", 20))]
    for index, client in enumerate(clients):
        for channel in range(ARGS.get("channels", 50)):
            await client.send("pusher:subscribe", {"channel": f"public-flood-{index}-{channel}"})
    for client in clients:
        for _ in range(ARGS.get("channels", 50)):
            await client.expect("pusher_internal:subscription_succeeded")
    info = api("GET", f"/apps/{ARGS['app_id']}/channels/public-flood-0-0")
    for client in clients:
        reset(client)
    return {"subscribed": info}


async def bounds():
    """Run against a daemon started with --max-channels 3 --subscribe-rate 5: eight subscriptions at once on one
    connection, then one after unsubscribing."""
    c = await Client.open()
    for n in range(8):
        await c.send("pusher:subscribe", {"channel": f"public-bound-{n}"})
    answers = []
    for _ in range(8):
        message = await c.recv()
        answers.append(message["event"] if message["event"] != "pusher:error" else f"error {message['data'].get('code')}")
    await asyncio.sleep(1.1)
    await c.send("pusher:unsubscribe", {"channel": "public-bound-0"})
    after = (await c.subscribe("public-bound-9"))["event"]
    await c.send("pusher:ping", {})
    alive = (await c.recv())["event"]
    return {"answers": answers, "after_unsubscribe": after, "alive": alive}


async def per_address():
    """ARGS["forwarded"]: the X-Forwarded-For of each connection, opened in turn; which were refused (4004)."""
    out = []
    clients = []
    for forwarded in ARGS["forwarded"]:
        headers = {"X-Forwarded-For": forwarded} if forwarded else {}
        c = await Client.open(additional_headers=headers)
        clients.append(c)
        if c.socket_id:
            out.append("open")
        else:
            code, _ = await c.closed()
            out.append(f"{c.first['data'].get('code')} {code}")
    for c in clients:
        if c.socket_id:
            await c.ws.close()
    return {"outcomes": out}


async def chatter():
    """Subscribes to public-chatter, waits ARGS["hold"] s (so the row is written without any API call), then sends
    ARGS["messages"] pings at once; the close code and how many pongs came before it."""
    c = await Client.open()
    await c.subscribe("public-chatter")
    await asyncio.sleep(ARGS.get("hold", 0))
    open(ARGS["gate"] + ".ready", "w").close()
    await wait_for_file(ARGS["gate"] + ".go")
    for _ in range(ARGS["messages"]):
        await c.send("pusher:ping", {})
    code, seen = await c.closed()
    return {"code": code, "pongs": events(seen).count("pusher:pong")}


async def case_variant():
    """ARGS["channel"] (e.g. PRIVATE-appointments.3) is a public channel, as in Pusher (prefixes are case-sensitive):
    subscribed without auth. ARGS["twin"], its lowercase private twin, is refused without auth. Events triggered on
    the twin do not reach the variant's subscriber; events on the variant do."""
    import pusher
    c = await Client.open()
    out = {"variant": (await c.subscribe(ARGS["channel"], signed=False))["event"]}
    out["twin_unsigned"] = await c.subscribe(ARGS["twin"], signed=False)
    base = urllib.parse.urlparse(ARGS["http"][0])
    client = pusher.Pusher(app_id=ARGS["app_id"], key=ARGS["key"], secret=ARGS["secret"], host=base.hostname,
                           port=base.port, ssl=False)
    client.trigger(ARGS["twin"], "for-twin", {"x": 1})
    client.trigger(ARGS["channel"], "for-variant", {"x": 2})
    out["received"] = (await c.expect("for-variant"))["channel"]
    out["after"] = events(await c.quiet(0.5))
    await c.ws.close()
    return out


async def case_public_rules():
    """Subscribes, without auth, to each public channel of ARGS["channels"]; returns, per channel, the answer's event
    and, for a pusher:subscription_error, its status and error text."""
    c = await Client.open()
    out = {}
    for channel in ARGS["channels"]:
        answer = await c.subscribe(channel, signed=False)
        data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
        out[channel] = {"event": answer["event"], "status": data.get("status"), "error": data.get("error")}
    await c.ws.close()
    return out


async def webhooks():
    """Two users' sockets (spread over the daemons) occupy and vacate a public, a private and a
    presence channel `rounds` times, user 1 with two sockets on the presence channel, and each
    round sends a client event on the private and the presence channel; pauses let the hub's
    batched writes land between steps. Prints the socket ids of the last round."""
    out = {}
    public, private, presence = ARGS["public"], ARGS["private"], ARGS["presence"]
    pause = ARGS.get("pause", 0.3)
    for _ in range(ARGS.get("rounds", 1)):
        a, b, c = await Client.open(), await Client.open(), await Client.open()
        out.update({"a": a.socket_id, "b": b.socket_id, "c": c.socket_id})
        for client in (a, b):
            await client.subscribe(public)
            await client.subscribe(private)
        await a.subscribe(presence, channel_data=json.dumps({"user_id": "1"}))
        await c.subscribe(presence, channel_data=json.dumps({"user_id": "1"}))
        await b.subscribe(presence, channel_data=json.dumps({"user_id": "2"}))
        await asyncio.sleep(pause)
        await a.send("client-typing", {"typing": True}, channel=private)
        await b.send("client-typing", {"typing": False}, channel=presence)
        await asyncio.sleep(pause)
        await a.send("pusher:unsubscribe", {"channel": public})
        await b.ws.close()
        await asyncio.sleep(pause)
        await c.ws.close()
        await asyncio.sleep(pause)
        await a.ws.close()
        await asyncio.sleep(pause)
    return out


if __name__ == "__main__":
    result = asyncio.run(globals()[sys.argv[1]]())
    print(json.dumps(result, sort_keys=True))
