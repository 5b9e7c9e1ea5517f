//! What the gateway decides on its own: the canonical path, the route it names, who the
//! client is, and what body goes on.

pub mod api_document;
pub mod canonical;
pub mod client_ip;
pub mod request_body;
pub mod routing;
