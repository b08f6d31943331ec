/**
 * Sliding-window counter: the current fixed window's count plus the previous window's
 * count weighted by how much of it still overlaps the sliding window. O(1) memory per
 * limit, and never lets more than the limit through in any window-long span by more than
 * the approximation's small error.
 */
export interface WindowState {
  windowStart: number;
  current: number;
  previous: number;
}

export interface WindowVerdict {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until a denied request would be allowed, or until the current window rolls over. */
  resetSeconds: number;
}

export function emptyWindow(): WindowState {
  return { windowStart: 0, current: 0, previous: 0 };
}

function advance(state: WindowState, now: number, windowMs: number): void {
  const start = Math.floor(now / windowMs) * windowMs;
  if (start === state.windowStart) return;
  state.previous = start - state.windowStart === windowMs ? state.current : 0;
  state.current = 0;
  state.windowStart = start;
}

function estimate(state: WindowState, now: number, windowMs: number): number {
  const overlap = 1 - (now - state.windowStart) / windowMs;
  return state.previous * overlap + state.current;
}

/** Would one more request fit? Does not count it (see `record`). */
export function check(state: WindowState, limit: number, now: number, windowMs: number): WindowVerdict {
  advance(state, now, windowMs);
  const used = estimate(state, now, windowMs);
  const allowed = used + 1 <= limit;
  const untilRollover = state.windowStart + windowMs - now;
  let waitMs = untilRollover;
  if (!allowed && state.current + 1 <= limit && state.previous > 0) {
    // Wait until the previous window's weight has decayed enough for one more request.
    const overlapNeeded = (limit - 1 - state.current) / state.previous;
    waitMs = Math.max(0, state.windowStart + windowMs * (1 - overlapNeeded) - now);
  }
  return {
    allowed,
    limit,
    remaining: Math.max(0, Math.floor(limit - used - (allowed ? 1 : 0))),
    resetSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
  };
}

export function record(state: WindowState): void {
  state.current += 1;
}
