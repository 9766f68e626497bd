import type { ReactNode } from "react";

/** What a user who belongs to no project sees, and what to do about it. */
export function NoMembership(): ReactNode {
  return (
    <div className="empty-state">
      <p><strong>You are not a member of any project.</strong></p>
      <p>A project owner or a platform admin must add you to a project before you can see or create clusters. Ask them to add your e-mail address or one of your groups as a member.</p>
    </div>
  );
}
