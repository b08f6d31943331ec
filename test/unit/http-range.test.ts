import { describe, expect, it } from "vitest";
import { ifNoneMatchHits, parseRange } from "../../src/lib/http-range";

describe("Range parsing (single range, RFC 9110)", () => {
  it.each([
    [undefined, null],
    ["bytes=0-9", { offset: 0, length: 10 }],
    ["bytes=90-", { offset: 90, length: 10 }],
    ["bytes=95-200", { offset: 95, length: 5 }],
    ["bytes=-10", { offset: 90, length: 10 }],
    ["bytes=-500", { offset: 0, length: 100 }],
    ["bytes=100-", "unsatisfiable"],
    ["bytes=-0", "unsatisfiable"],
    ["bytes=9-3", null],
    ["bytes=0-1,5-6", null],
    ["items=0-9", null],
    ["bytes=-", null],
  ] as const)("%s on 100 bytes -> %j", (header, expected) => {
    expect(parseRange(header, 100)).toEqual(expected);
  });
});

describe("If-None-Match", () => {
  it.each([
    [undefined, false],
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ['"x"', false],
    ["*", true],
  ] as const)("%s -> %s", (header, expected) => {
    expect(ifNoneMatchHits(header, '"abc"')).toBe(expected);
  });
});
