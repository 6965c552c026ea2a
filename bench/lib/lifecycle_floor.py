"""Turns one call cycle that `callctl serve` ran with log_statement=all into a pgbench script
that sends the same statements, in the same transactions, with the same parameters (bench/
serve-cycles.sh measures PostgreSQL's floor with it).

    lifecycle_floor.py SERVER_LOG AID DOCTOR PATIENT SCRIPT_OUT DEFINES_OUT

SERVER_LOG holds the PostgreSQL log of the capture (default log_line_prefix, '%m [%p] '); the
cycle ran on appointment AID with users DOCTOR and PATIENT. The statements are those of the
connections that ran the lifecycle's locking read ("FOR UPDATE OF a"), in log order: four
commands of BEGIN, lock, [user locks], read, combined write, COMMIT and the NOTIFY after it.

In the script every parameter stays a parameter (pgbench -M prepared, as callctl prepares its
statements). What names this cycle is a variable: the appointment (:cc_aid), the users
(:cc_doc, :cc_pat), the session id (:cc_sid) and every text parameter that contains one of
them (arrays such as '{AID}', channel names). JSON documents keep the captured text, which is
only stored. Constant parameters become -D definitions (DEFINES_OUT, one NAME=VALUE a line).
pgbench has no string functions, so the per-cycle texts are computed by PostgreSQL in the
cycle's last statement (the NOTIFY after the `end` command gains a few replace() columns and
\\gset) for the next cycle, and once by a set-up query in each client's first cycle.
"""
import hashlib, re, sys

RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[(\d+)\] ([A-Z]+):  (.*)$")
STATEMENT = re.compile(r"^(?:execute [^:]+|statement): (.*)$", re.S)
PARAMETER = re.compile(r"\$(\d+) = ('(?:[^']|'')*'|NULL)")


def records(path):
    """(pid, level, text) per log record; continuation lines (a leading tab) are joined."""
    current = None
    with open(path, encoding="utf-8") as log:
        for line in log:
            line = line.rstrip("\n")
            match = RECORD.match(line)
            if match:
                if current:
                    yield current
                current = [match.group(1), match.group(2), match.group(3)]
            elif current and line.startswith("\t"):
                current[2] += "\n" + line[1:]
        if current:
            yield current


def statements(path):
    """[(sql, {n: value or None})] of the lifecycle connections, in log order."""
    found, pids = [], set()
    for pid, level, text in records(path):
        if level == "LOG":
            match = STATEMENT.match(text)
            if match:
                found.append([pid, match.group(1), {}])
                if "FOR UPDATE OF a" in match.group(1):
                    pids.add(pid)
        elif level == "DETAIL" and text.startswith("parameters: ") and found and found[-1][0] == pid:
            for number, value in PARAMETER.findall(text):
                found[-1][2][int(number)] = None if value == "NULL" else value[1:-1].replace("''", "'")
    lifecycle = [(sql, parameters) for pid, sql, parameters in found if pid in pids]
    first = next(i for i, (sql, _) in enumerate(lifecycle) if sql == "BEGIN")
    last = max(i for i, (sql, _) in enumerate(lifecycle) if "pg_notify" in sql)
    return lifecycle[first:last + 1]


def quote(text):
    return "'" + text.replace("'", "''") + "'"


def main():
    log, aid, doctor, patient, script_out, defines_out = sys.argv[1:7]
    cycle = statements(log)
    commits = sum(sql == "COMMIT" for sql, _ in cycle)
    if commits != 4 or not any("FOR UPDATE OF a" in sql for sql, _ in cycle):
        sys.exit(f"lifecycle_floor: expected the 4 transactions of one cycle in the log, found {commits} COMMITs")
    session = next(value for sql, parameters in cycle if "INSERT INTO call_sessions" in sql
                   for number, value in parameters.items() if number == 1)
    # (captured text, how it is found, what replaces it)
    tokens = [(session, re.compile(re.escape(session)), "s.u"),
              (aid, re.compile(r"(?<![0-9])" + aid + r"(?![0-9])"), "NEXT_AID::text"),
              (doctor, re.compile(r"(?<![0-9])" + doctor + r"(?![0-9])"), ":cc_doc::text"),
              (patient, re.compile(r"(?<![0-9])" + patient + r"(?![0-9])"), ":cc_pat::text")]
    scalars = {session: "cc_sid", aid: "cc_aid", doctor: "cc_doc", patient: "cc_pat"}
    defines, texts = {}, {}

    def variable(value):
        if value in scalars:
            return scalars[value]
        is_json = value.startswith("[") or value.startswith('{"') and value.endswith("}") and ":" in value
        if not is_json and any(pattern.search(value) for _, pattern, _ in tokens):
            return texts.setdefault(value, f"cc_t{len(texts) + 1}")
        name = "k_" + hashlib.sha1(value.encode()).hexdigest()[:12]
        defines[name] = value
        return name

    def expression(template, next_aid):
        """SQL building `template` with this cycle's ids replaced."""
        sql = quote(template)
        for raw, pattern, replacement in tokens:
            if pattern.search(template):
                sql = f"replace({sql}, {quote(raw)}, {replacement.replace('NEXT_AID', next_aid)})"
        return sql

    def per_cycle_columns(next_aid):
        columns = ["s.u AS cc_sid"] + [f"{expression(template, next_aid)} AS {name}" for template, name in texts.items()]
        return ", ".join(columns), "FROM (SELECT gen_random_uuid()::text AS u) s"

    body = []
    for index, (sql, parameters) in enumerate(cycle):
        text = re.sub(r"\$(\d+)\b", lambda m: "NULL" if parameters[int(m.group(1))] is None
                      else ":" + variable(parameters[int(m.group(1))]), sql)
        body.append(text)
    columns, source = per_cycle_columns(":cc_next_aid")
    body[-1] = f"{body[-1]}, {columns} {source} \\gset"
    first_columns, first_source = per_cycle_columns(":cc_aid")
    script = [
        "\\set n :n + 1",
        "\\set cc_doc 2 * :client_id + 1",
        "\\set cc_pat 2 * :client_id + 2",
        "\\set cc_aid :client_id * :per_pair + :n",
        "\\set cc_next_aid :cc_aid + 1",
        "\\if :n = 1",
        f"SELECT {first_columns} {first_source} \\gset",
        "\\endif",
    ] + [line if line.endswith("\\gset") else line + ";" for line in body]
    with open(script_out, "w", encoding="utf-8") as out:
        out.write("\n".join(script) + "\n")
    with open(defines_out, "w", encoding="utf-8") as out:
        for name, value in defines.items():
            if "\n" in value:
                sys.exit("lifecycle_floor: a parameter holds a newline; -D cannot pass it")
            out.write(f"{name}={value}\n")
    print(f"{len(cycle)} statements, {commits} transactions, {len(texts)} per-cycle texts, {len(defines)} constants",
          file=sys.stderr)


if __name__ == "__main__":
    main()
