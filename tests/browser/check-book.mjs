// Opens every page of the built book in headless Chromium, as a reader
// would, and fails on anything that would not work offline:
//   - any failed request, any request that leaves this machine,
//   - any image that does not load,
//   - raw, unrendered $…$ or $$…$$ math, a formula KaTeX could not parse
//     (.katex-error), or math without its stylesheet,
//   - a broken internal link or #anchor,
//   - a console error,
//   - search that finds nothing.
// It saves a screenshot of each chapter page, and prints the whole book
// (its print page) to PDF.
//
//   node tests/browser/check-book.mjs BOOK_DIR SCREENSHOT_DIR PDF_FILE
//
// Chromium comes from Debian (`apt-get install chromium`), driven by
// playwright-core (`npm install` in this folder).

import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const [bookDir = 'book/book', shotDir = 'target/book-screenshots', pdfFile = 'target/book.pdf'] =
  process.argv.slice(2);
const root = path.resolve(bookDir);
const failures = [];
const fail = (page, what) => failures.push(`${page}: ${what}`);

const { server, origin } = await serve(root);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
// window.print() on the print page would open a dialog; the PDF is made below.
await context.addInitScript(() => { window.print = () => {}; });

const pages = fs.readdirSync(root).filter((f) => f.endsWith('.html') && f !== '404.html').sort();
const idsOf = new Map(); // page file → set of element ids
const ids = (file) => {
  if (!idsOf.has(file)) {
    const html = fs.readFileSync(path.join(root, file), 'utf8');
    idsOf.set(file, new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1])));
  }
  return idsOf.get(file);
};
fs.mkdirSync(shotDir, { recursive: true });

for (const file of pages) {
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') fail(file, `console error: ${m.text()}`); });
  page.on('pageerror', (e) => fail(file, `script error: ${e.message}`));
  page.on('requestfailed', (r) => fail(file, `request failed: ${r.url()}`));
  page.on('response', (r) => { if (r.status() >= 400) fail(file, `HTTP ${r.status()} for ${r.url()}`); });
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
    fail(file, `request leaves the machine: ${url}`);
    return route.abort();
  });
  await page.goto(`${origin}/${file}`, { waitUntil: 'load' });

  const broken = await page.$$eval('img', (imgs) =>
    imgs.filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.getAttribute('src')));
  for (const src of broken) fail(file, `image does not load: ${src}`);

  const math = await page.evaluate(() => {
    const main = (document.querySelector('main') ?? document.body).cloneNode(true);
    main.querySelectorAll('pre, code, .katex').forEach((e) => e.remove());
    const text = main.textContent;
    const raw = text.match(/\$\$|\$[^$\s][^$\n]*\$/);
    const first = document.querySelector('.katex');
    const font = first ? getComputedStyle(first).fontFamily : null;
    // KaTeX renders a formula it cannot parse as .katex-error, in red.
    const errors = [...document.querySelectorAll('.katex-error')].map((e) => e.textContent.slice(0, 40));
    return { raw: raw ? raw[0].slice(0, 40) : null, count: document.querySelectorAll('.katex').length, font, errors };
  });
  if (math.raw) fail(file, `unrendered math: ${math.raw}`);
  for (const error of math.errors) fail(file, `KaTeX could not render: ${error}`);
  if (math.count > 0 && !/KaTeX_Main/.test(math.font)) fail(file, `math has no KaTeX stylesheet (font ${math.font})`);

  const links = await page.$$eval('a[href]', (as) => as.map((a) => a.href));
  for (const link of links) {
    if (!link.startsWith(origin)) continue;
    const url = new URL(link);
    const target = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
    if (!fs.existsSync(path.join(root, target))) { fail(file, `broken link: ${target}`); continue; }
    const hash = decodeURIComponent(url.hash.slice(1));
    if (hash && target.endsWith('.html') && !ids(target).has(hash)) fail(file, `broken anchor: ${target}#${hash}`);
  }

  if (/^ch\d\d-/.test(file)) {
    // Previous/next navigation is there.
    const nav = await page.$$eval('a.nav-chapters, nav a[rel]', (as) => as.length);
    if (nav === 0) fail(file, 'no previous/next navigation');
    await page.screenshot({ path: path.join(shotDir, file.replace('.html', '.png')) });
  }

  if (file === 'index.html') {
    // Type the query key by key, as a reader would: mdBook searches on
    // keyup. Opening search loads its index, so wait for that first, and
    // retype if the index was still arriving.
    await page.click('#mdbook-search-toggle');
    await page.waitForLoadState('networkidle');
    let found = false;
    for (let attempt = 0; attempt < 3 && !found; attempt++) {
      await page.fill('#mdbook-searchbar', '');
      await page.locator('#mdbook-searchbar').pressSequentially('backpropagation');
      found = await page
        .waitForSelector('#mdbook-searchresults li', { timeout: 5000 })
        .then(() => true, () => false);
    }
    if (!found) fail(file, 'search for "backpropagation" finds nothing');
  }
  await page.close();
}

// The whole book as one PDF, from its print page.
const print = await context.newPage();
await print.goto(`${origin}/print.html`, { waitUntil: 'load' });
await print.pdf({ path: pdfFile, format: 'A4', printBackground: true,
  margin: { top: '15mm', bottom: '15mm', left: '12mm', right: '12mm' } });
await browser.close();
server.close();

// The PDF must hold every chapter of SUMMARY.md (its text, via poppler's
// pdftotext, with line breaks folded).
const summary = fs.readFileSync(path.join(root, '..', 'src', 'SUMMARY.md'), 'utf8');
const titles = [...summary.matchAll(/^- \[([^\]]+)\]\(ch\d\d-[^)]+\)/gm)].map((m) => m[1]);
const text = spawnSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8' });
if (text.status !== 0) {
  fail(pdfFile, `pdftotext failed: ${text.stderr || text.error}`);
} else {
  const flat = text.stdout.replace(/\s+/g, ' ');
  for (const title of titles) if (!flat.includes(title)) fail(pdfFile, `chapter missing: ${title}`);
  if (titles.length < 8) fail(pdfFile, `only ${titles.length} chapters in SUMMARY.md`);
}

console.log(`checked ${pages.length} pages; screenshots in ${shotDir}; PDF ${pdfFile} with ${titles.length} chapters`);
if (failures.length > 0) {
  console.error(failures.join('\n'));
  console.error(`${failures.length} problem(s)`);
  process.exit(1);
}
