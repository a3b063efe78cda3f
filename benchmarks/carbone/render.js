// Carbone (the npm `carbone` package, with LibreOffice) rendering one template with one data set, timed:
// run by benchmarks/peers.py (`make bench`), never by the tests.
//
//   node render.js TEMPLATE.docx DATA.json RUNS OUT.pdf
//
// One LibreOffice is started and warmed first (Carbone keeps it running between renders, as a Carbone server
// does), then each render is timed alone, one after another: RUNS of the DOCX Carbone fills (no conversion),
// then RUNS of the PDF (filled, then converted by that LibreOffice). Prints one JSON object: the milliseconds
// of each render, and the CPU milliseconds per render of this process and every process under it
// (LibreOffice, Carbone's Python bridge), read from /proc before and after each series (Linux).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const carbone = require('carbone');
const converter = require('carbone/lib/converter');

const [template, dataPath, runsText, outPath] = process.argv.slice(2);
const data = JSON.parse(fs.readFileSync(dataPath, 'utf8'));
const runs = parseInt(runsText, 10);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'formgen-carbone-'));

function treeCpuMs (pid) {
  // User and system CPU of pid and every live process under it, from /proc; null where there is no /proc.
  const ticks = 100; // USER_HZ: 100 on Linux
  const children = new Map();
  const own = new Map();
  let names;
  try {
    names = fs.readdirSync('/proc').filter((name) => /^[0-9]+$/.test(name));
  }
  catch (err) {
    return null;
  }
  for (const name of names) {
    let fields;
    try {
      fields = fs.readFileSync(`/proc/${name}/stat`, 'utf8').split(')').pop().trim().split(/\s+/);
    }
    catch (err) {
      continue;
    }
    const parent = Number(fields[1]);
    if (!children.has(parent)) {
      children.set(parent, []);
    }
    children.get(parent).push(Number(name));
    own.set(Number(name), (Number(fields[11]) + Number(fields[12])) * 1000 / ticks);
  }
  let total = 0;
  const pending = [pid];
  while (pending.length) {
    const current = pending.pop();
    total += own.get(current) || 0;
    pending.push(...(children.get(current) || []));
  }
  return total;
}

function render (options) {
  return new Promise((resolve, reject) => {
    carbone.render(template, data, options, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

async function timed (options) {
  const started = process.hrtime.bigint();
  const result = await render(options);
  return [Number(process.hrtime.bigint() - started) / 1e6, result];
}

async function main () {
  carbone.set({ tempPath: work, renderPath: path.join(work, 'render'), factories: 1, startFactory: true,
    lang: 'en-gb', timezone: 'Europe/London' });
  // Warm: LibreOffice started, the template read, both paths run once.
  for (let i = 0; i < 2; i++) {
    await render({});
    await render({ convertTo: 'pdf' });
  }
  const out = { docx_ms: [], pdf_ms: [], docx_cpu_ms: null, pdf_cpu_ms: null };
  let pdf = null;
  for (const [format, options] of [['docx', {}], ['pdf', { convertTo: 'pdf' }]]) {
    const before = treeCpuMs(process.pid);
    for (let i = 0; i < runs; i++) {
      const [ms, result] = await timed(options);
      out[`${format}_ms`].push(ms);
      pdf = result;
    }
    const after = treeCpuMs(process.pid);
    out[`${format}_cpu_ms`] = before === null ? null : (after - before) / runs;
  }
  fs.writeFileSync(outPath, pdf);
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().then(
  () => converter.exit(() => { fs.rmSync(work, { recursive: true, force: true }); process.exit(0); }),
  (err) => { process.stderr.write(String(err && err.stack || err) + '\n'); converter.exit(() => process.exit(1)); }
);
