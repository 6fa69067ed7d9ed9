"""Repository, issue and launch buttons, shown only when a repository URL is
set: `repository: url:` in _config.yml, or $BOOK_REPO_URL
(`make book REPO_URL=...`)."""

import os
from urllib.parse import urlparse

REPO_ENV = "BOOK_REPO_URL"


def repository_url(config):
    """The repository URL a publisher set: $BOOK_REPO_URL, else
    `repository: url:` in _config.yml; '' when neither is set."""
    options = config.html_theme_options
    url = os.environ.get(REPO_ENV) or options.get("repository_url") or ""
    url = url.strip()
    if not url:
        return ""
    parts = urlparse(url)
    if parts.scheme != "https" or len(parts.path.strip("/").split("/")) != 2:
        raise ValueError(
            f"repository URL {url!r} (from ${REPO_ENV} or repository.url in "
            "_config.yml) is not of the form https://github.com/OWNER/REPO: "
            "fix it or leave it empty"
        )
    return url.rstrip("/")


def configure_buttons(app, config):
    """Show repository and launch buttons only when a repository URL is set."""
    opts = config.html_theme_options
    url = repository_url(config)
    # Without a default mode the theme logs "Got invalid theme mode".
    config.html_context.setdefault("default_mode", "auto")
    opts["repository_url"] = url
    if not url:  # nothing to link to: no repository, issue or launch buttons
        opts["launch_buttons"] = {}
        opts["use_repository_button"] = opts["use_issues_button"] = False
        return
    opts["use_repository_button"] = opts["use_issues_button"] = True
    launch = dict(opts.get("launch_buttons") or {})
    if "github.com" not in url:  # Colab opens GitHub repositories only
        launch["colab_url"] = ""
    opts["launch_buttons"] = launch


def setup(app):
    app.connect("config-inited", configure_buttons)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
