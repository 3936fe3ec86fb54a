// Proves the book's draw-a-digit page computes what chapter 8's Rust code
// computes, through the page's real user interface, in headless Chromium:
//   - the forward pass: the first 1,000 MNIST test images give the same
//     predicted digits as the Rust model and probabilities within 1e-5;
//   - the preprocessing: digits drawn by replaying pointer strokes into
//     the pad (tests/browser/strokes.json), and PNGs opened through the
//     page's file input, give the same 28×28 input as `predict` on the
//     same pixels, within 1/255 per pixel;
//   - drawing works: the "1"s and "7"s, drawn with the mouse, are read as
//     1 and 7, and a "1" drawn with a finger (touch events) on a phone-sized
//     page is read as 1;
//   - the page works from a file:// URL too.
// It saves screenshots at desktop and phone widths, and with --figure,
// rewrites the book's static figure of the page.
//
//   node tests/browser/check-draw.mjs BOOK_DIR CH08_BINARY WORK_DIR SHOT_DIR [--figure]
//
// CH08_BINARY is a built `ch08-mnist`; it writes the test photos and gives
// Rust's answers (its hidden `web-reference` command). MNIST must be in
// data/mnist (the binary fetches it if not).

import { chromium } from 'playwright-core';
import { serve, openWidget } from './serve.mjs';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const figure = args.includes('--figure');
const [bookDir = 'book/book', binary = 'target/release/ch08-mnist',
  workDir = 'target/web-check', shotDir = 'target/book-screenshots'] =
  args.filter((a) => !a.startsWith('--'));
const root = path.resolve(bookDir);
const pngDir = path.join(workDir, 'png');
const model = path.join(root, 'draw', 'model.safetensors');
const failures = [];
const fail = (what) => { failures.push(what); console.error(`FAIL ${what}`); };

function rust(extra) {
  const run = spawnSync(binary, ['web-reference', '--model', model, '--images', pngDir, ...extra],
    { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`${binary} web-reference failed: ${run.stderr}`);
  return run.stdout;
}

fs.rmSync(pngDir, { recursive: true, force: true });
fs.mkdirSync(pngDir, { recursive: true });
fs.mkdirSync(shotDir, { recursive: true });
rust(['--write-photos']);
const photos = fs.readdirSync(pngDir).filter((f) => f.endsWith('.png')).sort();

const { server, origin } = await serve(root);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});

const open = (context, url) => openWidget(context, url, 'digit-pad', fail);

/** Draws strokes (in units of the pad's side) with the mouse. */
async function drawWithMouse(page, strokes) {
  await page.click('.dad-clear');
  const box = await page.locator('.dad-canvas').boundingBox();
  for (const stroke of strokes) {
    const point = ([x, y]) => [box.x + x * box.width, box.y + y * box.height];
    await page.mouse.move(...point(stroke[0]));
    await page.mouse.down();
    for (let k = 1; k < stroke.length; k++) await page.mouse.move(...point(stroke[k]), { steps: 4 });
    await page.mouse.up();
  }
  await page.evaluate(() => new Promise(requestAnimationFrame));
}

const shown = (page) => page.evaluate(() => {
  const last = window.drawADigit.last();
  return {
    prediction: document.getElementById('digit-pad').dataset.prediction,
    winner: document.querySelector('.dad-winner .dad-digit')?.textContent,
    mnist: last ? Array.from(last.result.mnist.data) : null,
    probabilities: last ? Array.from(last.probabilities) : null,
  };
});

// ---- Desktop: draw, open PNGs.
const desktop = await browser.newContext({ viewport: { width: 1200, height: 900 } });
const page = await open(desktop, `${origin}/draw-a-digit.html`);
const fromPage = {}; // file name → the page's 28×28 input and answer
const drawn = JSON.parse(fs.readFileSync(new URL('./strokes.json', import.meta.url))).digits;
let readRight = 0;
for (const [k, { label, strokes }] of drawn.entries()) {
  await drawWithMouse(page, strokes);
  const result = await shown(page);
  const name = `drawn-${String(k).padStart(2, '0')}-${label}.png`;
  const png = await page.$eval('.dad-canvas', (c) => c.toDataURL('image/png'));
  fs.writeFileSync(path.join(pngDir, name), Buffer.from(png.split(',')[1], 'base64'));
  fromPage[name] = result;
  if (result.winner !== result.prediction) fail(`${name}: the highlighted bar is ${result.winner}, the prediction ${result.prediction}`);
  if (String(label) === result.prediction) readRight += 1;
  if ((label === 1 || label === 7) && result.prediction !== String(label)) {
    fail(`a drawn ${label} (${name}) was read as ${result.prediction}`);
  }
  if (k === 14 && figure) {
    // The seven, with its most active neuron's weights, as the book's figure.
    await page.locator('#digit-pad').screenshot({ path: 'book/src/figures/draw-a-digit.png' });
  }
  if (k === 14) await page.screenshot({ path: path.join(shotDir, 'draw-a-digit.png'), fullPage: true });
}
console.log(`drew ${drawn.length} digits through the pointer events; the network read ${readRight} as drawn`);

// Undo and clear work through the buttons.
await drawWithMouse(page, drawn[8].strokes); // a 4: two strokes
const beforeUndo = await page.evaluate(() => window.drawADigit.strokes().length);
await page.click('.dad-undo');
const afterUndo = await page.evaluate(() => window.drawADigit.strokes().length);
if (beforeUndo !== 2 || afterUndo !== 1) fail(`undo: ${beforeUndo} strokes, then ${afterUndo}`);
await page.click('.dad-clear');
if ((await shown(page)).prediction !== '') fail('clear left a prediction');

// The keyboard: arrows move the pen, space lowers and lifts it.
await page.focus('.dad-canvas');
const keys = ['ArrowUp', 'ArrowUp', 'ArrowUp', 'ArrowUp', 'ArrowUp', 'ArrowUp', 'ArrowUp', 'ArrowUp', ' ',
  ...Array(16).fill('ArrowDown'), ' '];
for (const key of keys) await page.keyboard.press(key);
const typed = await shown(page);
console.log(`a stroke drawn with the arrow keys was read as ${typed.prediction}`);
if (typed.prediction !== '1') fail(`a vertical stroke drawn with the keyboard was read as ${typed.prediction}`);

// PNGs through the file input, as a reader opens a photo.
for (const name of photos) {
  const before = await page.$eval('#digit-pad', (e) => Number(e.dataset.opened ?? 0));
  await page.setInputFiles('.dad-open input', path.join(pngDir, name));
  await page.waitForFunction((n) => Number(document.getElementById('digit-pad').dataset.opened) > n, before);
  fromPage[name] = await shown(page);
}

// predict's size limits, applied from the header before anything is
// decoded: headers alone, no pixels behind them (without the check these
// read as "not an image this page can read").
const pngHeader = (width, height, colourType) => {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'ascii');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  b[24] = 8;
  b[25] = colourType;
  return b;
};
const jpegHeader = (width, height) => {
  const b = Buffer.alloc(32);
  Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08]).copy(b, 0);
  b.writeUInt16BE(height, 7);
  b.writeUInt16BE(width, 9);
  b[11] = 3;
  return b;
};
for (const [name, buffer, says] of [
  ['huge.png', pngHeader(40000, 40000, 6), 'huge.png: the image is 40000×40000 pixels; at most 12000 a side'],
  ['wide.png', pngHeader(11000, 11000, 6), 'wide.png: a 11000×11000 image of this kind takes about 2.9 GB'],
  ['tall.jpg', jpegHeader(100, 40000), 'tall.jpg: the image is 100×40000 pixels; at most 12000 a side'],
]) {
  const before = await page.$eval('#digit-pad', (e) => Number(e.dataset.opened ?? 0));
  await page.setInputFiles('.dad-open input', { name, mimeType: 'image/png', buffer });
  await page.waitForFunction((n) => Number(document.getElementById('digit-pad').dataset.opened) > n, before);
  const verdict = await page.$eval('.dad-verdict', (e) => e.textContent);
  if (!verdict.includes(says)) fail(`${name}: the page said "${verdict}", not "${says}"`);
}
console.log('oversized images: refused from their headers, in predict\'s words');

// ---- Rust's answers for the same pixels, and the comparison.
const reference = JSON.parse(rust(['--count', '1000']));
let worstPixel = 0;
for (const [name, ours] of Object.entries(fromPage)) {
  const theirs = reference.images[name];
  if (!theirs) { fail(`${name}: no Rust answer`); continue; }
  if (!ours.mnist) { fail(`${name}: the page found no digit`); continue; }
  const diff = Math.max(...ours.mnist.map((v, i) => Math.abs(v - theirs.mnist[i])));
  worstPixel = Math.max(worstPixel, diff);
  if (diff > 1 / 255) fail(`${name}: the page's 28×28 input differs from predict's by ${diff.toFixed(4)} (> 1/255)`);
  const best = theirs.probabilities.indexOf(Math.max(...theirs.probabilities));
  if (String(best) !== ours.prediction) fail(`${name}: the page says ${ours.prediction}, predict says ${best}`);
}
const images = Object.keys(fromPage).length;
console.log(`preprocessing: ${images} images (${drawn.length} drawn, ${photos.length} PNGs opened), ` +
  `largest pixel difference from predict ${worstPixel.toExponential(2)} (limit ${(1 / 255).toExponential(2)})`);
if (images < 20) fail(`only ${images} images compared`);

/** The page's probabilities for Rust's test images. */
const pageProbabilities = () => page.evaluate((tests) => tests.map(({ pixels }) => {
  const x = pixels.map((p) => Math.fround(p * Math.fround(1 / 255))); // as images_to_matrix
  const trace = window.drawADigit.forward(x);
  return Array.from(trace[trace.length - 1]);
}), reference.test);
/** How far the page's probabilities are from Rust's, and agreement. */
function compare(pages) {
  let [worst, agree, correct] = [0, 0, 0];
  pages.forEach((p, k) => {
    const q = reference.test[k].probabilities;
    worst = Math.max(worst, ...p.map((v, i) => Math.abs(v - q[i])));
    const [ours, theirs] = [p.indexOf(Math.max(...p)), q.indexOf(Math.max(...q))];
    if (ours === theirs) agree += 1;
    if (ours === reference.test[k].label) correct += 1;
  });
  return { worst, agree, correct };
}
const pages = await pageProbabilities();
const { worst: worstProbability, agree, correct } = compare(pages);
console.log(`forward pass: ${pages.length} MNIST test images, same digit as Rust for ${agree}, ` +
  `${correct} correct; largest probability difference ${worstProbability.toExponential(2)} (limit 1e-5)`);
if (pages.length !== 1000) fail(`${pages.length} test images, not 1000`);
if (agree !== pages.length) fail(`the page and Rust disagree on ${pages.length - agree} test images`);
if (!(worstProbability <= 1e-5)) fail(`probabilities differ by ${worstProbability}`);

// The checks bite: a page one weight in 200,000 wrong by 0.001, or an
// input one pixel off, is caught.
await page.evaluate(() => { window.drawADigit.model.layers[1].b[3] += 0.001; });
const nudged = compare(await pageProbabilities()).worst;
await page.evaluate(() => { window.drawADigit.model.layers[1].b[3] -= 0.001; });
if (!(nudged > 1e-5)) fail(`a bias changed by 0.001 was not caught (difference ${nudged})`);
const first = Object.keys(fromPage)[0];
const shifted = [0, ...fromPage[first].mnist.slice(0, -1)]; // one pixel right
const shiftDiff = Math.max(...shifted.map((v, i) => Math.abs(v - reference.images[first].mnist[i])));
if (!(shiftDiff > 1 / 255)) fail(`an input shifted by one pixel was not caught (${shiftDiff})`);
console.log(`the checks bite: a bias off by 0.001 moves a probability by ${nudged.toExponential(2)}; ` +
  `an input one pixel off differs by ${shiftDiff.toFixed(2)}`);
await desktop.close();

// ---- A phone: a "1" drawn with a finger.
const phone = await browser.newContext({
  viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
});
const mobile = await open(phone, `${origin}/draw-a-digit.html`);
await mobile.locator('.dad-canvas').scrollIntoViewIfNeeded();
const box = await mobile.locator('.dad-canvas').boundingBox();
const cdp = await phone.newCDPSession(mobile);
const touch = (type, y) => cdp.send('Input.dispatchTouchEvent', {
  type, touchPoints: type === 'touchEnd' ? [] : [{ x: box.x + box.width * 0.5, y: box.y + box.height * y }],
});
await touch('touchStart', 0.15);
for (let y = 0.2; y <= 0.85; y += 0.05) await touch('touchMove', y);
await touch('touchEnd', 0.85);
await mobile.evaluate(() => new Promise(requestAnimationFrame));
const finger = await shown(mobile);
console.log(`phone (390 px wide): a "1" drawn with a finger was read as ${finger.prediction}`);
if (finger.prediction !== '1') fail(`a "1" drawn with a finger was read as ${finger.prediction}`);
const overflow = await mobile.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
if (overflow > 0) fail(`the phone page scrolls sideways by ${overflow} px`);
await mobile.locator('.dad-canvas').scrollIntoViewIfNeeded();
await mobile.screenshot({ path: path.join(shotDir, 'draw-a-digit-phone.png') });
await mobile.evaluate(() => document.querySelector('.dad-outputs').scrollIntoView());
await mobile.screenshot({ path: path.join(shotDir, 'draw-a-digit-phone-results.png') });
await phone.close();

// ---- From a file:// URL, as a reader opens the built book.
const offline = await browser.newContext();
await offline.route('http*://**', (route) => { fail(`request from file:// page: ${route.request().url()}`); return route.abort(); });
const local = await open(offline, `file://${path.join(root, 'draw-a-digit.html')}`);
await drawWithMouse(local, drawn[14].strokes);
const fromFile = await shown(local);
if (fromFile.prediction !== '7') fail(`from file://, a drawn 7 was read as ${fromFile.prediction}`);
console.log('from a file:// URL: the page starts and reads a drawn 7');
await browser.close();
server.close();

if (failures.length > 0) {
  console.error(`${failures.length} problem(s)`);
  process.exit(1);
}
console.log('the draw-a-digit page computes what chapter 8 computes');
