import { dirname } from "node:path";
import { ensurePrivateDir, readIfExists, writeFileAtomic } from "./files.ts";
import type { TokenSet } from "./login/client.ts";

/**
 * The issuer's refresh, loaded only when a token needs it: the exec plugin
 * runs before every kubectl call and mostly just hands out a valid token.
 */
async function refreshWithIssuer(tokenSet: TokenSet, caPEM?: string): Promise<TokenSet> {
  return (await import("./login/refresh.ts")).refreshTokens(tokenSet, caPEM);
}

/** How the store gets a new set for an old one; refreshTokens by default, a fake in unit tests. */
export type Refresher = (tokenSet: TokenSet, caPEM?: string) => Promise<TokenSet>;

/** Where a TokenStore keeps its tokens, and how it refreshes them. */
export interface TokenStoreOptions {
  /** The JSON file; written with mode 0600, its directory created with 0700. */
  readonly path: string;
  /** The issuer's CA for refreshing, when it is private. */
  readonly caPEM?: string;
  readonly refresh?: Refresher;
}

/** Refresh when the ID token has less than this left, so kubectl never sends one that expires on the way. */
export const refreshMarginSeconds = 60;

const fileVersion = 1;

/**
 * The tokens of one login on disk, as the CLI's kubectl exec plugin uses
 * them: loaded, refreshed shortly before the ID token expires, and saved
 * back (a rotated refresh token is valid only once, so the new set must
 * be kept).
 */
export class TokenStore {
  readonly #path: string;
  readonly #caPEM: string | undefined;
  readonly #refresh: Refresher;

  constructor(options: TokenStoreOptions) {
    this.#path = options.path;
    this.#caPEM = options.caPEM;
    this.#refresh = options.refresh ?? refreshWithIssuer;
  }

  /** The stored set, or undefined before the first login. */
  async load(): Promise<TokenSet | undefined> {
    const text = await readIfExists(this.#path);
    if (text === undefined) return undefined;
    const parsed = JSON.parse(text) as { version?: number; tokens?: TokenSet };
    const tokens = parsed.tokens;
    if (parsed.version !== fileVersion || typeof tokens?.idToken !== "string" || typeof tokens.expiresAt !== "number") {
      throw new Error(`${this.#path} is not a token file of this version: log in again`);
    }
    return tokens;
  }

  /** Replaces the stored set atomically, so a crash never leaves half a file. */
  async save(tokens: TokenSet): Promise<void> {
    await ensurePrivateDir(dirname(this.#path));
    await writeFileAtomic(this.#path, `${JSON.stringify({ version: fileVersion, tokens }, null, 2)}\n`, 0o600);
  }

  /**
   * A set whose ID token is valid for at least another minute at `now`:
   * the stored one, or a refreshed one that is saved first. Fails when
   * nothing is stored or the refresh fails (the user must log in again).
   */
  async validToken(now: Date = new Date()): Promise<TokenSet> {
    const tokens = await this.load();
    if (tokens === undefined) throw new Error(`no tokens in ${this.#path}: log in first`);
    if (tokens.expiresAt - now.getTime() / 1000 > refreshMarginSeconds) return tokens;
    const refreshed = await this.#refresh(tokens, this.#caPEM);
    await this.save(refreshed);
    return refreshed;
  }
}
