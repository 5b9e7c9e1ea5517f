//! Where an attempt may connect. Outside the local profile a target is `https://` only, its
//! host is resolved once per attempt, every address must be public (no loopback, private,
//! link-local — cloud metadata included —, unique-local, CGNAT, multicast or unspecified
//! address), and the connection is pinned to the checked address, so a DNS answer cannot change
//! between the check and the connect. The local profile lets tests and the demo use a receiver
//! on `http://127.0.0.1`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::Url;

/// How long the target's host may take to resolve.
pub const RESOLVE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("target URL is not a valid absolute URL")]
    Malformed,
    #[error("target must use https")]
    NotHttps,
    #[error("target host did not resolve")]
    Unresolved(#[source] std::io::Error),
    #[error("target host did not resolve within {0:?}")]
    ResolveTimeout(std::time::Duration),
    #[error("target resolves to a non-public address ({0})")]
    Forbidden(IpAddr),
}

/// The URL and, outside local, the one address the attempt must connect to.
pub struct Target {
    pub url: Url,
    pub pinned: Option<(String, SocketAddr)>,
}

pub async fn check(raw: &str, local: bool) -> Result<Target, TargetError> {
    let url = Url::parse(raw).map_err(|_| TargetError::Malformed)?;
    if local {
        return Ok(Target { url, pinned: None });
    }
    if url.scheme() != "https" {
        return Err(TargetError::NotHttps);
    }
    let host = url.host_str().ok_or(TargetError::Malformed)?.to_owned();
    let port = url.port_or_known_default().ok_or(TargetError::Malformed)?;
    // A slow resolver must not stretch an attempt past its lease.
    let addrs: Vec<SocketAddr> = tokio::time::timeout(
        RESOLVE_TIMEOUT,
        tokio::net::lookup_host((host.as_str(), port)),
    )
    .await
    .map_err(|_| TargetError::ResolveTimeout(RESOLVE_TIMEOUT))?
    .map_err(TargetError::Unresolved)?
    .collect();
    if let Some(bad) = addrs.iter().map(SocketAddr::ip).find(|ip| !is_public(*ip)) {
        return Err(TargetError::Forbidden(bad));
    }
    let first = addrs
        .first()
        .copied()
        .ok_or_else(|| TargetError::Unresolved(std::io::Error::other("no addresses")))?;
    Ok(Target {
        url,
        pinned: Some((host, first)),
    })
}

pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => public_v4(v4),
            None => public_v6(v6),
        },
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        // 100.64.0.0/10, carrier-grade NAT: inside someone's network.
        || (a == 100 && (64..128).contains(&b))
        // 198.18.0.0/15, benchmarking.
        || (a == 198 && (b == 18 || b == 19)))
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // fc00::/7 unique-local, fe80::/10 link-local.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        // 2001:db8::/32 documentation.
        || (first == 0x2001 && ip.segments()[1] == 0x0db8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_pass() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            let ip: IpAddr = bad.parse().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
            assert!(!is_public(ip), "{bad}");
        }
        for good in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            let ip: IpAddr = good.parse().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
            assert!(is_public(ip), "{good}");
        }
    }

    #[tokio::test]
    async fn outside_local_only_https_to_public_hosts() {
        assert!(matches!(
            check("http://example.com/hook", false).await,
            Err(TargetError::NotHttps)
        ));
        assert!(matches!(
            check("https://127.0.0.1/hook", false).await,
            Err(TargetError::Forbidden(_))
        ));
        assert!(matches!(
            check("https://localhost:8443/hook", false).await,
            Err(TargetError::Forbidden(_))
        ));
        let local = check("http://127.0.0.1:9/hook", true).await;
        assert!(matches!(local, Ok(Target { pinned: None, .. })));
    }
}
