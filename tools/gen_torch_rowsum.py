#!/usr/bin/python3
"""torch 1.13's sum over the leading dimension, for lib/nn/torch_rnn.ts's row sums.

Usage:  /usr/bin/python3 tools/gen_torch_rowsum.py   (Debian's python3-torch 1.13; writes
        data/torch_rowsum/rowsum.json)

torch's RNN backward sums the bias gradients over rows (`grad.sum(0)` of an (n, H) tensor), and
ATen adds those rows in an order of its own: the last digits depend on it. For every n from 1 to
40, an (n, 5) float64 tensor of seeded values spread over many magnitudes (so that the order of
additions shows in the result) and torch.sum(x, 0), under both ATen CPU kernels
(ATEN_CPU_CAPABILITY=default and avx2; the script runs itself once per kernel). Values as Python
reprs, so every bit survives.
"""
import datetime
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "data/torch_rowsum/rowsum.json"
H = 5


def cases():
    rng = np.random.default_rng(20261207)
    out = []
    for n in range(1, 41):
        x = rng.standard_normal((n, H)) * 10.0 ** rng.uniform(-6, 6, (n, H))
        s = torch.sum(torch.tensor(x, dtype=torch.float64), 0)
        out.append({"n": n, "x": [repr(float(v)) for v in x.ravel()],
                    "sum": [repr(float(v)) for v in s.numpy()]})
    return out


if len(sys.argv) > 1 and sys.argv[1] == "--child":
    print(json.dumps(cases()))
    sys.exit(0)

runs = {}
for label, cap in {"portable": "default", "avx2": "avx2"}.items():
    env = dict(os.environ, ATEN_CPU_CAPABILITY=cap)
    res = subprocess.run([sys.executable, __file__, "--child"], env=env, check=True,
                         capture_output=True, text=True)
    runs[label] = json.loads(res.stdout)
same = all(a["sum"] == b["sum"] for a, b in zip(runs["portable"], runs["avx2"]))
OUT.write_text(json.dumps({
    "generated_by": "tools/gen_torch_rowsum.py",
    "generated": datetime.date.today().isoformat(),
    "torch": torch.__version__,
    "numpy": np.__version__,
    "columns": H,
    "kernels_agree": same,
    "cases": runs["portable"],
    "avx2_sums": [c["sum"] for c in runs["avx2"]],
}, indent=1) + "\n")
print(f"{len(runs['portable'])} cases, kernels agree: {same} -> {OUT}")
