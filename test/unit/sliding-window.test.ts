import { describe, expect, it } from "vitest";
import { check, emptyWindow, record } from "../../src/lib/sliding-window";

const WINDOW = 60_000;

function take(state: ReturnType<typeof emptyWindow>, limit: number, now: number): boolean {
  const verdict = check(state, limit, now, WINDOW);
  if (verdict.allowed) record(state);
  return verdict.allowed;
}

describe("sliding window counter", () => {
  it("allows exactly the limit within one window", () => {
    const state = emptyWindow();
    const results = Array.from({ length: 6 }, (_, i) => take(state, 5, 120_000 + i));
    expect(results).toEqual([true, true, true, true, true, false]);
  });

  it("weights the previous window by its remaining overlap", () => {
    const state = emptyWindow();
    for (let i = 0; i < 10; i++) take(state, 10, 60_000 + i);
    // Halfway into the next window, half of the previous 10 still count: 5 more fit.
    const allowed = Array.from({ length: 7 }, (_, i) => take(state, 10, 150_000 + i)).filter(Boolean).length;
    expect(allowed).toBe(5);
  });

  it("forgets everything after two idle windows", () => {
    const state = emptyWindow();
    for (let i = 0; i < 10; i++) take(state, 10, 60_000 + i);
    expect(check(state, 10, 200_000, WINDOW)).toMatchObject({ allowed: true, remaining: 9 });
  });

  it("tells a denied caller how long to wait", () => {
    const state = emptyWindow();
    for (let i = 0; i < 4; i++) take(state, 4, 60_000);
    const verdict = check(state, 4, 90_000, WINDOW);
    expect(verdict).toMatchObject({ allowed: false, remaining: 0, resetSeconds: 30 });
  });
});
