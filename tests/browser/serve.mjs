// A static file server for the built book on a free loopback port, shared
// by the browser checks (it returns the server and its origin), and a way
// to open a page whose widget must start.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const types = { '.html': 'text/html', '.css': 'text/css', '.js': 'text/javascript',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.woff': 'font/woff',
  '.ttf': 'font/ttf', '.json': 'application/json' };

export async function serve(root) {
  const server = http.createServer((req, res) => {
    const file = path.join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

/** Opens `url` in a new page of `context` and waits until the widget
 * `#id` says it started (its `data-ready` is "true"; anything else is the
 * reason it did not). Console and script errors go to `fail`. */
export async function openWidget(context, url, id, fail) {
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') fail(`console error: ${m.text()} ${m.location()?.url ?? ''}`); });
  page.on('pageerror', (e) => fail(`script error: ${e.message}`));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction((i) => document.getElementById(i)?.dataset.ready, id);
  const ready = await page.$eval(`#${id}`, (e) => e.dataset.ready);
  if (ready !== 'true') throw new Error(`the page did not start at ${url}: ${ready}`);
  return page;
}
