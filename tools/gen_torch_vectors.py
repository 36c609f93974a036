#!/usr/bin/python3
"""Reference vectors from real PyTorch, for lib/torch_random.ts and lesson 3.

Usage:  /usr/bin/python3 tools/gen_torch_vectors.py   (Debian's python3-torch; writes data/torch/*.json)

It runs itself once per CPU kernel: the default dispatch (AVX2/AVX512 on this machine, where
the compiler fuses x*(to-from)+from into one FMA) and ATEN_CPU_CAPABILITY=default (the portable
kernel, two roundings). For each it records torch.manual_seed(s); torch.empty(n).uniform_(a, b)
as float32 bit patterns, and the parameters of torch.nn.RNN(4, 5) after manual_seed(123).
Then, with the default kernel, document 000's comparison: np.random.seed(123),
torch.random.manual_seed(123), torch.nn.RNN(4, 5).double(), x (3,3,4), h0 (1,3,5), dh (3,3,5)
from np.random.random; output, h_n and every gradient (float64 reprs), plus a second sequence.
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


def lesson3():
    np.random.seed(123)
    torch.random.manual_seed(123)
    rnn = torch.nn.RNN(4, 5).double()
    weights = {name: r(p) for name, p in rnn.named_parameters()}
    nums = 3
    x = np.random.random((nums, 3, 4))
    h = np.random.random((1, 3, 5))
    dh = np.random.random((nums, 3, 5))
    xt = torch.tensor(x, requires_grad=True)
    ht = torch.tensor(h, requires_grad=True)
    out, h_n = rnn(xt, ht)
    out.backward(torch.tensor(dh))
    first = {"x": r(torch.tensor(x)), "h0": r(torch.tensor(h)), "dh": r(torch.tensor(dh)),
             "output": r(out), "h_n": r(h_n), "x_grad": r(xt.grad), "h0_grad": r(ht.grad),
             "grads": {name: r(p.grad) for name, p in rnn.named_parameters()}}
    # A second sequence, gradients from zero.
    rnn.zero_grad()
    x2 = np.random.random((nums, 3, 4))
    h2 = np.random.random((1, 3, 5))
    dh2 = np.random.random((nums, 3, 5))
    x2t = torch.tensor(x2, requires_grad=True)
    h2t = torch.tensor(h2, requires_grad=True)
    out2, _ = rnn(x2t, h2t)
    out2.backward(torch.tensor(dh2))
    second = {"x": r(torch.tensor(x2)), "h0": r(torch.tensor(h2)), "dh": r(torch.tensor(dh2)),
              "output": r(out2), "x_grad": r(x2t.grad), "h0_grad": r(h2t.grad),
              "grads": {name: r(p.grad) for name, p in rnn.named_parameters()}}
    return {"weights": weights, "first": first, "second": second}


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
    (OUT / "rnn_lesson3.json").write_text(json.dumps({"provenance": provenance(), **lesson3()}, indent=1) + "\n")
    print(f"wrote {OUT}/generator.json and rnn_lesson3.json")


if __name__ == "__main__":
    main()
