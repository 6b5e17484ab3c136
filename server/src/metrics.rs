//! `/metrics` in Prometheus's text format, off unless a token or an address allow-list is
//! configured: requests by route and status, their latency, the database pools' use, and the
//! product's figures teams put on their dashboards.

use app::services::gauges;
use app::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode, header};
use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};
use sea_orm::{DatabaseConnection, DbBackend};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The product's figures cost a few queries and a report; scrapes closer together than this
/// reuse the last ones.
const PRODUCT_REFRESH: Duration = Duration::from_secs(30);

/// Latency buckets in seconds: from a cached page to a slow report.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// An address or a network in CIDR notation (`10.0.0.0/8`, `::1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    pub fn parse(input: &str) -> Result<Network, String> {
        let input = input.trim();
        let (addr, prefix) = match input.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (input, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("{input:?} is not an IP address or network"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{input:?} has a prefix length beyond {max}"))?,
        };
        Ok(Network { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        fn masked(bits: u128, prefix: u8, width: u8) -> u128 {
            if prefix == 0 {
                0
            } else {
                bits >> (width - prefix)
            }
        }
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                masked(u32::from(net).into(), self.prefix, 32)
                    == masked(u32::from(ip).into(), self.prefix, 32)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                masked(u128::from(net), self.prefix, 128)
                    == masked(u128::from(ip), self.prefix, 128)
            }
            _ => false,
        }
    }
}

/// Addresses and networks, as configured: comma-separated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllowList(pub Vec<Network>);

impl AllowList {
    pub fn parse(input: &str) -> Result<AllowList, String> {
        MetricsAccess::parse_allow(input).map(AllowList)
    }
}

/// Who may read `/metrics`: a scraper sending the token, or one from an allowed address.
#[derive(Clone, Debug, Default)]
pub struct MetricsAccess {
    pub token: Option<String>,
    pub allow: Vec<Network>,
}

impl MetricsAccess {
    pub fn enabled(&self) -> bool {
        self.token.is_some() || !self.allow.is_empty()
    }

    /// Reads a comma-separated allow-list.
    pub fn parse_allow(input: &str) -> Result<Vec<Network>, String> {
        input
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(Network::parse)
            .collect()
    }

    fn admits(&self, headers: &HeaderMap, client: Option<IpAddr>) -> bool {
        let sent = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let by_token = match (&self.token, sent) {
            (Some(token), Some(sent)) => constant_time_eq(token.as_bytes(), sent.trim().as_bytes()),
            _ => false,
        };
        by_token || client.is_some_and(|ip| self.allow.iter().any(|n| n.contains(ip)))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The recorder every request is counted in, and the handle that renders it.
#[derive(Clone)]
pub struct Metrics {
    recorder: Arc<PrometheusRecorder>,
    handle: PrometheusHandle,
    access: Arc<MetricsAccess>,
    product_read_at: Arc<Mutex<Option<Instant>>>,
}

impl Metrics {
    pub fn new(access: MetricsAccess) -> Metrics {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("http_request_duration_seconds".into()),
                LATENCY_BUCKETS,
            )
            .expect("the buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        let metrics = Metrics {
            recorder: Arc::new(recorder),
            handle,
            access: Arc::new(access),
            product_read_at: Arc::new(Mutex::new(None)),
        };
        metrics.with(describe);
        metrics
    }

    pub fn enabled(&self) -> bool {
        self.access.enabled()
    }

    fn with(&self, f: impl FnOnce()) {
        metrics::with_local_recorder(self.recorder.as_ref(), f);
    }

    /// Folds recent histogram samples into their buckets; run every few seconds.
    pub fn upkeep(&self) {
        self.handle.run_upkeep();
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics")
            .field("enabled", &self.enabled())
            .finish_non_exhaustive()
    }
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "http_requests_total",
        "HTTP requests answered, by route, method and status."
    );
    describe_histogram!(
        "http_request_duration_seconds",
        Unit::Seconds,
        "Time to answer an HTTP request, by route and method."
    );
    describe_gauge!(
        "db_pool_connections",
        "Database connections by pool (reader, writer) and state (idle, in_use)."
    );
    describe_gauge!(
        "hindsight_open_incidents",
        "Incidents not yet resolved, by severity."
    );
    describe_gauge!(
        "hindsight_action_items",
        "Action items by team and state: open (open or in progress), overdue, awaiting_verification."
    );
    describe_gauge!(
        "hindsight_mttd_seconds",
        Unit::Seconds,
        "Mean time from start to detection of this month's incidents (reporting zone)."
    );
    describe_gauge!(
        "hindsight_mttr_seconds",
        Unit::Seconds,
        "Mean time from start to resolution of this month's incidents (reporting zone)."
    );
    describe_gauge!(
        "hindsight_detection_gap_ratio",
        "Share of this month's classified incidents that users reported."
    );
}

/// Counts each request under the route it matched (never its raw path, so ids do not become
/// labels) and times it.
pub async fn track(State(metrics): State<Metrics>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    let elapsed = started.elapsed().as_secs_f64();
    metrics.with(|| {
        counter!("http_requests_total", "route" => route.clone(), "method" => method.clone(), "status" => status)
            .increment(1);
        histogram!("http_request_duration_seconds", "route" => route, "method" => method)
            .record(elapsed);
    });
    response
}

fn pool_use(metrics: &Metrics, name: &'static str, db: &DatabaseConnection) {
    let (size, idle) = match db.get_database_backend() {
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle() as u32)
        }
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle() as u32)
        }
        _ => return,
    };
    metrics.with(|| {
        gauge!("db_pool_connections", "pool" => name, "state" => "idle").set(idle as f64);
        gauge!("db_pool_connections", "pool" => name, "state" => "in_use")
            .set(size.saturating_sub(idle) as f64);
    });
}

async fn product_figures(metrics: &Metrics, state: &AppState) -> Result<(), app::error::AppError> {
    {
        let read_at = metrics.product_read_at.lock().expect("not poisoned");
        if read_at.is_some_and(|t| t.elapsed() < PRODUCT_REFRESH) {
            return Ok(());
        }
    }
    let g = gauges::now(state.db.read(), &state.figures, state.clock.now()).await?;
    metrics.with(|| {
        for (severity, n) in &g.open_incidents {
            gauge!("hindsight_open_incidents", "severity" => severity.key()).set(*n as f64);
        }
        for (team, c) in &g.items_by_team {
            for (state, n) in [
                ("open", c.open),
                ("overdue", c.overdue),
                ("awaiting_verification", c.awaiting_verification),
            ] {
                gauge!("hindsight_action_items", "team" => team.clone(), "state" => state)
                    .set(n as f64);
            }
        }
        // A month without the figure yet shows NaN, which Prometheus reads as "no value".
        let or_nan = |v: Option<f64>| v.unwrap_or(f64::NAN);
        gauge!("hindsight_mttd_seconds").set(or_nan(g.mttd_seconds.map(|s| s as f64)));
        gauge!("hindsight_mttr_seconds").set(or_nan(g.mttr_seconds.map(|s| s as f64)));
        gauge!("hindsight_detection_gap_ratio").set(or_nan(g.detection_gap));
    });
    *metrics.product_read_at.lock().expect("not poisoned") = Some(Instant::now());
    Ok(())
}

/// `GET /metrics`: 404 while off, 401 without the token or an allowed address.
pub async fn scrape(State((state, metrics)): State<(AppState, Metrics)>, req: Request) -> Response {
    if !metrics.enabled() {
        return StatusCode::NOT_FOUND.into_response();
    }
    // The address the security layer settled on: behind a trusted proxy, the forwarded one.
    let ip = req
        .extensions()
        .get::<app::request::ClientIp>()
        .and_then(|c| c.0.parse::<IpAddr>().ok());
    if !metrics.access.admits(req.headers(), ip) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "Send the metrics token as `Authorization: Bearer <token>`, or scrape from an allowed address.",
        )
            .into_response();
    }
    pool_use(&metrics, "reader", state.db.read());
    pool_use(&metrics, "writer", state.db.write());
    if let Err(err) = product_figures(&metrics, &state).await {
        tracing::error!(?err, "product figures for /metrics");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "The figures cannot be read now.",
        )
            .into_response();
    }
    metrics.upkeep();
    (
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        metrics.handle.render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_contain_their_addresses() {
        let net = Network::parse("10.1.0.0/16").unwrap();
        assert!(net.contains("10.1.200.3".parse().unwrap()));
        assert!(!net.contains("10.2.0.1".parse().unwrap()));
        assert!(
            net.contains("::ffff:10.1.0.9".parse().unwrap()),
            "an IPv4 client seen on an IPv6 socket"
        );
        let one = Network::parse("::1").unwrap();
        assert!(one.contains("::1".parse().unwrap()));
        assert!(!one.contains("::2".parse().unwrap()));
        assert!(
            Network::parse("0.0.0.0/0")
                .unwrap()
                .contains("192.0.2.1".parse().unwrap())
        );
        assert!(
            Network::parse("10.0.0.0/33")
                .unwrap_err()
                .contains("prefix")
        );
        assert!(Network::parse("localhost").is_err());
    }

    #[test]
    fn a_token_or_an_allowed_address_admits() {
        let access = MetricsAccess {
            token: Some("s3cret".into()),
            allow: MetricsAccess::parse_allow("127.0.0.1, 10.0.0.0/8").unwrap(),
        };
        let bearer = |t: &str| {
            let mut h = HeaderMap::new();
            h.insert(
                header::AUTHORIZATION,
                format!("Bearer {t}").parse().unwrap(),
            );
            h
        };
        let outside: IpAddr = "192.0.2.7".parse().unwrap();
        assert!(access.admits(&bearer("s3cret"), Some(outside)));
        assert!(!access.admits(&bearer("s3cre"), Some(outside)));
        assert!(!access.admits(&HeaderMap::new(), Some(outside)));
        assert!(access.admits(&HeaderMap::new(), Some("10.9.8.7".parse().unwrap())));
        assert!(!MetricsAccess::default().enabled());
    }
}
