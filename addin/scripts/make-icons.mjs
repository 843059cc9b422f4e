// Generates the add-in icons (addin/public/assets/icon-<size>.png) with nothing but node:zlib:
// a white envelope on a rounded Fluent-blue square, drawn with 4×4 supersampling.
// Run: node addin/scripts/make-icons.mjs
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const OUT = fileURLToPath(new URL('../public/assets/', import.meta.url));
const SIZES = [16, 32, 64, 80, 128];
const BLUE = [15, 108, 189]; // Fluent webLightTheme brand (#0F6CBD)
const WHITE = [255, 255, 255];

/** Colour at a point in unit coordinates (0..1), or null for transparent. */
function sample(x, y) {
  // Rounded square background, corner radius 0.2.
  const r = 0.2;
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) return null;
  // Envelope body.
  const [l, t, rr, b] = [0.18, 0.28, 0.82, 0.72];
  const stroke = 0.065;
  if (x >= l && x <= rr && y >= t && y <= b) {
    // The flap: a V from the top corners to the centre; blue line of width `stroke`.
    const mx = 0.5, my = 0.54;
    const distToSegment = (ax, ay, bx, by) => {
      const dx = bx - ax, dy = by - ay;
      const k = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
      return Math.hypot(x - (ax + k * dx), y - (ay + k * dy));
    };
    const d = Math.min(distToSegment(l, t, mx, my), distToSegment(rr, t, mx, my));
    return d < stroke / 2 ? BLUE : WHITE;
  }
  return BLUE;
}

function render(size) {
  const ss = 4;
  const px = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let rs = 0, gs = 0, bs = 0, as = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const c = sample((x + (sx + 0.5) / ss) / size, (y + (sy + 0.5) / ss) / size);
          if (!c) continue;
          rs += c[0]; gs += c[1]; bs += c[2]; as += 1;
        }
      }
      const o = (y * size + x) * 4;
      if (as > 0) { px[o] = rs / as; px[o + 1] = gs / as; px[o + 2] = bs / as; }
      px[o + 3] = Math.round((as / (ss * ss)) * 255);
    }
  }
  return png(size, size, px);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 6; // 8-bit RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)),
  ]);
}

mkdirSync(OUT, { recursive: true });
for (const size of SIZES) {
  writeFileSync(`${OUT}icon-${size}.png`, render(size));
  console.log(`wrote ${OUT}icon-${size}.png`);
}
