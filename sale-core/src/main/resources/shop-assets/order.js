/* The order page: what the buyer bought, what is left to do and until when, and the tickets once paid. */
(function () {
  var S = window.OnsaleShop;
  var code = decodeURIComponent(location.pathname.split('/').pop());
  var secret = new URLSearchParams(location.search).get('secret') || '';
  var api = '/api/v1/orders/' + encodeURIComponent(code) + '?secret=' + encodeURIComponent(secret);
  var timer = null;

  function $(id) { return document.getElementById(id); }

  var STATUS = {
    pending: ['Waiting for your payment', 'status-pending'],
    paid: ['Paid: your tickets are yours', 'status-paid'],
    expired: ['Not paid in time', 'status-ended'],
    cancelled: ['Cancelled', 'status-ended'],
    refunded: ['Refunded', 'status-ended'],
    refund_failed: ['Refund delayed', 'status-ended'],
    refund_due: ['Refund on its way', 'status-ended']
  };

  function nextStep(order) {
    var zone = order.event && order.event.timeZone;
    var payment = order.payment;
    switch (order.status) {
      case 'pending':
        if (payment && payment.status === 'processing') {
          return 'Your bank is confirming the payment. This page updates by itself.';
        }
        if (order.canRetryPayment) {
          return 'The payment did not go through. Your tickets are kept for you until '
            + S.time(payment && payment.expiresAt, zone) + ': try again before then.';
        }
        return 'Pay ' + S.money(order.total.amountCents, order.total.currency) + ' by '
          + S.time(payment && payment.expiresAt, zone) + '. Your tickets are kept for you until then.';
      case 'paid':
        if (!order.tickets.every(function (t) { return t.pdfUrl; })) {
          return 'Your ticket PDFs are being prepared; this page updates by itself.';
        }
        return 'Download your tickets below. ' + (order.mailSentAt
          ? 'We sent them to ' + order.buyer.email + ' by e-mail too.'
          : 'They are also on their way to ' + order.buyer.email + ' by e-mail.');
      case 'expired':
        return 'The time to pay ran out and the tickets went back on sale. If you paid after all, '
          + 'you get your tickets if some are still free, or all of your money back.';
      case 'cancelled': return 'The organizer cancelled this order. A payment made for it is refunded.';
      case 'refunded': return 'Your payment was refunded in full.';
      case 'refund_failed': return 'Your refund could not be made yet. The organizer has been told and will retry it.';
      case 'refund_due': return 'The organizer will refund your payment by bank transfer.';
      default: return '';
    }
  }

  function render(order) {
    var label = STATUS[order.status] || [order.status, ''];
    $('order-code').textContent = order.code;
    $('order-status').textContent = label[0];
    $('order-status').className = 'lead ' + label[1];
    $('order-next').textContent = nextStep(order);
    if (order.event) {
      $('event-name').textContent = order.event.name;
      $('event-when').textContent = S.time(order.event.startsAt, order.event.timeZone) + ' · ' + order.event.venue;
      document.title = 'Order ' + order.code + ' · ' + order.event.name;
    }
    var payable = order.status === 'pending' && order.payment && order.payment.url;
    $('pay-link').hidden = !payable;
    if (payable) { $('pay-link').href = order.payment.url; }
    $('retry-button').hidden = !order.canRetryPayment;

    var body = $('lines').tBodies[0];
    body.textContent = '';
    (order.lines || []).forEach(function (line) {
      var row = body.insertRow();
      row.insertCell().textContent = line.quantity + ' × ' + line.category;
      var unit = row.insertCell(); unit.className = 'num'; unit.textContent = S.money(line.unitCents, order.total.currency);
      var amount = row.insertCell(); amount.className = 'num'; amount.textContent = S.money(line.amountCents, order.total.currency);
    });
    $('total').textContent = S.money(order.total.amountCents, order.total.currency);

    var list = $('tickets');
    list.textContent = '';
    if (order.status === 'paid') {
      order.tickets.forEach(function (ticket, i) {
        var item = document.createElement('li');
        var name = 'Ticket ' + (i + 1) + ' of ' + order.tickets.length + ' · ' + ticket.category;
        if (ticket.pdfUrl) {
          var link = document.createElement('a');
          link.href = ticket.pdfUrl;
          link.textContent = name + ' (PDF)';
          item.appendChild(link);
        } else {
          item.textContent = name + ' · being prepared…';
        }
        list.appendChild(item);
      });
    }
    var settled = order.status !== 'pending'
      && !(order.status === 'paid' && (!order.mailSentAt || order.tickets.some(function (t) { return !t.pdfUrl; })));
    clearTimeout(timer);
    if (!settled) { timer = setTimeout(load, 2000); }
  }

  function load() {
    S.call('GET', api).then(function (res) {
      if (res.status === 200) { S.notice(''); render(res.body); return; }
      if (res.status === 404) { S.notice('No order matches this link. Check the link in your e-mail.', 'error'); return; }
      S.notice(res.body.message || 'Could not load your order; retrying…', 'error');
      timer = setTimeout(load, 3000);
    }, function () {
      S.notice('You seem to be offline; retrying…', 'error');
      timer = setTimeout(load, 3000);
    });
  }

  function retry() {
    $('retry-button').disabled = true;
    S.call('POST', '/api/v1/orders/' + encodeURIComponent(code) + '/payment?secret=' + encodeURIComponent(secret))
      .then(function (res) {
        $('retry-button').disabled = false;
        if (res.status === 201 && res.body.url) { location.href = res.body.url; return; }
        S.notice(res.body.message || 'A new attempt could not be made.', 'error');
        load();
      }, function () {
        $('retry-button').disabled = false;
        S.notice('You seem to be offline; try again.', 'error');
      });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('retry-button').addEventListener('click', retry);
    load();
  });
})();
