#!/usr/bin/python3
"""Runs the Nexmark harness over every query and writes the results into docs/benchmarks.md.

    make bench-nexmark [EVENTS=10000000] [REPEAT=5] [QUERIES="q11 q12"]
    /usr/bin/python3 scripts/bench-nexmark.py --build-dir build/release --events N --repeat R
                                              [--queries q11 q12 ...]

Each query runs REPEAT times with pre-generated input (`laminardb bench nexmark --query qN
--events N --pregenerate --json`: throughput, CPU per core, latency) and REPEAT times with the
FROM NEXMARK connector (the same figures with generation inside the engine, and the peak
memory of the engine without the pre-generated input). The tables give medians, with the
range of the events/s per core. A query that cannot run yet is listed with its LDB-2xxx code.
Every run of a query must produce the same output checksum; otherwise the script stops. The
exceptions: q12, whose processing-time windows carry the wall-clock time of the run (its
checksum and output rows differ from run to run and are not compared), and q6, whose result
depends on the arrival order of tied rows (only its number of result rows is compared; see
ORDER_DEPENDENT).

The generated section of docs/benchmarks.md (or of the document given with --doc) lies between
the markers
`<!-- nexmark-results:begin -->` and `<!-- nexmark-results:end -->` (appended when missing); the
rest of the file is left as it is. With --queries only those queries run: their rows replace
theirs in the section, the other queries' rows stay as they were, and a note under the first
paragraph says which rows were measured when (notes about queries measured again are dropped);
every other query is tried once on a few events, so that the table of queries that cannot run
yet is current.
A changelog query's output rows are its net rows, with the changes it emitted in parentheses.
"""

import argparse
import datetime
import json
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DOC = os.path.join(ROOT, "docs/benchmarks.md")
BEGIN = "<!-- nexmark-results:begin -->"
END = "<!-- nexmark-results:end -->"

# Queries whose output depends on when rows are processed (proctime() windows).
PROCESSING_TIME = {"q12"}

# Queries whose output depends on the order in which tied rows arrive: q6 orders each seller's
# auctions by their last bid's time, and at the default rate ten events share each
# microsecond, so two auctions of a seller can tie and the 10-row frames then depend on which
# arrived first. The rows of two sources reach the reactor in an order that depends on thread
# timing, even when the harness pushes pre-generated batches in one fixed order (q6 at 10M
# events: two checksums and 865,487 or 905,441 changes in three runs), so their checksums are
# not compared; the number of rows in the final result must still agree.
ORDER_DEPENDENT = {"q6"}

# Targets, events per second per core (pre-generated input): issue 5's for the stateless
# queries, issue 7's for the windowed joins and the stateful joins.
TARGETS = {"q0": 10e6, "q1": 10e6, "q2": 10e6, "q14": 10e6, "q21": 3e6, "q22": 3e6,
           "q5": 2e6, "q7": 2e6, "q8": 2e6, "q4": 1e6, "q9": 1e6, "q20": 1e6}

# Published events per second per core (nexmark/SPEC.md, "Published numbers to beat").
PUBLISHED = {
    **{q: "Flink ≥ 2.0: 379–414 K; RisingWave: ~170 K; Alibaba Flink: 0.5–0.8 M"
       for q in ("q0", "q1", "q2")},
    "q5": "Flink ≥ 2.0: 75 K; RisingWave: 11–14 K",
    "q7": "Flink ≥ 2.0: 23 K; RisingWave: 37 K (145 K rewritten)",
    "q8": "Flink ≥ 2.0: 162 K; RisingWave: 84 K",
    **{q: "Flink ≥ 2.0: 14–28 K; RisingWave: 18–25 K" for q in ("q4", "q9", "q20")},
}


def rate_text(value):
    if value is None:
        return "—"
    for divisor, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "K")):
        if value >= divisor:
            return f"{value / divisor:.3g} {suffix}"
    return f"{value:.3g}"


def micros_text(value):
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def machine_description():
    model = "unknown CPU"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB"
                break
    return f"{os.cpu_count()} cores ({model}){memory}, Linux {os.uname().release}"


def query_names():
    names = [name[:-4] for name in os.listdir(os.path.join(ROOT, "bench/nexmark/queries"))
             if re.fullmatch(r"q\d+\.sql", name)]
    return sorted(names, key=lambda name: int(name[1:]))


def run(binary, query, events, pregenerate):
    command = [binary, "bench", "nexmark", "--query", query, "--events", str(events), "--json"]
    if pregenerate:
        command.append("--pregenerate")
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode not in (0, 3):
        sys.exit(f"{' '.join(command)} failed with status {result.returncode}:\n{result.stderr}")
    return json.loads(result.stdout)


def measure(binary, query, events, repeat):
    print(f"== {query}", flush=True)
    first = run(binary, query, events, pregenerate=True)
    if not first["supported"]:
        print(f"   unsupported: {first['error']}", flush=True)
        return {"query": query, "supported": False, "error_code": first["error_code"],
                "error": first["error"]}
    pushed = [first] + [run(binary, query, events, True) for _ in range(repeat - 1)]
    generated = [run(binary, query, events, False) for _ in range(repeat)]
    compared = pushed + generated
    checksums = {report["checksum"] for report in compared}
    if query in ORDER_DEPENDENT:
        rows = {report["output_rows"] for report in compared}
        if len(rows) != 1:
            sys.exit(f"{query}: the runs disagree on the number of result rows: {sorted(rows)}")
    elif len(checksums) != 1 and query not in PROCESSING_TIME:
        sys.exit(f"{query}: the runs disagree on the output checksum: {sorted(checksums)}")
    per_core = [report["events_per_sec_per_core"] for report in pushed]
    summary = {
        "query": query,
        "supported": True,
        "events_per_sec": median(r["events_per_sec"] for r in pushed),
        "per_core": median(per_core),
        "per_core_range": (min(per_core), max(per_core)),
        "p50_us": median(r["p50_us"] for r in pushed),
        "p99_us": median(r["p99_us"] for r in pushed),
        "generation_seconds": median(r["generation_seconds"] for r in pushed),
        "engine_seconds": median(r["engine_seconds"] for r in pushed),
        "connector_events_per_sec": median(r["events_per_sec"] for r in generated),
        "connector_per_core": median(r["events_per_sec_per_core"] for r in generated),
        "connector_peak_rss_mb": median(r["peak_rss_mb"] for r in generated),
        "pregenerate_peak_rss_mb": median(r["peak_rss_mb"] for r in pushed),
        "input_mb": pushed[0]["input_mb"],
        "output_rows": pushed[0]["output_rows"],
        "output_changes": pushed[0].get("output_changes", pushed[0]["output_rows"]),
        "checksum": pushed[0]["checksum"],
    }
    if query in PROCESSING_TIME:
        summary["checksum"] = None
    print(f"   {rate_text(summary['per_core'])} events/s per core, p50 "
          f"{micros_text(summary['p50_us'])} us, p99 {micros_text(summary['p99_us'])} us",
          flush=True)
    return summary


def checksum_text(result):
    if result["checksum"] is None:
        return "varies (processing time)"
    if result["query"] in ORDER_DEPENDENT:
        return (f"`{result['checksum']}` (one run's; runs vary: tied rows arrive in varying "
                "order)")
    return f"`{result['checksum']}`"


def output_rows_text(result):
    rows, changes = result["output_rows"], result["output_changes"]
    return f"{rows:,}" if rows == changes else f"{rows:,} ({changes:,} changes)"


def command_text(args, queries):
    """The command that reproduces a run: `make bench-nexmark` when it writes the default
    document, the script itself (with --doc) otherwise."""
    if os.path.abspath(args.doc) == DEFAULT_DOC:
        text = f"make bench-nexmark EVENTS={args.events} REPEAT={args.repeat}"
        return text + (f" QUERIES=\"{' '.join(queries)}\"" if queries else "")
    text = (f"/usr/bin/python3 scripts/bench-nexmark.py --events {args.events} --repeat "
            f"{args.repeat} --doc {os.path.relpath(os.path.abspath(args.doc), ROOT)}")
    return text + (f" --queries {' '.join(queries)}" if queries else "")


def render(results, events, repeat, machine, started, command):
    lines = [
        BEGIN,
        "",
        f"Measured {started:%Y-%m-%d} by `{command}` "
        f"(commit `{git_commit()}`): every query {repeat} times with pre-generated input "
        f"(`./build/release/laminardb bench nexmark --query qN --events {events} --pregenerate "
        f"--json`) and {repeat} times with the `FROM NEXMARK` connector (the same without "
        "`--pregenerate`); medians, and the range of the events/s per core over the "
        "pre-generated runs.",
        "",
        f"Machine: {machine}; load average {os.getloadavg()[0]:.2f} when the runs began. "
        "g++ 12, `release` preset (`-O3`), mimalloc.",
        "",
        "| query | events/s | events/s per core (range) | target per core | "
        "p50 / p99 latency (µs) | generation (s) | output rows | checksum | "
        "published per core (SPEC.md) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if not r["supported"]:
            continue
        target = TARGETS.get(r["query"])
        verdict = "—"
        if target:
            verdict = f"{rate_text(target)}: {'met' if r['per_core'] >= target else '**not met**'}"
        low, high = r["per_core_range"]
        lines.append(
            f"| {r['query']} | {rate_text(r['events_per_sec'])} | {rate_text(r['per_core'])} "
            f"({rate_text(low)}–{rate_text(high)}) | {verdict} | {micros_text(r['p50_us'])} / "
            f"{micros_text(r['p99_us'])} | {r['generation_seconds']:.2f} | {output_rows_text(r)} | "
            f"{checksum_text(r)} | {PUBLISHED.get(r['query'], '—')} |")
    lines += [
        "",
        "The same queries with the generator inside the engine (`FROM NEXMARK`), and the peak "
        "resident memory of both modes. Connector runs go at the generator's pace when the "
        "query is faster than it; the reactor then idles between batches, and its idle "
        "spinning counts as engine CPU, so their per-core figure (in the JSON) measures the "
        "wait more than the work and is not shown. Pre-generated runs hold their whole input "
        "in memory (the input column gives its size):",
        "",
        "| query | events/s, connector | peak RSS, connector (MiB) | "
        "peak RSS, pre-generated (MiB) | input (MiB) |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        if not r["supported"]:
            continue
        lines.append(
            f"| {r['query']} | {rate_text(r['connector_events_per_sec'])} | "
            f"{r['connector_peak_rss_mb']:,.0f} | {r['pregenerate_peak_rss_mb']:,.0f} | "
            f"{r['input_mb']:,.0f} |")
    lines += [
        "",
        "Queries that cannot run yet (the harness exits with status 3 and the code of the "
        "CREATE that failed):",
        "",
        "| query | code | first words of the error | published per core (SPEC.md) |",
        "|---|---|---|---|",
    ]
    for r in results:
        if r["supported"]:
            continue
        message = re.sub(r"^LDB-\d+: ", "", r["error"])
        message = re.sub(r" \(the plan node is: .*", "", message)
        message = re.sub(r" \(line \d+, column \d+\)$", "", message)
        message = message.replace("|", "\\|")
        lines.append(f"| {r['query']} | {r['error_code']} | {message} | "
                     f"{PUBLISHED.get(r['query'], '—')} |")
    lines += ["", END]
    return "\n".join(lines)


def query_of_row(line):
    match = re.match(r"\| (q\d+) \|", line)
    return match.group(1) if match else None


def split_section(section):
    """The section's tables, each with the text lines before it, its header lines and its rows
    by query; and the text after the last table."""
    tables, before = [], []
    for line in section.split("\n"):
        query = query_of_row(line)
        if query and tables:
            tables[-1]["rows"][query] = line
        elif line.startswith("|") and tables and not tables[-1]["closed"]:
            tables[-1]["header"].append(line)
        elif line.startswith("|"):
            tables.append({"before": before, "header": [line], "rows": {}, "closed": False})
            before = []
        else:
            if tables:
                tables[-1]["closed"] = True
            before.append(line)
    return tables, before


def merge(old_section, new_section, measured, note):
    """The new section's rows for the measured queries and the old section's for the others, in
    query order within each table, except the last table (queries that cannot run), which is the
    new section's alone; the old section's first paragraphs with its notes about queries not
    measured again, then `note`."""
    old_tables, _ = split_section(old_section)
    new_tables, after = split_section(new_section)
    if len(old_tables) != len(new_tables) or not old_tables:
        return new_section
    head = old_tables[0]["before"]
    notes = [line for line in head if line.startswith("Re-measured")
             and not set(re.findall(r"q\d+", line.split(":")[0])) <= measured]
    head = [line for line in head if not line.startswith("Re-measured")]
    while head and head[-1] == "":
        head.pop()
    new_tables[0]["before"] = head + [""] + [
        line for paragraph in notes + [note] for line in (paragraph, "")]
    order = {q: i for i, q in enumerate(query_names())}
    out = []
    for index, (old, new) in enumerate(zip(old_tables, new_tables)):
        unsupported_table = index == len(new_tables) - 1
        rows = {q: line for q, line in old["rows"].items()
                if q not in measured and not unsupported_table}
        rows.update(new["rows"])
        out += new["before"] + new["header"]
        out += [rows[q] for q in sorted(rows, key=lambda q: order.get(q, len(order)))]
    return "\n".join(out + after)


def section_bounds(text):
    """Where the generated section lies in `text`: from the BEGIN marker to the end of the END
    marker, each alone on its line (a document may quote them in its prose), or None."""
    begin = re.search(rf"^{re.escape(BEGIN)}$", text, re.MULTILINE)
    end = re.search(rf"^{re.escape(END)}$", text, re.MULTILINE)
    if begin is None or end is None or end.start() < begin.start():
        return None
    return begin.start(), end.end()


def read_section(doc_path):
    with open(doc_path) as file:
        text = file.read()
    bounds = section_bounds(text)
    return text[bounds[0]:bounds[1]] if bounds else None


def git_commit():
    result = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True)
    return result.stdout.strip() or "unknown"


def write_section(doc_path, section):
    with open(doc_path) as file:
        text = file.read()
    bounds = section_bounds(text)
    if bounds:
        text = text[:bounds[0]] + section + text[bounds[1]:]
    else:
        text = text.rstrip("\n") + "\n\n## Nexmark\n\n" + section + "\n"
    with open(doc_path, "w") as file:
        file.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default="build/release")
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--doc", default=DEFAULT_DOC,
                        help="the document whose generated section is rewritten")
    parser.add_argument("--queries", nargs="*", help="only these (default: every query)")
    args = parser.parse_args()
    binary = os.path.join(args.build_dir, "laminardb")
    if not os.access(binary, os.X_OK):
        sys.exit(f"no {binary}: build the release preset first (make build)")
    started = datetime.datetime.now(datetime.timezone.utc)
    machine = machine_description()
    print(f"machine: {machine}\ndate: {started:%Y-%m-%d}\nevents: {args.events}, "
          f"repetitions: {args.repeat}", flush=True)
    results = [measure(binary, query, args.events, args.repeat)
               for query in (args.queries or query_names())]
    old_section = read_section(args.doc)
    if old_section and not split_section(old_section)[0]:
        old_section = None  # Only the markers: nothing to merge with.
    if args.queries and old_section:
        for query in query_names():
            if query in args.queries:
                continue
            probe = run(binary, query, 1000, pregenerate=True)
            if not probe["supported"]:
                results.append({"query": query, "supported": False,
                                "error_code": probe["error_code"], "error": probe["error"]})
    results.sort(key=lambda r: int(r["query"][1:]))
    merging = bool(args.queries and old_section)
    section = render(results, args.events, args.repeat, machine, started,
                     command_text(args, None if merging else args.queries))
    if args.queries and old_section:
        names = ", ".join(args.queries)
        note = (f"Re-measured {names}: {started:%Y-%m-%d} by `{command_text(args, args.queries)}` "
                f"(commit `{git_commit()}`, load average {os.getloadavg()[0]:.2f} when the runs "
                "began, same machine and method); the other rows are from the runs above.")
        section = merge(old_section, section, set(args.queries), note)
    write_section(args.doc, section)
    print(f"wrote {os.path.relpath(args.doc)}")


if __name__ == "__main__":
    main()
