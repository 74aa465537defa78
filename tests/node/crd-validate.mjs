// Validate custom resources against their CRDs' OpenAPI schemas, as compiled by the
// @kubernetes-models packages (Argo CD, Flux) pinned in package.json.
// Usage: node crd-validate.mjs < resources.json  (a JSON list of resources)
// Prints one JSON list of {index, apiVersion, kind, error} on stdout, empty when all pass.
import { readFileSync } from "node:fs";

const PACKAGES = {
  "argoproj.io": "@kubernetes-models/argo-cd",
  "source.toolkit.fluxcd.io": "@kubernetes-models/flux-cd",
  "kustomize.toolkit.fluxcd.io": "@kubernetes-models/flux-cd",
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
    const module = await import(`${PACKAGES[group]}/${group}/${version}/${resource.kind}`);
    new module[resource.kind](resource).validate();
  } catch (error) {
    findings.push({ ...found, error: error.message });
  }
}
process.stdout.write(JSON.stringify(findings) + "\n", () => process.exit(0));
