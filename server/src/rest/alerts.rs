//! `/api/v1/alerts/alertmanager` and `/api/v1/alerts/pagerduty`: where alerting systems deliver
//! alerts. Alertmanager authenticates with its own bearer token, PagerDuty with the signature of
//! the raw body. A malformed delivery is answered 400 with the reason, logged, and kept as the
//! source's last error for the admin page; nothing of it is written.

use super::ApiError;
use app::domain::alert::{AlertSourceKind, alertmanager, pagerduty};
use app::error::AppError;
use app::services::alerts::{self, Received};
use app::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use http::{HeaderMap, StatusCode, header};
use serde_json::json;
use sha2::Sha256;

fn refused(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let mut res = (
        status,
        Json(json!({ "error": { "code": code, "message": message.into() } })),
    )
        .into_response();
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            http::HeaderValue::from_static("Bearer"),
        );
    }
    res
}

fn not_enabled(kind: AlertSourceKind) -> Response {
    refused(
        StatusCode::NOT_FOUND,
        "not_enabled",
        format!(
            "{} deliveries are not turned on. An admin turns them on under Admin → Alerts.",
            kind.label()
        ),
    )
}

/// Answers a refused delivery, logs it and keeps it for the admin page.
async fn malformed(
    state: &AppState,
    kind: AlertSourceKind,
    status: StatusCode,
    reason: String,
) -> Response {
    tracing::warn!(source = kind.key(), %reason, "alert delivery refused");
    if let Err(err) =
        alerts::record_refusal(state.db.write(), kind, &reason, state.clock.now()).await
    {
        tracing::error!(?err, "could not keep the refusal");
    }
    let code = if status == StatusCode::BAD_REQUEST {
        "malformed"
    } else {
        "unprocessable"
    };
    refused(status, code, reason)
}

async fn take_in(
    state: &AppState,
    kind: AlertSourceKind,
    source: &app::entities::alert_source::Model,
    delivery: app::domain::alert::Delivery,
) -> Response {
    match alerts::receive(state.db.write(), source, delivery, state.clock.now()).await {
        Ok(received) => {
            let body = match received {
                Received::Opened { incident_id } => {
                    json!({ "result": "opened", "incident_id": incident_id })
                }
                Received::Updated { incident_id } => {
                    json!({ "result": "updated", "incident_id": incident_id })
                }
                Received::Unchanged { incident_id } => {
                    json!({ "result": "unchanged", "incident_id": incident_id })
                }
                Received::Duplicate => json!({ "result": "duplicate" }),
                Received::Ignored(reason) => json!({ "result": "ignored", "reason": reason }),
            };
            (StatusCode::OK, Json(body)).into_response()
        }
        Err(AppError::Validation { label, message, .. }) => {
            malformed(
                state,
                kind,
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{label} {message}"),
            )
            .await
        }
        Err(err) => ApiError(err).into_response(),
    }
}

pub async fn alertmanager(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let kind = AlertSourceKind::Alertmanager;
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let source = match token {
        Some(token) => alerts::authenticate_alertmanager(state.db.read(), token).await,
        None => Ok(None),
    };
    let source = match source {
        Ok(Some(source)) => source,
        Ok(None) => {
            return match alerts::source(state.db.read(), kind).await {
                Ok(None) => not_enabled(kind),
                Ok(Some(_)) => {
                    tracing::warn!("alertmanager delivery with a wrong or missing token");
                    refused(
                        StatusCode::UNAUTHORIZED,
                        "unauthenticated",
                        "Send the token made under Admin → Alerts as `Authorization: Bearer <token>` \
                         (http_config.authorization.credentials in Alertmanager's webhook_config).",
                    )
                }
                Err(err) => ApiError(err).into_response(),
            };
        }
        Err(err) => return ApiError(err).into_response(),
    };
    match alertmanager::parse(&body) {
        Ok(delivery) => take_in(&state, kind, &source, delivery).await,
        Err(reason) => malformed(&state, kind, StatusCode::BAD_REQUEST, reason).await,
    }
}

/// Whether one of the `v1=` signatures in PagerDuty's header is the body's HMAC-SHA256 under
/// `secret`. Several are sent while a secret is being rotated.
pub fn signed_by(secret: &str, body: &[u8], header: &str) -> bool {
    header
        .split(',')
        .filter_map(|s| s.trim().strip_prefix("v1="))
        .any(|hex| {
            let Some(expected) = decode_hex(hex) else {
                return false;
            };
            let mut mac =
                Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
            mac.update(body);
            mac.verify_slice(&expected).is_ok()
        })
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

pub async fn pagerduty(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let kind = AlertSourceKind::PagerDuty;
    let source = match alerts::source(state.db.read(), kind).await {
        Ok(Some(source)) => source,
        Ok(None) => return not_enabled(kind),
        Err(err) => return ApiError(err).into_response(),
    };
    let signature = headers
        .get("x-pagerduty-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !signed_by(&source.secret, &body, signature) {
        tracing::warn!("pagerduty delivery with a wrong or missing signature");
        return refused(
            StatusCode::UNAUTHORIZED,
            "bad_signature",
            "X-PagerDuty-Signature does not match the body under the signing secret saved under \
             Admin → Alerts.",
        );
    }
    match pagerduty::parse(&body) {
        Ok(pagerduty::Parsed::Delivery(delivery)) => take_in(&state, kind, &source, delivery).await,
        Ok(pagerduty::Parsed::Ignored(reason)) => (
            StatusCode::OK,
            Json(json!({ "result": "ignored", "reason": reason })),
        )
            .into_response(),
        Err(reason) => malformed(&state, kind, StatusCode::BAD_REQUEST, reason).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_checked_against_the_raw_body() {
        let body = br#"{"event":{}}"#;
        let mut mac = Hmac::<Sha256>::new_from_slice(b"s3cret").unwrap();
        mac.update(body);
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(signed_by("s3cret", body, &format!("v1={hex}")));
        assert!(
            signed_by("s3cret", body, &format!("v1=00ff,v1={hex}")),
            "one of several"
        );
        assert!(!signed_by("other", body, &format!("v1={hex}")));
        assert!(!signed_by(
            "s3cret",
            br#"{"event":{} }"#,
            &format!("v1={hex}")
        ));
        assert!(!signed_by("s3cret", body, &format!("v0={hex}")));
        assert!(!signed_by("s3cret", body, ""));
    }
}
