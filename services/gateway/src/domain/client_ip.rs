//! Which address a request is counted against. Directly exposed, it is the TCP peer. Behind the
//! ingress (`http.trust_forwarded_for`) it is the right-most `X-Forwarded-For` entry: the one
//! our ingress appended. Everything to its left, and any `Forwarded` header, was written by the
//! client and never chooses a bucket.

use std::net::{IpAddr, Ipv6Addr};

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

/// The per-IP rate-limit subject: the address itself for IPv4, its /64 for IPv6, since one
/// IPv6 client usually holds a whole /64 and could rotate through it.
pub fn limit_subject(ip: &str) -> String {
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{}/64", Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => ip.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_share_their_64() {
        assert_eq!(limit_subject("203.0.113.9"), "203.0.113.9");
        assert_eq!(limit_subject("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(limit_subject("2001:db8:1:2:ffff::9"), "2001:db8:1:2::/64");
        assert_ne!(limit_subject("2001:db8:1:3::1"), "2001:db8:1:2::/64");
        assert_eq!(limit_subject("::ffff:198.51.100.7"), "198.51.100.7");
    }

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
