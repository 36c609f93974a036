#!/usr/bin/env python3
"""numpy's float32 printing at its boundaries, for lib/numerics/float32.ts's numpyPrints32.

Usage:  python3 tools/gen_float32_boundaries.py   (writes data/float32/numpy_boundaries.json)

tools/gen_float32_printing.py records random and document values; this records the float32
values on both sides of every place where numpy's printing changes its rule: the switch to
scientific notation at 1e-4 (numpy compares in float32, so float32(1e-4) itself, just below
the float64 1e-4, is still positional) and at 1e6, the decimal decades 0.001 … 1000 where the
number of digits changes, 1 (where the spacing of float32 doubles), and values whose ninth
digit after the point is an exact tie (k / 2^n). For each: the float32 bits, the text numpy
prints for it as the only element of an array, and whether that text is scientific.
"""
import datetime
import json
import pathlib
import platform

import numpy as np

f32 = np.float32


def around(x, k):
    """The k float32 values below x, x, and the k above."""
    x = f32(x)
    out = [x]
    lo = hi = x
    for _ in range(k):
        lo = np.nextafter(lo, f32(-np.inf))
        hi = np.nextafter(hi, f32(np.inf))
        out += [lo, hi]
    return out


vals = []
for edge in [1e-4, 1e6]:
    vals += around(edge, 6)
for decade in [1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0]:
    vals += around(decade, 3)
vals += [f32(k / 2**n) for n in (10, 11, 12, 13) for k in (1, 3, 5, 7, 101, 1001)]
vals += [f32(-v) for v in list(vals)]
out = []
seen = set()
for x in vals:
    bits = int(np.array([x], dtype=np.float32).view(np.uint32)[0])
    if bits in seen:
        continue
    seen.add(bits)
    text = str(np.array([x], dtype=np.float32))[1:-1].strip()
    out.append({
        "bits": f"{bits:08x}",
        "value": repr(float(x)),
        "numpy": text,
        "scientific": "e" in text,
    })
out.sort(key=lambda e: float(e["value"]))

path = pathlib.Path(__file__).resolve().parent.parent / "data/float32/numpy_boundaries.json"
path.write_text(json.dumps({
    "generated_by": "tools/gen_float32_boundaries.py",
    "generated": datetime.date.today().isoformat(),
    "numpy": np.__version__,
    "python": platform.python_version(),
    "values": out,
}, indent=1) + "\n")
print(f"{len(out)} values ({sum(e['scientific'] for e in out)} scientific) -> {path}")
