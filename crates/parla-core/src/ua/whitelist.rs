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
            tracing::info!(%ip, "SIP from an address that is not the account's server was dropped");
        }
        allowed
    }
}
