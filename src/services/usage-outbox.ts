import type { Background } from "./services";
import type { UsageEvent } from "./usage-meter";

/** A queue's sendBatch takes at most 100 messages. */
export const OUTBOX_MAX_EVENTS = 100;
/** How long the first event of a batch waits for others to join it. */
export const OUTBOX_WINDOW_MS = 20;

interface Batch {
  events: UsageEvent[];
  sent: boolean;
}

/**
 * One isolate's usage events on their way to the queue. The first event opens a batch that
 * goes OUTBOX_WINDOW_MS later as one queue operation carrying every event that joined it
 * meanwhile (at once when full). So the send runs after the response has gone out rather
 * than while it is being written, and concurrent requests share one queue operation. The
 * request that opens or fills a batch holds its send in waitUntil, which keeps the isolate
 * alive until the batch is on the queue, as a per-event send in waitUntil did.
 */
export class UsageOutbox {
  private open: Batch | null = null;

  constructor(private readonly queue: Queue<UsageEvent>) {}

  add(event: UsageEvent, background: Background): void {
    let batch = this.open;
    if (!batch) {
      const opened: Batch = { events: [], sent: false };
      batch = this.open = opened;
      background.waitUntil(scheduler.wait(OUTBOX_WINDOW_MS).then(() => this.send(opened)));
    }
    batch.events.push(event);
    if (batch.events.length >= OUTBOX_MAX_EVENTS) background.waitUntil(this.send(batch));
  }

  private async send(batch: Batch): Promise<void> {
    if (batch.sent) return;
    batch.sent = true;
    if (this.open === batch) this.open = null;
    try {
      await this.queue.sendBatch(batch.events.map((body) => ({ body, contentType: "json" as const })));
    } catch (error) {
      const eventIds = batch.events.map((event) => event.eventId);
      console.error(JSON.stringify({ level: "error", msg: "usage events not queued", eventIds, error: String(error) }));
    }
  }
}

// Per isolate (the binding object is the isolate's), so every request's events share it.
const outboxes = new WeakMap<Queue<UsageEvent>, UsageOutbox>();

export function outboxFor(queue: Queue<UsageEvent>): UsageOutbox {
  let outbox = outboxes.get(queue);
  if (!outbox) {
    outbox = new UsageOutbox(queue);
    outboxes.set(queue, outbox);
  }
  return outbox;
}
