/** The dashboard's style: system fonts, light and dark from prefers-color-scheme, visible focus, narrow-screen friendly. */
export const APP_CSS = String.raw`
:root {
  --bg: #f7f7f8; --fg: #1b1c1f; --muted: #5b5e66; --card: #ffffff; --line: #d9dbe0;
  --accent: #0b5fd1; --accent-fg: #ffffff; --ok: #137333; --warn: #8a5a00; --bad: #b3261e; --code: #eef0f3;
  --focus: #0b5fd1;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #141518; --fg: #e8e9ec; --muted: #a2a6b0; --card: #1d1f23; --line: #33363d;
    --accent: #7cacf8; --accent-fg: #0d1420; --ok: #6dd58c; --warn: #f2c14e; --bad: #ff8a80; --code: #26292f;
    --focus: #9cc1ff;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); }
a { color: var(--accent); }
code { background: var(--code); padding: 0 .3em; border-radius: 4px; font-size: .92em; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 1rem; top: .5rem; background: var(--card); padding: .4rem .8rem; z-index: 2; }
.top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; padding: .6rem 1.25rem;
  background: var(--card); border-bottom: 1px solid var(--line); }
.top h1 { font-size: 1.15rem; margin: 0; }
.logo { color: var(--accent); }
nav ul { display: flex; flex-wrap: wrap; gap: .25rem; list-style: none; margin: 0; padding: 0; }
nav a { display: block; padding: .35rem .75rem; border-radius: 6px; text-decoration: none; color: var(--fg); }
nav a:hover { background: var(--code); }
nav a[aria-current="page"] { background: var(--accent); color: var(--accent-fg); }
.summary { margin: 0 0 0 auto; color: var(--muted); font-size: .9rem; }
main { padding: 1rem 1.25rem 2rem; max-width: 1400px; margin: 0 auto; }
main:focus { outline: none; }
h2 { font-size: 1.2rem; margin: .5rem 0 .75rem; }
h3 { font-size: 1rem; margin: 0 0 .5rem; }
.hint { color: var(--muted); margin: .25rem 0 .75rem; }
.notice { min-height: 1.4em; margin: 0 0 .5rem; }
.notice.bad, .error { color: var(--bad); }
.table-wrap { overflow-x: auto; background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .45rem .65rem; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); white-space: nowrap; }
tbody th { font-weight: 600; }
tbody tr:last-child > * { border-bottom: none; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.client-id { word-break: break-all; min-width: 10rem; }
td.empty { color: var(--muted); font-style: italic; }
.state { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .85rem; border: 1px solid currentColor; white-space: nowrap; }
.state-connected { color: var(--ok); }
.state-starting, .state-restarting, .state-awaiting-auth { color: var(--warn); }
.state-error, .state-crash-loop { color: var(--bad); }
.state-disabled, .state-stopped { color: var(--muted); }
.tag { display: inline-block; background: var(--code); border-radius: 4px; padding: 0 .35rem; margin: 0 .2rem .1rem 0; font-size: .85rem; }
button { font: inherit; padding: .3rem .75rem; border-radius: 6px; border: 1px solid var(--accent);
  background: var(--accent); color: var(--accent-fg); cursor: pointer; }
button.secondary { background: transparent; color: var(--accent); }
button.danger { background: transparent; color: var(--bad); border-color: var(--bad); }
button:disabled { opacity: .55; cursor: default; }
.actions { display: flex; flex-wrap: wrap; gap: .35rem; }
.row { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; margin: .5rem 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem; margin-top: 1rem; }
.form { display: grid; gap: .3rem; max-width: 36rem; }
.form label { font-weight: 600; margin-top: .4rem; }
.form small { color: var(--muted); }
input { font: inherit; padding: .4rem .55rem; border-radius: 6px; border: 1px solid var(--line); background: var(--bg); color: var(--fg); width: 100%; }
input[aria-invalid="true"] { border-color: var(--bad); }
.preview { min-height: 1.5em; font-size: .92rem; }
.preview.bad { color: var(--bad); }
.detail { margin-top: 1rem; }
.detail ul { margin: .25rem 0 .75rem; padding-left: 1.2rem; }
pre, .log { background: var(--code); border-radius: 8px; padding: .6rem .8rem; overflow: auto; font: .82rem/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { max-height: 16rem; white-space: pre-wrap; word-break: break-word; }
.log { list-style: none; margin: .5rem 0 0; height: 60vh; min-height: 12rem; }
.log li { white-space: pre-wrap; word-break: break-word; }
.log .lvl-warn { color: var(--warn); }
.log .lvl-error { color: var(--bad); }
.log .lvl-debug { color: var(--muted); }
@media (max-width: 640px) {
  :root { font-size: 14px; }
  .top { padding: .5rem .75rem; }
  .summary { margin: 0; width: 100%; }
  main { padding: .75rem; }
  th, td { padding: .4rem .45rem; }
  .opt { display: none; }
}
`;
