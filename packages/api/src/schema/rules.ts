import { minorOf, versions } from "@seedbed/binaries";
import type { ValidationRule } from "./primitives.ts";

/** The Kubernetes minors Seedbed offers ("1.37", …), from tools/k8s/versions.json. */
export const offeredMinors: readonly string[] = versions.kubernetes.map(minorOf);

const versionFormat = "^1\\\\.[0-9]+(\\\\.[0-9]+)?$";
const minor = (v: string): string => `int(${v}.split('.')[1])`;
const patch = (v: string): string => `(size(${v}.split('.')) > 2 ? int(${v}.split('.')[2]) : -1)`;
const offeredList = `[${offeredMinors.map((m) => `'${m}'`).join(", ")}]`;
const offeredText = `${offeredMinors.join(", ")} (e.g. "${versions.kubernetes[0] ?? ""}")`;

/**
 * Rules for a Kubernetes version field: its format, an offered minor, and on
 * update neither a downgrade nor a skipped minor (the version-skew policy:
 * the control plane moves one minor at a time).
 */
export function kubernetesVersionRules(): ValidationRule[] {
  const formatOk = `self.matches('${versionFormat}')`;
  return [
    { rule: formatOk, messageExpression: `'must be MAJOR.MINOR or MAJOR.MINOR.PATCH, such as ${versions.kubernetes[0] ?? ""}; got \\'' + self + '\\''` },
    {
      rule: `!${formatOk} || (self.split('.')[0] + '.' + self.split('.')[1]) in ${offeredList}`,
      messageExpression: `'Kubernetes ' + self + ' is not offered here; choose one of ${offeredText}'`,
    },
    {
      rule: `!${formatOk} || !oldSelf.matches('${versionFormat}') || ${minor("self")} > ${minor("oldSelf")} || (${minor("self")} == ${minor("oldSelf")} && (${patch("self")} >= ${patch("oldSelf")} || ${patch("self")} == -1))`,
      messageExpression: `'cannot downgrade from ' + oldSelf + ' to ' + self + ': Kubernetes supports upgrades only'`,
    },
    {
      rule: `!${formatOk} || !oldSelf.matches('${versionFormat}') || ${minor("self")} <= ${minor("oldSelf")} + 1`,
      messageExpression: `'cannot go from ' + oldSelf + ' to ' + self + ' in one step: upgrade one minor at a time'`,
    },
  ];
}

/** Rules for an IPv4 CIDR whose prefix must lie between `minPrefix` and `maxPrefix`. */
export function ipv4CIDRRules(example: string, minPrefix: number, maxPrefix: number, why: string): ValidationRule[] {
  const guard = "!isCIDR(self) || ";
  return [
    { rule: "isCIDR(self)", messageExpression: `'must be an IPv4 CIDR such as ${example}; got \\'' + self + '\\''` },
    { rule: `${guard}cidr(self).ip().family() == 4`, message: `must be an IPv4 CIDR such as ${example}; IPv6 is not supported yet` },
    { rule: `${guard}string(cidr(self).masked()) == self`, messageExpression: `'must be a network address, with the host bits zero (like ${example}); got ' + self` },
    {
      rule: `${guard}cidr(self).prefixLength() >= ${minPrefix} && cidr(self).prefixLength() <= ${maxPrefix}`,
      messageExpression: `'prefix of ' + self + ' is out of range: use /${minPrefix} to /${maxPrefix} (${why})'`,
    },
  ];
}

/** A rule that two CIDR fields of the same object do not overlap. */
export function noOverlapRule(a: string, b: string): ValidationRule {
  const both = `has(self.${a}) && has(self.${b}) && isCIDR(self.${a}) && isCIDR(self.${b})`;
  return {
    rule: `!(${both}) || !(cidr(self.${a}).containsIP(cidr(self.${b}).masked().ip()) || cidr(self.${b}).containsIP(cidr(self.${a}).masked().ip()))`,
    messageExpression: `'${a} ' + self.${a} + ' and ${b} ' + self.${b} + ' overlap: pods and services need separate ranges'`,
    fieldPath: `.${b}`,
  };
}

/** A transition rule: the field keeps the value it was created with. */
export function immutableRule(what: string, hint = "create a new object instead"): ValidationRule {
  return { rule: "self == oldSelf", message: `${what} cannot be changed after creation; ${hint}` };
}
