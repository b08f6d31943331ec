// The usage panel: range picker, summary tiles and four charts, all from one
// `GET /v1/usage` call per range.

import { createChart, type ChartPoint } from "./chart.js";
import { byId, h, replaceChildren } from "./dom.js";
import { formatBytes, formatCount, formatMilliseconds, formatPercent, formatTime } from "./format.js";
import { DAY_MS, HOUR_MS, bucketStart } from "./scale.js";
import type { UsageBucket, UsageResponse } from "./types.js";
import type { PanelContext } from "./view.js";

type RangeId = "24h" | "7d" | "30d";

const RANGES: Record<RangeId, { spanMs: number; granularity: "hour" | "day" }> = {
  "24h": { spanMs: DAY_MS, granularity: "hour" },
  "7d": { spanMs: 7 * DAY_MS, granularity: "hour" },
  "30d": { spanMs: 30 * DAY_MS, granularity: "day" },
};

export interface UsagePanel {
  refresh(): Promise<void>;
}

export function mountUsagePanel(context: PanelContext): UsagePanel {
  let range: RangeId = "24h";
  const picker = byId<HTMLDivElement>("range-picker");
  const refreshButton = byId<HTMLButtonElement>("refresh");
  const charts = byId<HTMLDivElement>("usage-charts");
  const updated = byId<HTMLSpanElement>("usage-updated");

  async function refresh(): Promise<void> {
    const { spanMs, granularity } = RANGES[range];
    const bucketMs = granularity === "hour" ? HOUR_MS : DAY_MS;
    // Whole buckets only, ending with the current (partial) one.
    const to = bucketStart(Date.now(), bucketMs) + bucketMs;
    const from = to - spanMs;
    charts.setAttribute("aria-busy", "true");
    refreshButton.disabled = true;
    try {
      const query = new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), granularity });
      const usage = await context.api.get<UsageResponse>(`/v1/usage?${query}`);
      render(usage, from, to, bucketMs);
      updated.textContent = `Updated ${formatTime(Date.now())} UTC`;
      context.report(null);
    } catch (error) {
      context.report(error);
    } finally {
      refreshButton.disabled = false;
      charts.setAttribute("aria-busy", "false");
    }
  }

  picker.addEventListener("click", (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>("button[data-range]");
    if (!button) return;
    range = button.dataset["range"] as RangeId;
    for (const option of picker.querySelectorAll<HTMLButtonElement>("button[data-range]")) {
      option.setAttribute("aria-pressed", String(option === button));
    }
    void refresh();
  });
  refreshButton.addEventListener("click", () => void refresh());

  return { refresh };
}

function render(usage: UsageResponse, from: number, to: number, bucketMs: number): void {
  const buckets = fillBuckets(usage.buckets, from, to, bucketMs);
  const series = (pick: (bucket: UsageBucket | undefined) => number | null): ChartPoint[] =>
    buckets.map(({ t, bucket }) => ({ t, v: pick(bucket) }));
  const totals = usage.totals;
  const lookups = totals.generations + totals.cache_hits;

  replaceChildren(
    byId("usage-tiles"),
    tile("tile-generations", "Generations", formatCount(totals.generations), "adapters produced by the GPU"),
    tile("tile-cache-hits", "Cache hits", formatCount(totals.cache_hits), lookups > 0 ? `${formatPercent(totals.cache_hits / lookups)} of requests` : "no requests yet"),
    tile("tile-bytes", "Bytes served", formatBytes(totals.bytes_served), `${formatCount(totals.downloads)} downloads`),
    tile("tile-latency", "Generation latency", totals.generation_ms_p50 === null ? "—" : formatMilliseconds(totals.generation_ms_p50), totals.generation_ms_p95 === null ? "median" : `median · p95 ${formatMilliseconds(totals.generation_ms_p95)}`),
  );

  const common = { from, to, bucketMs };
  replaceChildren(
    byId("usage-charts"),
    card(createChart({ ...common, id: "chart-generations", title: "Generations", kind: "bar", integer: true, format: formatCount, series: [{ name: "Generations", tone: "series-1", points: series((b) => b?.generations ?? 0) }] })),
    card(createChart({ ...common, id: "chart-cache-hits", title: "Cache hits", kind: "bar", integer: true, format: formatCount, series: [{ name: "Cache hits", tone: "series-2", points: series((b) => b?.cache_hits ?? 0) }] })),
    card(createChart({ ...common, id: "chart-bytes", title: "Bytes served", kind: "bar", integer: true, format: formatBytes, series: [{ name: "Bytes served", tone: "series-3", points: series((b) => b?.bytes_served ?? 0) }] })),
    card(
      createChart({
        ...common,
        id: "chart-latency",
        title: "Generation latency",
        kind: "line",
        integer: false,
        format: formatMilliseconds,
        series: [
          { name: "median", tone: "series-1", points: series((b) => b?.generation_ms_p50 ?? null) },
          { name: "p95", tone: "series-4", points: series((b) => b?.generation_ms_p95 ?? null) },
        ],
      }),
    ),
  );
}

/** One entry per bucket in [from, to); the API omits empty buckets. */
function fillBuckets(buckets: UsageBucket[], from: number, to: number, bucketMs: number): { t: number; bucket: UsageBucket | undefined }[] {
  const byStart = new Map(buckets.map((bucket) => [bucketStart(Date.parse(bucket.start), bucketMs), bucket]));
  const filled = [];
  for (let t = from; t < to; t += bucketMs) filled.push({ t, bucket: byStart.get(t) });
  return filled;
}

function tile(id: string, label: string, value: string, note: string): HTMLElement {
  return h("div", { class: "card tile", id, role: "group", "aria-labelledby": `${id}-label` }, h("p", { class: "tile-label", id: `${id}-label` }, label), h("p", { class: "tile-value" }, value), h("p", { class: "tile-note" }, note));
}

function card(content: HTMLElement): HTMLElement {
  return h("div", { class: "card" }, content);
}
