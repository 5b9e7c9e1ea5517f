use std::collections::BTreeMap;

use actix_web::{http::StatusCode, HttpResponse};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Component {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `/actuator/health`: `UP` with 200 only when every component is up, else `DOWN` with 503.
#[derive(Debug, Default, Serialize)]
pub struct HealthReport {
    status: &'static str,
    components: BTreeMap<String, Component>,
}

impl HealthReport {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn component<E: std::fmt::Display>(mut self, name: &str, result: Result<(), E>) -> Self {
        let c = match result {
            Ok(()) => Component {
                status: "UP",
                error: None,
            },
            Err(e) => Component {
                status: "DOWN",
                error: Some(e.to_string()),
            },
        };
        self.components.insert(name.to_owned(), c);
        self
    }

    pub fn is_up(&self) -> bool {
        self.components.values().all(|c| c.status == "UP")
    }

    pub fn into_response(mut self) -> HttpResponse {
        let up = self.is_up();
        self.status = if up { "UP" } else { "DOWN" };
        let status = if up {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        };
        HttpResponse::build(status).json(self)
    }
}
