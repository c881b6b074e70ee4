/* The test provider's pay page: "Pay" or "Decline", then back to the order page. */
(function () {
  var S = window.OnsaleShop;
  var paymentId = decodeURIComponent(location.pathname.split('/').pop());
  var base = '/api/v1/payments/test/' + encodeURIComponent(paymentId);

  function $(id) { return document.getElementById(id); }

  function decide(pay) {
    $('pay-button').disabled = true;
    $('decline-button').disabled = true;
    S.call('POST', base + (pay ? '/succeed' : '/fail')).then(function (res) {
      if (res.status === 200 && res.body.orderUrl) { location.href = res.body.orderUrl; return; }
      S.notice(res.body.message || 'That did not work.', 'error');
      if (res.body.orderUrl) { setTimeout(function () { location.href = res.body.orderUrl; }, 1500); }
    }, function () {
      $('pay-button').disabled = false;
      $('decline-button').disabled = false;
      S.notice('You seem to be offline; try again.', 'error');
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    S.call('GET', base).then(function (res) {
      if (res.status !== 200) { S.notice(res.body.message || 'No such payment.', 'error'); return; }
      var p = res.body;
      $('amount').textContent = S.money(p.amountCents, p.currency);
      $('order-code').textContent = p.orderCode;
      $('pay-until').textContent = 'This payment is open until ' + S.time(p.expiresAt, p.timeZone) + '.';
      if (p.status !== 'open') {
        S.notice('This payment is ' + p.status + ': it can no longer be paid here.', 'error');
        $('pay-button').disabled = true;
        $('decline-button').disabled = true;
        setTimeout(function () { location.href = p.orderUrl; }, 2000);
      }
    });
    $('pay-button').addEventListener('click', function () { decide(true); });
    $('decline-button').addEventListener('click', function () { decide(false); });
  });
})();
