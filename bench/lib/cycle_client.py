"""Load client for bench/serve-cycles.sh: WORKERS concurrent appointments, each running full
call cycles (request -> accept -> started -> end) against `callctl serve` over keep-alive
HTTP/1.1 on loopback, for DURATION seconds. Worker w uses doctor/patient pair w and its own
list of fresh appointments (a completed appointment cannot be called again).

With --baseline it sends four GET /healthz per "cycle" instead: the same client, connections
and concurrency without the lifecycle's work, measured in the same run.

Prints one JSON object: cycles, seconds, cycles_per_s, cycle and request latency percentiles
(ms), and the count of non-200 answers (must be 0)."""
import argparse, asyncio, base64, hashlib, hmac, json, time


def token(secret: bytes, user: int) -> str:
    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps({"sub": str(user), "exp": int(time.time()) + 3600}).encode())
    sig = b64(hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest())
    return f"{head}.{body}.{sig}"


class Connection:
    def __init__(self, reader, writer, host):
        self.reader, self.writer, self.host = reader, writer, host
        self.retry_after = None  # the last answer's Retry-After header, if it had one

    async def send(self, method, path, bearer=None, body=None):
        return await self.send_raw(method, path, bearer, json.dumps(body).encode() if body is not None else b"", "application/json")

    async def send_form(self, path, bearer, form):
        """POST an application/x-www-form-urlencoded body (what Echo sends to /broadcasting/auth)."""
        return await self.send_raw("POST", path, bearer, form.encode(), "application/x-www-form-urlencoded")

    async def send_raw(self, method, path, bearer, payload, content_type):
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}", f"Content-Length: {len(payload)}",
                 f"Content-Type: {content_type}", "User-Agent: callctl-bench"]
        if bearer:
            lines.append(f"Authorization: Bearer {bearer}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length, self.retry_after = 0, None
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "retry-after":
                self.retry_after = value.strip()
        data = await self.reader.readexactly(length) if length else b""
        return status, data


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


async def worker(args, index, deadline, cycle_ms, request_ms, failures):
    host, port = args.host, args.port
    reader, writer = await asyncio.open_connection(host, port)
    connection = Connection(reader, writer, f"{host}:{port}")
    doctor, patient = args.first_user + 2 * index, args.first_user + 2 * index + 1
    doctor_token, patient_token = token(args.secret.encode(), doctor), token(args.secret.encode(), patient)
    appointment = args.first_appointment + index * args.per_worker
    last = appointment + args.per_worker
    while time.perf_counter() < deadline and appointment < last:
        start = time.perf_counter()
        if args.baseline:
            for _ in range(4):
                t0 = time.perf_counter()
                status, _ = await connection.send("GET", "/healthz")
                request_ms.append((time.perf_counter() - t0) * 1000)
                failures[0] += status != 200
        else:
            base = f"/appointments/{appointment}/call/"
            t0 = time.perf_counter()
            status, data = await connection.send("POST", base + "request", doctor_token, {"peerId": f"d{doctor}"})
            request_ms.append((time.perf_counter() - t0) * 1000)
            if status != 200:
                failures[0] += 1
                appointment += 1
                continue
            call_id = json.loads(data)["callId"]
            for action, bearer, body in (("accept", patient_token, {"callId": call_id, "peerId": f"p{patient}"}),
                                         ("started", doctor_token, {"callId": call_id}),
                                         ("end", doctor_token, {"callId": call_id})):
                t0 = time.perf_counter()
                status, _ = await connection.send("POST", base + action, bearer, body)
                request_ms.append((time.perf_counter() - t0) * 1000)
                failures[0] += status != 200
        cycle_ms.append((time.perf_counter() - start) * 1000)
        appointment += 1
    writer.close()


async def main():
    parser = argparse.ArgumentParser()
    for name, kind in (("host", str), ("port", int), ("secret", str), ("workers", int), ("duration", float),
                       ("first-user", int), ("first-appointment", int), ("per-worker", int)):
        parser.add_argument("--" + name, type=kind, required=True)
    parser.add_argument("--baseline", action="store_true")
    args = parser.parse_args()
    cycle_ms, request_ms, failures = [], [], [0]
    started = time.perf_counter()
    deadline = started + args.duration
    await asyncio.gather(*(worker(args, i, deadline, cycle_ms, request_ms, failures) for i in range(args.workers)))
    seconds = time.perf_counter() - started
    print(json.dumps({
        "cycles": len(cycle_ms), "seconds": round(seconds, 3), "cycles_per_s": round(len(cycle_ms) / seconds, 1),
        "cycle_ms": {"p50": round(percentile(cycle_ms, 0.5), 2), "p99": round(percentile(cycle_ms, 0.99), 2)},
        "request_ms": {"p50": round(percentile(request_ms, 0.5), 2), "p99": round(percentile(request_ms, 0.99), 2)},
        "failures": failures[0],
    }))


if __name__ == "__main__":
    asyncio.run(main())
