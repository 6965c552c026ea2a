#!/usr/bin/env python3
"""A stand-in for the stock `peerjs-server` (npm's `peer`, which this machine cannot install):
the same protocol without any authentication, as its sources describe it. GET {path} answers
its description; the WebSocket at {path}/peerjs admits any id and token for the key "peerjs",
answers OPEN and relays OFFER, ANSWER and CANDIDATE with src set. It exists so that
`diagnose peerjs` can be shown what an unauthenticated PeerServer does.

Usage: stock_peerserver.py PATH PORT_FILE  (binds 127.0.0.1 on a free port, written to PORT_FILE)
"""
import asyncio
import json
import sys

from aiohttp import WSMsgType, web

PATH = sys.argv[1].rstrip("/")
PEERS = {}


async def info(_request):
    return web.json_response({"name": "PeerJS Server", "description": "A server side element to broker connections between PeerJS clients.",
                              "website": "https://peerjs.com/"})


async def socket(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    key, peer_id, token = (request.query.get(name) for name in ("key", "id", "token"))
    if not (key and peer_id and token):
        await ws.send_str(json.dumps({"type": "ERROR", "payload": {"msg": "No id, token, or key supplied to websocket server"}}))
        return await ws.close()
    if key != "peerjs":
        await ws.send_str(json.dumps({"type": "ERROR", "payload": {"msg": "Invalid key provided"}}))
        return await ws.close()
    PEERS[peer_id] = ws
    await ws.send_str(json.dumps({"type": "OPEN"}))
    async for message in ws:
        if message.type != WSMsgType.TEXT:
            continue
        try:
            parsed = json.loads(message.data)
        except ValueError:
            continue
        target = PEERS.get(parsed.get("dst"))
        if parsed.get("type") in ("OFFER", "ANSWER", "CANDIDATE", "LEAVE", "EXPIRE") and target is not None:
            await target.send_str(json.dumps({"type": parsed["type"], "src": peer_id, "dst": parsed["dst"],
                                              "payload": parsed.get("payload")}))
    if PEERS.get(peer_id) is ws:
        del PEERS[peer_id]
    return ws


async def main():
    app = web.Application()
    app.router.add_get(PATH, info)
    app.router.add_get(PATH + "/peerjs", socket)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    with open(sys.argv[2], "w") as handle:
        handle.write(str(port))
    await asyncio.Event().wait()


asyncio.run(main())
