//! When a datagram reached the machine, not when the media thread got to it.
//!
//! The media thread drains its sockets once a tick (20 ms), so "now" at the read is up to a
//! tick after the packet came in: a packet that arrives just before a tick and one just after
//! it would look 20 ms apart to the jitter estimator. On Linux the kernel stamps each datagram
//! as it is received (`SO_TIMESTAMPNS`), and the stamp is what the jitter buffer is given.
//! Elsewhere, or if the kernel gives no stamp, the read's own time is used.

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::Instant;

/// The most a kernel stamp may lie before the read: older is taken as a clock step, not a
/// packet that waited (the media thread drains its socket every tick).
#[cfg(target_os = "linux")]
const MAX_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// Reads datagrams with their arrival time. Holds the buffer for the kernel's control
/// messages, so reading does not allocate.
pub(crate) struct StampedReceiver {
    #[cfg(target_os = "linux")]
    control: Vec<u8>,
    stamped: bool,
}

impl StampedReceiver {
    /// Asks the kernel to stamp what `socket` receives; if it will not, reads are stamped when
    /// they happen.
    pub fn new(socket: &UdpSocket) -> Self {
        #[cfg(target_os = "linux")]
        {
            use nix::sys::socket::{setsockopt, sockopt::ReceiveTimestampns};
            let stamped = setsockopt(socket, ReceiveTimestampns, &true)
                .inspect_err(|e| tracing::debug!("no kernel receive timestamps: {e}"))
                .is_ok();
            Self {
                control: nix::cmsg_space!(nix::sys::time::TimeSpec),
                stamped,
            }
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = socket;
            Self { stamped: false }
        }
    }

    /// Whether arrivals come from the kernel's stamps.
    pub fn kernel_stamped(&self) -> bool {
        self.stamped
    }

    /// `recv_from` on `socket`, with when the datagram arrived.
    pub fn recv_from(
        &mut self,
        socket: &UdpSocket,
        buf: &mut [u8],
    ) -> io::Result<(usize, SocketAddr, Instant)> {
        #[cfg(target_os = "linux")]
        if self.stamped {
            return self.recv_stamped(socket, buf);
        }
        let (n, from) = socket.recv_from(buf)?;
        Ok((n, from, Instant::now()))
    }

    #[cfg(target_os = "linux")]
    fn recv_stamped(
        &mut self,
        socket: &UdpSocket,
        buf: &mut [u8],
    ) -> io::Result<(usize, SocketAddr, Instant)> {
        use nix::sys::socket::{recvmsg, ControlMessageOwned, MsgFlags, SockaddrStorage};
        use std::os::fd::AsRawFd;

        let mut iov = [io::IoSliceMut::new(buf)];
        let msg = recvmsg::<SockaddrStorage>(
            socket.as_raw_fd(),
            &mut iov,
            Some(&mut self.control),
            MsgFlags::empty(),
        )
        .map_err(io::Error::from)?;
        let now = Instant::now();
        let mut arrival = now;
        if let Ok(messages) = msg.cmsgs() {
            for message in messages {
                if let ControlMessageOwned::ScmTimestampns(stamp) = message {
                    arrival = arrival_of(stamp, now, std::time::SystemTime::now());
                }
            }
        }
        let from = msg.address.as_ref().and_then(socket_addr).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidData, "datagram without an IP sender")
        })?;
        Ok((msg.bytes, from, arrival))
    }
}

#[cfg(target_os = "linux")]
fn socket_addr(addr: &nix::sys::socket::SockaddrStorage) -> Option<SocketAddr> {
    if let Some(v4) = addr.as_sockaddr_in() {
        return Some(SocketAddr::V4((*v4).into()));
    }
    addr.as_sockaddr_in6()
        .map(|v6| SocketAddr::V6((*v6).into()))
}

/// The instant of a kernel stamp (wall clock), read at `now` / `wall_now`: how long before the
/// read it lies, at most [`MAX_WAIT`]; a stamp after the read (the wall clock stepped back) is
/// the read itself.
#[cfg(target_os = "linux")]
fn arrival_of(
    stamp: nix::sys::time::TimeSpec,
    now: Instant,
    wall_now: std::time::SystemTime,
) -> Instant {
    let Ok(secs) = u64::try_from(stamp.tv_sec()) else {
        return now;
    };
    let Ok(nanos) = u32::try_from(stamp.tv_nsec()) else {
        return now;
    };
    let stamped = std::time::UNIX_EPOCH + std::time::Duration::new(secs, nanos);
    match wall_now.duration_since(stamped) {
        Ok(waited) if waited <= MAX_WAIT => now.checked_sub(waited).unwrap_or(now),
        _ => now,
    }
}

#[cfg(all(test, target_os = "linux"))]
#[allow(clippy::expect_used, reason = "a test: a failed step is a failed test")]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    fn spec(at: SystemTime) -> nix::sys::time::TimeSpec {
        let since = at.duration_since(UNIX_EPOCH).expect("after the epoch");
        nix::sys::time::TimeSpec::from_duration(since)
    }

    /// A datagram that waited in the socket while nobody read: its arrival is when it came, not
    /// when it was read, and its sender and bytes are as sent.
    ///
    /// The kernel turns receive stamping on a moment after the first socket asks (a deferred
    /// switch); until then it stamps a datagram as it is read. So datagrams are sent until one
    /// is stamped on arrival, for at most [`ATTEMPTS`]; without stamps none ever is.
    #[test]
    fn a_datagram_that_waited_keeps_its_arrival() {
        const ATTEMPTS: usize = 30;
        let rx = UdpSocket::bind("127.0.0.1:0").expect("bind");
        let tx = UdpSocket::bind("127.0.0.1:0").expect("bind");
        let mut receiver = StampedReceiver::new(&rx);
        assert!(receiver.kernel_stamped(), "Linux stamps UDP on request");
        let mut waited = Vec::new();
        for _ in 0..ATTEMPTS {
            let sent = Instant::now();
            tx.send_to(b"rtp", rx.local_addr().expect("addr"))
                .expect("send");
            // The datagram is in the socket once `send_to` returns (loopback); the wait is
            // what a late tick looks like.
            std::thread::sleep(Duration::from_millis(30));
            let mut buf = [0u8; 16];
            let (n, from, arrival) = receiver.recv_from(&rx, &mut buf).expect("recv");
            let read = Instant::now();
            assert_eq!(&buf[..n], b"rtp");
            assert_eq!(from, tx.local_addr().expect("addr"));
            assert!(arrival <= read, "stamped after the read");
            assert!(
                arrival + Duration::from_millis(5) >= sent,
                "stamped before it was sent"
            );
            let wait = read.duration_since(arrival);
            if wait >= Duration::from_millis(25) {
                return;
            }
            waited.push(wait);
        }
        panic!("never stamped on arrival: waits seen {waited:?}");
    }

    #[test]
    fn stamps_out_of_reach_fall_back_to_the_read() {
        let now = Instant::now();
        let wall = SystemTime::now();
        let ahead = spec(wall + Duration::from_secs(3));
        assert_eq!(arrival_of(ahead, now, wall), now, "a stamp after the read");
        let ancient = spec(wall - Duration::from_secs(60));
        assert_eq!(arrival_of(ancient, now, wall), now, "a clock step");
        let recent = spec(wall - Duration::from_millis(12));
        let got = now.duration_since(arrival_of(recent, now, wall));
        assert!(
            got.abs_diff(Duration::from_millis(12)) < Duration::from_millis(1),
            "{got:?}"
        );
    }
}
