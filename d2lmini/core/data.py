"""Data files (shipped, cached or downloaded, always checked) and the airfoil
table, as NumPy arrays for every framework."""

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

from . import checks

DATA_URL = 'https://d2l-data.s3-accelerate.amazonaws.com/'
DATA_HUB = {
    'airfoil': (
        DATA_URL + 'airfoil_self_noise.dat',
        '76e5be1548fd8222e5074cf0faae75edff8cf93f',
    ),
}


class DownloadError(OSError):
    """A data file could not be fetched; the message says how to place it
    by hand."""


class ChecksumError(ValueError):
    """A fetched file does not have the SHA-1 that DATA_HUB expects."""


def data_dir(cache_dir=None):
    """The data folder: cache_dir, else $D2LMINI_DATA_DIR, else
    ~/.cache/d2lmini."""
    folder = (
        cache_dir
        or os.environ.get('D2LMINI_DATA_DIR')
        or Path.home() / '.cache' / 'd2lmini'
    )
    return Path(folder).expanduser()


def sha1sum(path):
    """The SHA-1 hex digest of a file."""
    sha1 = hashlib.sha1()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            sha1.update(chunk)
    return sha1.hexdigest()


def _fetch(url, dest, timeout):
    """Stream url into dest; return the SHA-1 of what was written."""
    sha1, size = hashlib.sha1(), 0
    try:
        response = urllib.request.urlopen(url, timeout=timeout)
    except urllib.error.HTTPError as e:
        e.close()  # its body is an open connection
        raise DownloadError(
            f'the server answered HTTP {e.code} ({e.reason}), expected 200'
        ) from None
    with response as r:
        status = getattr(r, 'status', None)
        if url.startswith('http') and status != 200:
            raise DownloadError(
                f'the server answered HTTP {status}, expected 200'
            )
        with open(dest, 'wb') as f:
            for chunk in iter(lambda: r.read(1 << 20), b''):
                sha1.update(chunk)
                f.write(chunk)
                size += len(chunk)
        expected = (
            r.headers.get('Content-Length') if url.startswith('http') else None
        )
        if expected is not None and int(expected) != size:
            raise DownloadError(
                f'the transfer stopped after {size} of {expected} bytes'
            )
    return sha1.hexdigest()


def _how_to_place(url, sha1_hash, path):
    return (
        f'If this machine cannot reach {url}, download the file '
        f'elsewhere, check that its SHA-1 is {sha1_hash}, and copy it to '
        f'{path} (the data folder {path.parent} is set by cache_dir or by '
        f'the D2LMINI_DATA_DIR environment variable).'
    )


# The data files shipped with d2lmini:
BUNDLED = Path(__file__).parents[1] / 'datasets'


def _verified(path, sha1_hash):
    """True if `path` is a file with SHA-1 `sha1_hash`; False if it is missing,
    even when another process removes it while we read it."""
    try:
        return sha1sum(path) == sha1_hash
    except OSError:  # missing, a folder, or unreadable: not a usable copy
        return False


def download(name, cache_dir=None, timeout=30):
    """Download a file inserted into DATA_HUB, return the local filename."""
    if name not in DATA_HUB:
        raise ValueError(
            f'name {name!r} is not in DATA_HUB; known: {sorted(DATA_HUB)}'
        )
    url, sha1_hash = DATA_HUB[name]
    filename = url.rstrip('/').split('/')[-1]
    path = data_dir(cache_dir) / filename
    if _verified(path, sha1_hash):
        return str(path)  # the data folder's copy: no network
    # A copy there with another hash is never used. The download below replaces
    # it atomically; nothing deletes it first, so concurrent callers never see
    # the path vanish.
    if _verified(BUNDLED / filename, sha1_hash):
        return str(BUNDLED / filename)  # shipped with the package: no network
    if '://' not in url:  # a plain local path
        url = Path(url).expanduser().resolve().as_uri()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=path.name + '.', suffix='.part', dir=path.parent
        )
        os.close(fd)
    except OSError as e:
        raise DownloadError(
            f'cannot write to the data folder {path.parent} '
            f'({e}); set D2LMINI_DATA_DIR to a writable '
            f'folder'
        ) from e
    try:
        actual = _fetch(url, tmp, timeout)
        if actual != sha1_hash:
            raise ChecksumError(
                f'{url} has SHA-1 {actual}, expected {sha1_hash}: the '
                f'download is corrupt or the file has changed; '
                f'nothing was saved'
            )
        os.replace(tmp, path)  # atomic: the cache never holds a partial file
    except ChecksumError:
        raise
    except (OSError, ValueError, http.client.HTTPException) as e:
        raise DownloadError(
            f'could not download {name!r} from {url}: {e}. '
            + _how_to_place(url, sha1_hash, path)
        ) from e
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return str(path)


AIRFOIL_ROWS = 1503


def read_airfoil(path):
    """Read the airfoil table: 1503 rows of 5 features and the sound level."""
    try:
        data = np.loadtxt(path, dtype=np.float32, delimiter='\t', ndmin=2)
    except (ValueError, OSError) as e:
        raise ValueError(
            f'cannot read the airfoil data in {path} ({e}); '
            f'delete the file and run again to download a '
            f'fresh copy'
        ) from e
    if data.shape != (AIRFOIL_ROWS, 6) or not np.isfinite(data).all():
        raise ValueError(
            f'{path} is not the airfoil table (shape '
            f'{data.shape}); delete the file and run again to '
            f'download a fresh copy'
        )
    return data


def airfoil(n=1500):
    """The first `n` airfoil examples, every column standardised (over all
    rows): features (n, 5) and labels (n,), float32 NumPy arrays."""
    data = read_airfoil(download('airfoil'))  # (1503, 6), checked
    n = checks.at_most('n', n, len(data), 'the rows of the airfoil data')
    data = (data - data.mean(axis=0)) / data.std(axis=0)  # every column
    return data[:n, :-1], data[:n, -1]  # features (n, 5), labels (n,)
