// Shared pieces of the signed-in view: the banner and the context each panel gets.

import { ApiError, describeError, type ApiClient } from "./api.js";
import { byId } from "./dom.js";

export interface PanelContext {
  api: ApiClient;
  /** Shows a problem (or clears it with `null`) in the page-level alert banner. */
  report: (error: unknown) => void;
  /** Confirms a finished action in the same banner. */
  announce: (message: string) => void;
}

export function showBanner(message: string | null, tone: "error" | "warn" | "ok" = "error"): void {
  const banner = byId("banner", HTMLDivElement);
  banner.hidden = message === null;
  banner.className = `banner ${tone}`;
  banner.textContent = message ?? "";
}

export function bannerFor(error: unknown): void {
  if (error === null) {
    showBanner(null);
    return;
  }
  const rateLimited = error instanceof ApiError && error.status === 429;
  showBanner(describeError(error), rateLimited ? "warn" : "error");
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
