//! The packet slots: a ring indexed by extended sequence number, allocated once.

/// Largest payload the buffer keeps: an Ethernet MTU, so anything that came off the socket fits.
pub const MAX_PAYLOAD: usize = 1500;

/// What is known about the packet in one slot.
#[derive(Debug, Clone, Copy)]
pub(super) struct Meta {
    pub seq: i64,
    /// Extended RTP timestamp.
    pub ts: i64,
    /// The timestamp as it came off the wire.
    pub rtp_ts: u32,
    pub len: usize,
    pub filled: bool,
    /// False for a packet of the stream that carries no audio (RFC 4733 event, comfort noise).
    pub audio: bool,
}

const EMPTY: Meta = Meta {
    seq: 0,
    ts: 0,
    rtp_ts: 0,
    len: 0,
    filled: false,
    audio: false,
};

pub(super) struct Store {
    meta: Box<[Meta]>,
    data: Box<[u8]>,
    count: usize,
}

impl Store {
    pub fn new(slots: usize) -> Self {
        let slots = slots.max(1);
        Self {
            meta: vec![EMPTY; slots].into_boxed_slice(),
            data: vec![0; slots * MAX_PAYLOAD].into_boxed_slice(),
            count: 0,
        }
    }

    pub fn capacity(&self) -> usize {
        self.meta.len()
    }

    pub fn count(&self) -> usize {
        self.count
    }

    fn index(&self, seq: i64) -> usize {
        // `capacity` is small, so the remainder always fits.
        seq.rem_euclid(self.meta.len() as i64) as usize
    }

    /// The slot holding `seq`, if that packet is here.
    pub fn find(&self, seq: i64) -> Option<usize> {
        let i = self.index(seq);
        let m = self.meta.get(i)?;
        (m.filled && m.seq == seq).then_some(i)
    }

    pub fn meta(&self, slot: usize) -> Meta {
        self.meta.get(slot).copied().unwrap_or(EMPTY)
    }

    /// The slot holding `seq` if that packet is here and carries audio.
    pub fn find_audio(&self, seq: i64) -> Option<usize> {
        self.find(seq).filter(|&i| self.meta(i).audio)
    }

    /// The payload of `slot`. Stays readable after [`Store::remove`] until the slot is reused.
    pub fn payload(&self, slot: usize) -> &[u8] {
        let len = self.meta(slot).len;
        let start = slot * MAX_PAYLOAD;
        self.data.get(start..start + len).unwrap_or(&[])
    }

    /// Stores a packet, replacing whatever the slot held. The caller keeps sequence numbers
    /// within one capacity of each other, so nothing still wanted is replaced.
    pub fn insert(&mut self, seq: i64, ts: i64, rtp_ts: u32, payload: &[u8], audio: bool) {
        let i = self.index(seq);
        let len = payload.len().min(MAX_PAYLOAD);
        let start = i * MAX_PAYLOAD;
        if let Some(dst) = self.data.get_mut(start..start + len) {
            dst.copy_from_slice(&payload[..len]);
        }
        if let Some(m) = self.meta.get_mut(i) {
            if !m.filled {
                self.count += 1;
            }
            *m = Meta {
                seq,
                ts,
                rtp_ts,
                len,
                filled: true,
                audio,
            };
        }
    }

    /// Empties the slot of `seq`; returns whether the packet was there.
    pub fn remove(&mut self, seq: i64) -> bool {
        let Some(i) = self.find(seq) else {
            return false;
        };
        if let Some(m) = self.meta.get_mut(i) {
            m.filled = false;
        }
        self.count -= 1;
        true
    }

    /// Empties every slot; returns how many packets were dropped.
    pub fn clear(&mut self) -> usize {
        for m in self.meta.iter_mut() {
            m.filled = false;
        }
        std::mem::take(&mut self.count)
    }
}
