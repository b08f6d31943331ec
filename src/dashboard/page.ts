import { ASSET_VERSION, ASSETS } from "./assets.generated";

/** Where the page's scripts and stylesheet live; the version makes each URL immutable. */
export function assetPath(file: string): string {
  return `/dashboard/assets/${ASSET_VERSION}/${file}`;
}

// Every module up front, so the browser fetches them in parallel instead of
// discovering the import graph one round trip at a time.
const modulePreloads = Object.keys(ASSETS)
  .filter((file) => file.endsWith(".js") && file !== "main.js")
  .map((file) => `<link rel="modulepreload" href="${assetPath(file)}">`)
  .join("\n");

/**
 * The dashboard's HTML shell. Static on purpose: the client script fills it from
 * the v1 API with the operator's key, so the server never renders tenant data.
 */
export function renderDashboardPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Usage · text2lora</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${assetPath("styles.css")}">
<script type="module" src="${assetPath("main.js")}"></script>
${modulePreloads}
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="topbar">
  <div class="brand"><span class="brand-mark" aria-hidden="true">T2L</span><span>text2lora</span><span class="brand-sub">Usage dashboard</span></div>
  <div class="session" id="session" hidden>
    <span class="session-detail">Tenant <code id="session-tenant">…</code> · key <code id="session-key"></code></span>
    <button type="button" id="sign-out" class="small">Sign out</button>
  </div>
</header>
<main id="main" tabindex="-1">
  <noscript><p class="banner error">The dashboard needs JavaScript to talk to the API.</p></noscript>

  <section id="signin-view" class="signin card" aria-labelledby="signin-title" hidden>
    <h1 id="signin-title">Sign in</h1>
    <p class="hint">Use a tenant API key with the <code>usage:read</code> scope. Managing keys needs <code>keys:manage</code>.</p>
    <form id="signin-form" novalidate>
      <div id="signin-error" class="banner error" role="alert" hidden></div>
      <div class="field">
        <label for="api-key">API key</label>
        <input id="api-key" name="api-key" type="password" autocomplete="off" spellcheck="false" required aria-describedby="api-key-hint">
        <p class="hint" id="api-key-hint">Kept only in this browser tab (session storage) and sent only to this site.</p>
      </div>
      <button type="submit" class="primary" id="signin-submit">Sign in</button>
    </form>
  </section>

  <div id="dashboard-view" hidden>
    <h1 class="visually-hidden">Usage dashboard</h1>
    <div id="banner" class="banner" role="alert" hidden></div>

    <section class="panel" id="usage" aria-labelledby="usage-title">
      <div class="panel-head">
        <h2 id="usage-title">Usage</h2>
        <div class="toolbar">
          <div class="segmented" role="group" aria-label="Time range" id="range-picker">
            <button type="button" data-range="24h" aria-pressed="true">24 hours</button>
            <button type="button" data-range="7d" aria-pressed="false">7 days</button>
            <button type="button" data-range="30d" aria-pressed="false">30 days</button>
          </div>
          <button type="button" id="refresh">Refresh</button>
          <span class="updated" id="usage-updated" title="Refreshes every minute while this tab is visible"></span>
        </div>
      </div>
      <div class="quota" id="usage-quota"></div>
      <div class="tiles" id="usage-tiles"></div>
      <div class="charts" id="usage-charts" aria-busy="true"></div>
    </section>

    <section class="panel" id="adapters" aria-labelledby="adapters-title">
      <div class="panel-head">
        <h2 id="adapters-title">Adapters</h2>
        <span class="updated" id="adapters-count"></span>
      </div>
      <div class="card" id="adapter-list" aria-busy="true"></div>
    </section>

    <section class="panel" id="keys" aria-labelledby="keys-title">
      <div class="panel-head">
        <h2 id="keys-title">API keys</h2>
        <label class="toggle"><input type="checkbox" id="show-revoked"> Show revoked</label>
      </div>
      <div class="card">
        <form id="key-form" class="key-form" novalidate>
          <div class="field">
            <label for="key-name">New key name</label>
            <input id="key-name" name="key-name" type="text" maxlength="100" required placeholder="e.g. production app" autocomplete="off">
          </div>
          <button type="submit" class="primary" id="key-create">Create key</button>
          <fieldset class="scopes" id="key-scopes">
            <legend>Scopes</legend>
          </fieldset>
        </form>
        <div id="new-key" class="banner ok new-key" role="status" hidden></div>
        <div id="key-list" aria-busy="true"></div>
      </div>
    </section>
  </div>
</main>
</body>
</html>
`;
}
