/** Prometheus text exposition (format 0.0.4) for the few series the worker keeps. */

type Labels = Record<string, string>;

const labelKey = (labels: Labels) =>
  Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")}"`)
    .join(",");

const braces = (inner: string) => (inner ? `{${inner}}` : "");

interface Metric {
  render(): string;
}

export class Counter implements Metric {
  readonly #values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.#values.set(key, (this.#values.get(key) ?? 0) + by);
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [key, value] of this.#values) lines.push(`${this.name}${braces(key)} ${value}`);
    return lines.join("\n");
  }
}

export class Gauge implements Metric {
  #value = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly read?: () => number,
  ) {}

  set(value: number): void {
    this.#value = value;
  }

  render(): string {
    const value = this.read ? this.read() : this.#value;
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, `${this.name} ${value}`].join("\n");
  }
}

export class Histogram implements Metric {
  readonly #series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}

  observe(value: number, labels: Labels = {}): void {
    const key = labelKey(labels);
    let series = this.#series.get(key);
    if (!series) {
      series = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    this.buckets.forEach((bound, i) => {
      if (value <= bound) series.counts[i]! += 1;
    });
    series.sum += value;
    series.count += 1;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [key, series] of this.#series) {
      const prefix = key ? `${key},` : "";
      this.buckets.forEach((bound, i) => lines.push(`${this.name}_bucket{${prefix}le="${bound}"} ${series.counts[i]}`));
      lines.push(`${this.name}_bucket{${prefix}le="+Inf"} ${series.count}`);
      lines.push(`${this.name}_sum${braces(key)} ${series.sum}`);
      lines.push(`${this.name}_count${braces(key)} ${series.count}`);
    }
    return lines.join("\n");
  }
}

export class WorkerMetrics {
  readonly requests = new Counter("t2l_worker_requests_total", "HTTP requests by route and status code.");
  readonly latency = new Histogram(
    "t2l_worker_request_duration_seconds",
    "Time from request start to response end, by route.",
    [0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  readonly batchSize = new Histogram("t2l_worker_batch_size", "Descriptions per hypernetwork batch.", [1, 2, 4, 8, 16, 32, 64, 128]);
  readonly ortSeconds = new Histogram(
    "t2l_worker_ort_seconds",
    "Time inside ONNX Runtime per batch (encoder + hypernetwork).",
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  );
  readonly adapters = new Counter("t2l_worker_adapters_total", "Adapters generated, by bundle and dtype.");
  readonly queueDepth = new Gauge("t2l_worker_queue_depth", "Requests waiting for a batch.");
  readonly rss = new Gauge("t2l_worker_resident_memory_bytes", "Resident set size of the worker process.", () => process.memoryUsage.rss());

  render(): string {
    const all: Metric[] = [this.requests, this.latency, this.batchSize, this.ortSeconds, this.adapters, this.queueDepth, this.rss];
    return `${all.map((m) => m.render()).join("\n")}\n`;
  }
}
