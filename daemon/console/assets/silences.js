// Silences: what is muted, until when and why; add one, or end one early.
'use strict';

(() => {
  const { el } = earshot;

  async function expire(id) {
    try {
      await earshot.post(`/api/v1/silences/${encodeURIComponent(id)}/expire`, {});
      earshot.notice(`${id} expired`);
      await load();
    } catch (error) {
      earshot.showError(error);
    }
  }

  function row(s) {
    const actions = el('td');
    if (s.state !== 'expired') actions.append(el('button', { onclick: () => expire(s.id) }, 'Expire'));
    return el('tr', { 'data-id': s.id },
      el('td', {}, s.id), el('td', {}, s.matchers), el('td', {}, s.state),
      el('td', {}, new Date(s.ends_at).toLocaleString()), el('td', {}, s.created_by),
      el('td', {}, s.comment), actions);
  }

  async function load() {
    try {
      const all = document.getElementById('show-all').checked;
      const { silences } = await earshot.get(`/api/v1/silences${all ? '?all=1' : ''}`);
      document.querySelector('#silences tbody').replaceChildren(...silences.map(row));
      document.getElementById('empty').hidden = silences.length > 0;
    } catch (error) {
      earshot.showError(error);
    }
  }

  async function add(event) {
    event.preventDefault();
    try {
      const s = await earshot.post('/api/v1/silences', {
        matchers: document.getElementById('matchers').value,
        for: document.getElementById('for').value,
        comment: document.getElementById('comment').value,
        by: earshot.who(),
      });
      earshot.clearError();
      earshot.notice(`${s.id} silences ${s.matchers} until ${new Date(s.ends_at).toLocaleString()}`);
      await load();
    } catch (error) {
      earshot.showError(error);
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    document.getElementById('silence-form').addEventListener('submit', add);
    document.getElementById('show-all').addEventListener('change', load);
    load();
    setInterval(load, 10000);
  });
})();
