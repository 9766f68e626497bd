// Kubernetes label selectors, parsed and matched in the browser so the
// fleet filters clusters of every project at once without new requests.

/** One requirement of a selector. */
export type Requirement =
  | { key: string; op: "=" | "!="; value: string }
  | { key: string; op: "in" | "notin"; values: string[] }
  | { key: string; op: "exists" | "!exists" };

/** A parsed selector, or the words saying why the text is not one. */
export type ParsedSelector = { ok: true; requirements: Requirement[] } | { ok: false; error: string };

const keyPattern = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const valuePattern = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Splits at commas that are not inside parentheses. */
function splitTerms(text: string): string[] | undefined {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === "(") depth++;
    else if (char === ")") depth--;
    if (depth < 0 || depth > 1) return undefined;
    if (char === "," && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) return undefined;
  terms.push(text.slice(start));
  return terms.map((t) => t.trim());
}

/** Parses one term: k=v, k==v, k!=v, k in (a,b), k notin (a), k, !k. */
function parseTerm(term: string): Requirement | string {
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(term);
  if (set) {
    const [, key = "", op, list = ""] = set;
    const values = list.split(",").map((v) => v.trim());
    const bad = values.find((v) => !valuePattern.test(v));
    if (bad !== undefined) return `"${bad}" is not a valid label value`;
    return checkKey(key) ?? { key, op: op === "in" ? "in" : "notin", values };
  }
  const equality = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
  if (equality) {
    const [, key = "", op, value = ""] = equality;
    if (!valuePattern.test(value)) return `"${value}" is not a valid label value`;
    return checkKey(key) ?? { key, op: op === "!=" ? "!=" : "=", value };
  }
  if (term.startsWith("!")) {
    const key = term.slice(1).trim();
    return checkKey(key) ?? { key, op: "!exists" };
  }
  return checkKey(term) ?? { key: term, op: "exists" };
}

function checkKey(key: string): string | undefined {
  return keyPattern.test(key) ? undefined : `"${key}" is not a valid label key`;
}

/** Parses a selector such as `env=prod,tier in (web,api),!legacy`; an empty text selects everything. */
export function parseSelector(text: string): ParsedSelector {
  if (text.trim() === "") return { ok: true, requirements: [] };
  const terms = splitTerms(text);
  if (terms === undefined) return { ok: false, error: "Unbalanced parentheses in the label selector." };
  const requirements: Requirement[] = [];
  for (const term of terms) {
    if (term === "") return { ok: false, error: "The label selector has an empty term (two commas in a row?)." };
    const parsed = parseTerm(term);
    if (typeof parsed === "string") return { ok: false, error: `Not a label selector: ${parsed}. Use key=value, key!=value, key in (a,b), key notin (a,b), key or !key.` };
    requirements.push(parsed);
  }
  return { ok: true, requirements };
}

/** Whether labels satisfy every requirement (Kubernetes semantics: != and notin also match a missing key). */
export function matchesSelector(requirements: readonly Requirement[], labels: Readonly<Record<string, string>> | undefined): boolean {
  const own = labels ?? {};
  return requirements.every((r) => {
    const value = Object.hasOwn(own, r.key) ? own[r.key] : undefined;
    switch (r.op) {
      case "=":
        return value === r.value;
      case "!=":
        return value !== r.value;
      case "in":
        return value !== undefined && r.values.includes(value);
      case "notin":
        return value === undefined || !r.values.includes(value);
      case "exists":
        return value !== undefined;
      case "!exists":
        return value === undefined;
    }
  });
}
