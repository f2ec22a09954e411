//! A registered line accepts SIP only from its server: a stranger on the network cannot ring the
//! phone or spoof a BYE by sending straight to the contact address.

use rsipstack::transport::transport_layer::TransportWhitelist;
use std::net::IpAddr;

pub struct ServerOnly {
    server: IpAddr,
}

impl ServerOnly {
    pub fn new(server: IpAddr) -> Self {
        Self { server }
    }
}

#[async_trait::async_trait]
impl TransportWhitelist for ServerOnly {
    async fn allow(&self, ip: IpAddr) -> bool {
        let allowed = ip == self.server;
        if !allowed {
            // A count per interval, not a line per datagram: a flood must not fill the disk.
            super::log_limit::SIP_DROPS.note(ip);
        }
        allowed
    }
}

/// A line that does not register (the Local line) takes direct calls from the local network
/// only: private (RFC 1918, RFC 4193), link-local and loopback addresses. What comes from
/// elsewhere is dropped without an answer and counted (a scanner learns nothing).
pub struct LocalNetworkOnly {
    dropped: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl LocalNetworkOnly {
    pub fn new(dropped: std::sync::Arc<std::sync::atomic::AtomicU64>) -> Self {
        Self { dropped }
    }
}

#[async_trait::async_trait]
impl TransportWhitelist for LocalNetworkOnly {
    async fn allow(&self, ip: IpAddr) -> bool {
        if is_local_network(ip) {
            return true;
        }
        self.dropped
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        super::log_limit::DIRECT_DROPS.note(ip);
        false
    }
}

/// Loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7) and link-local (169.254/16,
/// fe80::/10) addresses; an IPv4-mapped IPv6 address counts as its IPv4 one.
pub fn is_local_network(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private() || v4.is_link_local(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_local_network(IpAddr::V4(v4)),
            None => {
                let first = v6.segments()[0];
                v6.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_network_is_private_link_local_and_loopback_addresses() {
        for local in [
            "10.77.0.2",
            "172.16.0.1",
            "172.31.255.254",
            "192.168.1.20",
            "169.254.3.4",
            "127.0.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:192.168.1.2",
        ] {
            assert!(is_local_network(local.parse().expect("ip")), "{local}");
        }
        for outside in [
            "203.0.113.5",
            "172.32.0.1",
            "8.8.8.8",
            "100.64.0.1",
            "2001:db8::1",
            "::ffff:203.0.113.5",
        ] {
            assert!(!is_local_network(outside.parse().expect("ip")), "{outside}");
        }
    }

    #[tokio::test]
    async fn outside_addresses_are_dropped_and_counted() {
        let dropped = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let filter = LocalNetworkOnly::new(dropped.clone());
        assert!(filter.allow("192.168.1.9".parse().expect("ip")).await);
        assert!(!filter.allow("203.0.113.5".parse().expect("ip")).await);
        assert!(!filter.allow("203.0.113.6".parse().expect("ip")).await);
        assert_eq!(dropped.load(std::sync::atomic::Ordering::Relaxed), 2);
    }
}
