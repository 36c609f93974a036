#!/usr/bin/env python3
"""numpy side of `deno task bench`: the same four workloads as bench/run.ts, our own numpy code.

Usage:  python3 bench/numpy_workloads.py REPEATS   → prints one JSON object on stdout:
{"workload": {"times": [seconds, ...], "check": number}, ..., "machine": {...}}
`check` is a number the TypeScript side recomputes (a loss) so a wrong kernel cannot win.
"""
import json
import os
import sys
import time

import numpy as np

X_N, H_N, O_N = 1, 5, 1


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def init_lstm(rs):
    p = {}
    for k in ["Wf", "Wi", "Wg", "Wo"]:
        p[k] = rs.normal(size=(X_N + H_N, H_N))
    p["Wy"] = rs.normal(size=(H_N, O_N))
    for k, n in [("bf", H_N), ("bi", H_N), ("bg", H_N), ("bo", H_N), ("by", O_N)]:
        p[k] = np.zeros(n) + rs.normal(size=n) * 0.1
    for k in ["Wf", "Wi", "Wg", "Wo", "Wy"]:
        p[k] *= np.sqrt(2 / (p[k].shape[0] + p[k].shape[1]))
    return p


def lstm_loss(p, h, c, inputs, targets):
    loss, outs, caches = 0.0, [], []
    for x, t in zip(inputs, targets):
        xh = np.concatenate([x, h])
        f = sigmoid(xh @ p["Wf"] + p["bf"]); i = sigmoid(xh @ p["Wi"] + p["bi"])
        g = np.tanh(xh @ p["Wg"] + p["bg"]); o = sigmoid(xh @ p["Wo"] + p["bo"])
        c_prev = c
        c = f * c + i * g
        ct = np.tanh(c)
        h = o * ct
        y = h @ p["Wy"] + p["by"]
        loss += np.mean((y - t) ** 2)
        outs.append(y)
        caches.append((xh, f, i, g, o, c_prev, ct, h))
    return loss, outs, caches


def lstm_grads(p, targets, outs, caches):
    d = {k: np.zeros_like(v) for k, v in p.items()}
    dh_next = np.zeros(H_N); dc_next = np.zeros(H_N)
    for t in reversed(range(len(caches))):
        xh, f, i, g, o, c_prev, ct, h = caches[t]
        dy = 2 * (outs[t] - targets[t])
        d["by"] += dy; d["Wy"] += np.outer(h, dy)
        dh = p["Wy"] @ dy + dh_next
        do = dh * ct * o * (1 - o)
        dc = dc_next + dh * o * (1 - ct ** 2)
        dg = dc * i * (1 - g ** 2); di = dc * g * i * (1 - i); df = dc * c_prev * f * (1 - f)
        dxh = np.zeros(X_N + H_N)
        for name, dz in [("o", do), ("g", dg), ("i", di), ("f", df)]:
            d["W" + name] += np.outer(xh, dz); d["b" + name] += dz; dxh += p["W" + name] @ dz
        dh_next = dxh[X_N:]; dc_next = f * dc
    return d


def sine_training(iterations=5000):
    rs = np.random.RandomState(0)
    p = init_lstm(rs)
    ema = 1.0
    for _ in range(iterations):
        data = np.sin(np.linspace(0, 3 * np.pi, 30))
        start = rs.randint(0, data.size // 4); end = rs.randint((data.size * 3) // 4, data.size)
        inputs = data[start:end, None]; targets = np.roll(inputs, 1, axis=0)
        h = rs.normal(size=H_N); c = rs.normal(size=H_N)
        loss, outs, caches = lstm_loss(p, h, c, inputs, targets)
        g = lstm_grads(p, targets, outs, caches)
        for k in p:
            p[k] -= g[k] * 0.01
        ema = ema * 0.99 + loss * 0.01
    return ema


def full_gradcheck():
    rs = np.random.RandomState(0)
    p = init_lstm(rs)
    data = np.sin(np.linspace(0, 4 * np.pi, 90))
    start = rs.randint(0, data.size // 4); end = rs.randint((data.size * 3) // 4, data.size)
    inputs = data[start:end, None]; targets = np.roll(inputs, 1, axis=0)
    h0 = np.zeros(H_N); c0 = np.zeros(H_N)
    worst = 0.0
    _, outs, caches = lstm_loss(p, h0, c0, inputs, targets)
    g = lstm_grads(p, targets, outs, caches)
    for k, v in p.items():
        for ix in range(v.size):
            old = v.flat[ix]
            v.flat[ix] = old + 1e-5; lp = lstm_loss(p, h0, c0, inputs, targets)[0]
            v.flat[ix] = old - 1e-5; lm = lstm_loss(p, h0, c0, inputs, targets)[0]
            v.flat[ix] = old
            n = (lp - lm) / 2e-5; a = g[k].flat[ix]
            worst = max(worst, abs(a - n) / max(abs(a) + abs(n), 1e-300))
    return worst


def char_rnn_setup():
    rs = np.random.RandomState(1)
    H, V, T = 100, 65, 25
    p = {"Wxh": rs.randn(H, V) * 0.01, "Whh": rs.randn(H, H) * 0.01, "Why": rs.randn(V, H) * 0.01,
         "bh": np.zeros((H, 1)), "by": np.zeros((V, 1))}
    inputs = rs.randint(0, V, T); targets = rs.randint(0, V, T)
    hprev = np.zeros((H, 1))
    return p, inputs, targets, hprev


def char_rnn_step(p, inputs, targets, hprev):
    """min-char-rnn's lossFun: forward over 25 steps, backward, gradients (our code)."""
    V = p["Why"].shape[0]
    xs, hs, ps = {}, {-1: hprev}, {}
    loss = 0.0
    for t in range(len(inputs)):
        xs[t] = np.zeros((V, 1)); xs[t][inputs[t]] = 1
        hs[t] = np.tanh(p["Wxh"] @ xs[t] + p["Whh"] @ hs[t - 1] + p["bh"])
        y = p["Why"] @ hs[t] + p["by"]
        e = np.exp(y - np.max(y)); ps[t] = e / np.sum(e)
        loss += -np.log(ps[t][targets[t], 0])
    d = {k: np.zeros_like(v) for k, v in p.items()}
    dhnext = np.zeros_like(hs[0])
    for t in reversed(range(len(inputs))):
        dy = np.copy(ps[t]); dy[targets[t]] -= 1
        d["Why"] += dy @ hs[t].T; d["by"] += dy
        dh = p["Why"].T @ dy + dhnext
        dhraw = (1 - hs[t] * hs[t]) * dh
        d["bh"] += dhraw; d["Wxh"] += dhraw @ xs[t].T; d["Whh"] += dhraw @ hs[t - 1].T
        dhnext = p["Whh"].T @ dhraw
    return loss, d


def simple_rnn_setup():
    rs = np.random.RandomState(0)
    x = rs.random((3, 4)).astype(np.float32).astype(float); h0 = rs.random(2).astype(np.float32).astype(float)
    U = np.array([[0.8315637, -0.6328325], [-0.6249914, -0.02345729], [0.3253579, -0.66497874], [0.5830157, -0.03220487]])
    W = np.array([[-0.26513684, 0.96421075], [0.96421075, 0.2651369]])
    V = np.array([[0.16630626, -0.03400385, -0.8589585], [-1.0909375, -0.02843404, 0.2594756]])
    y = np.array([[0.3, 0.5, 0.2], [0.2, 0.3, 0.5], [0.5, 0.2, 0.3]])
    return x, h0, U, W, np.zeros(2), V, np.zeros(3), y


def simple_rnn_step(x, h0, U, W, b, V, c, y):
    hs, ps = [], []
    h = h0; loss = 0.0
    for t in range(3):
        h = np.tanh(x[t] @ U + h @ W + b)
        o = h @ V + c
        e = np.exp(o - o.max()); p = e / e.sum()
        loss -= np.sum(y[t] * np.log(p))
        hs.append(h); ps.append(p)
    dU = np.zeros_like(U); dW = np.zeros_like(W); db = np.zeros_like(b); dV = np.zeros_like(V); dc = np.zeros_like(c)
    carry = np.zeros(2)
    for t in reversed(range(3)):
        dout = ps[t] - y[t]
        d = dout @ V.T + carry
        dz = d * (1 - hs[t] ** 2)
        hp = hs[t - 1] if t > 0 else h0
        dV += np.outer(hs[t], dout); dc += dout; dW += np.outer(hp, dz); dU += np.outer(x[t], dz); db += dz
        carry = dz @ W.T
    return loss


def timed(fn, repeats, warmup=0):
    for _ in range(warmup):
        fn()
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter(); result = fn(); times.append(time.perf_counter() - t0)
    return {"times": times, "check": float(result)}


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    out = {}
    out["sine_training"] = timed(sine_training, max(1, repeats // 3))
    out["full_gradcheck"] = timed(full_gradcheck, max(1, repeats // 3), 1)
    p, i, t, h = char_rnn_setup()
    out["char_rnn_step"] = timed(lambda: char_rnn_step(p, i, t, h)[0], repeats * 20, 100)
    args = simple_rnn_setup()
    out["simple_rnn_step"] = timed(lambda: simple_rnn_step(*args), repeats * 200, 2000)
    cpu, flags = "unknown CPU", []
    try:
        text = open("/proc/cpuinfo").read()
        cpu = next(l.split(":", 1)[1].strip() for l in text.splitlines() if l.startswith("model name"))
        line = next(l for l in text.splitlines() if l.startswith("flags"))
        flags = [f for f in ("avx2", "fma", "avx512f") if f" {f} " in f" {line.split(':', 1)[1]} "]
    except (OSError, StopIteration):
        pass
    out["machine"] = {"numpy": np.__version__, "cpu": cpu, "flags": flags, "blas": blas_kernel()}
    print(json.dumps(out))


def blas_kernel():
    """Which OpenBLAS numpy loaded and which kernel it chose (OpenBLAS's own answer).

    threadpoolctl would say the same; it is not installed here, so the library is found in the
    process's memory map and asked through ctypes (numpy's wheels rename the symbols)."""
    import ctypes
    np.ones((64, 64)) @ np.ones((64, 64))  # make sure BLAS is loaded
    info = {"OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "(unset)"),
            "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE", "(unset)")}
    try:
        paths = sorted({l.split()[-1] for l in open("/proc/self/maps") if "openblas" in l.lower()})
    except OSError:
        paths = []
    for path in paths:
        lib = ctypes.CDLL(path)
        for prefix in ("", "scipy_"):
            for suffix in ("", "64_"):
                core = getattr(lib, f"{prefix}openblas_get_corename{suffix}", None)
                config = getattr(lib, f"{prefix}openblas_get_config{suffix}", None)
                if core is not None:
                    core.restype = ctypes.c_char_p
                    info["library"] = os.path.basename(path)
                    info["corename"] = core().decode()
                    if config is not None:
                        config.restype = ctypes.c_char_p
                        info["config"] = config().decode().strip()
                    return info
    info["library"] = "not OpenBLAS (or not found)"
    return info


if __name__ == "__main__":
    main()
