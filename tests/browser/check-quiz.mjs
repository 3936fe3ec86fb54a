// Answers every chapter's "Check yourself" questions in headless Chromium,
// as a reader would, once wrongly and once rightly, and fails unless the
// page says so each time:
//   - every question in chapters/*/quiz.txt is on its chapter's page, with
//     its choices' words;
//   - a wrong choice, or a number just outside what is accepted, is "Not
//     this one", and offers the answer;
//   - the right choice, or the number as written (and, once per chapter,
//     typed with a comma and a minus sign, or just inside what is
//     accepted), is "Right", with its explanation;
//   - "Show the answer" shows the right one;
//   - the score counts every question answered right.
// The right answers are read here from the quiz files, not from the page.
//
//   node tests/browser/check-quiz.mjs BOOK_DIR SCREENSHOT_DIR

import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';
import fs from 'node:fs';
import path from 'node:path';

const [bookDir = 'book/book', shotDir = 'target/book-screenshots'] =
  process.argv.slice(2);
const failures = [];
const fail = (where, what) => failures.push(`${where}: ${what}`);

// What a reader sees of `code`: the words without their backticks.
const seen = (words) => words.replace(/`/g, '').replace(/\s+/g, ' ').trim();

// The answers, from the file: for each question its choices (right or
// not, the words of the choice's first line) or its number as written.
function answers(source) {
  const questions = [];
  let inCode = false;
  let choice = null; // the choice a continuation line extends
  for (const line of source.split('\n')) {
    if (line.trim().startsWith('```')) { inCode = !inCode; continue; }
    if (inCode) continue;
    const q = questions.at(-1);
    if (line.startsWith('? ') || line === '?') {
      questions.push({ choices: [], number: null });
      choice = null;
    } else if (q && (line.startsWith('+ ') || line.startsWith('- '))) {
      choice = { right: line[0] === '+', words: seen(line.slice(2)) };
      q.choices.push(choice);
    } else if (q && line.startsWith('= ')) {
      const written = line.slice(2).trim();
      const decimals = (written.split('.')[1] ?? '').length;
      q.number = { written, value: Number(written), within: 0.5 * 10 ** -decimals };
      choice = null;
    } else if (choice && line.trim() !== '' && !/^[>#]/.test(line)) {
      choice.words = seen(`${choice.words} ${line}`);
    } else {
      choice = null;
    }
  }
  return questions;
}

const chapters = fs.readdirSync('chapters')
  .filter((d) => fs.existsSync(path.join('chapters', d, 'quiz.txt'))).sort();
if (chapters.length === 0) fail('chapters', 'no quiz.txt found (run from the repository root)');

const { server, origin } = await serve(path.resolve(bookDir));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
});
const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
fs.mkdirSync(shotDir, { recursive: true });

let asked = 0;
for (const chapter of chapters) {
  const qs = answers(fs.readFileSync(path.join('chapters', chapter, 'quiz.txt'), 'utf8'));
  const page = await context.newPage();
  page.on('pageerror', (e) => fail(chapter, `script error: ${e.message}`));
  await page.goto(`${origin}/${chapter}.html`);
  const forms = page.locator('.quiz-questions .quiz-question');
  const shown = await forms.count();
  if (shown !== qs.length) {
    fail(chapter, `the page shows ${shown} questions, quiz.txt has ${qs.length}`);
    await page.close();
    continue;
  }
  let variantTried = false;
  for (const [n, q] of qs.entries()) {
    const where = `${chapter} question ${n + 1}`;
    const form = forms.nth(n);
    const verdict = () => form.getAttribute('data-verdict');
    const check = () => form.locator('.quiz-check').click();
    const pick = async (words) => {
      const labels = form.locator('.quiz-choice');
      for (let i = 0; i < await labels.count(); i++) {
        if (seen(await labels.nth(i).innerText()) === words) {
          await labels.nth(i).locator('input').check();
          return true;
        }
      }
      fail(where, `no choice reads "${words}"`);
      return false;
    };
    const answer = (typed) => form.locator('.quiz-number input').fill(typed);

    // Check with nothing picked or typed: asked to answer, not judged.
    await check();
    if (await verdict() !== 'empty') fail(where, 'an empty answer was judged');

    // Wrong first.
    if (q.number) {
      await answer(String(q.number.value + 2.5 * q.number.within));
    } else if (!await pick(q.choices.find((c) => !c.right).words)) {
      continue;
    }
    await check();
    if (await verdict() !== 'wrong') fail(where, 'a wrong answer was not called wrong');
    if (!await form.locator('.quiz-show').isVisible()) fail(where, 'no "Show the answer" after a wrong answer');

    // Then right.
    if (q.number) {
      let typed = q.number.written;
      if (!variantTried) {
        // A reader's own way of writing it: a comma and a minus sign, or
        // a number just inside what is accepted.
        typed = q.number.written.includes('.') || q.number.written.startsWith('-')
          ? q.number.written.replace('.', ',').replace('-', '\u2212')
          : String(q.number.value + 0.9 * q.number.within);
        variantTried = true;
      }
      await answer(typed);
    } else {
      await pick(q.choices.find((c) => c.right).words);
    }
    await check();
    if (await verdict() !== 'right') fail(where, 'the right answer was not called right');
    if (!(await form.locator('.quiz-feedback').innerText()).includes('Right')) fail(where, 'no "Right"');
    if ((await form.locator('.quiz-feedback p').count()) < 2) fail(where, 'no explanation after a right answer');
    asked++;
  }
  const score = await page.locator('.quiz-score').innerText();
  if (score !== `Answered right: ${qs.length} of ${qs.length}.`) fail(chapter, `the score reads "${score}"`);

  // "Show the answer", on a fresh page: the right one is shown.
  await page.reload();
  const first = page.locator('.quiz-questions .quiz-question').first();
  const q = qs[0];
  if (q.number) {
    await first.locator('.quiz-number input').fill(String(q.number.value + 2.5 * q.number.within));
  } else {
    const wrong = q.choices.find((c) => !c.right).words;
    const labels = first.locator('.quiz-choice');
    for (let i = 0; i < await labels.count(); i++) {
      if (seen(await labels.nth(i).innerText()) === wrong) await labels.nth(i).locator('input').check();
    }
  }
  await first.locator('.quiz-check').click();
  await first.locator('.quiz-show').click();
  const shownAnswer = seen(await first.locator('.quiz-shown').innerText());
  const expected = q.number ? q.number.written : q.choices.find((c) => c.right).words;
  if (!shownAnswer.includes(seen(expected))) fail(chapter, `"Show the answer" shows "${shownAnswer}"`);
  if (chapter === chapters[0]) {
    await first.scrollIntoViewIfNeeded();
    await page.locator('.quiz-questions').screenshot({ path: path.join(shotDir, `quiz-${chapter}.png`) });
  }
  await page.close();
}

await browser.close();
server.close();
if (failures.length) {
  console.error(failures.join('\n'));
  console.error(`${failures.length} failures`);
  process.exit(1);
}
console.log(`quizzes: ${asked} questions in ${chapters.length} chapters answered wrongly, then rightly`);
