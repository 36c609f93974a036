#!/usr/bin/python3
"""Reference vectors from real PyTorch, for lib/numerics/torch_random.ts (lesson 3's run: tools/gen_torch_rnn.py).

Usage:  /usr/bin/python3 tools/gen_torch_vectors.py   (Debian's python3-torch; writes data/torch/*.json)

It runs itself once per CPU kernel: the default dispatch (AVX2/AVX512 on this machine, where
the compiler fuses x*(to-from)+from into one FMA) and ATEN_CPU_CAPABILITY=default (the portable
kernel, two roundings). For each it records torch.manual_seed(s); torch.empty(n).uniform_(a, b)
as float32 bit patterns, and the parameters of torch.nn.RNN(4, 5) after manual_seed(123).
"""
import datetime
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import torch

OUT = pathlib.Path(__file__).resolve().parent.parent / "data/torch"


def bits(t):
    return [int(v) for v in t.detach().numpy().astype(np.float32).view(np.uint32).ravel()]


def r(t):
    return [repr(float(v)) for v in np.asarray(t.detach().numpy(), dtype=float).ravel()]


def kernel_vectors():
    cases = []
    for seed, n, lo, hi in [(0, 1000, 0.0, 1.0), (123, 1000, -0.4472135954999579, 0.4472135954999579),
                            (2**32 - 1, 500, -3.0, 5.0), (7, 500, -0.5, 0.5)]:
        torch.manual_seed(seed)
        cases.append({"seed": seed, "n": n, "from": lo, "to": hi, "bits": bits(torch.empty(n).uniform_(lo, hi))})
    rnns = []
    for seed, i, h in [(123, 4, 5), (0, 3, 7)]:
        torch.manual_seed(seed)
        m = torch.nn.RNN(i, h)
        rnns.append({"seed": seed, "input_size": i, "hidden_size": h,
                     "params": {name: bits(p) for name, p in m.named_parameters()}})
    return {"uniform": cases, "rnn": rnns}


def provenance():
    cap = torch.backends.cpu.get_cpu_capability() if hasattr(torch.backends, "cpu") else "unknown"
    return {"script": "tools/gen_torch_vectors.py", "command": "/usr/bin/python3 tools/gen_torch_vectors.py",
            "torch": torch.__version__, "numpy": np.__version__, "cpu_capability": cap,
            "ATEN_CPU_CAPABILITY": os.environ.get("ATEN_CPU_CAPABILITY"),
            "date": datetime.date.today().isoformat()}


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--kernel":
        print(json.dumps({"provenance": provenance(), **kernel_vectors()}))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    kernels = {}
    for label, env in [("fused", {}), ("portable", {"ATEN_CPU_CAPABILITY": "default"})]:
        out = subprocess.run([sys.executable, __file__, "--kernel"], env={**os.environ, **env},
                             check=True, capture_output=True, text=True).stdout
        kernels[label] = json.loads(out)
    (OUT / "generator.json").write_text(json.dumps(kernels) + "\n")
    print(f"wrote {OUT}/generator.json")


if __name__ == "__main__":
    main()
