/**
 * Micro-batcher: requests for the same bundle that arrive within `maxWaitMs` of each other (or
 * while a batch is running) run as one batch of at most `maxBatchSize`. The queue is bounded;
 * a full queue rejects at once with 503 and a Retry-After estimated from recent batch times.
 */
import { WorkerError } from "./http/errors.js";

export interface BatcherOptions {
  maxBatchSize: number;
  maxWaitMs: number;
  maxQueue: number;
}

export interface BatcherObserver {
  batchStarted(size: number): void;
  queueDepthChanged(depth: number): void;
}

export type BatchRunner<I, O> = (key: string, inputs: I[]) => Promise<O[]>;

interface Pending<I, O> {
  key: string;
  input: I;
  signal: AbortSignal | undefined;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

export class MicroBatcher<I, O> {
  readonly #queue: Pending<I, O>[] = [];
  /** Cancels the pending wait-for-more-requests timer, when one is armed. */
  #cancelTimer: (() => void) | undefined;
  #running: Promise<void> | undefined;
  #recentBatchMs = 50;

  constructor(
    readonly run: BatchRunner<I, O>,
    readonly options: BatcherOptions,
    readonly observer: BatcherObserver = { batchStarted() {}, queueDepthChanged() {} },
  ) {}

  get depth(): number {
    return this.#queue.length;
  }

  get busy(): boolean {
    return this.#running !== undefined || this.#queue.length > 0;
  }

  submit(key: string, input: I, signal?: AbortSignal): Promise<O> {
    if (this.#queue.length >= this.options.maxQueue) {
      const batchesAhead = Math.ceil(this.#queue.length / this.options.maxBatchSize) + 1;
      const retryAfter = Math.max(1, Math.ceil((batchesAhead * this.#recentBatchMs) / 1000));
      throw new WorkerError("overloaded", `queue holds ${this.#queue.length} requests (limit ${this.options.maxQueue})`, {
        "Retry-After": String(retryAfter),
      });
    }
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ key, input, signal, resolve, reject });
      this.observer.queueDepthChanged(this.#queue.length);
      this.#schedule();
    });
  }

  /** Resolves once every accepted request has been answered. */
  async drain(): Promise<void> {
    while (this.busy) {
      if (!this.#running) {
        this.#disarm();
        this.#startBatch();
      }
      // Nothing may be running if only aborted requests were left; yield a turn then.
      await (this.#running ?? new Promise((resolve) => setImmediate(resolve)));
    }
  }

  #schedule(): void {
    if (this.#running) return; // the running batch picks the queue up when it finishes
    if (this.#queue.length >= this.options.maxBatchSize) {
      this.#disarm();
      this.#startBatch();
    } else if (!this.#cancelTimer) {
      const fire = () => {
        this.#cancelTimer = undefined;
        this.#startBatch();
      };
      // A zero wait still lets requests that arrived in the same I/O pass join the batch.
      if (this.options.maxWaitMs > 0) {
        const timer = setTimeout(fire, this.options.maxWaitMs);
        this.#cancelTimer = () => clearTimeout(timer);
      } else {
        const immediate = setImmediate(fire);
        this.#cancelTimer = () => clearImmediate(immediate);
      }
    }
  }

  #disarm(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
  }

  #startBatch(): void {
    const batch = this.#takeBatch();
    this.observer.queueDepthChanged(this.#queue.length);
    if (batch.length === 0) return;
    this.observer.batchStarted(batch.length);
    const started = performance.now();
    this.#running = this.#execute(batch).finally(() => {
      this.#recentBatchMs = 0.8 * this.#recentBatchMs + 0.2 * (performance.now() - started);
      this.#running = undefined;
      // Let sockets that became readable during the batch enqueue first, then go again.
      if (this.#queue.length > 0) setImmediate(() => this.#running || this.#cancelTimer || this.#startBatch());
    });
  }

  #takeBatch(): Pending<I, O>[] {
    this.#dropAborted();
    if (this.#queue.length === 0) return [];
    const key = this.#queue[0]!.key;
    const batch: Pending<I, O>[] = [];
    for (let i = 0; i < this.#queue.length && batch.length < this.options.maxBatchSize; ) {
      if (this.#queue[i]!.key === key) batch.push(...this.#queue.splice(i, 1));
      else i += 1;
    }
    return batch;
  }

  #dropAborted(): void {
    for (let i = this.#queue.length - 1; i >= 0; i -= 1) {
      const pending = this.#queue[i]!;
      if (pending.signal?.aborted) {
        this.#queue.splice(i, 1);
        pending.reject(pending.signal.reason);
      }
    }
  }

  async #execute(batch: Pending<I, O>[]): Promise<void> {
    try {
      const outputs = await this.run(batch[0]!.key, batch.map((p) => p.input));
      batch.forEach((pending, i) => pending.resolve(outputs[i]!));
    } catch (error) {
      const failure = new WorkerError("generation_failed", `batch of ${batch.length} failed: ${(error as Error).message}`);
      for (const pending of batch) pending.reject(failure);
    }
  }
}
