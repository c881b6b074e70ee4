// The organizer's page: lists events, creates one with its categories and schedule, reschedules,
// changes the admission rate, pauses and resumes, and shows sales. Everything goes through the
// admin API with the organizer token; the page can do nothing the API would not allow.
(function () {
  'use strict';
  var O = window.Onsale;
  var REFRESH_MS = 3000;
  var selected = null;    // the selected event's JSON
  var refreshTimer = null;

  function $(id) { return document.getElementById(id); }

  // The time inputs hold wall-clock times in the event's zone (the form's zone select), as text on a
  // 24-hour clock ("2027-03-20 20:00": a datetime-local input would show the browser's clock, AM/PM
  // in many). The API reads a time without an offset in the event's timeZone, and refuses one that
  // the clocks skip or pass twice there, as the page does before sending (OnsaleTime, localtime.js).
  var TIME_FIELDS = ['startsAt', 'queueOpensAt', 'saleStartsAt', 'saleEndsAt'];
  var T = window.OnsaleTime;

  function zoneOf(prefix) { return $(prefix + '-timeZone').value; }

  /**
   * The form's times as the API takes them (local, in the form's zone), or null after saying which
   * one is no time, or one the clocks skip or pass twice. Empty fields are left out (the API refuses null).
   */
  function localTimes(prefix, result) {
    var zone = zoneOf(prefix);
    var times = {};
    for (var i = 0; i < TIME_FIELDS.length; i++) {
      var input = $(prefix + '-' + TIME_FIELDS[i]);
      if (!input || !input.value) continue;
      var resolved = T.resolve(input.value, zone);
      if (resolved.error) {
        markInvalid({ field: TIME_FIELDS[i] }, prefix);
        say(result, labelText(input) + ': ' + resolved.error + '.', true);
        return null;
      }
      times[TIME_FIELDS[i]] = resolved.iso;
    }
    return times;
  }

  /** What a label says before its input: "Sale starts". */
  function labelText(input) {
    var label = input.labels && input.labels[0];
    var words = label && label.querySelector('span') ? label.querySelector('span').firstChild.textContent : '';
    return (words || '').trim() || input.id;
  }

  /** Fills a zone select with every IANA zone the browser knows, and names it beside the form's times. */
  function zoneSelect(id, zone) {
    var select = $(id);
    if (!select.options.length) {
      T.zones().forEach(function (name) { select.appendChild(O.el('option', { value: name, text: name })); });
      select.addEventListener('change', function () { nameZone(id); });
    }
    if (zone && !Array.prototype.some.call(select.options, function (o) { return o.value === zone; })) {
      select.appendChild(O.el('option', { value: zone, text: zone }));
    }
    select.value = zone || T.browserZone();
    nameZone(id);
  }

  function nameZone(id) {
    document.querySelectorAll('[data-zone-of="' + id + '"]').forEach(function (span) {
      span.textContent = '(' + $(id).value + ')';
    });
  }

  function ms(value) { return typeof value === 'number' ? value : Date.parse(value); }

  // Field names of the admin API, as the form's labels say them.
  var FIELD_WORDS = {
    name: 'Name', slug: 'Slug', venue: 'Venue', startsAt: 'Event start', queueOpensAt: 'Queue opening',
    saleStartsAt: 'Sale start', saleEndsAt: 'Sale end', admissionRatePerMinute: 'Admission rate',
    maxActiveShoppers: 'Max shoppers at once', maxTicketsPerOrder: 'Max tickets per order',
    holdSeconds: 'Hold', paymentSeconds: 'Time to pay', paymentGraceSeconds: 'Payment grace', waitingRoom: 'Waiting room', preQueue: 'Before the sale', paused: 'Pause',
    timeZone: 'Time zone',
    categories: 'Ticket categories', priceCents: 'price', currency: 'currency', capacity: 'capacity'
  };
  // The inputs each field is entered in, to mark the one that was refused.
  var FIELD_INPUTS = {
    name: 'c-name', slug: 'c-slug', venue: 'c-venue', startsAt: 'c-startsAt', queueOpensAt: 'c-queueOpensAt',
    saleStartsAt: 'c-saleStartsAt', saleEndsAt: 'c-saleEndsAt', admissionRatePerMinute: 'c-rate',
    maxActiveShoppers: 'c-maxActive', maxTicketsPerOrder: 'c-maxTickets', holdSeconds: 'c-hold',
    paymentSeconds: 'c-payMinutes', paymentGraceSeconds: 'c-payGrace',
    waitingRoom: 'c-waitingRoom', preQueue: 'c-preQueue', timeZone: 'c-timeZone'
  };

  // "categories[1].capacity" -> "Category 2 capacity"; "saleEndsAt" -> "Sale end".
  function fieldWords(path) {
    var category = /^categories\[(\d+)\](?:\.(\w+))?$/.exec(path);
    if (category) {
      var what = category[2] === 'name' ? 'name' : (FIELD_WORDS[category[2]] || category[2] || '');
      return ('Category ' + (parseInt(category[1], 10) + 1) + ' ' + what).trim();
    }
    return FIELD_WORDS[path] || path;
  }

  // An API error in words: "saleEndsAt: must be after saleStartsAt" -> "Sale end must be after sale start."
  function inWords(failure) {
    var message = failure.message || 'The server refused this.';
    var match = /^([A-Za-z]+(?:\[\d+\])?(?:\.[A-Za-z]+)?): (.*)$/.exec(message);
    if (!match) return message;
    var rest = match[2].replace(/\b([a-z]+[A-Z][A-Za-z]*)\b/g, function (word) {
      return FIELD_WORDS[word] ? FIELD_WORDS[word].toLowerCase() : word;
    });
    // "saleStartsAt: 02:30 does not exist on …" is a sentence of its own: "Sale start: 02:30 does not exist on …".
    var sentence = fieldWords(match[1]) + (/^[0-9A-Z]/.test(rest) ? ': ' : ' ') + rest;
    sentence = sentence.charAt(0).toUpperCase() + sentence.slice(1);
    return /[.!?]$/.test(sentence) ? sentence : sentence + '.';
  }

  function markInvalid(failure, prefix) {
    document.querySelectorAll('[aria-invalid="true"]').forEach(function (input) { input.removeAttribute('aria-invalid'); });
    var match = /^([A-Za-z]+)/.exec(failure.field || (failure.message || '').split(':')[0] || '');
    var id = match && FIELD_INPUTS[match[1]];
    if (!id) return;
    var input = $(prefix === 'p' ? id.replace(/^c-/, 'p-') : id);
    if (input) input.setAttribute('aria-invalid', 'true');
  }

  function say(node, text, bad) {
    node.textContent = text;
    node.className = text ? 'notice' + (bad ? ' bad' : '') : '';
  }

  function stateOf(event) {
    var now = Date.now();
    if (event.paused) return ['paused', 'warn'];
    if (now >= ms(event.saleEndsAt)) return ['ended', 'muted'];
    if (now >= ms(event.saleStartsAt)) return ['on sale', 'ok'];
    if (now >= ms(event.queueOpensAt)) return ['queue open', 'info'];
    return ['scheduled', 'muted'];
  }

  function loadEvents() {
    return O.api('GET', '/api/v1/admin/events').then(function (answer) {
      var list = Array.isArray(answer) ? answer : (answer.events || answer.items || []);
      var body = document.querySelector('#event-list tbody');
      body.textContent = '';
      $('no-events').hidden = list.length > 0;
      list.forEach(function (event) {
        var state = stateOf(event);
        var row = O.el('tr', { className: 'clickable' + (selected && selected.id === event.id ? ' selected' : ''),
          'data-event-id': String(event.id) }, [
          O.el('td', {}, [O.el('strong', { text: event.name }),
            O.el('div', { className: 'muted', text: (event.venue || '') + ' · ' + event.timeZone })]),
          O.el('td', { className: 'opt', text: T.format(ms(event.queueOpensAt), event.timeZone, true) }),
          O.el('td', { text: T.format(ms(event.saleStartsAt), event.timeZone, true) }),
          O.el('td', { className: 'num opt', text: O.fmt(event.admissionRatePerMinute) }),
          O.el('td', {}, [O.el('span', { className: 'badge ' + state[1], text: state[0] })])]);
        row.addEventListener('click', function () { select(event); });
        body.appendChild(row);
        if (selected && selected.id === event.id) { selected = event; showSelected(false); }
      });
      return list;
    }, function (failure) {
      say($('create-result'), 'Could not list events: ' + failure.message, true);
      return [];
    });
  }

  function select(event) {
    selected = event;
    showSelected(true);
    document.querySelectorAll('#event-list tbody tr').forEach(function (tr) {
      tr.classList.toggle('selected', tr.dataset.eventId === String(event.id));
    });
    refreshStats();
  }

  function showSelected(fillForm) {
    $('selected').hidden = false;
    $('sel-name').textContent = selected.name;
    $('sel-slug').textContent = selected.slug;
    var state = stateOf(selected);
    $('sel-state').textContent = state[0];
    $('sel-state').className = 'badge ' + state[1];
    $('p-pause').textContent = selected.paused ? 'Resume sale' : 'Pause sale';
    $('p-pause').className = selected.paused ? '' : 'secondary';
    $('sel-when').textContent = 'Event starts ' + T.format(ms(selected.startsAt), selected.timeZone)
      + ' · queue opens ' + T.format(ms(selected.queueOpensAt), selected.timeZone, true)
      + ' · sale ' + T.format(ms(selected.saleStartsAt), selected.timeZone, true)
      + ' to ' + T.format(ms(selected.saleEndsAt), selected.timeZone, true);
    if (fillForm) {
      zoneSelect('p-timeZone', selected.timeZone);
      $('p-queueOpensAt').value = T.toInput(ms(selected.queueOpensAt), selected.timeZone);
      $('p-saleStartsAt').value = T.toInput(ms(selected.saleStartsAt), selected.timeZone);
      $('p-saleEndsAt').value = T.toInput(ms(selected.saleEndsAt), selected.timeZone);
      $('p-rate').value = selected.admissionRatePerMinute;
      say($('patch-result'), '');
    }
  }

  function refreshStats() {
    clearTimeout(refreshTimer);
    if (!selected) return;
    var id = selected.id;
    O.api('GET', '/api/v1/admin/events/' + id + '/stats').then(function (stats) {
      if (!selected || selected.id !== id) return;
      $('st-sold').textContent = O.fmt(stats.sold);
      $('st-held').textContent = O.fmt(stats.held);
      $('st-available').textContent = O.fmt(stats.available) + ' / ' + O.fmt(stats.capacity);
      $('st-orders').textContent = O.fmt(stats.orders);
      $('st-pending').textContent = O.fmt(stats.pending);
      if (stats.refundTroubleOrders > 0) {
        loadRefundTrouble(id);
      } else {
        $('refunds').hidden = true;
      }
      var body = document.querySelector('#st-categories tbody');
      body.textContent = '';
      (stats.categories || []).forEach(function (c) {
        body.appendChild(O.el('tr', {}, [O.el('td', { text: c.name || ('#' + c.id) }),
          O.el('td', { className: 'num', text: O.fmt(c.sold) }), O.el('td', { className: 'num', text: O.fmt(c.held) }),
          O.el('td', { className: 'num', text: O.fmt(c.available) }), O.el('td', { className: 'num opt', text: O.fmt(c.capacity) })]));
      });
    }, function (failure) {
      say($('patch-result'), 'Could not read sales: ' + failure.message, true);
    }).then(function () {
      refreshTimer = setTimeout(refreshStats, REFRESH_MS);
    });
  }

  /** Orders whose refund failed or is owed by hand, each with what the organizer can do about it. */
  function loadRefundTrouble(id) {
    Promise.all(['refund_failed', 'refund_due'].map(function (status) {
      return O.api('GET', '/api/v1/admin/events/' + id + '/orders?status=' + status + '&limit=50');
    })).then(function (pages) {
      var list = $('refund-list');
      list.textContent = '';
      pages.forEach(function (page, i) {
        (page.orders || []).forEach(function (order) {
          var failed = i === 0;
          var button = O.el('button', { type: 'button', className: 'secondary',
            text: failed ? 'Retry refund' : 'Mark refunded' });
          button.addEventListener('click', function () {
            button.disabled = true;
            O.api('POST', '/api/v1/admin/orders/' + encodeURIComponent(order.code) + (failed ? '/refund-retry' : '/refund-confirmed'), {})
              .then(function () { refreshStats(); }, function (failure) {
                button.disabled = false;
                say($('patch-result'), inWords(failure), true);
              });
          });
          list.appendChild(O.el('li', {}, [O.el('span', { text: order.code + ' · ' + order.buyer.name + ' · '
            + (failed ? 'refund failed' : 'refund by hand') + ' · ' + (order.totalCents / 100).toFixed(2) + ' ' + order.currency + ' ' }), button]));
        });
      });
      $('refunds').hidden = list.children.length === 0;
    });
  }

  function patch(body, done) {
    return O.api('PATCH', '/api/v1/admin/events/' + selected.id, body).then(function (event) {
      if (event && event.id !== undefined) selected = event;
      showSelected(false);
      say($('patch-result'), done);
      return loadEvents();
    }, function (failure) {
      markInvalid(failure, 'p');
      say($('patch-result'), inWords(failure), true);
    });
  }

  function field(label, input, className) {
    return O.el('label', { className: className || '' }, [O.el('span', { text: label }), input]);
  }

  function categoryRow(name, price, currency, capacity) {
    var row = O.el('div', { className: 'cat-row' }, [
      field('Category name', O.el('input', { className: 'cat-name', required: '', maxlength: '100', placeholder: 'Standing' }), 'cat-name-field'),
      field('Price', O.el('input', { className: 'cat-price', type: 'number', min: '0', step: '0.01', required: '', placeholder: '45.00' })),
      field('Currency', O.el('input', { className: 'cat-currency', required: '', maxlength: '3', pattern: '[A-Za-z]{3}', title: 'a three-letter code such as EUR' })),
      field('Capacity', O.el('input', { className: 'cat-capacity', type: 'number', min: '1', required: '', placeholder: '500' })),
      O.el('button', { type: 'button', className: 'secondary cat-remove', text: 'Remove' })]);
    row.querySelector('.cat-name').value = name || '';
    row.querySelector('.cat-price').value = price === undefined ? '' : price;
    row.querySelector('.cat-currency').value = currency || 'EUR';
    row.querySelector('.cat-capacity').value = capacity === undefined ? '' : capacity;
    row.querySelector('.cat-remove').addEventListener('click', function () {
      if ($('c-categories').children.length > 1) row.remove();
    });
    $('c-categories').appendChild(row);
    return row;
  }

  function createBody(times) {
    var categories = Array.prototype.map.call($('c-categories').children, function (row) {
      return {
        name: row.querySelector('.cat-name').value.trim(),
        priceCents: Math.round(parseFloat(row.querySelector('.cat-price').value) * 100),
        currency: row.querySelector('.cat-currency').value.trim().toUpperCase(),
        capacity: parseInt(row.querySelector('.cat-capacity').value, 10)
      };
    });
    return {
      name: $('c-name').value.trim(),
      slug: $('c-slug').value.trim(),
      venue: $('c-venue').value.trim(),
      timeZone: zoneOf('c'),
      startsAt: times.startsAt,
      queueOpensAt: times.queueOpensAt,
      saleStartsAt: times.saleStartsAt,
      saleEndsAt: times.saleEndsAt,
      admissionRatePerMinute: parseInt($('c-rate').value, 10),
      maxActiveShoppers: parseInt($('c-maxActive').value, 10),
      maxTicketsPerOrder: parseInt($('c-maxTickets').value, 10),
      holdSeconds: parseInt($('c-hold').value, 10),
      paymentSeconds: Math.round(parseFloat($('c-payMinutes').value) * 60),
      paymentGraceSeconds: parseInt($('c-payGrace').value, 10),
      waitingRoom: $('c-waitingRoom').value,
      preQueue: $('c-preQueue').value,
      categories: categories
    };
  }

  /** A new event's form as it starts: times from a few minutes to a month ahead, in `zone` (the browser's unless given). */
  function defaults(zone) {
    var now = Date.now();
    var minute = 60000;
    zoneSelect('c-timeZone', zone);
    var chosen = zoneOf('c');
    $('c-queueOpensAt').value = T.toInput(Math.ceil((now + 2 * minute) / minute) * minute, chosen);
    $('c-saleStartsAt').value = T.toInput(Math.ceil((now + 10 * minute) / minute) * minute, chosen);
    $('c-saleEndsAt').value = T.toInput(Math.ceil((now + 7 * 24 * 60 * minute) / minute) * minute, chosen);
    $('c-startsAt').value = T.toInput(Math.ceil((now + 30 * 24 * 60 * minute) / minute) * minute, chosen);
    if ($('c-categories').children.length === 0) categoryRow('Standing', '45.00', 'EUR', 500);
  }

  function start() {
    defaults();
    ['create-form', 'patch-form'].forEach(function (id) {
      $(id).addEventListener('input', function (event) { event.target.removeAttribute('aria-invalid'); });
    });
    $('c-add-category').addEventListener('click', function () { categoryRow('', '', 'EUR', ''); });
    $('c-name').addEventListener('input', function () {
      if ($('c-slug').dataset.edited) return;
      $('c-slug').value = $('c-name').value.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 64).replace(/^-+|-+$/g, '');
    });
    $('c-slug').addEventListener('input', function () { $('c-slug').dataset.edited = '1'; });

    $('create-form').addEventListener('submit', function (event) {
      event.preventDefault();
      var times = localTimes('c', $('create-result'));
      if (!times) {
        $('create-result').scrollIntoView({ block: 'nearest' });
        return;
      }
      $('c-submit').disabled = true;
      O.api('POST', '/api/v1/admin/events', createBody(times)).then(function (created) {
        say($('create-result'), 'Created "' + created.name + '": buyers will find it at /e/' + created.slug);
        $('create-form').reset();
        $('c-slug').dataset.edited = '';
        $('c-categories').textContent = '';
        defaults(created.timeZone);
        return loadEvents().then(function () { select(created); });
      }, function (failure) {
        markInvalid(failure, 'c');
        say($('create-result'), inWords(failure), true);
        $('create-result').scrollIntoView({ block: 'nearest' });
      }).then(function () { $('c-submit').disabled = false; });
    });

    $('patch-form').addEventListener('submit', function (event) {
      event.preventDefault();
      var times = localTimes('p', $('patch-result'));
      if (!times) return;
      patch({
        timeZone: zoneOf('p'),
        queueOpensAt: times.queueOpensAt,
        saleStartsAt: times.saleStartsAt,
        saleEndsAt: times.saleEndsAt,
        admissionRatePerMinute: parseInt($('p-rate').value, 10)
      }, 'Saved.');
    });
    $('p-pause').addEventListener('click', function () {
      var pausing = !selected.paused;
      patch({ paused: pausing }, pausing ? 'Sale paused.' : 'Sale resumed.');
    });

    loadEvents();
    setInterval(loadEvents, 15000);
  }

  document.addEventListener('DOMContentLoaded', function () {
    O.requireLogin('/api/v1/admin/events', start);
  });
})();
