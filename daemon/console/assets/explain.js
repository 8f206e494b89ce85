// Explain: why the rules loaded now say what they say about a text.
'use strict';

(() => {
  const { el } = earshot;

  async function explain(event) {
    event.preventDefault();
    try {
      const text = document.getElementById('text').value;
      const allRules = document.getElementById('all-rules').checked;
      const result = await earshot.post('/api/v1/explain', { text, all_rules: allRules ? '1' : '' });
      const e = result.explanation;
      const verdict = document.getElementById('verdict');
      const matched = (e.rules || []).filter((r) => r.matched).map((r) => r.id);
      verdict.replaceChildren(
        el('div', {}, `complaint probability ${Number(e.complaint_score ?? 0).toFixed(3)} · sentiment ${Number((e.sentiment && e.sentiment.compound) ?? 0).toFixed(3)}`),
        el('div', { class: 'rules' }, matched.length ? 'matched: ' : 'no rule matched', ...matched.map((r) => el('span', {}, r))));
      verdict.hidden = false;
      const pre = document.getElementById('explanation');
      pre.textContent = result.text;
      pre.hidden = false;
      earshot.clearError();
    } catch (error) {
      earshot.showError(error);
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    document.getElementById('explain-form').addEventListener('submit', explain);
  });
})();
