// Incidents: the list, filtered, refreshed every few seconds, with acknowledge on each row.
'use strict';

(() => {
  const { el } = earshot;

  function filters() {
    const params = new URLSearchParams();
    for (const id of ['status', 'severity', 'brand', 'rule']) {
      const value = document.getElementById(id).value.trim();
      if (value) params.set(id, value);
    }
    return params;
  }

  async function acknowledge(id) {
    try {
      await earshot.post(`/api/v1/incidents/${encodeURIComponent(id)}/ack`, { by: earshot.who() });
      earshot.notice(`${id} acknowledged by ${earshot.who()}`);
      await load();
    } catch (error) {
      earshot.showError(error);
    }
  }

  function row(inc) {
    const actions = el('td');
    if (inc.status === 'open') {
      actions.append(el('button', { class: 'ack', 'data-id': inc.id, onclick: () => acknowledge(inc.id) }, 'Acknowledge'));
    }
    return el('tr', { 'data-id': inc.id },
      el('td', {}, earshot.severity(inc.severity)),
      el('td', {}, el('a', { href: `/incident?id=${encodeURIComponent(inc.id)}` }, inc.id)),
      el('td', { class: 'status' }, inc.status),
      el('td', {}, inc.rule),
      el('td', {}, inc.labels.brand || ''),
      el('td', { class: 'summary' }, inc.summary),
      el('td', { class: 'num' }, inc.posts),
      el('td', {}, earshot.ago(inc.last_post_at)),
      el('td', {}, inc.first_response ? `answered by @${inc.first_response.by}`
        : (inc.status === 'resolved' ? '' : earshot.wait(inc.waiting_seconds))),
      actions);
  }

  async function load() {
    try {
      const params = filters();
      history.replaceState(null, '', params.toString() ? `?${params}` : window.location.pathname);
      const { incidents } = await earshot.get(`/api/v1/incidents?${params}`);
      const body = document.querySelector('#incidents tbody');
      body.replaceChildren(...incidents.map(row));
      document.getElementById('empty').hidden = incidents.length > 0;
      earshot.clearError();
    } catch (error) {
      earshot.showError(error);
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    const query = new URLSearchParams(window.location.search);
    for (const id of ['status', 'severity', 'brand', 'rule']) {
      if (query.has(id)) document.getElementById(id).value = query.get(id);
    }
    document.getElementById('filters').addEventListener('change', load);
    document.getElementById('filters').addEventListener('submit', (event) => { event.preventDefault(); load(); });
    load();
    setInterval(load, 5000);
  });
})();
