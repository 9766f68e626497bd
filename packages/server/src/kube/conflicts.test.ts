import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { HttpError } from "../errors.ts";
import { conflictAttempts, retryOnConflict } from "./conflicts.ts";

const conflict = (): ApiException<string> => new ApiException(409, "Conflict", "{}", {});

describe("retryOnConflict", () => {
  it("decides again after the apiserver's 409 and answers the round that wrote", async () => {
    let rounds = 0;
    const answer = await retryOnConflict(() => (rounds += 1) < 3 ? Promise.reject(conflict()) : Promise.resolve(`written in round ${String(rounds)}`));
    expect(answer).toBe("written in round 3");
  });

  it("gives the 409 back after conflictAttempts rounds", async () => {
    let rounds = 0;
    await expect(retryOnConflict(() => ((rounds += 1), Promise.reject(conflict())))).rejects.toBeInstanceOf(ApiException);
    expect(rounds).toBe(conflictAttempts);
  });

  it("answers the route's own refusal and any other error at once, even a 409 of its own", async () => {
    for (const error of [new HttpError(409, "Conflict", "an upgrade is under way"), new ApiException(422, "Invalid", "{}", {})]) {
      let rounds = 0;
      await expect(retryOnConflict(() => ((rounds += 1), Promise.reject(error)))).rejects.toBe(error);
      expect(rounds).toBe(1);
    }
  });
});
