//! Facts about a request that the server's layers decide before a page or server function runs,
//! handed over in the request's extensions.

/// The client's address: the peer's, or a trusted proxy's `X-Forwarded-For` when so configured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientIp(pub String);

/// The Content-Security-Policy nonce of this response; the hydration scripts carry it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CspNonce(pub String);
