/* Shared by the order page and the test pay page: money in the currency's own minor units, times in a zone. */
window.OnsaleShop = (function () {
  function minorDigits(currency) {
    try {
      return new Intl.NumberFormat('en', { style: 'currency', currency: currency }).resolvedOptions().maximumFractionDigits;
    } catch (e) { return 2; }
  }
  function money(minor, currency) {
    var value = minor / Math.pow(10, minorDigits(currency));
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency }).format(value);
    } catch (e) { return value + ' ' + currency; }
  }
  function time(iso, zone) {
    if (!iso) { return '–'; }
    var options = { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric',
      hour: '2-digit', minute: '2-digit', timeZoneName: 'short' };
    if (zone) { options.timeZone = zone; }
    try { return new Intl.DateTimeFormat(undefined, options).format(new Date(iso)); }
    catch (e) { return new Date(iso).toString(); }
  }
  function call(method, url) {
    return fetch(url, { method: method, credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (response) {
        return response.text().then(function (raw) {
          var body = {};
          try { body = raw ? JSON.parse(raw) : {}; } catch (e) { body = {}; }
          return { status: response.status, body: body };
        });
      });
  }
  function notice(text, kind) {
    var box = document.getElementById('notice');
    box.textContent = text || '';
    box.className = 'notice' + (kind ? ' ' + kind : '');
    box.hidden = !text;
  }
  return { money: money, time: time, call: call, notice: notice };
})();
