#!/usr/bin/env python3
"""Reference vectors for lesson 5 (document 001's LSTM), from our own numpy implementation.

Usage:  python3 tools/gen_lstm_reference.py     (writes data/lstm/numpy_reference.json; ~1 min)

The run is the question's script with `np.random.seed(0)` added at the top: the parameter
draws (dict order, then Xavier scaling), the gradient-check data (randint start/end), and the
first call of the buggy check_grad (10 rounds × one randint per parameter). The training run is
a second run: `np.random.seed(0)`, the same parameter draws, then test_sin() at once
(5000 iterations, lr 0.01), which the question defines but never calls.
Floats are stored as Python reprs.
"""
import datetime
import json
import pathlib
import sys

import numpy as np

X_N, H_N, O_N = 1, 5, 1
NAMES = ["Wf", "Wi", "Wg", "Wo", "Wy", "bf", "bi", "bg", "bo", "by"]


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def init_params():
    p = {}
    for k in ["Wf", "Wi", "Wg", "Wo"]:
        p[k] = np.random.normal(size=(X_N + H_N, H_N))
    p["Wy"] = np.random.normal(size=(H_N, O_N))
    for k, n in [("bf", H_N), ("bi", H_N), ("bg", H_N), ("bo", H_N), ("by", O_N)]:
        p[k] = np.zeros(n) + np.random.normal(size=n) * 0.1
    for k in ["Wf", "Wi", "Wg", "Wo", "Wy"]:
        p[k] *= np.sqrt(2 / (p[k].shape[0] + p[k].shape[1]))
    return p


def step(p, x, h_prev, c_prev):
    xh = np.concatenate([x, h_prev])
    f = sigmoid(xh @ p["Wf"] + p["bf"])
    i = sigmoid(xh @ p["Wi"] + p["bi"])
    g = np.tanh(xh @ p["Wg"] + p["bg"])
    o = sigmoid(xh @ p["Wo"] + p["bo"])
    c = f * c_prev + i * g
    ct = np.tanh(c)
    h = o * ct
    y = h @ p["Wy"] + p["by"]
    return y, h, c, (xh, f, i, g, o, c_prev, ct, h)


def loss_fn(p, h, c, inputs, targets):
    loss, outs, caches = 0.0, [], []
    for x, t in zip(inputs, targets):
        y, h, c, cache = step(p, x, h, c)
        loss += np.mean((y - t) ** 2)
        outs.append(y)
        caches.append(cache)
    return loss, outs, caches, h, c


def grads_fn(p, inputs, targets, outs, caches):
    d = {k: np.zeros_like(v) for k, v in p.items()}
    dh_next = np.zeros(H_N)
    dc_next = np.zeros(H_N)
    for t in reversed(range(len(inputs))):
        xh, f, i, g, o, c_prev, ct, h = caches[t]
        dy = 2 * (outs[t] - targets[t])
        d["by"] += dy
        d["Wy"] += np.outer(h, dy)
        dh = p["Wy"] @ dy + dh_next
        do = dh * ct * o * (1 - o)
        dc = dc_next + dh * o * (1 - ct ** 2)
        dg = dc * i * (1 - g ** 2)
        di = dc * g * i * (1 - i)
        df = dc * c_prev * f * (1 - f)
        dxh = np.zeros(X_N + H_N)
        for name, dz in [("o", do), ("g", dg), ("i", di), ("f", df)]:
            d["W" + name] += np.outer(xh, dz)
            d["b" + name] += dz
            dxh += p["W" + name] @ dz
        dh_next = dxh[X_N:]
        dc_next = f * dc
    return d


def numeric(p, name, pix, h, c, inputs, targets, delta=1e-5):
    old = p[name].flat[pix]
    p[name].flat[pix] = old + delta
    lp = loss_fn(p, h, c, inputs, targets)[0]
    p[name].flat[pix] = old - delta
    lm = loss_fn(p, h, c, inputs, targets)[0]
    p[name].flat[pix] = old
    return (lp - lm) / (2 * delta)


def r(a):
    return [repr(float(v)) for v in np.asarray(a, dtype=float).ravel()]


def main():
    out = {"provenance": {
        "script": "tools/gen_lstm_reference.py",
        "command": "python3 tools/gen_lstm_reference.py",
        "numpy": np.__version__, "python": sys.version.split()[0],
        "date": datetime.date.today().isoformat(),
    }}
    # Run 1: the script as printed, with np.random.seed(0) on top.
    np.random.seed(0)
    p = init_params()
    out["params"] = {k: r(v) for k, v in p.items()}
    data = np.sin(np.linspace(0, 4 * np.pi, 90))
    start = np.random.randint(0, data.size // 4)
    end = np.random.randint((data.size * 3) // 4, data.size)
    inputs = data[start:end, None]
    targets = np.roll(inputs, 1, axis=0)
    out["check_data"] = {"start": int(start), "end": int(end)}
    h0, c0 = np.zeros(H_N), np.zeros(H_N)
    loss, outs, caches, hT, cT = loss_fn(p, h0, c0, inputs, targets)
    g = grads_fn(p, inputs, targets, outs, caches)
    out["loss_from_zero"] = repr(float(loss))
    out["grads_from_zero"] = {k: r(v) for k, v in g.items()}
    out["final_state"] = {"h": r(hT), "c": r(cT)}
    checks = []
    for _ in range(10):
        for name in NAMES:
            pix = int(np.random.randint(0, p[name].size))
            checks.append({"name": name, "pix": pix,
                           "buggy": repr(float(numeric(p, name, pix, hT, cT, inputs, targets))),
                           "fixed": repr(float(numeric(p, name, pix, h0, c0, inputs, targets)))})
    out["check_grad_first_call"] = checks
    # Run 2: training (test_sin) from the same initial parameters.
    np.random.seed(0)
    p = init_params()
    ema, trace, losses = 1.0, [], []
    for it in range(5000):
        data = np.sin(np.linspace(0, 3 * np.pi, 30))
        start = np.random.randint(0, data.size // 4)
        end = np.random.randint((data.size * 3) // 4, data.size)
        inputs = data[start:end, None]
        targets = np.roll(inputs, 1, axis=0)
        h = np.random.normal(size=H_N)
        c = np.random.normal(size=H_N)
        loss, outs, caches, _, _ = loss_fn(p, h, c, inputs, targets)
        g = grads_fn(p, inputs, targets, outs, caches)
        for k in p:
            p[k] -= g[k] * 0.01
        ema = ema * 0.99 + loss * 0.01
        if it < 3:
            losses.append(repr(float(loss)))
        if it % 100 == 0:
            trace.append(repr(float(ema)))
    out["training"] = {"first_losses": losses, "ema_every_100": trace,
                       "final_params": {k: r(v) for k, v in p.items()}}
    path = pathlib.Path(__file__).resolve().parent.parent / "data/lstm/numpy_reference.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
