"""Gluing a run's own numbers and words into the prose of the book."""


class Words(str):
    """A string whose repr has no quotes: {glue:text} shows it as written."""

    def __repr__(self):
        return str(self)


def glue(name, value):
    """Glue `value` under `name` for {glue:text}, without displaying it.

    Strings are glued without quotes, scalars of NumPy and of every
    framework as Python numbers. Returns None, so a cell that ends with it
    shows no output.
    """
    try:  # myst-nb is only needed while building the book
        from myst_nb import glue as nb_glue
    except ImportError:  # a reader's kernel: nothing to glue into
        nb_glue = None
    if isinstance(value, str):
        value = Words(value)
    elif hasattr(value, 'item'):  # NumPy, torch and MXNet scalars
        value = value.item()
    elif hasattr(value, 'numpy'):  # TensorFlow scalars
        value = value.numpy().item()
    if nb_glue is not None:
        nb_glue(name, value, display=False)
