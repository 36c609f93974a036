#!/usr/bin/env python3
"""Reference vectors for lessons 1 and 2, computed with this machine's numpy.

Usage:  python3 tools/gen_rnn_cell_reference.py   (writes data/rnn_cell/numpy_reference.json)

Our own numpy code for the notebook's rnn_cell_forward / rnn_cell_backward / rnn_forward
(column layout), run the way the notebook's cells ran: the rnn_forward test cell first
(seed 1), then the rnn_cell_backward test cell (seed 1) whose parameters dict picks up the
`ba` left behind by the earlier cell. Values are stored as Python reprs (lossless), so the
lessons can measure in ULPs how far numpy+BLAS on this machine lands from the published
numbers and from our TypeScript.
"""
import datetime
import json
import pathlib
import sys

import numpy as np


def softmax(x):
    e = np.exp(x - np.max(x))
    return e / e.sum(axis=0)


def cell_forward(xt, a_prev, p):
    a_next = np.tanh(np.dot(p["Wax"], xt) + np.dot(p["Waa"], a_prev) + p["ba"])
    return a_next, softmax(np.dot(p["Wya"], a_next) + p["by"])


def cell_backward(da_next, a_next, a_prev, xt, p):
    dtanh = (1 - a_next * a_next) * da_next
    return {
        "dxt": np.dot(p["Wax"].T, dtanh),
        "da_prev": np.dot(p["Waa"].T, dtanh),
        "dWax": np.dot(dtanh, xt.T),
        "dWaa": np.dot(dtanh, a_prev.T),
        "dba": np.sum(dtanh, axis=-1, keepdims=True),
    }


def rows(a):
    return [repr(float(v)) for v in np.asarray(a).ravel()]


def main():
    out = {
        "provenance": {
            "script": "tools/gen_rnn_cell_reference.py",
            "command": "python3 tools/gen_rnn_cell_reference.py",
            "numpy": np.__version__,
            "python": sys.version.split()[0],
            "date": datetime.date.today().isoformat(),
            "note": "values are Python reprs of float64, arrays flattened row-major",
        }
    }
    # The rnn_forward test cell (lesson 2).
    np.random.seed(1)
    x = np.random.randn(3, 10, 4)
    a0 = np.random.randn(5, 10)
    p = {"Waa": np.random.randn(5, 5), "Wax": np.random.randn(5, 3),
         "Wya": np.random.randn(2, 5), "ba": np.random.randn(5, 1), "by": np.random.randn(2, 1)}
    a = np.zeros((5, 10, 4))
    y = np.zeros((2, 10, 4))
    a_next = a0
    for t in range(4):
        a_next, yt = cell_forward(x[:, :, t], a_next, p)
        a[:, :, t] = a_next
        y[:, :, t] = yt
    out["rnn_forward"] = {"a": rows(a), "y_pred": rows(y)}
    stale_ba = p["ba"]
    # The rnn_cell_backward test cell (lesson 1), with the stale `ba`.
    np.random.seed(1)
    xt = np.random.randn(3, 10)
    a_prev = np.random.randn(5, 10)
    q = {"Wax": np.random.randn(5, 3), "Waa": np.random.randn(5, 5), "Wya": np.random.randn(2, 5)}
    b = np.random.randn(5, 1)  # drawn by the cell, never used
    q["by"] = np.random.randn(2, 1)
    q["ba"] = stale_ba
    a_next, _ = cell_forward(xt, a_prev, q)
    da_next = np.random.randn(5, 10)
    g = cell_backward(da_next, a_next, a_prev, xt, q)
    out["rnn_cell_backward"] = {k: rows(v) for k, v in g.items()}
    out["rnn_cell_backward"]["a_next"] = rows(a_next)
    # The same cell as printed (its own `ba`, i.e. the `b` above).
    q["ba"] = b
    a_next, _ = cell_forward(xt, a_prev, q)
    g = cell_backward(da_next, a_next, a_prev, xt, q)
    out["rnn_cell_backward_as_printed"] = {k: rows(v) for k, v in g.items()}
    path = pathlib.Path(__file__).resolve().parent.parent / "data/rnn_cell/numpy_reference.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
