//! A home network behind a NAT router, made of three network namespaces:
//!
//! ```text
//!  home (192.168.77.2/24) --veth-- (192.168.77.1) router (198.51.100.1) --veth-- isp (198.51.100.2/24)
//! ```
//!
//! The router forwards and masquerades (nftables `masquerade` on its outside veth, the kernel's
//! conntrack NAT); nothing else is routed, so the home side reaches the ISP side only through
//! that NAT and the ISP side sees only 198.51.100.1. Like a home router's firewall it drops what
//! arrives from outside unasked (`ct state new`): besides being realistic, that keeps a peer's
//! early RTP (sent before ours went out) from leaving a conntrack entry that would make the
//! masquerade give our RTP another outside port than the one in our SDP. All addresses exist
//! only inside these namespaces. Needs root and `nft` (scripts/install-test-deps.sh).

use std::net::{IpAddr, Ipv4Addr};
use std::process::Command;

use crate::error::{BenchError, IoContext, Result};
use crate::netpair::NetNs;

pub const HOME_IP: Ipv4Addr = Ipv4Addr::new(192, 168, 77, 2);
/// A second home address, for a network change (`renumber_home`).
pub const HOME_IP_2: Ipv4Addr = Ipv4Addr::new(192, 168, 77, 3);
pub const ROUTER_INSIDE: Ipv4Addr = Ipv4Addr::new(192, 168, 77, 1);
pub const ROUTER_OUTSIDE: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);
pub const ISP_IP: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 2);

const HOME_DEV: &str = "home0";
const ROUTER_IN_DEV: &str = "rin0";
const ROUTER_OUT_DEV: &str = "rout0";
const ISP_DEV: &str = "isp0";

/// The three namespaces; gone (with their veths) when dropped and nothing runs in them.
#[derive(Debug)]
pub struct NatNet {
    pub home: NetNs,
    pub router: NetNs,
    pub isp: NetNs,
}

/// Whether this machine can build a [`NatNet`]: root, `ip` and `nft`.
pub fn available() -> bool {
    let has = |tool: &str, flag: &str| {
        Command::new(tool)
            .arg(flag)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    has("nft", "--version") && has("ip", "-V") && NetNs::new().is_ok()
}

impl NatNet {
    pub fn start() -> Result<NatNet> {
        let net = NatNet {
            home: NetNs::new()?,
            router: NetNs::new()?,
            isp: NetNs::new()?,
        };
        let (home, isp) = (net.home.proc_path(), net.isp.proc_path());
        let (home, isp) = (home.display(), isp.display());
        // Both pairs are made in the router and one end of each moved out.
        net.router.sh(&format!(
            "ip link add {ROUTER_IN_DEV} type veth peer name {HOME_DEV} && \
             ip link set {HOME_DEV} netns {home} && \
             ip link add {ROUTER_OUT_DEV} type veth peer name {ISP_DEV} && \
             ip link set {ISP_DEV} netns {isp} && \
             ip addr add {ROUTER_INSIDE}/24 dev {ROUTER_IN_DEV} && ip link set {ROUTER_IN_DEV} up && \
             ip addr add {ROUTER_OUTSIDE}/24 dev {ROUTER_OUT_DEV} && ip link set {ROUTER_OUT_DEV} up && \
             sysctl -qw net.ipv4.ip_forward=1 && \
             nft add table ip nat && \
             nft 'add chain ip nat post {{ type nat hook postrouting priority 100 ; }}' && \
             nft add rule ip nat post oifname {ROUTER_OUT_DEV} masquerade && \
             nft add table ip filter && \
             nft 'add chain ip filter inbound {{ type filter hook input priority 0 ; }}' && \
             nft add rule ip filter inbound iifname {ROUTER_OUT_DEV} ct state new drop && \
             nft 'add chain ip filter forwarding {{ type filter hook forward priority 0 ; }}' && \
             nft add rule ip filter forwarding iifname {ROUTER_OUT_DEV} ct state new drop"
        ))?;
        net.home.sh(&format!(
            "ip addr add {HOME_IP}/24 dev {HOME_DEV} && ip link set {HOME_DEV} up && \
             ip route add default via {ROUTER_INSIDE}"
        ))?;
        net.isp.sh(&format!(
            "ip addr add {ISP_IP}/24 dev {ISP_DEV} && ip link set {ISP_DEV} up"
        ))?;
        net.check_masquerade()?;
        Ok(net)
    }

    /// A datagram from home reaches the ISP side from the router's outside address.
    fn check_masquerade(&self) -> Result<()> {
        let receiver = self
            .isp
            .run(|| std::net::UdpSocket::bind((ISP_IP, 0)))?
            .ctx(|| "binding a UDP socket on the ISP side".into())?;
        receiver
            .set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .ctx(|| "setting a read timeout".into())?;
        let to = receiver.local_addr().ctx(|| "local address".into())?;
        let sender = self
            .home
            .run(|| std::net::UdpSocket::bind((HOME_IP, 0)))?
            .ctx(|| "binding a UDP socket at home".into())?;
        sender
            .send_to(b"nat?", to)
            .ctx(|| "sending across the NAT".into())?;
        let mut buf = [0u8; 16];
        let (_, from) = receiver
            .recv_from(&mut buf)
            .map_err(|e| BenchError::Setup(format!("nothing crossed the NAT router: {e}")))?;
        if from.ip() != IpAddr::V4(ROUTER_OUTSIDE) {
            return Err(BenchError::Setup(format!(
                "the router did not masquerade: the ISP side saw {from}"
            )));
        }
        Ok(())
    }

    /// The home side's address changes: `HOME_IP` goes and `to` arrives (a new DHCP lease),
    /// the default route follows. Returns when the new address is usable.
    pub fn renumber_home(&self, from: Ipv4Addr, to: Ipv4Addr) -> Result<()> {
        self.home.sh(&format!(
            "ip addr del {from}/24 dev {HOME_DEV} && \
             ip addr add {to}/24 dev {HOME_DEV} && \
             ip route replace default via {ROUTER_INSIDE} src {to}"
        ))?;
        Ok(())
    }

    /// TCP through the router goes silent: segments of open connections are dropped (no RST,
    /// as when a NAT forgets a mapping), new connections are refused with a reset.
    pub fn silence_tcp(&self) -> Result<()> {
        self.router.sh("nft add chain ip filter silence && \
             nft add rule ip filter silence ip protocol tcp ct state established drop && \
             nft add rule ip filter silence ip protocol tcp reject with tcp reset && \
             nft insert rule ip filter forwarding jump silence")?;
        Ok(())
    }

    /// Undoes [`NatNet::silence_tcp`].
    pub fn restore_tcp(&self) -> Result<()> {
        self.router.sh("nft flush chain ip filter forwarding && \
             nft delete chain ip filter silence && \
             nft add rule ip filter forwarding iifname rout0 ct state new drop")?;
        Ok(())
    }

    /// What the router's conntrack table maps (for a failing test's message).
    pub fn router_state(&self) -> String {
        self.router
            .sh("nft list ruleset; cat /proc/net/nf_conntrack 2>/dev/null | head -40")
            .unwrap_or_else(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_reaches_the_isp_side_through_the_masquerade() {
        if !available() {
            return; // not root or no nft: nothing to check here
        }
        let net = NatNet::start().expect("NAT network");
        net.renumber_home(HOME_IP, HOME_IP_2).expect("renumber");
        let to = net
            .home
            .sh("ip -4 -o addr show dev home0")
            .expect("addresses");
        assert!(
            to.contains("192.168.77.3") && !to.contains("192.168.77.2/"),
            "{to}"
        );
    }
}
