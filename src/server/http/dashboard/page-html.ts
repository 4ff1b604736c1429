/** The dashboard's page: a shell whose sections app.js fills from /api. No external asset, works offline. */
export const INDEX_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>1mcp dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/app.css">
<script src="/dashboard/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <h1><span class="logo" aria-hidden="true">&#x25C6;</span> 1mcp</h1>
  <nav aria-label="Sections">
    <ul id="tabs">
      <li><a href="#servers" data-tab="servers">Servers</a></li>
      <li><a href="#sessions" data-tab="sessions">Sessions</a></li>
      <li><a href="#presets" data-tab="presets">Presets</a></li>
      <li><a href="#tokens" data-tab="tokens">Tokens</a></li>
      <li><a href="#oauth" data-tab="oauth">OAuth clients</a></li>
      <li><a href="#budget" data-tab="budget">Budget</a></li>
      <li><a href="#log" data-tab="log">Log</a></li>
    </ul>
  </nav>
  <p id="summary" class="summary" aria-live="polite"></p>
</header>
<main id="main" tabindex="-1">
  <p id="notice" class="notice" role="status" aria-live="polite"></p>

  <section id="login" hidden aria-labelledby="login-title">
    <h2 id="login-title">Sign in</h2>
    <p>This serve runs with <code>--enable-auth</code>. Paste a token from <code>1mcp auth token create</code>.
      It stays in this page's memory only: reloading the page asks again.</p>
    <form id="login-form" class="form">
      <label for="login-token">Bearer token</label>
      <input id="login-token" name="token" type="password" autocomplete="off" spellcheck="false" required>
      <button type="submit">Sign in</button>
      <p id="login-error" class="error" role="alert"></p>
    </form>
  </section>

  <section id="view-servers" data-view="servers" hidden aria-labelledby="servers-title">
    <h2 id="servers-title">Servers</h2>
    <div class="table-wrap"><table>
      <thead><tr><th scope="col">Name</th><th scope="col">State</th><th scope="col" class="opt">Type</th><th scope="col">Tools</th><th scope="col" class="opt">Resources</th><th scope="col" class="opt">Prompts</th><th scope="col" class="opt">Restarts</th><th scope="col" class="opt">Tags</th><th scope="col">Actions</th></tr></thead>
      <tbody id="servers-body"></tbody>
    </table></div>
    <div id="server-detail"></div>
  </section>

  <section id="view-sessions" data-view="sessions" hidden aria-labelledby="sessions-title">
    <h2 id="sessions-title">Sessions</h2>
    <div class="table-wrap"><table>
      <thead><tr><th scope="col">Session</th><th scope="col" class="opt">Client</th><th scope="col">App</th><th scope="col">View</th><th scope="col" class="opt">Transport &#xB7; era</th><th scope="col">Age</th><th scope="col">Idle</th></tr></thead>
      <tbody id="sessions-body"></tbody>
    </table></div>
  </section>

  <section id="view-presets" data-view="presets" hidden aria-labelledby="presets-title">
    <h2 id="presets-title">Presets</h2>
    <div class="table-wrap"><table>
      <thead><tr><th scope="col">Name</th><th scope="col">Filter</th><th scope="col">Servers now</th><th scope="col">Description</th><th scope="col">Actions</th></tr></thead>
      <tbody id="presets-body"></tbody>
    </table></div>
    <form id="preset-form" class="form card" aria-labelledby="preset-form-title">
      <h3 id="preset-form-title">New preset</h3>
      <label for="preset-name">Name</label>
      <input id="preset-name" name="name" required pattern="[A-Za-z0-9_\-]{1,50}" autocomplete="off" aria-describedby="preset-name-help">
      <small id="preset-name-help">1&#x2013;50 letters, digits, _ or -</small>
      <label for="preset-filter">Filter</label>
      <input id="preset-filter" name="filter" required autocomplete="off" spellcheck="false" placeholder="web or (api and not test)" aria-describedby="preset-preview">
      <div id="preset-preview" class="preview" aria-live="polite"></div>
      <label for="preset-description">Description</label>
      <input id="preset-description" name="description" autocomplete="off">
      <div class="row">
        <button type="submit" id="preset-save">Create preset</button>
        <button type="button" id="preset-cancel" class="secondary" hidden>Cancel editing</button>
      </div>
    </form>
  </section>

  <section id="view-tokens" data-view="tokens" hidden aria-labelledby="tokens-title">
    <h2 id="tokens-title">Tokens</h2>
    <p class="hint">Create tokens with <code>1mcp auth token create [--tags a,b] [--expires 30d]</code>; a token is shown once, when it is created.</p>
    <div class="table-wrap"><table>
      <thead><tr><th scope="col">Name</th><th scope="col">Tags</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Actions</th></tr></thead>
      <tbody id="tokens-body"></tbody>
    </table></div>
  </section>

  <section id="view-oauth" data-view="oauth" hidden aria-labelledby="oauth-title">
    <h2 id="oauth-title">OAuth clients</h2>
    <p class="hint">Clients that connected through <code>serve --enable-auth oauth</code>. You approve a new one on its consent page
      with the code serve prints on its log (or <code>1mcp auth approve</code>); pending requests are not shown here.
      Revoking removes its approvals: serve refuses its tokens and closes its sessions at once.</p>
    <p id="oauth-off" class="hint" role="status" hidden></p>
    <div class="table-wrap"><table>
      <thead><tr><th scope="col">Client</th><th scope="col" class="opt">Client ID</th><th scope="col">Status</th><th scope="col">Tags</th><th scope="col" class="opt">Approved</th><th scope="col">Last used</th><th scope="col">Actions</th></tr></thead>
      <tbody id="oauth-body"></tbody>
    </table></div>
  </section>

  <section id="view-budget" data-view="budget" hidden aria-labelledby="budget-title">
    <h2 id="budget-title">Budget per view</h2>
    <p class="hint">What each view costs a client's context: tools and the estimated tokens of their definitions (search mode: the three meta-tools instead).</p>
    <div class="table-wrap"><table>
      <thead><tr><th scope="col">View</th><th scope="col">Tools</th><th scope="col">Est. tokens</th><th scope="col">Search mode</th><th scope="col">Beyond client limits</th><th scope="col">Per server</th></tr></thead>
      <tbody id="budget-body"></tbody>
    </table></div>
  </section>

  <section id="view-log" data-view="log" hidden aria-labelledby="log-title">
    <h2 id="log-title">Live log</h2>
    <div class="row">
      <button type="button" id="log-pause" aria-pressed="false">Pause</button>
      <button type="button" id="log-clear" class="secondary">Clear</button>
      <span id="log-state" class="hint" role="status"></span>
    </div>
    <ol id="log-lines" class="log" aria-label="Log lines" tabindex="0"></ol>
  </section>
</main>
</body>
</html>
`;
