#!/usr/bin/env python3
"""Two browsers of one clinic, played by two third-party Pusher protocol-7 client libraries.

Usage: chat_peers.py SCENARIO JSON-ARGS. Browser "a" is `asyncpusher` (channel auth through a
callback that POSTs /broadcasting/auth), browser "b" is `sockudo-python` (protocol_version=1,
i.e. Pusher protocol 7, with its own auth endpoint request). The app's side is the official
`pusher` library (`POST /apps/{id}/events`, signed as Laravel signs it). Prints one JSON object
with what each browser saw; the Swift tests (ChatJudgeTests) judge it.
Arguments: port, app_id, key, secret, tokens {a, b, stranger}, plus the scenario's channels.
"""
import asyncio
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

import pusher
from asyncpusher import Pusher as AsyncPusher
from sockudo_python import ChannelAuthorizationOptions, SockudoClient, SockudoOptions

SCENARIO, ARGS = sys.argv[1], json.loads(sys.argv[2])
HTTP = f"http://127.0.0.1:{ARGS['port']}"
TIMEOUT = 5.0
SETTLE = 0.5  # how long a browser is given to receive what it must not receive
# What Laravel broadcasts for `$user->notify(…)` with the broadcast channel; Echo's .notification() listens to it.
NOTIFICATION = "Illuminate\\Notifications\\Events\\BroadcastNotificationCreated"


def authorize(token, socket_id, channel):
    """POST /broadcasting/auth as Echo does; (status, body)."""
    form = urllib.parse.urlencode({"socket_id": socket_id, "channel_name": channel}).encode()
    request = urllib.request.Request(f"{HTTP}/broadcasting/auth", data=form, method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


class Browser:
    """What one browser saw: events per channel, subscription outcomes."""

    def __init__(self, name):
        self.name, self.seen, self.outcome = name, [], {}

    def record(self, channel, event, data):
        self.seen.append({"channel": channel, "event": event, "data": data})

    async def until(self, predicate):
        for _ in range(int(TIMEOUT / 0.02)):
            if predicate():
                return True
            await asyncio.sleep(0.02)
        return False

    def report(self):
        return {"seen": self.seen, "subscriptions": self.outcome}


class AsyncPusherBrowser(Browser):
    """asyncpusher: its channel_authenticator callback asks callctl; a refusal is kept with its reason."""

    LISTENED = ("client-typing", "chat.message", "notice", NOTIFICATION, "pusher:subscription_error")

    async def open(self, token):
        self.token, self.forge = token, False
        self.client = AsyncPusher(ARGS["key"], custom_host="127.0.0.1", custom_port=ARGS["port"], secure=False,
                                  channel_authenticator=self._authenticate)
        self.client.connection.bind("pusher:error", self._recorder(None, "pusher:error"))
        await asyncio.wait_for(self.client.connect(), TIMEOUT)
        return self

    async def _authenticate(self, request):
        status, body = await asyncio.to_thread(authorize, self.token, request["socket_id"], request["channel_name"])
        self.outcome[request["channel_name"]] = {"auth_status": status, "reason": body.get("reason")}
        if status == 200:
            return body
        if self.forge:  # subscribe anyway with a signature callctl did not give: the hub answers pusher:error 4009
            return {"auth": f"{ARGS['key']}:{'0' * 64}"}
        raise PermissionError(f"/broadcasting/auth answered {status} {body.get('reason')}")

    async def subscribe(self, channel, forge=False):
        self.forge = forge
        try:
            handle = await self.client.subscribe(channel)
        except PermissionError as error:
            self.outcome[channel]["state"] = f"refused: {error}"
            return None
        for event in self.LISTENED:
            handle.bind(event, self._recorder(channel, event))
        await self.until(lambda: handle.state != handle.State.UNSUBSCRIBED
                         or any(s["event"].startswith("pusher:") and s["channel"] in (channel, None) for s in self.seen))
        self.outcome[channel]["state"] = handle.state.name
        return handle

    def _recorder(self, channel, event):
        async def record(data):
            self.record(channel, event, data)
        return record

    async def whisper(self, channel, data):
        await self.client.channels[channel].trigger({"event": "client-typing", "data": data})

    async def close(self):
        await self.client.disconnect()


class SockudoBrowser(Browser):
    """sockudo-python speaking Pusher protocol 7 with its own auth endpoint request and Bearer header."""

    async def open(self, token):
        options = SockudoOptions(
            cluster="local", protocol_version=1, force_tls=False, ws_host="127.0.0.1", ws_port=ARGS["port"],
            channel_authorization=ChannelAuthorizationOptions(endpoint=f"{HTTP}/broadcasting/auth", headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/x-www-form-urlencoded"}))
        self.client = SockudoClient(ARGS["key"], options)
        await self.client.connect()
        if not await self.until(lambda: self.client.socket_id is not None):
            raise RuntimeError("sockudo-python: no pusher:connection_established")
        return self

    async def subscribe(self, channel, forge=False):
        handle = self.client.subscribe(channel)
        done = asyncio.Event()

        def succeeded(data, _meta=None):
            self.outcome[channel] = {"state": "SUBSCRIBED"}
            done.set()

        def failed(data, _meta=None):
            self.outcome[channel] = {"state": "FAILED", "error": data}
            done.set()

        handle.bind("pusher:subscription_succeeded", succeeded)
        handle.bind("pusher:subscription_error", failed)
        handle.bind_global(lambda event, data: self.record(channel, event, data)
                           if not event.startswith("pusher") else None)
        try:
            await asyncio.wait_for(done.wait(), TIMEOUT)
        except asyncio.TimeoutError:
            self.outcome[channel] = {"state": "TIMEOUT"}
        return handle

    async def whisper(self, channel, data):
        await self.client.channel(channel).trigger("client-typing", data)

    async def close(self):
        await self.client.disconnect()


def app_trigger(channels, event, data):
    """The Laravel app broadcasting: the official pusher library against callctl's HTTP API."""
    client = pusher.Pusher(app_id=ARGS["app_id"], key=ARGS["key"], secret=ARGS["secret"], host="127.0.0.1",
                           port=ARGS["port"], ssl=False, timeout=TIMEOUT)
    return client.trigger(channels, event, data)


async def chat():
    """A whispers `typing` to B and B to A; the app sends a message to both; a stranger is refused."""
    channel = ARGS["channel"]
    a, b = await AsyncPusherBrowser("a").open(ARGS["tokens"]["a"]), await SockudoBrowser("b").open(ARGS["tokens"]["b"])
    await a.subscribe(channel)
    await b.subscribe(channel)
    await a.whisper(channel, {"user": "a", "typing": True})
    await b.until(lambda: any(s["event"] == "client-typing" for s in b.seen))
    await b.whisper(channel, {"user": "b", "typing": True})
    await a.until(lambda: any(s["event"] == "client-typing" for s in a.seen))
    triggered = await asyncio.to_thread(app_trigger, [channel], "chat.message", {"from": "a", "text": "Hallo"})
    await a.until(lambda: any(s["event"] == "chat.message" for s in a.seen))
    await b.until(lambda: any(s["event"] == "chat.message" for s in b.seen))
    await asyncio.sleep(SETTLE)
    # The other tenant's user, through each library.
    s1, s2 = await SockudoBrowser("s1").open(ARGS["tokens"]["stranger"]), await AsyncPusherBrowser("s2").open(
        ARGS["tokens"]["stranger"])
    await s1.subscribe(channel)
    await s2.subscribe(channel, forge=True)
    await asyncio.sleep(SETTLE)
    for browser in (a, b, s1, s2):
        await browser.close()
    return {"triggered": triggered, "a": a.report(), "b": b.report(), "stranger_sockudo": s1.report(),
            "stranger_asyncpusher": s2.report()}


async def notifications():
    """Each user subscribes to the tenant's channel, their own two channels and the other's two."""
    own = ARGS["own"]  # {"a": [channel, channel], "b": [...]}
    a, b = await AsyncPusherBrowser("a").open(ARGS["tokens"]["a"]), await SockudoBrowser("b").open(ARGS["tokens"]["b"])
    for browser, mine, theirs in ((a, own["a"], own["b"]), (b, own["b"], own["a"])):
        for channel in [ARGS["tenant_channel"]] + mine + theirs:
            await browser.subscribe(channel)
    await asyncio.to_thread(app_trigger, [ARGS["tenant_channel"]], "notice", {"to": "tenant"})
    for channel in own["a"] + own["b"]:
        await asyncio.to_thread(app_trigger, [channel], NOTIFICATION, {"to": channel, "type": "App\\Notifications\\Reminder"})
    await a.until(lambda: len(a.seen) >= 3)
    await b.until(lambda: len(b.seen) >= 3)
    await asyncio.sleep(SETTLE)
    for browser in (a, b):
        await browser.close()
    return {"a": a.report(), "b": b.report()}


if __name__ == "__main__":
    result = asyncio.run({"chat": chat, "notifications": notifications}[SCENARIO]())
    print(json.dumps(result, sort_keys=True, default=str))
