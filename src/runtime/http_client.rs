//! The engine's HTTP client: reqwest (rustls) behind the ops' [`HttpClient`] interface.
//!
//! Connection pools live per engine thread and per distinct connection setting (TLS options,
//! redirect policy, decompression, proxy), so consecutive requests of a job reuse connections.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

use deno_core::futures::future::LocalBoxFuture;
use deno_core::futures::{FutureExt, StreamExt};
use reqwest::redirect::Policy;

use crate::ops::http::{
    BodyStream, HttpClient, HttpError, HttpExchange, HttpRequest, HttpResponseHead, TlsOptions,
};

thread_local! {
    static CLIENTS: RefCell<HashMap<String, reqwest::Client>> = RefCell::new(HashMap::new());
}

/// Drops this thread's cached clients: their connections belong to the tokio runtime that made
/// them, and a thread that starts a new runtime per run must not reuse them.
pub fn forget_thread_clients() {
    CLIENTS.with(|c| c.borrow_mut().clear());
}

/// The reqwest-backed client.
pub struct ReqwestClient;

fn client_for(request: &HttpRequest) -> Result<reqwest::Client, HttpError> {
    let tls = request.tls.clone().unwrap_or_default();
    let follow = request.redirect.as_deref() == Some("follow");
    let max = request
        .max_redirections
        .unwrap_or(if follow { 20 } else { 0 });
    let key = serde_json::json!([tls, follow, max, request.proxy]).to_string();
    if let Some(client) = CLIENTS.with(|c| c.borrow().get(&key).cloned()) {
        return Ok(client);
    }
    let client = build_client(&tls, follow, max, request.proxy.as_deref())?;
    CLIENTS.with(|c| c.borrow_mut().insert(key, client.clone()));
    Ok(client)
}

fn build_client(
    tls: &TlsOptions,
    follow: bool,
    max: usize,
    proxy: Option<&str>,
) -> Result<reqwest::Client, HttpError> {
    let config_error = |message: String| HttpError {
        code: "ERR_INVALID_ARG_VALUE",
        message,
    };
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .redirect(if follow && max > 0 {
            Policy::limited(max)
        } else {
            Policy::none()
        })
        // decoding happens here (`Decoder`), not in reqwest, which would also add an
        // `accept-encoding` the caller did not send
        .gzip(false)
        .brotli(false)
        .deflate(false)
        .no_proxy();
    if let Some(ca) = &tls.ca {
        for cert in reqwest::Certificate::from_pem_bundle(ca.as_bytes())
            .map_err(|e| config_error(format!("invalid CA: {e}")))?
        {
            builder = builder.add_root_certificate(cert);
        }
    }
    if let (Some(cert), Some(key)) = (&tls.cert, &tls.key) {
        let pem = format!("{cert}\n{key}");
        let identity = reqwest::Identity::from_pem(pem.as_bytes())
            .map_err(|e| config_error(format!("invalid client certificate: {e}")))?;
        builder = builder.identity(identity);
    }
    if tls.reject_unauthorized == Some(false) {
        builder = builder.danger_accept_invalid_certs(true);
    }
    if let Some(proxy) = proxy {
        builder = builder.proxy(
            reqwest::Proxy::all(proxy).map_err(|e| config_error(format!("invalid proxy: {e}")))?,
        );
    }
    builder
        .build()
        .map_err(|e| config_error(format!("cannot create the HTTP client: {e}")))
}

/// Node's code and OpenSSL's text for a server certificate rustls rejected (`text` is the error
/// chain), as Node reports the same certificate. rustls does not say whether an unknown issuer
/// belongs to a self-signed leaf or a missing intermediate; OpenSSL's most common case for a
/// server that sends only its leaf (`unable to verify the first certificate`) is used.
fn tls_failure(text: &str) -> Option<(&'static str, &'static str)> {
    if !text.contains("invalid peer certificate") {
        return None;
    }
    Some(if text.contains("CaUsedAsEndEntity") {
        // a self-signed certificate (openssl req -x509 marks it as a CA) served as the leaf
        ("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate")
    } else if text.contains("NotValidYet") || text.contains("not valid yet") {
        ("CERT_NOT_YET_VALID", "certificate is not yet valid")
    } else if text.contains("Expired") || text.contains("expired") {
        ("CERT_HAS_EXPIRED", "certificate has expired")
    } else if text.contains("NotValidForName") || text.contains("not valid for name") {
        (
            "ERR_TLS_CERT_ALTNAME_INVALID",
            "Hostname/IP does not match certificate's altnames",
        )
    } else if text.contains("UnknownIssuer") || text.contains("unknown issuer") {
        (
            "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
            "unable to verify the first certificate",
        )
    } else {
        return None;
    })
}

/// Maps a reqwest failure to the code undici/Node would report.
fn classify(error: &reqwest::Error) -> HttpError {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    if let Some((code, message)) = tls_failure(&text) {
        return HttpError {
            code,
            message: message.to_string(),
        };
    }
    let lower = text.to_lowercase();
    let code = if lower.contains("connection refused") {
        "ECONNREFUSED"
    } else if lower.contains("dns error")
        || lower.contains("failed to lookup")
        || lower.contains("name or service not known")
    {
        "ENOTFOUND"
    } else if lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("invalidcertificate")
    {
        "CERT_ERROR"
    } else if error.is_timeout() && error.is_connect() {
        "UND_ERR_CONNECT_TIMEOUT"
    } else if error.is_timeout() {
        "UND_ERR_HEADERS_TIMEOUT"
    } else if lower.contains("connection reset") {
        "ECONNRESET"
    } else if error.is_redirect() {
        "UND_ERR_REDIRECT"
    } else {
        "UND_ERR_SOCKET"
    };
    HttpError {
        code,
        message: text,
    }
}

impl HttpClient for ReqwestClient {
    fn fetch(
        &self,
        request: HttpRequest,
        body: Option<Vec<u8>>,
    ) -> LocalBoxFuture<'static, Result<HttpExchange, HttpError>> {
        async move {
            let client = client_for(&request)?;
            let method = reqwest::Method::from_bytes(request.method.to_uppercase().as_bytes())
                .map_err(|_| HttpError {
                    code: "ERR_INVALID_ARG_VALUE",
                    message: format!("invalid method {}", request.method),
                })?;
            let mut builder = client.request(method, &request.url);
            for (name, value) in &request.headers {
                builder = builder.header(name.as_str(), value.as_str());
            }
            if let Some(body) = body {
                builder = builder.body(body);
            }
            if let Some(ms) = request.timeout_ms.filter(|ms| *ms > 0) {
                builder = builder.timeout(Duration::from_millis(ms));
            }
            let send = builder.send();
            let response = match request.headers_timeout_ms.filter(|ms| *ms > 0) {
                Some(ms) => match tokio::time::timeout(Duration::from_millis(ms), send).await {
                    Ok(r) => r,
                    Err(_) => {
                        return Err(HttpError {
                            code: "UND_ERR_HEADERS_TIMEOUT",
                            message: "Headers Timeout Error".into(),
                        })
                    }
                },
                None => send.await,
            }
            .map_err(|e| classify(&e))?;
            let status = response.status();
            let mut decoder = None;
            if request.decompress {
                let coding = response
                    .headers()
                    .get(reqwest::header::CONTENT_ENCODING)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                decoder = Decoder::for_coding(coding);
            }
            let headers = response
                .headers()
                .iter()
                .filter(|(k, _)| {
                    decoder.is_none()
                        || (*k != reqwest::header::CONTENT_ENCODING
                            && *k != reqwest::header::CONTENT_LENGTH)
                })
                .map(|(k, v)| {
                    (
                        k.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let head = HttpResponseHead {
                status: status.as_u16(),
                status_text: status.canonical_reason().unwrap_or("").to_string(),
                headers,
                url: response.url().to_string(),
                rid: 0,
            };
            let body_timeout = request
                .body_timeout_ms
                .filter(|ms| *ms > 0)
                .map(Duration::from_millis);
            let raw = response
                .bytes_stream()
                .map(|r| r.map(|b| b.to_vec()).map_err(|e| classify(&e)));
            let chunks: BodyStream = match decoder {
                None => Box::pin(raw),
                Some(decoder) => decoded(Box::pin(raw), decoder),
            };
            let stream: BodyStream = match body_timeout {
                None => chunks,
                Some(limit) => Box::pin(deno_core::futures::stream::unfold(
                    chunks,
                    move |mut rest| async move {
                        match tokio::time::timeout(limit, rest.next()).await {
                            Ok(Some(item)) => Some((item, rest)),
                            Ok(None) => None,
                            Err(_) => Some((
                                Err(HttpError {
                                    code: "UND_ERR_BODY_TIMEOUT",
                                    message: "Body Timeout Error".into(),
                                }),
                                rest,
                            )),
                        }
                    },
                )),
            };
            Ok((head, stream))
        }
        .boxed_local()
    }
}

/// Decodes a response body of one content coding (`gzip`, `deflate`, `br`), chunk by chunk.
enum Decoder {
    Gzip(flate2::write::GzDecoder<Vec<u8>>),
    Zlib(flate2::write::ZlibDecoder<Vec<u8>>),
    Brotli(Box<brotli::DecompressorWriter<Vec<u8>>>),
}

impl Decoder {
    /// A decoder for a `content-encoding` value; `None` for identity, several codings or an
    /// unknown one (the body then stays as sent, with its header).
    fn for_coding(coding: &str) -> Option<Decoder> {
        match coding.trim().to_ascii_lowercase().as_str() {
            "gzip" | "x-gzip" => Some(Decoder::Gzip(flate2::write::GzDecoder::new(Vec::new()))),
            "deflate" => Some(Decoder::Zlib(flate2::write::ZlibDecoder::new(Vec::new()))),
            "br" => Some(Decoder::Brotli(Box::new(brotli::DecompressorWriter::new(
                Vec::new(),
                4096,
            )))),
            _ => None,
        }
    }

    /// Decodes `chunk`; returns what is ready.
    fn push(&mut self, chunk: &[u8]) -> std::io::Result<Vec<u8>> {
        use std::io::Write;
        match self {
            Decoder::Gzip(d) => {
                d.write_all(chunk)?;
                Ok(std::mem::take(d.get_mut()))
            }
            Decoder::Zlib(d) => {
                d.write_all(chunk)?;
                Ok(std::mem::take(d.get_mut()))
            }
            Decoder::Brotli(d) => {
                d.write_all(chunk)?;
                Ok(std::mem::take(d.get_mut()))
            }
        }
    }

    /// Ends the stream; returns the rest.
    fn finish(&mut self) -> std::io::Result<Vec<u8>> {
        match self {
            Decoder::Gzip(d) => {
                d.try_finish()?;
                Ok(std::mem::take(d.get_mut()))
            }
            Decoder::Zlib(d) => {
                d.try_finish()?;
                Ok(std::mem::take(d.get_mut()))
            }
            Decoder::Brotli(d) => {
                d.close()?;
                Ok(std::mem::take(d.get_mut()))
            }
        }
    }
}

/// `body` decoded by `decoder`; a corrupt body ends with Node's `Z_DATA_ERROR`.
fn decoded(body: BodyStream, decoder: Decoder) -> BodyStream {
    let corrupt = |e: std::io::Error| HttpError {
        code: "Z_DATA_ERROR",
        message: e.to_string(),
    };
    Box::pin(deno_core::futures::stream::unfold(
        (body, Some(decoder)),
        move |(mut body, mut decoder)| async move {
            loop {
                let d = decoder.as_mut()?;
                match body.next().await {
                    Some(Ok(chunk)) => match d.push(&chunk) {
                        Ok(out) if out.is_empty() => continue,
                        Ok(out) => return Some((Ok(out), (body, decoder))),
                        Err(e) => return Some((Err(corrupt(e)), (body, None))),
                    },
                    Some(Err(e)) => return Some((Err(e), (body, None))),
                    None => {
                        let rest = d.finish();
                        return match rest {
                            Ok(out) if out.is_empty() => None,
                            Ok(out) => Some((Ok(out), (body, None))),
                            Err(e) => Some((Err(corrupt(e)), (body, None))),
                        };
                    }
                }
            }
        },
    ))
}
