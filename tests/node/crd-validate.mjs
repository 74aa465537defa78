// Validate custom resources against their CRDs' OpenAPI schemas, as compiled by the
// @kubernetes-models packages pinned in package.json: Argo CD, Argo Rollouts (its Go API
// types of github.com/argoproj/argo-rollouts v1.9), Flux (source, kustomize and helm
// controllers), External Secrets and the Prometheus Operator.
// Usage: node crd-validate.mjs < resources.json  (a JSON list of resources)
// Prints one JSON list of {index, apiVersion, kind, error} on stdout, empty when all pass.
import { readFileSync } from "node:fs";

const ARGO_CD_KINDS = new Set(["Application", "ApplicationSet", "AppProject"]);
const PACKAGES = {
  "argoproj.io": (kind) =>
    ARGO_CD_KINDS.has(kind) ? "@kubernetes-models/argo-cd" : "@kubernetes-models/argo-rollouts",
  "source.toolkit.fluxcd.io": () => "@kubernetes-models/flux-cd",
  "kustomize.toolkit.fluxcd.io": () => "@kubernetes-models/flux-cd",
  "helm.toolkit.fluxcd.io": () => "@kubernetes-models/flux-cd",
  "external-secrets.io": () => "@kubernetes-models/external-secrets",
  "monitoring.coreos.com": () => "@kubernetes-models/prometheus-operator",
};

const resources = JSON.parse(readFileSync(0, "utf8"));
const findings = [];
for (const [index, resource] of resources.entries()) {
  const [group, version] = resource.apiVersion.split("/");
  const found = { index, apiVersion: resource.apiVersion, kind: resource.kind };
  if (!(group in PACKAGES)) {
    findings.push({ ...found, error: "no CRD schema for this group" });
    continue;
  }
  try {
    const module = await import(`${PACKAGES[group](resource.kind)}/${group}/${version}/${resource.kind}`);
    new module[resource.kind](resource).validate();
  } catch (error) {
    findings.push({ ...found, error: error.message });
  }
}
process.stdout.write(JSON.stringify(findings) + "\n", () => process.exit(0));
