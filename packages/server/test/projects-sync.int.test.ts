import type { Project } from "@seedbed/api";
import { silentLogger } from "@seedbed/runtime";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { eventually } from "@seedbed/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/index.ts";
import { bootstrap, startTestServer, tokenAuthFlags, tokens } from "./fixture.ts";
import { client, type Call } from "./http.ts";

// The server starts before the platform is set up: the management API
// answers, but the Projects CRD (and the server's right to read Projects)
// is not there yet, so its Projects cache cannot sync. Nothing here waits
// on time: the cache cannot sync until the test installs what it needs.
describe("the server while its Projects are not loaded, with the management API reachable", () => {
  const api = useKubeAPI({ apiServerExtraFlags: tokenAuthFlags() });
  let server: RunningServer;
  let call: Call;

  beforeAll(async () => {
    server = await startTestServer(api(), { logger: silentLogger(), projectsSyncTimeoutMs: 100 });
    call = client(server.url);
  });
  afterAll(async () => {
    await server.stop();
  });

  it("answers 503 for the project list and a project once it knows the caller, and 200 once the Projects are loaded", async () => {
    // The management API answers: it refuses a token it does not know.
    expect((await call("GET", "/projects", { token: "not-a-token" })).status).toBe(401);
    // A caller it knows gets past whoAmI (answered by the API), to the cache.
    const list = await call("GET", "/projects", { token: tokens.alice });
    expect([list.status, list.error]).toEqual([503, { status: 503, reason: "ServiceUnavailable", message: "the server has not loaded the projects yet; try again shortly" }]);
    const one = await call("GET", "/projects/a", { token: tokens.alice });
    expect([one.status, one.error.reason]).toEqual([503, "ServiceUnavailable"]);

    await bootstrap(api());
    const loaded = await eventually(() => call<{ items: Project[] }>("GET", "/projects", { token: tokens.alice }), (res) => res.status === 200, { timeoutMs: 60_000, description: "the Projects loaded" });
    expect(loaded.body.items.map((p) => p.metadata.name)).toEqual(["a"]);
    expect((await call("GET", "/projects/a", { token: tokens.alice })).status).toBe(200);
  });
});
