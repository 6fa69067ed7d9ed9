"""Publishing: `make publish` pushes the built site to a gh-pages branch with
ghp-import, and the GitHub workflow builds, tests and deploys it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.helpers import ROOT

VENV = Path(sys.executable).parent.parent
GIT_ENV = {
    **os.environ,
    'GIT_AUTHOR_NAME': 'Test',
    'GIT_AUTHOR_EMAIL': 'test@example.org',
    'GIT_COMMITTER_NAME': 'Test',
    'GIT_COMMITTER_EMAIL': 'test@example.org',
}
WORKFLOW = ROOT / '.github' / 'workflows' / 'book.yml'


def git(*args, cwd=None):
    return subprocess.run(
        ['git', *args],
        cwd=cwd,
        env=GIT_ENV,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def clone_of_this_repository(tmp_path):
    """A git clone to publish from, with this checkout's Makefile."""
    clone = tmp_path / 'clone'
    git('clone', '-q', str(ROOT), str(clone))
    shutil.copy(ROOT / 'Makefile', clone / 'Makefile')  # uncommitted edits too
    return clone


def make_publish(clone, remote):
    return subprocess.run(
        ['make', 'publish', f'REMOTE={remote}', f'VENV={VENV}'],
        cwd=clone,
        env=GIT_ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_make_publish_pushes_the_site_to_gh_pages(tmp_path):
    remote = tmp_path / 'site.git'
    git('init', '--bare', '-q', str(remote))
    clone = clone_of_this_repository(tmp_path)
    git('remote', 'add', 'pages', str(remote), cwd=clone)
    html = clone / '_build' / 'html'
    (html / 'chapters').mkdir(parents=True)
    (html / 'index.html').write_text('<h1>the book</h1>')
    (html / 'chapters' / 'minibatch_sgd.html').write_text('<h1>a chapter</h1>')
    result = make_publish(clone, 'pages')
    assert result.returncode == 0, result.stdout + result.stderr
    files = git(
        '--git-dir', str(remote), 'ls-tree', '-r', '--name-only', 'gh-pages'
    )
    assert sorted(files.split()) == [
        '.nojekyll',
        'chapters/minibatch_sgd.html',
        'index.html',
    ]
    assert (
        git('--git-dir', str(remote), 'show', 'gh-pages:index.html')
        == '<h1>the book</h1>'
    )
    # Publishing again replaces the site: a page that is gone from the build goes.
    (html / 'chapters' / 'minibatch_sgd.html').unlink()
    assert make_publish(clone, 'pages').returncode == 0
    files = git(
        '--git-dir', str(remote), 'ls-tree', '-r', '--name-only', 'gh-pages'
    )
    assert sorted(files.split()) == ['.nojekyll', 'index.html']


def test_make_publish_without_a_build_says_to_build_first(tmp_path):
    clone = clone_of_this_repository(tmp_path)
    result = make_publish(clone, 'origin')
    assert result.returncode != 0
    assert 'make book' in result.stdout + result.stderr


def test_the_workflow_passes_actionlint():
    actionlint = shutil.which(
        'actionlint', path=str(Path(sys.executable).parent)
    )
    assert actionlint, (
        'actionlint is missing: pip install -r requirements-dev.txt'
    )
    result = subprocess.run(
        [actionlint, str(WORKFLOW)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_workflow_uses_the_readme_commands_and_deploys_main():
    flow = yaml.safe_load(WORKFLOW.read_text())
    runs = {
        name: ' '.join(step.get('run', '') for step in job['steps'])
        for name, job in flow['jobs'].items()
    }
    assert 'make book' in runs['build'] and '.ci/run' in runs['test']
    deploy = flow['jobs']['deploy']
    assert set(deploy['needs']) == {'build', 'test'}
    assert "github.ref == 'refs/heads/main'" in deploy['if']
    assert any(
        step.get('uses', '').startswith('actions/deploy-pages@')
        for step in deploy['steps']
    )


def readme_commands():
    """The commands of the README's "Two commands" block, in order."""
    readme = (ROOT / 'README.md').read_text(encoding='utf-8')
    section = readme.split('## Two commands', 1)[1]
    block = section.split('```bash\n', 1)[1].split('```', 1)[0]
    return [line.split('#')[0].strip() for line in block.splitlines()]


def test_ci_runs_exactly_the_readme_commands_in_order():
    script = (ROOT / '.ci' / 'run').read_text(encoding='utf-8')
    commands = [
        line.strip()
        for line in script.splitlines()
        if line.strip() and not line.lstrip().startswith('#')
    ]
    setup = [c for c in commands if c.startswith(('set ', 'cd ', 'export '))]
    assert [c for c in commands if c not in setup] == readme_commands()
    assert readme_commands() == ['make book', 'make test']
    assert all(
        c.startswith(('set ', 'cd "$(dirname', 'export CI=true'))
        for c in setup
    ), setup  # nothing a reader would not run
