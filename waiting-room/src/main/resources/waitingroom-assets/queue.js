/*
 * The buyer's page: joins the queue, follows the place in line (server-sent events, polling as a
 * fallback), and once admitted runs the shop: categories, reserve with the admission token, hold
 * timer, checkout, confirmation with ticket links as the PDFs get ready. No framework, no build.
 * The queue token lives in an HttpOnly cookie the server sets; this script never sees it.
 */
(function () {
  'use strict';

  var eventId = document.body.getAttribute('data-event-id');
  var api = '/api/v1/events/' + encodeURIComponent(eventId);
  var storeKey = 'onsale:' + eventId;
  var POLL_MS = 2000;
  var ORDER_POLL_MS = 2000;
  var ORDER_POLL_LIMIT = 150;

  var clockSkewMs = 0;         // server time minus this browser's time
  var stream = null;           // the EventSource while following the queue
  var pollTimer = null;
  var countdownTimer = null;
  var holdTimer = null;
  var admissionTimer = null;
  var saleStartsAtMs = null;
  var lastLive = { text: '', at: 0 };
  var shop = { token: null, tokenExpiresAt: null, event: null, reservation: null };

  function $(id) { return document.getElementById(id); }
  function show(id, visible) { $(id).hidden = !visible; }
  function text(id, value) { $(id).textContent = value; }
  function serverNow() { return Date.now() + clockSkewMs; }

  function notice(message, kind) {
    var box = $('notice');
    if (!message) { box.hidden = true; box.textContent = ''; return; }
    box.className = 'notice' + (kind ? ' ' + kind : '');
    box.textContent = message;
    box.hidden = false;
  }

  function load() {
    try { return JSON.parse(sessionStorage.getItem(storeKey)) || {}; } catch (e) { return {}; }
  }
  function save(patch) {
    var saved = load();
    Object.keys(patch).forEach(function (k) { saved[k] = patch[k]; });
    try { sessionStorage.setItem(storeKey, JSON.stringify(saved)); } catch (e) { /* private mode */ }
  }
  function forget(keys) {
    var saved = load();
    keys.forEach(function (k) { delete saved[k]; });
    try { sessionStorage.setItem(storeKey, JSON.stringify(saved)); } catch (e) { /* private mode */ }
  }

  /** fetch with JSON in and out; resolves {status, body} for any HTTP answer. */
  function call(method, url, body, headers) {
    var options = { method: method, credentials: 'same-origin', headers: { 'Accept': 'application/json' } };
    if (body !== undefined) {
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body);
    }
    Object.keys(headers || {}).forEach(function (k) { options.headers[k] = headers[k]; });
    return fetch(url, options).then(function (response) {
      var date = response.headers.get('Date');
      if (date) {
        var skew = Date.parse(date) - Date.now();
        // The Date header has one-second resolution: only trust it for larger differences.
        if (Math.abs(skew) > 1500) { clockSkewMs = skew; }
      }
      return response.text().then(function (raw) {
        var parsed = null;
        try { parsed = raw ? JSON.parse(raw) : null; } catch (e) { parsed = null; }
        return { status: response.status, body: parsed || {} };
      });
    });
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined || isNaN(seconds)) { return '–'; }
    seconds = Math.max(0, Math.round(seconds));
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    if (h > 0) { return h + ' h ' + m + ' min'; }
    if (m > 0) { return m + ' min ' + (s < 10 ? '0' : '') + s + ' s'; }
    return s + ' s';
  }
  function roughWait(seconds) {
    if (seconds === null || seconds === undefined) { return '–'; }
    if (seconds < 60) { return 'under a minute'; }
    if (seconds < 3600) { return 'about ' + Math.ceil(seconds / 60) + ' min'; }
    return 'about ' + (seconds / 3600).toFixed(1) + ' h';
  }
  function number(value) {
    return value === null || value === undefined ? '–' : Number(value).toLocaleString();
  }
  /** Amounts are integers in the currency's minor units: JPY has none, KWD three. */
  function money(minor, currency) {
    currency = currency || 'EUR';
    var digits = 2;
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency: currency }).resolvedOptions().maximumFractionDigits;
      return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency }).format(minor / Math.pow(10, digits));
    } catch (e) {
      return (minor / Math.pow(10, digits)).toFixed(digits) + ' ' + currency;
    }
  }

  /** Tells screen readers about the place in line without chattering every second. */
  function announce(message, urgent) {
    var now = Date.now();
    if (message === lastLive.text || (!urgent && now - lastLive.at < 30000)) { return; }
    lastLive = { text: message, at: now };
    text('queue-live', message);
  }

  // ---------------------------------------------------------------- the queue

  function join(rejoin) {
    notice(null);
    show('rejoin-button', false);
    text('queue-message', 'Joining the queue…');
    call('POST', api + '/queue', rejoin ? { rejoin: true } : {}).then(function (res) {
      if (res.status === 200 || res.status === 201) {
        if (res.body.waitingRoom === 'off') { enterShop(null, null); return; }
        render(res.body);
        if (res.body.state !== 'admitted') { follow(); }
      } else if (res.body.error === 'queue_not_open') {
        waitForOpening(res.body);
      } else if (res.status === 404) {
        text('queue-message', 'This event is not on sale.');
      } else if (res.status === 429) {
        var retry = res.body.retryAfterSeconds || 30;
        text('queue-message', 'Too many attempts from your network. Retrying in ' + retry + ' s…');
        setTimeout(function () { join(rejoin); }, retry * 1000);
      } else if (res.body.error === 'queue_closed') {
        text('queue-message', 'The sale of this event has ended.');
      } else {
        retryLater(function () { join(rejoin); });
      }
    }, function () { retryLater(function () { join(rejoin); }); });
  }

  function retryLater(again) {
    text('queue-message', 'Connection problem. Retrying…');
    setTimeout(again, 3000 + Math.random() * 2000);
  }

  function waitForOpening(body) {
    var opensAt = Date.parse(body.queueOpensAt);
    text('queue-message', 'The queue opens at ' + new Date(opensAt).toLocaleString() + '.');
    $('countdown-label').textContent = 'The queue opens in';
    startCountdown(opensAt);
    var wait = Math.max(1000, opensAt - serverNow()) + Math.random() * 1500;
    setTimeout(function () { join(false); }, Math.min(wait, 60000));
  }

  function startCountdown(targetMs) {
    saleStartsAtMs = targetMs;
    show('countdown-box', true);
    clearInterval(countdownTimer);
    var tick = function () {
      var left = Math.ceil((saleStartsAtMs - serverNow()) / 1000);
      text('countdown', duration(Math.max(0, left)));
      if (left <= 0) { clearInterval(countdownTimer); }
    };
    tick();
    countdownTimer = setInterval(tick, 1000);
  }

  /** Follows the status: server-sent events if the browser can, polling otherwise. */
  function follow() {
    stopFollowing();
    if (window.EventSource) {
      var failures = 0;
      stream = new EventSource(api + '/queue/events');
      stream.addEventListener('status', function (e) {
        failures = 0;
        try { render(JSON.parse(e.data)); } catch (err) { /* ignore a torn message */ }
      });
      stream.onerror = function () {
        failures += 1;
        if (stream && (stream.readyState === EventSource.CLOSED || failures > 2)) {
          stream.close();
          stream = null;
          poll();
        }
      };
    } else {
      poll();
    }
  }

  function stopFollowing() {
    if (stream) { stream.close(); stream = null; }
    clearTimeout(pollTimer);
  }

  function poll() {
    clearTimeout(pollTimer);
    call('GET', api + '/queue/status').then(function (res) {
      if (res.status === 200) {
        render(res.body);
        if (res.body.state === 'admitted' || res.body.state === 'closed') { return; }
      } else if (res.status === 401) {
        join(false);
        return;
      }
      pollTimer = setTimeout(poll, POLL_MS + Math.random() * 500);
    }, function () {
      pollTimer = setTimeout(poll, POLL_MS * 2);
    });
  }

  function render(status) {
    var state = status.state;
    $('queue-view').className = 'card state-' + state;
    text('number', number(status.number));
    text('position', number(status.position));
    text('ahead', number(status.ahead));
    text('eta', status.etaSeconds === null || status.etaSeconds === undefined ? '–' : roughWait(status.etaSeconds));
    text('remaining', status.remainingTickets === null || status.remainingTickets === undefined
      ? '–' : number(status.remainingTickets));
    var progress = Math.round((status.progress || 0) * 100);
    $('progress').value = progress;
    $('progress').textContent = progress + '%';
    $('progress').setAttribute('aria-valuetext', progress + '% of the way to the front');
    renderFairness(status);

    if (status.saleStartsAt) {
      if (state === 'prequeue') {
        $('countdown-label').textContent = 'The sale starts in';
        startCountdown(Date.parse(status.saleStartsAt));
      } else {
        show('countdown-box', false);
        clearInterval(countdownTimer);
      }
    }

    if (state === 'prequeue') {
      var pre = status.preQueue === 'random'
        ? 'You are in the pre-queue. When the sale starts, everyone in it gets a random place.'
        : 'You are in the pre-queue, number ' + number(status.position) + ' in line.';
      text('queue-message', pre);
      announce(pre, false);
    } else if (state === 'waiting') {
      var msg;
      if (status.position === null || status.position === undefined) {
        msg = 'The sale has started. Finding your place…';
      } else if (status.paused) {
        msg = 'The sale is paused. You keep your place: ' + number(status.position) + ' in line.';
      } else if (status.waitingForTickets) {
        msg = 'All tickets are in other buyers\' baskets right now. You keep your place: '
          + number(status.position) + ' in line. Tickets that are not bought come back.';
      } else {
        msg = 'You are number ' + number(status.position) + ' in line. Estimated wait: '
          + roughWait(status.etaSeconds) + '.';
      }
      text('queue-message', msg);
      announce(msg, false);
    } else if (state === 'sold_out') {
      var sold = 'Sold out. Every ticket has been sold. If tickets come back, this page will let you know.';
      text('queue-message', sold);
      announce(sold, true);
    } else if (state === 'closed') {
      stopFollowing();
      var closed = status.reason === 'admission_ended'
        ? 'Your turn to shop has ended. You can join the queue again at the back.'
        : 'The sale of this event has ended.';
      text('queue-message', closed);
      announce(closed, true);
      show('rejoin-button', status.reason === 'admission_ended');
    } else if (state === 'admitted') {
      stopFollowing();
      text('queue-message', 'It\'s your turn!');
      announce('It\'s your turn! The shop is open for you now.', true);
      enterShop(status.admissionToken, status.admissionExpiresAt);
    }
  }

  function renderFairness(status) {
    if (status.preQueue !== 'random' || !status.seedHash) { show('fairness', false); return; }
    var line = status.seed
      ? 'The pre-queue of ' + number(status.preQueueSize) + ' buyers was shuffled with seed ' + status.seed
        + ' (SHA-256 ' + status.seedHash + '), so anyone can check the draw.'
      : 'The draw is fixed in advance: its seed has SHA-256 ' + status.seedHash
        + '. The seed is published when the sale starts.';
    text('fairness', line);
    show('fairness', true);
  }

  // ---------------------------------------------------------------- the shop

  function enterShop(token, expiresAt) {
    shop.token = token;
    shop.tokenExpiresAt = expiresAt ? Date.parse(expiresAt) : null;
    show('queue-view', false);
    show('shop-view', true);
    $('shop-heading').focus();
    startAdmissionTimer();
    loadCategories();
  }

  function startAdmissionTimer() {
    clearInterval(admissionTimer);
    if (!shop.tokenExpiresAt) { text('admission-timer', ''); return; }
    var tick = function () {
      var left = Math.floor((shop.tokenExpiresAt - serverNow()) / 1000);
      if (left <= 0) {
        clearInterval(admissionTimer);
        text('admission-timer', 'Your turn has ended.');
        $('reserve-button').disabled = true;
        show('queue-view', true);
        show('rejoin-button', true);
        text('queue-message', 'Your turn to shop has ended. You can join the queue again at the back.');
        return;
      }
      text('admission-timer', 'Reserve within ' + duration(left) + ' to keep your turn.');
    };
    tick();
    admissionTimer = setInterval(tick, 1000);
  }

  function loadCategories() {
    call('GET', api).then(function (res) {
      if (res.status !== 200) { notice('Could not load the tickets. Retrying…', 'error'); setTimeout(loadCategories, 3000); return; }
      notice(null);
      shop.event = res.body;
      renderCategories(res.body);
    }, function () { setTimeout(loadCategories, 3000); });
  }

  function renderCategories(event) {
    var box = $('categories');
    box.textContent = '';
    var max = event.maxTicketsPerOrder || 6;
    (event.categories || []).forEach(function (category) {
      var available = category.available === undefined ? max : category.available;
      var soldOut = category.soldOut || available <= 0;
      var row = document.createElement('div');
      row.className = 'category' + (soldOut ? ' sold-out' : '');
      var id = 'qty-' + category.id;
      var label = document.createElement('label');
      label.setAttribute('for', id);
      label.className = 'name';
      label.textContent = category.name;
      var meta = document.createElement('span');
      meta.className = 'meta';
      meta.id = id + '-meta';
      meta.textContent = money(category.priceCents, category.currency) + ' · '
        + (soldOut ? 'sold out' : number(available) + ' left');
      var select = document.createElement('select');
      select.id = id;
      select.name = 'quantity';
      select.setAttribute('data-category-id', category.id);
      select.setAttribute('aria-describedby', meta.id);
      select.disabled = soldOut;
      for (var q = 0; q <= Math.min(max, Math.max(0, available)); q++) {
        var option = document.createElement('option');
        option.value = String(q);
        option.textContent = String(q);
        select.appendChild(option);
      }
      row.appendChild(label);
      row.appendChild(meta);
      row.appendChild(select);
      box.appendChild(row);
    });
    text('reserve-hint', 'Up to ' + max + ' tickets per order.');
  }

  function randomKey() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  function reserve(e) {
    e.preventDefault();
    var items = [];
    var total = 0;
    Array.prototype.forEach.call(document.querySelectorAll('#categories select'), function (select) {
      var quantity = parseInt(select.value, 10) || 0;
      if (quantity > 0) {
        items.push({ categoryId: Number(select.getAttribute('data-category-id')), quantity: quantity });
        total += quantity;
      }
    });
    if (items.length === 0) { notice('Choose at least one ticket.', 'error'); return; }
    var max = (shop.event && shop.event.maxTicketsPerOrder) || 6;
    if (total > max) { notice('At most ' + max + ' tickets per order.', 'error'); return; }
    notice(null);
    var button = $('reserve-button');
    button.disabled = true;
    var headers = { 'Idempotency-Key': randomKey() };
    if (shop.token) { headers.Authorization = 'Bearer ' + shop.token; }
    call('POST', api + '/reservations', { items: items }, headers).then(function (res) {
      button.disabled = false;
      if (res.status === 201) {
        save({ reservation: res.body });
        enterCheckout(res.body);
      } else if (res.body.error === 'sold_out') {
        notice('Sorry, not enough tickets are left for that choice. The numbers below are up to date.', 'error');
        loadCategories();
      } else if (res.status === 401 || res.status === 403) {
        notice('Your turn to shop has ended. Join the queue again to try once more.', 'error');
        show('queue-view', true);
        show('rejoin-button', true);
      } else {
        notice(res.body.message || 'The reservation did not work. Please try again.', 'error');
      }
    }, function () {
      button.disabled = false;
      notice('Connection problem. Please try again.', 'error');
    });
  }

  // ---------------------------------------------------------------- checkout

  function categoryName(categoryId) {
    var categories = (shop.event && shop.event.categories) || (load().categories) || [];
    for (var i = 0; i < categories.length; i++) {
      if (categories[i].id === categoryId) { return categories[i].name; }
    }
    return 'Ticket';
  }

  function enterCheckout(reservation) {
    shop.reservation = reservation;
    clearInterval(admissionTimer);
    if (shop.event) { save({ categories: shop.event.categories }); }
    show('queue-view', false);
    show('shop-view', false);
    show('checkout-view', true);
    $('checkout-heading').focus();
    var list = $('held-summary');
    list.textContent = '';
    var currency = reservation.total && reservation.total.currency;
    (reservation.lines || []).forEach(function (line) {
      var li = document.createElement('li');
      li.textContent = line.quantity + ' × ' + line.category + ' at ' + money(line.unitCents, currency)
        + ' = ' + money(line.amountCents, currency);
      list.appendChild(li);
    });
    if (reservation.total) {
      text('held-total-amount', money(reservation.total.amountCents, currency));
      show('held-total', true);
      $('order-button').textContent = reservation.total.amountCents > 0 ? 'Order and pay' : 'Order (free)';
    }
    var expiresAt = Date.parse(reservation.expiresAt);
    clearInterval(holdTimer);
    var tick = function () {
      var left = Math.floor((expiresAt - serverNow()) / 1000);
      if (left <= 0) {
        clearInterval(holdTimer);
        text('hold-timer', '0 s');
        $('order-button').disabled = true;
        forget(['reservation']);
        notice('Your hold has expired and the tickets went back on sale.', 'error');
        show('queue-view', true);
        show('rejoin-button', true);
        return;
      }
      text('hold-timer', duration(left));
    };
    tick();
    holdTimer = setInterval(tick, 1000);
  }

  function order(e) {
    e.preventDefault();
    var name = $('buyer-name').value.trim();
    var email = $('buyer-email').value.trim();
    if (!name) { notice('Please enter your name.', 'error'); $('buyer-name').focus(); return; }
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      notice('Please enter a valid e-mail address.', 'error');
      $('buyer-email').focus();
      return;
    }
    notice(null);
    var button = $('order-button');
    button.disabled = true;
    call('POST', '/api/v1/reservations/' + encodeURIComponent(shop.reservation.id) + '/order',
      { buyer: { name: name, email: email } }, { 'Idempotency-Key': 'order-' + shop.reservation.id }).then(function (res) {
      if (res.status === 201 || res.status === 200) {
        clearInterval(holdTimer);
        forget(['reservation']);
        save({ order: { code: res.body.code, secret: res.body.secret } });
        if (res.body.status === 'pending' && res.body.payment && res.body.payment.url) {
          // Paying needs only the order: off to the payment page, which returns to the order page.
          location.href = res.body.payment.url;
          return;
        }
        enterConfirmation(res.body.code, res.body.secret, res.body.tickets);
      } else {
        button.disabled = false;
        notice(res.body.message || 'The order did not go through. Please try again.', 'error');
      }
    }, function () {
      button.disabled = false;
      notice('Connection problem. Please try again.', 'error');
    });
  }

  // ---------------------------------------------------------------- confirmation

  function enterConfirmation(code, secret, tickets) {
    stopFollowing();
    show('queue-view', false);
    show('shop-view', false);
    show('checkout-view', false);
    show('confirmation-view', true);
    notice(null);
    text('order-code', code);
    $('confirmation-heading').focus();
    renderTickets(code, secret, tickets || []);
    pollOrder(code, secret, 0);
  }

  function renderTickets(code, secret, tickets) {
    var list = $('ticket-links');
    list.textContent = '';
    var ready = 0;
    tickets.forEach(function (ticket, i) {
      var li = document.createElement('li');
      var label = 'Ticket ' + (i + 1) + ' · ' + categoryName(ticket.categoryId);
      if (ticket.pdfUrl) {
        var a = document.createElement('a');
        a.href = ticket.pdfUrl;
        a.textContent = label + ' (PDF)';
        a.setAttribute('download', '');
        li.appendChild(a);
        ready += 1;
      } else {
        li.textContent = label + ': being prepared…';
      }
      list.appendChild(li);
    });
    if (tickets.length > 0 && ready === tickets.length) {
      text('tickets-status', 'Your tickets are ready to download.');
    } else if (tickets.length > 0) {
      text('tickets-status', ready + ' of ' + tickets.length + ' tickets ready. The rest follow in a moment.');
    }
    return tickets.length > 0 && ready === tickets.length;
  }

  function pollOrder(code, secret, attempt) {
    call('GET', '/api/v1/orders/' + encodeURIComponent(code) + '?secret=' + encodeURIComponent(secret))
      .then(function (res) {
        if (res.status === 200 && res.body.status && res.body.status !== 'paid') {
          // Not paid (yet): the order page says what is left to do, and until when.
          location.replace('/orders/' + encodeURIComponent(code) + '?secret=' + encodeURIComponent(secret));
          return;
        }
        var done = res.status === 200 && renderTickets(code, secret, res.body.tickets || []);
        if (res.status === 200 && res.body.status && res.body.status !== 'paid' && res.body.status !== 'confirmed'
            && res.body.status !== 'completed') {
          text('tickets-status', 'Order status: ' + res.body.status + '.');
        }
        if (!done && attempt < ORDER_POLL_LIMIT) {
          setTimeout(function () { pollOrder(code, secret, attempt + 1); }, ORDER_POLL_MS);
        }
      }, function () {
        if (attempt < ORDER_POLL_LIMIT) {
          setTimeout(function () { pollOrder(code, secret, attempt + 1); }, ORDER_POLL_MS * 2);
        }
      });
  }

  // ---------------------------------------------------------------- start

  function start() {
    $('reserve-form').addEventListener('submit', reserve);
    $('checkout-form').addEventListener('submit', order);
    $('rejoin-button').addEventListener('click', function () {
      forget(['reservation', 'order']);
      show('shop-view', false);
      show('checkout-view', false);
      show('queue-view', true);
      $('reserve-button').disabled = false;
      $('order-button').disabled = false;
      join(true);
    });
    var saved = load();
    if (saved.order) {
      enterConfirmation(saved.order.code, saved.order.secret, []);
      return;
    }
    if (saved.reservation && Date.parse(saved.reservation.expiresAt) > serverNow()) {
      enterCheckout(saved.reservation);
      return;
    }
    join(false);
  }

  start();
}());
