//! Finding a SIP server from a domain (RFC 3263): NAPTR picks the transport, SRV the hosts and
//! ports, A/AAAA the addresses. rsipstack only does SRV and A, and only once it already knows the
//! transport, so the account layer resolves the server here and hands rsipstack an address.

use crate::config::Transport;
use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ProtocolConfig, ResolverConfig,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::TokioResolver;
use std::net::{IpAddr, SocketAddr};

/// Most records of one kind we look at: a provider publishes a handful.
const MAX_RECORDS: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerTarget {
    pub transport: Transport,
    pub addr: SocketAddr,
}

#[derive(Debug, thiserror::Error)]
pub enum DnsError {
    #[error("cannot set up DNS: {0}")]
    Setup(String),
    #[error("{0} was not found in DNS")]
    NotFound(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Naptr {
    pub order: u16,
    pub preference: u16,
    pub flags: String,
    pub services: String,
    pub replacement: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Srv {
    pub priority: u16,
    pub weight: u16,
    pub port: u16,
    pub target: String,
}

/// The three record kinds RFC 3263 needs; an empty answer and a failed query both mean "none".
#[allow(async_fn_in_trait)]
pub trait DnsSource {
    async fn naptr(&self, name: &str) -> Vec<Naptr>;
    async fn srv(&self, name: &str) -> Vec<Srv>;
    async fn ips(&self, name: &str) -> Vec<IpAddr>;
}

pub struct HickoryDns(TokioResolver);

impl HickoryDns {
    /// The system's resolvers, or the given `ip:port` servers (tests point this at a local dnsmasq).
    pub fn new(servers: &[SocketAddr]) -> Result<Self, DnsError> {
        let builder = if servers.is_empty() {
            TokioResolver::builder_tokio().map_err(|e| DnsError::Setup(e.to_string()))?
        } else {
            let mut config = ResolverConfig::from_parts(None, vec![], vec![]);
            for server in servers {
                let mut udp = ConnectionConfig::new(ProtocolConfig::Udp);
                udp.port = server.port();
                let mut tcp = ConnectionConfig::new(ProtocolConfig::Tcp);
                tcp.port = server.port();
                config.add_name_server(NameServerConfig::new(server.ip(), true, vec![udp, tcp]));
            }
            TokioResolver::builder_with_config(config, TokioRuntimeProvider::default())
        };
        builder
            .build()
            .map(Self)
            .map_err(|e| DnsError::Setup(e.to_string()))
    }
}

impl DnsSource for HickoryDns {
    async fn naptr(&self, name: &str) -> Vec<Naptr> {
        let Ok(lookup) = self.0.lookup(name, RecordType::NAPTR).await else {
            return vec![];
        };
        lookup
            .answers()
            .iter()
            .filter_map(|r| match &r.data {
                RData::NAPTR(n) => Some(Naptr {
                    order: n.order,
                    preference: n.preference,
                    flags: String::from_utf8_lossy(&n.flags).into_owned(),
                    services: String::from_utf8_lossy(&n.services).into_owned(),
                    replacement: n.replacement.to_string(),
                }),
                _ => None,
            })
            .take(MAX_RECORDS)
            .collect()
    }

    async fn srv(&self, name: &str) -> Vec<Srv> {
        let Ok(lookup) = self.0.lookup(name, RecordType::SRV).await else {
            return vec![];
        };
        lookup
            .answers()
            .iter()
            .filter_map(|r| match &r.data {
                RData::SRV(s) => Some(Srv {
                    priority: s.priority,
                    weight: s.weight,
                    port: s.port,
                    target: s.target.to_string(),
                }),
                _ => None,
            })
            .take(MAX_RECORDS)
            .collect()
    }

    async fn ips(&self, name: &str) -> Vec<IpAddr> {
        match self.0.lookup_ip(name).await {
            Ok(found) => found.iter().take(MAX_RECORDS).collect(),
            Err(_) => vec![],
        }
    }
}

fn default_port(transport: Transport) -> u16 {
    match transport {
        Transport::Tls => 5061,
        Transport::Udp | Transport::Tcp => 5060,
    }
}

fn srv_prefix(transport: Transport) -> &'static str {
    match transport {
        Transport::Udp => "_sip._udp",
        Transport::Tcp => "_sip._tcp",
        Transport::Tls => "_sips._tcp",
    }
}

fn naptr_transport(services: &str) -> Option<Transport> {
    match services.to_ascii_uppercase().as_str() {
        "SIP+D2U" => Some(Transport::Udp),
        "SIP+D2T" => Some(Transport::Tcp),
        "SIPS+D2T" => Some(Transport::Tls),
        _ => None,
    }
}

fn trim_dot(name: &str) -> &str {
    name.strip_suffix('.').unwrap_or(name)
}

/// Resolves `host` (and `port`/`transport` when the configuration names them) to an ordered
/// list of servers to try, following RFC 3263 section 4.
pub async fn resolve_server<D: DnsSource>(
    dns: &D,
    host: &str,
    port: Option<u16>,
    transport: Option<Transport>,
) -> Result<Vec<ServerTarget>, DnsError> {
    let host = trim_dot(host.trim().trim_start_matches('[').trim_end_matches(']'));
    if let Ok(ip) = host.parse::<IpAddr>() {
        let transport = transport.unwrap_or(Transport::Udp);
        let port = port.unwrap_or(default_port(transport));
        return Ok(vec![ServerTarget {
            transport,
            addr: SocketAddr::new(ip, port),
        }]);
    }
    if let Some(port) = port {
        let transport = transport.unwrap_or(Transport::Udp);
        return addresses(dns, host, port, transport).await;
    }

    let mut srv_names: Vec<(Transport, String)> = Vec::new();
    if transport.is_none() {
        let mut records: Vec<Naptr> = dns
            .naptr(host)
            .await
            .into_iter()
            .filter(|n| n.flags.eq_ignore_ascii_case("s"))
            .collect();
        records.sort_by_key(|n| (n.order, n.preference));
        for record in records {
            if let Some(t) = naptr_transport(&record.services) {
                srv_names.push((t, trim_dot(&record.replacement).to_string()));
            }
        }
    }
    if srv_names.is_empty() {
        let wanted: Vec<Transport> = match transport {
            Some(t) => vec![t],
            None => vec![Transport::Udp, Transport::Tcp, Transport::Tls],
        };
        srv_names = wanted
            .into_iter()
            .map(|t| (t, format!("{}.{host}", srv_prefix(t))))
            .collect();
    }

    let mut targets = Vec::new();
    for (t, name) in srv_names {
        let mut records = dns.srv(&name).await;
        // Weighted random selection (RFC 2782) matters for load spreading across many clients;
        // one client trying in priority order, heaviest first, reaches the same servers.
        records.sort_by_key(|s| (s.priority, std::cmp::Reverse(s.weight)));
        for record in records {
            if record.target == "." {
                continue;
            }
            if let Ok(found) = addresses(dns, trim_dot(&record.target), record.port, t).await {
                targets.extend(found);
            }
        }
        if !targets.is_empty() {
            return Ok(targets);
        }
    }
    let transport = transport.unwrap_or(Transport::Udp);
    addresses(dns, host, default_port(transport), transport).await
}

async fn addresses<D: DnsSource>(
    dns: &D,
    host: &str,
    port: u16,
    transport: Transport,
) -> Result<Vec<ServerTarget>, DnsError> {
    let ips = dns.ips(host).await;
    if ips.is_empty() {
        return Err(DnsError::NotFound(host.to_string()));
    }
    Ok(ips
        .into_iter()
        .map(|ip| ServerTarget {
            transport,
            addr: SocketAddr::new(ip, port),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[derive(Default)]
    struct FakeDns {
        naptr: HashMap<String, Vec<Naptr>>,
        srv: HashMap<String, Vec<Srv>>,
        ips: HashMap<String, Vec<IpAddr>>,
    }

    impl DnsSource for FakeDns {
        async fn naptr(&self, name: &str) -> Vec<Naptr> {
            self.naptr.get(name).cloned().unwrap_or_default()
        }
        async fn srv(&self, name: &str) -> Vec<Srv> {
            self.srv.get(name).cloned().unwrap_or_default()
        }
        async fn ips(&self, name: &str) -> Vec<IpAddr> {
            self.ips.get(name).cloned().unwrap_or_default()
        }
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    fn target(t: Transport, addr: &str) -> ServerTarget {
        ServerTarget {
            transport: t,
            addr: addr.parse().expect("addr"),
        }
    }

    fn provider() -> FakeDns {
        let mut dns = FakeDns::default();
        dns.naptr.insert(
            "example.test".into(),
            vec![
                Naptr {
                    order: 20,
                    preference: 10,
                    flags: "s".into(),
                    services: "SIP+D2U".into(),
                    replacement: "_sip._udp.example.test.".into(),
                },
                Naptr {
                    order: 10,
                    preference: 10,
                    flags: "S".into(),
                    services: "SIPS+D2T".into(),
                    replacement: "_sips._tcp.example.test.".into(),
                },
                Naptr {
                    order: 5,
                    preference: 10,
                    flags: "u".into(),
                    services: "E2U+sip".into(),
                    replacement: ".".into(),
                },
            ],
        );
        dns.srv.insert(
            "_sips._tcp.example.test".into(),
            vec![
                Srv {
                    priority: 20,
                    weight: 1,
                    port: 5071,
                    target: "backup.example.test.".into(),
                },
                Srv {
                    priority: 10,
                    weight: 1,
                    port: 5061,
                    target: "edge.example.test.".into(),
                },
            ],
        );
        dns.srv.insert(
            "_sip._udp.example.test".into(),
            vec![Srv {
                priority: 10,
                weight: 1,
                port: 5080,
                target: "edge.example.test.".into(),
            }],
        );
        dns.ips
            .insert("edge.example.test".into(), vec![ip("127.0.0.2")]);
        dns.ips
            .insert("backup.example.test".into(), vec![ip("127.0.0.3")]);
        dns.ips.insert("example.test".into(), vec![ip("127.0.0.9")]);
        dns
    }

    #[tokio::test]
    async fn naptr_chooses_the_transport_and_srv_the_hosts() {
        let found = resolve_server(&provider(), "example.test", None, None)
            .await
            .expect("resolve");
        assert_eq!(
            found,
            vec![
                target(Transport::Tls, "127.0.0.2:5061"),
                target(Transport::Tls, "127.0.0.3:5071")
            ]
        );
    }

    #[tokio::test]
    async fn a_configured_transport_skips_naptr() {
        let found = resolve_server(&provider(), "example.test", None, Some(Transport::Udp))
            .await
            .expect("resolve");
        assert_eq!(found, vec![target(Transport::Udp, "127.0.0.2:5080")]);
    }

    #[tokio::test]
    async fn without_naptr_or_srv_the_domain_itself_is_used() {
        let found = resolve_server(&provider(), "example.test", None, Some(Transport::Tcp))
            .await
            .expect("resolve");
        assert_eq!(found, vec![target(Transport::Tcp, "127.0.0.9:5060")]);
        let mut dns = provider();
        dns.naptr.clear();
        dns.srv.clear();
        let found = resolve_server(&dns, "example.test.", None, None)
            .await
            .expect("resolve");
        assert_eq!(found, vec![target(Transport::Udp, "127.0.0.9:5060")]);
    }

    #[tokio::test]
    async fn an_explicit_port_or_an_ip_skips_srv() {
        let found = resolve_server(&provider(), "example.test", Some(5090), None)
            .await
            .expect("resolve");
        assert_eq!(found, vec![target(Transport::Udp, "127.0.0.9:5090")]);
        let found = resolve_server(&provider(), "127.0.0.1", None, Some(Transport::Tls))
            .await
            .expect("resolve");
        assert_eq!(found, vec![target(Transport::Tls, "127.0.0.1:5061")]);
        let found = resolve_server(&provider(), "[::1]", Some(5062), None)
            .await
            .expect("resolve");
        assert_eq!(found, vec![target(Transport::Udp, "[::1]:5062")]);
    }

    #[tokio::test]
    async fn an_unknown_domain_is_a_clear_error() {
        let err = resolve_server(&provider(), "nowhere.test", None, None)
            .await
            .expect_err("unknown");
        assert_eq!(err.to_string(), "nowhere.test was not found in DNS");
    }
}
