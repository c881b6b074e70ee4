/* Shared by the order page, the test pay page, the shop and the queue page: money in the currency's own minor
   units, times in a zone, waits, counts and clock times. */
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
  /** A wait in words: "2 h 5 min", "3 min 07 s", "40 s"; a dash when unknown. */
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
  /** A count in the reader's digits; a dash when unknown. */
  function number(value) {
    return value === null || value === undefined ? '–' : Number(value).toLocaleString();
  }
  /** A moment on the 24-hour clock (HH:MM:SS) in the reader's zone. */
  function clockTime(at) {
    var pad = function (n) { return (n < 10 ? '0' : '') + n; };
    return pad(at.getHours()) + ':' + pad(at.getMinutes()) + ':' + pad(at.getSeconds());
  }
  return { money: money, time: time, call: call, notice: notice, duration: duration, number: number,
    clockTime: clockTime };
})();
