/*
 * Solves a proof-of-work join challenge off the page's main thread: finds the first decimal nonce
 * such that SHA-256(UTF-8(challenge + nonce)) starts with `difficulty` zero bits. A plain SHA-256
 * over a reused buffer (the Web Crypto API is asynchronous per hash, far too slow for this), with
 * a progress message every 32,768 tries. (Difficulties above 64 bits are not supported.)
 *
 * In:  {challenge, difficulty}
 * Out: {progress: tries} ... then {nonce: "123", tries, ms}
 */
'use strict';

var K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
]);
var W = new Int32Array(64);
var H = new Int32Array(8);

function utf8(text) {
  return Array.prototype.slice.call(new TextEncoder().encode(text));
}

/** SHA-256 of bytes[0..length) (bytes has room for the padding); leaves the digest in H. */
function sha256(bytes, length) {
  var blocks = ((length + 8) >> 6) + 1;
  var total = blocks * 64;
  bytes[length] = 0x80;
  for (var z = length + 1; z < total - 4; z++) { bytes[z] = 0; }
  var bits = length * 8;
  bytes[total - 4] = bits >>> 24; bytes[total - 3] = (bits >>> 16) & 255;
  bytes[total - 2] = (bits >>> 8) & 255; bytes[total - 1] = bits & 255;
  var h0 = 0x6a09e667, h1 = 0xbb67ae85 | 0, h2 = 0x3c6ef372, h3 = 0xa54ff53a | 0;
  var h4 = 0x510e527f, h5 = 0x9b05688c | 0, h6 = 0x1f83d9ab, h7 = 0x5be0cd19;
  for (var block = 0; block < total; block += 64) {
    for (var i = 0; i < 16; i++) {
      var o = block + i * 4;
      W[i] = (bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3];
    }
    for (i = 16; i < 64; i++) {
      var w15 = W[i - 15], w2 = W[i - 2];
      var s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      var s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
    }
    var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    for (i = 0; i < 64; i++) {
      var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      var t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
      var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      var t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + h) | 0;
  }
  H[0] = h0; H[1] = h1; H[2] = h2; H[3] = h3; H[4] = h4; H[5] = h5; H[6] = h6; H[7] = h7;
}

function leadingZeroBits() {
  var bits = 0;
  for (var i = 0; i < 8; i++) {
    if (H[i] === 0) { bits += 32; continue; }
    return bits + Math.clz32(H[i]);
  }
  return bits;
}

function solve(challenge, difficulty) {
  var prefix = utf8(challenge);
  if (prefix.length + 12 + 9 > 64) { return solveAnyLength(prefix, difficulty); }
  return solveOneBlock(prefix, difficulty);
}

/** Any length: the whole hash per try. */
function solveAnyLength(prefix, difficulty) {
  var started = Date.now();
  var bytes = new Uint8Array(prefix.length + 20 + 72);
  bytes.set(prefix);
  var digits = [0];
  for (var tries = 1; ; tries++) {
    var length = prefix.length;
    for (var d = 0; d < digits.length; d++) { bytes[length++] = 48 + digits[d]; }
    sha256(bytes, length);
    if (leadingZeroBits() >= difficulty) {
      return { nonce: digits.join(''), tries: tries, ms: Date.now() - started };
    }
    if ((tries & 32767) === 0) { postMessage({ progress: tries }); }
    increment(digits);
  }
}

function increment(digits) {
  var k = digits.length - 1;
  while (k >= 0 && digits[k] === 9) { digits[k] = 0; k--; }
  if (k < 0) { digits.unshift(1); } else { digits[k] += 1; }
}

/**
 * Challenge and nonce in one 64-byte block: the words made of the challenge alone are the same on
 * every try, so the rounds that read only them are run once (the "midstate").
 */
function solveOneBlock(prefix, difficulty) {
  var started = Date.now();
  var P = prefix.length;
  var fixed = P >> 2;
  var bytes = new Uint8Array(64);
  bytes.set(prefix);
  for (var i = 0; i < fixed; i++) {
    W[i] = (bytes[i * 4] << 24) | (bytes[i * 4 + 1] << 16) | (bytes[i * 4 + 2] << 8) | bytes[i * 4 + 3];
  }
  var ma = 0x6a09e667, mb = 0xbb67ae85 | 0, mc = 0x3c6ef372, md = 0xa54ff53a | 0;
  var me = 0x510e527f, mf = 0x9b05688c | 0, mg = 0x1f83d9ab, mh = 0x5be0cd19;
  for (i = 0; i < fixed; i++) {
    var S1 = ((me >>> 6) | (me << 26)) ^ ((me >>> 11) | (me << 21)) ^ ((me >>> 25) | (me << 7));
    var t1 = (mh + S1 + ((me & mf) ^ (~me & mg)) + K[i] + W[i]) | 0;
    var S0 = ((ma >>> 2) | (ma << 30)) ^ ((ma >>> 13) | (ma << 19)) ^ ((ma >>> 22) | (ma << 10));
    var t2 = (S0 + ((ma & mb) ^ (ma & mc) ^ (mb & mc))) | 0;
    mh = mg; mg = mf; mf = me; me = (md + t1) | 0; md = mc; mc = mb; mb = ma; ma = (t1 + t2) | 0;
  }
  var digits = [0];
  var written = -1;
  for (var tries = 1; ; tries++) {
    var length = P;
    for (var d = 0; d < digits.length; d++) { bytes[length++] = 48 + digits[d]; }
    if (length !== written) {
      written = length;
      bytes[length] = 0x80;
      for (var z = length + 1; z < 60; z++) { bytes[z] = 0; }
      var bits = length * 8;
      bytes[60] = bits >>> 24; bytes[61] = (bits >>> 16) & 255; bytes[62] = (bits >>> 8) & 255; bytes[63] = bits & 255;
    }
    for (i = fixed; i < 16; i++) {
      var o = i * 4;
      W[i] = (bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3];
    }
    for (i = 16; i < 64; i++) {
      var w15 = W[i - 15], w2 = W[i - 2];
      var s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      var s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
    }
    var a = ma, b = mb, c = mc, dd = md, e = me, f = mf, g = mg, h = mh;
    for (i = fixed; i < 64; i++) {
      S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
      S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g; g = f; f = e; e = (dd + t1) | 0; dd = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    var h0 = (0x6a09e667 + a) | 0;
    var zeros = h0 === 0 ? 32 + Math.clz32((0xbb67ae85 + b) | 0) : Math.clz32(h0);
    if (zeros >= difficulty) {
      return { nonce: digits.join(''), tries: tries, ms: Date.now() - started };
    }
    if ((tries & 32767) === 0) { postMessage({ progress: tries }); }
    increment(digits);
  }
}

self.onmessage = function (e) {
  postMessage(solve(e.data.challenge, e.data.difficulty));
};
