use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::{
        header::{HeaderName, HeaderValue},
        StatusCode,
    },
    middleware::Next,
    Error, HttpMessage,
};
use idaas_api::ErrorDetail;
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RootSpanBuilder};
use uuid::Uuid;

pub use idaas_telemetry::REQUEST_ID_HEADER;

fn acceptable(v: &str) -> bool {
    !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic())
}

/// Keeps a caller's (or the gateway's) `X-Request-Id`, or stamps a new one, and echoes it.
pub async fn request_id(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let name = HeaderName::from_static(REQUEST_ID_HEADER);
    let id = req
        .headers()
        .get(&name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map(str::to_owned)
        .unwrap_or_else(|| Uuid::new_v4().to_string());
    let value = HeaderValue::from_str(&id).unwrap_or_else(|_| HeaderValue::from_static("invalid"));
    req.headers_mut().insert(name.clone(), value.clone());
    // Current for the whole handler, so internal calls and outbox events carry it on.
    let mut res = idaas_telemetry::with_request_id(id, next.call(req)).await?;
    res.headers_mut().insert(name, value);
    Ok(res)
}

/// Path segments that follow these carry single-use secrets (consent tokens, federation
/// challenges): logs and traces show `[redacted]` instead.
const SECRET_AFTER: &[&str] = &["consent", "verify"];

/// The request target as logs may show it: secrets in the path redacted, the query dropped
/// (it can carry external ids).
pub fn loggable_target(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut redact_next = false;
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        if redact_next && !segment.is_empty() {
            out.push_str("[redacted]");
        } else {
            out.push_str(segment);
        }
        redact_next = SECRET_AFTER.contains(&segment);
    }
    out
}

/// Marks an answer the gateway passed on from a peer unchanged: a 5xx among them was logged,
/// with its cause, by the peer that made it.
#[derive(Debug, Clone, Copy)]
pub struct PassedOn;

/// The root span of every request: the W3C trace context of the caller becomes its parent
/// and the request id is a field, so logs and traces join up across services. Built here
/// rather than with `tracing_actix_web::root_span!`, which logs the raw target.
pub struct RootSpan;

fn header<'a>(request: &'a ServiceRequest, name: &str) -> &'a str {
    request
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

impl RootSpanBuilder for RootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let route = request.match_pattern().unwrap_or_else(|| "default".into());
        let method = request.method().as_str();
        let span = tracing::info_span!(
            "HTTP request",
            http.method = %method,
            // Recorded once the answer is known: the gateway finds its route only then.
            http.route = tracing::field::Empty,
            http.target = %loggable_target(request.path()),
            http.client_ip = %request.connection_info().realip_remote_addr().unwrap_or(""),
            http.user_agent = %header(request, "user-agent"),
            http.status_code = tracing::field::Empty,
            otel.name = %format!("{method} {route}"),
            otel.kind = "server",
            otel.status_code = tracing::field::Empty,
            request_id = %header(request, REQUEST_ID_HEADER),
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        );
        let carried: idaas_telemetry::TraceHeaders = ["traceparent", "tracestate"]
            .into_iter()
            .filter_map(|h| {
                let v = header(request, h);
                (!v.is_empty()).then(|| (h.to_owned(), v.to_owned()))
            })
            .collect();
        if !carried.is_empty() {
            idaas_telemetry::extract_into_span(&span, &carried);
        }
        span
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        // The gateway matches its routes itself (one catch-all for actix), so the route it
        // found is known only now: name the span by it, as the metrics label it.
        if let Ok(res) = outcome {
            let label = res
                .request()
                .extensions()
                .get::<crate::RouteLabel>()
                .map(|r| r.0.to_owned());
            if let Some(route) = &label {
                span.record("otel.name", format!("{} {route}", res.request().method()));
            }
            let route = label
                .or_else(|| res.request().match_pattern())
                .unwrap_or_else(|| "default".into());
            span.record("http.route", route.as_str());
        }
        span.in_scope(|| log_outcome(outcome));
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

/// The one log line of a request that went wrong, inside its span (so it carries the request
/// id and route): a 5xx at ERROR with its cause (503, a dependency or overload that retrying
/// may cure, at WARN), a 4xx at INFO with its error code. Causes are recorded on the error
/// (`ApiError::internal`/`unavailable`), not logged where they arise, so each failed request is
/// logged exactly once. A 5xx the gateway passed on from a peer (marked `PassedOn`) is a WARN:
/// the peer logged its cause. Successes, and the probes' own answers (`/actuator/*`, whose
/// failures the health checks log), are DEBUG.
fn log_outcome<B>(outcome: &Result<ServiceResponse<B>, Error>) {
    let (status, detail, error, passed_on, probe) = match outcome {
        Ok(res) => (
            res.status(),
            res.response().extensions().get::<ErrorDetail>().cloned(),
            res.response().error().map(ToString::to_string),
            res.response().extensions().get::<PassedOn>().is_some(),
            res.request().path().starts_with("/actuator/"),
        ),
        Err(e) => (
            e.as_response_error().status_code(),
            None,
            Some(e.to_string()),
            false,
            false,
        ),
    };
    let status_code = status.as_u16();
    let code = detail.as_ref().map_or("", |d| d.code);
    let cause = detail
        .and_then(|d| d.cause)
        .or(error)
        .unwrap_or_else(|| "none recorded".into());
    if probe {
        tracing::debug!(status = status_code, "probe answered");
    } else if status.is_server_error() && (passed_on || status == StatusCode::SERVICE_UNAVAILABLE) {
        tracing::warn!(status = status_code, error_code = code, cause = %cause, passed_on, "request failed");
    } else if status.is_server_error() {
        tracing::error!(status = status_code, error_code = code, cause = %cause, "request failed");
    } else if status.is_client_error() {
        tracing::info!(status = status_code, error_code = code, "request refused");
    } else {
        tracing::debug!(status = status_code, "request completed");
    }
}

#[cfg(test)]
mod tests {
    use super::loggable_target;

    #[test]
    fn secrets_in_paths_never_reach_the_logs() {
        assert_eq!(
            loggable_target("/api/v1/consent/s3cr3t/approve"),
            "/api/v1/consent/[redacted]/approve"
        );
        assert_eq!(
            loggable_target("/v1/federation/verify/chal"),
            "/v1/federation/verify/[redacted]"
        );
        assert_eq!(loggable_target("/v1/tags/alice"), "/v1/tags/alice");
        assert_eq!(loggable_target("/v1/consent/"), "/v1/consent/");
    }
}
