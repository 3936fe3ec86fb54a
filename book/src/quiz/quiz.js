// "Check yourself": the questions at the end of each chapter.
//
// The questions live beside the chapter's code, in
// chapters/chNN-name/quiz.txt, and reach the page inside a
//   <script type="text/plain" class="quiz"> … </script>
// block, which the browser does not run or show. This script reads each
// block, builds a form after it, and checks the reader's answers here, in
// the page: nothing is sent anywhere, and it works offline.
//
// The format, line by line (tests/quiz/mod.rs reads it the same way and
// checks every chapter's file):
//   ? text     starts a question
//   + text     a right choice (exactly one per multiple-choice question)
//   - text     a wrong choice
//   = 0.27     the answer is a number; the reader's number is accepted
//              within half a unit of the last decimal written (0.265 to
//              0.275 here)
//   > text     the explanation shown once the question is answered (a
//              bare `>` line starts a new paragraph of it)
//   # text     a comment for whoever edits the file
//   ```        starts or ends a block of code inside the question
// Any other line continues the line above it; a blank line inside a
// question's text starts a new paragraph. `code` is set in code type.
(() => {
  'use strict';

  function parse(source) {
    const questions = [];
    let question = null;
    let last = null; // the part that a continuation line extends
    let code = null; // lines of a code block being read
    for (const line of source.split('\n')) {
      if (code !== null) {
        if (line.trim().startsWith('```')) {
          question.text.push({ code: code.join('\n') });
          code = null;
          last = { words: '' };
          question.text.push(last);
        } else {
          code.push(line);
        }
        continue;
      }
      const mark = line.slice(0, 2);
      if (mark === '? ' || line === '?') {
        question = { text: [{ words: line.slice(2).trim() }], choices: [],
          number: null, why: [] };
        questions.push(question);
        last = question.text[0];
      } else if (line.startsWith('#') || question === null) {
        continue;
      } else if (line.trim().startsWith('```')) {
        code = [];
        last = null;
      } else if (mark === '+ ' || mark === '- ') {
        last = { words: line.slice(2).trim(), right: mark === '+ ' };
        question.choices.push(last);
      } else if (mark === '= ') {
        const written = line.slice(2).trim();
        question.number = { value: Number(written), within: within(written),
          written };
        last = null;
      } else if (mark === '> ' || line === '>') {
        // Lines of `> ` run on as one paragraph; a bare `>` starts another.
        const words = line.slice(2).trim();
        if (line !== '>' && last && last === question.why.at(-1)) {
          last.words += (last.words ? ' ' : '') + words;
        } else {
          last = { words };
          question.why.push(last);
        }
      } else if (line.trim() === '') {
        const inText = question.choices.length === 0
          && question.number === null && question.why.length === 0;
        if (!inText) {
          last = null;
        } else if (last && last.words !== '') {
          last = { words: '' };
          question.text.push(last);
        }
      } else if (last) {
        last.words += (last.words ? ' ' : '') + line.trim();
      }
    }
    return questions;
  }

  // Half a unit of the last decimal written: "0.27" → 0.005, "3" → 0.5.
  function within(written) {
    const decimals = (written.split('.')[1] ?? '').length;
    return 0.5 * 10 ** -decimals;
  }

  // What the reader typed, as a number: a comma or a minus sign (−) is
  // read as the point and the hyphen a keyboard gives.
  function readNumber(typed) {
    const s = typed.trim().replace(/\u2212/g, '-').replace(',', '.');
    return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(s) ? Number(s) : NaN;
  }

  function escape(text) {
    return text.replace(/[&<>"]/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
  }

  // Words with `code` in code type.
  function inline(words) {
    return escape(words).replace(/`([^`]+)`/g, '<code>$1</code>');
  }

  function element(tag, className, html) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (html !== undefined) e.innerHTML = html;
    return e;
  }

  let quizzes = 0;

  function build(block) {
    const questions = parse(block.textContent);
    const id = `quiz-${++quizzes}`;
    const quiz = element('div', 'quiz-questions');
    quiz.id = id;
    const score = element('p', 'quiz-score');
    score.setAttribute('aria-live', 'polite');
    quiz.append(score);
    const right = new Set();
    const tell = () => {
      score.textContent =
        `Answered right: ${right.size} of ${questions.length}.`;
    };
    tell();

    questions.forEach((q, n) => {
      const name = `${id}-q${n + 1}`;
      const form = element('form', 'quiz-question');
      form.setAttribute('aria-labelledby', `${name}-legend`);
      form.noValidate = true;
      const set = element('fieldset');
      const legend = element('legend', 'quiz-legend', `Question ${n + 1}`);
      legend.id = `${name}-legend`;
      set.append(legend);
      for (const part of q.text) {
        if (part.code !== undefined) {
          const pre = element('pre');
          const code = element('code', 'language-rust', escape(part.code));
          pre.append(code);
          set.append(pre);
          // Coloured like the page's own listings, where mdBook's
          // highlighter is loaded.
          if (window.hljs?.highlightBlock) window.hljs.highlightBlock(code);
        } else if (part.words) {
          set.append(element('p', 'quiz-text', inline(part.words)));
        }
      }
      let answer;
      if (q.number) {
        const label = element('label', 'quiz-number');
        label.append('Your answer: ');
        answer = element('input');
        answer.type = 'text';
        answer.inputMode = 'decimal';
        answer.autocomplete = 'off';
        answer.name = name;
        answer.size = 12;
        label.append(answer);
        set.append(label);
      } else {
        const list = element('div', 'quiz-choices');
        q.choices.forEach((choice, c) => {
          const label = element('label', 'quiz-choice');
          const radio = element('input');
          radio.type = 'radio';
          radio.name = name;
          radio.value = String(c);
          label.append(radio, element('span', '', inline(choice.words)));
          list.append(label);
        });
        set.append(list);
      }
      const buttons = element('div', 'quiz-buttons');
      const check = element('button', 'quiz-check', 'Check');
      check.type = 'submit';
      const show = element('button', 'quiz-show', 'Show the answer');
      show.type = 'button';
      show.hidden = true;
      buttons.append(check, show);
      set.append(buttons);
      const feedback = element('div', 'quiz-feedback');
      feedback.setAttribute('role', 'status');
      feedback.setAttribute('aria-live', 'polite');
      set.append(feedback);
      form.append(set);

      const why = q.why.map((p) => p.words).filter((w) => w)
        .map((w) => `<p>${inline(w)}</p>`).join('');
      const rightAnswer = q.number
        ? escape(q.number.written)
        : inline(q.choices.find((c) => c.right)?.words ?? '');

      form.addEventListener('submit', (event) => {
        event.preventDefault();
        let verdict;
        if (q.number) {
          const typed = readNumber(answer.value);
          if (Number.isNaN(typed)) {
            verdict = 'empty';
          } else {
            const off = Math.abs(typed - q.number.value);
            verdict = off <= q.number.within * (1 + 1e-9) ? 'right' : 'wrong';
          }
        } else {
          const picked = form.querySelector(`input[name="${name}"]:checked`);
          verdict = !picked ? 'empty'
            : q.choices[Number(picked.value)].right ? 'right' : 'wrong';
        }
        form.dataset.verdict = verdict;
        if (verdict === 'empty') {
          feedback.innerHTML = q.number
            ? '<p>Type a number, such as 0.25, then Check.</p>'
            : '<p>Pick one of the answers, then Check.</p>';
        } else if (verdict === 'right') {
          right.add(n);
          show.hidden = true;
          feedback.innerHTML = `<p class="quiz-right">✓ Right.</p>${why}`;
        } else {
          show.hidden = false;
          feedback.innerHTML =
            '<p class="quiz-wrong">✗ Not this one. Try again, or show '
            + 'the answer.</p>';
        }
        tell();
      });
      show.addEventListener('click', () => {
        form.dataset.verdict = 'shown';
        feedback.innerHTML =
          `<p class="quiz-shown">The answer: ${rightAnswer}</p>${why}`;
        show.hidden = true;
      });
      quiz.append(form);
    });
    block.after(quiz);
  }

  const start = () => document.querySelectorAll('script.quiz').forEach(build);
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
