// A small time-series chart drawn as SVG: bars for counts, a line for rates.
// Redrawn at the container's real width so labels keep their size on phones.

import { h, replaceChildren, s } from "./dom.js";
import { formatDate, formatDateTime, formatTime } from "./format.js";
import { DAY_MS, timeTicks, valueTicks } from "./scale.js";

export interface ChartPoint {
  /** Bucket start, epoch ms. */
  t: number;
  /** `null` is a gap (e.g. no generations, so no latency), drawn as a break in the line. */
  v: number | null;
}

export interface ChartSeries {
  name: string;
  points: ChartPoint[];
  /** CSS class that colours the series (`series-1`, `series-2`, ...). */
  tone: string;
}

export interface ChartSpec {
  id: string;
  title: string;
  kind: "bar" | "line";
  series: ChartSeries[];
  from: number;
  to: number;
  bucketMs: number;
  format: (value: number) => string;
  /** Whole-number axis steps (counts). */
  integer: boolean;
}

const HEIGHT = 200;
const MARGIN = { top: 12, right: 12, bottom: 26, left: 56 };

/** A `<figure>` holding the chart, its legend, a tooltip and a data table for screen readers. */
export function createChart(spec: ChartSpec): HTMLElement {
  const titleId = `${spec.id}-title`;
  const canvas = h("div", { class: "chart-canvas" });
  const tooltip = h("div", { class: "chart-tooltip", role: "status", "aria-live": "off", hidden: true });
  const figure = h(
    "figure",
    { class: "chart", id: spec.id, "aria-labelledby": titleId, "data-kind": spec.kind },
    h("figcaption", { id: titleId, class: "chart-title" }, spec.title),
    spec.series.length > 1 ? legend(spec.series) : null,
    canvas,
    tooltip,
    dataTable(spec),
  );

  let lastWidth = 0;
  const observer = new ResizeObserver(() => {
    draw();
  });
  function draw(): void {
    // A replaced chart (new range, refresh) reports one last resize to zero on removal.
    if (!canvas.isConnected) {
      observer.disconnect();
      return;
    }
    const width = Math.max(260, Math.floor(canvas.clientWidth));
    if (width === lastWidth) return;
    lastWidth = width;
    replaceChildren(canvas, drawSvg(spec, width, tooltip, summarize(spec)));
  }
  observer.observe(canvas);
  return figure;
}

function legend(series: ChartSeries[]): HTMLElement {
  return h(
    "ul",
    { class: "chart-legend", "aria-hidden": "true" },
    ...series.map((entry) => h("li", { class: entry.tone }, h("span", { class: "swatch" }), entry.name)),
  );
}

function summarize(spec: ChartSpec): string {
  const parts = spec.series.map((series) => {
    const values = series.points.map((p) => p.v).filter((v): v is number => v !== null);
    if (values.length === 0) return `${series.name}: no data`;
    const peak = Math.max(...values);
    const total = values.reduce((sum, v) => sum + v, 0);
    return spec.kind === "bar"
      ? `${series.name}: ${spec.format(total)} in total, peak ${spec.format(peak)} per bucket`
      : `${series.name}: peak ${spec.format(peak)}`;
  });
  return `${spec.title}, ${formatDateTime(spec.from)} to ${formatDateTime(spec.to)}. ${parts.join("; ")}.`;
}

function drawSvg(spec: ChartSpec, width: number, tooltip: HTMLElement, label: string): SVGSVGElement {
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slots = Math.max(1, Math.round((spec.to - spec.from) / spec.bucketMs));
  const slotWidth = plotWidth / slots;
  const x = (t: number): number => MARGIN.left + ((t - spec.from) / (spec.to - spec.from)) * plotWidth;
  const max = Math.max(0, ...spec.series.flatMap((series) => series.points.map((p) => p.v ?? 0)));
  const ticks = valueTicks(max, spec.integer);
  const top = ticks[ticks.length - 1] ?? 1;
  const y = (v: number): number => MARGIN.top + plotHeight - (v / top) * plotHeight;

  const svg = s("svg", {
    class: "chart-svg",
    width,
    height: HEIGHT,
    viewBox: `0 0 ${width} ${HEIGHT}`,
    role: "img",
    "aria-label": label,
  });

  for (const tick of ticks) {
    svg.append(
      s("line", { class: "grid", x1: MARGIN.left, x2: width - MARGIN.right, y1: y(tick), y2: y(tick) }),
      s("text", { class: "axis-label", x: MARGIN.left - 8, y: y(tick), "text-anchor": "end", "dominant-baseline": "middle" }, spec.format(tick)),
    );
  }
  const daily = spec.bucketMs >= DAY_MS;
  for (const tick of timeTicks(spec.from, spec.to, Math.max(2, Math.floor(plotWidth / 90)), spec.bucketMs)) {
    const text = daily || tick % DAY_MS === 0 ? formatDate(tick) : formatTime(tick);
    svg.append(
      s("line", { class: "tick", x1: x(tick), x2: x(tick), y1: MARGIN.top + plotHeight, y2: MARGIN.top + plotHeight + 4 }),
      s("text", { class: "axis-label", x: x(tick), y: HEIGHT - 6, "text-anchor": "middle" }, text),
    );
  }
  svg.append(s("line", { class: "baseline", x1: MARGIN.left, x2: width - MARGIN.right, y1: y(0), y2: y(0) }));

  if (max === 0) {
    svg.append(
      s("text", { class: "chart-empty", x: MARGIN.left + plotWidth / 2, y: MARGIN.top + plotHeight / 2, "text-anchor": "middle" }, "No activity in this range"),
    );
  } else if (spec.kind === "bar") {
    drawBars(svg, spec, x, y, slotWidth);
  } else {
    drawLines(svg, spec, x, y, slotWidth);
  }

  const guide = s("line", { class: "guide", y1: MARGIN.top, y2: MARGIN.top + plotHeight, visibility: "hidden" });
  const overlay = s("rect", { class: "overlay", x: MARGIN.left, y: MARGIN.top, width: plotWidth, height: plotHeight });
  svg.append(guide, overlay);
  overlay.addEventListener("pointermove", (event) => {
    const box = svg.getBoundingClientRect();
    const slot = Math.min(slots - 1, Math.max(0, Math.floor((event.clientX - box.left - MARGIN.left) / slotWidth)));
    const start = spec.from + slot * spec.bucketMs;
    const center = x(start) + slotWidth / 2;
    guide.setAttribute("x1", String(center));
    guide.setAttribute("x2", String(center));
    guide.setAttribute("visibility", "visible");
    showTooltip(tooltip, spec, start, center, width);
  });
  overlay.addEventListener("pointerleave", () => {
    guide.setAttribute("visibility", "hidden");
    tooltip.hidden = true;
  });
  return svg;
}

function drawBars(svg: SVGSVGElement, spec: ChartSpec, x: (t: number) => number, y: (v: number) => number, slotWidth: number): void {
  const groupWidth = Math.max(1, slotWidth * 0.8);
  const barWidth = groupWidth / spec.series.length;
  spec.series.forEach((series, index) => {
    const group = s("g", { class: `bars ${series.tone}` });
    for (const point of series.points) {
      if (!point.v) continue;
      const left = x(point.t) + (slotWidth - groupWidth) / 2 + index * barWidth;
      const height = Math.max(1, y(0) - y(point.v));
      group.append(s("rect", { x: left, y: y(0) - height, width: Math.max(1, barWidth - 0.5), height, rx: barWidth > 6 ? 2 : 0 }));
    }
    svg.append(group);
  });
}

function drawLines(svg: SVGSVGElement, spec: ChartSpec, x: (t: number) => number, y: (v: number) => number, slotWidth: number): void {
  for (const series of spec.series) {
    let path = "";
    let penDown = false;
    const dots = s("g", { class: `dots ${series.tone}` });
    for (const point of series.points) {
      if (point.v === null) {
        penDown = false;
        continue;
      }
      const px = x(point.t) + slotWidth / 2;
      const py = y(point.v);
      path += `${penDown ? "L" : "M"}${px.toFixed(1)},${py.toFixed(1)}`;
      penDown = true;
      // Isolated points would be invisible as a path of one vertex.
      dots.append(s("circle", { cx: px, cy: py, r: 2.5 }));
    }
    svg.append(s("path", { class: `line ${series.tone}`, d: path }), dots);
  }
}

function showTooltip(tooltip: HTMLElement, spec: ChartSpec, start: number, center: number, width: number): void {
  const rows = spec.series.map((series) => {
    const point = series.points.find((p) => p.t === start);
    const value = point?.v;
    return h("div", { class: `tooltip-row ${series.tone}` }, h("span", { class: "swatch" }), `${series.name}: `, h("strong", {}, value === null || value === undefined ? "—" : spec.format(value)));
  });
  const label = spec.bucketMs >= DAY_MS ? formatDate(start) : `${formatDateTime(start)}–${formatTime(start + spec.bucketMs)}`;
  replaceChildren(tooltip, h("div", { class: "tooltip-time" }, label), ...rows);
  tooltip.hidden = false;
  // Keep the tooltip inside the chart: flip to the left of the guide past the middle.
  const onRight = center < width / 2;
  tooltip.style.left = onRight ? `${center + 12}px` : "";
  tooltip.style.right = onRight ? "" : `${width - center + 12}px`;
}

function dataTable(spec: ChartSpec): HTMLElement {
  const times = spec.series[0]?.points.map((p) => p.t) ?? [];
  return h(
    "details",
    { class: "chart-data" },
    h("summary", {}, "Show data"),
    h(
      "div",
      { class: "table-scroll" },
      h(
        "table",
        {},
        h("caption", { class: "visually-hidden" }, spec.title),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Time"), ...spec.series.map((series) => h("th", { scope: "col" }, series.name)))),
        h(
          "tbody",
          {},
          ...times.map((t, row) =>
            h(
              "tr",
              {},
              h("th", { scope: "row" }, spec.bucketMs >= DAY_MS ? formatDate(t) : formatDateTime(t)),
              ...spec.series.map((series) => {
                const value = series.points[row]?.v;
                return h("td", {}, value === null || value === undefined ? "—" : spec.format(value));
              }),
            ),
          ),
        ),
      ),
    ),
  );
}
