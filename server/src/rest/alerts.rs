//! `/api/v1/alerts/alertmanager` and `/api/v1/alerts/pagerduty`: where alerting systems deliver
//! alerts. Alertmanager authenticates with its own bearer token, PagerDuty with the signature of
//! the raw body. A malformed delivery is answered 400 with the reason, logged, and kept as the
//! source's last error for the admin page; nothing of it is written.

use super::{ApiError, ErrorBody};

refusals! {
    Refused {
        "400" => "Malformed; nothing was written.",
        "401" => "A wrong or missing token or signature.",
        "404" => "Deliveries from this source are turned off (Admin → Alerts).",
        "409" => "The incident changed while the delivery was taken in; send it again.",
        "422" => "No rule maps it to a service; nothing was written.",
    }
}
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
use serde::Serialize;
use sha2::Sha256;
use utoipa::ToSchema;

fn refused(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let mut res = (status, Json(ErrorBody::new(code, message))).into_response();
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

/// What became of a delivery.
#[derive(Serialize, ToSchema)]
pub struct DeliveryResult {
    result: DeliveryOutcome,
    /// The incident the delivery opened or went to.
    #[serde(skip_serializing_if = "Option::is_none")]
    incident_id: Option<i64>,
    /// Why an event was ignored.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

/// `unchanged`: every alert was already in that state; `duplicate`: that event was taken in
/// before; `ignored`: an event that does not concern incidents, such as a ping.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryOutcome {
    Opened,
    Updated,
    Unchanged,
    Duplicate,
    Ignored,
}

impl DeliveryResult {
    fn of(outcome: DeliveryOutcome, incident_id: Option<i64>) -> DeliveryResult {
        DeliveryResult {
            result: outcome,
            incident_id,
            reason: None,
        }
    }

    fn ignored(reason: String) -> DeliveryResult {
        DeliveryResult {
            reason: Some(reason),
            ..DeliveryResult::of(DeliveryOutcome::Ignored, None)
        }
    }
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
                    DeliveryResult::of(DeliveryOutcome::Opened, Some(incident_id))
                }
                Received::Updated { incident_id } => {
                    DeliveryResult::of(DeliveryOutcome::Updated, Some(incident_id))
                }
                Received::Unchanged { incident_id } => {
                    DeliveryResult::of(DeliveryOutcome::Unchanged, Some(incident_id))
                }
                Received::Duplicate => DeliveryResult::of(DeliveryOutcome::Duplicate, None),
                Received::Ignored(reason) => DeliveryResult::ignored(reason),
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

/// Alertmanager's webhook
///
/// Alertmanager's own payload (webhook format 4), sent by a `webhook_config` with the token made
/// under Admin → Alerts as its bearer credentials. A firing group opens an incident, or adds to
/// the open one of the same group key; every alert resolved resolves it.
#[utoipa::path(post, path = "/api/v1/alerts/alertmanager", tag = "alerts",
    request_body(content = Object, description = "Alertmanager's webhook payload, version 4."),
    security(("alertmanager_token" = [])),
    responses((status = 200, description = "Taken in.", body = DeliveryResult), Refused))]
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

/// PagerDuty's webhook
///
/// PagerDuty's v3 webhook events, signed with the signing secret saved under Admin → Alerts.
/// `incident.triggered` opens an incident; acknowledged and resolved events follow it.
#[utoipa::path(post, path = "/api/v1/alerts/pagerduty", tag = "alerts",
    request_body(content = Object, description = "A PagerDuty v3 webhook event."),
    security(("pagerduty_signature" = [])),
    responses((status = 200, description = "Taken in, or ignored with the reason.",
        body = DeliveryResult), Refused))]
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
        Ok(pagerduty::Parsed::Ignored(reason)) => {
            (StatusCode::OK, Json(DeliveryResult::ignored(reason))).into_response()
        }
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
