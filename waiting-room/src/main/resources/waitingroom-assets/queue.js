/*
 * The buyer's page: joins the queue (solving a proof-of-work puzzle when the event asks for one),
 * follows the place in line from the public queue state, and once admitted runs the shop: categories, reserve with the admission token, hold
 * timer, checkout, confirmation with ticket links as the PDFs get ready. No framework, no build.
 * The queue token lives in an HttpOnly cookie the server sets; this script never sees it.
 */
(function () {
  'use strict';

  var eventId = document.body.getAttribute('data-event-id');
  var api = '/api/v1/events/' + encodeURIComponent(eventId);
  var storeKey = 'onsale:' + eventId;
  var ORDER_POLL_MS = 2000;
  var ORDER_POLL_LIMIT = 150;

  var clockSkewMs = 0;         // server time minus this browser's time
  var countdownTimer = null;
  var holdTimer = null;
  var admissionTimer = null;
  var saleStartsAtMs = null;
  var lastLive = { text: '', at: 0 };
  var shop = {
    token: null, tokenExpiresAt: null, event: null, reservation: null,
    situation: null,           // free, in_baskets, sold_out, paused or closed: what Reserve can do now
    refusal: null,             // why the last reservation was refused, shown until the buyer tries again
    busy: false, turnOver: false, availabilityTimer: null, polls: 0
  };

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
  //
  // The page follows the public queue state (GET .../queue/state: one document for every buyer,
  // cached a second by nginx or a CDN) and computes its own place, the people ahead and the wait
  // from its number. It asks its personal .../queue/status only when its turn may have come, so a
  // million waiting pages cost the origin what a thousand do. Polls are jittered and spaced by the
  // distance to the front: every refreshSeconds near it, up to a minute far from it.

  var MAX_POLL_SECONDS = 60;
  var STATUS_GAP_MS = 2000;
  var queue = {
    number: null,        // this buyer's arrival number, from the join answer
    placement: null,     // a random pre-queue's drawn position for the number, once fetched
    placementAsked: false,
    maxServing: 0,       // the highest serving seen: the page never shows it going back
    startServing: null,  // serving when this number joined: the progress bar starts there, at 0 %
    rate: null,          // smoothed admissions per minute behind the estimate
    state: null,         // the last public state
    timer: null,
    failures: 0,
    following: false,
    lastStatusAt: 0
  };

  function join(rejoin, solution) {
    notice(null);
    show('rejoin-button', false);
    text('queue-message', 'Joining the queue…');
    var body = rejoin ? { rejoin: true } : {};
    if (solution) { body.challenge = solution.challenge; body.nonce = solution.nonce; }
    call('POST', api + '/queue', body).then(function (res) {
      var error = res.body.error;
      if (res.status === 200 || res.status === 201) {
        if (res.body.waitingRoom === 'off') { enterShop(null, null); return; }
        if (rejoin) { queue.maxServing = 0; queue.placement = null; queue.placementAsked = false; queue.startServing = null; }
        render(res.body);
      } else if (error === 'challenge_required' || error === 'challenge_expired' || error === 'challenge_used') {
        proveWork(function (solved) { join(rejoin, solved); });
      } else if (error === 'queue_not_open') {
        waitForOpening(res.body);
      } else if (res.status === 404) {
        text('queue-message', 'This event is not on sale.');
      } else if (res.status === 429) {
        var retry = res.body.retryAfterSeconds || 30;
        text('queue-message', 'Too many attempts from your network. Retrying in ' + retry + ' s…');
        setTimeout(function () { join(rejoin); }, retry * 1000 + Math.random() * 5000);
      } else if (error === 'queue_closed') {
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

  /**
   * Joining this event takes a proof of work: a Web Worker looks for a nonce whose SHA-256 with the
   * challenge starts with `difficulty` zero bits, while the page shows how far it got.
   */
  function proveWork(done) {
    text('queue-message', 'Checking that you are a person, not a bot: your browser solves a short puzzle…');
    call('GET', api + '/queue/challenge').then(function (res) {
      if (res.status !== 200) { retryLater(function () { proveWork(done); }); return; }
      if (!window.Worker) { text('queue-message', 'This browser cannot join: it does not run Web Workers.'); return; }
      var challenge = res.body.challenge;
      var expected = Math.pow(2, res.body.difficulty);
      var started = Date.now();
      var worker = new Worker('/waiting-room/assets/pow-worker.js');
      show('pow-box', true);
      powProgress(0, expected, false);
      worker.onmessage = function (e) {
        if (e.data.progress !== undefined) { powProgress(e.data.progress, expected, false); return; }
        worker.terminate();
        powProgress(e.data.tries, expected, true);
        // Kept on the page for anyone curious (and the timing test).
        document.body.setAttribute('data-pow-ms', String(Date.now() - started));
        document.body.setAttribute('data-pow-tries', String(e.data.tries));
        done({ challenge: challenge, nonce: e.data.nonce });
      };
      worker.onerror = function () {
        worker.terminate();
        retryLater(function () { proveWork(done); });
      };
      worker.postMessage({ challenge: challenge, difficulty: res.body.difficulty });
    }, function () { retryLater(function () { proveWork(done); }); });
  }

  /** The chance that a solution turns up within this many tries: an honest bar for a lottery. */
  function powProgress(tries, expected, solved) {
    var percent = solved ? 100 : Math.min(99, Math.round((1 - Math.exp(-tries / expected)) * 100));
    $('pow-progress').value = percent;
    $('pow-progress').textContent = percent + '%';
    text('pow-tries', solved ? 'Done after ' + number(tries) + ' tries.' : number(tries) + ' tries so far…');
  }

  function waitForOpening(body) {
    var opensAt = Date.parse(body.queueOpensAt);
    text('queue-message', 'The queue opens at ' + new Date(opensAt).toLocaleString() + '.');
    $('countdown-label').textContent = 'The queue opens in';
    startCountdown(opensAt);
    var wait = Math.max(1000, opensAt - serverNow()) + Math.random() * 3000;
    setTimeout(function () { join(false); }, Math.min(wait, 60000));
  }

  function startCountdown(targetMs) {
    if (saleStartsAtMs === targetMs && countdownTimer) { show('countdown-box', true); return; }
    saleStartsAtMs = targetMs;
    show('countdown-box', true);
    clearInterval(countdownTimer);
    var tick = function () {
      var left = Math.ceil((saleStartsAtMs - serverNow()) / 1000);
      text('countdown', duration(Math.max(0, left)));
      if (left <= 0) { clearInterval(countdownTimer); countdownTimer = null; }
    };
    tick();
    countdownTimer = setInterval(tick, 1000);
  }

  function stopCountdown() {
    show('countdown-box', false);
    clearInterval(countdownTimer);
    countdownTimer = null;
  }

  /** Follows the public state until the buyer's turn comes or the sale ends. */
  function follow() {
    if (queue.following) { return; }
    queue.following = true;
    pollState();
  }

  function stopFollowing() {
    queue.following = false;
    clearTimeout(queue.timer);
    queue.timer = null;
  }

  function schedule(seconds) {
    clearTimeout(queue.timer);
    if (!queue.following) { return; }
    // Jitter, so that pages loaded together do not poll together.
    queue.timer = setTimeout(pollState, seconds * (800 + Math.random() * 400));
  }

  function pollState() {
    fetch(api + '/queue/state', { credentials: 'omit', headers: { 'Accept': 'application/json' } })
      .then(function (response) {
        if (response.status !== 200) { throw new Error('HTTP ' + response.status); }
        return response.json();
      })
      .then(function (state) {
        queue.failures = 0;
        onState(state);
      }, function () {
        queue.failures += 1;
        text('updated-note', '· cannot reach the server, retrying…');
        schedule(Math.min(MAX_POLL_SECONDS, 3 * queue.failures));
      });
  }

  function onState(state) {
    if (!queue.following) { return; }
    queue.state = state;
    var serverMs = Date.parse(state.serverTime);
    // serverTime is whole seconds and the copy may be a second or two old: correct only a real skew.
    if (!isNaN(serverMs) && Math.abs(serverMs - Date.now() - clockSkewMs) > 2500) {
      clockSkewMs = serverMs - Date.now();
    }
    queue.maxServing = Math.max(queue.maxServing, state.serving || 0);
    markUpdated(isNaN(serverMs) ? Date.now() : serverMs - clockSkewMs);
    if (state.state === 'admitting') { updateRate(state); }
    var position = myPosition(state);
    var view = estimate(state, position);
    paint(state, view);
    if (state.state === 'closed') { stopFollowing(); return; }
    if (position !== null && position <= queue.maxServing && state.state !== 'prequeue') {
      askStatus();
      return;
    }
    schedule(pollSeconds(state, view));
  }

  /** This buyer's queue position: the number itself, or its drawn place in a random pre-queue. */
  function myPosition(state) {
    if (queue.number === null) { return null; }
    if (state.preQueue !== 'random') { return queue.number; }
    if (state.preQueueSize === null || state.preQueueSize === undefined) { return null; }
    if (queue.number > state.preQueueSize) { return queue.number; }
    if (queue.placement !== null) { return queue.placement; }
    fetchPlacement();
    return null;
  }

  /** The public placement page that holds this number, fetched after a random pause. */
  function fetchPlacement() {
    if (queue.placementAsked) { return; }
    queue.placementAsked = true;
    var page = Math.floor((queue.number - 1) / 1000);
    var attempt = function () {
      fetch(api + '/queue/placement/' + page, { credentials: 'omit', headers: { 'Accept': 'application/json' } })
        .then(function (response) {
          if (response.status !== 200) { throw new Error('HTTP ' + response.status); }
          return response.json();
        })
        .then(function (placement) {
          queue.placement = placement.places[(queue.number - 1) % 1000];
          if (queue.state && queue.following) { onState(queue.state); }
        }, function () {
          setTimeout(attempt, 1000 + Math.random() * 3000);
        });
    };
    setTimeout(attempt, Math.random() * 4000);
  }

  /**
   * The rate behind the estimate: the rate achieved over the last minute once there are ten seconds
   * of it, the configured rate before; smoothed, so that the estimate moves, never jumps.
   */
  function updateRate(state) {
    var measured = state.admissionRatePerMinute !== null && state.admissionRatePerMinute !== undefined
      && state.rateWindowSeconds >= 10 ? state.admissionRatePerMinute : null;
    var target = measured !== null ? measured : state.configuredRatePerMinute;
    if (!target || target <= 0) { return; }
    queue.rate = queue.rate === null ? target : queue.rate + 0.3 * (target - queue.rate);
    queue.rateMeasured = measured !== null;
    queue.rateWindow = state.rateWindowSeconds || 0;
  }

  /** Place, people ahead and the wait as a range: wider while the rate is not measured over a minute. */
  function estimate(state, position) {
    var view = { place: null, ahead: null, low: null, high: null, progress: 0 };
    if (position === null) { return view; }
    var serving = state.state === 'prequeue' ? 0 : queue.maxServing;
    view.place = Math.max(0, position - serving);
    view.ahead = Math.max(0, view.place - 1);
    view.progress = progressSinceJoining(position, serving);
    var rate = queue.rate !== null ? queue.rate : state.configuredRatePerMinute;
    if (!rate || rate <= 0) { return view; }
    var wait = view.place * 60 / rate;
    var spread = queue.rateMeasured && queue.rateWindow >= 60 ? 0.15 : 0.35;
    var before = 0;
    if (state.state === 'prequeue') {
      before = Math.max(0, (Date.parse(state.saleStartsAt) - serverNow()) / 1000);
    }
    view.low = before + wait * (1 - spread);
    view.high = before + wait * (1 + spread);
    view.queueSeconds = wait;
    return view;
  }

  /**
   * The share of the way from where the line stood when this buyer joined to the buyer's turn: 0 %
   * on joining (not the share of everyone ever admitted, which showed 89 % to a newcomer behind a
   * thousand admitted buyers), 100 % at the turn.
   */
  function progressSinceJoining(position, serving) {
    if (position <= serving) { return 1; }
    var start = Math.min(queue.startServing === null ? serving : queue.startServing, serving);
    var way = position - start;
    return way <= 0 ? 0 : Math.max(0, Math.min(1, (serving - start) / way));
  }

  /** Remembers where the line stood when this number joined, across reloads of the page. */
  function rememberStart(number, serving) {
    var saved = load().joined;
    if (saved && saved.number === number && typeof saved.serving === 'number') {
      queue.startServing = saved.serving;
      return;
    }
    queue.startServing = serving || 0;
    save({ joined: { number: number, serving: queue.startServing } });
  }

  /** "Last updated": when this page last had fresh state from the server, on the buyer's clock. */
  function markUpdated(localMs) {
    var at = new Date(Math.min(localMs, Date.now()));
    $('updated-time').textContent = clockTime(at);
    $('updated-time').setAttribute('datetime', at.toISOString());
    text('updated-note', '');
  }

  /** Seconds until the next poll: refreshSeconds near the front, up to a minute far from it. */
  function pollSeconds(state, view) {
    var base = state.refreshSeconds || 2;
    var seconds = base;
    if (view.queueSeconds !== undefined && state.state === 'admitting') {
      seconds = Math.max(base, Math.min(MAX_POLL_SECONDS, view.queueSeconds / 10));
    }
    if (state.state === 'prequeue') {
      var untilSale = (Date.parse(state.saleStartsAt) - serverNow()) / 1000;
      // Spread the first poll of the sale over a few seconds after its start.
      if (untilSale < seconds) { seconds = Math.max(0.5, untilSale) + Math.random() * 3; }
    }
    return seconds;
  }

  /** The turn may have come: ask once (not more often than every two seconds). */
  function askStatus() {
    var wait = queue.lastStatusAt + STATUS_GAP_MS - Date.now();
    if (wait > 0) { clearTimeout(queue.timer); queue.timer = setTimeout(askStatus, wait); return; }
    queue.lastStatusAt = Date.now();
    text('queue-message', 'It may be your turn. Checking…');
    call('GET', api + '/queue/status').then(function (res) {
      if (res.status === 200) {
        render(res.body);
        if (res.body.state !== 'admitted' && res.body.state !== 'closed') { schedule(2); }
      } else if (res.status === 401) {
        stopFollowing();
        join(false);
      } else {
        schedule(3);
      }
    }, function () { schedule(3); });
  }

  function rangeText(low, high) {
    if (low === null || high === null) { return '–'; }
    if (high < 60) { return 'under a minute'; }
    if (high < 5400) {
      var lo = Math.max(1, Math.round(low / 60));
      var hi = Math.max(lo, Math.round(high / 60));
      return lo === hi ? 'about ' + lo + ' min' : lo + '–' + hi + ' min';
    }
    var loH = (low / 3600).toFixed(1);
    var hiH = (high / 3600).toFixed(1);
    return loH === hiH ? 'about ' + loH + ' h' : loH + '–' + hiH + ' h';
  }

  /** The bar moves only with the line: while it stands still it says so, at its true value. */
  function paintProgress(state, share) {
    var progress = Math.floor((share || 0) * 100);
    var stalled = { paused: 'Paused', waiting_for_tickets: 'Waiting for tickets', sold_out: 'Stopped', closed: 'Stopped',
      prequeue: 'Not started', not_open: 'Not started' }[state] || null;
    var bar = $('progress');
    bar.value = progress;
    bar.textContent = progress + '%';
    bar.className = stalled ? 'stalled' : '';
    bar.setAttribute('aria-valuetext', progress + '% of the way to the front' + (stalled ? ', ' + stalled.toLowerCase() : ''));
    text('progress-state', stalled || '');
    show('progress-state', !!stalled);
  }

  /** Shows the public state as this buyer's place in line. */
  function paint(state, view) {
    var kind = state.state === 'admitting' || state.state === 'shuffling' || state.state === 'paused'
      || state.state === 'waiting_for_tickets' ? 'waiting' : state.state;
    $('queue-view').className = 'card state-' + kind;
    text('number', number(queue.number));
    text('position', number(view.place));
    text('ahead', number(view.ahead));
    // A wait only while the line moves (or is about to): paused, sold out or waiting for tickets, nobody knows.
    var moving = state.state === 'admitting' || state.state === 'prequeue';
    text('eta', moving ? rangeText(view.low, view.high) : '–');
    text('remaining', state.ticketsLeft === null || state.ticketsLeft === undefined ? '–' : number(state.ticketsLeft));
    paintProgress(state.state, view.progress);
    renderFairness(state);
    if (state.state === 'prequeue' && state.saleStartsAt) {
      $('countdown-label').textContent = 'The sale starts in';
      startCountdown(Date.parse(state.saleStartsAt));
    } else {
      stopCountdown();
    }
    var message;
    var place = number(view.place);
    if (state.state === 'prequeue') {
      message = state.preQueue === 'random'
        ? 'You are in the pre-queue. When the sale starts, everyone in it gets a random place.'
        : 'You are in the pre-queue, number ' + place + ' in line.';
    } else if (view.place === null) {
      message = 'The sale has started. Finding your place…';
    } else if (state.state === 'paused') {
      message = 'The sale is paused. You keep your place: ' + place + ' in line.';
    } else if (state.state === 'waiting_for_tickets') {
      message = state.ticketsPending > 0
        ? 'All tickets are in other buyers\' baskets right now; some may come back. You keep your place: '
          + place + ' in line.'
        : 'All tickets are held by other buyers right now. You keep your place: ' + place
          + ' in line. Tickets that are not bought come back.';
    } else if (state.state === 'sold_out') {
      message = 'Sold out. Every ticket has been sold. If tickets come back, this page will let you know.';
    } else if (state.state === 'closed') {
      message = 'The sale of this event has ended.';
    } else {
      message = 'Place ' + place + ' in line. Estimated wait: ' + rangeText(view.low, view.high) + '.';
    }
    text('queue-message', message);
    announce(message, state.state === 'sold_out' || state.state === 'closed');
  }

  /** A personal answer (join or status): the number, and the turn once it has come. */
  function render(status) {
    var state = status.state;
    if (status.number !== undefined && status.number !== null) {
      queue.number = status.number;
      rememberStart(status.number, status.serving);
      markUpdated(Date.now());
      show('pow-box', false);
    }
    text('number', number(queue.number));
    renderFairness(status);
    if (state === 'admitted') {
      stopFollowing();
      stopCountdown();
      keepTurn();
      $('queue-view').className = 'card state-admitted';
      text('queue-message', 'It\'s your turn!');
      announce('It\'s your turn! The shop is open for you now.', true);
      enterShop(status.admissionToken, status.admissionExpiresAt);
    } else if (state === 'closed') {
      stopFollowing();
      stopCountdown();
      $('queue-view').className = 'card state-closed';
      var closed = status.reason === 'admission_ended'
        ? 'Your turn to shop has ended. You can join the queue again at the back.'
        : 'The sale of this event has ended.';
      text('queue-message', closed);
      announce(closed, true);
      show('rejoin-button', status.reason === 'admission_ended');
    } else {
      follow();
    }
  }

  /**
   * The admitted buyer's turn: the page says when it goes away (pagehide, a beacon with the queue
   * cookie), and the server frees the slot about 20 s later unless the buyer comes back; it says it
   * is here when it is shown again and every 20 s, which puts a left slot back. A page that just
   * goes silent keeps its turn as long as it lasts anyway.
   */
  function keepTurn() {
    if (queue.keepingTurn) { return; }
    queue.keepingTurn = true;
    window.addEventListener('pagehide', function () {
      if (navigator.sendBeacon) { navigator.sendBeacon(api + '/queue/leave'); }
    });
    window.addEventListener('pageshow', function (e) { if (e.persisted) { alive(); } });
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'visible') { alive(); }
    });
    setInterval(alive, 20000);
  }

  function alive() {
    fetch(api + '/queue/alive', { method: 'POST', credentials: 'same-origin', keepalive: true })
      .catch(function () { /* the next one will do */ });
  }

  // A reload during checkout: put back the turn the page gave up when it went away.
  if (load().reservation) {
    alive();
    keepTurn();
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

  // The shop follows the event's availability while it is open, so that what it says stays true:
  // tickets free, all of them in other buyers' baskets (held, or kept for a payment: some may come
  // back), or sold out. Reserve is enabled only while something can be reserved, and a message
  // stays until the situation it describes changes.
  var AVAILABILITY_POLL_MS = 5000;

  function enterShop(token, expiresAt) {
    shop.token = token;
    shop.tokenExpiresAt = expiresAt ? Date.parse(expiresAt) : null;
    shop.turnOver = false;
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
        endTurn();
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

  /** HH:MM:SS on the buyer's clock, whatever the locale's habits: the same shape everywhere on the page. */
  function clockTime(at) {
    var pad = function (n) { return (n < 10 ? '0' : '') + n; };
    return pad(at.getHours()) + ':' + pad(at.getMinutes()) + ':' + pad(at.getSeconds());
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
        show('queue-view', true);
        show('rejoin-button', true);
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

  /** A time in the event's zone, with the zone named: the same instant for every buyer, wherever they are. */
  function eventTime(iso, zone) {
    var options = { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric',
      hour: '2-digit', minute: '2-digit', timeZoneName: 'short' };
    if (zone) { options.timeZone = zone; }
    try { return new Intl.DateTimeFormat(undefined, options).format(new Date(iso)); } catch (e) { return new Date(iso).toString(); }
  }

  function renderHeldEvent(summary) {
    if (!summary || !summary.startsAt) { return false; }
    text('held-event-name', summary.name || '');
    text('held-event-when', eventTime(summary.startsAt, summary.timeZone)
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
    show('queue-view', false);
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
      shop.refusal = null;
      shop.situation = null;
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
