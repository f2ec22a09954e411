//! A bound on the requests waiting for a line. rsipstack hands new server transactions over an
//! unbounded channel; a flood that reaches the line (through its server, which the whitelist
//! lets in) would grow it without limit while the line works through it. A pump moves them
//! at once into a bounded queue; when that is full the request is answered 503 on the spot
//! (an ACK is dropped), counted, and logged once per interval, and the transport is never held up.

use super::log_limit::INBOX_OVERFLOW;
use rsipstack::sip::{Method, StatusCode};
use rsipstack::transaction::Transaction;
use std::future::Future;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;

/// Requests a line may have waiting before new ones are refused with 503.
pub const INBOX_CAPACITY: usize = 256;

/// What a full inbox does with what does not fit.
pub trait Refuse: Send + 'static {
    fn refuse(self) -> impl Future<Output = ()> + Send;
}

impl Refuse for Transaction {
    async fn refuse(mut self) {
        INBOX_OVERFLOW.note(None);
        if self.original.method != Method::Ack {
            let _ = self.reply(StatusCode::ServiceUnavailable).await;
        }
    }
}

/// The bounded queue of a line's new requests; stops its pump when dropped.
pub struct Inbox<T: Refuse = Transaction> {
    queue: mpsc::Receiver<T>,
    pump: tokio::task::JoinHandle<()>,
}

impl<T: Refuse> Inbox<T> {
    /// Starts pumping `incoming` into a queue of [`INBOX_CAPACITY`].
    pub fn new(incoming: mpsc::UnboundedReceiver<T>) -> Self {
        Self::with_capacity(incoming, INBOX_CAPACITY)
    }

    pub fn with_capacity(incoming: mpsc::UnboundedReceiver<T>, capacity: usize) -> Self {
        let (queue_tx, queue) = mpsc::channel(capacity.max(1));
        let pump = tokio::spawn(pump(incoming, queue_tx));
        Inbox { queue, pump }
    }

    pub async fn recv(&mut self) -> Option<T> {
        self.queue.recv().await
    }
}

impl<T: Refuse> Drop for Inbox<T> {
    fn drop(&mut self) {
        self.pump.abort();
    }
}

async fn pump<T: Refuse>(mut incoming: mpsc::UnboundedReceiver<T>, queue: mpsc::Sender<T>) {
    while let Some(item) = incoming.recv().await {
        match queue.try_send(item) {
            Ok(()) => {}
            Err(TrySendError::Full(item)) => item.refuse().await,
            Err(TrySendError::Closed(_)) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    struct Request(u32, Arc<AtomicU32>);

    impl Refuse for Request {
        async fn refuse(self) {
            self.1.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[tokio::test]
    async fn a_full_inbox_refuses_at_once_and_keeps_the_first_in_order() {
        let refused = Arc::new(AtomicU32::new(0));
        let (tx, rx) = mpsc::unbounded_channel();
        let mut inbox = Inbox::with_capacity(rx, 4);
        for i in 0..1000 {
            tx.send(Request(i, refused.clone())).unwrap();
        }
        // The line is busy (reads nothing) while the flood comes in.
        while refused.load(Ordering::Relaxed) < 996 {
            tokio::task::yield_now().await;
        }
        let mut kept = vec![];
        for _ in 0..4 {
            kept.push(inbox.recv().await.unwrap().0);
        }
        assert_eq!(kept, [0, 1, 2, 3]);
        // Room again: the next one is taken.
        tx.send(Request(1000, refused.clone())).unwrap();
        assert_eq!(inbox.recv().await.unwrap().0, 1000);
        assert_eq!(refused.load(Ordering::Relaxed), 996);
        drop(tx);
        assert!(inbox.recv().await.is_none());
    }
}
