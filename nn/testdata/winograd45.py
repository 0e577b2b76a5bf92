"""Derives Winograd F(4x4,5x5) (nn/winograd45.go) and checks it exactly.

    /usr/bin/python3 nn/testdata/winograd45.py

Toom-Cook on the points 0, 1, -1, 2, -2, 1/2, -1/2 and infinity (alpha = 8:
the point set of NNPACK's F(6x6,3x3), so the same B^T). For F(m, r):

    A^T[i][j] = p_j^i                     (m x alpha; last column e_{m-1})
    G[j][k]   = p_j^k / f_j               (alpha x r; last row e_{r-1})
    B^T       = diag(f, 1) (L T; e_{alpha-1})^T   (alpha x alpha, see below)

with f_j = prod_{l != j} (p_j - p_l). The columns of A^T for +-1/2 (and
the rows of G) are then scaled by 8, a power of two, so that A^T is
integers: exact in floating point. The script prints the three matrices
and checks y = A^T [(G g) .* (B^T d)] against the direct correlation
y_i = sum_k g_k d_{i+k} with symbolic g and d, in exact rationals (1D,
which implies 2D: the 2D algorithm is the 1D one applied to rows and
columns).
"""
from functools import reduce
from operator import mul

import sympy as sp

m, r = 4, 5
alpha = m + r - 1
pts = [sp.Integer(0), sp.Integer(1), sp.Integer(-1), sp.Integer(2), sp.Integer(-2),
       sp.Rational(1, 2), sp.Rational(-1, 2)]
n = alpha - 1  # finite points
x = sp.symbols("x")

f = [reduce(mul, [pts[j] - pts[l] for l in range(n) if l != j], sp.Integer(1)) for j in range(n)]

AT = sp.zeros(m, alpha)
for i in range(m):
    for j in range(n):
        AT[i, j] = pts[j] ** i
AT[m - 1, alpha - 1] = 1

G = sp.zeros(alpha, r)
for j in range(n):
    for k in range(r):
        G[j, k] = pts[j] ** k / f[j]
G[alpha - 1, r - 1] = 1

# B^T (wincnn's construction): L holds the Lagrange basis polynomials of
# the finite points as columns, T appends the reduction of x^n modulo the
# node polynomial, and the point at infinity adds the last row; the rows
# are scaled by f_j, which G divides out.
L = sp.zeros(n, n)
for j in range(n):
    lj = sp.Poly(reduce(mul, [x - pts[l] for l in range(n) if l != j], sp.Integer(1)), x)
    for k in range(n):
        L[k, j] = lj.coeff_monomial(x ** k) / f[j]
T = sp.eye(n).col_insert(n, sp.Matrix(n, 1, lambda i, _: -pts[i] ** n))
B = (L * T).row_insert(n, sp.Matrix(1, alpha, lambda _, j: 1 if j == alpha - 1 else 0))
BT = sp.diag(*f, 1) * B.T

# Scale the +-1/2 points by 8: columns of A^T times 8, rows of G over 8.
for j in (5, 6):
    AT[:, j] *= 8
    G[j, :] /= 8

# Signs: a row of B^T and the same row of G may flip together. As in
# NNPACK, rows 1-6 of B^T get +d6 (pairs of rows are then t1 + t2 and
# t1 - t2) and rows 0 and 7 +d0 and +d7.
for j in range(alpha):
    if BT[j, {0: 0, alpha - 1: alpha - 1}.get(j, 6)] < 0:
        BT[j, :] *= -1
        G[j, :] *= -1

g = sp.symbols("g0:%d" % r)
d = sp.symbols("d0:%d" % alpha)
gv, dv = sp.Matrix(g), sp.Matrix(d)
y = AT * (G * gv).multiply_elementwise(BT * dv)
for i in range(m):
    want = sum(g[k] * d[i + k] for k in range(r))
    assert sp.expand(y[i] - want) == 0, (i, sp.expand(y[i] - want))

print("A^T =")
sp.pprint(AT)
print("G =")
sp.pprint(G)
print("B^T =")
sp.pprint(BT)
print("identity y = A^T [(G g) .* (B^T d)] holds exactly")
