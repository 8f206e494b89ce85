// earshot console: what every page shares. Posts are strangers' text: everything a page shows
// is written with textContent or as a text node, never parsed as markup, and a link is only made
// from an http(s) URL.
'use strict';

const earshot = (() => {
  let csrfToken = null;

  function signedOut(response) {
    if (response.status === 401) {
      window.location.assign('/login');
      throw new Error('signed out');
    }
  }

  async function readJson(response) {
    signedOut(response);
    let body = {};
    try { body = await response.json(); } catch (e) { body = {}; }
    if (!response.ok) throw new Error(body.error || `${response.status} ${response.statusText}`);
    return body;
  }

  async function get(path) {
    const response = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    return readJson(response);
  }

  // Changes carry the session's CSRF token; another site cannot read it.
  async function post(path, body) {
    if (csrfToken === null) csrfToken = (await get('/api/v1/session')).csrf_token;
    const response = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken },
      body: JSON.stringify(body || {}),
    });
    return readJson(response);
  }

  // el('td', {class: 'num'}, 'text', childNode...): children become text nodes unless nodes.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === 'class') node.className = value;
      else if (key === 'onclick') node.addEventListener('click', value);
      else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function safeUrl(url) {
    try {
      const parsed = new URL(url);
      return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  // A link to the original post, or plain text when the URL is not http(s).
  function link(url, text) {
    const href = safeUrl(url);
    return href ? el('a', { href, rel: 'noopener noreferrer', target: '_blank' }, text) : el('span', {}, text);
  }

  function severity(name) { return el('span', { class: `sev sev-${name}` }, name); }

  function ago(iso) {
    const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (seconds < 90) return `${seconds}s ago`;
    if (seconds < 5400) return `${Math.round(seconds / 60)}m ago`;
    if (seconds < 172800) return `${Math.round(seconds / 3600)}h ago`;
    return `${Math.round(seconds / 86400)}d ago`;
  }

  function wait(seconds) {
    if (seconds < 90) return `${seconds}s`;
    if (seconds < 5400) return `${Math.round(seconds / 60)}m`;
    return `${Math.floor(seconds / 3600)}h${String(Math.round((seconds % 3600) / 60)).padStart(2, '0')}`;
  }

  // A table cell with a source's or a sink's last warning or error, and how long ago.
  function problemCell(p) {
    if (!p) return el('td', { class: 'muted' }, 'none');
    return el('td', { class: p.level === 'error' ? 'problem error-text' : 'problem' },
      `${ago(p.at)}: ${p.message}`);
  }

  // Who acts: kept in this browser, sent as "by" with every action (as `--by NAME`).
  function who() { return (localStorage.getItem('earshot.who') || '').trim() || 'console'; }

  function showError(error) {
    const box = document.getElementById('error');
    if (!box) return;
    box.textContent = String(error && error.message ? error.message : error);
    box.hidden = false;
  }
  function clearError() {
    const box = document.getElementById('error');
    if (box) box.hidden = true;
  }
  function notice(text) {
    const box = document.getElementById('notice');
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
  }

  function start() {
    for (const a of document.querySelectorAll('header nav a')) {
      if (a.getAttribute('href') === window.location.pathname) a.classList.add('here');
    }
    const input = document.getElementById('who');
    if (input) {
      input.value = localStorage.getItem('earshot.who') || '';
      input.addEventListener('change', () => localStorage.setItem('earshot.who', input.value.trim()));
    }
  }
  document.addEventListener('DOMContentLoaded', start);

  return { get, post, el, link, severity, ago, wait, problemCell, who, showError, clearError, notice };
})();
