/** @echogarden/fvad-wasm ships no types: its default export instantiates the emscripten module. */
declare module '@echogarden/fvad-wasm' {
  const fvad: (moduleArg?: Record<string, unknown>) => Promise<unknown>;
  export default fvad;
}
