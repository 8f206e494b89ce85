// The sign-in form is a plain POST; this only explains a refused attempt.
'use strict';
document.addEventListener('DOMContentLoaded', () => {
  const reason = new URLSearchParams(window.location.search).get('error');
  const messages = {
    wrong: 'That secret is not the console secret.',
    locked: 'Too many wrong attempts from this address: wait a minute.',
  };
  if (messages[reason]) {
    const box = document.getElementById('error');
    box.textContent = messages[reason];
    box.hidden = false;
  }
});
