/**
 * The pattern of a Kubernetes label selector (the syntax of kubectl -l and
 * the API's labelSelector parameter): requirements `key`, `!key`,
 * `key=value` (or `==`, `!=`), `key in (a,b)`, `key notin (a,b)`, joined
 * by commas, with single optional spaces around operators and commas.
 * Anything it matches kube-apiserver parses, so a selector the document
 * calls valid is never the apiserver's 400 (the REST API's property test
 * holds it to that against a real apiserver); the rarer forms it leaves
 * out (`key>1`, runs of spaces) are a 400 naming the parameter.
 *
 * Built without lookahead (JSON Schema patterns, and the test generator's
 * fast-check, take plain regular expressions): a key without prefix that
 * is exactly `in` or `notin` is left out structurally, because the
 * apiserver's lexer reads those as operators wherever a key stands.
 */

const alnum = "A-Za-z0-9";
const middle = "-A-Za-z0-9_.";
const middleClass = `[${middle}]`;
const endClass = `[${alnum}]`;

/** A character class of `chars` (a class body holding the range a-z) less one lowercase letter other than a and z. */
function without(chars: string, letter: string): string {
  const code = letter.charCodeAt(0);
  return `[${chars.replace("a-z", `a-${String.fromCharCode(code - 1)}${String.fromCharCode(code + 1)}-z`)}]`;
}

/** Strings of the form middle{0,max} alnum (the tail of a label name after its first character), except exactly `word`. */
function tailExcept(word: string, max: number): string {
  const first = word[0] ?? "";
  if (word.length === 1) return `(?:${without(alnum, first)}|${middleClass}{1,${String(max)}}${endClass})`;
  return `(?:${endClass}|${without(middle, first)}${middleClass}{0,${String(max - 1)}}${endClass}|${first}${tailExcept(word.slice(1), max - 1)})`;
}

/** A label name: at most 63 characters, alphanumeric at both ends. */
const name = `${endClass}(?:${middleClass}{0,61}${endClass})?`;
/** A label name that the lexer does not read as an operator (not exactly in nor notin). */
const unprefixedName = `(?:[A-Za-hj-mo-z0-9](?:${middleClass}{0,61}${endClass})?|i${tailExcept("n", 61)}?|n${tailExcept("otin", 61)}?)`;
/** A DNS subdomain prefix of at most three labels (191 characters, within the 253 allowed). */
const dnsLabel = "[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?";
const prefix = `${dnsLabel}(?:\\.${dnsLabel}){0,2}`;
const key = `(?:${prefix}/${name}|${unprefixedName})`;
const value = `(?:${name})?`;
const nonEmptyValue = name;
const requirement = `(?:!${key}|${key}(?: ?(?:==|=|!=) ?${value}| (?:in|notin) ?\\( ?${nonEmptyValue}(?: ?, ?${nonEmptyValue})* ?\\))?)`;

/** The whole selector: one or more requirements joined by commas. */
export const labelSelectorPattern = `^${requirement}(?: ?, ?${requirement})*$`;

/** The longest selector taken (a query parameter, not a document). */
export const labelSelectorMaxLength = 2048;
