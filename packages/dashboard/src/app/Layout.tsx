import type { ReactNode } from "react";
import { NavLink, Outlet } from "react-router";
import { useAuth } from "../auth/context.ts";

/** The frame of every signed-in page: a skip link, the header with navigation and the user, and <main>. */
export function Layout(): ReactNode {
  const { user, signOut } = useAuth();
  return (
    <>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="app-header">
        <div className="app-header-inner">
          <span className="brand" aria-hidden="true">Seedbed</span>
          <nav aria-label="Main">
            <ul>
              <li><NavLink to="/clusters">Fleet</NavLink></li>
              <li><NavLink to="/projects">Projects</NavLink></li>
            </ul>
          </nav>
          <div className="user">
            <span className="user-email" title={user.name ?? user.email}>{user.email}</span>
            <button type="button" className="button button-small" onClick={() => void signOut()}>Sign out</button>
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
