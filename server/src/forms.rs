//! Forms sent without JavaScript: when one is refused, the browser is sent back to it, and this
//! layer makes the way back carry what was typed (never passwords or secrets) so the form can
//! show it again.

use app::domain::links::{KEPT_INPUT_PARAM, encode_form, parse_form, urlencode};
use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, StatusCode, header};

fn is_plain_form_post(req: &Request) -> bool {
    let header_has = |name, needle: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains(needle))
    };
    req.method() == Method::POST
        && req.uri().path().starts_with("/api/")
        && header_has(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        && header_has(header::ACCEPT, "text/html")
}

/// `location` without the query parameter `name`.
fn without_param(location: &str, name: &str) -> String {
    let Some((base, query)) = location.split_once('?') else {
        return location.to_string();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| pair.split('=').next() != Some(name))
        .collect();
    if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    }
}

pub async fn keep_form_input(req: Request, next: Next) -> Response {
    if !is_plain_form_post(&req) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::router::BODY_LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.").into_response();
    };
    let typed: Vec<(String, String)> = parse_form(&String::from_utf8_lossy(&bytes))
        .into_iter()
        .filter(|(name, _)| !name.contains("password") && !name.contains("secret"))
        .collect();
    let mut res = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let Some(location) = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
    else {
        return res;
    };
    // A refused form comes back with the server function's error in `__err`.
    let location = without_param(location, KEPT_INPUT_PARAM);
    let location = if location.contains("__err=") && !typed.is_empty() {
        format!(
            "{location}&{KEPT_INPUT_PARAM}={}",
            urlencode(&encode_form(&typed))
        )
    } else {
        location
    };
    if let Ok(value) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, value);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::without_param;

    #[test]
    fn one_parameter_is_removed_and_the_rest_kept() {
        assert_eq!(
            without_param("http://h/setup?a=1&__input=x&b=2", "__input"),
            "http://h/setup?a=1&b=2"
        );
        assert_eq!(without_param("/setup?__input=x", "__input"), "/setup");
        assert_eq!(without_param("/setup", "__input"), "/setup");
    }
}
