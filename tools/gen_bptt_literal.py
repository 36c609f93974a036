#!/usr/bin/env python3
"""Reference vectors for lesson 6: the BPTT code of "numpy-rnn 从公式推导到代码实现", run by numpy.

Usage:  python3 tools/gen_bptt_literal.py   (writes data/bptt/literal_numpy.json)

The post's backward loop is nine lines that lean on numpy semantics a TypeScript port could
easily get "right" by accident: `np.power` on a matrix is elementwise (so a zero power is a
matrix of ones), `functools.reduce` with a lambda that ignores its second argument, a
column times a column broadcast into an (n_h, n_h) accumulator, and (for the tempting fix
`h[t-1]`) Python's negative index on a list. This script runs our rendition of that loop in
numpy itself, so the lesson can show its TypeScript rendition computes the same thing.

The fewest assumptions that make the loop runnable (the lesson lists them too):
  A1  column layout, as the post's forward code implies: x[t] (n_x, 1), h[t] (n_h, 1),
      y[t] one-hot (n_y, 1), y_hat[t] = softmax(o[t]) (n_y, 1); self.Wx = U (n_h, n_x),
      self.Wh = W (n_h, n_h), self.Bh = b (n_h, 1), self.Wy = V (n_y, n_h), self.By = c.
  A2  h[t] is the state after step t (h[0] is h^1), kept in a Python list of length T;
      T = number of steps; the initial state h0 is given (not in the list).
  A3  the loss is the sum over steps of the cross-entropy -log y_hat[t][label]: the only
      loss for which `y_hat[t] - y[t]` is dL/do^t at every step.
  A4  the five accumulators start as zeros of their parameter's shape; `reduce` is
      functools.reduce.

The seeded configuration (numpy's legacy RandomState, so the lesson's RandomState draws the
same numbers bit for bit), in draw order:
  rng = np.random.RandomState(6)
  U = 0.5*randn(4, 3); W = 0.5*randn(4, 4); b = 0.5*randn(4, 1); V = 0.5*randn(3, 4);
  c = 0.5*randn(3, 1); x = randn(4, 3, 1); h0 = 0.5*randn(4, 1); labels = randint(0, 3, 4)

Everything downstream of the forward pass is computed from numpy's own forward values (also
stored), so the lesson can feed the same h, y_hat into its rendition and compare the backward
loop alone. Values are Python reprs of float64 (lossless), arrays flattened row-major.
"""
import datetime
import functools
import json
import pathlib
import sys

import numpy as np

SEED, N_X, N_H, N_Y, T = 6, 3, 4, 3, 4


def draw():
    rng = np.random.RandomState(SEED)
    p = {
        "U": 0.5 * rng.randn(N_H, N_X),
        "W": 0.5 * rng.randn(N_H, N_H),
        "b": 0.5 * rng.randn(N_H, 1),
        "V": 0.5 * rng.randn(N_Y, N_H),
        "c": 0.5 * rng.randn(N_Y, 1),
    }
    x = rng.randn(T, N_X, 1)
    h0 = 0.5 * rng.randn(N_H, 1)
    labels = rng.randint(0, N_Y, size=T)
    return p, x, h0, labels


def softmax(o):
    e = np.exp(o - np.max(o))
    return e / e.sum(axis=0)


def forward(p, x, h0, labels):
    """The post's forward code, one step per column, with loss A3."""
    h, y_hat, loss = [], [], 0.0
    h_prev = h0
    for t in range(len(x)):
        net = np.dot(p["U"], x[t]) + np.dot(p["W"], h_prev) + p["b"]
        h_prev = np.tanh(net)
        y_hat.append(softmax(np.dot(p["V"], h_prev) + p["c"]))
        h.append(h_prev)
        loss -= np.log(y_hat[-1][labels[t], 0])
    return h, y_hat, loss


def literal_backward(p, x, h, y_hat, y, prev_state=None):
    """Our rendition of the post's backward loop: the same numpy operations in the same order.

    prev_state=None is the loop as published (W's update uses h[t]); prev_state="list" is the
    tempting one-character fix `h[t-1]` on the Python list h, whose t = 0 reads h[-1] = h[T-1].
    """
    steps = len(x)
    g = {k: np.zeros_like(v) for k, v in p.items()}
    for t in range(steps):
        # the post's reduce: its lambda multiplies by (1 - h[t]**2) for every element of the
        # range, ignoring the element, so this is (1 - h[t]**2) ** (steps - t)
        d_tanh = functools.reduce(lambda acc, _j: acc * (1 - np.square(h[t])),
                                  range(steps - 1, t - 1, -1), 1)
        # np.power on an array is elementwise; power 0 gives a matrix of ones
        delta = np.power(p["W"], steps - t - 1).dot(d_tanh) * np.dot(p["V"].T, y_hat[t] - y[t])
        state = h[t] if prev_state is None else h[t - 1]
        g["W"] += delta * state  # (n_h,1)*(n_h,1) -> (n_h,1), broadcast into every column
        g["U"] += delta.dot(x[t].T)
        g["b"] += delta
        g["V"] += np.dot(y_hat[t] - y[t], h[t].T)
        g["c"] += y_hat[t] - y[t]
    return g


def rows(a):
    return [repr(float(v)) for v in np.asarray(a).ravel()]


def run(p, x, h0, labels):
    h, y_hat, loss = forward(p, x, h0, labels)
    y = [np.eye(N_Y)[:, [k]] for k in labels]
    steps = len(x)
    return {
        "T": steps,
        "forward": {"h": rows(h), "y_hat": rows(y_hat), "loss": repr(float(loss))},
        "d_tanh": rows([functools.reduce(lambda acc, _j: acc * (1 - np.square(h[t])),
                                         range(steps - 1, t - 1, -1), 1) for t in range(steps)]),
        "literal": {k: rows(v) for k, v in literal_backward(p, x, h, y_hat, y).items()},
        "literal_prev_list": {k: rows(v) for k, v in
                              literal_backward(p, x, h, y_hat, y, prev_state="list").items()},
    }


def main():
    p, x, h0, labels = draw()
    out = {
        "provenance": {
            "script": "tools/gen_bptt_literal.py",
            "command": "python3 tools/gen_bptt_literal.py",
            "numpy": np.__version__,
            "python": sys.version.split()[0],
            "date": datetime.date.today().isoformat(),
            "note": "values are Python reprs of float64, arrays flattened row-major; "
                    "h and y_hat are lists over t of (n, 1) columns",
        },
        "config": {
            "seed": SEED, "n_x": N_X, "n_h": N_H, "n_y": N_Y, "T": T,
            "draws": "RandomState(6): U=0.5*randn(4,3), W=0.5*randn(4,4), b=0.5*randn(4,1), "
                     "V=0.5*randn(3,4), c=0.5*randn(3,1), x=randn(4,3,1), h0=0.5*randn(4,1), "
                     "labels=randint(0,3,size=4)",
        },
        "inputs": {**{k: rows(v) for k, v in p.items()}, "x": rows(x), "h0": rows(h0),
                   "labels": [int(k) for k in labels]},
        "power": {
            "np.power(W, 0)": rows(np.power(p["W"], 0)),
            "np.power(W, 2)": rows(np.power(p["W"], 2)),
            "np.power(W, 3)": rows(np.power(p["W"], 3)),
        },
        # all T steps, and the same data cut to its first step (T = 1)
        "runs": [run(p, x, h0, labels), run(p, x[:1], h0, labels[:1])],
    }
    path = pathlib.Path(__file__).resolve().parent.parent / "data/bptt/literal_numpy.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
