/**
 * Padding descriptions for a batched encoder run. Each row is padded to a length that depends
 * on its own token count only (the next multiple of TOKEN_BUCKET), never on its batch mates, so
 * a row is computed the same way alone and in any batch. Rows of one length share a run.
 */

/**
 * Coarse enough that a burst of typical descriptions (15-25 tokens) shares a few runs, fine
 * enough to waste little: the encoder's time grows ~0.2 ms a token there (all-MiniLM-L6-v2, 2
 * CPU threads), so 8 padded a typical description by 3.5 tokens on average, 4 by 1.5.
 */
export const TOKEN_BUCKET = 4;

export function bucketLength(tokens: number, maxLength: number): number {
  return Math.min(maxLength, Math.ceil(tokens / TOKEN_BUCKET) * TOKEN_BUCKET);
}

export interface PaddedRun {
  /** Indices into the input rows, in the order of the run's batch axis. */
  rows: number[];
  length: number;
  /** (rows.length, length) row-major; padding ids are 0 and masked out. */
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
}

/** Groups token rows by bucket length: one encoder run per distinct length. */
export function paddedRuns(tokenRows: readonly (readonly number[])[], maxLength: number): PaddedRun[] {
  const byLength = new Map<number, number[]>();
  tokenRows.forEach((ids, row) => {
    const length = bucketLength(ids.length, maxLength);
    const rows = byLength.get(length);
    if (rows) rows.push(row);
    else byLength.set(length, [row]);
  });
  return [...byLength].map(([length, rows]) => padRows(tokenRows, rows, length));
}

/** The given rows, each padded to `length` (which must hold the longest of them). */
export function padRows(tokenRows: readonly (readonly number[])[], rows: number[], length: number): PaddedRun {
  const inputIds = new BigInt64Array(rows.length * length);
  const attentionMask = new BigInt64Array(rows.length * length);
  rows.forEach((row, i) => {
    const ids = tokenRows[row]!;
    if (ids.length > length) throw new RangeError(`row ${row} has ${ids.length} tokens, more than the padded length ${length}`);
    ids.forEach((id, t) => {
      inputIds[i * length + t] = BigInt(id);
      attentionMask[i * length + t] = 1n;
    });
  });
  return { rows, length, inputIds, attentionMask };
}
