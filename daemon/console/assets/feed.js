// Live feed: detections pushed by the server as they happen (Server-Sent Events); the browser
// reconnects by itself and resumes after the last event it saw (Last-Event-ID).
'use strict';

(() => {
  const { el } = earshot;
  const kKeep = 200;  // entries shown; older ones leave the page

  function entry(d) {
    const a = d.author;
    const who = a.display_name ? `${a.display_name} (@${a.handle})` : `@${a.handle}`;
    const rules = el('div', { class: 'rules' });
    for (const r of d.rules) {
      rules.append(el('span', { class: r.shadow ? 'shadow' : '' },
        `${r.rule_id} · ${r.category} · ${r.severity}${r.shadow ? ' · shadow' : ''}${r.brand ? ` · ${r.brand}` : ''}`));
    }
    // Why: each rule's own summary, as its page would headline it.
    const reasons = [...new Set(d.rules.map((r) => r.summary).filter(Boolean))];
    // data-at and data-shown: when earshot published the detection and when it reached this page.
    return el('div', { class: 'post', 'data-seq': d.seq, 'data-id': d.post_id, 'data-at': d.at, 'data-shown': Date.now() },
      el('div', { class: 'meta' },
        `${new Date(d.at).toLocaleTimeString()} · ${d.source} · ${who} · ${a.followers} followers · complaint ${Number(d.complaint).toFixed(2)} · `,
        earshot.link(d.url, 'original')),
      el('div', { class: 'text' }, d.text),
      rules,
      reasons.length ? el('div', { class: 'meta reason' }, reasons.join(' · ')) : null);
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
