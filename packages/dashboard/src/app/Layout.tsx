import type { ReactNode } from "react";
import { Link, NavLink, Outlet, useLocation } from "react-router";
import { useAuth } from "../auth/context.ts";

/** The frame of every signed-in page: a skip link, the header with navigation and the user, and <main>. */
export function Layout(): ReactNode {
  const { user, signOut } = useAuth();
  const { pathname } = useLocation();
  const inFleet = pathname === "/clusters" || /^\/projects\/[^/]+\/clusters\//.test(pathname);
  return (
    <>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="app-header">
        <div className="app-header-inner">
          <span className="brand" aria-hidden="true">Seedbed</span>
          <nav aria-label="Main">
            <ul>
              {/* A cluster's page (/projects/p/clusters/c) belongs to the fleet, not to the project list. */}
              <li><Link to="/clusters" aria-current={inFleet ? "page" : undefined} className={inFleet ? "active" : undefined}>Fleet</Link></li>
              <li><NavLink to="/projects" end>Projects</NavLink></li>
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
