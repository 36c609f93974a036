#!/usr/bin/python3
"""Execute notebooks on the Deno kernel through a real Jupyter client (nbclient).

Usage:  /usr/bin/python3 tools/run_notebooks.py DENO_BINARY notebooks/01_rnn_cell.ipynb ...

Writes a kernelspec for DENO_BINARY into a temporary JUPYTER_PATH (so the run does not depend
on `deno jupyter --install` having been run, or on which deno is on PATH), executes every
notebook in memory with the working directory set to notebooks/, and fails when a cell raises
(a lesson with a failing check raises in its last cell) or when an output contains a ✗ line.
The committed notebooks are never modified.

Needs Debian's python3-nbclient and jupyter-client (for /usr/bin/python3).
"""
import json
import os
import pathlib
import sys
import tempfile
import time


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
    except ImportError as e:
        print(f"run_notebooks: {e}; install Debian's python3-nbclient and jupyter-client", file=sys.stderr)
        return 2
    deno = sys.argv[1]
    spec_dir = pathlib.Path(tempfile.mkdtemp(prefix="gbh-jupyter-"))
    kernel = spec_dir / "kernels" / "deno-gbh"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(json.dumps({
        "argv": [deno, "jupyter", "--kernel", "--conn", "{connection_file}"],
        "display_name": "Deno (Gradients by Hand tests)",
        "language": "typescript",
    }))
    os.environ["JUPYTER_PATH"] = str(spec_dir)
    os.environ.setdefault("NO_COLOR", "1")
    failed = 0
    for path in sys.argv[2:]:
        nb_path = pathlib.Path(path).resolve()
        nb = nbformat.read(nb_path, as_version=4)
        client = NotebookClient(nb, timeout=300, kernel_name="deno-gbh",
                                resources={"metadata": {"path": str(nb_path.parent)}})
        start = time.time()
        try:
            client.execute()
        except CellExecutionError as e:
            failed += 1
            print(f"✗ {nb_path.name}: a cell raised:\n{str(e)[-3000:]}")
            continue
        except Exception as e:  # kernel died, timeout…
            failed += 1
            print(f"✗ {nb_path.name}: {type(e).__name__}: {e}")
            continue
        texts, rich, table_html = [], 0, 0
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream":
                    texts.append(out.get("text", ""))
                elif out.get("output_type") in ("display_data", "execute_result"):
                    data = out.get("data", {})
                    texts.append(data.get("text/plain", ""))
                    rich += "text/html" in data
                    table_html += "reference checks passed" in data.get("text/html", "")
        crosses = [line for t in texts for line in t.splitlines() if line.startswith("✗")]
        tables = [line for t in texts for line in t.splitlines() if "published values reproduced" in line]
        if crosses or not tables or not table_html:
            failed += 1
            why = crosses[:5] if crosses else [
                "no published-value table in the outputs" if not tables else "the table was not shown as HTML"]
            print(f"✗ {nb_path.name}: " + "; ".join(why))
        else:
            print(f"✓ {nb_path.name}: {tables[-1].strip()} ({rich} rich outputs, {time.time() - start:.1f}s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
