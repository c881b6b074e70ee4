// An event's times in its own IANA zone, for the organizer's page: shown on a 24-hour clock with the
// zone named, and entered as local wall-clock times. A local time that does not exist (the clocks
// jump over it in spring) or happens twice (they go back over it in autumn) is refused in words that
// name the instants on both sides: the same rule, and the same words, as the server's LocalTimes
// (module common), which checks again whatever the page sends.
(function () {
  'use strict';
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  var DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  var SECOND = 1000;
  var DAY = 86400000;
  var formatters = {};

  /** A zone this browser does not know (the server's list may be longer) is shown in UTC, and says so. */
  function formatter(zone) {
    if (!formatters[zone]) {
      var options = { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
        hour: 'numeric', minute: 'numeric', second: 'numeric', timeZoneName: 'short' };
      try {
        formatters[zone] = new Intl.DateTimeFormat('en-GB', options);
      } catch (unknownZone) {
        options.timeZone = 'UTC';
        formatters[zone] = new Intl.DateTimeFormat('en-GB', options);
      }
    }
    return formatters[zone];
  }

  /** The wall clock in `zone` at instant `ms`: {wall (that clock read as if it were UTC, in ms), abbreviation}. */
  function local(ms, zone) {
    var p = {};
    formatter(zone).formatToParts(new Date(ms)).forEach(function (part) { p[part.type] = part.value; });
    var wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour % 24, +p.minute, +p.second);
    return { wall: wall, abbreviation: p.timeZoneName };
  }

  function offsetAt(ms, zone) {
    var whole = Math.floor(ms / SECOND) * SECOND;
    return local(whole, zone).wall - whole;
  }

  function two(n) { return (n < 10 ? '0' : '') + n; }

  /** "02:30", or "02:30:15" when the seconds are not zero, from a wall time. */
  function clock(wall) {
    var d = new Date(wall);
    return two(d.getUTCHours()) + ':' + two(d.getUTCMinutes()) + (d.getUTCSeconds() ? ':' + two(d.getUTCSeconds()) : '');
  }

  function dayOf(wall, withYear) {
    var d = new Date(wall);
    return d.getUTCDate() + ' ' + MONTHS[d.getUTCMonth()] + (withYear === false ? '' : ' ' + d.getUTCFullYear());
  }

  function isUtc(zone) { return zone === 'UTC' || zone === 'Etc/UTC'; }

  /** "Sat 20 Mar 2027, 20:00 CET", and " (Europe/Berlin)" after it unless `short`; "… 20:00 UTC" for UTC. */
  function format(ms, zone, short) {
    if (ms === null || ms === undefined || isNaN(ms)) return '–';
    var l = local(ms, zone);
    var d = new Date(l.wall);
    var text = DAYS[d.getUTCDay()] + ' ' + dayOf(l.wall) + ', ' + two(d.getUTCHours()) + ':' + two(d.getUTCMinutes())
      + ' ' + l.abbreviation;
    return short || isUtc(zone) ? text : text + ' (' + zone + ')';
  }

  /** "2027-03-20 20:00" (seconds only when not zero): a wall time as the page's time inputs show it. */
  function wallText(wall) {
    return new Date(wall).toISOString().slice(0, 10) + ' ' + clock(wall);
  }

  /** The value of a time input showing instant `ms` in `zone`. */
  function toInput(ms, zone) {
    return wallText(local(ms, zone).wall);
  }

  /** "01:59:59 CET = 00:59:59 UTC", the UTC day added when it is not the local day asked about. */
  function moment(ms, zone, day) {
    var l = local(ms, zone);
    var utcDay = Math.floor(ms / DAY) * DAY;
    return clock(l.wall) + ' ' + l.abbreviation + ' = ' + clock(ms) + ' UTC' + (utcDay === day ? '' : ' on ' + dayOf(ms, false));
  }

  /** The first whole second in (lo, hi] whose offset is hi's: the instant the clocks change. */
  function change(lo, hi, zone) {
    var after = offsetAt(hi, zone);
    while (hi - lo > SECOND) {
      var mid = lo + Math.floor((hi - lo) / 2 / SECOND) * SECOND;
      if (offsetAt(mid, zone) === after) hi = mid; else lo = mid;
    }
    return hi;
  }

  /**
   * Reads a local time ("2027-03-28 02:30", with seconds or a "T" if need be) in `zone`: {ms, iso}
   * for the one instant it names (iso: the local time as the API takes it, "2027-03-28T02:30:00"),
   * or {error} in words when it is no time, or when the clocks skip it or pass it twice there.
   */
  function resolve(value, zone) {
    var m = /^\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?\s*$/.exec(value || '');
    var wall = m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0)) : NaN;
    if (!m || new Date(wall).toISOString().slice(0, 19) !== m[1] + '-' + m[2] + '-' + m[3] + 'T' + m[4] + ':' + m[5] + ':' + (m[6] || '00')) {
      return { error: 'enter a date and a 24-hour time, such as 2027-03-20 20:00' };
    }
    // Every instant this wall time may name lies within a day of it; try each offset in force near it.
    var before = offsetAt(wall - DAY, zone);
    var after = offsetAt(wall + DAY, zone);
    var valid = [before, offsetAt(wall, zone), after]
      .filter(function (o, i, all) { return all.indexOf(o) === i && offsetAt(wall - o, zone) === o; })
      .map(function (o) { return wall - o; })
      .sort(function (a, b) { return a - b; });
    if (valid.length === 1) return { ms: valid[0], iso: new Date(wall).toISOString().slice(0, 19) };
    var day = Math.floor(wall / DAY) * DAY;
    var gap = valid.length === 0;
    var at = gap ? change(wall - after, wall - before, zone) : change(valid[0], valid[1], zone);
    var what = clock(wall) + (gap ? ' does not exist on ' : ' happens twice on ') + dayOf(wall) + ' in ' + zone;
    var instants = gap
      ? ', where the clocks jump from ' + moment(at - SECOND, zone, day) + ' to ' + moment(at, zone, day)
      : ' (' + moment(valid[0], zone, day) + ' and ' + moment(valid[1], zone, day) + ')';
    // The local times the change skips or repeats: [02:00, 03:00) at both of Berlin's changes.
    var from = at + Math.min(before, after);
    var until = at + Math.max(before, after);
    return { error: what + instants + ': pick a time before ' + clock(from) + ' or from ' + clock(until) + ' on' };
  }

  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch (e) { return 'UTC'; }
  }

  /** The IANA zones this browser knows, UTC first, and the browser's own zone among them. */
  function zones() {
    var list = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone').slice() : [];
    [browserZone(), 'UTC'].forEach(function (zone) { if (list.indexOf(zone) < 0) list.unshift(zone); });
    return list;
  }

  window.OnsaleTime = { format: format, toInput: toInput, resolve: resolve, zones: zones, browserZone: browserZone };
})();
