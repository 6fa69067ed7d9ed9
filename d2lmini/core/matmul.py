"""Matrix-multiply throughput: the true FLOP count of a product."""


def matmul_flops(m, n, p):
    """Floating-point operations of an (m, n) @ (n, p) product: m*p dot
    products of length n, each n multiplies and n - 1 adds, counted as
    2*m*n*p."""
    return 2 * m * n * p


def gflops(m, n, p, seconds):
    """GFLOP/s of an (m, n) @ (n, p) product that took `seconds`."""
    return matmul_flops(m, n, p) / seconds / 1e9
