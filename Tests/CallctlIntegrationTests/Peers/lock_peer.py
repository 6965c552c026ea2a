#!/usr/bin/env python3
"""Edit-lock scenarios for callctl serve's hub: users of a clinic, as browsers built on the `websockets` library
(hub_peer.py's Client), join a presence channel whose rule is lock(...), authorized by the daemon's own
/broadcasting/auth with their Bearer tokens.

Usage: lock_peer.py SCENARIO JSON-ARGS. Arguments as for hub_peer.py (ws, http, app_id, key, secret), plus
  channel: the lock channel
  users: {"A": {"id": 12, "token": "..."}, ...} the users by the names the scenarios use
Each scenario prints one JSON object with what each client observed; the Swift tests (EditLockTests) judge it.
"""
import asyncio
import json
import os
import signal
import sys
import urllib.error
import urllib.parse
import urllib.request

from hub_peer import ARGS, TIMEOUT, Client, api, reset

CHANNEL = ARGS.get("channel")
LOCK_EVENTS = ("LockAcquired", "LockReleased", "LockContended", "LockHeld")


def authorize(name, socket_id, daemon):
    """POST /broadcasting/auth as user `name`: (status, answer as JSON)."""
    form = urllib.parse.urlencode({"socket_id": socket_id, "channel_name": CHANNEL}).encode()
    request = urllib.request.Request(f"{ARGS['http'][daemon]}/broadcasting/auth", data=form, method="POST", headers={
        "Authorization": f"Bearer {ARGS['users'][name]['token']}", "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


async def join(name, daemon=0):
    """User `name` opens a connection to daemon `daemon` and subscribes: (client, the answer to the subscription)."""
    client = await Client.open(url=ARGS["ws"][daemon])
    client.answers_pings = True
    status, answer = authorize(name, client.socket_id, daemon)
    assert status == 200, (name, status, answer)
    return client, await client.subscribe(CHANNEL, channel_data=answer["channel_data"], auth=answer["auth"])


def observed(message):
    return message["event"] in LOCK_EVENTS or message["event"].startswith("pusher_internal:member")


async def lock_events(client, seconds=0.6):
    """The lock events and member events `client` receives within `seconds`, as [event, data]."""
    return [[m["event"], m.get("data")] for m in await client.quiet(seconds) if observed(m)]


async def lock_events_until(client, event, timeout=10):
    """The lock events and member events `client` receives up to `event` (included), then for 0.4 s more."""
    seen = []
    deadline = asyncio.get_running_loop().time() + timeout
    while not seen or seen[-1][0] != event:
        message = await client.recv(max(deadline - asyncio.get_running_loop().time(), 0.01))
        if observed(message):
            seen.append([message["event"], message.get("data")])
    return seen + await lock_events(client, 0.4)


def users_listed(daemon=0):
    return sorted(user["id"] for user in api("GET", f"/apps/{ARGS['app_id']}/channels/{CHANNEL}/users", daemon=daemon)["users"])


async def refuse():
    """Rule lock(..., refuse). A joins; A's second tab joins; B is refused, and A hears of it; after A's tabs have
    gone, B joins and holds the lock."""
    out = {}
    a, out["a_joined"] = await join("A")
    out["a_events"] = await lock_events(a)
    a2, out["a2_joined"] = await join("A", daemon=-1)
    out["a2_events"] = await lock_events(a2)
    out["a_after_second_tab"] = await lock_events(a)
    b, out["b_refused"] = await join("B", daemon=-1)
    out["a_after_refusal"] = await lock_events(a)
    out["b_after_refusal"] = [m["event"] for m in await b.quiet(0.4)]
    out["users"] = users_listed()
    await a.send("pusher:unsubscribe", {"channel": CHANNEL})
    await a2.ws.close()
    await asyncio.sleep(0.3)
    b2, out["b_rejoined"] = await join("B")
    out["b_events"] = await lock_events(b2)
    for client in (a, b, b2):
        await client.ws.close()
    return out


async def watch():
    """Rule lock(..., watch). A, B and C join in turn (clients spread over the daemons); A's connection then ends by
    ARGS["ending"] (unsubscribe, close, reset): B takes the lock; then B unsubscribes: C takes it."""
    out = {}
    a, out["a_joined"] = await join("A", daemon=0)
    out["a_events"] = await lock_events(a)
    b, out["b_joined"] = await join("B", daemon=1 % len(ARGS["ws"]))
    out["b_events"] = await lock_events(b)
    out["a_heard_b"] = await lock_events(a)
    c, out["c_joined"] = await join("C", daemon=0)
    out["c_events"] = await lock_events(c)
    out["a_heard_c"] = await lock_events(a)
    out["b_heard_c"] = await lock_events(b)
    ending = ARGS.get("ending", "unsubscribe")
    if ending == "unsubscribe":
        await a.send("pusher:unsubscribe", {"channel": CHANNEL})
    elif ending == "close":
        await a.ws.close()
    elif ending == "reset":
        reset(a)
    out["b_after_a"] = await lock_events_until(b, "LockAcquired")
    out["c_after_a"] = await lock_events(c, 0.2)
    out["users_after_a"] = users_listed()
    await b.send("pusher:unsubscribe", {"channel": CHANNEL})
    out["c_after_b"] = await lock_events_until(c, "LockAcquired")
    for client in (b, c):
        await client.ws.close()
    if ending != "reset":
        await a.ws.close()
    return out


async def tabs():
    """Rule lock(..., watch). A joins in a first tab, B watches, A opens a second tab; A's first tab leaves (A keeps
    the lock: nothing is announced), then A's second tab closes: B takes the lock."""
    out = {}
    a1, _ = await join("A")
    await lock_events(a1)
    b, _ = await join("B", daemon=-1)
    await lock_events(b)
    a2, out["a2_joined"] = await join("A")
    out["a2_events"] = await lock_events(a2)
    out["b_after_second_tab"] = await lock_events(b, 0.4)
    await a1.send("pusher:unsubscribe", {"channel": CHANNEL})
    out["b_after_first_tab_left"] = await lock_events(b, 0.8)
    await a2.ws.close()
    out["b_after_a"] = await lock_events_until(b, "LockAcquired")
    for client in (a1, b):
        await client.ws.close()
    return out


async def race():
    """Rule lock(..., refuse), two daemons: A (daemon 0) and B (daemon 1) join at the same instant, ARGS["rounds"]
    times; per round, which of them was admitted and whom the refusal named."""
    rounds = []
    for _ in range(ARGS.get("rounds", 5)):
        a = await Client.open(url=ARGS["ws"][0])
        b = await Client.open(url=ARGS["ws"][1])
        grants = [authorize("A", a.socket_id, 0)[1], authorize("B", b.socket_id, 1)[1]]
        answers = await asyncio.gather(*(client.subscribe(CHANNEL, channel_data=grant["channel_data"], auth=grant["auth"])
                                         for client, grant in zip((a, b), grants)))
        admitted = [name for name, answer in zip("AB", answers) if answer["event"] == "pusher_internal:subscription_succeeded"]
        named = [answer["data"].get("holder") for answer in answers if answer["event"] == "pusher:subscription_error"]
        rounds.append({"admitted": admitted, "refusal_names": named})
        await a.ws.close()
        await b.ws.close()
        await asyncio.sleep(0.3)
    return {"rounds": rounds}


async def daemon_gone():
    """Rule lock(..., watch), two daemons: A holds the lock through daemon 1, B watches through daemon 0; daemon 1
    (ARGS["pid"]) gets ARGS["signal"] (KILL: it dies, TERM: it shuts down gracefully): B hears the release and takes
    the lock."""
    out = {}
    a, out["a_joined"] = await join("A", daemon=1)
    await lock_events(a)
    b, out["b_joined"] = await join("B", daemon=0)
    out["b_events"] = await lock_events(b)
    os.kill(ARGS["pid"], getattr(signal, "SIG" + ARGS["signal"]))
    started = asyncio.get_running_loop().time()
    released = await b.expect("LockReleased", timeout=ARGS.get("within", 40))
    out["seconds"] = asyncio.get_running_loop().time() - started
    out["released"] = released["data"]
    out["acquired"] = (await b.expect("LockAcquired"))["data"]
    out["users"] = users_listed()
    await b.ws.close()
    return out


async def patient():
    """Rule lock(tenant, doctor, admin, refuse): the patient P asks /broadcasting/auth (refused), then subscribes with
    the doctor A's grant for another socket (the hub refuses the signature); A, who holds the lock, hears nothing."""
    out = {}
    a, _ = await join("A")
    await lock_events(a)
    p = await Client.open(url=ARGS["ws"][0])
    out["auth_status"], out["auth_answer"] = authorize("P", p.socket_id, 0)
    stolen = authorize("A", "1234.5678", 0)[1]
    out["subscribe"] = await p.subscribe(CHANNEL, channel_data=stolen["channel_data"], auth=stolen["auth"])
    out["a_after"] = await lock_events(a)
    out["users"] = users_listed()
    for client in (a, p):
        await client.ws.close()
    return out


if __name__ == "__main__":
    result = asyncio.run(globals()[sys.argv[1]]())
    print(json.dumps(result, sort_keys=True))
