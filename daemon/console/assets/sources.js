// Sources: the state of every source, refreshed every few seconds.
'use strict';

(() => {
  const { el } = earshot;

  function budget(b) {
    if (!b) return '';
    if (b.remaining === null) return 'not reported yet';
    const reset = b.reset ? `, resets ${new Date(b.reset).toLocaleTimeString()}` : '';
    return `${b.remaining} of ${b.limit ?? '?'}${reset}`;
  }

  function row(s) {
    return el('tr', { 'data-name': s.name },
      el('td', {}, s.name),
      el('td', { class: s.state === 'failing' ? 'state failing' : 'state' }, s.state),
      el('td', { class: 'num' }, s.posts),
      el('td', { class: 'num' }, s.consecutive_failures),
      el('td', {}, s.lag_seconds === null ? '' : `${s.lag_seconds.toFixed(1)}s`),
      el('td', {}, budget(s.budget)),
      earshot.problemCell(s.last_problem));
  }

  async function load() {
    try {
      const { sources } = await earshot.get('/api/v1/sources');
      document.querySelector('#sources tbody').replaceChildren(...sources.map(row));
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
