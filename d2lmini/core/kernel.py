"""The book's Jupyter kernels, started with an encrypted connection.

ipykernel warns, once per kernel, that it "is running over TCP without
encryption" unless the client gives it CurveZMQ keys; jupyter_client does so
only when asked, and neither myst-nb nor jupyter-book lets the book ask. A
kernelspec can name a provisioner instead: `make book` points the book's
kernels at this one (`python -m d2lmini.core.kernel KERNELS_DIR`).
"""

import json
import sys
from pathlib import Path

from jupyter_client.provisioning import LocalProvisioner

NAME = 'd2lmini-encrypted'  # the entry point in pyproject.toml


class EncryptedProvisioner(LocalProvisioner):
    """A local kernel that gets CurveZMQ keys when its kernelspec declares
    that it supports them (ipykernel's do)."""

    async def pre_launch(self, **kwargs):
        kwargs.setdefault('transport_encryption', 'auto')
        return await super().pre_launch(**kwargs)


def use_encryption(kernels_dir):
    """Point every kernelspec in `kernels_dir` that supports CurveZMQ at
    EncryptedProvisioner; return the names of those changed."""
    changed = []
    for path in sorted(Path(kernels_dir).glob('*/kernel.json')):
        spec = json.loads(path.read_text(encoding='utf-8'))
        metadata = spec.setdefault('metadata', {})
        if 'curve' not in metadata.get('supported_encryption', []):
            continue
        provisioner = {'provisioner_name': NAME, 'config': {}}
        if metadata.get('kernel_provisioner') != provisioner:
            metadata['kernel_provisioner'] = provisioner
            path.write_text(json.dumps(spec, indent=1), encoding='utf-8')
            changed.append(path.parent.name)
    return changed


if __name__ == '__main__':
    use_encryption(sys.argv[1])
