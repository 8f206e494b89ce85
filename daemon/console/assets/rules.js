// Rules: what each rule caught today, what shadow rules would have paged, the last posts each
// matched, and whether the last reload of the rule files went through.
'use strict';

(() => {
  const { el } = earshot;

  function reload(r) {
    const box = document.getElementById('reload');
    const when = r.at_start ? 'loaded at start' : `last reload ${earshot.ago(r.at)}`;
    const head = el('div', { class: r.ok ? 'reload ok' : 'reload failed' },
      r.ok ? `Rules ${when}: loaded cleanly.` : `The last reload (${earshot.ago(r.at)}) failed: ${r.error}. The rules loaded before it keep running.`);
    const list = el('ul', { class: 'diagnostics' }, ...r.diagnostics.map((d) => el('li', {}, d)));
    box.replaceChildren(head, r.diagnostics.length ? list : el('span'));
  }

  function brandChart(b) {
    return el('div', { class: 'panel chart-panel', 'data-brand': b.brand },
      el('div', {}, `${b.brand}: ${b.hourly.reduce((n, h) => n + h.complaints, 0)} complaints in 24h`),
      charts.bars(b.hourly.map((h) => h.complaints), b.hourly.map((h) => charts.hourLabel(h.hour)),
        { baseline: b.baseline_per_hour, title: `complaints per hour for ${b.brand}` }));
  }

  function lastPosts(rule) {
    const list = el('ul', { class: 'last-posts' });
    for (const p of rule.last_posts.slice(0, 3)) {
      list.append(el('li', {}, `@${p.author.handle}: `, el('span', { class: 'text' }, p.text), ' ',
        earshot.link(p.url, 'original'), p.shadow ? el('span', { class: 'muted' }, ' (shadow)') : null));
    }
    return list;
  }

  function row(rule) {
    return el('tr', { 'data-rule': rule.rule_id },
      el('td', {}, rule.rule_id),
      el('td', { class: 'num' }, rule.hits),
      el('td', { class: 'num' }, rule.shadow_hits),
      el('td', {}, charts.bars(rule.hourly.map((h) => h.hits), rule.hourly.map((h) => charts.hourLabel(h.hour)),
        { width: 260, height: 60, title: `hits per hour of ${rule.rule_id}` })),
      el('td', {}, lastPosts(rule)));
  }

  async function load() {
    try {
      const data = await earshot.get('/api/v1/rules');
      reload(data.reload);
      document.getElementById('brands').replaceChildren(...data.brands.map(brandChart));
      document.querySelector('#rules tbody').replaceChildren(...data.activity.rules.map(row));
      document.getElementById('empty').hidden = data.activity.rules.length > 0;
      earshot.clearError();
    } catch (error) {
      earshot.showError(error);
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    load();
    setInterval(load, 10000);
  });
})();
