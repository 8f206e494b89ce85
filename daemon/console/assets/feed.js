// Live feed: detections pushed by the server as they happen (Server-Sent Events); the browser
// reconnects by itself and resumes after the last event it saw (Last-Event-ID).
'use strict';

(() => {
  const { el } = earshot;
  const kKeep = 200;  // entries shown; older ones leave the page

  function entry(d) {
    const who = d.author_name ? `${d.author_name} (@${d.author})` : `@${d.author}`;
    const rules = el('div', { class: 'rules' });
    for (const r of d.rules) {
      rules.append(el('span', { class: r.shadow ? 'shadow' : '' },
        `${r.rule} · ${r.category} · ${r.severity}${r.shadow ? ' · shadow' : ''}${r.brand ? ` · ${r.brand}` : ''}`));
    }
    return el('div', { class: 'post', 'data-seq': d.seq, 'data-id': d.id },
      el('div', { class: 'meta' },
        `${new Date(d.at).toLocaleTimeString()} · ${d.source} · ${who} · ${d.followers} followers · complaint ${Number(d.complaint).toFixed(2)} · `,
        earshot.link(d.url, 'original')),
      el('div', { class: 'text' }, d.text),
      rules,
      d.reason ? el('div', { class: 'meta reason' }, d.reason) : null);
  }

  document.addEventListener('DOMContentLoaded', () => {
    const feed = document.getElementById('feed');
    const state = document.getElementById('feed-state');
    const source = new EventSource('/api/v1/feed/events');
    source.addEventListener('open', () => { state.textContent = 'live'; });
    source.addEventListener('error', () => { state.textContent = 'reconnecting…'; });
    source.addEventListener('detection', (message) => {
      feed.prepend(entry(JSON.parse(message.data)));
      while (feed.childElementCount > kKeep) feed.lastElementChild.remove();
    });
  });
})();
