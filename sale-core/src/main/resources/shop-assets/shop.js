/*
 * The shop on the buyer's page (/e/{slug}): once the waiting room admits the buyer, or at once when
 * the event has no waiting room, it shows the categories and their availability, reserves with the
 * admission token, counts down the hold, takes the order and shows the confirmation with ticket
 * links as the PDFs get ready. No framework, no build; it needs common.js (window.OnsaleShop).
 *
 * The page that hosts it (the waiting room's queue.js) opens it once:
 *
 *   var shop = OnsaleShopPage.open({
 *     api,            // the event's API, /api/v1/events/{id}
 *     storeKey,       // the page's sessionStorage entry; the shop keeps reservation, order, event
 *                     // and categories in it, so that a reload finds the hold or the order
 *     serverNow,      // () => the server's time in ms, as the page's clock knows it
 *     onServerDate,   // (Date header) => the page's clock learns from the shop's answers too
 *     onTakeOver,     // () => the shop takes the page: the host hides its view and stops polling
 *     onTurnEnded     // (message or undefined) => the turn or the hold ended: the host shows its
 *                     // view again with a way to join once more, and the message if there is one
 *   });
 *   shop.holding()              // a hold is kept from before a reload
 *   shop.resume()               // shows a kept order or a hold still running; false if none
 *   shop.enter(token, expiresAt)// the buyer's turn (token null when the waiting room is off)
 *   shop.reset()                // the buyer joins again: the shop forgets the hold and the order
 */
window.OnsaleShopPage = (function () {
  'use strict';

  // Shared with the order and pay pages (common.js): waits, counts and HH:MM:SS the same everywhere.
  var duration = OnsaleShop.duration;
  var number = OnsaleShop.number;
  var clockTime = OnsaleShop.clockTime;

  var S = window.OnsaleShop;
  var ORDER_POLL_MS = 2000;
  var ORDER_POLL_LIMIT = 150;

  var options = null;
  var api = null;
  var holdTimer = null;
  var admissionTimer = null;
  var shop = {
    token: null, tokenExpiresAt: null, event: null, reservation: null,
    situation: null,           // free, in_baskets, sold_out, paused or closed: what Reserve can do now
    refusal: null,             // why the last reservation was refused, shown until the buyer tries again
    busy: false, turnOver: false, availabilityTimer: null, polls: 0
  };

  function $(id) { return document.getElementById(id); }
  function show(id, visible) { $(id).hidden = !visible; }
  function text(id, value) { $(id).textContent = value; }
  function serverNow() { return options.serverNow(); }
  function notice(message, kind) { S.notice(message, kind); }

  function load() {
    try { return JSON.parse(sessionStorage.getItem(options.storeKey)) || {}; } catch (e) { return {}; }
  }
  function save(patch) {
    var saved = load();
    Object.keys(patch).forEach(function (k) { saved[k] = patch[k]; });
    try { sessionStorage.setItem(options.storeKey, JSON.stringify(saved)); } catch (e) { /* private mode */ }
  }
  function forget(keys) {
    var saved = load();
    keys.forEach(function (k) { delete saved[k]; });
    try { sessionStorage.setItem(options.storeKey, JSON.stringify(saved)); } catch (e) { /* private mode */ }
  }

  /** fetch with JSON in and out; resolves {status, body} for any HTTP answer. */
  function call(method, url, body, headers) {
    var request = { method: method, credentials: 'same-origin', headers: { 'Accept': 'application/json' } };
    if (body !== undefined) {
      request.headers['Content-Type'] = 'application/json';
      request.body = JSON.stringify(body);
    }
    Object.keys(headers || {}).forEach(function (k) { request.headers[k] = headers[k]; });
    return fetch(url, request).then(function (response) {
      var date = response.headers.get('Date');
      if (date) { options.onServerDate(date); }
      return response.text().then(function (raw) {
        var parsed = null;
        try { parsed = raw ? JSON.parse(raw) : null; } catch (e) { parsed = null; }
        return { status: response.status, body: parsed || {} };
      });
    });
  }

  /** Amounts are integers in the currency's minor units: JPY has none, KWD three. */
  function money(minor, currency) {
    return S.money(minor, currency || 'EUR');
  }

  // ---------------------------------------------------------------- the shop

  // The shop follows the event's availability while it is open, so that what it says stays true:
  // tickets free, all of them in other buyers' baskets (held, or kept for a payment: some may come
  // back), or sold out. Reserve is enabled only while something can be reserved, and a message
  // stays until the situation it describes changes.
  var AVAILABILITY_POLL_MS = 5000;

  function enterShop(token, expiresAt) {
    shop.token = token;
    shop.tokenExpiresAt = expiresAt ? Date.parse(expiresAt) : null;
    shop.turnOver = false;
    options.onTakeOver();
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
        endTurn();
        options.onTurnEnded('Your turn to shop has ended. You can join the queue again at the back.');
        return;
      }
      text('admission-timer', 'Reserve within ' + duration(left) + ' to keep your turn.');
    };
    tick();
    admissionTimer = setInterval(tick, 1000);
  }

  function endTurn() {
    shop.turnOver = true;
    stopAvailability();
    updateReserveButton();
  }

  function stopAvailability() {
    clearTimeout(shop.availabilityTimer);
    shop.availabilityTimer = null;
  }

  /** Reads the event and its availability now, then again every few seconds while the shop is open. */
  function loadCategories() {
    stopAvailability();
    call('GET', api).then(function (res) {
      if (res.status !== 200) { shopStatus('Could not load the tickets. Retrying…', 'error'); nextAvailability(3000); return; }
      shop.event = res.body;
      shop.polls = (shop.polls || 0) + 1;
      document.body.setAttribute('data-availability-polls', String(shop.polls));
      renderCategories(res.body);
      nextAvailability(AVAILABILITY_POLL_MS);
    }, function () {
      shopStatus('You seem to be offline. Retrying…', 'error');
      nextAvailability(3000);
    });
  }

  function nextAvailability(ms) {
    stopAvailability();
    if (shop.turnOver || $('shop-view').hidden) { return; }
    shop.availabilityTimer = setTimeout(loadCategories, ms * (0.8 + Math.random() * 0.4));
  }

  /** What the shop can offer now: tickets free, all in baskets (some may come back), or sold out. */
  function situationOf(event) {
    if (event.paused) { return 'paused'; }
    if (event.saleOpen === false) { return 'closed'; }
    var free = (event.categories || []).some(function (c) { return c.available === undefined || c.available > 0; });
    if (free) { return 'free'; }
    return event.soldOut ? 'sold_out' : 'in_baskets';
  }

  var SITUATIONS = {
    in_baskets: ['All tickets are in baskets right now; some may come back. This page checks every few seconds '
      + 'and enables Reserve when tickets are free.', ''],
    sold_out: ['Sold out: every ticket has been sold. Nothing can be reserved.', 'error'],
    paused: ['The organizer has paused the sale. This page enables Reserve when it resumes.', ''],
    closed: ['The sale is not open right now. Nothing can be reserved.', 'error']
  };

  /** One category's line: price and what is left, or why there is none. */
  function categoryState(category, event) {
    if (category.available === undefined || category.available > 0) { return null; }
    if (category.held === undefined) { return event.soldOut ? 'sold out' : 'none free right now'; }
    return category.held + (category.pending || 0) > 0 ? 'all in baskets' : 'sold out';
  }

  function renderCategories(event) {
    var box = $('categories');
    var max = event.maxTicketsPerOrder || 6;
    (event.categories || []).forEach(function (category) {
      var available = category.available === undefined ? max : category.available;
      var none = categoryState(category, event);
      var id = 'qty-' + category.id;
      var select = $(id);
      if (!select) { select = addCategory(box, category, id); }
      select.parentNode.className = 'category' + (none ? ' sold-out' : '');
      $(id + '-meta').textContent = money(category.priceCents, category.currency) + ' · '
        + (none || number(available) + ' left');
      setQuantities(select, Math.min(max, Math.max(0, available)));
      select.disabled = !!none;
    });
    text('reserve-hint', 'Up to ' + max + ' tickets per order.');
    text('availability-updated', 'Availability as of ' + clockTime(new Date()) + '.');
    showSituation(situationOf(event));
  }

  function addCategory(box, category, id) {
    var row = document.createElement('div');
    var label = document.createElement('label');
    label.setAttribute('for', id);
    label.className = 'name';
    label.textContent = category.name;
    var meta = document.createElement('span');
    meta.className = 'meta';
    meta.id = id + '-meta';
    var select = document.createElement('select');
    select.id = id;
    select.name = 'quantity';
    select.setAttribute('data-category-id', category.id);
    select.setAttribute('aria-describedby', meta.id);
    row.appendChild(label);
    row.appendChild(meta);
    row.appendChild(select);
    box.appendChild(row);
    return select;
  }

  /** Options 0 … most, keeping the buyer's choice when it is still possible. */
  function setQuantities(select, most) {
    if (select.options.length === most + 1) { return; }
    var chosen = parseInt(select.value, 10) || 0;
    select.textContent = '';
    for (var q = 0; q <= most; q++) {
      var option = document.createElement('option');
      option.value = String(q);
      option.textContent = String(q);
      select.appendChild(option);
    }
    select.value = String(Math.min(chosen, most));
  }

  /**
   * Says what the situation is while nothing can be reserved, and that tickets are back when they
   * come back; a refused reservation's reason stays until the buyer tries again or tickets return.
   */
  function showSituation(situation) {
    var before = shop.situation;
    shop.situation = situation;
    if (situation !== 'free') {
      var said = SITUATIONS[situation];
      shopStatus((shop.refusal ? shop.refusal + ' ' : '') + said[0], said[1]);
    } else if (before && before !== 'free') {
      shop.refusal = null;
      shopStatus('Tickets are free again: choose and reserve.', 'done');
    } else if (shop.refusal) {
      shopStatus(shop.refusal + ' Not enough are left for that choice; the numbers above are up to date.', 'error');
    } else if (!$('shop-status').classList.contains('done')) {
      shopStatus(null);
    }
    updateReserveButton();
  }

  function shopStatus(message, kind) {
    var box = $('shop-status');
    box.className = 'notice' + (kind ? ' ' + kind : '');
    box.textContent = message || '';
    box.hidden = !message;
  }

  function updateReserveButton() {
    $('reserve-button').disabled = shop.busy || shop.turnOver || shop.situation !== 'free';
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
    shop.refusal = null;
    shop.busy = true;
    updateReserveButton();
    var headers = { 'Idempotency-Key': randomKey() };
    if (shop.token) { headers.Authorization = 'Bearer ' + shop.token; }
    call('POST', api + '/reservations', { items: items }, headers).then(function (res) {
      shop.busy = false;
      if (res.status === 201) {
        stopAvailability();
        // Only its maker orders a hold: kept with it, the admission it was made with (its secret
        // comes in the answer when the waiting room is off), so a reload can still order.
        if (shop.token) { res.body.admissionToken = shop.token; }
        save({ reservation: res.body, event: eventSummary(shop.event) });
        enterCheckout(res.body);
      } else if (res.body.error === 'sold_out') {
        refused(res.body, items);
      } else if (res.status === 401 || res.status === 403 || res.body.error === 'admission_ended') {
        endTurn();
        notice('Your turn to shop has ended. Join the queue again to try once more.', 'error');
        options.onTurnEnded();
      } else {
        updateReserveButton();
        notice(res.body.message || 'The reservation did not work. Please try again.', 'error');
      }
    }, function () {
      shop.busy = false;
      updateReserveButton();
      notice('Connection problem. Please try again.', 'error');
    });
  }

  /**
   * Other buyers were quicker. The answer carries the counts of a moment ago (up to a second old) and
   * names the category that fell short: the shop shows fewer than asked there at once, counting the
   * tickets that just went as being in baskets, and reads the availability again just after, instead
   * of wiping the reason with a stale "free".
   */
  function refused(answer, items) {
    var event = shop.event || { categories: [] };
    var counts = answer.available || {};
    event.categories.forEach(function (category) {
      if (category.available === undefined) { return; }
      var now = counts[String(category.id)] === undefined ? category.available : counts[String(category.id)];
      items.forEach(function (item) {
        if (item.categoryId === category.id && item.categoryId === answer.categoryId) { now = Math.min(now, item.quantity - 1); }
      });
      now = Math.max(0, now);
      if (now < category.available && category.held !== undefined) { category.held += category.available - now; }
      category.available = now;
    });
    if (answer.soldOut !== undefined) { event.soldOut = answer.soldOut; }
    shop.refusal = 'Those tickets just went to other buyers.';
    renderCategories(event);
    nextAvailability(1500);
  }

  // ---------------------------------------------------------------- checkout

  function categoryName(categoryId) {
    var categories = (shop.event && shop.event.categories) || (load().categories) || [];
    for (var i = 0; i < categories.length; i++) {
      if (categories[i].id === categoryId) { return categories[i].name; }
    }
    return 'Ticket';
  }

  /** What the checkout shows of the event, kept with the hold so that a reload shows it too. */
  function eventSummary(event) {
    if (!event) { return null; }
    return { name: event.name, startsAt: event.startsAt, timeZone: event.timeZone, venue: event.venue };
  }

  function renderHeldEvent(summary) {
    if (!summary || !summary.startsAt) { return false; }
    text('held-event-name', summary.name || '');
    text('held-event-when', S.time(summary.startsAt, summary.timeZone)
      + (summary.timeZone ? ' (' + summary.timeZone.replace(/_/g, ' ') + ' time)' : ''));
    text('held-event-venue', summary.venue || '');
    show('held-event', true);
    return true;
  }

  /** The event's date and venue for the checkout: from the shop, the saved hold, or read once more. */
  function showHeldEvent() {
    if (renderHeldEvent(eventSummary(shop.event) || load().event)) { return; }
    call('GET', api).then(function (res) {
      if (res.status === 200) { save({ event: eventSummary(res.body) }); renderHeldEvent(eventSummary(res.body)); }
    }, function () { /* the checkout works without it */ });
  }

  function enterCheckout(reservation) {
    shop.reservation = reservation;
    clearInterval(admissionTimer);
    stopAvailability();
    if (shop.event) { save({ categories: shop.event.categories }); }
    options.onTakeOver();
    show('shop-view', false);
    show('checkout-view', true);
    $('checkout-heading').focus();
    showHeldEvent();
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
        options.onTurnEnded();
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
    var held = shop.reservation;
    var headers = { 'Idempotency-Key': 'order-' + held.id };
    if (held.admissionToken) { headers.Authorization = 'Bearer ' + held.admissionToken; }
    var query = held.secret ? '?secret=' + encodeURIComponent(held.secret) : '';
    call('POST', '/api/v1/reservations/' + encodeURIComponent(held.id) + '/order' + query,
      { buyer: { name: name, email: email } }, headers).then(function (res) {
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
    options.onTakeOver();
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

  // ---------------------------------------------------------------- the page's interface

  function open(hostOptions) {
    options = hostOptions;
    api = options.api;
    $('reserve-form').addEventListener('submit', reserve);
    $('checkout-form').addEventListener('submit', order);
    return { holding: holding, resume: resume, enter: enterShop, reset: reset };
  }

  /** A hold is kept from before a reload: the turn it was made in goes on. */
  function holding() {
    return !!load().reservation;
  }

  /** After a reload: the order made, or the hold while it lasts. */
  function resume() {
    var saved = load();
    if (saved.order) {
      enterConfirmation(saved.order.code, saved.order.secret, []);
      return true;
    }
    if (saved.reservation && Date.parse(saved.reservation.expiresAt) > serverNow()) {
      enterCheckout(saved.reservation);
      return true;
    }
    return false;
  }

  /** The buyer joins the queue again: the shop forgets its hold and order, and steps aside. */
  function reset() {
    forget(['reservation', 'order']);
    show('shop-view', false);
    show('checkout-view', false);
    shop.refusal = null;
    shop.situation = null;
    $('order-button').disabled = false;
  }

  return { open: open };
})();
