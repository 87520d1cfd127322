#!/usr/bin/env python3
"""ExactOBS (Frantar, Singh and Alistarh 2022, "Optimal brain compression", METHODS.md B9) in numpy, written from
the paper's description as the side-by-side baseline of Surgeon's Java implementation (issue 6/8 timing target).

Per row w of W (d_row x d_col), with H^-1 the inverse of the damped layer-wise Hessian:
  repeat d_col times: score_j = w_j^2 / [H^-1]_jj (eliminated: +inf); p = argmin; loss = score_p / 2;
  w <- w - (w_p / [H^-1]_pp) H^-1[:, p]; w_p = 0; H^-1 <- H^-1 - H^-1[:, p] H^-1[p, :] / [H^-1]_pp;
  trace[z + 1] = w.
Rows are processed in batches (the reference vectorizes 32 rows on a GPU; on this CPU a batch of 4 is about 4x
faster per row-step than 32 because four 784 x 784 inverses stay in cache, so 4 is the default), each row with its
own full d_col x d_col inverse, downdated in place every step. Then the global selection: the ceil(d_row d_col s) smallest losses of all
rows, c_i of them in row i, row i := trace_i[c_i].

Usage: python3 bench/exactobs_numpy.py DIR [sparsity] [batch] [runs]   (DIR holds H.npy = damped H, W.npy; W_hat_java.npy if
present is compared with the result). Run with OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 for one thread.
"""
import sys
import time

import numpy as np


def exactobs_traces(W, Hinv, batch):
    rows, d = W.shape
    losses = np.zeros((rows, d))
    traces = np.zeros((rows, d + 1, d))
    for i0 in range(0, rows, batch):
        i1 = min(rows, i0 + batch)
        b = i1 - i0
        w = W[i0:i1].copy()
        hinv = np.repeat(Hinv[None, :, :], b, axis=0)
        outer = np.empty_like(hinv)
        gone = np.zeros((b, d), dtype=bool)
        rng = np.arange(b)
        traces[i0:i1, 0] = w
        for z in range(d):
            diag = np.diagonal(hinv, axis1=1, axis2=2)
            with np.errstate(divide="ignore", invalid="ignore"):
                scores = w * w / diag
            scores[gone] = np.inf
            p = np.argmin(scores, axis=1)
            losses[i0:i1, z] = scores[rng, p] / 2
            piv = hinv[rng, p, p]
            col = hinv[rng, :, p]                      # (b, d): column p = row p (symmetric)
            w -= (w[rng, p] / piv)[:, None] * col
            gone[rng, p] = True
            w[gone] = 0
            np.multiply(col[:, :, None], (col / piv[:, None])[:, None, :], out=outer)
            hinv -= outer
            traces[i0:i1, z + 1] = w
    return losses, traces


def select(losses, traces, sparsity):
    rows, d = losses.shape
    target = int(np.ceil(rows * d * sparsity - 1e-9))
    flat = np.argsort(losses, axis=None, kind="stable")[:target]
    counts = np.bincount(flat // d, minlength=rows)
    return traces[np.arange(rows), counts], losses, counts


def main():
    directory = sys.argv[1]
    sparsity = float(sys.argv[2]) if len(sys.argv) > 2 else 0.9
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    H = np.load(f"{directory}/H.npy")
    W = np.load(f"{directory}/W.npy")
    runs = []
    for run in range(repeats):
        t0 = time.perf_counter()
        L = np.linalg.cholesky(H)
        Linv = np.linalg.inv(L)
        Hinv = Linv.T @ Linv
        losses, traces = exactobs_traces(W, Hinv, batch)
        t1 = time.perf_counter()
        W_hat, losses, counts = select(losses, traces, sparsity)
        t2 = time.perf_counter()
        runs.append(t2 - t0)
        chosen = sum(losses[i, :counts[i]].sum() for i in range(W.shape[0]))
        err = W - W_hat
        measured = 0.5 * np.einsum("ij,jk,ik->", err, H, err)
        print(f"numpy run {run}: greedy traces {t1 - t0:.2f} s, selection {t2 - t1:.2f} s, total {t2 - t0:.2f} s; "
              f"sum of chosen losses {chosen:.10g}, 1/2 sum e^T H e {measured:.10g}", flush=True)
    try:
        java = np.load(f"{directory}/W_hat_java.npy")
        print(f"max |W_hat_numpy - W_hat_java| = {np.abs(W_hat - java).max():.3e}, "
              f"masks equal: {bool(((W_hat == 0) == (java == 0)).all())}")
    except FileNotFoundError:
        pass
    print(f"best numpy total {min(runs):.2f} s (numpy {np.__version__}, batch {batch})")


if __name__ == "__main__":
    main()
