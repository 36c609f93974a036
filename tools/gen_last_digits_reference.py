#!/usr/bin/env python3
"""Reference vectors for lesson 8 (the last digits): which tanh, which summation.

Usage:  python3 tools/gen_last_digits_reference.py   (writes data/last_digits/tanh_reference.json)

Lesson 1's cell (document 000's rnn_cell_backward test, seed 1, with the `ba` left behind by
the rnn_forward test). For its pre-activation z = Wax·xt + Waa·a_prev + ba, computed three
ways, we record z and two tanh's of it:

- z orders: "numpy here" (np.dot, i.e. this machine's BLAS), "sequential" (one term at a
  time, each product rounded, then each sum), "sequential fused" (one term at a time, each
  step a fused multiply-add: the exact a·b + s rounded once, computed here with Python's
  exact fractions, whose conversion to float rounds correctly);
- tanh: "libm" = math.tanh, which calls the C library's tanh (glibc on Linux), one scalar at
  a time; "numpy" = np.tanh, numpy's own ufunc loop, which may use a SIMD implementation on
  CPUs that have one (AVX-512 here).

Plus a sweep: 1200 seeded inputs in [-6, 6] (and 300 in [-0.05, 0.05]) with both tanh's, so
the lesson can measure how often V8's Math.tanh agrees with each. Values are Python reprs
(lossless).
"""
import datetime
import json
import math
import pathlib
import platform
import sys
from fractions import Fraction

import numpy as np


def fma(a, b, c):
    exact = Fraction(a) * Fraction(b) + Fraction(c)
    return float(exact) if exact != 0 else a * b + c


def matmul_sequential(A, B, fused):
    n, k = A.shape
    C = np.zeros((n, B.shape[1]))
    for i in range(n):
        for j in range(B.shape[1]):
            s = 0.0
            for t in range(k):
                s = fma(float(A[i, t]), float(B[t, j]), s) if fused else s + A[i, t] * B[t, j]
            C[i, j] = s
    return C


def rows(a):
    return [repr(float(v)) for v in np.asarray(a).ravel()]


def main():
    np.random.seed(1)
    np.random.randn(3, 10, 4)  # the rnn_forward test's x, a0, Waa, Wax, Wya, then its ba
    np.random.randn(5, 10)
    np.random.randn(5, 5)
    np.random.randn(5, 3)
    np.random.randn(2, 5)
    ba = np.random.randn(5, 1)
    np.random.seed(1)  # the rnn_cell_backward test
    xt = np.random.randn(3, 10)
    a_prev = np.random.randn(5, 10)
    Wax = np.random.randn(5, 3)
    Waa = np.random.randn(5, 5)

    zs = {
        "numpy here": np.dot(Wax, xt) + np.dot(Waa, a_prev) + ba,
        "sequential": matmul_sequential(Wax, xt, False) + matmul_sequential(Waa, a_prev, False)
        + ba,
        "sequential fused": matmul_sequential(Wax, xt, True)
        + matmul_sequential(Waa, a_prev, True) + ba,
    }
    rng = np.random.RandomState(20261202)
    sweep = np.concatenate([rng.uniform(-6, 6, 1200), rng.uniform(-0.05, 0.05, 300)])
    out = {
        "provenance": {
            "script": "tools/gen_last_digits_reference.py",
            "command": "python3 tools/gen_last_digits_reference.py",
            "numpy": np.__version__,
            "python": sys.version.split()[0],
            "libc": " ".join(platform.libc_ver()),
            "machine": platform.machine(),
            "date": datetime.date.today().isoformat(),
            "note": "values are Python reprs of float64, arrays flattened row-major (5, 10)",
        },
        "z": {
            name: {"z": rows(z), "tanh_libm": rows(np.vectorize(math.tanh)(z)),
                   "tanh_numpy": rows(np.tanh(z))}
            for name, z in zs.items()
        },
        "sweep": {"x": rows(sweep), "tanh_libm": rows([math.tanh(v) for v in sweep]),
                  "tanh_numpy": rows(np.tanh(sweep))},
    }
    path = pathlib.Path(__file__).resolve().parent.parent / "data/last_digits/tanh_reference.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
