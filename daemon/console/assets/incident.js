// One incident: who wrote what, with links to the originals, what earshot sent to each sink,
// and the actions an on-call person takes.
'use strict';

(() => {
  const { el } = earshot;
  const id = new URLSearchParams(window.location.search).get('id') || '';

  function post(p) {
    const who = p.author_name ? `${p.author_name} (@${p.author})` : `@${p.author}`;
    return el('div', { class: 'post', 'data-id': p.id },
      el('div', { class: 'meta' },
        `${who} · ${p.followers} followers · ${p.network} · ${earshot.ago(p.created_at)} · complaint ${p.complaint.toFixed(2)} · `,
        earshot.link(p.url, 'original')),
      el('div', { class: 'text' }, p.text + (p.truncated ? ' …' : '')));
  }

  function event(e) {
    const item = el('li', {}, `${new Date(e.at).toLocaleString()} · ${e.kind} · ${e.severity} · ${e.reason}`);
    for (const d of e.deliveries) {
      const cls = d.state === 'dead letter' ? 'delivery dead' : (d.state === 'pending' ? 'delivery pending' : 'delivery');
      item.append(el('span', { class: cls, 'data-sink': d.sink }, `${d.sink}: ${d.state}${d.reason ? ` (${d.reason})` : ''}`));
    }
    return item;
  }

  async function load() {
    try {
      const data = await earshot.get(`/api/v1/incidents/${encodeURIComponent(id)}`);
      const inc = data.incident;
      document.getElementById('title').replaceChildren(earshot.severity(inc.severity), ` ${inc.id}`);
      document.getElementById('summary').replaceChildren(
        el('div', {}, inc.summary),
        el('div', { class: 'muted', id: 'state' },
          `${inc.status} · rule ${inc.rule} · ${inc.posts} posts by ${inc.authors} authors · opened ${earshot.ago(inc.opened_at)}` +
          (inc.first_response ? ` · answered by @${inc.first_response.by}` : '')));
      document.getElementById('ack').hidden = inc.status !== 'open';
      document.getElementById('resolve').hidden = inc.status === 'resolved';
      document.getElementById('silence').dataset.rule = inc.rule;
      document.getElementById('posts').replaceChildren(...data.posts.map(post));
      document.getElementById('timeline').replaceChildren(...data.events.map(event));
      earshot.clearError();
    } catch (error) {
      earshot.showError(error);
    }
  }

  async function act(fn) {
    try {
      earshot.notice(await fn());
      await load();
    } catch (error) {
      earshot.showError(error);
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    document.getElementById('ack').addEventListener('click', () => act(async () => {
      await earshot.post(`/api/v1/incidents/${encodeURIComponent(id)}/ack`, { by: earshot.who() });
      return `acknowledged by ${earshot.who()}`;
    }));
    document.getElementById('resolve').addEventListener('click', () => act(async () => {
      await earshot.post(`/api/v1/incidents/${encodeURIComponent(id)}/resolve`, { by: earshot.who() });
      return `resolved by ${earshot.who()}; every sink hears of it within a second`;
    }));
    document.getElementById('silence').addEventListener('click', (event) => act(async () => {
      const rule = event.target.dataset.rule;
      const length = document.getElementById('silence-for').value;
      const s = await earshot.post('/api/v1/silences', {
        matchers: `rule=${JSON.stringify(rule)}`, for: length, comment: `from ${id}`, by: earshot.who(),
      });
      return `${s.id} silences ${s.matchers} until ${new Date(s.ends_at).toLocaleString()}`;
    }));
    load();
    setInterval(load, 5000);
  });
})();
