// Tries every way to end the fnhost process from job code. Each must fail with an error this
// step records; the process and the rest of the workflow go on. (`process.exit` is the one way
// a run may end itself early, as OpenFn's process does: see process_exit.js.)
fn((state) => {
  const G = state.constructor.constructor("return this")();
  const process = G.process;
  const attempts = {
    "__bootstrap.core.ops.op_panic": () => G.__bootstrap.core.ops.op_panic("bye"),
    "Deno.core.ops.op_panic": () => G.Deno.core.ops.op_panic("bye"),
    "process.abort": () => process.abort(),
    "process.kill": () => process.kill(process.pid, "SIGKILL"),
    "process.binding": () => process.binding("spawn_sync"),
    "process.dlopen": () => process.dlopen({}, "/lib/x86_64-linux-gnu/libc.so.6"),
    "child_process.execSync": () => G.__fnhostModules.builtin("child_process").execSync("kill -9 $PPID"),
  };
  const results = {};
  for (const [name, attempt] of Object.entries(attempts)) {
    try {
      attempt();
      results[name] = "RETURNED";
    } catch (e) {
      results[name] = `${e?.name}: ${e?.message}`;
    }
  }
  state.data = { results };
  // then fail this step the hard way: only this run's step may end
  G.__bootstrap.core.ops.op_panic("bye");
  return state;
});
