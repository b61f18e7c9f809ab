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
    rules.some((rule) => covers(rule, finding, target)),
  );
  const readOnly = finding.targets.filter(
    (target) =>
      !accepted.includes(target) &&
      rules.some((rule) => rule.from === finding.context && rule.to === target),
  );
  const notes: string[] = [];
  if (readOnly.length > 0) {
    notes.push(
      `allow from ${finding.context} to ${readOnly.join(', ')} is limited to reads, and this ${finding.access == null ? 'is no read' : 'writes'}`,
    );
  }
  const rest = finding.targets.filter((target) => !accepted.includes(target));
  if (accepted.length > 0) {
    notes.push(
      `allow accepts ${accepted.join(', ')} from ${finding.context}, not ${rest.join(', ')}`,
    );
  }
  if (notes.length === 0) return finding;
  return { ...finding, message: `${finding.message} (${notes.join('; ')})` };
}

function allowRuleFor(finding: Finding, rules: AllowRule[]): AllowRule | null {
  if (finding.context == null || finding.targets.length === 0) return null;
  const covered = finding.targets.every((target) =>
    rules.some((rule) => covers(rule, finding, target)),
  );
  if (!covered) return null;
  return rules.find((rule) => covers(rule, finding, finding.targets[0]!)) ?? null;
}

/**
 * A read-only entry accepts a finding's target only when the finding says that target's tables are
 * only read: a statement may write one context's tables and read another's.
 */
function covers(rule: AllowRule, finding: Finding, target: string): boolean {
  if (rule.from !== finding.context || rule.to !== target) return false;
  if (rule.access === 'read-write') return true;
  if (finding.access == null) return false;
  return !(finding.written ?? (finding.access === 'write' ? finding.targets : [])).includes(target);
}
