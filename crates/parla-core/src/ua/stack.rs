//! One rsipstack endpoint per account: its transports, bound to the local address that routes
//! to the account's server, the dialog layer, and the resolved server every request goes to.
//! A line that does not register listens on TCP too (same port), and one with no server and no
//! address of its own (the Local line) listens on every address of the machine.

mod lan;
pub mod request_check;
pub(crate) mod stream_frame;
pub mod sweep;
mod tcp_accept;
pub mod unknown_method;

use super::trace::SipTrace;
use super::uri::parse_server_uri;
use crate::config::{AccountConfig, DirectCalls, Transport};
use crate::dns::{resolve_server, HickoryDns, ServerTarget};
use rsipstack::dialog::dialog_layer::DialogLayer;
use rsipstack::sip::{Host, Param, Uri};
use rsipstack::transaction::endpoint::EndpointOption;
use rsipstack::transaction::{Endpoint, TransactionReceiver};
use rsipstack::transport::tls::TlsConfig;
use rsipstack::transport::transport_layer::TransportWhitelist;
use rsipstack::transport::udp::UdpConnection;
use rsipstack::transport::{SipAddr, TransportLayer};
use rsipstack::EndpointBuilder;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

#[derive(Debug, thiserror::Error)]
pub enum StackError {
    #[error("{0}")]
    Config(#[from] super::uri::ServerUriError),
    #[error("{0}")]
    Dns(#[from] crate::dns::DnsError),
    #[error("{0}")]
    Tls(#[from] crate::tls::TrustError),
    #[error("cannot open a SIP socket: {0}")]
    Bind(String),
    #[error("SIP stack: {0}")]
    Sip(String),
}

pub struct SipStack {
    pub endpoint: Arc<Endpoint>,
    pub dialog_layer: Arc<DialogLayer>,
    pub cancel: CancellationToken,
    pub local_ip: IpAddr,
    /// Where requests go (registrar or outbound proxy), resolved; `None` for a line with no server.
    pub server: Option<ServerTarget>,
    /// The account's domain as a URI with the transport parameter: the REGISTER Request-URI.
    pub domain_uri: Uri,
    pub transport: Transport,
    /// Bound to every address of the machine (the Local line): `reachable_uris` lists them.
    pub listens_everywhere: bool,
    /// Requests dropped because they came from outside the local network.
    pub dropped: Arc<AtomicU64>,
}

pub struct StackParts {
    pub stack: Arc<SipStack>,
    pub incoming: TransactionReceiver,
}

impl SipStack {
    pub async fn start(
        account: &AccountConfig,
        dns_servers: &[SocketAddr],
    ) -> Result<StackParts, StackError> {
        let server = resolve_account_server(account, dns_servers).await?;
        let transport = server
            .as_ref()
            .map(|s| s.transport)
            .or(account.transport)
            .unwrap_or(Transport::Udp);
        let bind_ip = match &server {
            Some(target) => route_source_ip(target.addr.ip()),
            None => own_address(account).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        };
        let listens_everywhere = bind_ip.is_unspecified();
        let local_ip = if listens_everywhere {
            lan::preferred_address()
        } else {
            bind_ip
        };
        let dropped = Arc::new(AtomicU64::new(0));
        let whitelist: Option<Arc<dyn TransportWhitelist>> = match &server {
            Some(target) if account.register => Some(Arc::new(super::whitelist::ServerOnly::new(
                target.addr.ip(),
            ))),
            None if account.direct_calls == DirectCalls::LocalNetwork => Some(Arc::new(
                super::whitelist::LocalNetworkOnly::new(dropped.clone()),
            )),
            _ => None,
        };

        let cancel = CancellationToken::new();
        let transport_layer = TransportLayer::new(cancel.child_token());
        if account.register && transport != Transport::Udp && account.keepalive_s > 0 {
            // rsipstack swallows the CRLF pongs to our keep-alives, but they reset its idle
            // timer: no pong within 10 s of a ping and it closes the flow, which the
            // registration sees (keepalive.rs) and registers again on a new one.
            transport_layer.set_stream_idle_timeout(std::time::Duration::from_secs(
                u64::from(account.keepalive_s) + super::keepalive::PONG_WAIT_S,
            ));
        }
        // A registering UDP line listens on every address (its whitelist lets only the server
        // in), so its socket, and the calls on it, outlive a change of the local address.
        let survives_change = account.register && server.is_some() && transport == Transport::Udp;
        let socket_ip = if survives_change {
            unspecified_like(bind_ip)
        } else {
            bind_ip
        };
        let socket = bind_udp(SocketAddr::new(socket_ip, account.local_port.unwrap_or(0)))?;
        let port = socket
            .local_addr()
            .map_err(|e| StackError::Bind(e.to_string()))?
            .port();
        let external =
            (listens_everywhere || survives_change).then_some(SocketAddr::new(local_ip, port));
        let socket = unknown_method::AnsweringUnknown::new(socket, whitelist.clone());
        let udp =
            UdpConnection::from_socket(Arc::new(socket), external, Some(cancel.child_token()))
                .await
                .map_err(|e| StackError::Bind(e.to_string()))?;
        transport_layer.add_transport(udp.into());
        // Our own accept loop, not rsipstack's: it answers unknown methods on TCP too.
        let tcp_listener = if !account.register && transport != Transport::Tls {
            let local = SocketAddr::new(bind_ip, port);
            tcp_accept::bind(local)
                .inspect_err(|e| tracing::warn!(%local, error = %e, "cannot listen on TCP"))
                .ok()
                .map(|listener| (listener, external.unwrap_or(local)))
        } else {
            None
        };
        if transport == Transport::Tls {
            let ca_certs = crate::tls::trusted_roots_pem(account.ca_file.as_deref())?;
            let server_host = server_host(account)?;
            transport_layer.set_tls_config(TlsConfig {
                ca_certs: Some(ca_certs),
                sni_hostname: Some(server_host),
                ..Default::default()
            });
        }
        let tcp_whitelist = whitelist.clone();
        if let Some(whitelist) = whitelist {
            transport_layer.set_whitelist(SharedWhitelist(whitelist));
        }

        let option = EndpointOption {
            callid_suffix: Some(local_ip.to_string()),
            ..Default::default()
        };
        let endpoint = EndpointBuilder::new()
            .with_cancel_token(cancel.clone())
            .with_transport_layer(transport_layer)
            .with_user_agent(&format!("Parla/{}", env!("CARGO_PKG_VERSION")))
            .with_option(option)
            .with_inspector(Box::new(SipTrace))
            .build();
        let incoming = endpoint
            .incoming_transactions()
            .map_err(|e| StackError::Sip(e.to_string()))?;
        let dialog_layer = Arc::new(DialogLayer::new(endpoint.inner.clone()));
        tokio::spawn(sweep::sweep_ended(
            dialog_layer.clone(),
            endpoint.inner.clone(),
            cancel.clone(),
        ));
        if let Some((listener, local)) = tcp_listener {
            let local = SipAddr {
                r#type: Some(rsipstack::sip::Transport::Tcp),
                addr: local.into(),
            };
            tokio::spawn(tcp_accept::serve(
                listener,
                local,
                tcp_whitelist,
                endpoint.inner.clone(),
                cancel.clone(),
            ));
        }
        let endpoint = Arc::new(endpoint);
        let serving = endpoint.clone();
        tokio::spawn(async move { serving.serve().await });

        let mut domain_uri = parse_server_uri(&account.domain).map_err(StackError::Config)?;
        domain_uri
            .params
            .retain(|p| !matches!(p, Param::Transport(_)));
        if transport != Transport::Udp {
            domain_uri
                .params
                .push(Param::Transport(sip_transport(transport)));
        }
        let stack = Arc::new(SipStack {
            endpoint,
            dialog_layer,
            cancel,
            local_ip,
            server,
            domain_uri,
            transport,
            listens_everywhere,
            dropped,
        });
        Ok(StackParts { stack, incoming })
    }

    /// Where an out-of-dialog request is sent: the resolved server, with the account transport.
    pub fn destination(&self) -> Option<SipAddr> {
        self.server.as_ref().map(|target| SipAddr {
            r#type: Some(sip_transport(target.transport)),
            addr: target.addr.into(),
        })
    }

    /// The first UDP address the endpoint listens on.
    pub fn udp_addr(&self) -> Option<SipAddr> {
        self.endpoint.get_addrs().into_iter().next()
    }

    pub fn shutdown(&self) {
        let dropped = self.dropped.load(std::sync::atomic::Ordering::Relaxed);
        if dropped > 0 {
            tracing::info!(
                dropped,
                "requests from outside the local network were dropped"
            );
        }
        self.cancel.cancel();
    }

    /// Where `user` on this line can be called straight: `sip:user@address:port` for each
    /// address it listens on (for a line bound to all of them, each of the machine's).
    pub fn reachable_uris(&self, user: &str) -> Vec<String> {
        let Some(port) = self
            .udp_addr()
            .and_then(|a| a.get_socketaddr().ok())
            .map(|a| a.port())
        else {
            return Vec::new();
        };
        let mut addresses = if self.listens_everywhere {
            lan::machine_addresses()
        } else {
            Vec::new()
        };
        if addresses.is_empty() {
            addresses.push(self.local_ip);
        }
        addresses
            .into_iter()
            .map(|ip| format!("sip:{user}@{}", SocketAddr::new(ip, port)))
            .collect()
    }
}

/// One whitelist shared by the transport layer and the UDP socket's own answers.
struct SharedWhitelist(Arc<dyn TransportWhitelist>);

#[async_trait::async_trait]
impl TransportWhitelist for SharedWhitelist {
    async fn allow(&self, ip: IpAddr) -> bool {
        self.0.allow(ip).await
    }
}

/// The address a line with no server was given as its domain (`127.0.0.1`, `[::1]`): it
/// listens there only. A name (the Local line's host name) means every address.
fn own_address(account: &AccountConfig) -> Option<IpAddr> {
    let domain = account.domain.trim();
    let host = domain
        .strip_prefix('[')
        .and_then(|d| d.split_once(']').map(|(h, _)| h))
        .unwrap_or_else(|| domain.split(':').next().unwrap_or(domain));
    host.parse().ok()
}

fn bind_udp(local: SocketAddr) -> Result<tokio::net::UdpSocket, StackError> {
    let socket = UdpSocket::bind(local)
        .and_then(|s| s.set_nonblocking(true).map(|()| s))
        .map_err(|e| StackError::Bind(format!("{local}: {e}")))?;
    tokio::net::UdpSocket::from_std(socket).map_err(|e| StackError::Bind(e.to_string()))
}

pub fn sip_transport(transport: Transport) -> rsipstack::sip::Transport {
    match transport {
        Transport::Udp => rsipstack::sip::Transport::Udp,
        Transport::Tcp => rsipstack::sip::Transport::Tcp,
        Transport::Tls => rsipstack::sip::Transport::Tls,
    }
}

/// The host TLS must verify: the outbound proxy's, else the registrar's, else the domain.
fn server_host(account: &AccountConfig) -> Result<String, StackError> {
    let text = account
        .outbound_proxy
        .as_deref()
        .or(account.registrar.as_deref())
        .unwrap_or(&account.domain);
    let uri = parse_server_uri(text).map_err(StackError::Config)?;
    Ok(match uri.host_with_port.host {
        Host::Domain(d) => d.0,
        Host::IpAddr(ip) => ip.to_string(),
    })
}

async fn resolve_account_server(
    account: &AccountConfig,
    dns_servers: &[SocketAddr],
) -> Result<Option<ServerTarget>, StackError> {
    let text = match (&account.outbound_proxy, &account.registrar) {
        (Some(proxy), _) => proxy.as_str(),
        (None, Some(registrar)) => registrar.as_str(),
        (None, None) if account.register => account.domain.as_str(),
        (None, None) => return Ok(None),
    };
    let uri = parse_server_uri(text).map_err(StackError::Config)?;
    let host = uri.host_with_port.host.to_string();
    let port = uri.host_with_port.port.as_ref().map(|p| p.value());
    let uri_transport = uri.params.iter().find_map(|p| match p {
        Param::Transport(rsipstack::sip::Transport::Udp) => Some(Transport::Udp),
        Param::Transport(rsipstack::sip::Transport::Tcp) => Some(Transport::Tcp),
        Param::Transport(rsipstack::sip::Transport::Tls) => Some(Transport::Tls),
        _ => None,
    });
    let sips = matches!(uri.scheme, Some(rsipstack::sip::Scheme::Sips)).then_some(Transport::Tls);
    let transport = account.transport.or(uri_transport).or(sips);
    let dns = HickoryDns::new(dns_servers)?;
    let targets = resolve_server(&dns, &host, port, transport).await?;
    Ok(targets.into_iter().next())
}

/// The any-address of `ip`'s family.
pub(crate) fn unspecified_like(ip: IpAddr) -> IpAddr {
    if ip.is_ipv4() {
        Ipv4Addr::UNSPECIFIED.into()
    } else {
        std::net::Ipv6Addr::UNSPECIFIED.into()
    }
}

/// The local address the OS would use to reach `remote` (no packet is sent).
pub(crate) fn route_source_ip(remote: IpAddr) -> IpAddr {
    let unspecified = unspecified_like(remote);
    UdpSocket::bind(SocketAddr::new(unspecified, 0))
        .and_then(|s| {
            s.connect(SocketAddr::new(remote, 9))?;
            s.local_addr()
        })
        .map(|a| a.ip())
        .unwrap_or(unspecified)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_servers_are_reached_from_loopback() {
        assert_eq!(
            route_source_ip("127.0.0.1".parse().expect("ip")),
            IpAddr::from([127, 0, 0, 1])
        );
    }

    #[test]
    fn a_line_with_an_address_for_a_domain_listens_there_only() {
        let mut account = AccountConfig {
            domain: "127.0.0.1".into(),
            ..Default::default()
        };
        assert_eq!(own_address(&account), Some(IpAddr::from([127, 0, 0, 1])));
        account.domain = "[::1]:5062".into();
        assert_eq!(own_address(&account), "::1".parse().ok());
        account.domain = "10.0.0.2:5070".into();
        assert_eq!(own_address(&account), Some(IpAddr::from([10, 0, 0, 2])));
        account.domain = "desk".into();
        assert_eq!(own_address(&account), None);
    }

    #[test]
    fn tls_verifies_the_server_host_named_in_the_config() {
        let mut account = AccountConfig {
            id: "a".into(),
            username: "a".into(),
            domain: "example.com".into(),
            ..Default::default()
        };
        assert_eq!(server_host(&account).expect("host"), "example.com");
        account.registrar = Some("sips:pbx.example.com:5061".into());
        assert_eq!(server_host(&account).expect("host"), "pbx.example.com");
    }
}
