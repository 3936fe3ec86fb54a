// Proves the book's write-with-the-model page computes what chapter 13's
// Rust code computes, in headless Chromium, for every model the book
// carries:
//   - the logits: for a set of prompts, the page's full forward pass gives
//     the same tokens and the same logits after every token as the Rust
//     model on the same file (f64 on both sides: within 1e-9; against the
//     f32 pass `sample` uses, within 1e-4);
//   - the key-value cache: one token at a time, the same logits as the
//     full pass (within 1e-9);
//   - the draws: the page's ChaCha8 gives Rust's numbers exactly, and the
//     same seed, prompt, temperature and top-k give the same text as
//     `sample`, written through the page's buttons and run with the
//     command line the page shows;
//   - characters outside a model's vocabulary are named, as `sample`
//     names them;
//   - the keyboard (Ctrl+Enter, Tab, arrows, Escape) and touch work; a
//     phone-sized page does not scroll sideways; the page works from
//     file://;
//   - the checks bite: a weight off by 0.001, a mask that lets a token see
//     the next one, and another seed are each caught.
// It saves screenshots at desktop and phone widths, and with --figure,
// rewrites the book's static figure of the page.
//
//   node tests/browser/check-write.mjs BOOK_DIR CH13_BINARY SHOT_DIR [--figure]

import { chromium } from 'playwright-core';
import { serve, openWidget } from './serve.mjs';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const figure = args.includes('--figure');
const [bookDir = 'book/book', binary = 'target/release/ch13-transformer',
  shotDir = 'target/book-screenshots'] = args.filter((a) => !a.startsWith('--'));
const root = path.resolve(bookDir);
const failures = [];
const fail = (what) => { failures.push(what); console.error(`FAIL ${what}`); };
const modelFile = (name) => path.join(root, 'write', `${name}.safetensors`);
const LOGIT_LIMIT = 1e-9;
const F32_LIMIT = 1e-4;

function rust(command, rest) {
  const run = spawnSync(binary, [command, ...rest], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`${binary} ${command} failed: ${run.stderr}`);
  return run.stdout;
}

// The prompts whose logits are compared: short, long, across a name's
// boundary, and longer than the context (the last `block` tokens are read).
const PROMPTS = {
  names: ['e', 'emma', '.olivia.jo', '.abcdefghijklmnopqrstuvwxyz-'],
  shakespeare: ['ROMEO:', 'First Citizen:\nBefore we proceed any further, hear me speak.\n',
    'KING RICHARD III:\nNow is the winter of our discontent\nMade glorious summer by this sun of York;\n'],
};

fs.mkdirSync(shotDir, { recursive: true });
const manifest = fs.readFileSync(path.join(root, 'write', 'models.js'), 'utf8');
const names = [...manifest.matchAll(/name: "([^"]+)"/g)].map((m) => m[1]);
if (names.length < 3) fail(`the book carries ${names.length} models, not the chapter's three`);

const { server, origin } = await serve(root);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});

const open = (context, url) => openWidget(context, url, 'write-pad', fail);

/** Picks a model through the page's menu. */
async function pick(page, name) {
  await page.selectOption('.wwm-model', name);
  await page.waitForFunction((n) => window.writeWithTheModel.models[n] &&
    window.writeWithTheModel.model() === window.writeWithTheModel.models[n], name);
}

/** The page's logits for each prompt: the full pass, and one token at a
 *  time through the key-value cache. */
const pageLogits = (page, name, prompts) => page.evaluate(([n, texts]) => {
  const { gpt: G, models } = window.writeWithTheModel;
  const m = models[n];
  return texts.map((text) => {
    const tokens = G.encode(m, text).tokens.slice(-m.block);
    const pass = G.forward(m, tokens);
    const full = pass.logits.map((z) => Array.from(z));
    const attention = pass.attention.map((heads) => heads.map((rows) => rows.map((r) => Array.from(r))));
    const cache = G.kvCache(m);
    const cached = tokens.map((t) => Array.from(G.decode(m, cache, t).logits));
    return { tokens, full, cached, attention };
  });
}, [name, prompts]);

const largest = (a, b) => Math.max(0, ...a.flatMap((z, i) => z.map((v, j) => Math.abs(v - b[i][j]))));

// ---- Desktop: the logits of every model.
const desktop = await browser.newContext({ viewport: { width: 1200, height: 900 } });
const page = await open(desktop, `${origin}/write-with-the-model.html`);
const references = {};
for (const name of names) {
  await pick(page, name);
  const corpus = await page.evaluate(() => window.writeWithTheModel.model().corpus);
  const prompts = PROMPTS[corpus];
  const reference = JSON.parse(rust('web-reference', ['--model', modelFile(name),
    ...prompts.flatMap((p) => ['--prompt', p])]));
  references[name] = reference;
  const ours = await pageLogits(page, name, prompts);
  let [worst, worst32, worstCache, worstAttention, positions] = [0, 0, 0, 0, 0];
  ours.forEach((o, k) => {
    const theirs = reference.prompts[k];
    if (o.tokens.join() !== theirs.tokens.join()) fail(`${name}, ${JSON.stringify(prompts[k])}: tokens ${o.tokens} on the page, ${theirs.tokens} in Rust`);
    if (o.full.length !== theirs.logits.length) { fail(`${name}: ${o.full.length} positions, Rust ${theirs.logits.length}`); return; }
    positions += o.full.length;
    worst = Math.max(worst, largest(o.full, theirs.logits));
    worst32 = Math.max(worst32, largest(o.full, theirs.logits_f32));
    worstCache = Math.max(worstCache, largest(o.cached, o.full), largest(o.cached, theirs.logits));
    o.attention.forEach((heads, l) => heads.forEach((rows, h) => {
      worstAttention = Math.max(worstAttention, largest(rows, theirs.attention[l][h]));
    }));
  });
  console.log(`${name}: ${prompts.length} prompts, ${positions} positions; largest logit difference from Rust ` +
    `${worst.toExponential(2)} (f64, limit ${LOGIT_LIMIT}), ${worst32.toExponential(2)} from Rust's f32 ` +
    `(limit ${F32_LIMIT}); the key-value cache against the full pass and Rust ${worstCache.toExponential(2)}; ` +
    `attention weights ${worstAttention.toExponential(2)}`);
  if (!(worstAttention <= LOGIT_LIMIT)) fail(`${name}: attention weights differ from Rust's by ${worstAttention}`);
  if (!(worst <= LOGIT_LIMIT)) fail(`${name}: logits differ from Rust's by ${worst}`);
  if (!(worst32 <= F32_LIMIT)) fail(`${name}: logits differ from Rust's f32 pass by ${worst32}`);
  if (!(worstCache <= LOGIT_LIMIT)) fail(`${name}: the cached logits differ by ${worstCache}`);
}

// The checks bite: one weight off by 0.001, and a mask that lets each
// token see the one after it.
{
  const name = names.find((n) => n === 'ch13-shakespeare') ?? names[0];
  await pick(page, name);
  const prompts = references[name].prompts.map((p) => p.text);
  const worstNow = async () => {
    const ours = await pageLogits(page, name, prompts);
    return Math.max(...ours.map((o, k) => largest(o.full, references[name].prompts[k].logits)));
  };
  await page.evaluate((n) => { window.writeWithTheModel.models[n].blocks[1].wQkv[700] += 0.001; }, name);
  const nudged = await worstNow();
  await page.evaluate((n) => { window.writeWithTheModel.models[n].blocks[1].wQkv[700] -= 0.001; }, name);
  await page.evaluate(() => { window.nnfsGpt.visible = (i, j) => j <= i + 1; });
  const peeking = await worstNow();
  await page.evaluate(() => { window.nnfsGpt.visible = (i, j) => j <= i; });
  const restored = await worstNow();
  console.log(`the checks bite: a weight off by 0.001 moves a logit by ${nudged.toExponential(2)}; ` +
    `a mask that shows the next token, by ${peeking.toExponential(2)}`);
  if (!(nudged > LOGIT_LIMIT)) fail(`a weight off by 0.001 was not caught (${nudged})`);
  if (!(peeking > LOGIT_LIMIT)) fail(`a wrong mask was not caught (${peeking})`);
  if (!(restored <= LOGIT_LIMIT)) fail(`the restored model differs by ${restored}`);
}

// ---- The draws: ChaCha8, then whole texts against `sample`.
for (const seed of ['7', '18446744073709551615']) {
  const reference = JSON.parse(rust('web-reference', ['--model', modelFile(names[0]), '--seed', seed, '--draws', '300']));
  const ours = await page.evaluate(([s, n]) => {
    const G = window.nnfsGpt;
    const rng = G.seeded(BigInt(s));
    return Array.from({ length: n }, () => G.uniform(rng));
  }, [seed, reference.random.length]);
  const same = ours.every((v, i) => v === reference.random[i]);
  if (!same) fail(`seed ${seed}: the page's draws are not Rust's (first ${ours[0]} vs ${reference.random[0]})`);
}
console.log('the generator: 300 draws for seeds 7 and 2^64 − 1, each equal to Rust\'s');

/** Sets the page's controls, presses a button, waits for the text. */
async function writeWith(p, { name, prompt, seed, temperature, topK, length, button }) {
  await pick(p, name);
  await p.fill('.wwm-prompt', prompt);
  await p.fill('.wwm-seed', String(seed));
  await p.$eval('.wwm-temperature', (e, v) => { e.value = v; e.dispatchEvent(new Event('input')); }, String(temperature));
  await p.fill('.wwm-topk', topK ? String(topK) : '');
  if (length) await p.fill('.wwm-length', String(length));
  const before = await p.$eval('#write-pad', (e) => Number(e.dataset.written ?? 0));
  await p.click(button);
  await p.waitForFunction((n) => Number(document.getElementById('write-pad').dataset.written) > n, before, { timeout: 120000 });
  return {
    texts: await p.evaluate(() => window.writeWithTheModel.texts()),
    command: await p.$eval('.wwm-command', (e) => e.textContent),
    // What the reader sees: each line's written tokens (not the start
    // symbol, nor a name's tail after its boundary), arrows undone.
    rendered: await p.evaluate(() => [...document.querySelectorAll('.wwm-line')].map((line) =>
      [...line.querySelectorAll('.wwm-token:not(.wwm-start):not(.wwm-after)')]
        .map((t) => t.textContent).join('').replace(/↵\n/g, '\n').replace(/↵/g, '\n'))),
  };
}

/** `sample` run by the shell with the command line the page shows (its
 *  model the book's copy): the same text, or a failure. */
function sameAsSample(what, shown, seedInstead) {
  const lead = 'cargo run --release -p ch13-transformer -- sample ';
  if (!shown.command.startsWith(lead)) {
    fail(`${what}: the page shows "${shown.command}"`);
    return false;
  }
  let rest = shown.command.slice(lead.length)
    .replace(/--model data\/models\/([^ ]+)\.safetensors/, (_, name) => `--model '${modelFile(name)}'`);
  if (seedInstead !== undefined) rest = rest.replace(/--seed \d+/, `--seed ${seedInstead}`);
  const run = spawnSync('bash', ['-c', `'${path.resolve(binary)}' sample ${rest}`], { encoding: 'utf8' });
  if (run.status !== 0) {
    fail(`${what}: the shown command failed: ${run.stderr.trim()}`);
    return false;
  }
  return run.stdout === `${shown.texts.join('\n')}\n`;
}

const CASES = [
  { name: 'ch13-names', prompt: '', seed: 1, temperature: 0.8, button: '.wwm-more' },
  { name: 'ch13-names', prompt: 'em', seed: 5, temperature: 1, topK: 5, button: '.wwm-write' },
  { name: 'ch13-names-bpe', prompt: '', seed: 3, temperature: 0.9, button: '.wwm-more' },
  { name: 'ch13-names-bpe', prompt: 'ma', seed: 11, temperature: 1.3, topK: 20, button: '.wwm-more' },
  { name: 'ch13-shakespeare', prompt: 'ROMEO:', seed: 1, temperature: 0.8, topK: 10, length: 300, button: '.wwm-write' },
  { name: 'ch13-shakespeare', prompt: '', seed: '18446744073709551615', temperature: 1.2, length: 200, button: '.wwm-write' },
  { name: 'ch13-shakespeare', prompt: "-- 'Tis so, my lord", seed: 3, temperature: 0.7, length: 120, button: '.wwm-write' },
  { name: 'ch13-names', prompt: '-', seed: 8, temperature: 0.8, button: '.wwm-more' },
].filter((c) => names.includes(c.name));
let firstShown = null;
for (const c of CASES) {
  const shown = await writeWith(page, c);
  firstShown ??= shown;
  const what = `${c.name}, seed ${c.seed}, "${c.prompt}"`;
  if (!sameAsSample(what, shown)) fail(`${what}: the page wrote ${JSON.stringify(shown.texts)}, not what sample writes`);
  const cut = shown.rendered.map((r, k) => (c.name.includes('names') ? r.split('.')[0] : r));
  if (cut.join('\n') !== shown.texts.map((t) => t.slice(c.prompt.length)).join('\n') &&
      cut.join('\n') !== shown.texts.join('\n')) {
    fail(`${what}: the page shows ${JSON.stringify(cut)}, not its text ${JSON.stringify(shown.texts)}`);
  }
  const written = shown.texts.join('').length - shown.texts.length * c.prompt.length;
  if (written < 3 * shown.texts.length) fail(`${what}: only ${JSON.stringify(shown.texts)} written`);
}
console.log(`sampling: ${CASES.length} settings (seeds, prompts, temperatures, top-k; names, byte-pair names, ` +
  `Shakespeare; prompts starting with "-" and holding a quote) written through the page's buttons, each shown ` +
  `as the same text as \`sample\` run by the shell with the command the page shows`);
if (CASES.length < 8) fail(`${CASES.length} sampling cases, not 8`);
if (sameAsSample('another seed', firstShown, 2)) fail('a page text equals sample\'s with another seed');
else console.log('the sampling check bites: sample with seed 2 does not give the page\'s seed-1 names');

// Characters outside the vocabulary are named, as `sample` names them.
await pick(page, 'ch13-names');
await page.fill('.wwm-prompt', 'Emma!');
const refused = await page.$eval('.wwm-message', (e) => e.textContent);
const writeDisabled = await page.$eval('.wwm-write', (e) => e.disabled);
const said = spawnSync(binary, ['sample', '--model', modelFile('ch13-names'), '--prompt', 'Emma!'], { encoding: 'utf8' }).stderr;
const rustNames = said.match(/'E' \(character 1\)/)?.[0];
if (!rustNames || !refused.includes(rustNames) || !refused.includes("'!' (character 5)") || !writeDisabled) {
  fail(`a prompt outside the vocabulary: the page said "${refused}" (Write ${writeDisabled ? 'off' : 'on'}); sample said "${said.trim()}"`);
} else console.log(`outside the vocabulary: the page says "${refused.slice(0, 90)}…", and Write is off`);

// A seed `sample` would refuse is refused, and the message goes when fixed.
await page.fill('.wwm-prompt', '');
await page.fill('.wwm-seed', '18446744073709551616');
const badSeed = await page.$eval('.wwm-message', (e) => e.textContent);
const seedBlocked = await page.$eval('.wwm-write', (e) => e.disabled);
await page.fill('.wwm-seed', '1');
const seedCleared = await page.$eval('.wwm-message', (e) => e.textContent);
if (!badSeed.includes("The seed is '18446744073709551616'") || !seedBlocked || seedCleared !== '') {
  fail(`a seed of 2^64: the page said "${badSeed}" (Write ${seedBlocked ? 'off' : 'on'}), then "${seedCleared}"`);
} else console.log(`a seed of 2^64: "${badSeed}"`);

// ---- The keyboard.
await page.fill('.wwm-prompt', 'ann');
await page.focus('.wwm-prompt');
let before = await page.$eval('#write-pad', (e) => Number(e.dataset.written ?? 0));
await page.keyboard.press('Control+Enter');
await page.waitForFunction((n) => Number(document.getElementById('write-pad').dataset.written) > n, before);
const typed = await page.evaluate(() => window.writeWithTheModel.texts());
if (!(typed.length === 1 && typed[0].startsWith('ann'))) fail(`Ctrl+Enter in the prompt wrote ${JSON.stringify(typed)}`);
// Tab from the prompt reaches the controls, then Write; Enter presses it.
await page.focus('.wwm-prompt');
let tabs = 0;
while (tabs < 12 && !(await page.evaluate(() => document.activeElement?.classList.contains('wwm-write')))) {
  await page.keyboard.press('Tab');
  tabs += 1;
}
if (!(await page.evaluate(() => document.activeElement?.classList.contains('wwm-write')))) {
  fail(`Tab from the prompt did not reach Write in ${tabs} presses`);
}
before = await page.$eval('#write-pad', (e) => Number(e.dataset.written ?? 0));
await page.keyboard.press('Enter');
await page.waitForFunction((n) => Number(document.getElementById('write-pad').dataset.written) > n, before);
// Arrow keys choose a token in the text; the tokens before it are shaded
// by the attention of the step that wrote it, which must be Rust's.
await page.selectOption('.wwm-layer', { value: '0' });
await page.selectOption('.wwm-head', { value: '1' });
await page.focus('.wwm-output');
await page.keyboard.press('End');
await page.keyboard.press('ArrowLeft');
const chosen = await page.evaluate(() => {
  const line = window.writeWithTheModel.lines()[0];
  const span = document.querySelector('.wwm-selected');
  const spans = [...document.querySelectorAll('.wwm-line:first-child .wwm-token')];
  const { gpt: G, model } = window.writeWithTheModel;
  const index = Number(span?.dataset.index);
  return {
    index,
    last: line.tokens.length - 1,
    before: line.tokens.slice(0, index).map((t) => G.spell(model(), t.token)).join(''),
    shading: spans.map((e) => e.style.getPropertyValue('--w')),
  };
});
const reference = JSON.parse(rust('web-reference', ['--model', modelFile('ch13-names'), '--prompt', chosen.before]));
const rustRow = reference.prompts[0].attention[0][1][chosen.index - 1];
const shadeGap = Math.max(...rustRow.map((w, j) => Math.abs(w - Number(chosen.shading[j]))));
const unshaded = chosen.shading.slice(chosen.index).every((w) => w === '');
if (chosen.index !== chosen.last - 1 || !(shadeGap <= 5e-4) || !unshaded) {
  fail(`arrow keys: token ${chosen.index} of ${chosen.last} chosen; shading ${JSON.stringify(chosen.shading)} ` +
    `against Rust's ${JSON.stringify(rustRow)}`);
}
// Escape stops a long text.
await pick(page, 'ch13-shakespeare');
await page.fill('.wwm-prompt', '');
await page.fill('.wwm-length', '5000');
before = await page.$eval('#write-pad', (e) => Number(e.dataset.written ?? 0));
await page.click('.wwm-write');
await page.waitForTimeout(300);
await page.keyboard.press('Escape');
await page.waitForFunction((n) => Number(document.getElementById('write-pad').dataset.written) > n, before);
const stopped = await page.$eval('.wwm-message', (e) => e.textContent);
if (!stopped.startsWith('Stopped after')) fail(`Escape during writing: "${stopped}"`);
console.log(`the keyboard: Ctrl+Enter wrote "${typed[0]}", Tab reached Write in ${tabs} presses and Enter pressed it, ` +
  `End and ← chose token ${chosen.index + 1}, its ${rustRow.length} earlier tokens shaded as Rust's ` +
  `layer 1, head 2 weights them (to ${shadeGap.toExponential(1)}), Escape: "${stopped}"`);

// The screenshot, and with --figure the book's figure: Shakespeare, a
// token chosen, its attention and draw.
await page.fill('.wwm-length', '400');
await writeWith(page, { name: 'ch13-shakespeare', prompt: 'ROMEO:', seed: 1, temperature: 0.8, button: '.wwm-write' });
await page.selectOption('.wwm-layer', { value: '0' });
await page.focus('.wwm-output');
await page.keyboard.press('Home');
for (let k = 0; k < 120; k++) await page.keyboard.press('ArrowRight');
await page.screenshot({ path: path.join(shotDir, 'write-with-the-model.png'), fullPage: true });
if (figure) {
  // The book's sticky menu bar would cover the top of the widget.
  await page.addStyleTag({ content: '#mdbook-menu-bar, #menu-bar { display: none !important; }' });
  await page.locator('#write-pad').screenshot({ path: 'book/src/figures/write-with-the-model.png' });
}
await desktop.close();

// ---- A phone: touch.
const phone = await browser.newContext({
  viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
});
const mobile = await open(phone, `${origin}/write-with-the-model.html`);
await mobile.locator('.wwm-more').scrollIntoViewIfNeeded();
before = await mobile.$eval('#write-pad', (e) => Number(e.dataset.written ?? 0));
await mobile.tap('.wwm-more');
await mobile.waitForFunction((n) => Number(document.getElementById('write-pad').dataset.written) > n, before);
const tapped = await mobile.evaluate(() => window.writeWithTheModel.texts());
await mobile.locator('.wwm-line:nth-child(2) .wwm-token:nth-child(3)').scrollIntoViewIfNeeded();
await mobile.tap('.wwm-line:nth-child(2) .wwm-token:nth-child(3)');
const touched = await mobile.evaluate(() => ({
  ...document.querySelector('.wwm-selected')?.dataset,
  shaded: [...document.querySelectorAll('.wwm-line:nth-child(2) .wwm-token')]
    .filter((e) => e.style.getPropertyValue('--w')).length,
}));
if (tapped.length !== 10) fail(`a tap on "Make more names" wrote ${tapped.length} names`);
if (!(touched.line === '1' && touched.index === '2' && touched.shaded === 2)) {
  fail(`a tapped token was not chosen, or not shown with its attention (${JSON.stringify(touched)})`);
}
const overflow = await mobile.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
if (overflow > 0) fail(`the phone page scrolls sideways by ${overflow} px`);
console.log(`phone (390 px wide): a tap wrote ${tapped.length} names (${tapped.slice(0, 3).join(', ')}, …), ` +
  `a tapped third token showed the attention that wrote it over the two before; no sideways scrolling`);
await mobile.locator('#write-pad').scrollIntoViewIfNeeded();
await mobile.screenshot({ path: path.join(shotDir, 'write-with-the-model-phone.png') });
await mobile.locator('.wwm-inside').scrollIntoViewIfNeeded();
await mobile.screenshot({ path: path.join(shotDir, 'write-with-the-model-phone-inside.png') });
await phone.close();

// ---- From a file:// URL, as a reader opens the built book.
const offline = await browser.newContext();
await offline.route('http*://**', (route) => { fail(`request from file:// page: ${route.request().url()}`); return route.abort(); });
const local = await open(offline, `file://${path.join(root, 'write-with-the-model.html')}`);
const fromFile = await writeWith(local, { name: 'ch13-shakespeare', prompt: 'JULIET:', seed: 9, temperature: 0.8, length: 100, button: '.wwm-write' });
if (!sameAsSample('from file://', fromFile)) fail(`from file://, the page wrote ${JSON.stringify(fromFile.texts)}, not what sample writes`);
else console.log('from a file:// URL: the page loads the Shakespeare model and writes what sample writes');
await browser.close();
server.close();

if (failures.length > 0) {
  console.error(`${failures.length} problem(s)`);
  process.exit(1);
}
console.log('the write-with-the-model page computes what chapter 13 computes');
