"""Time the strict book build as `make book` runs it (the site, then the
notebooks): cold (empty cache), then again with nothing changed.

Builds a copy of the repository in a temporary folder, so your own _build is
untouched, and samples the summed memory of the build's process tree (the
builder and its kernels). Run: python benchmarks/build_time.py

`--without PAGE ...` also builds a copy whose _toc.yml leaves those pages out
(cold, then again; not strict, since links to them dangle), so that the table
shows what they add, measured in the same session:

    python benchmarks/build_time.py --without chapters/explorer \\
        chapters/zh/explorer
"""

import argparse
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


def build(src, log, strict=True):
    """Run the build (strict unless told), its output into `log`; return
    (seconds, peak MiB of the process tree, {page: times executed})."""
    script = src / 'scripts' / 'build_book.py'  # the site, then the notebooks
    start = time.perf_counter()
    out = open(log, 'w')  # noqa: SIM115 (closed below, after the build)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(src)] + ['--strict'] * strict,
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


def timed(src, tmp, name, strict=True):
    """(cold, rebuild) builds of the book in `src`."""
    return build(src, tmp / f'{name}-cold.log', strict), build(
        src, tmp / f'{name}-again.log', strict
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--without', nargs='*', default=[], metavar='PAGE')
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / 'book'
        shutil.copytree(ROOT, src, ignore=IGNORE)
        if args.without:
            lean = tmp / 'lean'
            shutil.copytree(src, lean)
            toc = (lean / '_toc.yml').read_text(encoding='utf-8')
            for page in args.without:
                line = f'  - file: {page}\n'
                if line not in toc:
                    raise SystemExit(f'--without {page}: not in _toc.yml')
                toc = toc.replace(line, '')
            (lean / '_toc.yml').write_text(toc, encoding='utf-8')
            # Not strict: the other pages' links to them are left dangling.
            results['without ' + ', '.join(args.without)] = timed(
                lean, tmp, 'lean', strict=False
            )
        results['the whole book'] = timed(src, tmp, 'book')
    print(f'cores: {os.cpu_count()}, python {sys.version.split()[0]}\n')
    print('| book | build | wall time (s) | peak memory (MiB) |')
    print('|---|---|---:|---:|')
    for book, (cold, again) in results.items():
        print(
            f'| {book} | cold (empty cache) | {cold[0]:.1f} | {cold[1]:.0f} |'
        )
        print(f'| {book} | rebuild, nothing changed | {again[0]:.1f} '
              f'| {again[1]:.0f} |')  # fmt: skip
    cold, again = results['the whole book']
    print('\n| page | executions, cold | executions, rebuild |')
    print('|---|---:|---:|')
    for page in sorted(set(cold[2]) | set(again[2])):
        print(f'| {page} | {cold[2].get(page, 0)} | {again[2].get(page, 0)} |')


if __name__ == '__main__':
    main()
