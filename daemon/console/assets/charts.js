// Small SVG charts for the console, drawn with DOM calls (no markup strings, no library).
'use strict';

const charts = (() => {
  const NS = 'http://www.w3.org/2000/svg';

  function svg(tag, attrs, text) {
    const node = document.createElementNS(NS, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Bars, one per value, with an optional dashed line at `baseline`, labels under the first,
  // middle and last bar, and each bar's value in its tooltip.
  function bars(values, labels, { width = 520, height = 120, baseline = null, title = '' } = {}) {
    const pad = { left: 28, right: 6, top: 8, bottom: 18 };
    const top = Math.max(1, baseline || 0, ...values);
    const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', class: 'chart' });
    chart.append(svg('title', {}, title));
    const plotW = width - pad.left - pad.right;
    const plotH = height - pad.top - pad.bottom;
    const step = plotW / Math.max(1, values.length);
    const y = (v) => pad.top + plotH - (v / top) * plotH;
    chart.append(svg('line', { x1: pad.left, y1: y(0), x2: width - pad.right, y2: y(0), class: 'axis' }));
    chart.append(svg('text', { x: pad.left - 4, y: y(top) + 4, class: 'tick', 'text-anchor': 'end' }, String(Math.round(top))));
    chart.append(svg('text', { x: pad.left - 4, y: y(0), class: 'tick', 'text-anchor': 'end' }, '0'));
    values.forEach((v, i) => {
      const bar = svg('rect', { x: pad.left + i * step + 1, y: y(v), width: Math.max(1, step - 2), height: y(0) - y(v), class: 'bar' });
      bar.append(svg('title', {}, `${labels[i]}: ${v}`));
      chart.append(bar);
    });
    if (baseline !== null) {
      chart.append(svg('line', { x1: pad.left, y1: y(baseline), x2: width - pad.right, y2: y(baseline), class: 'baseline' }));
      chart.append(svg('text', { x: width - pad.right, y: y(baseline) - 3, class: 'tick', 'text-anchor': 'end' }, `baseline ${baseline.toFixed(1)}/h`));
    }
    for (const i of [0, Math.floor(values.length / 2), values.length - 1]) {
      if (i < 0 || labels[i] === undefined) continue;
      chart.append(svg('text', { x: pad.left + i * step + step / 2, y: height - 4, class: 'tick', 'text-anchor': 'middle' }, labels[i]));
    }
    return chart;
  }

  function hourLabel(iso) { return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }); }

  return { bars, hourLabel };
})();
