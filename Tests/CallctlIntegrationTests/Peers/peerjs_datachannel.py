#!/usr/bin/env python3
"""Two peerjs-py peers (the third-party PeerJS client on aiortc) open a WebRTC data channel
through callctl serve's broker and exchange a message each way.

Usage: peerjs_datachannel.py SCENARIO JSON-ARGS with SCENARIO "direct" (host candidates on
127.0.0.1) or "relay" (only TURN relay candidates, from the iceServers callctl's ice-servers
endpoint returned). Arguments: port, path, key, peers {"doctor": {"id", "token"}, "patient": …},
ice_servers (relay only). Prints one JSON object: what each side received and the candidate
types of the pair ICE selected on the doctor's side.

Two changes to the libraries' defaults, both about this test machine, not the broker:
- aioice leaves 127.0.0.1 out of its host candidates; the tests talk to loopback only, so
  loopback is the one host address here.
- aiortc has no iceTransportPolicy; "relay" gives aioice its own RELAY transport policy, so only
  relayed candidates are gathered and offered, as a browser does with iceTransportPolicy "relay".
"""
import asyncio
import json
import sys

import aioice
import aioice.ice
import aiortc.rtcicetransport as rtcicetransport
from aiortc import RTCConfiguration, RTCIceServer
from peerjs_py import Peer

SCENARIO = sys.argv[1]
ARGS = json.loads(sys.argv[2])
TIMEOUT = 30.0

aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"] if use_ipv4 else []
if SCENARIO == "relay":
    _defaults = rtcicetransport.connection_kwargs
    rtcicetransport.connection_kwargs = lambda servers: {**_defaults(servers), "transport_policy": aioice.TransportPolicy.RELAY}


def configuration():
    if SCENARIO == "direct":
        return RTCConfiguration(iceServers=[])
    turn = [s for s in ARGS["ice_servers"] if any(u.startswith("turn:") for u in s["urls"])]
    return RTCConfiguration(iceServers=[RTCIceServer(urls=[u for u in s["urls"] if u.startswith("turn:")][0],
                                                     username=s["username"], credential=s["credential"]) for s in turn])


async def open_peer(name, errors):
    peer_id, token = ARGS["peers"][name]["id"], ARGS["peers"][name]["token"]
    options = {"host": "127.0.0.1", "port": ARGS["port"], "path": ARGS["path"] + "/", "key": ARGS["key"], "token": token,
               "secure": False, "config": configuration()}
    peer = Peer(id=peer_id, options=options)
    opened = asyncio.Event()
    peer.on("open", lambda _id: opened.set())
    peer.on("error", lambda error: errors.append(f"{name}: {getattr(error, 'type', '')} {error}"))
    # start() would send the Peer object's text as its token; _initialize sends options["token"].
    await peer._initialize(peer_id)
    await asyncio.wait_for(opened.wait(), TIMEOUT)
    return peer


def selected_pair(connection):
    ice = connection.peer_connection.sctp.transport.transport
    pair = ice._connection._nominated.get(1)
    return {"local": pair.local_candidate.type, "remote": pair.remote_candidate.type} if pair else None


async def main():
    loop = asyncio.get_running_loop()
    errors = []
    doctor = await open_peer("doctor", errors)
    patient = await open_peer("patient", errors)
    patient_got, doctor_got = loop.create_future(), loop.create_future()

    def on_connection(connection):
        def on_data(data):
            if not patient_got.done():
                patient_got.set_result(data)
                asyncio.ensure_future(connection.send({"reply": "from the patient"}))
        connection.on("data", on_data)

    patient.on("connection", on_connection)
    connection = await doctor.connect(ARGS["peers"]["patient"]["id"], {"serialization": "json"})
    await asyncio.wait_for(connection.open_future, TIMEOUT)
    connection.on("data", lambda data: doctor_got.done() or doctor_got.set_result(data))
    await connection.send({"hello": "from the doctor"})
    out = {"patient_got": await asyncio.wait_for(patient_got, TIMEOUT),
           "doctor_got": await asyncio.wait_for(doctor_got, TIMEOUT),
           "pair": selected_pair(connection), "errors": errors}
    for peer in (doctor, patient):
        try:
            await asyncio.wait_for(peer.destroy(), 5)
        except Exception:
            pass
    return out


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())), flush=True)
