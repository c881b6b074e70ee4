/*
 * The buyer's page: joins the queue (solving a proof-of-work puzzle when the event asks for one),
 * follows the place in line from the public queue state, and once admitted hands the page to the
 * shop, the sale core's /shop/assets/shop.js (categories, reserve with the admission token, hold
 * timer, checkout, confirmation). No framework, no build.
 * The queue token lives in an HttpOnly cookie the server sets; this script never sees it.
 */
(function () {
  'use strict';

  // Shared with the order and pay pages (common.js): waits, counts and HH:MM:SS the same everywhere.
  var duration = OnsaleShop.duration;
  var number = OnsaleShop.number;
  var clockTime = OnsaleShop.clockTime;

  var eventId = document.body.getAttribute('data-event-id');
  var api = '/api/v1/events/' + encodeURIComponent(eventId);
  var storeKey = 'onsale:' + eventId;

  var clockSkewMs = 0;         // server time minus this browser's time
  var countdownTimer = null;
  var saleStartsAtMs = null;
  var lastLive = { text: '', at: 0 };
  var shop = null;             // the sale core's shop (shop.js), opened at start

  function $(id) { return document.getElementById(id); }
  function show(id, visible) { $(id).hidden = !visible; }
  function text(id, value) { $(id).textContent = value; }
  function serverNow() { return Date.now() + clockSkewMs; }

  /** Every answer's Date header, the shop's too, corrects the clock when it is clearly off. */
  function learnClock(date) {
    var skew = Date.parse(date) - Date.now();
    // The Date header has one-second resolution: only trust it for larger differences.
    if (Math.abs(skew) > 1500) { clockSkewMs = skew; }
  }

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
      if (date) { learnClock(date); }
      return response.text().then(function (raw) {
        var parsed = null;
        try { parsed = raw ? JSON.parse(raw) : null; } catch (e) { parsed = null; }
        return { status: response.status, body: parsed || {} };
      });
    });
  }

  function roughWait(seconds) {
    if (seconds === null || seconds === undefined) { return '–'; }
    if (seconds < 60) { return 'under a minute'; }
    if (seconds < 3600) { return 'about ' + Math.ceil(seconds / 60) + ' min'; }
    return 'about ' + (seconds / 3600).toFixed(1) + ' h';
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
        if (res.body.waitingRoom === 'off') { shop.enter(null, null); return; }
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
      shop.enter(status.admissionToken, status.admissionExpiresAt);
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

  // ---------------------------------------------------------------- start

  /** The shop has the page (admitted, holding or ordered): the queue steps aside and stops polling. */
  function shopTakesOver() {
    stopFollowing();
    show('queue-view', false);
  }

  /** The turn or the hold ended: the queue comes back with its button to join again. */
  function turnEnded(message) {
    show('queue-view', true);
    show('rejoin-button', true);
    if (message) { text('queue-message', message); }
  }

  function start() {
    shop = window.OnsaleShopPage.open({
      api: api, storeKey: storeKey, serverNow: serverNow, onServerDate: learnClock,
      onTakeOver: shopTakesOver, onTurnEnded: turnEnded
    });
    // A reload during checkout: put back the turn the page gave up when it went away.
    if (shop.holding()) {
      alive();
      keepTurn();
    }
    $('rejoin-button').addEventListener('click', function () {
      shop.reset();
      show('queue-view', true);
      join(true);
    });
    if (shop.resume()) { return; }
    join(false);
  }

  start();
}());
