// Entry point: sign in with a tenant key, then mount the usage, adapter and key
// panels. Any 401 drops the key and returns to sign-in with the reason.

import { mountAdaptersPanel } from "./adapters.js";
import { ApiError, createApiClient, describeError } from "./api.js";
import { byId } from "./dom.js";
import { mountKeysPanel } from "./keys.js";
import { clearKey, keyPrefix, loadKey, saveKey } from "./session.js";
import { mountUsagePanel } from "./usage.js";
import { bannerFor, showBanner, type PanelContext } from "./view.js";

const signinView = byId("signin-view", HTMLElement);
const dashboardView = byId("dashboard-view", HTMLElement);
const signinForm = byId("signin-form", HTMLFormElement);
const signinError = byId("signin-error", HTMLDivElement);
const keyInput = byId("api-key", HTMLInputElement);
const signinSubmit = byId("signin-submit", HTMLButtonElement);

function showSignIn(message: string | null): void {
  dashboardView.hidden = true;
  byId("session", HTMLElement).hidden = true;
  signinView.hidden = false;
  signinError.hidden = message === null;
  signinError.textContent = message ?? "";
  keyInput.value = "";
  keyInput.focus();
}

function signOut(message: string | null): void {
  clearKey();
  // A reload is the simplest way to drop every panel, listener and pending request of the old key.
  if (message === null) location.reload();
  else showSignIn(message);
}

/** Probes the key with the call the page needs most; 401/403 become a sign-in message. */
async function signIn(key: string): Promise<void> {
  const api = createApiClient(key, () => undefined);
  try {
    await api.get("/v1/usage?granularity=day");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) throw new Error("That key was not accepted. Check it was copied whole and has not been revoked.", { cause: error });
    if (error instanceof ApiError && error.code === "insufficient_scope") throw new Error("That key cannot read usage: it needs the usage:read scope.", { cause: error });
    throw new Error(describeError(error), { cause: error });
  }
}

let signedIn = false;

function enterDashboard(key: string): void {
  if (signedIn) return;
  signedIn = true;
  const api = createApiClient(key, () => {
    signedIn = false;
    signOut("Your session ended: the key was rejected (revoked or expired). Sign in with a valid key.");
  });
  const context: PanelContext = {
    api,
    report: bannerFor,
    announce: (message) => {
      showBanner(message, "ok");
    },
  };
  signinView.hidden = true;
  dashboardView.hidden = false;
  byId("session", HTMLElement).hidden = false;
  byId("session-key", HTMLElement).textContent = `${keyPrefix(key)}…`;

  const usage = mountUsagePanel(context);
  const adapters = mountAdaptersPanel(context);
  const keys = mountKeysPanel(context, keyPrefix(key), () => {
    signOut("You revoked the key this session was using. Sign in with another key.");
  });
  void usage.refresh();
  void adapters.refresh();
  void keys.refresh();
}

byId("sign-out", HTMLButtonElement).addEventListener("click", () => {
  signOut(null);
});

signinForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const key = keyInput.value.trim();
  if (key === "") {
    showSignIn("Enter an API key.");
    return;
  }
  signinSubmit.disabled = true;
  signIn(key)
    .then(() => {
      saveKey(key);
      keyInput.value = "";
      enterDashboard(key);
    })
    .catch((error: unknown) => {
      signinError.hidden = false;
      signinError.textContent = error instanceof Error ? error.message : String(error);
      keyInput.select();
    })
    .finally(() => {
      signinSubmit.disabled = false;
    });
});

const stored = loadKey();
if (stored) enterDashboard(stored);
else showSignIn(null);
