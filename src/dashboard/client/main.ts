// Entry point: sign in with a tenant key, ask the API who that key is, then mount
// the panels its scopes allow. Every session starts from a freshly loaded page,
// so no listener or pending request of an earlier key can survive a sign-out.

import { mountAdaptersPanel } from "./adapters.js";
import { ApiError, createApiClient, describeError } from "./api.js";
import { byId, h } from "./dom.js";
import { mountKeysPanel } from "./keys.js";
import { clearKey, keyPrefix, loadKey, saveKey, takeNotice, leaveNotice } from "./session.js";
import type { Me } from "./types.js";
import { mountUsagePanel } from "./usage.js";
import { panelContext } from "./view.js";

const signinView = byId("signin-view", HTMLElement);
const signinForm = byId("signin-form", HTMLFormElement);
const signinError = byId("signin-error", HTMLDivElement);
const keyInput = byId("api-key", HTMLInputElement);
const signinSubmit = byId("signin-submit", HTMLButtonElement);

function showSignIn(message: string | null): void {
  signinView.hidden = false;
  signinError.hidden = message === null;
  signinError.textContent = message ?? "";
  keyInput.focus();
}

/** Drops the key and starts over; `notice` is shown on the fresh sign-in form. */
function signOut(notice: string | null): void {
  clearKey();
  if (notice !== null) leaveNotice(notice);
  location.reload();
}

/** Who the key is (any valid key may ask); a rejected key becomes a sign-in message. */
async function whoAmI(key: string): Promise<Me> {
  try {
    return await createApiClient(key, () => undefined).get<Me>("/v1/me");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      throw new Error("That key was not accepted. Check it was copied whole and has not been revoked or expired.", { cause: error });
    }
    throw new Error(describeError(error), { cause: error });
  }
}

function enterDashboard(key: string, me: Me): void {
  const api = createApiClient(key, () => {
    signOut("Your session ended: the key was rejected (revoked or expired). Sign in with a valid key.");
  });
  signinView.hidden = true;
  byId("dashboard-view", HTMLElement).hidden = false;
  byId("session", HTMLElement).hidden = false;
  byId("session-tenant", HTMLElement).textContent = me.tenant_id;
  byId("session-key", HTMLElement).textContent = `${keyPrefix(key)}…`;

  const can = (scope: string): boolean => me.scopes.includes(scope);
  if (can("usage:read")) void mountUsagePanel(panelContext(api, "usage")).refresh();
  else lockSection("usage", "usage:read", "usage cannot be shown");
  if (can("adapters:read")) void mountAdaptersPanel(panelContext(api, "adapters")).refresh();
  else lockSection("adapters", "adapters:read", "adapters cannot be listed");
  if (can("keys:manage")) {
    void mountKeysPanel(panelContext(api, "keys"), me, () => {
      signOut("You revoked the key this session was using. Sign in with another key.");
    }).refresh();
  } else {
    lockSection("keys", "keys:manage", "keys cannot be listed or created");
  }
}

/** Replaces a panel's body with what is missing, rather than letting its calls fail. */
function lockSection(id: string, scope: string, consequence: string): void {
  const section = byId(id, HTMLElement);
  for (const child of section.querySelectorAll<HTMLElement>(":scope > :not(.panel-head), .panel-head > :not(h2)")) child.hidden = true;
  section.append(h("p", { class: "card locked" }, "This key lacks the ", h("code", {}, scope), ` scope, so ${consequence}. Sign in with a key that has it.`));
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
  whoAmI(key)
    .then((me) => {
      saveKey(key);
      keyInput.value = "";
      enterDashboard(key, me);
    })
    .catch((error: unknown) => {
      showSignIn(error instanceof Error ? error.message : String(error));
      keyInput.select();
    })
    .finally(() => {
      signinSubmit.disabled = false;
    });
});

const stored = loadKey();
const notice = takeNotice();
if (stored === null) {
  showSignIn(notice);
} else {
  // A reload keeps the session (sessionStorage), but the key is checked again.
  whoAmI(stored).then(
    (me) => {
      enterDashboard(stored, me);
    },
    (error: unknown) => {
      clearKey();
      showSignIn(error instanceof Error ? error.message : String(error));
    },
  );
}
