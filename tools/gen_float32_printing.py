#!/usr/bin/env python3
"""numpy's float32 printing, for lib/numerics/float32.ts's numpyPrints32.

Usage:  python3 tools/gen_float32_printing.py   (writes data/float32/numpy_printing.json)

For a few hundred float32 values (seeded random values spread over magnitudes 1e-4 .. 1e7 (those numpy prints in scientific notation are
left out),
values near document 002's printed numbers, ties at the 8th digit after the point such as
1/512, powers of two, signed zeros) we record the float32 bits and the text numpy prints
for it as an element of an array: str(np.array([x], dtype=np.float32)) without the brackets.
The same text from np.format_float_positional(x, precision=8, unique=True, trim='.') is
asserted equal, so the two numpy paths agree on every value recorded.
"""
import datetime
import json
import pathlib
import platform

import numpy as np

rng = np.random.default_rng(20261202)
vals = []
vals += list(rng.uniform(-1, 1, 150))
vals += list(rng.uniform(-0.1, 0.1, 100))
vals += list(10.0 ** rng.uniform(-4, 7, 100) * rng.choice([-1, 1], 100))
vals += [k / 512 for k in range(1, 40, 2)] + [k / 1024 for k in range(1, 20, 2)]
vals += [2.0 ** k for k in range(-13, 20)] + [0.0, -0.0, 1.0, -1.0, 0.1, 0.2, 0.3]
printed = [-0.02345729, -0.03220487, -0.03400385, -0.02843404, 0.01066787, -0.24834853,
           -0.24834856, 0.85244656, 0.3758163]
for p in printed:
    x = np.float32(p)
    for d in range(-6, 7):
        vals.append(float(np.nextafter(x, np.float32(np.inf * d)) if d else x))
        x2 = x
        for _ in range(abs(d)):
            x2 = np.nextafter(x2, np.float32(np.inf if d > 0 else -np.inf))
        vals.append(float(x2))
out = []
seen = set()
for v in vals:
    x = np.float32(v)
    bits = int(np.array([x]).view(np.uint32)[0])
    if bits in seen:
        continue
    seen.add(bits)
    text = str(np.array([x], dtype=np.float32))[1:-1].strip()
    if "e" in text:
        # scientific notation: numpy uses it for a float32 below 1e-4 or from 1e6 up
        assert x != 0 and not (1e-4 <= abs(x) < 1e6), (x, text)
        continue
    assert text == np.format_float_positional(x, precision=8, unique=True, trim="."), (x, text)
    out.append({"bits": f"{bits:08x}", "value": repr(float(x)), "numpy": text})

path = pathlib.Path(__file__).resolve().parent.parent / "data/float32/numpy_printing.json"
path.write_text(json.dumps({
    "generated_by": "tools/gen_float32_printing.py",
    "generated": datetime.date.today().isoformat(),
    "numpy": np.__version__,
    "python": platform.python_version(),
    "values": out,
}, indent=1) + "\n")
print(f"{len(out)} values -> {path}")
