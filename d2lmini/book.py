"""Gluing a run's own numbers and words into the prose of the book."""


class Words(str):
    """A string whose repr has no quotes, so {glue:text} shows it as written."""
    def __repr__(self):
        return str(self)


def glue(name, value):
    """Glue `value` under `name` for {glue:text}, without displaying it.

    Strings are glued without quotes; numbers as Python floats.
    """
    try:
        from myst_nb import glue as nb_glue  # only needed while building the book
    except ImportError:  # a reader's kernel without myst-nb: nothing to glue into
        nb_glue = None
    if isinstance(value, str):
        value = Words(value)
    elif hasattr(value, 'item'):  # NumPy or torch scalars
        value = value.item()
    if nb_glue is not None:
        nb_glue(name, value, display=False)
    return value
