#!/usr/bin/env bash
# Builds the book, opens every page in headless Chromium and checks that it
# reads fully offline (see tests/browser/check-book.mjs), saves a screenshot
# of each chapter page in target/book-screenshots/, and prints the whole
# book to target/book.pdf, checking that the PDF has every chapter.
#
# Needs Node.js with npm, Debian's chromium and poppler-utils (pdftotext):
#   apt-get install chromium poppler-utils
set -euo pipefail
cd "$(dirname "$0")/.."

bash book/build.sh
if [ ! -d tests/browser/node_modules/playwright-core ]; then
    (cd tests/browser && npm install --no-package-lock --no-audit --no-fund --silent)
fi
mkdir -p target
node tests/browser/check-book.mjs book/book target/book-screenshots target/book.pdf
