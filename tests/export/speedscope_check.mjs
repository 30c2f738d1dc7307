// speedscope_check.mjs -- import a trace with speedscope's own importer, from node.
//
//   node tests/export/speedscope_check.mjs SPEEDSCOPE_DIR FILE.trace.json...
//
// speedscope ships no node API, only a browser bundle, so this runs the
// pinned bundle (speedscope@1.25.0, installed by run.sh) inside node's vm
// with stub browser globals, after a one-line patch that keeps the lazily
// loaded import module (the one with importProfileGroupFromText) on
// globalThis. The patterns depend on esbuild's minified layout: when they
// are not found the script says the speedscope version changed and fails.
// (How and why: ecosystem.md, section 3 and Appendix A.)
//
// For each file it prints one JSON line on stdout:
//   {"file": ..., "ok": bool, "error": str|null, "warnings": [...],
//    "profiles": [{"name": ..., "unit": ..., "total": n,
//                  "slices": [[frame name, start, duration], ...]}]}
// Exit status: 0 every file imported with no warning; 1 a warning; 2 an
// unrecognised file (null group); 3 the import threw; 4 set-up failed.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

const [dir, ...files] = process.argv.slice(2);
if (!dir || files.length === 0) {
  console.error('usage: speedscope_check.mjs SPEEDSCOPE_DIR FILE.trace.json...');
  process.exit(4);
}
const release = path.join(dir, 'dist', 'release');
let bundleName;
try {
  bundleName = fs.readdirSync(release).find((f) => /^speedscope-.*\.js$/.test(f));
} catch (e) {
  console.error(`speedscope_check: cannot read ${release}: ${e.message}`);
  process.exit(4);
}
if (!bundleName) {
  console.error(`speedscope_check: no speedscope-*.js bundle in ${release}`);
  process.exit(4);
}
let src = fs.readFileSync(path.join(release, bundleName), 'utf8');

// 1. the import module's variable: X(M,{importFromFileSystemDirectoryEntry:...
const modMatch = /\b[\w$]+\(([\w$]+),\{importFromFileSystemDirectoryEntry:/.exec(src);
if (!modMatch) {
  console.error('speedscope_check: the import module was not found: the speedscope version changed (pin 1.25.0)');
  process.exit(4);
}
const M = modMatch[1].replace(/\$/g, '\\$');
// 2. its lazy loader: Promise.resolve().then(()=>(INIT(),M));
const loaderRe = new RegExp(`Promise\\.resolve\\(\\)\\.then\\(\\(\\)=>\\(([\\w$]+)\\(\\),${M}\\)\\);`);
const loader = loaderRe.exec(src);
if (!loader) {
  console.error('speedscope_check: the import loader was not found: the speedscope version changed (pin 1.25.0)');
  process.exit(4);
}
const at = loader.index + loader[0].length;
src = src.slice(0, at) + `globalThis.__importer=Promise.resolve().then(()=>(${loader[1]}(),${modMatch[1]}));` + src.slice(at);

// 3. a sandbox that looks enough like a browser
const warnings = [];
const noop = new Proxy(function () {}, {
  get: (t, k) => (k === Symbol.toPrimitive ? () => '' : noop),
  apply: () => noop,
  construct: () => noop,
});
const sandbox = {
  document: noop,
  localStorage: noop,
  requestAnimationFrame: noop,
  fetch: noop,
  navigator: { userAgent: 'node' },
  location: { hash: '', search: '', href: 'http://localhost/' },
  matchMedia: () => ({ matches: false, addListener() {}, removeListener() {}, addEventListener() {}, removeEventListener() {} }),
  devicePixelRatio: 1,
  setTimeout, clearTimeout, setInterval, clearInterval,
  TextDecoder, TextEncoder, URL, Promise,
  Uint8Array, Uint16Array, Uint32Array, Int32Array, Float32Array, Float64Array, ArrayBuffer, DataView,
  atob, btoa, performance,
  console: {
    log() {}, info() {}, debug() {},
    warn: (...a) => warnings.push(a.map(String).join(' ')),
    error: (...a) => warnings.push(a.map(String).join(' ')),
  },
};
sandbox.window = sandbox;
sandbox.self = sandbox;
sandbox.globalThis = sandbox;
process.on('unhandledRejection', () => {});
vm.createContext(sandbox);
try {
  vm.runInContext(src, sandbox, { filename: bundleName });
} catch (e) {
  // the UI's start-up code fails without a real DOM; the importer is defined by then
}
let importer;
try {
  importer = await sandbox.__importer;
} catch (e) {
  console.error(`speedscope_check: loading the importer failed: ${e && e.message}`);
  process.exit(4);
}
if (!importer || typeof importer.importProfileGroupFromText !== 'function') {
  console.error('speedscope_check: importProfileGroupFromText is missing: the speedscope version changed');
  process.exit(4);
}
warnings.length = 0; // start-up noise is not the importer's

let status = 0;
for (const file of files) {
  const out = { file, ok: false, error: null, warnings: [], profiles: [] };
  const text = fs.readFileSync(file, 'utf8');
  warnings.length = 0;
  let group = null;
  try {
    group = await importer.importProfileGroupFromText(path.basename(file), text);
  } catch (e) {
    out.error = `import threw: ${e && e.message}`;
    status = Math.max(status, 3);
  }
  if (!out.error && !group) {
    out.error = 'unrecognised format (null profile group)';
    status = Math.max(status, 2);
  }
  if (group) {
    for (const p of group.profiles) {
      const slices = [];
      const open = [];
      p.forEachCall(
        (node, value) => open.push([node.frame.name, value]),
        (node, value) => {
          const [name, start] = open.pop();
          slices.push([name, start, value - start]);
        },
      );
      out.profiles.push({ name: p.getName(), unit: p.getWeightUnit(), total: p.getTotalWeight(), slices });
    }
  }
  out.warnings = warnings.slice();
  if (out.warnings.length) status = Math.max(status, 1);
  out.ok = !out.error && out.warnings.length === 0;
  process.stdout.write(JSON.stringify(out) + '\n');
}
process.exit(status);
