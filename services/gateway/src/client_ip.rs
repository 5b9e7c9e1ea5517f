//! Which address a request is counted against. Directly exposed, it is the TCP peer. Behind the
//! ingress (`http.trust_forwarded_for`) it is the right-most `X-Forwarded-For` entry: the one
//! our ingress appended. Everything to its left, and any `Forwarded` header, was written by the
//! client and never chooses a bucket.

use std::net::IpAddr;

use actix_web::HttpRequest;

/// The right-most address of the `X-Forwarded-For` values, if it is an address at all.
pub fn rightmost_forwarded<'a>(values: impl Iterator<Item = &'a str>) -> Option<IpAddr> {
    let last_header = values.last()?;
    let hop = last_header.rsplit(',').next()?.trim();
    hop.parse().ok()
}

pub fn client_ip(req: &HttpRequest, trust_forwarded: bool) -> String {
    if trust_forwarded {
        let values = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok());
        if let Some(ip) = rightmost_forwarded(values) {
            return ip.to_string();
        }
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rightmost(values: &[&str]) -> Option<String> {
        rightmost_forwarded(values.iter().copied()).map(|ip| ip.to_string())
    }

    #[test]
    fn only_the_hop_the_ingress_appended_counts() {
        assert_eq!(rightmost(&["1.1.1.1"]), Some("1.1.1.1".into()));
        assert_eq!(
            rightmost(&["6.6.6.6, 7.7.7.7, 10.0.0.9"]),
            Some("10.0.0.9".into())
        );
        assert_eq!(rightmost(&["6.6.6.6", "10.0.0.9"]), Some("10.0.0.9".into()));
        assert_eq!(rightmost(&["2001:db8::1"]), Some("2001:db8::1".into()));
        assert_eq!(rightmost(&["1.1.1.1, not-an-ip"]), None);
        assert_eq!(rightmost(&[]), None);
    }
}
