// The live operations dashboard: polls /api/v1/ops/overview every 1.5 s, keeps the last five
// minutes in memory and draws them with uPlot. Rates are derived from two successive totals.
(function () {
  'use strict';
  var O = window.Onsale;
  var POLL_MS = 1500;
  var KEEP_SECONDS = 300;
  var QUEUE_COLORS = { tickets: '#2563eb', mail: '#db2777', webhooks: '#059669', background: '#9333ea' };

  var events = {};      // id -> {card, charts, history}
  var queueHistory = { t: [], tickets: [], mail: [], webhooks: [], background: [] };
  var queueChart = null;
  var previous = null;  // the last overview, for rates
  var failures = 0;

  function chartWidth(node) { return Math.max(200, node.clientWidth - 8); }

  function makeChart(node, series, title) {
    var opts = {
      title: title,
      width: chartWidth(node),
      height: 180,
      scales: { x: { time: true, range: function (u, min, max) { return [Math.min(min, max - 120), max]; } }, y: { range: function (u, min, max) { return [0, Math.max(1, max * 1.1)]; } } },
      series: [{}].concat(series.map(function (s) {
        return { label: s.label, stroke: s.color, width: 2, fill: s.fill || null, value: function (u, v) { return O.fmt(v, s.digits || 0); } };
      })),
      axes: [{
        space: 70,
        values: function (u, splits) {
          return splits.map(function (v) { return new Date(v * 1000).toLocaleTimeString('en-GB'); });
        }
      }, { size: 60 }],
      legend: { live: false }
    };
    var data = [[]].concat(series.map(function () { return []; }));
    return new uPlot(opts, data, node);
  }

  function trim(history) {
    var cutoff = Date.now() / 1000 - KEEP_SECONDS;
    while (history.t.length && history.t[0] < cutoff) {
      Object.keys(history).forEach(function (k) { history[k].shift(); });
    }
  }

  function stat(label, id) {
    return O.el('div', { className: 'stat' }, [
      O.el('div', { className: 'value', id: id, text: '–' }),
      O.el('div', { className: 'label', text: label })
    ]);
  }

  function eventCard(event) {
    var p = 'ev' + event.id + '-';
    var card = O.el('article', { className: 'card event', id: 'event-' + event.id }, [
      O.el('header', {}, [
        O.el('h3', { text: event.name }),
        O.el('span', { className: 'badge', id: p + 'state' }),
        O.el('span', { className: 'muted', id: p + 'when' })
      ]),
      O.el('div', { className: 'stats' }, [
        stat('waiting', p + 'waiting'),
        stat('admission rate / min', p + 'rate'),
        stat('shopping now', p + 'active'),
        stat('reservations / s', p + 'rps'),
        stat('orders / s', p + 'ops'),
        stat('tickets left', p + 'left'),
        stat('awaiting payment', p + 'pending')
      ]),
      O.el('p', { className: 'alert-line', id: p + 'refunds', hidden: '' }),
      O.el('table', { className: 'grid categories' }, [
        O.el('thead', {}, [O.el('tr', {}, [O.el('th', { text: 'Category' }), O.el('th', { className: 'num', text: 'Left' }),
          O.el('th', { className: 'num', text: 'Capacity' }), O.el('th', { className: 'barcell', text: '' })])]),
        O.el('tbody', { id: p + 'cats' })
      ]),
      O.el('div', { className: 'charts' }, [
        O.el('div', { className: 'chart', id: p + 'queue-chart' }),
        O.el('div', { className: 'chart', id: p + 'sales-chart' })
      ])
    ]);
    document.getElementById('events').appendChild(card);
    var entry = {
      history: { t: [], waiting: [], active: [], rps: [], ops: [], left: [] },
      queueChart: makeChart(document.getElementById(p + 'queue-chart'), [
        { label: 'waiting', color: '#f59e0b', fill: 'rgba(245,158,11,0.12)' },
        { label: 'shopping', color: '#2563eb' }], 'Waiting room'),
      salesChart: makeChart(document.getElementById(p + 'sales-chart'), [
        { label: 'reservations/s', color: '#7c3aed', digits: 1 },
        { label: 'orders/s', color: '#059669', digits: 1 },
        ], 'Sales per second')
    };
    events[event.id] = entry;
    return entry;
  }

  function eventState(event, now) {
    if (event.paused) return ['paused', 'warn'];
    if (event.capacity !== null && event.available === 0 && event.held === 0 && !event.pending) return ['sold out', 'muted'];
    if (event.capacity !== null && event.available === 0) return ['all in baskets', 'warn'];
    if (event.saleEndsAt && now >= event.saleEndsAt) return ['ended', 'muted'];
    if (event.saleStartsAt && now >= event.saleStartsAt) return ['on sale', 'ok'];
    if (event.queueOpensAt && now >= event.queueOpensAt) return ['queue open', 'info'];
    return ['scheduled', 'muted'];
  }

  function rate(now, prevEvent, event, field) {
    if (!previous || !prevEvent) return 0;
    var seconds = (now - previous.now) / 1000;
    return seconds > 0 ? Math.max(0, (event[field] - prevEvent[field]) / seconds) : 0;
  }

  function renderEvent(event, now, prevEvent) {
    var entry = events[event.id] || eventCard(event);
    var p = 'ev' + event.id + '-';
    var state = eventState(event, now);
    var badge = document.getElementById(p + 'state');
    badge.textContent = state[0];
    badge.className = 'badge ' + state[1];
    document.getElementById(p + 'when').textContent = 'queue ' + O.when(event.queueOpensAt) + ' · sale ' + O.when(event.saleStartsAt);
    var rps = rate(now, prevEvent, event, 'reservationsTotal');
    var ops = rate(now, prevEvent, event, 'ordersTotal');
    document.getElementById(p + 'waiting').textContent = O.fmt(event.waiting);
    document.getElementById(p + 'rate').textContent = O.fmt(event.admissionRatePerMinute);
    document.getElementById(p + 'active').textContent = O.fmt(event.activeShoppers) +
      (event.maxActiveShoppers ? ' / ' + O.fmt(event.maxActiveShoppers) : '');
    document.getElementById(p + 'rps').textContent = O.fmt(rps, 1);
    document.getElementById(p + 'ops').textContent = O.fmt(ops, 1);
    document.getElementById(p + 'left').textContent = event.available === null ? '–'
      : O.fmt(event.available) + ' / ' + O.fmt(event.capacity);
    document.getElementById(p + 'pending').textContent = event.pending === null || event.pending === undefined ? '–' : O.fmt(event.pending);
    var refunds = document.getElementById(p + 'refunds');
    var trouble = [];
    if (event.refundsFailed > 0) trouble.push(O.fmt(event.refundsFailed) + ' refund' + (event.refundsFailed === 1 ? '' : 's') + ' failed at the payment provider (retry on the organizer page)');
    if (event.refundsDue > 0) trouble.push(O.fmt(event.refundsDue) + ' refund' + (event.refundsDue === 1 ? '' : 's') + ' to make by hand');
    refunds.textContent = trouble.length ? 'ALERT · ' + trouble.join('; ') : '';
    refunds.hidden = trouble.length === 0;

    var body = document.getElementById(p + 'cats');
    body.textContent = '';
    event.categories.forEach(function (c) {
      var left = c.available === null ? null : c.available;
      var share = left === null || !c.capacity ? 0 : Math.round(100 * left / c.capacity);
      var bar = O.el('div', { className: 'bar' }, [O.el('span', { style: 'width:' + share + '%' })]);
      body.appendChild(O.el('tr', {}, [
        O.el('td', { text: c.name }), O.el('td', { className: 'num', text: O.fmt(left) }),
        O.el('td', { className: 'num', text: O.fmt(c.capacity) }), O.el('td', { className: 'barcell' }, [bar])]));
    });

    var h = entry.history;
    h.t.push(now / 1000); h.waiting.push(event.waiting); h.active.push(event.activeShoppers);
    h.rps.push(rps); h.ops.push(ops); h.left.push(event.available);
    trim(h);
    entry.queueChart.setData([h.t, h.waiting, h.active]);
    entry.salesChart.setData([h.t, h.rps, h.ops]);
  }

  function color(queue) { return QUEUE_COLORS[queue] || '#6b7280'; }

  function alertTitle(q) {
    var why = [];
    if ((q.alertReasons || []).indexOf('failing') >= 0) {
      why.push(O.fmt(q.failedLastMinute) + ' tries failed in the last minute and none succeeded');
    }
    if ((q.alertReasons || []).indexOf('backlog') >= 0) {
      why.push(O.fmt(q.backlog) + ' jobs waiting, above ' + O.fmt(q.threshold));
    }
    return why.join('; ');
  }

  function renderQueues(queues, now) {
    var body = document.querySelector('#queues tbody');
    body.textContent = '';
    queueHistory.t.push(now / 1000);
    queues.forEach(function (q) {
      var firing = q.alert === 'firing';
      var badge = O.el('span', { className: 'badge ' + (firing ? 'alert' : 'ok'), title: firing ? alertTitle(q) : '' },
        firing ? [document.createTextNode('ALERT'), O.el('span', { className: 'why', text: (q.alertReasons || []).join(', ') })]
          : [document.createTextNode('ok')]);
      body.appendChild(O.el('tr', { 'data-queue': q.queue, className: firing ? 'firing' : '' }, [
        O.el('td', {}, [O.el('span', { className: 'dot', style: 'background:' + color(q.queue) }), document.createTextNode(q.queue)]),
        O.el('td', { className: 'num opt', text: O.fmt(q.length) }),
        O.el('td', { className: 'num', text: O.fmt(q.backlog) }),
        O.el('td', { className: 'num opt', text: O.fmt(q.pending) }),
        O.el('td', { className: 'num' + (q.retrying > 0 ? ' bad' : ''), text: O.fmt(q.retrying) }),
        O.el('td', { className: 'num opt' + (q.failedLastMinute > 0 ? ' bad' : ''), text: O.fmt(q.failedLastMinute) }),
        O.el('td', { className: 'num opt', text: O.fmt(q.oldestAgeSeconds, 1) + ' s' }),
        O.el('td', { className: 'num' + (q.deadLetters > 0 ? ' bad' : ''), text: O.fmt(q.deadLetters) }),
        O.el('td', { className: 'num opt', text: O.fmt(q.threshold) }),
        O.el('td', {}, [badge])]));
      if (queueHistory[q.queue]) queueHistory[q.queue].push(q.backlog);
    });
    trim(queueHistory);
    if (!queueChart) {
      queueChart = makeChart(document.getElementById('queue-chart'), Object.keys(QUEUE_COLORS).map(function (name) {
        return { label: name, color: QUEUE_COLORS[name] };
      }), 'Backlog per queue (jobs not done)');
    }
    queueChart.setData([queueHistory.t, queueHistory.tickets, queueHistory.mail, queueHistory.webhooks, queueHistory.background]);
  }

  function poll() {
    O.api('GET', '/api/v1/ops/overview').then(function (overview) {
      failures = 0;
      var status = document.getElementById('status');
      status.textContent = 'live · ' + new Date(overview.now).toLocaleTimeString('en-GB');
      status.className = 'status live';
      var prevById = {};
      if (previous) previous.events.forEach(function (e) { prevById[e.id] = e; });
      document.getElementById('no-events').hidden = overview.events.length > 0;
      overview.events.forEach(function (event) { renderEvent(event, overview.now, prevById[event.id]); });
      renderQueues(overview.queues, overview.now);
      previous = overview;
    }, function (failure) {
      failures++;
      var status = document.getElementById('status');
      status.textContent = 'not updating: ' + failure.message;
      status.className = 'status down';
      if (failure.status === 401) location.reload();
    }).then(function () {
      setTimeout(poll, failures > 3 ? POLL_MS * 4 : POLL_MS);
    });
  }

  window.addEventListener('resize', function () {
    Object.keys(events).forEach(function (id) {
      var e = events[id];
      [e.queueChart, e.salesChart].forEach(function (c) { c.setSize({ width: chartWidth(c.root.parentNode), height: 180 }); });
    });
    if (queueChart) queueChart.setSize({ width: chartWidth(queueChart.root.parentNode), height: 180 });
  });

  document.addEventListener('DOMContentLoaded', function () {
    O.requireLogin('/api/v1/ops/queues', poll);
  });
})();
