//! The machine's own addresses, for a line that listens on all of them (the Local line):
//! which one goes in its Contact and SDP, and where others can call it.

use crate::ua::whitelist::is_local_network;
use std::net::{IpAddr, Ipv4Addr};

/// The machine's IPv4 addresses other than loopback, local-network ones first (rsipstack
/// listens on IPv4 only when bound to every address).
pub fn machine_addresses() -> Vec<IpAddr> {
    let mut addresses: Vec<IpAddr> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter(|i| !i.is_loopback())
        .map(|i| i.ip())
        .filter(IpAddr::is_ipv4)
        .collect();
    addresses.dedup();
    // Stable: the interfaces' own order is kept within each group.
    addresses.sort_by_key(|ip| !is_local_network(*ip));
    addresses
}

/// The address a line listening everywhere advertises: the first local-network address, else
/// any other, else loopback (a machine with no network can still call itself).
pub fn preferred_address() -> IpAddr {
    machine_addresses()
        .into_iter()
        .next()
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}
