// Shared by /ops and /admin: the organizer token lives in localStorage (so a new tab stays logged
// in, until "Log out", which every open tab follows) and travels as a Bearer header with every API
// call. The pages hold no secret themselves.
(function () {
  'use strict';
  var KEY = 'onsale.organizerToken';

  function token() { return localStorage.getItem(KEY); }

  function setToken(value) { localStorage.setItem(KEY, value); }

  function forget() { localStorage.removeItem(KEY); sessionStorage.removeItem(KEY); }

  function logout() { forget(); location.reload(); }

  // Logging out (or in) in one tab does the same in the others.
  window.addEventListener('storage', function (event) {
    if (event.key === KEY && event.newValue !== event.oldValue) location.reload();
  });

  // Calls the API; resolves with the parsed JSON, rejects with {status, error, message}.
  function api(method, path, body) {
    var init = { method: method, headers: { 'Authorization': 'Bearer ' + (token() || '') } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (response) {
      return response.text().then(function (text) {
        var json = null;
        try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
        if (!response.ok) {
          var failure = json || {};
          failure.status = response.status;
          if (!failure.message) failure.message = 'HTTP ' + response.status;
          if (response.status === 401) {
            forget();
          }
          throw failure;
        }
        return json;
      });
    });
  }

  // Shows the login form until a token is accepted by `probe` (an API path), then calls start().
  function requireLogin(probe, start) {
    var login = document.getElementById('login');
    var app = document.getElementById('app');
    var form = document.getElementById('login-form');
    var error = document.getElementById('login-error');
    function enter() {
      api('GET', probe).then(function () {
        login.hidden = true;
        app.hidden = false;
        document.body.classList.remove('anonymous');
        start();
      }, function (failure) {
        login.hidden = false;
        app.hidden = true;
        document.body.classList.add('anonymous');
        error.textContent = failure.status === 401
          ? (form.dataset.tried ? 'That token was not accepted.' : '')
          : (failure.message || 'The server did not answer.');
      });
    }
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      form.dataset.tried = '1';
      setToken(document.getElementById('token').value.trim());
      enter();
    });
    var out = document.getElementById('logout');
    if (out) out.addEventListener('click', logout);
    if (token()) { enter(); } else { login.hidden = false; document.body.classList.add('anonymous'); }
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === 'text') node.textContent = attrs[name];
      else if (name === 'className') node.className = attrs[name];
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function fmt(n, digits) {
    if (n === null || n === undefined || isNaN(n)) return '–';
    return Number(n).toLocaleString('en-US', { maximumFractionDigits: digits || 0, minimumFractionDigits: digits || 0 });
  }

  function when(ms) {
    if (!ms) return '–';
    return new Date(ms).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
  }

  window.Onsale = { api: api, token: token, requireLogin: requireLogin, el: el, fmt: fmt, when: when };
})();
