// Key management: list the tenant's keys, create one (its secret is shown once,
// here, and kept nowhere), revoke one after an explicit confirmation.

import { copyWithFeedback } from "./clipboard.js";
import { byId, cell, h, replaceChildren } from "./dom.js";
import { formatDateTime, formatRelative } from "./format.js";
import type { ApiKeyRecord, CreatedKey, KeyList, Me } from "./types.js";
import { whileBusy, type PanelContext } from "./view.js";

const SCOPES = [
  { id: "adapters:read", label: "Read adapters", preset: true },
  { id: "adapters:write", label: "Create adapters", preset: true },
  { id: "usage:read", label: "Read usage", preset: true },
  { id: "keys:manage", label: "Manage keys", preset: false },
] as const;

export interface KeysPanel {
  refresh(): Promise<void>;
}

export function mountKeysPanel(context: PanelContext, me: Me, onOwnKeyRevoked: () => void): KeysPanel {
  const form = byId("key-form", HTMLFormElement);
  const nameInput = byId("key-name", HTMLInputElement);
  const createButton = byId("key-create", HTMLButtonElement);
  const list = byId("key-list", HTMLDivElement);
  const newKey = byId("new-key", HTMLDivElement);
  const scopeBoxes = renderScopeChoices(byId("key-scopes", HTMLFieldSetElement), me.scopes);
  const showRevoked = byId("show-revoked", HTMLInputElement);
  showRevoked.addEventListener("change", () => void refresh());

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const name = nameInput.value.trim();
    const scopes = scopeBoxes.filter((box) => box.checked).map((box) => box.value);
    if (name === "") {
      fieldError(nameInput, "Give the key a name, e.g. the app that will use it.");
      return;
    }
    if (scopes.length === 0) {
      fieldError(nameInput, "Choose at least one scope.");
      return;
    }
    fieldError(nameInput, null);
    void whileBusy(createButton, async () => {
      try {
        const created = await context.api.post<CreatedKey>("/v1/keys", { name, scopes });
        form.reset();
        presetScopes(scopeBoxes);
        showSecretOnce(newKey, created);
        context.report(null);
        await refresh();
      } catch (error) {
        context.report(error);
      }
    });
  });

  async function refresh(): Promise<void> {
    list.setAttribute("aria-busy", "true");
    try {
      const query = new URLSearchParams({ limit: "100", include_revoked: String(showRevoked.checked) });
      const keys = await context.api.get<KeyList>(`/v1/keys?${query}`);
      // 100 is the API's page limit; a tenant with more keys is told, not silently cut off.
      const more = keys.next_after === null ? null : h("p", { class: "hint" }, `Showing the first ${keys.data.length} keys.`);
      replaceChildren(list, keyTable(keys.data), more);
    } catch (error) {
      replaceChildren(list, h("p", { class: "empty-state" }, "Keys could not be loaded."));
      context.report(error);
    } finally {
      list.setAttribute("aria-busy", "false");
    }
  }

  function keyTable(keys: ApiKeyRecord[]): HTMLElement {
    if (keys.length === 0) return h("p", { class: "empty-state" }, "No keys.");
    return h(
      "div",
      { class: "table-scroll" },
      h(
        "table",
        { class: "responsive", id: "key-table" },
        h("caption", { class: "visually-hidden" }, "API keys of this tenant"),
        h("thead", {}, h("tr", {}, ...["Name", "Key", "Scopes", "Created", "Status", ""].map((name) => h("th", { scope: "col" }, name === "" ? h("span", { class: "visually-hidden" }, "Actions") : name)))),
        h("tbody", {}, ...keys.map(keyRow)),
      ),
    );
  }

  function keyRow(key: ApiKeyRecord): HTMLTableRowElement {
    const own = key.id === me.key_id;
    const revoked = key.revoked_at !== null;
    const expired = !revoked && key.expires_at !== null && Date.parse(key.expires_at) <= Date.now();
    const status = revoked ? h("span", { class: "pill off" }, "Revoked") : expired ? h("span", { class: "pill off" }, "Expired") : h("span", { class: "pill ok" }, "Active");
    return h(
      "tr",
      { "data-key-id": key.id },
      cell("Name", {}, key.name, own ? h("span", { class: "hint" }, " (this session)") : null),
      cell("Key", {}, h("code", {}, `${key.prefix}…`)),
      cell("Scopes", {}, key.scopes.join(", ")),
      cell("Created", {}, h("time", { datetime: key.created_at, title: `${formatDateTime(Date.parse(key.created_at))} UTC` }, formatRelative(Date.parse(key.created_at)))),
      cell("Status", {}, status),
      cell("Actions", {}, revoked ? null : revokeControl(key, own)),
    );
  }

  // Two steps in place of window.confirm: keyboard- and screen-reader-friendly, and cancellable.
  function revokeControl(key: ApiKeyRecord, own: boolean): HTMLElement {
    const cell = h("div", { class: "actions" });
    const start = h("button", { type: "button", class: "small danger", "aria-label": `Revoke key ${key.name}` }, "Revoke");
    start.addEventListener("click", () => {
      const confirm = h("button", { type: "button", class: "small danger confirm" }, own ? "Revoke and sign out" : "Confirm revoke");
      const cancel = h("button", { type: "button", class: "small" }, "Cancel");
      cancel.addEventListener("click", () => {
        replaceChildren(cell, start);
        start.focus();
      });
      confirm.addEventListener("click", () =>
        void whileBusy(confirm, async () => {
          try {
            await context.api.delete(`/v1/keys/${encodeURIComponent(key.id)}`);
            if (own) {
              onOwnKeyRevoked();
              return;
            }
            context.announce(`Key “${key.name}” (${key.prefix}…) revoked. Requests with it now fail with 401.`);
            await refresh();
          } catch (error) {
            context.report(error);
          }
        }),
      );
      replaceChildren(cell, confirm, cancel);
      confirm.focus();
    });
    cell.append(start);
    return cell;
  }

  return { refresh };
}

// A key can only grant scopes it holds itself (the API refuses escalation), so the others are shown disabled.
function renderScopeChoices(fieldset: HTMLFieldSetElement, grantable: string[]): HTMLInputElement[] {
  const boxes = SCOPES.map((scope) => {
    const allowed = grantable.includes(scope.id);
    const box = h("input", { type: "checkbox", name: "scope", value: scope.id, id: `scope-${scope.id.replace(":", "-")}`, disabled: !allowed });
    fieldset.append(h("label", { for: box.id, title: allowed ? null : "The key you signed in with does not hold this scope, so it cannot grant it." }, box, ` ${scope.label} `, h("code", {}, scope.id)));
    return box;
  });
  presetScopes(boxes);
  return boxes;
}

function presetScopes(boxes: HTMLInputElement[]): void {
  for (const box of boxes) box.checked = !box.disabled && (SCOPES.find((scope) => scope.id === box.value)?.preset ?? false);
}

function fieldError(input: HTMLInputElement, message: string | null): void {
  const id = `${input.id}-error`;
  document.getElementById(id)?.remove();
  input.removeAttribute("aria-invalid");
  input.removeAttribute("aria-describedby");
  if (message === null) return;
  input.setAttribute("aria-invalid", "true");
  input.setAttribute("aria-describedby", id);
  input.closest(".field")?.append(h("p", { class: "hint field-error", id, role: "alert" }, message));
  input.focus();
}

/** The only place a new secret appears; dismissing it (or leaving the page) loses it for good. */
function showSecretOnce(container: HTMLDivElement, created: CreatedKey): void {
  const copy = h("button", { type: "button", class: "small" }, "Copy");
  copy.addEventListener("click", () => void copyWithFeedback(copy, created.key));
  const done = h("button", { type: "button", class: "small" }, "I have stored it");
  done.addEventListener("click", () => {
    replaceChildren(container);
    container.hidden = true;
  });
  replaceChildren(
    container,
    h("strong", {}, `Key “${created.name}” created.`),
    h("span", {}, "Copy it now: this is the only time it is shown, and it cannot be recovered."),
    h("div", { class: "new-key-value" }, h("code", { id: "new-key-secret" }, created.key), copy),
    h("div", {}, done),
  );
  container.hidden = false;
}
