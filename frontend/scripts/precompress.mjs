// Writes a Brotli (.br) and a gzip (.gz) copy beside each text file of the given files or directories,
// at the strongest settings (this runs once, at build time), so that the server sends them as they are:
// aiohttp's FileResponse picks the copy the client accepts and says so in Content-Encoding
// (web/tools_page.py, web/graphiql_page.py). A copy is kept only when it is smaller; files under 1 KiB
// are left alone. Prints what each JavaScript file weighs on the wire.
//
//   node scripts/precompress.mjs dist                     (the page's build: `npm run build` runs it)
//   node frontend/scripts/precompress.mjs <file> ...      (GraphiQL's assets: `make` runs it)
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|webmanifest)$/;
const MIN_BYTES = 1024;

function filesOf(path) {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => filesOf(join(path, name)));
}

function compress(path) {
  const raw = readFileSync(path);
  const copies = {
    br: brotliCompressSync(raw, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    }),
    gz: gzipSync(raw, { level: 9 }),
  };
  const sizes = { raw: raw.length };
  for (const [extension, data] of Object.entries(copies)) {
    const copy = `${path}.${extension}`;
    if (raw.length >= MIN_BYTES && data.length < raw.length) {
      writeFileSync(copy, data);
      sizes[extension] = data.length;
    } else {
      rmSync(copy, { force: true });
    }
  }
  return sizes;
}

const totals = { raw: 0, gz: 0, br: 0 };
for (const path of process.argv.slice(2).flatMap(filesOf)) {
  if (!COMPRESSIBLE.test(path)) continue;
  const sizes = compress(path);
  if (!path.endsWith(".js")) continue;
  for (const key of Object.keys(totals)) totals[key] += sizes[key] ?? sizes.raw;
  console.log(`${path}: ${sizes.raw} bytes, gzip ${sizes.gz ?? "-"}, brotli ${sizes.br ?? "-"}`);
}
console.log(`JavaScript: ${totals.raw} bytes, ${totals.gz} gzip, ${totals.br} brotli`);
