import { describe, expect, it } from "vitest";
import { chromiumExecutable, debianChromium } from "./chromium.ts";

describe("chromiumExecutable", () => {
  it("is Debian's Chromium when nothing else is named", () => {
    expect(chromiumExecutable({}, (path) => path === debianChromium)).toBe(debianChromium);
  });

  it("is the binary $SEEDBED_CHROMIUM names", () => {
    expect(chromiumExecutable({ SEEDBED_CHROMIUM: "/opt/chrome/chrome" }, (path) => path === "/opt/chrome/chrome")).toBe("/opt/chrome/chrome");
  });

  it("names `make browser` when Debian's Chromium is missing", () => {
    expect(() => chromiumExecutable({}, () => false)).toThrow(`no Chromium at ${debianChromium}: run \`make browser\``);
  });

  it("says which variable named a missing binary", () => {
    expect(() => chromiumExecutable({ SEEDBED_CHROMIUM: "/nope" }, () => false)).toThrow("SEEDBED_CHROMIUM names /nope, which does not exist: run `make browser`");
  });
});
