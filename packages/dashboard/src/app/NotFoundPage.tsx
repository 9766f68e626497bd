import type { ReactNode } from "react";
import { Link } from "react-router";
import { useDocumentTitle } from "../ui/useDocumentTitle.ts";

/** A dashboard path that names no page. */
export function NotFoundPage(): ReactNode {
  useDocumentTitle("Not found");
  return (
    <section>
      <h1>Page not found</h1>
      <p>There is no page at this address. <Link to="/clusters">Go to the fleet</Link>.</p>
    </section>
  );
}
