#!/usr/bin/python3
"""Execute notebooks on the Deno kernel through a real Jupyter client (jupyter_client).

Usage:  /usr/bin/python3 tools/run_notebooks.py DENO_BINARY notebooks/01_rnn_cell.ipynb ...

Writes a kernelspec for DENO_BINARY into a temporary JUPYTER_PATH (so the run does not depend
on `deno jupyter --install` having been run, or on which deno is on PATH: under
`npx deno@…` that is a cached copy), starts one kernel per notebook with the working
directory notebooks/, and sends the code cells one by one, several notebooks at a time
(GBH_NOTEBOOK_JOBS, default: the number of CPUs), each cell with a time limit
(GBH_CELL_TIMEOUT seconds, default 300).

Why not nbclient: the Deno kernel (2.9) can publish a cell's last outputs — a display, its
execute_result, the last lines of stdout — a few milliseconds *after* the cell's `idle`
status, and nbclient stops listening to a cell at `idle`, so it drops them at random. Here
every output message is filed under the cell it names as its parent, and before the next
cell is sent the output channel must have been quiet for GBH_QUIET seconds (default 0.1;
the kernel tags late stdout with whichever request is current when it flushes).

A notebook fails, naming the cell (1-based, counting markdown cells, as Jupyter lists
them), when:
- a cell raises (a lesson with a failing check raises in its last cell), the kernel dies,
  or a cell runs out of time;
- an output line starts with ✗, or a cell writes a warning or an error to stderr;
- the published-value table is missing, or is not shown as an HTML table (rich display);
- a display lacks its rich form (arrays and tables: HTML; charts: Vega-Lite spec and SVG);
- a file appears in notebooks/ (lessons write only under out/).
The committed notebooks are never modified. Prints one ✓/✗ line per notebook; exit code 1
if any failed, 2 on bad usage or a missing Jupyter installation.

Needs Debian's jupyter-client and python3-nbformat (for /usr/bin/python3; .ci/run installs
them with python3-nbclient).
"""
import asyncio
import json
import os
import pathlib
import queue
import re
import sys
import tempfile
import time

VEGA_LITE_MIME = "application/vnd.vegalite.v5+json"
STDERR_PROBLEM = re.compile(r"warning|error|panic|uncaught", re.IGNORECASE)


def kernelspec(deno: str) -> str:
    """Writes a kernelspec for `deno` into a fresh JUPYTER_PATH; returns the kernel name."""
    spec_dir = pathlib.Path(tempfile.mkdtemp(prefix="gbh-jupyter-"))
    kernel = spec_dir / "kernels" / "deno-gbh"
    kernel.mkdir(parents=True)
    # The argv `deno jupyter --install` writes, with this deno binary.
    (kernel / "kernel.json").write_text(json.dumps({
        "argv": [deno, "jupyter", "--kernel", "--conn", "{connection_file}"],
        "display_name": "Deno (Gradients by Hand tests)",
        "language": "typescript",
    }))
    os.environ["JUPYTER_PATH"] = str(spec_dir)
    os.environ["NO_COLOR"] = "1"
    return "deno-gbh"


class CellFailure(Exception):
    def __init__(self, cell: int, why: str):
        super().__init__(f"cell {cell}: {why}")


async def execute(nb, kernel: str, cwd: pathlib.Path, kernel_log) -> None:
    """Runs the notebook's code cells in order, filling in their outputs."""
    from jupyter_client.manager import AsyncKernelManager
    from nbformat.v4 import output_from_msg

    timeout = float(os.environ.get("GBH_CELL_TIMEOUT", "300"))
    quiet = float(os.environ.get("GBH_QUIET", "0.1"))
    km = AsyncKernelManager(kernel_name=kernel)
    await km.start_kernel(cwd=str(cwd), stderr=kernel_log)
    kc = km.client()
    kc.start_channels()
    owner = {}  # execute request id -> (cell number, cell)
    try:
        await kc.wait_for_ready(timeout=60)

        def file_output(msg) -> str | None:
            """Files an iopub message under its cell; returns its status or type."""
            kind = msg["msg_type"]
            if kind == "status":
                return msg["content"]["execution_state"]
            target = owner.get(msg["parent_header"].get("msg_id"))
            if target and kind in ("stream", "display_data", "execute_result", "error"):
                target[1].outputs.append(output_from_msg(msg))
            return kind

        async def drain(until_quiet: float) -> None:
            while True:
                try:
                    file_output(await kc.get_iopub_msg(timeout=until_quiet))
                except queue.Empty:
                    return

        for n, cell in enumerate(nb.cells, start=1):
            if cell.cell_type != "code":
                continue
            cell.outputs = []
            msg_id = kc.execute(cell.source, store_history=True, allow_stdin=False)
            owner[msg_id] = (n, cell)
            deadline = time.monotonic() + timeout
            reply = None
            idle = False
            while reply is None or not idle:
                if time.monotonic() > deadline:
                    raise CellFailure(n, f"no result after {timeout:.0f} s (GBH_CELL_TIMEOUT)")
                if not await km.is_alive():
                    raise CellFailure(n, "the kernel died")
                try:
                    msg = await kc.get_iopub_msg(timeout=0.05)
                    state = file_output(msg)
                    if state == "idle" and msg["parent_header"].get("msg_id") == msg_id:
                        idle = True
                except queue.Empty:
                    pass
                if reply is None:
                    try:
                        shell = await kc.get_shell_msg(timeout=0)
                        if shell["parent_header"].get("msg_id") == msg_id:
                            reply = shell["content"]
                    except queue.Empty:
                        pass
            await drain(quiet)
            cell.execution_count = reply.get("execution_count")
            if reply.get("status") != "ok":
                errors = [o for o in cell.outputs if o.output_type == "error"]
                why = (f"{errors[-1].ename}: {errors[-1].evalue}" if errors
                       else f"status {reply.get('status')}")
                raise CellFailure(n, why)
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)


def problems(nb) -> tuple[list[str], str, dict]:
    """Everything wrong with an executed notebook's outputs, its summary line and counts."""
    found, summary = [], ""
    counts = {"html": 0, "charts": 0}
    table_html = False
    for n, cell in enumerate(nb.cells, start=1):
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            text = ""
            if kind == "stream":
                text = out.get("text", "")
                if out.get("name") == "stderr":
                    for line in text.splitlines():
                        if STDERR_PROBLEM.search(line):
                            found.append(f"cell {n} wrote to stderr: {line.strip()[:200]}")
            elif kind in ("display_data", "execute_result"):
                data = out.get("data", {})
                text = data.get("text/plain", "")
                if "text/html" in data:
                    counts["html"] += 1
                    table_html |= "reference checks passed" in data["text/html"]
                if VEGA_LITE_MIME in data or "image/svg+xml" in data:
                    counts["charts"] += 1
                    svg = data.get("image/svg+xml", "")
                    if VEGA_LITE_MIME not in data or not svg.startswith("<svg"):
                        found.append(f"cell {n}: a chart without both {VEGA_LITE_MIME} and SVG")
                elif kind == "display_data" and "text/html" not in data:
                    # show() and the table display rich bundles; plain text belongs on stdout.
                    found.append(f"cell {n}: a display without its rich form: {text[:80]!r}")
            for line in text.splitlines():
                if line.startswith("✗"):
                    found.append(f"cell {n}: {line.strip()[:200]}")
                if "published values reproduced" in line:
                    summary = line.strip()
    if not summary:
        found.append("no published-value table in the outputs")
    elif not table_html:
        found.append("the published-value table was not shown as HTML")
    return found, summary, counts


async def run_one(path: str, kernel: str, slots: asyncio.Semaphore) -> bool:
    import nbformat

    nb_path = pathlib.Path(path).resolve()
    nb = nbformat.read(nb_path, as_version=4)
    async with slots:
        start = time.time()
        # The kernel's own stderr (a panic, or Deno's "deno jupyter is unstable" notice) goes
        # to a file, shown when something goes wrong.
        with tempfile.TemporaryFile("w+") as kernel_log:
            try:
                await execute(nb, kernel, nb_path.parent, kernel_log)
            except Exception as e:  # CellFailure, or the kernel not starting at all
                kernel_log.seek(0)
                detail = [f"kernel: {line}" for line in kernel_log.read().splitlines()[-10:]
                          if "is unstable" not in line]
                for cell in nb.cells:
                    for out in cell.get("outputs", []):
                        if out.get("output_type") == "error":
                            detail += out.get("traceback", [])[-15:]
                print(f"✗ {nb_path.name}: {e}" + "".join(f"\n    {d}" for d in detail),
                      flush=True)
                return False
        elapsed = time.time() - start
    found, summary, counts = problems(nb)
    if found:
        print(f"✗ {nb_path.name}: " + "; ".join(found[:8]), flush=True)
        return False
    print(f"✓ {nb_path.name}: {summary} ({counts['html']} HTML displays, "
          f"{counts['charts']} charts, {elapsed:.1f}s)", flush=True)
    return True


async def run_all(paths: list[str], kernel: str) -> int:
    jobs = int(os.environ.get("GBH_NOTEBOOK_JOBS", os.cpu_count() or 1))
    slots = asyncio.Semaphore(max(1, jobs))
    dirs = {pathlib.Path(p).resolve().parent for p in paths}
    before = {d: set(os.listdir(d)) for d in dirs}
    # Start the longest first (a rough guess: the largest file), so it does not run alone at
    # the end. Each notebook's line is printed when it finishes.
    order = sorted(paths, key=lambda p: -os.path.getsize(p))
    tasks = {p: asyncio.ensure_future(run_one(p, kernel, slots)) for p in order}
    results = [await tasks[p] for p in paths]
    ok = all(results)
    for d in dirs:
        new = sorted(set(os.listdir(d)) - before[d])
        if new:
            ok = False
            print(f"✗ the notebooks wrote {', '.join(new)} into {d} (lessons write only under out/)")
    return 0 if ok else 1


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        import jupyter_client  # noqa: F401
        import nbformat  # noqa: F401
    except ImportError as e:
        print(f"run_notebooks: {e}; install Debian's jupyter-client and python3-nbformat",
              file=sys.stderr)
        return 2
    missing = [p for p in sys.argv[2:] if not os.path.isfile(p)]
    if missing:
        print(f"run_notebooks: no such notebook: {', '.join(missing)}", file=sys.stderr)
        return 2
    return asyncio.run(run_all(sys.argv[2:], kernelspec(sys.argv[1])))


if __name__ == "__main__":
    sys.exit(main())
