//! HTTP for the engine's JavaScript (the `undici` bridge and global `fetch`): one op family over
//! a host-provided client, with response bodies streamed to JS chunk by chunk.
//!
//! The client itself (reqwest, pooling, TLS, decompression) lives in the runtime
//! (`src/runtime/http_client.rs`) behind [`HttpClient`], so `build.rs` can register these ops
//! without compiling an HTTP stack.

use std::cell::RefCell;
use std::collections::HashMap;
use std::pin::Pin;
use std::rc::Rc;

use deno_core::futures::future::LocalBoxFuture;
use deno_core::futures::{Stream, StreamExt};
use deno_core::op2;
use deno_core::{JsBuffer, OpState, ToJsBuffer};
use deno_error::JsErrorBox;
use serde::{Deserialize, Serialize};

/// TLS settings of one request.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "camelCase")]
pub struct TlsOptions {
    /// Extra trusted CA certificates (PEM).
    pub ca: Option<String>,
    /// Client certificate chain (PEM).
    pub cert: Option<String>,
    /// Client private key (PEM).
    pub key: Option<String>,
    /// `false` accepts any server certificate.
    pub reject_unauthorized: Option<bool>,
}

/// A request as the JS bridge describes it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRequest {
    /// HTTP method.
    pub method: String,
    /// Absolute URL.
    pub url: String,
    /// Header pairs in order; names may repeat.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// Limit for the whole exchange, in milliseconds.
    pub timeout_ms: Option<u64>,
    /// Limit until response headers arrive.
    pub headers_timeout_ms: Option<u64>,
    /// Limit between two body chunks.
    pub body_timeout_ms: Option<u64>,
    /// `follow` or `manual`.
    #[serde(default)]
    pub redirect: Option<String>,
    /// Most redirects to follow.
    pub max_redirections: Option<usize>,
    /// Decode gzip/deflate/brotli and drop `content-encoding`/`content-length`.
    #[serde(default)]
    pub decompress: bool,
    /// TLS settings.
    #[serde(default)]
    pub tls: Option<TlsOptions>,
    /// Proxy URL for this request.
    pub proxy: Option<String>,
    /// Do not keep the connection for another request once this exchange is over, although
    /// the request says `keep-alive` (undici does so after a body on a method that expects none).
    #[serde(default)]
    pub close_after: bool,
}

/// Status line and headers of a response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpResponseHead {
    /// Status code.
    pub status: u16,
    /// Reason phrase.
    pub status_text: String,
    /// Header pairs in order.
    pub headers: Vec<(String, String)>,
    /// Final URL (after redirects).
    pub url: String,
    /// Body handle for [`op_http_body_read`].
    pub rid: u32,
}

/// A failed exchange: `code` is a Node/undici error code (`ECONNREFUSED`,
/// `UND_ERR_HEADERS_TIMEOUT`, …).
#[derive(Debug, Clone)]
pub struct HttpError {
    /// Node/undici error code.
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
}

impl HttpError {
    fn into_js(self) -> JsErrorBox {
        // the JS side splits "CODE: message" back into an error with a `code`
        JsErrorBox::generic(format!("{}: {}", self.code, self.message))
    }
}

/// A response body: chunks until the end or an error.
pub type BodyStream = Pin<Box<dyn Stream<Item = Result<Vec<u8>, HttpError>>>>;

/// A response head and its body.
pub type HttpExchange = (HttpResponseHead, BodyStream);

/// Performs HTTP exchanges for the ops; installed by the runtime in the `OpState`.
pub trait HttpClient {
    /// Sends `request` with `body`, resolving once the response headers arrived.
    fn fetch(
        &self,
        request: HttpRequest,
        body: Option<Vec<u8>>,
    ) -> LocalBoxFuture<'static, Result<HttpExchange, HttpError>>;
}

/// The client handle stored in the `OpState`.
#[derive(Clone)]
pub struct HttpClientHandle(pub Rc<dyn HttpClient>);

/// Open response bodies of a run.
#[derive(Default)]
struct Bodies {
    next: u32,
    open: HashMap<u32, Rc<RefCell<Option<BodyStream>>>>,
}

/// Sends a request; resolves with status, headers and a body handle.
#[op2]
#[serde]
pub async fn op_http_fetch(
    state: Rc<RefCell<OpState>>,
    #[serde] request: HttpRequest,
    #[buffer] body: Option<JsBuffer>,
) -> Result<HttpResponseHead, JsErrorBox> {
    if let Some(permissions) = state
        .borrow_mut()
        .try_borrow_mut::<deno_permissions::PermissionsContainer>()
    {
        // the run's network rules (--allow-net / --deny-net) hold for the bridges too
        let url = deno_core::url::Url::parse(&request.url)
            .map_err(|e| JsErrorBox::type_error(format!("Invalid URL {}: {e}", request.url)))?;
        permissions
            .check_net_url(&url, "fetch()")
            .map_err(|e| JsErrorBox::new("NotCapable", e.to_string()))?;
    }
    let client = state
        .borrow()
        .try_borrow::<HttpClientHandle>()
        .cloned()
        .ok_or_else(|| JsErrorBox::generic("HTTP is not available in this engine"))?;
    let body = body.map(|b| b.to_vec());
    let (mut head, stream) = client
        .0
        .fetch(request, body)
        .await
        .map_err(HttpError::into_js)?;
    let mut st = state.borrow_mut();
    if !st.has::<Bodies>() {
        st.put(Bodies::default());
    }
    let bodies = st.borrow_mut::<Bodies>();
    bodies.next += 1;
    let rid = bodies.next;
    bodies.open.insert(rid, Rc::new(RefCell::new(Some(stream))));
    head.rid = rid;
    Ok(head)
}

/// Reads the next body chunk; `null` at the end (the handle is then closed).
#[op2]
#[serde]
pub async fn op_http_body_read(
    state: Rc<RefCell<OpState>>,
    rid: u32,
) -> Result<Option<ToJsBuffer>, JsErrorBox> {
    let slot = state
        .borrow()
        .try_borrow::<Bodies>()
        .and_then(|b| b.open.get(&rid).cloned());
    let Some(slot) = slot else { return Ok(None) };
    let Some(mut stream) = slot.borrow_mut().take() else {
        return Err(JsErrorBox::generic(
            "UND_ERR_BODY_READ: the body is already being read",
        ));
    };
    let next = stream.next().await;
    match next {
        Some(Ok(chunk)) => {
            *slot.borrow_mut() = Some(stream);
            Ok(Some(chunk.into()))
        }
        Some(Err(e)) => {
            close(&state, rid);
            Err(e.into_js())
        }
        None => {
            close(&state, rid);
            Ok(None)
        }
    }
}

fn close(state: &Rc<RefCell<OpState>>, rid: u32) {
    if let Some(bodies) = state.borrow_mut().try_borrow_mut::<Bodies>() {
        bodies.open.remove(&rid);
    }
}

/// Drops a response body that will not be read further.
#[op2(fast)]
pub fn op_http_body_close(state: &mut OpState, rid: u32) {
    if let Some(bodies) = state.try_borrow_mut::<Bodies>() {
        bodies.open.remove(&rid);
    }
}
