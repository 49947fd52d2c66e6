"""Writes the SVHN-format fixtures with SciPy's MAT writer (an independent implementation of the format).

Each image n has pixel X[r, c, ch, n] = (7 r + 3 c + 50 ch + 11 n) mod 256 (r row, c column, MATLAB order), labels
cycle 10, 1, 2, ..., 9 (10 is the digit 0). 'plain' is uncompressed, 'compressed' zlib-compressed as MATLAB saves
by default; both also hold a string and an unused array the reader must skip.
Run: /usr/bin/python3 make.py   (Debian: apt-get install python3-scipy)
"""
import os
import numpy as np
import scipy.io

here = os.path.dirname(os.path.abspath(__file__))
for name, n in (("train", 7), ("test", 3)):
    r, c, ch, i = np.meshgrid(np.arange(32), np.arange(32), np.arange(3), np.arange(n), indexing="ij")
    x = ((7 * r + 3 * c + 50 * ch + 11 * i) % 256).astype(np.uint8)
    y = np.array([[10 if k % 10 == 0 else k % 10] for k in range(n)], dtype=np.float64)
    for variant, compress in (("plain", False), ("compressed", True)):
        folder = os.path.join(here, variant)
        os.makedirs(folder, exist_ok=True)
        scipy.io.savemat(os.path.join(folder, f"{name}_32x32.mat"),
                         {"note": "fixture", "unused": np.arange(5.0), "X": x, "y": y},
                         do_compression=compress, format="5")
