#!/usr/bin/env python3
"""PeerJS-protocol clients for callctl serve's broker, built on the `websockets` library.

Usage: broker_peer.py SCENARIO JSON-ARGS. Each scenario opens broker sockets as a PeerJS client
does (ws://HOST:PORT{path}/peerjs?key=&id=&token=&version=), plays its part and prints one JSON
object with what it observed; the Swift tests judge it. Arguments (JSON object):
  ws: ["ws://127.0.0.1:PORT", ...] one per daemon, http: "http://127.0.0.1:PORT" (the first),
  path: "/peerjs", key: the app key;
  peers: {"name": {"id": ..., "token": ...}, ...}; plus scenario-specific keys.
"""
import asyncio
import json
import sys
import time
import urllib.parse
import urllib.request

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

ARGS = json.loads(sys.argv[2])
TIMEOUT = 10.0


def url(peer_id=None, token=None, key=None, server=0):
    query = {"key": ARGS["key"] if key is None else key, "version": "1.5.4"}
    if peer_id is not None:
        query["id"] = peer_id
    if token is not None:
        query["token"] = token
    return f"{ARGS['ws'][server]}{ARGS['path']}/peerjs?{urllib.parse.urlencode(query)}"


class Peer:
    def __init__(self, ws, name):
        self.ws = ws
        self.name = name

    @classmethod
    async def open(cls, name, expect_open=True, server=0, **query):
        peer = ARGS["peers"].get(name, {})
        ws = await connect(url(query.get("id", peer.get("id")), query.get("token", peer.get("token")), query.get("key"), server),
                           max_size=None)
        client = cls(ws, name)
        if expect_open:
            first = await client.next()
            assert first == {"type": "OPEN"}, f"{name}: expected OPEN, got {first}"
        return client

    async def next(self, timeout=TIMEOUT):
        return json.loads(await asyncio.wait_for(self.ws.recv(), timeout))

    async def send(self, message):
        await self.ws.send(message if isinstance(message, str) else json.dumps(message))

    async def closed(self, timeout=TIMEOUT):
        """The messages still received, then the close code and reason."""
        messages = []
        try:
            while True:
                messages.append(json.loads(await asyncio.wait_for(self.ws.recv(), timeout)))
        except ConnectionClosed as closed:
            return {"messages": messages, "code": closed.rcvd.code if closed.rcvd else None,
                    "reason": closed.rcvd.reason if closed.rcvd else None}
        except asyncio.TimeoutError:
            return {"messages": messages, "code": "still open"}


def offer(connection="dc_test"):
    return {"sdp": {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}, "type": "data",
            "connectionId": connection, "label": connection, "reliable": True, "serialization": "json"}


def post(path, token, body):
    request = urllib.request.Request(ARGS["http"] + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        return json.loads(response.read())


async def refusals():
    """Each case opens a socket with its own query and reports the first frame and the close."""
    out = []
    for case in ARGS["cases"]:
        ws = await connect(url(case.get("id"), case.get("token"), case.get("key")))
        client = Peer(ws, "refused")
        out.append(await client.closed())
    return {"cases": out}


async def relay():
    """Doctor and patient exchange an offer, an answer and a candidate; then the doctor signals
    to ids that are not the patient's."""
    doctor, patient = await Peer.open("doctor"), await Peer.open("patient")
    out = {}
    await doctor.send({"type": "OFFER", "dst": ARGS["peers"]["patient"]["id"], "payload": offer(), "src": "forged"})
    out["offer"] = await patient.next()
    await patient.send({"type": "ANSWER", "dst": ARGS["peers"]["doctor"]["id"],
                        "payload": {"sdp": {"type": "answer", "sdp": "v=0\r\n"}, "type": "data", "connectionId": "dc_test"}})
    out["answer"] = await doctor.next()
    await doctor.send({"type": "CANDIDATE", "dst": ARGS["peers"]["patient"]["id"],
                       "payload": {"candidate": {"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host", "sdpMid": "0"},
                                   "type": "data", "connectionId": "dc_test"}})
    out["candidate"] = await patient.next()
    await doctor.send({"type": "HEARTBEAT"})
    out["wrong"] = {}
    for label, dst in ARGS["wrong"].items():
        client = await Peer.open("doctor")
        await client.send({"type": "OFFER", "dst": dst, "payload": offer()})
        out["wrong"][label] = await client.closed()
        doctor = client
    await patient.ws.close()
    return out


async def queued():
    """The doctor offers before the patient is connected: the offer waits for the patient, and
    an offer to a peer that never connects comes back as EXPIRE."""
    doctor = await Peer.open("doctor")
    await doctor.send({"type": "OFFER", "dst": ARGS["peers"]["patient"]["id"], "payload": offer("dc_early")})
    await asyncio.sleep(0.2)
    patient = await Peer.open("patient")
    out = {"held": await patient.next()}
    await patient.ws.close()
    await asyncio.sleep(0.3)
    started = time.monotonic()
    await doctor.send({"type": "OFFER", "dst": ARGS["peers"]["patient"]["id"], "payload": offer("dc_late")})
    out["expire"] = await doctor.next()
    out["expire_after"] = time.monotonic() - started
    return out


async def malformed():
    """Each bad message on a fresh socket of the doctor's: what comes back, and the close."""
    out = {}
    for label in ["not_json", "unknown_type", "dst_number", "oversized", "binary", "flood"]:
        client = await Peer.open("doctor")
        if label == "not_json":
            await client.send("{not json")
        elif label == "unknown_type":
            await client.send({"type": "OPEN"})
        elif label == "dst_number":
            await client.send({"type": "OFFER", "dst": 5, "payload": {}})
        elif label == "oversized":
            await client.send({"type": "CANDIDATE", "dst": ARGS["peers"]["patient"]["id"], "payload": "x" * 70_000})
        elif label == "binary":
            await client.ws.send(b"\x00\x01")
        elif label == "flood":
            for _ in range(ARGS["flood"]):
                await client.send({"type": "HEARTBEAT"})
        out[label] = await client.closed()
    return out


async def reload():
    """The patient reloads: a new peer id; the old socket is closed, the doctor's signal to the old
    id expires and to the new one arrives."""
    doctor, patient = await Peer.open("doctor"), await Peer.open("patient")
    issued = post(ARGS["peer_path"], ARGS["patient_bearer"], {"callId": ARGS["call_id"]})
    out = {"old": await patient.closed(), "new_id": issued["peerId"], "other": issued["otherPeerId"]}
    fresh = await Peer.open("patient", id=issued["peerId"], token=issued["token"])
    await doctor.send({"type": "OFFER", "dst": ARGS["peers"]["patient"]["id"], "payload": offer("dc_old")})
    out["to_old"] = await doctor.next()
    await doctor.send({"type": "OFFER", "dst": issued["peerId"], "payload": offer("dc_new")})
    out["to_new"] = await fresh.next()
    stale = await Peer.open("patient", expect_open=False)
    out["reuse_old"] = await stale.closed()
    return out


async def resume():
    """The same id and token again (a reconnect): the new socket is open, the old one closed."""
    first = await Peer.open("doctor")
    second = await Peer.open("doctor")
    await second.send({"type": "HEARTBEAT"})
    out = {"first": await first.closed()}
    await second.send({"type": "OFFER", "dst": ARGS["peers"]["patient"]["id"], "payload": offer()})
    patient = await Peer.open("patient")
    out["offer"] = await patient.next()
    return out


async def taken():
    """The doctor's id is connected; a second socket (by default the doctor's id with another
    valid token: ID-TAKEN) is refused, and the first stays."""
    first = await Peer.open("doctor")
    second_id = ARGS.get("second_id", ARGS["peers"]["doctor"]["id"])
    second = Peer(await connect(url(second_id, ARGS["other_token"])), "second")
    out = {"second": await second.closed()}
    await first.send({"type": "HEARTBEAT"})
    out["first"] = await first.closed(timeout=0.5)
    return out


async def ended():
    """Both peers are connected when the call ends: each gets LEAVE from the other, then a close;
    the ids no longer connect."""
    doctor, patient = await Peer.open("doctor"), await Peer.open("patient")
    post(ARGS["end_path"], ARGS["doctor_bearer"], {"callId": ARGS["call_id"]})
    out = {"doctor": await doctor.closed(), "patient": await patient.closed()}
    again = await Peer.open("doctor", expect_open=False)
    out["again"] = await again.closed()
    return out


async def two_daemons():
    """The doctor on the first daemon, the patient on the second: an offer made before the patient
    connected waits for it there; candidate and answer cross; the patient moving between daemons
    with the same id and token closes the socket it left; the call's end reaches both daemons."""
    p = ARGS["peers"]["patient"]["id"]
    d = ARGS["peers"]["doctor"]["id"]
    doctor = await Peer.open("doctor", server=0)
    await doctor.send({"type": "OFFER", "dst": p, "payload": offer("dc_early")})
    await asyncio.sleep(0.3)
    patient = await Peer.open("patient", server=1)
    out = {"held": await patient.next()}
    await doctor.send({"type": "CANDIDATE", "dst": p, "payload": {"candidate": {"candidate": "c"}, "connectionId": "dc_early"}})
    out["candidate"] = await patient.next()
    started = time.monotonic()
    await patient.send({"type": "ANSWER", "dst": d, "payload": {"sdp": {"type": "answer"}, "connectionId": "dc_early"}})
    out["answer"] = await doctor.next()
    out["answer_ms"] = (time.monotonic() - started) * 1000
    moved = await Peer.open("patient", server=0)
    out["left_behind"] = await patient.closed()
    await doctor.send({"type": "OFFER", "dst": p, "payload": offer("dc_moved")})
    out["after_move"] = await moved.next()
    back = await Peer.open("patient", server=1)
    out["moved_again"] = await moved.closed()
    post(ARGS["end_path"], ARGS["doctor_bearer"], {"callId": ARGS["call_id"]})
    out["doctor_end"] = await doctor.closed()
    out["patient_end"] = await back.closed()
    return out


async def silent():
    """A peer that never sends HEARTBEAT is closed after the alive timeout."""
    started = time.monotonic()
    doctor = await Peer.open("doctor")
    out = {"closed": await doctor.closed(timeout=ARGS["wait"])}
    out["after"] = time.monotonic() - started
    return out


SCENARIOS = {"refusals": refusals, "relay": relay, "queued": queued, "malformed": malformed, "reload": reload,
             "resume": resume, "taken": taken, "ended": ended, "silent": silent,
             "two_daemons": two_daemons}

if __name__ == "__main__":
    print(json.dumps(asyncio.run(SCENARIOS[sys.argv[1]]())))
