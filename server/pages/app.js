// The support and campaign pages of `restorectl serve`: plain browser JavaScript, no build
// step. Every figure comes from the API with the token the user typed, which is kept in
// sessionStorage: for this tab only, gone when it closes. Text is always set as text.
'use strict';

const TOKEN_KEY = 'restorectl-token';
const REFRESH_MS = 2000;

const $ = (id) => document.getElementById(id);

/** An element with text and attributes; children appended as given. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'text') node.textContent = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function say(text, ok = false) {
  const message = $('message');
  message.textContent = text;
  message.className = ok ? 'ok' : '';
}

class Unauthorized extends Error {}

/** Calls the API with the tab's token; a 401 asks for a token again. */
async function api(method, path, body) {
  const headers = { authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const payload = await response.json().catch(() => ({}));
  if (response.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    throw new Unauthorized(payload.error ?? 'sign in with an API token');
  }
  if (!response.ok) throw new Error(payload.error ?? `the server answered ${response.status}`);
  return payload;
}

/** Shows the sign-in form until a token the API knows is given; answers the caller. */
async function signIn() {
  for (;;) {
    if (sessionStorage.getItem(TOKEN_KEY)) {
      try {
        const caller = await api('GET', '/api/whoami');
        $('sign-in').hidden = true;
        $('who').replaceChildren(
          el('span', { text: `${caller.name} (${caller.role}) ` }),
          el('button', {
            type: 'button',
            text: 'Sign out',
            onclick: () => {
              sessionStorage.removeItem(TOKEN_KEY);
              location.reload();
            },
          }),
        );
        return caller;
      } catch (err) {
        say(err.message);
      }
    }
    $('sign-in').hidden = false;
    $('token').focus();
    await new Promise((resolve) => {
      $('sign-in').addEventListener(
        'submit',
        (event) => {
          event.preventDefault();
          sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
          $('token').value = '';
          say('');
          resolve();
        },
        { once: true },
      );
    });
  }
}

function when(date) {
  return date ? new Date(date).toLocaleString() : 'not yet';
}

function label(category) {
  return category.charAt(0).toUpperCase() + category.slice(1);
}

// ---- support ------------------------------------------------------------------------------

async function supportPage() {
  await signIn();
  const form = $('lookup');
  form.hidden = false;
  $('user-id').focus();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const userId = $('user-id').value.trim();
    say('');
    $('result').replaceChildren();
    try {
      const summary = await api('GET', `/api/users/${encodeURIComponent(userId)}/summary`);
      showSummary(summary);
    } catch (err) {
      if (err instanceof Unauthorized) location.reload();
      else say(err.message);
    }
  });
}

function showSummary(summary) {
  if (summary.campaigns.length === 0) {
    $('result').replaceChildren(
      el('p', { class: 'card', text: `No restore campaign has data for user ${summary.userId}. Check the id; a user the outage did not affect has nothing to restore.` }),
    );
    return;
  }
  $('result').replaceChildren(
    ...summary.campaigns.map((campaign) =>
      el(
        'article',
        { class: 'card' },
        el('h2', { text: `User ${summary.userId} — campaign ${campaign.campaignId}` }),
        el('p', { text: `Campaign ${campaign.campaignState ?? 'unknown'}; last updated ${when(campaign.updatedAt)}.` }),
        el('dl', { class: 'categories' }, ...campaign.categories.flatMap((c) => [el('dt', { text: label(c.category) }), el('dd', { class: `state-${c.state}`, text: c.words })])),
      ),
    ),
  );
}

// ---- campaigns ----------------------------------------------------------------------------

async function campaignsPage() {
  const caller = await signIn();
  const operator = caller.role === 'operator';
  let timer;
  const show = async () => {
    clearTimeout(timer);
    try {
      await showList();
      const id = decodeURIComponent(location.hash.slice(1));
      const running = id ? await showCampaign(id, operator) : false;
      if (running) timer = setTimeout(show, REFRESH_MS);
    } catch (err) {
      if (err instanceof Unauthorized) location.reload();
      else say(err.message);
    }
  };
  window.addEventListener('hashchange', show);
  await show();
}

async function showList() {
  const campaigns = await api('GET', '/api/campaigns');
  if (campaigns.length === 0) {
    $('list').replaceChildren(el('p', { text: 'No campaign yet.' }));
    return;
  }
  $('list').replaceChildren(
    el(
      'div',
      { class: 'scroll' },
      el(
        'table',
        {},
        el('thead', {}, el('tr', {}, ...['Campaign', 'State', 'Users', 'Categories', 'Started'].map((h) => el('th', { scope: 'col', text: h })))),
        el(
          'tbody',
          {},
          ...campaigns.map((c) =>
            el(
              'tr',
              {},
              el('td', {}, el('a', { href: `#${encodeURIComponent(c.campaignId)}`, text: c.campaignId })),
              el('td', { text: c.dryRun ? `${c.state} (dry run)` : c.state }),
              el('td', { text: String(c.users) }),
              el('td', { text: c.categories.join(', ') }),
              el('td', { text: when(c.createdAt) }),
            ),
          ),
        ),
      ),
    ),
  );
}

function seconds(s) {
  if (s === null) return '—';
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** One wave: a bar of users done, its pace, ETA and what became of its records. */
function waveBlock(w) {
  const r = w.records;
  return el(
    'div',
    { class: 'wave' },
    el('div', { text: `${label(w.category)}: ${w.done} of ${w.total} users · ${Math.round(w.recordsPerSecond)} records/s · ETA ${seconds(w.etaSeconds)}` }),
    el('progress', { max: String(Math.max(1, w.total)), value: String(w.done), 'aria-label': `${w.category}: ${w.done} of ${w.total} users` }),
    el('div', { class: 'hint', text: `${r.restored} back · ${r.keptLive} kept live · ${r.duplicates} duplicates · ${r.quarantined} quarantined · ${w.users.failed} users failed` }),
  );
}

/** A finished category from the report: users by state and records by fate. */
function categoryRow(category, c) {
  const open = c.users.pending + c.users.validating + c.users.restoring;
  return el(
    'tr',
    {},
    ...[
      label(category),
      c.users.restored,
      c.users.partial,
      c.users.failed,
      open,
      c.records.restored,
      c.records.keptLive,
      c.records.duplicates,
      c.records.quarantined,
      c.records.missing,
    ].map((v) => el('td', { text: String(v) })),
  );
}

/** Shows one campaign; answers true while it runs, so the page refreshes it. */
async function showCampaign(id, operator) {
  const [status, failures, audit] = await Promise.all([
    api('GET', `/api/campaigns/${encodeURIComponent(id)}`),
    api('GET', `/api/campaigns/${encodeURIComponent(id)}/failures`).catch(() => null),
    api('GET', `/api/audit?campaign=${encodeURIComponent(id)}`),
  ]);
  const running = status.progress !== null;
  const parts = [el('h2', { text: `Campaign ${id}: ${status.state}${status.dryRun ? ' (dry run)' : ''}` })];
  if (status.progress?.paused) parts.push(el('p', { class: 'paused', text: `Paused: ${status.progress.pausedReason}` }));
  if (status.error) parts.push(el('p', { class: 'state-failed', text: `Failed: ${status.error.class}: ${status.error.message}` }));
  if (operator) parts.push(actions(id, status, failures));
  if (running) parts.push(el('section', {}, el('h3', { text: 'Waves' }), ...status.waves.map(waveBlock)));
  if (status.categories) {
    parts.push(
      el('h3', { text: 'By category' }),
      el(
        'div',
        { class: 'scroll' },
        el(
          'table',
          {},
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ...['Category', 'Restored', 'Partial', 'Failed', 'Open', 'Records back', 'Kept live', 'Duplicates', 'Quarantined', 'Missing'].map((h) =>
                el('th', { scope: 'col', text: h }),
              ),
            ),
          ),
          el('tbody', {}, ...Object.entries(status.categories).map(([category, c]) => categoryRow(category, c))),
        ),
      ),
    );
  }
  if (failures) {
    parts.push(el('h3', { text: 'Failures by cause' }));
    parts.push(
      failures.failed.length
        ? el(
            'ul',
            {},
            ...failures.failed.map((f) =>
              el('li', { text: `${label(f.category)}: ${f.count} user(s) failed with ${f.errorClass} — ${f.message} (e.g. ${f.exampleUserIds.join(', ')})` }),
            ),
          )
        : el('p', { text: 'No user-category failed.' }),
    );
    parts.push(
      failures.quarantined.length
        ? el('ul', {}, ...failures.quarantined.map((q) => el('li', { text: `${q.category}: ${q.count} line(s) quarantined, ${q.reason} — ${q.message}` })))
        : el('p', { text: 'Nothing quarantined.' }),
    );
  }
  parts.push(el('h3', { text: 'Operator actions' }));
  parts.push(
    audit.length
      ? el('ul', {}, ...audit.map((a) => el('li', { text: `${when(a.at)} — ${a.actor} (${a.via}) ${a.action}: ${a.outcome}${a.message ? ` (${a.message})` : ''}` })))
      : el('p', { text: 'None yet.' }),
  );
  $('detail').replaceChildren(el('article', { class: 'card' }, ...parts));
  return running;
}

/** The operator's buttons, each asking for confirmation first. */
function actions(id, status, failures) {
  const running = status.progress !== null;
  const act = (text, path, question, cls = '') =>
    el('button', {
      type: 'button',
      class: cls,
      text,
      onclick: async () => {
        if (!window.confirm(question)) return;
        try {
          await api('POST', `/api/campaigns/${encodeURIComponent(id)}/${path}`, path === 'replay' ? { allFailed: true } : undefined);
          say(`${text}: done`, true);
          await showCampaign(id, true);
        } catch (err) {
          say(err.message);
        }
      },
    });
  const buttons = [];
  if (running && !status.progress.paused) buttons.push(act('Pause', 'pause', `Pause campaign ${id}? Running batches finish; no new one starts.`));
  if (running && status.progress.paused) buttons.push(act('Resume', 'resume', `Resume campaign ${id}?`, 'primary'));
  if (running) buttons.push(act('Cancel', 'cancel', `Cancel campaign ${id}? Users not reached stay pending; this cannot be undone.`, 'danger'));
  if (!running && failures?.failed.length) buttons.push(act('Replay the failed', 'replay', `Replay every failed user-category of campaign ${id}?`));
  return el('div', { class: 'actions' }, ...buttons);
}

const pages = { support: supportPage, campaigns: campaignsPage };
pages[document.body.dataset.page]?.().catch((err) => say(err.message));
