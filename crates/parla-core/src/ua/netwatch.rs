//! Noticing a network change: every [`CHECK_EVERY`] the line asks the OS which local address
//! would reach its server (a connected UDP socket, no packet sent) and compares it with the one
//! its transport is bound to. Cheap, portable, and it sees every kind of change that matters
//! here: the address gone and another arrived, a new default route, a VPN coming up.

use std::net::IpAddr;
use std::time::Duration;

pub const CHECK_EVERY: Duration = Duration::from_secs(1);
/// How often a line listening on every address (the Local line) looks at the machine's
/// addresses: where others can call it changes with them.
pub const ADDRESSES_EVERY: Duration = Duration::from_secs(2);

/// Resolves to the new local address once `source()` gives a usable address other than
/// `bound` (while there is no route at all it keeps waiting: nothing to move to yet).
pub async fn changed_from(bound: IpAddr, mut source: impl FnMut() -> IpAddr) -> IpAddr {
    loop {
        tokio::time::sleep(CHECK_EVERY).await;
        let now = source();
        if now != bound && !now.is_unspecified() {
            return now;
        }
    }
}

/// The change of the route towards `server` away from `bound`; never, for a line without one.
pub async fn route_change(bound: IpAddr, server: Option<IpAddr>) -> IpAddr {
    match server {
        Some(server) => changed_from(bound, move || super::stack::route_source_ip(server)).await,
        None => std::future::pending().await,
    }
}

/// Calls `changed` with each new value of `source()` (looked at every [`ADDRESSES_EVERY`])
/// that differs from the last one seen, starting from `known`; never returns.
pub async fn on_change<T: PartialEq>(
    mut known: T,
    mut source: impl FnMut() -> T,
    mut changed: impl FnMut(&T),
) {
    loop {
        tokio::time::sleep(ADDRESSES_EVERY).await;
        let now = source();
        if now != known {
            changed(&now);
            known = now;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;
    use std::sync::{Arc, Mutex};

    #[tokio::test(start_paused = true)]
    async fn a_new_address_is_noticed_within_a_check_and_no_route_is_not_a_change() {
        let old = IpAddr::from([192, 168, 77, 2]);
        let now = Arc::new(Mutex::new(old));
        let seen = now.clone();
        let start = tokio::time::Instant::now();
        let watch = tokio::spawn(changed_from(old, move || *seen.lock().expect("now")));
        tokio::time::sleep(Duration::from_millis(2500)).await;
        *now.lock().expect("now") = Ipv4Addr::UNSPECIFIED.into();
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert!(!watch.is_finished(), "no route is no change");
        *now.lock().expect("now") = IpAddr::from([192, 168, 77, 3]);
        let new = watch.await.expect("watch");
        assert_eq!(new, IpAddr::from([192, 168, 77, 3]));
        assert_eq!(start.elapsed(), Duration::from_secs(6));
    }

    #[tokio::test(start_paused = true)]
    async fn each_change_of_the_addresses_is_told_once_within_a_check() {
        let addresses = Arc::new(Mutex::new(vec!["sip:a@192.168.1.5:5060".to_string()]));
        let told = Arc::new(Mutex::new(Vec::new()));
        let (source, sink) = (addresses.clone(), told.clone());
        let known = addresses.lock().expect("addresses").clone();
        let watch = tokio::spawn(on_change(
            known,
            move || source.lock().expect("addresses").clone(),
            move |now: &Vec<String>| sink.lock().expect("told").push(now.clone()),
        ));
        tokio::time::sleep(ADDRESSES_EVERY * 3).await;
        assert!(
            told.lock().expect("told").is_empty(),
            "no change, nothing told"
        );
        *addresses.lock().expect("addresses") = vec!["sip:a@10.0.0.7:5060".to_string()];
        tokio::time::sleep(ADDRESSES_EVERY + Duration::from_millis(1)).await;
        assert_eq!(
            *told.lock().expect("told"),
            vec![vec!["sip:a@10.0.0.7:5060".to_string()]]
        );
        addresses.lock().expect("addresses").clear();
        tokio::time::sleep(ADDRESSES_EVERY * 3).await;
        assert_eq!(
            told.lock().expect("told").len(),
            2,
            "the address gone is a change too"
        );
        assert!(told.lock().expect("told")[1].is_empty());
        watch.abort();
    }
}
