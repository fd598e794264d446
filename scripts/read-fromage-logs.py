#!/usr/bin/env python3
"""Read the curvature-slice logs of jxbz/fromage without numpy or torch (issue 23).

The authors' notebook classify-mnist/curvature.ipynb saves, per net, three .npy files:
  *_loss_slices.npy   float64, shape (10, 100): loss[c, k]
  *_grad_changes.npy  object,  shape (10, 100): 0-d CUDA float32 torch tensors (pickled),
                      ||g1(t_k) - g1(0)||_F / ||g1(0)||_F of the FIRST layer's weight gradient
  *_training_acc.npy  float64, shape (2400,): minibatch training accuracy
c = checkpoint (10 of them), k = step; the value at k is recorded after k moves of
0.001 * ||W|| * G/||G|| (G the full-batch gradient at the checkpoint), so index k <-> t = k/1000
and the last index, 99, is t = 0.099.

The repository holds two copies: make-plots/logs/mnist-curvature/ (read by
make-plots/generate_plots.ipynb: the paper's Figure 1) and classify-mnist/logs/curvature/
(written by the notebook). The residual net's files are the same blobs in both; the 2-layer
and 16-layer files are different runs. This script reads both.

Usage: scripts/read-fromage-logs.py GIT_DIR_OR_CHECKOUT [COMMIT]
  (a bare mirror, e.g. the one `fetch github:jxbz/fromage` gives, or a clone). Only the
  named numpy/torch reconstructors are allowed while unpickling; nothing else is called.
"""
import io, os, pickle, struct, subprocess, sys, ast

NETS = [("2-layer MLP", "depth1"), ("16-layer MLP", "depth15"),
        ("16-layer residual MLP", "residualTrue_depth15")]
DIRS = [("make-plots/logs/mnist-curvature", "figure logs (generate_plots.ipynb)"),
        ("classify-mnist/logs/curvature", "notebook logs (curvature.ipynb)")]


class _Array:  # stands in for numpy.ndarray during unpickling
    def __setstate__(self, state):
        _, self.shape, _, _, self.data = state


class _Dtype:
    def __init__(self, *a): pass
    def __setstate__(self, state): pass


def _storage_from_legacy_bytes(b):
    """torch.save legacy format: magic, protocol, sys info, object pickle, key list, raw data."""
    f = io.BytesIO(b)
    for _ in range(3):
        pickle.load(f)
    class P(pickle.Unpickler):
        def persistent_load(self, pid):  # ('storage', cls, key, location, size, view)
            return ("storage", pid[1], pid[2], pid[4])
        def find_class(self, mod, name):
            if (mod, name) == ("torch", "FloatStorage"):
                return "float32"
            raise pickle.UnpicklingError(f"not allowed: {mod}.{name}")
    meta = P(f).load()
    keys = pickle.load(f)
    assert meta[1] == "float32" and keys == [meta[2]], (meta, keys)
    (n,) = struct.unpack("<q", f.read(8))
    return list(struct.unpack(f"<{n}f", f.read(4 * n)))


def _rebuild_tensor(storage, offset, size, stride, *rest):
    assert tuple(size) == (), size  # a 0-d tensor (a norm ratio)
    return storage[offset]


class _Unpickler(pickle.Unpickler):
    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"): lambda *a: _Array(),
        ("numpy", "ndarray"): None,
        ("numpy", "dtype"): _Dtype,
        ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
        ("torch.storage", "_load_from_bytes"): _storage_from_legacy_bytes,
        ("collections", "OrderedDict"): dict,
    }
    def find_class(self, mod, name):
        if (mod, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"not allowed: {mod}.{name}")
        return self.ALLOWED[(mod, name)]


def read_npy(b):
    """Returns (shape, flat list) of a version-1 .npy file (float64 or pickled objects)."""
    assert b[:6] == b"\x93NUMPY" and b[6] == 1, b[:8]
    (hl,) = struct.unpack("<H", b[8:10])
    hdr = ast.literal_eval(b[10:10 + hl].decode("latin1"))
    assert not hdr["fortran_order"]
    body = b[10 + hl:]
    shape = hdr["shape"]
    n = 1
    for s in shape:
        n *= s
    if hdr["descr"] == "<f8":
        return shape, list(struct.unpack(f"<{n}d", body[:8 * n]))
    if hdr["descr"] == "|O":
        arr = _Unpickler(io.BytesIO(body)).load()
        assert tuple(arr.shape) == tuple(shape) and len(arr.data) == n
        return shape, [float(x) for x in arr.data]
    raise ValueError(hdr["descr"])


def rows(shape, flat):
    r, c = shape
    return [flat[i * c:(i + 1) * c] for i in range(r)]


def loader(src, commit):
    if os.path.exists(os.path.join(src, "objects")) or os.path.exists(os.path.join(src, ".git")):
        gd = src if os.path.exists(os.path.join(src, "objects")) else os.path.join(src, ".git")
        return lambda p: subprocess.run(["git", "--git-dir", gd, "show", f"{commit}:{p}"],
                                        check=True, capture_output=True).stdout
    return lambda p: open(os.path.join(src, p), "rb").read()


def g(x):
    return f"{x:.3g}"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    src = sys.argv[1]
    commit = sys.argv[2] if len(sys.argv) > 2 else "HEAD"
    get = loader(src, commit)
    K = 99
    for d, what in DIRS:
        print(f"## {d}/  -- {what}")
        for label, stem in NETS:
            gs, gflat = read_npy(get(f"{d}/{stem}_grad_changes.npy"))
            ls, lflat = read_npy(get(f"{d}/{stem}_loss_slices.npy"))
            G, L = rows(gs, gflat), rows(ls, lflat)
            last = [row[K] for row in G]
            ratio = [L[c][K] / L[c][0] for c in range(len(L))]
            peak = [max(row) for row in G]
            peakl = [max(row) / row[0] for row in L]
            med = sorted(last)[len(last) // 2 - 1: len(last) // 2 + 1]
            print(f"  {label} ({stem}, {len(G)} checkpoints x {len(G[0])} steps; "
                  f"grad_changes[:,0] max {g(max(row[0] for row in G))})")
            print(f"    grad_changes[:,{K}] (t=0.099): min {g(min(last))}  max {g(max(last))}  "
                  f"median {g(sum(med) / 2)}")
            print(f"      per checkpoint: {' '.join(g(x) for x in last)}")
            print(f"    loss_slices[:,{K}]/loss_slices[:,0]: min {g(min(ratio))}  max {g(max(ratio))}")
            print(f"      per checkpoint: {' '.join(g(x) for x in ratio)}")
            print(f"    peak over k of grad_changes: {g(min(peak))}-{g(max(peak))};  "
                  f"peak loss/loss0: {g(min(peakl))}-{g(max(peakl))}")
        print()


if __name__ == "__main__":
    main()
