"""Seeds for runs that repeat: every framework's set_seed seeds Python's and
NumPy's generators as well as its own."""

import random

import numpy as np


def seed_all(seed, framework_seed):
    """Seed Python, NumPy and, through `framework_seed(seed)`, a framework."""
    random.seed(seed)
    np.random.seed(seed)
    framework_seed(seed)
