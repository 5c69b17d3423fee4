#!/usr/bin/env python3
"""Python baseline for the smartnotes benchmark: the Python counterpart of `smartnotes bench`.

Runs the same three workloads as the Rust CLI, each with several concurrency strategies, using the
Python 3.11 standard library only, and prints ONE JSON object on stdout (progress goes to stderr):

- lesson: 10 notes x 3 formats = 30 jobs; each job renders a note, then waits 0.1 s of simulated
  I/O. Strategies: sequential, threading (one Thread per job), pool (ThreadPoolExecutor, --workers,
  default 32) and asyncio (asyncio.gather of one coroutine per job).
- scale: --notes N x 3 formats with the same 0.1 s latency. sequential is computed (jobs x 0.1 s),
  threading is refused above 30,000 jobs, pool is computed when it would take 20 s or more, and
  asyncio always runs for real.
- disk: --notes N x 3 formats of real files written into --dir, no simulated latency. Strategies:
  sequential, pool-2, pool-8 and asyncio (blocking writes sent to the default executor in batches).
  As smartnotes does: each file rendered (Markdown with front matter, pretty JSON, CSV with its
  header) and named `<id>-<slug>.<ext>` by smartnotes' slug rule, written into a staging folder
  that is renamed into place once per format. With --notes-file, the notes are smartnotes' own
  (its JSONL bundle), so both sides export the same notes; --write-once DIR writes them once so
  that bench/compare can check the files are the same.

Each strategy runs in a fresh child process of this script (hidden `--one WORKLOAD STRATEGY` mode)
so that its peak RSS (getrusage ru_maxrss) is its own. Notes are generated before timing starts.

    python3 bench/python/smartnotes_py.py --workload lesson|scale|disk|all \
        [--notes N] [--dir DIR] [--runs R] [--workers W]
"""
import argparse
import asyncio
import csv
import io
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

LATENCY_S = 0.1            # simulated I/O wait per job (lesson, scale)
FORMATS = ("md", "json", "csv")
LESSON_NOTES = 10
MAX_THREADS = 30_000       # scale/threading is refused above this many jobs
MAX_POOL_S = 20.0          # scale/pool is computed instead of run when it would take this long
DISK_BATCH = 1_000         # disk/asyncio: jobs handed to the executor per gather()
SEED = 42
KEYS = ("workload", "strategy", "jobs", "concurrency", "wall_s", "wall_min_s", "wall_max_s",
        "speedup", "peak_rss_bytes", "files_per_s", "computed", "runs", "refused")

STRATEGIES = {
    "lesson": ("sequential", "threading", "pool", "asyncio"),
    "scale": ("sequential", "threading", "pool", "asyncio"),
    "disk": ("sequential", "pool-2", "pool-8", "asyncio"),
}

# --------------------------------------------------------------------------- synthetic notes

WORDS = ("café naïve résumé garçon über señor déjà-vu Zürich crème brûlée export thread pool "
         "latency backup notebook migration draft idea budget meeting recipe travel").split()
TAGS = ("work", "todo", "idea", "finance", "travel", "recipe", "reading", "été", "draft")
SENTENCES = (
    "Call the bank, ask about the fixed rate.",
    'She said "ship it", then left for the café.',
    "Threads help when the work is waiting, not computing.",
    "Remember: milk, eggs, flour, and a crème brûlée torch.",
    "The pool keeps 32 workers busy; the rest wait in a queue.",
    "Zürich in June, \"weather permitting\", with a déjà-vu feeling.",
    "Use `asyncio.gather` for many small waits, it's cheap.",
    "\n\n- first item, with a comma\n- second item \"quoted\"\n\n",  # block elements get
    "\n\n> A quote, with 'single' and \"double\" marks.\n\n",         # their own paragraph
    "\n\n## Next steps\n\nWrite the draft, review it, publish.",
)
EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)


def make_notes(count: int, seed: int = SEED) -> list[dict]:
    """Deterministic notes: same seed, same notes, on every machine."""
    rng = random.Random(seed)
    notes = []
    for i in range(1, count + 1):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 5))).capitalize()
        tags = rng.sample(TAGS, rng.randint(0, 5))
        target, parts, size = rng.randint(300, 3000), [], 0
        while size < target:  # whole sentences, joined by spaces or paragraph breaks
            s = rng.choice(SENTENCES)
            parts.append(s)
            size += len(s.encode()) + 1
            parts.append("\n\n" if rng.random() < 0.2 else " ")
        created = EPOCH + timedelta(seconds=rng.randint(0, 50_000_000))
        updated = created + timedelta(seconds=rng.randint(0, 5_000_000))
        notes.append({"id": i, "title": title, "tags": tags, "body": "".join(parts).strip() + "\n",
                      "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                      "updated": updated.strftime("%Y-%m-%dT%H:%M:%SZ")})
    return notes


def load_notes(path: str) -> list[dict]:
    """smartnotes' own notes, from its JSONL bundle (`smartnotes export --layout bundle -f
    jsonl`): the very notes the Rust side exports, field for field."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


MAX_SLUG_BYTES = 80


def slug(title: str) -> str:
    """smartnotes' slug: NFC, lowercase words of letters and digits joined by "-", at most 80
    bytes, "untitled" when empty ("Recipe: crème brûlée #2" -> "recipe-crème-brûlée-2")."""
    out, size, pending = [], 0, False
    for c in unicodedata.normalize("NFC", title):
        if not c.isalnum():
            pending = True
            continue
        if pending and out:
            if size + 1 >= MAX_SLUG_BYTES:
                break
            out.append("-")
            size += 1
        pending = False
        lower = c.lower()
        n = len(lower.encode())
        if size + n > MAX_SLUG_BYTES:
            break
        out.append(lower)
        size += n
    return "".join(out) or "untitled"


YAML_PLAIN = re.compile(r"[A-Za-z_\u00c0-\uffff][\w .\-\u00c0-\uffff]*")
YAML_WORDS = {"y", "yes", "n", "no", "true", "false", "on", "off", "null", "~"}


def yaml_str(s: str) -> str:
    """A YAML scalar as smartnotes writes one: plain when it cannot be misread, else in single
    quotes (close to, not always byte for byte, what serde_yaml_ng writes)."""
    if YAML_PLAIN.fullmatch(s) and not s.endswith(" ") and s.lower() not in YAML_WORDS:
        return s
    return "'" + s.replace("'", "''") + "'"


def render(note: dict, fmt: str) -> str:
    """The note as smartnotes renders it: Markdown with its front matter, pretty JSON (the
    same layout as serde_json's), RFC 4180 CSV with smartnotes' header."""
    if fmt == "md":
        tags = "".join(f"\n- {yaml_str(t)}" for t in note["tags"]) if note["tags"] else " []"
        return (f"---\nid: {note['id']}\ntitle: {yaml_str(note['title'])}\ntags:{tags}\n"
                f"created: {note['created']}\nupdated: {note['updated']}\n---\n{note['body']}")
    if fmt == "json":
        return json.dumps(note, ensure_ascii=False, indent=2) + "\n"
    buf = io.StringIO()  # csv: header plus one row, RFC 4180 quoting
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(("id", "title", "tags", "created", "updated", "body", "properties", "source"))
    props = json.dumps(note["properties"], ensure_ascii=False, separators=(",", ":")) \
        if note.get("properties") else ""
    source = json.dumps(note["source"], ensure_ascii=False, separators=(",", ":")) \
        if note.get("source") else ""
    w.writerow((note["id"], note["title"], ";".join(note["tags"]), note["created"],
                note["updated"], note["body"], props, source))
    return buf.getvalue()


# --------------------------------------------------------------------------- jobs

def sim_job(note: dict, fmt: str) -> None:
    render(note, fmt)          # output discarded
    time.sleep(LATENCY_S)


async def sim_job_async(note: dict, fmt: str) -> None:
    render(note, fmt)
    await asyncio.sleep(LATENCY_S)


def disk_job(root: str, note: dict, fmt: str) -> None:
    # Into the staging folder, published by one rename per format folder at the end, as
    # smartnotes does (see `publish`).
    path = os.path.join(root, STAGING, fmt, f"{note['id']}-{slug(note['title'])}.{fmt}")
    f = open(path, "w", encoding="utf-8", newline="")
    f.write(render(note, fmt))
    f.close()


def run_strategy(workload: str, strategy: str, jobs: list, workers: int, root: str) -> int:
    """Run every job once with one strategy; return the concurrency it used."""
    if workload == "disk":
        fn, args = disk_job, [(root, n, f) for n, f in jobs]
    else:
        fn, args = sim_job, jobs
    if strategy == "sequential":
        for a in args:
            fn(*a)
        return 1
    if strategy == "threading":
        threads = [threading.Thread(target=fn, args=a) for a in args]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return len(threads)
    if strategy.startswith("pool"):
        size = int(strategy.split("-")[1]) if "-" in strategy else workers
        with ThreadPoolExecutor(max_workers=size) as pool:
            for fut in [pool.submit(fn, *a) for a in args]:
                fut.result()  # re-raises any job error
        return size
    if strategy == "asyncio":
        if workload == "disk":
            asyncio.run(disk_async(args))
            return min(32, (os.cpu_count() or 1) + 4)  # default executor size
        async def main() -> None:
            await asyncio.gather(*(sim_job_async(n, f) for n, f in args))
        asyncio.run(main())
        return len(args)
    raise ValueError(f"unknown strategy {strategy}")


async def disk_async(args: list) -> None:
    """Blocking writes go to the default executor, DISK_BATCH at a time."""
    loop = asyncio.get_running_loop()
    for i in range(0, len(args), DISK_BATCH):
        await asyncio.gather(*(loop.run_in_executor(None, disk_job, *a)
                               for a in args[i:i + DISK_BATCH]))


STAGING = ".staging"


def clean(root: str) -> None:
    """Empty the format folders and make the staging ones (never anything else in root)."""
    for fmt in FORMATS:
        shutil.rmtree(os.path.join(root, fmt), ignore_errors=True)
        shutil.rmtree(os.path.join(root, STAGING, fmt), ignore_errors=True)
        os.makedirs(os.path.join(root, STAGING, fmt))


def publish(root: str) -> None:
    """The staged format folders into place: one rename each, as a fresh smartnotes export."""
    for fmt in FORMATS:
        os.rename(os.path.join(root, STAGING, fmt), os.path.join(root, fmt))


def child(workload: str, strategy: str, opts: argparse.Namespace) -> dict:
    """--one mode: run one strategy opts.runs times in this process and report its walls and RSS."""
    count = LESSON_NOTES if workload == "lesson" else opts.notes
    notes = load_notes(opts.notes_file) if opts.notes_file and workload != "lesson" \
        else make_notes(count)
    jobs = [(n, f) for n in notes for f in FORMATS]
    walls = []
    for _ in range(opts.runs):
        if workload == "disk":
            clean(opts.dir)  # not timed
        start = time.perf_counter()
        concurrency = run_strategy(workload, strategy, jobs, opts.workers, opts.dir)
        if workload == "disk":
            publish(opts.dir)
        walls.append(time.perf_counter() - start)
    return {"walls": walls, "concurrency": concurrency,
            "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}


# --------------------------------------------------------------------------- parent

def spawn(workload: str, strategy: str, opts: argparse.Namespace) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--one", workload, strategy,
           "--notes", str(opts.notes), "--runs", str(opts.runs), "--workers", str(opts.workers)]
    if opts.notes_file:
        cmd += ["--notes-file", opts.notes_file]
    if opts.dir:
        cmd += ["--dir", opts.dir]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out)


def measure(workload: str, opts: argparse.Namespace) -> list[dict]:
    n_notes = LESSON_NOTES if workload == "lesson" else opts.notes
    n_jobs = n_notes * len(FORMATS)
    results = []
    for strategy in STRATEGIES[workload]:
        row = {"workload": workload, "strategy": strategy, "jobs": n_jobs}
        computed = refused = None
        if workload == "scale" and strategy == "sequential":
            computed = (1, round(n_jobs * LATENCY_S, 4))
        elif workload == "scale" and strategy == "threading" and n_jobs > MAX_THREADS:
            refused = (f"{n_jobs} OS threads exceed the {MAX_THREADS} limit "
                       "(memory, thread-count limits)")
        elif workload == "scale" and strategy == "pool" and \
                n_jobs / opts.workers * LATENCY_S >= MAX_POOL_S:
            computed = (opts.workers, round(-(-n_jobs // opts.workers) * LATENCY_S, 4))
        if refused:
            row.update(concurrency=n_jobs, wall_s=None, speedup=None, peak_rss_bytes=None,
                       files_per_s=None, computed=False, runs=0, refused=refused)
        elif computed:
            row.update(concurrency=computed[0], wall_s=computed[1], peak_rss_bytes=None,
                       computed=True, runs=0)
        else:
            print(f"[{workload}] {strategy} ...", file=sys.stderr, flush=True)
            got = spawn(workload, strategy, opts)
            walls = got["walls"]
            row.update(concurrency=got["concurrency"], wall_s=round(statistics.median(walls), 4),
                       wall_min_s=round(min(walls), 4), wall_max_s=round(max(walls), 4),
                       peak_rss_bytes=got["peak_rss_bytes"], computed=False, runs=len(walls))
            print(f"[{workload}] {strategy}: {row['wall_s']} s", file=sys.stderr, flush=True)
        if row["wall_s"]:
            row["files_per_s"] = round(n_jobs / row["wall_s"], 1)
        results.append(row)
    base = results[0]["wall_s"]  # sequential, measured or computed
    for row in results:
        if "refused" not in row:
            row["speedup"] = round(base / row["wall_s"], 2)
    return [{k: row[k] for k in KEYS if k in row} for row in results]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workload", choices=("lesson", "scale", "disk", "all"), default="all")
    p.add_argument("--notes", type=int, default=100_000, help="notes for scale and disk")
    p.add_argument("--dir", help="output folder for disk (default: fresh folder in /dev/shm)")
    p.add_argument("--runs", type=int, default=1, help="repeat each strategy, report the median")
    p.add_argument("--workers", type=int, default=32, help="pool size for lesson and scale")
    p.add_argument("--notes-file", help="scale and disk export these notes (smartnotes' JSONL "
                   "bundle) instead of generated ones; --notes is then their number")
    p.add_argument("--write-once", metavar="DIR", help="write the disk workload's files once "
                   "into DIR/md, DIR/json, DIR/csv and exit (to compare them with smartnotes')")
    p.add_argument("--one", nargs=2, metavar=("WORKLOAD", "STRATEGY"), help=argparse.SUPPRESS)
    opts = p.parse_args()
    if opts.notes_file:
        opts.notes = sum(1 for line in open(opts.notes_file, encoding="utf-8") if line.strip())
    if opts.write_once:
        notes = load_notes(opts.notes_file) if opts.notes_file else make_notes(opts.notes)
        clean(opts.write_once)
        for note in notes:
            for fmt in FORMATS:
                disk_job(opts.write_once, note, fmt)
        publish(opts.write_once)
        os.rmdir(os.path.join(opts.write_once, STAGING))
        return
    if opts.notes < 1 or opts.runs < 1 or opts.workers < 1:
        p.error("--notes, --runs and --workers must be at least 1")

    if opts.one:
        json.dump(child(*opts.one, opts), sys.stdout)
        return

    workloads = ("lesson", "scale", "disk") if opts.workload == "all" else (opts.workload,)
    fresh = None
    if "disk" in workloads and not opts.dir:
        fresh = opts.dir = tempfile.mkdtemp(prefix="smartnotes-py-",
                                            dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    try:
        results = [row for w in workloads for row in measure(w, opts)]
    finally:
        if fresh:
            shutil.rmtree(fresh, ignore_errors=True)
    json.dump({"tool": "python", "python": platform.python_version(),
               "machine": {"cores": os.cpu_count()}, "results": results}, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
