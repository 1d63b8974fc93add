//! The engine's HTTP client behind the ops' [`HttpClient`] interface: hyper with rustls for the
//! plain case, so a request carries exactly the headers the bridge gives (as undici sends
//! them); reqwest for proxies, followed redirects and whole-exchange timeouts (it adds
//! `accept: */*`). Response bodies are decoded here when asked (gzip, deflate, br).
//!
//! Connection pools live per engine thread and per distinct connection setting (TLS options,
//! redirect policy, proxy), so consecutive requests of a job reuse connections.

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
    direct::forget_thread_clients();
}

/// The engine's client (hyper, or reqwest where it is needed; see the module documentation).
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
        // as Node's `ca`: these certificates instead of the system's roots, not beside them
        builder = builder.tls_built_in_root_certs(false);
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
/// belongs to a self-signed leaf or a missing intermediate: the hyper path's verifier looks at
/// the chain and names the case; through reqwest, OpenSSL's most common case for a server that
/// sends only its leaf (`unable to verify the first certificate`) is used.
fn tls_failure(text: &str) -> Option<(&'static str, &'static str)> {
    if !text.contains("invalid peer certificate") {
        return None;
    }
    // the hyper path's verifier names OpenSSL's verdict for an untrusted chain itself
    for (code, message) in direct::UNTRUSTED {
        if text.contains(code) {
            return Some((code, message));
        }
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

/// rustls settings for a TLS connection other than HTTP (the `pg` driver): the same trust rules
/// as HTTP's, keeping the server's leaf certificate in `leaf` for error messages.
pub(crate) fn tls_config_seeing_leaf(
    tls: &TlsOptions,
    leaf: std::sync::Arc<std::sync::Mutex<Option<Vec<u8>>>>,
) -> Result<rustls::ClientConfig, HttpError> {
    direct::tls_config_with(tls, Some(leaf))
}

/// Node's code and OpenSSL's text for a failed handshake (`text`: the error chain).
pub(crate) fn tls_failure_text(text: &str) -> Option<(&'static str, &'static str)> {
    tls_failure(text)
}

/// A certificate's subject alternative names as OpenSSL prints them (`DNS:localhost`,
/// `IP Address:127.0.0.1`), in the certificate's order.
pub(crate) fn subject_alt_names(cert: &[u8]) -> Vec<String> {
    use direct::der;
    // tbsCertificate: [0] version, serial, signature, issuer, validity, subject, spki,
    // [1], [2], then [3] extensions
    let names = || -> Option<Vec<String>> {
        let (_, certificate, _) = der(cert)?;
        let (_, tbs, _) = der(certificate)?;
        let mut rest = tbs;
        let mut extensions = None;
        while !rest.is_empty() {
            let (tag, body, next) = der(rest)?;
            if tag == 0xa3 {
                extensions = Some(der(body)?.1);
            }
            rest = next;
        }
        let mut list = extensions?;
        while !list.is_empty() {
            let (_, extension, next) = der(list)?;
            list = next;
            let (_, oid, mut fields) = der(extension)?;
            if oid != [0x55, 0x1d, 0x11] {
                continue;
            }
            let (mut tag, mut value, after) = der(fields)?;
            if tag == 0x01 {
                // `critical`
                fields = after;
                (tag, value, _) = der(fields)?;
            }
            if tag != 0x04 {
                return None;
            }
            let (_, mut general, _) = der(value)?;
            let mut out = Vec::new();
            while !general.is_empty() {
                let (tag, body, next) = der(general)?;
                general = next;
                match tag {
                    0x82 => out.push(format!("DNS:{}", String::from_utf8_lossy(body))),
                    0x81 => out.push(format!("email:{}", String::from_utf8_lossy(body))),
                    0x86 => out.push(format!("URI:{}", String::from_utf8_lossy(body))),
                    0x87 if body.len() == 4 => out.push(format!(
                        "IP Address:{}.{}.{}.{}",
                        body[0], body[1], body[2], body[3]
                    )),
                    0x87 if body.len() == 16 => {
                        let groups: Vec<String> = body
                            .chunks(2)
                            .map(|g| format!("{:X}", u16::from_be_bytes([g[0], g[1]])))
                            .collect();
                        out.push(format!("IP Address:{}", groups.join(":")));
                    }
                    _ => {}
                }
            }
            return Some(out);
        }
        Some(Vec::new())
    };
    names().unwrap_or_default()
}

/// Maps a reqwest failure to the code undici/Node would report.
fn classify(error: &reqwest::Error) -> HttpError {
    let code = if error.is_timeout() && error.is_connect() {
        Some("UND_ERR_CONNECT_TIMEOUT")
    } else if error.is_timeout() {
        Some("UND_ERR_HEADERS_TIMEOUT")
    } else if error.is_redirect() {
        Some("UND_ERR_REDIRECT")
    } else {
        None
    };
    classify_chain(error, code)
}

/// Maps a failure (its whole `source` chain) to the code undici/Node would report; `fallback`
/// when the text names no socket or TLS failure.
fn classify_chain(error: &dyn std::error::Error, fallback: Option<&'static str>) -> HttpError {
    let mut text = error.to_string();
    let mut source = error.source();
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
    // the peer closed the connection before the answer (or its body) was whole: undici's
    // words for it, whichever HTTP layer noticed
    if lower.contains("end of file before message length reached")
        || lower.contains("connection closed before message completed")
    {
        return HttpError {
            code: "UND_ERR_SOCKET",
            message: "other side closed".into(),
        };
    }
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
    } else if let Some(code) = fallback {
        code
    } else if lower.contains("connection reset") {
        "ECONNRESET"
    } else {
        "UND_ERR_SOCKET"
    };
    HttpError {
        code,
        message: text,
    }
}

fn invalid(message: String) -> HttpError {
    HttpError {
        code: "ERR_INVALID_ARG_VALUE",
        message,
    }
}

/// Waits for the response head, at most `headers_timeout_ms` (undici's `headersTimeout`).
async fn within_headers_timeout<T>(
    limit_ms: Option<u64>,
    send: impl std::future::Future<Output = Result<T, HttpError>>,
) -> Result<T, HttpError> {
    match limit_ms.filter(|ms| *ms > 0) {
        Some(ms) => match tokio::time::timeout(Duration::from_millis(ms), send).await {
            Ok(r) => r,
            Err(_) => Err(HttpError {
                code: "UND_ERR_HEADERS_TIMEOUT",
                message: "Headers Timeout Error".into(),
            }),
        },
        None => send.await,
    }
}

/// The response head the ops return, and the body decoded as asked (`decompress`) and limited
/// by `body_timeout_ms` between chunks.
fn exchange(
    request: &HttpRequest,
    status: u16,
    response_headers: &reqwest::header::HeaderMap,
    url: String,
    raw: BodyStream,
) -> HttpExchange {
    let mut decoder = None;
    if request.decompress {
        let coding = response_headers
            .get(reqwest::header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        decoder = Decoder::for_coding(coding);
    }
    let headers = response_headers
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
        status,
        status_text: reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("")
            .to_string(),
        headers,
        url,
        rid: 0,
    };
    let chunks: BodyStream = match decoder {
        None => raw,
        Some(decoder) => decoded(raw, decoder),
    };
    let body_timeout = request
        .body_timeout_ms
        .filter(|ms| *ms > 0)
        .map(Duration::from_millis);
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
    (head, stream)
}

/// Through reqwest: requests that follow redirects, go through a proxy or have a whole-exchange
/// timeout. reqwest adds `accept: */*` when the caller sent no `accept`.
async fn via_reqwest(
    request: HttpRequest,
    body: Option<Vec<u8>>,
) -> Result<HttpExchange, HttpError> {
    let client = client_for(&request)?;
    let method = reqwest::Method::from_bytes(request.method.to_uppercase().as_bytes())
        .map_err(|_| invalid(format!("invalid method {}", request.method)))?;
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
    let send = async { builder.send().await.map_err(|e| classify(&e)) };
    let response = within_headers_timeout(request.headers_timeout_ms, send).await?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let url = response.url().to_string();
    let raw: BodyStream = Box::pin(
        response
            .bytes_stream()
            .map(|r| r.map(|b| b.to_vec()).map_err(|e| classify(&e))),
    );
    Ok(exchange(&request, status, &headers, url, raw))
}

impl HttpClient for ReqwestClient {
    fn fetch(
        &self,
        request: HttpRequest,
        body: Option<Vec<u8>>,
    ) -> LocalBoxFuture<'static, Result<HttpExchange, HttpError>> {
        let follow = request.redirect.as_deref() == Some("follow");
        if follow || request.proxy.is_some() || request.timeout_ms.is_some_and(|ms| ms > 0) {
            via_reqwest(request, body).boxed_local()
        } else {
            direct::fetch(request, body).boxed_local()
        }
    }
}

/// The plain case (no proxy, no redirects to follow), on hyper directly: the request carries
/// exactly the headers the bridge gives, in that order (names lower-case, the values of a
/// repeated name together), and nothing else but `content-length` for a body.
mod direct {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::io::Cursor;
    use std::sync::Arc;

    use deno_core::futures::StreamExt;
    use http_body_util::{BodyStream as FrameStream, Full};
    use hyper_util::client::legacy::connect::HttpConnector;
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
    use rustls::{DigitallySignedStruct, SignatureScheme};

    use super::{
        classify_chain, exchange, invalid, within_headers_timeout, BodyStream, HttpError,
        HttpExchange, HttpRequest, TlsOptions,
    };

    type Connector = hyper_rustls::HttpsConnector<HttpConnector>;
    type HyperClient = Client<Connector, Full<Cursor<Vec<u8>>>>;

    thread_local! {
        static CLIENTS: RefCell<HashMap<String, HyperClient>> = RefCell::new(HashMap::new());
    }

    /// `rejectUnauthorized: false`: any server certificate is accepted (signatures are still
    /// checked, as OpenSSL does).
    #[derive(Debug)]
    struct AcceptAnyCertificate(Arc<rustls::crypto::CryptoProvider>);

    impl ServerCertVerifier for AcceptAnyCertificate {
        fn verify_server_cert(
            &self,
            _end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls12_signature(
                message,
                cert,
                dss,
                &self.0.signature_verification_algorithms,
            )
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(
                message,
                cert,
                dss,
                &self.0.signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }

    /// OpenSSL's verdicts for a chain that leads to no trusted root, as Node reports them.
    pub(super) const UNTRUSTED: [(&str, &str); 4] = [
        ("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"),
        (
            "SELF_SIGNED_CERT_IN_CHAIN",
            "self-signed certificate in certificate chain",
        ),
        (
            "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
            "unable to get local issuer certificate",
        ),
        (
            "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
            "unable to verify the first certificate",
        ),
    ];

    /// OpenSSL's verdict (one of [`UNTRUSTED`]'s codes) carried through rustls' error.
    #[derive(Debug)]
    struct Untrusted(&'static str);

    impl std::fmt::Display for Untrusted {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Untrusted {}

    /// One DER element: tag, contents, what follows.
    pub(super) fn der(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, rest) = input.split_first()?;
        let (&first, rest) = rest.split_first()?;
        let (len, rest) = if first < 0x80 {
            (first as usize, rest)
        } else {
            let n = (first & 0x7f) as usize;
            if n == 0 || n > 4 || rest.len() < n {
                return None;
            }
            let len = rest[..n].iter().fold(0usize, |a, b| (a << 8) | *b as usize);
            (len, &rest[n..])
        };
        (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
    }

    /// Is the certificate its own issuer (issuer name = subject name)?
    pub(super) fn self_issued(cert: &[u8]) -> bool {
        let names = || {
            let (_, certificate, _) = der(cert)?;
            let (_, tbs, _) = der(certificate)?;
            let (tag, _, mut rest) = der(tbs)?;
            if tag == 0xa0 {
                rest = der(rest)?.2; // [0] version, then the serial number
            }
            let rest = der(rest)?.2; // signature algorithm
            let (_, issuer, rest) = der(rest)?;
            let rest = der(rest)?.2; // validity
            let (_, subject, _) = der(rest)?;
            Some(issuer == subject)
        };
        names().unwrap_or(false)
    }

    /// rustls' WebPKI verification, naming OpenSSL's verdict when the chain reaches no trusted
    /// root (rustls says "unknown issuer" for all of them).
    #[derive(Debug)]
    struct OpenSslVerdicts(Arc<rustls::client::WebPkiServerVerifier>);

    impl ServerCertVerifier for OpenSslVerdicts {
        fn verify_server_cert(
            &self,
            end_entity: &CertificateDer<'_>,
            intermediates: &[CertificateDer<'_>],
            server_name: &ServerName<'_>,
            ocsp: &[u8],
            now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            self.0
                .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
                .map_err(|e| {
                    let text = format!("{e:?}");
                    if !text.contains("UnknownIssuer") && !text.contains("CaUsedAsEndEntity") {
                        return e;
                    }
                    let code = match intermediates.last() {
                        None if self_issued(end_entity) => UNTRUSTED[0].0,
                        None => UNTRUSTED[3].0,
                        Some(top) if self_issued(top) => UNTRUSTED[1].0,
                        Some(_) => UNTRUSTED[2].0,
                    };
                    rustls::Error::InvalidCertificate(rustls::CertificateError::Other(
                        rustls::OtherError(Arc::new(Untrusted(code))),
                    ))
                })
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            self.0.verify_tls12_signature(message, cert, dss)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            self.0.verify_tls13_signature(message, cert, dss)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.supported_verify_schemes()
        }
    }

    /// TLS settings: the system's roots, or instead of them `ca` (as Node's `ca` option), a
    /// client certificate, or no verification.
    fn tls_config(tls: &TlsOptions) -> Result<rustls::ClientConfig, HttpError> {
        tls_config_with(tls, None)
    }

    /// A certificate verifier that keeps the server's leaf certificate (for error messages
    /// that name what it holds) and lets `inner` decide.
    #[derive(Debug)]
    struct SeeLeaf {
        inner: Arc<dyn ServerCertVerifier>,
        leaf: Arc<std::sync::Mutex<Option<Vec<u8>>>>,
    }

    impl ServerCertVerifier for SeeLeaf {
        fn verify_server_cert(
            &self,
            end_entity: &CertificateDer<'_>,
            intermediates: &[CertificateDer<'_>],
            server_name: &ServerName<'_>,
            ocsp: &[u8],
            now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            if let Ok(mut leaf) = self.leaf.lock() {
                *leaf = Some(end_entity.to_vec());
            }
            self.inner
                .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            self.inner.verify_tls12_signature(message, cert, dss)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            self.inner.verify_tls13_signature(message, cert, dss)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.inner.supported_verify_schemes()
        }
    }

    /// [`tls_config`], keeping the server's leaf certificate in `leaf` when given.
    pub(super) fn tls_config_with(
        tls: &TlsOptions,
        leaf: Option<Arc<std::sync::Mutex<Option<Vec<u8>>>>>,
    ) -> Result<rustls::ClientConfig, HttpError> {
        let seeing = |inner: Arc<dyn ServerCertVerifier>| -> Arc<dyn ServerCertVerifier> {
            match &leaf {
                Some(leaf) => Arc::new(SeeLeaf {
                    inner,
                    leaf: leaf.clone(),
                }),
                None => inner,
            }
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| invalid(format!("cannot create the HTTP client: {e}")))?;
        let builder = if tls.reject_unauthorized == Some(false) {
            builder
                .dangerous()
                .with_custom_certificate_verifier(seeing(Arc::new(AcceptAnyCertificate(provider))))
        } else {
            let mut roots = rustls::RootCertStore::empty();
            if tls.ca.is_none() {
                roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
            }
            if let Some(ca) = &tls.ca {
                let certs = CertificateDer::pem_slice_iter(ca.as_bytes())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| invalid(format!("invalid CA: {e}")))?;
                if certs.is_empty() {
                    return Err(invalid("invalid CA: no certificate found".into()));
                }
                for cert in certs {
                    roots
                        .add(cert)
                        .map_err(|e| invalid(format!("invalid CA: {e}")))?;
                }
            }
            if roots.is_empty() {
                // no trust anchor at all (a host without CA certificates): every server fails
                builder.with_root_certificates(roots)
            } else {
                let roots = Arc::new(roots);
                let webpki =
                    rustls::client::WebPkiServerVerifier::builder_with_provider(roots, provider)
                        .build()
                        .map_err(|e| invalid(format!("cannot create the HTTP client: {e}")))?;
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(seeing(Arc::new(OpenSslVerdicts(webpki))))
            }
        };
        match (&tls.cert, &tls.key) {
            (Some(cert), Some(key)) => {
                let chain = CertificateDer::pem_slice_iter(cert.as_bytes())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| invalid(format!("invalid client certificate: {e}")))?;
                let key = PrivateKeyDer::from_pem_slice(key.as_bytes())
                    .map_err(|e| invalid(format!("invalid client certificate: {e}")))?;
                builder
                    .with_client_auth_cert(chain, key)
                    .map_err(|e| invalid(format!("invalid client certificate: {e}")))
            }
            _ => Ok(builder.with_no_client_auth()),
        }
    }

    /// Drops this thread's hyper clients (see [`super::forget_thread_clients`]).
    pub fn forget_thread_clients() {
        CLIENTS.with(|c| c.borrow_mut().clear());
    }

    /// One client per thread, TLS setting and pooling (`pooled: false` keeps no connection
    /// once its exchange is over).
    fn client_for(tls: &TlsOptions, pooled: bool) -> Result<HyperClient, HttpError> {
        let key = serde_json::json!([tls, pooled]).to_string();
        if let Some(client) = CLIENTS.with(|c| c.borrow().get(&key).cloned()) {
            return Ok(client);
        }
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls_config(tls)?)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let mut builder = Client::builder(TokioExecutor::new());
        if !pooled {
            builder.pool_max_idle_per_host(0);
        }
        let client = builder.build(connector);
        CLIENTS.with(|c| c.borrow_mut().insert(key, client.clone()));
        Ok(client)
    }

    /// Sends `request` over hyper.
    pub async fn fetch(
        request: HttpRequest,
        body: Option<Vec<u8>>,
    ) -> Result<HttpExchange, HttpError> {
        let client = client_for(
            &request.tls.clone().unwrap_or_default(),
            !request.close_after,
        )?;
        let method = hyper::Method::from_bytes(request.method.to_uppercase().as_bytes())
            .map_err(|_| invalid(format!("invalid method {}", request.method)))?;
        let uri: hyper::Uri = request
            .url
            .parse()
            .map_err(|e| invalid(format!("invalid URL {}: {e}", request.url)))?;
        let mut builder = hyper::Request::builder().method(method).uri(uri);
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let req = builder
            .body(Full::new(Cursor::new(body.unwrap_or_default())))
            .map_err(|e| invalid(format!("invalid request: {e}")))?;
        let send = async {
            client
                .request(req)
                .await
                .map_err(|e| classify_chain(&e, None))
        };
        let response = within_headers_timeout(request.headers_timeout_ms, send).await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let raw: BodyStream = Box::pin(FrameStream::new(response.into_body()).filter_map(
            |frame| async move {
                match frame {
                    Ok(frame) => frame.into_data().ok().map(|data| Ok(data.to_vec())),
                    Err(e) => Some(Err(classify_chain(&e, None))),
                }
            },
        ));
        let url = request.url.clone();
        Ok(exchange(&request, status, &headers, url, raw))
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

#[cfg(test)]
mod tests {
    use super::{direct, Decoder};
    use std::io::Write;

    fn encode(coding: &str, data: &[u8]) -> Vec<u8> {
        match coding {
            "gzip" => {
                let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                e.write_all(data).unwrap();
                e.finish().unwrap()
            }
            "deflate" => {
                let mut e =
                    flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
                e.write_all(data).unwrap();
                e.finish().unwrap()
            }
            _ => {
                let mut out = Vec::new();
                let mut e = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
                e.write_all(data).unwrap();
                drop(e);
                out
            }
        }
    }

    #[test]
    fn bodies_decode_whatever_the_chunk_boundaries() {
        let data: Vec<u8> = (0..50_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        for coding in ["gzip", "deflate", "br"] {
            let encoded = encode(coding, &data);
            for size in [1, 7, 4096, encoded.len()] {
                let mut decoder = Decoder::for_coding(coding).unwrap();
                let mut out = Vec::new();
                for chunk in encoded.chunks(size) {
                    out.extend(decoder.push(chunk).unwrap());
                }
                out.extend(decoder.finish().unwrap());
                assert!(out == data, "{coding} in chunks of {size}");
            }
        }
        assert!(Decoder::for_coding("identity").is_none());
        assert!(Decoder::for_coding("gzip, br").is_none());
    }

    #[test]
    fn a_corrupt_body_is_an_error() {
        for coding in ["gzip", "deflate", "br"] {
            let mut decoder = Decoder::for_coding(coding).unwrap();
            let pushed = decoder.push(b"this is not compressed at all, not even a little");
            assert!(pushed.is_err() || decoder.finish().is_err(), "{coding}");
        }
    }

    #[test]
    fn self_issued_certificates_are_told_apart() {
        // DER of a certificate whose issuer and subject are both `CN=a`, and one issued by `CN=b`
        let name = |cn: u8| {
            vec![
                0x30, 0x0a, 0x31, 0x08, 0x30, 0x06, 0x06, 0x01, 0x03, 0x0c, 0x01, cn,
            ]
        };
        let cert = |issuer: u8| {
            let mut tbs = vec![0xa0, 0x03, 0x02, 0x01, 0x02]; // [0] version 3
            tbs.extend([0x02, 0x01, 0x01]); // serial
            tbs.extend([0x30, 0x00]); // signature algorithm
            tbs.extend(name(issuer));
            tbs.extend([0x30, 0x00]); // validity
            tbs.extend(name(b'a'));
            let mut tbs_seq = vec![0x30, tbs.len() as u8];
            tbs_seq.extend(tbs);
            let mut out = vec![0x30, tbs_seq.len() as u8];
            out.extend(tbs_seq);
            out
        };
        assert!(direct::self_issued(&cert(b'a')));
        assert!(!direct::self_issued(&cert(b'b')));
        assert!(!direct::self_issued(b"\x30\x05garbage"));
    }
}
