// Plain HTML for the pages this package serves: the issuer's and the
// browser flow's loopback answer. No scripts, no outside fonts or styles.

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHTML(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A whole page around a body. */
export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHTML(title)}</title></head>
<body>
<h1>${escapeHTML(title)}</h1>
${body}
</body>
</html>
`;
}
