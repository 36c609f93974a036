#!/usr/bin/env python3
"""Test vectors for lib/numerics/random.ts from this machine's numpy (legacy RandomState).

Usage:  python3 tools/gen_random_vectors.py     (writes data/random/numpy_legacy.json)

Doubles are stored losslessly as float.hex(); integers as decimal strings (they may exceed 2**53
only if a test asks for it; ours stay below). Each case lists the calls made, in order, on one
RandomState, so the test can replay them.
"""
import datetime
import json
import pathlib

import numpy as np


def hexes(a):
    return [float(v).hex() for v in np.asarray(a, dtype=float).ravel()]


def case(seed, calls):
    rs = np.random.RandomState(seed)
    out = []
    for c in calls:
        kind, args = c[0], c[1:]
        if kind == "seed":
            rs.seed(args[0])
            out.append({"call": "seed", "args": list(args)})
            continue
        if kind == "randn":
            v = rs.randn(*args)
        elif kind == "random":
            v = rs.random(*args) if args else rs.random()
        elif kind == "normal":
            v = rs.normal(*args)
        elif kind == "uniform":
            v = rs.uniform(*args)
        elif kind == "randint":
            v = rs.randint(*args)
            out.append({"call": kind, "args": list(args), "ints": [str(int(x)) for x in np.asarray(v).ravel()]})
            continue
        out.append({"call": kind, "args": list(args), "hex": hexes(v)})
    return {"seed": seed, "calls": out}


cases = []
for seed in [0, 1, 123, 2**32 - 1, 42, 2026]:
    cases.append(case(seed, [("randn", 2000), ("random", 2000)]))
cases.append(case(7, [("randint", 0, 10, 500), ("randint", -5, 3, 200), ("randint", 3, 4, 5),
                      ("randint", 0, 2**32 - 1, 50), ("randint", 0, 2**32, 50), ("randint", 0, 2**32 + 5, 50),
                      ("randint", -(2**40), 2**40, 50), ("randint", 17), ("randint", 0, 1000)]))
cases.append(case(5, [("randn", 1), ("random",), ("randn", 3), ("normal", 2.0, 3.0, 7), ("randn",),
                      ("uniform", -1.0, 2.0, 5), ("normal", -1.0, 0.5), ("seed", 5), ("randn", 4),
                      ("randn", 1), ("seed", 9), ("random",), ("randn", 3, 2)]))
out = {"provenance": {"script": "tools/gen_random_vectors.py", "command": "python3 tools/gen_random_vectors.py",
                      "numpy": np.__version__, "date": datetime.date.today().isoformat()},
       "cases": cases}
path = pathlib.Path(__file__).resolve().parent.parent / "data/random/numpy_legacy.json"
path.write_text(json.dumps(out) + "\n")
print(f"wrote {path} ({path.stat().st_size} bytes)")
