#!/usr/bin/env bash
# Where an idle hub connection's bytes go: `callctl serve` (release build, symbols kept, debug
# info stripped) runs under heaptrack while CONNECTIONS idle WebSocket clients connect and get
# pusher:connection_established; heaptrack's peak heap is split by allocator and divided by the
# connections. The baseline is the same daemon with no connection, in the same run (heaptrack's
# peak of a run that connects none). Complements bench/hub.sh, whose RSS growth it explains.
#
# Needs heaptrack (apt-get install heaptrack). Throwaway PostgreSQL, loopback only; serve is
# stopped with SIGTERM so that heaptrack writes its data.
#
# Usage: bench/hub-heap.sh            SCRATCH=.build-bench CONNECTIONS=2000
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=${SCRATCH:-.build-bench}
connections=${CONNECTIONS:-2000}
command -v heaptrack >/dev/null || { echo "heaptrack not found: apt-get install heaptrack" >&2; exit 69; }
ulimit -n "$(ulimit -Hn)"

source bench/lib/postgres.sh
serve_pid=
stop_on_exit serve_pid
callctl_release "$scratch"
# heaptrack reads the symbol table; valgrind and heaptrack's unwinder choke on Swift's DWARF 5.
strip --strip-debug -o "$pg_work/callctl" "$callctl"
pg_start ""
export DATABASE_URL=$(pg_conn postgres)
"$pg_work/callctl" migrate up --log-level warning >/dev/null
export CALLCTL_JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export REVERB_APP_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))') REVERB_APP_ID=4242 REVERB_APP_KEY=hub-heap-key
unset CALLCTL_JWT_PUBLIC_KEY CALLCTL_PUSHER_APPS CALLCTL_PUSHER_URL

# run N: heaptrack's data of serve with N idle connections, in $pg_work/heap-N.zst
run() {
    local port
    port=$(free_port)
    heaptrack -o "$pg_work/heap-$1" "$pg_work/callctl" serve --listen "127.0.0.1:$port" --log-level warning \
        --activity-timeout 3600 --max-connections $(($1 + 100)) --max-connections-per-ip $(($1 + 100)) \
        >"$pg_work/heaptrack-$1.log" 2>&1 &
    serve_pid=$!
    for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
    python3 - "$port" "$1" <<'PY'
import asyncio, os, sys
sys.path.insert(0, "bench/lib")
from hub_load import open_socket
async def main():
    port, count = int(sys.argv[1]), int(sys.argv[2])
    socks = []
    while len(socks) < count:
        socks += await asyncio.gather(*(open_socket("127.0.0.1", port, os.environ["REVERB_APP_KEY"])
                                         for _ in range(min(50, count - len(socks)))))
    await asyncio.sleep(2)
asyncio.run(main())
PY
    pkill -TERM -f "$pg_work/callctl serve" || true
    wait "$serve_pid" || true
    serve_pid=
}
echo "heaptrack: serve with no connection, then with $connections idle connections ..." >&2
run 0
run "$connections"

# peaks FILE: "allocator bytes" lines of heaptrack's peak consumers (bytes from K/M/G)
peaks() {
    heaptrack_print -f "$1" --print-peaks 1 --print-allocators 0 --print-temporary 0 --print-leaks 0 \
        --peak-limit 12 --sub-peak-limit 0 2>/dev/null \
        | awk '/peak memory consumed over/ { size = $1; getline; print $1, size }'
}
peaks "$pg_work/heap-0.zst" > "$pg_work/base.txt"
peaks "$pg_work/heap-$connections.zst" > "$pg_work/load.txt"
python3 - "$pg_work/base.txt" "$pg_work/load.txt" "$connections" <<'PY'
import sys
def size(text):
    units = {"B": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}
    return float(text[:-1]) * units[text[-1]] if text[-1] in units else float(text)
def table(path):
    rows = {}
    for line in open(path):
        name, amount = line.strip().rsplit(" ", 1)
        rows[name] = rows.get(name, 0) + size(amount)
    return rows
base, load, n = table(sys.argv[1]), table(sys.argv[2]), int(sys.argv[3])
names = {"swift::StackAllocator<>::alloc(unsigned": "async task frames (task allocator slabs)",
         "swift_slowAlloc": "Swift objects and arrays (NIO channels, handlers, hub state)",
         "swift_task_create_common": "task headers"}
total = 0.0
print(f"peak heap per idle connection ({n} connections, less the same daemon with none):")
for name, amount in sorted(load.items(), key=lambda item: -item[1]):
    per = (amount - base.get(name, 0)) / n
    if per < 100:
        continue
    total += per
    label = names.get(name, "NIO ByteBuffer storage" if "ByteBuffer" in name else name[:60])
    print(f"  {per / 1024:6.2f} KB  {label}")
print(f"  {total / 1024:6.2f} KB  in all (bench/hub.sh measures RSS growth, which adds allocator overhead)")
PY
