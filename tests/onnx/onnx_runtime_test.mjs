// The towers `twinflow export --format onnx` writes, run in ONNX Runtime (onnxruntime-node),
// against `twinflow embed` on the same texts.
//
//   node tests/onnx/onnx_runtime_test.mjs TWINFLOW SOURCE_DIR OUT_DIR
//
// For each spec of tests/onnx/: train one epoch on a slice of the demo data, export the tower
// as ONNX, embed some texts with twinflow, and feed ONNX Runtime the same texts as padded token
// id batches of several sizes and lengths (the shortest padding, the spec's length, longer).
// Every vector must match twinflow's to 1e-5. Prints the largest difference per model and
// batch shape; exits 1 on any mismatch.
//
// The texts are ASCII, where twinflow's tokenizer is lower-case and split on everything but
// letters and digits (runtime/text/tokenizer.h); ids come from the model's vocab.txt (line k is
// id k + 2, 1 = unknown, 0 = padding) and texts are cut to the input's length, as twinflow does.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');

const [twinflow, source, out] = process.argv.slice(2);
const tolerance = 1e-5;
const specs = ['pairs_sum', 'pairs_average', 'triplet_dense', 'triplet_pooled'];

function run(args) {
  return execFileSync(twinflow, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

// The first `rows` data rows of a TSV, header kept.
function head(file, rows) {
  return readFileSync(file, 'utf8').split('\n').slice(0, rows + 1).join('\n') + '\n';
}

function tokenize(text) {
  return text.toLowerCase().split(/[^a-z0-9]+/).filter((t) => t.length > 0);
}

// Texts from a demo TSV's first column (ASCII only), and the cases that matter: no token at
// all (every id padding), an unknown word, more tokens than the input holds.
function texts(file) {
  const lines = readFileSync(file, 'utf8').split('\n').slice(1, 400);
  const picked = lines
    .map((l) => l.split('\t')[0])
    .filter((t) => t && /^[\x20-\x7e]+$/.test(t))
    .slice(0, 37);
  return picked.concat([
    '... !!!',
    'Zyzzogeton qwxv',
    'one two three four five six seven eight nine ten eleven twelve thirteen fourteen',
  ]);
}

function encode(text, vocab, length) {
  const ids = tokenize(text).map((t) => vocab.get(t) ?? 1);
  return ids.slice(0, length);
}

async function check(name) {
  const dir = path.join(out, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const triplet = name.startsWith('triplet');
  const data = path.join(source, 'data', triplet ? 'triplets_train.tsv' : 'pairs_train.tsv');
  writeFileSync(path.join(dir, 'train.tsv'), head(data, 128));
  const model = path.join(dir, 'model');
  run(['train', path.join(source, 'tests', 'onnx', `${name}.yaml`), '--data',
       path.join(dir, 'train.tsv'), '--out', model, '--quiet']);
  const onnxFile = path.join(dir, 'tower.onnx');
  run(['export', model, '--format', 'onnx', '-o', onnxFile]);

  const all = texts(data);
  writeFileSync(path.join(dir, 'texts.txt'), all.join('\n') + '\n');
  const expected = run(['embed', model, '--data', path.join(dir, 'texts.txt')])
    .trim().split('\n').map((line) => line.split('\t').map(Number));

  const vocab = new Map(readFileSync(path.join(model, 'vocab.txt'), 'utf8')
    .split('\n').filter((t) => t.length > 0).map((t, k) => [t, k + 2]));
  const length = Number(/shape: \[(\d+)\]/.exec(readFileSync(path.join(model, 'spec.yaml'), 'utf8'))[1]);
  const encoded = all.map((t) => encode(t, vocab, length));
  const session = await ort.InferenceSession.create(onnxFile);

  const longest = Math.max(1, ...encoded.map((ids) => ids.length));
  const shapes = [[all.length, longest], [7, length], [3, length + 9], [1, longest]];
  let ok = true;
  for (const [batch, seq] of shapes) {
    let worst = 0;
    for (let begin = 0; begin < all.length; begin += batch) {
      const rows = encoded.slice(begin, begin + batch);
      const ids = new BigInt64Array(rows.length * seq);
      rows.forEach((r, i) => r.forEach((id, t) => { ids[i * seq + t] = BigInt(id); }));
      const feed = { [session.inputNames[0]]: new ort.Tensor('int64', ids, [rows.length, seq]) };
      const result = (await session.run(feed))[session.outputNames[0]];
      const dim = result.dims[1];
      rows.forEach((_, i) => {
        for (let j = 0; j < dim; ++j)
          worst = Math.max(worst, Math.abs(result.data[i * dim + j] - expected[begin + i][j]));
      });
    }
    const pass = worst <= tolerance;
    ok &&= pass;
    console.log(`${name}: batch ${batch} x seq ${seq}: max |onnx - embed| = ${worst.toExponential(2)}` +
                `${pass ? '' : ` > ${tolerance}: FAILED`}`);
  }
  return ok;
}

let passed = 0;
let failed = 0;
for (const name of specs) {
  if (await check(name)) ++passed;
  else ++failed;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
