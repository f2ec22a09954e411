//! Loss concealment by waveform repetition, for the codecs without their own (G.711, G.722):
//! the last frame played again, quieter each time, then silence.

/// Level of each repeated frame relative to the one before.
pub(crate) const PLC_FADE: f32 = 0.6;
/// After this many concealed frames in a row, silence: repeating longer sounds like a buzz.
pub(crate) const PLC_MAX_FRAMES: u32 = 5;

#[derive(Debug)]
pub(crate) struct Repetition {
    /// The last frame played.
    history: Vec<f32>,
    /// Consecutive concealed frames.
    concealed: u32,
}

impl Repetition {
    /// Frames of `frame_samples` are what [`Repetition::conceal`] fills.
    pub fn new(frame_samples: usize) -> Self {
        Self {
            history: vec![0.0; frame_samples],
            concealed: 0,
        }
    }

    pub fn concealed(&self) -> u32 {
        self.concealed
    }

    /// A frame was decoded and played: it is the one to repeat, and a loss starts over.
    pub fn played(&mut self, frame: &[f32]) {
        self.concealed = 0;
        let n = frame.len().min(self.history.len());
        let keep = self.history.len() - n;
        self.history.copy_within(n.., 0);
        self.history[keep..].copy_from_slice(&frame[frame.len() - n..]);
    }

    /// Fills one frame (or all of `out` when shorter) in place of a lost one; returns its length.
    pub fn conceal(&mut self, out: &mut [f32]) -> usize {
        let n = self.history.len().min(out.len());
        self.concealed += 1;
        if self.concealed > PLC_MAX_FRAMES {
            out[..n].fill(0.0);
            return n;
        }
        let gain = PLC_FADE.powi(self.concealed as i32);
        for (o, h) in out[..n].iter_mut().zip(self.history.iter().cycle()) {
            *o = h * gain;
        }
        n
    }
}
