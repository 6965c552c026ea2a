#!/usr/bin/env python3
"""The edit lock judged by a third-party Pusher client, asyncpusher (PyPI): two users as two browsers, A on the
first daemon and B on the second, authorized by the daemons' own /broadcasting/auth through asyncpusher's
channel_authenticator callback.

Usage: lock_asyncpusher.py SCENARIO JSON-ARGS, with ws and http (one per daemon), key, channel and
users ({"A": {"id": 12, "token": "..."}, ...}) as for lock_peer.py. Prints one JSON object: per user, the
channel events asyncpusher handed to its callbacks, as [event, data].
"""
import asyncio
import json
import sys
import urllib.parse

import aiohttp
from asyncpusher import Pusher

ARGS = json.loads(sys.argv[2])
CHANNEL = ARGS["channel"]
WATCHED = ("pusher_internal:subscription_succeeded", "pusher:subscription_error", "pusher_internal:member_added",
           "pusher_internal:member_removed", "LockHeld", "LockAcquired", "LockContended", "LockReleased")
TIMEOUT = 10


class Browser:
    """One user's asyncpusher client on one daemon; what its channel callbacks received, in order."""

    def __init__(self, name, daemon):
        self.name = name
        self.daemon = daemon
        self.seen = []
        self.arrived = asyncio.Event()
        self.pusher = None

    async def open(self):
        url = urllib.parse.urlparse(ARGS["ws"][self.daemon])
        self.pusher = Pusher(ARGS["key"], custom_host=url.hostname, custom_port=url.port, secure=False,
                             channel_authenticator=self.authorize)
        await self.pusher.connect()
        return self

    async def authorize(self, data):
        """asyncpusher's channel_authenticator: {socket_id, channel_name} → /broadcasting/auth's answer."""
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{ARGS['http'][self.daemon]}/broadcasting/auth", data=data, headers={
                    "Authorization": f"Bearer {ARGS['users'][self.name]['token']}"}) as answer:
                assert answer.status == 200, (self.name, answer.status, await answer.text())
                return await answer.json()

    async def join(self):
        """Subscribes (again, after a refusal: asyncpusher keeps a refused channel until it is unsubscribed)."""
        await self.pusher.unsubscribe(CHANNEL)
        channel = await self.pusher.subscribe(CHANNEL)
        for event in WATCHED:
            channel.bind(event, self.record, event)

    async def record(self, data, event):
        self.seen.append([event, data])
        self.arrived.set()

    async def until(self, event, mark):
        """What arrived after the first `mark` events, once `event` is among it (and 0.3 s more)."""
        while not any(name == event for name, _ in self.seen[mark:]):
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), TIMEOUT)
        await asyncio.sleep(0.3)
        return self.seen[mark:]


async def refuse():
    """lock(..., refuse): A holds; B is refused naming A and A hears of it; A leaves; B joins again and holds."""
    a, b = await Browser("A", 0).open(), await Browser("B", 1).open()
    await a.join()
    out = {"a_joined": await a.until("LockAcquired", 0)}
    mark = len(a.seen)
    await b.join()
    out["b_refused"] = await b.until("pusher:subscription_error", 0)
    out["a_told"] = await a.until("LockContended", mark)
    await a.pusher.disconnect()
    await asyncio.sleep(0.5)
    mark = len(b.seen)
    await b.join()
    out["b_rejoined"] = await b.until("LockAcquired", mark)
    await b.pusher.disconnect()
    return out


async def watch():
    """lock(..., watch): A holds; B watches and is told the holder; A hears of it; A disconnects; B holds."""
    a, b = await Browser("A", 0).open(), await Browser("B", 1).open()
    await a.join()
    await a.until("LockAcquired", 0)
    mark = len(a.seen)
    await b.join()
    out = {"b_joined": await b.until("LockContended", 0), "a_told": await a.until("LockContended", mark)}
    mark = len(b.seen)
    await a.pusher.disconnect()
    out["b_after_a"] = await b.until("LockAcquired", mark)
    await b.pusher.disconnect()
    return out


if __name__ == "__main__":
    result = asyncio.run(globals()[sys.argv[1]]())
    print(json.dumps(result, sort_keys=True))
