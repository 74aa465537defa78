# Sourced by scripts/test: checkov, which checks the generated Kubernetes workloads against
# the Pod Security "restricted" set. It pins many dependencies of its own, so it lives in
# its own virtualenv (.tools/checkov/, gitignored) where it cannot disturb .venv.
CHECKOV_VERSION=3.3.30
if [ "$(.tools/checkov/bin/checkov --version 2>/dev/null)" != "$CHECKOV_VERSION" ]; then
    python3 -m venv .tools/checkov
    .tools/checkov/bin/python -m pip install -q --disable-pip-version-check \
        "checkov==$CHECKOV_VERSION"
fi
