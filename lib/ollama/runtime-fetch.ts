/**
 * The runtime's own fetch, for calls to Ollama. Inside its server Next.js replaces
 * globalThis.fetch with a wrapper for its data cache and tracing (it keeps the original as
 * `_nextOriginalFetch`); calls to Ollama need neither, and the wrapper costs each of them
 * about half a millisecond on a small machine, more than an editor's completion can spare.
 * Looked up at each call, so a test that stubs fetch still sees its stub.
 */
export const runtimeFetch: typeof fetch = (input, init) => {
  const current = globalThis.fetch as typeof fetch & { _nextOriginalFetch?: typeof fetch };
  return (current._nextOriginalFetch ?? current)(input, init);
};
