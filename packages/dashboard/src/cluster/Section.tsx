import { useId, type ReactNode } from "react";

/** A titled part of the cluster page: a <section> named by its <h2>. */
export function Section(props: { title: string; actions?: ReactNode; children: ReactNode }): ReactNode {
  const id = useId();
  return (
    <section className="cluster-section" aria-labelledby={id}>
      <div className="section-header">
        <h2 id={id}>{props.title}</h2>
        {props.actions === undefined ? null : <div className="section-actions">{props.actions}</div>}
      </div>
      {props.children}
    </section>
  );
}
