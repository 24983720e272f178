"""`galilean` command line: `galilean flow run FILE.flow [--param k=v ...] [--memory-limit
1GB] [--no-cache]` and `galilean flow validate FILE.flow [--json]`.

Runs keep blocking nodes' results in the user's result cache on disk (the one previews and
the flows service use), so a rerun after editing a later node, even in a new process,
starts from them.

It imports what every run needs only: kinds import their heavy libraries (pandas,
SQLAlchemy, requests) when a flow uses them, and `jsonschema` only to word a problem."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .flows import FlowFileError, parse_flow
from .flows.disk_cache import default_folder
from .flows.issues import FlowInvalid, Issue
from .flows.model import Flow
from .flows.runner import ENGINES, run
from .flows.validate import validate
from .sizes import size_problem


def _params(pairs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise SystemExit(f"galilean: --param {pair!r}: use --param name=value")
        values[name] = value
    return values


def _memory_limit(text: str) -> str:
    """`--memory-limit`: the service's GALILEAN_FLOWS_MEMORY_LIMIT syntax (2GB, 512MiB)."""
    problem = size_problem(text)
    if problem is not None:
        raise argparse.ArgumentTypeError(f"{text!r}: {problem}")
    return text


def _budget_note(memory_limit: str | None, engine: str) -> list[str]:
    """What kept the run to `--memory-limit`: either engine spills beyond its share."""
    if not memory_limit:
        return []
    name = "Polars (streaming engine)" if engine == "polars" else "DuckDB"
    return [f"memory limit {memory_limit}: {name} spills beyond it to a temporary folder"]


def _load(path: Path) -> Flow | None:
    """The flow in `path`, or None after saying on stderr why it cannot be read."""
    try:
        return parse_flow(path.read_text(), source=str(path))
    except OSError as exc:
        print(f"galilean: cannot read {path}: {exc.strerror}", file=sys.stderr)
    except FlowFileError as exc:
        print(f"galilean: {exc}", file=sys.stderr)
    return None


def _print_issues(path: Path, issues: list[Issue]) -> None:
    for issue in issues:
        where = issue.node or issue.edge or ", ".join(issue.nodes) or "flow"
        field = f" [{issue.path}]" if issue.path else ""
        print(f"  ✗ {where}{field}: {issue.message}", file=sys.stderr)
    print(f"galilean: {path}: {len(issues)} problem(s); nothing ran", file=sys.stderr)


def flow_validate(args: argparse.Namespace) -> int:
    """Every problem at once, each naming its node; the files' columns read from them."""
    path = Path(args.file)
    flow = _load(path)
    if flow is None:
        return 2
    issues = validate(flow, base_dir=path.parent.resolve())
    if args.json:
        print(json.dumps({"ok": not issues, "issues": [i.as_dict() for i in issues]}, indent=2))
    if issues:
        if not args.json:
            _print_issues(path, issues)
        return 2
    if not args.json:
        print(f"✓ {path}: {flow.name}, {len(flow.nodes)} nodes, no problems", file=sys.stderr)
    return 0


def flow_run(args: argparse.Namespace) -> int:
    path = Path(args.file)
    flow = _load(path)
    if flow is None:
        return 2
    print(f"▶ {flow.name} ({len(flow.nodes)} nodes)", file=sys.stderr, flush=True)
    began = time.monotonic()
    try:
        result = run(
            flow,
            _params(args.param),
            base_dir=path.parent.resolve(),
            engine=args.engine,
            memory_limit=args.memory_limit or "",
            cache_folder=None if args.no_cache else default_folder(),
        )
    except FlowInvalid as invalid:
        _print_issues(path, invalid.issues)
        return 2
    for node_id, counts in result.nodes.items():
        print(
            f"  ✓ {node_id}: {counts['rows_in']} rows in, {counts['rows_out']} out", file=sys.stderr
        )
    for line in [*result.logs, *_budget_note(args.memory_limit, result.engine)]:
        print(f"  · {line}", file=sys.stderr)
    if result.status != "succeeded":
        error = result.error or {}
        print(f"  ✗ {error.get('node') or 'flow'}: {error.get('message')}", file=sys.stderr)
        print(f"galilean: {path}: failed after {time.monotonic() - began:.2f} s", file=sys.stderr)
        return 1
    for node_id, table in result.outputs.items():
        print(f"# {node_id}: {table.num_rows} rows")
        print(table.slice(0, args.show).to_pandas().to_string(index=False))
    print(f"✓ done in {time.monotonic() - began:.2f} s on {result.engine}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="galilean", description="Galilean command line")
    commands = parser.add_subparsers(dest="command", required=True)
    flow = commands.add_parser("flow", help="work with .flow files").add_subparsers(
        dest="action", required=True
    )
    runner = flow.add_parser("run", help="run a flow and print its displayed results")
    runner.add_argument("file", help="the .flow file")
    runner.add_argument("--param", action="append", default=[], help="name=value (repeatable)")
    runner.add_argument("--show", type=int, default=20, help="rows of each result to print")
    runner.add_argument(
        "--engine",
        choices=ENGINES,
        default="auto",
        help="auto: Polars when every node has a Polars form, unless DuckDB is clearly "
        "faster (ordered windows over raw rows), else DuckDB; polars: Polars whenever it can; "
        "duckdb: DuckDB",
    )
    runner.add_argument(
        "--memory-limit",
        type=_memory_limit,
        default=None,
        metavar="SIZE",
        help="memory the run may use, e.g. 1GB or 512MiB (either engine spills to a "
        "temporary folder beyond it); default: no limit",
    )
    runner.add_argument(
        "--no-cache",
        action="store_true",
        help="neither reuse nor keep results in your result cache (~/.galilean/cache/flows)",
    )
    runner.set_defaults(handler=flow_run)
    checker = flow.add_parser(
        "validate", help="report every problem of a flow (each naming its node); run nothing"
    )
    checker.add_argument("file", help="the .flow file")
    checker.add_argument("--json", action="store_true", help="print the problems as JSON")
    checker.set_defaults(handler=flow_validate)
    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
