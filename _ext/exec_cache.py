"""An execution cache keyed to everything that changes an executed output
besides the chapter's own code: the d2lmini source and data (its shipped
font included), the versions of the libraries the chapters compute and
draw with, and the lock files of the frameworks' own environments."""

import hashlib
import importlib.metadata
import importlib.util
import re
import shutil
from pathlib import Path

from d2lmini.core.registry import FRAMEWORKS

LIBRARIES = (
    "torch",
    "numpy",
    "matplotlib",
    "tensorflow-cpu",  # Linux without a GPU
    "tensorflow",  # elsewhere
    "keras",
)
# A framework's own environment (MXNet's) is another interpreter's: its lock
# file stands for it.
PINS = tuple(
    f"constraints-{f.name}.txt" for f in FRAMEWORKS.values() if f.environment
)


def package_digest(package="d2lmini", libraries=LIBRARIES, files=()):
    """SHA-256 of every file of `package`, of the installed versions of
    `libraries` and of `files` (paths), as 16 hex digits; None when the
    package is not installed."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    for name in libraries:
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = "none"
        digest.update(f"{name}=={version}\0".encode())
    for path in files:
        if Path(path).is_file():
            digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:16]


def key_cache_to_package(app, config):
    """Keep executed outputs in a cache folder named after package_digest():
    a change to the package or to those libraries re-executes every chapter
    instead of serving outputs (and glued numbers) computed before it. The
    new folder also changes a config value, so Sphinx re-reads every page."""
    digest = package_digest(files=[Path(app.srcdir) / f for f in PINS])
    if digest is None:
        return
    default = Path(app.outdir).parent / ".jupyter_cache"
    base = Path(config.nb_execution_cache_path or default)
    if base.is_dir():  # outputs of older versions are never used again
        for old in base.iterdir():
            stale = (
                re.fullmatch(r"[0-9a-f]{16}", old.name) and old.name != digest
            )
            if old.is_dir() and stale:
                shutil.rmtree(old)
    config.nb_execution_cache_path = str(base / digest)


def setup(app):
    app.connect("config-inited", key_cache_to_package)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
