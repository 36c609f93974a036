#!/usr/bin/python3
"""Real PyTorch's run of document 000's comparison, for lesson 3.

Usage:  /usr/bin/python3 tools/gen_torch_rnn.py     (Debian's python3-torch 1.13; writes
        data/torch_rnn/lesson3.json)

The document's setup, exactly: np.random.seed(123); torch.random.manual_seed(123);
torch.nn.RNN(4, 5).double(); then from np.random.random, in this order, x (3, 3, 4) (3 steps of
a batch of 3), h0 (1, 3, 5) and dh (3, 3, 5); output, h_n = rnn(x, h0); output.backward(dh).
Recorded (float64 values as Python reprs, so every bit survives): the initial parameters (float32
values widened by .double()), torch's own print of each, x, h0, dh, output, h_n, x.grad, h0.grad and
every parameter's grad. Then a second sequence through the same module (gradients zeroed first),
from the next numpy draws, for the lesson's stack-reset demonstration.

The script runs itself twice, once per ATen CPU kernel, because the kernel changes last bits:
  "avx2"      ATEN_CPU_CAPABILITY=avx2 (what torch 1.13 picks by default on AVX2/AVX-512 CPUs):
              the float32 init x*(to-from)+from is one FMA, tanh is vectorised (SLEEF), and the
              tanh backward 1 - y*y is fused into one FMA;
  "portable"  ATEN_CPU_CAPABILITY=default: plain C++ kernels, a rounding after every operation.
Matrix products go to whatever libblas.so.3 torch loads (recorded: the reference BLAS on Debian
unless an optimised one is selected with update-alternatives).
"""
import datetime
import json
import os
import pathlib
import re
import subprocess
import sys

import numpy as np
import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "data/torch_rnn/lesson3.json"
# label -> (ATEN_CPU_CAPABILITY, what torch.__config__.show() then reports)
KERNELS = {"avx2": ("avx2", "AVX2"), "portable": ("default", "NO AVX")}


def r(t):
    """A tensor (or array) as a flat list of float64 reprs."""
    a = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    return [repr(float(v)) for v in np.asarray(a, dtype=np.float64).ravel()]


def cpu_capability():
    m = re.search(r"CPU capability usage: ([^\n]+)", torch.__config__.show())
    return m.group(1).strip() if m else "unknown"


def blas_library():
    torch.ones(2, 2, dtype=torch.float64).mm(torch.ones(2, 2, dtype=torch.float64))
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "libblas" in line or "openblas" in line}
    return sorted({os.path.realpath(p) for p in paths})


def sequence(rnn, nums):
    x = np.random.random((nums, 3, 4))
    h = np.random.random((1, 3, 5))
    dh = np.random.random((nums, 3, 5))
    xt = torch.tensor(x, requires_grad=True)
    ht = torch.tensor(h, requires_grad=True)
    output, h_n = rnn(xt, ht)
    output.backward(torch.tensor(dh))
    return {"x": r(x), "h0": r(h), "dh": r(dh), "output": r(output), "h_n": r(h_n),
            "x_grad": r(xt.grad), "h0_grad": r(ht.grad),
            "grads": {name: r(p.grad) for name, p in rnn.named_parameters()}}


def run():
    """One kernel's run (in this process, whose ATEN_CPU_CAPABILITY the parent set)."""
    np.random.seed(123)
    torch.random.manual_seed(123)
    rnn = torch.nn.RNN(4, 5).double()
    weights = {name: r(p) for name, p in rnn.named_parameters()}
    printed = {name: str(p) for name, p in rnn.named_parameters()}
    nums = 3
    first = sequence(rnn, nums)
    rnn.zero_grad()
    second = sequence(rnn, nums)
    provenance = {
        "torch": torch.__version__, "numpy": np.__version__, "python": sys.version.split()[0],
        "ATEN_CPU_CAPABILITY": os.environ.get("ATEN_CPU_CAPABILITY"),
        "cpu_capability": cpu_capability(), "blas": blas_library(),
        "threads": torch.get_num_threads(),
    }
    return {"provenance": provenance, "weights": weights, "printed": printed,
            "first": first, "second": second}


def main():
    if sys.argv[1:] == ["--run"]:
        print(json.dumps(run()))
        return
    runs = {}
    for label, (capability, reported) in KERNELS.items():
        env = {**os.environ, "ATEN_CPU_CAPABILITY": capability}
        out = subprocess.run([sys.executable, __file__, "--run"], env=env, check=True,
                             capture_output=True, text=True).stdout
        runs[label] = json.loads(out)
        got = runs[label]["provenance"]["cpu_capability"]
        if got != reported:
            sys.exit(f"gen_torch_rnn: ATEN_CPU_CAPABILITY={capability}: torch reports {got!r}, "
                     f"expected {reported!r} (does this CPU have AVX2?)")
    data = {
        "provenance": {
            "script": "tools/gen_torch_rnn.py",
            "command": "/usr/bin/python3 tools/gen_torch_rnn.py",
            "date": datetime.date.today().isoformat(),
            "setup": "np.random.seed(123); torch.random.manual_seed(123); rnn = torch.nn.RNN(4, 5).double(); "
                     "x = np.random.random((3, 3, 4)); h0 = np.random.random((1, 3, 5)); "
                     "dh = np.random.random((3, 3, 5)); output, h_n = rnn(x, h0); output.backward(dh); "
                     "then rnn.zero_grad() and a second sequence from the next draws",
            "layout": "flat row-major lists of float64 reprs; x (3,3,4), h0 (1,3,5), dh (3,3,5), "
                      "output (3,3,5), h_n (1,3,5); parameters and grads in torch's shapes",
        },
        "runs": runs,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
