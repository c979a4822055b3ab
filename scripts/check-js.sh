#!/usr/bin/env bash
# Type check of the default theme's browser code: `// @ts-check` JavaScript with JSDoc
# types (themes/default/static/**/*.js, shared types in themes/types/kb.d.ts), checked by
# the pinned TypeScript with themes/tsconfig.json (strict). Installs nothing: run
# scripts/install-deps.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
node tests/check-node-deps.mjs
tests/node_modules/.bin/tsc -p themes/tsconfig.json
echo "check-js: the theme's JavaScript type-checks ($(tests/node_modules/.bin/tsc --version))"
