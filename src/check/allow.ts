import type { AllowRule } from '../config/types.js';
import type { AllowedFinding, Finding } from './findings.js';

/** Splits findings into those that stand and those an allow entry accepts. */
export function applyAllowRules(
  findings: Finding[],
  rules: AllowRule[],
): { kept: Finding[]; allowed: AllowedFinding[] } {
  const kept: Finding[] = [];
  const allowed: AllowedFinding[] = [];
  for (const finding of findings) {
    const rule = allowRuleFor(finding, rules);
    if (rule) {
      allowed.push({
        ...finding,
        allowedBy: { from: rule.from, to: rule.to, reason: rule.reason },
      });
    } else {
      kept.push(withPartialAllowNote(finding, rules));
    }
  }
  return { kept, allowed };
}

/** Says which targets an allow entry would accept, so nobody wonders why the finding stands. */
function withPartialAllowNote(finding: Finding, rules: AllowRule[]): Finding {
  const accepted = finding.targets.filter((target) =>
    rules.some((rule) => rule.from === finding.context && rule.to === target),
  );
  if (accepted.length === 0) return finding;
  const rest = finding.targets.filter((target) => !accepted.includes(target));
  return {
    ...finding,
    message: `${finding.message} (allow accepts ${accepted.join(', ')} from ${finding.context}, not ${rest.join(', ')})`,
  };
}

function allowRuleFor(finding: Finding, rules: AllowRule[]): AllowRule | null {
  if (finding.context == null || finding.targets.length === 0) return null;
  const fromHere = rules.filter((rule) => rule.from === finding.context);
  const covered = finding.targets.every((target) => fromHere.some((rule) => rule.to === target));
  return covered ? (fromHere.find((rule) => finding.targets.includes(rule.to)) ?? null) : null;
}
