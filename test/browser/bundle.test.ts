/**
 * The engine runs in a browser: `src/browser.ts` bundles for the browser platform (esbuild refuses any Node
 * built-in anywhere in the import graph, dependencies included), and the bundle, run in a bare JavaScript context
 * (no process, require, Buffer, console or timers: only the language's own globals), loads model files from text,
 * reads a NONMEM data set and simulates closed-form and hybrid ODE models with the same numbers as in Node.
 */
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/core/model/index.js';
import { simulate } from '../../src/core/simulate/simulate.js';
import { readNonmemCsv } from '../../src/io/nmdata/index.js';
import { p3Dataset } from '../../examples/baselines/problems.js';

const text = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

interface BrowserApi {
  loadModel: typeof loadModel;
  simulate: typeof simulate;
  readNonmemCsv: typeof readNonmemCsv;
}

let api: BrowserApi | undefined;
async function browserBundle(): Promise<BrowserApi> {
  if (api !== undefined) return api;
  const result = await build({
    entryPoints: [new URL('../../src/browser.ts', import.meta.url).pathname],
    bundle: true,
    format: 'iife',
    globalName: 'ketasim',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const context = vm.createContext({});
  vm.runInContext(result.outputFiles[0]?.text ?? '', context);
  api = vm.runInContext('ketasim', context) as BrowserApi;
  return api;
}

describe('browser bundle', () => {
  it('has no Node globals in a bare context', async () => {
    const k = await browserBundle();
    expect(typeof k.simulate).toBe('function');
    expect(vm.runInContext('typeof process + typeof require + typeof Buffer', vm.createContext({}))).toBe('undefinedundefinedundefined');
  }, 60_000);

  it('simulates the NONMEM conformance data set (closed form) exactly as in Node', async () => {
    const k = await browserBundle();
    const modelText = text('examples/nmtests/advan2-nmtests.yaml');
    const dataText = text('test/fixtures/nmtests/dosing-data.csv');
    const inBrowser = k.simulate(k.loadModel(modelText, 'advan2.yaml'), k.readNonmemCsv(dataText, { source: 'dosing-data.csv' }));
    const inNode = simulate(loadModel(modelText, 'advan2.yaml'), readNonmemCsv(dataText, { source: 'dosing-data.csv' }));
    expect(inBrowser.rows).toBe(inNode.rows);
    expect(Array.from(inBrowser.values[0] as Float64Array)).toEqual(Array.from(inNode.values[0] as Float64Array));
  }, 60_000);

  it('simulates a hybrid model (closed-form PK, ODE response) exactly as in Node', async () => {
    const k = await browserBundle();
    const modelText = text('examples/baselines/pkpd.yaml');
    const data = p3Dataset(3);
    const inBrowser = k.simulate(k.loadModel(modelText, 'pkpd.yaml'), data);
    const inNode = simulate(loadModel(modelText, 'pkpd.yaml'), data);
    inNode.values.forEach((col, j) => expect(Array.from(inBrowser.values[j] as Float64Array)).toEqual(Array.from(col)));
  }, 60_000);
});
