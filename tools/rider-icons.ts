import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

/**
 * Draws the rider app's icons (a white map pin on the app's blue) as PNG files, without any image library: the
 * committed files in web/public/rider/icons are its output (`node dist/tools/rider-icons.js <dir>`). A maskable
 * icon keeps the pin inside the middle 80 %, the safe zone launchers crop to.
 */
const BLUE = [0x1f, 0x6f, 0xeb];
const WHITE = [0xff, 0xff, 0xff];

function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** True where the pin covers the point (x, y), in units of the icon's size (0 to 1). */
function inPin(x: number, y: number, scale: number): boolean {
  const [cx, cy, r] = [0.5, 0.42, 0.2 * scale];
  const dx = x - cx;
  const dy = y - cy;
  const head = dx * dx + dy * dy <= r * r;
  const hole = dx * dx + dy * dy <= (r * 0.42) ** 2;
  // The point below the head: a triangle from the head's sides down to its tip.
  const tipY = cy + r * 2.1;
  const t = (y - cy) / (tipY - cy);
  const tail = y >= cy && y <= tipY && Math.abs(dx) <= r * (1 - t) * 0.95;
  return (head || tail) && !hole;
}

export function pinIcon(size: number, maskable: boolean): Buffer {
  const rows: Buffer[] = [];
  const radius = maskable ? 0 : size * 0.18;
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      // Rounded corners on the plain icon; the maskable one fills its square.
      const cx = Math.max(radius - x, 0, x - (size - 1 - radius));
      const cy = Math.max(radius - y, 0, y - (size - 1 - radius));
      const outside = radius > 0 && cx * cx + cy * cy > radius * radius;
      const colour = inPin((x + 0.5) / size, (y + 0.5) / size, maskable ? 0.8 : 1) ? WHITE : BLUE;
      row.set([...colour, outside ? 0 : 255], 1 + x * 4);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const dir = process.argv[2];
if (dir) {
  for (const size of [192, 512]) writeFileSync(`${dir}/icon-${size}.png`, pinIcon(size, false));
  writeFileSync(`${dir}/icon-maskable-512.png`, pinIcon(512, true));
  writeFileSync(`${dir}/apple-touch-icon-180.png`, pinIcon(180, true));
}
