"""The benchmark, in one command: performance at council scale (issue 14).

    .venv/bin/python bench/run.py --scale 0.1 --scale 1

For each scale, in a process of its own (``bench/measure.py``): a fresh PostgreSQL database
``bench_<scale>`` on DATABASE_URL's server, migrated; the data set built through the app's
services (``bench/council.py``); the app served by gunicorn with the production settings
(DEBUG off, a random SECRET_KEY, ALLOWED_HOSTS 127.0.0.1 and localhost; only the HTTPS
redirect is off, to serve plain HTTP locally) plus a query count per response
(``bench/settings.py``); every page timed against the floor, the sign-in page, interleaved;
then, in process, the reminder dispatch, the population import and the committee report.

Prints each figure as it comes and writes ``bench/results/latest.md`` (a table per scale, the
flatness from the smallest to the largest scale, the issue's targets met or not, and the
machine) and ``bench/results/latest.json`` (every figure). Not part of the test suite.

Options: ``--rounds N`` (default 9), ``--workers N`` (gunicorn's, default 2), ``--reuse``
(measure the databases built by an earlier run again, without rebuilding), ``--database NAME``
(with a single ``--scale``: another database name than bench_<scale>).
"""

import argparse
import json
import os
import platform
import secrets
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"
KIB = 1024
PAGE_SIZE_LIMIT_KIB = 150
FLAT_WITHIN = 1.5


def database_name(scale: float) -> str:
    return "bench_" + f"{scale:g}".replace(".", "_")


def database_url(server_url: str, name: str) -> str:
    return urlsplit(server_url)._replace(path=f"/{name}").geturl()


def scale_env(*, server_url: str, database: str) -> dict:
    """Production settings, over plain HTTP on 127.0.0.1, on the scale's database."""
    return os.environ | {
        "DATABASE_URL": database_url(server_url, database),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": "http://127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        # Nothing a page does sends email; the build's outbox jobs are never run.
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONUNBUFFERED": "1",
    }


def static_collect(env: dict) -> None:
    """The production storage needs the manifest collectstatic writes (bench.settings puts it
    under var/bench/static). The assets must have been built (npm run build)."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def machine(env: dict) -> dict:
    """What the figures were measured on."""
    import django

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    memory_kib = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    postgres = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, psycopg; "
            "print(psycopg.connect(os.environ['DATABASE_URL']).execute('show server_version')"
            ".fetchone()[0])",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    gunicorn = subprocess.run(  # noqa: S603 (our own venv's gunicorn)
        [str(Path(sys.executable).with_name("gunicorn")), "--version"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 (git on the PATH)
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    changed = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "date": datetime.now(tz=UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": f"{memory_kib / 2**20:.1f} GiB",
        # A busy machine makes every figure noisier: the floor absorbs a steady load only.
        "load average at the start (1, 5, 15 min)": ", ".join(
            f"{load:.2f}" for load in os.getloadavg()
        ),
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": postgres or "unknown",
        "django": django.get_version(),
        "gunicorn": gunicorn.replace("gunicorn (version ", "").rstrip(")") or "unknown",
        "commit": commit + (" with uncommitted changes" if changed else ""),
    }


# --- The report ----------------------------------------------------------------------------


def _met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**not met**")


def _page_target(page: dict) -> tuple[str, bool | None]:
    """The issue's target for a page (downloads and the form post have no size target)."""
    if page["kind"] == "download":
        return "", None
    limit = page["floor_limit"]
    ok = page["ratio"] <= limit
    text = f"≤ {limit:g}x"
    if page["kind"] == "page":
        text += f", ≤ {PAGE_SIZE_LIMIT_KIB} KB"
        ok = ok and page["size"] <= PAGE_SIZE_LIMIT_KIB * KIB
    return text, ok


def in_process_rows(result: dict) -> list[tuple[str, str]]:
    """(what, figure) for the reminder dispatch, the population import and the report; a
    measurement that failed says so on its own rows."""
    reminders, population, report = (
        result["reminders"],
        result["population_import"],
        result["report"],
    )
    rows = []
    if "error" in reminders:
        rows.append(("reminder dispatch", f"failed: {reminders['error']}"))
    else:
        rows += [
            (
                "reminder dispatch, first run over every deadline",
                f"{reminders['median_s']:.2f} s, peak {reminders['peak_mib']} MiB "
                f"(tracemalloc), {reminders['queries']} queries",
            ),
            (
                "what it recorded",
                f"{reminders['reminders']:,} reminders to {reminders['recipients']:,} people, "
                f"{reminders['outbox_jobs']:,} outbox jobs; {reminders['overdue_deadlines']:,} "
                f"overdue deadlines, {reminders['due_in_28_days']:,} due within 28 days, "
                f"{reminders['managers']} managers",
            ),
        ]
    if "error" in population:
        rows.append(("population import", f"failed: {population['error']}"))
    else:
        rows.append(
            (
                f"population import, {population['rows']:,} rows ({population['megabytes']} MB)",
                f"{population['median_s']:.2f} s, {population['rows_per_second']:,} rows a second",
            )
        )
    if "error" in report:
        rows.append(("committee report", f"failed: {report['error']}"))
    else:
        rows += [
            (
                "committee report on the full audit, Word",
                f"{report['word_s']:.2f} s, {report['word_kib']:,} KB, "
                f"{report['word_queries']} queries",
            ),
            (
                "committee report on the full audit, PDF",
                f"{report['pdf_s']:.2f} s, {report['pdf_pages']} pages, {report['pdf_kib']:,} KB, "
                f"{report['pdf_queries']} queries",
            ),
        ]
    return rows


def scale_table(result: dict) -> list[str]:
    floor = result["floor"]
    lines = [
        f"### Scale {result['scale']:g} (database {result['database']})",
        "",
        f"Floor: the sign-in page, {floor['median_ms']:.1f} ms (median of {floor['samples']} "
        f"requests interleaved with the pages'), {floor['size'] / KIB:.0f} KB, "
        f"{floor['queries']} queries.",
        "",
        "| page | median | x floor | size | queries | target | |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for page in result["pages"].values():
        target, ok = _page_target(page)
        queries = "?" if page["queries"] is None else page["queries"]
        note = " (streamed)" if page["kind"] == "download" and page["streamed"] else ""
        problems = f" {'; '.join(page['problems'])}" if page["problems"] else ""
        lines.append(
            f"| {page['label']}{note} | {page['median_ms']:.0f} ms | {page['ratio']:.1f} | "
            f"{page['size'] / KIB:,.0f} KB | {queries} | {target} | {_met(ok)}{problems} |"
        )
    lines += ["", "| in process | figure |", "|---|---|"]
    lines += [f"| {name} | {figure} |" for name, figure in in_process_rows(result)]
    handles = result["handles"]
    counts = ", ".join(f"{value:,} {name}" for name, value in handles["counts"].items())
    lines += [
        "",
        f"Data set: {counts}. Built through the services in {handles['build_seconds']:.0f} s "
        f"(population imported at {handles['population_import_rows_per_second']:,} rows a "
        "second during the build).",
        "",
    ]
    return lines


def flatness_table(small: dict, large: dict) -> list[str]:
    growth = large["scale"] / small["scale"]
    lines = [
        f"### Flatness: scale {large['scale']:g} against {small['scale']:g} ({growth:g}x the data)",
        "",
        f"Each page's cost (its ratio to the floor) at {large['scale']:g} over its cost at "
        f"{small['scale']:g}; target: within {FLAT_WITHIN}x.",
        "",
        "| page | cost | size | queries | flat |",
        "|---|---:|---:|---:|---|",
    ]
    for key, page in large["pages"].items():
        before = small["pages"].get(key)
        if before is None:
            continue
        cost = page["ratio"] / before["ratio"]
        size = page["size"] / before["size"] if before["size"] else 0
        queries = f"{before['queries']} → {page['queries']}"
        lines.append(
            f"| {page['label']} | {cost:.2f}x | {size:.2f}x | {queries} | "
            f"{_met(cost <= FLAT_WITHIN)} |"
        )
    lines.append("")
    return lines


def _judged(target: str, figures: dict, judge) -> tuple[str, bool | None, str]:
    """(target, met, measured) for an in-process figure, or its failure."""
    if "error" in figures:
        return target, None, f"failed: {figures['error']}"
    return target, *judge(figures)


def _growth_rows(before: dict, after: dict) -> list[tuple[str, bool | None, str]]:
    """Reminders against deadlines, and the dispatch's memory, from one scale to another."""
    if "error" in before or "error" in after:
        return [("reminders grow with deadlines", None, "a dispatch failed")]
    due = (after["overdue_deadlines"] + after["due_in_28_days"]) / max(
        1, before["overdue_deadlines"] + before["due_in_28_days"]
    )
    reminders = after["reminders"] / max(1, before["reminders"])
    memory = after["peak_mib"] / max(0.1, before["peak_mib"])
    return [
        (
            "reminders grow with deadlines, not deadlines x managers",
            reminders <= FLAT_WITHIN * due,
            f"{before['reminders']:,} → {after['reminders']:,} reminders ({reminders:.1f}x) "
            f"for {due:.1f}x the overdue and due deadlines",
        ),
        (
            "the dispatch's memory bounded",
            memory <= FLAT_WITHIN,
            f"peak {before['peak_mib']} → {after['peak_mib']} MiB ({memory:.1f}x)",
        ),
    ]


def targets_table(results: list[dict]) -> list[str]:
    """The issue's targets, judged on the largest scale run (they are set for scale 1)."""
    small, large = results[0], results[-1]
    pages = [page for page in large["pages"].values() if page["kind"] != "download"]
    html = [page for page in pages if page["kind"] == "page"]
    over_floor = [
        f"{page['label']} {page['ratio']:.1f}x"
        for page in pages
        if page["ratio"] > page["floor_limit"]
    ]
    too_big = [
        f"{page['label']} {page['size'] / KIB:.0f} KB"
        for page in html
        if page["size"] > PAGE_SIZE_LIMIT_KIB * KIB
    ]
    rows = [
        (
            "every page within 5x the floor (the dashboard 8x)",
            not over_floor,
            "; ".join(over_floor) or "all within",
        ),
        (
            f"no page over {PAGE_SIZE_LIMIT_KIB} KB",
            not too_big,
            "; ".join(too_big) or "all within",
        ),
    ]
    if len(results) > 1:
        not_flat = [
            f"{page['label']} {page['ratio'] / small['pages'][key]['ratio']:.2f}x"
            for key, page in large["pages"].items()
            if key in small["pages"] and page["ratio"] / small["pages"][key]["ratio"] > FLAT_WITHIN
        ]
        rows.append(
            (
                f"every page flat from {small['scale']:g} to {large['scale']:g} "
                f"(within {FLAT_WITHIN}x)",
                not not_flat,
                "; ".join(not_flat) or "all flat",
            )
        )
        rows += _growth_rows(small["reminders"], large["reminders"])
    reminders, population, report = (
        large["reminders"],
        large["population_import"],
        large["report"],
    )
    rows += [
        _judged(
            "a dispatch over all deadlines under 2 s",
            reminders,
            lambda r: (r["median_s"] < 2, f"{r['median_s']:.2f} s"),
        ),
        _judged(
            "the population import over 10,000 rows a second",
            population,
            lambda p: (p["rows_per_second"] > 10_000, f"{p['rows_per_second']:,} rows a second"),
        ),
        _judged(
            "the Word report under 1 s (a report touching a full audit)",
            report,
            lambda r: (r["word_s"] < 1, f"{r['word_s']:.2f} s"),
        ),
        _judged(
            "the PDF report under 3 s",
            report,
            lambda r: (r["pdf_s"] < 3, f"{r['pdf_s']:.2f} s, {r['pdf_pages']} pages"),
        ),
    ]
    csv = large["pages"].get("tracker_csv")
    if csv:
        rows.append(
            (
                "the CSV export streamed",
                csv["streamed"],
                f"{'no Content-Length' if csv['streamed'] else 'Content-Length set'}, first "
                f"byte {csv['first_byte_ms']:.0f} ms of {csv['median_ms']:.0f} ms, "
                f"{csv['size'] / KIB:,.0f} KB",
            )
        )
    heading = f"## The issue's targets, at scale {large['scale']:g}"
    if large["scale"] != 1:
        heading += " (they are set for scale 1: a smaller scale only shows the way)"
    lines = [heading, "", "| target | | measured |", "|---|---|---|"]
    lines += [f"| {target} | {_met(ok)} | {measured} |" for target, ok, measured in rows]
    return [*lines, ""]


def report_write(results: list[dict], about: dict, *, rounds: int, workers: int) -> str:
    lines = [
        "# Benchmark: performance at council scale",
        "",
        "Written by `.venv/bin/python bench/run.py "
        + " ".join(f"--scale {result['scale']:g}" for result in results)
        + "` (see bench/README.md). Each page is the median of "
        f"{rounds} requests, each request following one of the floor (the sign-in page); its "
        "ratio is to the median of the floor's requests in the same run. gunicorn with "
        f"{workers} workers and the production settings (DEBUG off, plain HTTP on 127.0.0.1); "
        "query counts come from bench/settings.py's middleware, which adds a count to each "
        "response (a streamed response's is counted to its last byte). Downloads have no "
        "ratio or size target.",
        "",
        *targets_table(results),
        "## Figures",
        "",
    ]
    for result in results:
        lines += scale_table(result)
    if len(results) > 1:
        lines += flatness_table(results[0], results[-1])
    lines += ["## Machine", ""]
    lines += [f"- {name}: {value}" for name, value in about.items()]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(
        description="Performance at council scale (issue 14). See bench/README.md."
    )
    parser.add_argument(
        "--scale",
        type=float,
        action="append",
        required=True,
        help="1 is council scale; give it more than once (e.g. --scale 0.1 --scale 1)",
    )
    parser.add_argument("--rounds", type=int, default=9, help="requests per page (default 9)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--reuse", action="store_true", help="measure the databases built before")
    parser.add_argument("--database", help="the database's name, with a single --scale")
    arguments = parser.parse_args()
    scales = sorted(set(arguments.scale))
    if arguments.database and len(scales) > 1:
        parser.error("--database goes with a single --scale")
    server_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not server_url.startswith(("postgres://", "postgresql://")):
        parser.error("DATABASE_URL must name a PostgreSQL server")

    results, about = [], None
    for scale in scales:
        database = arguments.database or database_name(scale)
        env = scale_env(server_url=server_url, database=database)
        if about is None:
            print("Collecting the static files (var/bench/static)")
            static_collect(env)
            about = machine(env | {"DATABASE_URL": server_url})
        print(f"Scale {scale:g}: database {database}", flush=True)
        out = RESULTS / f".scale-{database}.json"
        RESULTS.mkdir(exist_ok=True)
        command = [
            sys.executable,
            str(BENCH_DIR / "measure.py"),
            f"--scale={scale}",
            f"--rounds={arguments.rounds}",
            f"--workers={arguments.workers}",
            f"--out={out}",
            *(["--reuse"] if arguments.reuse else []),
        ]
        subprocess.run(command, cwd=ROOT, env=env, check=True)  # noqa: S603 (our own script)
        result = json.loads(out.read_text())
        out.unlink()
        results.append(result)
        print("\n".join(scale_table(result)), flush=True)

    text = report_write(results, about, rounds=arguments.rounds, workers=arguments.workers)
    (RESULTS / "latest.md").write_text(text)
    (RESULTS / "latest.json").write_text(
        json.dumps({"machine": about, "results": results}, indent=2) + "\n"
    )
    print("\n".join(targets_table(results)))
    if len(results) > 1:
        print("\n".join(flatness_table(results[0], results[-1])))
    print(f"Written: {RESULTS / 'latest.md'} and latest.json")


if __name__ == "__main__":
    main()
