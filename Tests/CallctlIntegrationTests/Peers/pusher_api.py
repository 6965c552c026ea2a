"""The official Pusher Python library (pusher 3.3.4) as a judge of `callctl serve`.

Usage: pusher_api.py HOST PORT APP_ID KEY SECRET ACTION PARAMS_JSON

ACTION is one of trigger, trigger_batch, channels_info, channel_info, users_info (HTTP API
calls against the daemon) or authenticate (the library's own channel-auth signature, to compare
with /broadcasting/auth). Prints one JSON object: {"ok": true, "result": ..., "result_json":
"<result as compact JSON text with sorted keys>"} or
{"ok": false, "error": "<exception class>", "message": "<text>"}.
"""
import json
import sys

import pusher


class LaravelJSON(json.JSONEncoder):
    """Compact JSON as PHP's json_encode writes it (no spaces; non-ASCII escaped)."""

    def __init__(self, *args, **kwargs):
        kwargs["separators"] = (",", ":")
        kwargs["ensure_ascii"] = True
        super().__init__(*args, **kwargs)


def run(client, action, params):
    if action == "trigger":
        return client.trigger(params["channels"], params["event"], params["data"], params.get("socket_id"))
    if action == "trigger_batch":
        return client.trigger_batch(params["batch"])
    if action == "channels_info":
        return client.channels_info(params.get("prefix"), params.get("attributes", []))
    if action == "channel_info":
        return client.channel_info(params["channel"], params.get("attributes", []))
    if action == "users_info":
        return client.users_info(params["channel"])
    if action == "authenticate":
        return client.authenticate(params["channel"], params["socket_id"], params.get("custom_data"))
    raise ValueError("unknown action %r" % action)


def main(argv):
    if len(argv) != 8:
        print(__doc__, file=sys.stderr)
        return 64
    host, port, app_id, key, secret, action, params = argv[1:]
    client = pusher.Pusher(app_id=app_id, key=key, secret=secret, host=host, port=int(port), ssl=False,
                           timeout=10, json_encoder=LaravelJSON)
    try:
        result = run(client, action, json.loads(params))
    except Exception as error:  # every library error is a result the Swift test judges
        print(json.dumps({"ok": False, "error": type(error).__name__, "message": str(error)}))
        return 0
    shape = json.dumps(result, sort_keys=True, separators=(",", ":"))
    print(json.dumps({"ok": True, "result": result, "result_json": shape}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
