"""d2lmini.core.kernel: the book's kernelspecs name the encrypting provisioner,
and a kernel started from one runs without ipykernel's plain-TCP warning."""

import json
import subprocess
import sys
import textwrap

from d2lmini.core import kernel


def spec(path, encryption=('curve',)):
    path.mkdir(parents=True)
    body = {'argv': ['python'], 'metadata': {}}
    if encryption is not None:
        body['metadata']['supported_encryption'] = list(encryption)
    (path / 'kernel.json').write_text(json.dumps(body))


def test_kernelspecs_that_support_curve_get_the_provisioner(tmp_path):
    spec(tmp_path / 'python3')
    spec(tmp_path / 'other', encryption=None)
    assert kernel.use_encryption(tmp_path) == ['python3']
    python3 = json.loads((tmp_path / 'python3' / 'kernel.json').read_text())
    assert python3['metadata']['kernel_provisioner'] == {
        'provisioner_name': 'd2lmini-encrypted',
        'config': {},
    }
    other = json.loads((tmp_path / 'other' / 'kernel.json').read_text())
    assert 'kernel_provisioner' not in other['metadata']
    assert kernel.use_encryption(tmp_path) == []  # already done


def test_the_entry_point_finds_the_provisioner():
    from jupyter_client.provisioning import KernelProvisionerFactory

    factory = KernelProvisionerFactory.instance()
    assert factory._check_availability(kernel.NAME)


def test_a_book_kernel_starts_encrypted_and_quiet():
    code = textwrap.dedent("""\
        import nbformat
        from nbclient import NotebookClient
        nb = nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_code_cell('print(6 * 7)')])
        client = NotebookClient(nb, kernel_name='python3')
        km = client.create_kernel_manager()
        client.execute()
        print('curve', km.curve_publickey is not None)
        print('out', nb.cells[0].outputs[0]['text'].strip())
    """)
    result = subprocess.run(
        [sys.executable, '-c', code],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'curve True' in result.stdout and 'out 42' in result.stdout
    assert 'WARNING' not in result.stderr, result.stderr
