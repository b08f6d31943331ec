// The adapter list: what each adapter is, its file URLs to copy, and code to
// load it with PEFT or vLLM.

import { copyWithFeedback } from "./clipboard.js";
import { byId, cell, h, replaceChildren } from "./dom.js";
import { formatBytes, formatDateTime, formatMilliseconds, formatRelative } from "./format.js";
import { peftSnippet, vllmSnippet } from "./snippets.js";
import type { AdapterList, AdapterRecord } from "./types.js";
import { whileBusy, type PanelContext } from "./view.js";

const PAGE_SIZE = 20;
const COLUMNS = 5;

export interface AdaptersPanel {
  refresh(): Promise<void>;
}

export function mountAdaptersPanel(context: PanelContext): AdaptersPanel {
  const container = byId("adapter-list", HTMLDivElement);
  const count = byId("adapters-count", HTMLSpanElement);
  let loaded: AdapterRecord[] = [];
  let nextCursor: string | null = null;

  async function load(cursor: string | null): Promise<void> {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (cursor) query.set("after", cursor);
    const page = await context.api.get<AdapterList>(`/v1/adapters?${query}`);
    loaded = cursor ? [...loaded, ...page.data] : page.data;
    nextCursor = page.next_after;
  }

  function render(): void {
    count.textContent = loaded.length === 0 ? "" : `${loaded.length}${nextCursor ? "+" : ""} shown`;
    if (loaded.length === 0) {
      replaceChildren(container, h("p", { class: "empty-state" }, "No adapters yet. Create one with ", h("code", {}, "POST /v1/adapters"), "."));
      return;
    }
    const more = nextCursor
      ? h("button", { type: "button", class: "small", id: "adapters-more" }, "Load more")
      : null;
    more?.addEventListener("click", () => {
      void whileBusy(more, async () => {
        try {
          await load(nextCursor);
          render();
        } catch (error) {
          context.report(error);
        }
      });
    });
    replaceChildren(
      container,
      h(
        "div",
        { class: "table-scroll" },
        h(
          "table",
          { class: "responsive" },
          h("caption", { class: "visually-hidden" }, "Adapters, oldest first"),
          h("thead", {}, h("tr", {}, ...["Description", "Bundle", "Size", "Created", "Files"].map((name) => h("th", { scope: "col", class: name === "Size" ? "num" : null }, name)))),
          h("tbody", {}, ...loaded.flatMap(adapterRows)),
        ),
      ),
      more,
    );
  }

  async function refresh(): Promise<void> {
    container.setAttribute("aria-busy", "true");
    try {
      await load(null);
      render();
    } catch (error) {
      replaceChildren(container, h("p", { class: "empty-state" }, "Adapters could not be loaded."));
      context.report(error);
    } finally {
      container.setAttribute("aria-busy", "false");
    }
  }

  return { refresh };
}

function adapterRows(adapter: AdapterRecord): HTMLTableRowElement[] {
  const snippetRow = h("tr", { class: "snippet-row", id: `snippet-${adapter.id}`, hidden: true }, h("td", { colspan: COLUMNS }, snippetPanel(adapter)));
  const toggle = h("button", { type: "button", class: "small", "aria-expanded": "false", "aria-controls": snippetRow.id }, "Load snippet");
  toggle.addEventListener("click", () => {
    snippetRow.hidden = !snippetRow.hidden;
    toggle.setAttribute("aria-expanded", String(!snippetRow.hidden));
    toggle.textContent = snippetRow.hidden ? "Load snippet" : "Hide snippet";
  });
  const expiry = adapter.files_expire_at === null ? "" : ` (signed; expires ${formatDateTime(Date.parse(adapter.files_expire_at))} UTC)`;
  const fileButtons = Object.entries(adapter.files).flatMap(([name, url]) => {
    if (url === undefined) return [];
    const button = h("button", { type: "button", class: "small", title: `${name}${expiry}`, "aria-label": `Copy URL of ${name}${expiry}` }, `Copy ${name.endsWith(".json") ? "config" : "weights"} URL`);
    button.addEventListener("click", () => {
      void copyWithFeedback(button, url);
    });
    return [button];
  });
  const ready = adapter.status === "ready";
  const row = h(
    "tr",
    { "data-adapter-id": adapter.id },
    cell(
      "Description",
      {},
      h("div", { class: "description" }, adapter.description),
      h("div", { class: "hint" }, h("code", {}, adapter.id), " ", ready ? null : h("span", { class: "pill" }, adapter.status), adapter.visibility === "public" ? h("span", { class: "pill" }, "public") : null),
    ),
    cell("Bundle", {}, h("code", {}, adapter.bundle)),
    cell("Size", { class: "num" }, adapter.bytes === null ? "—" : formatBytes(adapter.bytes), adapter.generation_ms === null ? null : h("div", { class: "hint" }, `made in ${formatMilliseconds(adapter.generation_ms)}`)),
    cell("Created", {}, h("time", { datetime: adapter.created_at, title: `${formatDateTime(Date.parse(adapter.created_at))} UTC` }, formatRelative(Date.parse(adapter.created_at)))),
    cell("Files", {}, ready ? h("div", { class: "actions" }, ...fileButtons, toggle) : h("span", { class: "hint" }, "generating…")),
  );
  return [row, snippetRow];
}

function snippetPanel(adapter: AdapterRecord): HTMLElement {
  const input = { apiOrigin: location.origin, adapterId: adapter.id };
  const variants = [
    { id: "peft", label: "PEFT", code: peftSnippet(input) },
    { id: "vllm", label: "vLLM", code: vllmSnippet(input) },
  ];
  const tabs = variants.map((variant, index) =>
    h("button", { type: "button", role: "tab", id: `tab-${variant.id}-${adapter.id}`, "aria-selected": String(index === 0), "aria-controls": `panel-${variant.id}-${adapter.id}`, tabindex: index === 0 ? 0 : -1 }, variant.label),
  );
  const panels = variants.map((variant, index) => {
    const copy = h("button", { type: "button", class: "small copy", "aria-label": `Copy ${variant.label} snippet` }, "Copy");
    copy.addEventListener("click", () => {
      void copyWithFeedback(copy, variant.code);
    });
    return h(
      "div",
      { role: "tabpanel", id: `panel-${variant.id}-${adapter.id}`, "aria-labelledby": `tab-${variant.id}-${adapter.id}`, hidden: index !== 0, class: "code-block" },
      h("pre", { tabindex: 0 }, h("code", {}, variant.code)),
      copy,
    );
  });
  const pairs = tabs.map((tab, index) => ({ tab, panel: panels[index] }));
  const select = (index: number): void => {
    pairs.forEach(({ tab, panel }, i) => {
      tab.setAttribute("aria-selected", String(i === index));
      tab.tabIndex = i === index ? 0 : -1;
      if (panel) panel.hidden = i !== index;
      if (i === index) tab.focus();
    });
  };
  tabs.forEach((tab, index) => {
    tab.addEventListener("click", () => {
      select(index);
    });
    // Arrow keys move between tabs (WAI-ARIA tabs pattern).
    tab.addEventListener("keydown", (event) => {
      if (event.key === "ArrowRight") select((index + 1) % tabs.length);
      if (event.key === "ArrowLeft") select((index - 1 + tabs.length) % tabs.length);
    });
  });
  return h(
    "div",
    { class: "snippet" },
    h("p", { class: "hint" }, "Set ", h("code", {}, "T2L_API_KEY"), " in the environment; the snippet fetches fresh signed file URLs, so it keeps working after the links above expire."),
    h("div", { role: "tablist", "aria-label": "Load with" }, ...tabs),
    ...panels,
  );
}
