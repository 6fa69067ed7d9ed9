"""download(): local paths, file:// and HTTP sources, the cache, checksums and offline errors."""

import hashlib
import http.server
import shutil
import socket
import threading
import time
import urllib.error
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import d2lmini as d2l
import d2lmini.core.data
from tests.helpers import needs_non_root

BUNDLED_AIRFOIL = (
    Path(d2l.__file__).parent / 'datasets' / 'airfoil_self_noise.dat'
)

NAME = 'toy.dat'
CONTENT = b'1\t2\t3\t4\t5\t6\n'
SHA1 = hashlib.sha1(CONTENT).hexdigest()


@pytest.fixture
def source(tmp_path):
    """A folder holding the file to download."""
    folder = tmp_path / 'source'
    folder.mkdir()
    (folder / NAME).write_bytes(CONTENT)
    return folder


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty data folder, set as $D2LMINI_DATA_DIR."""
    folder = tmp_path / 'cache'
    monkeypatch.setenv('D2LMINI_DATA_DIR', str(folder))
    return folder


def hub(monkeypatch, url, sha1=SHA1):
    """Point the DATA_HUB entry 'toy' at url."""
    monkeypatch.setitem(d2l.DATA_HUB, 'toy', (url, sha1))


@pytest.fixture
def server(source):
    """An HTTP server on 127.0.0.1 serving `source`; yields (base URL, request paths)."""
    requests = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(source), **kwargs)

        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

        def log_message(self, *args):  # keep the test output quiet
            pass

    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    thread = threading.Thread(
        target=httpd.serve_forever, args=(0.05,), daemon=True
    )
    thread.start()
    yield f'http://127.0.0.1:{httpd.server_address[1]}/', requests
    httpd.shutdown()
    httpd.server_close()


def closed_port_url():
    """A URL on 127.0.0.1 where nothing listens, so connecting fails at once."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    return f'http://127.0.0.1:{port}/{NAME}'


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize('as_uri', [False, True], ids=['path', 'file-url'])
def test_from_a_local_path_or_file_url(monkeypatch, source, cache, as_uri):
    path = source / NAME
    hub(monkeypatch, path.as_uri() if as_uri else str(path))
    got = d2l.download('toy')
    assert got == str(cache / NAME)
    assert Path(got).read_bytes() == CONTENT
    assert leftovers(cache) == [NAME]


def test_from_http_then_from_the_cache(monkeypatch, server, cache):
    base, requests = server
    hub(monkeypatch, base + NAME)
    assert Path(d2l.download('toy')).read_bytes() == CONTENT
    assert requests == ['/' + NAME]
    assert d2l.download('toy') == str(cache / NAME)
    assert requests == ['/' + NAME]  # the cache hit made no request
    assert leftovers(cache) == [NAME]


def test_cache_hit_works_offline(monkeypatch, cache):
    cache.mkdir()
    (cache / NAME).write_bytes(CONTENT)
    hub(monkeypatch, closed_port_url())
    assert d2l.download('toy') == str(cache / NAME)


def test_corrupt_cache_is_replaced(monkeypatch, server, cache):
    base, requests = server
    cache.mkdir()
    (cache / NAME).write_bytes(b'half a fi')
    hub(monkeypatch, base + NAME)
    assert Path(d2l.download('toy')).read_bytes() == CONTENT
    assert len(requests) == 1
    assert leftovers(cache) == [NAME]


def test_checksum_mismatch_saves_nothing(monkeypatch, server, cache):
    base, _ = server
    wrong = '0' * 40
    hub(monkeypatch, base + NAME, sha1=wrong)
    with pytest.raises(d2l.ChecksumError) as info:
        d2l.download('toy')
    assert wrong in str(info.value) and SHA1 in str(info.value)
    assert leftovers(cache) == []  # neither the file nor a .part temp file


def test_http_404_is_a_clear_error(monkeypatch, server, cache):
    base, _ = server
    hub(monkeypatch, base + 'missing.dat')
    with pytest.raises(d2l.DownloadError, match='404') as info:
        d2l.download('toy')
    assert base + 'missing.dat' in str(info.value)
    assert leftovers(cache) == []


def check_offline_message(message, url, cache):
    assert url in message
    assert str(cache) in message
    assert 'D2LMINI_DATA_DIR' in message
    assert (
        'copy it to ' + str(cache / NAME) in message
    )  # how to place it by hand
    assert SHA1 in message  # and how to check the copy


def test_offline_closed_port(monkeypatch, cache):
    url = closed_port_url()
    hub(monkeypatch, url)
    with pytest.raises(d2l.DownloadError) as info:
        d2l.download('toy', timeout=5)
    check_offline_message(str(info.value), url, cache)
    assert leftovers(cache) == []


def test_offline_urlopen_raises(monkeypatch, cache):
    url = 'https://example.invalid/' + NAME

    def no_network(*args, **kwargs):
        raise urllib.error.URLError(
            '[Errno -3] Temporary failure in name resolution'
        )

    monkeypatch.setattr('urllib.request.urlopen', no_network)
    hub(monkeypatch, url)
    with pytest.raises(d2l.DownloadError) as info:
        d2l.download('toy')
    check_offline_message(str(info.value), url, cache)


def test_unknown_name():
    with pytest.raises(ValueError, match="'nope'.*airfoil"):
        d2l.download('nope')


def test_data_folder_resolution_order(monkeypatch, tmp_path):
    monkeypatch.setenv('HOME', str(tmp_path / 'home'))
    monkeypatch.delenv('D2LMINI_DATA_DIR', raising=False)
    assert d2l.data_dir() == tmp_path / 'home' / '.cache' / 'd2lmini'
    monkeypatch.setenv('D2LMINI_DATA_DIR', str(tmp_path / 'env'))
    assert d2l.data_dir() == tmp_path / 'env'
    assert d2l.data_dir(tmp_path / 'arg') == tmp_path / 'arg'


def test_cache_dir_argument_wins(monkeypatch, source, cache, tmp_path):
    hub(monkeypatch, str(source / NAME))
    assert d2l.download('toy', cache_dir=tmp_path / 'arg') == str(
        tmp_path / 'arg' / NAME
    )
    assert leftovers(cache) == []  # $D2LMINI_DATA_DIR was not used


def test_airfoil_entry_matches_the_verified_file():
    url, sha1 = d2l.DATA_HUB['airfoil']
    assert url == d2l.DATA_URL + 'airfoil_self_noise.dat'
    assert d2l.sha1sum(BUNDLED_AIRFOIL) == sha1


def serve_once(handler_body):
    """A one-request HTTP server on 127.0.0.1 whose GET runs handler_body(self)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            handler_body(self)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    threading.Thread(
        target=httpd.serve_forever, args=(0.05,), daemon=True
    ).start()
    return httpd, f'http://127.0.0.1:{httpd.server_address[1]}/{NAME}'


def test_truncated_transfer_is_named_as_such(monkeypatch, cache):
    def short(handler):  # promise the whole file, send half of it
        handler.send_response(200)
        handler.send_header('Content-Length', str(len(CONTENT)))
        handler.end_headers()
        handler.wfile.write(CONTENT[:5])

    httpd, url = serve_once(short)
    hub(monkeypatch, url)
    try:
        with pytest.raises(
            d2l.DownloadError,
            match=r'stopped after 5 of 12 bytes|IncompleteRead',
        ):
            d2l.download('toy')
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert leftovers(cache) == []


def test_a_server_that_never_answers_times_out(monkeypatch, cache):
    def silent(handler):
        time.sleep(2)

    httpd, url = serve_once(silent)
    hub(monkeypatch, url)
    try:
        with pytest.raises(d2l.DownloadError, match='D2LMINI_DATA_DIR') as err:
            d2l.download('toy', timeout=0.3)
        assert 'timed out' in str(err.value)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert leftovers(cache) == []


@needs_non_root
def test_read_only_data_folder(monkeypatch, source, tmp_path):
    folder = tmp_path / 'ro'
    folder.mkdir()
    folder.chmod(0o500)
    hub(monkeypatch, str(source / NAME))
    with pytest.raises(d2l.DownloadError, match='writable folder'):
        d2l.download('toy', cache_dir=folder)


def test_unwritable_data_folder(monkeypatch, source, tmp_path):
    blocker = tmp_path / 'a-file'
    blocker.write_text('not a folder')
    hub(monkeypatch, str(source / NAME))
    with pytest.raises(d2l.DownloadError, match='writable folder'):
        d2l.download('toy', cache_dir=blocker / 'data')


def no_network(monkeypatch):
    """Make any network access fail the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f'download() touched the network: {args}')

    monkeypatch.setattr('urllib.request.urlopen', refuse)


def test_airfoil_ships_with_the_package_and_needs_nothing(
    monkeypatch, tmp_path
):
    home = tmp_path / 'home'
    monkeypatch.setenv('HOME', str(home))
    monkeypatch.delenv('D2LMINI_DATA_DIR', raising=False)
    no_network(monkeypatch)
    assert d2l.download('airfoil') == str(BUNDLED_AIRFOIL)
    assert not home.exists()  # no ~/.cache/d2lmini written either
    X, y = d2l.get_data_ch11(1500, device='cpu')[0].tensors
    assert X.shape == (1500, 5) and y.shape == (1500,)


@pytest.mark.parametrize('how', ['env', 'argument'])
def test_a_verified_copy_in_the_data_folder_takes_precedence(
    monkeypatch, cache, tmp_path, how
):
    folder = cache if how == 'env' else tmp_path / 'arg'
    folder.mkdir()
    shutil.copy(BUNDLED_AIRFOIL, folder)
    no_network(monkeypatch)
    got = d2l.download(
        'airfoil', cache_dir=folder if how == 'argument' else None
    )
    assert got == str(folder / BUNDLED_AIRFOIL.name)


def test_a_corrupt_copy_in_the_data_folder_is_never_used(monkeypatch, cache):
    cache.mkdir()
    (cache / BUNDLED_AIRFOIL.name).write_bytes(b'<html>Access Denied</html>')
    no_network(monkeypatch)
    assert d2l.download('airfoil') == str(BUNDLED_AIRFOIL)


def test_a_shipped_file_with_another_hash_is_not_used(
    monkeypatch, source, cache
):
    # A reader's own DATA_HUB entry whose file name matches a shipped file but
    # whose hash does not: it is downloaded, never taken from the package.
    (source / BUNDLED_AIRFOIL.name).write_bytes(CONTENT)
    hub(monkeypatch, str(source / BUNDLED_AIRFOIL.name))
    got = d2l.download('toy')
    assert got == str(cache / BUNDLED_AIRFOIL.name)
    assert Path(got).read_bytes() == CONTENT


def test_concurrent_callers_replace_a_corrupt_copy_safely(
    monkeypatch, source, cache
):
    cache.mkdir()
    (cache / NAME).write_bytes(b'half a fi')
    hub(monkeypatch, str(source / NAME))
    callers = 6
    # Every caller first finds the corrupt copy, and only then do all go on, so
    # each sees the others replace (or delete) the file under its feet.
    barrier = threading.Barrier(callers, timeout=30)
    first_look, real_sha1sum = set(), d2lmini.core.data.sha1sum

    def sha1sum_in_step(path):
        digest = real_sha1sum(path)
        me = threading.get_ident()
        if me not in first_look:
            first_look.add(me)
            barrier.wait()
        return digest

    monkeypatch.setattr(d2lmini.core.data, 'sha1sum', sha1sum_in_step)
    with ThreadPoolExecutor(callers) as pool:
        results = list(pool.map(lambda _: d2l.download('toy'), range(callers)))
    assert results == [str(cache / NAME)] * callers
    assert (cache / NAME).read_bytes() == CONTENT
    assert leftovers(cache) == [NAME]
