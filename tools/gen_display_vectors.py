#!/usr/bin/env python3
"""How numpy prints arrays, for tests/display_test.ts.

Usage:  python3 tools/gen_display_vectors.py   (writes data/display/numpy_print.json)

Each case stores the array (as float64 reprs, with its shape), the print options, and
numpy's `str(array)` under those options.
"""
import datetime
import json
import pathlib

import numpy as np

rs = np.random.RandomState(7)
cases = [
    (np.array([-0.99999375, 0.77911235, -0.99861469, -0.99833267]), {}),
    (np.array([0.80517166]), {}),
    (np.array([[1.0, 2.0], [3.0, 4.0]]), {}),
    (np.array([0.5, 0.25, -1.0]), {}),
    (rs.randn(3, 4), {}),
    (rs.randn(2, 3, 4), {}),
    (rs.randn(3, 4), {"precision": 6, "suppress": True}),
    (rs.randn(3, 4) * 1e-5, {}),
    (rs.randn(3, 4) * 1e-5, {"precision": 6, "suppress": True}),
    (np.array([1e-7, 1.0, 300.0]), {}),
    (np.array([123456.789, 0.001]), {}),
    (rs.randn(20), {}),
    (rs.randn(3, 12), {"precision": 3, "suppress": True}),
    (np.array([0.0, -0.0, 2.5]), {}),
    # The three switches to scientific notation, at their boundaries (max/min = 1e3 exactly,
    # min = 1e-4 exactly, max = 1e8 exactly, also with suppress).
    (np.array([1.0, 1000.0]), {}),
    (np.array([1.0, 1000.5]), {}),
    (np.array([0.0001, 0.0005]), {}),
    (np.array([1e8, 2.0]), {"suppress": True}),
    (np.array([99999999.0, 2.0]), {"suppress": True}),
]
out = {
    "provenance": {
        "script": "tools/gen_display_vectors.py",
        "command": "python3 tools/gen_display_vectors.py",
        "numpy": np.__version__,
        "date": datetime.date.today().isoformat(),
    },
    "cases": [],
}
for arr, opts in cases:
    with np.printoptions(**opts):
        text = str(arr)
    out["cases"].append({
        "shape": list(arr.shape),
        "data": [repr(float(v)) for v in arr.ravel()],
        "options": opts,
        "str": text,
    })
path = pathlib.Path(__file__).resolve().parent.parent / "data/display/numpy_print.json"
path.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {path}")
