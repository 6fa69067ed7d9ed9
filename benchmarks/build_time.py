"""Time the strict book build as `make book` runs it (the site, then the
notebooks): cold (empty cache), then again with nothing changed.

Builds a copy of the repository in a temporary folder, so your own _build is
untouched, and samples the summed memory of the build's process tree (the
builder and its kernels). Run: python benchmarks/build_time.py
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
IGNORE = shutil.ignore_patterns(
    '.venv', '.venv-mxnet', '_build', '.git', '.pytest_cache', '__pycache__'
)
EXECUTED = re.compile(r'^(\S+?)\.md: Executed notebook in', re.M)


def build(src, log):
    """Run the strict build, its output into `log`; return (seconds, peak MiB
    of the process tree, {page: times executed})."""
    script = src / 'scripts' / 'build_book.py'  # the site, then the notebooks
    start = time.perf_counter()
    out = open(log, 'w')  # noqa: SIM115 (closed below, after the build)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(src), '--strict'],
        stdout=out,
        stderr=subprocess.STDOUT,
        text=True,
    )
    root, peak = psutil.Process(proc.pid), 0
    while proc.poll() is None:
        try:
            tree = [root] + root.children(recursive=True)
            peak = max(peak, sum(p.memory_info().rss for p in tree))
        except psutil.Error:
            pass
        time.sleep(0.2)
    seconds = time.perf_counter() - start
    out.close()
    text = Path(log).read_text(encoding='utf-8', errors='replace')
    if proc.returncode != 0:
        raise SystemExit(f'build failed:\n{text[-3000:]}')
    runs = {}
    for path in EXECUTED.findall(text):
        page = Path(path).relative_to(src).as_posix()
        runs[page] = runs.get(page, 0) + 1
    return seconds, peak / 2**20, runs


def main():
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / 'book'
        shutil.copytree(ROOT, src, ignore=IGNORE)
        cold = build(src, Path(tmp) / 'cold.log')
        again = build(src, Path(tmp) / 'again.log')
    print(f'cores: {os.cpu_count()}, python {sys.version.split()[0]}\n')
    print('| build | wall time (s) | peak memory (MiB) |')
    print('|---|---:|---:|')
    print(f'| cold (empty cache) | {cold[0]:.1f} | {cold[1]:.0f} |')
    print(f'| rebuild, nothing changed | {again[0]:.1f} | {again[1]:.0f} |')
    print('\n| page | executions, cold | executions, rebuild |')
    print('|---|---:|---:|')
    for page in sorted(set(cold[2]) | set(again[2])):
        print(f'| {page} | {cold[2].get(page, 0)} | {again[2].get(page, 0)} |')


if __name__ == '__main__':
    main()
