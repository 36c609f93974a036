#!/usr/bin/env python3
"""glibc's log table and polynomials, read from this machine's libm, and reference logs.

Usage:  python3 tools/gen_glibc_log_table.py   (writes data/glibc/log_data.json)

glibc (2.28 and later, including Debian's 2.36) computes log(x) from a table of 128 pairs
(invc ≈ 1/c, logc ≈ log c) for c spread over [0x1.6p-1, 0x1.6p0), a degree-6 polynomial for
log1p(r) − r away from 1 and a degree-12 one near 1 (the algorithm of ARM's
optimized-routines). The numbers are a published fact of the library; we read them from the
installed libm.so.6 itself, where the constant block `__log_data` starts with ln2hi, ln2lo:

    ln2hi, ln2lo, poly[5], poly1[11], tab[128] {invc, logc}, tab2[128] {chi, clo}

located by searching the file for the bytes of ln2hi followed by ln2lo (the first match; the
second such block belongs to another function and starts with a different polynomial).

Reference values: math.log (which calls the C library's log) on seeded inputs, in (0, 1) as
numpy's gaussians need, near 1, and over the whole range of doubles; hex floats (lossless).
"""
import datetime
import json
import math
import pathlib
import platform
import random
import struct
import sys

LIBM = "/lib/x86_64-linux-gnu/libm.so.6"


def main():
    blob = pathlib.Path(LIBM).read_bytes()
    head = struct.pack("<2d", float.fromhex("0x1.62e42fefa3800p-1"),
                       float.fromhex("0x1.ef35793c76730p-45"))
    at = blob.find(head)
    if at < 0:
        sys.exit(f"{LIBM}: no ln2hi, ln2lo block found")
    n = 2 + 5 + 11 + 2 * 128 + 2 * 128
    v = struct.unpack(f"<{n}d", blob[at:at + 8 * n])
    poly, poly1 = v[2:7], v[7:18]
    tab = v[18:18 + 256]
    tab2 = v[18 + 256:18 + 512]
    if poly1[0] != -0.5:
        sys.exit(f"{LIBM}: the block at {at:#x} does not look like __log_data")
    rng = random.Random(20261202)
    xs = [rng.random() for _ in range(1500)]  # (0, 1), as the polar method's r²
    xs += [1 + rng.uniform(-1 / 16, 0x109 / 4096) for _ in range(600)]  # the near-1 path
    xs += [math.ldexp(1 + rng.random(), rng.randint(-1074, 1023)) for _ in range(600)]
    xs += [5e-324, 2.2250738585072014e-308, 1.0, 2.0, 0.5, 1.7976931348623157e308]
    out = {
        "provenance": {
            "script": "tools/gen_glibc_log_table.py",
            "command": "python3 tools/gen_glibc_log_table.py",
            "libm": LIBM,
            "libc": " ".join(platform.libc_ver()),
            "offset": hex(at),
            "python": sys.version.split()[0],
            "machine": platform.machine(),
            "date": datetime.date.today().isoformat(),
            "note": "hex floats (float.hex); reference logs from math.log, i.e. this libm",
        },
        "ln2hi": v[0].hex(),
        "ln2lo": v[1].hex(),
        "poly": [c.hex() for c in poly],
        "poly1": [c.hex() for c in poly1],
        "invc": [tab[2 * i].hex() for i in range(128)],
        "logc": [tab[2 * i + 1].hex() for i in range(128)],
        "chi": [tab2[2 * i].hex() for i in range(128)],
        "clo": [tab2[2 * i + 1].hex() for i in range(128)],
        "reference": {"x": [x.hex() for x in xs], "log": [math.log(x).hex() for x in xs]},
    }
    path = pathlib.Path(__file__).resolve().parent.parent / "data/glibc/log_data.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
