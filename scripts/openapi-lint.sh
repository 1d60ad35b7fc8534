#!/usr/bin/env bash
# npm run openapi:lint (and npm test's "openapi lint" step): the OpenAPI document the gateway serves,
# written by scripts/openapi-document.ts, against Redocly's recommended rules (redocly.yaml; the few
# problems passed over, each with its reason, in .redocly.lint-ignore.yaml). Any error or warning
# fails. The CLI is a devDependency (npm ci installs it); nothing is fetched here.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

doc=test-results/openapi.json
report=test-results/openapi-lint.json
node --import tsx scripts/openapi-document.ts "$doc"
# No update check; usage reports are off in redocly.yaml. Its exit status is judged below, from the report.
REDOCLY_SUPPRESS_NOTIFICATIONS=true npx --no-install redocly lint "$doc" --format=json >"$report" 2>/dev/null || true
node -e '
  const report = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  for (const p of report.problems) {
    const at = p.location.map((l) => l.pointer).join(", ");
    console.log(`${p.severity} ${p.ruleId} at ${at}: ${p.message}`);
  }
  const { errors, warnings, ignored } = report.totals;
  console.log(`redocly ${report.version}: ${errors} errors, ${warnings} warnings, ${ignored} passed over with a reason`);
  if (errors + warnings > 0) process.exit(1);
' "$report"
