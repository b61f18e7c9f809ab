import type { CheckResult } from '../check/run.js';
import { ruleDocs } from '../check/findings.js';
import type { Finding } from '../check/findings.js';

/** The machine report: one JSON object with every finding, the accepted ones, and the summary. */
export function formatJson(result: CheckResult): string {
  const report = {
    findings: result.findings.map(toJson),
    allowed: result.allowed.map((finding) => ({
      ...toJson(finding),
      allowedBy: finding.allowedBy,
    })),
    suppressed: result.suppressed.map((finding) => ({
      ...toJson(finding),
      suppressedBy: finding.suppressedBy,
    })),
    notices: result.notices,
    summary: result.summary,
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

function toJson(finding: Finding): Record<string, unknown> {
  return {
    rule: finding.rule,
    severity: finding.severity,
    file: finding.file,
    line: finding.line,
    column: finding.column,
    context: finding.context,
    targets: finding.targets,
    tables: finding.tables,
    ...(finding.access != null ? { access: finding.access } : {}),
    ...(finding.import != null ? { import: finding.import } : {}),
    message: finding.message,
    docs: ruleDocs(finding.rule),
  };
}
