//! The job realm: a second V8 context in the same isolate where compiled job code runs.
//!
//! OpenFn runs jobs in a `node:vm` context that sees only a handful of globals and cannot
//! generate code from strings, while adaptors keep the full realm (ajv needs `new Function`).
//! fnhost does the same with a fresh V8 context per evaluation whose globals are copied from an
//! object the main realm prepares.

use deno_core::host_defined_options_kind;
use deno_core::op2;
use deno_core::v8;

/// Evaluates `source` as a classic script in a new context whose global object receives the
/// own properties of `globals`. Code generation from strings (`eval`, `new Function`) and
/// WebAssembly are disallowed there. `import()` in the script calls `import_module`
/// (`(specifier) => namespace promise`) when it is a function; otherwise it rejects with
/// Node's `ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING`, as in a `node:vm` context: job code never
/// reaches the module loader directly. Returns `[true, value]` or `[false, exception]`.
#[op2(reentrant)]
pub fn op_realm_eval<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    globals: v8::Local<'s, v8::Object>,
    #[string] source: String,
    #[string] name: String,
    import_module: v8::Local<'s, v8::Value>,
) -> v8::Local<'s, v8::Array> {
    let outer = scope.get_current_context();
    let token = outer.get_security_token(scope);
    let context = v8::Context::new(scope, Default::default());
    context.set_security_token(token);
    context.set_allow_generation_from_strings(false);
    // deno_core's isolate callbacks (promise rejections, module resolution) read the realm
    // state from the current context's embedder slots 1 and 2: share the main realm's. The main
    // context owns those pointers and outlives every job context of the run.
    for slot in [1, 2] {
        let pointer = outer.get_aligned_pointer_from_embedder_data(slot);
        // SAFETY: the pointers come from the live main context of the same isolate.
        unsafe { context.set_aligned_pointer_in_embedder_data(slot, pointer) };
    }

    let import_options = match v8::Local::<v8::Function>::try_from(import_module) {
        Ok(callback) => {
            let key = deno_core::register_vm_dynamic_import_callback(scope, callback);
            deno_core::create_host_defined_options_with_kind_and_key(
                scope,
                host_defined_options_kind::VM_DYNAMIC_IMPORT_CALLBACK,
                key,
            )
        }
        Err(_) => deno_core::create_host_defined_options_with_kind(
            scope,
            host_defined_options_kind::VM_DYNAMIC_IMPORT_MISSING,
        ),
    };
    let import_options = v8::Global::new(scope, import_options);

    let (ok, value) = {
        let scope = &mut v8::ContextScope::new(scope, context);
        v8::tc_scope!(let tc, scope);
        let global = context.global(tc);
        if let Some(keys) = globals.get_own_property_names(tc, Default::default()) {
            for i in 0..keys.length() {
                let Some(key) = keys.get_index(tc, i) else {
                    continue;
                };
                let Some(value) = globals.get(tc, key) else {
                    continue;
                };
                global.set(tc, key, value);
            }
        }
        let source = v8::String::new(tc, &source).unwrap_or_else(|| v8::String::empty(tc));
        let name = v8::String::new(tc, &name).unwrap_or_else(|| v8::String::empty(tc));
        let import_options = v8::Local::new(tc, &import_options);
        let origin = v8::ScriptOrigin::new(
            tc,
            name.into(),
            0,
            0,
            false,
            0,
            None,
            false,
            false,
            false,
            Some(import_options),
        );
        let result = v8::Script::compile(tc, source, Some(&origin)).and_then(|s| s.run(tc));
        match result {
            Some(value) => (true, value),
            None => {
                let exception = tc.exception().unwrap_or_else(|| v8::undefined(tc).into());
                (false, exception)
            }
        }
    };
    let flag = v8::Boolean::new(scope, ok).into();
    v8::Array::new_with_elements(scope, &[flag, value])
}
