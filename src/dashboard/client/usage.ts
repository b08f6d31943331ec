// The usage panel: range picker, summary tiles and four charts, all from one
// `GET /v1/usage` call per range.

import { createChart, type ChartPoint } from "./chart.js";
import { byId, h, replaceChildren } from "./dom.js";
import { formatBytes, formatCount, formatDate, formatMilliseconds, formatPercent, formatTime } from "./format.js";
import { DAY_MS, HOUR_MS, bucketStart } from "./scale.js";
import type { UsageBucket, UsageResponse } from "./types.js";
import type { PanelContext } from "./view.js";

type RangeId = "24h" | "7d" | "30d";

const RANGES: Record<RangeId, { spanMs: number; granularity: "hour" | "day" }> = {
  "24h": { spanMs: DAY_MS, granularity: "hour" },
  "7d": { spanMs: 7 * DAY_MS, granularity: "hour" },
  "30d": { spanMs: 30 * DAY_MS, granularity: "day" },
};

const AUTO_REFRESH_MS = 60_000;

export interface UsagePanel {
  refresh(): Promise<void>;
}

export function mountUsagePanel(context: PanelContext): UsagePanel {
  let range: RangeId = "24h";
  const picker = byId("range-picker", HTMLDivElement);
  const refreshButton = byId("refresh", HTMLButtonElement);
  const charts = byId("usage-charts", HTMLDivElement);
  const updated = byId("usage-updated", HTMLSpanElement);

  // Only the latest request may draw: a slow reply for an older range must not overwrite a newer one.
  let latest = 0;

  async function refresh(): Promise<void> {
    const ticket = ++latest;
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
      if (ticket !== latest) return;
      render(usage, bucketMs);
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
  // Live enough for an operator watching a launch, and only while someone is looking.
  window.setInterval(() => {
    if (document.visibilityState === "visible") void refresh();
  }, AUTO_REFRESH_MS);

  return { refresh };
}

type Totals = Omit<UsageBucket, "start">;

/** Mean GPU time per generation; no generations means no latency (a gap, not zero). */
function meanLatency(bucket: Totals): number | null {
  return bucket.generations > 0 ? bucket.gpu_ms / bucket.generations : null;
}

function render(usage: UsageResponse, bucketMs: number): void {
  const buckets = usage.series;
  const points = (pick: (bucket: UsageBucket) => number | null): ChartPoint[] => buckets.map((bucket) => ({ t: Date.parse(bucket.start), v: pick(bucket) }));
  const totals = usage.totals;
  const requests = totals.generations + totals.cache_hits;
  const latency = meanLatency(totals);
  const peakLatency = Math.max(0, ...buckets.map((bucket) => meanLatency(bucket) ?? 0));

  renderQuota(usage.quota);
  replaceChildren(
    byId("usage-tiles", HTMLElement),
    tile("tile-generations", "Generations", formatCount(totals.generations), "adapters made by the GPU"),
    tile("tile-cache-hits", "Cache hits", formatCount(totals.cache_hits), requests > 0 ? `${formatPercent(totals.cache_hits / requests)} of adapter requests` : "no adapter requests"),
    tile("tile-bytes", "Bytes served", formatBytes(totals.bytes_downloaded), `${formatCount(totals.downloads)} downloads · ${formatBytes(totals.bytes_generated)} generated`),
    tile("tile-latency", "Generation latency", latency === null ? "—" : formatMilliseconds(latency), latency === null ? "no generations" : `mean GPU time · slowest bucket ${formatMilliseconds(peakLatency)}`),
  );

  const first = buckets[0] ? Date.parse(buckets[0].start) : Date.now();
  const common = { from: first, to: first + buckets.length * bucketMs, bucketMs };
  const charts = byId("usage-charts", HTMLElement);
  // The minute refresh must not snap shut a data table someone is reading.
  const openTables = [...charts.querySelectorAll("figure:has(details[open])")].map((figure) => figure.id);
  replaceChildren(
    charts,
    card(createChart({ ...common, id: "chart-generations", title: "Generations", kind: "bar", integer: true, format: formatCount, series: [{ name: "Generations", tone: "series-1", points: points((b) => b.generations) }] })),
    card(createChart({ ...common, id: "chart-cache-hits", title: "Cache hits", kind: "bar", integer: true, format: formatCount, series: [{ name: "Cache hits", tone: "series-2", points: points((b) => b.cache_hits) }] })),
    card(createChart({ ...common, id: "chart-bytes", title: "Bytes served", kind: "bar", integer: true, format: formatBytes, series: [{ name: "Bytes served", tone: "series-3", points: points((b) => b.bytes_downloaded) }] })),
    card(createChart({ ...common, id: "chart-latency", title: "Generation latency (mean GPU time)", kind: "line", integer: false, format: formatMilliseconds, series: [{ name: "Mean latency", tone: "series-4", points: points(meanLatency) }] })),
  );
  for (const id of openTables) charts.querySelector(`#${id} details`)?.setAttribute("open", "");
}

function renderQuota(quota: UsageResponse["quota"]): void {
  const used = Math.min(quota.used_this_month, quota.monthly_generations);
  const resets = formatDate(Date.parse(quota.resets_at));
  replaceChildren(
    byId("usage-quota", HTMLElement),
    h("label", { for: "quota-meter" }, `Plan ${quota.plan}: ${formatCount(quota.used_this_month)} of ${formatCount(quota.monthly_generations)} generations this month`),
    h("meter", { id: "quota-meter", min: 0, max: Math.max(1, quota.monthly_generations), low: quota.monthly_generations * 0.8, high: quota.monthly_generations * 0.95, optimum: 0, value: used }),
    h("span", { class: "hint" }, `resets ${resets}`),
  );
}

function tile(id: string, label: string, value: string, note: string): HTMLElement {
  return h("div", { class: "card tile", id, role: "group", "aria-labelledby": `${id}-label` }, h("p", { class: "tile-label", id: `${id}-label` }, label), h("p", { class: "tile-value" }, value), h("p", { class: "tile-note" }, note));
}

function card(content: HTMLElement): HTMLElement {
  return h("div", { class: "card" }, content);
}
