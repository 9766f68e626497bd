import type { ReactNode } from "react";

/**
 * A table of the cluster page: column headers (a `false` entry is a column
 * this user does not get, e.g. "Change" for a viewer) over the rows given
 * as children, in a box that scrolls on its own when too wide.
 */
export function DataTable(props: { columns: readonly (string | false)[]; children: ReactNode }): ReactNode {
  return (
    <div className="table-wrap">
      <table className="data-table">
        <thead>
          <tr>{props.columns.map((c) => (c === false ? null : <th key={c} scope="col">{c}</th>))}</tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}
