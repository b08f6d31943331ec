// Shared pieces of the signed-in view: the banner and the context each panel gets.

import { ApiError, describeError, type ApiClient } from "./api.js";
import { byId } from "./dom.js";

export interface PanelContext {
  api: ApiClient;
  /** Shows a problem in the page-level alert banner; `null` clears it if this panel put it there. */
  report: (error: unknown) => void;
  /** Confirms a finished action in the same banner. */
  announce: (message: string) => void;
}

type Tone = "error" | "warn" | "ok";

// Which panel the banner speaks for, so one panel's success does not hide another's problem.
let bannerOwner: string | null = null;

function showBanner(owner: string, message: string | null, tone: Tone): void {
  const banner = byId("banner", HTMLDivElement);
  banner.hidden = message === null;
  banner.className = `banner ${tone}`;
  banner.textContent = message ?? "";
  bannerOwner = message === null ? null : owner;
}

/** The context a panel gets: the shared client, and a banner voice of its own. */
export function panelContext(api: ApiClient, panel: string): PanelContext {
  return {
    api,
    report: (error) => {
      if (error === null) {
        if (bannerOwner === panel) showBanner(panel, null, "error");
        return;
      }
      showBanner(panel, describeError(error), error instanceof ApiError && error.status === 429 ? "warn" : "error");
    },
    announce: (message) => {
      showBanner(panel, message, "ok");
    },
  };
}

/** Disables a button while `work` runs, so a double click cannot send twice. */
export async function whileBusy<T>(button: HTMLButtonElement, work: () => Promise<T>): Promise<T> {
  button.disabled = true;
  try {
    return await work();
  } finally {
    button.disabled = false;
  }
}
