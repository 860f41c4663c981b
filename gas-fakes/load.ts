/**
 * Runs an Apps Script bundle (one script file, no modules, top-level functions) against a fake
 * world in `node:vm` contexts whose only globals are the fake services and ECMAScript's builtins:
 * no require, process, Buffer, setTimeout, fetch, URL, TextEncoder.
 *
 * As in Apps Script, every execution starts afresh: `call` makes a new context, runs the bundle's
 * top-level code, then the function — global variables do not survive from one execution to the
 * next (Properties, the spreadsheet… do). An execution gets the 6-minute budget (30 s for a simple
 * trigger: an event whose authMode is LIMITED, which also refuses the services that need
 * authorization, as simple triggers do); when it has run out, the next service call throws
 * "Exceeded maximum execution time" and `call` throws it, even if the script caught it. Locks the
 * execution holds are released when it ends. An async function's promise is settled before `call`
 * returns (microtasks run in the execution).
 *
 * In the context `Date` is the real Date but `new Date()` and `Date.now()` read the world's virtual
 * clock. Local-time methods (getHours…) use the Node process's time zone, not the script's: use
 * UTC methods or Utilities.formatDate, or run the tests with TZ set to the script's zone. A busy
 * wait on Date.now() never ends (the clock moves only with service calls): a real-time timeout
 * (default 20 s) stops runaway scripts.
 */
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import {
  Enums,
  type Execution,
  type Realm,
  TIME_LIMIT_MESSAGE,
  type TriggerRun,
  type TriggerState,
  toRealm,
} from './core';
import { clockEvent } from './events';
import type { FakeTrigger } from './services';
import type { GasWorld } from './world';

export interface LoadOptions {
  /** The file name in stack traces (default the file given, or 'Code.js'). */
  filename?: string;
  /** Real milliseconds a script may run in one go before the vm stops it (default 20,000). */
  realTimeoutMs?: number;
}

export interface CallOptions {
  /** Whether the UI is there (SpreadsheetApp.getUi() works): default true for call, false for triggers. */
  ui?: boolean;
  /** Default: LIMITED when the event says so (a simple trigger), else FULL. */
  authMode?: 'FULL' | 'LIMITED';
}

export interface Bundle {
  readonly world: GasWorld;
  /**
   * Runs the top-level function `functionName` as a new execution, with `event` as its argument
   * when given (as a menu item, the editor's Run button, or a simple trigger with its event).
   */
  call(functionName: string, event?: Record<string, unknown>, options?: CallOptions): unknown;
  /** Runs an installed trigger's function (authMode FULL, no UI); throws what it throws. */
  fire(trigger: FakeTrigger | TriggerState | string, event?: Record<string, unknown>): unknown;
  /** Like fire, but reports a failure instead of throwing it (as Apps Script does for triggers). */
  runTrigger(trigger: FakeTrigger | TriggerState | string, event?: Record<string, unknown>): TriggerRun;
  /** The names of the bundle's top-level functions. */
  functions(): string[];
}

/** Installs the virtual-clock Date in a context; returns the context's own constructors. */
const SETUP = `(function (nowMs) {
  var RealDate = Date;
  var now = function now() { return nowMs(); };
  var VirtualDate = new Proxy(RealDate, {
    construct: function (target, args, newTarget) {
      return Reflect.construct(target, args.length === 0 ? [nowMs()] : args, newTarget);
    },
    apply: function () { return new RealDate(nowMs()).toString(); },
    get: function (target, key) { return key === 'now' ? now : Reflect.get(target, key); },
  });
  Object.defineProperty(RealDate.prototype, 'constructor', { value: VirtualDate, writable: true, configurable: true });
  Object.defineProperty(globalThis, 'Date', { value: VirtualDate, writable: true, configurable: true });
  return { Array: Array, Object: Object, Date: RealDate, Error: Error };
})`;

const HARNESS = `(function (h) {
  var f = globalThis[h.name];
  if (typeof f !== 'function') return;
  h.found = true;
  var r = f.apply(globalThis, h.args);
  h.result = r;
  if (r !== null && (typeof r === 'object' || typeof r === 'function') && typeof r.then === 'function') {
    h.pending = true;
    r.then(function (v) { h.pending = false; h.result = v; }, function (e) { h.pending = false; h.failed = true; h.error = e; });
  }
})(globalThis.__gasHarness)`;

interface Harness {
  name: string;
  args: unknown[];
  found?: boolean;
  result?: unknown;
  pending?: boolean;
  failed?: boolean;
  error?: unknown;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function loadBundle(file: string, world: GasWorld, options: LoadOptions = {}): Bundle {
  return loadBundleSource(readFileSync(file, 'utf8'), world, { filename: file, ...options });
}

export function loadBundleSource(code: string, world: GasWorld, options: LoadOptions = {}): Bundle {
  const filename = options.filename ?? 'Code.js';
  const timeout = options.realTimeoutMs ?? 20_000;
  const script = new vm.Script(code, { filename });
  const harness = new vm.Script(HARNESS, { filename: 'harness.js' });

  const newContext = (): { context: vm.Context; realm: Realm } => {
    const context = vm.createContext(
      { ...world.globals },
      { name: 'Apps Script', microtaskMode: 'afterEvaluate', codeGeneration: { strings: true, wasm: false } },
    );
    const install = vm.runInContext(SETUP, context) as (nowMs: () => number) => Realm;
    return { context, realm: install(() => world.now()) };
  };

  const execute = (
    functionName: string,
    event: Record<string, unknown> | undefined,
    authMode: 'FULL' | 'LIMITED',
    ui: boolean,
  ): unknown => {
    if (!IDENTIFIER.test(functionName)) throw new Error(`Script function not found: ${functionName}`);
    const { context, realm } = newContext();
    const ex: Execution = world.beginExecution({ functionName, authMode, ui, realm });
    const h: Harness = { name: functionName, args: event === undefined ? [] : [toRealm(event, realm)] };
    let failure: { error: unknown } | undefined;
    try {
      script.runInContext(context, { timeout });
      Object.defineProperty(context, '__gasHarness', { value: h, configurable: true });
      harness.runInContext(context, { timeout });
      if (h.failed) failure = { error: h.error };
    } catch (e) {
      failure = { error: e };
    } finally {
      world.endExecution(ex);
    }
    if (ex.killed) throw new Error(TIME_LIMIT_MESSAGE);
    if (failure) throw failure.error;
    if (!h.found) throw new Error(`Script function not found: ${functionName}`);
    if (h.pending) throw new Error(`${functionName} returned a promise that never settled`);
    return h.result;
  };

  const resolve = (trigger: FakeTrigger | TriggerState | string): TriggerState => {
    const uid = typeof trigger === 'string' ? trigger : 'uid' in trigger ? trigger.uid : trigger.state.uid;
    const state = world.triggers.find((t) => t.uid === uid);
    if (!state) throw new Error(`No trigger ${uid}: it was deleted or never installed`);
    return state;
  };

  const triggerEvent = (
    t: TriggerState,
    event: Record<string, unknown> | undefined,
  ): Record<string, unknown> => {
    if (event) return { ...event, authMode: Enums.AuthMode.FULL, triggerUid: t.uid };
    switch (t.eventType) {
      case 'CLOCK':
        return clockEvent(world, t);
      case 'ON_OPEN':
        return {
          source: world.spreadsheets.get(t.sourceId!)?.api(),
          authMode: Enums.AuthMode.FULL,
          triggerUid: t.uid,
        };
      default:
        throw new Error(`A ${t.eventType} trigger needs its event (editEvent / respond)`);
    }
  };

  const bundle: Bundle = {
    world,
    call(functionName, event, callOptions = {}) {
      const limited =
        callOptions.authMode === 'LIMITED' ||
        (callOptions.authMode === undefined && event?.authMode === Enums.AuthMode.LIMITED);
      return execute(functionName, event, limited ? 'LIMITED' : 'FULL', callOptions.ui ?? true);
    },
    fire(trigger, event) {
      const t = resolve(trigger);
      return execute(t.handler, triggerEvent(t, event), 'FULL', false);
    },
    runTrigger(trigger, event) {
      const t = resolve(trigger);
      const e = triggerEvent(t, event);
      try {
        return { trigger: t, event: e, ok: true, result: execute(t.handler, e, 'FULL', false) };
      } catch (error) {
        return { trigger: t, event: e, ok: false, error };
      }
    },
    functions() {
      const { context, realm } = newContext();
      const global = vm.runInContext('globalThis', context) as Record<string, unknown>;
      const before = new Set(Object.getOwnPropertyNames(global));
      const ex = world.beginExecution({ functionName: '(load)', authMode: 'FULL', ui: false, realm });
      try {
        world.internal(() => script.runInContext(context, { timeout }));
      } finally {
        world.endExecution(ex);
      }
      return Object.getOwnPropertyNames(global).filter(
        (n) => !before.has(n) && typeof global[n] === 'function',
      );
    },
  };
  world.runner = bundle;
  return bundle;
}
