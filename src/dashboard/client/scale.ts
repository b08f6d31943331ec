// Axis arithmetic for the charts, free of the DOM. Times are UTC epoch ms,
// matching the API's buckets; UTC has no DST, so a day is always 24 h.

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Round `value` up to 1, 2, 2.5 or 5 × 10^k so gridlines land on readable numbers. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5].find((candidate) => value <= candidate * magnitude * (1 + 1e-9)) ?? 10;
  return step * magnitude;
}

/**
 * Ticks from 0 in nice steps up to the first one at or above `max` (an empty
 * series still gets an axis to 1). `integer` keeps steps whole, for counts.
 */
export function valueTicks(max: number, integer: boolean, count = 4): number[] {
  const target = max > 0 ? max : 1;
  let step = niceCeiling(target / count);
  if (integer && !Number.isInteger(step)) step = step < 1 ? 1 : Math.floor(step);
  const ticks = [0];
  let top: number;
  do {
    // Multiply rather than accumulate, and round, so 3 × 0.2 reads 0.6, not 0.6000000000000001.
    top = Number((ticks.length * step).toPrecision(12));
    ticks.push(top);
  } while (top < target * (1 - 1e-9));
  return ticks;
}

const LONGEST_STEP = 14 * DAY_MS;
const TIME_STEPS = [HOUR_MS, 2 * HOUR_MS, 3 * HOUR_MS, 6 * HOUR_MS, 12 * HOUR_MS, DAY_MS, 2 * DAY_MS, 7 * DAY_MS, LONGEST_STEP];

/** Tick times in [from, to], at most `maxTicks`, on multiples of a step no finer than `minStep`. */
export function timeTicks(from: number, to: number, maxTicks: number, minStep: number): number[] {
  const step = TIME_STEPS.find((candidate) => candidate >= minStep && (to - from) / candidate <= maxTicks) ?? LONGEST_STEP;
  const ticks: number[] = [];
  for (let tick = Math.ceil(from / step) * step; tick <= to; tick += step) ticks.push(tick);
  return ticks;
}

/** The UTC bucket that contains `ms`. */
export function bucketStart(ms: number, bucketMs: number): number {
  return Math.floor(ms / bucketMs) * bucketMs;
}
