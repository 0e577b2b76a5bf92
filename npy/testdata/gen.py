# Writes the .npy fixtures of npy's tests with NumPy itself:
#   /usr/bin/python3 npy/testdata/gen.py
import os
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
x = (np.arange(12, dtype=np.float32).reshape(1, 3, 2, 2) - 5.5) / 4
np.save(os.path.join(here, "numpy-1x3x2x2.npy"), x)
np.save(os.path.join(here, "numpy-scalar.npy"), np.float32(2.5))
np.save(os.path.join(here, "numpy-vector.npy"), np.array([1.5, -2, 3e-8], dtype=np.float32))
np.save(os.path.join(here, "numpy-f64.npy"), np.zeros(2))  # rejected: '<f8'
np.save(os.path.join(here, "numpy-fortran.npy"), np.asfortranarray(np.ones((2, 3), dtype=np.float32)))  # rejected
with open(os.path.join(here, "numpy-v2.npy"), "wb") as f:
    np.lib.format.write_array(f, x, version=(2, 0))
