"""Matrix-multiply throughput: the true FLOP count and a large-matrix
reference rate."""

import torch

from .timer import time_it


def matmul_flops(m, n, p):
    """Floating-point operations of an (m, n) @ (n, p) product: m*p dot
    products of length n, each n multiplies and n - 1 adds, counted as
    2*m*n*p."""
    return 2 * m * n * p


def gflops(m, n, p, seconds):
    """GFLOP/s of an (m, n) @ (n, p) product that took `seconds`."""
    return matmul_flops(m, n, p) / seconds / 1e9


def large_matmul_gflops(device, size=None, repeats=10):
    """Median GFLOP/s of one large square float32 product on `device`: the
    machine's practical peak, to compare the other ways against."""
    device = torch.device(device)
    size = size or (8192 if device.type == 'cuda' else 2048)
    B = torch.randn(size, size, device=device)
    C = torch.randn(size, size, device=device)
    timer = time_it(lambda: torch.mm(B, C), repeats, warmup=2, device=device)
    return gflops(size, size, size, timer.median())
