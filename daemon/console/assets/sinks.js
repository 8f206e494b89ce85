// Sinks: delivery counts and backlog, dead letters and sending them again.
'use strict';

(() => {
  const { el } = earshot;

  async function retry(sink, seq) {
    try {
      await earshot.post(`/api/v1/sinks/${encodeURIComponent(sink)}/retry`, seq ? { seq: String(seq) } : {});
      earshot.notice(seq ? `${sink}: seq ${seq} will be sent again` : `${sink}: every dead letter will be sent again`);
      await load();
    } catch (error) {
      earshot.showError(error);
    }
  }

  function row(s) {
    const actions = el('td');
    if (s.dead_letters.length) actions.append(el('button', { onclick: () => retry(s.name) }, 'Retry all'));
    return el('tr', { 'data-name': s.name },
      el('td', {}, s.name), el('td', { class: 'num' }, s.delivered), el('td', { class: 'num' }, s.skipped),
      el('td', { class: 'num' }, s.retries), el('td', { class: 'num' }, s.backlog),
      el('td', { class: 'num' }, s.dead_letters.length), earshot.problemCell(s.last_problem), actions);
  }

  function letter(sink, d) {
    return el('tr', {},
      el('td', {}, sink), el('td', { class: 'num' }, d.seq), el('td', {}, new Date(d.at).toLocaleString()),
      el('td', {}, d.reason),
      el('td', {}, d.retry_pending ? 'retry pending' : el('button', { onclick: () => retry(sink, d.seq) }, 'Retry')));
  }

  async function load() {
    try {
      const { sinks } = await earshot.get('/api/v1/sinks');
      document.querySelector('#sinks tbody').replaceChildren(...sinks.map(row));
      const letters = sinks.flatMap((s) => s.dead_letters.map((d) => letter(s.name, d)));
      document.querySelector('#dead-letters tbody').replaceChildren(...letters);
      document.getElementById('no-dead').hidden = letters.length > 0;
      earshot.clearError();
    } catch (error) {
      earshot.showError(error);
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    load();
    setInterval(load, 3000);
  });
})();
