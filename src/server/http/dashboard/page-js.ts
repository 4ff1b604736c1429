/**
 * The dashboard's script: plain DOM, no framework. Everything shown comes from /api; text is always set
 * with textContent (never parsed as HTML). With --enable-auth the token lives only in a variable of this
 * page and travels in the Authorization header — never in a URL, a cookie or storage.
 * The live log is read with fetch (not EventSource), because EventSource cannot send that header.
 * Written without template literals: this source is itself embedded in one.
 */
export const APP_JS = String.raw`'use strict';
(function () {
  var token = null;
  var current = 'servers';
  var data = {};
  var openDetail = null;
  var editing = null;
  var timer = null;
  var logReader = null;
  var logPaused = false;
  var LIMITS = [{ tools: 40, who: 'Cursor' }, { tools: 128, who: 'VS Code / OpenAI' }];

  function $(id) { return document.getElementById(id); }

  /** Build an element: el('td', { className: 'num' }, 'text', childNode, \u2026). */
  function el(tag, props) {
    var node = document.createElement(tag);
    if (props) for (var k in props) {
      if (k === 'dataset') { for (var d in props.dataset) node.dataset[d] = props.dataset[d]; }
      else if (k.indexOf('aria-') === 0 || k === 'role' || k === 'scope') node.setAttribute(k, props[k]);
      else node[k] = props[k];
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : String(c));
    }
    return node;
  }

  function notice(text, bad) {
    var n = $('notice');
    n.textContent = text || '';
    n.className = 'notice' + (bad ? ' bad' : '');
  }

  function ago(seconds) {
    if (seconds === undefined || seconds === null) return '\u2013';
    if (seconds < 60) return seconds + ' s';
    if (seconds < 3600) return Math.floor(seconds / 60) + ' min';
    if (seconds < 86400) return Math.floor(seconds / 3600) + ' h ' + Math.floor((seconds % 3600) / 60) + ' min';
    return Math.floor(seconds / 86400) + ' d';
  }

  function date(iso) { return iso ? iso.slice(0, 16).replace('T', ' ') : '\u2013'; }

  /** Call the API: JSON in and out; a 401 shows the sign-in form. */
  function api(method, path, body) {
    var headers = {};
    if (token) headers.Authorization = 'Bearer ' + token;
    if (method !== 'GET') headers['Content-Type'] = 'application/json';
    return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit', cache: 'no-store' })
      .then(function (res) {
        return res.text().then(function (text) {
          var value = null;
          try { value = text ? JSON.parse(text) : null; } catch (e) { value = { error: text }; }
          if (res.status === 401) { showLogin(value && (value.message || value.error)); throw new Error('sign in first'); }
          if (!res.ok) throw new Error((value && (value.error || value.message)) || ('HTTP ' + res.status));
          return value;
        });
      });
  }

  // ---- sign in ----------------------------------------------------------------------------------------

  function showLogin(reason) {
    var refused = token !== null;
    token = null;
    stopLog();
    $('login').hidden = false;
    document.querySelectorAll('[data-view]').forEach(function (s) { s.hidden = true; });
    $('login-error').textContent = refused && reason ? 'Signed out: ' + reason : '';
    $('login-token').focus();
  }

  $('login-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var value = $('login-token').value.trim();
    if (!value) return;
    token = value;
    api('GET', '/api/status').then(function () {
      $('login-token').value = '';
      $('login').hidden = true;
      $('login-error').textContent = '';
      show(current);
    }, function () {
      $('login-error').textContent = 'That token was refused (unknown, revoked or expired).';
      $('login-token').focus();
    });
  });

  // ---- navigation --------------------------------------------------------------------------------------

  function show(name) {
    if (!document.querySelector('[data-view="' + name + '"]')) name = 'servers';
    if (name !== current) notice('');
    current = name;
    document.querySelectorAll('#tabs a').forEach(function (a) {
      if (a.dataset.tab === name) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    });
    if (!$('login').hidden) return;
    document.querySelectorAll('[data-view]').forEach(function (s) { s.hidden = s.dataset.view !== name; });
    if (name === 'log') startLog(); else stopLog();
    refresh();
  }

  window.addEventListener('hashchange', function () {
    show(location.hash.slice(1));
    $('main').focus();
  });

  /** Re-render a table body, keeping keyboard focus on the same control when it still exists. */
  function fill(tbody, rows, columns, emptyText) {
    var focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.key : undefined;
    tbody.replaceChildren.apply(tbody, rows.length ? rows : [el('tr', null, el('td', { colSpan: columns, className: 'empty' }, emptyText))]);
    if (focused) {
      var again = tbody.querySelector('[data-key="' + CSS.escape(focused) + '"]');
      if (again) again.focus();
    }
  }

  function button(label, key, onClick, className) {
    var b = el('button', { type: 'button', className: className || 'secondary', dataset: { key: key } }, label);
    b.addEventListener('click', function () { onClick(b); });
    return b;
  }

  /** A destructive action asks again on the same button: the second press within 5 s does it. */
  function confirmButton(label, key, confirmLabel, onConfirm) {
    var armed = false;
    return button(label, key, function (b) {
      if (!armed) {
        armed = true;
        b.textContent = confirmLabel;
        setTimeout(function () { armed = false; b.textContent = label; }, 5000);
        return;
      }
      onConfirm(b);
    }, 'danger');
  }

  function act(promise, done) {
    return promise.then(function (result) {
      notice(result && result.message ? result.message : 'Done.');
      if (done) done(result);
      refresh();
    }, function (error) { notice(error.message, true); });
  }

  function tags(list) {
    var span = el('span');
    (list || []).forEach(function (t) { span.append(el('span', { className: 'tag' }, t)); });
    return span;
  }

  // ---- servers -----------------------------------------------------------------------------------------

  function renderServers(status) {
    var servers = status.servers || [];
    var connected = servers.filter(function (s) { return s.state === 'connected'; }).length;
    $('summary').textContent = status.status + ' \u00B7 ' + connected + '/' + servers.length + ' connected \u00B7 ' + (status.sessions || 0) + ' sessions \u00B7 v' + status.version;
    fill($('servers-body'), servers.map(function (s) {
      var disabled = s.state === 'disabled';
      var actions = el('div', { className: 'actions' },
        button(openDetail === s.name ? 'Hide details' : 'Details', 'detail:' + s.name, function () {
          openDetail = openDetail === s.name ? null : s.name;
          refresh();
        }),
        disabled ? null : button('Restart', 'restart:' + s.name, function (b) {
          b.disabled = true;
          act(api('POST', '/api/servers/' + encodeURIComponent(s.name) + '/restart', {}).then(function (r) { return { message: 'Restarted ' + r.restarted + '.' }; }));
        }),
        button(disabled ? 'Enable' : 'Disable', (disabled ? 'enable:' : 'disable:') + s.name, function (b) {
          b.disabled = true;
          act(api('POST', '/api/servers/' + encodeURIComponent(s.name) + (disabled ? '/enable' : '/disable'), {}));
        }));
      return el('tr', { dataset: { server: s.name } },
        el('th', { scope: 'row' }, s.name),
        el('td', null, el('span', { className: 'state state-' + s.state }, s.state)),
        el('td', { className: 'opt' }, s.type),
        el('td', { className: 'num' }, s.tools),
        el('td', { className: 'num opt' }, s.resources),
        el('td', { className: 'num opt' }, s.prompts),
        el('td', { className: 'num opt' }, s.restarts),
        el('td', { className: 'opt' }, tags(s.tags)),
        el('td', null, actions));
    }), 9, 'No servers in mcp.json yet: add one with "1mcp mcp add".');
    var problems = (status.problems || []).map(function (p) { return (p.server ? p.server + ': ' : '') + p.message; });
    if (problems.length) notice(problems.join(' \u00B7 '), true);
    renderDetail(servers.filter(function (s) { return s.name === openDetail; })[0]);
  }

  function renderDetail(server) {
    var box = $('server-detail');
    if (!server) { box.replaceChildren(); return; }
    var name = server.name;
    Promise.all([
      api('GET', '/api/servers/' + encodeURIComponent(name) + '/tools').catch(function () { return { tools: [] }; }),
      api('GET', '/api/servers/' + encodeURIComponent(name) + '/resources').catch(function () { return { resources: [], templates: [] }; }),
    ]).then(function (lists) {
      if (openDetail !== name) return;
      var tools = lists[0].tools || [];
      var res = (lists[1].resources || []).map(function (r) { return r.uri; }).concat((lists[1].templates || []).map(function (t) { return t.uriTemplate; }));
      box.replaceChildren(el('div', { className: 'card detail', role: 'region', 'aria-label': 'Details of ' + name },
        el('h3', null, name),
        server.lastError ? el('p', { className: 'error' }, 'Last error: ' + server.lastError) : null,
        el('p', null, 'pid ' + (server.pid || '\u2013') + ' \u00B7 up ' + ago(server.uptimeSeconds)),
        el('h4', null, 'Tools (' + tools.length + ')'),
        tools.length ? el.apply(null, ['ul', null].concat(tools.map(function (t) {
          return el('li', null, el('code', null, t.exposedName), t.disabled ? ' (disabled)' : '', t.description ? ' \u2014 ' + t.description.split('\n')[0] : '');
        }))) : el('p', { className: 'hint' }, 'none'),
        el('h4', null, 'Resources (' + res.length + ')'),
        res.length ? el.apply(null, ['ul', null].concat(res.map(function (u) { return el('li', null, el('code', null, u)); }))) : el('p', { className: 'hint' }, 'none'),
        el('h4', null, 'Stderr (last lines)'),
        el('pre', { tabIndex: 0, 'aria-label': 'stderr of ' + name }, (server.stderrTail || []).slice(-50).join('\n') || '(nothing)')));
    });
  }

  // ---- sessions ----------------------------------------------------------------------------------------

  function renderSessions(result) {
    fill($('sessions-body'), result.sessions.map(function (s) {
      return el('tr', { dataset: { session: s.id } },
        el('td', null, el('code', { title: s.id }, s.id.slice(0, 8))),
        el('td', { className: 'opt' }, s.client || '\u2013'),
        el('td', null, s.app || '\u2013'),
        el('td', null, s.view),
        el('td', { className: 'opt' }, s.transport + (s.era ? ' \u00B7 ' + s.era : '')),
        el('td', null, ago(s.ageSeconds)),
        el('td', null, s.busy ? 'busy' : ago(s.idleSeconds)));
    }), 7, 'No client is connected.');
  }

  // ---- presets -----------------------------------------------------------------------------------------

  function renderPresets(result) {
    fill($('presets-body'), result.presets.map(function (p) {
      return el('tr', { dataset: { preset: p.name } },
        el('th', { scope: 'row' }, p.name),
        el('td', null, p.invalid ? el('span', { className: 'error' }, 'unreadable') : el('code', null, p.filter)),
        el('td', null, p.servers.length ? p.servers.join(', ') : '(none)'),
        el('td', null, p.description || ''),
        el('td', null, el('div', { className: 'actions' },
          button('Edit', 'edit:' + p.name, function () { startEdit(p); }),
          confirmButton('Delete', 'delete:' + p.name, 'Confirm delete', function () {
            act(api('DELETE', '/api/presets/' + encodeURIComponent(p.name)).then(function () { return { message: 'Deleted preset ' + p.name + '.' }; }));
          }))));
    }), 5, 'No presets yet: create one below.');
  }

  function startEdit(p) {
    editing = p.name;
    $('preset-form-title').textContent = 'Edit preset ' + p.name;
    $('preset-name').value = p.name;
    $('preset-name').readOnly = true;
    $('preset-filter').value = p.filter || '';
    $('preset-description').value = p.description || '';
    $('preset-save').textContent = 'Save preset';
    $('preset-cancel').hidden = false;
    preview();
    $('preset-filter').focus();
  }

  function resetPresetForm() {
    editing = null;
    $('preset-form').reset();
    $('preset-name').readOnly = false;
    $('preset-form-title').textContent = 'New preset';
    $('preset-save').textContent = 'Create preset';
    $('preset-cancel').hidden = true;
    $('preset-preview').textContent = '';
    $('preset-filter').removeAttribute('aria-invalid');
  }

  var previewTimer = null;
  var previewSeq = 0;
  /** As the filter is typed: which servers it matches right now, or where it is wrong. */
  function preview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(function () {
      var expr = $('preset-filter').value;
      var out = $('preset-preview');
      var seq = ++previewSeq;
      if (!expr.trim()) { out.textContent = ''; out.className = 'preview'; return; }
      api('GET', '/api/filter-preview?filter=' + encodeURIComponent(expr)).then(function (r) {
        if (seq !== previewSeq) return;
        if (!r.ok) throw new Error(r.error);
        $('preset-filter').removeAttribute('aria-invalid');
        out.className = 'preview';
        var names = r.servers.map(function (s) { return s.name + (s.disabled ? ' (disabled)' : ''); });
        out.textContent = names.length ? 'Matches ' + names.length + ': ' + names.join(', ') : 'Matches no server right now.';
      }).catch(function (error) {
        if (seq !== previewSeq) return;
        $('preset-filter').setAttribute('aria-invalid', 'true');
        out.className = 'preview bad';
        out.textContent = error.message;
      });
    }, 120);
  }

  $('preset-filter').addEventListener('input', preview);
  $('preset-cancel').addEventListener('click', resetPresetForm);
  $('preset-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var body = { filter: $('preset-filter').value, description: $('preset-description').value || undefined };
    var name = $('preset-name').value.trim();
    var request = editing
      ? api('PUT', '/api/presets/' + encodeURIComponent(editing), body)
      : api('POST', '/api/presets', { name: name, filter: body.filter, description: body.description });
    act(request, resetPresetForm);
  });

  // ---- tokens ------------------------------------------------------------------------------------------

  function renderTokens(result) {
    fill($('tokens-body'), result.tokens.map(function (t) {
      return el('tr', { dataset: { token: t.name } },
        el('th', { scope: 'row' }, t.name, t.current ? ' (this page)' : ''),
        el('td', null, t.tags && t.tags.length ? tags(t.tags) : 'all servers'),
        el('td', null, date(t.created)),
        el('td', null, t.expires ? (t.expired ? 'expired ' : '') + date(t.expires) : 'never'),
        el('td', null, confirmButton('Revoke', 'revoke:' + t.name, 'Confirm revoke', function () {
          act(api('POST', '/api/tokens/' + encodeURIComponent(t.name) + '/revoke', {}));
        })));
    }), 5, 'No tokens. Create one with "1mcp auth token create".');
  }

  // ---- OAuth clients -----------------------------------------------------------------------------------

  function renderOAuthClients(result) {
    $('oauth-off').hidden = !result.hint;
    $('oauth-off').textContent = result.hint || '';
    fill($('oauth-body'), result.clients.map(function (c) {
      return el('tr', { dataset: { oauthClient: c.clientId } },
        el('th', { scope: 'row' }, c.name),
        el('td', { className: 'opt client-id' }, el('code', null, c.clientId)),
        el('td', null, c.approved ? 'approved' : 'registered, not approved', c.kind === 'metadata-document' ? ' (metadata document)' : ''),
        el('td', null, !c.approved ? '\u2013' : c.tags && c.tags.length ? tags(c.tags) : 'all servers'),
        el('td', { className: 'opt' }, c.approved ? date(c.created) : '\u2013'),
        el('td', null, date(c.lastUsed)),
        el('td', null, confirmButton('Revoke', 'revoke-oauth:' + c.clientId, 'Confirm revoke', function () {
          act(api('POST', '/api/oauth/clients/' + encodeURIComponent(c.clientId) + '/revoke', {}));
        })));
    }), 7, result.hint ? 'No OAuth clients.' : 'No OAuth clients yet. They appear once you approve one on its consent page.');
  }

  // ---- budget ------------------------------------------------------------------------------------------

  function renderBudget(result) {
    fill($('budget-body'), result.views.map(function (v) {
      var over = LIMITS.filter(function (l) { return v.tools > l.tools; }).map(function (l) { return l.who + ' (' + l.tools + ')'; });
      return el('tr', null,
        el('th', { scope: 'row' }, v.kind === 'preset' ? 'preset ' + v.name : v.name),
        el('td', { className: 'num' }, v.tools),
        el('td', { className: 'num' }, '\u2248 ' + v.tokens.toLocaleString()),
        el('td', { className: 'num' }, '\u2248 ' + v.searchModeTokens.toLocaleString()),
        el('td', null, over.length ? el('span', { className: 'error' }, over.join(', ')) : 'none'),
        el('td', null, v.servers.map(function (s) { return s.name + ': ' + s.tools + ' / \u2248' + s.tokens; }).join(' \u00B7 ') || '\u2013'));
    }), 6, 'No views.');
  }

  // ---- live log ----------------------------------------------------------------------------------------

  function addLogLine(line) {
    if (logPaused) return;
    var list = $('log-lines');
    var stick = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
    list.append(el('li', { className: 'lvl-' + line.level }, line.time.slice(11, 19) + ' ' + line.level.toUpperCase() + ' ' + line.message));
    while (list.childElementCount > 500) list.firstElementChild.remove();
    if (stick) list.scrollTop = list.scrollHeight;
  }

  function startLog() {
    if (logReader) return;
    var headers = token ? { Authorization: 'Bearer ' + token } : {};
    var controller = new AbortController();
    logReader = controller;
    $('log-state').textContent = 'Connecting\u2026';
    $('log-lines').replaceChildren();
    fetch('/api/logs/stream', { headers: headers, signal: controller.signal, cache: 'no-store' }).then(function (res) {
      if (res.status === 401) { showLogin(); return; }
      if (!res.ok || !res.body) throw new Error('HTTP ' + res.status);
      $('log-state').textContent = 'Following the log live.';
      var reader = res.body.getReader();
      var decoder = new TextDecoder();
      var buffer = '';
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) throw new Error('the stream ended');
          buffer += decoder.decode(chunk.value, { stream: true });
          var events = buffer.split('\n\n');
          buffer = events.pop();
          events.forEach(function (event) {
            var dataLine = event.split('\n').filter(function (l) { return l.indexOf('data: ') === 0; })[0];
            if (dataLine) addLogLine(JSON.parse(dataLine.slice(6)));
          });
          return pump();
        });
      }
      return pump();
    }).catch(function (error) {
      if (controller.signal.aborted) return;
      logReader = null;
      $('log-state').textContent = 'Disconnected (' + error.message + '); retrying\u2026';
      setTimeout(function () { if (current === 'log' && !logReader) startLog(); }, 2000);
    });
  }

  function stopLog() {
    if (logReader) logReader.abort();
    logReader = null;
  }

  $('log-pause').addEventListener('click', function () {
    logPaused = !logPaused;
    $('log-pause').setAttribute('aria-pressed', String(logPaused));
    $('log-pause').textContent = logPaused ? 'Resume' : 'Pause';
  });
  $('log-clear').addEventListener('click', function () { $('log-lines').replaceChildren(); });

  // ---- refresh loop ------------------------------------------------------------------------------------

  var LOADERS = {
    servers: function () { return api('GET', '/api/status').then(renderServers); },
    sessions: function () { return api('GET', '/api/sessions').then(renderSessions); },
    presets: function () { return api('GET', '/api/presets').then(renderPresets); },
    tokens: function () { return api('GET', '/api/tokens').then(renderTokens); },
    oauth: function () { return api('GET', '/api/oauth/clients').then(renderOAuthClients); },
    budget: function () { return api('GET', '/api/budget').then(renderBudget); },
    log: function () { return Promise.resolve(); },
  };

  function refresh() {
    clearTimeout(timer);
    if (!$('login').hidden) return;
    var view = current;
    LOADERS[view]().then(function () { document.body.dataset.loaded = view; }, function (error) {
      if (error.message !== 'sign in first') notice(error.message, true);
    }).then(function () {
      if (current === view && view !== 'log') timer = setTimeout(refresh, 2000);
    });
  }

  // First look: is a token needed? /api/status answers 401 when serve runs with --enable-auth.
  current = location.hash.slice(1) || 'servers';
  show(current);
})();
`;
