import { useEffect } from "react";

/** Sets the document title to "<title> · Seedbed" while the page shows. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title === "" ? "Seedbed" : `${title} · Seedbed`;
  }, [title]);
}
