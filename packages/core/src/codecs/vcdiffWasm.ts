import { createRequire } from 'node:module'

// Loads open-vcdiff compiled to wasm (the `vcdiff-wasm` package) once per process.
// We drive the Emscripten modules directly instead of the package's wrappers so that:
// - wasm diagnostics (`ERROR: ...` on stderr) are captured per call and turned into
//   coded errors instead of being printed into the user's logs;
// - the process-wide `uncaughtException`/`unhandledRejection` listeners that
//   Emscripten installs on Node are removed again: a library must not change how the
//   host application crashes.

const require = createRequire(import.meta.url)

interface EmscriptenModule {
  HEAP8: Int8Array
  __Z13create_bufferi (size: number): number
  __Z14destroy_bufferPh (ptr: number): void
  __Z18get_result_pointerv (): number
  __Z15get_result_sizev (): number
  __Z4freev (): void
  __Z6encodePhiS_i?: (dictPtr: number, dictLen: number, targetPtr: number, targetLen: number) => void
  __Z6decodePhiS_i?: (dictPtr: number, dictLen: number, deltaPtr: number, deltaLen: number) => void
}

/** One instantiated wasm module plus the diagnostics it printed during the current call. */
export class WasmRunner {
  readonly #module: EmscriptenModule
  readonly #run: (dictPtr: number, dictLen: number, inPtr: number, inLen: number) => void
  #messages: string[] = []
  #aborted: string | undefined

  private constructor (module: EmscriptenModule, kind: 'encode' | 'decode', state: { messages: string[], aborted: string | undefined, owner?: WasmRunner }) {
    this.#module = module
    const run = kind === 'encode' ? module.__Z6encodePhiS_i : module.__Z6decodePhiS_i
    if (typeof run !== 'function') throw new Error(`vcdiff-wasm has no ${kind} export`)
    this.#run = run
    state.owner = this
    this.#messages = state.messages
  }

  /** Why the module is unusable (Emscripten abort), or undefined. */
  get aborted (): string | undefined { return this.#aborted }

  /**
   * Runs encode or decode over (dict, input) and returns a copy of the result plus
   * whatever the wasm code printed while doing it.
   */
  call (dict: Uint8Array, input: Uint8Array): { result: Uint8Array, messages: string[] } {
    const m = this.#module
    this.#messages.length = 0
    // malloc(0) may return NULL; always ask for at least one byte.
    const dictPtr = m.__Z13create_bufferi(Math.max(1, dict.length))
    const inPtr = m.__Z13create_bufferi(Math.max(1, input.length))
    try {
      m.HEAP8.set(dict, dictPtr)
      m.HEAP8.set(input, inPtr)
      this.#run(dictPtr, dict.length, inPtr, input.length)
      const ptr = m.__Z18get_result_pointerv()
      const size = m.__Z15get_result_sizev()
      // HEAP8 is re-read: the heap may have grown (and been replaced) during the call.
      const result = new Uint8Array(size)
      result.set(new Uint8Array(m.HEAP8.buffer, ptr, size))
      m.__Z4freev()
      return { result, messages: this.#messages.slice() }
    } finally {
      m.__Z14destroy_bufferPh(dictPtr)
      m.__Z14destroy_bufferPh(inPtr)
    }
  }

  static async load (kind: 'encode' | 'decode'): Promise<WasmRunner> {
    const file = kind === 'encode' ? 'vcdiff-wasm/lib/libvcdenc.js' : 'vcdiff-wasm/lib/libvcddec.js'
    const factory = require(file) as (module: object) => unknown
    const state: { messages: string[], aborted: string | undefined, owner?: WasmRunner } = { messages: [], aborted: undefined }
    const before = {
      uncaughtException: process.listeners('uncaughtException'),
      unhandledRejection: process.listeners('unhandledRejection')
    }
    const module = await new Promise<EmscriptenModule>((resolve, reject) => {
      const m: Record<string, unknown> = {
        print: function vcdiffPrint (text: string) { state.messages.push(String(text)) },
        printErr: function vcdiffPrintErr (text: string) { state.messages.push(String(text)) },
        onAbort: function vcdiffAbort (what: unknown) {
          state.aborted = String(what)
          if (state.owner) state.owner.#aborted = String(what)
          reject(new Error(`vcdiff-wasm aborted: ${String(what)}`))
        },
        onRuntimeInitialized: function vcdiffReady () { resolve(m as unknown as EmscriptenModule) }
      }
      try {
        const ready = factory(m) as { then?: (ok: unknown, fail: (err: unknown) => void) => unknown } | undefined
        // The MODULARIZE promise rejects on abort; we already reject through onAbort.
        if (ready && typeof ready.then === 'function') ready.then(undefined, function ignoreReadyRejection () {})
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)))
      }
    }).finally(() => {
      for (const listener of process.listeners('uncaughtException')) {
        if (!before.uncaughtException.includes(listener)) process.removeListener('uncaughtException', listener)
      }
      for (const listener of process.listeners('unhandledRejection')) {
        if (!before.unhandledRejection.includes(listener)) process.removeListener('unhandledRejection', listener)
      }
    })
    return new WasmRunner(module, kind, state)
  }
}
