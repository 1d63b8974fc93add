//! The deno_web / deno_webidl extensions that provide the web platform globals (see
//! `js/02_web.js`). Shared by the runtime and `build.rs`, which must register the same list.

use std::sync::Arc;

/// Extensions in load order: webidl, web, then fnhost's own.
pub fn web_extensions() -> Vec<deno_core::Extension> {
    vec![
        deno_webidl::deno_webidl::init(),
        deno_web::deno_web::init(
            Arc::new(deno_web::BlobStore::default()),
            None,
            false,
            deno_web::InMemoryBroadcastChannel::default(),
        ),
    ]
}
