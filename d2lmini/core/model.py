"""The linear regression model, written once: `@` is the matrix product of
every framework's arrays."""


def linreg(X, w, b):
    """The linear regression model."""
    return X @ w + b  # (batch, 1), or (batch,) for a 1-D w
