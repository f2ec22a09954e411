//! Is someone speaking into the microphone? `earshot`'s small neural detector, which wants
//! 16 ms frames at 16 kHz: our 10 ms frames at the capture rate are resampled to 16 kHz (with
//! the sinc resampler sonora's own detector uses) and gathered into its frames; between two of
//! its verdicts the last one holds. At 48 kHz it costs 6.5 µs per 10 ms frame, resampling
//! included, where WebRTC's RNN detector (AGC2's) took 19 of the gain control's 29 (see
//! processing/gain.rs).

use sonora_common_audio::push_resampler::PushResampler;

const DETECTOR_RATE: u32 = 16_000;
/// earshot's frame: 16 ms at 16 kHz.
const DETECTOR_FRAME: usize = 256;
/// earshot's own threshold for "voice". AGC2's parts count a frame as speech from 0.95 of
/// its RNN detector's probability; earshot's scores rarely reach that on clear speech (24 of
/// 616 frames of a 10 s sentence), while 0.5 marks it and keeps a tone or quiet noise out
/// (tests/auto_gain.rs).
const VOICE_SCORE: f32 = 0.5;

pub(super) struct SpeechDetector {
    detector: Box<earshot::Detector>,
    /// `None` when the capture runs at 16 kHz already.
    to_detector_rate: Option<PushResampler<f32>>,
    resampled: Vec<f32>,
    pending: [f32; DETECTOR_FRAME],
    pending_len: usize,
    speaking: bool,
}

impl SpeechDetector {
    /// For 10 ms frames of `frame_len` samples at `rate` (8 to 48 kHz).
    pub fn new(rate: u32, frame_len: usize) -> Self {
        let detector_frame_10ms = (DETECTOR_RATE / 100) as usize;
        Self {
            detector: earshot::Detector::default_boxed(),
            to_detector_rate: (rate != DETECTOR_RATE)
                .then(|| PushResampler::new(frame_len, detector_frame_10ms, 1)),
            resampled: vec![0.0; detector_frame_10ms],
            pending: [0.0; DETECTOR_FRAME],
            pending_len: 0,
            speaking: false,
        }
    }

    /// Takes one 10 ms frame (samples in -1..1); true while the last verdict was voice.
    pub fn analyze(&mut self, frame: &[f32]) -> bool {
        let mut samples: &[f32] = match self.to_detector_rate.as_mut() {
            Some(resampler) => {
                resampler.resample_mono(frame, &mut self.resampled);
                &self.resampled
            }
            None => frame,
        };
        while !samples.is_empty() {
            let take = (DETECTOR_FRAME - self.pending_len).min(samples.len());
            let free = &mut self.pending[self.pending_len..self.pending_len + take];
            // earshot wants -1..1; the resampler can overshoot a little.
            for (slot, &s) in free.iter_mut().zip(&samples[..take]) {
                *slot = s.clamp(-1.0, 1.0);
            }
            self.pending_len += take;
            samples = &samples[take..];
            if self.pending_len == DETECTOR_FRAME {
                self.pending_len = 0;
                self.speaking = self.detector.predict_f32(&self.pending) >= VOICE_SCORE;
            }
        }
        self.speaking
    }
}
